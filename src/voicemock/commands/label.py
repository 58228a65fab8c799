from __future__ import annotations

from pathlib import Path

import click

_DIMENSIONS = ("conceptual", "applied", "production", "communication", "none")
_POLARITIES = ("strong", "weak", "neutral")


def _score_pair(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, float]]:
    pairs = []
    for value in values:
        key, sep, number = value.partition("=")
        try:
            score = float(number)
        except ValueError:
            score = None
        if not sep or not key.strip() or score is None:
            raise click.BadParameter(f"{value!r}: write DIMENSION=SCORE, e.g. --score applied=3.5", ctx, param)
        pairs.append((key.strip(), score))
    return pairs


@click.command()
@click.argument("session_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--sentence", metavar="TEXT", help="The sentence to relabel: its words, or enough of them to pick one.")
@click.option("--at", "at", type=click.FloatRange(min=0), metavar="SECONDS", help="The sentence spoken at this time.")
@click.option("--dimension", type=click.Choice(_DIMENSIONS), help="The signal dimension the sentence really shows.")
@click.option("--polarity", type=click.Choice(_POLARITIES), help="strong, weak, or neutral (neutral means dimension none).")
@click.option("--score", "scores", multiple=True, callback=_score_pair, metavar="DIM=N",
              help="Override a dimension's score, 1-5 (repeatable), e.g. --score applied=3.5.")
@click.option("--note", "notes", multiple=True, metavar="TEXT", help="A coach's note for the take (repeatable).")
@click.option("--coach", default="", envvar="VOICEMOCK_COACH", help="Who made the corrections. Env: VOICEMOCK_COACH.")
@click.option("--from", "from_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Merge a corrections.json exported from the review page.")
def label(session_dir: Path, sentence: str | None, at: float | None, dimension: str | None, polarity: str | None,
          scores: list[tuple[str, float]], notes: tuple[str, ...], coach: str, from_file: Path | None) -> None:
    """Save a coach's corrections beside a session, for `voicemock train --with-corrections`.

    Relabel a sentence's signal (dimension and polarity), override dimension scores, add notes,
    or merge the file the review page exports. Corrections merge into
    SESSION_DIR/corrections.json: a later relabel of the same sentence replaces the earlier one.

    \b
    Examples:
      voicemock label recordings/take-1 --sentence "it is basically a large language model" \\
          --dimension conceptual --polarity weak
      voicemock label recordings/take-1 --at 12.5 --polarity neutral
      voicemock label recordings/take-1 --score applied=3.5 --note "Lead with the metric."
      voicemock label recordings/take-1 --from ~/Downloads/corrections.json
    """
    from voicemock.store import corrections as corr
    from voicemock.present.review import assign_evidence, evidence_items, load_session
    from voicemock.speech.sentences import split_sentences

    relabel_asked = sentence is not None or at is not None
    if not (relabel_asked or dimension or polarity or scores or notes or from_file):
        raise click.UsageError("nothing to save; give --sentence/--at with --dimension/--polarity, --score, --note or --from")
    if (dimension or polarity) and not relabel_asked:
        raise click.UsageError("--dimension/--polarity relabel a sentence; name it with --sentence TEXT or --at SECONDS")
    if relabel_asked:
        if polarity == "neutral" and dimension is None:
            dimension = "none"
        if dimension == "none" and polarity is None:
            polarity = "neutral"
        if dimension is None or polarity is None:
            raise click.UsageError("a relabel needs both --dimension and --polarity (or --polarity neutral alone)")

    inputs = load_session(session_dir)
    question = inputs.question or {}
    question_id = question.get("id") or inputs.scorecard.get("question_id")
    competency = question.get("competency") or (question_id.rsplit("-", 1)[0] if question_id else None)
    said: list[str] = []
    update = corr.new_corrections(session_dir.name, question_id=question_id, competency=competency, coach=coach)

    if relabel_asked:
        sentences = split_sentences(inputs.transcript)
        chosen = corr.find_sentence(sentences, text=sentence, at=at)
        index = sentences.index(chosen)
        was = assign_evidence(sentences, evidence_items(inputs.scorecard))[index]
        update["relabels"].append(corr.make_relabel(
            chosen.text, chosen.start, chosen.end, dimension, polarity,
            original_dimension=was[0].get("dimension") if was else "none",
            original_polarity=was[0].get("polarity") if was else "neutral",
            original_signal=was[0].get("signal") if was else None,
            coach=coach,
        ))
        said.append(f"relabel {chosen.text!r}: {polarity} {dimension}"
                   + (f" (scorer: {was[0].get('polarity')} {was[0].get('dimension')})" if was else " (scorer: no signal)"))

    dims = {str(d.get("key")): d for d in inputs.scorecard.get("dimensions", [])}
    for key, score in scores:
        if key not in dims:
            raise click.BadParameter(f"{key!r} is not a dimension of this report; use one of {', '.join(dims)}", param_hint="--score")
        d = dims[key]
        raw = d.get("raw_score")
        update["score_overrides"].append(corr.make_score_override(
            key, score, original_score=d.get("score"),
            raw_offset=None if raw is None else float(raw) - float(d.get("score", 0)), coach=coach,
        ))
        said.append(f"score {key}: {score:g} (scorer: {d.get('score')})")
    for text in notes:
        update["notes"].append(corr.make_note(text, coach=coach))
    if notes:
        said.append(f"{len(notes)} note{'s' if len(notes) != 1 else ''}")

    if from_file:
        imported = corr.load_file(from_file)
        if imported.get("session") and imported["session"] != session_dir.name:
            click.echo(f"Warning: {from_file} was exported for session {imported['session']!r}, not {session_dir.name!r}", err=True)
        update = corr.merge(update, imported)
        said.append(f"merged {len(imported['relabels'])} relabels, {len(imported['score_overrides'])} score overrides, "
                   f"{len(imported['notes'])} notes from {from_file}")
    saved = corr.save(session_dir, update)
    for line in said:  # only once it is saved, so a failed run never reads as a success
        click.echo(line)
    click.echo(f"saved {saved}")
