from __future__ import annotations

import re

import pytest

from voicemock.errors import RubricError
from voicemock.resources import rubrics_dir
from voicemock.bank.rubric import LEVELS, SIGNAL_DIMENSIONS, PassRule, list_rubrics, load_rubric

TECHNICAL = (rubrics_dir() / "ai-pm-technical.toml").read_text(encoding="utf-8")
# The shipped levels move when scripts/fit_levels.py places them; the broken variants below edit
# whatever the senior line says today.
SENIOR_LINE = re.search(r"\[levels\.senior\]\nname = [^\n]*\n(offsets = \{[^}]*\})", TECHNICAL).group(1)
PM_APPLIED = load_rubric("ai-pm-technical").levels["pm"].offsets["applied"]


def test_shipped_rubrics_load():
    assert {"ai-pm-skills", "ai-pm-technical"} <= set(list_rubrics())
    technical = load_rubric()
    assert technical.id == "ai-pm-technical" and technical.default_level == "pm"
    assert technical.weights == {"conceptual": 0.30, "applied": 0.30, "production": 0.25, "communication": 0.15}
    assert technical.pass_rule == PassRule(min_average=3.5, min_dimension=3.0)
    skills = load_rubric("ai-pm-skills")
    assert len(skills.dimensions) == 6
    for rubric in (technical, skills):
        assert set(rubric.levels) == set(LEVELS)
        for dim in rubric.dimensions:
            assert sorted(dim.anchors) == [1, 2, 3, 4, 5]
            assert set(dim.draws_on) <= set(SIGNAL_DIMENSIONS) and dim.advice
            assert dim.follow_up.endswith("?"), dim.key


def test_load_by_path_equals_load_by_id():
    assert load_rubric(str(rubrics_dir() / "ai-pm-skills.toml")).weights == load_rubric("ai-pm-skills").weights


@pytest.mark.parametrize("rubric_id", ["ai-pm-technical", "ai-pm-skills"])
def test_same_answer_scores_lower_at_a_higher_level(rubric_id):
    rubric = load_rubric(rubric_id)
    raw = {d.key: 4.0 for d in rubric.dimensions}
    apm, pm, senior = (rubric.calibrate(raw, level) for level in ("apm", "pm", "senior"))
    for key in raw:
        assert apm[key] >= pm[key] >= senior[key]
        assert senior[key] < apm[key]
    # Seed 000: a 4 for an associate PM may be a 3 for a senior PM, most of all on applied and production.
    # (Where the ladder sits on the level-free scale is fitted: scripts/fit_levels.py.)
    if rubric_id == "ai-pm-technical":
        assert apm["applied"] - senior["applied"] == pytest.approx(0.9)
        assert apm["production"] - senior["production"] == pytest.approx(1.0)
        assert apm["conceptual"] - senior["conceptual"] == pytest.approx(0.4)
        at_apm = {k: 4.0 for k in raw}
        assert rubric.passes(at_apm) and not rubric.passes({k: v - (apm[k] - senior[k]) for k, v in at_apm.items()})


def test_calibration_clamps_to_the_scale():
    rubric = load_rubric()
    assert rubric.calibrate({"production": 1.2}, "senior") == {"production": 1.0}


def test_unknown_level_names_the_choices():
    with pytest.raises(RubricError, match=r"no level 'senor' \(did you mean 'senior'\?\); use one of apm, pm, senior"):
        load_rubric().level("senor")


WEIGHTS = {"a": 0.3, "b": 0.3, "c": 0.25, "d": 0.15}


@pytest.mark.parametrize(
    "scores, passed",
    [
        ({"a": 3.5, "b": 3.5, "c": 3.5, "d": 3.5}, True),  # exactly on the average bar
        ({"a": 3.0, "b": 4.0, "c": 3.5, "d": 3.5}, True),  # exactly on the dimension floor, average 3.5
        ({"a": 3.49, "b": 3.49, "c": 3.49, "d": 3.49}, False),  # a hair under the average
        ({"a": 5.0, "b": 5.0, "c": 5.0, "d": 2.9}, False),  # great average, one dimension under 3
        ({"a": 4.0, "b": 2.0, "c": 4.0, "d": 4.0}, False),  # the classic reject: concepts high, applied low
    ],
)
def test_pass_rule_edges(scores, passed):
    assert PassRule(3.5, 3.0).passes(scores, WEIGHTS) is passed


def test_pass_rule_needs_every_score_and_describes_itself():
    with pytest.raises(ValueError, match="no score for dimension"):
        PassRule(3.5, 3.0).passes({"a": 4.0}, WEIGHTS)
    assert PassRule(3.5, 3.0).describe() == "weighted average >= 3.5 with no dimension below 3"


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "weight = 0.15", "weight = 0.05",
            "dimensions[3].weight: weights sum to 0.9, not 1.0; fix the weights",
        ),
        (
            '3 = "A structured answer', '7 = "A structured answer',
            "dimensions[3].anchors.7: is not a score on the scale; anchors are keyed 1 to 5",
        ),
        (
            '3 = "Names concrete', '# 3 = "Names concrete',
            "dimensions[2].anchors.3: is missing; every score from 1 to 5 needs an anchor",
        ),
        (
            "draws_on = { applied = 1.0 }", "draws_on = { aplied = 1.0 }",
            "dimensions[1].draws_on.aplied: is not a signal dimension (did you mean 'applied'?); "
            "use conceptual, applied, production, communication",
        ),
        (
            "draws_on = { applied = 1.0 }", "draws_on = { applied = 0.5, production = 0.4 }",
            "dimensions[1].draws_on: shares sum to 0.9, not 1.0; fix the shares",
        ),
        (
            'structure_checks = ["tradeoffs", "clarifying"]', 'structure_checks = ["tradeoff"]',
            "dimensions[1].structure_checks[0]: 'tradeoff' is not a structure check (did you mean 'tradeoffs'?); "
            "use answer_first, signposting, clarifying, tradeoffs, metric, risks, summary, star, length",
        ),
        (
            SENIOR_LINE,
            re.sub(r",\s*communication = [-0-9.]+", "", SENIOR_LINE),
            "levels.senior.offsets.communication: is missing; give an offset (0.0 for none) for every signal dimension",
        ),
        (
            SENIOR_LINE,
            re.sub(r"applied = [-0-9.]+", f"applied = {PM_APPLIED - 0.05:g}", SENIOR_LINE),
            f"levels.senior.offsets.applied: {PM_APPLIED - 0.05:g} is below levels.pm's {PM_APPLIED:g}; "
            "list levels junior to senior, "
            "and give a more senior level an equal or larger offset",
        ),
        (
            "min_average = 3.5", "min_average = 35",
            "pass_rule.min_average: 35 is outside the scale 1-5; pick a score on it",
        ),
        (
            'default_level = "pm"', 'default_level = "mid"',
            "default_level: 'mid' is not a level; use one of apm, pm, senior",
        ),
        (
            "[[dimensions]]\nkey = \"conceptual\"", "[[dimensions]]\nkee = \"conceptual\"",
            "dimensions[0].kee: unknown key (did you mean 'key'?); allowed keys are advice, anchors, "
            "description, draws_on, follow_up, key, name, structure_checks, weight",
        ),
        (
            'key = "applied"', 'key = "conceptual"',
            "dimensions[1].key: 'conceptual' is used by an earlier dimension; give each dimension its own key",
        ),
    ],
)
def test_validation_errors_name_file_and_key(tmp_path, old, new, message):
    assert old in TECHNICAL
    path = tmp_path / "mine.toml"
    path.write_text(TECHNICAL.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(str(path))
    assert str(info.value) == f"{path}: {message}"


def test_unreadable_toml_gives_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    lines = TECHNICAL.splitlines()
    line_no = next(i for i, ln in enumerate(lines, 1) if ln.startswith("weight = 0.25"))
    lines[line_no - 1] = "weight = = 0.25"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(str(path))
    assert str(info.value).startswith(f"{path}: not valid TOML: ")
    assert f"(at line {line_no}, column" in str(info.value)


def test_unknown_rubric_name_and_missing_path():
    with pytest.raises(RubricError) as info:
        load_rubric("ai-pm-tecnical")
    assert str(info.value) == (
        "no rubric called 'ai-pm-tecnical' (did you mean 'ai-pm-technical'?); "
        "use one of ai-pm-skills, ai-pm-technical or a path to a .toml file"
    )
    with pytest.raises(RubricError, match=r"^nowhere/x\.toml: no such rubric file; check the path"):
        load_rubric("nowhere/x.toml")
