from __future__ import annotations

from pathlib import Path

import click

from voicemock.store.corrections import POLARITIES, SIGNAL_DIMENSIONS


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
@click.option("--dimension", type=click.Choice(SIGNAL_DIMENSIONS), help="The signal dimension the sentence really shows.")
@click.option("--polarity", type=click.Choice(POLARITIES), help="strong, weak, or neutral (neutral means dimension none).")
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
    from voicemock.present.review import evidence_by_sentence, evidence_items
    from voicemock.speech.sentences import split_sentences
    from voicemock.store import corrections as corr
    from voicemock.store.session import read_session

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

    take = read_session(session_dir)
    scorecard = take.scorecard
    question_id = (take.question.id if take.question else None) or scorecard.question_id
    competency = (take.question.competency if take.question else None) or (question_id.rsplit("-", 1)[0] if question_id else None)
    said: list[str] = []
    update = corr.new_corrections(session_dir.name, question_id=question_id, competency=competency, coach=coach)

    if relabel_asked:
        sentences = split_sentences(take.transcript)
        chosen = corr.find_sentence(sentences, text=sentence, at=at)
        index = sentences.index(chosen)
        was = evidence_by_sentence(sentences, evidence_items(scorecard))[index]
        scorer = was[0] if was else None
        update["relabels"].append(corr.make_relabel(
            chosen.text, chosen.start, chosen.end, dimension, polarity,
            original_dimension=scorer.dimension if scorer else "none",
            original_polarity=scorer.polarity if scorer else "neutral",
            original_signal=scorer.signal if scorer else None,
            coach=coach,
        ))
        said.append(f"relabel {chosen.text!r}: {polarity} {dimension}"
                    + (f" (scorer: {scorer.polarity} {scorer.dimension})" if scorer else " (scorer: no signal)"))

    dims = {d.key: d for d in scorecard.dimensions}
    for key, score in scores:
        if key not in dims:
            raise click.BadParameter(f"{key!r} is not a dimension of this report; use one of {', '.join(dims)}", param_hint="--score")
        d = dims[key]
        update["score_overrides"].append(corr.make_score_override(
            key, score, original_score=d.score,
            raw_offset=None if d.raw_score is None else float(d.raw_score) - float(d.score), coach=coach,
        ))
        said.append(f"score {key}: {score:g} (scorer: {d.score})")
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
