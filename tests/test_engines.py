"""Scoring engines: a process pool and a Dask cluster print what one process prints."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from narrative_diff import api, engines
from narrative_diff.corpus import Corpus
from narrative_diff.errors import MissingExtra, UsageProblem

from .helpers import PINNED, raises_slug
from .test_cli import run


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No test sees the developer's environment or the checkout's ./seeds."""
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.delenv("NARRATIVE_DIFF_CACHE", raising=False)
    monkeypatch.delenv("NARRATIVE_DIFF_WORKERS", raising=False)
    monkeypatch.chdir(tmp_path)


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
def pool_calls(monkeypatch):
    """Every pool started (the number of snapshots it was given); pools on any machine."""
    calls: list[int] = []
    real = engines._pool

    def recording(todo, actors, weights):
        calls.append(len(todo))
        return real(todo, actors, weights)

    monkeypatch.setattr(engines, "_pool", recording)
    monkeypatch.setattr(engines.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    return calls


def test_the_pool_prints_what_one_process_prints(capsys, ilrs, monkeypatch, pool_calls):
    if sys.platform != "linux":
        pytest.skip("the pool forks: Linux only")
    serial = _json(capsys, ilrs, "--no-cache")
    assert pool_calls == []  # too little text to pay for a pool
    monkeypatch.setattr(engines, "POOL_MIN_CHARS", 0)
    pooled = _json(capsys, ilrs, "--no-cache")
    assert pool_calls == [len(Corpus(ilrs).snapshots("ilrs"))]
    assert pooled == serial
    # the pool's results fill the cache, which gives the same output again
    assert _json(capsys, ilrs) == serial
    assert _json(capsys, ilrs) == serial
    assert pool_calls == [len(Corpus(ilrs).snapshots("ilrs"))] * 2  # the warm run: no pool


def test_the_series_statistics_in_a_pool_are_those_computed_here(capsys, ilrs, monkeypatch):
    if sys.platform != "linux":
        pytest.skip("the pool forks: Linux only")
    serial = _json(capsys, ilrs, "--no-cache")
    between = _json(capsys, ilrs, "--no-cache", "--between", "v1", "v5")
    runs: list[int] = []
    real = engines._pairs_in_pool

    def recording(jobs):
        runs.append(len(jobs))
        return real(jobs)

    monkeypatch.setattr(engines, "_pairs_in_pool", recording)
    monkeypatch.setattr(engines, "POOL_MIN_PAIRS", 0)
    monkeypatch.setattr(engines.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert _json(capsys, ilrs, "--no-cache") == serial
    assert _json(capsys, ilrs, "--no-cache", "--between", "v1", "v5") == between
    assert len(runs) == 1 and runs[0] > 1  # one pair (--between): computed here
    assert _json(capsys, ilrs) == serial  # computed in the pool, kept in the cache
    assert _json(capsys, ilrs) == serial  # read from it
    assert len(runs) == 2


def test_workers_1_turns_the_pool_off(capsys, ilrs, monkeypatch, pool_calls):
    monkeypatch.setattr(engines, "POOL_MIN_CHARS", 0)
    monkeypatch.setenv("NARRATIVE_DIFF_WORKERS", "1")
    assert engines.workers() == 1
    _json(capsys, ilrs, "--no-cache")
    assert pool_calls == []
    monkeypatch.setenv("NARRATIVE_DIFF_WORKERS", "2")
    assert engines.workers() == (2 if sys.platform == "linux" else 1)


def test_a_worker_result_for_another_text_is_scored_here(ilrs, monkeypatch):
    """The file changed between reading and scoring: the worker's entry is not used."""
    monkeypatch.setattr(engines, "POOL_MIN_CHARS", 0)
    snaps = Corpus(ilrs).snapshots("ilrs")
    actors = api.load_actors()
    weights = api.Weights()
    expected, _ = engines.score_snapshots(snaps, actors, weights)
    stale = {**engines.to_entry(expected[0]), "body": "0" * 64}
    got = engines._checked(stale, snaps[0], actors, weights)
    assert got == expected[0]


def test_dask_without_the_extra_is_one_line(capsys, ilrs, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails
    with raises_slug(MissingExtra, "missing-extra", "dask"):
        api.score_series(Corpus(ilrs), engine=api.Engine("dask"))
    code, out, err = run(capsys, "score", "--corpus", str(ilrs), "--engine", "dask")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "pip install 'narrative-diff[dask]'" in err


def test_bad_engine_options_are_refused_before_work(capsys, ilrs):
    with raises_slug(UsageProblem, "bad-option", "--scheduler"):
        api.score_series(Corpus(ilrs), engine=api.Engine("local", "tcp://127.0.0.1:1"))
    code, _, err = run(capsys, "score", "--corpus", str(ilrs), "--engine", "spark")
    assert code == 2 and "bad-option" in err and err.count("\n") == 1
