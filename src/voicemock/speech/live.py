"""Transcribing while the candidate speaks, so the report is ready moments after the take ends.

The recorder hands every block it has written to disk to `LiveTranscriber.feed` (a queue put: the
recording path never waits on Whisper). A background thread keeps the audio since the last cut,
resampled to 16 kHz, and asks Silero VAD where speech is. When a stretch of speech is closed by
enough silence, and is long enough to give Whisper context, the thread cuts in that silence and
transcribes the stretch. When the take ends, `finish` transcribes only what is left after the last
cut and joins the pieces into one Transcript on the recording's timeline.

Cuts fall in silence, so a word is never split; each piece is decoded the way the offline path
decodes a short file (VAD on, sequential), so the joined text matches the offline transcript of the
same audio within WER noise (bench/latency.py measures both).
"""

from __future__ import annotations

from collections.abc import Callable

import logging
import queue
import threading
from dataclasses import replace
from math import gcd

import numpy as np

from voicemock.audio.files import SAMPLE_RATE, DecodedAudio
from voicemock.records import Hesitation, Segment, Transcript, Word
from voicemock.speech.transcribe import NO_SPEECH_WARNING, TranscribeOptions, transcribe_audio

__all__ = ["LiveTranscriber", "shift_transcript"]

logger = logging.getLogger(__name__)

# A piece is cut only after this much audio, so Whisper has a few sentences of context...
MIN_PIECE_S = 4.0
# ...and at a silence at least this long (what a speaker leaves between sentences).
CUT_SILENCE_S = 0.5
# Past this, cut at the longest silence there is: Whisper decodes 30 s windows.
MAX_PIECE_S = 28.0
# How much new audio arrives between two looks for a cut.
CHECK_EVERY_S = 0.5


def shift_transcript(piece: Transcript, offset_s: float) -> tuple[tuple[Segment, ...], tuple[tuple[float, float], ...]]:
    """A piece's segments and speech spans moved onto the whole take's timeline."""

    def t(x: float) -> float:
        return round(x + offset_s, 3)

    segments = tuple(
        replace(
            s,
            start=t(s.start),
            end=t(s.end),
            words=tuple(Word(start=t(w.start), end=t(w.end), word=w.word, probability=w.probability) for w in s.words),
        )
        for s in piece.segments
    )
    spans = tuple((t(a), t(b)) for a, b in piece.speech_spans)
    return segments, spans


class LiveTranscriber:
    """Feed blocks at the device's rate as they are recorded; `finish` returns the Transcript."""

    def __init__(
        self,
        input_rate: int,
        options: TranscribeOptions = TranscribeOptions(),
        source: str = "<live>",
        *,
        detect_hesitations: bool = True,
        on_piece: Callable[[Transcript], None] | None = None,
    ):
        self.input_rate = int(input_rate)
        # Called in the live thread with each piece's transcript, e.g. to encode its sentences while
        # the candidate is still speaking, so scoring finds them ready when the take ends.
        self.on_piece = on_piece
        # Delivery's hesitation detector asks Whisper about isolated voiced bursts; doing it piece by
        # piece here leaves only the last piece's to do when the take ends.
        self.detect_hesitations = detect_hesitations
        self.hesitations: list[Hesitation] = []
        # Pieces are short: decode them the way a short file is decoded.
        self.options = replace(options, batched=False)
        self.source = source
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue()
        self._pending: list[np.ndarray] = []  # device-rate mono audio since the last cut
        self._pending_frames = 0
        self._offset_frames = 0  # device-rate frames before the last cut
        self._segments: list[Segment] = []
        # The take at 16 kHz, piece by piece: delivery measures pauses on it when the take ends.
        self._audio16: list[np.ndarray] = []
        self._spans: list[tuple[float, float]] = []
        self._pieces = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="voicemock-live", daemon=True)
        self._thread.start()

    # -- the recorder's side: never blocks

    def feed(self, block: np.ndarray) -> None:
        """A block of float samples in [-1, 1], or of 16-bit integers as PortAudio gives them."""
        samples = block.astype(np.float32) / 32768.0 if block.dtype == np.int16 else block.astype(np.float32, copy=False)
        self._queue.put(samples.mean(axis=1) if samples.ndim == 2 else samples)

    # -- the worker

    def _run(self) -> None:
        since_check = 0
        try:
            while True:
                block = self._queue.get()
                if block is None:
                    return
                self._pending.append(block)
                self._pending_frames += block.shape[0]
                since_check += block.shape[0]
                if since_check >= CHECK_EVERY_S * self.input_rate:
                    since_check = 0
                    self._maybe_cut()
        except BaseException as exc:  # surfaced by finish(); the recording itself is unaffected
            logger.exception("live transcription failed")
            self._error = exc

    def _maybe_cut(self) -> None:
        if self._pending_frames < MIN_PIECE_S * self.input_rate:
            return
        # Joined once per look, and kept joined, so the next look does not join the same blocks again.
        whole = np.concatenate(self._pending)
        self._pending = [whole]
        audio16 = self._resampled(whole)
        cut16 = self._find_cut(audio16)
        if cut16 is None:
            return
        cut_frames = min(int(round(cut16 * self.input_rate / SAMPLE_RATE)), self._pending_frames)
        self._transcribe_piece(audio16[:cut16])
        rest = whole[cut_frames:]
        self._offset_frames += cut_frames
        self._pending = [rest] if rest.size else []
        self._pending_frames = rest.shape[0]

    def _find_cut(self, audio16: np.ndarray) -> int | None:
        """A sample index in a closed silence, or None to wait for more audio."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        chunks = get_speech_timestamps(
            audio16,
            VadOptions(min_silence_duration_ms=int(CUT_SILENCE_S * 1000), speech_pad_ms=100),
            sampling_rate=SAMPLE_RATE,
        )
        n = audio16.shape[0]
        min_piece = int(MIN_PIECE_S * SAMPLE_RATE)
        # Gaps between speech chunks, and after the last chunk if speech has stopped since.
        gaps = [(a["end"], b["start"]) for a, b in zip(chunks, chunks[1:])]
        if chunks and n - chunks[-1]["end"] >= CUT_SILENCE_S * SAMPLE_RATE:
            gaps.append((chunks[-1]["end"], n))
        if not chunks and n >= MAX_PIECE_S * SAMPLE_RATE:
            return n  # nothing but silence so far: let it go
        usable = [(a, b) for a, b in gaps if (a + b) // 2 >= min_piece]
        if usable:
            a, b = usable[-1]  # the latest: the longest piece that still ends in silence
            return (a + b) // 2
        if n >= MAX_PIECE_S * SAMPLE_RATE and gaps:
            a, b = max(gaps, key=lambda g: g[1] - g[0])
            return (a + b) // 2
        return None

    def _resampled(self, audio: np.ndarray) -> np.ndarray:
        if self.input_rate == SAMPLE_RATE:
            return audio.astype(np.float32, copy=False)
        from scipy.signal import resample_poly

        g = gcd(self.input_rate, SAMPLE_RATE)
        return resample_poly(audio, SAMPLE_RATE // g, self.input_rate // g).astype(np.float32)

    def _transcribe_piece(self, audio16: np.ndarray) -> None:
        if audio16.size == 0:
            return
        self._audio16.append(audio16)
        offset_s = self._offset_frames / self.input_rate
        decoded = DecodedAudio(samples=audio16, source=self.source)
        piece = transcribe_audio(decoded, self.options)
        segments, spans = shift_transcript(piece, offset_s)
        if self.detect_hesitations and not decoded.is_silent:
            from voicemock.speech.hesitations import find_hesitations

            found = find_hesitations(decoded, piece.words, whisper=self.options)
            self.hesitations.extend(
                Hesitation(start=round(h.start + offset_s, 3), end=round(h.end + offset_s, 3), kind=h.kind) for h in found
            )
        base = len(self._segments)
        self._segments.extend(replace(s, id=base + i) for i, s in enumerate(segments))
        self._spans.extend(spans)
        self._pieces += 1
        logger.debug("live piece %d at %.1f s: %d segments", self._pieces, offset_s, len(segments))
        if self.on_piece is not None and piece.words:
            try:
                self.on_piece(piece)
            except Exception:  # a head start only: what it failed to do is done again after the take
                logger.warning("live: preparing a piece for scoring failed; it is done after the take", exc_info=True)

    # -- the end of the take

    def finish(self, source: str | None = None) -> Transcript:
        """Transcribe what is left after the last cut; the whole take's Transcript."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        tail = np.concatenate(self._pending) if self._pending else np.zeros(0, dtype=np.float32)
        self._transcribe_piece(self._resampled(tail))
        total_s = round((self._offset_frames + self._pending_frames) / self.input_rate, 3)
        segments = tuple(self._segments)
        from voicemock.speech.model import resolve_model

        return Transcript(
            source=source or self.source,
            language=self.options.language,
            duration_s=total_s,
            segments=segments,
            model=resolve_model(self.options.model).label,
            duration_after_vad_s=round(sum(b - a for a, b in self._spans), 3),
            speech_spans=tuple(self._spans),
            warnings=() if segments else (NO_SPEECH_WARNING,),
        )

    def audio(self, source: str | None = None) -> DecodedAudio:
        """The whole take at 16 kHz, as transcribed (call after `finish`)."""
        samples = np.concatenate(self._audio16) if self._audio16 else np.zeros(0, dtype=np.float32)
        return DecodedAudio(samples=samples, source=source or self.source)

    def abandon(self) -> None:
        """Stop the worker without transcribing the rest (the take failed)."""
        self._queue.put(None)
        self._thread.join(timeout=30)

    @property
    def pieces(self) -> int:
        return self._pieces
