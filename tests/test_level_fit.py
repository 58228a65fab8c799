"""The levels' position on the scorer's scale, fitted on answers graded outside the team."""

from __future__ import annotations

from dataclasses import replace

import pytest

from voicemock.bank.rubric import Level, load_rubric
from voicemock.flows.level_fit import SHIFT_GRID, Graded, fit_level, passes_at
from voicemock.records import DimensionScore, Scorecard

KEYS = ("conceptual", "applied", "production", "communication")


@pytest.fixture(scope="module")
def rubric():
    """The shipped rubric with its pm level fixed at offsets 0.2/0.4/0.4/0.2, so the figures below do
    not move when scripts/fit_levels.py moves the shipped ladder."""
    shipped = load_rubric("ai-pm-technical")
    pm = Level("pm", "PM", {"conceptual": 0.2, "applied": 0.4, "production": 0.4, "communication": 0.2})
    return replace(shipped, levels={**shipped.levels, "pm": pm})


def card(rubric, raw: float, ceiling: float | None = None, level: str = "pm") -> Scorecard:
    """A scorecard at `level` whose every dimension has the level-free score `raw`."""
    dims = []
    for key in KEYS:
        score = min(5.0, max(1.0, raw - rubric.offset(level, key)))
        score = min(score, ceiling) if ceiling is not None else score
        dims.append(DimensionScore(key, key, rubric.weights[key], score, score, score, raw_score=raw, ceiling=ceiling))
    return Scorecard("<text>", rubric.id, level, 0.0, False, dims)


def test_a_shift_moves_the_level_but_not_a_ceiling(rubric):
    strong = card(rubric, 3.6)
    assert not passes_at(strong, rubric, 0.0)  # pm takes up to 0.4 off a 3.6
    assert passes_at(strong, rubric, -0.4)
    capped = card(rubric, 3.6, ceiling=2.9)
    assert not passes_at(capped, rubric, min(SHIFT_GRID))


def test_the_fit_passes_the_most_outside_strong_answers_without_passing_a_guard(rubric):
    outside = [Graded(f"s{i}", "strong", 150, card(rubric, raw)) for i, raw in enumerate((3.3, 3.45, 3.6, 3.8, 4.2))]
    outside += [Graded("w1", "weak", 40, card(rubric, 2.2))]
    guards = [card(rubric, 3.5)]  # a dev answer written to fail, scored 3.5 level-free
    fit = fit_level(outside, guards, rubric)
    # At pm a level-free score x averages x - 0.31 (offsets 0.2/0.4/0.4/0.2 by weight): the guard (3.5)
    # reaches the 3.5 pass line at shift -0.31, so -0.30 is the most lenient admissible shift. There 3.6,
    # 3.8 and 4.2 pass and 3.45 does not; 3.6 passes from -0.25 on, the strictest shift that keeps three.
    assert fit.admissible and fit.guards_passed == 0
    assert (fit.strong_passed, fit.strong, fit.shift) == (3, 5, -0.25)
    assert passes_at(outside[2].card, rubric, fit.shift) and not passes_at(guards[0], rubric, -0.3)
    assert passes_at(guards[0], rubric, -0.35)
    # Held out, 3.6 is judged at the shift fitted on the others (-0.05, where 3.8 and 4.2 just pass) and
    # fails: leave-one-out passes two, not three.
    assert fit.leave_one_out == 2


def test_no_admissible_shift_is_said(rubric):
    outside = [Graded("s", "strong", 150, card(rubric, 3.0))]
    fit = fit_level(outside, [card(rubric, 5.0)], rubric)
    assert not fit.admissible and fit.shift == max(SHIFT_GRID)
