"""The one composition of the stages that every command uses.

    answer (audio | .txt | transcript .json) --read_answer--> Transcript (+ decoded audio)
    Transcript --measure_delivery--> Delivery
    Transcript --read_transcript--> sentences, each embedded and classified once
    sentences --analyze_structure--> Structure
    sentences + Delivery + Structure --score_transcript--> Scorecard

`practice`, `score`, `batch --score` and `review` call `read_answer` and `assess`; none of them
repeats these steps. `assess` first asks the one rule for "is there an answer here"
(assess.answer_check) and refuses input that holds none with a NoAnswerError.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from voicemock.errors import NoAnswerError, TranscriptError
from voicemock.records import Hesitation, Scorecard, Transcript

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.audio.files import DecodedAudio
    from voicemock.bank.questions import Question
    from voicemock.bank.rubric import Rubric
    from voicemock.speech.transcribe import TranscribeOptions

__all__ = ["Answer", "read_answer", "check", "require_answer", "assess", "warm_scorer", "TEXT_SUFFIXES"]

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".json")


@dataclass(frozen=True)
class Answer:
    transcript: Transcript
    audio: DecodedAudio | None  # None for a typed transcript
    hesitations: list[Hesitation] | None = None  # found during the take; None: not looked for yet


def read_answer(path: str | Path, options: TranscribeOptions | None = None) -> Answer:
    """An answer from audio (transcribed here), a .txt transcript, or the JSON `transcribe` writes."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return Answer(transcript=_read_transcript_file(p), audio=None)
    from voicemock.audio.files import load_audio
    from voicemock.speech.transcribe import TranscribeOptions, transcribe_audio

    decoded = load_audio(p, channel=(options.channel if options else None))
    return Answer(transcript=transcribe_audio(decoded, options or TranscribeOptions()), audio=decoded)


def _read_transcript_file(p: Path) -> Transcript:
    if not p.is_file():
        raise TranscriptError(f"{p}: no such file; check the path")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TranscriptError(f"{p}: not UTF-8 text ({exc.reason}); save the transcript as UTF-8") from exc
    if p.suffix.lower() == ".txt":
        if not text.strip():
            raise TranscriptError(f"{p}: the transcript is empty; write the answer in it or pass the audio")
        return Transcript.from_text(text, source=str(p))
    from voicemock.assess.answer_check import transcript_json_problem

    try:
        data = json.loads(text)
        problem = transcript_json_problem(data)
        if problem:
            raise TranscriptError(
                f"{p}: not a voicemock transcript ({problem}); pass the JSON that `voicemock transcribe --format json` writes"
            )
        transcript = Transcript.from_dict(data)
    except json.JSONDecodeError as exc:
        raise TranscriptError(
            f"{p}: not valid JSON (line {exc.lineno}: {exc.msg}); pass the JSON that `voicemock transcribe --format json` writes"
        ) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TranscriptError(
            f"{p}: not a voicemock transcript (bad or missing {exc}); pass the JSON that `voicemock transcribe --format json` writes"
        ) from exc
    # Named by the file the user gave, as a .txt transcript is, so every message names what they passed.
    return replace(transcript, source=str(p))


def check(transcript: Transcript, audio: DecodedAudio | None = None):
    """The rule's verdict (an assess.answer_check.AnswerCheck) on one answer."""
    from voicemock.assess.answer_check import check_answer

    return check_answer(transcript, silent=audio is not None and audio.is_silent)


def require_answer(transcript: Transcript, audio: DecodedAudio | None = None):
    """The verdict, or a NoAnswerError (one line naming the input) when there is no answer to score."""
    verdict = check(transcript, audio)
    if not verdict.ok:
        raise NoAnswerError(verdict.message(transcript.source), verdict)
    return verdict


def warm_scorer() -> threading.Thread:
    """Load the scorer (classifier, move heads, sentence encoder) in the background, behind work that must
    be done anyway: a take, or transcribing audio. In a fresh process the imports of scikit-learn and
    skops alone take ~1.3 s. Not a daemon: exiting while it is inside onnxruntime's or scikit-learn's native
    loading aborts the interpreter (exit -6, not the error's code), so any early exit waits for it. A
    failure here is only logged: the real load, in `assess`, reports it properly."""
    thread = threading.Thread(target=_load_scorer, name="voicemock-warm")
    thread.start()
    return thread


def _load_scorer() -> None:
    try:
        from voicemock.assess.classifier import load_classifier
        from voicemock.assess.encoder import load_encoder

        import voicemock.assess.delivery  # noqa: F401
        import voicemock.assess.structure  # noqa: F401

        load_classifier().moves()
        load_encoder()
    except Exception:
        logger.debug("warming the scorer failed", exc_info=True)


def assess(
    transcript: Transcript,
    audio: DecodedAudio | None = None,
    *,
    question: Question | None = None,
    rubric: Rubric | str | None = None,
    level: str | None = None,
    baseline_wpm: float | None = None,
    classifier_path: str | Path | None = None,
    hesitations: list[Hesitation] | None = None,
    options: TranscribeOptions | None = None,
) -> Scorecard:
    """Delivery, structure and rubric scores for one transcribed answer.

    `hesitations`: filled pauses already found on the audio (by the live transcriber, during the take).
    `options`: what the answer was transcribed with; every later Whisper use (the hesitation detector)
    takes the same model from it.
    Raises NoAnswerError, before any scoring, for input that holds no answer (see require_answer).
    """
    verdict = require_answer(transcript, audio)
    from voicemock.assess.classifier import load_classifier
    from voicemock.assess.delivery import measure_delivery
    from voicemock.assess.reading import read_transcript
    from voicemock.assess.scoring import score_transcript
    from voicemock.assess.structure import analyze_structure
    from voicemock.bank.rubric import Rubric, load_rubric

    rubric_obj = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    classifier = load_classifier(classifier_path)
    delivery = measure_delivery(transcript, audio, baseline_wpm=baseline_wpm, hesitations=hesitations, whisper=options)
    # The answer's sentences are split, embedded and classified once; structure and scores share them.
    readings = read_transcript(transcript, classifier)
    structure = analyze_structure(
        transcript,
        competency=question.competency if question else None,
        target_seconds=question.target_seconds if question else None,
        readings=readings,
        moves=classifier.moves(),
    )
    card = score_transcript(
        transcript,
        rubric=rubric_obj,
        level=level or rubric_obj.default_level,
        question=question,
        classifier=classifier,
        delivery=delivery,
        structure=structure,
        readings=readings,
    )
    card.caveats.extend(verdict.caveats)  # stretches the recognizer doubted, in an answer it still took
    return card
