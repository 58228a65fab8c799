"""The interviewer's follow-up: one question aimed at the answer's biggest gap, in the interviewer's words.

The gap is the most important talking point the answer missed (highest weight; among equal weights the
surest miss, the one the answer comes least close to), and the question is that point's `ask`. On the
hand-labelled answers (models/data/source/coverage.jsonl) the point aimed at was really missed in 38 of
48 follow-ups this way, 35 of 48 when ties went to the bank's order. When no point is missed, or the question has none, it is the
weakest rubric dimension, and the question is that dimension's `follow_up` from the rubric file.

An interviewer ties the follow-up to what the candidate said, so the question opens with "You said ...":
the answer's sentence closest in meaning to the missed point (or, when none is close, the answer's most
decisive sentence), clipped to its first clause and turned to the second person ("I'd" -> "you'd",
"our" -> "your").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voicemock.records import FollowUp

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.assess.classifier import SignalClassifier
    from voicemock.assess.reading import ReadSentence
    from voicemock.bank.questions import Question
    from voicemock.bank.questions import TalkingPoint
    from voicemock.bank.rubric import Rubric
    from voicemock.records import DimensionScore, PointCoverage

__all__ = ["points_and_follow_up", "choose_follow_up", "second_person", "said_clause", "QUOTE_MIN_SIMILARITY"]

# Under this cosine the closest sentence is not about the missed point (0.24 is the median cosine of an
# answer with another competency's question, relevance.py), so the most decisive sentence is quoted instead.
QUOTE_MIN_SIMILARITY = 0.3
_CLAUSE_WORDS = (5, 16)  # a quoted clause: at least this many words before a cut, at most this many

_PRONOUNS = {
    "i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself",
    "i'd": "you'd", "i'll": "you'll", "i'm": "you're", "i've": "you've",
    "we": "you", "us": "you", "our": "your", "ours": "yours", "ourselves": "yourselves",
    "we'd": "you'd", "we'll": "you'll", "we're": "you're", "we've": "you've",
}
_AFTER_I = {"am": "are", "was": "were"}
_OPENERS = re.compile(
    r"^(?:(?:so|okay|ok|well|yeah|yes|and|but|um|uh|right|first|second|third|then|also|honestly|basically|"
    r"firstly|secondly|finally|after that|in short|to summarize)\b[,:]?\s+)+",
    re.IGNORECASE,
)
_CUTS = re.compile(r",\s+(?:because|since|so|which|but|and then|though|although|while)\b|[;:\u2014]|\s+-\s+|,\s+and\s+|,")
_DANGLING = frozenset("a an the for to of with and or but in on at by that which this is are was be as from into".split())
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?")


def second_person(text: str) -> str:
    """The candidate's words as the interviewer says them back: first person to second."""
    words = list(_WORD.finditer(text))
    out, last = [], 0
    previous = ""
    for m in words:
        word = m.group(0)
        key = word.lower().replace("\u2019", "'")
        if key in _PRONOUNS:
            swap = _PRONOUNS[key]
        elif previous == "i" and key in _AFTER_I:
            swap = _AFTER_I[key]
        else:
            swap = word
        out.append(text[last:m.start()] + swap)
        last, previous = m.end(), key
    return "".join(out) + text[last:]


def said_clause(sentence: str) -> str:
    """A short clause of `sentence`: spoken openers dropped, cut at the first clause break that leaves
    enough words, at most _CLAUSE_WORDS[1] words, in the second person, no closing punctuation."""
    text = _OPENERS.sub("", " ".join(sentence.split())).strip()
    for m in _CUTS.finditer(text):
        if len(text[: m.start()].split()) >= _CLAUSE_WORDS[0]:
            text = text[: m.start()]
            break
    words = text.split()
    if len(words) > _CLAUSE_WORDS[1]:
        words = words[: _CLAUSE_WORDS[1]]
        while len(words) > _CLAUSE_WORDS[0] and words[-1].lower().strip(",") in _DANGLING:
            words.pop()  # "... and tell the" reads as a cut; "... and tell" as a clause
        text = " ".join(words)
    text = text.rstrip(" ,.;:!?\"'")
    text = second_person(text)
    return text[:1].lower() + text[1:] if text[:2] != "I " else text


def _decisive(readings: list[ReadSentence]) -> ReadSentence | None:
    """The sentence that most reads as a decision (applied:strong), among real sentences."""
    candidates = [r for r in readings if len(r.text.split()) >= _CLAUSE_WORDS[0] and not r.text.rstrip().endswith("?")]
    return max(candidates, key=lambda r: r.signal.p("applied", "strong"), default=None)


def _reference(sentence: ReadSentence | None) -> str:
    if sentence is None:
        return ""
    clause = said_clause(sentence.text)
    return f"You said {clause}. " if len(clause.split()) >= 3 else ""


def choose_follow_up(
    points: list[TalkingPoint],
    coverage: list[PointCoverage],
    closest: list[int | None],
    scores: list[float],
    readings: list[ReadSentence],
    dimensions: list[DimensionScore],
    rubric: Rubric,
) -> FollowUp | None:
    """The follow-up for one answer: the most important missed point, else the weakest dimension
    (None when neither gives a question: no points missed and the rubric has no follow-ups)."""
    missed = [i for i, c in enumerate(coverage) if not c.covered]
    if missed:
        i = max(missed, key=lambda j: (points[j].weight, -scores[j]))
        near = closest[i]
        quoted = readings[near] if near is not None and coverage[i].similarity >= QUOTE_MIN_SIMILARITY else _decisive(readings)
        return FollowUp(
            question=_reference(quoted) + points[i].ask,
            target=points[i].text,
            reason=f"missed talking point: {points[i].text} (weight {points[i].weight})",
        )
    asks = {d.key: d.follow_up for d in rubric.dimensions if d.follow_up}
    scored = [d for d in dimensions if d.key in asks]
    if not scored:
        return None
    weakest = min(scored, key=lambda d: d.score)  # min keeps the rubric's order on ties
    return FollowUp(
        question=_reference(_decisive(readings)) + asks[weakest.key],
        target=weakest.key,
        reason=f"weakest dimension: {weakest.name} {weakest.score:.1f}",
    )


def points_and_follow_up(
    question: Question | str | None,
    readings: list[ReadSentence],
    dimensions: list[DimensionScore],
    rubric: Rubric,
    *,
    classifier: SignalClassifier,
) -> tuple[list[PointCoverage], FollowUp | None]:
    """The scorecard's talking points (a bank question's; none for a question given as text) and its follow-up."""
    from voicemock.assess.points import cover_points

    points = [] if question is None or isinstance(question, str) else list(question.points)
    text = question if isinstance(question, str) else (question.text if question is not None else None)
    coverage, closest, scores = cover_points(points, readings, classifier, text)
    return coverage, choose_follow_up(points, coverage, closest, scores, readings, dimensions, rubric)
