"""Fitting the structure-move heads: one logistic regression per move on sentence meaning vectors, then
checking each on the held-out sets of models/data/source/moves.toml.

Positives are the move's prototype sentences; negatives its near misses (on-topic sentences that look
like the move but do not make it, e.g. a decision with a reason but no cost for tradeoffs), the other
moves' prototypes, the training sentences labelled as carrying no signal (greetings, restating the
question, framing openers: by definition no move), and a fixed sample of other training sentences. A
move's near misses are negatives for that move only: a near miss of one move often makes another.
C=0.3, balanced classes, probability 0.5 as the line: chosen once on the check sets (C 0.3 / 1 / 3
gave the same ranking; 0.3 the best precision), which were written before any model existed. The check
sets then give each move's precision and recall (`voicemock evaluate`); read them as optimistic by that
one choice.
"""

from __future__ import annotations

import hashlib
import io
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicemock.assess.moves import MOVES_FILE, MoveMatcher
from voicemock.errors import ClassifierError

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.assess.classifier import SignalClassifier

__all__ = ["MoveSource", "read_moves", "fit_moves", "check_moves"]

MOVES_SOURCE = "moves.toml"


@dataclass(frozen=True)
class MoveSource:
    prototypes: dict[str, list[str]]
    near_misses: dict[str, list[str]]
    check_positive: dict[str, list[str]]
    check_negative: dict[str, list[str]]  # "neutral" holds sentences that make no move at all


def read_moves(data_dir: Path) -> MoveSource | None:
    path = Path(data_dir) / "source" / MOVES_SOURCE
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ClassifierError(f"{path}: not valid TOML ({exc}); fix it and run `voicemock train` again") from None
    moves = {name: table for name, table in data.items() if name != "neutral"}
    return MoveSource(
        prototypes={name: list(t["prototypes"]) for name, t in moves.items()},
        near_misses={name: list(t.get("near_misses", [])) for name, t in moves.items()},
        check_positive={name: list(t.get("check_positive", [])) for name, t in moves.items()},
        check_negative={name: list(t.get("check_negative", [])) for name, t in data.items()},
    )


MOVES = ("answer_first", "clarifying", "tradeoffs", "risks", "summary")  # metric stays with its phrase list:
# its head took neutral numbers for metrics (precision 0.58 on the check set)
OTHER_SAMPLE = 600
C = 0.3
THRESHOLD = 0.5


def fit_moves(
    source: MoveSource, classifier: SignalClassifier, neutral_sentences: list[str], other_sentences: list[str]
) -> tuple[bytes, dict[str, Any]]:
    """The .npz bytes of the heads and the card entry (moves, threshold, counts, sha256)."""
    import random

    import numpy as np
    from sklearn.linear_model import LogisticRegression

    moves = [m for m in MOVES if m in source.prototypes]
    protos = {m: classifier.embed(source.prototypes[m]) for m in moves}
    near = {m: classifier.embed(source.near_misses.get(m, [])) for m in moves}
    neutral = classifier.embed(neutral_sentences)
    sample = sorted(random.Random(0).sample(sorted(other_sentences), min(OTHER_SAMPLE, len(other_sentences))))
    other = classifier.embed(sample)
    arrays, fitted = {}, {}
    for move in moves:
        rivals = [protos[m] for m in moves if m != move]
        X = np.vstack([protos[move], near[move], *rivals, neutral, other]).astype(np.float64)
        y = np.concatenate([np.ones(len(protos[move])), np.zeros(len(X) - len(protos[move]))])
        head = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(X, y)
        arrays[f"{move}__w"] = head.coef_[0].astype(np.float64)
        arrays[f"{move}__b"] = np.asarray([head.intercept_[0]], dtype=np.float64)
        fitted[move] = {"positives": len(protos[move]), "negatives": int(len(X) - len(protos[move])),
                        "near_misses": len(near[move])}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    data = buffer.getvalue()
    entry = {"file": MOVES_FILE, "sha256": hashlib.sha256(data).hexdigest(), "moves": moves, "threshold": THRESHOLD,
             "C": C, "fit": fitted, "neutral_sentences": len(neutral_sentences), "other_sentences": len(sample)}
    return data, entry


def check_moves(source: MoveSource, matcher: MoveMatcher, classifier: SignalClassifier) -> dict[str, dict[str, Any]]:
    """Per move, on the held-out check sets: precision and recall, and how often a sentence that makes no
    move at all (the "neutral" set) is taken for it."""
    neutral = source.check_negative.get("neutral", [])
    neutral_probs = matcher.probabilities(list(classifier.embed(neutral))) if neutral else {}
    out = {}
    for move in matcher.weights:
        pos, neg = source.check_positive.get(move, []), source.check_negative.get(move, [])
        if not pos:
            continue
        pos_hit = matcher.probabilities(list(classifier.embed(pos)))[move] >= matcher.threshold
        neg_hit = matcher.probabilities(list(classifier.embed(neg)))[move] >= matcher.threshold if neg else []
        neutral_hit = neutral_probs[move] >= matcher.threshold if neutral else []
        true_pos = int(sum(pos_hit))
        false_pos = int(sum(neg_hit)) + int(sum(neutral_hit))
        out[move] = {
            "recall": round(true_pos / len(pos), 3),
            "precision": round(true_pos / (true_pos + false_pos), 3) if true_pos + false_pos else 0.0,
            "positives": len(pos),
            "negatives": len(neg) + len(neutral),
            "neutral_taken": int(sum(neutral_hit)),
        }
    return out
