"""`voicemock batch`: discovery, outputs and summary, resuming after kill -9, bad files, progress."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from support import SPEECH, silence, write_wav

from voicemock.flows.batch import SUMMARY_NAME, BatchSettings, run_batch
from voicemock.flows.batch_inputs import discover_inputs
from voicemock.flows.batch_ledger import LEDGER_DIR
from voicemock.flows.batch_local import choose_split
from voicemock.cli import _Group
from voicemock.commands.batch import batch
from voicemock.present.progress import ProgressBar, format_seconds

# Short real clips (about 2 s each), so the whole module transcribes little audio.
CLIPS = [SPEECH / "sb_asr" / f"spk2_snt{i}.wav" for i in range(1, 7)]
BAD = {
    "empty.wav": "empty",
    "truncated.wav": "not a readable audio file",  # a WAV header cut short
    "notes.wav": "not a readable audio file",  # text under an audio name
    "quiet.wav": "no answer to score: the audio is silent",  # pure digital silence
    "random.mp3": "not a readable audio file",  # bytes that are no format at all
}


def _cli():
    # The command under the CLI's own error mapping, registered or not in commands/__init__.py.
    group = _Group(name="voicemock")
    group.add_command(batch)
    return group


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "voicemock", "batch", *args], capture_output=True, text=True, timeout=300
    )


def _summary(out: Path) -> list[dict[str, str]]:
    with open(out / SUMMARY_NAME, newline="") as fh:
        return list(csv.DictReader(fh))


def _records(out: Path) -> dict[str, dict]:
    root = out / LEDGER_DIR / "done"
    return {p.relative_to(root).with_suffix("").as_posix(): json.loads(p.read_text()) for p in root.rglob("*.json")}


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Two good clips at the top, two in a subfolder."""
    if not SPEECH.is_dir():
        pytest.skip(f"real-speech folder {SPEECH} is absent (it sits beside the repository in CI)")
    root = tmp_path_factory.mktemp("archive")
    (root / "week2").mkdir()
    for i, clip in enumerate(CLIPS[:4]):
        shutil.copy(clip, root / ("week2" if i >= 2 else "") / clip.name)
    return root


def make_bad_files(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.wav").write_bytes(b"")
    good = CLIPS[0].read_bytes()
    (folder / "truncated.wav").write_bytes(good[:40])
    (folder / "notes.wav").write_text("interview notes: candidate was strong on evals\n" * 20)
    write_wav(folder / "quiet.wav", silence(2.0, 16000), 16000)
    (folder / "random.mp3").write_bytes(np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes())


# ---------------------------------------------------------------------------- without the model


def test_discovery_walks_folders_keeps_subfolders_and_flags_name_clashes(tmp_path):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "a" / "deep" / "take1.wav").write_bytes(b"x")
    (tmp_path / "a" / "take1.flac").write_bytes(b"x")
    (tmp_path / "a" / "take1.wav").write_bytes(b"x")  # same output name as take1.flac
    (tmp_path / "a" / "notes.txt").write_text("not audio")
    (tmp_path / "a" / ".hidden.wav").write_bytes(b"x")
    (tmp_path / "a" / "folder.wav").mkdir()  # a folder with an audio name is walked, not read
    (tmp_path / "a" / "folder.wav" / "inner.ogg").write_bytes(b"x")
    (tmp_path / "extra.dat").write_bytes(b"x")  # named directly: taken whatever its extension

    items = discover_inputs([tmp_path / "a", tmp_path / "extra.dat", tmp_path / "a" / "take1.wav"])
    assert [(i.key, i.error is None) for i in items] == [
        ("deep/take1", True),
        ("folder.wav/inner", True),
        ("take1", True),
        ("take1", False),
        ("extra", True),
    ]
    assert "would overwrite those of" in items[3].error and "take1.flac" in items[3].error


def test_split_keeps_workers_times_threads_within_cores():
    for cores in (1, 2, 4, 16):
        for pending in (0, 1, 3, 50):
            for asked in (None, 1, 2, 3, 64):
                w, t = choose_split(pending, asked, cores)
                assert w >= 1 and t >= 1 and w * t <= cores
    assert choose_split(20, None, 2) == (2, 1)  # measured faster on 2 cores (bench/batch.py)
    assert choose_split(1, None, 2) == (1, 2)  # one file: no second process to pay for


def test_progress_eta_comes_from_audio_seconds():
    now = [0.0]
    stream = io.StringIO()
    bar = ProgressBar(total_files=4, total_audio_s=100.0, stream=stream, enabled=True, clock=lambda: now[0])
    bar.skip(1)
    now[0] = 10.0
    bar.advance(20.0)  # 20 s of audio in 10 s: 2x real time, 80 s of audio left -> 40 s
    assert bar.eta_s() == pytest.approx(40.0)
    assert "2/4 files" in bar.line() and "ETA 40s" in bar.line() and "2.0x real time" in bar.line()
    now[0] = 12.0
    bar.advance(0.0, failed=True)
    bar.close()
    assert stream.getvalue().startswith("\r[") and stream.getvalue().endswith("\n") and "1 failed" in stream.getvalue()
    assert format_seconds(3725) == "1h02m" and format_seconds(65) == "1m05s"


def test_progress_is_silent_when_not_a_terminal():
    stream = io.StringIO()  # isatty() is False
    bar = ProgressBar(total_files=2, total_audio_s=10.0, stream=stream)
    bar.advance(5.0)
    bar.close()
    assert stream.getvalue() == ""


def test_rubric_without_score_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(_cli(), ["batch", str(tmp_path), "--level", "pm"])
    assert result.exit_code == 2 and "add --score" in result.output


def test_one_batch_at_a_time_per_output_dir_and_stale_temp_files_go(tmp_path):
    from voicemock.flows.batch_ledger import Ledger
    from voicemock.errors import VoicemockError

    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    stale = out / "sub" / ".take1.json.k2j4_x9q.tmp"  # what fsutil leaves when killed mid-write
    stale.write_text("{half")
    mine = out / "sub" / ".notes.tmp"  # not ours: kept
    mine.write_text("keep")
    holder = Ledger(out)
    holder.acquire()
    try:
        with pytest.raises(VoicemockError, match="another batch is writing to"):
            run_batch([tmp_path / "empty"], out)
    finally:
        holder.release()
    (tmp_path / "empty").mkdir()
    report = run_batch([tmp_path / "empty"], out)
    assert report.total == 0 and (out / SUMMARY_NAME).read_text().startswith("input,duration_s,")
    assert not stale.exists() and mine.read_text() == "keep"


# ---------------------------------------------------------------------------- with the model


def test_batch_writes_outputs_summary_and_skips_on_rerun(corpus, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(_cli(), ["batch", str(corpus), "-o", str(out), "-f", "txt,srt", "-w", "1"])
    assert result.exit_code == 0, result.output
    keys = ["spk2_snt1", "spk2_snt2", "week2/spk2_snt3", "week2/spk2_snt4"]
    for key in keys:
        assert (out / f"{key}.txt").read_text().strip()
        assert (out / f"{key}.srt").read_text().startswith("1\n00:00:")
    rows = _summary(out)
    assert [r["input"] for r in rows] == [str(corpus / f"{k}.wav") for k in keys]
    assert list(rows[0]) == ["input", "duration_s", "words", "wpm", "fillers", "overall", "passed", "error"]
    for row in rows:
        assert 1.5 < float(row["duration_s"]) < 2.5 and int(row["words"]) >= 3 and float(row["wpm"]) > 0
        assert row["fillers"] != "" and row["error"] == "" and row["overall"] == ""
    assert "4 files: 4 done, 0 already done, 0 failed" in result.output

    stamps = {p: _stamp(p) for p in out.rglob("*") if p.is_file() and p.name != SUMMARY_NAME and p.name != "lock"}
    again = CliRunner().invoke(_cli(), ["batch", str(corpus), "-o", str(out), "-f", "srt,txt", "-w", "1"])
    assert again.exit_code == 0, again.output
    assert "0 done, 4 already done" in again.output
    assert {p: _stamp(p) for p in stamps} == stamps  # nothing rewritten
    assert _summary(out) == rows


def test_changed_content_or_settings_are_redone(corpus, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(corpus, archive)
    out = tmp_path / "out"
    first = run_batch([archive], out, BatchSettings(formats=("txt",)), workers=1)
    assert (first.processed, first.skipped) == (4, 0)
    before = _records(out)

    shutil.copy(CLIPS[5], archive / "spk2_snt1.wav")  # new content under the old name
    (out / "week2" / "spk2_snt3.txt").write_text("edited by hand\n")  # an output that no longer matches
    second = run_batch([archive], out, BatchSettings(formats=("txt",)), workers=1)
    assert (second.processed, second.skipped) == (2, 2)
    after = _records(out)
    assert after["spk2_snt1"]["sha256"] != before["spk2_snt1"]["sha256"]
    assert after["spk2_snt2"] == before["spk2_snt2"]
    assert (out / "week2" / "spk2_snt3.txt").read_text() != "edited by hand\n"

    # Other settings (here, formats) redo a file even though its content is unchanged.
    third = run_batch([archive / "spk2_snt2.wav"], out, BatchSettings(formats=("txt", "vtt")), workers=1)
    assert (third.processed, third.skipped) == (1, 0)
    assert (out / "spk2_snt2.vtt").read_text().startswith("WEBVTT")
    assert _records(out)["spk2_snt2"]["settings"] != before["spk2_snt2"]["settings"]


def test_bad_files_are_reported_and_the_batch_goes_on(corpus, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(corpus, archive)
    make_bad_files(archive / "bad")
    out = tmp_path / "out"
    proc = _run_cli(str(archive), "-o", str(out), "--workers", "1")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.strip().splitlines()[-1] == (
        f"Error: 5 of 9 files failed; the reasons are in {out / SUMMARY_NAME}"
    )
    rows = {Path(r["input"]).name: r for r in _summary(out)}
    assert len(rows) == 9
    for name, reason in BAD.items():
        assert reason in rows[name]["error"], (name, rows[name]["error"])
        assert "\n" not in rows[name]["error"]
        assert not list(out.glob(f"bad/{Path(name).stem}.*"))
    for clip in CLIPS[:4]:
        assert rows[clip.name]["error"] == "" and int(rows[clip.name]["words"]) > 0
    assert len(_records(out)) == 4  # failures are not marked done: a re-run tries them again


def test_kill_9_mid_batch_then_rerun_redoes_nothing(tmp_path):
    if not SPEECH.is_dir():
        pytest.skip(f"real-speech folder {SPEECH} is absent")
    archive = tmp_path / "archive"
    archive.mkdir()
    for clip in CLIPS:
        shutil.copy(clip, archive / clip.name)
    out = tmp_path / "out"
    args = [sys.executable, "-m", "voicemock", "batch", str(archive), "-o", str(out), "-f", "txt,json"]
    # Two worker processes: the kill must also leave no damage from children mid-write.
    proc = subprocess.Popen([*args, "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    done_dir = out / LEDGER_DIR / "done"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None and len(list(done_dir.glob("*.json"))) < 2:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the batch ended before it could be killed"
    finished = _records(out)
    assert 2 <= len(finished) < len(CLIPS), "the kill did not land mid-batch"
    stamps = {p: _stamp(p) for p in out.rglob("*") if p.is_file() and LEDGER_DIR not in p.parts}

    rerun = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(CLIPS) - len(finished)} done, {len(finished)} already done, 0 failed" in rerun.stderr
    for key in finished:  # none of the files finished before the kill was redone
        for suffix in ("txt", "json"):
            assert _stamp(out / f"{key}.{suffix}") == stamps[out / f"{key}.{suffix}"]
    for clip in CLIPS:  # every output present and valid
        data = json.loads((out / f"{clip.stem}.json").read_text())
        assert data["source"] == str(archive / clip.name) and data["segments"]
        assert (out / f"{clip.stem}.txt").read_text() == "".join(f"{s['text'].strip()}\n" for s in data["segments"])
    assert not [p for p in out.rglob("*.tmp")], "a temp file was left behind"
    assert len(_summary(out)) == len(CLIPS)


def test_score_writes_reports_and_dimension_columns(corpus, tmp_path):
    out = tmp_path / "out"
    report = run_batch([corpus / "spk2_snt1.wav", corpus / "spk2_snt2.wav"], out, BatchSettings(score=True), workers=1)
    assert report.failed == 0, report.failures
    card = json.loads((out / "spk2_snt1.report.json").read_text())
    assert card["input"] == str(corpus / "spk2_snt1.wav") and 1 <= card["overall"] <= 5
    rows = _summary(out)
    dims = [d["key"] for d in card["dimensions"]]
    assert list(rows[0])[7:-1] == dims
    assert float(rows[0]["overall"]) == pytest.approx(card["overall"], abs=0.01)
    assert rows[0]["passed"] in ("true", "false")
