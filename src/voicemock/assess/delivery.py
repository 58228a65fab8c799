"""Delivery: pace, pauses, time to first word and fillers, from the Transcript and, when given, the audio.

Whisper's word timestamps are good enough to count words but not to place silences: Silero VAD pads
speech by 400 ms, so the first word can start ~0.35 s early, and words stretch over fillers Whisper
leaves out. So where the audio is given, every edge (the first and last sound, each pause) comes from
the audio's short-time energy, and the words only say how many were spoken and where sentences end.
Without audio, word timestamps are used and the limits say so. Figures are checked against answers
built with silences at known places (tests/test_delivery.py, bench/delivery.py).
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache

from voicemock.audio.files import DecodedAudio
from voicemock.assess.fillers import find_fillers, tokens_of
from voicemock.speech.hesitations import AudioActivity, find_hesitations, is_filled_pause_token, measure_activity
from voicemock.speech.transcribe import TranscribeOptions
from voicemock.records import Annotation, Delivery, Hesitation, Pause, Span, Transcript, Word
from voicemock.resources import models_dir

__all__ = ["measure_delivery", "load_calibration", "PAUSE_S", "LONG_PAUSE_S", "CALIBRATION_FILE"]

logger = logging.getLogger(__name__)

PAUSE_S = 0.25  # a silence this long inside the answer is a pause
LONG_PAUSE_S = 2.0
CALIBRATION_FILE = "delivery-calibration.json"
# Whisper's word edges lie this far from the sound at most (VAD pad) when looking for the real onset.
_EDGE_SLACK_S = 0.6
_ALWAYS_CAPITAL = {"I", "I'm", "I'd", "I'll", "I've"}


def measure_delivery(
    transcript: Transcript,
    audio: DecodedAudio | None = None,
    *,
    target_wpm: tuple[float, float] = (120.0, 165.0),
    baseline_wpm: float | None = None,
    detect_hesitations: bool = True,
    hesitations: list[Hesitation] | None = None,
    whisper: TranscribeOptions | None = None,
) -> Delivery:
    """Pace, pauses, time to first word, fillers and hesitations, each finding also an Annotation.

    `detect_hesitations` runs the audio-side filler detector (one small extra Whisper pass); it
    needs `audio`. `hesitations` passes ones already found (the live transcriber finds them piece by
    piece during the take), so the detector does not run again. `whisper`: the options the answer was
    transcribed with, so the detector asks the same model.
    """
    calibration = load_calibration()
    tokens = tokens_of(transcript)
    fillers = find_fillers(tokens)
    delivery = Delivery(
        duration_s=transcript.duration_s,
        target_wpm=(float(target_wpm[0]), float(target_wpm[1])),
        baseline_wpm=baseline_wpm,
        fillers=fillers,
        filler_recall=calibration.get("recall"),
        filler_precision=calibration.get("precision"),
    )
    words = [w for w in transcript.words if not is_filled_pause_token(w.word)]
    # Whisper splits "trade-off" and "10%" into tokens with no leading space: one spoken word each.
    spoken = [w for i, w in enumerate(words) if i == 0 or w.word.startswith(" ")]
    delivery.word_count = len(spoken) if words else len([t for t in tokens if not is_filled_pause_token(t.norm)])
    delivery.filled_pause_count = sum(f.kind == "filled_pause" for f in fillers)
    delivery.discourse_filler_count = sum(f.kind == "discourse" for f in fillers)

    if not transcript.has_timing or not words:
        timing = "typed" if transcript.duration_s is None else "none"
        delivery.limits = _limits(delivery, calibration, timing=timing, hesitations_ran=False)
        delivery.annotations = _annotations(delivery)
        return delivery

    if audio is not None and not audio.is_silent:
        activity = measure_activity(audio, with_voicing=hesitations is None and detect_hesitations)
        span = _speech_span_from_audio(activity, transcript.words) or Span(words[0].start, words[-1].end)
        pauses = _pauses_from_audio(activity, span, transcript.words)
        timing = "audio"
        if hesitations is not None:
            delivery.hesitations = list(hesitations)
        elif detect_hesitations:
            delivery.hesitations = find_hesitations(audio, transcript.words, activity=activity, whisper=whisper)
    else:
        activity = None
        span = Span(transcript.words[0].start, transcript.words[-1].end)
        pauses = _pauses_from_words(transcript.words)
        timing = "words"

    delivery.time_to_first_word_s = round(span.start, 3)
    delivery.speaking_span_s = round(span.duration, 3)
    delivery.pauses = pauses
    delivery.pause_count = len(pauses)
    delivery.long_pause_count = sum(p.duration >= LONG_PAUSE_S for p in pauses)
    delivery.pause_total_s = round(sum(p.duration for p in pauses), 3)
    if span.duration > 0:
        delivery.wpm = round(delivery.word_count / span.duration * 60, 1)
        talking = span.duration - delivery.pause_total_s
        delivery.articulation_wpm = round(delivery.word_count / talking * 60, 1) if talking > 0 else None
        minutes = span.duration / 60
        delivery.fillers_per_minute = round((len(fillers) + len(delivery.hesitations)) / minutes, 2)
    delivery.limits = _limits(delivery, calibration, timing=timing, hesitations_ran=activity is not None and (detect_hesitations or hesitations is not None))
    delivery.annotations = _annotations(delivery)
    return delivery


@lru_cache(maxsize=1)
def _read_calibration() -> dict:
    path = models_dir() / CALIBRATION_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        logger.warning("%s is missing: reports cannot quote the filler detector's measured recall", path)
        return {}
    except (OSError, json.JSONDecodeError) as exc:
        logger.warning("%s is unreadable (%s): filler recall not quoted", path, exc)
        return {}
    return data.get("fillers", {}).get("combined", {})


def load_calibration() -> dict:
    """The filler detector's recall and precision as bench/delivery.py last measured them ({} if never)."""
    try:
        return dict(_read_calibration())
    except FileNotFoundError:  # no models/ folder at all (a broken install)
        return {}


# ---------------------------------------------------------------------------- edges from the audio


def _speech_span_from_audio(activity: AudioActivity, words: list[Word]) -> Span | None:
    """The first and last sound of the answer: the sound runs nearest Whisper's first and last words."""
    first, last = words[0], words[-1]
    head = activity.runs(max(0.0, first.start - _EDGE_SLACK_S), first.end + _EDGE_SLACK_S)
    tail = activity.runs(max(0.0, last.start - _EDGE_SLACK_S), last.end + _EDGE_SLACK_S)
    if not head or not tail:
        return None
    # Whisper's first word starts early (VAD pad) and never late by much: the first sound run that
    # reaches into the word is where it really starts. Symmetrically for the end.
    start_run = next((r for r in head if r.end > first.start), head[0])
    end_run = next((r for r in reversed(tail) if r.start < last.end), tail[-1])
    # A run that reaches into the slack window may have begun before it: follow it to its edge.
    start = _run_containing(activity, start_run.start).start
    end = _run_containing(activity, end_run.end - 0.001).end
    return Span(start, end) if end > start else None


def _run_containing(activity: AudioActivity, t: float) -> Span:
    for run in activity.runs():
        if run.start <= t < run.end + 1e-9:
            return run
    return Span(t, t)


def _pauses_from_audio(activity: AudioActivity, span: Span, words: list[Word]) -> list[Pause]:
    silences = [s for s in activity.runs(span.start, span.end, active=False) if s.duration >= PAUSE_S - 1e-9]
    lexical = _lexical(words)
    return [Pause(start=s.start, end=s.end, where=_where(s, lexical)) for s in silences]


def _pauses_from_words(words: list[Word]) -> list[Pause]:
    pauses = []
    lexical = _lexical(words)
    for a, b in zip(words, words[1:]):
        if b.start - a.end >= PAUSE_S - 1e-9:
            gap = Span(a.end, b.start)
            pauses.append(Pause(start=a.end, end=b.start, where=_where(gap, lexical)))
    return pauses


def _lexical(words: list[Word]) -> list[Word]:
    """The words that are not filled pauses: what sentences are made of."""
    return [w for w in words if not is_filled_pause_token(w.word)]


def _where(gap: Span, lexical: list[Word]) -> str:
    """Between sentences when the last word before the silence closes a sentence, or the next word
    opens one (Whisper sometimes runs two sentences together with a comma but keeps the capital).
    `lexical`: the transcript's words without filled pauses (`_lexical`)."""
    middle = (gap.start + gap.end) / 2
    before = [w for w in lexical if (w.start + w.end) / 2 <= middle]
    after = [w for w in lexical if (w.start + w.end) / 2 > middle]
    if not before or not after:
        return "between_sentences"
    if before[-1].word.strip()[-1:] in ".?!":
        return "between_sentences"
    nxt = after[0].word.strip()
    opens = nxt[:1].isupper() and re.sub(r"[^A-Za-z']", "", nxt) not in _ALWAYS_CAPITAL
    return "between_sentences" if opens else "inside_sentence"


# ---------------------------------------------------------------------------- words for the report


def _spread(calibration: dict) -> str:
    """ "69-85% across 3 synthesized runs; " when the bench pooled several runs, else ""."""
    per_run = [r for r in calibration.get("recall_per_run") or [] if r is not None]
    if len(per_run) < 2:
        return ""
    return f"{min(per_run):.0%}-{max(per_run):.0%} across {len(per_run)} synthesized runs; "


def _limits(delivery: Delivery, calibration: dict, *, timing: str, hesitations_ran: bool) -> list[str]:
    discourse = "Discourse fillers ('like', 'you know', 'sort of', 'I mean'): found by rules on the words, which skip a 'like' that could be a verb, so the count leans low."
    if timing == "typed":
        # The filled-pause limits are about what a recognizer drops from audio; typed text keeps what was typed.
        # That it has no timing is said once, among the scorecard's caveats.
        return [discourse]
    limits = []
    recall, precision = calibration.get("recall"), calibration.get("precision")
    transcript_recall = calibration.get("transcript_only_recall")
    if recall is not None:
        limits.append(
            f"Filled pauses: in testing this detector found {recall:.0%} of {calibration.get('true', '?')} known 'um'/'uh' "
            f"({_spread(calibration)}{precision:.0%} of what it flagged were real); the transcript alone found "
            f"{transcript_recall:.0%}. It can miss an 'um' run into the next word with no gap, and "
            "one the recognizer hears as a word."
        )
    else:
        limits.append("Filled pauses: the detector's recall has not been measured on this install (run bench/delivery.py); it can miss fillers, so the count may be low.")
    if not hesitations_ran:
        limits.append("Filled pauses: counted from the transcript only, which drops most 'um' and 'uh'; pass the audio for the fuller count.")
    limits.append(discourse)
    if timing == "words":
        limits.append("Pauses and time to first word come from Whisper's word timestamps (no audio given): they can be off by ~0.3 s.")
    elif timing != "none":  # no timing at all is said once, among the scorecard's caveats
        limits.append("Pauses and time to first word are measured on the audio's loudness: a breath or background noise inside a pause can split or hide it.")
    return limits


def _annotations(d: Delivery) -> list[Annotation]:
    notes: list[Annotation] = []
    if d.time_to_first_word_s is not None and d.time_to_first_word_s >= 5.0:
        notes.append(Annotation(0.0, d.time_to_first_word_s, "pause", f"{d.time_to_first_word_s:.1f} s before the first word",
                                "Start with a one-line plan ('Let me take a moment, then cover X, Y, Z') instead of silence.", "warn"))
    for p in d.pauses:
        if p.duration >= LONG_PAUSE_S:
            tip = ("A long silence mid-sentence reads as lost: finish the thought, then pause."
                   if p.where == "inside_sentence" else "Say what comes next ('Second, ...') before stopping to think.")
            notes.append(Annotation(p.start, p.end, "pause", f"{p.duration:.1f} s pause ({p.where.replace('_', ' ')})", tip, "warn"))
    for f in d.fillers:
        tip = ("Replace 'um' with a silent beat; a short pause sounds more confident."
               if f.kind == "filled_pause" else f"Drop '{f.text}': it hedges the point.")
        notes.append(Annotation(f.start, f.end, "filler", f"filler: {f.text}", tip, "info"))
    for h in d.hesitations:
        notes.append(Annotation(h.start, h.end, "hesitation", "filled pause (heard in the audio, not in the transcript)",
                                "Replace the 'um' with a silent beat.", "info"))
    if d.wpm is not None:
        low, high = d.target_wpm
        base = f"; your usual {d.baseline_wpm:.0f}" if d.baseline_wpm else ""
        if d.wpm < low:
            notes.append(Annotation(d.time_to_first_word_s, _end(d), "pace", f"{d.wpm:.0f} words/min, below {low:.0f}-{high:.0f}{base}",
                                    "Cut long pauses and restarts; the pace will follow.", "warn"))
        elif d.wpm > high:
            notes.append(Annotation(d.time_to_first_word_s, _end(d), "pace", f"{d.wpm:.0f} words/min, above {low:.0f}-{high:.0f}{base}",
                                    "Slow down at the key points: pause after each recommendation.", "warn"))
        else:
            notes.append(Annotation(d.time_to_first_word_s, _end(d), "pace", f"{d.wpm:.0f} words/min, within {low:.0f}-{high:.0f}{base}",
                                    "Keep this pace.", "good"))
    return notes


def _end(d: Delivery) -> float | None:
    if d.time_to_first_word_s is None or d.speaking_span_s is None:
        return None
    return round(d.time_to_first_word_s + d.speaking_span_s, 3)

