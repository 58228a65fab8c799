"""One question asked and answered in its session folder: speak it, record the answer (or copy a file),
transcribe, assess, write question.json, transcript.json and report.json/.md.

    question --speak_question--> speaker   (shipped audio, else Piper / espeak-ng, else shown only)
    microphone --record_answer--> answer.wav   (or --answer-file, copied in)
    answer --read_answer--> Transcript --assess--> Scorecard --render--> report.md / report.json

A practice round is one turn; a mock interview is a turn per question and per follow-up. This module
talks to the user only through `on_event` callbacks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicemock.errors import AudioError, NoAnswerError, PracticeTerminated
from voicemock.audio.capture import RecordingProgress, RecordingResult
from voicemock.store.session import Session

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.audio.files import DecodedAudio
    from voicemock.bank.questions import Question
    from voicemock.bank.rubric import Rubric
    from voicemock.flows.pipeline import Answer
    from voicemock.records import Scorecard, Transcript
    from voicemock.speech.transcribe import TranscribeOptions

__all__ = [
    "PracticeEvent",
    "SpokenQuestion",
    "Turn",
    "TurnOptions",
    "default_max_seconds",
    "record_history",
    "render",
    "speak_question",
    "take_turn",
]

logger = logging.getLogger(__name__)

# A take may run this much longer than the question's target before it is cut off.
MAX_SECONDS_FACTOR = 1.5


@dataclass(frozen=True)
class TurnOptions:
    """How a question is asked and answered (practice and interview options add what they choose)."""

    speak: bool = True
    device: str | int | None = None
    max_seconds: float | None = None  # None: 1.5 x the question's target_seconds
    silence_stop: float | None = None
    answer_file: str | None = None
    stop_on_enter: bool = False
    cue: bool = True
    transcribe: TranscribeOptions | None = None
    live: bool = True  # transcribe finished stretches during the take, so the report comes at once


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


def default_max_seconds(question: Question) -> float:
    return round(MAX_SECONDS_FACTOR * question.target_seconds, 1)


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




@dataclass
class Turn:
    """One question asked and answered: what was said, how, and its scorecard (written in `session`)."""

    session: Session
    question: Question
    spoken: SpokenQuestion
    answer_path: Path
    recording: RecordingResult | None  # None with --answer-file
    answer: Answer
    scorecard: Scorecard
    markdown: str

    @property
    def transcript(self) -> Transcript:
        return self.answer.transcript


def take_turn(
    session: Session,
    question: Question,
    options: TurnOptions,
    emit: Callable[[PracticeEvent], None],
    *,
    rubric: Rubric,
    level: str,
    baseline_wpm: float | None = None,
    asked: dict[str, Any] | None = None,
) -> Turn:
    """Ask `question` and score the answer, writing each file to `session` as soon as it exists, so a
    failing step keeps what was done. `asked`: more to note in question.json."""
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
    session.write_question(
        {**question.to_dict(), **(asked or {}), "spoken": spoken.how, "spoken_note": spoken.note, "asked_at": asked_at}
    )

    recording: RecordingResult | None = None
    live = _LiveTap(options.transcribe) if options.live and not options.answer_file else None
    if live is not None:
        from voicemock.flows.pipeline import warm_scorer

        warm_scorer()  # while the candidate speaks
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
    try:
        scorecard = _assess(
            answer.transcript, answer.audio, question=question, rubric=rubric, level=level, baseline_wpm=baseline_wpm,
            hesitations=answer.hesitations, options=options.transcribe,
        )
    except NoAnswerError as exc:
        raise _no_answer(session, answer_path, exc, microphone=not options.answer_file) from None
    scorecard.input = str(answer_path)
    scorecard.caveats.extend(_session_caveats(spoken, recording, options))
    markdown = render(scorecard, "markdown")
    session.write_report(scorecard, markdown, extra=_session_record(session, spoken, recording, options, answer_path))
    logger.info("report written %.2f s after the take ended", time.perf_counter() - took)
    return Turn(session, question, spoken, answer_path, recording, answer, scorecard, markdown)


def _no_answer(session: Session, answer_path: Path, exc: NoAnswerError, *, microphone: bool) -> NoAnswerError:
    """The take is kept, with a report.md that says nothing was heard and why; the error names the folder."""
    from voicemock.fsutil import atomic_write_text
    from voicemock.present.no_answer import likely_cause, no_answer_markdown

    atomic_write_text(session.report_md_path, no_answer_markdown(exc.check, answer_path, microphone=microphone))
    return NoAnswerError(
        f"{answer_path}: no answer to score: {exc.check.reason}; likely cause: "
        f"{likely_cause(exc.check, microphone=microphone)}. The take and its report.md are kept in {session.path}",
        exc.check,
    )


def record_history(scorecard: Scorecard, recordings_dir: Path, *, source: str, competency: str | None,
                   files: dict[str, str]) -> None:
    from voicemock.store.history import record_take

    record_take(scorecard, recordings_dir=recordings_dir, source=source, competency=competency, files=files)


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


def _transcribe_take(answer_path: Path, options: TurnOptions, live: _LiveTap | None):
    """The take's transcript: what the live transcriber has, plus the rest; or all of it now."""
    from voicemock.flows.pipeline import Answer, read_answer

    if live is None or live.live is None:
        return read_answer(answer_path, options.transcribe)
    transcript = live.live.finish(source=str(answer_path))
    # The live transcriber already holds the take at 16 kHz: decoding the file again would cost
    # a third of a second of the time the candidate waits.
    return Answer(transcript=transcript, audio=live.live.audio(str(answer_path)), hesitations=list(live.live.hesitations))


def _record(session: Session, question: Question, options: TurnOptions, emit, on_block=None) -> RecordingResult:
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


def _session_caveats(spoken: SpokenQuestion, recording: RecordingResult | None, options: TurnOptions) -> list[str]:
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
    session: Session, spoken: SpokenQuestion, recording: RecordingResult | None, options: TurnOptions, answer_path: Path
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


def _assess(transcript: Transcript, audio: DecodedAudio | None, *, question, rubric, level, baseline_wpm, hesitations=None, options=None) -> Scorecard:
    from voicemock.flows.pipeline import assess

    return assess(
        transcript, audio, question=question, rubric=rubric, level=level, baseline_wpm=baseline_wpm, hesitations=hesitations,
        options=options,
    )


def render(scorecard: Scorecard, fmt: str, *, color: bool = False) -> str:
    from voicemock.present.report import render as render_scorecard

    return render_scorecard(scorecard, fmt, color=color)
