"""Running the batch's work on this machine: in this process, or in worker processes that outlive a crash.

The counterpart of voicemock.flows.cluster, which runs the same work on a Dask cluster.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from voicemock.errors import VoicemockError
from voicemock.flows.batch_work import BatchJob, BatchSettings, WorkResult, prepare_worker, process_file

__all__ = ["choose_split", "run_local"]


def choose_split(pending: int, workers: int | None = None, cores: int | None = None) -> tuple[int, int]:
    """(worker processes, CPU threads each), with workers x threads <= cores.

    Measured on 2 cores with tiny.en over 20 real clips, 175 s of audio (bench/batch.py, median of 3
    interleaved rounds on a shared machine): 2 workers x 1 thread 13.5 s, 1 worker x 2 threads 19.0 s.
    Whisper's decoding loop leaves a second thread idle much of the time, while a second process keeps
    its core busy. A process costs a model load and ~1 s of start-up, so with fewer than two files per
    core one worker takes all the threads.
    """
    from voicemock.speech.model import default_cpu_threads

    cores = cores or default_cpu_threads()
    if workers is None:
        workers = cores if pending >= 2 * cores else 1
    workers = max(1, min(workers, cores, max(pending, 1)))
    return workers, max(1, cores // workers)


def run_local(jobs: list[BatchJob], settings: BatchSettings, workers: int, threads: int) -> Iterator[WorkResult]:
    """Results as they finish: in this process with one worker, else in a pool of `workers` processes."""
    if not jobs:
        return
    if workers == 1:
        # In-process: no start-up cost, and the model stays cached for the next batch in this process.
        prepare_worker(settings, threads)
        for job in jobs:
            yield process_file(job.path, job.display, job.key, settings, threads)
        return
    yield from _run_pool(jobs, settings, workers, threads)


def _mp_context():
    # CTranslate2 and PyAV start threads; forking a process that has threads can deadlock the child.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _run_pool(jobs: list[BatchJob], settings: BatchSettings, workers: int, threads: int) -> Iterator[WorkResult]:
    """Worker processes, each loading the model once; a few jobs in flight per worker.

    A worker that dies (out of memory, a crash in native code) breaks the whole pool: the files then
    in flight are retried once in a new pool, and a file in flight at two deaths is reported failed.
    """
    pending = deque(jobs)
    deaths: Counter[str] = Counter()
    barren_pools = 0  # pools that broke before finishing a single file
    while pending:
        pool = ProcessPoolExecutor(
            workers,
            mp_context=_mp_context(),
            initializer=_start_pool_worker,
            initargs=(settings, threads, logging.getLogger().getEffectiveLevel()),
        )
        inflight: dict = {}
        finished = 0
        clean = False
        try:
            while pending or inflight:
                while pending and len(inflight) < 2 * workers:
                    job = pending.popleft()
                    inflight[pool.submit(process_file, job.path, job.display, job.key, settings, threads)] = job
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                broken = False
                for fut in done:
                    job = inflight.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        yield from _after_death(job, deaths, pending)
                        continue
                    finished += 1
                    yield result
                if broken:
                    for job in inflight.values():
                        yield from _after_death(job, deaths, pending)
                    inflight.clear()
                    break
            clean = True
        finally:
            # On Ctrl-C or an early stop, don't wait for queued files.
            pool.shutdown(wait=clean, cancel_futures=not clean)
        barren_pools = barren_pools + 1 if pending and not finished else 0
        if barren_pools >= 2:
            # Workers that cannot even start (a script without `if __name__ == "__main__":`, no
            # memory for a model) would otherwise fail the archive a few files at a time.
            raise VoicemockError(
                "worker processes died before finishing any file, twice; run with --workers 1 to see why "
                "(from a script, call run_batch under `if __name__ == \"__main__\":`)"
            )


def _start_pool_worker(settings: BatchSettings, threads: int, log_level: int) -> None:
    # A fresh process has no logging set up: log as the parent does, so -vv shows worker tracebacks.
    logging.basicConfig(level=log_level, format="%(levelname)s %(name)s: %(message)s")
    prepare_worker(settings, threads)


def _after_death(job: BatchJob, deaths: Counter[str], pending: deque) -> Iterator[WorkResult]:
    deaths[job.key] += 1
    if deaths[job.key] < 2:
        pending.appendleft(job)
        return
    error = (
        "a worker process died twice while working on it (out of memory, or a crash in the decoder); "
        "try it alone with `voicemock transcribe`"
    )
    yield WorkResult.failure(job.key, job.display, error)
