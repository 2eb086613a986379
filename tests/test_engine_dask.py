"""The Dask engine: a LocalCluster prints what the local engine prints (needs the extra)."""

from __future__ import annotations

import pytest

from narrative_diff import api, engines
from narrative_diff.corpus import Corpus
from narrative_diff.errors import FetchFailed

from .helpers import raises_slug
from .scoring_fixtures import score_json
from .test_cli import run

pytestmark = pytest.mark.usefixtures("isolated")

pytest.importorskip("distributed")


@pytest.fixture
def threads_cluster(monkeypatch):
    """LocalClusters of threads in this process (fast; the same tasks as processes)."""
    monkeypatch.setattr(engines, "LOCAL_CLUSTER", {"processes": False, "threads_per_worker": 1})


def test_dask_prints_what_the_local_engine_prints(capsys, ilrs_copy, threads_cluster):
    local = score_json(capsys, ilrs_copy, "--no-cache")
    assert score_json(capsys, ilrs_copy, "--no-cache", "--engine", "dask") == local
    for fmt in ("csv", "table"):
        code, out, err = run(capsys, "score", "-f", fmt, "--corpus", str(ilrs_copy), "--no-cache")
        dask = run(capsys, "score", "-f", fmt, "--corpus", str(ilrs_copy), "--engine", "dask")
        assert (code, out) == dask[:2], err


def test_dask_with_processes_and_the_cache(capsys, ilrs_copy, monkeypatch):
    """Two worker processes (what a real cluster runs), filling the cache as it goes."""
    monkeypatch.setattr(engines, "LOCAL_CLUSTER", {"processes": True, "threads_per_worker": 1})
    monkeypatch.setattr(engines, "DASK_BATCH", 3)
    local = score_json(capsys, ilrs_copy, "--no-cache")
    assert score_json(capsys, ilrs_copy, "--engine", "dask") == local
    entries = list((ilrs_copy / ".cache" / "scores").rglob("*.json"))
    assert len(entries) == len(Corpus(ilrs_copy).snapshots("ilrs"))
    assert score_json(capsys, ilrs_copy) == local  # the local engine reads what Dask scored


def test_an_unreachable_scheduler_is_one_line(ilrs_copy, monkeypatch):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    monkeypatch.setattr(engines, "SCHEDULER_TIMEOUT", "0.5s")
    with raises_slug(FetchFailed, "scheduler-unreachable", address):
        api.score_series(Corpus(ilrs_copy), engine=api.Engine("dask", address))
