"""A mock loop presented: interview.md, and a review page of the whole loop (questions, their
follow-ups under them, talking points whose evidence seeks the turn's audio).

Both read the loop document that `voicemock interview` writes as interview.json, so a loop folder
can be presented again from disk. The page's CSS, JavaScript and HTML are package data beside this file.
"""

from voicemock.present.interview.markdown import render_loop_markdown
from voicemock.present.interview.page import build_loop_html, write_loop_review

__all__ = ["build_loop_html", "render_loop_markdown", "write_loop_review"]
