"""What a running round shows on stderr: its status lines, and on a terminal a live timer and level meter."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

__all__ = ["StatusDisplay", "run_shown"]


def run_shown(run: Callable[..., Any], options: Any) -> Any:
    """`run(options, on_event=...)` with its events shown; the meter's line is ended however it ends."""
    display = StatusDisplay(live=sys.stderr.isatty())
    try:
        return run(options, on_event=display.show)
    finally:
        display.end_line()


class StatusDisplay:
    """Status lines on stderr; on a terminal also a live timer and level meter on one line."""

    WIDTH = 30

    def __init__(self, live: bool):
        self.live = live
        self.meter_drawn = False

    def show(self, event) -> None:
        if event.kind == "level":
            if self.live and event.progress is not None:
                self._meter(event.progress)
            return
        self.end_line()
        if event.kind == "question":
            click.echo(f"\nQuestion: {event.message}\n", err=True)
        elif event.kind in ("warning", "recovered", "not-spoken"):
            click.echo(f"Note: {event.message}", err=True)
        else:
            click.echo(event.message, err=True)

    def _meter(self, p) -> None:
        # -60 dBFS .. 0 dBFS across the bar: speech sits around -30 .. -10.
        filled = max(0, min(self.WIDTH, int((p.level_db + 60) / 60 * self.WIDTH)))
        minutes, seconds = divmod(int(p.elapsed_s), 60)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        state = "speaking" if p.speech_started else "waiting for speech"
        sys.stderr.write(f"\r  {minutes:02d}:{seconds:02d} [{bar}] {p.level_db:6.1f} dB  {state}   ")
        sys.stderr.flush()
        self.meter_drawn = True

    def end_line(self) -> None:
        if self.meter_drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.meter_drawn = False
