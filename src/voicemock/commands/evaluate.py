from __future__ import annotations

import json

import click


@click.command()
@click.option("--model", "artifact", type=click.Path(dir_okay=False), help="A trained artifact (default: models/signal-classifier.skops).")
@click.option("--data-dir", type=click.Path(file_okay=False, exists=True), help="Folder with signals.jsonl and answers.jsonl (default: models/data).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def evaluate(artifact: str | None, data_dir: str | None, as_json: bool) -> None:
    """Held-out accuracy of the scorer, beside two baselines (word count, keyword list).

    Sentence signals: per-label precision, recall and F1 on the test split. Answers:
    Spearman rank correlation with the target scores (out-of-fold).

    \b
    Example:
      voicemock evaluate
    """
    from voicemock.evaluate import evaluate as run_evaluation
    from voicemock.evaluate import format_evaluation

    result = run_evaluation(artifact, data_dir)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else format_evaluation(result).rstrip("\n"))
