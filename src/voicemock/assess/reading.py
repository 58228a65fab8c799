"""An answer's sentences as the scorer reads them: split once, embedded once, classified once.

Relevance, structure, talking points and the rubric scores all work from these readings, so a sentence
that the classifier calls a tradeoff is the same sentence the structure check and the evidence name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from voicemock.records import Transcript
from voicemock.speech.sentences import Sentence, split_sentences

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from voicemock.assess.classifier import SentenceSignal, SignalClassifier

__all__ = ["ReadSentence", "read_sentences", "read_transcript"]


@dataclass(frozen=True)
class ReadSentence:
    index: int  # position in split_sentences(transcript): what Evidence.sentence points at
    text: str
    start: float | None
    end: float | None
    vector: np.ndarray  # unit-length meaning vector
    signal: SentenceSignal


def read_sentences(sentences: list[Sentence], classifier: SignalClassifier) -> list[ReadSentence]:
    """Embed and classify `sentences` in one pass each (the encoder's cache makes the classifier's own
    embedding step free)."""
    texts = [s.text for s in sentences]
    if not texts:
        return []
    vectors = classifier.embed(texts)
    signals = classifier.classify(texts)
    return [
        ReadSentence(index=i, text=s.text, start=s.start, end=s.end, vector=vectors[i], signal=signals[i])
        for i, s in enumerate(sentences)
    ]


def read_transcript(transcript: Transcript, classifier: SignalClassifier) -> list[ReadSentence]:
    return read_sentences(split_sentences(transcript), classifier)
