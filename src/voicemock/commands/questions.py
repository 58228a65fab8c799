from __future__ import annotations

import json
import textwrap

import click


@click.command()
@click.option("-c", "--competency", metavar="SLUG", help="Only this competency, e.g. evals or cost-latency-routing.")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text for reading; json (a list of question objects) for scripts.",
)
@click.option(
    "--questions", "bank_path", type=click.Path(dir_okay=False), metavar="FILE",
    help="Your own question bank (TOML, same layout as rubrics/questions.toml) instead of the built-in one.",
)
def questions(competency: str | None, fmt: str, bank_path: str | None) -> None:
    """List the practice questions, grouped by competency.

    Each line shows the question id (it picks the question to practice), the target
    answer length in seconds, and the question; under it, the talking points a strong
    answer covers (the number is its weight: 3 means an answer fails without it).

    \b
    Examples:
      voicemock questions --competency evals
      voicemock questions --format json | jq -r '.[].id'
    """
    from voicemock.bank.questions import load_bank

    bank = load_bank(bank_path)
    selected = bank.filter(competency)
    if fmt == "json":
        click.echo(json.dumps([q.to_dict() for q in selected], indent=2))
        return
    width = max(len(q.id) for q in selected)
    current = None
    for q in selected:
        if q.competency != current:
            if current is not None:
                click.echo()
            current = q.competency
            comp = bank.competencies[current]
            click.echo(f"{comp.name} ({current})")
        prefix = f"  {q.id:<{width}}  {q.target_seconds:>3} s  "
        click.echo(textwrap.fill(q.text, width=100, initial_indent=prefix, subsequent_indent=" " * len(prefix)))
        for point in q.points:
            click.echo(textwrap.fill(point.text, width=100, initial_indent=" " * len(prefix) + f"{point.weight} ",
                                     subsequent_indent=" " * (len(prefix) + 2)))
    click.echo(f"\n{len(selected)} question{'s' if len(selected) != 1 else ''}", err=True)
