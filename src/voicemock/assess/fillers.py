"""Fillers named in a transcript: filled pauses (um, uh) and discourse fillers (like, you know, ...).

A word list cannot tell "I like this design" from "it was, like, slow" by the word alone, so each
discourse filler has context rules: punctuation Whisper puts around it, where it sits in the
sentence, and the words beside it. The rules lean towards missing a filler rather than blaming a
speaker for a verb. Fillers the transcript leaves out are hesitations.py's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicemock.speech.hesitations import is_filled_pause_token
from voicemock.records import Filler, Transcript

__all__ = ["Token", "tokens_of", "find_fillers", "DISCOURSE_FILLERS"]

DISCOURSE_FILLERS = ("like", "you know", "sort of", "kind of", "basically", "i mean")

# "I like", "users like", "would like": like as a verb.
_LIKE_VERB_BEFORE = {
    "i", "you", "we", "they", "he", "she", "people", "users", "customers", "folks", "teams", "would",
    "do", "don't", "didn't", "does", "doesn't", "really", "also", "might", "may", "will", "to", "all",
}
# "looks like", "something like", "more like": like as a preposition.
_LIKE_PREP_BEFORE = {
    "look", "looks", "looked", "looking", "sound", "sounds", "seem", "seems", "feel", "feels", "felt",
    "something", "things", "stuff", "more", "less", "much", "just", "exactly", "not", "nothing", "anything",
    "be", "is", "are", "was", "were", "'s", "it's", "that's", "what's", "seemed", "acts", "act", "tools",
    "features", "metrics", "products", "companies", "cases", "models",
}
# "what kind of model", "a sort of": the noun phrase, not the hedge.
_KIND_NOUN_BEFORE = {"a", "an", "the", "this", "that", "these", "those", "what", "which", "any", "some",
                     "one", "every", "same", "each", "different", "other", "new", "right", "wrong"}
_CLAUSE_START = {"i", "we", "you", "they", "he", "she", "it's", "there's", "i'm", "we're", "um", "uh"}
# "you know that ...", "you know the numbers": know as a verb with an object.
_KNOW_OBJECT_AFTER = {"that", "what", "how", "why", "when", "where", "who", "if", "whether", "the", "a",
                      "an", "this", "it", "them", "about", "your", "their", "our", "more", "which"}


@dataclass(frozen=True)
class Token:
    """One word of the transcript, normalised, with its time span when there is one."""

    text: str  # as spoken, punctuation kept
    norm: str  # lowercase letters and apostrophes only
    start: float | None
    end: float | None
    comma_after: bool
    sentence_start: bool
    sentence_end: bool


def tokens_of(transcript: Transcript) -> list[Token]:
    """Timed tokens from Whisper's words, or untimed ones from typed text."""
    if transcript.words:
        raw = [(w.word.strip(), w.start, w.end) for w in transcript.words]
    else:
        raw = [(t, None, None) for t in transcript.text.split()]
    tokens: list[Token] = []
    prev_end_punct = True
    for text, start, end in raw:
        norm = re.sub(r"[^a-z']", "", text.lower())
        if not norm:
            continue
        tokens.append(
            Token(
                text=text,
                norm=norm,
                start=start,
                end=end,
                comma_after=bool(re.search(r"[,;:\u2014-]$|\.\.\.$", text)),
                sentence_start=prev_end_punct,
                sentence_end=bool(re.search(r"[.?!][\"')\]]*$", text)),
            )
        )
        prev_end_punct = tokens[-1].sentence_end
    return tokens


def find_fillers(tokens: list[Token]) -> list[Filler]:
    """Every filler the words show, in order, each with the span of the words it covers."""
    found: list[Filler] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        prev = tokens[i - 1] if i > 0 else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        span = 1
        kind = None
        if is_filled_pause_token(tok.norm):
            kind = "filled_pause"
        elif tok.norm == "like" and _like_is_filler(tok, prev, nxt):
            kind = "discourse"
        elif tok.norm == "basically":
            kind = "discourse"
        elif nxt is not None and (tok.norm, nxt.norm) == ("you", "know") and _you_know_is_filler(tok, prev, nxt, tokens, i):
            kind, span = "discourse", 2
        elif nxt is not None and (tok.norm, nxt.norm) in (("sort", "of"), ("kind", "of")) and _hedge_is_filler(prev):
            kind, span = "discourse", 2
        elif nxt is not None and (tok.norm, nxt.norm) == ("i", "mean") and (tok.sentence_start or nxt.comma_after or (prev is not None and prev.comma_after)):
            kind, span = "discourse", 2
        if kind is None:
            i += 1
            continue
        last = tokens[i + span - 1]
        text = " ".join(t.norm for t in tokens[i : i + span])
        found.append(Filler(start=tok.start, end=last.end, text=text, kind=kind))
        i += span
    return found


def _like_is_filler(tok: Token, prev: Token | None, nxt: Token | None) -> bool:
    # A comma after it ("it was, like, slow", "Like, we could ..."), or after a comma and before a
    # new clause ("the latency, like we were stuck"); ", like the ones we ship" stays a preposition.
    if tok.comma_after:
        return True
    if prev is not None and prev.comma_after and nxt is not None and nxt.norm in _CLAUSE_START:
        return True
    if prev is None:
        return False
    if prev.norm in _LIKE_VERB_BEFORE or prev.norm in _LIKE_PREP_BEFORE:
        return False
    # "so like", "and like", "um like": run-on glue before the point.
    return prev.norm in {"so", "and", "but", "um", "uh", "like"} or is_filled_pause_token(prev.norm)


def _you_know_is_filler(tok: Token, prev: Token | None, nxt: Token, tokens: list[Token], i: int) -> bool:
    after = tokens[i + 2] if i + 2 < len(tokens) else None
    if nxt.comma_after or nxt.sentence_end or after is None:
        return True  # "you know, ..." or "..., you know."
    if prev is not None and prev.comma_after and after.norm not in _KNOW_OBJECT_AFTER:
        return True
    # "Do you know", "if you know the numbers": a real question or a verb with its object.
    return False


def _hedge_is_filler(prev: Token | None) -> bool:
    return prev is None or prev.norm not in _KIND_NOUN_BEFORE
