"""The review page written: review.html filled in, review.css and review.js inlined, the audio linked or embedded.

The page works opened from disk with no network. A Content-Security-Policy allows only the page's
own script (by hash) and media from the file itself or the local disk, so a transcript that slips
markup past the escaping still cannot run script or call out. The script (review.js) builds DOM
with textContent only: nothing from the data is parsed as HTML.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from string import Template
from urllib.parse import quote

from voicemock.fsutil import atomic_write_text
from voicemock.present.review.fragments import (
    delivery_html,
    dimensions_html,
    esc,
    findings_html,
    legend_html,
    num,
    points_html,
    structure_html,
    timeline_html,
    transcript_html,
)
from voicemock.present.review.data import ReviewError, ReviewInputs, build_page, json_for_script, script_data
from voicemock.present.summary import scoring_limits
from voicemock.records import SIGNAL_DIMENSIONS

__all__ = ["MAX_EMBED_BYTES", "audio_source", "build_review_html", "write_review"]

logger = logging.getLogger(__name__)

_MIME = {
    ".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg",
    ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".mp4": "audio/mp4", ".aac": "audio/aac", ".webm": "audio/webm",
}
# Past this, a base64 page is slow to open on a phone; link the audio instead.
MAX_EMBED_BYTES = 60 * 1024 * 1024


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    """A file shipped beside this module (package data in the wheel)."""
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


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


def build_review_html(inputs: ReviewInputs, audio_src: str | None, *, title: str | None = None) -> str:
    """The page as a string. `audio_src` is what `audio_source` returned (None: no audio)."""
    page = build_page(inputs)
    transcript, scorecard = inputs.transcript, inputs.scorecard
    inline, timeline = timeline_html(transcript, scorecard.delivery, page.views, page.colors)
    signal_keys = [k for k in SIGNAL_DIMENSIONS if k in page.colors]
    legend_keys = signal_keys + [k for k in page.dimension_keys if k not in SIGNAL_DIMENSIONS]

    caveats = [*scorecard.caveats, *scoring_limits(scorecard), *transcript.warnings]
    caveats_html = "".join(f"<li>{esc(c)}</li>" for c in caveats)
    meta = " \u00b7 ".join(esc(x) for x in [
        page.question_id or "", f"rubric {scorecard.rubric}", f"level {scorecard.level}",
        f"relevance {float(scorecard.relevance):.0%}" if scorecard.relevance is not None else "",
    ] if x)
    merge_hint = (f'Then merge them into the session: <code>voicemock label {esc(inputs.session_dir)} --from corrections.json</code>'
                  if inputs.session_dir else
                  'This take has no session folder: <code>voicemock label</code> merges corrections into a practice session.')
    audio_html = (f'<audio id="audio" controls preload="metadata" src="{esc(audio_src)}"></audio>' if audio_src
                  else '<p class="muted" id="no-audio">No audio for this take: the transcript is shown without playback.</p>')
    # The newline that opens the script is part of what the CSP hash pins.
    script = "\n" + _asset("review.js")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
           f"media-src 'self' file: data:; script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'")
    return Template(_asset("review.html")).substitute(
        csp=esc(csp),
        title=esc(title or f"Review: {page.question_text[:80] or page.session}"),
        css="\n" + _asset("review.css"),
        session=esc(page.session),
        meta=meta,
        question=esc(page.question_text) or '<span class="muted">(no question recorded)</span>',
        verdict_class="pass" if scorecard.passed else "fail",
        verdict="PASS" if scorecard.passed else "FAIL",
        overall=num(scorecard.overall),
        pass_rule=esc(scorecard.pass_rule),
        audio=audio_html,
        timeline=timeline,
        dimensions=dimensions_html(scorecard, page.colors, inputs.corrections),
        points=points_html(scorecard),
        structure=structure_html(scorecard.structure),
        delivery=delivery_html(scorecard.delivery),
        legend=legend_html(page.colors, legend_keys),
        transcript=transcript_html(page.views, scorecard.delivery, inline, page.colors, transcript.has_timing),
        findings=findings_html(scorecard),
        caveats=(f'<section class="card caveats"><h2>What this review may get wrong</h2><ul>{caveats_html}</ul></section>'
                 if caveats_html else ""),
        merge_hint=merge_hint,
        data=json_for_script(script_data(page)),
        script=script,
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
