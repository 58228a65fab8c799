"""A one-line progress bar for long batches, with an ETA measured in audio seconds.

Files in an archive range from seconds to an hour, so "files left" says little about time left;
audio seconds left divided by audio seconds processed per wall second does. The bar draws only
on a terminal: piped or logged output stays clean.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["ProgressBar", "format_seconds", "stream_is_tty"]


def format_seconds(seconds: float) -> str:
    """12s, 3m05s, 1h02m: short enough for one terminal line."""
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


class ProgressBar:
    """`advance()` once per finished file; `close()` at the end.

    total_audio_s: the audio seconds the batch has to process (skipped files excluded); 0 when unknown,
    in which case the ETA falls back to files.
    """

    WIDTH = 24
    MIN_INTERVAL_S = 0.1  # redraw at most ten times a second

    def __init__(
        self,
        total_files: int,
        total_audio_s: float,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        clock=time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = stream_is_tty(self.stream) if enabled is None else enabled
        self.total_files = total_files
        self.total_audio_s = max(0.0, total_audio_s)
        self.files_done = 0
        self.files_failed = 0
        self.audio_done_s = 0.0
        self.work_files = 0  # files processed in this run (not skipped), the basis of the rate
        self._clock = clock
        self._start = clock()
        self._last_draw = float("-inf")
        self._width_drawn = 0

    def skip(self, count: int = 1) -> None:
        """Files already done in an earlier run: they count as finished but not toward the rate."""
        self.files_done += count
        self._draw()

    def advance(self, audio_s: float, failed: bool = False) -> None:
        self.files_done += 1
        self.work_files += 1
        self.files_failed += int(failed)
        self.audio_done_s += max(0.0, audio_s)
        self._draw()

    def eta_s(self) -> float | None:
        elapsed = self._clock() - self._start
        if elapsed <= 0:
            return None
        if self.total_audio_s > 0 and self.audio_done_s > 0:
            rate = self.audio_done_s / elapsed  # audio seconds per wall second
            return max(0.0, self.total_audio_s - self.audio_done_s) / rate
        if self.work_files > 0:
            left = self.total_files - self.files_done
            return left * elapsed / self.work_files
        return None

    def line(self) -> str:
        frac = self.files_done / self.total_files if self.total_files else 1.0
        if self.total_audio_s > 0:
            frac = min(1.0, self.audio_done_s / self.total_audio_s) if self.work_files else frac
        filled = int(round(frac * self.WIDTH))
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        parts = [f"[{bar}] {self.files_done}/{self.total_files} files"]
        if self.total_audio_s > 0:
            parts.append(f"{format_seconds(self.audio_done_s)}/{format_seconds(self.total_audio_s)} audio")
            elapsed = self._clock() - self._start
            if elapsed > 0 and self.audio_done_s > 0:
                parts.append(f"{self.audio_done_s / elapsed:.1f}x real time")
        if self.files_failed:
            parts.append(f"{self.files_failed} failed")
        eta = self.eta_s()
        if self.files_done < self.total_files:
            parts.append(f"ETA {format_seconds(eta)}" if eta is not None else "ETA --")
        return ", ".join(parts)

    def close(self) -> None:
        if not self.enabled:
            return
        self._draw(force=True)
        self.stream.write("\n")
        self.stream.flush()

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = self._clock()
        if not force and now - self._last_draw < self.MIN_INTERVAL_S and self.files_done < self.total_files:
            return
        self._last_draw = now
        text = self.line()
        pad = " " * max(0, self._width_drawn - len(text))  # wipe the tail of a longer earlier line
        self._width_drawn = len(text)
        self.stream.write("\r" + text + pad)
        self.stream.flush()


def stream_is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False
