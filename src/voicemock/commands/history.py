from __future__ import annotations

import sys
from pathlib import Path

import click

_SINCE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


@click.command()
@click.option("--question", "question_id", metavar="ID", help="Only takes of this question, e.g. evals-01.")
@click.option("--competency", metavar="SLUG", help="Only takes of this competency, e.g. evals.")
@click.option("--since", type=click.DateTime(_SINCE_FORMATS), metavar="DATE",
              help="Only takes from this local date (or date and time, YYYY-MM-DD HH:MM) on.")
@click.option("--recordings-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Where practice keeps takes and history.sqlite3. Env: VOICEMOCK_RECORDINGS; default ./recordings.")
@click.option("--export", "export", type=click.Choice(["csv"]), help="Print the takes as CSV (one row per take) instead of the table.")
@click.option("--plot", "plot_png", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.png",
              help="Also draw scores, pace and fillers over time into this PNG (needs voicemock[plot]).")
@click.option("--with-typed", is_flag=True, help="Count scored typed transcripts in the trends too (default: spoken takes only).")
@click.option("--forget", "forget_id", type=int, metavar="ID", help="Remove the take with this id (see the id column) and stop.")
def history(question_id: str | None, competency: str | None, since, recordings_dir: Path | None,
            export: str | None, plot_png: Path | None, with_typed: bool, forget_id: int | None) -> None:
    """Show every recorded take, with its id and source, and how each rubric dimension is trending.

    Takes are recorded by practice, interview, score (recordings; typed text with
    --remember) and batch --score, unless --no-history, in <recordings-dir>/history.sqlite3.
    Trends and your pace baseline read spoken takes only.

    \b
    Examples:
      voicemock history
      voicemock history --competency evals --since 2025-03-01
      voicemock history --export csv > takes.csv
      voicemock history --plot progress.png
      voicemock history --forget 12
    """
    from voicemock.store.export import export_csv
    from voicemock.store.history import HistoryStore, history_path
    from voicemock.store.session import resolve_recordings_dir

    path = history_path(resolve_recordings_dir(recordings_dir))
    if forget_id is not None:
        click.echo(_forget(path, forget_id))
        return
    if path.is_file():
        with HistoryStore(path) as store:
            takes = store.query(question_id=question_id, competency=competency, since=since)
    else:
        takes = []

    if plot_png is not None:
        from voicemock.present.plot import plot_history

        click.echo(f"wrote {plot_history(takes, plot_png)}", err=True)
    if export == "csv":
        export_csv(takes, sys.stdout)
        return
    if not path.is_file():
        click.echo(f"No history yet in {path}; practice, score and batch record each take there.")
        return
    if not takes:
        click.echo(f"No takes in {path} match these filters.")
        return
    click.echo(_render(takes, path, with_typed=with_typed))


def _forget(path: Path, take_id: int) -> str:
    from voicemock.errors import HistoryError
    from voicemock.store.history import HistoryStore

    if not path.is_file():
        raise HistoryError(f"no history yet in {path}, so no take {take_id} to forget; check --recordings-dir")
    with HistoryStore(path) as store:
        take = store.forget(take_id)
    return (
        f"Forgot take {take.id} ({take.source}, {take.input_path or take.input}, {take.taken_at.astimezone():%Y-%m-%d %H:%M}); "
        "its files stay on disk."
    )


def _render(takes, path: Path, *, with_typed: bool = False) -> str:
    from voicemock.store.trends import (
        OWN_SOURCES,
        delivery_trends,
        rank_competencies,
        trends,
    )

    keys: list[str] = []
    names: dict[str, str] = {}
    for take in takes:
        keys.extend(k for k in take.scores if k not in keys)
        names.update(take.dimension_names)
    short = _abbreviations(keys)

    header = ["id", "when", "source", "question", "level", "overall", "pass", *(short[k] for k in keys), "wpm", "fill/min", "input"]
    rows = [
        [
            str(t.id), f"{t.taken_at.astimezone():%Y-%m-%d %H:%M}", t.source, t.question_id or "-", t.level,
            f"{t.overall:.2f}", "yes" if t.passed else "no",
            *(f"{t.scores[k]:.1f}" if k in t.scores else "-" for k in keys),
            f"{t.wpm:.0f}" if t.wpm is not None else "-",
            f"{t.fillers_per_minute:.1f}" if t.fillers_per_minute is not None else "-",
            Path(t.input_path or t.input).name,
        ]
        for t in takes
    ]
    text_cols = {1, 2, 3, 4, 6, len(header) - 1}
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i in text_cols else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [f"{len(takes)} takes in {path}", "", line(header), *(line(r) for r in rows)]
    out.append("  " + ", ".join(f"{short[k]} = {names.get(k, k)}" for k in keys))

    counted = takes if with_typed else [t for t in takes if t.spoken]
    if not counted:
        out += ["", "No spoken takes here, so no trend: typed transcripts are left out (--with-typed counts them)."]
        return "\n".join(out)
    which = "these takes" if len(counted) == len(takes) else f"the {len(counted)} spoken takes"
    dim_trends = trends(counted)
    out += ["", f"Trend over {which} (first -> last, change per take, mean of the last {min(5, len(counted))}):"]
    if len(counted) < len(takes):
        out.insert(len(out) - 1, "Typed transcripts are listed but left out of the trends (--with-typed counts them).")
    label_width = max(len(names.get(k, k)) for k in [*keys, "overall"]) + 2
    for key, trend in dim_trends.items():
        label = "Overall" if key == "overall" else names.get(key, key)
        out.append(
            f"  {label:<{label_width}}{trend.first:>5.2f} -> {trend.last:<5.2f} {trend.slope:>+7.2f}/take"
            f"   recent {trend.recent_mean:.2f}   {trend.direction}"
        )
    for key, trend in delivery_trends(counted).items():
        label, fmt = ("Pace (wpm)", ".0f") if key == "wpm" else ("Fillers per minute", ".1f")
        out.append(
            f"  {label:<{label_width}}{trend.first:>5{fmt}} -> {trend.last:<5{fmt}} {trend.slope:>+7.2f}/take"
            f"   recent {trend.recent_mean:{fmt}}   {trend.direction}"
        )

    scored = {k: t for k, t in dim_trends.items() if k != "overall"}
    if scored:
        weakest = min(scored, key=lambda k: (scored[k].recent_mean, keys.index(k)))
        out += ["", f"Weakest dimension lately: {names.get(weakest, weakest)} (recent mean {scored[weakest].recent_mean:.2f})."]
    own = [t for t in counted if t.source in OWN_SOURCES]  # the same takes practice --next weighs
    practised = sorted({t.competency for t in own if t.competency})
    if len(practised) > 1:
        worst = rank_competencies(own, practised)[0]
        out.append(
            f"Weakest competency you have practised: {worst.competency} (mean {worst.recent_mean:.2f} over its "
            f"last {worst.takes} takes). `voicemock practice --next` picks a question for you (competencies never "
            "practised come first)."
        )
    return "\n".join(out)


def _abbreviations(keys: list[str]) -> dict[str, str]:
    """The shortest prefixes (4 letters at least) that still tell the dimension keys apart."""
    for n in range(4, max((len(k) for k in keys), default=4) + 1):
        short = {k: k[:n] for k in keys}
        if len(set(short.values())) == len(keys):
            return short
    return {k: k for k in keys}
