"""`voicemock practice` end to end on virtual devices, its crash safety, and its errors without devices."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import wave
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audio_harness import (
    LineWatcher,
    VirtualAudio,
    stop_recorder,
    voicemock_argv,
)
from support import REPO, silence, synthesize, write_wav

from voicemock.errors import QuestionBankError
from voicemock.audio.wavfile import MARKER_SUFFIX
from voicemock.records import Transcript

SAMPLE_ANSWER = REPO / "rubrics" / "samples" / "sample-answer.ogg"
SESSION_NAME = re.compile(r"^\d{8}-\d{6}-evals-01$")
ANSWER_TEXT = (
    "I would start with a golden set of real support tickets. Senior agents grade the summaries on faithfulness, "
    "and a human review pilot checks the edge cases. After launch the golden set runs as a regression suite."
)
KEYWORDS = ("golden set", "faithfulness", "human review", "regression")


# ---------------------------------------------------------------------------- session folder and question choice


def test_recordings_dir_option_then_env_then_cwd(monkeypatch, tmp_path):
    from voicemock.store.session import resolve_recordings_dir

    monkeypatch.setenv("VOICEMOCK_RECORDINGS", str(tmp_path / "env"))
    assert resolve_recordings_dir(tmp_path / "opt") == tmp_path / "opt"
    assert resolve_recordings_dir(None) == tmp_path / "env"
    monkeypatch.delenv("VOICEMOCK_RECORDINGS")
    assert str(resolve_recordings_dir(None)) == "recordings"


def test_session_folders_are_never_reused(tmp_path):
    from voicemock.store.session import create_session

    when = datetime(2025, 3, 4, 5, 6, 7)
    first = create_session(tmp_path, "evals-01", when)
    second = create_session(tmp_path, "evals-01", when)
    assert first.path.name == "20250304-050607-evals-01"
    assert second.path.name == "20250304-050607-evals-01-2"
    answer = tmp_path / "a.ogg"
    answer.write_bytes(b"not really audio, copied byte for byte")
    copied = first.copy_answer(answer)
    assert copied.name == "answer.ogg" and copied.read_bytes() == answer.read_bytes()
    with pytest.raises(FileExistsError):
        first.copy_answer(answer)


def test_session_writes_each_file_atomically_and_lists_them(tmp_path):
    from voicemock.records import DimensionScore, Scorecard
    from voicemock.store.session import create_session

    session = create_session(tmp_path, "evals-01")
    session.write_question({"id": "evals-01"})
    transcript = Transcript.from_text("We would build a golden set.")
    session.write_transcript(transcript)
    card = Scorecard(
        input="answer.wav", rubric="ai-pm-technical", level="pm", overall=3.0, passed=False,
        dimensions=[DimensionScore(name="Applied", key="applied", weight=1.0, score=3.0, low=2.5, high=3.5)],
    )
    session.write_report(card, "# Report", extra={"answer_source": "microphone"})
    assert Transcript.from_dict(json.loads(session.transcript_path.read_text())).text == transcript.text
    report = json.loads(session.report_json_path.read_text())
    assert report["overall"] == 3.0 and report["session"] == {"answer_source": "microphone"}
    assert session.report_md_path.read_text() == "# Report\n"
    assert set(session.files()) == {"question", "transcript", "report_json", "report_md"}
    assert not [p for p in session.path.iterdir() if p.name.endswith(".tmp")]


def test_pick_question_by_id_competency_or_at_random():
    import random

    from voicemock.flows.practice import pick_question
    from voicemock.bank.questions import load_bank

    bank = load_bank()
    assert pick_question(bank, "evals-01").id == "evals-01"
    picked = {pick_question(bank, competency="estimation", rng=random.Random(seed)).id for seed in range(20)}
    assert picked and all(q.startswith("estimation-") for q in picked) and len(picked) > 1
    with pytest.raises(QuestionBankError, match="evals-01"):
        pick_question(bank, "evals-1")


# ---------------------------------------------------------------------------- no devices, no PortAudio


def _dead_sound_server(tmp_path) -> dict[str, str]:
    """An environment in which PortAudio's ALSA devices lead to no sound server at all."""
    import os

    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path), "PULSE_SERVER": f"unix:{tmp_path}/no-such-socket"}
    listed = subprocess.run(voicemock_argv("devices", "--json"), env=env, capture_output=True, text=True, timeout=60)
    if listed.returncode == 0 and any(d["max_input_channels"] for d in json.loads(listed.stdout)):
        pytest.skip("this machine has a real input device, so 'no microphone' cannot be staged")
    return env


def test_no_microphone_says_so_and_names_the_sample_answer(tmp_path):
    env = _dead_sound_server(tmp_path)
    result = subprocess.run(
        voicemock_argv("practice", "--question", "evals-01", "--recordings-dir", str(tmp_path / "rec")),
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: no microphone (input device) found")
    assert "--device" in result.stderr and "--answer-file" in result.stderr
    assert f"--answer-file {SAMPLE_ANSWER}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "rec").exists() or not any((tmp_path / "rec").iterdir())  # failed before making a session


def test_no_portaudio_names_the_package_and_answer_file(tmp_path):
    # sounddevice finds PortAudio with ctypes.util.find_library; hiding it is exactly a machine without libportaudio2.
    hide = 'import ctypes.util as u; _f = u.find_library; u.find_library = lambda n: None if "portaudio" in n else _f(n)\n'
    for args in (["practice", "--question", "evals-01"], ["devices"]):
        argv = voicemock_argv(*args)
        argv[2] = hide + argv[2]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert result.returncode == 1, args
        assert result.stderr.strip() == (
            "Error: PortAudio is not installed: `sudo apt-get install libportaudio2`, "
            "or answer from a recording with --answer-file AUDIO"
        )


def test_answer_file_runs_the_round_without_any_device(tmp_path):
    """The README's fallback: the shipped sample answer, on a machine with no sound at all."""
    env = _dead_sound_server(tmp_path)
    rec = tmp_path / "rec"
    result = subprocess.run(
        voicemock_argv("practice", "--question", "evals-01", "--answer-file", str(SAMPLE_ANSWER), "--recordings-dir", str(rec)),
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    session = _only_session(rec)
    transcript = _assert_session_complete(session, answer_name="answer.ogg")
    assert "golden set" in transcript.text.lower() and transcript.duration_s > 60
    assert (session / "answer.ogg").read_bytes() == SAMPLE_ANSWER.read_bytes()
    question = json.loads((session / "question.json").read_text())
    assert question["spoken"] == "not-spoken"
    report = json.loads((session / "report.json").read_text())
    assert report["session"]["answer_source"] == "answer-file"
    assert result.stdout.strip()


# ---------------------------------------------------------------------------- real rounds on virtual devices


@pytest.fixture(scope="module")
def spoken_answer(tmp_path_factory):
    samples, rate = synthesize(ANSWER_TEXT)
    # Lead-in silence: a first block can come late, and nobody starts talking on the beep.
    path = tmp_path_factory.mktemp("speech") / "answer.wav"
    return write_wav(path, np.concatenate([silence(0.7, rate), samples, silence(0.3, rate)]), rate)


def _default_sigint() -> None:
    # A test run started in the background of a non-interactive shell (`pytest ... &`) ignores SIGINT,
    # and a child inherits an ignored signal: Python then never raises KeyboardInterrupt in it, and the
    # Ctrl-C test would measure the shell, not voicemock. Give the child the terminal's default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_practice(va: VirtualAudio, rec, *extra: str) -> tuple[subprocess.Popen, LineWatcher]:
    argv = voicemock_argv("practice", "--question", "evals-01", "--recordings-dir", str(rec), *extra)
    proc = subprocess.Popen(argv, env=va.process_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_default_sigint)
    return proc, LineWatcher(proc)


def _finish(proc: subprocess.Popen, timeout: float = 300) -> bytes:
    """Wait for the exit, then read stdout (the report, far below a pipe's 64 KiB). Not communicate():
    it would read stderr too, away from the LineWatcher."""
    proc.wait(timeout=timeout)
    return proc.stdout.read()


def _only_session(rec):
    sessions = [p for p in rec.iterdir() if p.is_dir()]
    assert len(sessions) == 1, sessions
    assert SESSION_NAME.match(sessions[0].name), sessions[0].name
    return sessions[0]


def _assert_session_complete(session, answer_name: str = "answer.wav") -> Transcript:
    names = {p.name for p in session.iterdir()}
    assert {"question.json", answer_name, "transcript.json", "report.json", "report.md"} <= names, names
    assert not [n for n in names if n.endswith(MARKER_SUFFIX) or n.endswith(".tmp")], names
    assert json.loads((session / "question.json").read_text())["id"] == "evals-01"
    report = json.loads((session / "report.json").read_text())
    assert 1 <= report["overall"] <= 5 and report["dimensions"]
    assert (session / "report.md").read_text().strip()
    return Transcript.from_dict(json.loads((session / "transcript.json").read_text()))


@pytest.mark.audio
def test_practice_round_speaks_records_and_reports(vaudio, spoken_answer, tmp_path):
    from voicemock.bank.questions import load_bank
    from voicemock.speech.transcribe import transcribe_file
    from voicemock.audio.speak import question_audio

    rec = tmp_path / "rec"
    heard = tmp_path / "speaker.wav"
    listener = vaudio.record_speaker(heard)
    time.sleep(0.3)
    proc, lines = _start_practice(vaudio, rec, "--silence-stop", "2", "--max-seconds", "90")
    try:
        lines.wait_for("Recording: speak now", timeout=90)
        speaker = vaudio.play_into_mic(spoken_answer)
        stdout = _finish(proc)
        speaker.wait(timeout=30)
    finally:
        proc.kill()
        stop_recorder(listener)
    lines.join()
    assert proc.returncode == 0, lines.text()
    assert "stopped after silence" in lines.text()

    # The question's shipped audio reached the speaker, before the answer was recorded.
    question = load_bank().get("evals-01")
    shipped = question_audio(question)
    assert shipped is not None
    played = transcribe_file(heard).text.lower()
    assert "support tickets" in played and "summar" in played, played

    session = _only_session(rec)
    transcript = _assert_session_complete(session)
    said = transcript.text.lower()
    assert sum(k in said for k in KEYWORDS) >= 3, said
    asked = json.loads((session / "question.json").read_text())
    assert asked["spoken"] == "shipped-audio" and asked["text"] == question.text
    report = json.loads((session / "report.json").read_text())
    recording = report["session"]["recording"]
    assert recording["overflows"] == 0 and recording["stopped_by"] == "silence"
    answer_s = sf.info(str(spoken_answer)).duration
    assert answer_s < recording["duration_s"] < answer_s + recording["cue_end_s"] + 6
    assert "evals-01" in stdout.decode()  # the report, on the terminal
    assert f"Session: {session}" in lines.text()


@pytest.mark.audio
def test_sigkill_mid_take_loses_at_most_a_second_and_is_recovered(vaudio, spoken_answer, tmp_path):
    rec = tmp_path / "rec"
    proc, lines = _start_practice(vaudio, rec, "--no-speak", "--max-seconds", "60")
    try:
        lines.wait_for("Recording: speak now", timeout=60)
        vaudio.play_into_mic(spoken_answer)
        time.sleep(4.0)
        proc.send_signal(signal.SIGKILL)
        killed_at = time.time()
        proc.wait(timeout=10)
    finally:
        proc.kill()
    session = _only_session(rec)
    take = session / "answer.wav"
    marker = json.loads((session / f"answer.wav{MARKER_SUFFIX}").read_text())
    recorded_s = killed_at - marker["first_block_at_unix"]  # what the stream had delivered when it died
    # Readable as it lies, even by Python's strict wave module: the header was kept up to date.
    with wave.open(str(take)) as w:
        on_disk_s = w.getnframes() / w.getframerate()
    assert sf.info(str(take)).duration >= on_disk_s
    lost = recorded_s - on_disk_s
    with wave.open(str(take)) as w:
        in_file_s = (take.stat().st_size - 44) / w.getsampwidth() / w.getframerate()
    print(f"SIGKILL after {recorded_s:.2f} s of audio: {on_disk_s:.2f} s readable as is ({lost:.2f} s lost), "
          f"{in_file_s:.2f} s in the file for recovery")
    assert -0.3 <= lost <= 1.0

    # The next run repairs the take, says so, and can score it.
    again = subprocess.run(
        voicemock_argv("practice", "--question", "evals-01", "--answer-file", str(take), "--recordings-dir", str(rec)),
        env=vaudio.process_env(), capture_output=True, text=True, timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert f"Note: {take}: recovered an unfinished take" in again.stderr
    assert not (session / f"answer.wav{MARKER_SUFFIX}").exists()
    repaired_s = sf.info(str(take)).duration
    assert on_disk_s <= repaired_s <= recorded_s + 0.3


@pytest.mark.audio
def test_sigterm_ends_the_take_and_keeps_it(vaudio, tmp_path):
    rec = tmp_path / "rec"
    proc, lines = _start_practice(vaudio, rec, "--no-speak", "--no-cue", "--max-seconds", "60")
    try:
        lines.wait_for("Recording: speak now", timeout=60)
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    lines.join()
    assert proc.returncode in (1, 143)  # 143 once the CLI honours PracticeTerminated.exit_code
    assert "Error: stopped by SIGTERM; the" in lines.text() and "--answer-file" in lines.text()
    session = _only_session(rec)
    assert {p.name for p in session.iterdir()} == {"question.json", "answer.wav"}
    with wave.open(str(session / "answer.wav")) as w:
        assert w.getnframes() / w.getframerate() >= 1.4


@pytest.mark.audio
def test_ctrl_c_ends_the_take_and_the_round_goes_on(vaudio, spoken_answer, tmp_path):
    rec = tmp_path / "rec"
    proc, lines = _start_practice(vaudio, rec, "--no-speak", "--max-seconds", "60")
    try:
        lines.wait_for("Recording: speak now", timeout=60)
        vaudio.play_into_mic(spoken_answer).wait(timeout=60)
        proc.send_signal(signal.SIGINT)
        _finish(proc)
    finally:
        proc.kill()
    lines.join()
    assert "(stopped with Ctrl-C)" in lines.text()
    assert proc.returncode == 0, lines.text()
    transcript = _assert_session_complete(_only_session(rec))
    assert sum(k in transcript.text.lower() for k in KEYWORDS) >= 3


@pytest.mark.audio
def test_on_a_terminal_enter_stops_and_a_level_meter_runs(vaudio, spoken_answer, tmp_path):
    import os
    import pty

    rec = tmp_path / "rec"
    master, slave = pty.openpty()
    argv = voicemock_argv("practice", "--question", "evals-01", "--no-speak", "--max-seconds", "60", "--recordings-dir", str(rec))
    proc = subprocess.Popen(argv, env=vaudio.process_env(), stdin=slave, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""

    def read_until(text: bytes, timeout: float) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while text not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            try:
                seen += os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break

    try:
        read_until(b"press Enter to stop", 60)
        vaudio.play_into_mic(spoken_answer).wait(timeout=60)
        read_until(b"speaking", 10)  # the meter saw the speech
        os.write(master, b"\n")
        read_until(b"(stopped with Enter)", 30)
        proc.stdout.read()
        proc.wait(timeout=300)
        read_until(b"Session: ", 5)
    finally:
        proc.kill()
        os.close(master)
    text = seen.decode(errors="replace")
    assert re.search(r"\r  00:0\d \[#+-*\] +-?\d+\.\d dB", text), text[-2000:]
    assert proc.returncode == 0, text[-3000:]
    _assert_session_complete(_only_session(rec))


CUSTOM_BANK = """
[competencies.evals]
name = "Evals"
description = "Judging AI features."
strong = "Uses real traffic."
common_failure = "Trusts one score."

[[questions]]
id = "evals-01"
competency = "evals"
text = "How would you know that a chatbot for hotel bookings got worse after a model upgrade?"
target_seconds = 60
follow_ups = []
keywords = ["regression"]
"""


@pytest.mark.audio
def test_a_question_without_shipped_audio_is_synthesized_and_played(vaudio, tmp_path):
    """Text outside the shipped bank is spoken by Piper (else espeak-ng), saved in the session, and heard."""
    from voicemock.speech.transcribe import transcribe_file

    bank = tmp_path / "bank.toml"
    bank.write_text(CUSTOM_BANK)
    code = (
        "import sys, json\n"
        "from voicemock.bank.questions import load_bank\n"
        "from voicemock.flows.practice import speak_question\n"
        "from voicemock.store.session import create_session\n"
        "q = load_bank(sys.argv[1]).get('evals-01')\n"
        "s = create_session(sys.argv[2], q.id)\n"
        "r = speak_question(q, s)\n"
        "print(json.dumps({'how': r.how, 'note': r.note, 'audio': str(r.audio_path)}))\n"
    )
    heard = tmp_path / "speaker.wav"
    listener = vaudio.record_speaker(heard)
    time.sleep(0.3)
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, str(bank), str(tmp_path / "rec")],
            env=vaudio.process_env(), capture_output=True, text=True, timeout=120,
        )
    finally:
        stop_recorder(listener)
    assert out.returncode == 0, out.stderr
    spoken = json.loads(out.stdout)
    assert spoken["how"] in ("piper", "espeak-ng") and spoken["note"] == ""
    assert spoken["audio"].endswith("question.wav") and (tmp_path / "rec") in Path(spoken["audio"]).parents
    played = transcribe_file(heard).text.lower()
    assert "hotel" in played and "upgrade" in played, played
