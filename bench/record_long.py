"""A long take on the virtual microphone: input overflows and memory growth of `record_answer`.

Target (issue: practice round): a 10-minute take reports no input overflows, and the process's RSS
grows by less than 20 MB (the take streams to disk; it is never held in memory).

    python bench/record_long.py                 # 600 s
    python bench/record_long.py --seconds 60    # a quick look

Needs pulseaudio and ../shared/audio/virtual-audio.sh (a private PulseAudio is started and stopped).
Speech (Piper, else espeak-ng) is looped into the virtual microphone with paplay for the whole take.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import numpy as np
from audio_harness import VirtualAudio, unavailable_reason
from support import silence, synthesize, write_wav


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason:
        print(f"skipped: {reason}")
        return 0

    work = Path(tempfile.mkdtemp(prefix="record-long-"))
    va = VirtualAudio().start()
    os.environ.update(va.env)  # before sounddevice is imported: PortAudio reads it when it starts
    stop_feeding = threading.Event()
    try:
        samples, rate = synthesize(
            "An evaluation plan starts with a golden set of real tickets, a rubric for faithfulness, "
            "and a regression suite that runs on every model change."
        )
        clip = write_wav(work / "speech.wav", np.concatenate([samples, silence(1.0, rate)]), rate)

        def feed() -> None:
            while not stop_feeding.is_set():
                subprocess.run(["paplay", "--device=vmic_in", str(clip)], env=va.process_env())

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()

        import sounddevice  # noqa: F401
        import soundfile  # noqa: F401  (imported before the baseline, so its own memory is not counted)

        from voicemock.audio.capture import record_answer

        samples_rss: list[tuple[float, float]] = []
        last = [0.0]

        def on_level(progress) -> None:
            if progress.elapsed_s - last[0] >= 5 or not samples_rss:
                samples_rss.append((progress.elapsed_s, rss_mb()))
                last[0] = progress.elapsed_s

        cpu0 = time.process_time()
        wall0 = time.monotonic()
        rss_before = rss_mb()
        result = record_answer(work / "take.wav", max_seconds=args.seconds, cue=False, on_level=on_level)
        wall = time.monotonic() - wall0
        cpu = time.process_time() - cpu0
        rss_after = rss_mb()
    finally:
        stop_feeding.set()
        va.stop()

    peak = max(r for _, r in samples_rss) if samples_rss else rss_after
    # Growth is measured from the first sample taken while recording (stream open, buffers allocated)
    # and from before the call, so a one-off start-up cost is visible but told apart from a leak.
    first_recording = samples_rss[0][1] if samples_rss else rss_before
    print(f"machine: {platform.node()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print(f"take: {result.duration_s:.1f} s at {result.samplerate} Hz from {result.device!r}, stopped by {result.stopped_by}")
    print(f"file: {result.path} {result.path.stat().st_size / 1e6:.1f} MB")
    print(f"input overflows: {result.overflows}")
    print(f"RSS: before {rss_before:.1f} MB, first sample while recording {first_recording:.1f} MB, "
          f"peak {peak:.1f} MB, after {rss_after:.1f} MB")
    print(f"RSS growth: {peak - rss_before:+.1f} MB from before the call, {peak - first_recording:+.1f} MB while recording")
    print(f"CPU: {cpu:.1f} s over {wall:.1f} s wall ({100 * cpu / wall:.1f}% of one core), first block after {result.first_block_delay_s:.2f} s")
    trace = ", ".join(f"{t:.0f}s:{r:.1f}" for t, r in samples_rss[:: max(1, len(samples_rss) // 12)])
    print(f"RSS trace (audio s: MB): {trace}")
    result.path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
