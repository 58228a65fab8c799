"""The figures behind `voicemock evaluate`: the trained scorer against held-out data and two baselines.

- Sentences: the held-out (test) split of signals.jsonl, and the *fresh* set: sentences written after
  the labels were revised, by a writer who saw neither the training sentences nor any model. Per-label precision, recall and F1, and
  macro-F1 over the 9 labels (the classifier's real task and its target), for the classifier and for
  two baselines trained or set on the train split only: *word count* (a classifier that sees only the
  sentence's length) and *keyword list* (the dimension whose term list a sentence hits most; strong
  when it also carries a reason or a figure). Two coarser views of the same predictions are printed
  under their own names, because they are easier tasks and must not be read as the 9-label figure:
  *polarity-only macro-F1* (strong / weak / neutral, dimension ignored) and *dimension-only
  one-vs-rest* P/R/F1 (is the sentence about dimension d, strong or weak, vs everything else).
- Answers: answers.jsonl. Spearman rank correlation with the target scores, per dimension, pooled
  over (answer, dimension) pairs, and on the weighted overall. The scorer's figures are out-of-fold:
  each answer is scored with aggregation coefficients fitted without any answer to its question.
  Baselines: the answer's word count, and how many distinct rubric buzzwords and question keywords
  it says.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from voicemock.records import SIGNAL_DIMENSIONS
from voicemock.resources import models_dir

__all__ = [
    "Evaluation",
    "CorrectionsComparison",
    "evaluate",
    "format_evaluation",
    "compare_with_corrections",
    "format_comparison",
    "sentence_figures",
    "KEYWORD_LISTS",
]

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
    fresh: dict[str, Any] = field(default_factory=dict)  # the same methods on the fresh held-out set
    fresh_sentences: int = 0
    answer_count: int = 0
    in_sample: dict[str, Any] = field(default_factory=dict)  # the final aggregation on the data it was fitted on
    meaning: dict[str, Any] = field(default_factory=dict)  # flows.evaluate_meaning.meaning_figures
    coverage: dict[str, Any] = field(default_factory=dict)  # flows.evaluate_points.coverage_figures
    card: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Every figure, under the names `evaluate --json` has always used; the model card stays out."""
        return _renamed(self, {"in_sample": "answers_in_sample"}, leave_out=("card",))


def _renamed(record: Any, names: dict[str, str], leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """A dataclass's fields as a dict, some under their published JSON names."""
    return {names.get(f.name, f.name): getattr(record, f.name) for f in fields(record) if f.name not in leave_out}


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


def _polarity(label: str) -> str:
    return label.split(":", 1)[1] if ":" in label else "neutral"


def _dimension(label: str) -> str:
    return label.split(":", 1)[0] if ":" in label else "none"


def sentence_figures(y_true: list[str], y_pred: list[str]) -> dict[str, Any]:
    """The 9-label figures, plus the two coarser views under names that say what they are."""
    from sklearn.metrics import precision_recall_fscore_support

    figures = _per_label(y_true, y_pred)
    polarity = _per_label([_polarity(t) for t in y_true], [_polarity(p) for p in y_pred])
    figures["polarity_only_macro_f1"] = polarity["macro_f1"]
    figures["polarity_only_per_label"] = polarity["per_label"]
    dimension_ovr = {}
    for d in SIGNAL_DIMENSIONS:
        truth = [_dimension(t) == d for t in y_true]
        guess = [_dimension(p) == d for p in y_pred]
        p, r, f, _ = precision_recall_fscore_support(truth, guess, average="binary", zero_division=0)
        dimension_ovr[d] = {"precision": round(float(p), 3), "recall": round(float(r), 3), "f1": round(float(f), 3), "n": int(sum(truth))}
    figures["dimension_only_one_vs_rest"] = dimension_ovr
    return figures


def _predicted_labels(classifier, texts: list[str]) -> list[str]:
    return [f"{s.dimension}:{s.polarity}" if s.dimension != "none" else "none" for s in classifier.classify(texts)]


def evaluate(artifact: str | Path | None = None, data_dir: str | Path | None = None) -> Evaluation:
    import numpy as np
    from scipy.stats import spearmanr
    from sklearn.linear_model import LogisticRegression

    from voicemock.assess.classifier import load_classifier
    from voicemock.assess.features import BUZZWORDS, tokenize
    from voicemock.assess.scoring import raw_signal_scores
    from voicemock.flows.answer_fit import (
        answer_agreement,
        answer_question,
        answer_evidence,
        cross_validated_predictions,
        read_answers,
    )
    from voicemock.flows.training import read_signals

    classifier = load_classifier(artifact)
    data_dir = Path(data_dir) if data_dir else models_dir() / "data"
    rows = read_signals(data_dir / "signals.jsonl")
    train = [r for r in rows if r.split == "train"]
    test = [r for r in rows if r.split == "test"]
    result = Evaluation(test_sentences=len(test), card=classifier.card)

    def length(texts):
        return np.log1p([[len(tokenize(t))] for t in texts])

    by_length = LogisticRegression(class_weight="balanced", max_iter=1000).fit(length([r.text for r in train]), [r.label for r in train])

    def held_out_figures(held_out) -> dict[str, Any]:
        """The classifier and both baselines on one held-out set."""
        texts, truth = [r.text for r in held_out], [r.label for r in held_out]
        return {
            "classifier": sentence_figures(truth, _predicted_labels(classifier, texts)),
            "baseline: word count": sentence_figures(truth, [str(v) for v in by_length.predict(length(texts))]),
            "baseline: keyword list": sentence_figures(truth, [_keyword_label(t) for t in texts]),
        }

    result.sentences = held_out_figures(test)
    fresh = [r for r in rows if r.split == "fresh"]
    if fresh:
        result.fresh_sentences = len(fresh)
        result.fresh = held_out_figures(fresh)

    answers_path = data_dir / "answers.jsonl"
    if not answers_path.is_file():
        return result
    answers = read_answers(answers_path)
    result.answer_count = len(answers)
    from voicemock.bank.questions import load_bank

    bank = load_bank()  # a broken bank is the user's to fix, not a reason to score without it
    result.answers["scorer (out-of-fold)"] = answer_agreement(cross_validated_predictions(classifier, answers, questions=bank), answers)
    final = [raw_signal_scores(answer_evidence(a, classifier, bank), classifier.aggregation) for a in answers]
    result.in_sample = answer_agreement(final, answers)

    def constant_for_all(values):
        return [{d: float(v) for d in SIGNAL_DIMENSIONS} for v in values]

    counts = [len(tokenize(a.text)) for a in answers]
    result.answers["baseline: word count"] = answer_agreement(constant_for_all(counts), answers)
    keyword_hits = []
    for a in answers:
        tokens = set(tokenize(a.text))
        lowered = a.text.lower()
        question = answer_question(a, bank)
        keywords = [] if isinstance(question, str) else list(question.keywords)
        keyword_hits.append(len(tokens & BUZZWORDS) + sum(1 for k in keywords if k.lower() in lowered))
    result.answers["baseline: keyword list"] = answer_agreement(constant_for_all(keyword_hits), answers)
    from voicemock.flows.evaluate_meaning import meaning_figures

    result.meaning = meaning_figures(classifier, data_dir, bank, answers, artifact)
    from voicemock.flows.evaluate_points import coverage_figures

    result.coverage = coverage_figures(classifier, data_dir, bank, answers)
    # A baseline that gives every dimension the same number can still rank the pooled pairs; that is fair.
    for method in result.answers.values():
        for key, value in list(method.items()):
            if isinstance(value, float) and not math.isfinite(value):
                method[key] = 0.0
    _ = spearmanr  # imported early so a missing scipy fails before any work
    return result


def _sentence_table(sentences: dict[str, Any]) -> list[str]:
    """Per-label table for every method, then the two coarser views, each under its own heading."""
    out = []
    methods = list(sentences)
    first = sentences[methods[0]]

    def table(title: str, key: str, macro_key: str | None, macro_title: str) -> None:
        out.append(title)
        out.append(f"  {'label':<22}" + "".join(f"{m[:26]:>28}" for m in methods))
        out.append(f"  {'':<22}" + "".join(f"{'P     R     F1':>28}" for _ in methods))
        for label in first[key]:
            cells = []
            for m in methods:
                s = sentences[m][key].get(label, {"precision": 0, "recall": 0, "f1": 0})
                cells.append(f"{s['precision']:.2f}  {s['recall']:.2f}  {s['f1']:.2f}")
            out.append(f"  {label:<22}" + "".join(f"{c:>28}" for c in cells))
        if macro_key:
            out.append(f"  {macro_title:<22}" + "".join(f"{sentences[m][macro_key]:>28.3f}" for m in methods))

    table("9-label task (dimension:polarity + none): the classifier's real task and its target figure",
          "per_label", "macro_f1", "9-label macro-F1")
    if "polarity_only_per_label" in first:
        out.append("")
        table("Polarity only (strong / weak / neutral, dimension ignored): an easier task, NOT the 9-label figure",
              "polarity_only_per_label", "polarity_only_macro_f1", "polarity macro-F1")
    if "dimension_only_one_vs_rest" in first:
        out.append("")
        table("Dimension only, one-vs-rest (d:strong or d:weak vs every other label; polarity ignored), NOT the 9-label figure",
              "dimension_only_one_vs_rest", None, "")
    return out


def format_evaluation(ev: Evaluation) -> str:
    out = []
    out.append(f"Sentence signals: held-out test split, {ev.test_sentences} sentences (no paraphrase of them was trained on)")
    out.extend(_sentence_table(ev.sentences))
    if ev.fresh:
        out.append("")
        out.append(f"Sentence signals: fresh held-out set, {ev.fresh_sentences} sentences written after the labels were revised, "
                   "by a writer who saw neither the training sentences nor any model")
        out.extend(_sentence_table(ev.fresh))
    if ev.answers:
        out.append("")
        out.append(f"Answers: Spearman rank correlation with the target scores, {ev.answer_count} answers")
        keys = [*SIGNAL_DIMENSIONS, "pooled", "overall"]
        out.append(f"  {'method':<26}" + "".join(f"{k:>14}" for k in keys))
        for m, figures in ev.answers.items():
            out.append(f"  {m:<26}" + "".join(f"{figures[k]:>14.3f}" for k in keys))
        out.append(f"  {'(scorer, in-sample)':<26}" + "".join(f"{ev.in_sample[k]:>14.3f}" for k in keys))
        out.append("  out-of-fold: each answer scored with aggregation fitted without its question's answers")
    if ev.meaning:
        from voicemock.flows.evaluate_meaning import format_meaning

        out.append("")
        out.extend(format_meaning(ev.meaning))
    if ev.coverage:
        from voicemock.flows.evaluate_points import format_coverage

        out.extend(["", *format_coverage(ev.coverage)])
    cv = (ev.card or {}).get("cv") or {}
    if cv:
        out.append("")
        out.append(f"Training-split grouped {cv.get('folds')}-fold CV 9-label macro-F1 (from the model card): {cv.get('macro_f1_mean')} +- {cv.get('macro_f1_std')}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- coach corrections


@dataclass
class CorrectionsComparison:
    """Held-out sentence figures of the shipped artifact and of one retrained with coach corrections."""

    sentences: dict[str, Any] = field(default_factory=dict)  # "shipped" / "retrained with corrections" -> figures
    test_sentences: int = 0
    coach_rows: int = 0
    coach_sha256: str = ""
    dropped_held_out_overlap: int = 0
    corrected: list[dict[str, str]] = field(default_factory=list)  # text, coach, before, after

    def to_dict(self) -> dict[str, Any]:
        return _renamed(self, {"coach_sha256": "coach_rows_sha256", "corrected": "corrected_sentences"})


def compare_with_corrections(
    dirs, artifact: str | Path | None = None, data_dir: str | Path | None = None
) -> CorrectionsComparison:
    """Retrain (in a temporary folder) on the train split plus every coach relabel under `dirs`, and
    compare it with the shipped artifact on the same held-out test split.

    The retrained model skips CV and the answer-level aggregation: only sentence figures are compared.
    The shipped artifact is left untouched; `voicemock train --with-corrections` is what replaces it.
    """
    import tempfile

    from voicemock.assess.classifier import load_classifier
    from voicemock.flows.training import read_signals, train_classifier
    from voicemock.store.corrections import collect_corrections, corrections_to_signal_rows
    from voicemock.errors import ClassifierError

    dirs = [Path(d) for d in dirs]
    coach = corrections_to_signal_rows(collect_corrections(dirs))
    if not coach:
        where = ", ".join(str(d) for d in dirs)
        raise ClassifierError(f"no sentence relabels in any corrections.json under {where}; relabel sentences with `voicemock label` or the review page first")
    data_dir = Path(data_dir) if data_dir else models_dir() / "data"
    test = [r for r in read_signals(data_dir / "signals.jsonl") if r.split == "test"]
    y_true = [r.label for r in test]
    shipped = load_classifier(artifact)
    with tempfile.TemporaryDirectory(prefix="voicemock-corrections-") as tmp:
        trained = train_classifier(data_dir, Path(tmp), cross_validate=False, coach_rows=coach, fit_answers=False)
        retrained = load_classifier(trained.artifact)
        texts = [d["text"] for d in coach]
        before = _predicted_labels(shipped, texts)
        after = _predicted_labels(retrained, texts)
        result = CorrectionsComparison(
            test_sentences=len(test),
            coach_rows=trained.card["corrections"]["rows"],
            coach_sha256=trained.card["corrections"]["sha256"],
            dropped_held_out_overlap=trained.card["corrections"]["dropped_held_out_overlap"],
        )
        result.sentences["shipped artifact"] = sentence_figures(y_true, _predicted_labels(shipped, [r.text for r in test]))
        result.sentences["retrained + corrections"] = sentence_figures(y_true, _predicted_labels(retrained, [r.text for r in test]))
    for d, b, a in zip(coach, before, after):
        label = "none" if d["dimension"] == "none" else f"{d['dimension']}:{d['polarity']}"
        result.corrected.append({"text": d["text"], "coach": label, "before": b, "after": a})
    return result


def format_comparison(cmp: CorrectionsComparison) -> str:
    out = [
        f"Coach corrections: {cmp.coach_rows} relabeled sentence(s) appended to the train split "
        f"(sha256 {cmp.coach_sha256[:12]}...)"
        + (f"; {cmp.dropped_held_out_overlap} left out because they repeat a held-out test sentence" if cmp.dropped_held_out_overlap else ""),
        f"Held-out test split, {cmp.test_sentences} sentences: shipped artifact vs the same recipe retrained with the corrections",
    ]
    out.extend(_sentence_table(cmp.sentences))
    out.append("")
    out.append("Corrected sentences: the coach's label, and what each model says")
    out.append(f"  {'coach':<22}{'shipped':<22}{'retrained':<22}sentence")
    for c in cmp.corrected:
        out.append(f"  {c['coach']:<22}{c['before']:<22}{c['after']:<22}{_clip(c['text'])}")
    agree_before = sum(c["before"] == c["coach"] for c in cmp.corrected)
    agree_after = sum(c["after"] == c["coach"] for c in cmp.corrected)
    out.append(f"  agree with the coach: shipped {agree_before}/{len(cmp.corrected)}, retrained {agree_after}/{len(cmp.corrected)} "
               "(these sentences were trained on by the retrained model, so this shows the correction took, not generalization)")
    return "\n".join(out) + "\n"


def _clip(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
