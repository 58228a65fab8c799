"""Fillers from words: filled pauses, and discourse fillers with context rules."""

from __future__ import annotations

import pytest

from voicemock.assess.fillers import find_fillers, tokens_of
from voicemock.speech.hesitations import is_filled_pause_token
from voicemock.records import Segment, Transcript, Word


def fillers(text: str) -> list[str]:
    return [f.text for f in find_fillers(tokens_of(Transcript.from_text(text)))]


@pytest.mark.parametrize("token", ["um", "Um,", "umm...", "uh", "Uhh.", "hmm", "er", "erm", "ah,", "Mm."])
def test_filled_pause_spellings(token):
    assert is_filled_pause_token(token)


@pytest.mark.parametrize("token", ["I'm", "a", "her", "hum", "summer", "umbrella", "oh", "the"])
def test_words_that_are_not_filled_pauses(token):
    assert not is_filled_pause_token(token)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I like this design.", []),
        ("Users like fast answers.", []),
        ("It looks like a search box.", []),
        ("We would like to launch it.", []),
        ("Tools like this are common.", []),
        ("It was, like, really slow.", ["like"]),
        ("Like, we could ship it tomorrow.", ["like"]),
        ("And like we had no data.", ["like"]),
        ("The latency, like we were stuck at two seconds.", ["like"]),
        ("We tested it with features, like the ones we ship.", []),
        ("You know, the model drifted.", ["you know"]),
        ("The model drifted, you know.", ["you know"]),
        ("Do you know the numbers?", []),
        ("If you know that the data is stale, retrain.", []),
        ("It was sort of working.", ["sort of"]),
        ("What kind of model would you use?", []),
        ("A sort of golden set.", []),
        ("Basically the cost doubles.", ["basically"]),
        ("I mean, the cost doubles.", ["i mean"]),
        ("That is what I mean by quality.", []),
        ("So, um, the metric is retention.", ["um"]),
        ("Uh, I would start with users, like, you know, the ones who churn.", ["uh", "like", "you know"]),
    ],
)
def test_context_rules(text, expected):
    assert fillers(text) == expected


def test_timed_fillers_keep_the_word_spans():
    words = (
        Word(0.5, 0.7, " So,", 0.9), Word(0.9, 1.2, " um,", 0.5), Word(1.4, 1.6, " you", 0.9),
        Word(1.6, 1.8, " know,", 0.9), Word(1.9, 2.2, " ship", 0.9), Word(2.2, 2.5, " it.", 0.9),
    )
    tr = Transcript("<t>", "en", 3.0, (Segment(0, 0.5, 2.5, " So, um, you know, ship it.", words),))
    found = find_fillers(tokens_of(tr))
    assert [(f.text, f.kind, f.start, f.end) for f in found] == [
        ("um", "filled_pause", 0.9, 1.2),
        ("you know", "discourse", 1.4, 1.8),
    ]
