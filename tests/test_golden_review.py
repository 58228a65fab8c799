"""The review page of the sample answer, the same HTML (apart from whitespace) as recorded: first before
the review page's CSS, JavaScript and HTML moved out of Python strings into files (identical then), and
re-recorded after scoring by meaning and talking points changed what the page shows. After an intended
change, rewrite it with VOICEMOCK_UPDATE_GOLDEN=1 and review the diff.

Recorded with: `cp rubrics/samples/sample-answer.ogg DIR/ && cd DIR && voicemock review sample-answer.ogg
--question evals-01 --link-audio -o sample-answer.review.html`.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from voicemock.cli import main

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "cli" / "review-sample-answer.html"


def collapse(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def test_review_page_of_the_sample_answer_is_unchanged(tmp_path, monkeypatch):
    shutil.copy(REPO / "rubrics" / "samples" / "sample-answer.ogg", tmp_path)
    monkeypatch.chdir(tmp_path)  # the page names its audio by the path given, as recorded
    result = CliRunner().invoke(main, ["review", "sample-answer.ogg", "--question", "evals-01", "--link-audio",
                                       "-o", "sample-answer.review.html"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "sample-answer.review.html").read_text(encoding="utf-8")
    if os.environ.get("VOICEMOCK_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(page, encoding="utf-8")
    assert collapse(page) == collapse(GOLDEN.read_text(encoding="utf-8")), "the review page differs from the recorded one"
