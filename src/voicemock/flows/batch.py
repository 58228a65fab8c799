"""Transcribing (and scoring) archives of recordings: plan what needs doing, run it, record it, summarise it.

The batch is safe to kill at any moment and run again. Every output is written atomically (temp file,
fsync, rename), and a file counts as done only once its ledger record is written, last
(voicemock.flows.batch_ledger). A re-run skips a file whose record still holds and redoes everything
else; summary.csv is rebuilt from the records.

The work on one file (voicemock.flows.batch_work) is the same function whether it runs in this process,
in a local worker process (voicemock.flows.batch_local), or on a Dask worker (voicemock.flows.cluster);
only where it runs changes. All writing stays here, in the calling process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from voicemock.errors import AudioError, VoicemockError
from voicemock.flows.batch_inputs import BatchInput, discover_inputs
from voicemock.flows.batch_ledger import Ledger, settings_fingerprint, sha256_file
from voicemock.flows.batch_local import choose_split, run_local
from voicemock.flows.batch_summary import SUMMARY_NAME, summary_row, write_summary
from voicemock.flows.batch_work import BatchJob, BatchSettings, WorkResult, cannot_read, short_reason, warm_scoring

# BatchSettings and SUMMARY_NAME are run_batch's input and output: callers take them from here.
__all__ = ["BatchSettings", "BatchReport", "BatchObserver", "SUMMARY_NAME", "run_batch"]

logger = logging.getLogger(__name__)


@dataclass
class BatchReport:
    output_dir: Path
    summary_path: Path
    rows: list[dict[str, Any]]  # one per input, in input order
    processed: int = 0
    skipped: int = 0
    failed: int = 0
    workers: int = 1
    threads: int = 1
    wall_s: float = 0.0

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def failures(self) -> list[tuple[str, str]]:
        return [(r["input"], r["error"]) for r in self.rows if r.get("error")]


class BatchObserver:
    """Hooks for a progress display; the library itself never prints."""

    wants_durations = False  # probe each pending file's duration up front, for an audio-seconds ETA

    def planned(self, total: int, skipped: int, pending_audio_s: float) -> None:
        pass

    def finished(self, result: WorkResult) -> None:
        pass


def run_batch(
    inputs: Sequence[str | Path],
    output_dir: str | Path,
    settings: BatchSettings = BatchSettings(),
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    observer: BatchObserver | None = None,
) -> BatchReport:
    """Process every input not already done, write outputs and summary.csv, and report what happened.

    workers: local worker processes (None: chosen by `choose_split`); ignored with a scheduler.
    scheduler: a Dask scheduler address (tcp://host:8786) to run the work on a cluster instead.
    """
    from voicemock.speech.model import resolve_model

    started = time.perf_counter()
    observer = observer or BatchObserver()
    out = Path(output_dir)
    resolve_model(settings.transcribe.model)  # a wrong --model fails once, up front
    if settings.score:
        warm_scoring(settings)  # likewise a wrong --rubric, or a missing or foreign classifier
    cluster = _cluster_module() if scheduler else None  # a missing extra fails before any work
    fingerprint = settings_fingerprint(settings)
    items = discover_inputs(inputs)

    ledger = Ledger(out)
    ledger.acquire()
    try:
        swept = ledger.sweep_temp_files()
        if swept:
            logger.info("removed %d temp files left by an interrupted run", swept)
        jobs, rows = _plan(items, ledger, fingerprint, observer.wants_durations)
        failed = sum(1 for row in rows.values() if row["error"])
        skipped = len(rows) - failed

        workers_used, threads = choose_split(len(jobs), workers)
        if cluster is not None or workers_used > 1:
            # Longest first, so no long file starts last and leaves the other workers idle at the end.
            if not observer.wants_durations:
                jobs = [replace(j, audio_s=_probe_duration(Path(j.path))) for j in jobs]
            jobs.sort(key=lambda j: -j.audio_s)
        observer.planned(len(items), skipped, sum(j.audio_s for j in jobs))
        # Files found unusable while planning count as finished at once.
        for row in rows.values():
            if row["error"]:
                observer.finished(WorkResult(key="", display=row["input"], row=row, error=row["error"]))

        sha_of = {j.key: j.sha256 for j in jobs}
        if cluster is not None:
            results = cluster.run_on_cluster(scheduler, jobs, settings)
        else:
            results = run_local(jobs, settings, workers_used, threads)
        processed = 0
        for result in results:
            if result.error is None:
                ledger.write(result, sha_of[result.key], fingerprint)
                processed += 1
            else:
                failed += 1
            rows[result.key] = result.row
            observer.finished(result)

        ordered = [rows[k] for k in (_row_key(i) for i in items) if k in rows]
        summary_path = write_summary(out / SUMMARY_NAME, ordered)
    finally:
        ledger.release()
    return BatchReport(
        output_dir=out,
        summary_path=summary_path,
        rows=ordered,
        processed=processed,
        skipped=skipped,
        failed=failed,
        workers=workers_used if not scheduler else 0,
        threads=threads if not scheduler else 0,
        wall_s=round(time.perf_counter() - started, 3),
    )


def _row_key(item: BatchInput) -> str:
    # An input whose name clashes shares its key with another, so its row is keyed apart.
    return item.key if not item.error else f"\0{item.display}"


def _plan(
    items: list[BatchInput], ledger: Ledger, fingerprint: str, probe: bool
) -> tuple[list[BatchJob], dict[str, dict[str, Any]]]:
    """Jobs for the workers, and the summary rows already known (done earlier, or unusable)."""
    jobs: list[BatchJob] = []
    rows: dict[str, dict[str, Any]] = {}
    for item in items:
        job_or_row = _plan_one(item, ledger, fingerprint, probe)
        if isinstance(job_or_row, BatchJob):
            jobs.append(job_or_row)
        else:
            rows[_row_key(item)] = job_or_row
    return jobs, rows


def _plan_one(item: BatchInput, ledger: Ledger, fingerprint: str, probe: bool) -> BatchJob | dict[str, Any]:
    """A job for the workers, or a finished summary row (done earlier, or unusable before any work)."""
    if item.error:
        return summary_row(item.display, error=item.error)
    try:
        from voicemock.audio.files import check_audio_path

        check_audio_path(item.path)
        sha = sha256_file(item.path)
    except AudioError as exc:
        return summary_row(item.display, error=short_reason(str(exc), str(item.path)))
    except OSError as exc:
        return summary_row(item.display, error=cannot_read(exc))
    record = ledger.lookup(item.key, sha, fingerprint)
    if record is not None:
        return {**record["row"], "input": item.display}
    return BatchJob(
        path=str(item.path),
        display=item.display,
        key=item.key,
        sha256=sha,
        audio_s=_probe_duration(item.path) if probe else 0.0,
    )


def _probe_duration(path: Path) -> float:
    """The container's stated duration (no decoding), for the ETA only; 0 when it does not say."""
    try:
        import av

        with av.open(str(path)) as container:
            if container.duration:
                return container.duration / 1_000_000  # av.time_base
    except Exception:  # a bad file: the worker will report it properly
        logger.debug("%s: no duration from the container", path, exc_info=True)
    return 0.0


def _cluster_module():
    try:
        from voicemock.flows import cluster
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in ("distributed", "dask"):
            raise VoicemockError("--scheduler needs the cluster extra: pip install 'voicemock[cluster]'") from None
        raise
    return cluster
