"""Hesitations Whisper dropped, found on the audio itself; and the short-time energy measurements
that delivery uses to put pause edges and the first word where the sound really is.

Whisper (tiny.en above all) leaves filled pauses ("um", "uh") out of its text even when prompted,
and stretches the next word's timestamps over them. So this detector does not trust the word
timeline. It looks at the audio for short stretches of voiced sound that stand on their own (silence
on both sides, under ~1.2 s: the shape of a filled pause), then asks Whisper again about just those
stretches, cut out and primed with a prompt full of fillers. Stretches it then hears as "um", "uh",
"hmm" or "er" are hesitations. What it cannot see: a filler fused into running speech with no gap,
and a filler Whisper hears as a word even when asked about it alone. bench/delivery.py measures both.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np

from voicemock.audio.files import SAMPLE_RATE, DecodedAudio
from voicemock.records import Hesitation, Span, Word
from voicemock.speech.transcribe import TranscribeOptions

__all__ = [
    "FRAME_S",
    "AudioActivity",
    "HesitationOptions",
    "FILLER_PROMPT",
    "measure_activity",
    "find_hesitations",
    "is_filled_pause_token",
]

logger = logging.getLogger(__name__)

FRAME_S = 0.01  # hop between analysis frames
_WIN = 400  # 25 ms analysis window at 16 kHz
_HOP = int(FRAME_S * SAMPLE_RATE)
# A frame's verdict belongs to its window's centre (12.5 ms in), less half a hop: frame i covers
# [i*10 + 7.5, i*10 + 17.5) ms. Without this every edge lands ~10 ms early.
_OFFSET_S = (_WIN / 2 - _HOP / 2) / SAMPLE_RATE

# Primes Whisper to write fillers instead of leaving them out. Measured on isolated Piper fillers:
# without it "uh" and "er" come out as "Yeah." or "Alright."; with it, as "uh...".
FILLER_PROMPT = "Umm, let me think like, hmm... Okay, uh, so"

_FILLED_PAUSE = re.compile(r"^(u+h+m*|u+m+|h+m+|m+h*m+|e+r+m*|e+h+|a+h+|uhm+)$")
# What Whisper writes when asked about a lone "uh" (measured on Piper fillers): "Ew.", "Ooh,", "Psss".
# Only used on a stretch cut out on its own, where such a sound is not part of a sentence.
_NON_WORD = re.compile(r"^(e+w+|o+h+|o+o+h*|w?h?o+o+|h+u+h+|p?s{2,}h*|s+h+|a)$")


def is_filled_pause_token(token: str) -> bool:
    """'um', 'Umm,', 'uh...', 'hmm', 'er', 'erm', 'ah': a filled pause as Whisper spells one."""
    return bool(_FILLED_PAUSE.match(re.sub(r"[^a-z]", "", token.lower())))


@dataclass(frozen=True)
class AudioActivity:
    """Frame-level loudness and voicing of one recording, and where sound is above the floor."""

    energy_db: np.ndarray  # per frame, dB relative to full scale
    voicing: np.ndarray | None  # per frame, 0-1 peak of the normalised autocorrelation in the pitch range; None if not measured
    active: np.ndarray  # per frame, bool: louder than the threshold
    threshold_db: float
    floor_db: float
    duration_s: float

    def frame(self, t: float) -> int:
        return int(np.clip(round((t - _OFFSET_S) / FRAME_S), 0, len(self.active)))

    def runs(self, start: float = 0.0, end: float | None = None, *, active: bool = True) -> list[Span]:
        """Stretches of sound (active=True) or silence (False) within [start, end], in seconds."""
        lo, hi = self.frame(start), self.frame(self.duration_s if end is None else end)
        mask = self.active[lo:hi] if active else ~self.active[lo:hi]
        spans = []
        for a, b in _true_runs(mask):
            spans.append(Span(round((lo + a) * FRAME_S + _OFFSET_S, 3), round((lo + b) * FRAME_S + _OFFSET_S, 3)))
        return spans

    def voiced_fraction(self, span: Span) -> float:
        lo, hi = self.frame(span.start), self.frame(span.end)
        if hi <= lo:
            return 0.0
        return float(np.mean(self.voicing[lo:hi] > 0.5))


def measure_activity(audio: DecodedAudio, *, with_voicing: bool = True) -> AudioActivity:
    """Short-time energy and voicing, and a sound/silence mask with a threshold set per recording.

    The threshold sits 9 dB above the recording's own floor (its 10th-percentile frame) but never
    more than 45 dB below its loud speech: quiet fillers in a clean headset recording (the AMI
    clip's "um" is 30 dB below the speech) stay sound; room hum stays silence.
    `with_voicing=False` skips the voicing measure (only the hesitation detector needs it): half the time.
    """
    x = np.asarray(audio.samples, dtype=np.float32)
    n = max(0, (len(x) - _WIN) // _HOP + 1)
    if n == 0:
        empty = np.zeros(0)
        return AudioActivity(empty, empty, empty.astype(bool), 0.0, 0.0, audio.duration_s)
    # A strided view, not fancy indexing: no index array as large as the frames themselves.
    frames = np.lib.stride_tricks.sliding_window_view(x, _WIN)[::_HOP][:n] * np.hanning(_WIN).astype(np.float32)
    power = np.mean(frames**2, axis=1)
    energy_db = 10 * np.log10(power + 1e-10)
    voicing = _voicing(frames) if with_voicing else None
    floor_db = float(np.percentile(energy_db, 10))
    peak_db = float(np.percentile(energy_db, 98))
    threshold = max(floor_db + 9.0, peak_db - 45.0)
    active = energy_db > threshold
    active = _fill_gaps(active, max_gap=6)  # plosive closures under 60 ms are not silence
    active = _drop_short(active, min_len=5, keep_within=15)  # lone clicks under 50 ms are not speech
    return AudioActivity(energy_db, voicing, active, threshold, floor_db, audio.duration_s)


def _voicing(frames: np.ndarray) -> np.ndarray:
    """Peak normalised autocorrelation at lags of 70-400 Hz pitch: near 1 for vowels and hums."""
    # scipy.fft keeps float32 and uses every core: ten times faster than numpy.fft on a long take,
    # which is time the candidate spends waiting for the report.
    from scipy import fft

    spec = fft.rfft(frames, n=2 * _WIN, axis=1, workers=-1)
    ac = fft.irfft(np.abs(spec) ** 2, axis=1, workers=-1)[:, :_WIN]
    lo, hi = SAMPLE_RATE // 400, SAMPLE_RATE // 70
    # Divide by the window's own overlap so long lags are not penalised.
    norm = np.arange(_WIN, 0, -1)[lo:hi] / _WIN
    peak = np.max(ac[:, lo:hi] / norm, axis=1)
    return np.clip(peak / (ac[:, 0] + 1e-12), 0.0, 1.0)


def _true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    if mask.size == 0:
        return []
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.diff(padded)
    return list(zip(np.nonzero(edges == 1)[0].tolist(), np.nonzero(edges == -1)[0].tolist()))


def _fill_gaps(mask: np.ndarray, max_gap: int) -> np.ndarray:
    out = mask.copy()
    runs = _true_runs(~mask)
    for a, b in runs:
        if a > 0 and b < len(mask) and b - a <= max_gap:
            out[a:b] = True
    return out


def _drop_short(mask: np.ndarray, min_len: int, keep_within: int) -> np.ndarray:
    """Drop sound runs shorter than `min_len` frames, unless they follow other sound within
    `keep_within` frames: the release of a final "k" or "t" after its closure belongs to the word
    (dropping it put pause starts ~0.1 s early)."""
    out = mask.copy()
    prev_end = None
    for a, b in _true_runs(mask):
        if b - a < min_len:
            if prev_end is not None and a - prev_end <= keep_within:
                out[prev_end:b] = True
            else:
                out[a:b] = False
                continue
        prev_end = b
    return out


@dataclass(frozen=True)
class HesitationOptions:
    """Tunables of the hesitation detector, with the defaults bench/delivery.py measured.

    min_s / max_s: length of a stretch that may be a filled pause (Piper's are 0.15-0.45 s, people's
        0.2-1 s); longer stretches are phrases.
    min_gap_s: silence needed on each side for a stretch to stand on its own.
    min_voiced: share of voiced frames; "um" and "uh" are voiced throughout, breaths are not.
    prompt: what Whisper is primed with when asked about the stretches.
    """

    min_s: float = 0.12
    max_s: float = 1.2
    min_gap_s: float = 0.08
    min_voiced: float = 0.4
    prompt: str = FILLER_PROMPT
    pad_s: float = 0.5


def find_hesitations(
    audio: DecodedAudio,
    words: list[Word],
    *,
    activity: AudioActivity | None = None,
    whisper: TranscribeOptions | None = None,
    options: HesitationOptions = HesitationOptions(),
) -> list[Hesitation]:
    """Filled pauses heard in the audio that the transcript's words do not already name.

    `words` is the transcript's word list: stretches where it already has a filler are skipped so a
    filler is never counted twice. `whisper` is the answer's own transcribe options, so the pass runs on
    the model (and thread count) that transcribed the answer, never a second one. Costs one extra Whisper pass over the candidate stretches only
    (silence-padded, a few seconds of audio for a two-minute answer).
    """
    if activity is None or activity.voicing is None:
        activity = measure_activity(audio)
    candidates = _isolated_voiced(activity, options)
    already = [w for w in words if is_filled_pause_token(w.word)]
    candidates = [c for c in candidates if not any(_overlap(c, Span(w.start, w.end)) > 0 for w in already)]
    if not candidates:
        return []
    heard = _ask_whisper(audio, candidates, whisper_options=whisper or TranscribeOptions(), options=options)
    found = []
    for span, tokens in zip(candidates, heard):
        kind = _kind(tokens)
        logger.debug("candidate %.2f-%.2f heard as %s: %s", span.start, span.end, tokens, kind)
        if kind:
            found.append(Hesitation(start=span.start, end=span.end, kind=kind))
    return found


def _kind(tokens: list[str]) -> str | None:
    """A filled pause when Whisper, asked about the stretch alone, hears only filler sounds in it;
    a voiced non-word when it hears nothing at all in a voiced sound; else a word (None)."""
    if not tokens:
        return "voiced_non_word"
    norms = [re.sub(r"[^a-z]", "", t.lower()) for t in tokens]
    if all(n and (is_filled_pause_token(n) or _NON_WORD.match(n)) for n in norms):
        return "filled_pause_unwritten"
    return None


def _isolated_voiced(activity: AudioActivity, options: HesitationOptions) -> list[Span]:
    runs = activity.runs()
    out = []
    for i, run in enumerate(runs):
        if not options.min_s <= run.duration <= options.max_s:
            continue
        gap_before = run.start - runs[i - 1].end if i > 0 else run.start
        gap_after = runs[i + 1].start - run.end if i + 1 < len(runs) else activity.duration_s - run.end
        if gap_before < options.min_gap_s or gap_after < options.min_gap_s:
            continue
        if activity.voiced_fraction(run) < options.min_voiced:
            continue
        out.append(run)
    return out


def _overlap(a: Span, b: Span) -> float:
    return max(0.0, min(a.end, b.end) - max(a.start, b.start))


def _ask_whisper(
    audio: DecodedAudio, spans: list[Span], *, whisper_options: TranscribeOptions, options: HesitationOptions
) -> list[list[str]]:
    """What Whisper hears in each stretch alone: the stretches laid end to end with silence between,
    one pass with word timestamps, each word given back to the stretch its middle falls in."""
    from voicemock.speech.model import load_model, resolve_model

    pad = np.zeros(int(options.pad_s * SAMPLE_RATE), dtype=np.float32)
    pieces, windows, t = [], [], 0.0
    for span in spans:
        cut = audio.samples[int(span.start * SAMPLE_RATE) : int(span.end * SAMPLE_RATE)]
        # Each stretch brought to the same level, so a quiet "um" is heard like a loud one.
        peak = float(np.max(np.abs(cut))) if cut.size else 0.0
        cut = cut * (0.5 / peak) if peak > 0 else cut
        pieces += [pad, cut.astype(np.float32), pad]
        windows.append((t, t + 2 * options.pad_s + span.duration))
        t += 2 * options.pad_s + span.duration
    clip = np.concatenate(pieces)
    whisper = load_model(resolve_model(whisper_options.model), whisper_options.cpu_threads)
    segments, _ = whisper.transcribe(
        clip,
        language="en",
        beam_size=5,
        word_timestamps=True,
        vad_filter=False,
        initial_prompt=options.prompt,
        condition_on_previous_text=False,
    )
    heard: list[list[str]] = [[] for _ in spans]
    for seg in segments:
        for w in seg.words or ():
            mid = (w.start + w.end) / 2
            for i, (a, b) in enumerate(windows):
                if a <= mid < b:
                    heard[i].append(w.word.strip())
                    break
    return heard
