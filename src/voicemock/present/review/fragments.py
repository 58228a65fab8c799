"""The review page's HTML pieces: timeline, transcript, scores, structure, delivery, findings; all text escaped."""

from __future__ import annotations

import html
import re
from typing import Any

from voicemock.records import Delivery, DimensionScore, Scorecard, Structure, Transcript
from voicemock.present.review.data import SentenceView

__all__ = [
    "clock",
    "delivery_html",
    "dimensions_html",
    "esc",
    "findings_html",
    "legend_html",
    "num",
    "structure_html",
    "timeline_html",
    "transcript_html",
]

_CHECK, _CROSS, _DASH = "\u2713", "\u2717", "\u2013"


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = max(0.0, float(seconds))
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def num(value: Any, fmt: str = "{:.1f}") -> str:
    return "–" if value is None else fmt.format(value)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", str(value).lower())[:40] or "x"


def _tint(hex_color: str, alpha: float = 0.18) -> str:
    """The colour blended onto white: an opaque tint that prints the same as it shows."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * alpha) for c in (r, g, b)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


# ---------------------------------------------------------------------------- timeline and transcript


def timeline_html(transcript: Transcript, delivery: Delivery | None, views: list[SentenceView],
                  colors: dict[str, str]) -> tuple[list[tuple[float, str]], str]:
    """(inline chips keyed by time, timeline HTML) for evidence, pauses, fillers and hesitations."""
    # A pause as long as delivery's own "long pause" shows in the transcript too, not only on the
    # timeline; so does any pause delivery annotated.
    from voicemock.assess.delivery import LONG_PAUSE_S

    duration = transcript.duration_s or (transcript.words[-1].end if transcript.words else 0.0)
    delivery = delivery or Delivery()
    marks: list[str] = []
    inline: list[tuple[float, str]] = []

    def pct(t: float) -> float:
        return 0.0 if not duration else max(0.0, min(100.0, 100.0 * t / duration))

    def box(kind: str, start: float, end: float | None, title: str, extra: str = "") -> str:
        width = max(0.6, pct(end) - pct(start)) if end is not None else 0.6
        return (f'<button type="button" class="mk mk-{kind}" data-seek="{start:.3f}" title="{esc(title)}" '
                f'aria-label="{esc(title)}" style="left:{pct(start):.3f}%;width:{width:.3f}%{extra}"></button>')

    for v in views:
        s = v.sentence
        for ev in v.evidence[:1]:
            if s.start is None:
                continue
            color = colors.get(ev.dimension, "#777")
            title = f"{clock(s.start)} {ev.polarity} {ev.dimension}: {ev.signal}"
            marks.append(box(f"ev lane-ev pol-{_slug(ev.polarity)}", s.start, s.end, title, f";--c:{color}"))

    annotated_pauses = {round(a.start, 1) for a in delivery.annotations if a.category == "pause" and a.start is not None}
    for p in delivery.pauses:
        start, end = float(p.start), float(p.end)
        long = (end - start) >= LONG_PAUSE_S or round(start, 1) in annotated_pauses
        title = f"{clock(start)} {'long ' if long else ''}pause {end - start:.1f} s ({(p.where or '').replace('_', ' ')})"
        marks.append(box("pause lane-del" + (" long" if long else ""), start, end, title))
        if long:
            chip = f'<span class="chip chip-pause" data-seek="{start:.3f}" title="{esc(title)}">pause {end - start:.1f}s</span>'
            inline.append((start, chip))
    for f in delivery.fillers:
        if f.start is None:
            continue
        title = f"{clock(f.start)} filler \u201c{f.text}\u201d"
        marks.append(box("filler lane-del", float(f.start), f.end, title))
    for h in delivery.hesitations:
        start, end = float(h.start), float(h.end)
        title = f"{clock(start)} hesitation {end - start:.1f} s: speech with no transcribed word (often a dropped um/uh)"
        marks.append(box("hes lane-del", start, end, title))
        chip = f'<span class="chip chip-hes" data-seek="{start:.3f}" title="{esc(title)}">hesitation {end - start:.1f}s</span>'
        inline.append((start, chip))
    timeline = (
        f'<div class="timeline" id="timeline" data-duration="{duration:.3f}" role="group" aria-label="Timeline of the answer">'
        + "".join(marks)
        + '<div class="playhead" id="playhead"></div></div>'
        f'<div class="tl-scale"><span>0:00</span><span class="tl-key">top: evidence \u00b7 bottom: pauses, fillers, hesitations</span>'
        f'<span>{clock(duration)}</span></div>'
    )
    return sorted(inline, key=lambda x: x[0]), timeline


def transcript_html(views: list[SentenceView], delivery: Delivery | None, inline: list[tuple[float, str]],
                    colors: dict[str, str], has_timing: bool) -> str:
    """The transcript: one element per sentence (coloured by its label) and per word (seeking the audio)."""
    filler_times = [(float(f.start), float(f.end or f.start)) for f in (delivery.fillers if delivery else [])
                    if f.start is not None]
    out: list[str] = []
    pending = list(inline)
    for v in views:
        s = v.sentence
        ev = v.evidence[0] if v.evidence else None
        classes = ["s"]
        style = ""
        badge = ""
        if v.label is not None and v.label[1] in ("strong", "weak"):
            dim, polarity = v.label
            color = colors.get(dim, "#777")
            classes += ["ev", f"pol-{polarity}"]
            style = f' style="--c:{color};--t:{_tint(color)}"'
            sign = "+" if polarity == "strong" else "\u2212"
            badge = f'<span class="badge" aria-hidden="true">{sign}{esc(dim)}</span>'
        if v.relabel is not None:
            classes.append("coach")
        attrs = [f'class="{" ".join(classes)}"', f'data-s="{v.index}"', 'tabindex="0"']
        if s.start is not None:
            attrs += [f'data-start="{s.start:.3f}"', f'data-end="{s.end:.3f}"']
        if ev is not None:
            title = f"{ev.polarity} {ev.dimension}: {ev.signal}"
            if ev.confidence:
                title += f" (p={float(ev.confidence):.2f})"
            attrs.append(f'title="{esc(title)}"')
        out.append(f"<span {' '.join(attrs)}{style}>{badge}")
        if s.words:
            for j, w in enumerate(s.words):
                while pending and pending[0][0] <= w.start:
                    out.append(pending.pop(0)[1] + " ")
                wclass = "w"
                if any(a - 0.05 <= w.start <= b + 0.05 or w.start <= a <= w.end for a, b in filler_times):
                    wclass += " filler"
                space = " " if (j or out[-1].endswith(">")) and w.word.startswith(" ") else ""
                out.append(f'{space}<span class="{wclass}" data-i="{v.word_offset + j}" '
                           f'data-start="{w.start:.3f}" data-end="{w.end:.3f}">{esc(w.word.strip())}</span>')
        else:
            # A typed transcript has no timing: words still are elements, but cannot seek.
            for j, token in enumerate(s.text.split()):
                out.append(f'{" " if j else ""}<span class="w" data-i="{v.word_offset + j}">{esc(token)}</span>')
        out.append("</span> ")
    for _, chip in pending:
        out.append(chip)
    note = "" if has_timing else '<p class="muted">This transcript has no word timing: words cannot seek the audio.</p>'
    return note + '<p class="transcript" id="transcript">' + "".join(out).rstrip() + "</p>"


def legend_html(colors: dict[str, str], keys: list[str]) -> str:
    chips = "".join(f'<span class="lg" style="--c:{colors[k]};--t:{_tint(colors[k])}">{esc(k)}</span>' for k in keys if k in colors)
    return (f'<div class="legend">{chips}<span class="lg-pol">+ strong</span><span class="lg-pol weak">\u2212 weak</span>'
            '<span class="lg-mk filler">filler</span><span class="lg-mk hes">hesitation</span><span class="lg-mk pause">pause</span></div>')


# ---------------------------------------------------------------------------- the side cards


def _score_band(dim: DimensionScore, lo: float = 1.0, hi: float = 5.0) -> str:
    def pct(x: float) -> float:
        return max(0.0, min(100.0, 100.0 * (float(x) - lo) / (hi - lo)))

    score = float(dim.score)
    low, high = float(dim.low), float(dim.high)
    return (f'<div class="band" aria-hidden="true"><div class="band-range" style="left:{pct(low):.2f}%;width:{max(1.0, pct(high) - pct(low)):.2f}%"></div>'
            f'<div class="band-dot" style="left:{pct(score):.2f}%"></div>'
            + "".join(f'<span class="tick" style="left:{pct(t):.2f}%">{t}</span>' for t in range(int(lo), int(hi) + 1))
            + "</div>")


def _evidence_list(dim: DimensionScore) -> str:
    return "".join(
        f'<li class="ev-item pol-{_slug(e.polarity)}"'
        + (f' data-seek="{float(e.start):.3f}"' if e.start is not None else "")
        + f'><span class="pol">{"+" if e.polarity == "strong" else chr(0x2212)}</span> '
        f'<span class="sig">{esc(e.signal)}</span> '
        f'<q>{esc(e.text)}</q>'
        + (f' <span class="t">{clock(e.start)}</span>' if e.start is not None else "")
        + "</li>"
        for e in dim.evidence
    )


def dimensions_html(scorecard: Scorecard, colors: dict[str, str], corrections: dict[str, Any] | None) -> str:
    """One card per rubric dimension: score, range, advice, evidence and the coach's override box."""
    overrides = {o["dimension"]: o for o in (corrections or {}).get("score_overrides", [])}
    cards = []
    for dim in scorecard.dimensions:
        key = str(dim.key or dim.name)
        color = colors.get(key, "#777")
        strong = sum(1 for e in dim.evidence if e.polarity == "strong")
        weak = sum(1 for e in dim.evidence if e.polarity == "weak")
        ev_items = _evidence_list(dim)
        override = overrides.get(key)
        raw = dim.raw_score
        cards.append(
            f'<article class="dim" data-key="{esc(key)}" style="--c:{color};--t:{_tint(color)}">'
            f'<header><h3>{esc(dim.name)}</h3>'
            f'<span class="weight">weight {float(dim.weight):.0%}</span></header>'
            f'<div class="score-line"><span class="score">{num(dim.score)}</span>'
            f'<span class="range">range {num(dim.low)}\u2013{num(dim.high)}</span>'
            + (f'<span class="raw">level-free {num(raw)}</span>' if raw is not None else "")
            + f'<span class="coach-score{"" if override else " hidden"}" data-coach-score="{esc(key)}">coach '
            f'{num(override["score"]) if override else ""}</span></div>'
            + _score_band(dim)
            + f'<p class="ev-count">{strong} strong, {weak} weak signal{"s" if strong + weak != 1 else ""}</p>'
            + (f'<p class="advice"><b>Advice:</b> {esc(dim.advice)}</p>' if dim.advice else "")
            + (f'<details class="ev-list"><summary>Evidence</summary><ul>{ev_items}</ul></details>' if ev_items else "")
            + f'<label class="override no-print">Coach score <input type="number" min="1" max="5" step="0.5" '
            f'data-override="{esc(key)}" data-original="{esc(dim.score)}" data-raw-offset="'
            f'{esc("" if raw is None else round(float(raw) - float(dim.score), 3))}" '
            f'value="{esc(override["score"]) if override else ""}" aria-label="Coach score for {esc(dim.name)}"></label>'
            "</article>"
        )
    return "".join(cards)


def delivery_html(delivery: Delivery | None) -> str:
    if not delivery:
        return '<p class="muted">No delivery measurements in this report.</p>'
    tw = delivery.target_wpm or (None, None)
    rows = [
        ("Length", clock(delivery.duration_s) or "–"),
        ("Pace", f'{num(delivery.wpm, "{:.0f}")} wpm (target {num(tw[0], "{:.0f}")}\u2013{num(tw[1], "{:.0f}")})'),
        ("First word after", f'{num(delivery.time_to_first_word_s)} s'),
        ("Pauses", f'{delivery.pause_count} ({delivery.long_pause_count} long, {num(delivery.pause_total_s)} s in all)'),
        ("Fillers", f'{len(delivery.fillers)} ({num(delivery.fillers_per_minute)} per minute)'),
        ("Hesitations", str(len(delivery.hesitations))),
    ]
    if delivery.filler_recall is not None:
        rows.append(("Filler detector recall", f'{float(delivery.filler_recall):.0%} (measured)'))
    table = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    limits = "".join(f"<li>{esc(x)}</li>" for x in delivery.limits)
    return f'<table class="kv">{table}</table>' + (f'<ul class="limits">{limits}</ul>' if limits else "")


def structure_html(structure: Structure | None) -> str:
    if not structure or not structure.checks:
        return '<p class="muted">No structure findings in this report.</p>'
    items = []
    for c in structure.checks:
        present = bool(c.present)
        seek = f' data-seek="{float(c.start):.3f}"' if c.start is not None else ""
        items.append(
            f'<li class="check {"ok" if present else "miss"}"{seek}>'
            f'<span class="mark" aria-label="{"present" if present else "missing"}">{_CHECK if present else _CROSS}</span>'
            f'<div><b>{esc(str(c.name).replace("_", " "))}</b>'
            + (f' <span class="t">{clock(c.start)}</span>' if c.start is not None else "")
            + (f'<div class="detail">{esc(c.detail)}</div>' if c.detail else "")
            + (f'<div class="quote"><q>{esc(c.evidence)}</q></div>' if c.evidence else "")
            + (f'<div class="tip"><b>Tip:</b> {esc(c.tip)}</div>' if c.tip else "")
            + "</div></li>"
        )
    verdict = structure.length_verdict
    length = (f'<p>Length: <b>{esc(str(verdict).replace("_", " "))}</b>'
              + (f' (target {clock(structure.target_seconds)})' if structure.target_seconds else "")
              + "</p>") if verdict else ""
    return length + f'<ul class="checks">{"".join(items)}</ul>'


def findings_html(scorecard: Scorecard) -> str:
    notes = [a for part in (scorecard.delivery, scorecard.structure) if part is not None for a in part.annotations]
    if not notes:
        return ""
    notes.sort(key=lambda a: (a.start is None, a.start or 0.0))
    items = "".join(
        f'<li class="finding sev-{_slug(a.severity)}"'
        + (f' data-seek="{float(a.start):.3f}"' if a.start is not None else "")
        + f'><span class="t">{clock(a.start) or _DASH}</span> <b>{esc(a.label)}</b>'
        + (f' <span class="cat">{esc(a.category)}</span>' if a.category else "")
        + (f'<div class="tip">{esc(a.tip)}</div>' if a.tip else "")
        + "</li>"
        for a in notes
    )
    return f'<section class="card findings"><h2>Timeline findings</h2><ul>{items}</ul></section>'


def points_html(scorecard: Scorecard) -> str:
    """The talking points (each covered one seeks its sentence) and the interviewer's follow-up."""
    items = []
    for p in scorecard.talking_points:
        ev = p.evidence if p.covered else None
        seek = f' data-seek="{float(ev.start):.3f}"' if ev is not None and ev.start is not None else ""
        items.append(
            f'<li class="check point {"ok" if ev is not None else "miss"}"{seek}>'
            f'<span class="mark" aria-label="{"covered" if ev is not None else "missed"}">{_CHECK if ev is not None else _CROSS}</span>'
            f'<div><b>{esc(p.point)}</b>' + (" <i>(after the follow-up)</i>" if p.prompted else "")
            + (f' <span class="t">{clock(ev.start)}</span>' if ev is not None and ev.start is not None else "")
            + (f'<div class="quote"><q>{esc(ev.text)}</q></div>' if ev is not None else "")
            + "</div></li>"
        )
    covered = sum(1 for p in scorecard.talking_points if p.covered)
    points = (f'<p>{covered} of {len(scorecard.talking_points)} talking points covered</p><ul class="checks">{"".join(items)}</ul>'
              if items else "")
    follow = scorecard.follow_up
    follow_html = (f'<div class="follow-up"><h3>Follow-up</h3><p class="ask"><q>{esc(follow.question)}</q></p>'
                   f'<p class="muted">{esc(follow.reason)}</p></div>') if follow is not None else ""
    if not points and not follow_html:
        return ""
    return f'<section class="card points" aria-labelledby="h-points"><h2 id="h-points">Talking points</h2>{points}{follow_html}</section>'
