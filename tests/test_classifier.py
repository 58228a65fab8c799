"""The signal classifier: what it returns, and that a tampered or foreign artifact is never loaded."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from voicemock.classifier import (
    ARTIFACT_NAME,
    CARD_NAME,
    SentenceSignal,
    load_classifier,
    read_signals,
    train_classifier,
)
from voicemock.errors import ClassifierError
from voicemock.resources import models_dir


@pytest.fixture(scope="module")
def classifier():
    return load_classifier()


@pytest.fixture
def model_copy(tmp_path):
    """The shipped artifact and card, copied where a test may break them."""
    for name in (ARTIFACT_NAME, CARD_NAME):
        shutil.copy(models_dir() / name, tmp_path / name)
    return tmp_path / ARTIFACT_NAME


def _reseal(artifact: Path, data: bytes) -> None:
    """Write `data` as the artifact and make the card vouch for it: only the type check is left."""
    artifact.write_bytes(data)
    card_path = artifact.with_name(CARD_NAME)
    card = json.loads(card_path.read_text())
    card["artifact"]["sha256"] = hashlib.sha256(data).hexdigest()
    card_path.write_text(json.dumps(card))


def test_classify_returns_calibrated_signals(classifier):
    signals = classifier.classify(
        [
            "I'd pick the distilled model because our 100 ms latency budget rules out the large one, even though it is two points less accurate.",
            "Thanks for the question.",
        ]
    )
    assert [type(s) for s in signals] == [SentenceSignal, SentenceSignal]
    decision, thanks = signals
    assert sorted(decision.probs) == sorted(classifier.card["labels"])
    assert sum(decision.probs.values()) == pytest.approx(1.0, abs=0.01)
    assert (decision.dimension, decision.polarity) == ("applied", "strong")
    assert decision.signal  # a name for the evidence, e.g. "tradeoff named"
    assert (thanks.dimension, thanks.polarity) == ("none", "neutral")
    assert classifier.classify([]) == []


def test_card_records_how_to_rebuild_and_judge(classifier):
    card = classifier.card
    assert card["artifact"]["sha256"] == hashlib.sha256((models_dir() / ARTIFACT_NAME).read_bytes()).hexdigest()
    assert len(card["data"]["signals.jsonl"]["sha256"]) == 64
    assert {"scikit-learn", "skops", "numpy", "python"} <= set(card["libraries"])
    assert 0 < card["held_out"]["macro_f1"] <= 1
    assert card["cv"]["folds"] == 5 and len(card["cv"]["macro_f1"]) == 5
    assert card["created_by"]["code_sha256"]


def test_missing_artifact_says_to_train(tmp_path):
    with pytest.raises(ClassifierError, match="run `voicemock train`"):
        load_classifier(tmp_path / ARTIFACT_NAME)


def test_tampered_artifact_is_refused(model_copy):
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    with pytest.raises(ClassifierError, match="does not match the sha256 in its model card"):
        load_classifier(model_copy)


class Trap:
    """A type no artifact may contain: loading it would run this code."""

    def __setstate__(self, state):  # pragma: no cover - the point is that it never runs
        Path(state["marker"]).write_text("executed")


def test_foreign_type_is_refused_and_never_executed(model_copy, tmp_path):
    import skops.io as sio

    marker = tmp_path / "executed.txt"
    trap = Trap()
    trap.marker = str(marker)
    _reseal(model_copy, sio.dumps(trap))
    with pytest.raises(ClassifierError, match="outside the allow-list"):
        load_classifier(model_copy)
    assert not marker.exists()


def test_pickle_posing_as_artifact_is_refused(model_copy, tmp_path):
    import pickle

    _reseal(model_copy, pickle.dumps({"not": "skops"}))
    with pytest.raises(ClassifierError, match="not a skops artifact"):
        load_classifier(model_copy)


def test_missing_card_is_refused(model_copy):
    model_copy.with_name(CARD_NAME).unlink()
    with pytest.raises(ClassifierError, match="no model card"):
        load_classifier(model_copy)


def test_training_is_deterministic(tmp_path):
    """Same data, same bytes: skops' object ids and zip times are canonicalised away."""
    source = models_dir() / "data" / "signals.jsonl"
    rows = source.read_text().splitlines()
    data = tmp_path / "data"
    data.mkdir()
    # Every ninth line keeps all labels and both splits, and trains in a second or two.
    (data / "signals.jsonl").write_text("\n".join(rows[::9]) + "\n")
    first = train_classifier(data, tmp_path / "a", cross_validate=False)
    second = train_classifier(data, tmp_path / "b", cross_validate=False)
    assert first.artifact.read_bytes() == second.artifact.read_bytes()
    assert load_classifier(first.artifact).labels == sorted({r.label for r in read_signals(data / "signals.jsonl") if r.split == "train"})


def test_text_features_follow_the_estimator_protocol():
    from sklearn.base import clone

    from voicemock.features import FEATURE_NAMES, TextFeatures

    features = TextFeatures()
    assert clone(features).get_params() == {"scale": False}
    matrix = features.fit_transform(["If latency goes over 200 ms we fall back to the small model.", "Um."])
    assert matrix.shape == (2, len(FEATURE_NAMES))
    assert hasattr(features, "scale_")
    row = dict(zip(FEATURE_NAMES, matrix[0]))
    assert row["conditional"] > 0 and row["unit"] > 0 and row["production"] > 0
