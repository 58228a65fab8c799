"""Real (virtual) audio devices for tests and benches: a private PulseAudio per run, driven from outside.

`VirtualAudio.start()` runs ../shared/audio/virtual-audio.sh with its own VA_DIR, so a test run never
shares a sound server with another process, and hands back the environment (PULSE_SERVER, ...) that
routes PortAudio's ALSA 'default' device to it. The program under test is the only user of
sounddevice; the "person" (speaking into the microphone, listening to the speaker) is paplay and
parecord, as the script's pitfalls advise.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from support import SHARED

VIRTUAL_AUDIO_SCRIPT = SHARED / "audio" / "virtual-audio.sh"
_ENV_KEYS = ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_STATE_PATH", "PULSE_SERVER")

# Runs the CLI with the practice and devices commands added, whether or not commands/__init__ lists them yet.
_CLI = (
    "import sys\n"
    "from voicemock.cli import main\n"
    "from voicemock.commands.devices import devices\n"
    "from voicemock.commands.practice import practice\n"
    "main.add_command(practice); main.add_command(devices)\n"
    "main(prog_name='voicemock')\n"
)


def unavailable_reason() -> str | None:
    """Why virtual devices cannot run here, or None when they can."""
    if not VIRTUAL_AUDIO_SCRIPT.is_file():
        return f"{VIRTUAL_AUDIO_SCRIPT} is absent (it sits beside the repository in CI)"
    for tool in ("pulseaudio", "pactl", "paplay", "parecord"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install pulseaudio pulseaudio-utils libasound2-plugins)"
    return None


def voicemock_argv(*args: str) -> list[str]:
    return [sys.executable, "-c", _CLI, *args]


class VirtualAudio:
    """One private PulseAudio daemon with the script's devices: vspeaker(.monitor), vmic_in -> vmic, vpipe."""

    def __init__(self):
        # A short path of its own: a unix socket path must stay under 108 bytes, and pytest's tmp_path can be long.
        self.base = Path(tempfile.mkdtemp(prefix="va-"))
        self.env: dict[str, str] = {}

    def start(self) -> VirtualAudio:
        env = {**os.environ, "VA_DIR": str(self.base)}
        for key in _ENV_KEYS:
            env.pop(key, None)
        out = subprocess.run(
            ["bash", "-c", f"source {VIRTUAL_AUDIO_SCRIPT} start >&2 && env -0"],
            env=env, capture_output=True, timeout=60,
        )
        if out.returncode != 0:
            log = self.base / "pulseaudio.log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"virtual audio failed to start: {out.stderr.decode(errors='replace')}\n{detail}")
        exported = dict(item.split("=", 1) for item in out.stdout.decode().split("\0") if "=" in item)
        self.env = {key: exported[key] for key in _ENV_KEYS}
        return self

    def stop(self) -> None:
        if self.env:
            pid = self._daemon_pid()
            # pactl exit is refused (--disallow-exit); the script then falls back to pulseaudio --kill.
            subprocess.run(["bash", str(VIRTUAL_AUDIO_SCRIPT), "stop"], env=self.process_env(), capture_output=True, timeout=30)
            self.env = {}
            # --kill only signals; a daemon still shutting down would recreate run/pulse after the rmtree.
            deadline = time.monotonic() + 10
            while pid and Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        shutil.rmtree(self.base, ignore_errors=True)

    def _daemon_pid(self) -> int | None:
        try:
            return int((Path(self.env["PULSE_RUNTIME_PATH"]) / "pid").read_text().split()[0])
        except (KeyError, OSError, ValueError, IndexError):
            return None

    def kill_server(self) -> None:
        """The sound server dies: every device behind it is gone, as when a USB microphone is pulled."""
        subprocess.run(["pulseaudio", "--kill"], env=self.process_env(), check=True, timeout=30)

    def process_env(self, **extra: str) -> dict[str, str]:
        # VA_DIR too: the script derives every path from it, so `stop` must not fall back to the default
        # /tmp/virtual-audio (another process's sound server).
        return {**os.environ, **self.env, "VA_DIR": str(self.base), **extra}

    def play_into_mic(self, wav: Path) -> subprocess.Popen:
        """The person speaks: `wav` goes into the virtual microphone."""
        return subprocess.Popen(["paplay", "--device=vmic_in", str(wav)], env=self.process_env())

    def record_speaker(self, wav: Path) -> subprocess.Popen:
        """The person listens: everything played on the default speaker lands in `wav`."""
        return subprocess.Popen(
            ["parecord", "--device=vspeaker.monitor", "--file-format=wav", "--channels=1", "--rate=16000", str(wav)],
            env=self.process_env(),
        )


def stop_recorder(proc: subprocess.Popen) -> None:
    """parecord finalizes its WAV header on SIGINT."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class LineWatcher:
    """Collects a process's stderr lines in a thread, so a test can wait for one without blocking."""

    def __init__(self, proc: subprocess.Popen, stream_name: str = "stderr"):
        self.lines: list[tuple[float, str]] = []
        self._cond = threading.Condition()
        stream = getattr(proc, stream_name)
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
            with self._cond:
                self.lines.append((time.time(), line))
                self._cond.notify_all()
        with self._cond:
            self.lines.append((time.time(), ""))  # EOF
            self._cond.notify_all()

    def wait_for(self, text: str, timeout: float) -> float:
        """The wall time the first line containing `text` arrived; AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for when, line in self.lines:
                    if text in line:
                        return when
                left = deadline - time.monotonic()
                if left <= 0 or (self.lines and self.lines[-1][1] == "" and not any(text in ln for _, ln in self.lines)):
                    raise AssertionError(f"no line with {text!r} within {timeout} s; got:\n{self.text()}")
                self._cond.wait(min(left, 0.5))

    def text(self) -> str:
        return "".join(line for _, line in self.lines)

    def join(self, timeout: float = 10) -> None:
        self._thread.join(timeout)
