"""A Scorecard as text for the terminal, as Markdown, or as JSON.

What to read first comes first (the verdict, talking points, the three changes worth most, the
follow-up: voicemock.present.summary); details follow. Delivery is summarised in words (the JSON keeps
every field). Every limit of the scores, the structure checks and the delivery figures is said once, at
the end, so the reader knows what the figures can miss.
"""

from __future__ import annotations

import json
from typing import Any

import click

from voicemock.present.summary import all_limits, caps, top_changes
from voicemock.records import Scorecard

__all__ = ["FORMATS", "render", "timestamp"]

FORMATS = ("text", "markdown", "json")


def timestamp(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def render(scorecard: Scorecard, fmt: str = "text", *, color: bool = False) -> str:
    """The scorecard as `fmt`. The first lines are what to read first: the verdict, talking points, the
    three changes worth most and the follow-up; details follow, and every limit is said once, last.
    `color`: ANSI colour in the text format (for a terminal, never when piped)."""
    if fmt == "json":
        return json.dumps(scorecard.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(scorecard)
    if fmt == "text":
        return _text(scorecard, color)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def _span(start: float | None, end: float | None) -> str:
    if start is None:
        return ""
    return f"[{timestamp(start)}-{timestamp(end)}] " if end is not None else f"[{timestamp(start)}] "


def _verdict(card: Scorecard) -> str:
    return "PASS" if card.passed else "FAIL"


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value)
    return str(value)


def _clock(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _delivery_lines(d) -> list[str]:
    """The delivery figures a coach reads first, in words; the JSON has every field."""
    if d.wpm is None:  # why there is no timing is one of the caveats
        return [f"{d.word_count} words"]
    low, high = d.target_wpm
    pace = f"pace: {d.wpm:.0f} words/min"
    if d.articulation_wpm is not None:
        pace += f" ({d.articulation_wpm:.0f} without pauses)"
    pace += f"; target {low:.0f}-{high:.0f}"
    if d.baseline_wpm is not None:
        pace += f", your median {d.baseline_wpm:.0f}"
    lines = [pace]
    if d.duration_s is not None:
        length = f"length: {_clock(d.duration_s)}"
        if d.speaking_span_s is not None:
            length += f" (speaking {_clock(d.speaking_span_s)})"
        lines.append(f"{length}, {d.word_count} words")
    if d.time_to_first_word_s is not None:
        lines.append(f"time to first word: {d.time_to_first_word_s:.1f} s")
    lines.append(
        f"pauses: {d.pause_count} of 0.25 s or more, {d.pause_total_s:.1f} s in all; {d.long_pause_count} of 2 s or more"
    )
    fillers = len(d.fillers) + len(d.hesitations)
    rate = f" ({d.fillers_per_minute:.1f} per minute)" if d.fillers_per_minute is not None else ""
    lines.append(
        f"fillers: {fillers}{rate}: {d.filled_pause_count} um/uh in the transcript, "
        f"{len(d.hesitations)} hesitations heard on the audio, {d.discourse_filler_count} discourse fillers"
    )
    return lines


def _other_caveats(card: Scorecard) -> list[str]:
    """The caveats the first screen has not already given as the reason for a cap."""
    shown = caps(card)
    return [c for c in card.caveats if c not in shown]


def _annotations(items) -> list[str]:
    out = []
    for a in items or []:
        tip = f" ({a.tip})" if getattr(a, "tip", "") else ""
        out.append(f"{_span(a.start, a.end)}{a.label}{tip}")
    return out


def _text(card: Scorecard, color: bool = False) -> str:
    def style(text: str, **how) -> str:
        return click.style(text, **how) if color else text

    verdict = style(_verdict(card), fg="green" if card.passed else "red", bold=True)
    out: list[str] = [f"{card.input}: {card.overall:.1f} / 5  {verdict}  (rubric {card.rubric}, level {card.level})"]
    if card.question_text:
        qid = f"{card.question_id}: " if card.question_id else ""
        out.append(f"question: {qid}{card.question_text}")
    if card.talking_points:
        missed = [p.point for p in card.talking_points if not p.covered]
        out.append(_points_heading(card) + (f"; missed: {'; '.join(missed)}" if missed else ""))
    out.extend(style(f"Capped: {why}", fg="yellow") for why in caps(card))
    changes = top_changes(card)
    if changes:
        out.append(style("To raise the score most:", bold=True))
        for n, c in enumerate(changes, 1):
            out.append(f"  {n}. {c.dimension} {c.score:.1f}: {c.advice}")
            if c.rework is not None:
                out.append(f"     rework: {_span(c.rework.start, c.rework.end)}\u201c{c.rework.text}\u201d")
    if card.follow_up is not None:
        out.append(f"{style('Follow-up:', bold=True)} {card.follow_up.question}")
    out += ["", style("Details", bold=True)]
    if card.relevance is not None:
        out.append(f"relevance to the question: {card.relevance:.2f}")
    out.append(f"pass rule: {card.pass_rule}")
    out.append("")
    for dim in card.dimensions:
        out.append(f"{dim.name} ({dim.weight:.0%}): {dim.score:.1f}  [{dim.low:.1f}-{dim.high:.1f}]")
        for e in dim.evidence:
            mark = "+" if e.polarity == "strong" else "-"
            out.append(f"  {mark} {_span(e.start, e.end)}{e.text}  ({e.signal}, {e.confidence:.2f})")
        if dim.advice:
            out.append(f"  advice: {dim.advice}")
    out.extend(_points_text(card))
    if card.structure is not None:
        out.append("")
        out.append("Structure")
        for present, name, detail in _structure_rows(card.structure):
            out.append(f"  {'+' if present else '-'} {name}: {detail}")
    if card.delivery is not None:
        out.append("")
        out.append("Delivery")
        out.extend(f"  {line}" for line in _delivery_lines(card.delivery))
        out.extend(f"  {line}" for line in _annotations(card.delivery.annotations))
    caveats = _other_caveats(card)
    if caveats:
        out.append("")
        out.append("Caveats")
        out.extend(f"  - {c}" for c in caveats)
    limits = all_limits(card)
    if limits:
        out += ["", "What this report may get wrong"]
        out.extend(f"  - {line}" for line in limits)
    return "\n".join(out) + "\n"


def _points_heading(card: Scorecard) -> str:
    covered = sum(p.covered for p in card.talking_points)
    return f"Talking points: {covered} of {len(card.talking_points)} covered"


def _points_text(card: Scorecard) -> list[str]:
    """Each talking point with the sentence that made it, or as missed; then the follow-up question."""
    out: list[str] = []
    if card.talking_points:
        out += ["", _points_heading(card)]
        for p in card.talking_points:
            if p.covered and p.evidence is not None:
                out.append(f"  + {p.point}{' (after the follow-up)' if p.prompted else ''}")
                out.append(f"      {_span(p.evidence.start, p.evidence.end)}\u201c{p.evidence.text}\u201d")
            else:
                out.append(f"  - missed: {p.point}")
    if card.follow_up is not None:
        out.append(f"  follow-up aimed at: {card.follow_up.reason}")
    return out


def _points_markdown(card: Scorecard) -> list[str]:
    out: list[str] = []
    if card.talking_points:
        out += ["", f"### {_points_heading(card)}", ""]
        for p in card.talking_points:
            if p.covered and p.evidence is not None:
                after = " _(after the follow-up)_" if p.prompted else ""
                out.append(f"- [x] {_md_escape(p.point)}{after}: {_span(p.evidence.start, p.evidence.end)}\u201c{_md_escape(p.evidence.text)}\u201d")
            else:
                out.append(f"- [ ] {_md_escape(p.point)} _(missed)_")
    if card.follow_up is not None:
        out += ["", f"_Follow-up aimed at: {_md_escape(card.follow_up.reason)}_"]
    return out


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _markdown(card: Scorecard) -> str:
    out: list[str] = [f"# {card.input}", ""]
    out.append(f"**Overall {card.overall:.1f} / 5: {_verdict(card)}** (rubric `{card.rubric}`, level `{card.level}`)  ")
    if card.question_text:
        qid = f"`{card.question_id}` " if card.question_id else ""
        out.append(f"Question: {qid}{card.question_text}  ")
    if card.talking_points:
        missed = [p.point for p in card.talking_points if not p.covered]
        out.append(_points_heading(card) + (f"; missed: {_md_escape('; '.join(missed))}" if missed else ""))
    out.extend(f"**Capped:** {_md_escape(why)}  " for why in caps(card))
    changes = top_changes(card)
    if changes:
        out += ["", "**To raise the score most:**", ""]
        for n, c in enumerate(changes, 1):
            rework = f" Rework: {_span(c.rework.start, c.rework.end)}\u201c{_md_escape(c.rework.text)}\u201d" if c.rework else ""
            out.append(f"{n}. **{c.dimension} {c.score:.1f}**: {_md_escape(c.advice)}{rework}")
    if card.follow_up is not None:
        out += ["", f"**Follow-up:** {_md_escape(card.follow_up.question)}"]
    out += ["", "## Details", ""]
    out.append(f"Pass rule: {card.pass_rule}  ")
    if card.relevance is not None:
        out.append(f"Relevance to the question: {card.relevance:.2f}")
    out += ["", "| Dimension | Weight | Score | Band |", "|---|---|---|---|"]
    for dim in card.dimensions:
        out.append(f"| {_md_escape(dim.name)} | {dim.weight:.0%} | {dim.score:.1f} | {dim.low:.1f}-{dim.high:.1f} |")
    for dim in card.dimensions:
        out += ["", f"### {dim.name}: {dim.score:.1f}", ""]
        if not dim.evidence:
            out.append("_No sentence carried a clear signal for this dimension._")
        for e in dim.evidence:
            mark = "strong" if e.polarity == "strong" else "weak"
            out.append(f"- **{mark}** {_span(e.start, e.end)}{_md_escape(e.text)} _({e.signal}, {e.confidence:.2f})_")
        if dim.advice:
            out += ["", f"> Advice: {dim.advice}"]
    out.extend(_points_markdown(card))
    if card.structure is not None:
        out += ["", "### Structure", ""]
        for present, name, detail in _structure_rows(card.structure):
            out.append(f"- [{'x' if present else ' '}] {name}: {_md_escape(detail)}")
    if card.delivery is not None:
        out += ["", "### Delivery", ""]
        out.extend(f"- {line}" for line in _delivery_lines(card.delivery))
        out.extend(f"- {_md_escape(line)}" for line in _annotations(card.delivery.annotations))
    caveats = _other_caveats(card)
    if caveats:
        out += ["", "### Caveats", ""]
        out.extend(f"- {_md_escape(c)}" for c in caveats)
    limits = all_limits(card)
    if limits:
        out += ["", "### What this report may get wrong", ""]
        out.extend(f"- {_md_escape(line)}" for line in limits)
    return "\n".join(out) + "\n"


def _structure_rows(structure) -> list[tuple[bool, str, str]]:
    """(present, check name, what to say): what was found, or the tip for what was not."""
    return [(c.present, c.name.replace("_", " "), c.detail if c.present else (c.tip or c.detail)) for c in structure.checks]
