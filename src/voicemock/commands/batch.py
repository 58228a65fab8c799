"""`voicemock batch`: transcribe (and score) folders of recordings, here or on a Dask cluster."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from voicemock.commands.options import history_options, level_option, model_options, remember_take, transcribe_options
from voicemock.speech.writers import FORMATS


def _parse_formats(ctx, param, value: tuple[str, ...]) -> tuple[str, ...]:
    chosen: list[str] = []
    for part in (p.strip() for v in value for p in v.split(",")):
        if not part:
            continue
        names = list(FORMATS) if part == "all" else [part]
        for name in names:
            if name not in FORMATS:
                raise click.BadParameter(f"{part!r} is not one of {', '.join([*FORMATS, 'all'])}")
            if name not in chosen:
                chosen.append(name)
    return tuple(chosen) if chosen else ("txt", "json")


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "-o", "--output-dir", default="voicemock-batch", show_default=True, type=click.Path(file_okay=False),
    help="Outputs go here, keeping the input folders' subfolders, plus summary.csv.",
)
@click.option("--score", is_flag=True, help="Also score each answer against the rubric (writes <name>.report.json).")
@click.option("--rubric", metavar="ID|PATH", help="Rubric for --score (default: ai-pm-technical).")
@level_option("Level for --score (default: the rubric's).")
@click.option(
    "-f", "--formats", multiple=True, callback=_parse_formats, metavar="LIST",
    help=f"Transcript formats, comma-separated: {', '.join(FORMATS)} or all. Default: txt,json.",
)
@click.option(
    "-w", "--workers", type=click.IntRange(1), metavar="N",
    help="Local worker processes, each loading the model once (default: one per core when there are enough files).",
)
@click.option(
    "--scheduler", metavar="tcp://HOST:PORT", envvar="VOICEMOCK_SCHEDULER",
    help="Run on this Dask scheduler instead of locally (needs voicemock[cluster]; see docs/cluster.md). "
    "Env: VOICEMOCK_SCHEDULER.",
)
@model_options
@history_options
def batch(
    inputs: tuple[str, ...],
    output_dir: str,
    score: bool,
    rubric: str | None,
    level: str | None,
    formats: tuple[str, ...],
    workers: int | None,
    scheduler: str | None,
    model: str | None,
    beam_size: int,
    no_vad: bool,
    decode: str,
    recordings_dir: str | None,
    no_history: bool,
) -> None:
    """Transcribe (and score) folders of recordings; safe to stop and re-run.

    Walks folders for audio, writes each file's transcripts (and with --score its report)
    under --output-dir, and a summary.csv with one row per input. Files already done with
    the same content and settings are skipped, so a stopped batch picks up where it left off.
    Files that fail are listed in summary.csv with the reason; the exit status is 1 if any failed.

    \b
    Examples:
      voicemock batch recordings/ --output-dir out/ --score
      voicemock batch archive/ -o out/ --scheduler tcp://10.0.0.5:8786
    """
    from voicemock.flows.batch import BatchSettings, run_batch

    if (rubric or level) and not score:
        raise click.UsageError("--rubric and --level are for scoring; add --score")
    if scheduler and workers:
        raise click.UsageError("--workers is for local runs; with --scheduler the cluster's workers do the work")
    settings = BatchSettings(
        transcribe=transcribe_options(model, beam_size, no_vad, decode),
        formats=formats, score=score, rubric=rubric, level=level,
    )
    # Scored takes go to the history as they finish, so a stopped batch has recorded what it did.
    observer = _ProgressObserver(recordings_dir if score and not no_history else None, output_dir)
    try:
        report = run_batch(inputs, output_dir, settings, workers=workers, scheduler=scheduler, observer=observer)
    except KeyboardInterrupt:
        observer.close()
        raise click.ClickException("interrupted; finished files are kept: run the same command again to continue") from None
    observer.close()

    if report.total == 0:
        from voicemock.audio.files import AUDIO_EXTENSIONS

        raise click.ClickException(
            f"no audio files found in {', '.join(inputs)}; batch looks for {', '.join(AUDIO_EXTENSIONS)} files in folders"
        )
    for name, reason in report.failures:
        click.echo(f"failed: {name}: {reason}", err=True)
    click.echo(
        f"{report.total} files: {report.processed} done, {report.skipped} already done, {report.failed} failed; "
        f"summary in {report.summary_path}",
        err=True,
    )
    if report.failed:
        raise click.ClickException(f"{report.failed} of {report.total} files failed; the reasons are in {report.summary_path}")


class _ProgressObserver:
    """Adapts the batch's hooks to a progress bar, drawn only when stderr is a terminal."""

    def __init__(self, history_dir: str | None = None, output_dir: str = "") -> None:
        from voicemock.present.progress import stream_is_tty

        self.wants_durations = stream_is_tty(sys.stderr)
        self.bar = None
        self.history_dir = history_dir
        self.output_dir = Path(output_dir)

    def planned(self, total: int, skipped: int, pending_audio_s: float) -> None:
        from voicemock.present.progress import ProgressBar

        self.bar = ProgressBar(total, pending_audio_s)
        if skipped:
            self.bar.skip(skipped)

    def finished(self, result) -> None:
        if self.bar is not None:
            self.bar.advance(result.audio_s, failed=result.error is not None)
        if self.history_dir is not None and result.error is None and result.scorecard is not None:
            from voicemock.flows.batch_work import REPORT_SUFFIX

            report = self.output_dir / f"{result.key}.{REPORT_SUFFIX}"
            files = {"input": result.display, "report": str(report.resolve())}
            remember_take(result.scorecard, self.history_dir, source="batch", files=files)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

