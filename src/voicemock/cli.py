"""The command line: parse, call the library, render. Errors become one `Error: ...` line here."""

from __future__ import annotations

import logging
import os
import sys

import click

from voicemock import __version__
from voicemock.errors import VoicemockError


class _Group(click.Group):
    """Maps every error the user can act on to `Error: ...` and exit 1, with no traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except VoicemockError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            if os.environ.get("VOICEMOCK_DEBUG"):
                raise
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}; check the path and its permissions") from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order they were added: the pipeline's order


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="voicemock")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Rehearse spoken AI product-manager interview answers, locally.

    Hear a question, answer out loud, get a rubric-scored report with the evidence
    and timing behind each score. Nothing leaves the machine.

    \b
    Example:
      voicemock practice --competency evals
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def _register() -> None:
    # Each command is a thin module of its own, so that work on one does not touch the others.
    from voicemock.commands import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_register()
