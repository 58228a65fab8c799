"""The history store on a real SQLite file: takes in and out, trends, baseline, next competency, plot."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import struct
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from voicemock.store.history import (
    SCHEMA_VERSION,
    HistoryError,
    HistoryStore,
    history_path,
    record_take,
)
from voicemock.store.export import export_csv
from voicemock.store.trends import (
    baseline_wpm,
    competency_standings,
    delivery_trends,
    trends,
    weakest_competency,
)
from voicemock.records import (
    Delivery,
    DimensionScore,
    Evidence,
    Filler,
    Pause,
    Scorecard,
)

# The shipped default rubric's dimensions (rubrics/ai-pm-technical.toml): key, name, weight.
TECHNICAL = [
    ("conceptual", "Conceptual Understanding", 0.30),
    ("applied", "Applied Reasoning", 0.30),
    ("production", "Production Awareness", 0.25),
    ("communication", "Communication", 0.15),
]
SKILLS = [
    ("data_literacy", "Data literacy", 0.15),
    ("metrics", "Comfort with metrics", 0.20),
    ("clarifying", "Clarifying questions", 0.15),
    ("tradeoffs", "Tradeoffs and possible errors", 0.20),
    ("implementation", "Software implementation", 0.15),
    ("technical_communication", "Technical communication", 0.15),
]
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


def make_scorecard(
    question_id: str | None = "evals-01",
    scores: dict[str, float] | None = None,
    *,
    wpm: float | None = 148.0,
    fillers_per_minute: float | None = 2.4,
    duration_s: float = 96.5,
    rubric: list[tuple[str, str, float]] = TECHNICAL,
    level: str = "pm",
    input: str = "recordings/take/answer.wav",
) -> Scorecard:
    """A Scorecard as the scoring stage makes one: weighted overall, pass rule 3.5 average / 3.0 floor."""
    scores = scores or {"conceptual": 3.4, "applied": 2.9, "production": 2.6, "communication": 3.8}
    dims = [
        DimensionScore(
            name=name, key=key, weight=weight, score=scores[key], low=max(1.0, scores[key] - 0.4),
            high=min(5.0, scores[key] + 0.4), raw_score=scores[key] + 0.2,
            evidence=[Evidence("We'd start with a golden set of 200 labeled summaries.", 4.2, 7.9, "strong", "golden set", key, 0.81)],
            advice=None if scores[key] >= 3 else "Name one concrete production risk and how you'd monitor it.",
        )
        for key, name, weight in rubric
    ]
    overall = round(sum(d.score * d.weight for d in dims), 2)
    passed = overall >= 3.5 and min(d.score for d in dims) >= 3.0
    delivery = None
    if wpm is not None:
        n_fillers = round((fillers_per_minute or 0) * duration_s / 60)
        delivery = Delivery(
            duration_s=duration_s, speaking_span_s=duration_s - 1.3, word_count=round(wpm * (duration_s - 1.3) / 60),
            wpm=wpm, articulation_wpm=wpm * 1.12, time_to_first_word_s=1.1,
            pauses=[Pause(30.2, 32.0, "between_sentences")], pause_count=1, long_pause_count=1, pause_total_s=1.8,
            fillers=[Filler(12.0 + i, 12.3 + i, "um", "filled_pause") for i in range(n_fillers)],
            fillers_per_minute=fillers_per_minute,
        )
    return Scorecard(
        input=input, rubric="ai-pm-technical" if rubric is TECHNICAL else "ai-pm-skills", level=level,
        overall=overall, passed=passed, dimensions=dims, question_id=question_id,
        question_text="How would you evaluate a new AI summarization feature before launch?",
        relevance=0.62, delivery=delivery, pass_rule="average >= 3.5 and every dimension >= 3.0",
    )


@pytest.fixture
def rec(tmp_path) -> Path:
    return tmp_path / "recordings"


# ---------------------------------------------------------------------------- store


def test_takes_from_practice_score_and_batch_come_back(rec):
    take_dir = rec / "2025-03-03-evals-01"
    files = {"audio": str(take_dir / "answer.wav"), "transcript": str(take_dir / "answer.json")}
    ids = [
        record_take(make_scorecard("evals-01"), recordings_dir=rec, source="practice", files=files, taken_at=T0),
        record_take(make_scorecard("strategy-02", wpm=None), recordings_dir=rec, source="score",
                    taken_at=T0 + timedelta(minutes=5)),
        record_take(make_scorecard("cost-latency-routing-03"), recordings_dir=rec, source="batch",
                    competency="cost-latency-routing", files={"audio": "/archive/2024/mock-17.wav"},
                    taken_at=T0 + timedelta(minutes=9)),
    ]
    assert ids == sorted(ids) and len(set(ids)) == 3

    with HistoryStore(history_path(rec)) as store:
        takes = store.query()
        assert store.integrity_check() == "ok"
    assert [t.source for t in takes] == ["practice", "score-text", "batch"]  # "score" stored as what it scored
    first, text_take, archived = takes
    assert first.question_id == "evals-01" and first.competency == "evals"  # from the id's slug
    assert first.taken_at == T0 and first.taken_at.tzinfo is not None
    assert first.rubric == "ai-pm-technical" and first.level == "pm"
    assert first.scores == {"conceptual": 3.4, "applied": 2.9, "production": 2.6, "communication": 3.8}
    assert first.dimension_names["production"] == "Production Awareness"
    assert first.overall == pytest.approx(3.11) and first.passed is False
    assert first.wpm == 148.0 and first.fillers_per_minute == 2.4 and first.duration_s == 96.5
    assert first.delivery["filler_count"] == 4 and first.delivery["long_pause_count"] == 1
    assert first.files == {k: str(Path(v).resolve()) for k, v in files.items()}
    assert text_take.competency == "strategy" and text_take.wpm is None and text_take.delivery == {}
    assert archived.competency == "cost-latency-routing" and archived.files == {"audio": "/archive/2024/mock-17.wav"}

    # Paths inside the recordings folder are stored relative, so the folder can be moved.
    raw = sqlite3.connect(history_path(rec))
    stored = json.loads(raw.execute("SELECT files_json FROM takes WHERE id = ?", (ids[0],)).fetchone()[0])
    assert stored == {"audio": "2025-03-03-evals-01/answer.wav", "transcript": "2025-03-03-evals-01/answer.json"}
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    indexes = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"takes_taken_at", "takes_question_id", "takes_competency"} <= indexes
    raw.close()


def test_filters_and_limit(rec):
    with HistoryStore(history_path(rec)) as store:
        for day, qid in enumerate(["evals-01", "evals-02", "strategy-01", "evals-01", "estimation-03"]):
            store.add(make_scorecard(qid), source="practice", taken_at=T0 + timedelta(days=day))
        assert [t.question_id for t in store.query(question_id="evals-01")] == ["evals-01", "evals-01"]
        assert [t.question_id for t in store.query(competency="evals")] == ["evals-01", "evals-02", "evals-01"]
        since = store.query(since=datetime(2025, 3, 6, tzinfo=timezone.utc))
        assert [t.question_id for t in since] == ["evals-01", "estimation-03"]
        assert [t.question_id for t in store.query(competency="evals", since=T0 + timedelta(days=1))] == ["evals-02", "evals-01"]
        assert len(store.query(since=date(2025, 3, 1))) == 5
        # limit keeps the newest, still oldest first
        assert [t.question_id for t in store.query(limit=2)] == ["evals-01", "estimation-03"]
        assert store.query(question_id="product-sense-01") == []


def test_reopening_keeps_rows_and_rejects_bad_files(rec, tmp_path):
    record_take(make_scorecard(), recordings_dir=rec, source="practice")
    record_take(make_scorecard(), recordings_dir=rec, source="practice")
    with HistoryStore(history_path(rec)) as store:
        assert store.count() == 2

    newer = tmp_path / "newer.sqlite3"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(HistoryError, match="newer voicemock"):
        HistoryStore(newer)

    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(200))
    with pytest.raises(HistoryError, match="not a usable voicemock history.*move it aside"):
        HistoryStore(garbage)

    with pytest.raises(ValueError, match="source"):
        record_take(make_scorecard(), recordings_dir=rec, source="review")


_WRITER = """
import sys, time
from pathlib import Path
from test_history import make_scorecard
from voicemock.store.history import HistoryStore, history_path
rec, name, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
store = HistoryStore(history_path(rec))
(rec / f"{name}.ready").touch()
deadline = time.time() + 60
while not (rec / "go").exists() and time.time() < deadline:
    time.sleep(0.005)
started = time.time()
for i in range(n):
    store.add(make_scorecard("evals-01" if name == "a" else "strategy-02", input=f"{name}-{i}.wav"), source="batch")
print(started, time.time())
store.close()
"""


def test_two_processes_writing_at_once_lose_nothing(rec):
    n = 200
    rec.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(rec), name, str(n)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    try:
        deadline = time.time() + 60
        while not all((rec / f"{name}.ready").exists() for name in ("a", "b")):
            if time.time() > deadline or any(p.poll() is not None for p in procs):
                break
            time.sleep(0.01)
        (rec / "go").touch()
        results = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    spans = []
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err
        spans.append([float(x) for x in out.split()])
    # The two writers really overlapped in time; otherwise this test would prove nothing.
    assert max(s[0] for s in spans) < min(s[1] for s in spans), spans

    with HistoryStore(history_path(rec)) as store:
        assert store.integrity_check() == "ok"
        takes = store.query()
    assert len(takes) == 2 * n
    assert len({t.id for t in takes}) == 2 * n
    assert sorted(t.input for t in takes) == sorted(f"{w}-{i}.wav" for w in "ab" for i in range(n))


# ---------------------------------------------------------------------------- export and trends


def test_export_has_one_row_per_take_and_a_column_per_dimension(rec):
    with HistoryStore(history_path(rec)) as store:
        store.add(make_scorecard("evals-01"), source="practice", taken_at=T0)
        store.add(make_scorecard("evals-02", wpm=None), source="score", taken_at=T0 + timedelta(hours=1))
        skills = {"data_literacy": 3.0, "metrics": 4.2, "clarifying": 2.1, "tradeoffs": 3.6,
                  "implementation": 2.8, "technical_communication": 3.3}
        store.add(make_scorecard("technical-depth-02", skills, rubric=SKILLS), source="batch", taken_at=T0 + timedelta(hours=2))
        takes = store.query()
    buffer = io.StringIO()
    assert export_csv(takes, buffer) == 3
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert len(rows) == 3
    assert [r["id"] for r in rows] == [str(t.id) for t in takes]
    assert rows[0]["score_production"] == "2.6" and rows[0]["score_metrics"] == ""
    assert rows[2]["score_metrics"] == "4.2" and rows[2]["score_conceptual"] == ""
    assert rows[0]["wpm"] == "148.0" and rows[1]["wpm"] == ""  # a text answer has no pace
    assert rows[2]["competency"] == "technical-depth" and rows[2]["rubric"] == "ai-pm-skills"
    assert rows[0]["passed"] == "false" and rows[0]["taken_at"] == "2025-03-03T09:00:00.000000+00:00"


def test_trends_per_dimension(rec):
    series = [
        {"conceptual": 2.0, "applied": 2.5, "production": 3.0, "communication": 3.0},
        {"conceptual": 3.0, "applied": 2.5, "production": 2.0, "communication": 3.0},
        {"conceptual": 4.0, "applied": 2.5, "production": 1.0, "communication": 3.1},
    ]
    with HistoryStore(history_path(rec)) as store:
        for i, scores in enumerate(series):
            store.add(make_scorecard(scores=scores, wpm=180.0 - 15 * i, fillers_per_minute=5.0 - i),
                      source="practice", taken_at=T0 + timedelta(days=i))
        takes = store.query()
    result = trends(takes)
    assert list(result) == ["conceptual", "applied", "production", "communication", "overall"]
    assert (result["conceptual"].first, result["conceptual"].last, result["conceptual"].slope) == (2.0, 4.0, 1.0)
    assert result["conceptual"].recent_mean == 3.0 and result["conceptual"].n == 3
    assert result["conceptual"].direction == "rising"
    assert result["production"].slope == -1.0 and result["production"].direction == "falling"
    assert result["applied"].slope == 0.0 and result["applied"].direction == "steady"
    assert result["communication"].slope == pytest.approx(0.05)
    assert result["overall"].first == takes[0].overall and result["overall"].last == takes[-1].overall
    assert trends(takes[:2])["conceptual"].direction == "too few takes"
    pace = delivery_trends(takes)
    assert pace["wpm"].slope == -15.0 and pace["fillers_per_minute"].last == 3.0
    assert trends([]) == {}


# ---------------------------------------------------------------------------- baseline and next competency


def test_personal_baseline_needs_five_timed_takes(rec):
    assert baseline_wpm(rec) is None
    assert not history_path(rec).exists()  # asking never creates a history
    for i, wpm in enumerate([171.0, 152.0, 139.5, 160.0]):
        record_take(make_scorecard(wpm=wpm), recordings_dir=rec, source="practice", taken_at=T0 + timedelta(minutes=i))
    record_take(make_scorecard(wpm=None), recordings_dir=rec, source="score", taken_at=T0 + timedelta(minutes=5))
    assert baseline_wpm(rec) is None  # four timed takes; the text answer has no pace
    record_take(make_scorecard(wpm=144.0), recordings_dir=rec, source="practice", taken_at=T0 + timedelta(minutes=6))
    assert baseline_wpm(rec) == 152.0  # median of 139.5, 144, 152, 160, 171
    assert baseline_wpm(rec, min_takes=6) is None
    # Only the recent window counts: two new slow takes move the median of the last 5.
    for i in range(2):
        record_take(make_scorecard(wpm=118.0), recordings_dir=rec, source="practice", taken_at=T0 + timedelta(hours=1 + i))
    assert baseline_wpm(rec, window=5) == 139.5
    # A batch run over a team archive is other people's pace: it does not move this user's baseline.
    for i in range(5):
        record_take(make_scorecard(wpm=200.0), recordings_dir=rec, source="batch", taken_at=T0 + timedelta(hours=3 + i))
    assert baseline_wpm(rec, window=5) == 139.5
    assert baseline_wpm(rec, window=5, sources=["batch"]) == 200.0


COMPETENCIES = ["product-sense", "evals", "cost-latency-routing", "strategy", "execution", "estimation",
                "behavioral", "technical-depth"]


def _practise(rec, qid: str, overall_like: float, when: datetime) -> None:
    score = {k: overall_like for k, _, _ in TECHNICAL}
    record_take(make_scorecard(qid, score), recordings_dir=rec, source="practice", taken_at=when)


def test_weakest_competency_is_picked_next(rec):
    assert weakest_competency(rec, COMPETENCIES) == "product-sense"  # nothing practised: first in order
    assert weakest_competency(rec, []) is None

    when = iter(T0 + timedelta(minutes=m) for m in range(100))
    for comp, score in [("product-sense", 3.8), ("evals", 2.4), ("cost-latency-routing", 3.1), ("strategy", 4.0),
                        ("execution", 3.5), ("estimation", 2.9), ("behavioral", 4.2)]:
        _practise(rec, f"{comp}-01", score, next(when))
    # One competency never practised: it comes first, so practice covers everything.
    assert weakest_competency(rec, COMPETENCIES) == "technical-depth"
    _practise(rec, "technical-depth-01", 3.3, next(when))
    assert weakest_competency(rec, COMPETENCIES) == "evals"

    # Recent takes only: evals improves over its last 3, estimation is now the weakest recent mean.
    for _ in range(3):
        _practise(rec, "evals-02", 3.9, next(when))
    assert weakest_competency(rec, COMPETENCIES, recent=3) == "estimation"
    standings = competency_standings(rec, COMPETENCIES, recent=3)
    assert [s.competency for s in standings[:3]] == ["estimation", "cost-latency-routing", "technical-depth"]
    evals = next(s for s in standings if s.competency == "evals")
    assert evals.takes == 3 and evals.recent_mean == pytest.approx(3.9)
    # With a longer window the old 2.4 still weighs evals down: (2.4 + 3 * 3.9) / 4 = 3.525.
    assert next(s for s in competency_standings(rec, COMPETENCIES, recent=5) if s.competency == "evals").recent_mean == pytest.approx(3.52, abs=0.01)
    # Batch takes (often other people's archived answers) do not count unless asked for.
    for _ in range(5):
        record_take(make_scorecard("strategy-03", {k: 1.2 for k, _, _ in TECHNICAL}), recordings_dir=rec,
                    source="batch", taken_at=next(when))
    assert weakest_competency(rec, COMPETENCIES, recent=3) == "estimation"
    assert weakest_competency(rec, COMPETENCIES, recent=3, sources=["practice", "batch"]) == "strategy"
    # Competencies outside the list given are ignored.
    assert weakest_competency(rec, ["strategy", "behavioral"]) == "strategy"


# ---------------------------------------------------------------------------- plot


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_plot_writes_a_real_png(rec, tmp_path):
    from voicemock.present.plot import plot_history

    with HistoryStore(history_path(rec)) as store:
        for i in range(8):
            lift = 0.15 * i
            scores = {"conceptual": 2.6 + lift, "applied": 2.2 + lift, "production": 1.8 + lift, "communication": 3.0 + lift / 2}
            store.add(make_scorecard(scores=scores, wpm=176.0 - 4 * i, fillers_per_minute=5.2 - 0.4 * i),
                      source="practice", taken_at=T0 + timedelta(hours=7 * i))
        store.add(make_scorecard(wpm=None), source="score", taken_at=T0 + timedelta(days=3))
        takes = store.query()
    out = plot_history(takes, tmp_path / "progress.png")
    width, height = _png_size(out)
    assert (width, height) == (1100, 935)
    assert out.stat().st_size > 30_000  # three drawn panels, not an empty canvas

    # Only text answers: still a picture, with the pace panels saying why they are empty.
    only_text = plot_history(takes[-1:], tmp_path / "text.png")
    assert _png_size(only_text) == (1100, 935)

    with pytest.raises(HistoryError, match="no takes to plot"):
        plot_history([], tmp_path / "none.png")
    with pytest.raises(HistoryError, match="ending in .png"):
        plot_history(takes, tmp_path / "progress.jpg")


def test_plot_without_matplotlib_names_the_extra(rec, tmp_path, monkeypatch):
    from voicemock.present.plot import plot_history

    record_take(make_scorecard(), recordings_dir=rec, source="practice")
    with HistoryStore(history_path(rec)) as store:
        takes = store.query()
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    with pytest.raises(HistoryError, match=r"pip install 'voicemock\[plot\]'"):
        plot_history(takes, tmp_path / "p.png")
    assert not (tmp_path / "p.png").exists()
