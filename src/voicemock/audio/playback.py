"""Playing a short sound (the question, the start cue) through a sounddevice OutputStream, blocking.

Each call opens its own OutputStream rather than using `sd.play()`, whose one global stream would
stop a recording running in the same process.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicemock.audio.devices import import_sounddevice, pick_output_device
from voicemock.errors import AudioError, DeviceError

__all__ = ["PlaybackResult", "cue_tone", "play_cue", "play_file", "play_samples"]

logger = logging.getLogger(__name__)

# Beyond the sound itself, how long a device may take to open and drain before it counts as stuck.
_STALL_GRACE_S = 10.0


@dataclass(frozen=True)
class PlaybackResult:
    device: str
    samplerate: int
    duration_s: float
    underflows: int


def play_file(path: str | Path, *, device: str | int | None = None) -> PlaybackResult:
    """Play an audio file (wav, flac, ogg) to the end, then return."""
    import soundfile as sf

    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioError(f"{path}: cannot be played ({exc}); check that it is wav, flac or ogg") from exc
    return play_samples(samples, int(rate), device=device)


def play_samples(samples: np.ndarray, samplerate: int, *, device: str | int | None = None) -> PlaybackResult:
    """Play float32 samples (frames, or frames x channels) to the end, then return."""
    sd = import_sounddevice()
    out = pick_output_device(device)
    data = np.asarray(samples, dtype=np.float32)
    if data.ndim == 1:
        data = data[:, None]
    channels = min(data.shape[1], max(out.max_output_channels, 1))
    data = data[:, :channels]
    try:
        return _play(sd, out.index, out.name, data, samplerate)
    except sd.PortAudioError as exc:
        if "sample rate" not in str(exc).lower() or int(out.default_samplerate) == samplerate:
            raise DeviceError(_output_failure(out.label(), exc)) from exc
    # Real hardware (ALSA hw:) may take only its own rates: resample to the device's default.
    target = int(out.default_samplerate)
    logger.info("device %s refused %d Hz; resampling to %d Hz", out.label(), samplerate, target)
    try:
        return _play(sd, out.index, out.name, _resample(data, samplerate, target), target)
    except sd.PortAudioError as exc:
        raise DeviceError(_output_failure(out.label(), exc)) from exc


def _play(sd, index: int, name: str, data: np.ndarray, samplerate: int) -> PlaybackResult:
    done = threading.Event()
    position = 0
    underflows = 0

    def callback(outdata, frames, time_info, status):
        nonlocal position, underflows
        if status.output_underflow:
            underflows += 1
        chunk = data[position : position + frames]
        outdata[: len(chunk)] = chunk
        if len(chunk) < frames:
            outdata[len(chunk) :] = 0
            # PortAudio plays out what is already queued before it calls finished_callback.
            raise sd.CallbackStop
        position += frames

    duration = data.shape[0] / samplerate
    stream = sd.OutputStream(
        samplerate=samplerate,
        device=index,
        channels=data.shape[1],
        dtype="float32",
        callback=callback,
        finished_callback=done.set,
    )
    with stream:
        if not done.wait(duration + _STALL_GRACE_S):
            stream.abort()
            raise DeviceError(
                f"the speaker {name!r} stopped playing (busy or disconnected?); check it in the system's sound "
                "settings, or skip speaking the question with --no-speak"
            )
    if underflows:
        logger.warning("playback on %r had %d output underflows (audible gaps)", name, underflows)
    return PlaybackResult(device=name, samplerate=samplerate, duration_s=round(duration, 3), underflows=underflows)


def cue_tone(samplerate: int = 48000, *, frequency: float = 880.0, seconds: float = 0.15) -> np.ndarray:
    """A short sine beep with 10 ms fades (no click): "start speaking now"."""
    t = np.arange(int(samplerate * seconds)) / samplerate
    tone = 0.3 * np.sin(2 * np.pi * frequency * t)
    fade = min(int(samplerate * 0.01), tone.size // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        tone[:fade] *= ramp
        tone[-fade:] *= ramp[::-1]
    return tone.astype(np.float32)


def play_cue(*, device: str | int | None = None) -> PlaybackResult:
    return play_samples(cue_tone(), 48000, device=device)


def _resample(data: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Linear interpolation: good enough for a spoken question or a beep, not for music."""
    n_out = int(round(data.shape[0] * target / rate))
    x_old = np.arange(data.shape[0]) / rate
    x_new = np.arange(n_out) / target
    return np.stack([np.interp(x_new, x_old, data[:, c]) for c in range(data.shape[1])], axis=1).astype(np.float32)


def _output_failure(label: str, exc: Exception) -> str:
    return (
        f"cannot play on the speaker {label} ({exc}); it may be busy or gone: check it in the system's sound "
        "settings (see `voicemock devices`), or skip speaking the question with --no-speak"
    )
