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
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicemock.errors import AudioError, PracticeTerminated, VoicemockError
from voicemock.audio.capture import (
    RecordingProgress,
    RecordingResult,
    TakeInterrupted,
)
from voicemock.audio.wavfile import RecoveredTake
from voicemock.store.session import Session, create_session, resolve_recordings_dir

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.audio.files import DecodedAudio
    from voicemock.bank.questions import Question, QuestionBank
    from voicemock.records import Scorecard, Transcript
    from voicemock.speech.transcribe import TranscribeOptions

__all__ = [
    "PracticeEvent",
    "PracticeOptions",
    "PracticeResult",
    "PracticeTerminated",
    "SpokenQuestion",
    "default_max_seconds",
    "pick_question",
    "render_report",
    "run_practice",
    "speak_question",
]

logger = logging.getLogger(__name__)

# A take may run this much longer than the question's target before it is cut off.
MAX_SECONDS_FACTOR = 1.5


@dataclass(frozen=True)
class PracticeOptions:
    question_id: str | None = None
    competency: str | None = None
    questions_path: str | None = None  # another question bank; None: the shipped one
    rubric: str | None = None
    level: str | None = None
    speak: bool = True
    device: str | int | None = None
    max_seconds: float | None = None  # None: 1.5 x the question's target_seconds
    silence_stop: float | None = None
    answer_file: str | None = None
    recordings_dir: str | None = None
    stop_on_enter: bool = False
    cue: bool = True
    transcribe: TranscribeOptions | None = None
    seed: int | None = None  # for the random pick of a question
    live: bool = True  # transcribe finished stretches during the take, so the report comes at once
    history: bool = True  # remember the take; compare pace with the user's own median
    next_weakest: bool = False  # pick from the competency with the weakest recent scores


@dataclass(frozen=True)
class PracticeEvent:
    """Something the user should see: kind is one of recovered, question, spoken, not-spoken,
    recording, level, recorded, transcribing, scoring, warning."""

    kind: str
    message: str
    progress: RecordingProgress | None = None


@dataclass(frozen=True)
class SpokenQuestion:
    how: str  # "shipped-audio" | "piper" | "espeak-ng" | "not-spoken"
    note: str  # for "not-spoken": why, in plain words
    audio_path: Path | None = None

    @property
    def spoken(self) -> bool:
        return self.how != "not-spoken"


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


def default_max_seconds(question: Question) -> float:
    return round(MAX_SECONDS_FACTOR * question.target_seconds, 1)


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


def speak_question(question: Question, session: Session, *, enabled: bool = True) -> SpokenQuestion:
    """Play the question: its shipped recording, else speech synthesized into the session folder."""
    if not enabled:
        return SpokenQuestion("not-spoken", "--no-speak was given")
    from voicemock.errors import DeviceError
    from voicemock.audio.playback import play_file
    from voicemock.audio.speak import SpeechError, question_audio, synthesize_speech

    audio = question_audio(question)
    how = "shipped-audio"
    if audio is None:
        try:
            made = synthesize_speech(question.text, session.path / "question.wav")
        except SpeechError as exc:
            return SpokenQuestion("not-spoken", f"no speech engine could speak it ({exc})")
        audio, how = made.path, made.engine
    try:
        play_file(audio)
    except (DeviceError, AudioError) as exc:
        return SpokenQuestion("not-spoken", f"the speaker failed ({exc})", audio)
    return SpokenQuestion(how, "", audio)


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
    if options.answer_file:
        from voicemock.audio.files import check_audio_path

        check_audio_path(options.answer_file)
    else:
        from voicemock.audio.devices import pick_input_device

        pick_input_device(options.device)
    rubric = _load_rubric(options.rubric)
    level = options.level or rubric.default_level
    if level not in rubric.levels:
        raise VoicemockError(f"unknown level {level!r} for rubric {rubric.id}; use one of {', '.join(rubric.levels)}")

    session = create_session(recordings_dir, question.id)
    emit(PracticeEvent("question", question.text))
    if options.answer_file:
        spoken = SpokenQuestion("not-spoken", "the answer came from --answer-file, so the question was not played")
    else:
        spoken = speak_question(question, session, enabled=options.speak)
    if not spoken.spoken and options.speak and not options.answer_file:
        emit(PracticeEvent("not-spoken", f"The question was not spoken: {spoken.note}. Read it above."))
    elif spoken.spoken:
        emit(PracticeEvent("spoken", f"Question spoken ({spoken.how})."))
    asked_at = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
    session.write_question({**question.to_dict(), "spoken": spoken.how, "spoken_note": spoken.note, "asked_at": asked_at})

    recording: RecordingResult | None = None
    live = _LiveTap(options.transcribe) if options.live and not options.answer_file else None
    if live is not None:
        # Load the scorer while the candidate speaks: importing scikit-learn alone takes ~1 s.
        threading.Thread(target=_warm_scorer, name="voicemock-warm", daemon=True).start()
    if options.answer_file:
        answer_path = session.copy_answer(options.answer_file)
    else:
        try:
            recording = _record(session, question, options, emit, on_block=live)
        except BaseException:
            if live is not None:
                live.abandon()
            raise
        answer_path = recording.path

    emit(PracticeEvent("transcribing", "Transcribing the answer on this machine..."))
    took = time.perf_counter()
    answer = _transcribe_take(answer_path, options, live)
    session.write_transcript(answer.transcript)
    logger.info("transcript ready %.2f s after the take ended", time.perf_counter() - took)

    emit(PracticeEvent("scoring", "Scoring against the rubric..."))
    baseline = _baseline_wpm(recordings_dir) if options.history else None
    scorecard = _assess(
        answer.transcript, answer.audio, question=question, rubric=rubric, level=level, baseline_wpm=baseline,
        hesitations=answer.hesitations, options=options.transcribe,
    )
    scorecard.input = str(answer_path)
    scorecard.caveats.extend(_session_caveats(spoken, recording, options))
    markdown = _render(scorecard, "markdown")
    session.write_report(scorecard, markdown, extra=_session_record(session, spoken, recording, options, answer_path))
    logger.info("report written %.2f s after the take ended", time.perf_counter() - took)
    try:
        if options.history:
            _record_history(scorecard, recordings_dir, question, session)
    except VoicemockError as exc:
        # The report is saved; a history that cannot take the row should not hide it.
        emit(PracticeEvent("warning", f"the take was not added to the history ({exc})"))
    return PracticeResult(
        session=session,
        question=question,
        spoken=spoken,
        answer_path=answer_path,
        recording=recording,
        transcript=answer.transcript,
        scorecard=scorecard,
        markdown=markdown,
        recovered=recovered,
    )


def _warm_scorer() -> None:
    try:
        from voicemock.assess.classifier import load_classifier

        import voicemock.assess.delivery  # noqa: F401
        import voicemock.assess.structure  # noqa: F401

        load_classifier().moves()
        from voicemock.assess.encoder import load_encoder

        load_encoder()
    except Exception:  # the real load, after the take, reports any problem properly
        logger.debug("warming the scorer failed", exc_info=True)


def _encode_sentences(piece: Transcript) -> None:
    """Encode a live piece's sentences while the candidate goes on speaking: scoring then finds their
    meaning vectors in the encoder's cache (a sentence cut at a piece's edge is encoded after the take)."""
    from voicemock.assess.encoder import load_encoder
    from voicemock.speech.sentences import split_sentences

    load_encoder().embed([s.text for s in split_sentences(piece)])


class _LiveTap:
    """Hands each recorded block to a LiveTranscriber, made on the first block (the device's rate
    is known only then)."""

    def __init__(self, options: TranscribeOptions | None):
        self.options = options
        self.live = None

    def __call__(self, block, samplerate: int) -> None:
        if self.live is None:
            from voicemock.speech.live import LiveTranscriber
            from voicemock.speech.transcribe import TranscribeOptions

            self.live = LiveTranscriber(samplerate, self.options or TranscribeOptions(), on_piece=_encode_sentences)
        self.live.feed(block)

    def abandon(self) -> None:
        if self.live is not None:
            self.live.abandon()


def _transcribe_take(answer_path: Path, options: PracticeOptions, live: _LiveTap | None):
    """The take's transcript: what the live transcriber has, plus the rest; or all of it now."""
    from voicemock.flows.pipeline import Answer, read_answer

    if live is None or live.live is None:
        return read_answer(answer_path, options.transcribe)
    transcript = live.live.finish(source=str(answer_path))
    # The live transcriber already holds the take at 16 kHz: decoding the file again would cost
    # a third of a second of the time the candidate waits.
    return Answer(transcript=transcript, audio=live.live.audio(str(answer_path)), hesitations=list(live.live.hesitations))


def _record(session: Session, question: Question, options: PracticeOptions, emit, on_block=None) -> RecordingResult:
    from voicemock.audio.capture import record_answer

    max_seconds = options.max_seconds or default_max_seconds(question)
    how_to_stop = ["press Enter to stop"] if options.stop_on_enter else []
    if options.silence_stop:
        how_to_stop.append(f"{options.silence_stop:g} s of silence stops")
    how_to_stop.append(f"stops by itself at {max_seconds:g} s")
    # A TakeInterrupted (device gone) propagates: its message names the kept file, beside question.json.
    result = record_answer(
        session.recorded_answer_path,
        device=options.device,
        max_seconds=max_seconds,
        silence_stop=options.silence_stop,
        stop_on_enter=options.stop_on_enter,
        cue=options.cue,
        on_level=lambda p: emit(PracticeEvent("level", "", p)),
        on_start=lambda: emit(PracticeEvent("recording", f"Recording: speak now ({'; '.join(how_to_stop)}).")),
        on_block=on_block,
    )
    for warning in result.warnings:
        emit(PracticeEvent("warning", warning))
    emit(PracticeEvent("recorded", f"Recorded {result.duration_s:.1f} s ({_stop_words(result.stopped_by)}) into {result.path}"))
    if result.stopped_by == "terminated":
        raise PracticeTerminated(
            f"stopped by SIGTERM; the {result.duration_s:.1f} s take is kept in {result.path}: "
            f"score it with `voicemock practice --question {question.id} --answer-file {result.path}`"
        )
    if result.duration_s == 0:
        raise AudioError("the take holds no audio; check the microphone with `voicemock devices` and try again")
    return result


def _stop_words(stopped_by: str) -> str:
    return {
        "enter": "stopped with Enter",
        "silence": "stopped after silence",
        "max-seconds": "reached --max-seconds",
        "interrupt": "stopped with Ctrl-C",
        "terminated": "stopped by SIGTERM",
    }.get(stopped_by, stopped_by)


def _session_caveats(spoken: SpokenQuestion, recording: RecordingResult | None, options: PracticeOptions) -> list[str]:
    caveats = []
    if not spoken.spoken and options.speak and not options.answer_file:
        caveats.append(f"The question was shown, not spoken: {spoken.note}.")
    if recording is not None:
        if recording.overflows:
            caveats.append(
                f"The recording had {recording.overflows} input overflows: some audio was lost, so pauses and pace may be off."
            )
        if recording.stopped_by == "max-seconds":
            caveats.append(f"The take was cut off at {recording.duration_s:.0f} s (--max-seconds); the end of the answer is missing.")
        if not recording.speech_detected:
            caveats.append("The microphone level stayed low: no clear speech was heard. Check the input device.")
        if recording.cue_end_s is not None:
            caveats.append(
                f"The recording starts {recording.cue_end_s:.1f} s before the start cue ended; time to first word includes that."
            )
    return caveats


def _session_record(
    session: Session, spoken: SpokenQuestion, recording: RecordingResult | None, options: PracticeOptions, answer_path: Path
) -> dict[str, Any]:
    rec = None
    if recording is not None:
        rec = {
            "device": recording.device,
            "samplerate": recording.samplerate,
            "duration_s": recording.duration_s,
            "overflows": recording.overflows,
            "stopped_by": recording.stopped_by,
            "first_block_delay_s": recording.first_block_delay_s,
            "cue_end_s": recording.cue_end_s,
            "speech_detected": recording.speech_detected,
        }
    return {
        "folder": str(session.path),
        "answer": answer_path.name,
        "answer_source": "answer-file" if options.answer_file else "microphone",
        "answer_file": options.answer_file,
        "question_spoken": spoken.how,
        "question_spoken_note": spoken.note,
        "recording": rec,
    }


# ---------------------------------------------------------------------------- the other stages
# Each call into another engineer's stage sits in one function, so wiring it is a one-line change.


def _load_rubric(name: str | None):
    from voicemock.bank.rubric import load_rubric

    return load_rubric(name)


def _assess(transcript: Transcript, audio: DecodedAudio | None, *, question, rubric, level, baseline_wpm, hesitations=None, options=None) -> Scorecard:
    from voicemock.flows.pipeline import assess

    return assess(
        transcript, audio, question=question, rubric=rubric, level=level, baseline_wpm=baseline_wpm, hesitations=hesitations,
        options=options,
    )


def _render(scorecard: Scorecard, fmt: str) -> str:
    from voicemock.present.report import render

    return render(scorecard, fmt)


def _baseline_wpm(recordings_dir: Path) -> float | None:
    from voicemock.store.trends import baseline_wpm

    return baseline_wpm(recordings_dir)


def _record_history(scorecard: Scorecard, recordings_dir: Path, question: Question, session: Session) -> None:
    from voicemock.store.history import record_take

    record_take(scorecard, recordings_dir=recordings_dir, source="practice", competency=question.competency, files=session.files())


def render_report(scorecard: Scorecard, fmt: str = "text") -> str:
    """The report as the terminal shows it."""
    return _render(scorecard, fmt)
