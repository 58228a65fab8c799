"""Recording a spoken answer from the microphone straight to a WAV file, so that nothing is lost.

Modelled on python-sounddevice's rec_unlimited.py: the output file is opened before the stream, in a
mode that never overwrites; the PortAudio callback only queues a copy of each block and counts status
flags; a writer thread drains the queue to disk. The whole take is never held in memory.

Crash safety:
- Ctrl-C (and SIGTERM) end the take cleanly and keep it.
- While recording, the WAV header's sizes are rewritten every half second, so a file left by SIGKILL
  is readable as it lies by any WAV reader (Python's strict `wave` included) and lacks at most the
  last half second (measured: 0.1-0.4 s). The samples themselves reach the kernel with every 50 ms
  block; a power cut can lose what the kernel had not yet flushed (the file is fsynced only at the end).
- A `<file>.recording` marker, locked with flock while the take runs, survives a SIGKILL;
  `audio.wavfile.recover_unfinished` finds markers whose owner is gone and repairs their takes.
  The header upkeep and the marker live in `audio.wavfile`; this module is the capture loop.

POSIX only (flock for the marker, select on the terminal for Enter).
"""

from __future__ import annotations

import logging
import math
import os
import queue
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicemock.audio.devices import (
    ANSWER_FILE_HINT,
    AudioDevice,
    import_sounddevice,
    pick_input_device,
)
from voicemock.audio.wavfile import HeaderSync, create_marker, fsync_path, note_in_marker, release_marker
from voicemock.errors import AudioError, DeviceError, TakeInterrupted

__all__ = [
    "RecordingProgress",
    "RecordingResult",
    "TakeInterrupted",
    "record_answer",
]

logger = logging.getLogger(__name__)

BLOCK_S = 0.05  # one callback per 50 ms: few enough for Python, small enough that a crash loses little
HEADER_SYNC_S = 0.5  # how often the WAV header is brought up to date while recording
FIRST_BLOCK_TIMEOUT_S = 6.0  # a stream's first block can take 2 s on a loaded machine; beyond 6 s it is stuck
STALL_TIMEOUT_S = 3.0  # no block for this long after the first one: the device is gone
SPEECH_MIN_S = 0.3  # this much loud audio before "speech started" (a click or a cough is not an answer)
SILENCE_FLOOR_DB = -50.0  # speech threshold never goes below this, so digital silence has a margin
SPEECH_ABOVE_FLOOR_DB = 10.0


@dataclass(frozen=True)
class RecordingProgress:
    """What a live display needs, sent about ten times a second."""

    elapsed_s: float  # audio on disk so far
    level_db: float  # RMS level of the latest block, dBFS (-100 for digital silence)
    speech_started: bool
    silence_s: float  # trailing silence after speech, seconds
    overflows: int


@dataclass(frozen=True)
class RecordingResult:
    path: Path
    duration_s: float
    samplerate: int
    channels: int
    device: str
    overflows: int  # PortAudio input overflows: blocks the program was too slow to take (audio lost)
    stopped_by: str  # "enter" | "silence" | "max-seconds" | "interrupt" | "terminated"
    first_block_delay_s: float  # from opening the stream to its first block (audio before it is never heard)
    cue_end_s: float | None  # where on the file's timeline the start cue had finished; None: no cue
    speech_detected: bool
    warnings: tuple[str, ...] = ()


class _Stop(Exception):
    pass


def record_answer(
    path: str | Path,
    *,
    device: str | int | None = None,
    max_seconds: float,
    silence_stop: float | None = None,
    stop_on_enter: bool = False,
    cue: bool = True,
    on_level: Callable[[RecordingProgress], None] | None = None,
    on_start: Callable[[], None] | None = None,
    on_block: Callable[[np.ndarray, int], None] | None = None,
) -> RecordingResult:
    """Record the default (or `device`) microphone into a new WAV file at `path`, at the device's rate.

    The take ends on Enter (`stop_on_enter`, for a terminal), after `silence_stop` seconds of silence
    that follow speech, at `max_seconds`, or on Ctrl-C / SIGTERM; the file is kept in every case.
    `on_start` is called once audio is flowing (and after the start cue): tell the user to speak then.
    `on_block(block, samplerate)` gets each block once it is written to disk (live transcription); it
    runs on the writer thread, so it must only queue, and its failures never stop the take.
    Raises DeviceError when the device cannot be opened, and TakeInterrupted (keeping the audio)
    when it stops delivering audio mid-take.
    """
    if max_seconds <= 0:
        raise AudioError(f"--max-seconds must be positive, not {max_seconds}")
    sd = import_sounddevice()
    mic = pick_input_device(device)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    marker = create_marker(target, mic)
    try:
        take = _Take(sd, mic, target, marker, max_seconds, silence_stop, stop_on_enter, cue, on_level, on_start)
        take.on_block = on_block
        return take.run()
    finally:
        release_marker(marker, target)


@dataclass(eq=False)
class _Take:
    """One take's settings (the fields) and the state its threads share (set in __post_init__)."""

    sd: Any
    mic: AudioDevice
    path: Path
    marker_fd: int
    max_seconds: float
    silence_stop: float | None
    stop_on_enter: bool
    cue: bool
    on_level: Any
    on_start: Any

    def __post_init__(self) -> None:
        self.samplerate = int(self.mic.default_samplerate)
        self.max_frames = int(round(self.max_seconds * self.samplerate))
        self.blocks: queue.Queue[np.ndarray | None] = queue.Queue()
        # Written by the PortAudio thread, read by the main thread (single assignments: safe under the GIL).
        self.overflows = 0
        self.frames_captured = 0
        self.last_block_at: float | None = None
        self.first_block_at: float | None = None
        self.first_block = threading.Event()
        # Written by the writer thread.
        self.frames_written = 0
        self.level_db = -100.0
        self.speech_s = 0.0
        self.trailing_silence_s = 0.0
        self.noise_floor_db = 0.0
        self.writer_error: BaseException | None = None
        self.writer_full = threading.Event()  # max_frames reached
        self.stop_reason: str | None = None
        self.on_block: Callable[[np.ndarray, int], None] | None = None

    # -- PortAudio thread: copy and queue, nothing else (no I/O, no locks that the writer holds long)
    def _callback(self, indata, frames, time_info, status) -> None:
        if status.input_overflow:
            self.overflows += 1
        self.blocks.put(indata.copy())
        self.frames_captured += frames
        self.last_block_at = time.monotonic()
        if not self.first_block.is_set():
            self.first_block_at = self.last_block_at
            self.first_block.set()

    # -- writer thread: queue to disk, levels for silence detection and the meter
    def _write_loop(self, sf_file, header: HeaderSync) -> None:
        try:
            last_sync = time.monotonic()
            while True:
                block = self.blocks.get()
                if block is None:
                    break
                room = self.max_frames - self.frames_written
                if room <= 0:
                    continue  # past --max-seconds: keep draining so the callback's queue never grows
                block = block[:room]
                sf_file.write(block)
                self.frames_written += block.shape[0]
                self._measure(block)
                if self.on_block is not None:
                    try:
                        self.on_block(block, self.samplerate)
                    except Exception:  # the recording matters more than the live transcript
                        logger.exception("live tap failed; the take goes on")
                        self.on_block = None
                if self.frames_written >= self.max_frames:
                    self.writer_full.set()
                now = time.monotonic()
                if now - last_sync >= HEADER_SYNC_S:
                    header.sync(self.frames_written)
                    last_sync = now
        except BaseException as exc:  # disk full, I/O error: the main thread stops the take and reports it
            self.writer_error = exc
            self.writer_full.set()
            while self.blocks.get() is not None:  # keep draining so nothing blocks on a full queue
                pass

    def _measure(self, block: np.ndarray) -> None:
        seconds = block.shape[0] / self.samplerate
        x = block.astype(np.float32) / 32768.0
        rms = float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0
        level = 20 * math.log10(rms) if rms > 1e-5 else -100.0
        self.level_db = level
        # The floor follows the quietest recent blocks, rising 1 dB a second so a noisy start is forgotten.
        if self.frames_written == block.shape[0]:
            self.noise_floor_db = level
        else:
            self.noise_floor_db = min(self.noise_floor_db + 1.0 * seconds, level)
        threshold = max(SILENCE_FLOOR_DB, min(self.noise_floor_db, -20.0) + SPEECH_ABOVE_FLOOR_DB)
        if level >= threshold:
            self.speech_s += seconds
            self.trailing_silence_s = 0.0
        elif self.speech_s >= SPEECH_MIN_S:
            self.trailing_silence_s += seconds

    @property
    def speech_started(self) -> bool:
        return self.speech_s >= SPEECH_MIN_S

    # -- main thread
    def run(self) -> RecordingResult:
        import soundfile as sf

        sd = self.sd
        try:
            # 'x' never overwrites: a take always lands in a new file.
            sf_file = sf.SoundFile(str(self.path), mode="x", samplerate=self.samplerate, channels=1, format="WAV", subtype="PCM_16")
        except FileExistsError:
            raise AudioError(f"{self.path}: already exists; a take never overwrites a file, pick another name") from None
        header = HeaderSync(self.path)
        stream = None
        writer = threading.Thread(target=self._write_loop, args=(sf_file, header), name="voicemock-writer", daemon=True)
        writer.start()
        previous_term = _install_sigterm(self._on_sigterm)
        cue_end_s = None
        warnings: list[str] = []
        device_failure: str | None = None
        opened_at = time.monotonic()
        first_delay = 0.0
        try:
            try:
                stream = sd.InputStream(
                    samplerate=self.samplerate,
                    device=self.mic.index,
                    channels=1,
                    dtype="int16",
                    blocksize=int(self.samplerate * BLOCK_S),
                    latency="high",
                    callback=self._callback,
                )
                opened_at = time.monotonic()
                stream.start()
            except sd.PortAudioError as exc:
                raise DeviceError(_open_failure(self.mic, exc)) from exc
            if not self._wait_first_block():
                raise DeviceError(
                    f"the microphone {self.mic.label()} opened but sent no audio in {FIRST_BLOCK_TIMEOUT_S:.0f} s "
                    f"(busy or disconnected?); pick another with --device (see `voicemock devices`), {ANSWER_FILE_HINT}"
                )
            first_delay = (self.first_block_at or opened_at) - opened_at
            note_in_marker(self.marker_fd, first_block_at_unix=time.time() - (time.monotonic() - self.first_block_at))
            if self.cue:
                cue_end_s = self._play_cue(warnings)
            if self.on_start is not None:
                self.on_start()
            device_failure = self._main_loop(stream)
        except (KeyboardInterrupt, _Stop) as exc:
            # Ctrl-C or SIGTERM, wherever it lands: end the take and keep what was recorded.
            self.stop_reason = self.stop_reason or ("interrupt" if isinstance(exc, KeyboardInterrupt) else "terminated")
        finally:
            if stream is not None:
                try:
                    stream.stop()
                    stream.close()
                except sd.PortAudioError as exc:  # a device that vanished can fail to stop; the audio is safe
                    logger.warning("closing the input stream failed: %s", exc)
            self.blocks.put(None)
            writer.join()
            sf_file.close()
            header.close()
            fsync_path(self.path)
            _restore_sigterm(previous_term)
        if self.writer_error is not None:
            raise AudioError(
                f"{self.path}: writing the recording failed ({self.writer_error}); is the disk full? "
                f"the first {self.frames_written / self.samplerate:.1f} s are kept in that file"
            )
        if self.overflows:
            warnings.append(f"{self.overflows} input overflows: the computer was too busy and some audio was lost")
        result = RecordingResult(
            path=self.path,
            duration_s=round(self.frames_written / self.samplerate, 3),
            samplerate=self.samplerate,
            channels=1,
            device=self.mic.name,
            overflows=self.overflows,
            stopped_by=self.stop_reason or ("device-lost" if device_failure else "max-seconds"),
            first_block_delay_s=round(first_delay, 3),
            cue_end_s=cue_end_s,
            speech_detected=self.speech_started,
            warnings=tuple(warnings),
        )
        if device_failure is not None:
            raise TakeInterrupted(device_failure, result)
        return result

    def _wait_first_block(self) -> bool:
        deadline = time.monotonic() + FIRST_BLOCK_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.first_block.wait(0.1):
                return True
            if self.stop_reason:
                raise _Stop
        return False

    def _play_cue(self, warnings: list[str]) -> float | None:
        from voicemock.audio.playback import play_cue

        try:
            play_cue()
        except DeviceError as exc:
            # The take matters more than the beep: record on, and say the cue was not heard.
            warnings.append(f"the start cue could not be played ({exc})")
            logger.warning("start cue failed: %s", exc)
            return None
        return round(self.frames_captured / self.samplerate, 3)

    def _main_loop(self, stream) -> str | None:
        """Poll the stop conditions ten times a second; returns a failure message if the device died."""
        stdin_fd = _stdin_fd() if self.stop_on_enter else None
        while True:
            if self.stop_reason:
                return None
            if self.writer_full.is_set():
                self.stop_reason = "max-seconds"
                return None
            if self.silence_stop is not None and self.speech_started and self.trailing_silence_s >= self.silence_stop:
                self.stop_reason = "silence"
                return None
            silent_for = time.monotonic() - (self.last_block_at or time.monotonic())
            if silent_for > STALL_TIMEOUT_S or not stream.active:
                self.stop_reason = "device-lost"
                kept = self.frames_captured / self.samplerate
                return (
                    f"the microphone {self.mic.label()} stopped sending audio after {kept:.1f} s (unplugged or taken "
                    f"by another program?); the audio so far is kept in {self.path}. Reconnect it or pick another "
                    f"with --device (see `voicemock devices`), or score the kept audio with --answer-file {self.path}"
                )
            if self.on_level is not None:
                self.on_level(
                    RecordingProgress(
                        elapsed_s=round(self.frames_written / self.samplerate, 2),
                        level_db=round(self.level_db, 1),
                        speech_started=self.speech_started,
                        silence_s=round(self.trailing_silence_s, 2),
                        overflows=self.overflows,
                    )
                )
            if stdin_fd is not None:
                ready, _, _ = select.select([stdin_fd], [], [], 0.1)
                if ready:
                    os.read(stdin_fd, 4096)  # consume the Enter so it does not leak into the shell
                    self.stop_reason = "enter"
                    return None
            else:
                time.sleep(0.1)

    def _on_sigterm(self, signum, frame) -> None:
        self.stop_reason = "terminated"
        raise _Stop


# ---------------------------------------------------------------------------- small helpers


def _stdin_fd() -> int | None:
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return None
    return fd if os.isatty(fd) else None


def _install_sigterm(handler):
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)


def _restore_sigterm(previous) -> None:
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, previous)


def _open_failure(mic: AudioDevice, exc: Exception) -> str:
    text = str(exc)
    busy = "busy" in text.lower() or "unavailable" in text.lower()
    why = "busy: another program is using it" if busy else f"PortAudio said: {text}"
    return (
        f"cannot open the microphone {mic.label()} ({why}); close the other program or pick another device "
        f"with --device (see `voicemock devices`), {ANSWER_FILE_HINT}"
    )
