"""Domain errors. Each message is one line that says what went wrong and what to do next.

The CLI turns every VoicemockError into `Error: <message>` and a non-zero exit, in one place.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "VoicemockError",
    "AudioError",
    "ModelError",
    "RubricError",
    "QuestionBankError",
    "ClassifierError",
    "DeviceError",
    "TranscriptError",
    "SpeechError",
    "EncoderError",
    "SessionError",
    "HistoryError",
    "CorrectionsError",
    "ReviewError",
    "NoAnswerError",
    "TakeInterrupted",
    "PracticeTerminated",
]


class VoicemockError(Exception):
    """Base of every error the user can act on."""

    exit_code = 1


class AudioError(VoicemockError):
    """An audio file that is missing, empty, truncated, not audio, or silent."""


class ModelError(VoicemockError):
    """A Whisper model name or folder that cannot be used."""


class RubricError(VoicemockError):
    """A rubric file that does not parse or does not validate."""


class QuestionBankError(VoicemockError):
    """A question bank that does not parse or does not validate, or an unknown question id."""


class ClassifierError(VoicemockError):
    """A classifier artifact that is missing, tampered with, foreign, or from another version."""


class DeviceError(VoicemockError):
    """No PortAudio, no input device, or a device that is busy or gone."""


class TranscriptError(VoicemockError):
    """A transcript file (.txt or JSON) that cannot be read."""


class SpeechError(VoicemockError):
    """No speech engine is available, or the text cannot be spoken."""


class EncoderError(VoicemockError):
    """The sentence encoder's model or vocabulary is missing, tampered with, or cannot be loaded."""


class SessionError(VoicemockError):
    """A session folder that cannot be read back: no report, or a file that is not what it should be."""


class HistoryError(VoicemockError):
    """A history database that cannot be opened, read, or written, or a history request that cannot be met."""


class CorrectionsError(VoicemockError):
    """A corrections file or a correction that does not validate."""


class ReviewError(VoicemockError):
    """A session folder or input that a review page cannot be built from."""


class NoAnswerError(VoicemockError):
    """Input that holds no answer to score: silence, no words, or speech not confidently English.

    `check` is the verdict (an assess.answer_check.AnswerCheck), for callers that explain it further.
    """

    def __init__(self, message: str, check: Any = None):
        super().__init__(message)
        self.check = check


class TakeInterrupted(DeviceError):
    """The device failed mid-take; `result` (an audio.capture.RecordingResult) describes the audio kept."""

    def __init__(self, message: str, result: Any):
        super().__init__(message)
        self.result = result



class PracticeTerminated(VoicemockError):
    """The process was asked to stop (SIGTERM) mid-take; the take is kept but not scored."""

    exit_code = 143
