"""Takes scored by `score` and `batch --score` come back through `history`, from a real SQLite file."""

from __future__ import annotations

import csv
import json
import io

import numpy as np
from click.testing import CliRunner

from support import silence, synthesize, write_wav
from voicemock.cli import main

ANSWER = (
    "My recommendation is to route simple tickets to the small model. "
    "Our latency budget is three hundred milliseconds, which rules out the large model for most traffic. "
    "We would watch the escalation rate weekly and fall back to the large model if quality drops."
)


def _history_rows(recordings) -> list[dict]:
    result = CliRunner().invoke(main, ["history", "--recordings-dir", str(recordings), "--export", "csv"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_score_adds_a_typed_take_only_with_remember_and_no_history_does_not(tmp_path):
    answer = tmp_path / "answer.txt"
    answer.write_text(ANSWER)
    recordings = tmp_path / "rec"
    runner = CliRunner()
    result = runner.invoke(main, ["score", str(answer), "-q", "cost-latency-routing-01", "--recordings-dir", str(recordings)])
    assert result.exit_code == 0, result.output
    assert not (recordings / "history.sqlite3").exists()  # typed text is not remembered by default
    for _ in range(2):
        result = runner.invoke(
            main, ["score", str(answer), "-q", "cost-latency-routing-01", "--recordings-dir", str(recordings), "--remember"]
        )
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["score", str(answer), "--recordings-dir", str(recordings), "--no-history", "--remember"])
    assert result.exit_code == 0, result.output
    rows = _history_rows(recordings)
    assert len(rows) == 2
    assert {r["source"] for r in rows} == {"score-text"}
    assert {r["input_path"] for r in rows} == {str(answer.resolve())}
    assert {r["question_id"] for r in rows} == {"cost-latency-routing-01"}
    assert {r["competency"] for r in rows} == {"cost-latency-routing"}


def test_batch_score_adds_one_take_per_scored_file(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    samples, rate = synthesize(ANSWER)
    for name in ("a", "b"):
        write_wav(archive / f"{name}.wav", np.concatenate([silence(0.4, rate), samples]), rate)
    (archive / "broken.wav").write_text("not audio")
    recordings = tmp_path / "rec"
    result = CliRunner().invoke(
        main, ["batch", str(archive), "-o", str(tmp_path / "out"), "--score", "--workers", "1", "--recordings-dir", str(recordings)]
    )
    assert result.exit_code == 1  # broken.wav failed; the others are done
    rows = _history_rows(recordings)
    assert len(rows) == 2 and {r["source"] for r in rows} == {"batch"}
    assert all(float(r["overall"]) >= 1.0 for r in rows)


def test_practice_next_picks_the_weakest_competency(tmp_path):
    from voicemock.store.history import record_take
    from voicemock.bank.questions import load_bank
    from voicemock.records import DimensionScore, Scorecard

    recordings = tmp_path / "rec"
    bank = load_bank()
    for competency in bank.competencies:
        overall = 1.8 if competency == "estimation" else 3.9
        card = Scorecard(
            input="take.wav", rubric="ai-pm-technical", level="pm", overall=overall, passed=overall >= 3.5,
            dimensions=[DimensionScore("Applied Reasoning", "applied", 0.3, overall, overall - 0.5, overall + 0.5)],
            question_id=f"{competency}-01",
        )
        record_take(card, recordings_dir=recordings, source="practice")
    samples, rate = synthesize("I would estimate the daily calls from active users times calls per user.")
    answer = write_wav(tmp_path / "answer.wav", np.concatenate([silence(0.4, rate), samples]), rate)
    result = CliRunner().invoke(
        main, ["practice", "--next", "--answer-file", str(answer), "--recordings-dir", str(recordings), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"):])
    assert report["question_id"].startswith("estimation-")
    rows = _history_rows(recordings)
    assert len(rows) == len(bank.competencies) + 1 and rows[-1]["competency"] == "estimation"
