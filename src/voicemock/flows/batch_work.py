"""The work on one input, the same wherever it runs: this process, a local worker process or a Dask worker.

The settings, the job a worker gets and the result it hands back travel whole (plain dataclasses, so
they pickle for worker processes and for Dask). The work composes the stages as `score` does:
`read_answer` then, with --score, `assess`, both with the one TranscribeOptions.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from voicemock.errors import AudioError, NoAnswerError, VoicemockError
from voicemock.flows.batch_summary import summary_row
from voicemock.records import Scorecard
from voicemock.speech.transcribe import TranscribeOptions

__all__ = [
    "DEFAULT_FORMATS",
    "REPORT_SUFFIX",
    "BatchSettings",
    "BatchJob",
    "WorkResult",
    "prepare_worker",
    "warm_scoring",
    "process_file",
    "short_reason",
    "cannot_read",
]

logger = logging.getLogger(__name__)

DEFAULT_FORMATS = ("txt", "json")
REPORT_SUFFIX = "report.json"  # <name>.report.json beside <name>.json (the transcript)


@dataclass(frozen=True)
class BatchSettings:
    """Everything the outputs depend on; its fingerprint decides whether an earlier result still holds.

    transcribe: what every Whisper use takes (transcription, and with `score` the hesitation detector);
    its cpu_threads is ignored, as each worker sets its own share of the cores.
    """

    transcribe: TranscribeOptions = TranscribeOptions()
    formats: tuple[str, ...] = DEFAULT_FORMATS
    score: bool = False
    rubric: str | None = None
    level: str | None = None


@dataclass(frozen=True)
class BatchJob:
    """An input that needs work, as sent to a worker (local or remote)."""

    path: str
    display: str
    key: str
    sha256: str
    audio_s: float = 0.0  # probed duration, for the ETA; 0 when not probed


@dataclass
class WorkResult:
    """What a worker hands back for one file: its transcripts, its Scorecard (with --score) and its
    summary row, or the reason it failed."""

    key: str
    display: str
    texts: dict[str, str] = field(default_factory=dict)  # transcript format ("txt", "json", ...) -> content
    scorecard: Scorecard | None = None
    row: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    audio_s: float = 0.0
    elapsed_s: float = 0.0

    @classmethod
    def failure(cls, key: str, display: str, error: str) -> WorkResult:
        return cls(key=key, display=display, row=summary_row(display, error=error), error=error)

    def outputs(self) -> dict[str, str]:
        """Output suffix -> content: the transcripts, then the report, rendered as `score --format json` does."""
        if self.scorecard is None:
            return dict(self.texts)
        from voicemock.present.report import render

        return {**self.texts, REPORT_SUFFIX: render(self.scorecard, "json")}


def prepare_worker(settings: BatchSettings, cpu_threads: int) -> None:
    """Load the model once for this process (a local worker, or a Dask worker via its plugin)."""
    from voicemock.speech.model import load_model, resolve_model, set_process_threads

    # Every Whisper use in this worker shares this one model: transcription and the hesitation
    # detector both take settings.transcribe with the worker's share of the cores (process_file
    # passes the options to assess), and any other use that names no thread count gets the same.
    set_process_threads(cpu_threads)
    load_model(resolve_model(settings.transcribe.model), cpu_threads=cpu_threads)
    if settings.score:
        warm_scoring(settings)


def warm_scoring(settings: BatchSettings) -> None:
    """Import the scoring chain and load the rubric and classifier (both cached per process), so a
    missing piece fails once, up front, and each worker loads them once."""
    try:
        import voicemock.flows.pipeline  # noqa: F401  (assess, the composition the batch calls)
        import voicemock.assess.scoring  # noqa: F401
        import voicemock.assess.structure  # noqa: F401
        from voicemock.assess.classifier import load_classifier
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("voicemock"):
            raise
        raise VoicemockError(f"--score needs {exc.name}, which this installation lacks; run without --score") from None
    _rubric(settings.rubric)
    load_classifier()


def process_file(path: str | Path, display: str, key: str, settings: BatchSettings, cpu_threads: int) -> WorkResult:
    """Transcribe one file (and score it), render its transcripts; any failure becomes a one-line reason."""
    started = time.perf_counter()
    result = WorkResult(key=key, display=display)
    try:
        result.texts, result.scorecard, result.row, result.audio_s = _transcribe_and_score(
            Path(path), display, settings, cpu_threads
        )
    except VoicemockError as exc:
        result.error = _one_line(str(exc)).replace(str(path), display)
    except Exception as exc:  # a bug or a resource problem: keep the batch going, say what it was
        logger.debug("%s failed", display, exc_info=True)
        result.error = f"unexpected {type(exc).__name__}: {_one_line(str(exc))}; re-run with -vv for details".replace(
            str(path), display
        )
    result.elapsed_s = round(time.perf_counter() - started, 3)
    if result.error:
        result.error = short_reason(result.error, display)
        result.row = summary_row(display, error=result.error)
    return result


def _transcribe_and_score(
    path: Path, display: str, settings: BatchSettings, cpu_threads: int
) -> tuple[dict[str, str], Scorecard | None, dict[str, Any], float]:
    from voicemock.flows.pipeline import TEXT_SUFFIXES, assess, check, read_answer
    from voicemock.speech.writers import render_transcript

    if path.suffix.lower() in TEXT_SUFFIXES:
        # read_answer would take it as a typed transcript; a batch transcribes recordings.
        raise AudioError(
            f"{display}: not a readable audio file ({path.suffix} holds a transcript); "
            "score a transcript with `voicemock score`"
        )
    options = replace(settings.transcribe, cpu_threads=cpu_threads)
    answer = read_answer(path, options)  # decoded once: the same audio goes on to assess
    transcript = replace(answer.transcript, source=display)
    # The one rule `score` applies too. Without --score only a file with nothing in it fails: a transcript
    # of speech the recognizer doubts is still a transcript.
    verdict = check(transcript, answer.audio)
    if not verdict.ok and (settings.score or verdict.nothing_heard):
        raise NoAnswerError(verdict.message(display), verdict)

    texts = {fmt: render_transcript(transcript, fmt) for fmt in settings.formats}
    scorecard = None
    if settings.score:
        scorecard = assess(transcript, answer.audio, rubric=_rubric(settings.rubric), level=settings.level, options=options)
        scorecard.input = display
        delivery = scorecard.delivery
    else:
        delivery = _measure_delivery(transcript)
    words = len(transcript.words) or len(transcript.text.split())
    row = summary_row(
        display,
        duration_s=transcript.duration_s,
        words=words,
        wpm=None if delivery is None or delivery.wpm is None else round(delivery.wpm, 1),
        fillers=None if delivery is None else len(delivery.fillers),  # a Scorecard's delivery may be None
    )
    if scorecard is not None:
        row["overall"] = round(scorecard.overall, 2)
        row["passed"] = bool(scorecard.passed)
        for dim in scorecard.dimensions:
            row[dim.key] = round(dim.score, 2)
    return texts, scorecard, row, float(transcript.duration_s or 0.0)


@lru_cache(maxsize=4)
def _rubric(name_or_path: str | None):
    """Parsed once per worker, not once per file."""
    from voicemock.bank.rubric import load_rubric

    return load_rubric(name_or_path)


def _measure_delivery(transcript):
    """Pace and fillers for the summary when not scoring (scoring carries its own Delivery)."""
    from voicemock.assess.delivery import measure_delivery

    return measure_delivery(transcript)


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[0] if lines else "no message"


def short_reason(message: str, display: str) -> str:
    """The error's first line without the leading "<input>: ": summary.csv has the input in a column of its own."""
    message = _one_line(message)
    prefix = f"{display}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def cannot_read(exc: OSError) -> str:
    """The reason for an input the client cannot open, before any work."""
    return f"cannot read it ({exc.strerror or exc}); check its permissions"
