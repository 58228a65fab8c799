"""The signal classifier: what it returns, and that a tampered or foreign artifact is never loaded."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from voicemock.assess.classifier import (
    ARTIFACT_NAME,
    CARD_NAME,
    SentenceSignal,
    load_classifier,
)
from voicemock.flows.training import read_signals, train_classifier
from voicemock.errors import ClassifierError
from voicemock.resources import models_dir


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

    from voicemock.assess.features import FEATURE_NAMES, TextFeatures

    features = TextFeatures()
    assert clone(features).get_params() == {"scale": False}
    matrix = features.fit_transform(["If latency goes over 200 ms we fall back to the small model.", "Um."])
    assert matrix.shape == (2, len(FEATURE_NAMES))
    assert hasattr(features, "scale_")
    row = dict(zip(FEATURE_NAMES, matrix[0]))
    assert row["conditional"] > 0 and row["unit"] > 0 and row["production"] > 0


def test_model_head_mixes_flat_and_factored_probabilities(classifier):
    """The shipped head is the flat 9-label model mixed with dimension x polarity, as the card says."""
    import numpy as np

    from voicemock.assess.features import DimensionPolarityMix

    head = classifier.pipeline.named_steps["model"]
    assert isinstance(head, DimensionPolarityMix) and head.flat_share == classifier.card["params"]["flat_share"]
    X = classifier.pipeline.named_steps["features"].transform(["We'd just use the biggest model.", "Thanks for the question."])
    mixed = head.predict_proba(X)
    flat = head.flat_.predict_proba(X)
    factored = head.dimension_.predict_proba(X)[:, head.dimension_index_] * head.polarity_.predict_proba(X)[:, head.polarity_index_]
    factored /= factored.sum(axis=1, keepdims=True)
    assert np.allclose(mixed, head.flat_share * flat + (1 - head.flat_share) * factored)
    assert np.allclose(mixed.sum(axis=1), 1.0)
    assert list(head.classes_) == classifier.labels
    # Every stored cv is a fold count, not the training data's fold indices.
    assert head.cv == 5 and {m.cv for m in (head.flat_, head.dimension_, head.polarity_)} == {5}


# ---------------------------------------------------------------------------- coach corrections


@pytest.fixture
def small_data_and_corrections(tmp_path):
    """Every ninth labeled line (all labels, both splits), and a recordings folder with one take whose
    coach relabeled two sentences: a new one, and one that is word for word a held-out test sentence."""
    from voicemock.store import corrections as corr

    lines = (models_dir() / "data" / "signals.jsonl").read_text().splitlines()[::9]
    data = tmp_path / "data"
    data.mkdir()
    (data / "signals.jsonl").write_text("\n".join(lines) + "\n")
    test_sentence = next(json.loads(line) for line in lines if json.loads(line)["split"] == "test")
    take = tmp_path / "recordings" / "take-1"
    take.mkdir(parents=True)
    doc = corr.new_corrections("take-1", question_id="evals-01", competency="evals", coach="Dana")
    doc["relabels"].append(corr.make_relabel("Honestly the vendor's model card told us everything we needed.", 3.0, 6.0,
                                             "production", "weak", original_dimension="conceptual", original_polarity="strong"))
    doc["relabels"].append(corr.make_relabel(test_sentence["text"], 7.0, 9.0, "none", "neutral"))
    corr.save(take, doc)
    return data, tmp_path / "recordings"


def test_train_and_evaluate_with_corrections(small_data_and_corrections, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from voicemock.flows.training import coach_rows_sha256
    from voicemock.cli import main
    from voicemock.store.corrections import collect_corrections, corrections_to_signal_rows

    data, recordings = small_data_and_corrections
    out = tmp_path / "model"
    run = lambda *args: CliRunner().invoke(main, list(args))

    trained = run("train", "--data-dir", str(data), "-o", str(out), "--no-cv", "--with-corrections", str(recordings))
    assert trained.exit_code == 0, trained.output
    assert "+ 1 coach relabel(s)" in trained.output
    assert "1 relabel(s) left out because they repeat a held-out test sentence" in trained.output
    card = json.loads((out / CARD_NAME).read_text())
    rows = corrections_to_signal_rows(collect_corrections([recordings]))
    kept = [r for r in rows if r["dimension"] == "production"]
    assert card["corrections"] == {"rows": 1, "sha256": coach_rows_sha256(kept), "dropped_held_out_overlap": 1,
                                   "labels": {"production:weak": 1}}
    assert card["data"]["signals.jsonl"]["train"] == sum(r.split == "train" for r in read_signals(data / "signals.jsonl"))

    # The default folder is the recordings folder ($VOICEMOCK_RECORDINGS), and the same rows give the same bytes.
    monkeypatch.setenv("VOICEMOCK_RECORDINGS", str(recordings))
    again = run("train", "--data-dir", str(data), "-o", str(tmp_path / "again"), "--no-cv", "--with-corrections")
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again" / ARTIFACT_NAME).read_bytes() == (out / ARTIFACT_NAME).read_bytes()

    compared = run("evaluate", "--model", str(out / ARTIFACT_NAME), "--data-dir", str(data), "--with-corrections", str(recordings))
    assert compared.exit_code == 0, compared.output
    for heading in ("shipped artifact", "retrained + corrections", "9-label macro-F1", "polarity macro-F1",
                    "Corrected sentences: the coach's label, and what each model says", "agree with the coach"):
        assert heading in compared.output
    line = next(l for l in compared.output.splitlines() if "vendor's model card" in l)
    assert line.split()[0] == "production:weak"  # the coach's label, then shipped and retrained
    as_json = run("evaluate", "--model", str(out / ARTIFACT_NAME), "--data-dir", str(data), "--json", "--with-corrections", str(recordings))
    payload = json.loads(as_json.output)
    assert payload["corrections"]["coach_rows"] == 1 and payload["corrections"]["dropped_held_out_overlap"] == 1
    assert set(payload["corrections"]["sentences"]) == {"shipped artifact", "retrained + corrections"}

    stray = run("train", "--data-dir", str(data), "-o", str(out), "--no-cv", str(recordings))
    assert stray.exit_code == 2 and "without --with-corrections" in stray.output
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run("train", "--data-dir", str(data), "-o", str(out), "--no-cv", "--with-corrections", str(empty))
    assert nothing.exit_code == 1 and "no sentence relabels" in nothing.output


def test_shipped_model_was_trained_on_the_shipped_data_and_beats_the_baselines(classifier):
    """The evaluation `voicemock evaluate` prints: the artifact matches the data it claims, the
    held-out figures beat both baselines, and the answer-level target (Spearman >= 0.75) holds.
    The 0.80 sentence target is met on the fresh set only; the test split's figure is asserted
    as what it is, so a regression shows."""
    from voicemock.flows.evaluate import evaluate

    signals = models_dir() / "data" / "signals.jsonl"
    assert classifier.card["data"]["signals.jsonl"]["sha256"] == hashlib.sha256(signals.read_bytes()).hexdigest()
    ev = evaluate()
    for figures in (ev.sentences, ev.fresh):
        ours = figures["classifier"]["macro_f1"]
        assert ours > figures["baseline: word count"]["macro_f1"] + 0.3
        assert ours > figures["baseline: keyword list"]["macro_f1"] + 0.3
    assert ev.sentences["classifier"]["macro_f1"] >= 0.74
    assert ev.fresh["classifier"]["macro_f1"] >= 0.80
    scorer = ev.answers["scorer (out-of-fold)"]["overall"]
    assert scorer >= 0.75
    assert scorer > ev.answers["baseline: word count"]["overall"] and scorer > ev.answers["baseline: keyword list"]["overall"]
    # The shipped rubrics' levels sit where the outside-graded answers put them, and no dev answer
    # written to fail passes there.
    fit = ev.meaning["public"]["level_fit"]
    assert fit["admissible"] and fit["guards_passed"] == 0 and fit["weak_passed"] <= 0.15 * fit["weak"]
    assert fit["shift"] == 0.0, "the rubrics' levels no longer carry the fit: run scripts/fit_levels.py --write"


def test_evidence_is_named_by_its_own_dimension_first():
    from voicemock.assess.classifier import _signal_name
    from voicemock.assess.features import FEATURE_NAMES, text_features

    def name(dimension, polarity, text):
        return _signal_name(dimension, polarity, dict(zip(FEATURE_NAMES, text_features(text))))

    # A summary line holding a number is strong communication for its form, not a "specific number".
    assert name("communication", "strong", "So, my short answer is, I would not trust one accuracy number.") == "strong communication"
    assert name("communication", "strong", "Third, we run the model on the golden set.") == "signposting"
    assert name("production", "strong", "If the 20 agents open the full ticket more, we roll back.") == "production concern"
    assert name("applied", "strong", "I would pull 500 real tickets.") == "specific number"
    # A weak sentence is named by its fault, never by a strong cue it happens to contain.
    assert name("communication", "weak", "First we plan, and then the planning again.") == "weak communication"
    assert name("production", "weak", "We'd just add monitoring and it will always be fine.") == "generic claim"
