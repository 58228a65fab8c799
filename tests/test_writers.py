"""Golden tests of every transcript writer, on a fixed transcript (exact expected output)."""

from __future__ import annotations

import json

import pytest

from voicemock.records import Segment, Transcript, Word
from voicemock.speech.writers import FORMATS, output_path, render_transcript, write_transcript

TRANSCRIPT = Transcript(
    source="answer.wav",
    language="en",
    duration_s=3725.5,
    duration_after_vad_s=3700.25,
    model="tiny.en (embedded)",
    segments=(
        Segment(
            id=0, start=0.0, end=2.5, text=" I would start with the user.",
            words=(
                Word(0.0, 0.3, " I", 0.9), Word(0.3, 0.6, " would", 0.95), Word(0.6, 1.0, " start", 0.99),
                Word(1.0, 1.2, " with", 0.98), Word(1.2, 1.5, " the", 0.97), Word(1.5, 2.5, " user.", 0.91),
            ),
            avg_logprob=-0.2, no_speech_prob=0.01, compression_ratio=1.1,
        ),
        Segment(
            id=1, start=3723.125, end=3725.0, text=" Then\ta metric --> trust.",
            words=(Word(3723.125, 3723.5, " Then", 0.8), Word(3723.5, 3725.0, " a metric --> trust.", 0.7)),
        ),
    ),
    speech_spans=((0.0, 2.9), (3722.8, 3725.4)),
)

GOLDEN = {
    "txt": "I would start with the user.\nThen\ta metric --> trust.\n",
    "srt": (
        "1\n00:00:00,000 --> 00:00:02,500\nI would start with the user.\n\n"
        "2\n01:02:03,125 --> 01:02:05,000\nThen\ta metric -> trust.\n\n"
    ),
    "vtt": (
        "WEBVTT\n\n"
        "00:00.000 --> 00:02.500\nI would start with the user.\n\n"
        "01:02:03.125 --> 01:02:05.000\nThen\ta metric -> trust.\n\n"
    ),
    "tsv": "start\tend\ttext\n0\t2500\tI would start with the user.\n3723125\t3725000\tThen a metric --> trust.\n",
}


@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_text_writers_match_golden(fmt):
    assert render_transcript(TRANSCRIPT, fmt) == GOLDEN[fmt]


def test_json_writer_round_trips_without_loss():
    text = render_transcript(TRANSCRIPT, "json")
    data = json.loads(text)
    assert data["text"] == "I would start with the user. Then\ta metric --> trust."
    assert data["segments"][1]["words"][0] == {"start": 3723.125, "end": 3723.5, "word": " Then", "probability": 0.8}
    assert all(type(w["start"]) is float for s in data["segments"] for w in s["words"])
    assert Transcript.from_dict(data) == TRANSCRIPT


def test_every_format_has_a_golden_or_round_trip():
    assert set(FORMATS) == set(GOLDEN) | {"json"}


def test_files_are_named_like_whisper(tmp_path):
    written = write_transcript(TRANSCRIPT, "some/dir/take.one.flac", tmp_path, list(FORMATS))
    assert sorted(p.name for p in written) == sorted(f"take.one.{f}" for f in FORMATS)
    assert output_path("a/b/answer.m4a", "out", "srt").as_posix() == "out/answer.srt"
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temp files
