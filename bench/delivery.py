"""Delivery figures against ground truth built by construction, and filler recall/precision.

Answers are assembled from Piper-synthesized clauses, each trimmed to its sound, with silences of
known length and filled pauses ("um", "uh", synthesized on their own) at known places. So the truth
is exact: where each pause starts and ends, the time to the first word, the speaking span and word
count, and where each filler is. Also runs on the real AMI clip in ../shared/data/speech, whose
reference begins with a filled pause Whisper drops, and compares transcription with and without a
filler-laden initial prompt (filler recall and WER).

    python bench/delivery.py                      # print the figures
    python bench/delivery.py --write-calibration  # also store them in models/delivery-calibration.json
    python bench/delivery.py --runs 3 --write-calibration   # pool three syntheses (Piper is random)

The calibration file is what reports quote ("this detector found N% of known 'um/uh' in testing").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
SPEECH = REPO.parent / "shared" / "data" / "speech"
AMI = SPEECH / "ami_ES2011a_headset0_40-46s.wav"

RATE = 16000
PAUSE_TOL_S = 0.12  # "exact" pause edges: within 120 ms of the inserted silence's edges
MATCH_SLACK_S = 0.3  # a filler detection counts if it lies within 0.3 s of a known filler

# An answer: clauses (str), silences in seconds (float), and fillers ("<um>", "<uh>").
# Each clause has no inner comma or full stop, so Piper puts no silence of its own inside it.
ANSWERS: list[list] = [
    [0.8, "I would start with the user and the job they need done.", 0.6, "<um>", 0.2,
     "The first metric I would pick is weekly retention", 0.7, "because it shows repeat value.", 2.4,
     "The main risk is latency on long documents.", 0.3, "<uh>", 0.3, "So I would ship to ten percent first."],
    [1.5, "My recommendation is to route easy queries to a small model.", 0.55, "<uh>", 0.15,
     "The tradeoff is a small drop in quality", 0.9, "for a large saving in cost.", 3.0, "<um>", 0.25,
     "We would measure success with the resolution rate.", 0.55, "That is my answer."],
    [0.4, "Let me clarify the goal first.", 0.7, "Are we optimizing for growth or for trust", 0.35, "<um>", 0.35,
     "I will assume trust.", 2.1, "Then the plan has three steps.", 0.6, "<uh>", 0.12,
     "First we build a golden set.", 0.55, "Second we run offline evals.", 0.3, "Third we launch behind a flag."],
    [2.2, "The situation was a model that drifted after launch.", 0.8, "<um>", 0.3, "My task was to find the cause",
     0.55, "and I pulled the error logs with the team.", 2.6, "The result was a fix within a week.", 0.3, "<uh>", 0.2,
     "I learned to monitor drift from day one."],
    [1.0, "I think the answer is to start without a model.", 0.45, "<um>", 0.1, "A keyword list gets us most of the way",
     1.2, "and we can add a model later.", 0.8, "<uh>", 0.4, "If precision drops we fall back to rules."],
    [0.6, "Cost per query matters most here.", 0.55, "<uh>", 0.25, "We pay for every token twice",
     2.1, "once for the draft and once for the check.", 0.7, "<um>", 0.55, "Caching would cut that in half."],
    # Hard negatives: short words standing alone, the shape of a filler, but words.
    [0.7, "So.", 0.6, "Let me think about the question.", 0.55, "Right.", 0.55,
     "The goal is fewer support tickets.", 2.2, "Okay.", 0.4, "We would measure tickets per thousand users."],
    [1.2, "Yes.", 0.55, "I would launch it behind a flag.", 0.9, "Well.", 0.6, "The risk is that users lose trust.",
     0.55, "No.", 0.55, "We should not ship it to everyone at once."],
    [0.55, "I like this design because it is simple.", 0.6, "It feels like a search box with memory.", 2.3,
     "We would track the answer rate and the cost per answer."],
]


@dataclass
class Truth:
    audio: np.ndarray
    ttfw: float
    span: tuple[float, float]
    words: int
    reference: str
    pauses: list[tuple[float, float, str]] = field(default_factory=list)  # start, end, where
    fillers: list[tuple[float, float]] = field(default_factory=list)


def _to16k(samples: np.ndarray, rate: int) -> np.ndarray:
    from scipy.signal import resample_poly

    return resample_poly(samples, RATE, rate).astype(np.float32) if rate != RATE else samples.astype(np.float32)


def _trim(x: np.ndarray) -> np.ndarray:
    """Cut Piper's own leading and trailing silence: the clause starts at its first sound."""
    hop = 160
    frames = x[: len(x) // hop * hop].reshape(-1, hop)
    db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-10)
    loud = np.nonzero(db > db.max() - 40)[0]
    return x[loud[0] * hop : (loud[-1] + 1) * hop]


def _filler_audio(kind: str) -> np.ndarray:
    """A filled pause said on its own and drawn out (length_scale 1.6), as people draw them out."""
    from piper import SynthesisConfig
    from support import _piper_voice

    voice = _piper_voice()
    text = {"um": "Umm.", "uh": "Uhh."}[kind]
    chunks = [c.audio_float_array for c in voice.synthesize(text, syn_config=SynthesisConfig(length_scale=1.6))]
    audio = _trim(_to16k(np.concatenate(chunks), voice.config.sample_rate))
    if len(audio) < 0.12 * RATE:
        raise RuntimeError(f"Piper's {text!r} is only {len(audio) / RATE:.2f} s: no filler sound to test with")
    return audio


def build_answer(items: list) -> Truth:
    """Concatenate the pieces; record where every sound and silence is."""
    from support import synthesize

    pieces: list[np.ndarray] = []
    t = 0.0
    sounds: list[tuple[float, float, str]] = []  # start, end, text or <filler>
    lead = items[0] if isinstance(items[0], float) else 0.0
    last_was_sound = False
    for item in items:
        if isinstance(item, float):
            last_was_sound = False
            pieces.append(np.zeros(int(round(item * RATE)), dtype=np.float32))
            t += round(item * RATE) / RATE
            continue
        if item.startswith("<"):
            audio = _filler_audio(item.strip("<>"))
        else:
            audio = _trim(_to16k(*synthesize(item, engine="piper")))
        if last_was_sound:
            gap = np.zeros(int(0.05 * RATE), dtype=np.float32)  # two clauses back to back: a breath's gap
            pieces.append(gap)
            t += len(gap) / RATE
        sounds.append((t, t + len(audio) / RATE, item))
        pieces.append(audio)
        t += len(audio) / RATE
        last_was_sound = True
    audio = np.concatenate(pieces)
    clauses = [s for s in sounds if not s[2].startswith("<")]
    reference = " ".join(s[2] for s in clauses)
    truth = Truth(
        audio=audio,
        ttfw=lead,
        span=(sounds[0][0], sounds[-1][1]),
        words=len(reference.split()),
        reference=reference,
        fillers=[(a, b) for a, b, text in sounds if text.startswith("<")],
    )
    for (a0, a1, atext), (b0, b1, _) in zip(sounds, sounds[1:]):
        if b0 - a1 >= 0.25:
            # A silence after a filler sits where the clause before the filler ended.
            last_clause = next((s for s in reversed(clauses) if s[1] <= a1), None)
            closes = last_clause is not None and last_clause[2].rstrip()[-1:] in ".?!"
            truth.pauses.append((a1, b0, "between_sentences" if closes else "inside_sentence"))
    return truth


def _words_norm(text: str) -> list[str]:
    return [w for w in re.sub(r"[^a-z' ]", " ", text.lower()).split() if w]


def _match(detected: list[tuple[float, float]], truth: list[tuple[float, float]]) -> int:
    used, hits = set(), 0
    for a, b in truth:
        for i, (c, d) in enumerate(detected):
            if i not in used and c - MATCH_SLACK_S < b and d + MATCH_SLACK_S > a:
                used.add(i)
                hits += 1
                break
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-calibration", action="store_true", help="store the filler figures in models/")
    parser.add_argument("--runs", type=int, default=1, help="synthesize and measure the answers this many times; figures are pooled")
    args = parser.parse_args()

    import jiwer

    from voicemock import DecodedAudio, load_audio
    from voicemock import measure_delivery
    from voicemock.assess.fillers import find_fillers, tokens_of
    from voicemock.speech.hesitations import FILLER_PROMPT
    from voicemock import TranscribeOptions, transcribe_audio

    plain, prompted = TranscribeOptions(), TranscribeOptions(initial_prompt=FILLER_PROMPT)
    t0 = time.perf_counter()
    wpm_err, ttfw_err, pause_edge_err = [], [], []
    long_ok = pos_ok = n_pause_truth = n_pause_found = n_where_ok = false_pauses = 0
    counts = {"combined": [0, 0, 0], "transcript": [0, 0, 0], "prompted_transcript": [0, 0, 0]}  # hit, found, true
    refs, hyps, hyps_prompted = [], [], []
    recall_per_run = []
    for run in range(args.runs):
        # Piper's synthesis is random (VITS noise), so every run hears different audio: pool the
        # counts over runs and keep each run's recall (synthesized answers only), so the quoted
        # figure carries its spread.
        if args.runs > 1:
            print(f"--- run {run + 1} of {args.runs}")
        combined_before = list(counts["combined"])
        truths = [build_answer(a) for a in ANSWERS]
        print(f"built {len(truths)} answers, {sum(len(t.audio) for t in truths) / RATE:.1f} s of audio, "
              f"{sum(len(t.fillers) for t in truths)} known fillers ({time.perf_counter() - t0:.1f} s)")

        for i, truth in enumerate(truths):
            audio = DecodedAudio(truth.audio, f"<answer {i}>")
            transcript = transcribe_audio(audio, plain)
            d = measure_delivery(transcript, audio)
            wpm_true = truth.words / (truth.span[1] - truth.span[0]) * 60
            wpm_err.append(abs(d.wpm - wpm_true) / wpm_true)
            ttfw_err.append(abs(d.time_to_first_word_s - truth.ttfw))
            big_true = [p for p in truth.pauses if p[1] - p[0] >= 0.5]
            big_found = [p for p in d.pauses if p.duration >= 0.5]
            # Found but matching no inserted silence at all (of any length): a false pause.
            false_pauses += sum(
                not any(abs(p.start - a) <= PAUSE_TOL_S and abs(p.end - b) <= PAUSE_TOL_S for a, b, _ in truth.pauses)
                for p in big_found
            )
            n_pause_truth += len(big_true)
            n_pause_found += len(big_found)
            long_ok += sum(p.duration >= 2.0 for p in d.pauses) == sum(p[1] - p[0] >= 2.0 for p in truth.pauses)
            for a, b, where in big_true:
                near = [p for p in big_found if abs(p.start - a) <= PAUSE_TOL_S and abs(p.end - b) <= PAUSE_TOL_S]
                if near:
                    pos_ok += 1
                    n_where_ok += near[0].where == where
                    pause_edge_err.append(max(abs(near[0].start - a), abs(near[0].end - b)))
                    if near[0].where != where or pause_edge_err[-1] > 0.06:
                        print(f"   pause {a:.2f}-{b:.2f} {where}: found {near[0].start:.2f}-{near[0].end:.2f} {near[0].where}")
            # Fillers: the transcript's own, then the transcript's plus the audio detector's.
            from_words = [(f.start, f.end) for f in d.fillers if f.kind == "filled_pause"]
            combined = from_words + [(h.start, h.end) for h in d.hesitations]
            p_transcript = transcribe_audio(audio, prompted)
            from_prompted = [(f.start, f.end) for f in find_fillers(tokens_of(p_transcript)) if f.kind == "filled_pause"]
            for key, det in (("combined", combined), ("transcript", from_words), ("prompted_transcript", from_prompted)):
                counts[key][0] += _match(det, truth.fillers)
                counts[key][1] += len(det)
                counts[key][2] += len(truth.fillers)
            refs.append(" ".join(_words_norm(truth.reference)))
            strip = lambda tr: " ".join(w for w in _words_norm(tr.text) if not re.fullmatch(r"u+m+|u+h+|h+m+|e+r+|a+h+", w))
            hyps.append(strip(transcript))
            hyps_prompted.append(strip(p_transcript))
            print("   transcript:", transcript.text)
            print(f"answer {i}: wpm {d.wpm:.1f} (true {wpm_true:.1f}), ttfw {d.time_to_first_word_s:.2f} (true {truth.ttfw:.2f}), "
                  f"pauses>=0.5 {len(big_found)} (true {len(big_true)}), long {d.long_pause_count}, "
                  f"fillers true {len(truth.fillers)} / transcript {len(from_words)} / audio {len(d.hesitations)}")
            if len(big_found) != len(big_true) or any(e > PAUSE_TOL_S for e in pause_edge_err[-len(big_true):] or [0]):
                print("   found:", [(p.start, p.end, p.where) for p in big_found])
                print("   true: ", [(round(a, 3), round(b, 3), w) for a, b, w in big_true])

        hits = counts["combined"][0] - combined_before[0]
        true = counts["combined"][2] - combined_before[2]
        recall_per_run.append(round(hits / true, 3) if true else None)

    # The real clip: its reference starts with "UM", which Whisper drops. Real audio does not change
    # between runs, so it is measured and counted once.
    ami = {}
    if AMI.is_file():
        audio = load_audio(AMI)
        transcript = transcribe_audio(audio, plain)
        d = measure_delivery(transcript, audio)
        first_word = next(w for w in transcript.words)
        # Truth: one filled pause, before "I'm" (its onset measured on the audio: 1.45 s).
        truth_fillers = [(0.0, 1.45)]
        found = [(f.start, f.end) for f in d.fillers if f.kind == "filled_pause"] + [(h.start, h.end) for h in d.hesitations]
        early = [x for x in found if x[1] <= 1.45 + MATCH_SLACK_S]
        hit = min(1, len(early))
        counts["combined"][0] += hit
        counts["combined"][1] += len(found)
        counts["combined"][2] += 1
        from_words = [(f.start, f.end) for f in d.fillers if f.kind == "filled_pause"]
        counts["transcript"][0] += _match(from_words, truth_fillers)
        counts["transcript"][1] += len(from_words)
        counts["transcript"][2] += 1
        pt = transcribe_audio(audio, prompted)
        pw = [(f.start, f.end) for f in find_fillers(tokens_of(pt)) if f.kind == "filled_pause"]
        counts["prompted_transcript"][0] += _match(pw, truth_fillers)
        counts["prompted_transcript"][1] += len(pw)
        counts["prompted_transcript"][2] += 1
        ami = {"transcript": transcript.text, "first_word": first_word.word, "hesitations": [(h.start, h.end) for h in d.hesitations],
               "found_um": bool(hit)}
        print(f"AMI clip: transcript {transcript.text!r}; hesitations {ami['hesitations']}; 'UM' found: {bool(hit)}")
    else:
        print(f"AMI clip absent ({AMI}): real-speech filler figure not measured")

    # WER with and without the filler prompt, on the real referenced clips joined (85 s).
    wer_real = {}
    long_ref, long_txt = SPEECH / "long_ref.wav", SPEECH / "long_ref.txt"
    if long_ref.is_file():
        audio = load_audio(long_ref)
        ref = " ".join(_words_norm(long_txt.read_text()))
        for name, opts in (("plain", plain), ("prompted", prompted)):
            tr = transcribe_audio(audio, opts)
            wer_real[name] = round(jiwer.wer(ref, " ".join(_words_norm(tr.text))), 4)

    def rp(key):
        hit, found, true = counts[key]
        return (hit / true if true else None, hit / found if found else None, hit, found, true)

    print()
    print(f"wpm error: mean {np.mean(wpm_err):.1%}, max {np.max(wpm_err):.1%} (target <= 5%)")
    print(f"time to first word error: mean {np.mean(ttfw_err):.3f} s, max {np.max(ttfw_err):.3f} s (target <= 0.3 s)")
    print(f"pauses >= 0.5 s: {n_pause_truth} inserted, {pos_ok} found with both edges within "
          f"{PAUSE_TOL_S * 1000:.0f} ms (max edge error {max(pause_edge_err, default=0) * 1000:.0f} ms); "
          f"'where' right for {n_where_ok}/{pos_ok}; {false_pauses} found that match no inserted silence")
    print(f"long pauses (>= 2 s) count exact in {long_ok}/{len(truths) * args.runs} answers")
    if args.runs > 1:
        print(f"filled pauses, combined recall per run: {', '.join(f'{r:.0%}' for r in recall_per_run if r is not None)}")
    for key in counts:
        r, p, hit, found, true = rp(key)
        print(f"filled pauses, {key:20s}: recall {r:.0%} ({hit}/{true}), precision "
              f"{'n/a' if p is None else f'{p:.0%}'} ({hit}/{found})")
    wer_synth = {"plain": jiwer.wer(refs, hyps), "prompted": jiwer.wer(refs, hyps_prompted)}
    print(f"WER on the synthesized answers: plain {wer_synth['plain']:.1%}, with filler prompt {wer_synth['prompted']:.1%}")
    if wer_real:
        print(f"WER on long_ref.wav (real speech): plain {wer_real['plain']:.1%}, with filler prompt {wer_real['prompted']:.1%}")

    if args.write_calibration:
        from voicemock.resources import models_dir

        r, p, hit, found, true = rp("combined")
        tr_r = rp("transcript")[0]
        data = {
            "generated_by": "bench/delivery.py --write-calibration",
            "date": dt.date.today().isoformat(),
            "machine": f"{platform.machine()} {platform.system()}",
            "model": "tiny.en (embedded), beam 5, VAD on",
            "fillers": {
                "combined": {"recall": round(r, 3), "precision": round(p, 3), "hits": hit, "detected": found, "true": true,
                             "transcript_only_recall": round(tr_r, 3), "runs": args.runs, "recall_per_run": recall_per_run},
                "transcript_only": dict(zip(("recall", "precision", "hits", "detected", "true"), rp("transcript"))),
                "prompted_transcript": dict(zip(("recall", "precision", "hits", "detected", "true"), rp("prompted_transcript"))),
                "test_set": f"{args.runs} x {len(truths)} Piper answers ({sum(len(t.fillers) for t in truths)} um/uh placed alone, "
                            "length_scale 1.6) + the AMI clip's opening 'UM'",
                "match_slack_s": MATCH_SLACK_S,
                "ami": ami,
            },
            "timing": {
                "wpm_error_mean": round(float(np.mean(wpm_err)), 4),
                "wpm_error_max": round(float(np.max(wpm_err)), 4),
                "ttfw_error_max_s": round(float(np.max(ttfw_err)), 3),
                "pauses_ge_0_5_true": n_pause_truth,
                "pauses_ge_0_5_false": false_pauses,
                "pauses_edges_within_tol": pos_ok,
                "pause_edge_tolerance_s": PAUSE_TOL_S,
            },
            "wer": {"synthesized": {k: round(v, 4) for k, v in wer_synth.items()}, "long_ref": wer_real},
        }
        path = models_dir() / "delivery-calibration.json"
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    print(f"total {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
