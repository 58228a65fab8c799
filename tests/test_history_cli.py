"""`voicemock history`: the table, trends, CSV export and plot, on a real history file."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import click
import pytest
from click.testing import CliRunner
from test_history import SKILLS, make_scorecard

from voicemock.cli import _Group, main
from voicemock.commands.history import history
from voicemock.store.history import history_path, record_take

# Local times: the table shows local time, and --since takes a local date.
DAY1 = datetime(2025, 3, 3, 9, 0)


def _cli() -> click.Group:
    # The real group once the command is registered there; until then the same group class, so errors
    # are mapped to `Error: ...` exactly as `voicemock` maps them.
    if "history" in main.commands:
        return main
    group = _Group("voicemock")
    group.add_command(history)
    return group


def invoke(*args: str):
    return CliRunner().invoke(_cli(), ["history", *args])


@pytest.fixture
def rec(tmp_path):
    rec = tmp_path / "recordings"
    plan = [
        ("evals-01", "practice", {"conceptual": 2.6, "applied": 2.2, "production": 1.8, "communication": 3.0}, 176.0, 4.8),
        ("evals-02", "practice", {"conceptual": 3.0, "applied": 2.8, "production": 2.2, "communication": 3.2}, 165.0, 3.9),
        ("strategy-01", "score", {"conceptual": 3.6, "applied": 3.4, "production": 2.9, "communication": 3.6}, None, None),
        ("evals-01", "batch", {"conceptual": 3.9, "applied": 3.7, "production": 3.1, "communication": 4.0}, 151.0, 2.6),
    ]
    for day, (qid, source, scores, wpm, fpm) in enumerate(plan):
        record_take(make_scorecard(qid, scores, wpm=wpm, fillers_per_minute=fpm), recordings_dir=rec, source=source,
                    taken_at=DAY1 + timedelta(days=day), files={"audio": str(rec / f"take{day}" / "answer.wav")})
    return rec


def test_table_and_trends(rec):
    result = invoke("--recordings-dir", str(rec))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"4 takes in {history_path(rec)}"
    assert lines[2].split() == ["id", "when", "source", "question", "level", "overall", "pass", "conc", "appl", "prod",
                                "comm", "wpm", "fill/min", "input"]
    assert lines[3].split() == ["1", "2025-03-03", "09:00", "practice", "evals-01", "pm", "2.34", "no", "2.6", "2.2",
                                "1.8", "3.0", "176", "4.8", "answer.wav"]
    assert lines[5].split()[3] == "score-text" and lines[5].split()[-3:-1] == ["-", "-"]  # the typed answer has no pace
    assert "conc = Conceptual Understanding" in result.output
    production = next(ln for ln in lines if ln.startswith("  Production Awareness "))
    # Trends read the three spoken takes: the typed score-text row is listed but not counted.
    assert "Typed transcripts are listed but left out of the trends (--with-typed counts them).\nTrend over the 3 spoken takes (" in result.output
    assert production.split()[2:] == ["1.80", "->", "3.10", "+0.65/take", "recent", "2.37", "rising"]
    pace = next(ln for ln in lines if ln.startswith("  Pace (wpm) "))
    assert pace.split()[2:] == ["176", "->", "151", "-12.50/take", "recent", "164", "falling"]
    assert "Pace (wpm)" in result.output and "Fillers per minute" in result.output
    assert "Weakest dimension lately: Production Awareness (recent mean 2.37)." in result.output
    typed = invoke("--recordings-dir", str(rec), "--with-typed")
    production = next(ln for ln in typed.output.splitlines() if ln.startswith("  Production Awareness "))
    assert production.split()[2:] == ["1.80", "->", "3.10", "+0.46/take", "recent", "2.50", "rising"]
    # The strategy take was typed text: only evals was practised out loud, so no competency is singled out.
    assert "Weakest competency you have practised" not in result.output


def test_filters(rec):
    result = invoke("--recordings-dir", str(rec), "--question", "evals-01")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 takes in ")
    result = invoke("--recordings-dir", str(rec), "--competency", "strategy")
    assert result.output.startswith("1 takes in ") and "strategy-01" in result.output
    result = invoke("--recordings-dir", str(rec), "--since", "2025-03-05")
    assert result.output.startswith("2 takes in ") and "evals-02" not in result.output
    result = invoke("--recordings-dir", str(rec), "--competency", "behavioral")
    assert result.exit_code == 0 and result.output == f"No takes in {history_path(rec)} match these filters.\n"
    result = invoke("--recordings-dir", str(rec), "--since", "last week")
    assert result.exit_code == 2 and "Invalid value for '--since'" in result.output


def test_recordings_dir_from_the_environment(rec, monkeypatch):
    monkeypatch.setenv("VOICEMOCK_RECORDINGS", str(rec))
    result = invoke()
    assert result.exit_code == 0 and result.output.startswith("4 takes in ")


def test_no_history_yet(tmp_path):
    empty = tmp_path / "fresh"
    result = invoke("--recordings-dir", str(empty))
    assert result.exit_code == 0
    assert result.output == f"No history yet in {history_path(empty)}; practice, score and batch record each take there.\n"
    assert not empty.exists()  # looking never creates anything


def test_export_csv_one_row_per_take(rec):
    # Mixed rubrics: each rubric's dimensions get their own columns.
    skills = {"data_literacy": 3.0, "metrics": 4.2, "clarifying": 2.1, "tradeoffs": 3.6, "implementation": 2.8,
              "technical_communication": 3.3}
    record_take(make_scorecard("technical-depth-01", skills, rubric=SKILLS), recordings_dir=rec, source="batch")
    result = invoke("--recordings-dir", str(rec), "--export", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 5
    assert [r["source"] for r in rows] == ["practice", "practice", "score-text", "batch", "batch"]
    assert rows[0]["score_conceptual"] == "2.6" and rows[4]["score_tradeoffs"] == "3.6"
    assert rows[4]["score_conceptual"] == "" and rows[2]["wpm"] == ""
    assert json.loads(rows[0]["files"]) == {"audio": str((rec / "take0" / "answer.wav").resolve())}

    filtered = invoke("--recordings-dir", str(rec), "--export", "csv", "--question", "evals-01")
    assert len(list(csv.DictReader(io.StringIO(filtered.output)))) == 2


def test_plot_option_writes_a_png(rec, tmp_path):
    out = tmp_path / "progress.png"
    result = invoke("--recordings-dir", str(rec), "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 30_000
    assert f"wrote {out}" in result.output


def test_plot_with_nothing_to_draw_is_a_one_line_error(tmp_path):
    result = invoke("--recordings-dir", str(tmp_path / "fresh"), "--plot", str(tmp_path / "p.png"))
    assert result.exit_code == 1
    assert result.output == "Error: no takes to plot; record some with `voicemock practice`, or loosen the filters\n"


def test_help_has_examples():
    result = invoke("--help")
    assert result.exit_code == 0 and "Examples:" in result.output and "--export" in result.output


def test_a_practice_take_comes_back_through_history(tmp_path):
    # End to end through the practice library (the command is a thin shell over run_practice): a typed
    # answer, so no model is needed, then `history` and the CSV show the take with its session files.
    from voicemock.flows.practice import PracticeOptions, run_practice

    rec = tmp_path / "recordings"
    answer = tmp_path / "answer.txt"
    answer.write_text(
        "I would start with a golden set of two hundred labeled summaries and run offline evals before launch.\n"
        "Then I would watch for regressions on every model change and add human review for risky cases.\n"
    )
    result = run_practice(PracticeOptions(question_id="evals-01", answer_file=str(answer), speak=False, recordings_dir=str(rec)))
    out = invoke("--recordings-dir", str(rec), "--export", "csv")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert len(rows) == 1
    assert rows[0]["source"] == "practice" and rows[0]["question_id"] == "evals-01" and rows[0]["competency"] == "evals"
    assert float(rows[0]["overall"]) == pytest.approx(result.scorecard.overall)
    assert str(result.session.path.resolve()) in rows[0]["files"]
