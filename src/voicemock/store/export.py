"""The history's takes as CSV: one row per take, one column per dimension seen (`voicemock history --export csv`)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from voicemock.store.history import Take, iso_utc

__all__ = ["export_csv"]

_CSV_HEAD = ["id", "taken_at", "source", "question_id", "competency", "rubric", "level", "overall", "passed"]
_CSV_DELIVERY = [
    "wpm", "fillers_per_minute", "duration_s", "word_count", "time_to_first_word_s",
    "long_pause_count", "filler_count", "baseline_wpm",
]


def export_csv(takes: Iterable[Take], stream: IO[str]) -> int:
    """One row per take, one `score_<key>` column per dimension seen; returns the number of rows.

    Blank cells mean "not measured" (a dimension of another rubric, or pace for a text answer).
    """
    takes = list(takes)
    dims: list[str] = []
    for take in takes:
        dims.extend(k for k in take.scores if k not in dims)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([*_CSV_HEAD, *(f"score_{k}" for k in dims), *_CSV_DELIVERY, "input", "files", "input_path"])
    for t in takes:
        writer.writerow([
            t.id, iso_utc(t.taken_at), t.source, t.question_id or "", t.competency or "", t.rubric, t.level,
            t.overall, "true" if t.passed else "false",
            *(_cell(t.scores.get(k)) for k in dims),
            *(_cell(t.delivery.get(name)) for name in _CSV_DELIVERY),
            t.input, json.dumps(t.files) if t.files else "", t.input_path or "",
        ])
    return len(takes)


def _cell(value: Any) -> Any:
    return "" if value is None else value
