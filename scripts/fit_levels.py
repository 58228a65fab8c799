"""Place the rubrics' levels on the scorer's scale, on answers graded outside the team.

Scores the public development set (models/data/public/answers.jsonl) and the dev answers written to
fail (models/data/answers.jsonl: textbook, off-topic, weak, stuffed, short) with the shipped model at
the default level, fits one shift of every level's offsets (voicemock.flows.level_fit), and prints
each admissible shift's figures. `--write` moves the offsets of every level of the shipped rubrics by
the fitted shift, so the steps between levels stay as written. Run it after `voicemock train`:
`voicemock evaluate` (and tests/test_classifier.py) report a rubric that no longer carries the fit.

    python scripts/fit_levels.py [--write]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from voicemock.bank.rubric import list_rubrics, load_rubric  # noqa: E402
from voicemock.flows.answer_fit import read_answers  # noqa: E402
from voicemock.flows.evaluate_meaning import public_figures, read_public_answers  # noqa: E402
from voicemock.fsutil import atomic_write_bytes  # noqa: E402
from voicemock.resources import models_dir, rubrics_dir  # noqa: E402

OFFSETS = re.compile(r"^(offsets\s*=\s*\{)([^}]*)(\}.*)$", re.MULTILINE)


def _number(value: float) -> str:
    """A TOML float with no more digits than it needs: 0.0, -0.2, 0.45."""
    text = f"{round(value, 2) + 0.0:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def moved_offsets(toml_text: str, shift: float) -> str:
    """The rubric's text with every `offsets = { dim = x, ... }` line moved by `shift`, comments kept."""

    def move(match: re.Match[str]) -> str:
        pairs = []
        for item in match.group(2).split(","):
            key, value = (part.strip() for part in item.split("="))
            pairs.append(f"{key} = {_number(float(value) + shift)}")
        return f"{match.group(1)} {', '.join(pairs)} {match.group(3)}"

    return OFFSETS.sub(move, toml_text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="move the shipped rubrics' level offsets by the fitted shift")
    args = parser.parse_args()
    data = models_dir() / "data"
    public = read_public_answers(data / "public" / "answers.jsonl")
    if not public:
        print("Error: no public development set at models/data/public/answers.jsonl", file=sys.stderr)
        return 1
    fit = public_figures(public, read_answers(data / "answers.jsonl"), None)["level_fit"]
    print(f"fitted shift of every level's offsets: {fit['shift']:+.2f} (admissible: {fit['admissible']})")
    print(f"  strong answers of 100+ words passing: {fit['strong_passed']} of {fit['strong']} in-sample, "
          f"{fit['leave_one_out']} of {fit['strong']} leave-one-out")
    print(f"  weak answers passing: {fit['weak_passed']} of {fit['weak']}; dev answers written to fail passing: "
          f"{fit['guards_passed']} of {fit['guards']}")
    if args.write and fit["shift"]:
        moved = {}
        for rubric_id in list_rubrics():
            path = rubrics_dir() / f"{rubric_id}.toml"
            moved[path] = moved_offsets(path.read_text(encoding="utf-8"), fit["shift"])
            check = path.with_name(f".{path.name}.check.toml")
            check.write_text(moved[path], encoding="utf-8")
            try:
                load_rubric(check)  # every moved rubric must still load before any is written
            finally:
                check.unlink()
        for path, text in moved.items():
            atomic_write_bytes(path, text.encode("utf-8"))
            print(f"  moved the levels of {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
