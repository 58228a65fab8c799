"""`voicemock interview`: a mock loop on recorded answers, on the virtual devices, its verdict and its errors."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from audio_harness import LineWatcher, stop_recorder, voicemock_argv
from support import speak_to_wav

from voicemock.records import DimensionScore, FollowUp, PointCoverage, PointEvidence, Scorecard

# Two answers, each missing a talking point its follow-up answer then makes.
ANSWERS = {
    "a1": "I would build the test set from a sample of real past support tickets, across every product line. "
          "Reviewers grade each summary with a written rubric for faithfulness to the ticket. "
          "The launch bar has to hold for each ticket segment, not just the average. "
          "Then I would roll out to a small group of agents first and watch their feedback.",
    "f1": "The agents rely on the summary to act on the ticket. "
          "A wrong summary makes an agent give the customer the wrong answer, which costs a repeat contact and trust.",
    "a2": "I would assume each user makes about three calls a day. Five million users times three calls times two cents "
          "is about three hundred thousand dollars a day. To cut cost per call I would cache common answers.",
    "f2": "Revenue per user is about ten dollars a month, while the cost per user is about two dollars a month, "
          "so the margin holds. Heavy users who make fifty calls a day would lose us money, so I would add usage limits.",
}
QUESTIONS = ("evals-01", "cost-latency-routing-01")
RECOMMENDATIONS = {"strong hire", "hire", "lean hire", "lean no hire", "no hire", "strong no hire"}


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("answers")
    return {k: speak_to_wav(text, folder / f"{k}.wav", lead_s=0.7, tail_s=0.5) for k, text in ANSWERS.items()}


def _interview(rec: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    argv = voicemock_argv("interview", "--recordings-dir", str(rec), *args)
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env)


def _only_loop(rec: Path) -> Path:
    loops = [p for p in rec.iterdir() if p.is_dir() and p.name.endswith("-interview")]
    assert len(loops) == 1, loops
    return loops[0]


@pytest.fixture(scope="module")
def loop(answers, tmp_path_factory) -> Path:
    """A two-question loop on recorded answers: q1, its follow-up, q2, its follow-up."""
    rec = tmp_path_factory.mktemp("rec")
    files = [a for k in ("a1", "f1", "a2", "f2") for a in ("--answer-file", str(answers[k]))]
    result = _interview(rec, "-q", QUESTIONS[0], "-q", QUESTIONS[1], *files)
    assert result.returncode == 0, result.stderr
    assert "Recommendation:" in result.stdout
    return _only_loop(rec)


# ---------------------------------------------------------------------------- the loop on recorded answers


def test_loop_writes_interview_json_with_both_follow_ups_answered(loop):
    doc = json.loads((loop / "interview.json").read_text())
    assert [q["id"] for q in doc["questions"]] == list(QUESTIONS)
    assert doc["recommendation"] in RECOMMENDATIONS
    assert 1 <= doc["overall"] <= 5 and doc["dimensions"] and doc["reasons"]
    assert any(r.startswith("Pass rule per question") for r in doc["reasons"])
    assert any(r.startswith("Weakest dimension across the loop") for r in doc["reasons"])
    assert any(r.startswith("Follow-ups failed") for r in doc["reasons"])
    for q, (said, follow) in zip(doc["questions"], [("a1", "f1"), ("a2", "f2")]):
        assert q["scorecard"]["question_id"] == q["id"]
        fu = q["follow_up"]
        assert fu is not None, q.get("follow_up_note")
        assert fu["question"] and fu["target"] and isinstance(fu["failed"], bool)
        assert fu["question"] == q["scorecard"]["follow_up"]["question"]  # the follow-up the answer's scoring chose
        assert fu["transcript"].strip()
        together = fu["scorecard"]
        assert together["question_id"] == q["id"] and fu["starts_at_s"] > 5
        # scored together: the follow-up answer's words are in it
        assert together["input"].endswith("answer.wav") and " + " in together["input"]
        for turn in (q["session"], fu["session"]):
            names = {p.name for p in (loop / turn).iterdir()}
            assert {"question.json", "answer.wav", "transcript.json", "report.json", "report.md"} <= names
        asked = json.loads((loop / fu["session"] / "question.json").read_text())
        assert asked["text"] == fu["question"] and asked["follow_up_of"] == q["id"]
    assert (loop / "interview.md").read_text().startswith(f"# Mock interview {loop.name}")
    assert (loop / "interview.html").is_file()


def test_prompted_points_are_marked_and_score_less(loop):
    doc = json.loads((loop / "interview.json").read_text())
    q = doc["questions"][0]
    first = {p["point"]: p for p in q["scorecard"]["talking_points"]}
    together = q["follow_up"]["scorecard"]["talking_points"]
    assert together, "evals-01 has talking points"
    for p in together:
        if p["prompted"]:
            assert p["covered"] and not first[p["point"]]["covered"]
            assert p["evidence"]["start"] >= q["follow_up"]["starts_at_s"]
        elif p["covered"] and first[p["point"]]["covered"]:
            assert p["evidence"] == first[p["point"]]["evidence"]
    credit, made = q["points_credit"], [p for p in together if p["covered"]]
    total = sum(p["weight"] for p in together)
    assert credit == pytest.approx(sum(p["weight"] * (0.5 if p["prompted"] else 1) for p in made) / total, abs=1e-3)


def test_every_turn_is_in_the_history(loop):
    rows = sqlite3.connect(loop.parent / "history.sqlite3").execute("SELECT source, question_id FROM takes").fetchall()
    assert sorted(rows) == sorted([("interview", q) for q in QUESTIONS for _ in range(2)])


# ---------------------------------------------------------------------------- bad input


def test_more_answer_files_than_turns_is_one_line_error_and_records_nothing(answers, tmp_path):
    rec = tmp_path / "rec"
    files = [a for k in ("a1", "f1", "a2") for a in ("--answer-file", str(answers[k]))]
    result = _interview(rec, "-q", "evals-01", *files)
    assert result.returncode == 1
    assert result.stderr.strip() == ("Error: 3 --answer-file given for 2 turns (1 questions, question 1, its follow-up, "
                                     "question 2, its follow-up, ...); give exactly 2")
    assert not rec.exists() or not list(rec.iterdir())


def test_unknown_question_id_is_one_line_error(answers, tmp_path):
    rec = tmp_path / "rec"
    result = _interview(rec, "-q", "evals-99", "--no-follow-up", "--answer-file", str(answers["a1"]))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "evals-99" in result.stderr
    assert not rec.exists() or not list(rec.iterdir())


def test_count_picks_different_competencies_never_practised_first(tmp_path):
    from voicemock.bank.questions import load_bank
    from voicemock.flows.interview import InterviewOptions, pick_loop_questions
    from voicemock.store.history import record_take

    bank = load_bank()
    rec = tmp_path / "rec"
    first = list(bank.competencies)[0]
    card = Scorecard(input="a.wav", rubric="ai-pm-technical", level="pm", overall=4.5, passed=True, dimensions=[],
                     question_id=f"{first}-01")
    record_take(card, recordings_dir=rec, source="interview", competency=first)
    picked = pick_loop_questions(bank, InterviewOptions(count=4, seed=1), rec)
    assert len({q.competency for q in picked}) == 4 and first not in {q.competency for q in picked}


# ---------------------------------------------------------------------------- the verdict, by the rubric's rule


def _card(qid: str, scores: dict[str, float], points: list[PointCoverage] = ()) -> Scorecard:
    from voicemock.bank.rubric import load_rubric

    rubric = load_rubric()
    dims = [DimensionScore(name=d.name, key=d.key, weight=d.weight, score=scores[d.key], low=0, high=5) for d in rubric.dimensions]
    overall = rubric.pass_rule.average(scores, rubric.weights)
    return Scorecard(input="a", rubric=rubric.id, level="pm", overall=round(overall, 2), passed=rubric.passes(scores),
                     dimensions=dims, question_id=qid, talking_points=list(points))


def test_mark_prompted_and_point_credit():
    from voicemock.flows.interview_verdict import mark_prompted, point_credit

    alone = [PointCoverage("a", True, 0.8, PointEvidence("A.", 1.0, 2.0), weight=3),
             PointCoverage("b", False, 0.2, None, weight=2), PointCoverage("c", False, 0.1, None, weight=1)]
    joined = [PointCoverage("a", True, 0.8, PointEvidence("A.", 1.0, 2.0), weight=3),
              PointCoverage("b", True, 0.7, PointEvidence("B.", 31.0, 33.0), weight=2),
              PointCoverage("c", False, 0.1, None, weight=1)]
    marked = mark_prompted(alone, joined, follow_up_starts=30.0)
    assert [(p.covered, p.prompted) for p in marked] == [(True, False), (True, True), (False, False)]
    assert point_credit(marked, 0.5) == pytest.approx((3 + 0.5 * 2) / 6, abs=1e-3)
    assert point_credit([], 0.5) is None


def test_follow_up_failed_by_point_or_dimension():
    from voicemock.bank.rubric import load_rubric
    from voicemock.flows.interview_verdict import follow_up_failed

    rubric = load_rubric()
    card = _card("evals-01", {"conceptual": 3.5, "applied": 3.5, "production": 2.0, "communication": 3.5},
                 [PointCoverage("a point", False, 0.2)])
    assert follow_up_failed(FollowUp("q?", "a point", "missed"), card, rubric)[0] is True
    assert follow_up_failed(FollowUp("q?", "production", "weakest"), card, rubric) == (
        True, "Production Awareness stayed at 2.0, below the floor of 3")
    assert follow_up_failed(FollowUp("q?", "applied", "weakest"), card, rubric)[0] is False


@pytest.mark.parametrize("scores, failed, expected", [
    ({"conceptual": 4.5, "applied": 4.5, "production": 4.0, "communication": 4.5}, False, "strong hire"),
    ({"conceptual": 4.5, "applied": 4.5, "production": 4.0, "communication": 4.5}, True, "lean hire"),
    ({"conceptual": 2.5, "applied": 2.5, "production": 2.0, "communication": 2.5}, True, "no hire"),
    ({"conceptual": 1.2, "applied": 1.0, "production": 1.0, "communication": 1.5}, True, "strong no hire"),
])
def test_judge_loop_follows_the_rubric_tiers(scores, failed, expected):
    from voicemock.bank.rubric import load_rubric
    from voicemock.flows.interview_verdict import LoopQuestion, judge_loop

    points = [PointCoverage("p", True, 0.8, weight=1)]
    qs = [LoopQuestion(f"q{i}", _card(f"q{i}", scores, points), FollowUp("q?", "p", "r"), failed if i == 0 else False)
          for i in range(2)]
    verdict = judge_loop(qs, load_rubric())
    assert verdict.recommendation == expected, verdict.reasons
    assert verdict.reasons[-1].startswith(expected.capitalize())


# ---------------------------------------------------------------------------- the review page of the loop, in Chromium

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def loop_page(loop):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    from test_review_browser import ARGS, Watched, wait_until

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        watched = Watched(context)
        watched.page.goto((loop / "interview.html").as_uri())
        wait_until(watched.page, "Array.from(document.querySelectorAll('audio')).every(a => a.readyState >= 1)")
        yield watched
        context.close()
        browser.close()


@pytest.mark.browser
def test_loop_page_shows_follow_ups_under_their_questions(loop, loop_page):
    doc = json.loads((loop / "interview.json").read_text())
    page = loop_page.page
    assert loop_page.errors == [] and loop_page.outside() == []
    assert page.locator("#recommendation .pf").inner_text().lower() == doc["recommendation"]
    sections = page.locator("section.q")
    assert sections.count() == 2
    for i, q in enumerate(doc["questions"]):
        section = sections.nth(i)
        assert section.get_attribute("data-id") == q["id"]
        follow = section.locator(".follow-up")
        assert follow.count() == 1 and q["follow_up"]["question"] in follow.locator(".fu-q").inner_text()
        # below the answer: the answer's player comes first, the follow-up's inside the follow-up block
        players = section.locator("audio")
        assert players.count() == 2
        assert players.nth(0).get_attribute("id") == f"a-{i + 1}-answer"
        assert follow.locator("audio").get_attribute("id") == f"a-{i + 1}-follow-up"
    page.screenshot(path=str(loop / "interview-page.png"), full_page=True)


@pytest.mark.browser
def test_loop_page_talking_point_evidence_seeks_its_turn(loop, loop_page):
    page = loop_page.page
    buttons = page.locator(".points .seek")
    assert buttons.count() >= 4
    for n in range(buttons.count()):
        button = buttons.nth(n)
        audio_id, at = button.get_attribute("data-audio"), float(button.get_attribute("data-seek"))
        button.click()
        assert page.evaluate(f"document.getElementById('{audio_id}').currentTime") == pytest.approx(at, abs=0.01)
        assert "now" in button.get_attribute("class")
        in_prompted = button.evaluate("b => b.closest('.pt').classList.contains('prompted')")
        assert audio_id.endswith("-follow-up") == in_prompted
    assert loop_page.errors == []


# ---------------------------------------------------------------------------- the loop on the virtual devices


def _wait_for_nth(lines: LineWatcher, text: str, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while lines.text().count(text) < n:
        if time.monotonic() > deadline or lines.lines and lines.lines[-1][1] == "":
            raise AssertionError(f"no {n}th line with {text!r} within {timeout} s; got:\n{lines.text()}")
        time.sleep(0.1)


@pytest.mark.audio
def test_loop_on_virtual_devices_speaks_question_and_follow_up_and_records_answers(vaudio, answers, tmp_path):
    from voicemock.speech.transcribe import transcribe_file

    rec, heard = tmp_path / "rec", tmp_path / "speaker.wav"
    listener = vaudio.record_speaker(heard)
    time.sleep(0.3)
    argv = voicemock_argv("interview", "-q", "evals-01", "--recordings-dir", str(rec), "--silence-stop", "2", "--max-seconds", "60")
    proc = subprocess.Popen(argv, env=vaudio.process_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = LineWatcher(proc)
    try:
        for n, key in enumerate(("a1", "f1"), 1):
            _wait_for_nth(lines, "Recording: speak now", n, timeout=120)
            vaudio.play_into_mic(answers[key]).wait(timeout=60)
        proc.wait(timeout=300)
    finally:
        proc.kill()
        stop_recorder(listener)
    lines.join()
    assert proc.returncode == 0, lines.text()

    doc = json.loads((_only_loop(rec) / "interview.json").read_text())
    (q,) = doc["questions"]
    fu = q["follow_up"]
    assert fu is not None and fu["spoken"] in ("piper", "espeak-ng")
    assert json.loads((_only_loop(rec) / q["session"] / "question.json").read_text())["spoken"] == "shipped-audio"
    # Both the question and the follow-up reached the speaker.
    played = transcribe_file(heard).text.lower()
    assert "support tickets" in played, played
    words = [w.strip("?,.").lower() for w in fu["question"].split() if len(w.strip("?,.")) >= 6]
    assert sum(w in played for w in words) >= len(words) / 2, (words, played)
    # Both answers came in through the microphone.
    first = q["scorecard"]["input"]
    assert first.endswith("answer.wav")
    said = json.loads((_only_loop(rec) / q["session"] / "transcript.json").read_text())["text"].lower()
    assert "test set" in said and "rubric" in said, said
    assert "wrong" in fu["transcript"].lower()
    report = json.loads((_only_loop(rec) / fu["session"] / "report.json").read_text())
    assert report["session"]["answer_source"] == "microphone" and report["session"]["recording"]["overflows"] == 0
