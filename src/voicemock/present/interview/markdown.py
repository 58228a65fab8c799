"""interview.md: the loop's recommendation and its reasons first, then each question with its follow-up."""

from __future__ import annotations

from typing import Any

from voicemock.present.review.fragments import clock

__all__ = ["render_loop_markdown", "point_mark", "point_where"]

_MARKS = {"made": "\u2713", "prompted": "\u21a9", "missed": "\u2717"}


def point_mark(point: dict[str, Any]) -> str:
    """made | prompted (made only after the follow-up) | missed."""
    if not point.get("covered"):
        return "missed"
    return "prompted" if point.get("prompted") else "made"


def point_where(point: dict[str, Any], follow_up_starts: float | None) -> tuple[str, float | None]:
    """Which turn a point's evidence was said in ("answer" | "follow-up") and its time in that turn's audio."""
    ev = point.get("evidence") or {}
    start = ev.get("start")
    if start is not None and follow_up_starts is not None and start >= follow_up_starts:
        return "follow-up", round(start - follow_up_starts, 3)
    return "answer", start


def _points(card: dict[str, Any], starts: float | None) -> list[str]:
    points = card.get("talking_points") or []
    if not points:
        return ["Talking points: this question has none."]
    made = sum(1 for p in points if p.get("covered"))
    prompted = sum(1 for p in points if p.get("covered") and p.get("prompted"))
    lines = [f"Talking points: {made} of {len(points)}" + (f" ({prompted} only after the follow-up)" if prompted else "")]
    for p in points:
        mark = point_mark(p)
        line = f"- {_MARKS[mark]} {p['point']}"
        if mark == "prompted":
            line += " *(after the follow-up)*"
        ev = p.get("evidence")
        if mark != "missed" and ev:
            turn, at = point_where(p, starts)
            when = f" ({'follow-up ' if turn == 'follow-up' else ''}{clock(at)})" if at is not None else ""
            line += f": \u201c{ev['text']}\u201d{when}"
        lines.append(line)
    return lines


def _question(i: int, q: dict[str, Any]) -> list[str]:
    first = q["scorecard"]
    verdict = "PASS" if q.get("passed") else "FAIL"
    out = [f"## {i}. {q['id']}: {verdict}, {q['overall']:.1f} / 5", "", f"> {q['question']}", ""]
    fu = q.get("follow_up")
    if fu:
        out.append(f"The answer alone: {first['overall']:.1f} / 5 ({'pass' if first['passed'] else 'fail'}); "
                   f"with the follow-up answer, scored together: {q['overall']:.1f} / 5.")
    else:
        out.append(f"The answer: {first['overall']:.1f} / 5.")
    card = fu["scorecard"] if fu else first
    dims = ", ".join(f"{d['name']} {d['score']:.1f}" for d in card.get("dimensions", []))
    out += [f"Dimensions: {dims}.", ""]
    if q.get("points_credit") is not None:
        out.append(f"Talking-point credit: {q['points_credit']:.0%}.")
    out += _points(card, fu["starts_at_s"] if fu else None) + [""]
    if fu:
        out += [
            f"**Follow-up:** \u201c{fu['question']}\u201d",
            "",
            f"- aimed at: {fu['target']} ({fu['reason']})",
            f"- spoken: {fu['spoken']}" + (f" ({fu['spoken_note']})" if fu.get("spoken_note") else ""),
            f"- answer: \u201c{fu['transcript']}\u201d",
            f"- {'FAILED' if fu['failed'] else 'closed'}: {fu['failed_reason']}",
            "",
        ]
    else:
        out += [f"No follow-up: {q.get('follow_up_note', 'none was asked')}.", ""]
    sessions = [q["session"]] + ([fu["session"]] if fu else [])
    out += [f"Turns: {', '.join(f'`{s}/`' for s in sessions)}", ""]
    return out


def render_loop_markdown(doc: dict[str, Any]) -> str:
    """The whole loop in Markdown, from the loop document (interview.json)."""
    out = [
        f"# Mock interview {doc['interview']}",
        "",
        f"**Recommendation: {doc['recommendation']}** \u00b7 overall {doc['overall']:.1f} / 5 \u00b7 "
        f"rubric {doc['rubric']}, level {doc['level']} \u00b7 {len(doc['questions'])} questions",
        "",
        "## Why",
        "",
        *[f"- {r}" for r in doc["reasons"]],
        "",
        f"The rule ({doc['rubric']}): {doc['rule']}. A talking point made only after the follow-up counts "
        f"{doc['prompted_credit']:g} of one made unprompted.",
        "",
        "## Dimensions across the loop",
        "",
        "| dimension | weight | mean | per question |",
        "|---|---|---|---|",
        *[f"| {d['name']} | {d['weight']:.0%} | {d['score']:.1f} | {', '.join(f'{s:.1f}' for s in d['scores'])} |"
          for d in doc["dimensions"]],
        "",
    ]
    for i, q in enumerate(doc["questions"], 1):
        out += _question(i, q)
    if doc.get("notes"):
        out += ["## Notes", "", *[f"- {n}" for n in doc["notes"]], ""]
    out.append("Each question counts its answer and follow-up answer scored together; each turn's own report is in its folder.")
    return "\n".join(out) + "\n"
