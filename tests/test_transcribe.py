"""Transcription with the real embedded Whisper model, on real and synthesized speech."""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import pytest

from support import silence, synthesize, write_wav
from voicemock.audio.files import load_audio
from voicemock.records import Transcript
from voicemock.speech.transcribe import NO_SPEECH_WARNING, TranscribeOptions, transcribe_audio, transcribe_file

ANSWER = "We would run an offline evaluation on a golden set, then a staged rollout with monitoring for drift."


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", text.lower())


@pytest.fixture(scope="module")
def answer_wav(tmp_path_factory):
    samples, rate = synthesize(ANSWER)
    return write_wav(tmp_path_factory.mktemp("speech") / "answer.wav", np.concatenate([silence(0.6, rate), samples, silence(0.6, rate)]), rate)


@pytest.fixture(scope="module")
def answer_transcript(answer_wav):
    return transcribe_file(answer_wav)


def test_real_speech_has_timed_words(speech_dir):
    t = transcribe_file(speech_dir / "jfk.flac")
    assert "ask not what your country can do for you" in _norm(t.text)
    words = t.words
    assert len(words) >= 20
    for w in words:
        assert 0.0 <= w.start <= w.end <= t.duration_s + 0.01
        assert 0.0 <= w.probability <= 1.0
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert t.duration_s == pytest.approx(11.0, abs=0.05)
    assert t.speech_spans and t.model == "tiny.en (embedded)"


def test_real_speech_mp3_and_resampled_wav(speech_dir):
    # A 22.05 kHz LJSpeech clip and a Common Voice mp3: other rates and formats than the model's.
    lj = transcribe_file(speech_dir / "LJ002-0035.wav")
    assert "press yard" in _norm(lj.text)
    cv = transcribe_file(speech_dir / "common_voice_en_651325.mp3")
    assert len(cv.words) >= 3


def test_stereo_channels_can_be_taken_apart(speech_dir):
    right = transcribe_file(speech_dir / "stereo_diarization.wav", TranscribeOptions(channel="R"))
    assert "horizon" in _norm(right.text)


def test_synthesized_answer_keywords(answer_transcript):
    text = _norm(answer_transcript.text)
    for keyword in ("offline", "golden", "monitoring", "drift"):
        assert keyword in text
    # Leading silence is kept on the timeline: the first word cannot start before ~0.2 s.
    assert answer_transcript.words[0].start >= 0.2


@pytest.mark.parametrize("suffix,ffargs", [
    (".flac", ["-ar", "44100", "-ac", "2"]),
    (".mp3", ["-ar", "22050", "-ac", "1"]),
    (".ogg", ["-ar", "48000", "-ac", "2", "-c:a", "libvorbis"]),
    (".m4a", ["-ar", "16000", "-ac", "1", "-c:a", "aac"]),
])
def test_any_format_rate_and_channel_count(answer_wav, answer_transcript, tmp_path, suffix, ffargs):
    converted = tmp_path / f"answer{suffix}"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(answer_wav), *ffargs, str(converted)], check=True)
    decoded = load_audio(converted)
    assert decoded.duration_s == pytest.approx(load_audio(answer_wav).duration_s, abs=0.15)
    t = transcribe_audio(decoded)
    assert "monitoring" in _norm(t.text) and "drift" in _norm(t.text)


def test_silence_gives_empty_transcript_and_warning(tmp_path):
    path = write_wav(tmp_path / "silence.wav", silence(5.0, 16000), 16000)
    t = transcribe_file(path)
    assert t.segments == () and t.text == ""
    assert t.warnings == (NO_SPEECH_WARNING,)


def test_low_noise_without_vad_is_not_hallucinated_into_words(tmp_path):
    rng = np.random.default_rng(0)
    path = write_wav(tmp_path / "hiss.wav", (rng.standard_normal(16000 * 4) * 3e-4).astype(np.float32), 16000)
    t = transcribe_file(path, TranscribeOptions(vad=False))
    assert t.text == "" and NO_SPEECH_WARNING in t.warnings


def test_transcript_json_round_trip_is_lossless(answer_transcript):
    data = json.loads(json.dumps(answer_transcript.to_dict()))
    assert Transcript.from_dict(data) == answer_transcript
