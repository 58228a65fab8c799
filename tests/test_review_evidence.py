"""A take read back as typed records, and evidence placed on the sentence the scorer names."""

from __future__ import annotations

import json
from dataclasses import replace

from voicemock.present.review import evidence_by_sentence
from voicemock.records import DimensionScore, Evidence, Scorecard, Transcript
from voicemock.speech.sentences import split_sentences
from voicemock.store.session import AskedQuestion, read_session

TEXT = "First we measure on a golden set. Then we ship it behind a flag."


def test_evidence_lands_on_its_indexed_sentence():
    sentences = split_sentences(Transcript.from_text(TEXT))
    ev = Evidence(sentences[0].text, None, None, "strong", "golden set", "applied", 0.8, sentence=1)
    assert evidence_by_sentence(sentences, [ev]) == [[], [ev]]  # the index wins over the text
    assert evidence_by_sentence(sentences, [replace(ev, sentence=9)]) == [[], []]  # not this transcript's
    legacy = replace(ev, sentence=None)  # an older report.json: matched by its text
    assert evidence_by_sentence(sentences, [legacy]) == [[legacy], []]
    twice = replace(legacy, signal="listed under a second rubric dimension")
    assert evidence_by_sentence(sentences, [legacy, twice]) == [[legacy], []]  # one highlight per sentence


def test_read_session_gives_typed_records(tmp_path):
    transcript = Transcript.from_text(TEXT)
    card = Scorecard(input="answer.wav", rubric="ai-pm-technical", level="pm", overall=3.1, passed=False,
                     dimensions=[DimensionScore("Applied Judgment", "applied", 1.0, 3.1, 2.5, 3.6,
                                                [Evidence(TEXT, None, None, "strong", "golden set", "applied", 0.8, 0)])])
    (tmp_path / "report.json").write_text(json.dumps(card.to_dict()), encoding="utf-8")
    (tmp_path / "transcript.json").write_text(json.dumps(transcript.to_dict()), encoding="utf-8")
    (tmp_path / "question.json").write_text(json.dumps({"id": "evals-01", "competency": "evals", "text": "How?"}))
    (tmp_path / "answer.wav").write_bytes(b"RIFF")
    take = read_session(tmp_path)
    assert take.scorecard == card and take.transcript == transcript
    assert take.question == AskedQuestion("evals-01", "evals", "How?")
    assert take.audio_path == tmp_path / "answer.wav" and take.corrections is None and take.session_dir == tmp_path
