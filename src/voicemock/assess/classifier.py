"""The sentence signal classifier: which rubric dimension a sentence speaks to, and how well.

One scikit-learn Pipeline is the whole model: word and character n-grams (hashed, then TF-IDF
weighted) beside the numeric cues of `voicemock.assess.features`, into linear SVMs whose margins are
calibrated into probabilities (sigmoid, on group-wise cross-validation folds, so a paraphrase never
calibrates its own twin): a flat 9-label SVM, mixed with the product of a dimension SVM and a
polarity SVM (`voicemock.assess.features.DimensionPolarityMix`). Labels are `<dimension>:<polarity>`
(e.g. `applied:strong`) plus `none`.

Hashing instead of a learned vocabulary is deliberate: the artifact holds only number arrays, so it
loads in milliseconds and skops has no 30,000-entry vocabulary to rebuild node by node.

Training lives in `voicemock.flows.training`; this module only loads and runs what it writes.
The artifact is written with skops beside a JSON model card (data hashes, library versions, CV and
held-out scores, the labels, the code version, the artifact's own sha256). `load_classifier`
refuses an artifact whose hash differs from its card, or that names any type outside an explicit
allow-list: nothing in a tampered or foreign file is ever executed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from voicemock.errors import ClassifierError
from voicemock.bank.rubric import SIGNAL_DIMENSIONS
from voicemock.resources import models_dir

__all__ = [
    "SentenceSignal",
    "SignalClassifier",
    "DIMENSIONS",
    "POLARITIES",
    "NEUTRAL",
    "ARTIFACT_NAME",
    "CARD_NAME",
    "CARD_FORMAT",
    "ALLOWED_TYPES",
    "check_classifier",
    "load_classifier",
    "forget_loaded_classifiers",
    "label_of",
]

log = logging.getLogger(__name__)

DIMENSIONS = SIGNAL_DIMENSIONS
POLARITIES = ("strong", "weak")
NEUTRAL = "none"
ARTIFACT_NAME = "signal-classifier.skops"
CARD_NAME = "signal-classifier.card.json"
CARD_FORMAT = "voicemock-signal-classifier/1"

# The only types the artifact may name beyond skops' own defaults. Anything else is refused before
# loading: this is what makes a foreign file harmless.
ALLOWED_TYPES = frozenset(
    {
        "voicemock.assess.features.TextFeatures",
        "voicemock.assess.features.SentenceEmbeddings",
        "voicemock.assess.features.DimensionPolarityMix",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
    }
)


# Cue names that explain a verdict in a word; the first that fires on a sentence of that polarity
# names the evidence ("tradeoff", "specific number").
_STRONG_CUES = (
    ("tradeoff", "tradeoff named"),
    ("conditional", "conditional reasoning"),
    ("unit", "specific figure"),
    ("percent", "specific figure"),
    ("money", "cost figure"),
    ("number", "specific number"),
    ("production", "production concern"),
    ("decision", "decision with reason"),
    ("causal", "reasoned"),
    ("question", "clarifying question"),
    ("signpost", "signposting"),
    ("ownership", "ownership"),
)
_WEAK_CUES = (
    ("generic", "generic claim"),
    ("hedge", "hedging"),
    ("definition", "definition without application"),
)


@dataclass(frozen=True)
class SentenceSignal:
    text: str
    dimension: str  # one of DIMENSIONS, or "none"
    polarity: str  # "strong" | "weak" | "neutral"
    probability: float  # of the predicted label
    probs: dict[str, float] = field(default_factory=dict)  # every label's calibrated probability
    signal: str = ""  # a short name of what was recognised

    def p(self, dimension: str, polarity: str) -> float:
        return self.probs.get(f"{dimension}:{polarity}", 0.0)


def label_of(dimension: str, polarity: str) -> str:
    if dimension == NEUTRAL or polarity == "neutral":
        return NEUTRAL
    return f"{dimension}:{polarity}"


def _split_label(label: str) -> tuple[str, str]:
    if label == NEUTRAL:
        return NEUTRAL, "neutral"
    dimension, polarity = label.split(":", 1)
    return dimension, polarity


# ---------------------------------------------------------------------------- the classifier


class SignalClassifier:
    """A loaded, verified Pipeline and its card: what scoring asks of the model, and nothing else.

    `classify` labels sentences, `embed` gives their meaning vectors, `moves` the structure-move
    prototypes trained beside the Pipeline (None for a model trained without them).
    """

    def __init__(self, pipeline, card: dict[str, Any], path: Path | None = None):
        self.pipeline = pipeline
        self.card = card
        self.path = path
        self.labels: list[str] = [str(c) for c in pipeline.classes_]
        self._moves: Any = None
        self._moves_loaded = False

    def moves(self):
        """The MoveMatcher written beside this artifact (voicemock.assess.moves), loaded on first use."""
        if not self._moves_loaded:
            from voicemock.assess.moves import load_moves

            folder = self.path.parent if self.path is not None else models_dir()
            self._moves = load_moves(folder, self.card)
            self._moves_loaded = True
        return self._moves

    @property
    def aggregation(self) -> dict[str, Any]:
        """Answer-level aggregation parameters fitted at training time (see voicemock.assess.scoring)."""
        return dict(self.card.get("aggregation") or {})

    def embed(self, texts: list[str]):
        """Each text's meaning vector (float32, unit length; the shipped sentence encoder), the same vectors
        the Pipeline's SentenceEmbeddings step reads, so relevance, structure and talking points compare
        meanings with what the classifier saw."""
        from voicemock.assess.encoder import load_encoder

        return load_encoder().embed(list(texts))

    def classify(self, sentences: list[str]) -> list[SentenceSignal]:
        if not sentences:
            return []
        from voicemock.assess.features import FEATURE_NAMES, text_features

        proba = self.pipeline.predict_proba(list(sentences))
        results = []
        for text, row in zip(sentences, proba):
            probs = {label: round(float(p), 4) for label, p in zip(self.labels, row)}
            best = max(probs, key=probs.get)
            dimension, polarity = _split_label(best)
            results.append(
                SentenceSignal(
                    text=text,
                    dimension=dimension,
                    polarity=polarity,
                    probability=probs[best],
                    probs=probs,
                    signal=_signal_name(dimension, polarity, dict(zip(FEATURE_NAMES, text_features(text)))),
                )
            )
        return results


# A strong sentence's own dimension's cues name it before the general ones, and Communication is
# named only by its own: a summary line that happens to hold a number is strong for its structure,
# not its figure. A weak sentence is named by what is wrong with it (_WEAK_CUES), never by these.
_OWN_STRONG_CUES = {
    "production": (("production", "production concern"),),
    "communication": (("signpost", "signposting"), ("question", "clarifying question")),
}


def _signal_name(dimension: str, polarity: str, cues: dict[str, float]) -> str:
    if polarity == "neutral":
        return "no signal"
    if polarity == "strong":
        own = _OWN_STRONG_CUES.get(dimension, ())
        named = own if dimension == "communication" else (*own, *_STRONG_CUES)
    else:
        named = _WEAK_CUES
    for cue, name in named:
        if cues.get(cue, 0.0) > 0:
            return name
    return f"{polarity} {dimension}"


# ---------------------------------------------------------------------------- loading


def load_classifier(path: str | Path | None = None) -> SignalClassifier:
    """The trained classifier at `path` (default: models/signal-classifier.skops), verified.

    Cached per file and modification time, so a command that scores many answers loads it once and a
    retrain is picked up.
    """
    artifact = _artifact_path(path)
    try:
        stat = artifact.stat()
    except OSError as exc:
        raise ClassifierError(f"the classifier {artifact} cannot be read ({exc.strerror}); run `voicemock train` to rebuild it") from None
    return _load_verified(str(artifact.resolve()), stat.st_mtime_ns, stat.st_size)


def check_classifier(path: str | Path | None = None) -> None:
    """The checks of `load_classifier` that need no scikit-learn (the artifact and its card exist, and
    the artifact's sha256 is the card's): ~30 ms against ~1.5 s for the whole load in a fresh process.
    A command can then fail at once on a missing or replaced model while the load itself runs behind
    work it must do anyway (transcribing the audio)."""
    _read_verified(_artifact_path(path))


def _artifact_path(path: str | Path | None) -> Path:
    artifact = Path(path) if path else models_dir() / ARTIFACT_NAME
    if not artifact.is_file():
        raise ClassifierError(f"no trained classifier at {artifact}; run `voicemock train` to build it")
    return artifact


def _read_verified(artifact: Path) -> tuple[bytes, dict[str, Any]]:
    """The artifact's bytes and its card, once the bytes match the card's sha256."""
    card_path = artifact.with_name(artifact.name.removesuffix(".skops") + ".card.json")
    redo = "run `voicemock train` to rebuild it"
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except OSError:
        raise ClassifierError(f"{artifact} has no model card at {card_path}; {redo}") from None
    except ValueError:
        raise ClassifierError(f"model card {card_path} is not valid JSON; {redo}") from None
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise ClassifierError(f"{card_path} is not a voicemock classifier card (format {CARD_FORMAT}); {redo}")

    data = artifact.read_bytes()
    expected = str((card.get("artifact") or {}).get("sha256", ""))
    if hashlib.sha256(data).hexdigest() != expected:
        raise ClassifierError(f"{artifact} does not match the sha256 in its model card (tampered or replaced); refusing to load it; {redo}")
    return data, card


@lru_cache(maxsize=4)
def _load_verified(artifact_str: str, mtime_ns: int, size: int) -> SignalClassifier:
    artifact = Path(artifact_str)
    redo = "run `voicemock train` to rebuild it"
    data, card = _read_verified(artifact)

    import sklearn
    import skops.io as sio

    trained_with = str((card.get("libraries") or {}).get("scikit-learn", ""))
    if trained_with.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise ClassifierError(
            f"{artifact} was trained with scikit-learn {trained_with or '?'}, this is {sklearn.__version__}; {redo}"
        )
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # not a zip, no schema: whatever it is, it is not our artifact
        raise ClassifierError(f"{artifact} is not a skops artifact ({type(exc).__name__}); {redo}") from None
    foreign = sorted(set(untrusted) - ALLOWED_TYPES)
    if foreign:
        raise ClassifierError(f"{artifact} names types outside the allow-list ({', '.join(foreign[:3])}); refusing to load it; {redo}")
    try:
        pipeline = sio.loads(data, trusted=list(untrusted))
    except Exception as exc:
        raise ClassifierError(f"{artifact} could not be read ({type(exc).__name__}: {exc}); {redo}") from None

    from sklearn.pipeline import Pipeline

    if not isinstance(pipeline, Pipeline) or [str(c) for c in getattr(pipeline, "classes_", [])] != card.get("labels"):
        raise ClassifierError(f"{artifact} is not the pipeline its card describes; {redo}")
    log.debug("loaded %s (%d labels)", artifact, len(card["labels"]))
    return SignalClassifier(pipeline, card, artifact)


def forget_loaded_classifiers() -> None:
    """Drop loaded models, so the next load reads the files again (after `voicemock train` rewrites them)."""
    _load_verified.cache_clear()
