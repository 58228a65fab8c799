"""What a scorecard says about its own limits: the caveats of one answer, and the limits every score has
(the classifier's measured agreement with human labels on held-out sentences)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.assess.classifier import SignalClassifier
    from voicemock.assess.evidence import AnswerEvidence
    from voicemock.records import Transcript

__all__ = ["answer_caveats", "scoring_limits"]


def scoring_limits(classifier: SignalClassifier) -> list[str]:
    """What every score can get wrong, in the figures the model card measured on held-out sentences.

    The sentence labels are the evidence behind every dimension score, so a report quotes how often
    they matched a human label on sentences the model never saw, and says when that was never measured.
    """
    held_out = classifier.card.get("held_out") or {}
    if not held_out.get("sentences") or held_out.get("accuracy") is None:
        return [
            "Sentence labels: this model's card has no held-out figures, so how often its labels are right is unmeasured; "
            "retrain with `voicemock train` on data that has a test split to record them."
        ]
    return [
        f"Sentence labels: on {held_out['sentences']} held-out sentences it never trained on, the classifier's label matched the "
        f"human one {held_out['accuracy']:.0%} of the time (9-label macro-F1 {held_out['macro_f1']:.2f}). "
        "Read each evidence line as the likely reading, and a confidence under 0.5 as a guess."
    ]


def answer_caveats(transcript: Transcript, evidence: AnswerEvidence, cap_reasons: list[str], question) -> list[str]:
    """Where this answer's scores may be wrong: the caps that bound it, no question, no timing, an unsure
    classifier, drift from the question, repeats, term lists, and what the transcriber warned of."""
    caveats = list(cap_reasons)
    if question is None:
        caveats.append("no question given: relevance to the question was not checked (pass --question ID or --question-text)")
    if transcript.duration_s is None:
        caveats.append("typed transcript: no delivery timing (pace, pauses, time to first word)")
    elif not transcript.has_timing:
        caveats.append("no word timestamps in the transcript: no delivery timing (pace, pauses, time to first word)")
    if len(evidence.sentences) < 4:
        caveats.append(f"classifier unsure: only {len(evidence.sentences)} distinct sentence(s) to judge")
    confident = [s.signal.probability for s in evidence.sentences if s.signal]
    if confident and sum(confident) / len(confident) < 0.5:
        caveats.append("classifier unsure: most sentences got no clear label (mean confidence under 0.5)")
    if evidence.relevance is not None and evidence.relevance.drifting:
        caveats.append(
            f"the answer drifts from the question (relevance {evidence.relevance.score:.2f}); make sure it answers what was asked"
        )
    if evidence.repeated:
        caveats.append(f"{evidence.repeated} repeated sentence(s) counted once")
    if evidence.sentences and sum(s.weight for s in evidence.sentences) / len(evidence.sentences) < 0.5:
        caveats.append("much of the answer reads as lists of terms rather than sentences; those count for little")
    caveats.extend(f"transcriber: {w}" for w in transcript.warnings)
    return caveats
