"""Talking points by meaning: which of a question's points an answer makes, and the sentence that makes each.

A point is matched sentence by sentence. A sentence's match is its meaning cosine with the point
(the shipped encoder's unit vectors) plus a share for the point's own words it repeats
(content words the question does not already hold, compared by their first five letters, so "rollout"
meets "roll out" and "staged" meets "stages"): the small encoder alone misses plain paraphrases that
keep the words. The best sentence is the evidence. Whether it *makes* the point also depends on how
the answer says things: the hand labels (models/data/source/COVERAGE.md) count a keyword with no idea
behind it, or a vague intention, as not covered, and the classifier's strong-minus-weak reading of the
answer's sentences measures that. But that reading is the answer's, not the point's, so it may only
tip a sentence that already matches the point: on its own it made any strong sentence "cover" every
point (a one-sentence answer covered 6 of 6). So:

    match    =  max over sentences (cosine + LEXICAL_WEIGHT * word share)
    covered  <=>  match >= MATCH_FLOOR  and  match + STRENGTH_WEIGHT * strength >= COVERED_AT

Measured on the hand-labelled set (models/data/source/coverage.jsonl: 462 judgments, 78 answers, 40
questions), fitted and checked by `voicemock evaluate` (flows/evaluate_points.py):
- cosine alone, best single threshold: ROC AUC 0.69, and no threshold reaches precision and recall
  0.8 together (best balanced 0.67 / 0.68); cosine with the point's `ask` or with its question as
  context, adjacent-sentence pairs, clauses, and a z-score against other competencies' sentences all
  stayed at AUC 0.69-0.71;
- the two weights and COVERED_AT are chosen by question-grouped 5-fold cross-validation (a grid,
  fitted on four fifths of the questions, measured on the rest): precision 0.81, recall 0.81 out of
  fold; refitted on all 40 questions, the values below (0.82 / 0.81 on the set they were fitted on).
  With the classifier retrained on batch v5-notes the same constants give 0.82 / 0.80, and 0.80 / 0.78
  out of fold; on batch v6-ops, 0.81 / 0.80, and 0.80 / 0.80 out of fold;
- MATCH_FLOOR is not fitted for precision and recall: it is the highest floor (in steps of 0.025) at
  which they stay at 0.8 or more, read on single-sentence answers made from the labels (each of the
  235 sentences the labeller named, alone as the answer). Without the floor (the rule before
  2026-12-04: weights 0.4 / 0.6, line 0.495) such an answer was credited with 48% of the points its
  whole answer never made, and 74% of its own; with it, 17% and 62%. `voicemock evaluate` prints both.
A retrained classifier moves `strength`, so `voicemock evaluate` reprints all of these figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Sequence
from typing import TYPE_CHECKING

from voicemock.records import PointCoverage, PointEvidence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from voicemock.assess.classifier import SignalClassifier
    from voicemock.assess.reading import ReadSentence
    from voicemock.bank.questions import TalkingPoint

__all__ = [
    "COVERED_AT",
    "COVERAGE_LIMIT",
    "LEXICAL_WEIGHT",
    "MATCH_FLOOR",
    "STRENGTH_WEIGHT",
    "PointMatch",
    "answer_strength",
    "cover_points",
    "match_points",
    "point_words",
    "word_share",
]

LEXICAL_WEIGHT = 0.8
STRENGTH_WEIGHT = 0.8
COVERED_AT = 0.499
MATCH_FLOOR = 0.375
# Said in every report that shows talking points: `voicemock evaluate` measures these on the hand labels
# (models/data/source/coverage.jsonl), where the constants above were fitted (figures in the docstring).
COVERAGE_LIMIT = (
    "Talking points are matched by meaning: on 462 hand-labelled judgments, 81% of the points it marked "
    "covered were covered and it found 80% of those that were; one long sentence can be counted for "
    "several points, a one-sentence answer is credited with a point it did not make about one time in "
    "six, and the sentence shown is the one a person would pick more than half the time."
)
_STEM = 5  # letters of a word compared: "staged"/"stages", "rollout"/"rollouts"


@dataclass(frozen=True)
class PointMatch:
    """How every sentence of the answer matches one point, before the covered rule is applied."""

    cosines: np.ndarray  # per sentence, meaning cosine with the point
    shares: np.ndarray  # per sentence, share of the point's own words it says
    strength: float  # the answer's mean strong-minus-weak reading

    def match(self, lexical_weight: float = LEXICAL_WEIGHT) -> np.ndarray:
        return self.cosines + lexical_weight * self.shares

    def best(self, lexical_weight: float = LEXICAL_WEIGHT) -> int:
        return int(self.match(lexical_weight).argmax())

    def score(self, lexical_weight: float = LEXICAL_WEIGHT, strength_weight: float = STRENGTH_WEIGHT,
              floor: float = MATCH_FLOOR) -> float:
        """Compared with COVERED_AT. Under the floor the answer's strength is not added, and since the
        floor is under COVERED_AT such a point is never covered."""
        best = float(self.match(lexical_weight).max())
        return best + strength_weight * self.strength if best >= floor else best


def _stems(text: str) -> set[str]:
    from voicemock.assess.features import content_words, tokenize

    return {w[:_STEM] for w in content_words(tokenize(text))}


def point_words(point: str, question: str | None) -> set[str]:
    """The point's own words: those the question does not already hold (all of them if it holds every one)."""
    words = _stems(point)
    return (words - _stems(question)) or words if question else words


def word_share(words: set[str], sentence: str) -> float:
    return len(words & _stems(sentence)) / len(words) if words else 0.0


def answer_strength(readings: Sequence[ReadSentence]) -> float:
    """Mean over the answer's sentences of p(any dimension strong) - p(any dimension weak)."""
    if not readings:
        return 0.0
    total = 0.0
    for r in readings:
        probs = r.signal.probs
        total += sum(v for k, v in probs.items() if k.endswith(":strong")) - sum(v for k, v in probs.items() if k.endswith(":weak"))
    return total / len(readings)


def match_points(
    points: list[TalkingPoint], readings: Sequence[ReadSentence], classifier: SignalClassifier, question: str | None = None
) -> list[PointMatch]:
    """Each point against each sentence (no sentences: no matches)."""
    import numpy as np

    if not points or not readings:
        return []
    vectors = np.stack([r.vector for r in readings])
    point_vectors = classifier.embed([p.text for p in points])
    strength = answer_strength(readings)
    out = []
    for point, pv in zip(points, point_vectors):
        words = point_words(point.text, question)
        out.append(
            PointMatch(
                cosines=vectors @ pv,
                shares=np.array([word_share(words, r.text) for r in readings], dtype=np.float32),
                strength=strength,
            )
        )
    return out


def cover_points(
    points: list[TalkingPoint], readings: Sequence[ReadSentence], classifier: SignalClassifier, question: str | None = None
) -> tuple[list[PointCoverage], list[int | None], list[float]]:
    """Each point's coverage; the index (into `readings`) of its closest sentence, covered or not, for the
    follow-up to quote (None when the answer has no sentences); and how near it came, for ranking the
    missed points (the match plus the strength term, floor or not: the floor says yes or no, it is no
    measure of how far a point was missed)."""
    matches = match_points(points, readings, classifier, question)
    coverage: list[PointCoverage] = []
    closest: list[int | None] = []
    scores: list[float] = []
    for i, point in enumerate(points):
        if not matches:
            coverage.append(PointCoverage(point=point.text, covered=False, similarity=0.0, weight=point.weight))
            closest.append(None)
            scores.append(0.0)
            continue
        m = matches[i]
        best = m.best()
        covered = m.score() >= COVERED_AT
        scores.append(m.score(floor=-math.inf))
        r = readings[best]
        coverage.append(
            PointCoverage(
                point=point.text,
                covered=covered,
                similarity=round(min(1.0, max(0.0, float(m.cosines[best]))), 3),
                evidence=PointEvidence(text=r.text, start=r.start, end=r.end, sentence=r.index) if covered else None,
                weight=point.weight,
            )
        )
        closest.append(best)
    return coverage, closest, scores
