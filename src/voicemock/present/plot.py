"""A picture of progress: rubric scores, pace and fillers over a run of takes, as one PNG.

matplotlib is an optional extra (`voicemock[plot]`) and is imported only here, inside the function.
The figure is drawn on the Agg canvas directly, never through pyplot, so no GUI backend is touched
and no global figure state leaks between calls.
"""

from __future__ import annotations

import io
import logging
import os
import statistics
from collections.abc import Sequence
from pathlib import Path

from voicemock.fsutil import atomic_write_bytes
from voicemock.store.history import HistoryError, Take

__all__ = ["plot_history"]

log = logging.getLogger(__name__)

# The personal median needs a few takes before it means anything; same rule as trends.baseline_wpm.
_MIN_BASELINE_TAKES = 5


def plot_history(
    takes: Sequence[Take],
    out_png: str | os.PathLike[str],
    *,
    target_wpm: tuple[float, float] = (120.0, 165.0),
    title: str | None = None,
) -> Path:
    """Draw `takes` (oldest first) into `out_png`: scores per dimension and overall, wpm against the
    target band (and the personal median once there are enough timed takes), fillers per minute.
    """
    if not takes:
        raise HistoryError("no takes to plot; record some with `voicemock practice`, or loosen the filters")
    out = Path(out_png)
    if out.suffix.lower() != ".png":
        raise HistoryError(f"--plot writes a PNG; give a file name ending in .png, not {out.name!r}")
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise HistoryError("plotting needs matplotlib; install it with: pip install 'voicemock[plot]'") from None

    takes = sorted(takes, key=lambda t: (t.taken_at, t.id))
    # Takes sit at even steps, not on a time axis: a rehearsal is bursts of takes minutes apart with
    # days between bursts, and a time axis would pile each burst into one smudge.
    xs = list(range(1, len(takes) + 1))

    fig = Figure(figsize=(10, 8.5), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    ax_scores, ax_pace, ax_fillers = fig.subplots(3, 1, sharex=True, height_ratios=[2.2, 1.2, 1.0])

    # -- scores
    keys: list[str] = []
    names: dict[str, str] = {}
    for take in takes:
        keys.extend(k for k in take.scores if k not in keys)
        names.update(take.dimension_names)
    for key in keys:
        pts = [(x, t.scores[key]) for x, t in zip(xs, takes) if key in t.scores]
        ax_scores.plot(*zip(*pts), marker="o", markersize=4, linewidth=1.4, alpha=0.85, label=names.get(key, key))
    ax_scores.plot(xs, [t.overall for t in takes], color="black", linewidth=2.6, marker="D", markersize=5, label="Overall")
    passed = [(x, t.overall) for x, t in zip(xs, takes) if t.passed]
    if passed:
        ax_scores.plot(*zip(*passed), linestyle="none", marker="*", markersize=13, color="gold",
                       markeredgecolor="black", zorder=5, label="passed the rubric")
    ax_scores.set_ylim(0.8, 5.2)
    ax_scores.set_yticks([1, 2, 3, 4, 5])
    ax_scores.set_ylabel("score (1-5)")
    ax_scores.grid(True, alpha=0.3)
    ax_scores.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    rubrics = sorted({t.rubric for t in takes})
    levels = sorted({t.level for t in takes})
    ax_scores.set_title(
        title or f"Progress over {len(takes)} takes  ({', '.join(rubrics)}; level {', '.join(levels)})",
        fontsize=12, loc="left",
    )

    # -- pace
    low, high = target_wpm
    ax_pace.axhspan(low, high, color="tab:green", alpha=0.12, label=f"target {low:.0f}-{high:.0f} wpm")
    timed = [(x, t.wpm) for x, t in zip(xs, takes) if t.wpm is not None]
    if timed:
        ax_pace.plot(*zip(*timed), color="tab:blue", marker="o", markersize=4, linewidth=1.4, label="pace")
        if len(timed) >= _MIN_BASELINE_TAKES:
            median = statistics.median(w for _, w in timed)
            ax_pace.axhline(median, color="tab:blue", linestyle=":", linewidth=1.2, label=f"your median {median:.0f} wpm")
        values = [w for _, w in timed]
        ax_pace.set_ylim(min(min(values), low) - 15, max(max(values), high) + 15)
    else:
        _no_data(ax_pace, "no timed takes: text answers have no pace")
        ax_pace.set_ylim(low - 30, high + 30)
    ax_pace.set_ylabel("words / min")
    ax_pace.grid(True, alpha=0.3)
    ax_pace.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)

    # -- fillers
    counted = [(x, t.fillers_per_minute) for x, t in zip(xs, takes) if t.fillers_per_minute is not None]
    if counted:
        ax_fillers.bar(*zip(*counted), color="tab:orange", alpha=0.8, width=0.6, label="fillers / min")
        ax_fillers.set_ylim(0, max(max(v for _, v in counted) * 1.25, 1.0))
        ax_fillers.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
        # Whisper drops many "um"/"uh": the bars are a floor, and the reader should know it.
        ax_fillers.annotate("counts can miss fillers the transcriber dropped", xy=(0, -0.42), xycoords="axes fraction",
                            fontsize=8, color="dimgray")
    else:
        _no_data(ax_fillers, "no timed takes: fillers per minute needs audio")
    ax_fillers.set_ylabel("fillers / min")
    ax_fillers.grid(True, axis="y", alpha=0.3)

    # -- x axis: take number over its local date
    step = max(1, len(xs) // 14)
    ticks = xs[::step]
    ax_fillers.set_xticks(ticks)
    labels, shown_day = [], None
    for x in ticks:
        day = f"{takes[x - 1].taken_at.astimezone():%b %d}"
        labels.append(f"#{x}\n{day}" if day != shown_day else f"#{x}")  # the date only where it changes
        shown_day = day
    ax_fillers.set_xticklabels(labels, fontsize=8)
    ax_fillers.set_xlim(0.4, len(xs) + 0.6)
    ax_fillers.set_xlabel("take (oldest to newest)")

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    written = atomic_write_bytes(out, buffer.getvalue())
    log.info("wrote history plot of %d takes to %s", len(takes), written)
    return written


def _no_data(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=9, color="dimgray")
