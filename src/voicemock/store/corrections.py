"""Coach corrections: the JSON file beside a session, and the training rows made from it.

A coach relabels sentences (signal dimension and polarity), overrides dimension scores and writes
notes, either in the review page (which exports this JSON) or with `voicemock label`. The file is
`<session>/corrections.json`; saving merges into what is already there, never clobbers it.

Schema (version 1):

    {
      "version": 1,
      "session": "<session folder name>",
      "question_id": "evals-01" | null,
      "competency": "evals" | null,
      "coach": "name" | "",
      "created_at": "2025-01-01T12:00:00Z",
      "updated_at": "2025-01-01T12:05:00Z",
      "relabels": [{"text", "start", "end", "dimension", "polarity",
                    "original_dimension", "original_polarity", "original_signal", "coach", "created_at"}],
      "score_overrides": [{"dimension", "score", "original_score", "raw_offset", "coach", "created_at"}],
      "notes": [{"text", "at", "coach", "created_at"}]
    }

Relabels use the classifier's signal vocabulary (`conceptual|applied|production|communication|none`,
`strong|weak|neutral`); score overrides use the rubric's dimension keys and its 1-5 scale.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from voicemock.errors import CorrectionsError
from voicemock.records import SIGNAL_DIMENSIONS as RECORD_DIMENSIONS
from voicemock.fsutil import atomic_write_text

__all__ = [
    "CORRECTIONS_FILE",
    "POLARITIES",
    "SCHEMA_VERSION",
    "SIGNAL_DIMENSIONS",
    "CorrectionsError",
    "collect_corrections",
    "corrections_to_signal_rows",
    "find_sentence",
    "load",
    "load_file",
    "make_note",
    "make_relabel",
    "make_score_override",
    "merge",
    "new_corrections",
    "save",
    "sentence_group",
    "validate",
]

logger = logging.getLogger(__name__)

CORRECTIONS_FILE = "corrections.json"
SCHEMA_VERSION = 1
SIGNAL_DIMENSIONS = (*RECORD_DIMENSIONS, "none")  # what a relabel may say: a dimension, or no signal
POLARITIES = ("strong", "weak", "neutral")
SCORE_RANGE = (1.0, 5.0)
_DIMENSION_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
# A coach's note is prose; past this it is probably a pasted file, not a note.
MAX_NOTE_CHARS = 10_000
MAX_SENTENCE_CHARS = 2_000


def now_iso() -> str:
    """UTC to the millisecond, as the review page's JavaScript writes it (Date.toISOString)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _when(stamp: str | None) -> datetime:
    """A created_at for ordering; an unreadable or missing stamp sorts first."""
    try:
        when = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def new_corrections(session: str, *, question_id: str | None = None, competency: str | None = None, coach: str = "") -> dict[str, Any]:
    stamp = now_iso()
    return {
        "version": SCHEMA_VERSION,
        "session": session,
        "question_id": question_id,
        "competency": competency,
        "coach": coach,
        "created_at": stamp,
        "updated_at": stamp,
        "relabels": [],
        "score_overrides": [],
        "notes": [],
    }


# ---------------------------------------------------------------------------- building entries


def make_relabel(
    text: str,
    start: float | None,
    end: float | None,
    dimension: str,
    polarity: str,
    *,
    original_dimension: str | None = None,
    original_polarity: str | None = None,
    original_signal: str | None = None,
    coach: str = "",
) -> dict[str, Any]:
    entry = {
        "text": text.strip(),
        "start": None if start is None else round(float(start), 3),
        "end": None if end is None else round(float(end), 3),
        "dimension": dimension,
        "polarity": polarity,
        "original_dimension": original_dimension,
        "original_polarity": original_polarity,
        "original_signal": original_signal,
        "coach": coach,
        "created_at": now_iso(),
    }
    _check_relabel(entry, "relabel")
    return entry


def make_score_override(
    dimension: str, score: float, *, original_score: float | None = None, raw_offset: float | None = None, coach: str = ""
) -> dict[str, Any]:
    entry = {
        "dimension": dimension,
        "score": float(score),
        "original_score": None if original_score is None else float(original_score),
        # raw (level-free) score minus the shown score, so a trainer on raw scores can undo the level.
        "raw_offset": None if raw_offset is None else round(float(raw_offset), 3),
        "coach": coach,
        "created_at": now_iso(),
    }
    _check_override(entry, "score override")
    return entry


def make_note(text: str, *, at: float | None = None, coach: str = "") -> dict[str, Any]:
    entry = {"text": text.strip(), "at": None if at is None else round(float(at), 3), "coach": coach, "created_at": now_iso()}
    _check_note(entry, "note")
    return entry


# ---------------------------------------------------------------------------- validation


def validate(doc: Any, where: str = "corrections") -> dict[str, Any]:
    """Check a corrections document; return it with missing optional keys filled in.

    Raises CorrectionsError naming the first bad field and what to write instead.
    """
    if not isinstance(doc, dict):
        raise CorrectionsError(f"{where}: expected a JSON object with 'version', 'relabels', 'score_overrides', 'notes'")
    version = doc.get("version")
    if version != SCHEMA_VERSION:
        raise CorrectionsError(
            f"{where}: unsupported version {version!r}; this voicemock reads version {SCHEMA_VERSION} "
            "(export the corrections again from a review page made by this version)"
        )
    out = dict(doc)
    for key in ("session", "coach", "created_at", "updated_at"):
        value = out.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise CorrectionsError(f"{where}: '{key}' must be a string, not {type(value).__name__}")
        out[key] = value
    for key in ("question_id", "competency"):
        value = out.get(key)
        if value is not None and not isinstance(value, str):
            raise CorrectionsError(f"{where}: '{key}' must be a string or null")
        out[key] = value
    for key, check in (("relabels", _check_relabel), ("score_overrides", _check_override), ("notes", _check_note)):
        items = out.get(key, [])
        if not isinstance(items, list):
            raise CorrectionsError(f"{where}: '{key}' must be a list")
        fixed = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise CorrectionsError(f"{where}: {key}[{i}] must be an object")
            item = dict(item)
            check(item, f"{where}: {key}[{i}]")
            fixed.append(item)
        out[key] = fixed
    return out


def _check_text(item: dict[str, Any], where: str, what: str, limit: int, too_long: str) -> None:
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CorrectionsError(f"{where}: 'text' must be {what}, a non-empty string")
    if len(text) > limit:
        raise CorrectionsError(f"{where}: {too_long.format(n=len(text))}")


def _check_relabel(item: dict[str, Any], where: str) -> None:
    _check_text(item, where, "the sentence being relabeled", MAX_SENTENCE_CHARS,
                "'text' is {n} characters; relabel one sentence at a time")
    dimension, polarity = item.get("dimension"), item.get("polarity")
    if dimension not in SIGNAL_DIMENSIONS:
        raise CorrectionsError(f"{where}: dimension {dimension!r} is not one of {', '.join(SIGNAL_DIMENSIONS)}")
    if polarity not in POLARITIES:
        raise CorrectionsError(f"{where}: polarity {polarity!r} is not one of {', '.join(POLARITIES)}")
    # The classifier's vocabulary ties these two: a neutral sentence signals no dimension.
    if (polarity == "neutral") != (dimension == "none"):
        raise CorrectionsError(
            f"{where}: dimension {dimension!r} with polarity {polarity!r}; use dimension 'none' exactly when polarity is 'neutral'"
        )
    for key in ("start", "end"):
        _check_time(item, key, where)
    if item.get("start") is not None and item.get("end") is not None and item["end"] < item["start"]:
        raise CorrectionsError(f"{where}: 'end' {item['end']} is before 'start' {item['start']}")
    for key in ("original_dimension", "original_polarity", "original_signal", "coach", "created_at"):
        item.setdefault(key, None if key.startswith("original") else "")
        if item[key] is not None and not isinstance(item[key], str):
            raise CorrectionsError(f"{where}: '{key}' must be a string or null")


def _check_override(item: dict[str, Any], where: str) -> None:
    dimension = item.get("dimension")
    if not isinstance(dimension, str) or not _DIMENSION_KEY.match(dimension):
        raise CorrectionsError(f"{where}: 'dimension' must be a rubric dimension key such as 'applied', not {dimension!r}")
    score = item.get("score")
    lo, hi = SCORE_RANGE
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not lo <= float(score) <= hi:
        raise CorrectionsError(f"{where}: score {score!r} for {dimension!r} must be a number from {lo:g} to {hi:g}")
    item["score"] = float(score)
    for key in ("original_score", "raw_offset"):
        value = item.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise CorrectionsError(f"{where}: '{key}' must be a number or null")
        item[key] = None if value is None else float(value)
    for key in ("coach", "created_at"):
        item.setdefault(key, "")
        if not isinstance(item[key], str):
            raise CorrectionsError(f"{where}: '{key}' must be a string")


def _check_note(item: dict[str, Any], where: str) -> None:
    _check_text(item, where, "the note", MAX_NOTE_CHARS, f"the note is {{n}} characters; keep notes under {MAX_NOTE_CHARS}")
    _check_time(item, "at", where)
    for key in ("coach", "created_at"):
        item.setdefault(key, "")
        if not isinstance(item[key], str):
            raise CorrectionsError(f"{where}: '{key}' must be a string")


def _check_time(item: dict[str, Any], key: str, where: str) -> None:
    value = item.get(key)
    if value is None:
        item[key] = None
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise CorrectionsError(f"{where}: '{key}' must be seconds from the start (a number >= 0) or null")
    item[key] = round(float(value), 3)


# ---------------------------------------------------------------------------- merge, load, save


def _norm_text(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def _relabel_key(item: dict[str, Any]) -> tuple[str, float | None]:
    # The same sentence said twice in one take is two sentences; its start time tells them apart.
    start = item.get("start")
    return (_norm_text(item["text"]), None if start is None else round(start, 1))


def merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """`update` laid over `base`: a later relabel of the same sentence or override of the same
    dimension replaces the earlier one; notes are kept, each once."""
    base, update = validate(base, "existing corrections"), validate(update, "new corrections")
    out = dict(base)
    for key in ("session", "question_id", "competency", "coach"):
        if update.get(key):
            out[key] = update[key]
    out["created_at"] = min(filter(None, [base.get("created_at"), update.get("created_at")]), key=_when, default=now_iso())
    out["updated_at"] = now_iso()

    relabels = {_relabel_key(r): r for r in base["relabels"]}
    for r in update["relabels"]:
        relabels[_relabel_key(r)] = r
    out["relabels"] = list(relabels.values())

    overrides = {o["dimension"]: o for o in base["score_overrides"]}
    for o in update["score_overrides"]:
        overrides[o["dimension"]] = o
    out["score_overrides"] = list(overrides.values())

    seen = {(n["text"], n.get("at"), n.get("created_at")) for n in base["notes"]}
    notes = list(base["notes"])
    for n in update["notes"]:
        key = (n["text"], n.get("at"), n.get("created_at"))
        if key not in seen:
            seen.add(key)
            notes.append(n)
    out["notes"] = notes
    return out


def load_file(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise CorrectionsError(f"{p}: no such corrections file; export it from the review page or use `voicemock label`")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorrectionsError(f"{p}: not valid JSON ({exc}); export the corrections again from the review page") from exc
    return validate(doc, str(p))


def load(session_dir: str | Path) -> dict[str, Any] | None:
    """The session's corrections, or None when the coach has not corrected it yet."""
    path = Path(session_dir) / CORRECTIONS_FILE
    return load_file(path) if path.is_file() else None


def save(session_dir: str | Path, update: dict[str, Any]) -> Path:
    """Merge `update` into `<session>/corrections.json` (created if absent), atomically."""
    session = Path(session_dir)
    if not session.is_dir():
        raise CorrectionsError(f"{session}: not a session folder; pass the folder that holds the take's transcript.json")
    existing = load(session)
    doc = merge(existing, update) if existing else validate(update)
    if not doc.get("session"):
        doc["session"] = session.name
    path = atomic_write_text(session / CORRECTIONS_FILE, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    logger.info("saved %d relabels, %d score overrides, %d notes to %s",
                len(doc["relabels"]), len(doc["score_overrides"]), len(doc["notes"]), path)
    return path


# ---------------------------------------------------------------------------- training data


def collect_corrections(dirs: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Every corrections.json in or below the given folders (a session, or a recordings root),
    validated, in path order; each gets `_path` so a bad one can be named."""
    found: list[Path] = []
    for d in dirs:
        root = Path(d)
        if root.is_file() and root.name.endswith(".json"):
            found.append(root)
        elif root.is_dir():
            found.extend(sorted(root.rglob(CORRECTIONS_FILE)))
        else:
            raise CorrectionsError(f"{root}: no such folder; pass session folders or the recordings folder")
    out = []
    for path in dict.fromkeys(p.resolve() for p in found):
        doc = load_file(path)
        doc["_path"] = str(path)
        out.append(doc)
    return out


def sentence_group(text: str) -> str:
    """A group id per sentence text, so the same sentence corrected in two takes is one group
    (and one split) in training, like a base sentence and its paraphrases."""
    return "coach-" + hashlib.sha1(_norm_text(text).encode("utf-8")).hexdigest()[:10]


def corrections_to_signal_rows(corrections: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in models/data/signals.jsonl format, one per relabeled sentence.

    Always split "train": a coach's correction is a label to learn from, and the held-out test set
    stays the curated one so before/after figures compare like with like. When the same sentence is
    relabeled in several files, the latest relabel wins.
    """
    latest: dict[str, tuple[datetime, dict[str, Any], dict[str, Any]]] = {}
    for doc in corrections:
        for r in doc.get("relabels", []):
            key = _norm_text(r["text"])
            stamp = _when(r.get("created_at") or doc.get("updated_at"))
            if key not in latest or stamp >= latest[key][0]:
                latest[key] = (stamp, r, doc)
    rows = []
    for key, (_, r, doc) in sorted(latest.items()):
        group = sentence_group(r["text"])
        rows.append({
            "id": f"{group}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[10:16]}",
            "group": group,
            "text": r["text"],
            "dimension": r["dimension"],
            "polarity": r["polarity"],
            "competency": doc.get("competency") or "",
            "signal": "coach relabel" + (f" (was {r['original_polarity']} {r['original_dimension']})"
                                         if r.get("original_polarity") and r.get("original_dimension") else ""),
            "variant": "coach",
            "split": "train",
        })
    return rows


# ---------------------------------------------------------------------------- picking a sentence


def find_sentence(sentences: list, *, text: str | None = None, at: float | None = None):
    """The one sentence (voicemock.speech.sentences.Sentence) a coach means: by its words or by a time in it.

    Text matches when it equals a sentence or is part of exactly one, ignoring case and punctuation.
    """
    if (text is None) == (at is None):
        raise CorrectionsError("name the sentence either by its text (--sentence) or by a time in it (--at), not both")
    if not sentences:
        raise CorrectionsError("the transcript has no sentences to relabel")
    if at is not None:
        if sentences[0].start is None:
            raise CorrectionsError("this transcript has no timing; name the sentence with --sentence TEXT instead of --at")
        for s in sentences:
            if s.start - 0.05 <= at <= s.end + 0.05:
                return s
        # In a pause: the sentence that ends just before it is the one the coach heard last.
        before = [s for s in sentences if s.end <= at]
        if before and at - before[-1].end < 3.0:
            return before[-1]
        raise CorrectionsError(f"no sentence is spoken at {at:.1f} s (the answer runs {sentences[0].start:.1f}-{sentences[-1].end:.1f} s)")
    target = _norm_text(text or "")
    if not target:
        raise CorrectionsError("--sentence is empty; give a few words of the sentence to relabel")
    exact = [s for s in sentences if _norm_text(s.text) == target]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [s for s in sentences if target in _norm_text(s.text)]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise CorrectionsError(f"no sentence contains {text!r}; copy a few words from the transcript, or use --at SECONDS")
    shown = "; ".join(f"{s.start or 0:.1f}s {s.text[:50]!r}" for s in partial[:4])
    raise CorrectionsError(f"{len(partial)} sentences contain {text!r} ({shown}); add more words or use --at SECONDS")
