"""The command line: help everywhere, lazy imports, one-line errors with no traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from support import silence, synthesize, write_wav
from voicemock.cli import main


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voicemock", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    samples, rate = synthesize("Latency matters more than cost for this feature.")
    return write_wav(tmp_path_factory.mktemp("cli") / "spoken.wav", np.concatenate([silence(0.5, rate), samples]), rate)


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    assert main.commands, "no commands registered"
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, f"`voicemock {name} --help` has no example"


def test_help_imports_no_heavy_module():
    code = (
        "import sys; from voicemock.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('faster_whisper', 'sounddevice', 'sklearn', 'ctranslate2', 'av', 'skops') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_transcribe_json_on_stdout(spoken):
    result = _run("transcribe", str(spoken), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    words = [w for s in data["segments"] for w in s["words"]]
    assert words and {"start", "end", "word", "probability"} <= set(words[0])
    assert "latency" in data["text"].lower()


def test_transcribe_all_formats_to_output_dir(spoken, tmp_path):
    result = _run("transcribe", str(spoken), "--format", "all", "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"spoken.{f}" for f in ("json", "srt", "tsv", "txt", "vtt")]


def _bad_files(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio\n")
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")
    folder = tmp_path / "folder.wav"
    folder.mkdir()
    return {
        "missing": (tmp_path / "missing.wav", "no such file; check the path"),
        "directory": (folder, "is a directory, not an audio file"),
        "empty": (empty, "the file is empty (0 bytes)"),
        "text": (text, "not a readable audio file"),
        "truncated": (truncated, "not a readable audio file"),
    }


@pytest.mark.parametrize("case", ["missing", "directory", "empty", "text", "truncated"])
def test_bad_audio_is_one_line_error(tmp_path, case):
    path, message = _bad_files(tmp_path)[case]
    result = _run("transcribe", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Error: ") and message in lines[0]
    assert all(line.startswith("Error: ") for line in lines)


def test_wrong_model_lists_what_is_accepted(spoken, tmp_path):
    result = _run("transcribe", str(spoken), "--model", "tiny-en")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: unknown model 'tiny-en'; use a model folder, one of tiny.en, ")
    not_a_model = tmp_path / "model"
    not_a_model.mkdir()
    result = _run("transcribe", str(spoken), "--model", str(not_a_model))
    assert result.returncode == 1 and "is not a CTranslate2 Whisper model (no model.bin)" in result.stderr


def test_model_from_environment_is_used(spoken, monkeypatch):
    monkeypatch.setenv("VOICEMOCK_MODEL", "no-such-model")
    result = _run("transcribe", str(spoken))
    assert result.returncode == 1 and "unknown model 'no-such-model'" in result.stderr


def test_multi_file_call_goes_on_past_bad_files(spoken, tmp_path):
    bad = _bad_files(tmp_path)
    out = tmp_path / "out"
    result = _run("transcribe", str(bad["missing"][0]), str(spoken), str(bad["text"][0]), "-f", "txt", "-o", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (out / "spoken.txt").read_text().strip()
    assert result.stderr.count("Error: ") == 3  # two files, and the closing count
    assert "2 of 3 files failed" in result.stderr


def test_silent_file_warns_and_gives_empty_output(tmp_path):
    path = write_wav(tmp_path / "quiet.wav", silence(3.0, 16000), 16000)
    result = _run("transcribe", str(path))
    assert result.returncode == 0
    assert result.stdout == ""
    assert "Warning: " in result.stderr and "no speech detected" in result.stderr


@pytest.mark.skipif(shutil.which("unshare") is None, reason="unshare(1) is not installed")
def test_works_with_no_network_at_all(spoken):
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot create a network namespace here (needs root)")
    result = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "voicemock", "transcribe", str(spoken), "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["segments"][0]["words"]
