"""Scores that follow meaning: the question may be a bank id, the same words typed, or other words; an
answer in other words than the bank's is read for what it says; structure moves are found when stated
without the usual phrases. All with the real sentence encoder and the shipped classifier."""

from __future__ import annotations

import tomllib

from test_scoring import BUZZWORDS, GOOD, OFF_TOPIC

from voicemock.assess.reading import read_transcript
from voicemock.assess.scoring import score_transcript
from voicemock.assess.structure import analyze_structure
from voicemock.bank.questions import Question
from voicemock.records import Transcript
from voicemock.resources import models_dir


def score(text, question, classifier, rubric, level="pm"):
    transcript = Transcript.from_text(text)
    readings = read_transcript(transcript, classifier)
    structure = analyze_structure(transcript, readings=readings, moves=classifier.moves())
    return score_transcript(transcript, rubric=rubric, level=level, question=question, classifier=classifier,
                            structure=structure, readings=readings)


def capped_off_topic(card) -> bool:
    return any("off the question" in c for c in card.caveats)


def test_bank_id_and_the_same_words_typed_score_alike(classifier, rubric, bank):
    by_id = score(GOOD, bank.get("evals-01"), classifier, rubric)
    by_text = score(GOOD, Question.from_text(bank.get("evals-01").text), classifier, rubric)
    assert abs(by_id.overall - by_text.overall) <= 0.3
    assert not capped_off_topic(by_id) and not capped_off_topic(by_text)
    assert by_id.passed and by_text.passed


def test_every_dev_answer_scores_alike_by_id_and_by_text(classifier, rubric, bank):
    import json

    rows = [json.loads(line) for line in (models_dir() / "data" / "answers.jsonl").read_text().splitlines() if line.strip()]
    for row in rows[::6]:
        a = score(row["text"], bank.get(row["question_id"]), classifier, rubric)
        b = score(row["text"], Question.from_text(row["question"]), classifier, rubric)
        assert abs(a.overall - b.overall) <= 0.3, row["id"]


def test_an_on_topic_answer_to_a_reworded_question_is_not_capped(classifier, rubric):
    reworded = tomllib.loads((models_dir() / "data" / "source" / "reworded-questions.toml").read_text())["evals-01"]["text"]
    card = score(GOOD, Question.from_text(reworded), classifier, rubric)
    assert not capped_off_topic(card), card.caveats
    assert card.passed


def test_a_generic_question_does_not_cap_a_great_answer_or_reward_repeating_its_words(classifier, rubric):
    question = Question.from_text("How do you approach estimating the time needed for a development task?")
    great = (
        "I start by breaking the task into pieces small enough that each takes at most a day or two. "
        "For each piece I give a range rather than a single number, because the unknowns are where estimates go wrong. "
        "I compare with similar work we shipped before, and I add a buffer for review, testing and integration, which teams forget. "
        "If a piece has a big unknown, like a new API, I'd run a one-day spike first and re-estimate after it. "
        "Then I share the range with the stakeholders, say what would make it longer, and update it as soon as we learn something."
    )
    parrot = (
        "Time estimate is important. A good time estimate for a development task needs a time estimate. "
        "I would estimate the time needed for the development task. Estimating time is how you approach the task."
    )
    good, poor = score(great, question, classifier, rubric), score(parrot, question, classifier, rubric)
    assert not capped_off_topic(good), good.caveats
    assert good.overall > poor.overall + 1.0


def test_an_off_topic_answer_is_still_capped(classifier, rubric, bank):
    for question in (bank.get("evals-01"), Question.from_text(bank.get("evals-01").text)):
        card = score(OFF_TOPIC, question, classifier, rubric)
        assert capped_off_topic(card)
        assert card.overall <= 2.0 and not card.passed


def test_keyword_salad_still_fails(classifier, rubric, bank):
    for question in (bank.get("evals-01"), Question.from_text(bank.get("evals-01").text), None):
        card = score(BUZZWORDS, question, classifier, rubric)
        assert card.overall <= 2.5 and not card.passed


def structure_of(text, classifier):
    transcript = Transcript.from_text(text)
    return analyze_structure(transcript, readings=read_transcript(transcript, classifier), moves=classifier.moves())


def test_a_tradeoff_and_a_fallback_in_other_words_are_found_and_a_neutral_sentence_is_not(classifier):
    assert classifier.moves() is not None, "the shipped model has no structure-move heads"
    tradeoff = "A hallucinated refund amount is much worse than a summary that is a bit long, so faithfulness errors would be a launch blocker."
    fallback = "When the model is unsure about an answer, the question goes to a human agent and the customer sees the usual help page."
    neutral = "I would start by identifying the user pain point."
    # None of the phrase lists fires on these: only their meaning can find them.
    plain = analyze_structure(Transcript.from_text(f"{tradeoff} {fallback} {neutral}"))
    assert not plain.get("tradeoffs").present and not plain.get("risks").present
    assert structure_of(tradeoff, classifier).get("tradeoffs").present
    assert structure_of(fallback, classifier).get("risks").present
    found = structure_of(neutral, classifier)
    assert not any(found.get(name).present for name in ("answer_first", "clarifying", "tradeoffs", "risks", "summary"))


def test_a_framing_opener_is_not_read_as_weak(classifier):
    for opener in ("I would start by identifying the user pain point.", "Next, let's talk about how we'd measure it.",
                   "Let me walk through the risks."):
        (signal,) = classifier.classify([opener])
        assert signal.polarity != "weak", (opener, signal)


def test_the_quoted_evidence_is_the_sentence_that_plainly_makes_the_move(classifier):
    # The risks check fires by meaning on the first sentence and by its phrase ("fallback") on the
    # second: the report quotes the one that says it outright, not merely the earlier one.
    text = ("If the summary invents a refund amount, the agent could promise money we never owed. "
            "Our fallback is the original ticket thread, shown whenever the model is unsure.")
    check = structure_of(text, classifier).get("risks")
    assert check.present
    assert check.evidence.startswith("Our fallback")
