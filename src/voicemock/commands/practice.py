from __future__ import annotations

import sys

import click

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
        question_id=question_id,
        competency=competency,
        questions_path=questions_path,
        rubric=rubric,
        level=level,
        speak=not no_speak,
        device=device,
        max_seconds=max_seconds,
        silence_stop=silence_stop,
        answer_file=answer_file,
        recordings_dir=recordings_dir,
        stop_on_enter=stop_on_enter,
        cue=not no_cue,
        transcribe=transcribe_options(model, beam_size, no_vad, decode),
        live=not no_live,
        history=not no_history,
        next_weakest=next_weakest,
    )
    display = _Display(live=sys.stderr.isatty())
    try:
        result = run_practice(options, on_event=display.show)
    finally:
        display.end_line()
    click.echo(f"Session: {result.session.path}", err=True)
    click.echo(render_report(result.scorecard, fmt), nl=False)


class _Display:
    """Status lines on stderr; on a terminal also a live timer and level meter on one line."""

    WIDTH = 30

    def __init__(self, live: bool):
        self.live = live
        self.meter_drawn = False

    def show(self, event) -> None:
        if event.kind == "level":
            if self.live and event.progress is not None:
                self._meter(event.progress)
            return
        self.end_line()
        if event.kind == "question":
            click.echo(f"\nQuestion: {event.message}\n", err=True)
        elif event.kind in ("warning", "recovered", "not-spoken"):
            click.echo(f"Note: {event.message}", err=True)
        else:
            click.echo(event.message, err=True)

    def _meter(self, p) -> None:
        # -60 dBFS .. 0 dBFS across the bar: speech sits around -30 .. -10.
        filled = max(0, min(self.WIDTH, int((p.level_db + 60) / 60 * self.WIDTH)))
        minutes, seconds = divmod(int(p.elapsed_s), 60)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        state = "speaking" if p.speech_started else "waiting for speech"
        sys.stderr.write(f"\r  {minutes:02d}:{seconds:02d} [{bar}] {p.level_db:6.1f} dB  {state}   ")
        sys.stderr.flush()
        self.meter_drawn = True

    def end_line(self) -> None:
        if self.meter_drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.meter_drawn = False
