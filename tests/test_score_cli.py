"""`voicemock score`, invoked directly (the lead registers it in commands/__init__.py)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from voicemock.commands.evaluate import evaluate
from voicemock.commands.score import score
from voicemock.records import Transcript

ANSWER = (
    "My short answer: I'd launch only after it passes a golden set built from real tickets. "
    "I'd pull five hundred recent tickets, stratified by product area and length, because long threads are where summaries break. "
    "Invented content is a hard gate, under one percent, because an agent acting on a made-up refund is worse than no summary. "
    "After launch I'd watch how often agents expand the full ticket, and if that rises more than ten points we roll back."
)


@pytest.fixture
def inputs(tmp_path):
    txt = tmp_path / "answer.txt"
    txt.write_text(ANSWER)
    as_json = tmp_path / "answer.json"
    as_json.write_text(json.dumps(Transcript.from_text(ANSWER, source="answer").to_dict()))
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    return txt, as_json, bad


def test_score_txt_as_json(inputs):
    txt, _, _ = inputs
    result = CliRunner().invoke(score, [str(txt), "--question", "evals-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["input"] == str(txt) and d["rubric"] == "ai-pm-technical" and d["level"] == "pm"
    assert d["question_id"] == "evals-01" and isinstance(d["passed"], bool)
    assert d["delivery"] is not None and d["structure"] is not None
    assert d["delivery"]["wpm"] is None  # typed: no timing


def test_jsonl_keeps_input_order_and_goes_on_past_a_bad_file(inputs):
    txt, as_json, bad = inputs
    result = CliRunner().invoke(score, [str(as_json), str(bad), str(txt), "--question-text", "How would you evaluate a summarizer?", "-f", "jsonl"])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["input"] for line in lines] == [str(as_json), str(txt)]
    assert lines[0]["overall"] == lines[1]["overall"]  # the same answer, as .json and as .txt
    assert f"Error: {bad}: not valid JSON" in result.stderr
    assert "1 of 3 inputs failed" in result.stderr
    assert "Traceback" not in result.output


def test_text_report_and_level(inputs):
    txt, _, _ = inputs
    result = CliRunner().invoke(score, [str(txt), "--question", "evals-01", "--level", "senior"])
    assert result.exit_code == 0, result.output
    assert "level senior" in result.stdout and "Applied Reasoning" in result.stdout


def test_usage_errors(inputs):
    txt, as_json, _ = inputs
    both = CliRunner().invoke(score, [str(txt), "--question", "evals-01", "--question-text", "x"])
    assert both.exit_code == 2 and "not both" in both.output
    many = CliRunner().invoke(score, [str(txt), str(as_json), "--format", "json"])
    assert many.exit_code == 2 and "--format jsonl" in many.output


def test_help_has_an_example():
    for command in (score, evaluate):
        result = CliRunner().invoke(command, ["--help"])
        assert result.exit_code == 0 and "Example" in result.output


def test_audio_with_a_missing_model_fails_before_transcribing(speech_dir, tmp_path, monkeypatch):
    # The model is loaded behind the transcription of audio; a missing or replaced one must still be
    # reported at once, not after Whisper has run.
    import voicemock.assess.classifier as classifier_module
    import voicemock.flows.pipeline as pipeline

    monkeypatch.setattr(classifier_module, "models_dir", lambda: tmp_path)
    monkeypatch.setattr(pipeline, "read_answer", lambda *a, **k: pytest.fail("transcribed before the model was checked"))
    result = CliRunner().invoke(score, [str(speech_dir / "jfk.flac"), "--no-history"])
    assert result.exit_code != 0
    assert "no trained classifier at" in str(result.exception or "") + result.output


def test_audio_is_scored_with_the_model_loaded_behind_its_transcription(speech_dir, tmp_path):
    from voicemock.assess.classifier import forget_loaded_classifiers

    forget_loaded_classifiers()  # so the load really happens in the warm-up thread
    result = CliRunner().invoke(score, [str(speech_dir / "jfk.flac"), "--no-history", "-f", "json"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)
    assert len(card["dimensions"]) == 4 and card["delivery"]["word_count"] > 10
