"""Fitting how sentence signals become answer scores: tau and the per-dimension ridge coefficients,
fitted on models/data/answers.jsonl with question-grouped cross-validation (see voicemock.assess.scoring).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicemock.assess.reading import ReadSentence, read_sentences
from voicemock.assess.evidence import AnswerEvidence, gather_evidence
from voicemock.assess.scoring import DEFAULT_AGGREGATION, SUBSTANCE_FULL, design_row, raw_signal_scores, signal_mass
from voicemock.bank.rubric import SIGNAL_DIMENSIONS, Rubric, load_rubric, signal_weights
from voicemock.errors import ClassifierError, QuestionBankError
from voicemock.speech.sentences import Sentence, split_text

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.assess.classifier import SignalClassifier
    from voicemock.bank.questions import Question

__all__ = [
    "AnswerRow",
    "read_answers",
    "fit_aggregation",
    "answer_agreement",
    "cross_validated_predictions",
    "answer_readings",
    "answer_evidence",
    "answer_question",
    "RelevancePairs",
    "relevance_pairs",
    "fit_relevance",
]

TAU_GRID = (0.5, 1.0, 2.0)
RIDGE_ALPHA = 1.0





@dataclass(frozen=True)
class AnswerRow:
    id: str
    question_id: str
    competency: str
    question: str
    text: str
    quality: str
    scores: dict[str, float]


def read_answers(path: Path) -> list[AnswerRow]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            rows.append(
                AnswerRow(
                    id=str(d["id"]), question_id=str(d.get("question_id", "")), competency=str(d.get("competency", "")),
                    question=str(d.get("question", "")), text=str(d["text"]), quality=str(d.get("quality", "")),
                    scores={k: float(d["scores"][k]) for k in SIGNAL_DIMENSIONS},
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ClassifierError(f"{path}:{n}: bad answer row ({exc}); fix the line and run `voicemock train` again") from None
    return rows


def fit_aggregation(classifier: SignalClassifier, answers: list[AnswerRow], *, questions=None, rubric: Rubric | None = None) -> dict[str, Any]:
    """Fit tau and the per-dimension ridge coefficients on answers.jsonl; see the module docstring."""
    evidences = [answer_evidence(a, classifier, questions) for a in answers]
    best = None
    for tau in TAU_GRID:
        oof = _out_of_fold(evidences, answers, tau)
        mse = sum((oof[i][d] - a.scores[d]) ** 2 for i, a in enumerate(answers) for d in SIGNAL_DIMENSIONS)
        if best is None or mse < best[0] - 1e-9:
            best = (mse, tau, oof)
    _, tau, oof = best
    coef = _fit_coef(evidences, answers, tau, range(len(answers)))
    stretch = _fit_stretch(oof, answers)
    stretched = [_stretched(p, stretch) for p in oof]
    shift = _fit_pass_shift(stretched, answers, rubric or load_rubric())
    oof = [{d: min(5.0, max(1.0, v + shift)) for d, v in p.items()} for p in stretched]
    aggregation = {"tau": tau, "coef": coef, "stretch": stretch, "pass_shift": shift, "fitted": True, "answers": len(answers)}
    aggregation["cv_rmse"] = {
        d: round(math.sqrt(sum((oof[i][d] - a.scores[d]) ** 2 for i, a in enumerate(answers)) / len(answers)), 4)
        for d in SIGNAL_DIMENSIONS
    }
    aggregation["cv"] = answer_agreement(oof, answers)
    return aggregation


def _fit_stretch(predicted: list[dict[str, float]], answers: list[AnswerRow]) -> dict[str, list[float]]:
    """Per dimension, the line that gives the predictions the targets' mean and standard deviation."""
    import numpy as np

    out = {}
    for d in SIGNAL_DIMENSIONS:
        x = np.asarray([p[d] for p in predicted])
        y = np.asarray([a.scores[d] for a in answers])
        slope = float(y.std() / x.std()) if x.std() > 1e-9 else 1.0
        out[d] = [round(float(y.mean() - slope * x.mean()), 4), round(slope, 4)]
    return out


def _stretched(scores: dict[str, float], stretch: dict[str, list[float]]) -> dict[str, float]:
    return {d: min(5.0, max(1.0, stretch[d][0] + stretch[d][1] * v)) for d, v in scores.items()}


def _fit_pass_shift(predicted: list[dict[str, float]], answers: list[AnswerRow], rubric: Rubric) -> float:
    """The shift of every predicted score whose pass decisions, on the level-free scale the targets are
    written on, best agree with the targets' (balanced accuracy; the smallest shift on ties). Not at a
    level: the levels are placed on this scale afterwards, on answers graded outside the team
    (flows/level_fit.py), and a shift fitted through them would undo that placement at the next train."""

    def passes(scores: dict[str, float], shift: float = 0.0) -> bool:
        raw = {dim.key: sum(share * (scores[s] + shift) for s, share in dim.draws_on.items()) for dim in rubric.dimensions}
        return rubric.passes({k: min(5.0, max(1.0, v)) for k, v in raw.items()})

    truth = [passes(a.scores) for a in answers]
    if all(truth) or not any(truth):
        return 0.0
    best = (-1.0, 0.0)
    for step in sorted(range(-10, 11), key=abs):
        shift = step * 0.05
        decided = [passes(p, shift) for p in predicted]
        tpr = sum(d and t for d, t in zip(decided, truth)) / sum(truth)
        tnr = sum(not d and not t for d, t in zip(decided, truth)) / (len(truth) - sum(truth))
        if (tpr + tnr) / 2 > best[0] + 1e-9:
            best = ((tpr + tnr) / 2, shift)
    return round(best[1], 2)


def answer_agreement(predicted: list[dict[str, float]], answers: list[AnswerRow], weights: dict[str, float] | None = None) -> dict[str, Any]:
    """Spearman rank correlation of predicted and target scores: per dimension, pooled, and overall."""
    from scipy.stats import spearmanr

    weights = weights or signal_weights()
    out: dict[str, Any] = {}
    for d in SIGNAL_DIMENSIONS:
        out[d] = _rho(spearmanr([p[d] for p in predicted], [a.scores[d] for a in answers]))
    pooled_p = [p[d] for p in predicted for d in SIGNAL_DIMENSIONS]
    pooled_t = [a.scores[d] for a in answers for d in SIGNAL_DIMENSIONS]
    out["pooled"] = _rho(spearmanr(pooled_p, pooled_t))
    overall_p = [sum(p[d] * w for d, w in weights.items()) for p in predicted]
    overall_t = [sum(a.scores[d] * w for d, w in weights.items()) for a in answers]
    out["overall"] = _rho(spearmanr(overall_p, overall_t))
    return out


def _rho(result) -> float:
    value = float(result.statistic if hasattr(result, "statistic") else result[0])
    return round(value, 4) if math.isfinite(value) else 0.0


def _fit_coef(evidences, answers, tau, indices) -> dict[str, list[float]]:
    import numpy as np

    coef = {}
    for d in SIGNAL_DIMENSIONS:
        rows, targets = [], []
        for i in indices:
            ev = evidences[i]
            rows.append(design_row(signal_mass(ev), d, min(1.0, ev.content_words / SUBSTANCE_FULL), tau))
            targets.append(answers[i].scores[d])
        X, y = np.asarray(rows), np.asarray(targets)
        penalty = RIDGE_ALPHA * np.eye(X.shape[1])
        penalty[0, 0] = 0.0  # the intercept is not shrunk
        coef[d] = [round(float(c), 5) for c in np.linalg.solve(X.T @ X + penalty, X.T @ y)]
    return coef


def _out_of_fold(evidences, answers, tau) -> list[dict[str, float]]:
    """Predictions for each answer from coefficients fitted without any answer to the same question."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    groups = [a.question_id or a.id for a in answers]
    folds = min(5, len(set(groups)))
    predictions: list[dict[str, float] | None] = [None] * len(answers)
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(np.zeros(len(answers)), groups=groups):
        coef = _fit_coef(evidences, answers, tau, train_idx)
        for i in test_idx:
            predictions[i] = raw_signal_scores(evidences[i], {"tau": tau, "coef": coef})
    return predictions  # type: ignore[return-value]


def cross_validated_predictions(
    classifier: SignalClassifier, answers: list[AnswerRow], *, questions=None, rewording: dict[str, str] | None = None
) -> list[dict[str, float]]:
    """Out-of-fold raw scores for every answer, with the card's tau (what `voicemock evaluate` reports).

    `questions` None asks each answer by the question text copied beside it; `rewording` (question id ->
    other words) asks it in other words."""
    evidences = [answer_evidence(a, classifier, questions, question=(rewording or {}).get(a.question_id)) for a in answers]
    aggregation = classifier.aggregation
    tau = float(aggregation.get("tau", DEFAULT_AGGREGATION["tau"]))
    predicted = _out_of_fold(evidences, answers, tau)
    if aggregation.get("stretch"):
        shift = float(aggregation.get("pass_shift", 0.0))
        predicted = [{d: min(5.0, max(1.0, v + shift)) for d, v in _stretched(p, aggregation["stretch"]).items()} for p in predicted]
    return predicted


@lru_cache(maxsize=1024)
def answer_readings(text: str, classifier: SignalClassifier) -> tuple[ReadSentence, ...]:
    """A typed answer's sentences, embedded and classified (no times). Cached per classifier: training
    and `evaluate` read each dev answer for relevance, the aggregation fit and every way of asking."""
    return tuple(read_sentences([Sentence(s, None, None) for s in split_text(text)], classifier))


def answer_evidence(answer: AnswerRow, classifier: SignalClassifier, questions=None, *, question: Question | str | None = None) -> AnswerEvidence:
    """What scoring works from for one dev answer, asked its own question (or `question` instead)."""
    asked = question if question is not None else answer_question(answer, questions)
    return gather_evidence(answer_readings(answer.text, classifier), asked, classifier=classifier)


def answer_question(answer: AnswerRow, questions) -> Question | str:
    if questions is not None and answer.question_id:
        try:
            return questions.get(answer.question_id)
        except QuestionBankError:  # an id the bank no longer has: fall back to the copied text
            pass
    return answer.question



# ---------------------------------------------------------------------------- relevance


@dataclass(frozen=True)
class RelevancePairs:
    """Cosines of dev answers with questions: their own (on-topic) and other competencies' (off-topic).
    Answers written to be off the question (quality "offtopic") count with the off-topic pairs."""

    on_topic: list[float]
    off_topic: list[float]

    def auc(self) -> float:
        from sklearn.metrics import roc_auc_score

        labels = [1] * len(self.on_topic) + [0] * len(self.off_topic)
        return round(float(roc_auc_score(labels, self.on_topic + self.off_topic)), 4)


def relevance_pairs(classifier: SignalClassifier, answers: list[AnswerRow], questions) -> RelevancePairs:
    import numpy as np

    from voicemock.assess.relevance import answer_vector

    bank = list(questions.questions) if questions is not None else []
    bank_vectors = classifier.embed([q.text for q in bank]) if bank else np.zeros((0, 1), dtype=np.float32)
    on, off = [], []
    for a in answers:
        readings = answer_readings(a.text, classifier)
        if not readings:
            continue
        vector = answer_vector(np.stack([r.vector for r in readings]))
        asked = answer_question(a, questions)
        own = float(vector @ classifier.embed([asked if isinstance(asked, str) else asked.text])[0])
        (off if a.quality == "offtopic" else on).append(own)
        off.extend(float(vector @ v) for q, v in zip(bank, bank_vectors) if q.competency != a.competency)
    return RelevancePairs(on_topic=on, off_topic=off)


def fit_relevance(pairs: RelevancePairs) -> dict[str, float]:
    """The anchors of voicemock.assess.relevance from real pairs: the two medians; the floor (scores capped)
    at the off-topic median, i.e. no closer to the question than the typical answer written for another
    competency's question, and never above the lowest on-topic answer; `low` (a caveat, no cap) just under
    the lowest on-topic answer.

    The floor is low on purpose. The encoder matches wording as well as meaning: the same question asked
    in other words (models/data/source/reworded-questions.toml) lowers an on-topic answer's cosine by 0.1-0.3,
    so a floor at the lowest on-topic answer (0.30) capped 10 of 92 dev answers asked that way."""
    import numpy as np

    from voicemock.assess.relevance import RelevanceCalibration

    on, off = np.asarray(pairs.on_topic), np.asarray(pairs.off_topic)
    lowest_on = math.floor((float(on.min()) - 0.02) * 100) / 100
    off_median = float(np.median(off))
    floor = min(round(off_median, 2), lowest_on)
    calibration = RelevanceCalibration(
        off_topic_median=off_median, on_topic_median=float(np.median(on)), floor=floor, low=max(floor, lowest_on)
    )
    return {**calibration.to_dict(), "auc": pairs.auc(), "on_topic_pairs": len(on), "off_topic_pairs": len(off)}
