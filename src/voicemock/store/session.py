"""The session folder of one practice take: `<recordings-dir>/<YYYYmmdd-HHMMSS>-<question-id>/`.

It holds everything needed to look at the take again or score it anew:

    question.json     the question as asked (and how it was spoken)
    answer.wav        the recorded answer (or answer.<ext>, a copy of --answer-file)
    transcript.json   the transcript, in the format `voicemock transcribe --format json` writes
    report.json       the scorecard
    report.md         the report in Markdown

A folder is never reused (fsutil.unique_dir adds -2, -3 ... on a clash) and every file is written
atomically, so a crash leaves either the old state or the new one, never half a file.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from voicemock.fsutil import atomic_write_text, unique_dir
from voicemock.records import Scorecard, Transcript

__all__ = [
    "RECORDINGS_ENV",
    "SESSION_FILES",
    "Session",
    "create_session",
    "resolve_recordings_dir",
    "session_name",
]

RECORDINGS_ENV = "VOICEMOCK_RECORDINGS"
QUESTION_FILE = "question.json"
TRANSCRIPT_FILE = "transcript.json"
REPORT_JSON_FILE = "report.json"
REPORT_MD_FILE = "report.md"
RECORDED_ANSWER = "answer.wav"
SESSION_FILES = (QUESTION_FILE, TRANSCRIPT_FILE, REPORT_JSON_FILE, REPORT_MD_FILE)


def resolve_recordings_dir(option: str | os.PathLike[str] | None = None) -> Path:
    """The option, else $VOICEMOCK_RECORDINGS, else `recordings/` in the current folder."""
    if option:
        return Path(option)
    env = os.environ.get(RECORDINGS_ENV)
    return Path(env) if env else Path("recordings")


def session_name(question_id: str, when: datetime | None = None) -> str:
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{question_id}"


@dataclass(frozen=True)
class Session:
    path: Path

    @property
    def question_path(self) -> Path:
        return self.path / QUESTION_FILE

    @property
    def recorded_answer_path(self) -> Path:
        """Where a microphone take is recorded."""
        return self.path / RECORDED_ANSWER

    @property
    def transcript_path(self) -> Path:
        return self.path / TRANSCRIPT_FILE

    @property
    def report_json_path(self) -> Path:
        return self.path / REPORT_JSON_FILE

    @property
    def report_md_path(self) -> Path:
        return self.path / REPORT_MD_FILE

    def answer_path(self) -> Path | None:
        """The answer audio in the folder, recorded or copied, or None when there is none yet."""
        found = sorted(p for p in self.path.glob("answer.*") if not p.name.endswith(".recording"))
        return found[0] if found else None

    def write_question(self, question: dict[str, Any]) -> Path:
        return atomic_write_text(self.question_path, _json(question))

    def copy_answer(self, source: str | os.PathLike[str]) -> Path:
        """Copy an existing recording into the folder as answer.<its suffix>, never overwriting."""
        src = Path(source)
        target = self.path / f"answer{src.suffix.lower() or '.audio'}"
        if target.exists():
            raise FileExistsError(f"{target} already exists; a session folder is written once")
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, target)
        return target

    def write_transcript(self, transcript: Transcript) -> Path:
        # The same bytes `voicemock transcribe --format json` writes, so every tool reads it back.
        from voicemock.speech.writers import render_transcript

        return atomic_write_text(self.transcript_path, render_transcript(transcript, "json"))

    def write_report(self, scorecard: Scorecard, markdown: str, extra: dict[str, Any] | None = None) -> tuple[Path, Path]:
        data = scorecard.to_dict()
        if extra:
            data["session"] = extra
        json_path = atomic_write_text(self.report_json_path, _json(data))
        md_path = atomic_write_text(self.report_md_path, markdown if markdown.endswith("\n") else markdown + "\n")
        return json_path, md_path

    def files(self) -> dict[str, str]:
        """Role -> absolute path of each file present: what the history stores for the take."""
        roles = {
            "question": self.question_path,
            "transcript": self.transcript_path,
            "report_json": self.report_json_path,
            "report_md": self.report_md_path,
        }
        answer = self.answer_path()
        if answer is not None:
            roles["audio"] = answer
        return {role: str(p.resolve()) for role, p in roles.items() if p.exists()}


def create_session(recordings_dir: str | os.PathLike[str], question_id: str, when: datetime | None = None) -> Session:
    """A new, empty session folder; an existing one is never reused."""
    return Session(unique_dir(recordings_dir, session_name(question_id, when)))


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
