from __future__ import annotations

import sys

import click

from voicemock.commands.options import model_options, transcribe_options, transcript_formats_option
from voicemock.errors import AudioError
from voicemock.speech.writers import FORMATS, render_transcript, write_transcript


@click.command()
@click.argument("audio", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@transcript_formats_option
@click.option("-o", "--output-dir", type=click.Path(file_okay=False), help="Write <name>.<format> files here instead of printing.")
@model_options
def transcribe(audio: tuple[str, ...], fmt: str, output_dir: str | None, model: str | None, beam_size: int, no_vad: bool, decode: str) -> None:
    """Transcribe audio files on this machine, with word timestamps.

    Any of wav, flac, mp3, ogg, m4a; mono or stereo; any sample rate. Files that fail are
    reported and the rest are still transcribed; the exit status is 1 if any failed.

    \b
    Examples:
      voicemock transcribe answer.wav
      voicemock transcribe take1.flac take2.mp3 --format all --output-dir out/
    """
    from voicemock.speech.transcribe import transcribe_file
    from voicemock.speech.model import resolve_model

    if fmt == "all" and not output_dir:
        raise click.UsageError("--format all writes several files; add --output-dir DIR")
    resolve_model(model)  # a wrong --model fails once, up front, not once per file
    options = transcribe_options(model, beam_size, no_vad, decode)
    formats = list(FORMATS) if fmt == "all" else [fmt]
    failed = 0
    for path in audio:
        try:
            transcript = transcribe_file(path, options)
        except AudioError as exc:
            failed += 1
            click.echo(f"Error: {exc}", err=True)
            continue
        for warning in transcript.warnings:
            click.echo(f"Warning: {path}: {warning}", err=True)
        if output_dir:
            for written in write_transcript(transcript, path, output_dir, formats):
                click.echo(f"wrote {written}", err=True)
        else:
            sys.stdout.write(render_transcript(transcript, formats[0]))
    if failed:
        raise click.ClickException(f"{failed} of {len(audio)} files failed; see the errors above")
