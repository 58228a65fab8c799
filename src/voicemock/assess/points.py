"""Talking points by meaning: which of a question's points an answer makes, and the sentence that makes each.

A point is matched sentence by sentence. A sentence's match is its meaning cosine with the point
(the shipped encoder's unit vectors) plus a smaller share for the point's own words it repeats
(content words the question does not already hold, compared by their first five letters, so "rollout"
meets "roll out" and "staged" meets "stages"): the small encoder alone misses plain paraphrases that
keep the words. The best sentence is the evidence. Whether it *makes* the point also depends on how
the answer says things: the hand labels (models/data/source/COVERAGE.md) count a keyword with no idea
behind it, or a vague intention, as not covered, and the classifier's strong-minus-weak reading of the
answer's sentences measures that. So:

    covered  <=>  max over sentences (cosine + LEXICAL_WEIGHT * word share) + STRENGTH_WEIGHT * strength >= COVERED_AT

Measured on the hand-labelled set (models/data/source/coverage.jsonl: 462 judgments, 78 answers, 40
questions), fitted and checked by `voicemock evaluate` (flows/evaluate_points.py):
- cosine alone, best single threshold: ROC AUC 0.69, and no threshold reaches precision and recall
  0.8 together (best balanced 0.67 / 0.68); cosine with the point's `ask` or with its question as
  context, adjacent-sentence pairs, clauses, and a z-score against other competencies' sentences all
  stayed at AUC 0.69-0.71;
- the rule above: AUC 0.85. Its three constants were chosen by question-grouped 5-fold cross-validation
  (a grid over the two weights and the threshold, fitted on four fifths of the questions, measured on
  the rest): precision 0.80, recall 0.80 out of fold. Refitted on all 40 questions (the values below):
  precision 0.81, recall 0.80 on the set they were fitted on (0.81 / 0.82 with the classifier they were
  fitted with; retrained on 2026-12-04 with the v4-operations sentences). A retrained classifier moves
  `strength`, so `voicemock evaluate` reprints both.
"""

from __future__ import annotations

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
    "STRENGTH_WEIGHT",
    "PointMatch",
    "answer_strength",
    "cover_points",
    "match_points",
    "point_words",
    "word_share",
]

LEXICAL_WEIGHT = 0.4
STRENGTH_WEIGHT = 0.6
COVERED_AT = 0.495
# Said in every report that shows talking points: `voicemock evaluate` measures these on the hand labels
# (models/data/source/coverage.jsonl); the thresholds above were fitted there, 0.80 / 0.80 out of fold.
COVERAGE_LIMIT = (
    "Talking points are matched by meaning: on 462 hand-labelled judgments, 81% of the points it marked "
    "covered were covered and it found 80% of those that were; one long sentence can be counted for "
    "several points, and the sentence shown is the one a person would pick about half the time."
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

    def score(self, lexical_weight: float = LEXICAL_WEIGHT, strength_weight: float = STRENGTH_WEIGHT) -> float:
        return float(self.match(lexical_weight).max()) + strength_weight * self.strength


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
    follow-up to quote (None when the answer has no sentences); and its match score (COVERED_AT: the line)."""
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
        scores.append(m.score())
        covered = scores[-1] >= COVERED_AT
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
