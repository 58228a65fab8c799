from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from voicemock.commands.options import level_option, history_options, model_options, remember_take, transcribe_options
from voicemock.errors import AudioError, NoAnswerError, TranscriptError


@click.command()
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("-q", "--question", "question_id", metavar="ID", help="The question answered, e.g. evals-01: enables the relevance check.")
@click.option("--question-text", metavar="TEXT", help="The question answered, as text, when it is not in the bank.")
@click.option("--questions", "questions_path", type=click.Path(dir_okay=False), help="Another question bank (TOML).")
@click.option("--rubric", metavar="ID|PATH", help="Rubric id or a .toml file (default: ai-pm-technical).")
@level_option("Level to score at (default: the rubric's, pm).")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "markdown", "json", "jsonl"]), default="text", show_default=True,
    help="text for the terminal; json for one input; jsonl: one object per input, in input order.",
)
@model_options
@history_options
@click.option("--remember", is_flag=True, help="Add scored typed transcripts to the history too (recordings always are).")
def score(
    inputs, question_id, question_text, questions_path, rubric, level, fmt, model, beam_size, no_vad, decode,
    recordings_dir, no_history, remember,
) -> None:
    """Score answers against a rubric, with the sentences behind each score.

    INPUT is audio (transcribed here), a .txt transcript, or the JSON that
    `voicemock transcribe --format json` writes. Input that holds no answer
    (silence, no words, speech not confidently English) is refused, not scored.
    Inputs that fail are reported and the rest are still scored; the exit status
    is 1 if any failed. Scored recordings go to the history; typed transcripts
    only with --remember.

    \b
    Examples:
      voicemock score answer.wav --question evals-01
      voicemock score answer.txt --question-text "How would you evaluate a summarizer?" --level senior
      voicemock score takes/*.json --question evals-01 --format jsonl
    """
    from voicemock.assess.classifier import check_classifier, load_classifier
    from voicemock.flows.pipeline import TEXT_SUFFIXES, assess, read_answer, warm_scorer
    from voicemock.present.report import render
    from voicemock.bank.rubric import load_rubric

    if question_id and question_text:
        raise click.UsageError("give --question ID or --question-text TEXT, not both")
    if fmt == "json" and len(inputs) > 1:
        raise click.UsageError("--format json takes one input; use --format jsonl for several")
    question = _question(question_id, question_text, questions_path)
    rubric_obj = load_rubric(rubric)
    rubric_obj.level(level)  # a wrong level fails once, up front
    warming = None
    if any(Path(p).suffix.lower() not in TEXT_SUFFIXES for p in inputs):
        check_classifier()  # a missing or replaced model fails at once, not after transcribing
        warming = warm_scorer()  # the load itself runs while the first input is transcribed
    else:
        load_classifier()  # a missing or refused model fails once, up front, not once per input
    options = transcribe_options(model, beam_size, no_vad, decode)
    baseline = None
    if not no_history:
        from voicemock.store.trends import baseline_wpm
        from voicemock.store.session import resolve_recordings_dir

        baseline = baseline_wpm(resolve_recordings_dir(recordings_dir))
    failed = 0
    for path in inputs:
        try:
            answer = read_answer(path, options)
            if warming is not None:  # one load: assess would start a second one beside it
                warming.join()
                warming = None
            for warning in answer.audio.warnings if answer.audio is not None else ():
                click.echo(f"Warning: {path}: {warning}", err=True)
            card = assess(
                answer.transcript, answer.audio, question=question, rubric=rubric_obj, level=level, baseline_wpm=baseline,
                options=options,
            )
        except (AudioError, TranscriptError, NoAnswerError) as exc:
            failed += 1
            click.echo(f"Error: {exc}", err=True)
            continue
        card.input = path
        spoken = answer.audio is not None or answer.transcript.duration_s is not None
        if not no_history and (spoken or remember):
            role = "audio" if answer.audio is not None else "transcript"
            competency = question.competency if question and question.competency else None
            remember_take(
                card, recordings_dir, source="score-audio" if spoken else "score-text", competency=competency,
                files={role: str(Path(path).resolve())}, input_path=path,
            )
        if fmt == "jsonl":
            sys.stdout.write(json.dumps(card.to_dict(), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(render(card, fmt, color=sys.stdout.isatty()))
        sys.stdout.flush()
    if failed and len(inputs) == 1:
        raise click.exceptions.Exit(1)  # its one `Error:` line is said: a tally of one would say it twice
    if failed:
        raise click.ClickException(f"{failed} of {len(inputs)} inputs failed; see the errors above")


def _question(question_id, question_text, questions_path):
    if question_text:
        from voicemock.bank.questions import Question

        return Question.from_text(question_text)
    if question_id:
        from voicemock.bank.questions import load_bank

        return load_bank(questions_path).get(question_id)
    return None
