"""One module per command. Each parses its options, calls the library, and renders."""

from voicemock.commands.history import history
from voicemock.commands.questions import questions
from voicemock.commands.transcribe import transcribe

COMMANDS = [transcribe, questions, history]
