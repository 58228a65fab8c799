from __future__ import annotations

import json

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the devices as JSON.")
def devices(as_json: bool) -> None:
    """List the audio devices; `practice --device` takes a number or a name substring.

    `>` marks the default microphone, `<` the default speaker.

    \b
    Example:
      voicemock devices
      voicemock practice --device 2
    """
    from dataclasses import asdict

    from voicemock.audio.devices import list_devices

    found = list_devices()
    if as_json:
        click.echo(json.dumps([asdict(d) for d in found], indent=2))
        return
    if not found:
        click.echo("No audio devices found (no sound card, or PortAudio cannot reach the sound server).", err=True)
        click.echo("Answer from a recording instead: voicemock practice --answer-file AUDIO", err=True)
        return
    for d in found:
        mark = (">" if d.is_default_input else " ") + ("<" if d.is_default_output else " ")
        click.echo(
            f"{mark} {d.index:3d} {d.name} ({d.hostapi}; {d.max_input_channels} in, {d.max_output_channels} out, "
            f"{d.default_samplerate:g} Hz)"
        )
    if not any(d.is_input for d in found):
        click.echo("No microphone (input device): answer from a recording with `voicemock practice --answer-file AUDIO`.", err=True)
