"""Audio devices: importing sounddevice (PortAudio) lazily, listing devices, picking one by number or name.

sounddevice loads the PortAudio shared library when it is imported, so it is imported here, inside
functions, and only by the commands that touch a device: `voicemock --help`, `score` and
`practice --answer-file` work on a machine without PortAudio.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from voicemock.errors import DeviceError

__all__ = [
    "ANSWER_FILE_HINT",
    "NO_PORTAUDIO",
    "AudioDevice",
    "import_sounddevice",
    "list_devices",
    "pick_input_device",
    "pick_output_device",
    "sample_answer_command",
]

logger = logging.getLogger(__name__)

ANSWER_FILE_HINT = "or answer from a recording with --answer-file AUDIO"
NO_PORTAUDIO = f"PortAudio is not installed: `sudo apt-get install libportaudio2`, {ANSWER_FILE_HINT}"


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False

    @property
    def is_input(self) -> bool:
        return self.max_input_channels > 0

    @property
    def is_output(self) -> bool:
        return self.max_output_channels > 0

    def label(self) -> str:
        return f"{self.index} {self.name!r}"


def import_sounddevice() -> Any:
    """The sounddevice module, or a DeviceError that names the fix when it or PortAudio is missing."""
    try:
        import sounddevice
    except ImportError as exc:
        raise DeviceError(f"the sounddevice package is missing: `pip install sounddevice`, {ANSWER_FILE_HINT}") from exc
    except OSError as exc:  # sounddevice raises OSError("PortAudio library not found") at import
        raise DeviceError(NO_PORTAUDIO) from exc
    return sounddevice


def list_devices() -> list[AudioDevice]:
    """Every device PortAudio sees, in its own numbering (the numbers `--device` takes)."""
    sd = import_sounddevice()
    try:
        raw_devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in, default_out = _default_indices(sd)
    except sd.PortAudioError as exc:
        raise DeviceError(f"PortAudio could not list the audio devices ({exc}); {ANSWER_FILE_HINT}") from exc
    devices = []
    for d in raw_devices:
        devices.append(
            AudioDevice(
                index=int(d["index"]),
                name=str(d["name"]),
                hostapi=str(hostapis[d["hostapi"]]["name"]),
                max_input_channels=int(d["max_input_channels"]),
                max_output_channels=int(d["max_output_channels"]),
                default_samplerate=float(d["default_samplerate"]),
                is_default_input=int(d["index"]) == default_in,
                is_default_output=int(d["index"]) == default_out,
            )
        )
    return devices


def _default_indices(sd: Any) -> tuple[int, int]:
    default = sd.default.device
    return int(default[0]), int(default[1])


def pick_input_device(spec: str | int | None = None) -> AudioDevice:
    """The input device `spec` names (a number, or a case-insensitive name substring), or the default."""
    return _pick(spec, "input")


def pick_output_device(spec: str | int | None = None) -> AudioDevice:
    """The output device `spec` names (a number, or a case-insensitive name substring), or the default."""
    return _pick(spec, "output")


def _pick(spec: str | int | None, kind: str) -> AudioDevice:
    devices = list_devices()
    usable = [d for d in devices if (d.is_input if kind == "input" else d.is_output)]
    thing = "microphone (input device)" if kind == "input" else "speaker (output device)"
    fix_device = "pick it with --device (see `voicemock devices`)"
    if not usable:
        fix = ANSWER_FILE_HINT if kind == "input" else "or skip speaking the question with --no-speak"
        if kind == "input":
            fix += f"; to try voicemock without one: {sample_answer_command()}"
        raise DeviceError(f"no {thing} found: connect one and {fix_device}, {fix}")
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        default = next((d for d in usable if (d.is_default_input if kind == "input" else d.is_default_output)), None)
        if default is None:
            # PortAudio reports no default (-1) on some setups; the first usable device is what it would pick.
            logger.info("no default %s device; using %s", kind, usable[0].label())
            return usable[0]
        return default
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        index = int(spec)
        match = next((d for d in devices if d.index == index), None)
        if match is None:
            raise DeviceError(f"there is no audio device number {index}; {_choices(usable, kind)}")
        if match not in usable:
            raise DeviceError(f"device {match.label()} has no {kind} channels; {_choices(usable, kind)}")
        return match
    needle = spec.strip().lower()
    exact = [d for d in usable if d.name.lower() == needle]
    if len(exact) == 1:
        return exact[0]
    found = [d for d in usable if needle in d.name.lower()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise DeviceError(f"no {kind} device name contains {spec!r}; {_choices(usable, kind)}")
    names = ", ".join(d.label() for d in found)
    raise DeviceError(f"{spec!r} matches several {kind} devices ({names}); pass its number with --device")


def sample_answer_command() -> str:
    """The command that runs a practice round on the shipped sample answer (no microphone needed)."""
    from voicemock.resources import rubrics_dir

    return f"voicemock practice --question evals-01 --answer-file {rubrics_dir() / 'samples' / 'sample-answer.ogg'}"


def _choices(usable: list[AudioDevice], kind: str) -> str:
    names = ", ".join(d.label() for d in usable[:8])
    more = f" and {len(usable) - 8} more" if len(usable) > 8 else ""
    return f"{kind} devices: {names}{more} (see `voicemock devices`)"
