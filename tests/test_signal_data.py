"""The labeled data build: the shipped jsonl is what the sources produce, and held-out stays held out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import build_signal_data as build
import label_agreement


@pytest.fixture(scope="module")
def sources():
    return build.read_base_sentences(), build.read_base_sentences(build.FRESH_DIR, default_batch="fresh")


def test_shipped_signals_are_exactly_what_the_sources_build(sources):
    bases, fresh = sources
    built = build.build_signals(bases, fresh)
    shipped = [json.loads(line) for line in build.SIGNALS_OUT.read_text(encoding="utf-8").splitlines()]
    assert built == shipped  # edit the sources and rebuild, never the jsonl
    assert {r["split"] for r in shipped} == {"train", "test", "fresh"}


def test_the_frozen_test_split_is_the_one_shipped():
    frozen = build.read_test_split()
    shipped = [json.loads(line) for line in build.SIGNALS_OUT.read_text(encoding="utf-8").splitlines()]
    test_bases = {build.normalize(r["text"]) for r in shipped if r["split"] == "test" and r["variant"] == "written"}
    assert test_bases == frozen and len(frozen) == 147


def _sentence(text: str, source: str) -> build.BaseSentence:
    return build.BaseSentence(text, "applied", "strong", "evals", "test-signal", source)


def test_a_training_paraphrase_of_a_held_out_sentence_is_refused():
    held = _sentence("For the fraud flag I'd optimize recall first, because a missed fraud costs the chargeback.", "evals.txt:1")
    copy = _sentence("For the fraud flag I'd optimize recall first, since a missed fraud costs us the chargeback.", "evals.txt:2")
    other = _sentence("We'd cap summaries at a hundred words because output tokens are the expensive part.", "evals.txt:3")
    build.check_held_out_is_new([held, other], {0}, [])  # unrelated sentences pass
    with pytest.raises(build.SourceError, match="near-paraphrase"):
        build.check_held_out_is_new([held, copy], {0}, [])
    with pytest.raises(build.SourceError, match="near-paraphrase"):
        build.check_held_out_is_new([held], {0}, [copy])  # a fresh sentence may not repeat a test one either


def test_a_stale_test_split_list_is_refused():
    bases = [_sentence("Thanks for the question.", "x.txt:1")]
    with pytest.raises(build.SourceError, match="match no base sentence"):
        build.choose_test_groups(bases, {"a sentence that was edited away"})


def test_label_agreement_reproduces_the_datasheet_figure(capsys):
    assert label_agreement.kappa(["a", "a", "b", "b"], ["a", "a", "b", "b"]) == 1.0
    assert label_agreement.kappa(["a", "b", "a", "b"], ["a", "a", "b", "b"]) == pytest.approx(0.0)
    assert label_agreement.main([]) == 0
    out = capsys.readouterr().out
    assert "240 base sentences" in out
    assert "agreement  91.2%   Cohen's kappa 0.899" in out


def test_dev_cv_scores_only_the_v1_groups_and_splits_them_by_annotator_agreement(tmp_path, capsys):
    import signal_dev_cv

    shipped = [json.loads(line) for line in build.SIGNALS_OUT.read_text(encoding="utf-8").splitlines()]
    # A small slice keeps this quick: 12 groups per label from the v1 batch and 12 from the rest.
    kept, seen = set(), {}
    for r in shipped:
        if r["split"] != "train":
            continue
        key = (r["batch"] == "v1", r["dimension"], r["polarity"])
        if r["group"] not in kept and seen.get(key, 0) < 12:
            kept.add(r["group"])
            seen[key] = seen.get(key, 0) + 1
    rows = [r for r in shipped if r["group"] in kept]
    data = tmp_path / "signals.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    assert signal_dev_cv.main(["--data", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    v1 = [r for r in rows if r["batch"] == "v1"]
    assert report["train_sentences"] == len(rows)
    assert report["dev_sentences"] == len(v1)
    assert set(report["macro_f1_dev_by_variant"]) == {"written", "spoken", "asr"}
    second = label_agreement.read_second(label_agreement.SECOND)
    double_labeled = {r["group"] for r in v1 if r["variant"] == "written" and build.normalize(r["text"]) in second}
    assert double_labeled  # the slice must hold some, or the split below proves nothing
    counted = report["annotators_agreed"]["sentences"] + report["annotators_disputed"]["sentences"]
    assert counted == sum(r["group"] in double_labeled for r in v1)
    assert 0.0 <= report["macro_f1_dev"] <= 1.0
