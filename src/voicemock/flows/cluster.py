"""Running a batch on a Dask cluster: the same per-file work, on the cluster's workers.

Each worker loads the Whisper model once, through a worker plugin, before its first file. The client
reads each input and ships its bytes to the worker, and the worker hands back its WorkResult (the
transcripts, the typed Scorecard, the summary row), so workers need voicemock and the model but no view
of the client's filesystem; all writing (outputs, ledger, summary) stays on the client, where resuming
works exactly as it does locally.

Imported only for `--scheduler`: it needs the `cluster` extra (dask distributed).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from distributed import Client, WorkerPlugin, as_completed

from voicemock.errors import VoicemockError
from voicemock.flows.batch_work import BatchJob, BatchSettings, WorkResult, cannot_read, prepare_worker, process_file

__all__ = ["ModelPlugin", "run_on_cluster", "connect"]

logger = logging.getLogger(__name__)

PLUGIN_NAME = "voicemock-model"
CONNECT_TIMEOUT = "20s"
# CPU threads each task on this worker process uses; set by ModelPlugin.setup.
_worker_threads: int | None = None


def _host(address: str) -> str:
    return urlparse(address).hostname or address


class ModelPlugin(WorkerPlugin):
    """Loads the model when a worker starts (or joins later), with CPU threads that fit its host.

    slots_per_host: Dask task slots (threads) per host across all its worker processes, as the client
    saw them; each task gets cores // slots CPU threads, so the host is not oversubscribed.
    """

    def __init__(self, settings: BatchSettings, slots_per_host: dict[str, int]) -> None:
        self.settings = settings
        self.slots_per_host = slots_per_host

    def setup(self, worker) -> None:
        global _worker_threads
        from voicemock.speech.model import default_cpu_threads

        slots = self.slots_per_host.get(_host(worker.address)) or worker.state.nthreads
        _worker_threads = max(1, default_cpu_threads() // max(1, slots))
        prepare_worker(self.settings, _worker_threads)
        logger.info("voicemock model ready on %s (%d CPU threads per task)", worker.address, _worker_threads)


def _process_bytes(data: bytes, suffix: str, display: str, key: str, settings: BatchSettings) -> WorkResult:
    """Runs on a worker: the input's bytes to a temp file (decoders want a file), then the usual work."""
    threads = _worker_threads or 1
    with tempfile.TemporaryDirectory(prefix="voicemock-") as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        return process_file(path, display, key, settings, threads)


def connect(address: str) -> Client:
    try:
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise VoicemockError(
            f"could not reach the Dask scheduler at {address} ({type(exc).__name__}); check the address and "
            "that `dask scheduler` is running there"
        ) from None


def run_on_cluster(address: str, jobs: list[BatchJob], settings: BatchSettings) -> Iterator[WorkResult]:
    """Results as they complete. A few files per task slot are in flight, so the client never holds
    the whole archive in memory."""
    if not jobs:
        return
    client = connect(address)
    try:
        workers = client.scheduler_info(n_workers=-1)["workers"]
        if not workers:
            raise VoicemockError(f"the Dask scheduler at {address} has no workers; start some with `dask worker {address}`")
        slots: dict[str, int] = {}
        for addr, info in workers.items():
            slots[_host(addr)] = slots.get(_host(addr), 0) + int(info.get("nthreads", 1))
        client.register_plugin(ModelPlugin(settings, slots), name=PLUGIN_NAME)
        window = 2 * sum(slots.values())

        pending = list(reversed(jobs))
        tracker = as_completed()
        job_of = {}

        def submit_next() -> WorkResult | None:
            job = pending.pop()
            try:
                data = Path(job.path).read_bytes()
            except OSError as exc:
                return WorkResult.failure(job.key, job.display, cannot_read(exc))
            # Scatter first: large audio as a task argument bloats the graph the scheduler holds.
            [data_future] = client.scatter([data], hash=False)
            future = client.submit(
                _process_bytes, data_future, Path(job.path).suffix, job.display, job.key, settings, pure=False
            )
            job_of[future] = job
            tracker.add(future)
            return None

        while pending and len(job_of) < window:
            early = submit_next()
            if early is not None:
                yield early
        for future in tracker:
            job = job_of.pop(future)
            try:
                yield future.result()
            except Exception as exc:  # KilledWorker, a lost connection: the file failed, the batch goes on
                error = f"the cluster could not process it ({type(exc).__name__}: {exc}); re-run to retry"
                yield WorkResult.failure(job.key, job.display, error)
            future.release()
            while pending and len(job_of) < window:
                early = submit_next()
                if early is not None:
                    yield early
    finally:
        client.close()

