"""How far two annotators agree on the signal labels: the ceiling any classifier is measured under.

Compares the labels in models/data/source/sentences/ (the primary annotation) with an independent
second annotation of a random sample of the same base sentences, made blind to the first under
models/data/GUIDELINE.md. Prints raw agreement and Cohen's kappa on the 9 labels, on polarity alone
and on dimension alone, and the confusions.

Usage:
  python scripts/label_agreement.py [--second models/data/source/agreement/second-annotator.txt]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_signal_data import (
    CODES,
    SOURCE_DIR,
    SourceError,
    normalize,
    read_base_sentences,
)

SECOND = SOURCE_DIR / "agreement" / "second-annotator.txt"


def read_second(path: Path) -> dict[str, str]:
    """normalized text -> code, from lines `CODE | text`."""
    labels = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        code, sep, text = line.partition("|")
        code = code.strip()
        if not sep or code not in CODES:
            raise SourceError(f"{path.name}:{number}: expected 'CODE | text', got {line!r}")
        labels[normalize(text)] = code
    return labels


def kappa(first: list[str], second: list[str]) -> float:
    """Cohen's kappa: agreement beyond what the two annotators' label frequencies give by chance."""
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    p1, p2 = Counter(first), Counter(second)
    expected = sum(p1[k] * p2[k] for k in p1) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--second", type=Path, default=SECOND, help="the second annotator's `CODE | text` file")
    args = parser.parse_args(argv)
    second = read_second(args.second)
    code_of = {label: code for code, label in CODES.items()}
    primary = {normalize(b.text): code_of[(b.dimension, b.polarity)] for b in read_base_sentences()}
    missing = [t for t in second if t not in primary]
    if missing:
        print(f"error: {len(missing)} sentence(s) of the second annotation are not in the sources, e.g. {missing[0]!r}", file=sys.stderr)
        return 2
    texts = sorted(second)
    a = [primary[t] for t in texts]
    b = [second[t] for t in texts]

    def view(name: str, key) -> None:
        x, y = [key(c) for c in a], [key(c) for c in b]
        agree = sum(p == q for p, q in zip(x, y)) / len(x)
        print(f"  {name:<34} agreement {agree:6.1%}   Cohen's kappa {kappa(x, y):.3f}")

    print(f"{len(texts)} base sentences labeled by two annotators independently")
    view("9 labels (dimension:polarity)", lambda c: c)
    view("polarity (strong/weak/neutral)", lambda c: c[-1] if c != "N" else "N")
    view("dimension (C/A/P/M/none)", lambda c: c[0])
    confusions = Counter((p, q) for p, q in zip(a, b) if p != q)
    print("most frequent disagreements (primary -> second):")
    for (p, q), count in confusions.most_common(10):
        print(f"  {p:>2} -> {q:<2} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
