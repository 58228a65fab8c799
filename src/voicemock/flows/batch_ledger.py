"""The batch's resume ledger: a lock per output dir, and a record per finished input that a re-run trusts.

A record names the input's sha256, the settings' fingerprint and the sha256 of every output; a re-run
skips a file whose record matches on all three and redoes everything else.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from voicemock import __version__
from voicemock.errors import VoicemockError
from voicemock.flows.batch_work import BatchSettings, WorkResult
from voicemock.fsutil import atomic_write_text

__all__ = ["LEDGER_DIR", "Ledger", "settings_fingerprint", "sha256_file"]

LEDGER_DIR = ".voicemock-batch"  # inside the output dir: the lock and one record per finished input
LEDGER_VERSION = 1


def settings_fingerprint(settings: BatchSettings) -> str:
    """A hash of everything that changes the outputs: settings, model, version, and with --score the
    rubric and classifier files (so retraining the classifier redoes the scores)."""
    from voicemock.speech.model import resolve_model

    transcribe = asdict(settings.transcribe)
    del transcribe["cpu_threads"]  # each worker's share of the cores; the outputs are the same
    transcribe["model"] = resolve_model(settings.transcribe.model).label
    parts: dict[str, Any] = {
        "ledger": LEDGER_VERSION,
        "voicemock": __version__,
        **asdict(settings),
        "transcribe": transcribe,
        "formats": sorted(settings.formats),
    }
    if settings.score:
        parts["scoring_files"] = _scoring_files_digest(settings)
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _scoring_files_digest(settings: BatchSettings) -> dict[str, str]:
    from voicemock.bank.rubric import load_rubric
    from voicemock.resources import models_dir

    digests = {"rubric": sha256_file(Path(load_rubric(settings.rubric).path))}
    try:
        models = models_dir()
    except FileNotFoundError:
        return digests
    for artifact in sorted(models.glob("*.skops")):
        digests[artifact.name] = sha256_file(artifact)
    return digests


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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
                if sha256_file(self.output_dir / rel) != digest:
                    return None
            except OSError:
                return None
        return record

    def write(self, result: WorkResult, sha256: str, fingerprint: str) -> None:
        """Write the result's outputs, then its record."""
        outputs = {}
        for suffix, text in result.outputs().items():
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
