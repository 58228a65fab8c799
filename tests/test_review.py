"""The coach review page: built from a real transcription of synthesized speech, checked as HTML.

The browser behaviour (seeking, highlighting, no network) is in test_review_browser.py, which
reuses `review_session` from here.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import silence, synthesize, write_wav

from voicemock.records import (
    Annotation,
    DimensionScore,
    Evidence,
    Scorecard,
    Structure,
    StructureCheck,
    Transcript,
)
from voicemock.present.review import (
    ReviewError,
    ReviewInputs,
    audio_source,
    build_review_html,
    json_for_script,
    load_session,
    write_review,
)
from voicemock.speech.sentences import split_sentences
from voicemock.store.session import AskedQuestion

# Three sentences a coach would mark differently: a strong applied one, a textbook definition, and
# a production tradeoff. A long silence after the first gives the timeline a long pause.
ANSWER = (
    "I would start with a golden set of real user documents and measure factual consistency before launch.",
    "It is basically a large language model that summarizes text.",
    "We trade latency against cost by routing easy requests to a small model, and I would recommend shipping behind a flag.",
)
GAPS = (2.6, 0.5, 0.6)
QUESTION = {"id": "evals-01", "competency": "evals",
            "text": "How would you evaluate a new AI summarization feature before launch?"}


@lru_cache(maxsize=1)
def _take() -> tuple[bytes, dict]:
    """One synthesized answer and its real transcription, shared by every test module in the run."""
    import io

    import numpy as np

    from voicemock.speech.transcribe import TranscribeOptions, transcribe_file

    chunks, rate = [], None
    for sentence, gap in zip(ANSWER, GAPS):
        samples, rate = synthesize(sentence)
        chunks += [samples, silence(gap, rate)]
    buf = io.BytesIO()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        wav = write_wav(Path(tmp) / "answer.wav", np.concatenate([silence(0.4, rate), *chunks]), rate)
        transcript = transcribe_file(wav, TranscribeOptions())
        buf.write(wav.read_bytes())
    return buf.getvalue(), transcript.to_dict()


def _sentence(sentences, word: str):
    matches = [s for s in sentences if word in s.text.lower()]
    assert matches, f"the transcription lost {word!r}: {[s.text for s in sentences]}"
    return matches[0]


def build_scorecard(transcript: Transcript, audio_path: Path) -> Scorecard:
    """A scorecard over the real transcript: delivery measured by the real stage, evidence on the
    real sentence spans, scores and structure written here (the page shows, it does not judge)."""
    from voicemock.audio.files import load_audio
    from voicemock.assess.delivery import measure_delivery

    sentences = split_sentences(transcript)
    golden, basically, latency = (_sentence(sentences, w) for w in ("golden", "basically", "latency"))
    delivery = measure_delivery(transcript, load_audio(audio_path))

    def ev(s, polarity, signal, dimension, p):
        return Evidence(text=s.text, start=s.start, end=s.end, polarity=polarity, signal=signal, dimension=dimension, confidence=p)

    dims = [
        DimensionScore("Conceptual Understanding", "conceptual", 0.3, 2.6, 2.0, 3.3,
                       [ev(basically, "weak", "textbook definition", "conceptual", 0.71)],
                       advice="Say what the model does for this user, not what it is.", raw_score=2.8),
        DimensionScore("Applied Judgment", "applied", 0.3, 3.9, 3.3, 4.4,
                       [ev(golden, "strong", "golden set", "applied", 0.83)], advice=None, raw_score=4.3),
        DimensionScore("Production Readiness", "production", 0.25, 3.4, 2.7, 4.0,
                       [ev(latency, "strong", "tradeoff named", "production", 0.77)],
                       advice="Name the failure you would watch for after launch.", raw_score=3.8),
        DimensionScore("Communication", "communication", 0.15, 3.2, 2.6, 3.8, [], advice=None, raw_score=3.4),
    ]
    structure = Structure(
        checks=[
            StructureCheck("answer_first", True, "Opens with the plan.", "Keep leading with the answer.",
                           golden.start, golden.end, golden.text),
            StructureCheck("tradeoffs", True, "Names latency against cost.", "Say which side you would pick and why.",
                           latency.start, latency.end, "trade latency against cost"),
            StructureCheck("metric", False, "No success metric named.", "Name one metric and its launch threshold."),
        ],
        target_seconds=120.0,
        length_verdict="short",
        annotations=[Annotation(None, None, "length", "Short for a 2-minute question", "Add a metric and a risk.", "warn")],
    )
    return Scorecard(
        input=str(audio_path), rubric="ai-pm-technical", level="pm", overall=3.3, passed=False, dimensions=dims,
        question_id=QUESTION["id"], question_text=QUESTION["text"], relevance=0.62, delivery=delivery,
        structure=structure, caveats=["The classifier is unsure on short answers."],
        pass_rule="average >= 3.5 and no dimension below 3.0",
        limits=["Sentence labels: matched the human one 77% of the time."],
    )


def review_session(folder: Path) -> Path:
    """A practice session folder as `voicemock practice` writes it: audio, transcript, report, question."""
    wav_bytes, transcript_dict = _take()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "answer.wav").write_bytes(wav_bytes)
    transcript = Transcript.from_dict(transcript_dict)
    (folder / "transcript.json").write_text(json.dumps(transcript_dict), encoding="utf-8")
    card = build_scorecard(transcript, folder / "answer.wav")
    (folder / "report.json").write_text(json.dumps(card.to_dict()), encoding="utf-8")
    (folder / "question.json").write_text(json.dumps(QUESTION), encoding="utf-8")
    return folder


class _Collect(HTMLParser):
    """Tags with their attributes and the text of the page, as a browser's parser sees them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)


def parse(page: str) -> _Collect:
    p = _Collect()
    p.feed(page)
    p.close()
    return p


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Path:
    return review_session(tmp_path_factory.mktemp("review") / "take-1")


@pytest.fixture(scope="module")
def page(session) -> str:
    return write_review(load_session(session), session / "review.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- structure


def test_words_carry_their_times(page, session):
    transcript = Transcript.from_dict(json.loads((session / "transcript.json").read_text()))
    words = [(t, a) for t, a in parse(page).tags if t == "span" and "w" in a.get("class", "").split()]
    assert len(words) == len(transcript.words)
    for (_, attrs), word in zip(words, transcript.words):
        assert float(attrs["data-start"]) == pytest.approx(word.start, abs=1e-3)
        assert float(attrs["data-end"]) == pytest.approx(word.end, abs=1e-3)


def test_page_shows_question_scores_verdict_advice_structure(page):
    text = " ".join(parse(page).text)
    assert QUESTION["text"] in text
    for name in ("Conceptual Understanding", "Applied Judgment", "Production Readiness", "Communication"):
        assert name in text
    assert "range 2.0\u20133.3" in text  # the uncertainty band, as numbers
    assert "FAIL" in text and "3.3 / 5" in text
    assert "Say what the model does for this user, not what it is." in text
    assert "Name one metric and its launch threshold." in text  # a structure tip
    assert "No success metric named." in text
    assert "The classifier is unsure on short answers." in text
    assert "Sentence labels: matched the human one 77% of the time." in text  # the scoring's standing limit


def test_evidence_sentences_are_coloured_by_dimension_and_polarity(page):
    spans = [a for t, a in parse(page).tags if t == "span" and "ev" in a.get("class", "").split()]
    classes = sorted(a["class"] for a in spans)
    assert classes == ["s ev pol-strong", "s ev pol-strong", "s ev pol-weak"]
    # applied and production get their own hues
    colors = {re.search(r"--c:(#[0-9A-Fa-f]{6})", a["style"]).group(1) for a in spans}
    assert len(colors) == 3


def test_timeline_marks_long_pause_and_filler(page):
    marks = [a for t, a in parse(page).tags if t == "button" and "mk" in a.get("class", "").split()]
    kinds = {c for a in marks for c in a["class"].split()}
    assert "long" in kinds, "the 2.6 s silence should be a long pause"
    assert "mk-filler" in kinds, "'basically' is a discourse filler"
    assert "mk-ev" in kinds
    for a in marks:
        left = float(re.search(r"left:([\d.]+)%", a["style"]).group(1))
        assert 0.0 <= left <= 100.0
        float(a["data-seek"])


def test_audio_is_linked_relatively_inside_the_session(page):
    audio = [a for t, a in parse(page).tags if t == "audio"]
    assert audio and audio[0]["src"] == "answer.wav"


def test_no_external_references(page):
    for tag, attrs in parse(page).tags:
        for key in ("src", "href"):
            value = attrs.get(key)
            if value is not None:
                assert not re.match(r"^[a-z]+://|^//", value), f"{tag} {key}={value} leaves the file"
    assert "http://" not in page.split("<script>")[0] and "https://" not in page


def test_content_security_policy_pins_the_script(page):
    import base64 as b64
    import hashlib

    parsed = parse(page)
    csp = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    code = next(text for attrs, text in parsed.scripts if "type" not in attrs)
    digest = b64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_embedded_data_round_trips(page):
    parsed = parse(page)
    raw = next(text for attrs, text in parsed.scripts if attrs.get("id") == "review-data")
    data = json.loads(raw)
    assert data["session"] == "take-1" and data["question_id"] == "evals-01" and data["competency"] == "evals"
    assert any(s["polarity"] == "weak" and s["dimension"] == "conceptual" for s in data["sentences"])


# ---------------------------------------------------------------------------- security


HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)> & "q" \u2028'


def _hostile_inputs() -> ReviewInputs:
    words = [
        {"start": 0.0, "end": 0.4, "word": " Hello", "probability": 0.9},
        {"start": 0.4, "end": 1.0, "word": " </script><script>alert(1)</script>", "probability": 0.9},
        {"start": 1.0, "end": 1.5, "word": " <img src=x onerror=alert(2)>.", "probability": 0.9},
    ]
    transcript = Transcript.from_dict({
        "source": "x.wav", "language": "en", "duration_s": 2.0,
        "segments": [{"id": 0, "start": 0.0, "end": 1.5, "text": "".join(w["word"] for w in words), "words": words}],
    })
    text = transcript.text
    card = Scorecard(
        input="x.wav", rubric=HOSTILE, level="pm", overall=2.0, passed=False,
        dimensions=[DimensionScore(HOSTILE, "applied", 1.0, 2.0, 1.5, 2.5,
                                   [Evidence(text, 0.0, 1.5, "weak", HOSTILE, "applied", 0.6)], advice=HOSTILE)],
        question_text=HOSTILE, caveats=[HOSTILE],
        structure=Structure(checks=[StructureCheck("metric", False, HOSTILE, HOSTILE)]),
    )
    corrections = {"version": 1, "session": HOSTILE, "coach": HOSTILE, "relabels": [], "score_overrides": [],
                   "notes": [{"text": HOSTILE, "at": None, "coach": HOSTILE, "created_at": ""}]}
    return ReviewInputs(transcript=transcript, scorecard=card, audio_path=None,
                        question=AskedQuestion(id="evals-01", competency=None, text=HOSTILE), corrections=corrections)


def test_transcript_markup_is_escaped_everywhere():
    page = build_review_html(_hostile_inputs(), None)
    parsed = parse(page)
    assert [t for t, _ in parsed.tags].count("script") == 2  # the data block and the page's own code
    assert not any(t == "img" for t, _ in parsed.tags)
    assert not any(k.startswith("on") for _, a in parsed.tags for k in a)
    assert "<script>alert(1)</script>" in "".join(parsed.text)  # shown, as text
    data = json.loads(next(text for attrs, text in parsed.scripts if attrs.get("id") == "review-data"))
    assert data["corrections"]["notes"][0]["text"] == HOSTILE


def test_json_for_script_cannot_close_the_block():
    out = json_for_script({"t": "</script><!-- & \u2028"})
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    assert json.loads(out) == {"t": "</script><!-- & \u2028"}


# ---------------------------------------------------------------------------- audio and inputs


def test_audio_outside_the_page_folder_is_embedded(session, tmp_path):
    src, how = audio_source(session / "answer.wav", tmp_path / "elsewhere" / "review.html")
    assert how == "embed" and src.startswith("data:audio/wav;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == (session / "answer.wav").read_bytes()
    with pytest.raises(ReviewError, match="outside that folder"):
        audio_source(session / "answer.wav", tmp_path / "review.html", embed=False)


def test_session_without_report_says_what_to_do(tmp_path):
    (tmp_path / "answer.wav").write_bytes(b"RIFF")
    with pytest.raises(ReviewError, match="has no report.json; pass the answer audio"):
        load_session(tmp_path)


def test_review_command_writes_the_page(session, tmp_path):
    from voicemock.cli import main
    from voicemock.commands.review import review

    if "review" not in main.commands:
        main.add_command(review)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["review", str(session), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}\n"
    page = out.read_text(encoding="utf-8")
    assert 'src="data:audio/wav;base64,' in page  # outside the session: embedded
    bad = CliRunner().invoke(main, ["review", str(tmp_path)])
    assert bad.exit_code == 1 and "Error:" in bad.output and "report.json" in bad.output


def test_existing_corrections_show_in_the_page(session, tmp_path):
    from voicemock.store import corrections as corr

    copy = tmp_path / "take-2"
    shutil.copytree(session, copy)
    sentences = split_sentences(load_session(copy).transcript)
    target = _sentence(sentences, "basically")
    update = corr.new_corrections("take-2")
    update["relabels"].append(corr.make_relabel(target.text, target.start, target.end, "none", "neutral"))
    update["score_overrides"].append(corr.make_score_override("applied", 4.5, original_score=3.9))
    corr.save(copy, update)
    page = write_review(load_session(copy), copy / "review.html").read_text(encoding="utf-8")
    spans = [a for t, a in parse(page).tags if t == "span" and "s" in a.get("class", "").split()]
    coach = [a for a in spans if "coach" in a["class"].split()]
    assert len(coach) == 1 and "ev" not in coach[0]["class"].split()  # relabeled neutral: no highlight
    assert "coach 4.5" in " ".join(parse(page).text)


def test_review_of_a_bare_audio_file_scores_it(session, tmp_path):
    """`voicemock review AUDIO` runs the one pipeline (voicemock.flows.pipeline.assess) and links the audio."""
    from voicemock.cli import main
    from voicemock.bank.questions import load_bank

    audio = shutil.copy(session / "answer.wav", tmp_path / "answer.wav")
    result = CliRunner().invoke(main, ["review", str(audio), "--question", "evals-01"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "answer.review.html").read_text(encoding="utf-8")
    parsed = parse(page)
    assert [a["src"] for t, a in parsed.tags if t == "audio"] == ["answer.wav"]
    assert load_bank().get("evals-01").text in " ".join(parsed.text)
    assert sum(1 for t, a in parsed.tags if t == "span" and "w" in a.get("class", "").split()) > 20
