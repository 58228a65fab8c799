"""The one rule for "is there an answer here" (voicemock.assess.answer_check), on real speech and on records."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from support import REPO
from voicemock.assess.answer_check import STRETCH_WORDS, check_answer, transcript_json_problem
from voicemock.cli import main
from voicemock.records import Segment, Transcript, Word

SAMPLE_ANSWER = REPO / "rubrics" / "samples" / "sample-answer.ogg"


def _referenced(speech_dir) -> list[tuple[str, str | None]]:
    """(path, channel) of the 14 clips references.tsv names (`file:L` is one channel of a stereo file)."""
    out = []
    for line in (speech_dir / "references.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            name = line.split("\t", 1)[0]
            path, _, channel = name.partition(":")
            out.append((str(speech_dir / path), channel or None))
    return out


def test_english_clips_and_the_sample_answer_are_accepted_and_the_multilingual_clip_is_not(speech_dir):
    from voicemock.audio.files import load_audio
    from voicemock.flows.pipeline import check
    from voicemock.speech.transcribe import transcribe_audio

    clips = _referenced(speech_dir)
    assert len(clips) == 14
    for path, channel in [*clips, (str(SAMPLE_ANSWER), None)]:
        audio = load_audio(path, channel=channel)
        verdict = check(transcribe_audio(audio), audio)
        assert verdict.ok and not verdict.caveats, (path, channel, verdict)

    audio = load_audio(speech_dir / "multilingual.mp3")
    verdict = check(transcribe_audio(audio), audio)
    # English then German: rejected, or at the least scored with the German stretch named as unreliable.
    assert verdict.kind == "not-english" or any("not confidently English" in c for c in verdict.caveats), verdict
    assert verdict.kind == "not-english"  # as measured: 97 of its 182 words lie in the doubted stretch


@pytest.mark.parametrize("command", ["score", "practice", "review"])
def test_every_command_refuses_the_multilingual_clip(speech_dir, command, tmp_path):
    clip = speech_dir / "multilingual.mp3"
    rec = tmp_path / "rec"
    args = {
        "score": ["score", str(clip), "--recordings-dir", str(rec)],
        "practice": ["practice", "-q", "evals-01", "--answer-file", str(clip), "--recordings-dir", str(rec)],
        "review": ["review", str(clip), "-o", str(tmp_path / "page.html")],
    }[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("Error: ")]
    assert "no answer to score: the recognizer is not confident this is English" in errors[0], result.stderr
    assert result.stdout == ""
    assert not (rec / "history.sqlite3").exists()
    assert not (tmp_path / "page.html").exists()


# ---------------------------------------------------------------------------- the rule on records


def _spoken(*segments: list[float]) -> Transcript:
    """A transcript from audio whose segments hold words of the given probabilities."""
    segs, t = [], 0.0
    for i, probs in enumerate(segments):
        words = tuple(Word(t + k, t + k + 0.5, " w", p) for k, p in enumerate(probs))
        segs.append(Segment(id=i, start=t, end=t + len(probs), text=" w" * len(probs), words=words))
        t += len(probs) + 1
    return Transcript(source="a.wav", language="en", duration_s=t, segments=tuple(segs))


def test_silence_no_speech_and_no_words():
    assert check_answer(Transcript("a.wav", "en", 2.0, ()), silent=True).kind == "silent"
    assert check_answer(Transcript("a.wav", "en", 2.0, ())).kind == "no-speech"
    assert check_answer(Transcript("<text>", "en", None, ())).kind == "no-words"
    assert check_answer(Transcript.from_text("A typed answer with words.")).ok


def test_a_doubted_stretch_in_a_mostly_english_answer_is_named_not_refused():
    sure, unsure = [0.95] * STRETCH_WORDS * 3, [0.3] * STRETCH_WORDS
    verdict = check_answer(_spoken(sure, unsure))
    assert verdict.ok and len(verdict.caveats) == 1 and "not confidently English" in verdict.caveats[0]
    assert check_answer(_spoken(sure[:STRETCH_WORDS], unsure)).kind == "not-english"


def test_a_short_answer_is_judged_only_when_the_recognizer_disowns_it():
    assert check_answer(_spoken([0.7, 0.6])).ok  # "in 1813.": 2 words at 0.70, a referenced English clip
    assert check_answer(_spoken([0.05, 0.05])).kind == "not-english"


def test_json_that_is_not_a_transcript():
    assert transcript_json_problem({"foo": 1}) == "it has no 'segments' list (its keys: foo)"
    assert transcript_json_problem([1, 2]) == "it holds a JSON list, not a transcript object"
    assert transcript_json_problem(Transcript.from_text("x").to_dict()) is None
