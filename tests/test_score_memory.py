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


@pytest.mark.parametrize(
    ("where", "errno_", "slug", "code"),
    [("write", 28, "disk-full", None), ("open", 24, "cannot-write", 7), ("folder", 2, None, 7)],
)
def test_a_spool_that_cannot_be_written_is_one_line_naming_it(
    tmp_path, capsys, monkeypatch, spools, where, errno_, slug, code
):
    """A full temporary folder, no file to open, no usable temporary folder: one line
    naming where the results were to be put aside and how to do without it; no folder
    is left behind."""
    import errno
    import os

    corpus = _mixed(tmp_path / "corpus")
    message = os.strerror(errno_)
    if where == "write":
        monkeypatch.setattr(
            scorestore, "_write_at", lambda *a: (_ for _ in ()).throw(OSError(errno_, message))
        )
    elif where == "open":
        real_open = os.open

        def no_file(path, *args, **kwargs):
            if str(path).endswith("results"):  # the spool file (rmtree opens folders too)
                raise OSError(errno_, message)
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(scorestore.os, "open", no_file)
    else:

        def no_folder(*args, **kwargs):
            raise FileNotFoundError(errno.ENOENT, "No usable temporary directory found in []")

        monkeypatch.setattr(scorestore.tempfile, "mkdtemp", no_folder)
    out_file = tmp_path / "rows.csv"
    got, _, err = run(
        capsys, "score", "-f", "csv", "-o", out_file, "--corpus", corpus.root, "--no-cache"
    )
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "standard output" not in lines[0], err
    assert "could not put the scores aside in" in lines[0]
    assert ("TMPDIR" in lines[0]) == (slug != "disk-full")  # (a full disk has its own hint)
    if where != "folder":
        assert str(spools) in lines[0] and (slug is None or f": {slug}: " in lines[0])
    if code is not None:
        assert got == code
    assert got != 0 and not out_file.exists() and list(spools.iterdir()) == []
