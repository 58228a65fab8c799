"""The review page of a whole loop: each question with its answer's audio and transcript, its talking
points (each made point's sentence seeks the audio of the turn it was said in), and its follow-up under it.

Built from the loop document (interview.json) and the turns' session folders. Like the single-take
review page it works opened from disk: its own script by hash, media from the folder, no network.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

from voicemock.fsutil import atomic_write_text
from voicemock.present.interview.markdown import point_mark, point_where
from voicemock.present.review.fragments import clock, esc
from voicemock.present.review.page import audio_source
from voicemock.records import Transcript
from voicemock.store.session import find_session_audio

__all__ = ["build_loop_html", "write_loop_review"]

logger = logging.getLogger(__name__)

_MARKS = {"made": "\u2713", "prompted": "\u21a9", "missed": "\u2717"}
_VERDICT_CLASS = {"strong hire": "hire", "hire": "hire", "lean hire": "lean", "lean no hire": "lean"}


@lru_cache(maxsize=None)
def _asset(package: str, name: str) -> str:
    return files(package).joinpath(name).read_text(encoding="utf-8")


def _turn_html(folder: Path, out: Path, session: str, audio_id: str, label: str) -> str:
    """A turn's audio player and transcript; each sentence seeks the player."""
    turn_dir = folder / session
    audio = find_session_audio(turn_dir) if turn_dir.is_dir() else None
    player = (f'<audio id="{esc(audio_id)}" controls preload="metadata" src="{esc(audio_source(audio, out)[0])}"></audio>'
              if audio else f'<p class="muted">No audio for this {esc(label)}.</p>')
    sentences = ""
    transcript_path = turn_dir / "transcript.json"
    if transcript_path.is_file():
        from voicemock.speech.sentences import split_sentences

        transcript = Transcript.from_dict(json.loads(transcript_path.read_text(encoding="utf-8")))
        sentences = " ".join(
            f'<span class="s" tabindex="0" data-audio="{esc(audio_id)}" data-seek="{s.start:.3f}">{esc(s.text)}</span>'
            if s.start is not None and audio else f'<span class="s">{esc(s.text)}</span>'
            for s in split_sentences(transcript)
        )
    return (f'<div class="turn">{player}<p class="transcript" data-turn="{esc(audio_id)}">'
            f'{sentences or "<span class=muted>(no transcript)</span>"}</p></div>')


def _points_html(card: dict[str, Any], starts: float | None, ids: dict[str, str]) -> str:
    points = card.get("talking_points") or []
    if not points:
        return '<p class="muted">This question has no talking points.</p>'
    made = sum(1 for p in points if p.get("covered"))
    items = []
    for p in points:
        mark = point_mark(p)
        ev = p.get("evidence")
        body = f'<span class="mark" aria-label="{mark}">{_MARKS[mark]}</span>{esc(p["point"])}'
        if mark == "prompted":
            body += '<span class="tag">after the follow-up</span>'
        if mark != "missed" and ev:
            turn, at = point_where(p, starts)
            if at is not None:
                body += (f'<button type="button" class="seek" data-audio="{esc(ids[turn])}" data-seek="{at:.3f}" '
                         f'data-turn="{turn}"><q>{esc(ev["text"])}</q> <span class="t">{"follow-up " if turn == "follow-up" else ""}'
                         f'{clock(at)}</span></button>')
            else:
                body += f'<div class="quote"><q>{esc(ev["text"])}</q></div>'
        items.append(f'<li class="pt {mark}">{body}</li>')
    return f'<h3>Talking points: {made} of {len(points)}</h3><ul class="points">{"".join(items)}</ul>'


def _question_html(folder: Path, out: Path, i: int, q: dict[str, Any]) -> str:
    fu = q.get("follow_up")
    ids = {"answer": f"a-{i}-answer", "follow-up": f"a-{i}-follow-up"}
    card = fu["scorecard"] if fu else q["scorecard"]
    dims = ", ".join(f"{esc(d['name'])} {d['score']:.1f}" for d in card.get("dimensions", []))
    together = " (answer and follow-up scored together)" if fu else ""
    html = [
        f'<section class="card q" id="q-{i}" data-id="{esc(q["id"])}">',
        f'<p class="meta">Question {i} \u00b7 {esc(q["id"])} \u00b7 {esc(q.get("competency") or "")}</p>',
        f'<h2>{esc(q["question"])}</h2>',
        f'<p class="result {"pass" if q["passed"] else "fail"}">{"PASS" if q["passed"] else "FAIL"} {q["overall"]:.1f} / 5{together}</p>',
        f'<p class="muted">{dims}</p>',
        _turn_html(folder, out, q["session"], ids["answer"], "answer"),
        _points_html(card, fu["starts_at_s"] if fu else None, ids),
    ]
    if fu:
        status = "failed" if fu["failed"] else "closed"
        html += [
            '<div class="follow-up">',
            '<h3>Follow-up</h3>',
            f'<p class="fu-q">{esc(fu["question"])}</p>',
            f'<p class="muted">Aimed at: {esc(fu["target"])} ({esc(fu["reason"])}) \u00b7 spoken: {esc(fu["spoken"])}</p>',
            _turn_html(folder, out, fu["session"], ids["follow-up"], "follow-up"),
            f'<p class="fu-result {status}">{"Failed" if fu["failed"] else "Closed"}: {esc(fu["failed_reason"])}</p>',
            '</div>',
        ]
    else:
        html.append(f'<p class="muted no-follow-up">No follow-up: {esc(q.get("follow_up_note", "none was asked"))}.</p>')
    html.append("</section>")
    return "".join(html)


def build_loop_html(folder: Path, document: dict[str, Any], out: Path) -> str:
    """The page for the loop in `folder` (its turns' session folders), written to `out`."""
    script = "\n" + _asset(__package__, "interview.js")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
           f"media-src 'self' file: data:; script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'")
    dims = "".join(f'<tr><th>{esc(d["name"])}</th><td>{d["weight"]:.0%}</td><td><b>{d["score"]:.1f}</b></td>'
                   f'<td>{", ".join(f"{s:.1f}" for s in d["scores"])}</td></tr>' for d in document["dimensions"])
    notes = "".join(f"<li>{esc(n)}</li>" for n in document.get("notes", []))
    return Template(_asset(__package__, "interview.html")).substitute(
        csp=esc(csp),
        title=esc(f"Mock interview {document['interview']}: {document['recommendation']}"),
        css="\n" + _asset("voicemock.present.review", "review.css") + _asset(__package__, "interview.css"),
        loop=esc(document["interview"]),
        rubric=esc(document["rubric"]),
        level=esc(document["level"]),
        count=len(document["questions"]),
        verdict_class=_VERDICT_CLASS.get(document["recommendation"], "nohire"),
        recommendation=esc(document["recommendation"].upper()),
        overall=f"{document['overall']:.1f}",
        pass_rule=esc(f"per question: {document['pass_rule']}"),
        reasons="".join(f"<li>{esc(r)}</li>" for r in document["reasons"]),
        rule=esc(f"The rule: {document['rule']}. A talking point made only after the follow-up counts "
                 f"{document['prompted_credit']:g} of one made unprompted."),
        dimensions=('<table class="dimtable"><tr><th>dimension</th><th>weight</th><th>mean</th><th>per question</th></tr>'
                    f"{dims}</table>"),
        questions="".join(_question_html(folder, out, i, q) for i, q in enumerate(document["questions"], 1)),
        notes=f'<section class="card caveats"><h2>Notes</h2><ul>{notes}</ul></section>' if notes else "",
        script=script,
    )


def write_loop_review(folder: str | Path, document: dict[str, Any], out_path: str | Path) -> Path:
    out = Path(out_path)
    page = build_loop_html(Path(folder), document, out)
    atomic_write_text(out, page)
    logger.info("wrote loop review page %s (%d kB)", out, len(page) // 1024)
    return out
