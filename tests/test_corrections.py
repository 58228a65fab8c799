"""Coach corrections: the schema, merging beside a session, `voicemock label`, and training rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from voicemock.store import corrections as corr
from voicemock.store.corrections import CorrectionsError
from voicemock.records import Transcript
from voicemock.speech.sentences import Sentence, split_sentences

# ---------------------------------------------------------------------------- schema


def test_valid_document_round_trips(tmp_path):
    doc = corr.new_corrections("take-1", question_id="evals-01", competency="evals", coach="Dana")
    doc["relabels"].append(corr.make_relabel("It is basically an LLM.", 8.1, 11.9, "conceptual", "weak",
                                             original_dimension="none", original_polarity="neutral"))
    doc["score_overrides"].append(corr.make_score_override("applied", 4, original_score=3.9, raw_offset=0.4))
    doc["notes"].append(corr.make_note("Lead with the metric.", at=3.2))
    path = corr.save(tmp_path, doc)
    assert path == tmp_path / "corrections.json"
    loaded = corr.load(tmp_path)
    assert loaded["relabels"] == doc["relabels"] and loaded["notes"] == doc["notes"]
    assert loaded["score_overrides"][0]["score"] == 4.0
    (tmp_path / "uncorrected").mkdir()
    assert corr.load(tmp_path / "uncorrected") is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"version": 2}, "unsupported version 2"),
        ({"relabels": [{"text": "x", "dimension": "vibes", "polarity": "strong"}]}, "dimension 'vibes' is not one of"),
        ({"relabels": [{"text": "x", "dimension": "applied", "polarity": "neutral"}]}, "use dimension 'none' exactly when"),
        ({"relabels": [{"text": " ", "dimension": "applied", "polarity": "weak"}]}, "'text' must be the sentence"),
        ({"relabels": [{"text": "x", "dimension": "applied", "polarity": "weak", "start": 3, "end": 1}]}, "is before 'start'"),
        ({"score_overrides": [{"dimension": "applied", "score": 7}]}, "must be a number from 1 to 5"),
        ({"score_overrides": [{"dimension": "Applied Judgment!", "score": 3}]}, "must be a rubric dimension key"),
        ({"notes": [{"text": ""}]}, "'text' must be the note"),
        ({"notes": "hello"}, "'notes' must be a list"),
    ],
)
def test_bad_documents_name_the_field(change, message):
    doc = corr.new_corrections("s")
    doc.update(change)
    with pytest.raises(CorrectionsError, match=message):
        corr.validate(doc)


def test_not_json_says_what_to_do(tmp_path):
    bad = tmp_path / "corrections.json"
    bad.write_text("{nope", encoding="utf-8")
    with pytest.raises(CorrectionsError, match="not valid JSON .*export the corrections again"):
        corr.load(tmp_path)


def test_save_merges_instead_of_clobbering(tmp_path):
    first = corr.new_corrections("take-1", coach="Ann")
    first["relabels"].append(corr.make_relabel("We route easy requests to a small model.", 1.0, 3.0, "production", "strong"))
    first["relabels"].append(corr.make_relabel("Thanks for asking.", 0.0, 0.8, "none", "neutral"))
    first["score_overrides"].append(corr.make_score_override("applied", 3.0))
    first["notes"].append(corr.make_note("First pass."))
    corr.save(tmp_path, first)

    second = corr.new_corrections("take-1", coach="Bo")
    # The same sentence (punctuation and case aside) relabeled again: the later label wins.
    second["relabels"].append(corr.make_relabel("we route easy requests to a small model", 1.02, 3.0, "production", "weak"))
    second["score_overrides"].append(corr.make_score_override("applied", 4.0))
    second["score_overrides"].append(corr.make_score_override("evals", 2.5))
    second["notes"].append(corr.make_note("Second pass."))
    corr.save(tmp_path, second)
    corr.save(tmp_path, second)  # saving the same thing twice changes nothing

    doc = corr.load(tmp_path)
    assert doc["coach"] == "Bo"
    assert sorted((r["text"], r["polarity"]) for r in doc["relabels"]) == [
        ("Thanks for asking.", "neutral"), ("we route easy requests to a small model", "weak")]
    assert {o["dimension"]: o["score"] for o in doc["score_overrides"]} == {"applied": 4.0, "evals": 2.5}
    assert [n["text"] for n in doc["notes"]] == ["First pass.", "Second pass."]


def test_save_needs_a_session_folder(tmp_path):
    with pytest.raises(CorrectionsError, match="not a session folder"):
        corr.save(tmp_path / "missing", corr.new_corrections("x"))


# ---------------------------------------------------------------------------- picking a sentence


SENTENCES = [
    Sentence("I would start with a golden set.", 0.2, 2.0),
    Sentence("It is basically a large language model.", 4.0, 6.0),
    Sentence("We would start small.", 6.5, 8.0),
]


def test_find_sentence_by_text_or_time():
    assert corr.find_sentence(SENTENCES, text="basically a LARGE language") is SENTENCES[1]
    assert corr.find_sentence(SENTENCES, at=5.0) is SENTENCES[1]
    assert corr.find_sentence(SENTENCES, at=3.0) is SENTENCES[0]  # in the pause after it
    with pytest.raises(CorrectionsError, match="2 sentences contain 'start'.*add more words or use --at"):
        corr.find_sentence(SENTENCES, text="start")
    with pytest.raises(CorrectionsError, match="no sentence contains"):
        corr.find_sentence(SENTENCES, text="kubernetes")
    with pytest.raises(CorrectionsError, match="no sentence is spoken at 30.0 s"):
        corr.find_sentence(SENTENCES, at=30.0)
    with pytest.raises(CorrectionsError, match="either by its text"):
        corr.find_sentence(SENTENCES, text="x", at=1.0)


# ---------------------------------------------------------------------------- training rows


def test_signal_rows_match_the_training_format(tmp_path):
    from voicemock.flows.training import read_signals

    a = corr.new_corrections("take-1", competency="evals")
    a["relabels"].append(corr.make_relabel("It is basically an LLM.", 1, 2, "conceptual", "weak",
                                           original_dimension="conceptual", original_polarity="strong"))
    a["relabels"].append(corr.make_relabel("Thanks for the question.", 0, 1, "none", "neutral"))
    a["relabels"][0]["created_at"] = "2025-03-01T10:00:00.000Z"  # before take-2's relabel of the same sentence
    (tmp_path / "take-1").mkdir()
    corr.save(tmp_path / "take-1", a)
    b = corr.new_corrections("take-2", competency="strategy")
    b["relabels"].append(corr.make_relabel("it is basically an llm", 1, 2, "conceptual", "strong"))
    b["relabels"][0]["created_at"] = "2025-03-02T09:00:00.000Z"
    (tmp_path / "nested" / "take-2").mkdir(parents=True)
    corr.save(tmp_path / "nested" / "take-2", b)

    docs = corr.collect_corrections([tmp_path])
    assert len(docs) == 2
    rows = corr.corrections_to_signal_rows(docs)
    assert len(rows) == 2  # the same sentence in two takes is one row: the later label
    by_text = {r["text"].lower().rstrip("."): r for r in rows}
    llm = by_text["it is basically an llm"]
    assert (llm["dimension"], llm["polarity"], llm["competency"]) == ("conceptual", "strong", "strategy")
    for r in rows:
        assert set(r) == {"id", "group", "text", "dimension", "polarity", "competency", "signal", "variant", "split"}
        assert r["split"] == "train" and r["variant"] == "coach" and r["group"].startswith("coach-")
    assert len({r["id"] for r in rows}) == 2
    # The classifier's own reader accepts them.
    path = tmp_path / "signals.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert {r.label for r in read_signals(path)} == {"conceptual:strong", "none"}


def test_collect_names_a_missing_folder(tmp_path):
    with pytest.raises(CorrectionsError, match="no such folder"):
        corr.collect_corrections([tmp_path / "gone"])


# ---------------------------------------------------------------------------- the round trip


def _base_signals(limit_groups_per_label: int = 14) -> list[dict]:
    """A label-balanced slice of models/data/signals.jsonl's train split (whole groups, so every
    paraphrase comes along): the same training code on less data, so two trainings fit in a test."""
    from voicemock.resources import models_dir

    rows = [json.loads(line) for line in (models_dir() / "data" / "signals.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    groups: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        if r["split"] != "train":
            continue
        chosen = groups.setdefault((r["dimension"], r["polarity"]), [])
        if r["group"] not in chosen and len(chosen) < limit_groups_per_label:
            chosen.append(r["group"])
    keep = {g for chosen in groups.values() for g in chosen}
    return [r for r in rows if r["group"] in keep]


def _train(folder: Path, rows: list[dict]):
    from voicemock.assess.classifier import load_classifier
    from voicemock.flows.training import train_classifier

    (folder / "data").mkdir(parents=True)
    (folder / "data" / "signals.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = train_classifier(folder / "data", folder, cross_validate=False)
    return load_classifier(result.artifact)


@pytest.mark.slow
def test_label_train_score_again_changes_the_sentence(tmp_path):
    """label (CLI) -> corrections.json -> training rows -> retrain -> the corrected sentence is
    classified the coach's way, where before it was not."""
    from test_review import review_session

    from voicemock.cli import main
    from voicemock.commands.label import label

    session = review_session(tmp_path / "recordings" / "take-1")
    transcript = Transcript.from_dict(json.loads((session / "transcript.json").read_text(encoding="utf-8")))
    sentence = next(s for s in split_sentences(transcript) if "latency" in s.text.lower())

    base = _base_signals()
    before = _train(tmp_path / "before", base).classify([sentence.text])[0]
    # The coach's label is one the classifier did not give: that is what a correction is.
    target = ("applied", "strong") if (before.dimension, before.polarity) != ("applied", "strong") else ("production", "weak")

    if "label" not in main.commands:
        main.add_command(label)
    words = " ".join(sentence.text.split()[:6])
    result = CliRunner().invoke(main, ["label", str(session), "--sentence", words, "--dimension", target[0],
                                       "--polarity", target[1], "--coach", "Dana"])
    assert result.exit_code == 0, result.output
    assert f"relabel {sentence.text!r}: {target[1]} {target[0]}" in result.output

    rows = corr.corrections_to_signal_rows(corr.collect_corrections([tmp_path / "recordings"]))
    assert [(r["text"], r["dimension"], r["polarity"], r["competency"]) for r in rows] == [
        (sentence.text, target[0], target[1], "evals")]
    after = _train(tmp_path / "after", base + rows).classify([sentence.text])[0]

    assert (before.dimension, before.polarity) != target
    assert (after.dimension, after.polarity) == target, (before, after)


def test_label_command_validates_and_saves(tmp_path):
    from test_review import review_session

    from voicemock.cli import main
    from voicemock.commands.label import label

    if "label" not in main.commands:
        main.add_command(label)
    session = review_session(tmp_path / "take-1")
    run = lambda *args: CliRunner().invoke(main, ["label", str(session), *args])

    transcript = Transcript.from_dict(json.loads((session / "transcript.json").read_text(encoding="utf-8")))
    said = next(s for s in split_sentences(transcript) if "basically" in s.text.lower())
    ok = run("--at", f"{(said.start + said.end) / 2:.2f}", "--polarity", "neutral", "--score", "applied=3.5", "--note", "Lead with the metric.")
    assert ok.exit_code == 0, ok.output
    doc = corr.load(session)
    assert "basically" in doc["relabels"][0]["text"] and doc["relabels"][0]["dimension"] == "none"
    assert (doc["relabels"][0]["original_dimension"], doc["relabels"][0]["original_polarity"]) == ("conceptual", "weak")
    assert doc["score_overrides"][0] == {**doc["score_overrides"][0], "dimension": "applied", "score": 3.5, "original_score": 3.9}
    assert doc["notes"][0]["text"] == "Lead with the metric."

    bad_dim = run("--score", "vibes=3")
    assert bad_dim.exit_code == 2 and "'vibes' is not a dimension of this report; use one of conceptual, applied" in bad_dim.output
    assert run("--score", "applied").exit_code == 2
    nothing = run()
    assert nothing.exit_code == 2 and "nothing to save" in nothing.output
    no_sentence = run("--dimension", "applied", "--polarity", "weak")
    assert no_sentence.exit_code == 2 and "name it with --sentence TEXT or --at SECONDS" in no_sentence.output
    missing = run("--sentence", "kubernetes autoscaling", "--dimension", "applied", "--polarity", "weak")
    assert missing.exit_code == 1 and missing.output.startswith("Error: no sentence contains 'kubernetes autoscaling'")
    mismatched = run("--at", "1.0", "--dimension", "applied", "--polarity", "neutral")
    assert mismatched.exit_code == 1 and "use dimension 'none' exactly when polarity is 'neutral'" in mismatched.output
    assert len(corr.load(session)["relabels"]) == 1  # failed runs saved nothing
