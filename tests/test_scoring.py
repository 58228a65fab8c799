"""Scoring: the rubric scorecard, its evidence, and that it is hard to game."""

from __future__ import annotations

import json

import pytest

from voicemock.bank.questions import load_bank
from voicemock.records import Segment, Transcript, Word
from voicemock.present.report import render
from voicemock.bank.rubric import load_rubric
from voicemock.assess.scoring import score_transcript

STRONG = (
    "I would gate the launch on a golden set of five hundred real tickets, because a summary that invents "
    "a refund promise costs us far more than a slow one."
)
BUZZWORDS = (
    "Precision recall F1 latency drift monitoring fallback rollback guardrails golden set offline eval regression "
    "human review hallucination RAG embeddings canary A/B test north star metric tradeoff cost routing observability."
)
# Defines every concept correctly, applies none of them to the feature in question.
TEXTBOOK = (
    "Summarization quality has two separate parts, faithfulness and coverage. Faithfulness means every claim in the "
    "summary is supported by the source, while coverage means the important points of the source appear in the summary. "
    "Overlap metrics like ROUGE count shared n-grams with a reference summary, so they reward copying words rather than "
    "being correct, and a fluent summary can score well while stating something false. That is why faithfulness is "
    "usually checked separately, either by human raters or by a model that tests whether each sentence is entailed by "
    "the source. Precision and recall apply here as well: precision is the share of summary statements that are true, "
    "and recall is the share of key facts from the ticket that made it in. There is a tension between them, because a "
    "longer summary tends to cover more facts but also gives more room for errors. An offline evaluation uses a fixed "
    "golden set, which makes runs comparable, but it only measures the distribution of tickets that the set contains."
)
OFF_TOPIC = (
    "Last weekend I repainted my kitchen a pale green color. The hardest part was taping the edges around the cabinets. "
    "I used two coats of paint and a small roller for the corners. My neighbor lent me a ladder, and the whole job took "
    "about six hours. Next month I plan to replace the old faucet and maybe the light fixture too."
)
GOOD = (
    "My short answer: I'd launch only after it passes a golden set built from real tickets, and I'd keep measuring after launch. "
    "First, what good means: an agent can reply correctly from the summary alone, without opening the ticket. "
    "I'd pull five hundred recent tickets, stratified by product area and length, because long escalated threads are where summaries break. "
    "Two senior agents grade each summary for the customer's ask, anything false, and any missed promise. "
    "Invented content is a hard gate, under one percent, because an agent acting on a made-up refund is worse than no summary. "
    "I'd pick recall of the customer's ask over brevity, since a missing ask costs a second contact while a long summary costs seconds. "
    "After launch I'd watch how often agents expand the full ticket, and if that rises more than ten points we roll back to the previous prompt. "
    "So in short: define good by what the agent does next, gate on fabrication, and keep measuring in production."
)


@pytest.fixture(scope="module")
def question():
    return load_bank().get("evals-01")


def _score(text, classifier, rubric, question, level=None):
    return score_transcript(Transcript.from_text(text), rubric=rubric, level=level, question=question, classifier=classifier)


def _by_key(card):
    return {d.key: d for d in card.dimensions}


def test_buzzwords_strung_together_fail(classifier, rubric, question):
    card = _score(BUZZWORDS, classifier, rubric, question)
    assert card.overall <= 2.5
    assert not card.passed


def test_buzzwords_in_a_frame_still_fail(classifier, rubric, question):
    stuffed = " ".join(f"We will use {w} for robust evaluation." for w in BUZZWORDS.rstrip(".").split(" ")[:12])
    card = _score(stuffed, classifier, rubric, question)
    assert card.overall <= 2.5 and not card.passed


def test_saying_a_strong_sentence_ten_times_earns_no_more_than_once(classifier, rubric, question):
    once = _score(STRONG, classifier, rubric, question)
    ten = _score(" ".join([STRONG] * 10), classifier, rubric, question)
    assert ten.overall <= once.overall
    for key, dim in _by_key(ten).items():
        assert dim.score <= _by_key(once)[key].score
    assert any("repeated" in c for c in ten.caveats)


def test_repetition_padding_a_good_answer_adds_nothing(classifier, rubric, question):
    once = _score(GOOD, classifier, rubric, question)
    extra = ". ".join(GOOD.split(". ")[2:4]) + ". "
    padded = _score(GOOD + " " + extra * 3, classifier, rubric, question)
    assert padded.overall <= once.overall + 1e-9


def test_textbook_answer_scores_conceptual_above_applied(classifier, rubric, question):
    dims = _by_key(_score(TEXTBOOK, classifier, rubric, question))
    assert dims["conceptual"].score >= dims["applied"].score + 1


def test_off_topic_answer_scores_at_most_2(classifier, rubric, question):
    card = _score(OFF_TOPIC, classifier, rubric, question)
    assert card.overall <= 2
    assert all(d.score <= 2 for d in card.dimensions)
    assert card.relevance is not None and card.relevance < 0.2
    assert any("off the question" in c for c in card.caveats)


def test_very_short_answer_scores_low(classifier, rubric, question):
    card = _score("Yes, I would test it before launch.", classifier, rubric, question)
    assert card.overall <= 2 and not card.passed
    assert any("classifier unsure" in c for c in card.caveats)


def test_good_answer_beats_the_gamed_ones(classifier, rubric, question):
    good = _score(GOOD, classifier, rubric, question).overall
    for text in (BUZZWORDS, OFF_TOPIC, " ".join([STRONG] * 10), TEXTBOOK):
        assert good > _score(text, classifier, rubric, question).overall + 0.3


def test_higher_level_lowers_the_same_answer(classifier, rubric, question):
    apm = _score(GOOD, classifier, rubric, question, level="apm")
    senior = _score(GOOD, classifier, rubric, question, level="senior")
    assert senior.overall < apm.overall
    assert (apm.level, senior.level) == ("apm", "senior")


def test_scorecard_contract(classifier, rubric, question):
    card = _score(GOOD, classifier, rubric, question)
    d = json.loads(render(card, "json"))
    assert {"input", "overall", "passed", "level", "rubric", "dimensions", "delivery", "structure"} <= set(d)
    assert d["rubric"] == "ai-pm-technical" and d["level"] == "pm"
    assert 1 <= d["overall"] <= 5
    assert [x["key"] for x in d["dimensions"]] == ["conceptual", "applied", "production", "communication"]
    for dim in d["dimensions"]:
        assert {"name", "weight", "score", "evidence", "low", "high"} <= set(dim)
        assert dim["low"] <= dim["score"] <= dim["high"]
        for e in dim["evidence"]:
            assert {"text", "start", "end", "polarity", "signal"} <= set(e)
            assert e["polarity"] in ("strong", "weak") and e["text"] in GOOD
    assert any(dim["evidence"] for dim in d["dimensions"])
    assert card.pass_rule == rubric.pass_rule.describe()


def test_weak_dimensions_get_advice(classifier, rubric, question):
    card = _score(TEXTBOOK, classifier, rubric, question)
    weak = [d for d in card.dimensions if d.score < rubric.pass_rule.min_average]
    assert weak
    for d in weak:
        assert d.advice and d.advice.startswith(rubric.dimension(d.key).advice)


def test_evidence_from_audio_carries_times(classifier, rubric, question):
    """A transcript with word timings: evidence spans point back into the recording."""
    words, t = [], 3.0
    for token in GOOD.split():
        words.append(Word(start=t, end=t + 0.3, word=" " + token, probability=0.9))
        t += 0.35
    transcript = Transcript(
        source="answer.wav", language="en", duration_s=t + 1, segments=(Segment(id=0, start=3.0, end=t, text=GOOD, words=tuple(words)),)
    )
    card = score_transcript(transcript, rubric=rubric, level="pm", question=question, classifier=classifier)
    evidence = [e for d in card.dimensions for e in d.evidence]
    assert evidence and all(e.start is not None and 3.0 <= e.start < e.end <= t for e in evidence)
    assert not any("typed transcript" in c for c in card.caveats)
    assert "[00:" in render(card, "text")


def test_no_question_is_a_caveat_not_an_error(classifier, rubric):
    card = score_transcript(Transcript.from_text(GOOD), rubric=rubric, level=None, classifier=classifier)
    assert card.relevance is None and card.question_id is None
    assert any("no question given" in c for c in card.caveats)


def test_skills_rubric_mixes_signal_dimensions(classifier, question):
    skills = load_rubric("ai-pm-skills")
    card = _score(GOOD, classifier, skills, question)
    assert [d.key for d in card.dimensions] == [d.key for d in skills.dimensions]


def test_reports_render_every_format(classifier, rubric, question):
    card = _score(GOOD, classifier, rubric, question)
    text = render(card, "text")
    assert "PASS" in text or "FAIL" in text
    assert "Conceptual Understanding" in text and "Caveats" in text
    md = render(card, "markdown")
    assert md.startswith("# ") and "| Dimension | Weight | Score | Band |" in md
    with pytest.raises(ValueError):
        render(card, "html")


def test_every_report_states_how_often_the_sentence_labels_are_right(classifier, rubric, question):
    held_out = classifier.card["held_out"]
    card = _score(GOOD, classifier, rubric, question)
    (limit,) = card.limits
    # The figures come from the shipped model card, whatever they are after a retrain.
    assert f"on {held_out['sentences']} held-out sentences" in limit
    assert f"{held_out['accuracy']:.0%} of the time" in limit and f"macro-F1 {held_out['macro_f1']:.2f}" in limit
    # Said once, in the closing "What this report may get wrong" section of each human report.
    for fmt in ("text", "markdown"):
        report = render(card, fmt)
        assert report.count(limit) == 1 and report.index("What this report may get wrong") < report.index(limit)
    assert json.loads(render(card, "json"))["limits"] == [limit]


def test_a_model_without_held_out_figures_says_its_labels_are_unmeasured(classifier, rubric, question):
    from voicemock.assess.classifier import SignalClassifier

    unmeasured = SignalClassifier(classifier.pipeline, {**classifier.card, "held_out": None})
    card = _score(GOOD, unmeasured, rubric, question)
    assert len(card.limits) == 1 and "unmeasured" in card.limits[0]
    assert card.overall == _score(GOOD, classifier, rubric, question).overall  # only the words differ


def _evidence(applied_strong: list[float]):
    """Answer evidence whose sentences carry these p(applied:strong), each beside a likelier label."""
    from voicemock.assess.classifier import SentenceSignal
    from voicemock.assess.evidence import AnswerEvidence, UniqueSentence

    sentences = []
    for i, p in enumerate(applied_strong):
        probs = {"applied:strong": p, "communication:strong": 1.0 - p}
        signal = SentenceSignal(f"s{i}", "communication", "strong", 1.0 - p, probs)
        sentences.append(UniqueSentence(f"s{i}", None, None, 1.0, i, signal))
    return AnswerEvidence(sentences, len(sentences), 80, 0.4, None)


def test_textbook_cap_counts_decision_evidence_not_top_labels():
    """Three sentences that each half-carry a decision hold more than one sentence's worth of it, so the
    answer is not a textbook answer though no sentence's likeliest label is applied:strong; one such
    sentence alone is."""
    from voicemock.assess.scoring import _textbook

    assert not _textbook(_evidence([0.45, 0.45, 0.45]))
    assert _textbook(_evidence([0.45, 0.05, 0.05]))
    assert _textbook(_evidence([]))


def _mechanisms(texts: list[str]):
    """Answer evidence whose sentences are read as production:strong (0.9) and nothing applied."""
    from voicemock.assess.classifier import SentenceSignal
    from voicemock.assess.evidence import AnswerEvidence, UniqueSentence

    sentences = [
        UniqueSentence(t, None, None, 1.0, i, SentenceSignal(t, "production", "strong", 0.9, {"production:strong": 0.9}))
        for i, t in enumerate(texts)
    ]
    return AnswerEvidence(sentences, len(sentences), 80, 0.4, None)


def test_textbook_cap_counts_mechanisms_built_for_the_scenario_not_recited_ones():
    """An answer written as a design, its mechanisms with the scenario's figures, applies what it knows;
    the same mechanisms recited with no figure do not, however confidently they read as production."""
    from voicemock.assess.scoring import _textbook, application_mass

    designed = _mechanisms([
        "If P95 latency exceeds three times the SLA for 60 seconds, the orchestrator stops calling the model.",
        "Five percent of traffic is sampled and scored daily, and a 2% drop pages the on-call.",
    ])
    recited = _mechanisms([
        "Typical responses include rolling back to the previous version or adjusting the prompts.",
        "Teams usually monitor drift and retrain the model when quality degrades.",
    ])
    assert application_mass(designed) == pytest.approx(1.8) and not _textbook(designed)
    assert application_mass(recited) == 0.0 and _textbook(recited)


def _lenient(rubric, by=1.0):
    """The rubric with a level that adds `by` to every raw score (negative offsets)."""
    from dataclasses import replace

    from voicemock.bank.rubric import Level

    easy = Level("easy", "Lenient", {d: -by for d in ("conceptual", "applied", "production", "communication")})
    return replace(rubric, levels={**rubric.levels, "easy": easy})


def test_caps_are_ceilings_at_a_lenient_level(classifier, rubric, question):
    """A level below the fitted scale lifts a good answer, but never a capped one over its cap: the
    textbook answer's Applied Reasoning, the off-topic answer and the keyword salad stay where the caps
    hold them."""
    from voicemock.assess.scoring import OFFTOPIC_CAP, STRUCTURE_BONUS_MAX, TEXTBOOK_CAP

    easy = _lenient(rubric)
    good_pm, good_easy = _score(GOOD, classifier, rubric, question), _score(GOOD, classifier, easy, question, level="easy")
    assert good_easy.overall > good_pm.overall
    textbook = _by_key(_score(TEXTBOOK, classifier, easy, question, level="easy"))
    assert textbook["applied"].ceiling is not None
    assert textbook["applied"].score <= TEXTBOOK_CAP + STRUCTURE_BONUS_MAX
    off = _score(OFF_TOPIC, classifier, easy, question, level="easy")
    assert all(d.score <= OFFTOPIC_CAP for d in off.dimensions) and not off.passed
    salad = _score(BUZZWORDS, classifier, easy, question, level="easy")
    assert all(d.ceiling is not None and d.score <= d.ceiling < 3.0 for d in salad.dimensions) and not salad.passed
