"""From sentence signals to a rubric scorecard: per-dimension 1-5 scores with their evidence.

How an answer is scored
-----------------------
1. The transcript is split into sentences (with times when it came from audio). Near-duplicate
   sentences (word-set Jaccard >= 0.8) are counted once: saying a strong sentence ten times earns
   what saying it once earns, and every answer-level figure below is computed on the de-duplicated text.
   Steps 1-2 and the relevance of step 5 are gathered in assess/evidence.py.
2. The classifier gives each sentence a calibrated probability per label (`applied:strong`, ...).
   Each sentence is weighted by its *form*: a string of terms with no function words ("precision
   recall drift guardrails"), or a two-word fragment, counts for little however many buzzwords it has.
3. Per signal dimension d: S_d = sum of weight * p(d:strong), W_d = the same for weak. Both saturate:
   pos_d = 1 - exp(-S_d / tau), neg_d = 1 - exp(-W_d / tau), so the third strong sentence adds less
   than the first and stuffing a dimension buys little.
4. raw_d = b_d . [1, pos_d, neg_d, substance, mean pos over dimensions, mean neg over dimensions],
   where substance is the share of 120 content words the de-duplicated answer reaches (saturating
   at 1); the two means carry the answer's general quality, which panels' scores share across dimensions.
5. Hard caps that no fitted number and no level can lift (robustness by design, not learned):
   - substance: an answer with n content words scores at most 1.5 + 3.5 * min(1, n / 80);
   - textbook: when the answer holds less than one sentence's worth of applying knowledge to the
     scenario (its applied:strong mass, sum of weight x size x p, plus the production:strong mass of
     sentences that state a figure: application_mass), Applied Reasoning is capped at 2.5, as seed
     000 scores a recited-but-unapplied answer;
   - relevance: when the question is known and the cosine of the answer's meaning with the question's
     (assess/relevance.py) is under the floor fitted by `voicemock train` (the off-topic median), every
     dimension is capped at 2; between the floor and the lowest on-topic cosine the report says the
     answer drifts. Only a clearly unrelated answer is capped; subtler drift is left to the signals.
6. A rubric dimension mixes the signal dimensions by its `draws_on` shares, gains up to +0.3 for the
   structure checks it lists that are present (+0.15 each; only when substance is there), is capped
   again (5), then the level's offset is subtracted (Rubric.calibrate; a level may also add) and the
   caps of step 5 bind again as ceilings. Overall = weighted average; pass = the rubric's rule.
7. Uncertainty band: score +- sqrt(bootstrap_sd^2 + cv_rmse_d^2), where the bootstrap resamples the
   answer's sentences (64 draws, fixed seed) and cv_rmse_d is the aggregation's cross-validated error.

How the aggregation was tuned (`voicemock.flows.answer_fit.fit_aggregation`, run by `voicemock train`)
-------------------------------------------------------------------------
The ridge fit (below) is followed by two calibration steps, fitted on the same out-of-fold
predictions: per dimension, a linear stretch that gives the predictions the targets' mean and spread
(ridge regression shrinks toward the mean, so strong answers were under-scored and failed the pass
rule they meet), and one shift, the pass line, chosen so that the pass decisions on the level-free
scale agree with the targets' pass decisions as well as they can (balanced accuracy), smallest shift
on ties. The levels are placed on that scale afterwards, on answers graded outside the team
(voicemock.flows.level_fit): the training set's own level would calibrate the scorer to the team.

Only tau (grid 0.5, 1, 2) and six ridge coefficients per dimension (alpha 1) are fitted, on
models/data/answers.jsonl (the development set), against its target raw scores. tau is chosen by
question-grouped 5-fold cross-validation (an answer's question never appears in both folds), and the
figures stored in the card and printed by `voicemock evaluate` are those out-of-fold predictions,
caps included. The caps and weights above were set from the rubric's principles, not fitted.
"""

from __future__ import annotations

import logging
import math
import re
from typing import TYPE_CHECKING, Any

from voicemock.assess.caveats import answer_caveats, scoring_limits
from voicemock.assess.evidence import AnswerEvidence, UniqueSentence, gather_evidence
from voicemock.assess.reading import ReadSentence, read_transcript
from voicemock.records import SIGNAL_DIMENSIONS, DimensionScore, Evidence, Scorecard, Transcript

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.assess.classifier import SignalClassifier
    from voicemock.bank.questions import Question
    from voicemock.records import Delivery, Structure
    from voicemock.bank.rubric import Rubric

__all__ = [
    "DEFAULT_AGGREGATION",
    "SUBSTANCE_FULL",
    "application_mass",
    "signal_mass",
    "design_row",
    "raw_signal_scores",
    "score_transcript",
]

log = logging.getLogger(__name__)

SUBSTANCE_FULL = 120  # content words at which the substance feature saturates
SUBSTANCE_CAP_WORDS = 80  # content words below which the substance cap binds
OFFTOPIC_CAP = 2.0
# Seed 000: an answer that recites correct concepts without applying them to the scenario scores 2 on
# Applied Reasoning, however good the concepts. Less than one sentence's worth of decision: Applied capped.
TEXTBOOK_CAP = 2.5
TEXTBOOK_MIN_DECISION = 1.0  # applied:strong mass (spoken-sentence equivalents) an applied answer holds
STRUCTURE_BONUS = 0.15
STRUCTURE_BONUS_MAX = 0.3
BOOTSTRAP_DRAWS = 64

# Used only when the card has no fitted aggregation (no answers.jsonl at training time).
DEFAULT_AGGREGATION: dict[str, Any] = {
    "tau": 1.0,
    "coef": {d: [1.0, 2.0, -1.0, 1.0, 1.0, -0.5] for d in SIGNAL_DIMENSIONS},
    "cv_rmse": {d: 0.8 for d in SIGNAL_DIMENSIONS},
    "fitted": False,
}


# ---------------------------------------------------------------------------- aggregation


def _chosen(evidence: AnswerEvidence, indices=None) -> list[UniqueSentence]:
    """The answer's sentences, or the bootstrap draw `indices` of them."""
    return evidence.sentences if indices is None else [evidence.sentences[i] for i in indices]


def signal_mass(evidence: AnswerEvidence, indices=None) -> dict[str, tuple[float, float]]:
    chosen = _chosen(evidence, indices)
    mass = {}
    for d in SIGNAL_DIMENSIONS:
        strong = sum(s.weight * s.size * s.signal.p(d, "strong") for s in chosen if s.signal)
        weak = sum(s.weight * s.size * s.signal.p(d, "weak") for s in chosen if s.signal)
        mass[d] = (strong, weak)
    return mass


def design_row(mass: dict[str, tuple[float, float]], dimension: str, substance: float, tau: float) -> list[float]:
    """[1, pos_d, neg_d, substance, mean pos over dimensions, mean neg over dimensions]."""
    pos = {d: 1.0 - math.exp(-strong / tau) for d, (strong, _) in mass.items()}
    neg = {d: 1.0 - math.exp(-weak / tau) for d, (_, weak) in mass.items()}
    return [1.0, pos[dimension], neg[dimension], substance, sum(pos.values()) / len(pos), sum(neg.values()) / len(neg)]


def _caps(evidence: AnswerEvidence, indices=None) -> tuple[dict[str, float], list[str]]:
    """The highest score each signal dimension can get whatever its signals, and why: the substance and
    off-topic caps hold every dimension, the textbook cap Applied Reasoning (judged on the draw `indices`
    of the sentences when given)."""
    cap = 5.0
    why = []
    substance_cap = 1.5 + 3.5 * min(1.0, evidence.content_words / SUBSTANCE_CAP_WORDS)
    if substance_cap < cap:
        cap = substance_cap
        why.append(f"short answer ({evidence.content_words} distinct content words): scores capped at {cap:.1f}")
    if evidence.relevance is not None and evidence.relevance.off_topic:
        if OFFTOPIC_CAP < cap:
            cap = OFFTOPIC_CAP
        why.append(
            f"the answer looks off the question (its meaning is far from the question's: relevance {evidence.relevance.score:.2f}): "
            f"scores capped at {OFFTOPIC_CAP:g}"
        )
    caps = dict.fromkeys(SIGNAL_DIMENSIONS, cap)
    if _textbook(evidence, indices):
        caps["applied"] = min(cap, TEXTBOOK_CAP)
        why.append(
            f"less than one sentence applies the concepts to this scenario (a decision, or a mechanism with its own figures): "
            f"Applied Reasoning capped at {TEXTBOOK_CAP:g} (a 'textbook answer')"
        )
    return caps, why


def application_mass(evidence: AnswerEvidence, indices=None) -> float:
    """How many sentences' worth (weight x size x p, as signal_mass) of applying knowledge to the scenario
    the answer holds: its decisions (applied:strong), and its operating mechanisms (production:strong)
    that state a figure of the scenario, a threshold, latency, rate or volume ("if P95 latency exceeds 3x
    the SLA for 60 seconds, stop calling the model"). The guideline's P+ is a mechanism with its trigger
    and action; a figure is what separates one built for this scenario from a recited one ("typical
    responses include rolling back"), which the classifier also reads as production:strong."""
    from voicemock.assess.features import states_a_figure

    mass = 0.0
    for s in _chosen(evidence, indices):
        if s.signal is not None:
            mechanism = s.signal.p("production", "strong") if states_a_figure(s.text) else 0.0
            mass += s.weight * s.size * (s.signal.p("applied", "strong") + mechanism)
    return mass


def _textbook(evidence: AnswerEvidence, indices=None) -> bool:
    """Less than one sentence's worth of applying knowledge to the scenario (application_mass). As mass,
    not "no sentence's top label is applied:strong": that flips on one sentence and capped dev answers
    targeted 4-5 (a023, a082, a084). Mechanisms with figures count since 2026-12-04: decisions alone
    capped outside answers written as designs ("the circuit breaker trips at 3x the SLA"), 6 of the 11
    long strong public answers that failed, and the team's a084; of the team's textbook, weak, stuffed
    and short answers the old rule capped (12, 17, 4 and 5), the new one frees none."""
    return application_mass(evidence, indices) < TEXTBOOK_MIN_DECISION


def raw_signal_scores(evidence: AnswerEvidence, aggregation: dict[str, Any], indices=None) -> dict[str, float]:
    """Level-free 1-5 score per signal dimension, caps applied."""
    tau = float(aggregation["tau"])
    substance = min(1.0, evidence.content_words / SUBSTANCE_FULL)
    mass = signal_mass(evidence, indices)
    caps, _ = _caps(evidence, indices)
    scores = {}
    stretch = aggregation.get("stretch") or {}
    shift = float(aggregation.get("pass_shift", 0.0))
    for d in SIGNAL_DIMENSIONS:
        row = design_row(mass, d, substance, tau)
        value = sum(c * x for c, x in zip(aggregation["coef"][d], row))
        if d in stretch:  # the ridge fit shrinks toward the mean: give the scores the panel's spread back
            intercept, slope = stretch[d]
            value = intercept + slope * value
        scores[d] = min(caps[d], max(1.0, min(5.0, value + shift)))
    return scores


# ---------------------------------------------------------------------------- the scorecard


def score_transcript(
    transcript: Transcript,
    *,
    rubric: Rubric,
    level: str | None,
    question: Question | str | None = None,
    classifier: SignalClassifier,
    delivery: Delivery | None = None,
    structure: Structure | None = None,
    readings: list[ReadSentence] | None = None,
) -> Scorecard:
    """Score one transcribed answer against `rubric` at `level`. No I/O.

    `readings`: the answer's sentences already embedded and classified (the pipeline reads them once
    for structure and scoring alike); read here when not given."""
    import numpy as np

    level_key = rubric.level(level).key
    if readings is None:
        readings = read_transcript(transcript, classifier)
    evidence = gather_evidence(readings, question, classifier=classifier)
    aggregation = classifier.aggregation or DEFAULT_AGGREGATION
    signal_scores = raw_signal_scores(evidence, aggregation)
    signal_caps, cap_reasons = _caps(evidence)
    cap = max(signal_caps.values())  # the substance or off-topic cap, every dimension's; only Applied can be held lower

    # Bootstrap over the answer's sentences: how much the scores lean on a few of them.
    rng = np.random.default_rng(0)
    n = len(evidence.sentences)
    draws = [raw_signal_scores(evidence, aggregation, rng.integers(0, n, n)) for _ in range(BOOTSTRAP_DRAWS)] if n > 1 else []
    cv_rmse = aggregation.get("cv_rmse", DEFAULT_AGGREGATION["cv_rmse"])

    lo_scale, hi_scale = rubric.scale
    raw_scores: dict[str, float] = {}
    ceilings: dict[str, float] = {}
    spreads: dict[str, float] = {}
    for dim in rubric.dimensions:
        raw = sum(share * signal_scores[s] for s, share in dim.draws_on.items())
        bonus = 0.0
        if structure is not None and dim.structure_checks and evidence.content_words >= SUBSTANCE_CAP_WORDS / 2:
            present = sum(1 for name in dim.structure_checks if (c := structure.get(name)) is not None and c.present)
            bonus = min(STRUCTURE_BONUS_MAX, STRUCTURE_BONUS * present)
        ceilings[dim.key] = min(cap, sum(share * signal_caps[s] for s, share in dim.draws_on.items()) + bonus)
        raw_scores[dim.key] = round(min(cap, hi_scale, max(lo_scale, raw + bonus)), 3)
        boot_sd = float(np.std([sum(sh * d[s] for s, sh in dim.draws_on.items()) for d in draws])) if draws else 1.0
        model_sd = sum(share * float(cv_rmse.get(s, 0.8)) for s, share in dim.draws_on.items())
        spreads[dim.key] = math.sqrt(boot_sd**2 + model_sd**2)

    # A cap is a ceiling at every level: a level below the fitted scale (negative offsets) must not lift
    # a short, off-topic or textbook answer over it, and one above it takes off from the capped score.
    calibrated = rubric.calibrate(raw_scores, level_key, ceilings=ceilings)
    dimension_scores = []
    for dim in rubric.dimensions:
        score = calibrated[dim.key]
        dim_evidence = _dimension_evidence(evidence, dim.draws_on)
        advice = None
        if score < rubric.pass_rule.min_average:
            advice = dim.advice
            weak = next((e for e in dim_evidence if e.polarity == "weak"), None)
            if weak is not None:
                advice = f"{advice} Start with: \u201c{_clip(weak.text)}\u201d."
        dimension_scores.append(
            DimensionScore(
                name=dim.name, key=dim.key, weight=dim.weight, score=round(score, 2),
                low=round(max(lo_scale, score - spreads[dim.key]), 2), high=round(min(hi_scale, score + spreads[dim.key]), 2),
                evidence=dim_evidence, advice=advice, raw_score=round(raw_scores[dim.key], 2),
                ceiling=round(ceilings[dim.key], 3) if ceilings[dim.key] < hi_scale else None,
            )
        )
    overall = rubric.pass_rule.average(calibrated, rubric.weights)
    from voicemock.assess.followup import points_and_follow_up

    talking_points, follow_up = points_and_follow_up(question, readings, dimension_scores, rubric, classifier=classifier)
    return Scorecard(
        input=transcript.source,
        rubric=rubric.id,
        level=level_key,
        overall=round(overall, 2),
        passed=rubric.passes(calibrated),
        dimensions=dimension_scores,
        question_id=(getattr(question, "id", None) or None) if question is not None and not isinstance(question, str) else None,
        question_text=question if isinstance(question, str) else (question.text if question is not None else None),
        relevance=evidence.relevance.score if evidence.relevance is not None else None,
        delivery=delivery,
        structure=structure,
        transcript=transcript,
        caveats=answer_caveats(transcript, evidence, cap_reasons, question),
        pass_rule=rubric.pass_rule.describe(),
        limits=scoring_limits(classifier),
        talking_points=talking_points,
        follow_up=follow_up,
    )


def _dimension_evidence(evidence: AnswerEvidence, draws_on: dict[str, float]) -> list[Evidence]:
    """The sentences behind a dimension's score: up to three strong and two weak, most confident first."""
    picked: dict[str, list[tuple[float, Evidence]]] = {"strong": [], "weak": []}
    for s in evidence.sentences:
        signal = s.signal
        if signal is None or signal.dimension not in draws_on or signal.polarity not in picked or s.weight < 0.3:
            continue
        picked[signal.polarity].append(
            (
                s.weight * signal.probability,
                Evidence(
                    text=s.text, start=s.start, end=s.end, polarity=signal.polarity, signal=signal.signal,
                    dimension=signal.dimension, confidence=round(signal.probability, 3), sentence=s.index,
                ),
            )
        )
    out = []
    for polarity, limit in (("strong", 3), ("weak", 2)):
        out.extend(e for _, e in sorted(picked[polarity], key=lambda t: -t[0])[:limit])
    return out


def _clip(text: str, limit: int = 90) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"
