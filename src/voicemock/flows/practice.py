"""One practice round: pick a question, speak it, record the answer (or take a file), assess, save.

    question --speak--> speaker          (shipped audio, else Piper / espeak-ng, else shown only)
    microphone --record_answer--> answer.wav   (or --answer-file, copied in)
    answer --read_answer--> Transcript --assess--> Scorecard --render--> report.md / report.json

Everything lands in one session folder (voicemock.store.session). This module talks to the user only through
`on_event` callbacks; the command decides how to show them.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from voicemock.errors import PracticeTerminated, VoicemockError
from voicemock.audio.capture import RecordingResult
from voicemock.audio.wavfile import RecoveredTake
from voicemock.flows.turn import (
    PracticeEvent,
    SpokenQuestion,
    TurnOptions,
    default_max_seconds,
    record_history,
    render,
    speak_question,
    take_turn,
)
from voicemock.store.session import Session, create_session, resolve_recordings_dir

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.bank.questions import Question, QuestionBank
    from voicemock.records import Scorecard, Transcript

__all__ = [
    "PracticeEvent",
    "PracticeOptions",
    "PracticeResult",
    "PracticeTerminated",
    "SpokenQuestion",
    "default_max_seconds",
    "pick_question",
    "check_answer_source",
    "render_report",
    "rubric_at_level",
    "run_practice",
    "speak_question",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PracticeOptions(TurnOptions):
    question_id: str | None = None
    competency: str | None = None
    questions_path: str | None = None  # another question bank; None: the shipped one
    rubric: str | None = None
    level: str | None = None
    recordings_dir: str | None = None
    seed: int | None = None  # for the random pick of a question
    history: bool = True  # remember the take; compare pace with the user's own median
    next_weakest: bool = False  # pick from the competency with the weakest recent scores


@dataclass
class PracticeResult:
    session: Session
    question: Question
    spoken: SpokenQuestion
    answer_path: Path
    recording: RecordingResult | None  # None with --answer-file
    transcript: Transcript
    scorecard: Scorecard
    markdown: str
    recovered: list[RecoveredTake] = field(default_factory=list)


def pick_question(
    bank: QuestionBank, question_id: str | None = None, competency: str | None = None, rng: random.Random | None = None
) -> Question:
    """The question with `question_id`, else a random one (of `competency`, when given)."""
    if question_id:
        question = bank.get(question_id)
        if competency and question.competency != competency:
            raise VoicemockError(
                f"question {question_id} is a {question.competency} question, not {competency}; drop one of --question and --competency"
            )
        return question
    pool = bank.filter(competency)
    if not pool:
        raise VoicemockError(f"the question bank has no {competency or ''} questions; pick another --competency")
    return (rng or random.Random()).choice(pool)


def run_practice(options: PracticeOptions, on_event: Callable[[PracticeEvent], None] | None = None) -> PracticeResult:
    """One round, start to finish. The session folder keeps whatever was done if a step fails."""
    from voicemock.bank.questions import load_bank
    from voicemock.audio.wavfile import recover_unfinished

    emit = on_event or (lambda event: None)
    recordings_dir = resolve_recordings_dir(options.recordings_dir)
    recovered = recover_unfinished(recordings_dir)
    for take in recovered:
        emit(PracticeEvent("recovered", take.describe()))

    bank = load_bank(options.questions_path)
    rng = random.Random(options.seed) if options.seed is not None else None
    competency = options.competency
    if options.next_weakest and not options.question_id and not competency:
        from voicemock.store.trends import weakest_competency

        competency = weakest_competency(recordings_dir, list(bank.competencies))
        emit(PracticeEvent("next", f"Practising {competency}: your weakest recent competency (or one not yet practised)."))
    question = pick_question(bank, options.question_id, competency, rng)
    # Fail before the question is spoken, not after: the answer file or the microphone must be usable.
    check_answer_source([options.answer_file] if options.answer_file else [], options.device)
    rubric, level = rubric_at_level(options.rubric, options.level)

    session = create_session(recordings_dir, question.id)
    baseline = _baseline_wpm(recordings_dir) if options.history else None
    turn = take_turn(session, question, options, emit, rubric=rubric, level=level, baseline_wpm=baseline)
    scorecard = turn.scorecard
    try:
        if options.history:
            _record_history(scorecard, recordings_dir, question, session)
    except VoicemockError as exc:
        # The report is saved; a history that cannot take the row should not hide it.
        emit(PracticeEvent("warning", f"the take was not added to the history ({exc})"))
    return PracticeResult(
        session=session,
        question=question,
        spoken=turn.spoken,
        answer_path=turn.answer_path,
        recording=turn.recording,
        transcript=turn.transcript,
        scorecard=scorecard,
        markdown=turn.markdown,
        recovered=recovered,
    )


def check_answer_source(answer_files: list[str], device: str | int | None) -> None:
    """The answer files are readable audio, or (with none) the microphone is there: a clear error if not."""
    if answer_files:
        from voicemock.audio.files import check_audio_path, probe_audio
        from voicemock.flows.pipeline import TEXT_SUFFIXES

        for path in answer_files:
            # Opened, not decoded: a file that is not audio never gets a session folder. A typed
            # transcript (.txt, or transcribe's JSON) is read as the answer, as `score` reads it.
            check_audio_path(path) if Path(path).suffix.lower() in TEXT_SUFFIXES else probe_audio(path)
    else:
        from voicemock.audio.devices import pick_input_device

        pick_input_device(device)


def rubric_at_level(name: str | None, level: str | None):
    """The rubric (by id or path) and the level to score at: the given one, else the rubric's default."""
    rubric = _load_rubric(name)
    level = level or rubric.default_level
    if level not in rubric.levels:
        raise VoicemockError(f"unknown level {level!r} for rubric {rubric.id}; use one of {', '.join(rubric.levels)}")
    return rubric, level


# ---------------------------------------------------------------------------- the other stages
# Each call into another engineer's stage sits in one function, so wiring it is a one-line change.


def _load_rubric(name: str | None):
    from voicemock.bank.rubric import load_rubric

    return load_rubric(name)


def _baseline_wpm(recordings_dir: Path) -> float | None:
    from voicemock.store.trends import baseline_wpm

    return baseline_wpm(recordings_dir)


def _record_history(scorecard: Scorecard, recordings_dir: Path, question: Question, session: Session) -> None:
    record_history(scorecard, recordings_dir, source="practice", competency=question.competency, files=session.files())


def render_report(scorecard: Scorecard, fmt: str = "text", *, color: bool = False) -> str:
    """The report as the terminal shows it (`color` on a terminal only)."""
    return render(scorecard, fmt, color=color)
