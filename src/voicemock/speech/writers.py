"""Transcript writers, with the same formats and file naming as openai-whisper's command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from voicemock.fsutil import atomic_write_text
from voicemock.records import Transcript

__all__ = ["FORMATS", "render_transcript", "write_transcript", "output_path"]


def _timestamp(seconds: float, always_include_hours: bool, decimal_marker: str) -> str:
    ms = round(seconds * 1000.0)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    hours_marker = f"{hours:02d}:" if always_include_hours or hours > 0 else ""
    return f"{hours_marker}{minutes:02d}:{secs:02d}{decimal_marker}{ms:03d}"


def _txt(t: Transcript) -> str:
    return "".join(f"{s.text.strip()}\n" for s in t.segments)


def _vtt(t: Transcript) -> str:
    out = ["WEBVTT\n\n"]
    for s in t.segments:
        start = _timestamp(s.start, False, ".")
        end = _timestamp(s.end, False, ".")
        out.append(f"{start} --> {end}\n{s.text.strip().replace('-->', '->')}\n\n")
    return "".join(out)


def _srt(t: Transcript) -> str:
    out = []
    for i, s in enumerate(t.segments, start=1):
        start = _timestamp(s.start, True, ",")
        end = _timestamp(s.end, True, ",")
        out.append(f"{i}\n{start} --> {end}\n{s.text.strip().replace('-->', '->')}\n\n")
    return "".join(out)


def _tsv(t: Transcript) -> str:
    out = ["start\tend\ttext\n"]
    for s in t.segments:
        out.append(f"{round(1000 * s.start)}\t{round(1000 * s.end)}\t{s.text.strip().replace(chr(9), ' ')}\n")
    return "".join(out)


def _json(t: Transcript) -> str:
    return json.dumps(t.to_dict(), ensure_ascii=False, indent=2) + "\n"


FORMATS: dict[str, Callable[[Transcript], str]] = {
    "txt": _txt,
    "json": _json,
    "srt": _srt,
    "vtt": _vtt,
    "tsv": _tsv,
}


def render_transcript(transcript: Transcript, fmt: str) -> str:
    return FORMATS[fmt](transcript)


def output_path(audio_path: str | Path, output_dir: str | Path, fmt: str) -> Path:
    """<output_dir>/<input base name>.<fmt>, as `whisper` names its outputs."""
    return Path(output_dir) / f"{Path(audio_path).stem}.{fmt}"


def write_transcript(transcript: Transcript, audio_path: str | Path, output_dir: str | Path, formats: list[str]) -> list[Path]:
    return [atomic_write_text(output_path(audio_path, output_dir, f), render_transcript(transcript, f)) for f in formats]
