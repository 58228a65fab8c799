"""Relevance by meaning: how close an answer, taken as a whole, is to the question that was asked.

The answer's vector is the mean of its sentences' meaning vectors (renormalised); relevance is its cosine
with the question text's vector, mapped to 0-1 by two anchors measured on real pairs: the median cosine of
answers set against another competency's question (0) and of answers to their own question (1). Only the
question's text is used, never its bank keywords or id, so a bank question, the same question typed as
text and a coach's own question are judged alike.

The anchors and the off-topic floor are fitted by `voicemock train` (flows/answer_fit.py) on
models/data/answers.jsonl and stored in the model card; DEFAULT_CALIBRATION holds the figures measured
when this was written, for a card that predates them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["RelevanceCalibration", "DEFAULT_CALIBRATION", "Relevance", "answer_vector", "measure_relevance"]


@dataclass(frozen=True)
class RelevanceCalibration:
    off_topic_median: float  # cosine of an answer with another competency's question, median
    on_topic_median: float  # cosine of an answer with its own question, median
    floor: float  # cosine under which an answer is off the question (scores capped)
    low: float  # cosine under which the report warns that the answer drifts from the question

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RelevanceCalibration:
        return cls(**{k: float(d[k]) for k in ("off_topic_median", "on_topic_median", "floor", "low")})

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}

    def scaled(self, cosine: float) -> float:
        span = max(1e-6, self.on_topic_median - self.off_topic_median)
        return min(1.0, max(0.0, (cosine - self.off_topic_median) / span))


# Used only by a card without a fitted calibration. Measured on the 129 dev answers (124 on-topic pairs;
# 4,520 pairs with other competencies' questions): AUC 0.98; the off-topic median 0.24.
DEFAULT_CALIBRATION = RelevanceCalibration(off_topic_median=0.2433, on_topic_median=0.5817, floor=0.24, low=0.30)


@dataclass(frozen=True)
class Relevance:
    cosine: float
    score: float  # 0-1, the calibrated scale reports show
    off_topic: bool  # under the floor: scores are capped
    drifting: bool  # between the floor and `low`: the report says so


def answer_vector(vectors: np.ndarray) -> np.ndarray:
    """The mean of unit sentence vectors, back to unit length: the answer's meaning as a whole."""
    import numpy as np

    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def measure_relevance(vectors: np.ndarray, question_vector: np.ndarray, calibration: RelevanceCalibration) -> Relevance:
    cosine = float(answer_vector(vectors) @ question_vector)
    return Relevance(
        cosine=round(cosine, 4),
        score=round(calibration.scaled(cosine), 3),
        off_topic=cosine < calibration.floor,
        drifting=calibration.floor <= cosine < calibration.low,
    )
