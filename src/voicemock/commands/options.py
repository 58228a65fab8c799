"""Options that several commands share, as decorators."""

from __future__ import annotations

import click

from voicemock.records import LEVELS
from voicemock.speech.writers import FORMATS


# --decode's choices, as TranscribeOptions.batched (None: chosen by the input's length).
DECODE_MODES = {"auto": None, "batched": True, "sequential": False}


def model_options(f):
    f = click.option(
        "--beam-size", type=click.IntRange(1, 20), default=5, show_default=True,
        help="Beam search width; 1 is ~30% faster and a little less accurate.",
    )(f)
    f = click.option(
        "--decode", type=click.Choice(list(DECODE_MODES)), default="auto", show_default=True,
        help="Batched decoding halves the time of long recordings; auto uses it from 40 s of audio.",
    )(f)
    f = click.option("--no-vad", is_flag=True, help="Transcribe silence too (Silero VAD is on by default).")(f)
    f = click.option(
        "--model", envvar="VOICEMOCK_MODEL", metavar="NAME|PATH",
        help="A faster-whisper model name (downloaded when online) or a local model folder. "
        "Default: the embedded tiny.en. Env: VOICEMOCK_MODEL.",
    )(f)
    return f


def level_option(help_text: str):
    """--level, with the levels every rubric calibrates."""
    return click.option("--level", type=click.Choice(LEVELS), help=help_text)


def transcript_formats_option(f):
    return click.option(
        "-f", "--format", "fmt", type=click.Choice([*FORMATS, "all"]), default="txt", show_default=True,
        help="Output format; 'all' writes every format (needs --output-dir).",
    )(f)


def transcribe_options(model: str | None, beam_size: int, no_vad: bool, decode: str):
    """TranscribeOptions from the shared model options."""
    from voicemock.speech.transcribe import TranscribeOptions

    batched = DECODE_MODES[decode]
    return TranscribeOptions(model=model, beam_size=beam_size, vad=not no_vad, batched=batched)


def history_options(f):
    """--recordings-dir and --no-history, for the commands that remember takes."""
    f = click.option("--no-history", is_flag=True, help="Do not add this take to the history.")(f)
    f = click.option(
        "--recordings-dir", type=click.Path(file_okay=False), envvar="VOICEMOCK_RECORDINGS",
        help="Practice sessions and history.sqlite3 live here (default: ./recordings). Env: VOICEMOCK_RECORDINGS.",
    )(f)
    return f


def remember_take(
    scorecard, recordings_dir: str | None, *, source: str, competency: str | None = None, files=None, input_path: str | None = None
) -> None:
    """Add a scored take to the history; a history that cannot be written is a warning, not a failure.

    `source` is one of store.history.SOURCES; `input_path` the input as the user gave it (made absolute).
    """
    from voicemock.errors import VoicemockError
    from voicemock.store.history import record_take
    from voicemock.store.session import resolve_recordings_dir

    try:
        record_take(
            scorecard, recordings_dir=resolve_recordings_dir(recordings_dir), source=source, competency=competency, files=files,
            input_path=input_path,
        )
    except VoicemockError as exc:
        click.echo(f"Warning: the take was not added to the history: {exc}", err=True)


def training_data_options(corrections_help: str):
    """--data-dir, --with-corrections and the DIRS they read: what `train` and `evaluate` share."""

    def decorate(f):
        f = click.argument("dirs", nargs=-1, type=click.Path())(f)
        f = click.option("--with-corrections", is_flag=True, help=corrections_help)(f)
        return click.option(
            "--data-dir", type=click.Path(file_okay=False, exists=True),
            help="Folder with signals.jsonl and answers.jsonl (default: models/data).",
        )(f)

    return decorate
