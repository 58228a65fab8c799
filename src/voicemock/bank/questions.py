"""The question bank: loading and validating the TOML file of practice questions.

The shipped bank is rubrics/questions.toml; users pass their own with `--questions FILE`, so every
validation error names the file and the key, and says how to fix it.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from voicemock.errors import QuestionBankError
from voicemock.bank.hints import did_you_mean, display_path
from voicemock.resources import rubrics_dir

__all__ = ["Competency", "TalkingPoint", "Question", "QuestionBank", "load_bank", "default_bank_path"]

# Question ids are "<competency-slug>-<two digits>" (HELPERS.md), e.g. "cost-latency-routing-03".
_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_ID = re.compile(r"^(?P<competency>[a-z][a-z0-9-]*)-(?P<number>\d{2})$")
# Shorter than a sentence or longer than a long answer is a typo in target_seconds, not a target.
_TARGET_RANGE = (15, 900)

_TOP_KEYS = {"competencies", "questions"}
_COMPETENCY_KEYS = {"name", "description", "strong", "common_failure"}
_QUESTION_KEYS = {"id", "competency", "text", "target_seconds", "follow_ups", "keywords", "points", "audio"}
_POINT_KEYS = {"text", "weight", "ask"}
_POINT_WEIGHTS = (1, 3)


@dataclass(frozen=True)
class Competency:
    slug: str
    name: str
    description: str
    strong: str  # what a strong answer looks like
    common_failure: str


@dataclass(frozen=True)
class TalkingPoint:
    """One idea a strong answer covers, and what an interviewer asks when it is missing."""

    text: str
    weight: int  # 1-3; 3: an interviewer would fail the answer without it
    ask: str  # the follow-up question for an answer that misses the point

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "weight": self.weight, "ask": self.ask}


@dataclass(frozen=True)
class Question:
    id: str
    competency: str
    text: str
    target_seconds: int | None  # None for a question given as text
    follow_ups: list[str]
    keywords: list[str]  # relevance terms: an answer touching none of them is probably off the question
    audio_path: Path | None  # the declared recording of `text` (absolute); it may not exist
    points: list[TalkingPoint] = field(default_factory=list)  # most important first; a custom bank may have none

    @classmethod
    def from_text(cls, text: str) -> Question:
        """A question given as text (`--question-text`, a batch's question): no id, bank or keywords."""
        return cls(id="", competency="", text=text, target_seconds=None, follow_ups=[], keywords=[], audio_path=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "competency": self.competency,
            "text": self.text,
            "target_seconds": self.target_seconds,
            "follow_ups": list(self.follow_ups),
            "keywords": list(self.keywords),
            "points": [p.to_dict() for p in self.points],
            "audio": str(self.audio_path) if self.audio_path else None,
        }


@dataclass(frozen=True)
class QuestionBank:
    path: Path
    competencies: dict[str, Competency]
    questions: list[Question]

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def get(self, question_id: str) -> Question:
        """The question with this id, or a QuestionBankError naming the closest ids."""
        for q in self.questions:
            if q.id == question_id:
                return q
        close = difflib.get_close_matches(question_id, self.ids, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "list them with `voicemock questions`"
        raise QuestionBankError(f"{display_path(self.path)}: no question with id {question_id!r}; {hint}")

    def filter(self, competency: str | None = None) -> list[Question]:
        """Questions of one competency (all of them for None), in bank order."""
        if competency is None:
            return list(self.questions)
        if competency not in self.competencies:
            close = difflib.get_close_matches(competency, list(self.competencies), n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise QuestionBankError(
                f"{display_path(self.path)}: no competency {competency!r}; {hint}use one of {', '.join(self.competencies)}"
            )
        return [q for q in self.questions if q.competency == competency]


def default_bank_path() -> Path:
    return rubrics_dir() / "questions.toml"


def load_bank(path: str | Path | None = None) -> QuestionBank:
    """The shipped question bank, or the bank at `path`, validated."""
    bank_path = Path(path) if path is not None else default_bank_path()
    where = display_path(bank_path)
    if not bank_path.is_file():
        raise QuestionBankError(f"{where}: no such question bank file; check the path (or leave out --questions for the built-in bank)")
    try:
        data = tomllib.loads(bank_path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise QuestionBankError(f"{where}: cannot be read ({exc.strerror or exc}); check its permissions") from exc
    except UnicodeDecodeError as exc:
        raise QuestionBankError(f"{where}: is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise QuestionBankError(f"{where}: not valid TOML: {exc}; fix the syntax there") from exc
    return _build(data, bank_path)


# ---------------------------------------------------------------------------- validation


def _build(data: dict[str, Any], path: Path) -> QuestionBank:
    where = display_path(path)

    def fail(key: str, message: str) -> QuestionBankError:
        return QuestionBankError(f"{where}: {key}: {message}")

    for k in data:
        if k not in _TOP_KEYS:
            raise fail(k, f"unknown key{did_you_mean(k, _TOP_KEYS)}; a bank has [competencies.<slug>] tables and [[questions]]")

    raw_comps = data.get("competencies")
    if not isinstance(raw_comps, dict) or not raw_comps:
        raise fail("competencies", "is missing or empty; add a [competencies.<slug>] table for each competency")
    competencies: dict[str, Competency] = {}
    for slug, table in raw_comps.items():
        at = f"competencies.{slug}"
        if not _SLUG.match(slug):
            raise fail(at, "a competency slug is lower-case words joined by hyphens, e.g. 'cost-latency-routing'")
        if not isinstance(table, dict):
            raise fail(at, "should be a table with name, description, strong and common_failure")
        for k in table:
            if k not in _COMPETENCY_KEYS:
                raise fail(f"{at}.{k}", f"unknown key{did_you_mean(k, _COMPETENCY_KEYS)}; allowed keys are {', '.join(sorted(_COMPETENCY_KEYS))}")
        competencies[slug] = Competency(
            slug=slug,
            name=_text(table, "name", at, fail),
            description=_text(table, "description", at, fail, required=False),
            strong=_text(table, "strong", at, fail, required=False),
            common_failure=_text(table, "common_failure", at, fail, required=False),
        )

    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise fail("questions", "is missing or empty; add at least one [[questions]] table")
    questions: list[Question] = []
    seen: set[str] = set()
    for i, table in enumerate(raw_questions):
        at = f"questions[{i}]"
        if not isinstance(table, dict):
            raise fail(at, "should be a [[questions]] table")
        for k in table:
            if k not in _QUESTION_KEYS:
                raise fail(f"{at}.{k}", f"unknown key{did_you_mean(k, _QUESTION_KEYS)}; allowed keys are {', '.join(sorted(_QUESTION_KEYS))}")
        qid = _text(table, "id", at, fail)
        competency = _text(table, "competency", at, fail)
        if competency not in competencies:
            raise fail(
                f"{at}.competency",
                f"{competency!r} has no [competencies.{competency}] table{did_you_mean(competency, competencies)}; "
                f"use one of {', '.join(competencies)} or add the table",
            )
        m = _ID.match(qid)
        if not m or m.group("competency") != competency:
            raise fail(f"{at}.id", f"{qid!r} should be '<competency>-<two digits>', e.g. '{competency}-01'")
        if qid in seen:
            raise fail(f"{at}.id", f"{qid!r} is used by an earlier question; give each question its own id")
        seen.add(qid)
        target = table.get("target_seconds")
        if isinstance(target, bool) or not isinstance(target, int):
            raise fail(f"{at}.target_seconds", f"should be a whole number of seconds, not {target!r}")
        if not _TARGET_RANGE[0] <= target <= _TARGET_RANGE[1]:
            raise fail(f"{at}.target_seconds", f"{target} is outside {_TARGET_RANGE[0]}-{_TARGET_RANGE[1]} seconds; a spoken answer is one to three minutes")
        audio = table.get("audio")
        if audio is not None and (not isinstance(audio, str) or not audio.strip()):
            raise fail(f"{at}.audio", "should be a file path relative to the bank, e.g. 'audio/evals-01.ogg'")
        questions.append(
            Question(
                id=qid,
                competency=competency,
                text=_text(table, "text", at, fail),
                target_seconds=target,
                follow_ups=_strings(table, "follow_ups", at, fail),
                keywords=_strings(table, "keywords", at, fail),
                audio_path=(path.parent / audio).resolve() if audio else None,
                points=_points(table, at, fail),
            )
        )
    return QuestionBank(path=path, competencies=competencies, questions=questions)


def _points(table: dict[str, Any], at: str, fail) -> list[TalkingPoint]:
    value = table.get("points", [])
    example = '[{ text = "...", weight = 3, ask = "...?" }]'
    if not isinstance(value, list):
        raise fail(f"{at}.points", f"should be a list of talking points, like {example}, not {value!r}")
    points = []
    for j, item in enumerate(value):
        where = f"{at}.points[{j}]"
        if not isinstance(item, dict):
            raise fail(where, f"should be a table like {example}, not {item!r}")
        for k in item:
            if k not in _POINT_KEYS:
                raise fail(f"{where}.{k}", f"unknown key{did_you_mean(k, _POINT_KEYS)}; allowed keys are {', '.join(sorted(_POINT_KEYS))}")
        weight = item.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int) or not _POINT_WEIGHTS[0] <= weight <= _POINT_WEIGHTS[1]:
            raise fail(f"{where}.weight", f"should be a whole number from {_POINT_WEIGHTS[0]} to {_POINT_WEIGHTS[1]} (3: the answer fails without it), not {weight!r}")
        ask = _text(item, "ask", where, fail)
        if not ask.endswith("?"):
            raise fail(f"{where}.ask", f"{ask!r} should be the interviewer's question, ending with '?'")
        points.append(TalkingPoint(text=_text(item, "text", where, fail), weight=weight, ask=ask))
    return points


def _text(table: dict[str, Any], name: str, at: str, fail, required: bool = True) -> str:
    value = table.get(name)
    if value is None and not required:
        return ""
    if value is None:
        raise fail(f"{at}.{name}", "is missing; add it")
    if not isinstance(value, str) or not value.strip():
        raise fail(f"{at}.{name}", f"should be a non-empty string, not {value!r}")
    return " ".join(value.split())


def _strings(table: dict[str, Any], name: str, at: str, fail) -> list[str]:
    value = table.get(name, [])
    if not isinstance(value, list):
        raise fail(f"{at}.{name}", f"should be a list of strings, like [\"...\", \"...\"], not {value!r}")
    for j, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise fail(f"{at}.{name}[{j}]", f"should be a non-empty string, not {item!r}")
    return [" ".join(item.split()) for item in value]
