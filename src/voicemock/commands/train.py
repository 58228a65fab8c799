from __future__ import annotations

import click

from voicemock.commands.options import training_data_options


@click.command()
@click.option("-o", "--output-dir", type=click.Path(file_okay=False), help="Where the artifact and its card go (default: models/).")
@click.option("--no-cv", is_flag=True, help="Skip the 5-fold cross-validation (faster; the card then has no CV scores).")
@training_data_options("Append coach relabels (corrections.json) from DIRS, or the recordings folder, to the train split.")
def train(data_dir: str | None, output_dir: str | None, no_cv: bool, with_corrections: bool, dirs: tuple[str, ...]) -> None:
    """Rebuild the signal classifier and its model card from the labeled data.

    Deterministic: the same data and library versions give the same artifact, byte
    for byte. Writes signal-classifier.skops and signal-classifier.card.json.

    With --with-corrections, every sentence a coach relabeled (corrections.json in
    the session folders DIRS, default: the recordings folder) is added to the train
    split; the card records how many and their sha256. The held-out test split is
    never changed, so `voicemock evaluate` still compares like with like.

    \b
    Example:
      voicemock train
      voicemock train --with-corrections recordings/
    """
    from pathlib import Path

    from voicemock.flows.training import train_classifier

    if dirs and not with_corrections:
        raise click.UsageError("folders were given without --with-corrections; add the flag to train with their coach relabels")
    coach_rows = None
    if with_corrections:
        from voicemock.store.corrections import collect_corrections, corrections_to_signal_rows
        from voicemock.store.session import resolve_recordings_dir

        folders = [Path(d) for d in dirs] or [resolve_recordings_dir(None)]
        coach_rows = corrections_to_signal_rows(collect_corrections(folders))
        if not coach_rows:
            raise click.ClickException(
                f"no sentence relabels in any corrections.json under {', '.join(map(str, folders))}; "
                "relabel sentences with `voicemock label` or the review page first"
            )

    result = train_classifier(
        Path(data_dir) if data_dir else None, Path(output_dir) if output_dir else None, cross_validate=not no_cv, coach_rows=coach_rows
    )
    card = result.card
    click.echo(f"wrote {result.artifact} (sha256 {card['artifact']['sha256'][:12]}...)")
    click.echo(f"wrote {result.card_path}")
    data = card["data"]["signals.jsonl"]
    corrections = card.get("corrections")
    if corrections:
        dropped = corrections["dropped_held_out_overlap"]
        click.echo(
            f"trained on {data['train']} sentences + {corrections['rows']} coach relabel(s) (sha256 {corrections['sha256'][:12]}...); {data['test']} held out"
            + (f"; {dropped} relabel(s) left out because they repeat a held-out test sentence" if dropped else "")
        )
    else:
        click.echo(f"trained on {data['train']} sentences; {data['test']} held out")
    if card.get("cv"):
        click.echo(f"grouped {card['cv']['folds']}-fold CV 9-label macro-F1 (train split): {card['cv']['macro_f1_mean']:.3f} +- {card['cv']['macro_f1_std']:.3f}")
    if card.get("held_out"):
        held_out = card["held_out"]
        click.echo(f"held-out 9-label macro-F1: test split {held_out['macro_f1']:.3f}"
                   + (f", fresh set {held_out['fresh']['macro_f1']:.3f}" if "fresh" in held_out else ""))
    agg = card.get("aggregation")
    if agg and agg.get("cv"):
        click.echo(f"answers, out-of-fold Spearman (overall): {agg['cv']['overall']:.3f}")
