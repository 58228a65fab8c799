"""Finding a batch's inputs: audio files under folders and files named directly, each with its output name."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from voicemock.audio.files import AUDIO_EXTENSIONS

__all__ = ["BatchInput", "discover_inputs"]


@dataclass(frozen=True)
class BatchInput:
    """One input file. `key` is where its outputs go, relative to the output dir, without a suffix."""

    path: Path
    display: str  # the path as the user would write it: the argument, joined with the path inside it
    key: str  # "sub/take1" for <input dir>/sub/take1.wav
    error: str | None = None  # a problem found before any work (e.g. two inputs share one output name)


def discover_inputs(arguments: Sequence[str | Path]) -> list[BatchInput]:
    """Audio files under each folder (recursively, sorted) and each file named directly.

    A file named directly is taken whatever its extension (the user meant it); inside folders only
    audio extensions count. Outputs keep the subfolders below each folder argument. Two inputs that
    would write the same output name are both kept, the later one marked with an error.
    """
    found: list[BatchInput] = []
    seen_paths: set[str] = set()
    for argument in arguments:
        root = Path(argument)
        if root.is_dir():
            for path in _walk_audio(root):
                rel = path.relative_to(root)
                found.append(BatchInput(path=path, display=str(path), key=rel.with_suffix("").as_posix()))
        else:
            found.append(BatchInput(path=root, display=str(root), key=root.stem or root.name))

    unique: list[BatchInput] = []
    owner_of_key: dict[str, str] = {}
    for item in found:
        real = os.path.realpath(item.path)
        if real in seen_paths:  # the same file reached twice (overlapping arguments, symlinks)
            continue
        seen_paths.add(real)
        first = owner_of_key.get(item.key)
        if first is not None:
            item = replace(
                item,
                error=f"its outputs would overwrite those of {first} (same name {item.key}); rename one or batch them separately",
            )
        else:
            owner_of_key[item.key] = item.display
        unique.append(item)
    return unique


def _walk_audio(root: Path) -> list[Path]:
    """Audio files under root, sorted by their path inside it (hidden files and folders left out)."""
    found = []
    # os.walk does not follow directory symlinks, so a link loop cannot hang the batch.
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in AUDIO_EXTENSIONS:
                found.append(Path(folder) / name)
    return sorted(found, key=lambda p: p.relative_to(root).parts)
