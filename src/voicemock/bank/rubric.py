"""Rubrics: loading and validating the TOML files that say how an answer is scored.

A rubric names weighted dimensions with 1-5 anchors, the classifier signal dimensions each one draws
on, per-level offsets (the same answer scores lower at a more senior level) and a pass rule. Every
validation error names the file and the key, and says how to fix it, because users write their own.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from voicemock.errors import RubricError
from voicemock.records import LEVELS, SIGNAL_DIMENSIONS
from voicemock.bank.hints import did_you_mean, display_path
from voicemock.bank.recommendation import RecommendationRule, parse_recommendation
from voicemock.resources import rubrics_dir

__all__ = [
    "SIGNAL_DIMENSIONS", "STRUCTURE_CHECKS", "LEVELS", "signal_weights", "DEFAULT_RUBRIC", "PassRule",
    "Level", "RubricDimension", "Rubric", "load_rubric", "list_rubrics",
]

# What the structure stage checks. The signal dimensions and levels are voicemock.records'.
STRUCTURE_CHECKS = ("answer_first", "signposting", "clarifying", "tradeoffs", "metric", "risks", "summary", "star", "length")
DEFAULT_RUBRIC = "ai-pm-technical"

# Weights are typed by hand with two decimals; anything closer than this to 1.0 is 1.0.
_SUM_TOLERANCE = 1e-6
# A weighted average of 3.5 computed from float weights can come out as 3.4999999999999996.
_PASS_EPSILON = 1e-9

_TOP_KEYS = {"id", "name", "description", "scale", "default_level", "pass_rule", "dimensions", "levels", "recommendation"}
_DIMENSION_KEYS = {"key", "name", "weight", "description", "draws_on", "structure_checks", "advice", "follow_up", "anchors"}
_LEVEL_KEYS = {"name", "offsets"}
_PASS_KEYS = {"min_average", "min_dimension"}


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class PassRule:
    min_average: float  # weighted average of the calibrated dimension scores must reach this
    min_dimension: float  # and no dimension may fall below this

    def average(self, scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
        """The weighted average of `scores` (keyed like `weights`)."""
        missing = sorted(set(weights) - set(scores))
        if missing:
            raise ValueError(f"no score for dimension(s) {', '.join(missing)}")
        total = sum(weights.values())
        if total <= 0:
            raise ValueError("weights sum to 0")
        return sum(scores[k] * w for k, w in weights.items()) / total

    def passes(self, scores: Mapping[str, float], weights: Mapping[str, float]) -> bool:
        """True when the weighted average reaches min_average and every dimension reaches min_dimension."""
        if self.average(scores, weights) < self.min_average - _PASS_EPSILON:
            return False
        return all(scores[k] >= self.min_dimension - _PASS_EPSILON for k in weights)

    def describe(self) -> str:
        return f"weighted average >= {self.min_average:g} with no dimension below {self.min_dimension:g}"


@dataclass(frozen=True)
class Level:
    key: str
    name: str
    # Subtracted from a raw (level-free) score. Keyed by signal dimension, optionally also by a
    # rubric dimension key to override the draws_on mix for that dimension.
    offsets: dict[str, float]


@dataclass(frozen=True)
class RubricDimension:
    key: str
    name: str
    weight: float
    description: str
    anchors: dict[int, str]
    draws_on: dict[str, float]  # signal dimension -> share, shares sum to 1
    structure_checks: list[str]
    advice: str
    follow_up: str = ""  # the interviewer's question when this is an answer's weakest dimension ("" : none)


@dataclass(frozen=True)
class Rubric:
    id: str
    name: str
    description: str
    scale: tuple[int, int]
    dimensions: list[RubricDimension]
    levels: dict[str, Level]
    pass_rule: PassRule
    default_level: str
    path: Path
    recommendation: RecommendationRule | None = None  # a mock loop's hiring rule (bank.recommendation)

    @property
    def weights(self) -> dict[str, float]:
        return {d.key: d.weight for d in self.dimensions}

    def dimension(self, key: str) -> RubricDimension:
        for d in self.dimensions:
            if d.key == key:
                return d
        raise KeyError(key)

    def level(self, key: str | None) -> Level:
        """The level called `key` (None: the rubric's default), or a RubricError naming the choices."""
        key = key or self.default_level
        if key not in self.levels:
            raise RubricError(
                f"{display_path(self.path)}: no level {key!r}{did_you_mean(key, self.levels)}; use one of {', '.join(self.levels)}"
            )
        return self.levels[key]

    def offset(self, level: str | None, dimension_key: str) -> float:
        """How much `level` takes off a raw score on `dimension_key`.

        A dimension's own offset wins; otherwise it is the draws_on-weighted mix of the signal
        dimensions' offsets, so a rubric whose dimensions are not the signal dimensions (ai-pm-skills)
        is calibrated from the same four numbers.
        """
        lvl = self.level(level)
        if dimension_key in lvl.offsets:
            return lvl.offsets[dimension_key]
        dim = self.dimension(dimension_key)
        return sum(share * lvl.offsets[signal] for signal, share in dim.draws_on.items())

    def calibrate(
        self, raw_scores: Mapping[str, float], level: str | None = None, *,
        ceilings: Mapping[str, float | None] | None = None, shift: float = 0.0,
    ) -> dict[str, float]:
        """Raw (level-free) dimension scores to scores at `level`, clamped to the scale and held under
        `ceilings` (a cap on a short, off-topic or textbook answer binds at every level). `shift` moves
        the level's offsets, as flows/level_fit.py tries them."""
        lo, hi = self.scale
        out = {}
        for key, score in raw_scores.items():
            value = round(min(hi, max(lo, float(score) - self.offset(level, key) - shift)), 3)
            ceiling = (ceilings or {}).get(key)
            out[key] = value if ceiling is None else min(value, ceiling)
        return out

    def passes(self, scores: Mapping[str, float]) -> bool:
        """Whether calibrated `scores` pass this rubric's rule."""
        return self.pass_rule.passes(scores, self.weights)


# ---------------------------------------------------------------------------- loading


def list_rubrics() -> list[str]:
    """Ids of the shipped rubrics (every rubrics/*.toml except the question bank)."""
    return sorted(p.stem for p in rubrics_dir().glob("*.toml") if p.stem != "questions")


def load_rubric(name_or_path: str | Path | None = None) -> Rubric:
    """A shipped rubric by id (default: ai-pm-technical), or a rubric file by path, validated."""
    path = _resolve(name_or_path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricError(f"{display_path(path)}: cannot be read ({exc.strerror or exc}); check the path and its permissions") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RubricError(f"{display_path(path)}: is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        # The message already ends with "(at line N, column M)".
        raise RubricError(f"{display_path(path)}: not valid TOML: {exc}; fix the syntax there") from exc
    return _build(data, path)


def _resolve(name_or_path: str | Path | None) -> Path:
    if name_or_path is None:
        name_or_path = DEFAULT_RUBRIC
    text = str(name_or_path)
    looks_like_path = text.endswith(".toml") or "/" in text or "\\" in text
    if looks_like_path:
        path = Path(text)
        if not path.is_file():
            raise RubricError(f"{text}: no such rubric file; check the path, or pass a shipped rubric id ({', '.join(list_rubrics())})")
        return path
    path = rubrics_dir() / f"{text}.toml"
    if text == "questions" or not path.is_file():
        known = list_rubrics()
        raise RubricError(f"no rubric called {text!r}{did_you_mean(text, known)}; use one of {', '.join(known)} or a path to a .toml file")
    return path


# ---------------------------------------------------------------------------- validation


class _Checker:
    """Validation helpers that prefix every message with the file, so errors point at the line to fix."""

    def __init__(self, path: Path):
        self.where = display_path(path)

    def fail(self, key: str, message: str) -> RubricError:
        return RubricError(f"{self.where}: {key}: {message}")

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"should be a table, not {_kind(value)}")
        return value

    def unknown(self, table: dict[str, Any], allowed: set[str], key: str) -> None:
        for k in table:
            if k not in allowed:
                where = f"{key}.{k}" if key else k
                raise self.fail(where, f"unknown key{did_you_mean(k, allowed)}; allowed keys are {', '.join(sorted(allowed))}")

    def string(self, table: dict[str, Any], name: str, key: str) -> str:
        if name not in table:
            raise self.fail(key, "is missing; add it")
        value = table[name]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"should be a non-empty string, not {_kind(value)}")
        return value.strip()

    def number(self, table: dict[str, Any], name: str, key: str) -> float:
        if name not in table:
            raise self.fail(key, "is missing; add it")
        value = table[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(key, f"should be a number, not {_kind(value)}")
        return float(value)


def _build(data: dict[str, Any], path: Path) -> Rubric:
    c = _Checker(path)
    c.unknown(data, _TOP_KEYS, "")
    rubric_id = c.string(data, "id", "id")
    name = c.string(data, "name", "name")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise c.fail("description", f"should be a string, not {_kind(description)}")

    scale_value = data.get("scale", [1, 5])
    if (
        not isinstance(scale_value, list)
        or len(scale_value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in scale_value)
        or scale_value[0] >= scale_value[1]
    ):
        raise c.fail("scale", f"should be two whole numbers, low then high, like [1, 5], not {scale_value!r}")
    scale = (int(scale_value[0]), int(scale_value[1]))
    if scale != (1, 5):
        raise c.fail("scale", f"is {list(scale)}, but voicemock scores on [1, 5]; set scale = [1, 5]")

    dimensions = _dimensions(c, data, scale)
    levels = _levels(c, data, dimensions, scale)
    pass_rule = _pass_rule(c, data, scale)

    default_level = data.get("default_level", "pm")
    if not isinstance(default_level, str) or default_level not in levels:
        raise c.fail("default_level", f"{default_level!r} is not a level{did_you_mean(str(default_level), levels)}; use one of {', '.join(levels)}")

    return Rubric(
        id=rubric_id, name=name, description=description.strip(), path=path,
        scale=scale, dimensions=dimensions, levels=levels, default_level=default_level,
        pass_rule=pass_rule, recommendation=parse_recommendation(data.get("recommendation"), display_path(path)),
    )


def _dimensions(c: _Checker, data: dict[str, Any], scale: tuple[int, int]) -> list[RubricDimension]:
    items = data.get("dimensions")
    if not isinstance(items, list) or not items:
        raise c.fail("dimensions", "is missing or empty; add at least one [[dimensions]] table")
    dims: list[RubricDimension] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        at = f"dimensions[{i}]"
        t = c.table(item, at)
        c.unknown(t, _DIMENSION_KEYS, at)
        key = c.string(t, "key", f"{at}.key")
        if key in seen:
            raise c.fail(f"{at}.key", f"{key!r} is used by an earlier dimension; give each dimension its own key")
        seen.add(key)
        weight = c.number(t, "weight", f"{at}.weight")
        if not 0 < weight <= 1:
            raise c.fail(f"{at}.weight", f"{weight:g} is outside (0, 1]; weights are shares of the overall score")
        dims.append(
            RubricDimension(
                key=key,
                name=c.string(t, "name", f"{at}.name"),
                weight=weight,
                description=str(t.get("description", "")).strip(),
                anchors=_anchors(c, t, at, scale),
                draws_on=_draws_on(c, t, at),
                structure_checks=_structure_checks(c, t, at),
                advice=c.string(t, "advice", f"{at}.advice"),
                follow_up=c.string(t, "follow_up", f"{at}.follow_up") if "follow_up" in t else "",
            )
        )
    total = sum(d.weight for d in dims)
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise c.fail(f"dimensions[{len(dims) - 1}].weight", f"weights sum to {round(total, 6):g}, not 1.0; fix the weights")
    return dims


def _anchors(c: _Checker, t: dict[str, Any], at: str, scale: tuple[int, int]) -> dict[int, str]:
    raw = c.table(t.get("anchors"), f"{at}.anchors") if "anchors" in t else None
    if raw is None:
        raise c.fail(f"{at}.anchors", f"is missing; add a [dimensions.anchors] table with {scale[0]} to {scale[1]}")
    anchors: dict[int, str] = {}
    for k, v in raw.items():
        if not (isinstance(k, str) and k.isdigit() and scale[0] <= int(k) <= scale[1]):
            raise c.fail(f"{at}.anchors.{k}", f"is not a score on the scale; anchors are keyed {scale[0]} to {scale[1]}")
        if not isinstance(v, str) or not v.strip():
            raise c.fail(f"{at}.anchors.{k}", "should describe what that score looks like, as a non-empty string")
        anchors[int(k)] = v.strip()
    for score in range(scale[0], scale[1] + 1):
        if score not in anchors:
            raise c.fail(f"{at}.anchors.{score}", f"is missing; every score from {scale[0]} to {scale[1]} needs an anchor")
    return dict(sorted(anchors.items()))


def _draws_on(c: _Checker, t: dict[str, Any], at: str) -> dict[str, float]:
    if "draws_on" not in t:
        raise c.fail(f"{at}.draws_on", f"is missing; map it to signal dimensions, e.g. {{ applied = 1.0 }} ({', '.join(SIGNAL_DIMENSIONS)})")
    raw = c.table(t["draws_on"], f"{at}.draws_on")
    if not raw:
        raise c.fail(f"{at}.draws_on", f"is empty; map it to at least one of {', '.join(SIGNAL_DIMENSIONS)}")
    draws = _named_numbers(
        c, raw, f"{at}.draws_on", SIGNAL_DIMENSIONS, "is not a signal dimension",
        lambda share: None if 0 < share <= 1 else f"{share:g} is outside (0, 1]; shares say how much of the score comes from that signal",
    )
    total = sum(draws.values())
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise c.fail(f"{at}.draws_on", f"shares sum to {round(total, 6):g}, not 1.0; fix the shares")
    return draws


def _structure_checks(c: _Checker, t: dict[str, Any], at: str) -> list[str]:
    raw = t.get("structure_checks", [])
    if not isinstance(raw, list):
        raise c.fail(f"{at}.structure_checks", f"should be a list of check names, not {_kind(raw)}")
    for i, name in enumerate(raw):
        if name not in STRUCTURE_CHECKS:
            raise c.fail(
                f"{at}.structure_checks[{i}]",
                f"{name!r} is not a structure check{did_you_mean(str(name), STRUCTURE_CHECKS)}; use {', '.join(STRUCTURE_CHECKS)}",
            )
    return list(raw)


def _named_numbers(c: _Checker, raw: dict[str, Any], at: str, allowed, unknown: str, out_of_range) -> dict[str, float]:
    """A table of name -> number: each name one of `allowed`, each number accepted by `out_of_range` (None)."""
    values: dict[str, float] = {}
    for name in raw:
        key = f"{at}.{name}"
        if name not in allowed:
            raise c.fail(key, f"{unknown}{did_you_mean(name, allowed)}; use {', '.join(SIGNAL_DIMENSIONS)}")
        value = c.number(raw, name, key)
        problem = out_of_range(value)
        if problem:
            raise c.fail(key, problem)
        values[name] = value
    return values


def _levels(c: _Checker, data: dict[str, Any], dims: list[RubricDimension], scale: tuple[int, int]) -> dict[str, Level]:
    raw = c.table(data.get("levels"), "levels") if "levels" in data else None
    if raw is None:
        raise c.fail("levels", "is missing; add [levels.apm], [levels.pm] and [levels.senior] with offsets")
    for required in LEVELS:
        if required not in raw:
            raise c.fail(f"levels.{required}", f"is missing; every rubric calibrates {', '.join(LEVELS)}")
    allowed_offsets = set(SIGNAL_DIMENSIONS) | {d.key for d in dims}
    span = scale[1] - scale[0]
    levels: dict[str, Level] = {}
    previous: Level | None = None
    for key, value in raw.items():
        at = f"levels.{key}"
        t = c.table(value, at)
        c.unknown(t, _LEVEL_KEYS, at)
        offsets_raw = c.table(t.get("offsets"), f"{at}.offsets") if "offsets" in t else None
        if offsets_raw is None:
            raise c.fail(f"{at}.offsets", f"is missing; give an offset for each of {', '.join(SIGNAL_DIMENSIONS)}")
        offsets = _named_numbers(
            c, offsets_raw, f"{at}.offsets", allowed_offsets, "is neither a signal dimension nor a dimension key",
            lambda off: None if -span < off < span else (
                f"{off:g} is outside ({-span}, {span}); an offset is how much the level takes off a {scale[0]}-{scale[1]} score "
                "(negative: adds)"),
        )
        for signal in SIGNAL_DIMENSIONS:
            if signal not in offsets:
                raise c.fail(f"{at}.offsets.{signal}", "is missing; give an offset (0.0 for none) for every signal dimension")
        level = Level(key=key, name=c.string(t, "name", f"{at}.name"), offsets=offsets)
        # Levels are listed junior to senior; a more senior level must never score the same answer higher.
        if previous is not None:
            for name, off in level.offsets.items():
                before = previous.offsets.get(name)
                if before is not None and off < before - _SUM_TOLERANCE:
                    raise c.fail(
                        f"{at}.offsets.{name}",
                        f"{off:g} is below levels.{previous.key}'s {before:g}; list levels junior to senior, "
                        "and give a more senior level an equal or larger offset",
                    )
        levels[key] = level
        previous = level
    return levels


def _pass_rule(c: _Checker, data: dict[str, Any], scale: tuple[int, int]) -> PassRule:
    if "pass_rule" not in data:
        raise c.fail("pass_rule", "is missing; add [pass_rule] with min_average and min_dimension")
    t = c.table(data["pass_rule"], "pass_rule")
    c.unknown(t, _PASS_KEYS, "pass_rule")
    values = {}
    for name in ("min_average", "min_dimension"):
        value = c.number(t, name, f"pass_rule.{name}")
        if not scale[0] <= value <= scale[1]:
            raise c.fail(f"pass_rule.{name}", f"{value:g} is outside the scale {scale[0]}-{scale[1]}; pick a score on it")
        values[name] = value
    return PassRule(**values)


# ---------------------------------------------------------------------------- helpers


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (dict, list)):
        return f"a {'table' if isinstance(value, dict) else 'list'}"
    return f"{type(value).__name__} {value!r}"


def signal_weights(rubric: Rubric | None = None) -> dict[str, float]:
    """How much each signal dimension counts in `rubric`'s overall score (default: the default rubric):
    each rubric dimension's weight spread over the signal dimensions it draws on."""
    rubric = rubric or load_rubric()
    weights = {d: 0.0 for d in SIGNAL_DIMENSIONS}
    for dim in rubric.dimensions:
        for signal, share in dim.draws_on.items():
            weights[signal] += dim.weight * share
    return weights
