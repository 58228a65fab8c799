from __future__ import annotations

import sys

import click

from voicemock.commands.display import run_shown
from voicemock.commands.options import level_option, model_options, transcribe_options


@click.command()
@click.option("-q", "--question", "question_ids", metavar="ID", multiple=True, help="A question id (repeatable), asked in order.")
@click.option("-n", "--count", type=click.IntRange(1, 40), default=4, show_default=True,
              help="Without --question: this many questions, one per competency, your weakest first.")
@click.option("--questions", "questions_path", type=click.Path(dir_okay=False), help="Another question bank (TOML).")
@click.option("--rubric", metavar="ID|PATH", help="Rubric to score and judge against (default: ai-pm-technical).")
@level_option("Level to score at (default: the rubric's, pm).")
@click.option("--no-follow-up", is_flag=True, help="Ask no follow-up questions.")
@click.option("--no-speak", is_flag=True, help="Show the questions without speaking them.")
@click.option("-d", "--device", metavar="N|NAME", help="Microphone: a number or a name substring from `voicemock devices`.")
@click.option("--max-seconds", type=click.FloatRange(1, 4 * 3600), help="Stop each take here (default: 1.5x the question's target).")
@click.option("--silence-stop", type=click.FloatRange(0.5, 60), metavar="SECONDS", help="Stop a take after this much silence following speech.")
@click.option("--no-cue", is_flag=True, help="No start tone before recording.")
@click.option("--answer-file", "answer_files", multiple=True, type=click.Path(exists=True, dir_okay=False), metavar="AUDIO",
              help="Recorded answers instead of the microphone, one per turn in order: question 1, its follow-up, question 2, ...")
@click.option("--recordings-dir", envvar="VOICEMOCK_RECORDINGS", type=click.Path(file_okay=False),
              help="Where the loop's folder goes (default: ./recordings). Env: VOICEMOCK_RECORDINGS.")
@click.option("--no-history", is_flag=True, help="Do not add the turns to the history (nor pick questions from it).")
@click.option("--no-live", is_flag=True, help="Transcribe after each take instead of while you speak.")
@click.option("--seed", type=int, hidden=True)
@model_options
def interview(
    question_ids, count, questions_path, rubric, level, no_follow_up, no_speak, device, max_seconds, silence_stop, no_cue,
    answer_files, recordings_dir, no_history, no_live, seed, model, beam_size, no_vad, decode,
) -> None:
    """A mock interview loop: questions, each with the interviewer's follow-up, then a recommendation.

    Each question is spoken, answered and scored as in `practice`; then a follow-up aimed at the
    answer's biggest gap is spoken and answered, and scored together with the answer. The loop ends
    with a recommendation (strong hire ... strong no hire) by the rubric's rule, with its reasons.
    Everything lands in one folder: a session folder per turn, interview.json, interview.md and
    interview.html (the review page of the whole loop).

    \b
    Examples:
      voicemock interview
      voicemock interview --count 2 --silence-stop 4
      voicemock interview -q evals-01 -q cost-latency-routing-01 --answer-file a1.wav --answer-file f1.wav \\
          --answer-file a2.wav --answer-file f2.wav
    """
    from voicemock.flows.interview import InterviewOptions, run_interview

    options = InterviewOptions(
        question_ids=tuple(question_ids), count=count, questions_path=questions_path, rubric=rubric, level=level,
        follow_up=not no_follow_up, speak=not no_speak, device=device, max_seconds=max_seconds, silence_stop=silence_stop,
        answer_files=tuple(answer_files), recordings_dir=recordings_dir, stop_on_enter=sys.stdin.isatty(), cue=not no_cue,
        transcribe=transcribe_options(model, beam_size, no_vad, decode), live=not no_live, history=not no_history, seed=seed,
    )
    result = run_shown(run_interview, options)
    click.echo(f"Interview: {result.folder}", err=True)
    click.echo(f"Review page: {result.review_path}", err=True)
    click.echo(result.markdown, nl=False)
