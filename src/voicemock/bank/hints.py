"""What error messages about the shipped data files say: where the file is, and what was meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from voicemock.resources import rubrics_dir

__all__ = ["display_path", "did_you_mean"]


def display_path(path: Path) -> str:
    """`rubrics/<file>` for shipped files (wherever they are installed), else the path as given."""
    try:
        return f"rubrics/{path.resolve().relative_to(rubrics_dir().resolve()).as_posix()}"
    except (ValueError, FileNotFoundError):
        return str(path)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
