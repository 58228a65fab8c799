"""The audio-side detectors: the sound/silence measurement, and filled pauses Whisper leaves out."""

from __future__ import annotations

import numpy as np
import pytest

from voicemock.audio.files import SAMPLE_RATE, DecodedAudio
from voicemock.speech.hesitations import _kind, find_hesitations, measure_activity


def tone(seconds: float, hz: float = 150.0, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    # A buzz with harmonics, like a voice holding a vowel.
    return (level * sum(np.sin(2 * np.pi * hz * k * t) / k for k in range(1, 6))).astype(np.float32)


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def test_activity_edges_are_within_20_ms():
    audio = DecodedAudio(np.concatenate([quiet(0.7), tone(1.0), quiet(0.55), tone(0.4), quiet(0.3)]), "<t>")
    act = measure_activity(audio)
    runs = act.runs()
    assert len(runs) == 2
    for run, (a, b) in zip(runs, [(0.7, 1.7), (2.25, 2.65)]):
        assert abs(run.start - a) <= 0.02 and abs(run.end - b) <= 0.02, run
    (gap,) = act.runs(runs[0].end - 0.01, runs[1].start + 0.01, active=False)
    assert abs(gap.duration - 0.55) <= 0.03
    assert act.voiced_fraction(runs[0]) > 0.9


def test_quiet_sound_well_above_the_floor_is_still_sound():
    # 30 dB below the speech, like the AMI clip's opening "um", over a faint noise floor.
    rng = np.random.default_rng(0)
    x = np.concatenate([quiet(0.5), tone(0.5, level=0.01), quiet(0.5), tone(1.5, level=0.3), quiet(0.5)])
    x = x + rng.normal(0, 1e-4, x.size).astype(np.float32)
    runs = measure_activity(DecodedAudio(x, "<t>")).runs()
    assert len(runs) == 2 and abs(runs[0].start - 0.5) <= 0.03


@pytest.mark.parametrize(
    "tokens, kind",
    [(["um,"], "filled_pause_unwritten"), (["Umm..."], "filled_pause_unwritten"), (["hmm..."], "filled_pause_unwritten"),
     (["Ew."], "filled_pause_unwritten"), ([], "voiced_non_word"), (["So,"], None), (["right?"], None),
     (["umm...", "I", "will"], None), (["Okay."], None)],
)
def test_what_whisper_hears_alone_decides(tokens, kind):
    assert _kind(tokens) == kind


def _piper(text: str, length_scale: float = 1.0) -> np.ndarray:
    """Deterministic Piper (no sampling noise), trimmed to its sound, at 16 kHz."""
    from scipy.signal import resample_poly

    from support import NEEDS_VOICE, _piper_voice

    SynthesisConfig = pytest.importorskip("piper", reason=NEEDS_VOICE).SynthesisConfig

    voice = _piper_voice()
    config = SynthesisConfig(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
    x = np.concatenate([c.audio_float_array for c in voice.synthesize(text, syn_config=config)])
    x = resample_poly(x, SAMPLE_RATE, voice.config.sample_rate).astype(np.float32)
    db = 10 * np.log10(np.convolve(x**2, np.ones(160) / 160, mode="same") + 1e-10)
    loud = np.nonzero(db > db.max() - 40)[0]
    return x[loud[0] : loud[-1] + 1]


@pytest.fixture(scope="module")
def answer():
    """Two fillers at known places, and two short words standing alone that are not fillers."""
    parts = [quiet(0.6), _piper("The main risk is latency."), quiet(0.5)]
    fillers = []
    for text, filler in (("So I would ship to ten percent first.", "Umm."), ("We measure the resolution rate.", "Uhh.")):
        start = sum(len(p) for p in parts) / SAMPLE_RATE
        sound = _piper(filler, length_scale=1.6)
        fillers.append((start, start + len(sound) / SAMPLE_RATE))
        parts += [sound, quiet(0.3), _piper(text), quiet(0.6)]
    parts += [_piper("Right."), quiet(0.5), _piper("That is the plan."), quiet(0.5), _piper("Okay."), quiet(0.4)]
    audio = DecodedAudio(np.concatenate(parts), "<fillers>")
    from voicemock.speech.transcribe import transcribe_audio

    return audio, transcribe_audio(audio), fillers


def test_finds_fillers_the_transcript_dropped_and_no_words(answer):
    audio, transcript, fillers = answer
    found = find_hesitations(audio, transcript.words)
    # Precision: everything flagged is one of the placed fillers, never "Right." or "Okay.".
    for h in found:
        assert any(h.start < b + 0.1 and h.end > a - 0.1 for a, b in fillers), (h, fillers, transcript.text)
    # Recall on this answer: at least one of the two (the bench measures the rate over many).
    assert len(found) >= 1, transcript.text


def test_skips_fillers_the_transcript_already_names(answer):
    audio, transcript, fillers = answer
    from voicemock.records import Word

    (a, b) = fillers[0]
    named = list(transcript.words) + [Word(a, b, " um,", 0.5)]
    found = find_hesitations(audio, named)
    assert not any(h.start < b and h.end > a for h in found)


def test_silent_or_empty_input_gives_nothing():
    assert find_hesitations(DecodedAudio(quiet(2.0), "<q>"), []) == []
    assert find_hesitations(DecodedAudio(np.zeros(10, dtype=np.float32), "<q>"), []) == []
