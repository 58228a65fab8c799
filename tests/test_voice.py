from __future__ import annotations

import shutil

import pytest

from voicemock.bank.questions import load_bank
from voicemock.speech.transcribe import transcribe_file
from voicemock.audio.speak import SpeechError, question_audio, synthesize_speech

SENTENCE = "We would watch latency and cost for every model we route to."


def _heard(path) -> str:
    return transcribe_file(path).text.lower()


def test_piper_speech_is_understood(tmp_path, voice_extra):
    result = synthesize_speech(SENTENCE, tmp_path / "q.wav")
    assert result.engine == "piper" and result.path == tmp_path / "q.wav"
    heard = _heard(result.path)
    assert "latency" in heard and "route" in heard


def test_espeak_is_the_fallback_and_is_understood(tmp_path, no_piper):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not on PATH")
    result = synthesize_speech(SENTENCE, tmp_path / "q.ogg")
    assert result.engine == "espeak-ng"
    assert "latency" in _heard(result.path)


def test_shipped_question_audio_says_the_question():
    question = load_bank().get("product-sense-01")
    path = question_audio(question)
    assert path is not None
    heard = _heard(path)
    assert "nurse" in heard and "handoff" in heard.replace(" ", "").replace("-", "")


def test_no_engine_is_a_domain_error(tmp_path, monkeypatch, no_piper):
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng either
    with pytest.raises(SpeechError) as info:
        synthesize_speech(SENTENCE, tmp_path / "q.wav")
    assert str(info.value) == (
        "no speech engine is available (neither Piper nor espeak-ng); install one with "
        "`pip install 'voicemock[voice]'` or `apt install espeak-ng`, or read the question on screen"
    )
    assert not (tmp_path / "q.wav").exists()


def test_bad_requests_are_domain_errors(tmp_path):
    with pytest.raises(SpeechError, match=r"q\.mp3: cannot write \.mp3; name it \.wav, \.flac or \.ogg"):
        synthesize_speech(SENTENCE, tmp_path / "q.mp3")
    with pytest.raises(SpeechError, match="there is no text to speak"):
        synthesize_speech("   ", tmp_path / "q.wav")
    with pytest.raises(SpeechError, match="unknown speech engine 'say'"):
        synthesize_speech(SENTENCE, tmp_path / "q.wav", engine="say")
