"""The command line's output, byte for byte against files recorded before a change: `score --format json`
on the sample answer, `transcribe --format json`, and `questions` (text and JSON).

After an intended change of output, rewrite them with VOICEMOCK_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from voicemock.cli import main

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "cli"
UPDATE = os.environ.get("VOICEMOCK_UPDATE_GOLDEN") == "1"


def check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from the recorded output"


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)  # inputs are named by their path relative to the repository, as recorded


def test_questions_text_and_json_are_unchanged():
    check("questions.txt", CliRunner().invoke(main, ["questions"]).stdout)
    # The JSON names each question's shipped audio by its absolute path: the checkout's folder varies.
    check("questions.json", CliRunner().invoke(main, ["questions", "--format", "json"]).stdout.replace(str(REPO), "<repo>"))


def test_score_json_of_the_sample_answer_is_unchanged(in_repo):
    result = CliRunner().invoke(
        main, ["score", "rubrics/samples/sample-answer.ogg", "--question", "evals-01", "--format", "json", "--no-history"]
    )
    assert result.exit_code == 0, result.output
    check("score-sample-evals-01.json", result.stdout)


def test_transcribe_json_is_unchanged(tmp_path, speech_dir, in_repo):
    clip = os.path.relpath(speech_dir / "jfk.flac", REPO)  # the recorded JSON names its input as given
    result = CliRunner().invoke(main, ["transcribe", clip, "--format", "json", "--output-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    check("transcribe-jfk.json", (tmp_path / "jfk.json").read_text(encoding="utf-8"))
    json.loads((tmp_path / "jfk.json").read_text(encoding="utf-8"))
