"""The history of takes: one SQLite row per scored answer, written and read back (trends are in `store.trends`).

The store is `<recordings-dir>/history.sqlite3` (stdlib sqlite3, WAL journal), so a practice session
and a batch run can write at the same time without losing a row. Common fields are explicit columns
(they are what `history` filters and sorts on); per-dimension scores and delivery figures are JSON,
so a rubric with other dimensions fits without a schema change. The schema is versioned with
`PRAGMA user_version` and upgraded in place by `_MIGRATIONS`.

Times are stored as ISO 8601 in UTC with a fixed width, so text order is time order.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from voicemock.errors import HistoryError
from voicemock.records import Delivery, Scorecard

__all__ = [
    "HISTORY_FILENAME",
    "SCHEMA_VERSION",
    "SOURCES",
    "SPOKEN_SOURCES",
    "HistoryError",
    "HistoryStore",
    "Take",
    "history_path",
    "record_take",
    "competency_of",
    "iso_utc",
]

log = logging.getLogger(__name__)

HISTORY_FILENAME = "history.sqlite3"
SCHEMA_VERSION = 2
# Where a take came from. "score-audio" and "score-text" tell a scored recording from a scored typed
# transcript; "score", what schema 1 wrote for both, is still taken and stored as one of the two.
SOURCES = ("practice", "interview", "score-audio", "score-text", "batch")
# Takes of spoken answers: what trends and the personal baseline read by default.
SPOKEN_SOURCES = ("practice", "interview", "score-audio", "batch")
# A practice session waits on a batch run's write rather than failing; writes take milliseconds.
DEFAULT_BUSY_TIMEOUT_S = 30.0

_QUESTION_ID = re.compile(r"^(?P<competency>[a-z0-9]+(?:-[a-z0-9]+)*)-\d{2}$")


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Take:
    """One scored answer as the history holds it."""

    id: int
    taken_at: datetime  # timezone-aware, UTC
    source: str  # one of SOURCES
    input: str
    question_id: str | None
    competency: str | None
    rubric: str
    level: str
    overall: float
    passed: bool
    scores: dict[str, float]  # dimension key -> 1-5 score, in the rubric's order
    dimension_names: dict[str, str]  # dimension key -> the rubric's name for it
    wpm: float | None = None
    fillers_per_minute: float | None = None
    duration_s: float | None = None
    delivery: dict[str, Any] = field(default_factory=dict)  # the figures of `_delivery_figures`
    files: dict[str, str] = field(default_factory=dict)  # role ("audio", "transcript", ...) -> absolute path
    input_path: str | None = None  # the input's absolute path, as recorded from schema 2 on

    @property
    def spoken(self) -> bool:
        """A spoken answer: from a spoken source, with a length (a typed practice answer has none)."""
        return self.source in SPOKEN_SOURCES and self.duration_s is not None


# ---------------------------------------------------------------------------- locations


def history_path(recordings_dir: str | os.PathLike[str]) -> Path:
    return Path(recordings_dir) / HISTORY_FILENAME


# ---------------------------------------------------------------------------- schema


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE takes (
            id                 INTEGER PRIMARY KEY,
            taken_at           TEXT    NOT NULL,
            source             TEXT    NOT NULL,
            input              TEXT    NOT NULL,
            question_id        TEXT,
            competency         TEXT,
            rubric             TEXT    NOT NULL,
            level              TEXT    NOT NULL,
            overall            REAL    NOT NULL,
            passed             INTEGER NOT NULL,
            wpm                REAL,
            fillers_per_minute REAL,
            duration_s         REAL,
            scores_json        TEXT    NOT NULL,
            delivery_json      TEXT    NOT NULL,
            files_json         TEXT    NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX takes_taken_at ON takes (taken_at)")
    conn.execute("CREATE INDEX takes_question_id ON takes (question_id)")
    conn.execute("CREATE INDEX takes_competency ON takes (competency)")


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    # Old rows are kept: the input's path comes from the files the take stored, and a "score" row is
    # a recording when it stored an audio file or has a pace, else typed text.
    conn.execute("ALTER TABLE takes ADD COLUMN input_path TEXT")
    conn.execute(
        "UPDATE takes SET source = CASE WHEN json_extract(files_json, '$.audio') IS NOT NULL OR wpm IS NOT NULL"
        " THEN 'score-audio' ELSE 'score-text' END WHERE source = 'score'"
    )
    conn.execute(
        "UPDATE takes SET input_path = coalesce(json_extract(files_json, '$.audio'), json_extract(files_json, '$.input'),"
        " json_extract(files_json, '$.transcript'))"
    )
    conn.execute("CREATE INDEX takes_source ON takes (source)")


# _MIGRATIONS[v] upgrades a database at user_version v to v + 1. Append, never edit a shipped one.
_MIGRATIONS = [_migrate_0_to_1, _migrate_1_to_2]
assert len(_MIGRATIONS) == SCHEMA_VERSION


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    # IMMEDIATE takes the write lock first, so two processes opening a new file do not both create it.
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{path} was written by a newer voicemock (history schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade voicemock or point --recordings-dir elsewhere"
            )
        for step in range(version, SCHEMA_VERSION):
            log.info("upgrading history %s from schema %d to %d", path, step, step + 1)
            _MIGRATIONS[step](conn)
        if version != SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


# ---------------------------------------------------------------------------- the store


class HistoryStore:
    """The takes table in one SQLite file. Open one per process (connections are not shared).

    Use as a context manager, or call close().
    """

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.recordings_dir = self.path.parent
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE), never implicit.
            self._conn = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"cannot open the history {self.path}: {exc}; check --recordings-dir and its permissions") from None
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000):d}")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                # e.g. some network filesystems; writes still work, one at a time.
                log.warning("history %s: SQLite kept journal_mode=%s instead of WAL", self.path, mode)
            # In WAL mode NORMAL never corrupts the file; a power cut can lose only the last takes.
            self._conn.execute("PRAGMA synchronous = NORMAL")
            _migrate(self._conn, self.path)
        except sqlite3.OperationalError as exc:  # locked past the busy timeout, read-only folder, disk full
            self._conn.close()
            raise HistoryError(
                f"could not open the history {self.path} ({exc}); if another voicemock is writing to it, try again"
            ) from None
        except sqlite3.DatabaseError as exc:  # not an SQLite file, or a damaged one
            self._conn.close()
            raise HistoryError(
                f"{self.path} is not a usable voicemock history ({exc}); move it aside and a new one will be started"
            ) from None
        except BaseException:
            self._conn.close()
            raise

    # -- lifecycle

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing

    def add(
        self,
        scorecard: Scorecard,
        *,
        source: str,
        competency: str | None = None,
        files: dict[str, str] | None = None,
        taken_at: datetime | None = None,
        input_path: str | None = None,
    ) -> int:
        """Store one take; returns its row id.

        `competency` defaults to the slug of `scorecard.question_id` (ids are `<competency>-NN`).
        `input_path` defaults to `scorecard.input`, made absolute.
        File paths under the recordings folder are stored relative to it, so the folder can move.
        """
        if source == "score":
            timed = scorecard.delivery is not None and scorecard.delivery.duration_s is not None
            source = "score-audio" if timed else "score-text"
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
        given = input_path or scorecard.input
        input_path = str(Path(given).resolve()) if given else None
        when = _utc(taken_at) if taken_at is not None else datetime.now(timezone.utc)
        if competency is None:
            competency = competency_of(scorecard.question_id)
        delivery = _delivery_figures(scorecard.delivery)
        scores = [
            {"key": d.key, "name": d.name, "weight": float(d.weight), "score": float(d.score),
             "raw_score": None if d.raw_score is None else float(d.raw_score)}
            for d in scorecard.dimensions
        ]
        stored_files = {role: self._relative(p) for role, p in (files or {}).items()}
        row = (
            iso_utc(when), source, scorecard.input, scorecard.question_id, competency, scorecard.rubric,
            scorecard.level, float(scorecard.overall), int(bool(scorecard.passed)),
            delivery.get("wpm"), delivery.get("fillers_per_minute"), delivery.get("duration_s"),
            json.dumps(scores), json.dumps(delivery), json.dumps(stored_files), input_path,
        )
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._conn.execute(
                    "INSERT INTO takes (taken_at, source, input, question_id, competency, rubric, level, overall,"
                    " passed, wpm, fillers_per_minute, duration_s, scores_json, delivery_json, files_json, input_path)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise HistoryError(f"could not record the take in {self.path}: {exc}; try again, or pass --no-history") from None
        take_id = int(cursor.lastrowid)
        log.debug("recorded take %d (%s, %s) in %s", take_id, source, scorecard.question_id, self.path)
        return take_id

    record_take = add

    def forget(self, take_id: int) -> Take:
        """Remove one take; returns it as it was. Its files (a practice session folder) stay on disk."""
        found = self._conn.execute("SELECT * FROM takes WHERE id = ?", (int(take_id),)).fetchone()
        if found is None:
            raise HistoryError(f"no take {take_id} in {self.path}; `voicemock history` lists the takes with their ids")
        try:
            self._conn.execute("DELETE FROM takes WHERE id = ?", (int(take_id),))
        except sqlite3.OperationalError as exc:
            raise HistoryError(f"could not remove take {take_id} from {self.path}: {exc}; try again") from None
        return self._take(found)

    # -- reading

    def query(
        self,
        question_id: str | None = None,
        competency: str | None = None,
        since: datetime | date | None = None,
        *,
        sources: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[Take]:
        """Takes matching every filter given, oldest first. `limit` keeps the most recent ones.

        `since` is inclusive; a date means that day's local midnight, a naive datetime local time.
        """
        where, params = [], []
        if question_id is not None:
            where.append("question_id = ?")
            params.append(question_id)
        if competency is not None:
            where.append("competency = ?")
            params.append(competency)
        if since is not None:
            where.append("taken_at >= ?")
            params.append(iso_utc(_utc(since)))
        if sources is not None:
            where.append(f"source IN ({', '.join('?' * len(sources))})")
            params.extend(sources)
        sql = "SELECT * FROM takes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY taken_at DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit):d}"
        try:
            rows = self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"could not read {self.path}: {exc}; move it aside and a new one will be started") from None
        return [self._take(r) for r in reversed(rows)]

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM takes").fetchone()[0])

    def integrity_check(self) -> str:
        """SQLite's own check of the file: "ok", or what is wrong."""
        return "; ".join(r[0] for r in self._conn.execute("PRAGMA integrity_check").fetchall())

    # -- helpers

    def _relative(self, path: str) -> str:
        p = Path(path).resolve()
        try:
            return str(p.relative_to(self.recordings_dir.resolve()))
        except ValueError:
            return str(p)

    def _take(self, r: sqlite3.Row) -> Take:
        scores = json.loads(r["scores_json"])
        base = self.recordings_dir.resolve()
        return Take(
            id=int(r["id"]),
            taken_at=datetime.fromisoformat(r["taken_at"]),
            source=r["source"],
            input=r["input"],
            question_id=r["question_id"],
            competency=r["competency"],
            rubric=r["rubric"],
            level=r["level"],
            overall=float(r["overall"]),
            passed=bool(r["passed"]),
            scores={d["key"]: float(d["score"]) for d in scores},
            dimension_names={d["key"]: d["name"] for d in scores},
            wpm=r["wpm"],
            fillers_per_minute=r["fillers_per_minute"],
            duration_s=r["duration_s"],
            delivery=json.loads(r["delivery_json"]),
            files={role: str(base / p) for role, p in json.loads(r["files_json"]).items()},
            input_path=r["input_path"],
        )


def _delivery_figures(delivery: Delivery | None) -> dict[str, Any]:
    """The numbers worth a trend; the lists (pauses, fillers) stay in the take's own report files."""
    if delivery is None:
        return {}
    figures = {
        "duration_s": delivery.duration_s,
        "speaking_span_s": delivery.speaking_span_s,
        "word_count": delivery.word_count,
        "wpm": delivery.wpm,
        "articulation_wpm": delivery.articulation_wpm,
        "baseline_wpm": delivery.baseline_wpm,
        "time_to_first_word_s": delivery.time_to_first_word_s,
        "pause_count": delivery.pause_count,
        "long_pause_count": delivery.long_pause_count,
        "pause_total_s": delivery.pause_total_s,
        "filler_count": len(delivery.fillers),
        "fillers_per_minute": delivery.fillers_per_minute,
        "hesitation_count": len(delivery.hesitations),
    }
    # Plain floats to the millisecond, as records.py keeps them, so exports stay readable.
    return {k: round(float(v), 3) if isinstance(v, float) else v for k, v in figures.items()}


# ---------------------------------------------------------------------------- convenience for commands


def record_take(scorecard: Scorecard, *, recordings_dir: str | os.PathLike[str], **take: Any) -> int:
    """Open `<recordings_dir>/history.sqlite3` (creating it), store one take, close. Returns its id.

    `take`: HistoryStore.add's keywords (source, competency, files, taken_at, input_path)."""
    with HistoryStore(history_path(recordings_dir)) as store:
        return store.add(scorecard, **take)


def competency_of(question_id: str | None) -> str | None:
    """`evals-01` -> `evals`; None for ids outside the `<competency>-NN` convention."""
    if not question_id:
        return None
    m = _QUESTION_ID.match(question_id)
    return m.group("competency") if m else None


# ---------------------------------------------------------------------------- time


def _utc(value: datetime | date) -> datetime:
    """Aware UTC. A naive datetime, or a date (its midnight), is taken as local time."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.astimezone()  # local time zone
    return value.astimezone(timezone.utc)


def iso_utc(value: datetime) -> str:
    # Fixed width and always UTC, so SQLite's text comparison orders by time.
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
