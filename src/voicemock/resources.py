"""Finding the shipped data folders (rubrics/, models/) from a source checkout and from a wheel.

In a wheel they sit inside the package as voicemock/_data/<name>; in a source checkout (editable
install or PYTHONPATH=src) they are the repository's top-level folders. Both are looked up the same way.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["data_dir", "rubrics_dir", "models_dir"]

_PACKAGE_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    """The folder holding shipped data called `name` ("rubrics" or "models")."""
    candidates = [_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent.parent / name]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"voicemock's {name}/ folder is missing (looked in {searched}); reinstall voicemock")


def rubrics_dir() -> Path:
    return data_dir("rubrics")


def models_dir() -> Path:
    return data_dir("models")
