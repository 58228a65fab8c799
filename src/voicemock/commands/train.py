from __future__ import annotations

import click


@click.command()
@click.option("--data-dir", type=click.Path(file_okay=False, exists=True), help="Folder with signals.jsonl and answers.jsonl (default: models/data).")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False), help="Where the artifact and its card go (default: models/).")
@click.option("--no-cv", is_flag=True, help="Skip the 5-fold cross-validation (faster; the card then has no CV scores).")
def train(data_dir: str | None, output_dir: str | None, no_cv: bool) -> None:
    """Rebuild the signal classifier and its model card from the labeled data.

    Deterministic: the same data and library versions give the same artifact, byte
    for byte. Writes signal-classifier.skops and signal-classifier.card.json.

    \b
    Example:
      voicemock train
    """
    from pathlib import Path

    from voicemock.classifier import train_classifier

    result = train_classifier(Path(data_dir) if data_dir else None, Path(output_dir) if output_dir else None, cross_validate=not no_cv)
    card = result.card
    click.echo(f"wrote {result.artifact} (sha256 {card['artifact']['sha256'][:12]}...)")
    click.echo(f"wrote {result.card_path}")
    data = card["data"]["signals.jsonl"]
    click.echo(f"trained on {data['train']} sentences; {data['test']} held out")
    if card.get("cv"):
        click.echo(f"grouped {card['cv']['folds']}-fold CV macro-F1: {card['cv']['macro_f1_mean']:.3f} +- {card['cv']['macro_f1_std']:.3f}")
    if card.get("held_out"):
        click.echo(f"held-out macro-F1: {card['held_out']['macro_f1']:.3f}")
    agg = card.get("aggregation")
    if agg and agg.get("cv"):
        click.echo(f"answers, out-of-fold Spearman (overall): {agg['cv']['overall']:.3f}")
