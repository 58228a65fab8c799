"""The one rule for "is there an answer here": silence, no words, speech the recognizer could not take
for English, or a JSON file that is not a transcript.

`score`, `practice`, `interview`, `review` and `batch` all ask `check_answer` (through
`flows.pipeline.assess`, which refuses to score what fails it), so they agree on every input.

The English check reads faster-whisper's own confidence: the probability of each recognized word. The
English-only model (tiny.en) turns other languages into English-looking words it is unsure of, so a
stretch whose words it mostly doubts is not English it understood. Measured with tiny.en int8, beam 5,
VAD on (bench/answer_check.py prints the same figures); a "stretch" is one or more consecutive segments
holding at least STRETCH_WORDS words:

| speech | stretches | mean word probability | words under 0.5 |
|---|---|---|---|
| 14 referenced English clips, the other English clips in ../shared/data/speech, the sample answer | all | 0.80-0.99 | 0-25% |
| English answers synthesized by Piper and by espeak-ng (14 readings of 5 answers) | all | 0.79-0.97 | 0-13% |
| multilingual.mp3, its English half (85 words) | 1 | 0.98 | 0% |
| multilingual.mp3, its German half (97 words) | 1 | 0.65 | 31% |
| espeak-ng reading German, French, Dutch answers | all | 0.18-0.46 (per segment 0.01-0.60) | 46-100% |
| espeak-ng reading Spanish (2 words) | 1 short | 0.05 | 100% |

(espeak-ng's Italian, Polish, Russian and Hindi come out as no words at all: the "no speech" rule.)
The other signals were measured too and do not separate English from the rest on their own:
`avg_logprob` is -0.59 on the German half but down to -0.65 on short English clips; `no_speech_prob`
reaches 0.30 on espeak English and 0.38-0.61 on espeak German, French and Dutch; `compression_ratio` is
0.5-1.93 on English and 2.13 on the German half. Compression ratio is used only past Whisper's own
repetition-loop threshold (2.4), which no clip here reaches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from voicemock.records import Segment, Transcript

__all__ = [
    "STRETCH_WORDS",
    "MIN_MEAN_PROBABILITY",
    "SHORT_MIN_MEAN_PROBABILITY",
    "MAX_COMPRESSION_RATIO",
    "REJECT_SHARE",
    "AnswerCheck",
    "Stretch",
    "check_answer",
    "transcript_json_problem",
]

# Fewer words than this say too little about the language: "in 1813." (a referenced English clip)
# has 2 words at mean probability 0.70, a garbled 4-word Harvard sentence 0.64.
STRETCH_WORDS = 8
# ...unless the recognizer all but disowns them: espeak-ng's Spanish came out as 2 words at 0.05. English
# answers shorter than STRETCH_WORDS measured 0.64 and up.
SHORT_MIN_MEAN_PROBABILITY = 0.3
# English stretches measured no lower than 0.79 (espeak-ng's robotic English), non-English ones no
# higher than 0.65: the cut sits midway.
MIN_MEAN_PROBABILITY = 0.72
# Whisper's own threshold for a repetition loop (faster-whisper's compression_ratio_threshold).
MAX_COMPRESSION_RATIO = 2.4
# An answer is refused when at least this share of its words lie in doubted stretches (multilingual.mp3:
# 53%); below it the answer is scored and the report names the doubted stretches.
REJECT_SHARE = 1 / 3


_FIXES = {
    "silent": "pass the recording that holds the spoken answer (when recording, check the microphone level and --device)",
    "no-speech": "pass the recording that holds the spoken answer (when recording, check the microphone level and --device)",
    "no-words": "write the answer in it, or pass the answer's audio",
    "not-english": "voicemock scores answers spoken in English",
}


@dataclass(frozen=True)
class Stretch:
    start: float
    end: float
    words: int
    mean_probability: float
    unsure_share: float  # share of its words under probability 0.5
    compression_ratio: float

    @property
    def doubted(self) -> bool:
        if self.words < STRETCH_WORDS:
            return self.mean_probability < SHORT_MIN_MEAN_PROBABILITY
        return self.mean_probability < MIN_MEAN_PROBABILITY or self.compression_ratio > MAX_COMPRESSION_RATIO


@dataclass(frozen=True)
class AnswerCheck:
    """The verdict on one input. `kind`: "answer", "silent", "no-speech", "no-words" or "not-english"."""

    kind: str
    reason: str = ""  # why there is no answer, in words, without the input's name; "" for an answer
    caveats: tuple[str, ...] = ()  # for an answer: stretches the recognizer doubted
    stretches: tuple[Stretch, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        return self.kind == "answer"

    def message(self, source: str) -> str:
        """The one-line error for an input that holds no answer: what, why, and what to do."""
        return f"{source}: no answer to score: {self.reason}; {_FIXES.get(self.kind, '')}".rstrip("; ")

    @property
    def nothing_heard(self) -> bool:
        """Silence or no voice: the microphone, the device or the file is the likely cause."""
        return self.kind in ("silent", "no-speech")


def check_answer(transcript: Transcript, *, silent: bool = False) -> AnswerCheck:
    """Whether `transcript` holds an answer to score. `silent`: the audio had no signal at all."""
    spoken = transcript.duration_s is not None
    if silent:
        return AnswerCheck("silent", "the audio is silent (nothing louder than -60 dBFS)")
    if not transcript.text:
        if spoken:
            return AnswerCheck("no-speech", f"no speech heard in its {transcript.duration_s:g} s of audio")
        return AnswerCheck("no-words", "the transcript holds no words")
    if not transcript.words:  # typed, or a JSON transcript without word timings: nothing to doubt
        return AnswerCheck("answer")
    stretches = _stretches(transcript.segments)
    words = sum(s.words for s in stretches)
    doubted = [s for s in stretches if s.doubted]
    doubted_words = sum(s.words for s in doubted)
    if not doubted:
        return AnswerCheck("answer", stretches=stretches)
    if doubted_words >= REJECT_SHARE * words:
        mean = sum(s.mean_probability * s.words for s in doubted) / doubted_words
        return AnswerCheck(
            "not-english",
            f"the recognizer is not confident this is English ({doubted_words} of its {words} words lie in stretches it "
            f"doubts, mean word confidence {mean:.2f})",
            stretches=stretches,
        )
    caveats = tuple(
        f"transcriber unsure {_clock(s.start)}-{_clock(s.end)}: not confidently English (mean word confidence "
        f"{s.mean_probability:.2f}); scores may rest on misheard words there"
        for s in doubted
    )
    return AnswerCheck("answer", caveats=caveats, stretches=stretches)


def transcript_json_problem(data: Any) -> str | None:
    """What keeps parsed JSON from being a transcript (`voicemock transcribe --format json`), or None."""
    if not isinstance(data, dict):
        return f"it holds a JSON {type(data).__name__}, not a transcript object"
    if not isinstance(data.get("segments"), list):
        keys = ", ".join(sorted(map(str, data))[:5]) or "none"
        return f"it has no 'segments' list (its keys: {keys})"
    return None


def _stretches(segments: tuple[Segment, ...]) -> tuple[Stretch, ...]:
    """Consecutive segments joined until each stretch holds STRETCH_WORDS words; a short tail joins the
    stretch before it. An answer shorter than STRETCH_WORDS words is one short stretch."""
    groups: list[list[Segment]] = []
    current: list[Segment] = []
    for seg in segments:
        if not seg.words:
            continue
        current.append(seg)
        if sum(len(s.words) for s in current) >= STRETCH_WORDS:
            groups.append(current)
            current = []
    if current:
        if groups:
            groups[-1].extend(current)
        else:
            groups.append(current)
    out = []
    for group in groups:
        probs = [w.probability for s in group for w in s.words]
        out.append(
            Stretch(
                start=group[0].start,
                end=group[-1].end,
                words=len(probs),
                mean_probability=sum(probs) / len(probs),
                unsure_share=sum(p < 0.5 for p in probs) / len(probs),
                compression_ratio=max(s.compression_ratio for s in group),
            )
        )
    return tuple(out)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"
