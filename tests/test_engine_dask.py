"""The Dask engine: a LocalCluster prints what the local engine prints (needs the extra)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from narrative_diff import api, engines
from narrative_diff.corpus import Corpus
from narrative_diff.errors import FetchFailed

from .helpers import PINNED, raises_slug
from .test_cli import run


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No test sees the developer's environment or the checkout's ./seeds."""
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.delenv("NARRATIVE_DIFF_CACHE", raising=False)
    monkeypatch.delenv("NARRATIVE_DIFF_WORKERS", raising=False)
    monkeypatch.chdir(tmp_path)


pytest.importorskip("distributed")


@pytest.fixture
def ilrs(tmp_path) -> Path:
    """A writable copy of the pinned ILRS series (several languages and lineages)."""
    root = tmp_path / "ilrs-corpus"
    shutil.copytree(PINNED, root)
    return root


def _json(capsys, root: Path, *extra: str) -> str:
    code, out, err = run(capsys, "score", "-f", "json", "--corpus", str(root), *extra)
    assert code == 0, err
    return out


@pytest.fixture
def threads_cluster(monkeypatch):
    """LocalClusters of threads in this process (fast; the same tasks as processes)."""
    monkeypatch.setattr(engines, "LOCAL_CLUSTER", {"processes": False, "threads_per_worker": 1})


def test_dask_prints_what_the_local_engine_prints(capsys, ilrs, threads_cluster):
    local = _json(capsys, ilrs, "--no-cache")
    assert _json(capsys, ilrs, "--no-cache", "--engine", "dask") == local
    for fmt in ("csv", "table"):
        code, out, err = run(capsys, "score", "-f", fmt, "--corpus", str(ilrs), "--no-cache")
        dask = run(capsys, "score", "-f", fmt, "--corpus", str(ilrs), "--engine", "dask")
        assert (code, out) == dask[:2], err


def test_dask_with_processes_and_the_cache(capsys, ilrs, monkeypatch):
    """Two worker processes (what a real cluster runs), filling the cache as it goes."""
    monkeypatch.setattr(engines, "LOCAL_CLUSTER", {"processes": True, "threads_per_worker": 1})
    monkeypatch.setattr(engines, "DASK_BATCH", 3)
    local = _json(capsys, ilrs, "--no-cache")
    assert _json(capsys, ilrs, "--engine", "dask") == local
    entries = list((ilrs / ".cache" / "scores").rglob("*.json"))
    assert len(entries) == len(Corpus(ilrs).snapshots("ilrs"))
    assert _json(capsys, ilrs) == local  # the local engine reads what Dask scored


def test_an_unreachable_scheduler_is_one_line(ilrs, monkeypatch):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    monkeypatch.setattr(engines, "SCHEDULER_TIMEOUT", "0.5s")
    with raises_slug(FetchFailed, "scheduler-unreachable", address):
        api.score_series(Corpus(ilrs), engine=api.Engine("dask", address))
