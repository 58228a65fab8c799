"""The review page's data: one take's sentences with their evidence and relabels, colours, the script's JSON."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from voicemock.errors import ReviewError
from voicemock.records import SIGNAL_DIMENSIONS, Evidence, Scorecard
from voicemock.speech.sentences import Sentence, split_sentences
from voicemock.store.corrections import POLARITIES
from voicemock.store.session import SessionError, SessionRecord, read_session

__all__ = [
    "DIMENSION_COLORS",
    "ReviewError",
    "ReviewInputs",
    "ReviewPage",
    "SentenceView",
    "build_page",
    "evidence_by_sentence",
    "evidence_items",
    "json_for_script",
    "load_session",
]

logger = logging.getLogger(__name__)

# One hue per classifier signal dimension, chosen to stay apart for common colour blindness
# (Okabe-Ito); other rubric keys get the rest of the palette in order.
DIMENSION_COLORS = {
    "conceptual": "#0072B2",
    "applied": "#009E73",
    "production": "#D55E00",
    "communication": "#CC79A7",
}
_EXTRA_COLORS = ("#E69F00", "#56B4E9", "#8a6d00", "#555555")

# A page shows one take: a session folder read back, or an audio file scored just now (no folder).
ReviewInputs = SessionRecord


def load_session(session_dir: str | Path) -> ReviewInputs:
    """A practice session folder read back (voicemock.store.session.read_session) for a page."""
    try:
        return read_session(session_dir)
    except SessionError as exc:
        # Callers of the review API catch ReviewError for every take a page cannot be built from.
        raise ReviewError(str(exc)) from exc


# ---------------------------------------------------------------------------- evidence per sentence


@dataclass
class SentenceView:
    index: int
    sentence: Sentence
    word_offset: int  # index of its first word in the transcript's word list
    evidence: list[Evidence]
    relabel: dict[str, Any] | None = None  # the coach's relabel (voicemock.store.corrections)

    @property
    def label(self) -> tuple[str, str] | None:
        """(dimension, polarity) the sentence is shown with: the coach's relabel over the scorer's evidence."""
        if self.relabel is not None:
            return str(self.relabel.get("dimension", "")), str(self.relabel.get("polarity", ""))
        if self.evidence:
            return self.evidence[0].dimension, self.evidence[0].polarity
        return None


def evidence_items(scorecard: Scorecard) -> list[Evidence]:
    """Every dimension's evidence in report order, each naming the dimension it colours."""
    # Evidence names the classifier's signal dimension when it has one; else the rubric dimension
    # it is listed under is the best colour we have.
    return [replace(ev, dimension=ev.dimension or dim.key or "") for dim in scorecard.dimensions for ev in dim.evidence]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def _match_sentence(sentences: list[Sentence], ev: Evidence) -> int | None:
    """The sentence the evidence overlaps most in time, else the first that matches its text."""
    best, best_overlap = None, 0.0
    if ev.start is not None and ev.end is not None:
        for i, s in enumerate(sentences):
            if s.start is None or s.end is None:
                continue
            overlap = min(s.end, ev.end) - max(s.start, ev.start)
            if overlap > best_overlap:
                best, best_overlap = i, overlap
    if best is None:
        target = _norm(ev.text)
        for i, s in enumerate(sentences):
            norm = _norm(s.text)
            if target and (norm == target or target in norm or (norm and norm in target)):
                return i
    return best


def evidence_by_sentence(sentences: list[Sentence], evidence: list[Evidence]) -> list[list[Evidence]]:
    """The evidence on each sentence, by the sentence index the scorer gave it.

    `sentences` must be `split_sentences` of the transcript that was scored. Evidence with no index
    (an older report.json) falls back to matching by time overlap or text, as pages did before.
    """
    out: list[list[Evidence]] = [[] for _ in sentences]
    seen: set[tuple[int, str, str]] = set()
    for ev in evidence:
        if ev.sentence is None:
            # Only evidence without an index is matched again: report.json files written before
            # Evidence carried `sentence`, and evidence made by hand.
            best = _match_sentence(sentences, ev)
        elif 0 <= ev.sentence < len(sentences):
            best = ev.sentence
        else:
            logger.warning("evidence names sentence %d of %d; the transcript is not the one scored: %r",
                           ev.sentence, len(sentences), ev.text)
            continue
        if best is None:
            logger.debug("evidence not found in the transcript: %r", ev.text)
            continue
        # The same sentence listed under two rubric dimensions is one highlight.
        key = (best, ev.dimension, ev.polarity)
        if key not in seen:
            seen.add(key)
            out[best].append(ev)
    return out


def _assign_relabels(sentences: list[Sentence], corrections: dict[str, Any] | None) -> list[dict[str, Any] | None]:
    out: list[dict[str, Any] | None] = [None] * len(sentences)
    for r in (corrections or {}).get("relabels", []):
        target = _norm(r["text"])
        candidates = [i for i, s in enumerate(sentences) if _norm(s.text) == target]
        if len(candidates) > 1 and r.get("start") is not None:
            candidates.sort(key=lambda i: abs((sentences[i].start or 0.0) - r["start"]))
        if candidates:
            out[candidates[0]] = r
    return out


# ---------------------------------------------------------------------------- the page's data


@dataclass(frozen=True)
class ReviewPage:
    """Everything the page shows, worked out once: the rendering only formats it."""

    inputs: ReviewInputs
    session: str
    question_id: str | None
    competency: str | None
    question_text: str
    views: list[SentenceView]
    colors: dict[str, str]
    dimension_keys: list[str]  # the rubric's, in report order


def _color_map(keys: list[str]) -> dict[str, str]:
    colors = dict(DIMENSION_COLORS)
    extra = iter(_EXTRA_COLORS * 4)
    for key in keys:
        if key and key not in colors:
            colors[key] = next(extra)
    return colors


def build_page(inputs: ReviewInputs) -> ReviewPage:
    """The take's sentences (split once) with their evidence and relabels, and the page's labels."""
    transcript, scorecard = inputs.transcript, inputs.scorecard
    question = inputs.question
    question_text = (question.text if question else "") or scorecard.question_text or ""
    question_id = (question.id if question else None) or scorecard.question_id
    competency = (question.competency if question else None) or (
        question_id.rsplit("-", 1)[0] if question_id and re.search(r"-\d\d$", question_id) else None)
    session = inputs.session_dir.name if inputs.session_dir else Path(transcript.source or "answer").stem

    sentences = split_sentences(transcript)
    evidence = evidence_items(scorecard)
    by_sentence = evidence_by_sentence(sentences, evidence)
    relabels = _assign_relabels(sentences, inputs.corrections)
    views, offset = [], 0
    for i, s in enumerate(sentences):
        views.append(SentenceView(i, s, offset, by_sentence[i], relabels[i]))
        offset += len(s.words) if s.words else len(s.text.split())
    dimension_keys = [d.key or "" for d in scorecard.dimensions]
    colors = _color_map(dimension_keys + [e.dimension for e in evidence])
    return ReviewPage(inputs, session, question_id, competency, question_text, views, colors, dimension_keys)


def script_data(page: ReviewPage) -> dict[str, Any]:
    """What the page's script reads: the sentences as the scorer labelled them, and prior corrections."""
    return {
        "session": page.session,
        "question_id": page.question_id,
        "competency": page.competency,
        "colors": page.colors,
        "signal_dimensions": [*SIGNAL_DIMENSIONS, "none"],
        "polarities": list(POLARITIES),
        "sentences": [
            {
                "text": v.sentence.text,
                "start": v.sentence.start,
                "end": v.sentence.end,
                "dimension": v.evidence[0].dimension if v.evidence else None,
                "polarity": v.evidence[0].polarity if v.evidence else None,
                "signal": v.evidence[0].signal if v.evidence else None,
            }
            for v in page.views
        ],
        "corrections": page.inputs.corrections,
    }


def json_for_script(data: Any) -> str:
    """JSON safe inside <script type="application/json">: no '<', '>' or '&' survives, so no
    '</script>' or '<!--' in a transcript can end the block; U+2028/2029 escaped for old parsers."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
