"""What a run of takes says: score and delivery trends, the user's own pace, the competency to practise next.

Everything here reads takes from the history store (`store.history`) and never writes one.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from voicemock.store.history import SPOKEN_SOURCES, HistoryStore, Take, history_path

__all__ = [
    "OWN_SOURCES",
    "SPOKEN_SOURCES",
    "RECENT_TAKES",
    "BASELINE_WINDOW",
    "Trend",
    "CompetencyStanding",
    "trends",
    "delivery_trends",
    "baseline_wpm",
    "competency_standings",
    "rank_competencies",
    "weakest_competency",
]

# The user's own spoken takes, for the personal baseline and the next-competency pick: a batch run is
# often a team's archive of other people's answers, which says nothing about this user's pace or weak
# spots, and a typed transcript scored with `score --remember` is not a spoken answer.
OWN_SOURCES = ("practice", "interview", "score-audio")
# How many recent takes stand for "lately" in baselines and the weakest-competency pick.
RECENT_TAKES = 5
BASELINE_WINDOW = 20


@dataclass(frozen=True)
class Trend:
    """How one series moved over a run of takes, oldest first."""

    first: float
    last: float
    slope: float  # least-squares change per take
    recent_mean: float  # mean of the last RECENT_TAKES values
    n: int

    @property
    def direction(self) -> str:
        # Two or three takes are mostly noise: a slope from them would mislead more than help.
        if self.n < 3:
            return "too few takes"
        if self.slope >= 0.05:
            return "rising"
        if self.slope <= -0.05:
            return "falling"
        return "steady"


@dataclass(frozen=True)
class CompetencyStanding:
    competency: str
    takes: int  # takes counted (at most the `recent` asked for)
    recent_mean: float | None  # mean overall of those takes; None when never practised


# ---------------------------------------------------------------------------- the user's own takes


def _own_takes(recordings_dir: str | os.PathLike[str], sources: Sequence[str]) -> list[Take]:
    # Reading never creates a history: a first practice with --no-history leaves no file behind.
    path = history_path(recordings_dir)
    if not path.is_file():
        return []
    with HistoryStore(path) as store:
        return store.query(sources=sources)


def baseline_wpm(
    recordings_dir: str | os.PathLike[str],
    min_takes: int = 5,
    *,
    window: int = BASELINE_WINDOW,
    sources: Sequence[str] = OWN_SOURCES,
) -> float | None:
    """The user's own pace: median wpm of the last `window` timed takes, once `min_takes` exist.

    Call it before recording the current take, so the take is compared with the ones before it.
    Text answers (no timing) do not count, nor do batch takes unless `sources` says so (see OWN_SOURCES).
    """
    paces = [t.wpm for t in _own_takes(recordings_dir, sources) if t.wpm is not None][-window:]
    if len(paces) < min_takes:
        return None
    return round(float(statistics.median(paces)), 1)


def competency_standings(
    recordings_dir: str | os.PathLike[str],
    competencies: Sequence[str],
    recent: int = RECENT_TAKES,
    *,
    sources: Sequence[str] = OWN_SOURCES,
) -> list[CompetencyStanding]:
    """Each competency's mean overall over its last `recent` takes, weakest first.

    Never-practised competencies come first, in the order given, so practice covers every competency
    before it drills the weak ones; then the lowest recent mean; ties keep the order given.
    Batch takes do not count unless `sources` says so (see OWN_SOURCES).
    """
    return rank_competencies(_own_takes(recordings_dir, sources), competencies, recent)


def rank_competencies(takes: Iterable[Take], competencies: Sequence[str], recent: int = RECENT_TAKES) -> list[CompetencyStanding]:
    """competency_standings over takes already in hand (oldest first); same order and rules."""
    takes = list(takes)
    competencies = list(dict.fromkeys(competencies))
    by_competency: dict[str, list[float]] = {c: [] for c in competencies}
    for take in reversed(takes):  # newest first
        bucket = by_competency.get(take.competency or "")
        if bucket is not None and len(bucket) < recent:
            bucket.append(take.overall)
    standings = [
        CompetencyStanding(c, len(v), round(statistics.fmean(v), 2) if v else None) for c, v in by_competency.items()
    ]
    order = {c: i for i, c in enumerate(competencies)}
    return sorted(
        standings,
        key=lambda s: (s.recent_mean is not None, s.recent_mean if s.recent_mean is not None else 0.0, order[s.competency]),
    )


def weakest_competency(
    recordings_dir: str | os.PathLike[str],
    competencies: Sequence[str],
    recent: int = RECENT_TAKES,
    *,
    sources: Sequence[str] = OWN_SOURCES,
) -> str | None:
    """The competency to practise next (see competency_standings for the order); None if none are given."""
    standings = competency_standings(recordings_dir, competencies, recent, sources=sources)
    return standings[0].competency if standings else None


# ---------------------------------------------------------------------------- trends


def _trend(values: Sequence[float], recent: int = RECENT_TAKES) -> Trend:
    n = len(values)
    if n >= 2:
        xs = range(n)
        x_mean = (n - 1) / 2
        y_mean = statistics.fmean(values)
        slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, values)) / sum((x - x_mean) ** 2 for x in xs)
    else:
        slope = 0.0
    return Trend(
        first=round(float(values[0]), 2),
        last=round(float(values[-1]), 2),
        slope=round(slope, 3),
        recent_mean=round(statistics.fmean(values[-recent:]), 2),
        n=n,
    )


def trends(takes: Iterable[Take], recent: int = RECENT_TAKES) -> dict[str, Trend]:
    """Per dimension key (in order of first appearance), then "overall": the trend over `takes`.

    `takes` are oldest first (as query returns them). A dimension counts only the takes that scored it,
    so takes under different rubrics can share one history.
    """
    takes = list(takes)
    series: dict[str, list[float]] = {}
    for take in takes:
        for key, score in take.scores.items():
            series.setdefault(key, []).append(score)
    result = {key: _trend(values, recent) for key, values in series.items()}
    if takes:
        result["overall"] = _trend([t.overall for t in takes], recent)
    return result


def delivery_trends(takes: Iterable[Take], recent: int = RECENT_TAKES) -> dict[str, Trend]:
    """"wpm" and "fillers_per_minute" over the timed takes (text answers have neither)."""
    takes = list(takes)
    result = {}
    for name in ("wpm", "fillers_per_minute"):
        values = [getattr(t, name) for t in takes if getattr(t, name) is not None]
        if values:
            result[name] = _trend(values, recent)
    return result

