"""The text and Markdown reports of a typed transcript, byte for byte against recorded files: a typed
answer has no audio, so the whole report is deterministic. After an intended change of the reports,
rewrite them with VOICEMOCK_UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from voicemock.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden" / "reports"
UPDATE = os.environ.get("VOICEMOCK_UPDATE_GOLDEN") == "1"
ANSWER = (
    "My short answer is that I would not launch on one accuracy number. "
    "I would build a test set from five hundred real support tickets, because long escalated threads are where summaries break. "
    "Two senior agents grade each summary for the customer's request, anything invented, and any missed promise. "
    "An invented refund amount is much worse than a summary that runs a little long, so invented content is a launch blocker. "
    "I would roll out to ten percent of agents first and watch how often they open the full ticket anyway. "
    "If that rises by more than ten points in a week, we roll back to the previous prompt. "
    "So to sum up: a test set from real tickets, a hard gate on invented content, and a staged rollout we watch."
)


@pytest.mark.parametrize("fmt, name", [("text", "typed-evals-01.txt"), ("markdown", "typed-evals-01.md")])
def test_typed_transcript_report_is_unchanged(tmp_path, monkeypatch, fmt, name):
    monkeypatch.chdir(tmp_path)
    Path("answer.txt").write_text(ANSWER + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "answer.txt", "--question", "evals-01", "--format", fmt, "--no-history"])
    assert result.exit_code == 0, result.output
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8"), f"{name} differs from the recorded report"


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_each_limit_is_said_once(tmp_path, monkeypatch, fmt):
    """A typed, short answer has two limits a reader must see (no timing; scores capped for length):
    each is said in one place, not in the header, the caveats and the limits section over again."""
    monkeypatch.chdir(tmp_path)
    Path("answer.txt").write_text(ANSWER + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "answer.txt", "--question", "evals-01", "--format", fmt, "--no-history"])
    assert result.exit_code == 0, result.output
    text = result.stdout.lower()
    assert text.count("timing") == 1, result.stdout
    assert text.count("scores capped at") == 1, result.stdout
    assert text.count("length: ") == 1, result.stdout  # the structure check, not a second verdict line
