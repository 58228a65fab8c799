"""The coach review page: one self-contained HTML file built from a take's transcript and scorecard.

`data` works out what the page shows (sentences with their evidence, relabels, colours), `fragments`
turns it into escaped HTML pieces, and `page` fills review.html with them, inlines review.css and
review.js (package data beside this file) and writes the page.
"""

from voicemock.present.review.data import (
    DIMENSION_COLORS,
    ReviewError,
    ReviewInputs,
    evidence_by_sentence,
    evidence_items,
    json_for_script,
    load_session,
)
from voicemock.present.review.page import audio_source, build_review_html, write_review
from voicemock.store.session import AskedQuestion, find_session_audio

__all__ = [
    "DIMENSION_COLORS",
    "AskedQuestion",
    "ReviewError",
    "ReviewInputs",
    "audio_source",
    "build_review_html",
    "evidence_by_sentence",
    "evidence_items",
    "find_session_audio",
    "json_for_script",
    "load_session",
    "write_review",
]
