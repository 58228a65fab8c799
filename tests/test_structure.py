"""Each structure check on answers that have it and answers that don't, typed and timed."""

from __future__ import annotations

import pytest

from voicemock.records import Segment, Transcript, Word
from voicemock.assess.structure import analyze_structure


def timed(text: str, seconds_per_word: float = 0.4, gap_after_sentence: float = 0.0) -> Transcript:
    """A Whisper-like transcript: one word every `seconds_per_word`, with times."""
    words, t = [], 0.5
    for token in text.split():
        words.append(Word(start=round(t, 3), end=round(t + seconds_per_word * 0.9, 3), word=" " + token, probability=0.9))
        t += seconds_per_word + (gap_after_sentence if token[-1] in ".?!" else 0.0)
    seg = Segment(id=0, start=words[0].start, end=words[-1].end, text=" " + text, words=tuple(words))
    return Transcript(source="<test>", language="en", duration_s=round(t + 0.5, 3), segments=(seg,))


def check(text: str, name: str, **kw):
    return analyze_structure(Transcript.from_text(text), **kw).get(name)


FILLER_SENTENCES = " ".join(["We looked at the data together with the team."] * 6)


@pytest.mark.parametrize(
    "name, positive, negative",
    [
        ("answer_first",
         "My recommendation is to route easy queries to a small model. " + FILLER_SENTENCES,
         FILLER_SENTENCES + " My recommendation is to route easy queries to a small model."),
        ("signposting",
         "There are three things. First, the user. Second, the data. Finally, the metric.",
         "The user matters and the data matters and the metric matters."),
        ("clarifying",
         "Before I answer, are we optimizing for growth or trust? I'll assume trust.",
         "We build the feature and launch it to everyone."),
        ("tradeoffs",
         "A bigger model gives better answers at the cost of latency.",
         "A bigger model gives better answers."),
        ("metric",
         "Success looks like a resolution rate above sixty percent.",
         "We would build it and see how people feel."),
        ("risks",
         "If the model drifts we fall back to the rules engine.",
         "The model will work well for everyone."),
        ("summary",
         FILLER_SENTENCES + " To summarize, ship the small model first.",
         "To summarize, ship the small model first. " + FILLER_SENTENCES),
    ],
    ids=["answer_first", "signposting", "clarifying", "tradeoffs", "metric", "risks", "summary"],
)
def test_each_check_positive_and_negative(name, positive, negative):
    yes, no = check(positive, name), check(negative, name)
    assert yes.present, yes.detail
    assert yes.evidence
    assert not no.present, no.detail
    assert no.tip and not no.evidence


def test_single_signpost_is_not_enough():
    result = check("First, we talk to users and build it.", "signposting")
    assert not result.present
    assert "'first'" in result.detail


def test_recommendation_late_in_the_answer_is_not_answer_first():
    # "we should" late in the answer is not answer-first.
    text = FILLER_SENTENCES + " " + FILLER_SENTENCES + " I think we should ship it."
    assert not check(text, "answer_first").present


def test_star_for_behavioral_only():
    story = ("At my last company we were losing users to a competitor. My task was to fix onboarding. "
             "I decided to cut the signup form to one field and I ran a test. "
             "As a result activation went up 12 percent and I learned to test small changes first.")
    tidy = "I am a team player and I always align stakeholders and ship on time."
    assert analyze_structure(Transcript.from_text(story), competency="behavioral").get("star").present
    star = analyze_structure(Transcript.from_text(tidy), competency="behavioral").get("star")
    assert not star.present and "Situation" in star.tip
    assert analyze_structure(Transcript.from_text(story), competency="evals").get("star") is None


def test_timed_transcript_gives_spans_and_length_verdicts():
    text = "My recommendation is to ship the small model. It is cheaper. To summarize, ship small."
    tr = timed(text)  # 15 words at 0.4 s: about 6 s
    s = analyze_structure(tr, target_seconds=6)
    first = s.get("answer_first")
    assert first.present and first.start == pytest.approx(0.5) and first.end is not None
    assert s.length_verdict == "on_target"
    assert analyze_structure(tr, target_seconds=30).length_verdict == "short"
    assert analyze_structure(tr, target_seconds=2).length_verdict == "long"
    # Every check becomes an annotation the report and review page can show.
    assert len(s.annotations) == len(s.checks)
    assert all(a.tip for a in s.annotations)


def test_answer_first_uses_time_not_word_count():
    # The recommendation is the 2nd sentence by words but comes after a 20 s silence: not first.
    text = "Okay. My recommendation is to ship the small model. " + FILLER_SENTENCES
    words = list(timed(text).words)
    shifted = [words[0]] + [Word(w.start + 20, w.end + 20, w.word, w.probability) for w in words[1:]]
    seg = Segment(id=0, start=shifted[0].start, end=shifted[-1].end, text=" " + text, words=tuple(shifted))
    tr = Transcript(source="<t>", language="en", duration_s=shifted[-1].end + 1, segments=(seg,))
    late = analyze_structure(tr).get("answer_first")
    early = analyze_structure(timed(text)).get("answer_first")
    assert early.present and not late.present


def test_typed_length_is_estimated_and_said_so():
    s = analyze_structure(Transcript.from_text(" ".join(["word"] * 300)), target_seconds=120)
    assert s.length_verdict == "on_target"
    assert "typed" in s.get("length").detail


def test_to_dict_keys_checks_by_name():
    d = analyze_structure(Transcript.from_text("First, this. Second, that."), target_seconds=60).to_dict()
    assert d["signposting"]["present"] is True
    assert d["length"]["present"] is False
