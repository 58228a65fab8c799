"""The [recommendation] table of a rubric: the hiring rule of a mock loop, validated like the rest of the file."""

from __future__ import annotations

import re

import pytest

from voicemock.bank.recommendation import RECOMMENDATIONS, parse_recommendation
from voicemock.bank.rubric import list_rubrics, load_rubric
from voicemock.errors import RubricError

GOOD = {
    "prompted_credit": 0.5,
    "tiers": [
        {"verdict": "strong hire", "passed": 1.0, "weakest": 3.5, "points": 0.7, "failed_follow_ups": 0.0},
        {"verdict": "hire", "passed": 0.75, "weakest": 3.0, "points": 0.55, "failed_follow_ups": 0.25},
        {"verdict": "lean hire", "passed": 0.5, "weakest": 2.5},
        {"verdict": "lean no hire", "passed": 0.25, "weakest": 2.0},
        {"verdict": "no hire", "weakest": 1.5},
    ],
}


@pytest.mark.parametrize("rubric", list_rubrics())
def test_every_shipped_rubric_states_a_recommendation_rule(rubric):
    rule = load_rubric(rubric).recommendation
    assert rule is not None
    assert [t.verdict for t in rule.tiers] + ["strong no hire"] == list(RECOMMENDATIONS)
    assert 0 < rule.prompted_credit < 1
    assert rule.describe().endswith("otherwise strong no hire")


def test_a_good_table_reads_back():
    rule = parse_recommendation(GOOD, "r.toml")
    assert rule.tiers[1].bars == {"passed": 0.75, "weakest": 3.0, "points": 0.55, "failed_follow_ups": 0.25}
    assert parse_recommendation(None, "r.toml") is None


def _with(tier: int, **change):
    tiers = [dict(t) for t in GOOD["tiers"]]
    tiers[tier].update(change)
    return {**GOOD, "tiers": tiers}


@pytest.mark.parametrize("table, message", [
    ({**GOOD, "prompted_credit": 1.0}, "recommendation.prompted_credit: 1 is outside [0, 1)"),
    ({**GOOD, "extra": 1}, "recommendation.extra: unknown key"),
    ({**GOOD, "tiers": GOOD["tiers"][:4]}, "recommendation.tiers: has 4 tiers"),
    (_with(0, verdict="hire"), "recommendation.tiers[0].verdict: is 'hire'; the tiers are, in order: strong hire, hire"),
    (_with(2, passed=0.9), "recommendation.tiers[2].passed: 0.9 is stricter than 'hire''s 0.75"),
    (_with(3, points=0.2), "recommendation.tiers[3].points: 'lean hire' above has no points bar"),
    (_with(1, weakest=7), "recommendation.tiers[1].weakest: 7 is outside [1, 5]"),
    (_with(1, pace=1), "recommendation.tiers[1].pace: is not a bar"),
])
def test_a_bad_table_names_the_key_and_the_fix(table, message):
    with pytest.raises(RubricError, match=re.escape(f"r.toml: {message}")):
        parse_recommendation(table, "r.toml")
