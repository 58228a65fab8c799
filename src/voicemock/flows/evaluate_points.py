"""Talking-point coverage against the hand labels, printed by `voicemock evaluate`.

The hand-labelled set is models/data/source/coverage.jsonl (datasheet: COVERAGE.md): one row per
(answer, point) judgment, `covered` true or false, with the sentence that makes the point. Three figures:

- the shipped rule (assess/points.py constants) on every judgment: precision, recall, and how often its
  evidence is the labeller's sentence. Its constants were fitted on this same set, so this is in-sample;
- the same rule refitted by question-grouped 5-fold cross-validation (grid over the two weights and the
  threshold, chosen on four fifths of the questions, applied to the rest): the honest figure;
- the baseline, meaning cosine alone, with the threshold that balances precision and recall best on the
  whole set (in-sample, so if anything flattering);
- single-sentence answers: each sentence a labeller named as making a point, alone as the answer. It
  should still cover the points it was named for, and not the points its whole answer never made
  (labelled not covered). Answers of one or two sentences are where a rule that leans on the answer's
  overall quality over-covers, and the full answers above cannot show it.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.assess.classifier import SignalClassifier
    from voicemock.assess.points import PointMatch
    from voicemock.bank.questions import QuestionBank
    from voicemock.flows.answer_fit import AnswerRow

__all__ = ["CoverageJudgment", "read_coverage", "coverage_figures", "format_coverage", "GRID"]

FOLDS = 5
# The cross-validation grid: lexical weight, strength weight; thresholds are the training folds' quantiles.
GRID = (tuple(x / 10 for x in range(0, 9)), tuple(x / 10 for x in range(0, 13, 2)))


@dataclass(frozen=True)
class CoverageJudgment:
    answer_id: str
    question_id: str
    point: int
    covered: bool
    sentence: str | None


def read_coverage(path: Path) -> list[CoverageJudgment]:
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [CoverageJudgment(d["answer_id"], d["question_id"], int(d["point"]), bool(d["covered"]), d.get("sentence")) for d in rows]


def _precision_recall(truth: list[bool], predicted: list[bool]) -> tuple[float, float]:
    hits = sum(t and p for t, p in zip(truth, predicted))
    return hits / max(1, sum(predicted)), hits / max(1, sum(truth))


def _balanced_threshold(scores: list[float], truth: list[bool]) -> float:
    """The threshold whose worse of precision and recall is highest on (scores, truth)."""
    import numpy as np

    best_t, best = 0.0, -1.0
    for t in np.quantile(scores, np.linspace(0.1, 0.9, 81)):
        value = min(_precision_recall(truth, [s >= t for s in scores]))
        if value > best:
            best_t, best = float(t), value
    return best_t


def _grouped_cv(matches: list[PointMatch], truth: list[bool], groups: list[str]) -> tuple[float, float]:
    """Out-of-fold precision and recall of the rule refitted on the other questions' judgments."""
    from sklearn.model_selection import GroupKFold

    predicted = [False] * len(truth)
    for train, test in GroupKFold(FOLDS).split(truth, truth, groups):
        best = (-1.0, 0.0, 0.0, 0.0)
        for lexical, strength in itertools.product(*GRID):
            scores = [matches[i].score(lexical, strength) for i in train]
            t = _balanced_threshold(scores, [truth[i] for i in train])
            value = min(_precision_recall([truth[i] for i in train], [s >= t for s in scores]))
            if value > best[0]:
                best = (value, lexical, strength, t)
        _, lexical, strength, t = best
        for i in test:
            predicted[i] = matches[i].score(lexical, strength) >= t
    return _precision_recall(truth, predicted)


def coverage_figures(
    classifier: SignalClassifier, data_dir: Path, bank: QuestionBank, answers: list[AnswerRow], *, cross_validate: bool = True
) -> dict[str, Any]:
    """Precision and recall of talking-point coverage on the hand labels ({} when the set is absent)."""
    from voicemock.assess.points import COVERED_AT, cover_points, match_points
    from voicemock.flows.answer_fit import answer_readings

    judgments = read_coverage(Path(data_dir) / "source" / "coverage.jsonl")
    by_id = {a.id: a for a in answers}
    judgments = [j for j in judgments if j.answer_id in by_id]
    if not judgments:
        return {}
    readings, matched, covered, evidence = {}, {}, {}, {}
    for answer_id in dict.fromkeys(j.answer_id for j in judgments):
        answer = by_id[answer_id]
        question = bank.get(answer.question_id)
        readings[answer_id] = answer_readings(answer.text, classifier)
        matched[answer_id] = match_points(question.points, readings[answer_id], classifier, question.text)
        coverage, _, _ = cover_points(question.points, readings[answer_id], classifier, question.text)
        covered[answer_id] = [c.covered for c in coverage]
        evidence[answer_id] = [c.evidence.text if c.evidence else None for c in coverage]
    truth = [j.covered for j in judgments]
    predicted = [covered[j.answer_id][j.point] for j in judgments]
    precision, recall = _precision_recall(truth, predicted)
    both = [j for j, p in zip(judgments, predicted) if j.covered and p and j.sentence]
    same_sentence = sum(1 for j in both if j.sentence in (evidence[j.answer_id][j.point] or "") or (evidence[j.answer_id][j.point] or "") in j.sentence)
    matches = [matched[j.answer_id][j.point] for j in judgments]
    cosines = [float(m.cosines.max()) for m in matches]
    t = _balanced_threshold(cosines, truth)
    base_p, base_r = _precision_recall(truth, [c >= t for c in cosines])
    figures: dict[str, Any] = {
        "judgments": len(judgments),
        "answers": len(readings),
        "questions": len({j.question_id for j in judgments}),
        "covered_by_hand": sum(truth),
        "rule": {"precision": round(precision, 4), "recall": round(recall, 4), "threshold": COVERED_AT},
        "evidence_agrees": round(same_sentence / max(1, len(both)), 4),
        "baseline_cosine": {"precision": round(base_p, 4), "recall": round(base_r, 4), "threshold": round(t, 4)},
    }
    if cross_validate:
        cv_p, cv_r = _grouped_cv(matches, truth, [j.question_id for j in judgments])
        figures["cross_validated"] = {"precision": round(cv_p, 4), "recall": round(cv_r, 4), "folds": FOLDS}
    figures["single_sentence"] = _single_sentence_figures(judgments, bank, classifier)
    return figures


def _single_sentence_figures(judgments: list[CoverageJudgment], bank: QuestionBank, classifier: SignalClassifier) -> dict[str, Any]:
    from voicemock.assess.points import cover_points
    from voicemock.flows.answer_fit import answer_readings

    by_answer: dict[str, dict[int, CoverageJudgment]] = {}
    for j in judgments:
        by_answer.setdefault(j.answer_id, {})[j.point] = j
    own, never, sentences = [], [], 0
    for labels in by_answer.values():
        question = bank.get(next(iter(labels.values())).question_id)
        for sentence in dict.fromkeys(j.sentence for j in labels.values() if j.covered and j.sentence):
            sentences += 1
            coverage, _, _ = cover_points(question.points, answer_readings(sentence, classifier), classifier, question.text)
            own.extend(coverage[k].covered for k, j in labels.items() if j.covered and j.sentence == sentence)
            never.extend(coverage[k].covered for k, j in labels.items() if not j.covered)
    return {"sentences": sentences,
            "own_points": len(own), "own_covered": round(sum(own) / max(1, len(own)), 4),
            "never_made": len(never), "never_made_covered": round(sum(never) / max(1, len(never)), 4)}


def format_coverage(figures: dict[str, Any]) -> list[str]:
    rule, base = figures["rule"], figures["baseline_cosine"]
    out = [
        f"Talking points: coverage against the hand labels (models/data/source/coverage.jsonl: {figures['judgments']} judgments, "
        f"{figures['answers']} answers, {figures['questions']} questions, {figures['covered_by_hand']} covered by hand)",
        f"  shipped rule (fitted on this set)       precision {rule['precision']:.2f}  recall {rule['recall']:.2f}  "
        f"(evidence is the labeller's sentence in {figures['evidence_agrees']:.0%} of agreed covers)",
    ]
    cv = figures.get("cross_validated")
    if cv:
        out.append(f"  rule refitted, question-grouped {cv['folds']}-fold  precision {cv['precision']:.2f}  recall {cv['recall']:.2f}  (out of fold)")
    out.append(f"  baseline: meaning cosine alone          precision {base['precision']:.2f}  recall {base['recall']:.2f}  "
               f"(its best balanced threshold {base['threshold']:.2f}, in-sample)")
    single = figures.get("single_sentence")
    if single:
        out.append(f"  one labelled sentence alone as the answer ({single['sentences']} sentences): covers {single['own_covered']:.0%} of "
                   f"the {single['own_points']} points it was named for, and {single['never_made_covered']:.0%} of the "
                   f"{single['never_made']} its whole answer never made")
    return out
