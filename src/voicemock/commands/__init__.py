"""One module per command. Each parses its options, calls the library, and renders."""

from voicemock.commands.transcribe import transcribe

COMMANDS = [transcribe]
