"""One module per command. Each parses its options, calls the library, and renders."""

from voicemock.commands.batch import batch
from voicemock.commands.devices import devices
from voicemock.commands.evaluate import evaluate
from voicemock.commands.history import history
from voicemock.commands.interview import interview
from voicemock.commands.label import label
from voicemock.commands.practice import practice
from voicemock.commands.questions import questions
from voicemock.commands.review import review
from voicemock.commands.score import score
from voicemock.commands.train import train
from voicemock.commands.transcribe import transcribe

COMMANDS = [practice, interview, transcribe, score, batch, review, label, history, questions, devices, train, evaluate]
