"""A take's file on disk: its WAV header kept current and repaired, its `.recording` marker, recovery after a crash.

While a take is recorded (`audio.capture`), `HeaderSync` rewrites the WAV header's sizes every half
second, so a file left by SIGKILL is readable as it lies by any WAV reader (Python's strict `wave`
included). A `<file>.recording` marker, locked with flock while the take runs, survives a SIGKILL;
`recover_unfinished` finds markers whose owner is gone, repairs the header from the file's real
length with `repair_wav`, and reports each take so the command can say so.

POSIX only (flock for the marker).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import struct
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from voicemock.errors import AudioError

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.audio.devices import AudioDevice

__all__ = [
    "MARKER_SUFFIX",
    "HeaderSync",
    "RecoveredTake",
    "create_marker",
    "fsync_path",
    "note_in_marker",
    "recover_unfinished",
    "release_marker",
    "repair_wav",
]

logger = logging.getLogger(__name__)

MARKER_SUFFIX = ".recording"


@dataclass(frozen=True)
class RecoveredTake:
    path: Path
    duration_s: float
    repaired: bool  # the header had to be rewritten (False: it was already up to date)
    started_at: str | None
    removed_empty: bool = False  # the take held no audio at all, so file and marker were removed

    def describe(self) -> str:
        if self.removed_empty:
            return f"{self.path}: an unfinished take with no audio in it was removed"
        started = f" (started {self.started_at})" if self.started_at else ""
        return f"{self.path}: recovered an unfinished take{started}, {self.duration_s:.1f} s of audio"



# ---------------------------------------------------------------------------- WAV header upkeep


class HeaderSync:
    """Keeps the RIFF and data chunk sizes of a WAV that libsndfile is still writing up to date.

    libsndfile writes the real sizes only on close; until then they read 0. Patching them in place
    (libsndfile writes samples with plain write() calls, so the bytes are already in the file) makes
    the file readable after a SIGKILL by strict readers too, such as Python's wave module.
    """

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None
        self.data_size_offset: int | None = None
        self.data_start: int | None = None
        self.block_align = 2

    def sync(self, frames: int) -> None:
        if self.fd is None:
            layout = _wav_layout(self.path)
            if layout is None:
                return
            self.data_size_offset, self.data_start, self.block_align = layout
            self.fd = os.open(self.path, os.O_WRONLY)
        data_bytes = frames * self.block_align
        os.pwrite(self.fd, struct.pack("<I", self.data_start - 8 + data_bytes), 4)
        os.pwrite(self.fd, struct.pack("<I", data_bytes), self.data_size_offset)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _wav_layout(path: Path) -> tuple[int, int, int] | None:
    """(offset of the data chunk's size field, offset of the first sample, bytes per frame) or None."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos = 12
    block_align = None
    while pos + 8 <= len(head):
        chunk_id, size = head[pos : pos + 4], struct.unpack("<I", head[pos + 4 : pos + 8])[0]
        if chunk_id == b"fmt " and pos + 8 + 14 <= len(head):
            block_align = struct.unpack("<H", head[pos + 8 + 12 : pos + 8 + 14])[0]
        if chunk_id == b"data":
            return (pos + 4, pos + 8, block_align or 2) if block_align else None
        pos += 8 + size + (size & 1)
    return None


def wav_header_seconds(path: str | Path) -> tuple[float, float] | None:
    """(seconds the WAV header states, seconds the file holds) for a PCM WAV, else None.

    A header that states no size (0, or 0xFFFFFFFF from a streaming writer) says nothing: None.
    """
    p = Path(path)
    layout = _wav_layout(p)
    if layout is None:
        return None
    size_offset, data_start, block_align = layout
    with open(p, "rb") as fh:
        head = fh.read(data_start)
    if head[12:16] != b"fmt " or not block_align:
        return None
    rate = struct.unpack("<I", head[24:28])[0]
    stated = struct.unpack("<I", head[size_offset : size_offset + 4])[0]
    if not rate or stated in (0, 0xFFFFFFFF):
        return None
    held = max(0, p.stat().st_size - data_start)
    return stated / block_align / rate, held // block_align / rate


def repair_wav(path: str | Path) -> tuple[float, bool]:
    """Make a WAV cut short by a crash whole: sizes from the file's real length, a partial frame dropped.

    Returns (duration in seconds, whether anything had to change).
    """
    p = Path(path)
    layout = _wav_layout(p)
    if layout is None:
        raise AudioError(f"{p}: not a WAV file with a data chunk; it cannot be repaired")
    size_offset, data_start, block_align = layout
    with open(p, "r+b") as fh:
        head = fh.read(data_start)
        rate = struct.unpack("<I", head[24:28])[0] if head[12:16] == b"fmt " else 0
        file_size = os.fstat(fh.fileno()).st_size
        data_bytes = max(0, file_size - data_start)
        data_bytes -= data_bytes % block_align
        old_riff = struct.unpack("<I", head[4:8])[0]
        old_data = struct.unpack("<I", head[size_offset : size_offset + 4])[0]
        new_riff = data_start - 8 + data_bytes
        changed = (old_riff, old_data) != (new_riff, data_bytes) or file_size != data_start + data_bytes
        if changed:
            fh.truncate(data_start + data_bytes)
            fh.seek(4)
            fh.write(struct.pack("<I", new_riff))
            fh.seek(size_offset)
            fh.write(struct.pack("<I", data_bytes))
            fh.flush()
            os.fsync(fh.fileno())
    frames = data_bytes // block_align
    return (round(frames / rate, 3) if rate else 0.0), changed


# ---------------------------------------------------------------------------- markers and recovery


def _marker_path(audio: Path) -> Path:
    return audio.with_name(audio.name + MARKER_SUFFIX)


def create_marker(audio: Path, mic: AudioDevice) -> int:
    """Create and lock `<audio>.recording`; the lock dies with the process, however it dies."""
    marker = _marker_path(audio)
    if audio.exists():
        raise AudioError(f"{audio}: already exists; a take never overwrites a file, pick another name")
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
    except FileExistsError:
        raise AudioError(f"{marker}: another take into {audio.name} is running or was cut short; run again to recover it") from None
    fcntl.flock(fd, fcntl.LOCK_EX)
    info = {
        "audio": audio.name,
        "pid": os.getpid(),
        "device": mic.name,
        "samplerate": int(mic.default_samplerate),
        "started_at": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
        "started_at_unix": time.time(),
    }
    os.write(fd, json.dumps(info).encode())
    os.fsync(fd)
    return fd


def note_in_marker(fd: int | None, **fields) -> None:
    """Add facts to the marker (when audio started flowing): what a post-mortem needs to measure loss."""
    if fd is None:
        return
    info = _read_marker(fd)
    info.update(fields)
    data = json.dumps(info).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def release_marker(fd: int, audio: Path) -> None:
    # A take that failed before its first block leaves a header-only file: it holds nothing to keep.
    if audio.exists() and _audio_bytes(audio) == 0:
        audio.unlink()
    _marker_path(audio).unlink(missing_ok=True)
    os.close(fd)


def _audio_bytes(audio: Path) -> int:
    layout = _wav_layout(audio)
    size = audio.stat().st_size
    return size if layout is None else max(0, size - layout[1])


def recover_unfinished(recordings_dir: str | Path) -> list[RecoveredTake]:
    """Repair every take in `recordings_dir` (or one folder down) whose recording process died.

    A take whose process still runs holds the marker's lock and is left alone.
    """
    root = Path(recordings_dir)
    if not root.is_dir():
        return []
    recovered = []
    for marker in sorted([*root.glob(f"*{MARKER_SUFFIX}"), *root.glob(f"*/*{MARKER_SUFFIX}")]):
        try:
            fd = os.open(marker, os.O_RDWR)
        except FileNotFoundError:
            continue  # finished between the glob and now
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live take
            info = _read_marker(fd)
            audio = marker.with_name(marker.name[: -len(MARKER_SUFFIX)])
            started = info.get("started_at")
            if not audio.exists() or _audio_bytes(audio) == 0:
                # Killed before the first block reached the disk: there is nothing to keep.
                audio.unlink(missing_ok=True)
                recovered.append(RecoveredTake(audio, 0.0, False, started, removed_empty=True))
            elif _wav_layout(audio) is None:
                logger.warning("%s: unfinished take is not a WAV file; left as it is", audio)
                recovered.append(RecoveredTake(audio, 0.0, False, started))
            else:
                duration, changed = repair_wav(audio)
                recovered.append(RecoveredTake(audio, duration, changed, started))
            marker.unlink(missing_ok=True)
            logger.info("recovered %s", recovered[-1].describe())
        finally:
            os.close(fd)
    return recovered


def _read_marker(fd: int) -> dict:
    try:
        raw = os.pread(fd, 65536, 0)
        return json.loads(raw.decode()) if raw.strip() else {}
    except (OSError, ValueError):
        return {}  # killed while writing the marker: the audio file's name is all that is needed


def fsync_path(path: Path) -> None:
    """A finished take is on the disk itself, not only in the page cache, before anyone is told it is saved."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
