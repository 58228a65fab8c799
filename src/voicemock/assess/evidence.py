"""An answer's evidence: its read sentences with repeats folded, each weighted by its form and size, the
answer-level facts (content words, stopword share) and its relevance to the question. What the
aggregation in assess/scoring.py scores; see that module's docstring, steps 1-2 and 5 (relevance)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from voicemock.assess.reading import ReadSentence
from voicemock.assess.relevance import DEFAULT_CALIBRATION, Relevance, RelevanceCalibration, measure_relevance

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.assess.classifier import SentenceSignal, SignalClassifier
    from voicemock.bank.questions import Question

__all__ = ["AnswerEvidence", "UniqueSentence", "gather_evidence", "question_text", "relevance_calibration"]

DUPLICATE_JACCARD = 0.8
# A written answer packs into one 30-word sentence what a spoken one says in two: a sentence counts as
# len / 18 spoken sentences (18 words: the median sentence of the dev set's spoken answers), at most two.
SPOKEN_SENTENCE_WORDS = 18.0
MAX_SENTENCE_SIZE = 2.0


@dataclass
class UniqueSentence:
    text: str
    start: float | None
    end: float | None
    weight: float  # form weight, 0-1
    index: int  # position in the answer's sentences, so evidence points back at the sentence it came from
    signal: SentenceSignal
    size: float = 1.0  # how many spoken-length sentences it holds (1-2): see SPOKEN_SENTENCE_WORDS
    repeats: int = 1


@dataclass
class AnswerEvidence:
    """What the aggregation works from: de-duplicated, classified, weighted sentences and answer facts."""

    sentences: list[UniqueSentence]
    total_sentences: int
    content_words: int
    stopword_ratio: float
    relevance: Relevance | None  # None: no question given
    caveats: list[str] = field(default_factory=list)

    @property
    def repeated(self) -> int:
        return self.total_sentences - len(self.sentences)


def _form_weight(tokens: list[str], stopword_ratio: float) -> float:
    """How much a sentence counts: real sentences 1, term lists and fragments near 0."""
    length = min(1.0, max(0.0, (len(tokens) - 2) / 6.0))
    syntax = min(1.0, stopword_ratio / 0.25)
    return round(length * syntax, 4)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def gather_evidence(
    readings: Sequence[ReadSentence],
    question: Question | str | None = None,
    *,
    classifier: SignalClassifier,
) -> AnswerEvidence:
    """The answer's read sentences with repeats folded, form weights, and the answer-level facts."""
    from voicemock.assess.features import STOPWORDS, content_words, tokenize

    unique: list[UniqueSentence] = []
    token_sets: list[set[str]] = []
    all_tokens: list[str] = []
    kept: list[ReadSentence] = []
    for reading in readings:
        tokens = tokenize(reading.text)
        if not tokens:
            continue
        token_set = set(tokens)
        duplicate = next((i for i, seen in enumerate(token_sets) if _jaccard(token_set, seen) >= DUPLICATE_JACCARD), None)
        if duplicate is not None:
            unique[duplicate].repeats += 1
            continue
        stop = sum(t in STOPWORDS for t in tokens) / len(tokens)
        unique.append(
            UniqueSentence(
                text=reading.text, start=reading.start, end=reading.end, weight=_form_weight(tokens, stop),
                index=reading.index, signal=reading.signal,
                size=min(MAX_SENTENCE_SIZE, max(1.0, len(tokens) / SPOKEN_SENTENCE_WORDS)),
            )
        )
        kept.append(reading)
        token_sets.append(token_set)
        all_tokens.extend(tokens)

    n_content = len(set(content_words(all_tokens))) if all_tokens else 0
    stop_ratio = sum(t in STOPWORDS for t in all_tokens) / len(all_tokens) if all_tokens else 0.0
    return AnswerEvidence(
        sentences=unique,
        total_sentences=sum(s.repeats for s in unique),
        content_words=n_content,
        stopword_ratio=stop_ratio,
        relevance=_relevance(kept, question, classifier),
    )


def question_text(question: Question | str | None) -> str | None:
    """The words of the question, whether it came from the bank or was typed: nothing else of a bank
    question (keywords, id) enters relevance, so both ways of asking score alike."""
    if question is None:
        return None
    text = question if isinstance(question, str) else question.text
    return text if text.strip() else None


def _relevance(readings: list[ReadSentence], question: Question | str | None, classifier: SignalClassifier) -> Relevance | None:
    import numpy as np

    text = question_text(question)
    if text is None or not readings:
        return None
    question_vector = classifier.embed([text])[0]
    calibration = relevance_calibration(classifier)
    return measure_relevance(np.stack([r.vector for r in readings]), question_vector, calibration)


def relevance_calibration(classifier: SignalClassifier) -> RelevanceCalibration:
    """The anchors fitted at training time (the card), else the ones measured when relevance was written."""
    fitted = classifier.card.get("relevance")
    return RelevanceCalibration.from_dict(fitted) if fitted else DEFAULT_CALIBRATION
