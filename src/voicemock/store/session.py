"""The session folder of one practice take: `<recordings-dir>/<YYYYmmdd-HHMMSS>-<question-id>/`.

It holds everything needed to look at the take again or score it anew:

    question.json     the question as asked (and how it was spoken)
    answer.wav        the recorded answer (or answer.<ext>, a copy of --answer-file)
    transcript.json   the transcript, in the format `voicemock transcribe --format json` writes
    report.json       the scorecard
    report.md         the report in Markdown

A folder is never reused (fsutil.unique_dir adds -2, -3 ... on a clash) and every file is written
atomically, so a crash leaves either the old state or the new one, never half a file. `read_session`
reads a folder back as typed records (`SessionRecord`), for the review page and `voicemock label`.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from voicemock.errors import SessionError
from voicemock.fsutil import atomic_write_text, unique_dir
from voicemock.records import Scorecard, Transcript

__all__ = [
    "RECORDINGS_ENV",
    "SESSION_FILES",
    "AskedQuestion",
    "Session",
    "SessionError",
    "SessionRecord",
    "create_session",
    "find_session_audio",
    "read_session",
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


def _in_session(name: str) -> property:
    """A read-only attribute: the path of file `name` in the session folder."""
    return property(lambda self: self.path / name, doc=f"{name} in the session folder")


@dataclass(frozen=True)
class Session:
    path: Path

    question_path = _in_session(QUESTION_FILE)
    recorded_answer_path = _in_session(RECORDED_ANSWER)  # where a microphone take is recorded
    transcript_path = _in_session(TRANSCRIPT_FILE)
    report_json_path = _in_session(REPORT_JSON_FILE)
    report_md_path = _in_session(REPORT_MD_FILE)

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


# ---------------------------------------------------------------------------- reading a take back


@dataclass(frozen=True)
class AskedQuestion:
    """The question as the take recorded it in question.json (the bank may have changed since)."""

    id: str | None
    competency: str | None
    text: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AskedQuestion:
        # "question_id" is the key some hand-made question.json files use for the id.
        qid = d.get("id") or d.get("question_id")
        return cls(id=str(qid) if qid else None, competency=str(d.get("competency") or "") or None, text=str(d.get("text") or ""))


@dataclass(frozen=True)
class SessionRecord:
    """One take as typed records: what the review page and `voicemock label` work on."""

    transcript: Transcript
    scorecard: Scorecard
    audio_path: Path | None
    question: AskedQuestion | None = None
    corrections: dict[str, Any] | None = None  # corrections.json, validated (voicemock.store.corrections)
    session_dir: Path | None = None  # None for a take scored straight from an audio file


def find_session_audio(session_dir: Path) -> Path | None:
    """The take's audio: `answer.<ext>` first, else the only audio file in the folder."""
    from voicemock.audio.files import AUDIO_EXTENSIONS

    for ext in AUDIO_EXTENSIONS:
        candidate = session_dir / f"answer{ext}"
        if candidate.is_file():
            return candidate
    audio = sorted(p for p in session_dir.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS
                   and not p.name.startswith("question"))
    return audio[0] if len(audio) == 1 else None


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SessionError(f"{path}: the {what} is not valid JSON ({exc}); score the take again with `voicemock score`") from exc


def read_session(session_dir: str | os.PathLike[str]) -> SessionRecord:
    """Read a practice session folder: transcript.json, report.json, question.json, the answer audio
    and the coach's corrections.json if there is one."""
    from voicemock.store import corrections

    d = Path(session_dir)
    if not d.is_dir():
        raise SessionError(f"{d}: not a folder; pass a session folder (recordings/<take>/) or an audio file")
    report_path = d / REPORT_JSON_FILE
    if not report_path.is_file():
        raise SessionError(f"{d}: has no {REPORT_JSON_FILE}; pass the answer audio instead to score it now, "
                           f"e.g. `voicemock review {d}/answer.wav`")
    report = _read_json(report_path, "report")
    if not isinstance(report, dict) or "dimensions" not in report:
        raise SessionError(f"{report_path}: not a voicemock report (no 'dimensions'); score the take again")
    try:
        scorecard = Scorecard.from_dict(report)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise SessionError(f"{report_path}: not a voicemock report ({exc!r}); score the take again") from exc
    transcript_path = d / TRANSCRIPT_FILE
    if transcript_path.is_file():
        transcript_dict = _read_json(transcript_path, "transcript")
    elif isinstance(report.get("transcript"), dict):
        transcript_dict = report["transcript"]
    else:
        raise SessionError(f"{d}: has no {TRANSCRIPT_FILE}; transcribe the answer with `voicemock transcribe -f json -o {d} AUDIO`")
    try:
        transcript = Transcript.from_dict(transcript_dict)
    except (KeyError, TypeError, ValueError) as exc:
        raise SessionError(f"{transcript_path}: not a voicemock transcript ({exc!r}); transcribe the answer again") from exc
    question_path = d / QUESTION_FILE
    question = _read_json(question_path, "question") if question_path.is_file() else None
    return SessionRecord(
        transcript=transcript,
        scorecard=scorecard,
        audio_path=find_session_audio(d),
        question=AskedQuestion.from_dict(question) if isinstance(question, dict) else None,
        corrections=corrections.load(d),
        session_dir=d,
    )


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
