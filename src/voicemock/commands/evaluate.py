from __future__ import annotations

import json

import click

from voicemock.commands.options import training_data_options


@click.command()
@click.option("--model", "artifact", type=click.Path(dir_okay=False), help="A trained artifact (default: models/signal-classifier.skops).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@training_data_options("Also retrain with the coach relabels in DIRS (default: the recordings folder) and compare, side by side.")
def evaluate(artifact: str | None, data_dir: str | None, as_json: bool, with_corrections: bool, dirs: tuple[str, ...]) -> None:
    """Held-out accuracy of the scorer, beside two baselines (word count, keyword list).

    Sentence signals: per-label precision, recall and F1 on the test split (the
    9-label task), then polarity-only and dimension-only views under their own
    names. Answers: Spearman rank correlation with the target scores (out-of-fold).

    With --with-corrections, a copy of the classifier is retrained in a temporary
    folder with the coach relabels added to the train split, and its held-out
    figures are printed beside the shipped artifact's, with each corrected
    sentence's label before and after. The shipped artifact is not changed.

    \b
    Example:
      voicemock evaluate
      voicemock evaluate --with-corrections recordings/
    """
    from voicemock.flows.evaluate import evaluate as run_evaluation
    from voicemock.flows.evaluate import format_evaluation

    if dirs and not with_corrections:
        raise click.UsageError("folders were given without --with-corrections; add the flag to compare with their coach relabels")
    result = run_evaluation(artifact, data_dir)
    comparison = None
    if with_corrections:
        from pathlib import Path

        from voicemock.flows.evaluate import compare_with_corrections
        from voicemock.store.session import resolve_recordings_dir

        folders = [Path(d) for d in dirs] or [resolve_recordings_dir(None)]
        comparison = compare_with_corrections(folders, artifact, data_dir)
    if as_json:
        payload = result.to_dict()
        if comparison is not None:
            payload["corrections"] = comparison.to_dict()
        click.echo(json.dumps(payload, indent=2))
        return
    click.echo(format_evaluation(result).rstrip("\n"))
    if comparison is not None:
        from voicemock.flows.evaluate import format_comparison

        click.echo("")
        click.echo(format_comparison(comparison).rstrip("\n"))
