"""``score`` holds a few snapshots' results at a time, whatever the length of the series:
the others are put aside (the score cache, or a spool removed at the end) and read back."""

from __future__ import annotations

import gc
import json
import tempfile

import pytest

from narrative_diff import api, engines, scorestore
from narrative_diff.scoring import SnapshotScore

from .test_cli import run
from .test_lineages import _mixed
from .test_streaming import long_series, pool_of_two

pytestmark = pytest.mark.usefixtures("isolated")


def _alive() -> int:
    gc.collect()
    return sum(1 for item in gc.get_objects() if isinstance(item, SnapshotScore))


@pytest.fixture
def alive(monkeypatch):
    """How many results are alive each time one is put aside or read back."""
    counted: list[int] = []
    put, load = scorestore.ScoreStore.put, scorestore.ScoreStore._load

    def putting(self, i, score, *, cached):
        counted.append(_alive())
        return put(self, i, score, cached=cached)

    def loading(self, i):
        counted.append(_alive())
        return load(self, i)

    monkeypatch.setattr(scorestore.ScoreStore, "put", putting)
    monkeypatch.setattr(scorestore.ScoreStore, "_load", loading)
    return counted


@pytest.fixture
def spools(tmp_path, monkeypatch):
    """The folder the spools are made in (empty when every one was removed)."""
    folder = tmp_path / "spools"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.parametrize("cache", [False, True])
def test_results_alive_are_few_whatever_the_length_of_the_series(tmp_path, alive, cache, spools):
    peaks = []
    for count in (8, 40):
        corpus = long_series(tmp_path / f"c{count}", count)
        alive.clear()
        if cache:  # warm: every result read from the cache, and read back from it
            api.score_series(corpus, "ilrs")
            alive.clear()
        with api.score_series(corpus, "ilrs", engine=api.Engine(cache=cache), aside=True) as result:
            assert result.scores is not None
            rows = sum(1 for _ in result.each_row())
            alive.append(_alive())
            changes = sum(1 for _ in result.each_change())
            alive.append(_alive())
            assert rows == count * len(result.actors.actors) and changes > rows / 2
        peaks.append(max(alive))
        assert len(alive) >= 2 * count + 2  # each put, then read back for the rows
        assert _alive() == 0
    assert peaks[1] <= peaks[0] <= scorestore.RECENT + 2, peaks
    assert list(spools.iterdir()) == []


def _json(corpus, aside: bool, **options) -> dict[str, object]:
    result = api.score_series(corpus, "moon", aside=aside, **options)
    with result:
        document = result.streamed()
        return json.loads(json.dumps(document, default=list))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"by": "lineage"},
        {"between": ("v4", "v2")},
        {"engine": api.Engine(cache=False)},
        {"engine": api.Engine(cache=False), "by": "lineage"},
    ],
)
def test_results_put_aside_give_the_same_rows_as_results_held(tmp_path, options, spools):
    corpus = _mixed(tmp_path / "corpus")
    held = _json(corpus, False, **options)
    assert _json(corpus, True, **options) == held  # cold, or spooled
    assert _json(corpus, True, **options) == held  # warm, or spooled again
    assert held["changes"] and held["scores"]
    assert list(spools.iterdir()) == []


def test_a_cache_entry_gone_before_it_is_read_back_is_scored_again(tmp_path):
    corpus = long_series(tmp_path / "c", 6)
    held = api.score_series(corpus, "ilrs", engine=api.Engine(cache=False))
    with api.score_series(corpus, "ilrs", aside=True) as result:
        for entry in (tmp_path / "c" / ".cache" / "scores").rglob("*.json"):
            entry.unlink()
        assert tuple(result.each_row()) == held.rows
        assert tuple(result.each_change()) == held.changes


def test_pairs_in_blocks_and_in_a_pool_give_the_same_rows(tmp_path, monkeypatch, spools):
    corpus = long_series(tmp_path / "c", 14)
    held = api.score_series(corpus, "ilrs", engine=api.Engine(cache=False))
    monkeypatch.setattr(engines, "PAIR_BLOCK", 3)
    with api.score_series(corpus, "ilrs", engine=api.Engine(cache=False), aside=True) as one:
        assert tuple(one.each_change()) == held.changes
    pool_of_two(monkeypatch, 4)
    monkeypatch.setattr(engines, "POOL_MIN_PAIRS", 2)
    with api.score_series(corpus, "ilrs", engine=api.Engine(cache=False), aside=True) as pool:
        assert tuple(pool.each_change()) == held.changes
        assert tuple(pool.each_row()) == held.rows
    assert list(spools.iterdir()) == []


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_score_prints_the_same_and_leaves_no_spool(tmp_path, capsys, fmt, spools):
    corpus = _mixed(tmp_path / "corpus")
    held = api.score_series(corpus, "moon", engine=api.Engine(cache=False))
    code, out, err = run(capsys, "score", "-f", fmt, "--corpus", corpus.root, "--no-cache")
    assert (code, err) == (0, "")
    if fmt == "json":
        document = json.loads(out)
        assert len(document["changes"]) == len(held.changes) > 0
        assert [row["count_to"] for row in document["changes"]] == [
            row.count_to for row in held.changes
        ]
    assert out.count("\n") >= len(held.rows)
    assert list(spools.iterdir()) == []


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("when", ["scoring", "writing"])
def test_the_spool_is_removed_after_an_error_or_an_interruption(
    tmp_path, monkeypatch, spools, error, when
):
    corpus = long_series(tmp_path / "c", 6)
    put, load = scorestore.ScoreStore.put, scorestore.ScoreStore._load
    seen: list[int] = []

    def failing(self, *args, **kwargs):
        seen.append(1)
        if len(seen) == 4:
            assert self.spool is not None and self.spool.parent == spools
            raise error("stop")
        return (put if when == "scoring" else load)(self, *args, **kwargs)

    monkeypatch.setattr(scorestore.ScoreStore, "put" if when == "scoring" else "_load", failing)
    with (
        pytest.raises(error, match="stop"),
        api.score_series(corpus, "ilrs", engine=api.Engine(cache=False), aside=True) as result,
    ):
        for _ in result.each_row():
            pass
    assert len(seen) == 4 and list(spools.iterdir()) == []


def test_the_spool_is_read_by_seeking_where_there_is_no_pread(tmp_path, monkeypatch, spools):
    import os

    corpus = long_series(tmp_path / "c", 6)
    held = api.score_series(corpus, "ilrs", engine=api.Engine(cache=False))
    monkeypatch.delattr(os, "pread")
    monkeypatch.delattr(os, "pwrite")
    with api.score_series(corpus, "ilrs", engine=api.Engine(cache=False), aside=True) as result:
        assert isinstance(result.scores, scorestore.ScoreStore)
        assert [p.name for p in result.scores.spool.iterdir()] == ["results"]  # one file
        assert tuple(result.each_row()) == held.rows
        assert tuple(result.each_change()) == held.changes
    assert list(spools.iterdir()) == []
