"""Choose the signal classifier's model without looking at either held-out set.

The held-out test split is the version-1 author's sentences (written before the guideline, many of
them boundary cases), and most training data is easier. So a model change is judged by grouped
5-fold CV on the *train* split, scored on the folds' `v1`-batch sentences: the same author and
style as the test split, but sentences the test split never holds. This prints that figure, the
figure over all train groups, the v1 figure per variant (written / spoken / ASR-like) and per label,
and, for v1 sentences whose base a second annotator labeled (scripts/label_agreement.py), accuracy
where the two annotators agreed and where they did not: how much of the error is label noise.

The model scored is the shipped feature union into one flat LinearSVC, uncalibrated: the ranking
proxy every "tried and not kept" figure beside `PARAMS` in voicemock/classifier.py was measured
with (a fold takes ~5 s instead of ~25 s). `--embeddings` appends dense sentence vectors (one row
per line of signals.jsonl, in file order, e.g. a sentence encoder's output saved with numpy.save)
to measure what an encoder would add before paying for one at scoring time.

Usage:
  python scripts/signal_dev_cv.py [--set C=0.1] [--set word_ngrams=[1,3]] [--embeddings E.npy [--embedding-weight 0.7]] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_signal_data import CODES, SIGNALS_OUT, normalize
from label_agreement import SECOND, read_second

from voicemock.assess.classifier import label_of

DEV_BATCH = "v1"


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def label(row: dict) -> str:
    return label_of(row["dimension"], row["polarity"])


def second_labels_by_group(rows: list[dict], second_path: Path) -> dict[str, str]:
    """group -> the second annotator's label, for groups whose written sentence they labeled."""
    if not second_path.is_file():
        return {}
    second = read_second(second_path)
    by_group = {}
    for row in rows:
        code = second.get(normalize(row["text"])) if row.get("variant") == "written" else None
        if code:
            dimension, polarity = CODES[code]
            by_group[row["group"]] = label_of(dimension, polarity)
    return by_group


def out_of_fold_predictions(train: list[dict], params: dict, embeddings=None, weight: float = 1.0) -> list[str]:
    """Each train sentence's label as predicted by a model fitted on the other four folds."""
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    from voicemock.flows.training import PARAMS, build_pipeline, grouped_splits, signal_row

    p = {**PARAMS, **params}
    signal_rows = [signal_row(r) for r in train]
    predicted: list[str] = [""] * len(train)
    for fit_idx, held_idx in grouped_splits(signal_rows, 5):
        features = build_pipeline(p).named_steps["features"]
        x_fit = features.fit_transform([train[i]["text"] for i in fit_idx])
        x_held = features.transform([train[i]["text"] for i in held_idx])
        if embeddings is not None:
            x_fit = sp.hstack([x_fit, embeddings[fit_idx] * weight]).tocsr()
            x_held = sp.hstack([x_held, embeddings[held_idx] * weight]).tocsr()
        model = LinearSVC(C=p["C"], class_weight=p["class_weight"], max_iter=20000, random_state=0)
        model.fit(x_fit, [label(train[i]) for i in fit_idx])
        for i, guess in zip(held_idx, model.predict(x_held)):
            predicted[i] = str(guess)
    return predicted


def dev_report(rows: list[dict], predicted_train: list[str], second: dict[str, str]) -> dict:
    from sklearn.metrics import f1_score

    train = [r for r in rows if r["split"] == "train"]
    truth = [label(r) for r in train]

    def macro(indices: list[int]) -> float:
        return round(float(f1_score([truth[i] for i in indices], [predicted_train[i] for i in indices], average="macro")), 4)

    dev = [i for i, r in enumerate(train) if r.get("batch", DEV_BATCH) == DEV_BATCH]
    by_variant = defaultdict(list)
    for i in dev:
        by_variant[train[i].get("variant", "")].append(i)
    labels = sorted(set(truth[i] for i in dev))
    per_label = f1_score([truth[i] for i in dev], [predicted_train[i] for i in dev], labels=labels, average=None)
    agreed = [i for i in dev if train[i]["group"] in second and second[train[i]["group"]] == truth[i]]
    disputed = [i for i in dev if train[i]["group"] in second and second[train[i]["group"]] != truth[i]]

    def accuracy(indices: list[int]) -> dict:
        right = sum(truth[i] == predicted_train[i] for i in indices)
        return {"sentences": len(indices), "accuracy": round(right / len(indices), 4) if indices else None}

    return {
        "train_sentences": len(train),
        "macro_f1_all_groups": macro(list(range(len(train)))),
        "dev_batch": DEV_BATCH,
        "dev_sentences": len(dev),
        "macro_f1_dev": macro(dev) if dev else None,
        "macro_f1_dev_by_variant": {v: macro(ix) for v, ix in sorted(by_variant.items())},
        "f1_dev_by_label": {lab: round(float(f), 4) for lab, f in zip(labels, per_label)},
        "annotators_agreed": accuracy(agreed),
        "annotators_disputed": accuracy(disputed),
    }


def parse_setting(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SIGNALS_OUT, help="signals.jsonl to cross-validate")
    parser.add_argument("--second", type=Path, default=SECOND, help="the second annotator's `CODE | text` file")
    parser.add_argument("--set", dest="settings", type=parse_setting, action="append", default=[], help="override a PARAMS entry, e.g. C=0.1")
    parser.add_argument("--embeddings", type=Path, help=".npy with one vector per line of --data, appended as features")
    parser.add_argument("--embedding-weight", type=float, default=1.0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    rows = read_rows(args.data)
    train_idx = [i for i, r in enumerate(rows) if r["split"] == "train"]
    embeddings = None
    if args.embeddings:
        import numpy as np

        embeddings = np.load(args.embeddings)
        if len(embeddings) != len(rows):
            print(f"error: {args.embeddings} has {len(embeddings)} rows, {args.data} has {len(rows)}", file=sys.stderr)
            return 2
        embeddings = embeddings[train_idx]
    train = [rows[i] for i in train_idx]
    predicted = out_of_fold_predictions(train, dict(args.settings), embeddings, args.embedding_weight)
    report = dev_report(rows, predicted, second_labels_by_group(rows, args.second))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"grouped 5-fold CV, flat LinearSVC, {report['train_sentences']} train sentences")
    print(f"  macro-F1, all train groups        {report['macro_f1_all_groups']:.4f}")
    print(f"  macro-F1, {DEV_BATCH}-batch groups ({report['dev_sentences']})   {report['macro_f1_dev']:.4f}   <- choose models by this")
    for variant, f1 in report["macro_f1_dev_by_variant"].items():
        print(f"    {variant:<10} {f1:.4f}")
    print("  F1 per label (v1 groups): " + ", ".join(f"{k} {v:.2f}" for k, v in report["f1_dev_by_label"].items()))
    for name in ("annotators_agreed", "annotators_disputed"):
        a = report[name]
        if a["sentences"]:
            print(f"  accuracy where {name.split('_')[1]:<8} {a['accuracy']:.3f} ({a['sentences']} sentences)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
