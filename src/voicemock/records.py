"""Typed records passed between pipeline stages.

Every stage is a function from these records to these records. Each record converts to and from
plain JSON-ready dicts without loss: numbers are plain floats (never numpy scalars), lists are lists.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = [
    "SIGNAL_DIMENSIONS",
    "LEVELS",
    "Word",
    "Segment",
    "Transcript",
    "Span",
    "Pause",
    "Filler",
    "Hesitation",
    "Annotation",
    "Delivery",
    "StructureCheck",
    "Structure",
    "Evidence",
    "PointEvidence",
    "PointCoverage",
    "FollowUp",
    "DimensionScore",
    "Scorecard",
]


# The names every stage shares, defined here once: the dimensions the classifier labels sentences with
# (Evidence.dimension) and the levels a rubric calibrates (Scorecard.level).
SIGNAL_DIMENSIONS = ("conceptual", "applied", "production", "communication")
LEVELS = ("apm", "pm", "senior")


def _f(value: Any) -> float:
    """A plain float rounded to the millisecond, so JSON round trips are exact."""
    return round(float(value), 3)


def _opt_f(value: Any) -> float | None:
    return None if value is None else _f(value)


# ---------------------------------------------------------------------------- transcription


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str  # as Whisper gives it, with its leading space
    probability: float

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "word": self.word, "probability": self.probability}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Word:
        return cls(start=_f(d["start"]), end=_f(d["end"]), word=str(d["word"]), probability=_f(d["probability"]))


@dataclass(frozen=True)
class Segment:
    id: int
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["words"] = [w.to_dict() for w in self.words]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Segment:
        return cls(
            id=int(d["id"]),
            start=_f(d["start"]),
            end=_f(d["end"]),
            text=str(d["text"]),
            words=tuple(Word.from_dict(w) for w in d.get("words", [])),
            avg_logprob=_f(d.get("avg_logprob", 0.0)),
            no_speech_prob=_f(d.get("no_speech_prob", 0.0)),
            compression_ratio=_f(d.get("compression_ratio", 0.0)),
        )


@dataclass(frozen=True)
class Transcript:
    """What Whisper heard, on the original audio's timeline (seconds from the file's start)."""

    source: str  # the input path as given, or "<text>" for typed transcripts
    language: str
    duration_s: float | None  # None for a text transcript: there is no audio
    segments: tuple[Segment, ...]
    model: str = ""
    duration_after_vad_s: float | None = None
    # Stretches Silero VAD marked as speech, [start, end] in seconds; empty when VAD was off or the
    # batched path ran (its VAD spans are internal to faster-whisper).
    speech_spans: tuple[tuple[float, float], ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments).strip()

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    @property
    def has_timing(self) -> bool:
        return self.duration_s is not None and any(s.words for s in self.segments)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "language": self.language,
            "duration_s": self.duration_s,
            "duration_after_vad_s": self.duration_after_vad_s,
            "model": self.model,
            "text": self.text,
            "segments": [s.to_dict() for s in self.segments],
            "speech_spans": [list(s) for s in self.speech_spans],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Transcript:
        return cls(
            source=str(d.get("source", "")),
            language=str(d.get("language", "en")),
            duration_s=_opt_f(d.get("duration_s")),
            duration_after_vad_s=_opt_f(d.get("duration_after_vad_s")),
            model=str(d.get("model", "")),
            segments=tuple(Segment.from_dict(s) for s in d.get("segments", [])),
            speech_spans=tuple((_f(a), _f(b)) for a, b in d.get("speech_spans", [])),
            warnings=tuple(str(w) for w in d.get("warnings", [])),
        )

    @classmethod
    def from_text(cls, text: str, source: str = "<text>") -> Transcript:
        """A typed or pasted answer: no audio, so no timing. One segment per non-empty line."""
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        segments = tuple(
            Segment(id=i, start=0.0, end=0.0, text=(" " + ln)) for i, ln in enumerate(lines)
        )
        return cls(source=source, language="en", duration_s=None, segments=segments, model="")


# ---------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class Span:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Pause:
    start: float
    end: float
    where: str  # "between_sentences" | "inside_sentence"

    @property
    def duration(self) -> float:
        return round(self.end - self.start, 3)


@dataclass(frozen=True)
class Filler:
    start: float | None
    end: float | None
    text: str
    kind: str  # "filled_pause" (um, uh) | "discourse" (like, you know, ...)


@dataclass(frozen=True)
class Hesitation:
    """Speech that VAD heard but no transcribed word covers: often a filled pause Whisper dropped."""

    start: float
    end: float
    kind: str  # e.g. "uncovered_speech"


@dataclass(frozen=True)
class Annotation:
    """One finding on the answer's timeline, shown by the report and the review page."""

    start: float | None
    end: float | None
    category: str  # "pause" | "filler" | "hesitation" | "structure" | "pace" | "length" | ...
    label: str
    tip: str
    severity: str = "info"  # "info" | "warn" | "good"


@dataclass
class Delivery:
    duration_s: float | None = None
    speaking_span_s: float | None = None
    word_count: int = 0
    wpm: float | None = None
    articulation_wpm: float | None = None
    target_wpm: tuple[float, float] = (120.0, 165.0)
    baseline_wpm: float | None = None  # the user's own median, once history has enough takes
    time_to_first_word_s: float | None = None
    pauses: list[Pause] = field(default_factory=list)
    pause_count: int = 0
    long_pause_count: int = 0
    pause_total_s: float = 0.0
    fillers: list[Filler] = field(default_factory=list)
    fillers_per_minute: float | None = None
    hesitations: list[Hesitation] = field(default_factory=list)
    filler_recall: float | None = None  # measured recall of the filler detector (bench), stated in reports
    filler_precision: float | None = None  # measured precision of the same detector (bench)
    filled_pause_count: int = 0  # um/uh/hmm the transcript names (hesitations are counted apart)
    discourse_filler_count: int = 0  # like / you know / sort of / basically / I mean, by context rules
    limits: list[str] = field(default_factory=list)  # plain-words caveats about what may be missed
    annotations: list[Annotation] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


# ---------------------------------------------------------------------------- structure


@dataclass(frozen=True)
class StructureCheck:
    name: str  # "answer_first" | "signposting" | "clarifying" | "tradeoffs" | "metric" | ...
    present: bool
    detail: str
    tip: str
    start: float | None = None
    end: float | None = None
    evidence: str = ""


@dataclass
class Structure:
    checks: list[StructureCheck] = field(default_factory=list)
    target_seconds: float | None = None
    length_verdict: str | None = None  # "short" | "on_target" | "long" | None without timing
    annotations: list[Annotation] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)  # plain-words caveats about what may be missed

    def get(self, name: str) -> StructureCheck | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        d = _jsonable(asdict(self))
        # Also key the checks by name, so `structure.tradeoffs.present` works in jq.
        for c in d["checks"]:
            d[c["name"]] = {k: v for k, v in c.items() if k != "name"}
        return d


# ---------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Evidence:
    text: str
    start: float | None
    end: float | None
    polarity: str  # "strong" | "weak"
    signal: str  # short name of what was recognised, e.g. "tradeoff", "textbook definition"
    dimension: str = ""
    confidence: float = 0.0  # classifier probability for this polarity
    sentence: int | None = None  # index in the answer's sentences (speech.sentences.split_sentences), split once


@dataclass
class PointEvidence:
    """The sentence of the answer that made a talking point, with its time (None for typed text)."""

    text: str
    start: float | None = None
    end: float | None = None
    sentence: int | None = None  # index in the answer's sentences


@dataclass
class PointCoverage:
    """One talking point of the question, and whether the answer made it (matched by meaning)."""

    point: str
    covered: bool
    similarity: float  # of the closest sentence, 0-1
    evidence: PointEvidence | None = None  # the closest sentence when covered
    weight: int = 1  # importance, 1-3 (3: an interviewer fails the answer without it)
    prompted: bool = False  # made only in the answer to the follow-up (a mock interview)


@dataclass
class FollowUp:
    """The interviewer's next question, aimed at the answer's biggest gap."""

    question: str
    target: str  # the missed talking point, or the weakest rubric dimension's key
    reason: str  # why this gap, in one line


@dataclass
class DimensionScore:
    name: str
    key: str
    weight: float
    score: float  # 1-5, after level calibration
    low: float  # uncertainty band
    high: float
    evidence: list[Evidence] = field(default_factory=list)
    advice: str | None = None
    raw_score: float | None = None  # before level calibration
    ceiling: float | None = None  # what a cap (short, off-topic or textbook answer) holds it to at any level; None: no cap


@dataclass
class Scorecard:
    input: str
    rubric: str
    level: str
    overall: float
    passed: bool
    dimensions: list[DimensionScore]
    question_id: str | None = None
    question_text: str | None = None
    relevance: float | None = None  # similarity of the answer to the question, 0-1
    delivery: Delivery | None = None
    structure: Structure | None = None
    transcript: Transcript | None = None
    caveats: list[str] = field(default_factory=list)  # where the scorer or transcriber may be wrong
    pass_rule: str = ""
    limits: list[str] = field(default_factory=list)  # what the scoring can miss on any answer (measured figures)
    talking_points: list[PointCoverage] = field(default_factory=list)  # empty: the question has none
    follow_up: FollowUp | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Scorecard:
        return record_from_dict(cls, d)

    def to_dict(self, include_transcript: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "input": self.input,
            "overall": self.overall,
            "passed": self.passed,
            "level": self.level,
            "rubric": self.rubric,
            "pass_rule": self.pass_rule,
            "question_id": self.question_id,
            "question_text": self.question_text,
            "relevance": self.relevance,
            "dimensions": [_jsonable(asdict(dim)) for dim in self.dimensions],
            "delivery": self.delivery.to_dict() if self.delivery else None,
            "structure": self.structure.to_dict() if self.structure else None,
            "caveats": list(self.caveats),
            "limits": list(self.limits),
            "talking_points": [_jsonable(asdict(p)) for p in self.talking_points],
            "follow_up": _jsonable(asdict(self.follow_up)) if self.follow_up else None,
        }
        if include_transcript and self.transcript is not None:
            d["transcript"] = self.transcript.to_dict()
        return d


def record_from_dict(cls: type, data: Any) -> Any:
    """Rebuild a record (and the records inside it) from its to_dict() form: reports on disk back
    into Scorecards, e.g. for history. Unknown keys are ignored, so older readers take newer files."""
    import dataclasses
    import types
    import typing

    def build(tp: Any, value: Any) -> Any:
        if value is None:
            return None
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(tp) if a is not type(None)]
            return build(options[0], value) if len(options) == 1 else value
        if origin is list:
            (item,) = typing.get_args(tp)
            return [build(item, v) for v in value]
        if origin is tuple:
            args = typing.get_args(tp)
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(build(args[0], v) for v in value)
            return tuple(build(a, v) for a, v in zip(args, value))
        if origin is dict:
            return dict(value)
        if dataclasses.is_dataclass(tp):
            if hasattr(tp, "from_dict") and tp in (Word, Segment, Transcript):
                return tp.from_dict(value)
            hints = typing.get_type_hints(tp)
            known = {f.name for f in dataclasses.fields(tp) if f.init}
            return tp(**{k: build(hints[k], v) for k, v in value.items() if k in known})
        if tp is float:
            return float(value)
        return value

    return build(cls, data)


def _jsonable(value: Any) -> Any:
    """Tuples to lists and numpy scalars to plain Python numbers, recursively."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value
