from __future__ import annotations

import sys

import click

from voicemock.commands.display import run_shown
from voicemock.commands.options import level_option, model_options, transcribe_options


@click.command()
@click.option("-q", "--question", "question_id", metavar="ID", help="Question id, e.g. evals-01 (see `voicemock questions`). Default: a random one.")
@click.option("-c", "--competency", metavar="SLUG", help="Pick a random question of this competency, e.g. evals.")
@click.option("--questions", "questions_path", type=click.Path(dir_okay=False), help="Another question bank (TOML).")
@click.option("--rubric", metavar="ID|PATH", help="Rubric to score against (default: ai-pm-technical).")
@level_option("Level to score at (default: the rubric's, pm).")
@click.option("--no-speak", is_flag=True, help="Show the question without speaking it.")
@click.option("-d", "--device", metavar="N|NAME", help="Microphone: a number or a name substring from `voicemock devices`.")
@click.option("--max-seconds", type=click.FloatRange(1, 4 * 3600), help="Stop the take here (default: 1.5x the question's target).")
@click.option("--silence-stop", type=click.FloatRange(0.5, 60), metavar="SECONDS", help="Stop after this much silence following speech.")
@click.option("--no-cue", is_flag=True, help="No start tone before recording.")
@click.option(
    "--answer-file", type=click.Path(exists=True, dir_okay=False), metavar="AUDIO",
    help="Score this recording instead of using the microphone.",
)
@click.option(
    "--recordings-dir", envvar="VOICEMOCK_RECORDINGS", type=click.Path(file_okay=False),
    help="Where session folders go (default: ./recordings). Env: VOICEMOCK_RECORDINGS.",
)
@click.option("--next", "next_weakest", is_flag=True, help="Pick from the competency with your weakest recent scores.")
@click.option("--no-history", is_flag=True, help="Do not add this take to the history (nor compare with it).")
@click.option("--no-live", is_flag=True, help="Transcribe after the take instead of while you speak.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True, help="How the report is shown here.")
@model_options
def practice(
    question_id, competency, questions_path, rubric, level, no_speak, device, max_seconds, silence_stop, no_cue,
    answer_file, recordings_dir, next_weakest, no_history, no_live, fmt, model, beam_size, no_vad, decode,
) -> None:
    """Hear a question, answer out loud, get a scored report.

    Records until you press Enter (on a terminal), until --silence-stop seconds of
    silence, or until --max-seconds. Ctrl-C ends the take and keeps it. Each take gets
    its own folder under --recordings-dir with the question, the answer audio, the
    transcript and the report.

    \b
    Examples:
      voicemock practice --competency evals
      voicemock practice --next
      voicemock practice --question evals-01 --silence-stop 4
      voicemock practice --question evals-01 --answer-file answer.wav
    """
    from voicemock.flows.practice import PracticeOptions, render_report, run_practice

    # Enter stops the take only when someone can press it; the meter draws only where someone watches.
    stop_on_enter = sys.stdin.isatty()
    options = PracticeOptions(
        # what is asked
        question_id=question_id, competency=competency, questions_path=questions_path, next_weakest=next_weakest,
        # how it is scored
        rubric=rubric, level=level, transcribe=transcribe_options(model, beam_size, no_vad, decode), live=not no_live,
        # the take
        speak=not no_speak, cue=not no_cue, device=device, max_seconds=max_seconds, silence_stop=silence_stop,
        stop_on_enter=stop_on_enter, answer_file=answer_file,
        # where it is kept
        recordings_dir=recordings_dir, history=not no_history,
    )
    result = run_shown(run_practice, options)
    click.echo(f"Session: {result.session.path}", err=True)
    click.echo(render_report(result.scorecard, fmt, color=sys.stdout.isatty()), nl=False)
