"""voicemock: a local-first coach for spoken interview answers.

The pipeline, one module per stage: audio -> transcribe -> delivery / classifier / structure ->
scoring -> report. Heavy modules (faster_whisper, sounddevice, sklearn) load lazily.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
