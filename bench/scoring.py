"""Scoring speed: loading the classifier and the sentence encoder, and scoring a 3-minute transcript once
they are loaded, the encoder's cache emptied before each run so every sentence is really encoded.

The default bank's question and talking points come encoded with the package
(models/encoder/bank-vectors.npz); a coach's own question is encoded in the run, so that is timed too.

Prints figures; asserts nothing. Targets: load <= 1 s, score (encoder included) <= 150 ms.

    python bench/scoring.py
"""

from __future__ import annotations

import dataclasses
import statistics
import time

from voicemock import load_classifier
from voicemock import load_bank
from voicemock import Segment, Transcript, Word
from voicemock import load_rubric
from voicemock import score_transcript

SENTENCES = [
    "My short answer is that I'd ship only after the golden set passes, and I'd keep measuring after launch.",
    "I'd pull five hundred recent tickets, stratified by product area and length, because long threads break summaries.",
    "Two senior agents would grade each summary for the customer's ask, anything false, and any missed promise.",
    "Invented content is a hard gate under one percent, because an agent acting on a made-up refund is worse than nothing.",
    "Precision here is the share of summary statements that are true, and recall is the share of key facts that made it in.",
    "If the latency goes over two seconds we fall back to showing the first three customer messages instead.",
    "After launch I'd watch how often agents expand the full ticket, since that tells us whether they trust it.",
    "Cost matters too: at forty thousand tickets a day and two cents a summary that is eight hundred dollars a day.",
    "Um, so, yeah, I think that covers the main parts of it, more or less.",
    "To sum up, define good by what the agent does next, gate on fabrication, and monitor in production.",
]


def three_minute_transcript(wpm: float = 150.0) -> Transcript:
    """About 450 words at 150 wpm, with word timings like Whisper's."""
    words, t, i = [], 0.5, 0
    while len(words) < 3 * wpm:
        # Each pass over the sentences opens them differently, so every sentence is new to the encoder
        # (a real answer repeats itself little); the scorer still folds the near-repeats.
        lead = ("", "So, ", "And ", "Then, ")[(i // len(SENTENCES)) % 4]
        for token in (lead + SENTENCES[i % len(SENTENCES)]).split():
            words.append(Word(start=round(t, 3), end=round(t + 0.3, 3), word=" " + token, probability=0.9))
            t += 60.0 / wpm
        i += 1
    text = "".join(w.word for w in words)
    return Transcript(source="bench", language="en", duration_s=t + 1, segments=(Segment(id=0, start=0.5, end=t, text=text, words=tuple(words)),))


def main() -> None:
    from voicemock import analyze_structure, forget_loaded_classifiers, load_encoder
    from voicemock.assess.reading import read_transcript

    start = time.perf_counter()
    classifier = load_classifier()
    encoder = load_encoder()
    classifier.moves()
    first_load = time.perf_counter() - start
    loads = []
    for _ in range(4):
        forget_loaded_classifiers()
        load_encoder.cache_clear()
        start = time.perf_counter()
        classifier = load_classifier()
        encoder = load_encoder()
        classifier.moves()
        loads.append(time.perf_counter() - start)
    rubric, question = load_rubric(), load_bank().get("evals-01")
    transcript = three_minute_transcript()

    # The same question as a coach's own bank would hold it: texts the shipped vectors do not have.
    own_question = dataclasses.replace(
        question, text=question.text + " (own bank)",
        points=[dataclasses.replace(p, text=p.text + " (own bank)") for p in question.points])

    def score_once(asked=question):
        # What `assess` does after delivery: read the sentences once, structure by meaning, the scorecard.
        readings = read_transcript(transcript, classifier)
        structure = analyze_structure(transcript, readings=readings, moves=classifier.moves())
        return score_transcript(transcript, rubric=rubric, level="pm", question=asked, classifier=classifier,
                                structure=structure, readings=readings)

    score_once()  # warm-up
    cold, own, warm = [], [], []
    for _ in range(15):
        encoder.clear_cache()
        start = time.perf_counter()
        score_once()
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        score_once()  # sentences already encoded, as in a practice round (encoded while the candidate spoke)
        warm.append(time.perf_counter() - start)
        encoder.clear_cache()
        start = time.perf_counter()
        score_once(own_question)
        own.append(time.perf_counter() - start)
    sentences = len({s.text for s in read_transcript(transcript, classifier)})
    print(f"load, first in a fresh process (classifier + encoder + move heads; imports scikit-learn, onnxruntime): {first_load * 1000:.0f} ms (target <= 1000 ms)")
    print(f"load again (verify sha256s, skops, ONNX session): median {statistics.median(loads) * 1000:.0f} ms over {len(loads)}")
    print(f"score a 3-minute transcript ({len(transcript.words)} words, {sentences} distinct sentences) after load, encoder included: "
          f"median {statistics.median(cold) * 1000:.1f} ms, max {max(cold) * 1000:.1f} ms (target <= 150 ms)")
    print(f"the same asked from a coach's own bank (question and its {len(own_question.points)} talking points encoded too): "
          f"median {statistics.median(own) * 1000:.1f} ms, max {max(own) * 1000:.1f} ms")
    print(f"the same with its sentences already encoded (a practice round encodes them during the take): "
          f"median {statistics.median(warm) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
