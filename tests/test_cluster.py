"""`voicemock batch --scheduler`: the same batch on a Dask cluster (a real LocalCluster of processes)."""

from __future__ import annotations

import shutil
import sys

import pytest
from click.testing import CliRunner
from support import SPEECH
from test_batch import CLIPS, _cli, _summary

import voicemock.flows
from voicemock.flows.batch import SUMMARY_NAME, BatchSettings, run_batch


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    if not SPEECH.is_dir():
        pytest.skip(f"real-speech folder {SPEECH} is absent (it sits beside the repository in CI)")
    root = tmp_path_factory.mktemp("archive")
    (root / "sub").mkdir()
    for i, clip in enumerate(CLIPS[:3]):
        shutil.copy(clip, root / ("sub" if i == 2 else "") / clip.name)
    (root / "broken.wav").write_bytes(CLIPS[0].read_bytes()[:40])
    return root


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed", reason="the cluster extra (dask distributed) is not installed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as local:
        yield local


def _outputs(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.suffix in (".txt", ".json") and ".voicemock-batch" not in p.parts}


def test_cluster_batch_matches_the_local_batch(archive, cluster, tmp_path):
    archive = shutil.copytree(archive, tmp_path / "archive")  # this test adds a file to it
    score = all(_have(m) for m in ("voicemock.flows.pipeline", "voicemock.assess.scoring", "voicemock.assess.structure"))
    settings = BatchSettings(formats=("txt", "json"), score=score)
    local = run_batch([archive], tmp_path / "local", settings, workers=1)
    remote = run_batch([archive], tmp_path / "remote", settings, scheduler=cluster.scheduler_address)

    assert (remote.processed, remote.failed) == (local.processed, local.failed) == (3, 1)
    local_files, remote_files = _outputs(tmp_path / "local"), _outputs(tmp_path / "remote")
    assert "sub/spk2_snt3.json" in local_files
    if score:
        assert "sub/spk2_snt3.report.json" in local_files
    assert remote_files == local_files  # identical transcripts (and scores), byte for byte
    assert _summary(tmp_path / "remote") == _summary(tmp_path / "local")

    # A re-run against the cluster redoes nothing; one new file is the only work.
    shutil.copy(CLIPS[3], archive / "sub" / CLIPS[3].name)
    from distributed import Client

    with Client(cluster.scheduler_address) as client:
        before = client.run(_model_cache_info)
        again = run_batch([archive], tmp_path / "remote", settings, scheduler=cluster.scheduler_address)
        after = client.run(_model_cache_info)
    assert (again.processed, again.skipped, again.failed) == (1, 3, 1)

    # Each worker loaded the model when it joined (the plugin) and reused it for every file it got:
    # 4 files over 2 workers, so a load per file would show as more loads than these. With --score,
    # delivery's hesitation detector shares the same model.
    assert len(after) == 2
    for address, (_hits, misses) in after.items():
        assert misses == 1, f"{address} loaded {misses} models"
    assert sum(h for h, _ in after.values()) > sum(h for h, _ in before.values())


def test_cluster_batch_from_the_command_line(archive, cluster, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(_cli(), ["batch", str(archive), "-o", str(out), "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == f"Error: 1 of 4 files failed; the reasons are in {out / SUMMARY_NAME}"
    assert "failed: " in result.output and "broken.wav: not a readable audio file" in result.output
    assert (out / "sub" / "spk2_snt3.txt").read_text().strip()


def test_missing_cluster_extra_is_a_one_line_error(tmp_path, monkeypatch):
    (tmp_path / "a.wav").write_bytes(CLIPS[0].read_bytes() if CLIPS[0].exists() else b"RIFF")
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, "voicemock.flows.cluster", raising=False)
    monkeypatch.delattr(voicemock.flows, "cluster", raising=False)
    result = CliRunner().invoke(_cli(), ["batch", str(tmp_path), "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 1
    assert result.output == "Error: --scheduler needs the cluster extra: pip install 'voicemock[cluster]'\n"


def _model_cache_info() -> tuple[int, int]:
    from voicemock.speech.model import _load_model

    info = _load_model.cache_info()
    return info.hits, info.misses


def _have(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
