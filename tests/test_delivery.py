"""Delivery against ground truth built by construction: Piper clauses with silences at known places.

One answer is synthesized and transcribed once for the module (real Piper voice, real tiny.en).
"Exact" for pauses >= 0.5 s means both edges within 0.12 s of the inserted silence's edges.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from support import synthesize
from voicemock.audio.files import SAMPLE_RATE, DecodedAudio
from voicemock.assess.delivery import load_calibration, measure_delivery
from voicemock.records import Segment, Transcript, Word

EDGE_TOL_S = 0.12
LEAD_S = 1.3
# Clauses without inner punctuation (so Piper adds no silence of its own), and the silence after each.
CLAUSES = [
    ("My recommendation is to start with a small model.", 0.6),
    ("The tradeoff is some quality", 2.4),  # a long pause inside a sentence
    ("for a large saving in cost.", 0.9),
    ("We would measure the resolution rate every week.", 0.3),
    ("That is my answer.", 0.0),
]


def _to16k(samples: np.ndarray, rate: int) -> np.ndarray:
    from scipy.signal import resample_poly

    return resample_poly(samples, SAMPLE_RATE, rate).astype(np.float32)


def _trim(x: np.ndarray) -> np.ndarray:
    db = 10 * np.log10(np.convolve(x**2, np.ones(160) / 160, mode="same") + 1e-10)
    loud = np.nonzero(db > db.max() - 40)[0]
    return x[loud[0] : loud[-1] + 1]


@pytest.fixture(scope="module")
def built():
    """The answer's audio, its truth, and its transcript (transcribed once)."""
    from voicemock.speech.transcribe import transcribe_audio

    pieces = [np.zeros(int(LEAD_S * SAMPLE_RATE), dtype=np.float32)]
    t, pauses, words = LEAD_S, [], 0
    for text, gap in CLAUSES:
        audio = _trim(_to16k(*synthesize(text, engine="piper")))
        pieces.append(audio)
        t += len(audio) / SAMPLE_RATE
        words += len(text.split())
        if gap:
            pauses.append((t, t + gap, "between_sentences" if text.endswith(".") else "inside_sentence"))
            pieces.append(np.zeros(int(round(gap * SAMPLE_RATE)), dtype=np.float32))
            t += round(gap * SAMPLE_RATE) / SAMPLE_RATE
    audio = DecodedAudio(np.concatenate(pieces), "<built answer>")
    transcript = transcribe_audio(audio)
    truth = {"ttfw": LEAD_S, "end": t, "words": words, "pauses": pauses}
    return audio, transcript, truth


@pytest.fixture(scope="module")
def delivery(built):
    audio, transcript, _ = built
    return measure_delivery(transcript, audio, detect_hesitations=False)


def test_pauses_of_half_a_second_or_more_are_exact(built, delivery):
    _, _, truth = built
    true_big = [p for p in truth["pauses"] if p[1] - p[0] >= 0.5]
    found_big = [p for p in delivery.pauses if p.duration >= 0.5]
    assert len(found_big) == len(true_big), [(p.start, p.end) for p in delivery.pauses]
    for (a, b, where), p in zip(true_big, found_big):
        assert abs(p.start - a) <= EDGE_TOL_S and abs(p.end - b) <= EDGE_TOL_S, (a, b, p)
    assert delivery.long_pause_count == sum(b - a >= 2.0 for a, b, _ in truth["pauses"]) == 1
    # Where each pause falls follows Whisper's punctuation, and a clause Piper synthesized on its own
    # ends with a falling tone that Whisper often closes with a full stop; so `where` is checked on
    # hand-timed words below and measured (not asserted) in bench/delivery.py.
    assert all(p.where in ("between_sentences", "inside_sentence") for p in delivery.pauses)


def test_wpm_within_five_percent_and_articulation_rate(built, delivery):
    _, _, truth = built
    span = truth["end"] - truth["ttfw"]
    true_wpm = truth["words"] / span * 60
    assert abs(delivery.wpm - true_wpm) / true_wpm <= 0.05, (delivery.wpm, true_wpm)
    # Articulation rate takes pauses out: faster than the overall rate, by the pauses' share.
    pauses = sum(b - a for a, b, _ in truth["pauses"] if b - a >= 0.25)
    true_art = truth["words"] / (span - pauses) * 60
    assert abs(delivery.articulation_wpm - true_art) / true_art <= 0.06, (delivery.articulation_wpm, true_art)
    assert delivery.target_wpm == (120.0, 165.0)


def test_time_to_first_word_is_measured_on_the_audio(built, delivery):
    _, transcript, truth = built
    assert abs(delivery.time_to_first_word_s - truth["ttfw"]) <= 0.3
    # Within 0.05 s in fact, where Whisper's own first-word time is the VAD-padded one.
    assert abs(delivery.time_to_first_word_s - truth["ttfw"]) <= 0.05


def test_every_long_pause_is_an_annotation_with_a_tip(delivery):
    pause_notes = [a for a in delivery.annotations if a.category == "pause"]
    assert len(pause_notes) == delivery.long_pause_count
    assert all(a.tip and a.start is not None and a.end > a.start for a in pause_notes)
    assert any(a.category == "pace" for a in delivery.annotations)


def test_limits_are_plain_words_and_quote_measured_recall(delivery):
    text = " ".join(delivery.limits)
    calibration = load_calibration()
    if calibration:
        assert f"{calibration['recall']:.0%}" in text
        per_run = calibration.get("recall_per_run") or []
        if len(per_run) > 1:  # the bench pooled several random syntheses: the spread is quoted too
            assert f"{min(per_run):.0%}-{max(per_run):.0%} across {len(per_run)} synthesized runs" in text
    assert "miss" in text


def test_json_round_trip_is_plain(delivery):
    d = json.loads(json.dumps(delivery.to_dict()))
    assert d["pause_count"] == len(d["pauses"]) and d["wpm"] == delivery.wpm


def test_without_audio_falls_back_to_word_timestamps_and_says_so(built):
    _, transcript, truth = built
    d = measure_delivery(transcript)
    assert d.wpm is not None and d.hesitations == []
    assert any("word timestamps" in lim for lim in d.limits)
    assert sum(p.duration >= 2.0 for p in d.pauses) == 1


def test_typed_transcript_has_no_timing_but_counts_fillers():
    d = measure_delivery(Transcript.from_text("Um, I mean, it was sort of fine. I like this design."))
    assert d.wpm is None and d.time_to_first_word_s is None and d.pauses == []
    assert [f.text for f in d.fillers] == ["um", "i mean", "sort of"]
    assert d.filled_pause_count == 1 and d.discourse_filler_count == 2
    # That there is no timing is the scorecard's caveat, said once; delivery's limits keep the filler rule.
    assert not any("timing" in lim.lower() for lim in d.limits)
    assert any("discourse fillers" in lim.lower() for lim in d.limits)


def test_pauses_between_and_inside_sentences_from_words():
    words = (Word(0.5, 0.8, " We", 0.9), Word(0.8, 1.2, " ship.", 0.9), Word(2.0, 2.3, " Then", 0.9),
             Word(2.3, 2.6, " we", 0.9), Word(3.4, 3.7, " measure.", 0.9))
    tr = Transcript("<t>", "en", 4.0, (Segment(0, 0.5, 3.7, " We ship. Then we measure.", words),))
    d = measure_delivery(tr)
    assert [(p.start, p.end, p.where) for p in d.pauses] == [
        (1.2, 2.0, "between_sentences"), (2.6, 3.4, "inside_sentence")]
    assert d.word_count == 5 and d.wpm == pytest.approx(5 / 3.2 * 60, abs=0.1)
