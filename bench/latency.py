"""Instant feedback: how soon the report is written after a spoken answer ends, on real (virtual) devices.

Prints figures; asserts nothing. Needs ../shared/audio/virtual-audio.sh and PulseAudio:

    python bench/latency.py [--runs 3] [--seconds 180]

1. Builds a spoken answer of about --seconds from Piper sentences with natural gaps between them.
2. Starts a private virtual PulseAudio; runs `voicemock practice` recording the virtual microphone;
   once it says "speak now", plays the answer into the microphone with paplay. When paplay exits (the
   last sample has been played), the candidate presses Ctrl-C (SIGINT), which ends the take.
3. Latency = the report's write time (report.json's mtime) - the moment paplay returned. Median of
   --runs runs with live transcription, and one run with --no-live for comparison. Input overflows
   come from the session's report.json.
4. Offline throughput on the same answer: `voicemock transcribe`'s default path against bare
   sequential faster-whisper (same model, beam 5, VAD and word timestamps), alternated, medians.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from audio_harness import LineWatcher, VirtualAudio, unavailable_reason, voicemock_argv  # noqa: E402
from support import silence, synthesize, write_wav  # noqa: E402

SENTENCES = [
    "My short answer is that I would route most traffic to the small model and keep the large one for hard cases.",
    "Let me state my assumptions first: about two million requests a day, and a latency budget of eight hundred milliseconds.",
    "The tradeoff is quality against cost, so I would measure where the small model fails before deciding.",
    "First, I would build a golden set from real traffic, stratified by request type and by customer segment.",
    "Second, I would compare both models on that set, looking at the failure cases, not just the average score.",
    "If the small model matches the large one on eighty percent of requests, routing saves most of the cost.",
    "The router itself can be a cheap classifier that predicts difficulty from the request length and the topic.",
    "In production, I would watch the escalation rate, the latency at the ninety fifth percentile, and user complaints.",
    "If quality drops, we fall back to the large model for that segment, and we can roll back the router in minutes.",
    "I would also rerun the golden set on every model or prompt change, so regressions show up before users see them.",
    "The main risk is that the difficulty classifier drifts as users change how they phrase requests.",
    "To sum up, route by measured difficulty, watch quality and cost weekly, and keep a fast fallback.",
]


def build_answer(seconds: float, out: Path) -> Path:
    rng = np.random.default_rng(0)
    voiced = [synthesize(text) for text in SENTENCES]
    rate = voiced[0][1]
    parts, total = [silence(0.8, rate)], 0.8
    i = 0
    while total < seconds:
        samples, _ = voiced[i % len(voiced)]
        gap = float(rng.uniform(0.4, 1.0))
        parts += [samples, silence(gap, rate)]
        total += samples.shape[0] / rate + gap
        i += 1
    return write_wav(out, np.concatenate(parts), rate)


def one_take(va: VirtualAudio, answer: Path, recordings: Path, live: bool) -> tuple[float, int, float]:
    args = ["-v", "practice", "--question", "cost-latency-routing-01", "--no-speak", "--no-cue", "--max-seconds", "900",
            "--recordings-dir", str(recordings), "-f", "json", "--no-history"]
    if not live:
        args.append("--no-live")
    proc = subprocess.Popen(voicemock_argv(*args), env=va.process_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watcher = LineWatcher(proc)
    watcher.wait_for("speak now", timeout=120)
    time.sleep(0.3)  # the input stream is running; a person starts talking a moment after the prompt
    subprocess.run(["paplay", "--device=vmic_in", str(answer)], env=va.process_env(), check=True)
    ended = time.time()
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"practice failed ({proc.returncode}):\n{watcher.text()}")
    for line in watcher.text().splitlines():
        if "after the take ended" in line:
            print(f"    {line.split(': ', 1)[-1]}")
    report = max(recordings.glob("*/report.json"), key=lambda p: p.stat().st_mtime)
    data = json.loads(report.read_text())
    overflows = int(data.get("session", {}).get("recording", {}).get("overflows", -1)) if isinstance(data.get("session"), dict) else -1
    if overflows < 0:
        overflows = _find_overflows(data)
    words = len(data.get("transcript", {}).get("text", "").split()) if "transcript" in data else -1
    return report.stat().st_mtime - ended, overflows, words


def _find_overflows(data) -> int:
    """report.json keeps the recording's figures beside the scorecard; find 'overflows' wherever it is."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "overflows" in item:
                return int(item["overflows"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return -1


def throughput(answer: Path, rounds: int = 3) -> tuple[float, float]:
    sys.path.insert(0, str(REPO / "bench"))
    import transcribe as tb

    from voicemock import transcribe_file
    from voicemock import default_cpu_threads

    bare = tb.bare_model(default_cpu_threads())
    transcribe_file(answer)  # load voicemock's model once
    ours, theirs = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        transcribe_file(answer)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        tb.bare_transcribe(bare, answer, None, 5)
        theirs.append(time.perf_counter() - t0)
    return statistics.median(ours), statistics.median(theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--live-only", action="store_true", help="skip the --no-live run and the throughput figures")
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason:
        sys.exit(f"cannot run: {reason}")
    work = Path(tempfile.mkdtemp(prefix="vm-latency-"))
    answer = build_answer(args.seconds, work / "answer.wav")
    duration = subprocess.run(["soxi", "-D", str(answer)], capture_output=True, text=True).stdout.strip()
    print(f"spoken answer: {float(duration):.1f} s of Piper speech, {len(SENTENCES)} sentences repeated with 0.4-1.0 s gaps")
    va = VirtualAudio().start()
    try:
        latencies = []
        for run in range(args.runs):
            latency, overflows, _ = one_take(va, answer, work / f"rec-live-{run}", live=True)
            latencies.append(latency)
            print(f"  live run {run + 1}: report written {latency:.2f} s after the last sample played; {overflows} input overflows")
        print(f"live transcription: median {statistics.median(latencies):.2f} s from the answer's end to the report")
        if args.live_only:
            return
        latency, overflows, _ = one_take(va, answer, work / "rec-offline", live=False)
        print(f"--no-live (transcribe after the take): {latency:.2f} s; {overflows} input overflows")
    finally:
        va.stop()
    ours, bare = throughput(answer)
    print(
        f"offline throughput on the same answer: voicemock transcribe {ours:.2f} s, bare sequential faster-whisper "
        f"{bare:.2f} s, ratio {ours / bare:.3f}"
    )


if __name__ == "__main__":
    main()
