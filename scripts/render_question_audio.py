"""Render every question in the bank to rubrics/audio/<id>.ogg with Piper (mono Ogg Opus, ~25 kbit/s).

A question is re-rendered only when its text, the voice or the encoding changed: rubrics/audio/manifest.json
keeps a digest of the text each file was made from (voicemock.audio.speak.question_audio checks it too, and
never plays a recording of older text). Files of questions no longer in the bank are removed.

    python scripts/render_question_audio.py            # render what is missing or out of date
    python scripts/render_question_audio.py --force    # render everything again
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from voicemock.fsutil import atomic_write_bytes, atomic_write_text  # noqa: E402
from voicemock import load_bank  # noqa: E402
from voicemock.audio.speak import MANIFEST_NAME, piper_voice_id, synthesize_samples, text_digest  # noqa: E402

# Opus takes 8/12/16/24/48 kHz only; Piper's voice is 22.05 kHz, and 24 kHz keeps all of it.
RATE = 24000
# libsndfile maps compression 0..1 onto Opus bitrates; 0.93 gives ~25 kbit/s, transparent for speech
# and ~3 kB per spoken second, so the 40-question bank stays near 1 MB.
COMPRESSION = 0.93
ENCODING = f"ogg/opus mono {RATE} Hz compression {COMPRESSION}"


def encode(samples, rate: int) -> bytes:
    import numpy as np
    import soundfile as sf
    from scipy.signal import resample_poly

    if rate != RATE:
        from math import gcd

        g = gcd(RATE, rate)
        samples = resample_poly(samples, RATE // g, rate // g).astype(np.float32)
    samples = np.clip(samples, -1.0, 1.0)
    buffer = io.BytesIO()
    sf.write(buffer, samples, RATE, format="OGG", subtype="OPUS", compression_level=COMPRESSION)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", default=str(REPO / "rubrics" / "questions.toml"), help="question bank TOML")
    parser.add_argument("--force", action="store_true", help="render every question, up to date or not")
    args = parser.parse_args(argv)

    bank = load_bank(args.bank)
    audio_dir = Path(args.bank).resolve().parent / "audio"
    manifest_path = audio_dir / MANIFEST_NAME
    old = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    voice = piper_voice_id()
    same_setup = old.get("voice") == voice and old.get("encoding") == ENCODING
    entries: dict[str, dict] = {}
    rendered = skipped = 0
    started = time.perf_counter()
    for q in bank:
        if q.audio_path is None:
            print(f"{q.id}: no `audio` key in the bank; skipped", file=sys.stderr)
            continue
        digest = text_digest(q.text)
        previous = old.get("questions", {}).get(q.id, {})
        if not args.force and same_setup and previous.get("text_sha256") == digest and q.audio_path.is_file():
            entries[q.id] = previous
            skipped += 1
            continue
        speech = synthesize_samples(q.text, engine="piper")
        atomic_write_bytes(q.audio_path, encode(speech.samples, speech.sample_rate))
        entries[q.id] = {
            "file": q.audio_path.relative_to(audio_dir).as_posix(),
            "text_sha256": digest,
            "seconds": speech.duration_s,
        }
        rendered += 1
        print(f"{q.id}: {speech.duration_s:.1f} s, {q.audio_path.stat().st_size / 1024:.0f} kB", file=sys.stderr)

    kept = {e["file"] for e in entries.values()}
    for stale in sorted(audio_dir.glob("*.ogg")):
        if stale.name not in kept:
            stale.unlink()
            print(f"removed {stale.name}: no such question in the bank", file=sys.stderr)

    manifest = {"voice": voice, "encoding": ENCODING, "questions": dict(sorted(entries.items()))}
    atomic_write_text(manifest_path, json.dumps(manifest, indent=1) + "\n")
    total = sum((audio_dir / e["file"]).stat().st_size for e in entries.values())
    print(
        f"{rendered} rendered, {skipped} up to date, {len(entries)} files, {total / 1e6:.2f} MB, "
        f"{sum(e['seconds'] for e in entries.values()):.0f} s of speech, in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
