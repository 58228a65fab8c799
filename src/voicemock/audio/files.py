"""Reading audio files: checks that name the problem, then decoding to 16 kHz mono float32."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicemock.errors import AudioError

__all__ = ["SAMPLE_RATE", "DecodedAudio", "load_audio", "check_audio_path", "probe_audio", "AUDIO_EXTENSIONS"]

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000  # what Whisper and Silero VAD expect
AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".aac", ".webm", ".wma")
# Whisper's decoded input is held in memory (64 kB per second of audio); beyond this, split the file.
MAX_DURATION_S = 4 * 3600
# Below this peak level (about -60 dBFS) a recording is treated as silence.
SILENCE_PEAK = 1e-3


@dataclass(frozen=True)
class DecodedAudio:
    samples: np.ndarray  # float32, mono, SAMPLE_RATE
    source: str
    warnings: tuple[str, ...] = ()  # what reading it found wrong but could get past (a truncated file)

    @property
    def duration_s(self) -> float:
        return round(self.samples.shape[0] / SAMPLE_RATE, 3)

    @property
    def is_silent(self) -> bool:
        return self.samples.size == 0 or float(np.max(np.abs(self.samples))) < SILENCE_PEAK


def check_audio_path(path: str | Path) -> Path:
    """The checks that need no decoding: the path exists, is a file and is not empty."""
    p = Path(path)
    if not p.exists():
        raise AudioError(f"{p}: no such file; check the path")
    if p.is_dir():
        raise AudioError(f"{p}: is a directory, not an audio file; pass the audio files inside it (or use `voicemock batch`)")
    if p.stat().st_size == 0:
        raise AudioError(f"{p}: the file is empty (0 bytes); record again or pass another file")
    return p


def load_audio(path: str | Path, channel: str | None = None) -> DecodedAudio:
    """Decode any format FFmpeg reads (wav, flac, mp3, ogg, m4a, ...), any rate, to 16 kHz mono.

    `channel` "L" or "R" takes one channel of a stereo file instead of the mix.
    """
    p = check_audio_path(path)
    # faster_whisper.audio pulls in PyAV only, not the model runtime.
    import av
    from faster_whisper.audio import decode_audio

    try:
        if channel in ("L", "R"):
            left, right = decode_audio(str(p), sampling_rate=SAMPLE_RATE, split_stereo=True)
            samples = left if channel == "L" else right
        else:
            samples = decode_audio(str(p), sampling_rate=SAMPLE_RATE)
    except (av.error.FFmpegError, ValueError, IndexError, StopIteration) as exc:
        raise _not_audio(p, _short(exc)) from exc
    if samples is None or samples.size == 0:
        raise AudioError(
            f"{p}: holds no audio samples (a truncated or header-only file?); record again or pass another file"
        )
    decoded = DecodedAudio(
        samples=np.ascontiguousarray(samples, dtype=np.float32), source=str(path), warnings=_truncation(p)
    )
    if decoded.duration_s > MAX_DURATION_S:
        raise AudioError(
            f"{p}: {decoded.duration_s / 3600:.1f} h is longer than the {MAX_DURATION_S // 3600} h limit; "
            "split it first, e.g. `ffmpeg -i IN -f segment -segment_time 3600 part%02d.wav`"
        )
    return decoded


def probe_audio(path: str | Path) -> Path:
    """check_audio_path, then the file opens as a container with an audio stream: a cheap check (no
    decoding) for input that is about to be kept or waited on."""
    p = check_audio_path(path)
    import av

    try:
        with av.open(str(p)) as container:
            if not container.streams.audio:
                raise _not_audio(p, "it has no audio stream")
    except av.error.FFmpegError as exc:
        raise _not_audio(p, _short(exc)) from exc
    return p


def _not_audio(p: Path, why: str) -> AudioError:
    return AudioError(
        f"{p}: not a readable audio file ({why}); check that it is wav, flac, mp3, ogg or m4a "
        "and not truncated, or convert it with `ffmpeg -i IN -ar 16000 -ac 1 OUT.wav`"
    )


def _truncation(p: Path) -> tuple[str, ...]:
    """A warning when a WAV holds less audio than its header states (a copy or a recording cut short):
    the decoder reads what is there without a word, so this is the only sign."""
    from voicemock.audio.wavfile import wav_header_seconds

    seconds = wav_header_seconds(p) if p.suffix.lower() == ".wav" else None
    if seconds is None:
        return ()
    stated, held = seconds
    # 50 ms of slack: some writers round the stated size or pad the data chunk.
    if stated - held <= 0.05:
        return ()
    return (f"the file is cut short: its header says {stated:.2f} s of audio, {held:.2f} s is there; read what is there",)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
