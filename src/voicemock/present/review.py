"""The coach review page: one self-contained HTML file built from a transcript and a scorecard.

The page works opened from disk with no network: CSS and JS are inline, the audio is linked by a
relative path when it sits in or below the page's folder (a session's review.html beside its
answer.wav) and embedded as a data: URI otherwise. A Content-Security-Policy allows only the page's
own script (by hash) and media from the file itself or the local disk, so a transcript that slips
markup past the escaping still cannot run script or call out.

Every piece of transcript, question, evidence and note text goes through `html.escape`; the data
the script needs is a JSON block with <, > and & written as \\u escapes, so a "</script>" said in
an answer stays text. The script builds DOM with textContent only.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from voicemock.errors import VoicemockError
from voicemock.fsutil import atomic_write_text
from voicemock.records import Transcript
from voicemock.speech.sentences import Sentence, split_sentences

__all__ = [
    "DIMENSION_COLORS",
    "ReviewError",
    "ReviewInputs",
    "assign_evidence",
    "audio_source",
    "build_review_html",
    "evidence_items",
    "find_session_audio",
    "json_for_script",
    "load_session",
    "write_review",
]

logger = logging.getLogger(__name__)

# Session file names written by `voicemock practice` (voicemock.store.session).
TRANSCRIPT_FILE = "transcript.json"
REPORT_FILE = "report.json"
QUESTION_FILE = "question.json"
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".mp4", ".aac", ".webm")
_MIME = {
    ".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg",
    ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".mp4": "audio/mp4", ".aac": "audio/aac", ".webm": "audio/webm",
}
# Past this, a base64 page is slow to open on a phone; link the audio instead.
MAX_EMBED_BYTES = 60 * 1024 * 1024

# One hue per classifier signal dimension, chosen to stay apart for common colour blindness
# (Okabe-Ito); other rubric keys get the rest of the palette in order.
DIMENSION_COLORS = {
    "conceptual": "#0072B2",
    "applied": "#009E73",
    "production": "#D55E00",
    "communication": "#CC79A7",
}
_CHECK, _CROSS, _DASH = "\u2713", "\u2717", "\u2013"
_EXTRA_COLORS = ("#E69F00", "#56B4E9", "#8a6d00", "#555555")


class ReviewError(VoicemockError):
    """A session folder or input that a review page cannot be built from."""


@dataclass(frozen=True)
class ReviewInputs:
    transcript: Transcript
    scorecard: dict[str, Any]  # Scorecard.to_dict(): what report.json holds
    audio_path: Path | None
    question: dict[str, Any] | None = None
    corrections: dict[str, Any] | None = None
    session_dir: Path | None = None


# ---------------------------------------------------------------------------- reading a session


def find_session_audio(session_dir: Path) -> Path | None:
    """The take's audio: `answer.<ext>` first, else the only audio file in the folder."""
    for ext in AUDIO_EXTENSIONS:
        candidate = session_dir / f"answer{ext}"
        if candidate.is_file():
            return candidate
    audio = sorted(p for p in session_dir.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS
                   and not p.name.startswith("question"))
    return audio[0] if len(audio) == 1 else None


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReviewError(f"{path}: the {what} is not valid JSON ({exc}); score the take again with `voicemock score`") from exc


def load_session(session_dir: str | Path) -> ReviewInputs:
    """Read a practice session folder: transcript.json, report.json, question.json, the answer audio
    and the coach's corrections.json if there is one."""
    from voicemock.store import corrections as corr

    d = Path(session_dir)
    if not d.is_dir():
        raise ReviewError(f"{d}: not a folder; pass a session folder (recordings/<take>/) or an audio file")
    report_path = d / REPORT_FILE
    if not report_path.is_file():
        raise ReviewError(f"{d}: has no {REPORT_FILE}; pass the answer audio instead to score it now, e.g. `voicemock review {d}/answer.wav`")
    scorecard = _read_json(report_path, "report")
    if not isinstance(scorecard, dict) or "dimensions" not in scorecard:
        raise ReviewError(f"{report_path}: not a voicemock report (no 'dimensions'); score the take again")
    transcript_path = d / TRANSCRIPT_FILE
    if transcript_path.is_file():
        transcript_dict = _read_json(transcript_path, "transcript")
    elif isinstance(scorecard.get("transcript"), dict):
        transcript_dict = scorecard["transcript"]
    else:
        raise ReviewError(f"{d}: has no {TRANSCRIPT_FILE}; transcribe the answer with `voicemock transcribe -f json -o {d} AUDIO`")
    try:
        transcript = Transcript.from_dict(transcript_dict)
    except (KeyError, TypeError, ValueError) as exc:
        raise ReviewError(f"{transcript_path}: not a voicemock transcript ({exc!r}); transcribe the answer again") from exc
    question_path = d / QUESTION_FILE
    question = _read_json(question_path, "question") if question_path.is_file() else None
    return ReviewInputs(
        transcript=transcript,
        scorecard=scorecard,
        audio_path=find_session_audio(d),
        question=question if isinstance(question, dict) else None,
        corrections=corr.load(d),
        session_dir=d,
    )


# ---------------------------------------------------------------------------- small helpers


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def json_for_script(data: Any) -> str:
    """JSON safe inside <script type="application/json">: no '<', '>' or '&' survives, so no
    '</script>' or '<!--' in a transcript can end the block; U+2028/2029 escaped for old parsers."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = max(0.0, float(seconds))
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def _num(value: Any, fmt: str = "{:.1f}") -> str:
    return "–" if value is None else fmt.format(value)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", str(value).lower())[:40] or "x"


def _tint(hex_color: str, alpha: float = 0.18) -> str:
    """The colour blended onto white: an opaque tint that prints the same as it shows."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * alpha) for c in (r, g, b)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def _color_map(keys: list[str]) -> dict[str, str]:
    colors = dict(DIMENSION_COLORS)
    extra = iter(_EXTRA_COLORS * 4)
    for key in keys:
        if key and key not in colors:
            colors[key] = next(extra)
    return colors


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def audio_source(audio_path: Path, out_path: Path, embed: bool | None = None) -> tuple[str, str]:
    """The <audio src> for the page and how it was made ("link" or "embed").

    Linked by a relative path when the audio sits in or below the page's folder, so the pair moves
    together; embedded otherwise (or when asked), so the page still plays when sent on its own.
    """
    audio_path, out_dir = audio_path.resolve(), out_path.resolve().parent
    inside = out_dir == audio_path.parent or out_dir in audio_path.parents
    if embed is None:
        embed = not inside
    if not embed:
        if not inside:
            raise ReviewError(f"{audio_path}: cannot be linked from {out_dir} (it is outside that folder); "
                              "write the page beside the audio or drop --link-audio to embed it")
        rel = Path(os.path.relpath(audio_path, out_dir))
        return "/".join(quote(part) for part in rel.parts), "link"
    size = audio_path.stat().st_size
    if size > MAX_EMBED_BYTES:
        raise ReviewError(f"{audio_path}: {size / 2**20:.0f} MB is too big to embed in the page; "
                          "write the page into the audio's folder so it links the audio instead (-o there)")
    mime = _MIME.get(audio_path.suffix.lower(), "audio/wav")
    return f"data:{mime};base64,{base64.b64encode(audio_path.read_bytes()).decode('ascii')}", "embed"


# ---------------------------------------------------------------------------- page model


@dataclass
class _SentenceView:
    index: int
    sentence: Sentence
    word_offset: int  # index of its first word in the transcript's word list
    evidence: list[dict[str, Any]]
    relabel: dict[str, Any] | None = None


def evidence_items(scorecard: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    for dim in scorecard.get("dimensions", []):
        for ev in dim.get("evidence", []) or []:
            item = dict(ev)
            # Evidence names the classifier's signal dimension when it has one; else the rubric
            # dimension it is listed under is the best colour we have.
            item["dimension"] = ev.get("dimension") or dim.get("key") or ""
            item["listed_under"] = dim.get("key") or ""
            items.append(item)
    return items


def assign_evidence(sentences: list[Sentence], evidence: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Each piece of evidence to the sentence it overlaps most in time, or matches by text."""
    out: list[list[dict[str, Any]]] = [[] for _ in sentences]
    seen: set[tuple[int, str, str]] = set()
    for ev in evidence:
        best, best_overlap = None, 0.0
        if ev.get("start") is not None and ev.get("end") is not None:
            for i, s in enumerate(sentences):
                if s.start is None or s.end is None:
                    continue
                overlap = min(s.end, ev["end"]) - max(s.start, ev["start"])
                if overlap > best_overlap:
                    best, best_overlap = i, overlap
        if best is None:
            target = _norm(ev.get("text", ""))
            for i, s in enumerate(sentences):
                norm = _norm(s.text)
                if target and (norm == target or target in norm or (norm and norm in target)):
                    best = i
                    break
        if best is None:
            logger.debug("evidence not found in the transcript: %r", ev.get("text"))
            continue
        # The same sentence listed under two rubric dimensions is one highlight.
        key = (best, ev.get("dimension", ""), ev.get("polarity", ""))
        if key not in seen:
            seen.add(key)
            out[best].append(ev)
    return out


def _assign_relabels(sentences: list[Sentence], corrections: dict[str, Any] | None) -> list[dict[str, Any] | None]:
    out: list[dict[str, Any] | None] = [None] * len(sentences)
    for r in (corrections or {}).get("relabels", []):
        target = _norm(r["text"])
        candidates = [i for i, s in enumerate(sentences) if _norm(s.text) == target]
        if len(candidates) > 1 and r.get("start") is not None:
            candidates.sort(key=lambda i: abs((sentences[i].start or 0.0) - r["start"]))
        if candidates:
            out[candidates[0]] = r
    return out


# ---------------------------------------------------------------------------- rendering


def _timeline_markers(transcript: Transcript, scorecard: dict[str, Any], views: list[_SentenceView], colors: dict[str, str]):
    """(inline markers keyed by time, timeline HTML) for pauses, fillers, hesitations, evidence."""
    # A pause as long as delivery's own "long pause" shows in the transcript too, not only on the
    # timeline; so does any pause delivery annotated.
    from voicemock.assess.delivery import LONG_PAUSE_S

    duration = transcript.duration_s or (transcript.words[-1].end if transcript.words else 0.0)
    delivery = scorecard.get("delivery") or {}
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
            color = colors.get(ev.get("dimension", ""), "#777")
            title = f"{_clock(s.start)} {ev.get('polarity', '')} {ev.get('dimension', '')}: {ev.get('signal', '')}"
            marks.append(box(f"ev lane-ev pol-{_slug(ev.get('polarity', ''))}", s.start, s.end, title, f";--c:{color}"))

    annotated_pauses = {round(a["start"], 1) for a in delivery.get("annotations", []) or []
                        if a.get("category") == "pause" and a.get("start") is not None}
    for p in delivery.get("pauses", []) or []:
        start, end = float(p["start"]), float(p["end"])
        long = (end - start) >= LONG_PAUSE_S or round(start, 1) in annotated_pauses
        title = f"{_clock(start)} {'long ' if long else ''}pause {end - start:.1f} s ({p.get('where', '').replace('_', ' ')})"
        marks.append(box("pause lane-del" + (" long" if long else ""), start, end, title))
        if long:
            chip = f'<span class="chip chip-pause" data-seek="{start:.3f}" title="{esc(title)}">pause {end - start:.1f}s</span>'
            inline.append((start, chip))
    for f in delivery.get("fillers", []) or []:
        if f.get("start") is None:
            continue
        title = f"{_clock(f['start'])} filler \u201c{f.get('text', '')}\u201d"
        marks.append(box("filler lane-del", float(f["start"]), f.get("end"), title))
    for h in delivery.get("hesitations", []) or []:
        start, end = float(h["start"]), float(h["end"])
        title = f"{_clock(start)} hesitation {end - start:.1f} s: speech with no transcribed word (often a dropped um/uh)"
        marks.append(box("hes lane-del", start, end, title))
        chip = f'<span class="chip chip-hes" data-seek="{start:.3f}" title="{esc(title)}">hesitation {end - start:.1f}s</span>'
        inline.append((start, chip))
    timeline = (
        f'<div class="timeline" id="timeline" data-duration="{duration:.3f}" role="group" aria-label="Timeline of the answer">'
        + "".join(marks)
        + '<div class="playhead" id="playhead"></div></div>'
        f'<div class="tl-scale"><span>0:00</span><span class="tl-key">top: evidence \u00b7 bottom: pauses, fillers, hesitations</span>'
        f'<span>{_clock(duration)}</span></div>'
    )
    return sorted(inline, key=lambda x: x[0]), timeline


def _transcript_html(views: list[_SentenceView], filler_times: list[tuple[float, float]],
                     inline: list[tuple[float, str]], colors: dict[str, str], has_timing: bool) -> str:
    out: list[str] = []
    pending = list(inline)
    for v in views:
        s = v.sentence
        ev = v.evidence[0] if v.evidence else None
        label = v.relabel or ev
        classes = ["s"]
        style = ""
        badge = ""
        if label is not None and label.get("polarity") in ("strong", "weak"):
            dim = label.get("dimension", "")
            color = colors.get(dim, "#777")
            classes += ["ev", f"pol-{label['polarity']}"]
            style = f' style="--c:{color};--t:{_tint(color)}"'
            sign = "+" if label["polarity"] == "strong" else "\u2212"
            badge = f'<span class="badge" aria-hidden="true">{sign}{esc(dim)}</span>'
        if v.relabel is not None:
            classes.append("coach")
        attrs = [f'class="{" ".join(classes)}"', f'data-s="{v.index}"', 'tabindex="0"']
        if s.start is not None:
            attrs += [f'data-start="{s.start:.3f}"', f'data-end="{s.end:.3f}"']
        if ev is not None:
            title = f"{ev.get('polarity', '')} {ev.get('dimension', '')}: {ev.get('signal', '')}"
            if ev.get("confidence"):
                title += f" (p={float(ev['confidence']):.2f})"
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


def _score_band(dim: dict[str, Any], lo: float = 1.0, hi: float = 5.0) -> str:
    def pct(x: float) -> float:
        return max(0.0, min(100.0, 100.0 * (float(x) - lo) / (hi - lo)))

    score = float(dim.get("score", lo))
    low, high = float(dim.get("low", score)), float(dim.get("high", score))
    return (f'<div class="band" aria-hidden="true"><div class="band-range" style="left:{pct(low):.2f}%;width:{max(1.0, pct(high) - pct(low)):.2f}%"></div>'
            f'<div class="band-dot" style="left:{pct(score):.2f}%"></div>'
            + "".join(f'<span class="tick" style="left:{pct(t):.2f}%">{t}</span>' for t in range(int(lo), int(hi) + 1))
            + "</div>")


def _dimensions_html(scorecard: dict[str, Any], colors: dict[str, str], corrections: dict[str, Any] | None) -> str:
    overrides = {o["dimension"]: o for o in (corrections or {}).get("score_overrides", [])}
    cards = []
    for dim in scorecard.get("dimensions", []):
        key = str(dim.get("key") or dim.get("name", ""))
        color = colors.get(key, "#777")
        evidence = dim.get("evidence", []) or []
        strong = sum(1 for e in evidence if e.get("polarity") == "strong")
        weak = sum(1 for e in evidence if e.get("polarity") == "weak")
        ev_items = "".join(
            f'<li class="ev-item pol-{_slug(e.get("polarity", ""))}"'
            + (f' data-seek="{float(e["start"]):.3f}"' if e.get("start") is not None else "")
            + f'><span class="pol">{"+" if e.get("polarity") == "strong" else chr(0x2212)}</span> '
            f'<span class="sig">{esc(e.get("signal", ""))}</span> '
            f'<q>{esc(e.get("text", ""))}</q>'
            + (f' <span class="t">{_clock(e.get("start"))}</span>' if e.get("start") is not None else "")
            + "</li>"
            for e in evidence
        )
        override = overrides.get(key)
        raw = dim.get("raw_score")
        cards.append(
            f'<article class="dim" data-key="{esc(key)}" style="--c:{color};--t:{_tint(color)}">'
            f'<header><h3>{esc(dim.get("name", key))}</h3>'
            f'<span class="weight">weight {float(dim.get("weight", 0)):.0%}</span></header>'
            f'<div class="score-line"><span class="score">{_num(dim.get("score"))}</span>'
            f'<span class="range">range {_num(dim.get("low"))}\u2013{_num(dim.get("high"))}</span>'
            + (f'<span class="raw">level-free {_num(raw)}</span>' if raw is not None else "")
            + f'<span class="coach-score{"" if override else " hidden"}" data-coach-score="{esc(key)}">coach '
            f'{_num(override["score"]) if override else ""}</span></div>'
            + _score_band(dim)
            + f'<p class="ev-count">{strong} strong, {weak} weak signal{"s" if strong + weak != 1 else ""}</p>'
            + (f'<p class="advice"><b>Advice:</b> {esc(dim["advice"])}</p>' if dim.get("advice") else "")
            + (f'<details class="ev-list"><summary>Evidence</summary><ul>{ev_items}</ul></details>' if ev_items else "")
            + f'<label class="override no-print">Coach score <input type="number" min="1" max="5" step="0.5" '
            f'data-override="{esc(key)}" data-original="{esc(dim.get("score"))}" data-raw-offset="'
            f'{esc("" if raw is None else round(float(raw) - float(dim.get("score", 0)), 3))}" '
            f'value="{esc(override["score"]) if override else ""}" aria-label="Coach score for {esc(dim.get("name", key))}"></label>'
            "</article>"
        )
    return "".join(cards)


def _delivery_html(delivery: dict[str, Any] | None) -> str:
    if not delivery:
        return '<p class="muted">No delivery measurements in this report.</p>'
    tw = delivery.get("target_wpm") or [None, None]
    rows = [
        ("Length", _clock(delivery.get("duration_s")) or "–"),
        ("Pace", f'{_num(delivery.get("wpm"), "{:.0f}")} wpm (target {_num(tw[0], "{:.0f}")}\u2013{_num(tw[1], "{:.0f}")})'),
        ("First word after", f'{_num(delivery.get("time_to_first_word_s"))} s'),
        ("Pauses", f'{delivery.get("pause_count", 0)} ({delivery.get("long_pause_count", 0)} long, {_num(delivery.get("pause_total_s"))} s in all)'),
        ("Fillers", f'{len(delivery.get("fillers") or [])} ({_num(delivery.get("fillers_per_minute"))} per minute)'),
        ("Hesitations", str(len(delivery.get("hesitations") or []))),
    ]
    if delivery.get("filler_recall") is not None:
        rows.append(("Filler detector recall", f'{float(delivery["filler_recall"]):.0%} (measured)'))
    table = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    limits = "".join(f"<li>{esc(x)}</li>" for x in delivery.get("limits", []) or [])
    return f'<table class="kv">{table}</table>' + (f'<ul class="limits">{limits}</ul>' if limits else "")


def _structure_html(structure: dict[str, Any] | None) -> str:
    if not structure or not structure.get("checks"):
        return '<p class="muted">No structure findings in this report.</p>'
    items = []
    for c in structure["checks"]:
        present = bool(c.get("present"))
        seek = f' data-seek="{float(c["start"]):.3f}"' if c.get("start") is not None else ""
        items.append(
            f'<li class="check {"ok" if present else "miss"}"{seek}>'
            f'<span class="mark" aria-label="{"present" if present else "missing"}">{_CHECK if present else _CROSS}</span>'
            f'<div><b>{esc(str(c.get("name", "")).replace("_", " "))}</b>'
            + (f' <span class="t">{_clock(c.get("start"))}</span>' if c.get("start") is not None else "")
            + (f'<div class="detail">{esc(c.get("detail"))}</div>' if c.get("detail") else "")
            + (f'<div class="quote"><q>{esc(c.get("evidence"))}</q></div>' if c.get("evidence") else "")
            + (f'<div class="tip"><b>Tip:</b> {esc(c.get("tip"))}</div>' if c.get("tip") else "")
            + "</div></li>"
        )
    verdict = structure.get("length_verdict")
    length = (f'<p>Length: <b>{esc(str(verdict).replace("_", " "))}</b>'
              + (f' (target {_clock(structure.get("target_seconds"))})' if structure.get("target_seconds") else "")
              + "</p>") if verdict else ""
    return length + f'<ul class="checks">{"".join(items)}</ul>'


def _findings_html(scorecard: dict[str, Any]) -> str:
    notes = [a for part in ("delivery", "structure") for a in (scorecard.get(part) or {}).get("annotations", []) or []]
    if not notes:
        return ""
    notes.sort(key=lambda a: (a.get("start") is None, a.get("start") or 0.0))
    items = "".join(
        f'<li class="finding sev-{_slug(a.get("severity", "info"))}"'
        + (f' data-seek="{float(a["start"]):.3f}"' if a.get("start") is not None else "")
        + f'><span class="t">{_clock(a.get("start")) or _DASH}</span> <b>{esc(a.get("label", ""))}</b>'
        + (f' <span class="cat">{esc(a.get("category", ""))}</span>' if a.get("category") else "")
        + (f'<div class="tip">{esc(a.get("tip"))}</div>' if a.get("tip") else "")
        + "</li>"
        for a in notes
    )
    return f'<section class="card findings"><h2>Timeline findings</h2><ul>{items}</ul></section>'


def _legend(colors: dict[str, str], keys: list[str]) -> str:
    chips = "".join(f'<span class="lg" style="--c:{colors[k]};--t:{_tint(colors[k])}">{esc(k)}</span>' for k in keys if k in colors)
    return (f'<div class="legend">{chips}<span class="lg-pol">+ strong</span><span class="lg-pol weak">\u2212 weak</span>'
            '<span class="lg-mk filler">filler</span><span class="lg-mk hes">hesitation</span><span class="lg-mk pause">pause</span></div>')


def build_review_html(inputs: ReviewInputs, audio_src: str | None, *, title: str | None = None) -> str:
    """The page as a string. `audio_src` is what `audio_source` returned (None: no audio)."""
    transcript, scorecard = inputs.transcript, inputs.scorecard
    question = inputs.question or {}
    question_text = question.get("text") or scorecard.get("question_text") or ""
    question_id = question.get("id") or question.get("question_id") or scorecard.get("question_id")
    competency = question.get("competency") or (question_id.rsplit("-", 1)[0] if question_id and re.search(r"-\d\d$", question_id) else None)
    session = inputs.session_dir.name if inputs.session_dir else Path(transcript.source or "answer").stem

    sentences = split_sentences(transcript)
    evidence = evidence_items(scorecard)
    by_sentence = assign_evidence(sentences, evidence)
    relabels = _assign_relabels(sentences, inputs.corrections)
    views, offset = [], 0
    for i, s in enumerate(sentences):
        views.append(_SentenceView(i, s, offset, by_sentence[i], relabels[i]))
        offset += len(s.words) if s.words else len(s.text.split())

    dim_keys = [str(d.get("key") or "") for d in scorecard.get("dimensions", [])]
    signal_keys = ["conceptual", "applied", "production", "communication"]
    colors = _color_map(dim_keys + [e.get("dimension", "") for e in evidence])
    delivery = scorecard.get("delivery") or {}
    filler_times = [(float(f["start"]), float(f.get("end") or f["start"])) for f in delivery.get("fillers", []) or []
                    if f.get("start") is not None]
    inline, timeline = _timeline_markers(transcript, scorecard, views, colors)
    transcript_html = _transcript_html(views, filler_times, inline, colors, transcript.has_timing)

    data = {
        "session": session,
        "question_id": question_id,
        "competency": competency,
        "colors": colors,
        "signal_dimensions": signal_keys + ["none"],
        "polarities": ["strong", "weak", "neutral"],
        "sentences": [
            {
                "text": v.sentence.text,
                "start": v.sentence.start,
                "end": v.sentence.end,
                "dimension": (v.evidence[0].get("dimension") if v.evidence else None),
                "polarity": (v.evidence[0].get("polarity") if v.evidence else None),
                "signal": (v.evidence[0].get("signal") if v.evidence else None),
            }
            for v in views
        ],
        "corrections": inputs.corrections,
    }

    passed = bool(scorecard.get("passed"))
    overall = scorecard.get("overall")
    caveats = list(scorecard.get("caveats", []) or []) + list(scorecard.get("limits", []) or []) + list(transcript.warnings)
    caveats_html = "".join(f"<li>{esc(c)}</li>" for c in caveats)
    meta = " \u00b7 ".join(esc(x) for x in [
        question_id or "", f"rubric {scorecard.get('rubric', '')}", f"level {scorecard.get('level', '')}",
        f"relevance {float(scorecard['relevance']):.0%}" if scorecard.get("relevance") is not None else "",
    ] if x)
    merge_hint = (f'Then merge them into the session: <code>voicemock label {esc(inputs.session_dir)} --from corrections.json</code>'
                  if inputs.session_dir else
                  'This take has no session folder: <code>voicemock label</code> merges corrections into a practice session.')
    audio_html = (f'<audio id="audio" controls preload="metadata" src="{esc(audio_src)}"></audio>' if audio_src
                  else '<p class="muted" id="no-audio">No audio for this take: the transcript is shown without playback.</p>')
    body = f"""
<header class="top">
  <p class="meta">voicemock review \u00b7 {esc(session)} \u00b7 {meta}</p>
  <h1 class="question">{esc(question_text) or '<span class="muted">(no question recorded)</span>'}</h1>
  <div class="verdict {'pass' if passed else 'fail'}" id="verdict">
    <span class="pf">{'PASS' if passed else 'FAIL'}</span>
    <span class="overall">{_num(overall)} / 5</span>
    <span class="rule">{esc(scorecard.get('pass_rule', ''))}</span>
  </div>
</header>
<section class="player" aria-label="Audio and timeline">
  {audio_html}
  {timeline}
</section>
<main class="layout">
 <div class="col-side">
  <section class="card scores" aria-labelledby="h-scores">
    <h2 id="h-scores">Scores</h2>
    <div class="dims">{_dimensions_html(scorecard, colors, inputs.corrections)}</div>
  </section>
  <section class="card structure" aria-labelledby="h-structure">
    <h2 id="h-structure">Structure</h2>
    {_structure_html(scorecard.get('structure'))}
  </section>
  <section class="card delivery" aria-labelledby="h-delivery">
    <h2 id="h-delivery">Delivery</h2>
    {_delivery_html(scorecard.get('delivery'))}
  </section>
 </div>
 <div class="col-main">
  <section class="card transcript-card" aria-labelledby="h-transcript">
    <h2 id="h-transcript">Transcript</h2>
    {_legend(colors, [k for k in signal_keys if k in colors] + [k for k in dim_keys if k not in signal_keys])}
    <p class="hint no-print">Click a word to play from it; the word being spoken is highlighted. Click a sentence to relabel it below.</p>
    {transcript_html}
  </section>
  {_findings_html(scorecard)}
  {f'<section class="card caveats"><h2>What this review may get wrong</h2><ul>{caveats_html}</ul></section>' if caveats_html else ''}
  <section class="card coach" id="coach" aria-labelledby="h-coach">
    <h2 id="h-coach">Coach corrections</h2>
    <div class="no-print">
      <label>Coach <input id="coach-name" type="text" autocomplete="name" placeholder="your name"></label>
      <div id="relabel" class="relabel">
        <p class="muted" id="relabel-empty">Click a sentence in the transcript to relabel it.</p>
        <div id="relabel-form" class="hidden">
          <p class="sel"><q id="relabel-text"></q> <span class="t" id="relabel-time"></span></p>
          <p class="muted">Scorer said: <span id="relabel-original"></span></p>
          <label>Dimension <select id="relabel-dimension"></select></label>
          <label>Polarity <select id="relabel-polarity"></select></label>
          <button type="button" id="relabel-apply">Save relabel</button>
        </div>
      </div>
      <label class="block">Note <textarea id="note-text" rows="3" placeholder="What should the candidate work on?"></textarea></label>
      <label class="inline"><input type="checkbox" id="note-at-time"> at the current playback time</label>
      <button type="button" id="note-add">Add note</button>
    </div>
    <h3>Saved in this page</h3>
    <ul id="coach-list" class="coach-list"></ul>
    <div class="no-print export">
      <a id="export" class="button" download="corrections.json" href="#">Export corrections.json</a>
      <p class="muted">{merge_hint}</p>
      <textarea id="export-json" rows="6" readonly aria-label="Corrections JSON"></textarea>
    </div>
  </section>
 </div>
</main>
"""
    script = _SCRIPT
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
           f"media-src 'self' file: data:; script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'")
    page_title = title or f"Review: {question_text[:80] or session}"
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(page_title)}</title><style>{_CSS}</style></head>\n<body>"
        + body
        + f'<script type="application/json" id="review-data">{json_for_script(data)}</script>'
        + f"<script>{script}</script></body></html>\n"
    )


def write_review(inputs: ReviewInputs, out_path: str | Path, *, embed_audio: bool | None = None) -> Path:
    """Build the page and write it atomically to `out_path`."""
    out = Path(out_path)
    if out.exists() and out.is_dir():
        raise ReviewError(f"{out}: is a folder; give the page a file name, e.g. -o {out}/review.html")
    src = audio_source(inputs.audio_path, out, embed_audio)[0] if inputs.audio_path else None
    page = build_review_html(inputs, src)
    atomic_write_text(out, page)
    logger.info("wrote review page %s (%d kB)", out, len(page) // 1024)
    return out


_CSS = r"""
:root{--fg:#1d232a;--muted:#5b6670;--bg:#f6f7f9;--card:#fff;--line:#dde2e7;--pass:#1a7f37;--fail:#b42318;
--filler:#d97706;--hes:#7c3aed;--pause:#64748b;font-size:17px}
*{box-sizing:border-box}
body{margin:0;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1,h2,h3{line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.05rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
h3{font-size:1rem}
.muted{color:var(--muted)}
.hidden{display:none!important}
.top{padding:1rem 1.25rem .75rem;background:var(--card);border-bottom:1px solid var(--line)}
.meta{margin:0 0 .25rem;color:var(--muted);font-size:.85rem}
.question{font-size:1.35rem;font-weight:650;max-width:60rem}
.verdict{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;margin-top:.5rem}
.verdict .pf{font-weight:800;letter-spacing:.06em;padding:.1rem .6rem;border-radius:.3rem;color:#fff}
.verdict.pass .pf{background:var(--pass)}.verdict.fail .pf{background:var(--fail)}
.verdict .overall{font-size:1.3rem;font-weight:700}
.verdict .rule{color:var(--muted);font-size:.85rem}
.player{position:sticky;top:0;z-index:5;background:var(--card);border-bottom:1px solid var(--line);padding:.5rem 1.25rem .4rem}
.player audio{width:100%;height:2.4rem}
.timeline{position:relative;height:2.6rem;margin-top:.35rem;background:#eef1f4;border-radius:.3rem;cursor:pointer}
.mk{position:absolute;border:0;padding:0;margin:0;cursor:pointer;min-width:3px}
.mk.lane-ev{top:.1rem;height:1.1rem;background:var(--c);opacity:.85;border-radius:2px}
.mk.lane-ev.pol-weak{background:repeating-linear-gradient(135deg,var(--c) 0 3px,#fff 3px 5px)}
.mk.lane-del{top:1.4rem;height:1.1rem;border-radius:2px}
.mk-pause{background:#cbd5e1}.mk-pause.long{background:var(--pause)}
.mk-filler{background:var(--filler);z-index:2}.mk-hes{background:var(--hes);z-index:2}
.mk:focus-visible{outline:2px solid #000}
.playhead{position:absolute;top:0;bottom:0;width:2px;background:#111;left:0;pointer-events:none;z-index:3}
.tl-scale{display:flex;justify-content:space-between;gap:.5rem;font-size:.7rem;color:var(--muted)}.tl-key{text-align:center}
.layout{display:flex;flex-direction:column;gap:1rem;padding:1rem 1.25rem 6rem;max-width:84rem;margin:0 auto}
/* On a phone one column, scores first; the two column wrappers step aside so order can interleave. */
.col-main,.col-side{display:contents}
.scores{order:1}.transcript-card{order:2}.structure{order:3}.delivery{order:4}.findings{order:5}.caveats{order:6}.coach{order:7}
@media (min-width:60rem){.layout{display:grid;grid-template-columns:minmax(0,1.55fr) minmax(20rem,1fr);align-items:start}
.col-main,.col-side{display:flex;flex-direction:column;gap:1rem;min-width:0}.col-main{grid-column:1;grid-row:1}.col-side{grid-column:2;grid-row:1}}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem;min-width:0}
.dims{display:grid;gap:.75rem}
.dim{border-left:.35rem solid var(--c);padding:.25rem 0 .25rem .75rem}
.dim header{display:flex;justify-content:space-between;gap:.5rem;align-items:baseline}
.dim .weight{color:var(--muted);font-size:.8rem}
.score-line{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline}
.score{font-size:1.5rem;font-weight:750}
.range,.raw{color:var(--muted);font-size:.85rem}
.coach-score{font-weight:700;color:#7a4d00;background:#fff3d6;border-radius:.25rem;padding:0 .35rem;font-size:.85rem}
.band{position:relative;height:1.6rem;margin:.15rem .4rem .2rem}
.band::before{content:"";position:absolute;left:0;right:0;top:.45rem;height:.3rem;background:#e6e9ed;border-radius:.15rem}
.band-range{position:absolute;top:.3rem;height:.6rem;background:var(--t);border:1px solid var(--c);border-radius:.3rem}
.band-dot{position:absolute;top:.2rem;width:.8rem;height:.8rem;margin-left:-.4rem;border-radius:50%;background:var(--c);border:2px solid #fff}
.tick{position:absolute;top:.95rem;font-size:.6rem;color:var(--muted);transform:translateX(-50%)}
.ev-count{margin:.1rem 0;font-size:.85rem;color:var(--muted)}
.advice{margin:.25rem 0;font-size:.92rem}
.ev-list summary{cursor:pointer;font-size:.85rem;color:var(--muted)}
.ev-list ul{padding-left:1rem;margin:.25rem 0}
.ev-item{font-size:.88rem;margin:.2rem 0;cursor:pointer}
.ev-item .pol{font-weight:800}.ev-item.pol-strong .pol{color:var(--pass)}.ev-item.pol-weak .pol{color:var(--fail)}
.ev-item .sig{font-weight:600}
.t{color:var(--muted);font-size:.8rem;font-variant-numeric:tabular-nums}
.override{display:block;margin-top:.3rem;font-size:.85rem}
.override input{width:4.5rem;margin-left:.3rem}
.legend{display:flex;flex-wrap:wrap;gap:.3rem .6rem;font-size:.78rem;margin-bottom:.5rem}
.lg{background:var(--t);border-bottom:2px solid var(--c);padding:0 .3rem;border-radius:.2rem}
.lg-pol{font-weight:700;color:var(--pass)}.lg-pol.weak{color:var(--fail)}
.lg-mk::before{content:"";display:inline-block;width:.7rem;height:.7rem;border-radius:2px;margin-right:.25rem;vertical-align:-.05rem}
.lg-mk.filler::before{background:var(--filler)}.lg-mk.hes::before{background:var(--hes)}.lg-mk.pause::before{background:var(--pause)}
.hint{font-size:.8rem;color:var(--muted);margin:.2rem 0 .6rem}
.transcript{font-size:1.08rem;line-height:1.95;margin:0;overflow-wrap:anywhere}
.s{border-radius:.2rem;padding:.1rem 0;cursor:pointer}
.s.ev{background:var(--t);border-bottom:2px solid var(--c);box-decoration-break:clone;-webkit-box-decoration-break:clone}
.s.ev.pol-weak{border-bottom-style:dashed}
.s.coach{outline:1px dashed #7a4d00;outline-offset:1px}
.s.selected{box-shadow:0 0 0 2px #111}
.s:focus-visible{outline:2px solid #111}
.badge{font-size:.68rem;font-weight:700;vertical-align:.2em;margin-right:.2rem;padding:0 .25rem;border-radius:.2rem;background:var(--c);color:#fff;white-space:nowrap}
.s.pol-weak .badge{background:#fff;color:var(--c);border:1px solid var(--c)}
.w{border-radius:.15rem}
.w[data-start]:hover{background:#e2e8f0}
.w.now,.w.now:hover{background:#111;color:#fff}
.w.filler{text-decoration:underline wavy var(--filler);text-underline-offset:.2em}
.chip{font-size:.7rem;border-radius:1rem;padding:.05rem .45rem;color:#fff;white-space:nowrap;cursor:pointer;vertical-align:.1em}
.chip-pause{background:var(--pause)}.chip-hes{background:var(--hes)}
.checks{list-style:none;padding:0;margin:0}
.check{display:flex;gap:.6rem;padding:.45rem 0;border-top:1px solid var(--line)}
.check:first-child{border-top:0}
.check .mark{font-weight:800;width:1.2rem;flex:none}
.check.ok .mark{color:var(--pass)}.check.miss .mark{color:var(--fail)}
.check[data-seek]{cursor:pointer}
.detail,.quote{font-size:.9rem}.quote{color:var(--muted)}
.tip{font-size:.88rem;background:#f3f6f9;border-radius:.3rem;padding:.2rem .45rem;margin-top:.2rem}
.check.miss .tip{background:#fff4e5}
.kv{border-collapse:collapse;width:100%;font-size:.92rem}
.kv th{text-align:left;font-weight:500;color:var(--muted);padding:.2rem .6rem .2rem 0;width:45%}
.kv td{padding:.2rem 0}
.limits{font-size:.85rem;color:var(--muted);padding-left:1.1rem}
.findings ul{list-style:none;padding:0;margin:0}
.finding{padding:.35rem 0;border-top:1px solid var(--line);cursor:pointer}
.finding:first-child{border-top:0}
.finding .cat{font-size:.75rem;color:var(--muted)}
.sev-warn b{color:#9a3412}.sev-good b{color:var(--pass)}
.caveats ul{padding-left:1.1rem;font-size:.9rem}
.coach label{display:block;margin:.35rem 0;font-size:.9rem}
.coach label.inline{display:inline-block}
.coach input[type=text],.coach select,.coach textarea{font:inherit;font-size:.95rem;padding:.3rem;border:1px solid var(--line);border-radius:.3rem;max-width:100%}
.coach textarea{width:100%}
.coach select{margin-left:.3rem}
button,.button{font:inherit;font-size:.9rem;padding:.35rem .8rem;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;border-radius:.35rem;cursor:pointer;text-decoration:none;display:inline-block}
.relabel{border:1px solid var(--line);border-radius:.4rem;padding:.5rem;margin:.5rem 0}
.sel{margin:.2rem 0}
.coach-list{padding-left:1.1rem;font-size:.9rem}
.export{margin-top:.75rem}
.export textarea{width:100%;font:.75rem/1.3 ui-monospace,monospace;margin-top:.4rem}
code{font-size:.85em;background:#f1f3f5;padding:0 .25rem;border-radius:.2rem;overflow-wrap:anywhere}
@media (max-width:40rem){:root{font-size:16px}.top,.player{padding-left:.75rem;padding-right:.75rem}
.layout{padding:.75rem .5rem 5rem}.card{padding:.75rem}.question{font-size:1.15rem}.transcript{line-height:1.85}}
@media print{
:root{font-size:11pt}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{background:#fff}
.player audio,.no-print,.hint,.playhead,.export,#relabel{display:none!important}
.player{position:static;border:0;padding:0 0 .5rem}
.timeline{height:2.2rem}
.layout{display:flex;flex-direction:column;gap:0;padding:0;max-width:none}.col-main,.col-side{display:contents}
.card{border:0;border-top:1px solid #999;border-radius:0;padding:.6rem 0;break-inside:auto}
.dim,.check,.finding{break-inside:avoid}
.s.selected{box-shadow:none}.w.now{background:none;color:inherit}
.coach-list:empty,.coach:has(.coach-list:empty){display:none}
a{color:inherit;text-decoration:none}
}
"""

# The page's behaviour. Builds DOM with textContent only: nothing from the data is parsed as HTML.
_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var audio = document.getElementById("audio");
  var timeline = document.getElementById("timeline");
  var playhead = document.getElementById("playhead");
  var duration = parseFloat(timeline.getAttribute("data-duration")) || 0;
  var words = Array.prototype.slice.call(document.querySelectorAll("#transcript .w[data-start]"));
  var starts = words.map(function (w) { return parseFloat(w.getAttribute("data-start")); });
  var ends = words.map(function (w) { return parseFloat(w.getAttribute("data-end")); });
  var current = -1;

  function wordAt(t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.001) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    // Between words (a pause) nothing is being spoken; keep the last word lit only briefly.
    if (found >= 0 && t > ends[found] + 0.25) { return -1; }
    return found;
  }
  function highlight(t) {
    var i = wordAt(t);
    if (i !== current) {
      if (current >= 0) { words[current].classList.remove("now"); words[current].removeAttribute("aria-current"); }
      if (i >= 0) { words[i].classList.add("now"); words[i].setAttribute("aria-current", "true"); }
      current = i;
    }
    var d = (audio && isFinite(audio.duration) && audio.duration > 0) ? audio.duration : duration;
    if (d > 0) { playhead.style.left = Math.max(0, Math.min(100, 100 * t / d)) + "%"; }
  }
  function seek(t) {
    if (!isFinite(t)) { return; }
    if (audio) { audio.currentTime = t; }
    highlight(t);
  }
  var raf = 0;
  function tick() { highlight(audio.currentTime); raf = audio.paused ? 0 : requestAnimationFrame(tick); }
  if (audio) {
    audio.addEventListener("play", function () { if (!raf) { raf = requestAnimationFrame(tick); } });
    audio.addEventListener("timeupdate", function () { highlight(audio.currentTime); });
    audio.addEventListener("seeked", function () { highlight(audio.currentTime); });
  }

  // ------------------------------------------------------------- clicks: words, markers, sentences
  var selected = null;
  document.addEventListener("click", function (e) {
    var target = e.target;
    if (!(target instanceof Element)) { return; }
    var w = target.closest("#transcript .w[data-start]");
    if (w) { seek(parseFloat(w.getAttribute("data-start"))); }
    else {
      var m = target.closest("[data-seek]");
      if (m) { seek(parseFloat(m.getAttribute("data-seek"))); }
      else if (target === timeline && duration > 0) {
        var r = timeline.getBoundingClientRect();
        seek(duration * (e.clientX - r.left) / r.width);
      }
    }
    var s = target.closest("#transcript .s");
    if (s) { select(s); }
  });
  document.addEventListener("keydown", function (e) {
    var s = e.target instanceof Element ? e.target.closest("#transcript .s") : null;
    if (s && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      if (s.hasAttribute("data-start")) { seek(parseFloat(s.getAttribute("data-start"))); }
      select(s);
    }
  });

  // ------------------------------------------------------------- coach corrections
  function nowIso() { return new Date().toISOString(); }
  var prior = data.corrections || {};
  var state = {
    relabels: {}, overrides: {}, notes: [],
    created_at: prior.created_at || nowIso()
  };
  (prior.relabels || []).forEach(function (r) { state.relabels[key(r)] = r; });
  (prior.score_overrides || []).forEach(function (o) { state.overrides[o.dimension] = o; });
  (prior.notes || []).forEach(function (n) { state.notes.push(n); });
  var coachInput = document.getElementById("coach-name");
  coachInput.value = prior.coach || "";
  function coach() { return coachInput.value.trim(); }
  function key(r) { return r.text + "@" + (r.start == null ? "" : Number(r.start).toFixed(1)); }
  function el(tag, text, cls) { var n = document.createElement(tag); if (text != null) { n.textContent = text; } if (cls) { n.className = cls; } return n; }
  function clock(t) { if (t == null) { return ""; } var m = Math.floor(t / 60); var s = (t - 60 * m).toFixed(1); return m + ":" + (s.length < 4 ? "0" : "") + s; }

  var dimSel = document.getElementById("relabel-dimension");
  var polSel = document.getElementById("relabel-polarity");
  data.signal_dimensions.forEach(function (d) { var o = el("option", d); o.value = d; dimSel.appendChild(o); });
  data.polarities.forEach(function (p) { var o = el("option", p); o.value = p; polSel.appendChild(o); });
  // The classifier's vocabulary ties them: neutral <=> dimension none.
  polSel.addEventListener("change", function () {
    if (polSel.value === "neutral") { dimSel.value = "none"; }
    else if (dimSel.value === "none") { dimSel.value = data.signal_dimensions[0]; }
  });
  dimSel.addEventListener("change", function () {
    if (dimSel.value === "none") { polSel.value = "neutral"; }
    else if (polSel.value === "neutral") { polSel.value = "strong"; }
  });

  function select(s) {
    if (selected) { selected.classList.remove("selected"); }
    selected = s;
    s.classList.add("selected");
    var info = data.sentences[parseInt(s.getAttribute("data-s"), 10)];
    document.getElementById("relabel-empty").classList.add("hidden");
    document.getElementById("relabel-form").classList.remove("hidden");
    document.getElementById("relabel-text").textContent = info.text;
    document.getElementById("relabel-time").textContent = clock(info.start);
    document.getElementById("relabel-original").textContent = info.polarity ?
      info.polarity + " " + info.dimension + (info.signal ? " (" + info.signal + ")" : "") : "no signal (neutral)";
    var existing = state.relabels[key(info)];
    dimSel.value = existing ? existing.dimension : (info.dimension && data.signal_dimensions.indexOf(info.dimension) >= 0 ? info.dimension : "none");
    polSel.value = existing ? existing.polarity : (info.polarity || "neutral");
  }

  function paint(s, dimension, polarity) {
    s.classList.remove("ev", "pol-strong", "pol-weak");
    s.classList.add("coach");
    var old = s.querySelector(".badge");
    if (old) { old.remove(); }
    if (polarity === "strong" || polarity === "weak") {
      var c = data.colors[dimension] || "#777";
      s.classList.add("ev", "pol-" + polarity);
      s.style.setProperty("--c", c);
      s.style.setProperty("--t", c + "2e");
      var b = el("span", (polarity === "strong" ? "+" : "\u2212") + dimension, "badge");
      b.setAttribute("aria-hidden", "true");
      s.insertBefore(b, s.firstChild);
    }
  }

  document.getElementById("relabel-apply").addEventListener("click", function () {
    if (!selected) { return; }
    var info = data.sentences[parseInt(selected.getAttribute("data-s"), 10)];
    var r = {
      text: info.text, start: info.start, end: info.end,
      dimension: dimSel.value, polarity: polSel.value,
      original_dimension: info.polarity ? info.dimension : "none",
      original_polarity: info.polarity || "neutral",
      original_signal: info.signal || null,
      coach: coach(), created_at: nowIso()
    };
    state.relabels[key(r)] = r;
    paint(selected, r.dimension, r.polarity);
    render();
  });

  Array.prototype.forEach.call(document.querySelectorAll("input[data-override]"), function (input) {
    input.addEventListener("change", function () {
      var dim = input.getAttribute("data-override");
      var shown = document.querySelector('[data-coach-score="' + CSS.escape(dim) + '"]');
      var v = parseFloat(input.value);
      if (input.value === "" || !isFinite(v)) { delete state.overrides[dim]; shown.classList.add("hidden"); render(); return; }
      v = Math.max(1, Math.min(5, v));
      input.value = v;
      var offset = input.getAttribute("data-raw-offset");
      state.overrides[dim] = {
        dimension: dim, score: v,
        original_score: parseFloat(input.getAttribute("data-original")),
        raw_offset: offset === "" ? null : parseFloat(offset),
        coach: coach(), created_at: nowIso()
      };
      shown.textContent = "coach " + v.toFixed(1);
      shown.classList.remove("hidden");
      render();
    });
  });

  document.getElementById("note-add").addEventListener("click", function () {
    var box = document.getElementById("note-text");
    var text = box.value.trim();
    if (!text) { return; }
    var at = document.getElementById("note-at-time").checked && audio ? Math.round(audio.currentTime * 1000) / 1000 : null;
    state.notes.push({ text: text, at: at, coach: coach(), created_at: nowIso() });
    box.value = "";
    render();
  });
  coachInput.addEventListener("change", render);

  function doc() {
    return {
      version: 1, session: data.session, question_id: data.question_id, competency: data.competency,
      coach: coach(), created_at: state.created_at, updated_at: nowIso(),
      relabels: Object.keys(state.relabels).map(function (k) { return state.relabels[k]; }),
      score_overrides: Object.keys(state.overrides).map(function (k) { return state.overrides[k]; }),
      notes: state.notes
    };
  }
  window.voicemockCorrections = doc;

  function render() {
    var list = document.getElementById("coach-list");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var d = doc();
    d.relabels.forEach(function (r) {
      var li = el("li");
      li.appendChild(el("b", "Relabel "));
      li.appendChild(el("q", r.text));
      li.appendChild(document.createTextNode(" \u2192 " + r.polarity + " " + r.dimension +
        " (was " + (r.original_polarity || "?") + " " + (r.original_dimension || "?") + ")"));
      list.appendChild(li);
    });
    d.score_overrides.forEach(function (o) {
      var li = el("li");
      li.appendChild(el("b", "Score "));
      li.appendChild(document.createTextNode(o.dimension + ": " + o.score + " (scorer " + o.original_score + ")"));
      list.appendChild(li);
    });
    d.notes.forEach(function (n) {
      var li = el("li");
      li.appendChild(el("b", "Note" + (n.at != null ? " at " + clock(n.at) : "") + (n.coach ? " (" + n.coach + ")" : "") + ": "));
      li.appendChild(document.createTextNode(n.text));
      list.appendChild(li);
    });
    var json = JSON.stringify(d, null, 2);
    document.getElementById("export-json").value = json;
    document.getElementById("export").setAttribute("href", "data:application/json;charset=utf-8," + encodeURIComponent(json));
  }
  render();
  // Printed, the evidence lists are part of the record: open them, and close them again after.
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) { d.open = true; return true; });
  });
  window.addEventListener("afterprint", function () { closed.forEach(function (d) { d.open = false; }); closed = []; });
})();
"""
