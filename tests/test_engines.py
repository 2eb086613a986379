"""Scoring engines: a process pool and a Dask cluster print what one process prints."""

from __future__ import annotations

import sys

import pytest

from narrative_diff import api, engines
from narrative_diff.corpus import Corpus
from narrative_diff.errors import MissingExtra, UsageProblem

from .helpers import raises_slug
from .scoring_fixtures import score_json
from .test_cli import run

pytestmark = pytest.mark.usefixtures("isolated")


@pytest.fixture
def pool_calls(monkeypatch):
    """Every pool started (the number of snapshots it was given); pools on any machine."""
    calls: list[int] = []
    real = engines._pool

    def recording(todo, actors, weights, read):
        calls.append(len(todo))
        return real(todo, actors, weights, read)

    monkeypatch.setattr(engines, "_pool", recording)
    monkeypatch.setattr(engines.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    return calls


def test_the_pool_prints_what_one_process_prints(capsys, ilrs_copy, monkeypatch, pool_calls):
    if sys.platform != "linux":
        pytest.skip("the pool forks: Linux only")
    serial = score_json(capsys, ilrs_copy, "--no-cache")
    assert pool_calls == []  # too little text to pay for a pool
    monkeypatch.setattr(engines, "POOL_MIN_CHARS", 0)
    pooled = score_json(capsys, ilrs_copy, "--no-cache")
    assert pool_calls == [len(Corpus(ilrs_copy).snapshots("ilrs"))]
    assert pooled == serial
    # the pool's results fill the cache, which gives the same output again
    assert score_json(capsys, ilrs_copy) == serial
    assert score_json(capsys, ilrs_copy) == serial
    assert pool_calls == [len(Corpus(ilrs_copy).snapshots("ilrs"))] * 2  # the warm run: no pool


def test_the_series_statistics_in_a_pool_are_those_computed_here(capsys, ilrs_copy, monkeypatch):
    if sys.platform != "linux":
        pytest.skip("the pool forks: Linux only")
    serial = score_json(capsys, ilrs_copy, "--no-cache")
    between = score_json(capsys, ilrs_copy, "--no-cache", "--between", "v1", "v5")
    runs: list[int] = []
    real = engines._pairs_in_pool

    def recording(jobs):
        runs.append(len(jobs))
        return real(jobs)

    monkeypatch.setattr(engines, "_pairs_in_pool", recording)
    monkeypatch.setattr(engines, "POOL_MIN_PAIRS", 0)
    monkeypatch.setattr(engines.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert score_json(capsys, ilrs_copy, "--no-cache") == serial
    assert score_json(capsys, ilrs_copy, "--no-cache", "--between", "v1", "v5") == between
    assert len(runs) == 1 and runs[0] > 1  # one pair (--between): computed here
    assert score_json(capsys, ilrs_copy) == serial  # computed in the pool, kept in the cache
    assert score_json(capsys, ilrs_copy) == serial  # read from it
    assert len(runs) == 2


def test_workers_1_turns_the_pool_off(capsys, ilrs_copy, monkeypatch, pool_calls):
    monkeypatch.setattr(engines, "POOL_MIN_CHARS", 0)
    monkeypatch.setenv("NARRATIVE_DIFF_WORKERS", "1")
    assert engines.workers() == 1
    score_json(capsys, ilrs_copy, "--no-cache")
    assert pool_calls == []
    monkeypatch.setenv("NARRATIVE_DIFF_WORKERS", "2")
    assert engines.workers() == (2 if sys.platform == "linux" else 1)


def test_a_worker_result_for_another_text_is_scored_here(ilrs_copy, monkeypatch):
    """The file changed between reading and scoring: the worker's entry is not used."""
    monkeypatch.setattr(engines, "POOL_MIN_CHARS", 0)
    snaps = Corpus(ilrs_copy).snapshots("ilrs")
    actors = api.load_actors()
    weights = api.Weights()
    expected, _ = engines.score_snapshots(snaps, actors, weights)
    stale = {**engines.to_entry(expected[0]), "body": "0" * 64}
    got = engines._checked(stale, snaps[0], actors, weights)
    assert got == expected[0]


def test_dask_without_the_extra_is_one_line(capsys, ilrs_copy, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails
    with raises_slug(MissingExtra, "missing-extra", "dask"):
        api.score_series(Corpus(ilrs_copy), engine=api.Engine("dask"))
    code, out, err = run(capsys, "score", "--corpus", str(ilrs_copy), "--engine", "dask")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "pip install 'narrative-diff[dask]'" in err


def test_bad_engine_options_are_refused_before_work(capsys, ilrs_copy):
    with raises_slug(UsageProblem, "bad-option", "--scheduler"):
        api.score_series(Corpus(ilrs_copy), engine=api.Engine("local", "tcp://127.0.0.1:1"))
    code, _, err = run(capsys, "score", "--corpus", str(ilrs_copy), "--engine", "spark")
    assert code == 2 and "bad-option" in err and err.count("\n") == 1
