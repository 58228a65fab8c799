"""A mock interview loop: N questions, each spoken, answered and scored as in practice, then its
follow-up spoken, answered and scored together with the answer; then the loop's recommendation.

    questions (--question ID..., else --count across competencies, weakest first from the history)
    for each: take_turn(question) --scorecard.follow_up--> take_turn(follow-up)   (flows.turn)
              answer + follow-up answer --score_together--> the scorecard that counts
    the questions --judge_loop--> dimensions, overall, recommendation (flows.interview_verdict)
    --> <recordings>/<stamp>-interview/: a session folder per turn, interview.json, interview.md, interview.html

Each turn's session folder is complete as soon as the turn ends, so a failure later keeps it.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicemock.errors import VoicemockError
from voicemock.flows.interview_verdict import (
    LoopQuestion,
    LoopVerdict,
    follow_up_failed,
    join_answers,
    judge_loop,
    mark_prompted,
    point_credit,
    recommendation_rule,
)
from voicemock.flows.practice import check_answer_source, rubric_at_level
from voicemock.flows.turn import PracticeEvent, Turn, TurnOptions, record_history, take_turn
from voicemock.fsutil import atomic_write_text, unique_dir
from voicemock.store.session import create_session, resolve_recordings_dir

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.bank.questions import Question, QuestionBank
    from voicemock.bank.rubric import Rubric
    from voicemock.records import Scorecard

__all__ = ["DEFAULT_COUNT", "FOLLOW_UP_SECONDS", "InterviewOptions", "InterviewResult", "pick_loop_questions", "run_interview"]

logger = logging.getLogger(__name__)

DEFAULT_COUNT = 4
# A follow-up asks about one gap: a minute is a full answer to it (the take stops at 1.5x this).
FOLLOW_UP_SECONDS = 60
HISTORY_SOURCE = "interview"
LOOP_FILES = ("interview.json", "interview.md", "interview.html")


@dataclass(frozen=True)
class InterviewOptions(TurnOptions):
    question_ids: tuple[str, ...] = ()
    count: int = DEFAULT_COUNT  # used when no question_ids are given
    questions_path: str | None = None
    rubric: str | None = None
    level: str | None = None
    recordings_dir: str | None = None
    answer_files: tuple[str, ...] = ()  # the turns in order: question 1, its follow-up, question 2, ...
    follow_up: bool = True
    history: bool = True
    seed: int | None = None


@dataclass
class InterviewResult:
    folder: Path
    document: dict[str, Any]  # what interview.json holds
    verdict: LoopVerdict
    markdown: str
    review_path: Path
    notes: list[str] = field(default_factory=list)


def pick_loop_questions(bank: QuestionBank, options: InterviewOptions, recordings_dir: Path) -> list[Question]:
    """The questions asked: by id, else one per competency for `count` competencies, weakest first."""
    if options.question_ids:
        questions = [bank.get(qid) for qid in options.question_ids]
        seen = [q.id for q in questions]
        if len(set(seen)) != len(seen):
            raise VoicemockError(f"a question is given twice ({', '.join(seen)}); give each --question once")
        return questions
    from voicemock.store.trends import OWN_SOURCES, competency_standings

    if not 1 <= options.count <= len(bank.competencies):
        raise VoicemockError(f"--count {options.count}: the bank has {len(bank.competencies)} competencies and a loop asks "
                             f"one question of each; use --count 1 to {len(bank.competencies)}, or --question ID")
    standings = competency_standings(recordings_dir, list(bank.competencies), sources=OWN_SOURCES)
    rng = random.Random(options.seed)
    return [rng.choice(bank.filter(s.competency)) for s in standings[: options.count]]


def run_interview(options: InterviewOptions, on_event: Callable[[PracticeEvent], None] | None = None) -> InterviewResult:
    """The whole loop. Checks everything it can before the first question is spoken."""
    from voicemock.audio.wavfile import recover_unfinished
    from voicemock.bank.questions import load_bank

    emit = on_event or (lambda event: None)
    recordings_dir = resolve_recordings_dir(options.recordings_dir)
    for folder in [recordings_dir, *sorted(recordings_dir.glob("*-interview*"))]:
        for take in recover_unfinished(folder):
            emit(PracticeEvent("recovered", take.describe()))
    bank = load_bank(options.questions_path)
    rubric, level = rubric_at_level(options.rubric, options.level)
    recommendation_rule(rubric)  # a rubric with no rule fails now, not after the loop
    questions = pick_loop_questions(bank, options, recordings_dir)
    turns = len(questions) * (2 if options.follow_up else 1)
    files = list(options.answer_files)
    if files and len(files) != turns:
        order = "question 1, its follow-up, question 2, its follow-up, ..." if options.follow_up else "one per question"
        raise VoicemockError(f"{len(files)} --answer-file given for {turns} turns ({len(questions)} questions, {order}); "
                             f"give exactly {turns}")
    check_answer_source(files, options.device)

    folder = unique_dir(recordings_dir, datetime.now().strftime("%Y%m%d-%H%M%S") + "-interview")
    emit(PracticeEvent("loop", f"Mock interview: {len(questions)} questions ({', '.join(q.id for q in questions)}), "
                               f"{'each with a follow-up' if options.follow_up else 'no follow-ups'}. Folder: {folder}"))
    baseline = _baseline_wpm(recordings_dir) if options.history else None
    notes: list[str] = []
    entries: list[dict[str, Any]] = []
    judged: list[LoopQuestion] = []
    rule = recommendation_rule(rubric)
    for i, question in enumerate(questions, 1):
        slot = (i - 1) * (2 if options.follow_up else 1)
        emit(PracticeEvent("round", f"Question {i} of {len(questions)} ({question.id})"))
        first = take_turn(
            create_session(folder, f"{i}-{question.id}"), question, _turn_options(options, files, slot), emit,
            rubric=rubric, level=level, baseline_wpm=baseline, asked={"interview": folder.name, "turn": slot + 1},
        )
        _history(options, first.scorecard, recordings_dir, question, first, emit)
        entry = {"id": question.id, "question": question.text, "competency": question.competency,
                 "session": first.session.path.name, "scorecard": first.scorecard.to_dict(), "follow_up": None}
        counted, follow, failed, why = first.scorecard, None, None, ""
        if not options.follow_up:
            entry["follow_up_note"] = "--no-follow-up was given"
        elif first.scorecard.follow_up is None:
            note = f"{question.id}: no follow-up was generated for this answer, so none was asked"
            entry["follow_up_note"] = note
            notes.append(note)
            emit(PracticeEvent("warning", note))
            if files:
                notes.append(f"--answer-file {files[slot + 1]} (turn {slot + 2}) was not used: no follow-up to answer")
        else:
            follow = first.scorecard.follow_up
            emit(PracticeEvent("follow-up", f"Follow-up ({follow.reason})"))
            second = take_turn(
                create_session(folder, f"{i}-{question.id}-follow-up"), _follow_up_question(question, follow.question),
                _turn_options(options, files, slot + 1), emit, rubric=rubric, level=level, baseline_wpm=baseline,
                asked={"interview": folder.name, "turn": slot + 2, "follow_up_of": question.id,
                       "target": follow.target, "reason": follow.reason},
            )
            counted, starts = _score_together(first, second, question, rubric, level, baseline, options)
            failed, why = follow_up_failed(follow, counted, rubric)
            _history(options, counted, recordings_dir, question, second, emit)
            entry["follow_up"] = {
                "question": follow.question, "target": follow.target, "reason": follow.reason,
                "session": second.session.path.name, "spoken": second.spoken.how, "spoken_note": second.spoken.note,
                "transcript": second.transcript.text, "starts_at_s": starts, "failed": failed, "failed_reason": why,
                "scorecard": counted.to_dict(),
            }
            if not second.spoken.spoken and options.speak and not files:
                notes.append(f"{question.id}: the follow-up was shown, not spoken ({second.spoken.note})")
        entry.update(overall=counted.overall, passed=counted.passed,
                     points_credit=point_credit(counted.talking_points, rule.prompted_credit))
        entries.append(entry)
        judged.append(LoopQuestion(question.id, counted, follow, failed, why))

    verdict = judge_loop(judged, rubric)
    document = _document(folder, rubric, level, entries, verdict, notes)
    return _write_loop(folder, document, verdict, notes)


def _turn_options(options: InterviewOptions, files: list[str], slot: int) -> TurnOptions:
    return replace(options, answer_file=files[slot] if files else None)


def _follow_up_question(question: Question, text: str) -> Question:
    from voicemock.bank.questions import Question as BankQuestion

    # No id: it is not a bank question, so no shipped audio and no talking points of its own.
    return replace(BankQuestion.from_text(text), competency=question.competency, target_seconds=FOLLOW_UP_SECONDS)


def _score_together(first: Turn, second: Turn, question: Question, rubric: Rubric, level: str,
                    baseline: float | None, options: InterviewOptions) -> tuple[Scorecard, float]:
    """The answer and its follow-up answer as one answer to the question, prompted points marked."""
    from voicemock.flows.pipeline import assess

    joined, starts = join_answers(first.answer, second.answer)
    together = assess(joined.transcript, joined.audio, question=question, rubric=rubric, level=level,
                      baseline_wpm=baseline, hesitations=joined.hesitations, options=options.transcribe)
    together.input = f"{first.answer_path} + {second.answer_path}"
    together.talking_points = mark_prompted(first.scorecard.talking_points, together.talking_points, starts)
    together.follow_up = None  # the loop asks one follow-up per question
    together.caveats.append(f"Scored together: the answer, then the follow-up answer from {starts:.1f} s on this timeline.")
    return together, starts


def _history(options: InterviewOptions, scorecard: Scorecard, recordings_dir: Path, question: Question, turn: Turn, emit) -> None:
    if not options.history:
        return
    try:
        record_history(scorecard, recordings_dir, source=HISTORY_SOURCE, competency=question.competency, files=turn.session.files())
    except VoicemockError as exc:
        # The turn is saved in its folder; a history that cannot take the row should not end the loop.
        emit(PracticeEvent("warning", f"the turn was not added to the history ({exc})"))


def _baseline_wpm(recordings_dir: Path) -> float | None:
    from voicemock.store.trends import baseline_wpm

    return baseline_wpm(recordings_dir)


def _document(folder: Path, rubric: Rubric, level: str, entries: list[dict[str, Any]], verdict: LoopVerdict,
              notes: list[str]) -> dict[str, Any]:
    rule = recommendation_rule(rubric)
    return {
        "interview": folder.name,
        "taken_at": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
        "rubric": rubric.id,
        "level": level,
        "pass_rule": rubric.pass_rule.describe(),
        "prompted_credit": rule.prompted_credit,
        "rule": rule.describe(),
        "questions": entries,
        "dimensions": verdict.dimensions,
        "overall": verdict.overall,
        "recommendation": verdict.recommendation,
        "reasons": verdict.reasons,
        "measures": verdict.measures,
        "notes": notes,
    }


def _write_loop(folder: Path, document: dict[str, Any], verdict: LoopVerdict, notes: list[str]) -> InterviewResult:
    import json

    from voicemock.present.interview import render_loop_markdown, write_loop_review

    atomic_write_text(folder / LOOP_FILES[0], json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    markdown = render_loop_markdown(document)
    atomic_write_text(folder / LOOP_FILES[1], markdown)
    review = write_loop_review(folder, document, folder / LOOP_FILES[2])
    return InterviewResult(folder, document, verdict, markdown, review, notes)
