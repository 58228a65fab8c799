"""voicemock: a local-first coach for spoken interview answers.

The folders follow the pipeline: `audio/` (files, devices, recording, speaking) -> `speech/` (Whisper,
transcripts) -> `assess/` (delivery, signals, structure, scorecard) -> `store/` (sessions, history,
corrections) and `present/` (reports, review page); `flows/` composes them, `commands/` and `cli.py`
are the command line. The public API below is what scripts and benches may use; each name is imported
on first use, so `import voicemock` stays instant and never loads faster_whisper or scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module that defines it
_PUBLIC = {
    # records and errors
    "Transcript": "voicemock.records",
    "Word": "voicemock.records",
    "Segment": "voicemock.records",
    "Scorecard": "voicemock.records",
    "Evidence": "voicemock.records",
    "SIGNAL_DIMENSIONS": "voicemock.records",
    "LEVELS": "voicemock.records",
    "VoicemockError": "voicemock.errors",
    # bank
    "load_rubric": "voicemock.bank.rubric",
    "load_bank": "voicemock.bank.questions",
    # audio and speech
    "load_audio": "voicemock.audio.files",
    "DecodedAudio": "voicemock.audio.files",
    "TranscribeOptions": "voicemock.speech.transcribe",
    "transcribe_file": "voicemock.speech.transcribe",
    "transcribe_audio": "voicemock.speech.transcribe",
    "resolve_model": "voicemock.speech.model",
    "load_model": "voicemock.speech.model",
    "default_cpu_threads": "voicemock.speech.model",
    "split_sentences": "voicemock.speech.sentences",
    # assess
    "load_classifier": "voicemock.assess.classifier",
    "forget_loaded_classifiers": "voicemock.assess.classifier",
    "load_encoder": "voicemock.assess.encoder",
    "measure_delivery": "voicemock.assess.delivery",
    "analyze_structure": "voicemock.assess.structure",
    "score_transcript": "voicemock.assess.scoring",
    # flows
    "Answer": "voicemock.flows.pipeline",
    "read_answer": "voicemock.flows.pipeline",
    "assess": "voicemock.flows.pipeline",
    "train_classifier": "voicemock.flows.training",
    "evaluate": "voicemock.flows.evaluate",
    # present
    "render_report": "voicemock.present.report",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'voicemock' has no attribute {name!r}")
    attr = "render" if name == "render_report" else name
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
