"""Render the shipped sample answer: rubrics/samples/sample-answer.ogg and .txt beside it.

A spoken answer to the bank question evals-01, synthesized with Piper (the `voice` extra), so that
`voicemock practice --question evals-01 --answer-file rubrics/samples/sample-answer.ogg` runs a whole
practice round on a machine with no microphone. The text is written by hand to sound like a decent,
not perfect, candidate; it is not a model answer.

    python scripts/render_sample_answer.py            # writes both files (refuses to overwrite)
    python scripts/render_sample_answer.py --force    # re-render
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "rubrics" / "samples"
QUESTION_ID = "evals-01"

# One paragraph per breath group; Piper pauses at sentence ends, and a short silence is added between paragraphs.
ANSWER = [
    "So my short answer is: I would not trust one accuracy number. I would build a golden set from real tickets, "
    "score the summaries against a rubric, and only ship once the failures I can see are ones agents can live with.",
    "First, the golden set. I would pull around five hundred real support tickets from the last quarter, "
    "representative of our traffic, so long threads, angry customers, refunds, and the edge cases like tickets "
    "in two languages or tickets with attachments.",
    "Second, the rubric. Senior agents would write reference summaries and grade outputs on faithfulness, "
    "meaning no invented facts, on coverage of the customer's actual request, and on whether the next action is clear. "
    "I would check that two graders agree with each other before I trust their labels.",
    "Third, the offline eval. We run the model on the golden set and look at the segments, not just the average. "
    "A hallucinated refund amount is much worse than a summary that is a bit long, so faithfulness errors would be a "
    "launch blocker, and I would set that bar with the support leads.",
    "Then a small human review pilot with twenty agents, measuring handle time and how often they open the full ticket anyway. "
    "And after launch, the same golden set becomes a regression suite that runs on every model or prompt change.",
    "So to sum up: representative data, a rubric with clear blockers, segment level results, and evaluation that keeps running after launch.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args(argv)

    import soundfile as sf

    from voicemock.fsutil import atomic_write_bytes, atomic_write_text
    from voicemock import load_bank
    from voicemock.audio.speak import synthesize_samples

    load_bank().get(QUESTION_ID)  # the question must exist in the shipped bank
    audio_path, text_path = OUT_DIR / "sample-answer.ogg", OUT_DIR / "sample-answer.txt"
    if audio_path.exists() and not args.force:
        print(f"{audio_path} exists; pass --force to render it again", file=sys.stderr)
        return 1
    pieces = []
    rate = None
    for paragraph in ANSWER:
        speech = synthesize_samples(paragraph, engine="piper")
        rate = rate or speech.sample_rate
        pieces += [speech.samples, np.zeros(int(0.6 * rate), dtype=np.float32)]
    lead = np.zeros(int(0.8 * rate), dtype=np.float32)  # a breath before answering, as a person would take
    samples = np.concatenate([lead, *pieces])
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="OGG", subtype="VORBIS")
    atomic_write_bytes(audio_path, buffer.getvalue())
    # The words only, so the .txt scores as a transcript too (`voicemock score sample-answer.txt`).
    atomic_write_text(text_path, "\n\n".join(ANSWER) + "\n")
    for path in (audio_path, text_path):
        path.chmod(0o644)  # atomic writes create 0600 temp files; shipped data must be world-readable
    print(f"wrote {audio_path} ({samples.size / rate:.1f} s) and {text_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
