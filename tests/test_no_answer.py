"""No answer, no score: every command that takes an answer refuses input that holds none, the same way.

For each case (silence, a long silent WAV, a truncated WAV, a JSON that is not a transcript, a transcript
with no words, speech not confidently English) and each command (score, batch --score, practice
--answer-file, review): a non-zero exit, a one-line `Error:` naming the input, no scorecard, no history row.
"""

from __future__ import annotations

import csv
import json
import wave
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from support import REPO, silence, synthesize, write_wav
from voicemock.cli import main

SAMPLE_ANSWER = REPO / "rubrics" / "samples" / "sample-answer.ogg"
TYPED = (
    "My short answer: I'd launch only after it passes a golden set built from real tickets. "
    "I'd pull five hundred recent tickets, stratified by product area and length, because long threads are where summaries break. "
    "Invented content is a hard gate, under one percent, because an agent acting on a made-up refund is worse than no summary."
)
SPOKEN = (
    "I would start with a golden set of real support tickets. Senior agents grade the summaries on faithfulness, "
    "and a human review pilot checks the edge cases. After launch the golden set runs as a regression suite."
)


def _truncated_wav(path: Path, stated_s: float, kept_s: float, samples: np.ndarray | None = None, rate: int = 16000) -> Path:
    """A WAV whose header states `stated_s` seconds but whose data stops after `kept_s` (a copy cut short)."""
    full = samples if samples is not None else np.zeros(int(stated_s * rate), dtype=np.float32)
    write_wav(path, full, rate)
    data = path.read_bytes()
    with wave.open(str(path)) as w:
        assert w.getnframes() == len(full)
    path.write_bytes(data[: 44 + int(kept_s * rate) * 2])
    return path


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """Each input that holds no answer, with the words its error must contain."""
    d = tmp_path_factory.mktemp("no-answer")
    rate = 8000
    # 20 minutes of digital silence: long enough to be a real file, short enough to decode in a test.
    with wave.open(str(d / "long-silence.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(rate)
        w.writeframes(b"\0\0" * rate * 60 * 20)
    (d / "foo.json").write_text('{"foo": 1}')
    (d / "nowords.json").write_text(json.dumps({"source": "x.wav", "duration_s": 3.0, "segments": []}))
    return {
        "silence": (write_wav(d / "silence.wav", silence(0.2, 16000), 16000), "no answer to score: the audio is silent"),
        "long-silence": (d / "long-silence.wav", "no answer to score: the audio is silent"),
        # The header says 11 s; 0.62 s (of silence) is there.
        "truncated": (_truncated_wav(d / "truncated.wav", 11.0, 0.62), "no answer to score: the audio is silent"),
        "not-a-transcript": (d / "foo.json", "not a voicemock transcript (it has no 'segments' list (its keys: foo))"),
        "no-words": (d / "nowords.json", "no answer to score: no speech heard in its 3 s of audio"),
    }


@pytest.fixture(scope="module")
def answer_wav(tmp_path_factory):
    samples, rate = synthesize(SPOKEN)
    path = tmp_path_factory.mktemp("speech") / "answer.wav"
    return write_wav(path, np.concatenate([silence(0.5, rate), samples, silence(0.3, rate)]), rate)


def _rows(rec: Path) -> int:
    path = rec / "history.sqlite3"
    if not path.exists():
        return 0
    import sqlite3

    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM takes").fetchone()[0]


def _error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("Error: ")]


# ---------------------------------------------------------------------------- score


@pytest.mark.parametrize("case", ["silence", "long-silence", "truncated", "not-a-transcript", "no-words"])
def test_score_refuses_input_without_an_answer(cases, case, tmp_path):
    path, words = cases[case]
    rec = tmp_path / "rec"
    result = CliRunner().invoke(main, ["score", str(path), "-q", "evals-01", "--recordings-dir", str(rec)])
    assert result.exit_code == 1
    (error,) = _error_lines(result.stderr)  # one line, not a second one tallying one failure
    assert error.startswith(f"Error: {path}: ") and words in error, result.stderr
    assert result.stdout == ""  # no scorecard
    assert _rows(rec) == 0
    assert "Traceback" not in result.output


def test_a_truncated_wav_warns_once_naming_both_lengths(cases, tmp_path):
    path, _ = cases["truncated"]
    result = CliRunner().invoke(main, ["score", str(path), "--recordings-dir", str(tmp_path)])
    warnings = [ln for ln in result.stderr.splitlines() if "cut short" in ln]
    assert warnings == [f"Warning: {path}: the file is cut short: its header says 11.00 s of audio, 0.62 s is there; read what is there"]
    assert "WARNING" not in result.stderr  # one warning per problem, in one style


def test_a_truncated_wav_with_speech_is_read_as_far_as_it_goes(answer_wav, tmp_path):
    with wave.open(str(answer_wav)) as w:
        rate, frames = w.getframerate(), w.getnframes()
    samples = np.frombuffer(answer_wav.read_bytes()[44:], dtype="<i2").astype(np.float32) / 32767
    cut = _truncated_wav(tmp_path / "cut.wav", frames / rate, 4.0, samples, rate)
    result = CliRunner().invoke(main, ["transcribe", str(cut)])
    assert result.exit_code == 0, result.output
    assert "golden set" in result.stdout.lower()
    assert result.stderr.count("Warning:") == 1 and f"header says {frames / rate:.2f} s of audio, 4.00 s is there" in result.stderr


def test_score_goes_on_past_an_input_without_an_answer(cases, tmp_path):
    typed = tmp_path / "answer.txt"
    typed.write_text(TYPED)
    silent, _ = cases["silence"]
    result = CliRunner().invoke(main, ["score", str(silent), str(typed), "-f", "jsonl", "--recordings-dir", str(tmp_path / "rec")])
    assert result.exit_code == 1
    assert [json.loads(ln)["input"] for ln in result.stdout.splitlines()] == [str(typed)]
    assert "1 of 2 inputs failed" in result.stderr


def test_one_warning_for_silence_in_one_style(cases):
    path, _ = cases["silence"]
    result = CliRunner().invoke(main, ["transcribe", str(path)])
    assert result.stderr.splitlines() == [f"Warning: {path}: no speech detected: the transcript is empty"]


# ---------------------------------------------------------------------------- batch --score


def test_batch_score_refuses_the_same_inputs_and_goes_on(cases, answer_wav, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    for case in ("silence", "long-silence", "truncated"):
        (archive / f"{case}.wav").write_bytes(cases[case][0].read_bytes())
    (archive / "good.wav").write_bytes(answer_wav.read_bytes())
    rec = tmp_path / "rec"
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(archive), "-o", str(out), "--score", "--workers", "1", "--recordings-dir", str(rec)])
    assert result.exit_code == 1
    rows = {Path(r["input"]).name: r for r in csv.DictReader((out / "summary.csv").open())}
    for case in ("silence", "long-silence", "truncated"):
        name = f"{case}.wav"
        assert rows[name]["error"].startswith("no answer to score: the audio is silent"), rows[name]
        assert not (out / f"{case}.report.json").exists()
        assert f"failed: {archive / name}: no answer to score: the audio is silent" in result.stderr
    assert rows["good.wav"]["error"] == "" and (out / "good.report.json").is_file()
    assert _rows(rec) == 1  # only the answer


# ---------------------------------------------------------------------------- practice --answer-file


def test_practice_take_with_no_speech_keeps_the_take_and_says_why(cases, tmp_path):
    path, _ = cases["silence"]
    rec = tmp_path / "rec"
    result = CliRunner().invoke(main, ["practice", "-q", "evals-01", "--answer-file", str(path), "--recordings-dir", str(rec)])
    assert result.exit_code == 1
    (session,) = [p for p in rec.iterdir() if p.is_dir()]
    (error,) = _error_lines(result.stderr)
    assert error.startswith(f"Error: {session / 'answer.wav'}: no answer to score: the audio is silent")
    assert "likely cause: the --answer-file holds no voice" in error and f"kept in {session}" in error
    assert {p.name for p in session.iterdir()} == {"question.json", "answer.wav", "transcript.json", "report.md"}
    report = (session / "report.md").read_text()
    assert "Nothing was heard in this take" in report and "not added to the history" in report
    assert result.stdout == ""
    assert _rows(rec) == 0


def test_practice_from_the_microphone_names_the_level_and_the_device():
    from voicemock.assess.answer_check import check_answer
    from voicemock.present.no_answer import no_answer_markdown
    from voicemock.records import Transcript

    verdict = check_answer(Transcript("answer.wav", "en", 4.0, ()), silent=True)
    report = no_answer_markdown(verdict, Path("answer.wav"), microphone=True)
    assert "Nothing was heard" in report
    assert "microphone level" in report and "--device" in report and "voicemock devices" in report


def test_practice_answer_file_that_is_not_audio_makes_no_session_folder(tmp_path):
    bad = tmp_path / "notaudio.wav"
    bad.write_text("this is not audio\n")
    rec = tmp_path / "rec"
    result = CliRunner().invoke(main, ["practice", "-q", "evals-01", "--answer-file", str(bad), "--recordings-dir", str(rec)])
    assert result.exit_code == 1
    (error,) = _error_lines(result.stderr)
    assert error.startswith(f"Error: {bad}: not a readable audio file")
    assert not rec.exists() or not [p for p in rec.iterdir() if p.is_dir()]
    assert _rows(rec) == 0


# ---------------------------------------------------------------------------- review


def test_review_refuses_audio_without_an_answer(cases, tmp_path):
    path, _ = cases["silence"]
    result = CliRunner().invoke(main, ["review", str(path), "-o", str(tmp_path / "page.html")])
    assert result.exit_code == 1
    assert _error_lines(result.stderr) == [
        f"Error: {path}: no answer to score: the audio is silent (nothing louder than -60 dBFS); pass the recording "
        "that holds the spoken answer (when recording, check the microphone level and --device)"
    ]
    assert not (tmp_path / "page.html").exists()


def test_review_refuses_a_take_that_held_no_answer(cases, tmp_path):
    path, _ = cases["silence"]
    rec = tmp_path / "rec"
    CliRunner().invoke(main, ["practice", "-q", "evals-01", "--answer-file", str(path), "--recordings-dir", str(rec)])
    (session,) = [p for p in rec.iterdir() if p.is_dir()]
    result = CliRunner().invoke(main, ["review", str(session)])
    assert result.exit_code == 1
    (error,) = _error_lines(result.stderr)
    assert error.startswith(f"Error: {session}: the take holds no answer (no speech heard")
    assert not (session / "review.html").exists()


# ---------------------------------------------------------------------------- typed vs spoken


def test_a_report_on_typed_text_says_typed_and_has_no_audio_filler_limits(tmp_path):
    typed = tmp_path / "answer.txt"
    typed.write_text(TYPED)
    result = CliRunner().invoke(main, ["score", str(typed), "-q", "evals-01", "--no-history"])
    assert result.exit_code == 0, result.output
    assert "typed transcript" in result.stdout
    assert "Filled pauses" not in result.stdout  # what a recognizer drops from audio is no limit of typed text


def test_a_report_on_audio_never_says_typed(answer_wav, tmp_path):
    result = CliRunner().invoke(main, ["score", str(answer_wav), "-q", "evals-01", "--no-history"])
    assert result.exit_code == 0, result.output
    assert "typed" not in result.stdout
    transcript = tmp_path / "answer.json"
    CliRunner().invoke(main, ["transcribe", str(answer_wav), "-f", "json", "-o", str(tmp_path)])
    result = CliRunner().invoke(main, ["score", str(transcript), "-q", "evals-01", "--no-history"])
    assert result.exit_code == 0, result.output
    assert "typed" not in result.stdout


# ---------------------------------------------------------------------------- errors name what the user gave


def test_an_unwritable_output_dir_is_named_not_a_temporary_file(answer_wav, tmp_path, monkeypatch):
    import tempfile

    out = tmp_path / "out"
    out.mkdir()

    def refuse(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", str(Path(dir) / ".answer.txt.6mtxy1xw.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = CliRunner().invoke(main, ["transcribe", str(answer_wav), "-o", str(out)])
    assert result.exit_code == 1
    assert _error_lines(result.stderr) == [f"Error: {out}: Permission denied; check the path and its permissions"]


# ---------------------------------------------------------------------------- history you can trust


def test_five_practice_takes_and_three_typed_scores_leave_a_trend_of_the_five(answer_wav, tmp_path):
    from voicemock.flows.practice import PracticeOptions, run_practice
    from voicemock.store.history import HistoryStore, history_path
    from voicemock.store.trends import baseline_wpm

    rec = tmp_path / "rec"
    for _ in range(5):
        run_practice(PracticeOptions(question_id="evals-01", answer_file=str(answer_wav), speak=False, recordings_dir=str(rec)))
    typed = tmp_path / "typed.txt"
    typed.write_text(TYPED)
    for _ in range(3):
        result = CliRunner().invoke(main, ["score", str(typed), "-q", "evals-01", "--recordings-dir", str(rec), "--remember"])
        assert result.exit_code == 0, result.output
    with HistoryStore(history_path(rec)) as store:
        takes = store.query()
    assert [t.source for t in takes] == ["practice"] * 5 + ["score-text"] * 3
    assert [t.input_path for t in takes][-1] == str(typed.resolve())

    result = CliRunner().invoke(main, ["history", "--recordings-dir", str(rec)])
    assert result.exit_code == 0, result.output
    assert "8 takes in" in result.stdout
    assert "Typed transcripts are listed but left out of the trends (--with-typed counts them).\nTrend over the 5 spoken takes (" in result.stdout
    assert "mean of the last 5" in result.stdout
    overall = next(ln for ln in result.stdout.splitlines() if ln.startswith("  Overall "))
    assert overall.split()[-1] == "steady"  # the same answer five times: not "falling"
    assert baseline_wpm(rec) == pytest.approx(takes[0].wpm, abs=0.1)


def test_history_lists_ids_and_sources_and_forgets_a_row(tmp_path):
    from test_history import make_scorecard
    from voicemock.store.history import record_take

    rec = tmp_path / "rec"
    first = record_take(make_scorecard(), recordings_dir=rec, source="practice")
    second = record_take(make_scorecard(wpm=None, input=str(tmp_path / "typed.txt")), recordings_dir=rec, source="score-text")
    listed = CliRunner().invoke(main, ["history", "--recordings-dir", str(rec)])
    header, *rows = [ln.split() for ln in listed.stdout.splitlines()[2:4]]
    assert header[:3] == ["id", "when", "source"] and rows[0][0] == str(first) and rows[0][3] == "practice"
    result = CliRunner().invoke(main, ["history", "--recordings-dir", str(rec), "--forget", str(second)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Forgot take {second} (score-text, {tmp_path / 'typed.txt'}, ")
    assert "1 takes in" in CliRunner().invoke(main, ["history", "--recordings-dir", str(rec)]).stdout
    again = CliRunner().invoke(main, ["history", "--recordings-dir", str(rec), "--forget", str(second)])
    assert again.exit_code == 1 and again.stderr.startswith(f"Error: no take {second} in ")


def test_a_schema_1_history_is_upgraded_and_keeps_its_rows(tmp_path):
    import sqlite3

    from voicemock.store import history

    rec = tmp_path / "rec"
    rec.mkdir()
    path = history.history_path(rec)
    conn = sqlite3.connect(path)
    history._migrate_0_to_1(conn)
    conn.execute("PRAGMA user_version = 1")
    row = "INSERT INTO takes VALUES (NULL, ?, 'score', ?, 'evals-01', 'evals', 'ai-pm-technical', 'pm', 2.0, 0, ?, NULL, NULL, '[]', '{}', ?)"
    conn.execute(row, ("2025-03-03T09:00:00.000000+00:00", "a.wav", 150.0, '{"audio": "/takes/a.wav"}'))
    conn.execute(row, ("2025-03-03T10:00:00.000000+00:00", "b.txt", None, '{"transcript": "/takes/b.txt"}'))
    conn.commit()
    conn.close()
    with history.HistoryStore(path) as store:
        takes = store.query()
    assert [(t.source, t.input_path) for t in takes] == [("score-audio", "/takes/a.wav"), ("score-text", "/takes/b.txt")]
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION == 2
