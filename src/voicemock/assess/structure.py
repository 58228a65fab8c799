"""Structure of a spoken answer: checks by phrase and by meaning, each with the sentence that shows it and a tip.

What interviewers listen for in AI PM answers (the source guides in ../shared/seeds): the point first,
signposts the listener can follow, clarifying questions or stated assumptions, tradeoffs, a named
success metric, risks with a fallback, a closing summary, STAR for behavioral stories, and a length
near the question's target. Each check is a list of phrases matched on word boundaries, plus a
position rule where the check is about position (answer first: in the first ~20% of the answer;
summary: in the last ~25%). Phrase rules are transparent and testable, but miss paraphrases; so, given
the answer's read sentences, five checks also count a sentence the classifier named as that move (its
evidence and this section never disagree) or that a move head on its meaning vector recognises
(voicemock.assess.moves), and no check counts a framing opener the classifier reads as neutral.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from typing import TYPE_CHECKING

from voicemock.records import Annotation, Structure, StructureCheck, Transcript
from voicemock.speech.sentences import Sentence, split_sentences

if TYPE_CHECKING:  # pragma: no cover
    from voicemock.assess.moves import MoveMatcher
    from voicemock.assess.reading import ReadSentence

__all__ = ["analyze_structure", "CHECKS", "ANSWER_FIRST_SHARE", "SUMMARY_SHARE"]

ANSWER_FIRST_SHARE = 0.2  # the recommendation must start within this share of the answer
SUMMARY_SHARE = 0.25  # the summary must start within this closing share
# An answer this far from the question's target length is short or long.
SHORT_RATIO, LONG_RATIO = 0.6, 1.3
# Typed answers have no clock: this speaking rate turns their words into seconds.
_TYPED_WPM = 150.0


@dataclass(frozen=True)
class Check:
    name: str
    label: str
    phrases: tuple[str, ...]  # regular expressions, matched on lowercase text at word boundaries
    tip: str  # shown when the check is missing
    good: str  # shown when it is there
    min_hits: int = 1  # distinct phrases needed (signposting needs an order, not one "first")

    def pattern(self) -> re.Pattern[str]:
        return re.compile(r"\b(?:" + "|".join(self.phrases) + r")\b")


_ANSWER_FIRST = Check(
    "answer_first", "Answer first",
    (r"i(?: would|'d)? recommend", r"my recommendation", r"i(?: would|'d) (?:start|go|pick|choose|prioriti[sz]e|build|ship|launch|focus|bet)",
     r"my (?:answer|take|view|pick|bet|thesis) is", r"the short answer", r"in short", r"bottom line", r"i(?: would|'d)? argue",
     r"(?:i think |i believe )?we should", r"the (?:key|answer|right call|best option) is", r"i(?: would|'d) not", r"my plan is"),
    "Open with your recommendation in one sentence, then the reasons.",
    "Recommendation stated early.",
)
_SIGNPOSTING = Check(
    "signposting", "Signposting",
    (r"first(?:ly)?", r"second(?:ly)?", r"third(?:ly)?", r"finally", r"lastly", r"next", r"to start",
     r"(?:two|three|four|a few) (?:things|steps|parts|reasons|options|ways|areas|questions|risks|metrics)",
     r"step (?:one|two|three)", r"let me walk", r"on (?:the )?one hand", r"on the other hand", r"to begin"),
    "Announce the parts ('three things: ...') and mark each ('first', 'second').",
    "Parts announced and marked.",
    min_hits=2,
)
_CLARIFYING = Check(
    "clarifying", "Clarifying questions or assumptions",
    (r"let me clarify", r"to clarify", r"clarifying question", r"i(?:'ll| will| would|'d)? assume", r"i'm assuming",
     r"assuming", r"my assumption", r"(?:are|is|do|does) (?:we|the goal|this|the user|it) \w+[^.?!]*\?",
     r"before i (?:answer|dive|jump)", r"i(?:'d| would) (?:want|like) to (?:know|understand|ask)", r"it depends on"),
    "Ask one clarifying question or state your assumption ('I'll assume ...') before solving.",
    "Scoped the question before answering.",
)
_TRADEOFFS = Check(
    "tradeoffs", "Tradeoffs",
    (r"trade[- ]?offs?", r"at the (?:cost|expense) of", r"versus", r"vs", r"on the other hand", r"the downside",
     r"downsides?", r"in exchange for", r"we give up", r"(?:we|you) lose", r"pros and cons", r"sacrific\w*",
     r"costs? more", r"slower but", r"cheaper but", r"but (?:that|it) (?:means|costs)"),
    "Name what you give up for what you gain ('more recall at the cost of latency').",
    "Tradeoff stated.",
)
_METRIC = Check(
    "metric", "Success metric",
    (r"metrics?", r"measure(?:d|s)? (?:success|it|this|by|with)", r"success (?:looks like|means|is|rate)", r"kpis?",
     r"north star", r"retention", r"conversion", r"precision", r"recall", r"accuracy", r"resolution rate",
     r"csat", r"nps", r"p9[59]", r"error rate", r"(?:per|a) (?:query|user|thousand)", r"percent", r"\d+ ?%",
     r"we(?:'d| would) track", r"adoption", r"tickets?"),
    "Name the one number that says it worked (e.g. 'resolution rate without a human').",
    "Success metric named.",
)
_RISKS = Check(
    "risks", "Risks and fallback",
    (r"risks?", r"fall ?back", r"roll ?back", r"kill switch", r"guardrails?", r"mitigat\w+", r"failure modes?",
     r"worst case", r"if (?:it|the model|this) (?:fails|breaks|is wrong|drifts)", r"human (?:review|in the loop)",
     r"turn it off", r"escalat\w+", r"safe ?guards?", r"behind a (?:feature )?flag", r"monitor\w*"),
    "Say what could go wrong and what you fall back to (rules, a human, the old flow).",
    "Risks and a fallback named.",
)
_SUMMARY = Check(
    "summary", "Closing summary",
    (r"to (?:summari[sz]e|sum up|recap|wrap up)", r"in summary", r"in short", r"overall", r"net net",
     r"so (?:my|the) (?:recommendation|plan|answer|bet)", r"that's (?:my|the) (?:answer|plan|recommendation)",
     r"that is (?:my|the) (?:answer|plan|recommendation)", r"so in the end", r"bottom line", r"all in all"),
    "Close with one sentence that restates the recommendation and the metric.",
    "Closed with a summary.",
)
_STAR_PARTS = {
    "situation": (r"the situation", r"at my (?:last|previous) (?:job|company|role)", r"when i was", r"we were",
                  r"(?:a|one) time", r"context", r"back (?:in|when)", r"our team"),
    "task": (r"my (?:task|goal|job|role) was", r"i was (?:responsible|asked|tasked)", r"i (?:had|needed) to",
             r"the goal was", r"i owned"),
    "action": (r"i (?:decided|led|built|proposed|pushed|convinced|wrote|ran|set up|pulled|worked with|talked to|chose|called)",
               r"so i", r"what i did", r"my approach"),
    "result": (r"the result", r"as a result", r"ended up", r"outcome", r"we (?:reduced|increased|cut|launched|shipped|grew|saved)",
               r"\d+ ?(?:%|percent)", r"in the end", r"i learned", r"the lesson"),
}
CHECKS = (_ANSWER_FIRST, _SIGNPOSTING, _CLARIFYING, _TRADEOFFS, _METRIC, _RISKS, _SUMMARY)


# Said in every report, with the figures `voicemock evaluate` measures on the held-out check sentences.
LIMIT = (
    "Structure checks look for typical phrases and, for answer first, clarifying, tradeoffs, risks and summary, "
    "for the same move in other words (a model on sentence meaning; on held-out sentences it finds about three "
    "in four of the moves said without the usual phrases, and one in five of its finds is wrong); a move can still be "
    "missed, and a phrase said in passing can count."
)


def analyze_structure(
    transcript: Transcript,
    *,
    competency: str | None = None,
    target_seconds: float | None = None,
    readings: list[ReadSentence] | None = None,
    moves: MoveMatcher | None = None,
) -> Structure:
    """Run every check (STAR too for `competency="behavioral"`) and the length check.

    With `readings` (the answer's sentences as the classifier read them), a check also counts a sentence
    the classifier named as that move ("tradeoff named"), so the structure section and the evidence
    never disagree; with `moves` too, a sentence whose meaning is close to the move's prototypes counts,
    so a move stated in other words than the phrase lists is found.
    """
    sentences = split_sentences(transcript) if readings is None else [Sentence(r.text, r.start, r.end) for r in readings]
    positions = _positions(sentences)
    by_meaning = _meaning_hits(readings, moves)
    # A phrase in a sentence the classifier reads as carrying no signal ("I would start by identifying the
    # user pain point": a framing opener) does not make a move either.
    silent = {r.index for r in readings if r.signal.polarity == "neutral"} if readings else set()
    checks = [
        _run(check, sentences, positions, by_meaning.get(check.name, {}), silent if check.name in MEANING_CHECKS else set())
        for check in CHECKS
    ]
    if competency == "behavioral":
        checks.append(_star(sentences))
    length_check, verdict, seconds = _length(transcript, sentences, target_seconds)
    if length_check is not None:
        checks.append(length_check)
    structure = Structure(checks=checks, target_seconds=target_seconds, length_verdict=verdict, limits=[LIMIT])
    structure.annotations = [_annotation(c) for c in checks]
    return structure


def _positions(sentences: list[Sentence]) -> list[tuple[float, float]]:
    """Where each sentence starts and ends, as shares (0-1) of the answer: by time when timed, else by words."""
    if sentences and all(s.start is not None for s in sentences):
        t0, t1 = sentences[0].start, sentences[-1].end
        total = max(t1 - t0, 1e-6)
        return [((s.start - t0) / total, (s.end - t0) / total) for s in sentences]
    counts = [len(s.text.split()) for s in sentences]
    total = max(sum(counts), 1)
    out, seen = [], 0
    for n in counts:
        out.append((seen / total, (seen + n) / total))
        seen += n
    return out


# The checks that meaning can find (and that a no-signal sentence cannot make).
MEANING_CHECKS = frozenset({"answer_first", "clarifying", "tradeoffs", "risks", "summary"})
# The classifier's evidence names that are a structure move: a sentence named so makes that move.
_SIGNAL_MOVES = {"tradeoff named": "tradeoffs", "clarifying question": "clarifying"}


def _meaning_hits(
    readings: list[ReadSentence] | None, moves: MoveMatcher | None
) -> dict[str, dict[int, tuple[str, float | None]]]:
    """move -> {sentence index: (why it counts, the move head's probability)}, from the classifier's names
    (no probability: the classifier named the move outright) and the move heads."""
    hits: dict[str, dict[int, tuple[str, float | None]]] = {}
    if not readings:
        return hits
    for r in readings:
        move = _SIGNAL_MOVES.get(r.signal.signal)
        if move is not None and r.signal.polarity == "strong":
            hits.setdefault(move, {})[r.index] = (f"classifier: {r.signal.signal}", None)
    if moves is not None:
        for move, found in moves.match([r.vector for r in readings]).items():
            for index, probability in found.items():
                hits.setdefault(move, {}).setdefault(index, (f"by meaning ({probability:.2f})", probability))
    return hits


def _run(
    check: Check,
    sentences: list[Sentence],
    positions: list[tuple[float, float]],
    by_meaning: dict[int, tuple[str, float | None]] | None = None,
    silent: set[int] | frozenset[int] = frozenset(),
) -> StructureCheck:
    pattern = check.pattern()
    hits: list[tuple[int, str]] = []
    for i, s in enumerate(sentences):
        if i in silent:
            continue
        for m in pattern.finditer(s.text.lower()):
            hits.append((i, m.group(0)))
    # A move recognised by meaning counts once per sentence, named by why (it never adds to signposting's count).
    phrased = {i for i, _ in hits}
    only_meaning = {i: (why, p) for i, (why, p) in (by_meaning or {}).items() if i not in phrased}
    hits.extend((i, why) for i, (why, _) in only_meaning.items())
    hits.sort(key=lambda h: h[0])
    if check.name == "answer_first":
        hits = [h for h in hits if positions[h[0]][0] <= ANSWER_FIRST_SHARE]
    elif check.name == "summary":
        # Only in the closing stretch, and not in the answer's only sentence.
        hits = [h for h in hits if positions[h[0]][0] >= 1 - SUMMARY_SHARE and len(sentences) > 1]
    distinct = sorted({h[1] for h in hits})
    present = len(distinct) >= check.min_hits
    if not present:
        detail = _absent_detail(check, distinct)
        return StructureCheck(name=check.name, present=False, detail=detail, tip=check.tip)
    likely = {i: p for i, (_, p) in only_meaning.items() if p is not None}
    first = sentences[_evidence_hit(hits, check.min_hits, likely)]
    last = sentences[hits[-1][0]] if check.min_hits > 1 else first
    phrases = [repr(p) for p in distinct if not p.startswith(("by meaning", "classifier:"))][:4]
    if any(p.startswith(("by meaning", "classifier:")) for p in distinct):
        phrases.append("said in other words")
    detail = f"{check.good} ({', '.join(phrases)})"
    return StructureCheck(name=check.name, present=True, detail=detail, tip=check.tip,
                          start=first.start, end=last.end, evidence=first.text)


def _evidence_hit(hits: list[tuple[int, str]], min_hits: int, likely: dict[int, float]) -> int:
    """The sentence to quote: the first hit, unless a single one is enough and the first is only a match by
    meaning (`likely`: sentence -> the move head's probability) while a later sentence has the move's
    phrase or the classifier's name for it; among matches by meaning alone, the likeliest. A sentence that
    merely resembles the move should not be quoted over one that plainly makes it."""
    if min_hits > 1:
        return hits[0][0]
    certain = [i for i, _ in hits if i not in likely]
    if certain:
        return certain[0]
    return max(hits, key=lambda h: (likely[h[0]], -h[0]))[0]


def _absent_detail(check: Check, distinct: list[str]) -> str:
    if check.name == "answer_first":
        return f"No recommendation or thesis in the first {ANSWER_FIRST_SHARE:.0%} of the answer."
    if check.name == "summary":
        return f"No closing summary in the last {SUMMARY_SHARE:.0%} of the answer."
    if check.min_hits > 1 and distinct:
        return f"Only one signpost ({distinct[0]!r}); the listener needs at least {check.min_hits}."
    return f"No {check.label.lower()} found."


def _star(sentences: list[Sentence]) -> StructureCheck:
    found: dict[str, int] = {}
    for part, phrases in _STAR_PARTS.items():
        pattern = re.compile(r"\b(?:" + "|".join(phrases) + r")\b")
        index = next((i for i, s in enumerate(sentences) if pattern.search(s.text.lower())), None)
        if index is not None:
            found[part] = index
    missing = [p for p in _STAR_PARTS if p not in found]
    # A story needs its situation, what was done and how it ended; the task is often implied.
    present = {"situation", "action", "result"} <= found.keys() and found["situation"] <= found["result"]
    tip = "Tell it as Situation, Task, Action, Result: end on the outcome, with a number, and what you learned."
    detail = ("STAR parts: " + ", ".join(found) + (f"; missing {', '.join(missing)}" if missing else "")) if found else "No story structure (situation, action, result) found."
    if not present:
        return StructureCheck(name="star", present=False, detail=detail, tip=tip)
    first, last = sentences[min(found.values())], sentences[max(found.values())]
    return StructureCheck(name="star", present=True, detail=detail, tip=tip, start=first.start, end=last.end,
                          evidence=sentences[found["result"]].text)


def _length(transcript: Transcript, sentences: list[Sentence], target: float | None):
    if target is None or target <= 0:
        return None, None, None
    timed = transcript.has_timing and sentences and sentences[0].start is not None
    if timed:
        start, end = sentences[0].start, sentences[-1].end
        seconds = end - start
    else:
        start = end = None
        seconds = len(transcript.text.split()) / _TYPED_WPM * 60
    ratio = seconds / target
    verdict = "short" if ratio < SHORT_RATIO else "long" if ratio > LONG_RATIO else "on_target"
    how = "" if timed else f" (typed: estimated at {_TYPED_WPM:.0f} words/min)"
    detail = f"{seconds:.0f} s against a {target:.0f} s target{how}: {verdict.replace('_', ' ')}."
    tip = {
        "short": "Too short to show depth: add one concrete example and the metric.",
        "long": "Too long: cut background, keep the recommendation, one tradeoff, the metric and the fallback.",
        "on_target": "Length is right for this question.",
    }[verdict]
    check = StructureCheck(name="length", present=verdict == "on_target", detail=detail, tip=tip, start=start, end=end)
    return check, verdict, seconds


def _annotation(check: StructureCheck) -> Annotation:
    label = check.detail if check.present else f"missing: {check.detail}"
    return Annotation(
        start=check.start,
        end=check.end,
        category="length" if check.name == "length" else "structure",
        label=label,
        tip=check.tip if not check.present or check.name == "length" else "Keep doing this.",
        severity="good" if check.present else "warn",
    )
