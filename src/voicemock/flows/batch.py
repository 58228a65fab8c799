"""Transcribing (and scoring) archives of recordings: discovery, the resume ledger, the run loop, summary.csv.

The batch is safe to kill at any moment and run again. Every output is written atomically (temp file,
fsync, rename), and a file counts as done only once its ledger record is written, last, naming the
input's sha256, the settings' fingerprint and the sha256 of every output. A re-run skips a file whose
record matches on all three and redoes everything else; summary.csv is rebuilt from the records.

The work on one file (`process_file`) is the same function whether it runs in this process, in a
local worker process, or on a Dask worker (voicemock.flows.cluster); only where it runs changes.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import logging
import multiprocessing
import os
import re
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from voicemock import __version__
from voicemock.audio.files import AUDIO_EXTENSIONS
from voicemock.errors import AudioError, VoicemockError
from voicemock.fsutil import atomic_write_text

__all__ = [
    "BatchSettings",
    "BatchInput",
    "BatchJob",
    "WorkResult",
    "BatchReport",
    "BatchObserver",
    "DEFAULT_FORMATS",
    "SUMMARY_NAME",
    "LEDGER_DIR",
    "discover_inputs",
    "choose_split",
    "settings_fingerprint",
    "process_file",
    "prepare_worker",
    "warm_scoring",
    "run_batch",
    "summary_columns",
]

logger = logging.getLogger(__name__)

DEFAULT_FORMATS = ("txt", "json")
REPORT_SUFFIX = "report.json"  # <name>.report.json beside <name>.json (the transcript)
SUMMARY_NAME = "summary.csv"
LEDGER_DIR = ".voicemock-batch"  # inside the output dir: the lock and one record per finished input
LEDGER_VERSION = 1
BASE_COLUMNS = ("input", "duration_s", "words", "wpm", "fillers", "overall", "passed")
NO_SPEECH_REASON = "no speech detected (the file is silent or holds no voice); check the recording"


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class BatchSettings:
    """Everything the outputs depend on; its fingerprint decides whether an earlier result still holds."""

    model: str | None = None
    beam_size: int = 5
    vad: bool = True
    language: str = "en"
    batched: bool | None = None  # TranscribeOptions.batched: None picks by length
    formats: tuple[str, ...] = DEFAULT_FORMATS
    score: bool = False
    rubric: str | None = None
    level: str | None = None


@dataclass(frozen=True)
class BatchInput:
    """One input file. `key` is where its outputs go, relative to the output dir, without a suffix."""

    path: Path
    display: str  # the path as the user would write it: the argument, joined with the path inside it
    key: str  # "sub/take1" for <input dir>/sub/take1.wav
    error: str | None = None  # a problem found before any work (e.g. two inputs share one output name)


@dataclass(frozen=True)
class BatchJob:
    """An input that needs work, as sent to a worker (local or remote)."""

    path: str
    display: str
    key: str
    sha256: str
    audio_s: float = 0.0  # probed duration, for the ETA; 0 when not probed


@dataclass
class WorkResult:
    """What a worker hands back for one file: rendered outputs and its summary row, or the reason it failed."""

    key: str
    display: str
    texts: dict[str, str] = field(default_factory=dict)  # output suffix ("txt", "report.json") -> content
    row: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    audio_s: float = 0.0
    elapsed_s: float = 0.0


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


# ---------------------------------------------------------------------------- discovery


def discover_inputs(arguments: Sequence[str | Path]) -> list[BatchInput]:
    """Audio files under each folder (recursively, sorted) and each file named directly.

    A file named directly is taken whatever its extension (the user meant it); inside folders only
    audio extensions count. Outputs keep the subfolders below each folder argument. Two inputs that
    would write the same output name are both kept, the later one marked with an error.
    """
    found: list[BatchInput] = []
    seen_paths: set[str] = set()
    for argument in arguments:
        root = Path(argument)
        if root.is_dir():
            for path in _walk_audio(root):
                rel = path.relative_to(root)
                found.append(BatchInput(path=path, display=str(path), key=rel.with_suffix("").as_posix()))
        else:
            found.append(BatchInput(path=root, display=str(root), key=root.stem or root.name))

    unique: list[BatchInput] = []
    owner_of_key: dict[str, str] = {}
    for item in found:
        real = os.path.realpath(item.path)
        if real in seen_paths:  # the same file reached twice (overlapping arguments, symlinks)
            continue
        seen_paths.add(real)
        first = owner_of_key.get(item.key)
        if first is not None:
            item = replace(
                item,
                error=f"its outputs would overwrite those of {first} (same name {item.key}); rename one or batch them separately",
            )
        else:
            owner_of_key[item.key] = item.display
        unique.append(item)
    return unique


def _walk_audio(root: Path) -> list[Path]:
    """Audio files under root, sorted by their path inside it (hidden files and folders left out)."""
    found = []
    # os.walk does not follow directory symlinks, so a link loop cannot hang the batch.
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in AUDIO_EXTENSIONS:
                found.append(Path(folder) / name)
    return sorted(found, key=lambda p: p.relative_to(root).parts)


# ---------------------------------------------------------------------------- settings and parallelism


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


def settings_fingerprint(settings: BatchSettings) -> str:
    """A hash of everything that changes the outputs: settings, model, version, and with --score the
    rubric and classifier files (so retraining the classifier redoes the scores)."""
    from voicemock.speech.model import resolve_model

    parts: dict[str, Any] = {
        "ledger": LEDGER_VERSION,
        "voicemock": __version__,
        **asdict(settings),
        "model": resolve_model(settings.model).label,
        "formats": sorted(settings.formats),
    }
    if settings.score:
        parts["scoring_files"] = _scoring_files_digest(settings)
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _scoring_files_digest(settings: BatchSettings) -> dict[str, str]:
    from voicemock.resources import models_dir
    from voicemock.bank.rubric import load_rubric

    digests = {"rubric": _sha256_file(Path(load_rubric(settings.rubric).path))}
    try:
        models = models_dir()
    except FileNotFoundError:
        return digests
    for artifact in sorted(models.glob("*.skops")):
        digests[artifact.name] = _sha256_file(artifact)
    return digests


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------------------- the work on one file


def prepare_worker(settings: BatchSettings, cpu_threads: int) -> None:
    """Load the model once for this process (a local worker, or a Dask worker via its plugin)."""
    from voicemock.speech.model import load_model, resolve_model, set_process_threads

    # Every Whisper use in this worker (transcription, the hesitation detector) shares one model
    # with the worker's share of the cores.
    set_process_threads(cpu_threads)
    load_model(resolve_model(settings.model), cpu_threads=cpu_threads)
    if settings.score:
        warm_scoring(settings)


def warm_scoring(settings: BatchSettings) -> None:
    """Import the scoring chain and load the rubric and classifier (both cached per process), so a
    missing piece fails once, up front, and each worker loads them once."""
    try:
        import voicemock.flows.pipeline  # noqa: F401  (assess, the composition the batch calls)
        import voicemock.assess.scoring  # noqa: F401
        import voicemock.assess.structure  # noqa: F401
        from voicemock.assess.classifier import load_classifier
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("voicemock"):
            raise
        raise VoicemockError(f"--score needs {exc.name}, which this installation lacks; run without --score") from None
    _rubric(settings.rubric)
    load_classifier()


def process_file(path: str | Path, display: str, key: str, settings: BatchSettings, cpu_threads: int) -> WorkResult:
    """Transcribe one file (and score it), render its outputs; any failure becomes a one-line reason."""
    started = time.perf_counter()
    result = WorkResult(key=key, display=display)
    try:
        result.texts, result.row, result.audio_s = _transcribe_and_score(Path(path), display, settings, cpu_threads)
    except VoicemockError as exc:
        result.error = _one_line(str(exc)).replace(str(path), display)
    except Exception as exc:  # a bug or a resource problem: keep the batch going, say what it was
        logger.debug("%s failed", display, exc_info=True)
        result.error = f"unexpected {type(exc).__name__}: {_one_line(str(exc))}; re-run with -vv for details".replace(
            str(path), display
        )
    result.elapsed_s = round(time.perf_counter() - started, 3)
    if result.error:
        result.error = _reason(result.error, display)
        result.row = _row(display, error=result.error)
    return result


def _transcribe_and_score(
    path: Path, display: str, settings: BatchSettings, cpu_threads: int
) -> tuple[dict[str, str], dict[str, Any], float]:
    from voicemock.speech.transcribe import TranscribeOptions, transcribe_file
    from voicemock.speech.writers import render_transcript

    options = TranscribeOptions(
        model=settings.model,
        beam_size=settings.beam_size,
        vad=settings.vad,
        language=settings.language,
        batched=settings.batched,
        cpu_threads=cpu_threads,
    )
    transcript = replace(transcribe_file(path, options), source=display)
    if not transcript.text:
        raise AudioError(f"{display}: {NO_SPEECH_REASON}")

    texts = {fmt: render_transcript(transcript, fmt) for fmt in settings.formats}
    scorecard = None
    if settings.score:
        from voicemock.audio.files import load_audio

        scorecard = _assess(transcript, load_audio(path), settings)
        scorecard.input = display
        texts[REPORT_SUFFIX] = json.dumps(scorecard.to_dict(), ensure_ascii=False, indent=2) + "\n"
        delivery = scorecard.delivery
    else:
        delivery = _measure_delivery(transcript)
    words = len(transcript.words) or len(transcript.text.split())
    row = _row(
        display,
        duration_s=transcript.duration_s,
        words=words,
        wpm=None if delivery is None or delivery.wpm is None else round(delivery.wpm, 1),
        fillers=None if delivery is None else len(delivery.fillers),  # a Scorecard's delivery may be None
    )
    if scorecard is not None:
        row["overall"] = round(scorecard.overall, 2)
        row["passed"] = bool(scorecard.passed)
        for dim in scorecard.dimensions:
            row[dim.key] = round(dim.score, 2)
    return texts, row, float(transcript.duration_s or 0.0)


def _assess(transcript, audio, settings: BatchSettings):
    """The one composition every command uses; the batch adds nothing of its own to scoring."""
    from voicemock.flows.pipeline import assess

    return assess(transcript, audio, question=None, rubric=_rubric(settings.rubric), level=settings.level)


@lru_cache(maxsize=4)
def _rubric(name_or_path: str | None):
    """Parsed once per worker, not once per file."""
    from voicemock.bank.rubric import load_rubric

    return load_rubric(name_or_path)


def _measure_delivery(transcript):
    """Pace and fillers for the summary when not scoring (scoring carries its own Delivery)."""
    from voicemock.assess.delivery import measure_delivery

    return measure_delivery(transcript)


def _row(display: str, error: str = "", **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(BASE_COLUMNS)
    row["input"] = display
    row.update(values)
    row["error"] = error
    return row


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[0] if lines else "no message"


def _reason(message: str, display: str) -> str:
    """The error without the leading "<input>: ": summary.csv has the input in a column of its own."""
    message = _one_line(message)
    prefix = f"{display}: "
    return message[len(prefix):] if message.startswith(prefix) else message


# ---------------------------------------------------------------------------- the ledger


class Ledger:
    """One JSON record per finished input under <output dir>/.voicemock-batch/done/, plus a lock.

    A record is written atomically and only after all of its input's outputs, so a record on disk
    means every output it lists is complete; a kill between outputs and record just redoes that file.
    """

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.root = output_dir / LEDGER_DIR
        self._lock_fh = None

    def acquire(self) -> None:
        """One batch at a time per output dir: two would race on the same outputs."""
        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / "lock", "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise VoicemockError(
                f"another batch is writing to {self.output_dir}; wait for it to finish or use another --output-dir"
            ) from None
        self._lock_fh = fh

    def release(self) -> None:
        if self._lock_fh is not None:
            self._lock_fh.close()  # closing drops the flock
            self._lock_fh = None

    def record_path(self, key: str) -> Path:
        return self.root / "done" / f"{key}.json"

    def lookup(self, key: str, sha256: str, fingerprint: str) -> dict[str, Any] | None:
        """The earlier record for this input if it still holds: same content, same settings, outputs intact."""
        try:
            record = json.loads(self.record_path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("sha256") != sha256 or record.get("settings") != fingerprint:
            return None
        outputs = record.get("outputs")
        if not isinstance(outputs, dict) or not outputs or not isinstance(record.get("row"), dict):
            return None
        for rel, digest in outputs.items():
            try:
                if _sha256_file(self.output_dir / rel) != digest:
                    return None
            except OSError:
                return None
        return record

    def write(self, result: WorkResult, sha256: str, fingerprint: str) -> None:
        outputs = {}
        for suffix, text in result.texts.items():
            rel = f"{result.key}.{suffix}"
            atomic_write_text(self.output_dir / rel, text)
            outputs[rel] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        record = {
            "input": result.display,
            "sha256": sha256,
            "settings": fingerprint,
            "outputs": outputs,
            "row": result.row,
            "elapsed_s": result.elapsed_s,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        atomic_write_text(self.record_path(result.key), json.dumps(record, ensure_ascii=False, indent=1) + "\n")

    def sweep_temp_files(self) -> int:
        """Remove temp files a killed run left behind (fsutil names them .<target>.<random>.tmp).

        Safe because we hold the lock: no other batch can be mid-write in this folder.
        """
        removed = 0
        pattern = re.compile(r"^\..+\.(txt|json|srt|vtt|tsv|csv)\.[A-Za-z0-9_]{8}\.tmp$")
        for folder, _dirs, files in os.walk(self.output_dir):
            for name in files:
                if pattern.match(name):
                    Path(folder, name).unlink(missing_ok=True)
                    removed += 1
        return removed


# ---------------------------------------------------------------------------- running


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
    resolve_model(settings.model)  # a wrong --model fails once, up front
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
            results = _run_local(jobs, settings, workers_used, threads)
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
        return _row(item.display, error=item.error)
    try:
        from voicemock.audio.files import check_audio_path

        check_audio_path(item.path)
        sha = _sha256_file(item.path)
    except AudioError as exc:
        return _row(item.display, error=_reason(str(exc), str(item.path)))
    except OSError as exc:
        return _row(item.display, error=f"cannot read it ({exc.strerror or exc}); check its permissions")
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
        pass
    return 0.0


def _cluster_module():
    try:
        from voicemock.flows import cluster
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in ("distributed", "dask"):
            raise VoicemockError("--scheduler needs the cluster extra: pip install 'voicemock[cluster]'") from None
        raise
    return cluster


def _run_local(jobs: list[BatchJob], settings: BatchSettings, workers: int, threads: int) -> Iterator[WorkResult]:
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
    yield WorkResult(key=job.key, display=job.display, row=_row(job.display, error=error), error=error)


# ---------------------------------------------------------------------------- summary.csv


def summary_columns(rows: Iterable[dict[str, Any]]) -> list[str]:
    """input, duration_s, words, wpm, fillers, overall, passed, one per rubric dimension, error."""
    dims: list[str] = []
    for row in rows:
        for key in row:
            if key not in BASE_COLUMNS and key != "error" and key not in dims:
                dims.append(key)
    return [*BASE_COLUMNS, *dims, "error"]


def write_summary(path: Path, rows: list[dict[str, Any]]) -> Path:
    buf = io.StringIO()
    columns = summary_columns(rows)
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return atomic_write_text(path, buf.getvalue())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
