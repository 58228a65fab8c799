"""Splitting a transcript into sentences that keep their time spans.

Whisper punctuates its output, so a word ending in . ? or ! closes a sentence. Typed transcripts
have no words, so their text is split on the same punctuation and lines, with no times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicemock.records import Transcript, Word

__all__ = ["Sentence", "split_sentences", "split_text"]

_END = re.compile(r"[.?!][\"')\]]*$")
_TEXT_SPLIT = re.compile(r"(?<=[.?!])[\"')\]]*\s+|\n+")
# Whisper writes run-on speech as one long "sentence"; past this many words, break at a comma.
_MAX_WORDS = 40


@dataclass(frozen=True)
class Sentence:
    text: str
    start: float | None
    end: float | None
    words: tuple[Word, ...] = ()


def split_text(text: str) -> list[str]:
    return [s.strip() for s in _TEXT_SPLIT.split(text) if s and s.strip()]


def split_sentences(transcript: Transcript) -> list[Sentence]:
    words = transcript.words
    if not words:
        return [Sentence(text=s, start=None, end=None) for s in split_text(transcript.text)]
    sentences: list[Sentence] = []
    current: list[Word] = []
    for word in words:
        current.append(word)
        token = word.word.strip()
        if _END.search(token) or (len(current) >= _MAX_WORDS and token.endswith(",")):
            sentences.append(_make(current))
            current = []
    if current:
        sentences.append(_make(current))
    return sentences


def _make(words: list[Word]) -> Sentence:
    text = "".join(w.word for w in words).strip()
    return Sentence(text=text, start=words[0].start, end=words[-1].end, words=tuple(words))
