"""The figures behind `voicemock evaluate`: the trained scorer against held-out data and two baselines.

- Sentences: the held-out (test) split of signals.jsonl. Per-label precision, recall and F1, and
  macro-F1, for the classifier and for two baselines trained or set on the train split only:
  *word count* (a classifier that sees only the sentence's length) and *keyword list* (the dimension
  whose term list a sentence hits most; strong when it also carries a reason or a figure).
- Answers: answers.jsonl. Spearman rank correlation with the target scores, per dimension, pooled
  over (answer, dimension) pairs, and on the weighted overall. The scorer's figures are out-of-fold:
  each answer is scored with aggregation coefficients fitted without any answer to its question.
  Baselines: the answer's word count, and how many distinct rubric buzzwords and question keywords
  it says.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicemock.resources import models_dir

__all__ = ["Evaluation", "evaluate", "format_evaluation", "KEYWORD_LISTS"]

# The keyword baseline's term lists: what a reader skimming for rubric words would look for.
KEYWORD_LISTS: dict[str, tuple[str, ...]] = {
    "production": ("monitor", "drift", "fallback", "rollback", "roll back", "rollout", "canary", "alert", "incident",
                   "on-call", "retrain", "latency", "cost", "scale", "dashboard", "launch", "production"),
    "applied": ("because", "decide", "decision", "choose", "tradeoff", "trade-off", "rather than", "instead",
                "user", "product", "prioritize", "i'd pick", "i would pick"),
    "conceptual": ("precision", "recall", "accuracy", "distribution", "imbalanced", "f1", "overfit", "embedding",
                   "model", "training data", "hallucinat", "retrieval", "bias", "variance"),
    "communication": ("first", "second", "third", "summary", "to summarize", "assume", "my answer", "short answer",
                      "let me", "in short", "to recap", "clarify"),
}
_STRONG_HINT = re.compile(r"\d|\bbecause\b|\bif\b|\bdepends\b|\brather than\b|\bunless\b|\bpercent\b", re.IGNORECASE)


@dataclass
class Evaluation:
    sentences: dict[str, Any] = field(default_factory=dict)  # method -> {"macro_f1", "per_label": {label: {p, r, f1, n}}}
    answers: dict[str, Any] = field(default_factory=dict)  # method -> spearman dict
    test_sentences: int = 0
    answer_count: int = 0
    in_sample: dict[str, Any] = field(default_factory=dict)  # the final aggregation on the data it was fitted on
    card: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "answers": self.answers,
            "answers_in_sample": self.in_sample,
            "test_sentences": self.test_sentences,
            "answer_count": self.answer_count,
        }


def _keyword_label(text: str) -> str:
    lowered = text.lower()
    hits = {d: sum(1 for k in words if k in lowered) for d, words in KEYWORD_LISTS.items()}
    best = max(hits, key=lambda d: hits[d])
    if hits[best] == 0:
        return "none"
    return f"{best}:{'strong' if _STRONG_HINT.search(text) else 'weak'}"


def _per_label(y_true: list[str], y_pred: list[str]) -> dict[str, Any]:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    labels = sorted(set(y_true))
    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 4),
        "per_label": {
            label: {"precision": round(float(p[i]), 3), "recall": round(float(r[i]), 3), "f1": round(float(f[i]), 3), "n": int(n[i])}
            for i, label in enumerate(labels)
        },
    }


def evaluate(artifact: str | Path | None = None, data_dir: str | Path | None = None) -> Evaluation:
    import numpy as np
    from scipy.stats import spearmanr
    from sklearn.linear_model import LogisticRegression

    from voicemock.classifier import load_classifier, read_signals
    from voicemock.features import BUZZWORDS, tokenize
    from voicemock.scoring import (
        SIGNAL_DIMENSIONS,
        _answer_question,
        _answer_sentences,
        answer_agreement,
        cross_validated_predictions,
        gather_evidence,
        raw_signal_scores,
        read_answers,
    )

    classifier = load_classifier(artifact)
    data_dir = Path(data_dir) if data_dir else models_dir() / "data"
    rows = read_signals(data_dir / "signals.jsonl")
    train = [r for r in rows if r.split == "train"]
    test = [r for r in rows if r.split == "test"]
    result = Evaluation(test_sentences=len(test), card=classifier.card)

    y_true = [r.label for r in test]
    predicted = [f"{s.dimension}:{s.polarity}" if s.dimension != "none" else "none" for s in classifier.classify([r.text for r in test])]
    result.sentences["classifier"] = _per_label(y_true, predicted)

    def length(texts):
        return np.log1p([[len(tokenize(t))] for t in texts])

    by_length = LogisticRegression(class_weight="balanced", max_iter=1000).fit(length([r.text for r in train]), [r.label for r in train])
    result.sentences["baseline: word count"] = _per_label(y_true, list(by_length.predict(length([r.text for r in test]))))
    result.sentences["baseline: keyword list"] = _per_label(y_true, [_keyword_label(r.text) for r in test])

    answers_path = data_dir / "answers.jsonl"
    if not answers_path.is_file():
        return result
    answers = read_answers(answers_path)
    result.answer_count = len(answers)
    try:
        from voicemock.questions import load_bank

        bank = load_bank()
    except Exception:
        bank = None
    result.answers["scorer (out-of-fold)"] = answer_agreement(cross_validated_predictions(classifier, answers, questions=bank), answers)
    final = [raw_signal_scores(gather_evidence(_answer_sentences(a.text), classifier, _answer_question(a, bank)), classifier.aggregation) for a in answers]
    result.in_sample = answer_agreement(final, answers)

    def constant_for_all(values):
        return [{d: float(v) for d in SIGNAL_DIMENSIONS} for v in values]

    counts = [len(tokenize(a.text)) for a in answers]
    result.answers["baseline: word count"] = answer_agreement(constant_for_all(counts), answers)
    keyword_hits = []
    for a in answers:
        tokens = set(tokenize(a.text))
        lowered = a.text.lower()
        question = _answer_question(a, bank)
        keywords = [] if isinstance(question, str) else list(question.keywords)
        keyword_hits.append(len(tokens & BUZZWORDS) + sum(1 for k in keywords if k.lower() in lowered))
    result.answers["baseline: keyword list"] = answer_agreement(constant_for_all(keyword_hits), answers)
    # A baseline that gives every dimension the same number can still rank the pooled pairs; that is fair.
    for method in result.answers.values():
        for key, value in list(method.items()):
            if isinstance(value, float) and not math.isfinite(value):
                method[key] = 0.0
    _ = spearmanr  # imported early so a missing scipy fails before any work
    return result


def format_evaluation(ev: Evaluation) -> str:
    out = []
    out.append(f"Sentence signals: held-out test split, {ev.test_sentences} sentences (no paraphrase of them was trained on)")
    labels = sorted(ev.sentences["classifier"]["per_label"])
    methods = list(ev.sentences)
    out.append(f"  {'label':<22}" + "".join(f"{m[:26]:>28}" for m in methods))
    out.append(f"  {'':<22}" + "".join(f"{'P     R     F1':>28}" for _ in methods))
    for label in labels:
        cells = []
        for m in methods:
            s = ev.sentences[m]["per_label"].get(label, {"precision": 0, "recall": 0, "f1": 0})
            cells.append(f"{s['precision']:.2f}  {s['recall']:.2f}  {s['f1']:.2f}")
        out.append(f"  {label:<22}" + "".join(f"{c:>28}" for c in cells))
    out.append(f"  {'macro-F1':<22}" + "".join(f"{ev.sentences[m]['macro_f1']:>28.3f}" for m in methods))
    if ev.answers:
        out.append("")
        out.append(f"Answers: Spearman rank correlation with the target scores, {ev.answer_count} answers")
        keys = ["conceptual", "applied", "production", "communication", "pooled", "overall"]
        out.append(f"  {'method':<26}" + "".join(f"{k:>14}" for k in keys))
        for m, figures in ev.answers.items():
            out.append(f"  {m:<26}" + "".join(f"{figures[k]:>14.3f}" for k in keys))
        out.append(f"  {'(scorer, in-sample)':<26}" + "".join(f"{ev.in_sample[k]:>14.3f}" for k in keys))
        out.append("  out-of-fold: each answer scored with aggregation fitted without its question's answers")
    cv = (ev.card or {}).get("cv") or {}
    if cv:
        out.append("")
        out.append(f"Training-split grouped {cv.get('folds')}-fold CV macro-F1 (from the model card): {cv.get('macro_f1_mean')} +- {cv.get('macro_f1_std')}")
    return "\n".join(out) + "\n"
