"""The recorder: header repair, crash recovery, device choice, and real takes on virtual devices."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import time
import wave

import numpy as np
import pytest
import soundfile as sf
from audio_harness import VirtualAudio, unavailable_reason
from support import silence, synthesize, write_wav

from voicemock.errors import AudioError, DeviceError
from voicemock.audio.wavfile import MARKER_SUFFIX, recover_unfinished, repair_wav


def _killed_take(path, seconds=2.0, rate=16000):
    """What libsndfile leaves when its process dies mid-take: samples on disk, header sizes still 0."""
    f = sf.SoundFile(str(path), mode="x", samplerate=rate, channels=1, format="WAV", subtype="PCM_16")
    f.write((0.2 * np.sin(np.arange(int(seconds * rate)) / 5)).astype(np.float32))
    f.flush()
    data = path.read_bytes()  # the bytes on disk before close() fixes the header
    f.close()
    path.unlink()
    return data


def test_repair_wav_restores_sizes_and_drops_a_partial_frame(tmp_path):
    take = tmp_path / "answer.wav"
    raw = _killed_take(take)
    assert struct.unpack("<I", raw[40:44])[0] == 0  # libsndfile wrote no size yet
    take.write_bytes(raw + b"\x01")  # the crash also cut a frame in half
    with pytest.raises(wave.Error):
        wave.open(str(take))
    duration, changed = repair_wav(take)
    assert changed and duration == 2.0
    with wave.open(str(take)) as w:
        assert w.getnframes() == 32000
    assert repair_wav(take) == (2.0, False)  # a whole file is left as it is


def test_repair_wav_rejects_a_file_that_is_not_wav(tmp_path):
    bogus = tmp_path / "answer.wav"
    bogus.write_bytes(b"OggS" + bytes(100))
    with pytest.raises(AudioError, match="not a WAV file"):
        repair_wav(bogus)


def test_recover_unfinished_repairs_dead_takes_and_leaves_live_ones(tmp_path):
    dead = tmp_path / "20250101-120000-evals-01"
    dead.mkdir()
    (dead / "answer.wav").write_bytes(_killed_take(tmp_path / "x.wav", seconds=1.5))
    (dead / f"answer.wav{MARKER_SUFFIX}").write_text(json.dumps({"started_at": "2025-01-01T12:00:00+00:00"}))
    empty = tmp_path / "20250101-120100-evals-02"
    empty.mkdir()
    (empty / "answer.wav").write_bytes(_killed_take(tmp_path / "y.wav", seconds=0)[:44])
    (empty / f"answer.wav{MARKER_SUFFIX}").write_text("")

    live = tmp_path / "20250101-120200-evals-03"
    live.mkdir()
    (live / "answer.wav").write_bytes(_killed_take(tmp_path / "z.wav", seconds=1.0))
    marker = live / f"answer.wav{MARKER_SUFFIX}"
    marker.write_text("{}")
    # A live take: another process holds the marker's lock.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl,sys,time; f=open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)", str(marker)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        found = {t.path.parent.name: t for t in recover_unfinished(tmp_path)}
    finally:
        holder.kill()
        holder.wait()

    assert set(found) == {dead.name, empty.name}
    assert found[dead.name].duration_s == 1.5 and found[dead.name].repaired
    assert "recovered an unfinished take" in found[dead.name].describe()
    assert wave.open(str(dead / "answer.wav")).getnframes() == 24000
    assert not (dead / f"answer.wav{MARKER_SUFFIX}").exists()
    assert found[empty.name].removed_empty and not (empty / "answer.wav").exists()
    assert marker.exists()  # the live take is untouched
    # Its owner is gone now: the next run recovers it.
    assert [t.path.parent.name for t in recover_unfinished(tmp_path)] == [live.name]


def test_recover_unfinished_on_a_missing_folder_is_empty(tmp_path):
    assert recover_unfinished(tmp_path / "nope") == []


# ---------------------------------------------------------------------------- real devices



@pytest.fixture(scope="module")
def vaudio(vaudio_in_process):
    """The recorder runs in this process here, so its PortAudio must reach the virtual devices (conftest)."""
    return vaudio_in_process


@pytest.fixture(scope="module")
def spoken_answer(tmp_path_factory):
    samples, rate = synthesize("We would build a golden set from real support tickets and check faithfulness.")
    return write_wav(tmp_path_factory.mktemp("speech") / "answer.wav", np.concatenate([silence(0.5, rate), samples, silence(0.3, rate)]), rate)


@pytest.mark.audio
def test_device_choice_by_number_and_name(vaudio):
    from voicemock.audio.devices import list_devices, pick_input_device

    devices = list_devices()
    names = [d.name for d in devices]
    assert "default" in names and "pulse" in names
    assert pick_input_device().is_default_input
    assert pick_input_device("PULS").name == "pulse"  # case-insensitive substring
    number = next(d.index for d in devices if d.name == "pulse")
    assert pick_input_device(str(number)).name == "pulse"
    with pytest.raises(DeviceError, match="no audio device number 99; input devices: .*'default'"):
        pick_input_device("99")
    with pytest.raises(DeviceError, match="no input device name contains 'usb-headset'"):
        pick_input_device("usb-headset")


@pytest.mark.audio
def test_take_stops_after_silence_and_holds_the_speech(vaudio, spoken_answer, tmp_path):
    from voicemock.audio.capture import record_answer

    levels = []
    started = []

    def on_start():
        started.append(time.monotonic())
        vaudio.play_into_mic(spoken_answer)

    take = tmp_path / "take.wav"
    result = record_answer(take, max_seconds=30, silence_stop=1.5, cue=False, on_start=on_start, on_level=levels.append)
    assert result.stopped_by == "silence", result
    assert result.speech_detected and result.overflows == 0
    assert result.samplerate == 44100  # the device's own rate, not Whisper's
    speech_s = sf.info(str(spoken_answer)).duration
    assert speech_s < result.duration_s < speech_s + 4.0
    assert not take.with_name(take.name + MARKER_SUFFIX).exists()
    with wave.open(str(take)) as w:  # a finished take is a plain WAV any reader takes
        assert w.getframerate() == 44100 and w.getnframes() == round(result.duration_s * 44100)
    recorded, _ = sf.read(str(take), dtype="float32")
    assert np.max(np.abs(recorded)) > 0.05  # the speech itself, not silence
    assert any(p.speech_started for p in levels) and levels[-1].elapsed_s > 1.0


@pytest.mark.audio
def test_take_stops_at_max_seconds_and_never_overwrites(vaudio, tmp_path):
    from voicemock.audio.capture import record_answer

    take = tmp_path / "take.wav"
    result = record_answer(take, max_seconds=1.5, cue=False)
    assert result.stopped_by == "max-seconds" and result.duration_s == 1.5
    assert not result.speech_detected  # nothing was played into the microphone
    before = take.read_bytes()
    with pytest.raises(AudioError, match="already exists"):
        record_answer(take, max_seconds=1.0, cue=False)
    assert take.read_bytes() == before


@pytest.mark.audio
def test_start_cue_plays_after_audio_flows(vaudio, tmp_path):
    from voicemock.audio.capture import record_answer

    heard = tmp_path / "speaker.wav"
    listener = vaudio.record_speaker(heard)
    time.sleep(0.5)
    try:
        result = record_answer(tmp_path / "take.wav", max_seconds=4, cue=True)
    finally:
        from audio_harness import stop_recorder

        stop_recorder(listener)
    assert result.cue_end_s is not None and result.cue_end_s < 4
    played, rate = sf.read(str(heard), dtype="float32")
    spectrum = np.abs(np.fft.rfft(played))
    freqs = np.fft.rfftfreq(played.size, 1 / rate)
    assert freqs[np.argmax(spectrum)] == pytest.approx(880, abs=5)  # the cue tone reached the speaker


@pytest.mark.audio
def test_microphone_that_vanishes_mid_take_keeps_the_audio(tmp_path):
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    va = VirtualAudio().start()
    code = (
        "from voicemock.audio.capture import record_answer, TakeInterrupted\n"
        "import sys\n"
        "try:\n"
        "    record_answer(sys.argv[1], max_seconds=30, cue=False, on_start=lambda: print('START', flush=True))\n"
        "except TakeInterrupted as e:\n"
        "    print('KEPT', e.result.duration_s, e.result.stopped_by); print('MSG', e)\n"
    )
    take = tmp_path / "take.wav"
    proc = subprocess.Popen([sys.executable, "-c", code, str(take)], env=va.process_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "START"
        time.sleep(1.5)
        va.kill_server()
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
        va.stop()
    kept = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
    assert kept["KEPT"].endswith("device-lost"), out
    assert "stopped sending audio" in kept["MSG"] and "--device" in kept["MSG"] and str(take) in kept["MSG"]
    seconds = float(kept["KEPT"].split()[0])
    assert seconds >= 1.0
    assert sf.info(str(take)).duration == pytest.approx(seconds, abs=0.01)
    assert not take.with_name(take.name + MARKER_SUFFIX).exists()
