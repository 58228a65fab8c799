"""summary.csv, the batch's one table: a row per input (its measures, or why it failed), and writing it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from voicemock.fsutil import atomic_write_text

__all__ = ["SUMMARY_NAME", "BASE_COLUMNS", "summary_row", "summary_columns", "write_summary"]

SUMMARY_NAME = "summary.csv"
BASE_COLUMNS = ("input", "duration_s", "words", "wpm", "fillers", "overall", "passed")


def summary_row(display: str, error: str = "", **values: Any) -> dict[str, Any]:
    """One input's row: every base column (blank unless given), then the values given, then `error`."""
    row: dict[str, Any] = dict.fromkeys(BASE_COLUMNS)
    row["input"] = display
    row.update(values)
    row["error"] = error
    return row


def summary_columns(rows: Iterable[dict[str, Any]]) -> list[str]:
    """input, duration_s, words, wpm, fillers, overall, passed, one per rubric dimension, error."""
    dims: list[str] = []
    for row in rows:
        for key in row:
            if key not in BASE_COLUMNS and key != "error" and key not in dims:
                dims.append(key)
    return [*BASE_COLUMNS, *dims, "error"]


def write_summary(path: Path, rows: list[dict[str, Any]]) -> Path:
    buf = io.StringIO()
    columns = summary_columns(rows)
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return atomic_write_text(path, buf.getvalue())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
