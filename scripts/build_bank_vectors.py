"""Encode the default bank's questions and talking points once, into models/encoder/bank-vectors.npz.

Run it after editing rubrics/questions.toml (tests/test_encoder.py fails until you do). The encoder
loads these vectors instead of encoding the same ~280 texts in every run; they are bit-identical to
what it would compute (a sentence's vector does not depend on its batch), and the file records the
model's sha256 so vectors of another model are refused.

    python scripts/build_bank_vectors.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from voicemock import load_bank  # noqa: E402
from voicemock.assess.encoder import MODEL_SHA256, bank_vectors_path, load_encoder  # noqa: E402
from voicemock.fsutil import atomic_write_bytes  # noqa: E402


def bank_texts() -> list[str]:
    """Every text of the default bank that scoring encodes: each question and each talking point, once."""
    texts: dict[str, None] = {}
    for question in load_bank():
        texts[question.text] = None
        for point in question.points:
            texts[point.text] = None
    return list(texts)


def main() -> int:
    import numpy as np

    path = bank_vectors_path()
    path.unlink(missing_ok=True)  # encode everything afresh, not from the file being replaced
    load_encoder.cache_clear()
    texts = bank_texts()
    vectors = load_encoder().embed(texts)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, texts=np.array(texts), vectors=vectors, model_sha256=np.array(MODEL_SHA256))
    atomic_write_bytes(path, buffer.getvalue())
    print(f"wrote {len(texts)} vectors ({path.stat().st_size:,} B) to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
