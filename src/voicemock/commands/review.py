from __future__ import annotations

from pathlib import Path

import click

from voicemock.commands.options import level_option


@click.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path), metavar="SESSION_DIR|AUDIO")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the page. Default: SESSION_DIR/review.html, or AUDIO's name with .review.html.")
@click.option("--embed-audio/--link-audio", "embed", default=None,
              help="Embed the audio in the page (one file to send) or link it by a relative path. "
              "Default: link when the audio is in the page's folder, else embed.")
@click.option("--rubric", metavar="ID|PATH", help="Rubric to score a bare AUDIO with (default: the rubric's default).")
@level_option("Level to score a bare AUDIO at.")
@click.option("--question", "question_id", metavar="ID", help="Question id a bare AUDIO answers, e.g. evals-01.")
def review(source: Path, output: Path | None, embed: bool | None, rubric: str | None, level: str | None,
           question_id: str | None) -> None:
    """Write a coach review page: one HTML file that works offline, opened from disk.

    It shows the question, per-dimension scores with their range, pass or fail and the
    advice; a transcript whose words seek the audio, with evidence coloured by dimension and
    polarity; fillers, hesitations and long pauses on a timeline; structure findings with tips.
    Coaches relabel sentences, override scores and add notes in the page, then export them
    (merge with `voicemock label SESSION_DIR --from corrections.json`).

    SESSION_DIR is a practice take (its transcript.json and report.json are used as they are);
    an AUDIO file is transcribed and scored first.

    \b
    Examples:
      voicemock review recordings/2025-01-01-evals-01
      voicemock review answer.wav --question evals-01 -o answer.html
    """
    from voicemock.present.review import ReviewInputs, load_session, write_review

    if source.is_dir():
        if rubric or level or question_id:
            raise click.UsageError("--rubric, --level and --question score a bare AUDIO; a session is reviewed as it was scored")
        _refuse_a_take_without_answer(source)
        inputs = load_session(source)
        out = output or source / "review.html"
    else:
        from voicemock.flows.pipeline import assess, read_answer
        from voicemock.store.session import AskedQuestion

        question = None
        if question_id:
            from voicemock.bank.questions import load_bank

            question = load_bank().get(question_id)
        answer = read_answer(source)
        card = assess(answer.transcript, answer.audio, question=question, rubric=rubric, level=level)
        card.input = str(source)
        inputs = ReviewInputs(
            transcript=answer.transcript,
            scorecard=card,
            audio_path=source if answer.audio is not None else None,
            question=AskedQuestion(question.id, question.competency, question.text) if question else None,
        )
        out = output or source.with_name(source.stem + ".review.html")
    written = write_review(inputs, out, embed_audio=embed)
    click.echo(f"wrote {written}")


def _refuse_a_take_without_answer(session_dir: Path) -> None:
    """A practice take that held no answer has a transcript and report.md but nothing scored: say so,
    by the rule every command applies, instead of "no report.json"."""
    from voicemock.errors import NoAnswerError
    from voicemock.flows.pipeline import check, read_answer
    from voicemock.store.session import REPORT_JSON_FILE, TRANSCRIPT_FILE

    transcript = session_dir / TRANSCRIPT_FILE
    if (session_dir / REPORT_JSON_FILE).is_file() or not transcript.is_file():
        return
    verdict = check(read_answer(transcript).transcript)
    if not verdict.ok:
        raise NoAnswerError(
            f"{session_dir}: the take holds no answer ({verdict.reason}), so there is nothing to review; "
            "its report.md says why: practice again",
            verdict,
        )
