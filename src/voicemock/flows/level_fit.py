"""Where the levels sit on the scorer's scale, fitted on answers graded by people outside the team.

The aggregation (flows/answer_fit.py) learns a level-free 1-5 scale from the team's own scored answers.
A rubric's levels say how much each level takes off that scale per signal dimension; their *steps*
(APM -> PM -> senior) follow seed 000 ("a 4 for an APM might earn a 3 for a Senior PM"), and their
*position* is what this module fits. Left at the team's guess, the scale passed the team's long spoken
answers and failed most published model answers whose authors call them strong.

The rule, on scorecards taken at the rubric's default level:
- every level's offsets move by one number, `shift` (negative: more lenient), from a grid of 0.05 steps
  in [-1, 1], so the steps between levels stay as written;
- a shift is admissible when no *guard* passes (the team's dev answers written to fail: textbook,
  off-topic, weak, keyword-stuffed, too short) and at most 15% of the outside weak answers pass;
- of the admissible shifts, the one under which the most outside strong answers of 100+ words pass;
  on ties the strictest.
The caps (short, off-topic, textbook) are ceilings at every level, so no shift lifts an answer over
them. The guards are scored by the shipped model, whose aggregation was fitted on them (in-sample).
Scored out of fold without the structure bonus (the v5-notes model, 2026-12-04), most of them averaged
lower and none more than 0.1 higher, though a lowest dimension rose by up to 0.14 (a083, a105); the
guard is read as what the shipped scorer does to them. The shift is one number fitted on the outside
set, so the pass rate it reaches there is in-sample; `leave_one_out` is the honest figure: each strong
answer judged at the shift fitted without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.bank.rubric import Rubric
    from voicemock.records import Scorecard

__all__ = ["GUARD_QUALITIES", "Graded", "LevelFit", "fit_level", "passes_at", "SHIFT_GRID", "WEAK_PASS_MAX", "LONG_WORDS"]

GUARD_QUALITIES = ("textbook", "offtopic", "weak", "stuffed", "short")
SHIFT_GRID = tuple(round(step * 0.05, 2) for step in range(-20, 21))
WEAK_PASS_MAX = 0.15  # issue 14: at most 15% of weak answers pass
LONG_WORDS = 100  # strong answers long enough to show depth (the pass target is read on these)


@dataclass(frozen=True)
class Graded:
    """One answer graded outside the team, scored at the rubric's default level."""

    id: str
    label: str  # "strong" | "weak"
    words: int
    card: Scorecard


@dataclass(frozen=True)
class LevelFit:
    level: str
    shift: float  # what every level's offsets should move by; 0.0: the rubric already carries the fit
    strong: int  # outside strong answers of LONG_WORDS+ words
    strong_passed: int  # ... passing at `shift` (in-sample)
    leave_one_out: int  # ... passing at the shift fitted without them
    weak: int
    weak_passed: int
    guards: int
    guards_passed: int
    admissible: bool  # False: even the strictest shift passes a guard or too many weak answers


def passes_at(card: Scorecard, rubric: Rubric, shift: float) -> bool:
    """Whether `card` (as score_transcript made it, at its level) passes once that level's offsets move by
    `shift`: its raw scores calibrated again, under the same ceilings."""
    raw = {d.key: d.raw_score for d in card.dimensions}
    ceilings = {d.key: d.ceiling for d in card.dimensions}
    return rubric.passes(rubric.calibrate(raw, card.level, ceilings=ceilings, shift=shift))


def _counts(outside: list[Graded], guards: list[Scorecard], rubric: Rubric, shift: float) -> tuple[int, int, int]:
    strong = sum(passes_at(g.card, rubric, shift) for g in outside if g.label == "strong" and g.words >= LONG_WORDS)
    weak = sum(passes_at(g.card, rubric, shift) for g in outside if g.label == "weak")
    guarded = sum(passes_at(card, rubric, shift) for card in guards)
    return strong, weak, guarded


def _best_shift(outside: list[Graded], guards: list[Scorecard], rubric: Rubric) -> tuple[float, bool]:
    n_weak = sum(g.label == "weak" for g in outside)
    best: tuple[int, float] | None = None
    for shift in SHIFT_GRID:
        strong, weak, guarded = _counts(outside, guards, rubric, shift)
        if guarded or weak > WEAK_PASS_MAX * n_weak:
            continue
        if best is None or strong > best[0] or (strong == best[0] and shift > best[1]):
            best = (strong, shift)
    return (best[1], True) if best is not None else (SHIFT_GRID[-1], False)


def fit_level(outside: list[Graded], guards: list[Scorecard], rubric: Rubric) -> LevelFit:
    """The shift of the levels that passes the most outside strong answers without passing a guard."""
    shift, admissible = _best_shift(outside, guards, rubric)
    strong_passed, weak_passed, guards_passed = _counts(outside, guards, rubric, shift)
    long_strong = [g for g in outside if g.label == "strong" and g.words >= LONG_WORDS]
    loo = 0
    for held in long_strong:
        rest = [g for g in outside if g is not held]
        loo += passes_at(held.card, rubric, _best_shift(rest, guards, rubric)[0])
    levels = {g.card.level for g in outside} | {c.level for c in guards}
    return LevelFit(
        level=", ".join(sorted(levels)), shift=shift, strong=len(long_strong), strong_passed=strong_passed, leave_one_out=loo,
        weak=sum(g.label == "weak" for g in outside), weak_passed=weak_passed, guards=len(guards), guards_passed=guards_passed,
        admissible=admissible,
    )
