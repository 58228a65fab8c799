"""A rubric's hiring rule for a whole mock loop: the [recommendation] table, read and validated.

A loop's recommendation is the first tier, from "strong hire" down, whose every bar the loop meets;
a loop that meets none is "strong no hire". The bars are about the loop's questions, each judged on
its answer and its follow-up answer scored together:

    passed             the share of questions that pass the rubric's pass rule
    weakest            the loop's weakest dimension (its mean over the questions) is at least this
    points             talking-point credit over the loop: a point made unprompted counts 1, one made
                       only after the follow-up counts `prompted_credit`, a missed one 0 (by weight)
    failed_follow_ups  at most this share of the follow-ups asked failed (left their gap open)

The tiers must be listed strongest first, each no stricter than the one above it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from voicemock.errors import RubricError

__all__ = ["RECOMMENDATIONS", "BARS", "Tier", "RecommendationRule", "parse_recommendation"]

RECOMMENDATIONS = ("strong hire", "hire", "lean hire", "lean no hire", "no hire", "strong no hire")
# bar -> True when a higher value is stricter (a minimum), False when lower is stricter (a maximum)
BARS = {"passed": True, "weakest": True, "points": True, "failed_follow_ups": False}
_BAR_RANGES = {"passed": (0.0, 1.0), "weakest": (1.0, 5.0), "points": (0.0, 1.0), "failed_follow_ups": (0.0, 1.0)}
_KEYS = {"prompted_credit", "tiers"}


@dataclass(frozen=True)
class Tier:
    verdict: str  # one of RECOMMENDATIONS, never the last (it is what meets no tier)
    bars: dict[str, float]  # bar name (BARS) -> threshold; a bar left out is not checked

    def describe(self) -> str:
        words = {
            "passed": lambda v: f"at least {v:.0%} of questions pass",
            "weakest": lambda v: f"weakest dimension >= {v:g}",
            "points": lambda v: f"talking-point credit >= {v:.0%}",
            "failed_follow_ups": lambda v: f"at most {v:.0%} of follow-ups failed",
        }
        return ", ".join(words[name](value) for name, value in self.bars.items()) or "always"


@dataclass(frozen=True)
class RecommendationRule:
    prompted_credit: float  # what a talking point made only after the follow-up counts (unprompted: 1)
    tiers: tuple[Tier, ...]  # strongest first

    def describe(self) -> str:
        lines = [f"{t.verdict}: {t.describe()}" for t in self.tiers]
        return "; ".join(lines) + f"; otherwise {RECOMMENDATIONS[-1]}"


def parse_recommendation(raw: Any, where: str) -> RecommendationRule | None:
    """The [recommendation] table of the rubric at `where` (None when the rubric has none)."""
    if raw is None:
        return None

    def fail(key: str, message: str) -> RubricError:
        return RubricError(f"{where}: recommendation{'.' + key if key else ''}: {message}")

    if not isinstance(raw, dict):
        raise fail("", "should be a table: [recommendation] with prompted_credit and tiers")
    for key in raw:
        if key not in _KEYS:
            raise fail(key, f"unknown key; allowed keys are {', '.join(sorted(_KEYS))}")
    credit = _number(raw.get("prompted_credit"), fail, "prompted_credit")
    if not 0 <= credit < 1:
        raise fail("prompted_credit", f"{credit:g} is outside [0, 1): a prompted point must count less than an unprompted one (1)")
    items = raw.get("tiers")
    if not isinstance(items, list) or not items:
        raise fail("tiers", f"is missing or empty; list the tiers {', '.join(RECOMMENDATIONS[:-1])}, strongest first")
    tiers: list[Tier] = []
    for i, item in enumerate(items):
        at = f"tiers[{i}]"
        if not isinstance(item, dict):
            raise fail(at, "should be a table like { verdict = \"hire\", passed = 0.75 }")
        verdict = item.get("verdict")
        expected = RECOMMENDATIONS[i] if i < len(RECOMMENDATIONS) - 1 else None
        if verdict != expected:
            raise fail(f"{at}.verdict", f"is {verdict!r}; the tiers are, in order: {', '.join(RECOMMENDATIONS[:-1])} "
                                        f"({RECOMMENDATIONS[-1]} is what meets no tier)")
        bars: dict[str, float] = {}
        for name, value in item.items():
            if name == "verdict":
                continue
            if name not in BARS:
                raise fail(f"{at}.{name}", f"is not a bar; use {', '.join(BARS)}")
            number = _number(value, fail, f"{at}.{name}")
            lo, hi = _BAR_RANGES[name]
            if not lo <= number <= hi:
                raise fail(f"{at}.{name}", f"{number:g} is outside [{lo:g}, {hi:g}]")
            bars[name] = number
        if tiers:
            _no_stricter(tiers[-1], Tier(verdict, bars), fail, at)
        tiers.append(Tier(verdict, bars))
    if len(tiers) != len(RECOMMENDATIONS) - 1:
        raise fail("tiers", f"has {len(tiers)} tiers; list all of {', '.join(RECOMMENDATIONS[:-1])}")
    return RecommendationRule(prompted_credit=credit, tiers=tuple(tiers))


def _number(value: Any, fail, key: str) -> float:
    if value is None:
        raise fail(key, "is missing; add it")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise fail(key, f"should be a number, not {value!r}")
    return float(value)


def _no_stricter(above: Tier, tier: Tier, fail, at: str) -> None:
    """A lower tier never asks more than the one above it: else a loop could meet it and miss a weaker one."""
    for name, value in tier.bars.items():
        upper = above.bars.get(name)
        if upper is None:
            raise fail(f"{at}.{name}", f"{above.verdict!r} above has no {name} bar, so this tier may not set one")
        stricter = value > upper if BARS[name] else value < upper
        if stricter:
            raise fail(f"{at}.{name}", f"{value:g} is stricter than {above.verdict!r}'s {upper:g}; a lower tier must ask no more")
