"""Talking points and the interviewer's follow-up, with the shipped encoder and classifier (no mocks),
checked against the hand labels in models/data/source/coverage.jsonl."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from voicemock.assess.followup import said_clause, second_person
from voicemock.assess.scoring import score_transcript
from voicemock.bank.rubric import load_rubric
from voicemock.commands.score import score
from voicemock.flows.answer_fit import read_answers
from voicemock.flows.evaluate_points import coverage_figures, format_coverage, read_coverage
from voicemock.present.report import render
from voicemock.records import Transcript
from voicemock.resources import models_dir

DATA = models_dir() / "data"


@pytest.fixture(scope="module")
def answers():
    return {a.id: a for a in read_answers(DATA / "answers.jsonl")}


@pytest.fixture(scope="module")
def labels():
    return {(j.answer_id, j.point): j.covered for j in read_coverage(DATA / "source" / "coverage.jsonl")}


def _card(answer, classifier, bank):
    return score_transcript(
        Transcript.from_text(answer.text, source=answer.id), rubric=load_rubric("ai-pm-technical"), level=None,
        question=bank.get(answer.question_id), classifier=classifier,
    )


def test_the_labelled_set_matches_the_bank(bank, answers):
    judgments = read_coverage(DATA / "source" / "coverage.jsonl")
    assert len(judgments) >= 400 and len({j.answer_id for j in judgments}) >= 40
    rows = [json.loads(line) for line in (DATA / "source" / "coverage.jsonl").read_text().splitlines()]
    for row in rows:  # a reworded or reordered point would silently invalidate its labels
        assert bank.get(row["question_id"]).points[row["point"]].text == row["point_text"], row
        assert row["answer_id"] in answers


def test_coverage_precision_and_recall_on_the_hand_labels(classifier, bank, answers):
    figures = coverage_figures(classifier, DATA, bank, list(answers.values()))
    print("\n".join(format_coverage(figures)))
    assert figures["rule"]["precision"] >= 0.8 and figures["rule"]["recall"] >= 0.8, figures
    # out of fold (constants refitted without the question's labels): the honest figure, a little lower
    assert figures["cross_validated"]["precision"] >= 0.75 and figures["cross_validated"]["recall"] >= 0.75, figures
    assert figures["rule"]["precision"] > figures["baseline_cosine"]["precision"]
    # each labelled sentence alone as the answer: it still makes its own points, and rarely one its
    # answer never made (the rule before the match floor credited 48% of those)
    single = figures["single_sentence"]
    assert single["own_covered"] >= 0.55 and single["never_made_covered"] <= 0.25, single


def test_one_strong_sentence_does_not_cover_every_point(classifier, bank):
    from voicemock.assess.points import cover_points
    from voicemock.flows.answer_fit import answer_readings

    question = bank.get("evals-01")
    sentence = ("I would build a golden set of real past tickets and gate the launch on fabricated content staying "
                "under one percent, because agents act on what the summary says.")
    coverage, _, _ = cover_points(question.points, answer_readings(sentence, classifier), classifier, question.text)
    covered = {c.point for c in coverage if c.covered}
    assert "Builds the test set from a sample of real past tickets" in covered
    assert "Rolls out in stages, starting with a small group of agents" not in covered
    assert "Keeps evaluating after launch with sampled reviews and agent feedback" not in covered
    assert len(covered) <= 3, covered


def test_a_strong_answer_covers_more_points_than_a_weak_one(classifier, bank, answers):
    for strong, weak in (("a070", "a013"), ("a007", "a077"), ("a052", "a092")):
        assert answers[strong].question_id == answers[weak].question_id
        assert (answers[strong].quality, answers[weak].quality) == ("strong", "weak")
        covered = {a: sum(p.covered for p in _card(answers[a], classifier, bank).talking_points) for a in (strong, weak)}
        assert covered[strong] > covered[weak], covered


def test_covered_points_carry_their_sentence(classifier, bank, answers):
    card = _card(answers["a001"], classifier, bank)
    assert len(card.talking_points) == len(bank.get("evals-01").points)
    for p in card.talking_points:
        assert (p.evidence is not None) == p.covered
        if p.evidence is not None:
            assert p.evidence.text in answers["a001"].text and p.evidence.sentence is not None
        assert 0.0 <= p.similarity <= 1.0 and p.weight in (1, 2, 3)


def test_the_follow_up_targets_a_point_really_missed(classifier, bank, answers, labels):
    card = _card(answers["a013"], classifier, bank)  # a weak answer on smart-reply suggestions
    points = [p.text for p in bank.get("product-sense-03").points]
    assert card.follow_up is not None and card.follow_up.target in points
    assert labels[("a013", points.index(card.follow_up.target))] is False
    assert card.follow_up.reason.startswith("missed talking point: ")
    assert card.follow_up.question.endswith(bank.get("product-sense-03").points[points.index(card.follow_up.target)].ask)
    # over the labelled answers: mostly a point the labeller also marked missed
    hits = total = 0
    for answer_id in sorted({a for a, _ in labels}):
        follow_up = _card(answers[answer_id], classifier, bank).follow_up
        if follow_up is not None and follow_up.reason.startswith("missed"):
            texts = [p.text for p in bank.get(answers[answer_id].question_id).points]
            total += 1
            hits += labels[(answer_id, texts.index(follow_up.target))] is False
    assert total >= 30 and hits / total >= 0.75, (hits, total)


def test_the_follow_up_refers_to_what_the_candidate_said(classifier, bank, answers):
    answer = answers["a013"]
    question = _card(answer, classifier, bank).follow_up.question
    assert question.startswith("You said ")
    said = question.removeprefix("You said ").split(". ")[0]
    said_back = said.replace("you'd", "I'd").replace("your", "my").replace("you", "I")
    assert said_back.lower().split()[-2] in answer.text.lower()  # a clause of the answer, said back


def test_no_missed_point_falls_back_to_the_weakest_dimension(classifier, bank, answers):
    card = _card(answers["a001"], classifier, bank)  # strong: covers every point
    if all(p.covered for p in card.talking_points):
        weakest = min(card.dimensions, key=lambda d: d.score)
        assert card.follow_up.target == weakest.key
        assert card.follow_up.reason == f"weakest dimension: {weakest.name} {weakest.score:.1f}"
        assert card.follow_up.question.endswith(next(d.follow_up for d in load_rubric("ai-pm-technical").dimensions if d.key == weakest.key))


def test_a_question_as_text_has_no_points_but_a_follow_up(classifier, answers):
    card = score_transcript(
        Transcript.from_text(answers["a001"].text), rubric=load_rubric("ai-pm-skills"), level=None,
        question="How would you evaluate a ticket summarizer?", classifier=classifier,
    )
    assert card.talking_points == []
    assert card.follow_up is not None and card.follow_up.reason.startswith("weakest dimension: ")


def test_second_person_and_clause():
    assert second_person("I'd launch to everyone once our accuracy is high") == "you'd launch to everyone once your accuracy is high"
    assert second_person("I was sure we had it, and I am still") == "you were sure you had it, and you are still"
    assert said_clause("So, I'd launch to everyone once accuracy is high, because the model is good.") == (
        "you'd launch to everyone once accuracy is high"
    )
    clause = said_clause("We would build a big dashboard with many metrics for every team and for the whole company too")
    assert len(clause.split()) <= 16 and not clause.endswith((" the", " for", " and"))


def test_json_and_reports_carry_points_and_follow_up(tmp_path, answers):
    path = tmp_path / "answer.txt"
    path.write_text(answers["a013"].text)
    result = CliRunner().invoke(score, [str(path), "--question", "product-sense-03", "--format", "json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert len(d["talking_points"]) == 6
    assert set(d["talking_points"][0]) >= {"point", "covered", "similarity", "evidence", "weight", "prompted"}
    assert set(d["follow_up"]) == {"question", "target", "reason"}
    from voicemock.records import Scorecard

    card = Scorecard.from_dict(d)
    text, markdown = render(card, "text"), render(card, "markdown")
    covered = sum(p["covered"] for p in d["talking_points"])
    assert f"Talking points: {covered} of 6 covered" in text and f"## Talking points: {covered} of 6 covered" in markdown
    assert f"Follow-up: {d['follow_up']['question']}" in text and d["follow_up"]["question"] in markdown
    missed = next(p["point"] for p in d["talking_points"] if not p["covered"])
    assert f"- missed: {missed}" in text and f"- [ ] {missed} _(missed)_" in markdown


def test_review_page_shows_points_with_seekable_evidence_and_the_follow_up(tmp_path, monkeypatch):
    import shutil

    from voicemock.cli import main
    from voicemock.resources import rubrics_dir

    shutil.copy(rubrics_dir() / "samples" / "sample-answer.ogg", tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["review", "sample-answer.ogg", "--question", "evals-01", "--link-audio", "-o", "page.html"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert '<h2 id="h-points">Talking points</h2>' in page and "talking points covered" in page
    assert '<li class="check point ok" data-seek="' in page  # a click plays the sentence that made the point
    assert "<h3>Follow-up</h3>" in page and "You said " in page
