"""The figures of scoring by meaning, printed by `voicemock evaluate` beside the sentence figures:

- relevance: dev answers against their own question (on-topic) and other competencies' questions
  (off-topic); the separation as ROC AUC;
- asking the question differently: Spearman of the out-of-fold answer scores with their targets when
  each answer is asked by bank id, by the same words typed as text, and in other words
  (models/data/source/reworded-questions.toml);
- the public development set (models/data/public/answers.jsonl, graded by their own authors, never
  trained on): strong-vs-weak AUC of the overall score beside a word-count baseline, and how many strong
  and weak answers pass at the `pm` level;
- structure moves by meaning: precision and recall on the held-out check sets of moves.toml.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.assess.classifier import SignalClassifier
    from voicemock.bank.questions import QuestionBank
    from voicemock.flows.answer_fit import AnswerRow
    from voicemock.records import Scorecard

__all__ = ["PublicAnswer", "read_public_answers", "meaning_figures", "format_meaning", "PUBLIC_MIN_WORDS", "PASS_MIN_WORDS"]

PUBLIC_MIN_WORDS = 20  # shorter public "answers" are one-liners, not answers
PASS_MIN_WORDS = 100  # pass rates are read on answers long enough to show depth
SHORT_MIN_WORDS = 40  # strong answers of 40-99 words: printed beside the target, to show how length weighs
PASS_LEVEL = "pm"


@dataclass(frozen=True)
class PublicAnswer:
    id: str
    question: str
    text: str
    label: str  # "strong" | "weak" | "middle"
    words: int
    source: str


def read_public_answers(path: Path) -> list[PublicAnswer]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(PublicAnswer(d["id"], d["question"], d["text"], d["label"], int(d["words"]), d.get("source_url", "")))
    return out


def meaning_figures(
    classifier: SignalClassifier, data_dir: Path, bank: QuestionBank, answers: list[AnswerRow], artifact: str | Path | None = None
) -> dict[str, Any]:
    from voicemock.flows.answer_fit import answer_agreement, cross_validated_predictions, relevance_pairs

    pairs = relevance_pairs(classifier, answers, bank)
    figures: dict[str, Any] = {
        "relevance": {"auc": pairs.auc(), "on_topic_pairs": len(pairs.on_topic), "off_topic_pairs": len(pairs.off_topic)},
    }
    asked = {
        "bank id": cross_validated_predictions(classifier, answers, questions=bank),
        "question as text": cross_validated_predictions(classifier, answers, questions=None),
    }
    reworded = read_reworded(data_dir / "source" / "reworded-questions.toml")
    if reworded:
        asked["question in other words"] = cross_validated_predictions(classifier, answers, questions=None, rewording=reworded)
    figures["asked"] = {way: answer_agreement(predicted, answers)["overall"] for way, predicted in asked.items()}
    public = read_public_answers(data_dir / "public" / "answers.jsonl")
    if public:
        figures["public"] = public_figures(public, answers, artifact)
    from voicemock.flows.moves_fit import check_moves, read_moves

    source, matcher = read_moves(data_dir), classifier.moves()
    if source is not None and matcher is not None:
        figures["moves"] = check_moves(source, matcher, classifier)
    return figures


def read_reworded(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    return {qid: table["text"] for qid, table in tomllib.loads(path.read_text(encoding="utf-8")).items()}


def _scored(answer_id: str, text: str, question: str, artifact: str | Path | None) -> Scorecard:
    """An answer scored as a user would score it: typed text, its question as text, `pm` level."""
    from voicemock.bank.questions import Question
    from voicemock.flows.pipeline import assess
    from voicemock.records import Transcript

    return assess(Transcript.from_text(text, source=answer_id), question=Question.from_text(question), level=PASS_LEVEL,
                  classifier_path=artifact)


def public_figures(public: list[PublicAnswer], answers: list[AnswerRow], artifact: str | Path | None) -> dict[str, Any]:
    """Each public answer scored as a user would score it, and the levels' position fitted on them
    (flows/level_fit.py) with the dev answers written to fail as guards."""
    from sklearn.metrics import roc_auc_score

    from voicemock.bank.rubric import load_rubric
    from voicemock.flows.level_fit import GUARD_QUALITIES, Graded, fit_level

    scored, graded = [], []
    for a in public:
        if a.words < PUBLIC_MIN_WORDS or a.label not in ("strong", "weak"):
            continue
        card = _scored(a.id, a.text, a.question, artifact)
        scored.append((a, card.overall, card.passed))
        graded.append(Graded(a.id, a.label, a.words, card))
    labels = [1 if a.label == "strong" else 0 for a, _, _ in scored]
    out: dict[str, Any] = {"answers": len(scored), "strong": sum(labels), "weak": len(labels) - sum(labels)}
    if 0 < sum(labels) < len(labels):
        out["auc"] = round(float(roc_auc_score(labels, [s for _, s, _ in scored])), 4)
        out["auc_word_count"] = round(float(roc_auc_score(labels, [a.words for a, _, _ in scored])), 4)
    long_strong = [p for a, _, p in scored if a.label == "strong" and a.words >= PASS_MIN_WORDS]
    weak = [p for a, _, p in scored if a.label == "weak"]
    shorter_strong = [p for a, _, p in scored if a.label == "strong" and SHORT_MIN_WORDS <= a.words < PASS_MIN_WORDS]
    out["strong_shorter"] = len(shorter_strong)
    out["strong_shorter_passed"] = sum(shorter_strong)
    out["strong_long"] = len(long_strong)
    out["strong_long_passed"] = sum(long_strong)
    out["weak_passed"] = sum(weak)
    out["scores"] = {a.id: round(s, 2) for a, s, _ in scored}
    guards = [_scored(a.id, a.text, a.question, artifact) for a in answers if a.quality in GUARD_QUALITIES]
    out["level_fit"] = asdict(fit_level(graded, guards, load_rubric()))
    return out


def _format_level_fit(fit: dict[str, Any]) -> list[str]:
    where = ("the rubric's levels carry the fit" if abs(fit["shift"]) < 1e-9
             else f"the fit would move every level's offsets by {fit['shift']:+.2f}: run scripts/fit_levels.py --write")
    out = [f"    levels placed on these answers (flows/level_fit.py): {where}",
           f"      that pass rate is in-sample; leave-one-out, {fit['leave_one_out']} of {fit['strong']} strong answers of "
           f"{PASS_MIN_WORDS}+ words pass; {fit['guards_passed']} of the {fit['guards']} dev answers written to fail pass"]
    if not fit["admissible"]:
        out.append("      no shift keeps every dev answer written to fail from passing: the strictest one is reported")
    return out


def format_meaning(figures: dict[str, Any]) -> list[str]:
    out = ["Scoring by meaning"]
    rel = figures["relevance"]
    out.append(f"  relevance, on- vs off-topic pairs: AUC {rel['auc']:.3f} "
               f"({rel['on_topic_pairs']} answers to their own question, {rel['off_topic_pairs']} to other competencies' questions)")
    out.append("  answer scores vs targets, Spearman (overall, out-of-fold), by how the question was asked:")
    for way, rho in figures["asked"].items():
        out.append(f"    {way:<26}{rho:>7.3f}")
    public = figures.get("public")
    if public:
        out.append(f"  public development set (authors' own grades; answers of {PUBLIC_MIN_WORDS}+ words): "
                   f"{public['answers']} answers, {public['strong']} strong, {public['weak']} weak")
        if "auc" in public:
            out.append(f"    strong vs weak AUC {public['auc']:.3f}; baseline word count {public['auc_word_count']:.3f}")
        out.append(f"    at level {PASS_LEVEL}: {public['strong_long_passed']} of {public['strong_long']} strong answers of "
                   f"{PASS_MIN_WORDS}+ words pass; {public['weak_passed']} of {public['weak']} weak answers pass")
        if public.get("strong_shorter"):
            out.append(f"    (strong answers of {SHORT_MIN_WORDS}-{PASS_MIN_WORDS - 1} words: {public['strong_shorter_passed']} of "
                       f"{public['strong_shorter']} pass; the scorer wants the depth a spoken answer of a minute or more gives)")
        fit = public.get("level_fit")
        if fit:
            out.extend(_format_level_fit(fit))
        if public["weak"] < 10:
            out.append(f"    only {public['weak']} weak answers of {PUBLIC_MIN_WORDS}+ words could be found: read the weak side as anecdote")
    moves = figures.get("moves")
    if moves:
        out.append("  structure moves by meaning, held-out check sentences:")
        for move, m in moves.items():
            out.append(f"    {move:<14} precision {m['precision']:.2f}  recall {m['recall']:.2f}  "
                       f"({m['positives']} positives, {m['negatives']} negatives; {m['neutral_taken']} neutral sentences taken)")
    return out
