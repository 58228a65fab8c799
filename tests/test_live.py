"""Transcription during the take: pieces cut in silences, joined on the take's timeline."""

from __future__ import annotations

from math import gcd

import jiwer
import numpy as np
import pytest
from scipy.signal import resample_poly

from support import silence, synthesize
from voicemock.audio.files import DecodedAudio
from voicemock.speech.live import LiveTranscriber
from voicemock.speech.transcribe import transcribe_audio

SENTENCES = [
    "I would start with the users and what a wrong answer costs them.",
    "Then I would build a golden set of five hundred real tickets.",
    "We score faithfulness and coverage against a rubric.",
    "The main tradeoff is latency against quality, so we route simple tickets to a small model.",
    "After launch, the golden set becomes a regression suite that runs on every prompt change.",
    "We monitor drift every week and keep a fallback to the old summary.",
]
DEVICE_RATE = 48000


@pytest.fixture(scope="module")
def take():
    """About 40 s of speech at a device's 48 kHz, with 0.8 s between sentences."""
    parts = []
    for text in SENTENCES:
        samples, rate = synthesize(text, steady=True)  # the same take every run: live vs offline, not Piper's noise
        parts += [samples, silence(0.8, rate)]
    audio = np.concatenate([silence(0.6, rate), *parts])
    g = gcd(DEVICE_RATE, rate)
    return resample_poly(audio, DEVICE_RATE // g, rate // g).astype(np.float32)


@pytest.fixture(scope="module")
def live_transcript(take):
    live = LiveTranscriber(DEVICE_RATE, source="take.wav")
    block = int(0.05 * DEVICE_RATE)  # the recorder's 50 ms blocks
    pcm = (np.clip(take, -1, 1) * 32767).astype(np.int16)  # what the recorder's int16 stream gives
    for i in range(0, pcm.shape[0], block):
        live.feed(pcm[i : i + block].reshape(-1, 1))  # recorder blocks are (frames, channels)
    transcript = live.finish()
    return transcript, live.pieces, live.audio()


def test_speech_is_transcribed_in_pieces_during_the_take(live_transcript):
    _, pieces, _ = live_transcript
    assert pieces >= 3  # cut in silences, not one piece at the end


def test_live_matches_offline_within_wer_noise(live_transcript, offline):
    transcript, _, _ = live_transcript
    ref = " ".join(SENTENCES).lower()
    norm = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces(), jiwer.Strip()])
    live_wer = jiwer.wer(norm(ref), norm(transcript.text))
    offline_wer = jiwer.wer(norm(ref), norm(offline.text))
    assert live_wer <= offline_wer + 0.05, (live_wer, offline_wer)


@pytest.fixture(scope="module")
def offline(take):
    return transcribe_audio(DecodedAudio(resample_poly(take, 1, 3).astype(np.float32), "take.wav"))


def _start_of(transcript, token: str) -> float:
    return next(w.start for w in transcript.words if w.word.strip(" ,.").lower() == token)


def test_timestamps_are_on_the_takes_timeline(take, live_transcript, offline):
    transcript, _, _ = live_transcript
    words = transcript.words
    assert transcript.duration_s == pytest.approx(take.shape[0] / DEVICE_RATE, abs=0.01)
    assert [w.start for w in words] == sorted(w.start for w in words)
    # 0.6 s of lead silence; Whisper's first word can start up to ~0.4 s early (VAD padding).
    assert 0.15 <= words[0].start <= 1.2
    # Words in later pieces sit where the offline transcript puts them.
    for token in ("rubric", "regression", "drift"):
        assert _start_of(transcript, token) == pytest.approx(_start_of(offline, token), abs=0.3)
    assert words[-1].end <= transcript.duration_s
    assert [s.id for s in transcript.segments] == list(range(len(transcript.segments)))
    assert transcript.source == "take.wav"


def test_the_take_is_kept_at_16_khz_for_delivery(take, live_transcript):
    # The pieces joined give back the whole take, resampled, aligned with the recording.
    _, _, audio = live_transcript
    assert audio.duration_s == pytest.approx(take.shape[0] / DEVICE_RATE, abs=0.01)
    expected = resample_poly(take, 1, 3)
    n = min(expected.shape[0], audio.samples.shape[0])
    # Same signal (int16 rounding and piecewise resampling aside), sample for sample.
    assert np.corrcoef(expected[:n], audio.samples[:n])[0, 1] > 0.99
