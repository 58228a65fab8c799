"""One Whisper model serves the whole answer: with --model given, the hesitation detector asks the same
model that transcribed the answer, never the embedded default as well."""

from __future__ import annotations

import os
import shutil

from click.testing import CliRunner

import voicemock.speech.hesitations as hesitations
import voicemock.speech.model as whisper_model
from voicemock.cli import main


def test_score_with_model_loads_one_model_for_the_answer_and_its_hesitations(tmp_path, monkeypatch, speech_dir):
    # A hard-linked copy of the embedded model: another folder (so another model to the cache), same bytes.
    embedded = whisper_model.resolve_model(None).location
    copy = tmp_path / "my-model"
    shutil.copytree(embedded, copy, copy_function=os.link)

    loaded, asked = [], []
    real_load, real_ask = whisper_model._load_model.__wrapped__, hesitations._ask_whisper

    def counting_load(spec, threads, compute_type):
        loaded.append(spec.location)
        return real_load(spec, threads, compute_type)

    def counting_ask(audio, spans, *, whisper_options, options):
        asked.append(whisper_options.model)
        return real_ask(audio, spans, whisper_options=whisper_options, options=options)

    monkeypatch.setattr(whisper_model, "_load_model", counting_load)
    monkeypatch.setattr(hesitations, "_ask_whisper", counting_ask)
    # Real speech, then a held vowel standing alone between silences: a stretch the hesitation
    # detector must ask Whisper about, so the second Whisper use really happens.
    import numpy as np
    import soundfile as sf

    from voicemock.audio.files import SAMPLE_RATE, load_audio

    speech = load_audio(speech_dir / "jfk.flac").samples
    t = np.arange(int(0.6 * SAMPLE_RATE)) / SAMPLE_RATE
    vowel = (0.3 * sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 6))).astype(np.float32)
    quiet = np.zeros(int(0.8 * SAMPLE_RATE), dtype=np.float32)
    clip = tmp_path / "answer.wav"
    sf.write(clip, np.concatenate([speech, quiet, vowel, quiet]), SAMPLE_RATE)
    result = CliRunner().invoke(main, ["score", str(clip), "--model", str(copy), "--format", "json", "--no-history"])
    assert result.exit_code == 0, result.output
    assert asked, "the hesitation detector never asked Whisper, so this test proves nothing"
    assert asked == [str(copy)] * len(asked)
    assert loaded and set(loaded) == {str(copy.resolve())}, loaded
