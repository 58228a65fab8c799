"""The report on a take that holds no answer: what was (not) heard, the likely cause, what was kept.

It replaces the scorecard in the session folder's report.md; there is no report.json, as nothing was
scored.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["likely_cause", "no_answer_markdown"]


def likely_cause(check, *, microphone: bool) -> str:
    """The likely cause of `check` (an assess.answer_check.AnswerCheck that failed), and what to do."""
    if check.kind == "not-english":
        return "the answer was not confidently English; voicemock scores answers spoken in English"
    if microphone:
        return (
            "the microphone level is too low or muted, or the wrong input device was recorded: "
            "list the devices with `voicemock devices`, pick one with --device, and watch the level meter while you speak"
        )
    return "the --answer-file holds no voice: play it to check that it is the recording of your answer"


def no_answer_markdown(check, answer_path: Path, *, microphone: bool) -> str:
    heard = "Nothing was heard" if check.nothing_heard else "No answer was recognized"
    return "\n".join([
        f"# No answer: {answer_path}",
        "",
        f"{heard} in this take: {check.reason}. It was not scored and not added to the history.",
        "",
        f"Likely cause: {likely_cause(check, microphone=microphone)}.",
        "",
        f"The take is kept in this folder ({answer_path.name}, transcript.json).",
        "",
    ])
