"""The part of a report a person reads first: the verdict, talking points, the three changes that would
raise the score most (each with the sentence to rework), and the interviewer's follow-up; and every
limit of the report, gathered so each is said once.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicemock.records import Evidence, Scorecard

__all__ = ["Change", "top_changes", "caps", "scoring_limits", "all_limits", "CHANGES_SHOWN", "GOOD_ENOUGH"]

CHANGES_SHOWN = 3
GOOD_ENOUGH = 4.5  # a dimension at or above this has nothing left worth reworking first


@dataclass(frozen=True)
class Change:
    dimension: str
    score: float
    gain: float  # weight x distance to GOOD_ENOUGH: how much the overall can move
    advice: str
    rework: Evidence | None  # the sentence that cost the most, when one did


def top_changes(card: Scorecard, limit: int = CHANGES_SHOWN) -> list[Change]:
    """The dimensions whose improvement would move the overall score most, largest first."""
    changes = []
    for dim in card.dimensions:
        gain = dim.weight * max(0.0, GOOD_ENOUGH - dim.score)
        if gain <= 0 or not dim.advice:  # the rubric gives advice only where the score falls short of the pass line
            continue
        weak = [e for e in dim.evidence if e.polarity == "weak"]
        changes.append(Change(dim.name, dim.score, round(gain, 3), _first_sentence(dim.advice), weak[0] if weak else None))
    return sorted(changes, key=lambda c: -c.gain)[:limit]


def caps(card: Scorecard) -> list[str]:
    """Why the scores were capped (off the question, too short, no decision): the first thing to fix."""
    return [c for c in card.caveats if "capped at" in c]


def scoring_limits(card: Scorecard) -> list[str]:
    """What the scores and the talking points can get wrong (the measured figures behind them)."""
    from voicemock.assess.points import COVERAGE_LIMIT

    return [*card.limits, *([COVERAGE_LIMIT] if card.talking_points else [])]


def all_limits(card: Scorecard) -> list[str]:
    """The scores' and talking points', the structure checks' and the delivery figures' limits, each once,
    in that order."""
    seen: list[str] = []
    sources = [scoring_limits(card), card.structure.limits if card.structure else [], card.delivery.limits if card.delivery else []]
    for line in (line for group in sources for line in group):
        if line not in seen:
            seen.append(line)
    return seen


def _first_sentence(advice: str) -> str:
    # Rubric advice may add "Start with: <sentence>"; the first screen shows the sentence on its own line.
    return advice.split(" Start with:")[0].strip()
