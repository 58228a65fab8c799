"""Speech to a Transcript with word timestamps, on the machine, with faster-whisper."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from voicemock.audio.files import SAMPLE_RATE, DecodedAudio, load_audio
from voicemock.records import Segment, Transcript, Word
from voicemock.speech.model import load_model, resolve_model

__all__ = ["TranscribeOptions", "transcribe_file", "transcribe_audio", "detect_speech"]

logger = logging.getLogger(__name__)

NO_SPEECH_WARNING = "no speech detected: the transcript is empty"
# Below this length an answer fits one or two 30 s windows, where batching has nothing to batch.
BATCHED_MIN_S = 40.0


@dataclass(frozen=True)
class TranscribeOptions:
    """Tunables, with the defaults every command uses.

    model: a faster-whisper name or a model folder; None means VOICEMOCK_MODEL, then the embedded tiny.en.
    beam_size: 5 is Whisper's own default; 1 is ~30% faster and ~2 WER points worse here.
    vad: Silero VAD skips non-speech (and stops Whisper inventing words in silence); timestamps stay
        on the original timeline.
    word_timestamps: needed by delivery (pace, pauses) and by evidence spans.
    cpu_threads: 0 means one per available core.
    initial_prompt: text that primes Whisper's vocabulary (e.g. domain terms).
    batched: decode VAD chunks in batches (faster-whisper's BatchedInferencePipeline). None picks by
        length: measured here, batching halves the time of long inputs (201 s: 11.8 s -> 5.9 s) and
        lowers WER on long_ref.wav (6.3% -> 5.7%), while inputs under BATCHED_MIN_S fit one 30 s window
        and gain nothing. bench/transcribe.py prints both paths.
    batch_size: VAD chunks decoded together; 8 is faster-whisper's own choice for CPUs.
    """

    model: str | None = None
    beam_size: int = 5
    vad: bool = True
    word_timestamps: bool = True
    language: str = "en"
    cpu_threads: int = 0
    initial_prompt: str | None = None
    channel: str | None = None  # "L" or "R" for one side of a stereo file
    batched: bool | None = None
    batch_size: int = 8

    def use_batched(self, duration_s: float) -> bool:
        if not self.vad:
            return False  # the batched pipeline needs VAD chunks
        return self.batched if self.batched is not None else duration_s >= BATCHED_MIN_S


def transcribe_file(path: str | Path, options: TranscribeOptions = TranscribeOptions()) -> Transcript:
    """Decode `path` (any format, rate and channel count) and transcribe it."""
    decoded = load_audio(path, channel=options.channel)
    return transcribe_audio(decoded, options)


def detect_speech(samples: np.ndarray) -> list[dict]:
    """Silero VAD speech chunks, in samples, with faster-whisper's default settings."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return get_speech_timestamps(samples, VadOptions(), sampling_rate=SAMPLE_RATE)


def transcribe_audio(decoded: DecodedAudio, options: TranscribeOptions = TranscribeOptions()) -> Transcript:
    spec = resolve_model(options.model)
    empty = Transcript(
        source=decoded.source,
        language=options.language,
        duration_s=decoded.duration_s,
        segments=(),
        model=spec.label,
        duration_after_vad_s=0.0,
        warnings=(*decoded.warnings, NO_SPEECH_WARNING),
    )
    if decoded.is_silent:
        # Said once, by whoever shows the transcript's warnings (or refuses it as no answer), not logged too.
        logger.debug("%s: silent audio", decoded.source)
        return empty

    model = load_model(spec, cpu_threads=options.cpu_threads)
    if options.use_batched(decoded.duration_s):
        return _transcribe_batched(model, decoded, options, empty)
    samples = decoded.samples
    speech_chunks: list[dict] = []
    if options.vad:
        # VAD runs here rather than inside faster-whisper so its speech spans can be kept (delivery
        # uses them to find hesitations Whisper dropped) without running it twice. The steps mirror
        # WhisperModel.transcribe(vad_filter=True) exactly.
        from faster_whisper.vad import collect_chunks

        speech_chunks = detect_speech(samples)
        if not speech_chunks:
            return empty
        chunks, _ = collect_chunks(samples, speech_chunks)
        samples = np.concatenate(chunks, axis=0)

    raw_segments, info = model.transcribe(
        samples,
        language=options.language,
        beam_size=options.beam_size,
        word_timestamps=options.word_timestamps,
        vad_filter=False,
        initial_prompt=options.initial_prompt,
    )
    if speech_chunks:
        from faster_whisper.transcribe import restore_speech_timestamps

        raw_segments = restore_speech_timestamps(raw_segments, speech_chunks, SAMPLE_RATE)

    segments = tuple(_segment(i, s) for i, s in enumerate(raw_segments))
    warnings = decoded.warnings + (() if segments else (NO_SPEECH_WARNING,))
    spans = tuple((round(c["start"] / SAMPLE_RATE, 3), round(c["end"] / SAMPLE_RATE, 3)) for c in speech_chunks)
    return replace(
        empty,
        segments=segments,
        duration_after_vad_s=round(float(info.duration), 3),
        speech_spans=spans,
        warnings=warnings,
    )


def _transcribe_batched(model, decoded: DecodedAudio, options: TranscribeOptions, empty: Transcript) -> Transcript:
    # The pipeline runs its own VAD (finer: 160 ms minimum silence, 30 s maximum chunk) and maps
    # word times back to the original timeline itself. Its speech spans are not exposed, and running
    # VAD a second time to get them would cost ~10% of the batched time, so speech_spans stays empty.
    raw_segments, info = _batched_pipeline(model).transcribe(
        decoded.samples,
        language=options.language,
        beam_size=options.beam_size,
        word_timestamps=options.word_timestamps,
        batch_size=options.batch_size,
        initial_prompt=options.initial_prompt,
        vad_filter=True,
    )
    segments = tuple(_segment(i, s) for i, s in enumerate(raw_segments))
    return replace(
        empty,
        segments=segments,
        duration_after_vad_s=round(float(info.duration_after_vad), 3),
        warnings=decoded.warnings + (() if segments else (NO_SPEECH_WARNING,)),
    )


@lru_cache(maxsize=4)
def _batched_pipeline(model):
    from faster_whisper import BatchedInferencePipeline

    return BatchedInferencePipeline(model)


def _segment(index: int, s) -> Segment:
    words = tuple(
        Word(start=round(float(w.start), 3), end=round(float(w.end), 3), word=w.word, probability=round(float(w.probability), 3))
        for w in (s.words or ())
    )
    return Segment(
        id=index,
        start=round(float(s.start), 3),
        end=round(float(s.end), 3),
        text=s.text,
        words=words,
        avg_logprob=round(float(s.avg_logprob), 3),
        no_speech_prob=round(float(s.no_speech_prob), 3),
        compression_ratio=round(float(s.compression_ratio), 3),
    )
