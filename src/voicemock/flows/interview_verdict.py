"""How a mock loop is judged: a follow-up answer scored together with its question's answer, whether
the follow-up closed its gap, and the loop's recommendation by the rule its rubric states.

    answer + follow-up answer --join_answers--> one Answer on one timeline --assess--> Scorecard
    talking points covered only in the follow-up --mark_prompted--> prompted=True
    points --point_credit--> 0-1 (unprompted 1, prompted: the rubric's prompted_credit, missed 0; by weight)
    questions --judge_loop--> dimensions, overall, recommendation and its reasons

Nothing here reads or writes files.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from voicemock.bank.recommendation import RECOMMENDATIONS, RecommendationRule, Tier
from voicemock.errors import RubricError
from voicemock.records import FollowUp, PointCoverage, Scorecard, Segment, Transcript, Word

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.bank.rubric import Rubric
    from voicemock.flows.pipeline import Answer

__all__ = [
    "GAP_S",
    "LoopQuestion",
    "LoopVerdict",
    "follow_up_failed",
    "join_answers",
    "judge_loop",
    "mark_prompted",
    "point_credit",
    "recommendation_rule",
]

# Silence put between an answer and its follow-up answer on the joined timeline: a pause, not a gap in the words.
GAP_S = 1.0


@dataclass(frozen=True)
class LoopQuestion:
    """One question of a loop, as judged: the scorecard that counts (answer and follow-up together, when
    a follow-up was answered) and what the follow-up did."""

    id: str
    scorecard: Scorecard  # the scorecard that counts
    follow_up: FollowUp | None  # the follow-up asked and answered; None when none was
    follow_up_failed: bool | None  # None when no follow-up was answered
    failed_reason: str = ""


@dataclass(frozen=True)
class LoopVerdict:
    dimensions: list[dict]  # {key, name, weight, score (mean over the questions), scores (per question)}
    overall: float
    recommendation: str  # one of RECOMMENDATIONS
    reasons: list[str]
    measures: dict[str, float | None]  # the bars' values: passed, weakest, points, failed_follow_ups


def recommendation_rule(rubric: Rubric) -> RecommendationRule:
    if rubric.recommendation is None:
        raise RubricError(f"{rubric.path}: states no [recommendation] table, so a mock loop cannot be judged by it; "
                          "add one (copy it from rubrics/ai-pm-technical.toml) or pass --rubric ai-pm-technical")
    return rubric.recommendation


# ---------------------------------------------------------------------------- the follow-up scored with its answer


def join_answers(first: Answer, follow: Answer, gap_s: float = GAP_S) -> tuple[Answer, float]:
    """Both answers on one timeline: the follow-up's words, audio and hesitations moved to after the
    first answer and a short silence. Returns the joined answer and where the follow-up starts."""
    from voicemock.audio.files import SAMPLE_RATE, DecodedAudio
    from voicemock.flows.pipeline import Answer

    a, b = first.transcript, follow.transcript
    length = first.audio.duration_s if first.audio is not None else (a.duration_s or _last_end(a))
    offset = round(float(length) + gap_s, 3)
    shifted = tuple(
        replace(seg, id=len(a.segments) + i, start=seg.start + offset, end=seg.end + offset,
                words=tuple(Word(w.start + offset, w.end + offset, w.word, w.probability) for w in seg.words))
        for i, seg in enumerate(b.segments)
    )
    # The first answer's last sentence ends here, whatever Whisper's punctuation: the sentences stay apart.
    segments = _closed(a.segments) + shifted
    duration = offset + (b.duration_s or _last_end(b)) if a.duration_s is not None else None
    transcript = replace(
        a, source=f"{a.source} + {b.source}", segments=segments, duration_s=duration,
        duration_after_vad_s=None, speech_spans=a.speech_spans + tuple((s + offset, e + offset) for s, e in b.speech_spans),
        warnings=a.warnings + b.warnings,
    )
    audio = None
    if first.audio is not None and follow.audio is not None:
        pad = np.zeros(int(round(offset * SAMPLE_RATE)) - first.audio.samples.shape[0], dtype=np.float32)
        audio = DecodedAudio(np.concatenate([first.audio.samples, pad, follow.audio.samples]), transcript.source)
    hesitations = None
    if first.hesitations is not None and follow.hesitations is not None:
        hesitations = list(first.hesitations) + [replace(h, start=h.start + offset, end=h.end + offset) for h in follow.hesitations]
    return Answer(transcript=transcript, audio=audio, hesitations=hesitations), offset


def _last_end(t: Transcript) -> float:
    return max((s.end for s in t.segments), default=0.0)


def _closed(segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
    if not segments or segments[-1].text.rstrip().endswith((".", "?", "!")):
        return segments
    return segments[:-1] + (replace(segments[-1], text=segments[-1].text.rstrip() + "."),)


def mark_prompted(first: list[PointCoverage], together: list[PointCoverage], follow_up_starts: float) -> list[PointCoverage]:
    """The points of the answer and follow-up scored together, a point made only in the follow-up marked
    prompted. A point the first answer made stays made as it was, unprompted."""
    before = {p.point: p for p in first}
    out = []
    for p in together:
        alone = before.get(p.point)
        if alone is not None and alone.covered:
            out.append(replace(alone, prompted=False))
        elif p.covered and p.evidence is not None and p.evidence.start is not None and p.evidence.start < follow_up_starts:
            out.append(replace(p, prompted=False))  # said in the first answer after all (sentences split alike)
        else:
            out.append(replace(p, prompted=p.covered))
    return out


def point_credit(points: list[PointCoverage], prompted_credit: float) -> float | None:
    """Talking-point credit, 0-1 by weight: unprompted 1, prompted `prompted_credit`, missed 0. None: no points."""
    total = sum(p.weight for p in points)
    if not total:
        return None
    return round(sum(p.weight * _credit(p, prompted_credit) for p in points) / total, 3)


def _credit(p: PointCoverage, prompted_credit: float) -> float:
    return 0.0 if not p.covered else (prompted_credit if p.prompted else 1.0)


def follow_up_failed(follow_up: FollowUp, together: Scorecard, rubric: Rubric) -> tuple[bool, str]:
    """Whether the follow-up answer left open the gap the follow-up aimed at, and why, in one line.

    A talking point: still not made. A dimension: still below the pass rule's min_dimension. Anything
    else: the question still fails the pass rule."""
    target = follow_up.target.strip()
    for p in together.talking_points:
        if p.point.strip().lower() == target.lower():
            if p.covered:
                return False, f"the point was made after the prompt: {p.point}"
            return True, f"the point was still not made: {p.point}"
    for d in together.dimensions:
        if target in (d.key, d.name):
            floor = rubric.pass_rule.min_dimension
            if d.score >= floor:
                return False, f"{d.name} reached {d.score:.1f} (the floor is {floor:g})"
            return True, f"{d.name} stayed at {d.score:.1f}, below the floor of {floor:g}"
    if together.passed:
        return False, "the question passes with the follow-up answer"
    return True, "the question still fails the pass rule with the follow-up answer"


# ---------------------------------------------------------------------------- the loop


def judge_loop(questions: list[LoopQuestion], rubric: Rubric) -> LoopVerdict:
    """The loop's dimensions, overall and recommendation, with the reasons the rubric's rule gives."""
    rule = recommendation_rule(rubric)
    if not questions:
        raise ValueError("a loop needs at least one question")
    cards = [q.scorecard for q in questions]
    dimensions = []
    for dim in rubric.dimensions:
        scores = [next((d.score for d in c.dimensions if d.key == dim.key), None) for c in cards]
        scores = [s for s in scores if s is not None]
        if scores:
            dimensions.append({"key": dim.key, "name": dim.name, "weight": dim.weight,
                               "score": round(statistics.fmean(scores), 2), "scores": scores})
    weakest = min(dimensions, key=lambda d: d["score"]) if dimensions else None
    overall = round(statistics.fmean(c.overall for c in cards), 2)
    passed = sum(c.passed for c in cards)
    points = [p for c in cards for p in c.talking_points]
    credit = point_credit(points, rule.prompted_credit)
    asked = [q for q in questions if q.follow_up_failed is not None]
    failed = [q for q in asked if q.follow_up_failed]
    measures = {
        "passed": round(passed / len(cards), 3),
        "weakest": weakest["score"] if weakest else None,
        "points": credit,
        "failed_follow_ups": round(len(failed) / len(asked), 3) if asked else 0.0,
    }
    verdict, missed = _first_tier_met(rule, measures)

    per_question = "; ".join(
        f"{q.id} {'passes' if q.scorecard.passed else 'fails'} ({q.scorecard.overall:.1f})" for q in questions)
    reasons = [f"Pass rule per question ({rubric.pass_rule.describe()}): {passed} of {len(cards)} pass: {per_question}."]
    if weakest:
        reasons.append(f"Weakest dimension across the loop: {weakest['name']} at {weakest['score']:.1f}.")
    if credit is None:
        reasons.append("Talking points: the questions have none, so that bar was not checked.")
    else:
        made = sum(p.covered for p in points)
        prompted = sum(p.covered and p.prompted for p in points)
        reasons.append(f"Talking points: {made} of {len(points)} made, {prompted} of them only after a follow-up "
                       f"(counted at {rule.prompted_credit:g}): credit {credit:.0%}.")
    if asked:
        detail = "; ".join(f"{q.id}: {q.failed_reason}" for q in failed)
        reasons.append(f"Follow-ups failed: {len(failed)} of {len(asked)}" + (f" ({detail})." if detail else "."))
    else:
        reasons.append("Follow-ups failed: none were answered, so none failed.")
    reasons.append(f"{verdict.capitalize()}: " + (missed or "every bar of it is met."))
    return LoopVerdict(dimensions, overall, verdict, reasons, measures)


def _first_tier_met(rule: RecommendationRule, measures: dict[str, float | None]) -> tuple[str, str]:
    """The first tier whose bars are all met, and what kept the loop from the tier above it."""
    above_missed = ""
    for tier in rule.tiers:
        misses = _misses(tier, measures)
        if not misses:
            return tier.verdict, (f"every bar of it is met; not {above_missed}" if above_missed else "")
        above_missed = f"{tier.verdict}, which needs {', '.join(misses)}."
    return RECOMMENDATIONS[-1], f"no tier's bars are met; not {above_missed}"


def _misses(tier: Tier, measures: dict[str, float | None]) -> list[str]:
    out = []
    for name, bar in tier.bars.items():
        value = measures.get(name)
        if value is None:
            continue  # not measurable in this loop (no talking points): the bar is not checked
        met = value >= bar - 1e-9 if name != "failed_follow_ups" else value <= bar + 1e-9
        if not met:
            out.append(Tier(tier.verdict, {name: bar}).describe() + f" (this loop: {_fmt(name, value)})")
    return out


def _fmt(name: str, value: float) -> str:
    return f"{value:.1f}" if name == "weakest" else f"{value:.0%}"
