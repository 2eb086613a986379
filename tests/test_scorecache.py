"""The score cache: same output with or without it, never a stale or damaged entry."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrative_diff import api, engines, scorecache, scoring
from narrative_diff.actors import ActorMatcher, load_actors
from narrative_diff.corpus import Corpus
from narrative_diff.scorecache import ScoreCache, from_entry, to_entry
from narrative_diff.scoring import Weights, score_snapshot

from .helpers import make_snapshot, small_corpus
from .test_cli import run

pytestmark = pytest.mark.usefixtures("isolated")

ACTORS = load_actors()


def _score_json(capsys, root: Path, *extra: str) -> str:
    code, out, err = run(capsys, "score", "-f", "json", "--corpus", str(root), *extra)
    assert code == 0, err
    return out


def _entries(root: Path) -> list[Path]:
    return sorted((root / ".cache" / "scores").rglob("*.json"))


@pytest.fixture
def counted(monkeypatch):
    """Count the snapshots scored (not read from the cache), by id."""
    scored: list[str] = []
    real = engines.score_snapshot

    def counting(snap, matcher, weights, **kwargs):
        scored.append(snap.id)
        return real(snap, matcher, weights, **kwargs)

    monkeypatch.setattr(engines, "score_snapshot", counting)
    return scored


def test_a_warm_run_reads_every_result_and_prints_the_same(capsys, tmp_path, counted):
    corpus = small_corpus(tmp_path / "c")
    for fmt in ("json", "csv"):
        counted.clear()
        cold = run(capsys, "score", "-f", fmt, "--corpus", str(corpus.root))
        assert len(counted) == (3 if fmt == "json" else 0)  # csv: already cached
        counted.clear()
        warm = run(capsys, "score", "-f", fmt, "--corpus", str(corpus.root))
        assert counted == []
        assert warm == cold and cold[0] == 0
    assert len(_entries(corpus.root)) == 3
    assert (corpus.root / ".cache" / ".gitignore").read_text() == "*\n"
    umask = os.umask(0)
    os.umask(umask)
    for entry in [*_entries(corpus.root), corpus.root / ".cache" / ".gitignore"]:
        assert stat.S_IMODE(entry.stat().st_mode) == 0o666 & ~umask  # as open() makes them
    # the cache is no series, and 'list' and 'check' do not see it
    assert api.open_corpus(str(corpus.root)).series_names() == ["ilrs"]
    code, _, err = run(capsys, "check", "--corpus", str(corpus.root))
    assert code == 0, err


def test_output_is_the_same_without_cache_and_after_deleting_it(capsys, tmp_path, monkeypatch):
    import shutil

    corpus = small_corpus(tmp_path / "c")
    first = _score_json(capsys, corpus.root)
    assert _score_json(capsys, corpus.root) == first
    shutil.rmtree(corpus.root / ".cache")
    assert _score_json(capsys, corpus.root, "--no-cache") == first
    assert not (corpus.root / ".cache").exists()  # --no-cache neither reads nor writes
    monkeypatch.setenv("NARRATIVE_DIFF_CACHE", "0")
    assert _score_json(capsys, corpus.root) == first
    assert not (corpus.root / ".cache").exists()
    monkeypatch.delenv("NARRATIVE_DIFF_CACHE")
    assert _score_json(capsys, corpus.root) == first
    assert len(_entries(corpus.root)) == 3


def test_adding_one_snapshot_scores_only_that_one(capsys, tmp_path, counted):
    corpus = small_corpus(tmp_path / "c")
    _score_json(capsys, corpus.root)
    counted.clear()
    corpus.add(
        make_snapshot("ilrs", "2024-new", "2024-02-02", "# New\n\nRussia left.\n", language="en")
    )
    out = json.loads(_score_json(capsys, corpus.root))
    assert counted == ["ilrs/2024-new"]
    # the series statistics are recomputed: the new pair is there, with Russia's change
    pairs = {(c["from"], c["to"]) for c in out["changes"]}
    assert ("ilrs/2023-05-presentation", "ilrs/2024-new") in pairs
    assert len(_entries(corpus.root)) == 4


def test_a_changed_text_is_scored_again(capsys, tmp_path, counted):
    corpus = small_corpus(tmp_path / "c")
    before = json.loads(_score_json(capsys, corpus.root))
    path = corpus.root / "ilrs" / "2022-01-white-paper.md"
    path.write_text(path.read_text().replace("Russia", "China"), encoding="utf-8")
    counted.clear()
    after = json.loads(_score_json(capsys, Corpus(corpus.root).root))
    assert counted == ["ilrs/2022-01-white-paper"]
    row = {(r["snapshot"], r["actor"]): r["count"] for r in after["scores"]}
    assert row[("ilrs/2022-01-white-paper", "russia")] == 0
    assert row[("ilrs/2022-01-white-paper", "china")] == 1
    assert after != before


def test_changed_metadata_is_a_new_key(tmp_path):
    snap = make_snapshot("s", "a", "2024-01-01", "# A\n\nRussia.\n", language="en")
    context = scorecache.context_key(ACTORS, Weights())
    key = scorecache.entry_key(snap, context)
    for changed in (
        replace(snap, language="ru"),
        replace(snap, id="s/b"),
        replace(snap, lineage="TASS"),
        replace(snap, date=snap.date.replace(year=2020)),
        replace(snap, body=snap.body + "More.\n"),
    ):
        assert scorecache.entry_key(changed, context) != key


def test_a_changed_actors_file_never_uses_the_old_entries(capsys, tmp_path, counted):
    corpus = small_corpus(tmp_path / "c")
    bundled = Path(scoring.__file__).parent / "data" / "actors-ilrs.toml"
    actors = tmp_path / "actors.toml"
    actors.write_text(bundled.read_text(encoding="utf-8"), encoding="utf-8")
    first = json.loads(_score_json(capsys, corpus.root, "--actors", str(actors)))
    # the same content at another path is the same key: nothing is scored again
    moved = tmp_path / "moved.toml"
    moved.write_text(actors.read_text(encoding="utf-8"), encoding="utf-8")
    counted.clear()
    again = json.loads(_score_json(capsys, corpus.root, "--actors", str(moved)))
    assert counted == []
    assert again["scores"] == first["scores"]
    # one more alias: every snapshot is scored again, and the new alias counts
    actors.write_text(
        actors.read_text(encoding="utf-8").replace('"Chinese",', '"Chinese", "ILRS",', 1),
        encoding="utf-8",
    )
    counted.clear()
    changed = json.loads(_score_json(capsys, corpus.root, "--actors", str(actors)))
    assert len(counted) == 3
    assert changed["scores"] != first["scores"]


def test_changed_weights_or_version_never_use_the_old_entries(tmp_path, monkeypatch, counted):
    corpus = small_corpus(tmp_path / "c")
    plain = api.score_series(corpus)
    assert len(counted) == 3
    counted.clear()
    heavier = api.score_series(Corpus(corpus.root), weights=Weights(lead=3.0))
    assert len(counted) == 3
    assert [r.prominence for r in heavier.rows] != [r.prominence for r in plain.rows]
    counted.clear()
    api.score_series(Corpus(corpus.root))
    assert counted == []
    monkeypatch.setattr(scorecache, "SCORING_VERSION", "bumped")
    api.score_series(Corpus(corpus.root))
    assert len(counted) == 3


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{",
        b"\xff\xfe not json",
        b"[]",
        b'{"format": 1}',
        b"null",
        b"[" * 100_000,
    ],
)
def test_a_damaged_entry_is_recomputed(capsys, tmp_path, counted, damage):
    corpus = small_corpus(tmp_path / "c")
    first = _score_json(capsys, corpus.root)
    victim = _entries(corpus.root)[0]
    victim.write_bytes(damage)
    counted.clear()
    assert _score_json(capsys, corpus.root) == first
    assert len(counted) == 1
    json.loads(victim.read_bytes())  # written again, whole


def test_an_entry_for_another_text_is_not_used(tmp_path):
    one = make_snapshot("s", "a", "2024-01-01", "# A\n\nRussia and China.\n", language="en")
    two = replace(one, body="# A\n\nChina.\n")
    cache = ScoreCache(tmp_path / ".cache")
    cache.store("k" * 64, score_snapshot(one, ActorMatcher(ACTORS), Weights()))
    assert cache.load("k" * 64, one) is not None
    assert cache.load("k" * 64, two) is None  # the entry says which text it holds


def test_a_read_only_corpus_is_scored_without_a_cache(capsys, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    corpus = small_corpus(tmp_path / "c")
    expected = _score_json(capsys, corpus.root, "--no-cache")
    corpus.root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert _score_json(capsys, corpus.root) == expected
        assert not (corpus.root / ".cache").exists()
    finally:
        corpus.root.chmod(stat.S_IRWXU)


def test_a_refused_write_turns_the_cache_off_for_the_run(capsys, tmp_path, monkeypatch):
    import errno

    corpus = small_corpus(tmp_path / "c")
    expected = _score_json(capsys, corpus.root, "--no-cache")
    tries: list[Path] = []

    def refuse(path: Path, data: bytes) -> None:
        tries.append(path)
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(scorecache, "write_scratch", refuse)
    assert _score_json(capsys, corpus.root) == expected
    assert len(tries) == 1  # the first refusal ends the writing, silently


def test_the_bundled_corpus_gets_no_cache(capsys):
    from narrative_diff.location import bundled_root

    code, out, err = run(capsys, "score", "-f", "csv")  # no corpus: the bundled one
    assert code == 0, err
    assert out.startswith("series,")
    assert not (bundled_root() / ".cache").exists()


_SNAPSHOT_TEXTS = st.lists(
    st.sampled_from(
        [
            "Russia and China work together.",
            "Roscosmos and CNSA signed jointly.",
            "Several countries joined.",
            "## Partners",
            "The ILRS is open. 中国 and 俄罗斯.",
            "Nothing here.",
            "International partners, equal partners.",
        ]
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=_SNAPSHOT_TEXTS, cap=st.booleans(), decay=st.sampled_from(["log", "exp"]))
def test_an_entry_round_trips_exactly(lines, cap, decay):
    body = "# Title with Russia\n\n" + "\n\n".join(lines) + "\n"
    snap = make_snapshot("s", "a", "2024-01-01", body, language="en")
    weights = Weights(cap_per_sentence=cap, decay=decay)
    score = score_snapshot(snap, ActorMatcher(ACTORS), weights)
    entry = json.loads(json.dumps(to_entry(score), separators=(",", ":")))
    assert from_entry(entry, snap) == score
    rows = list(scoring.table_rows([score], ACTORS, lambda s: "v1"))
    assert list(scoring.table_rows([from_entry(entry, snap)], ACTORS, lambda s: "v1")) == rows


@pytest.fixture
def pairs_computed(monkeypatch):
    """Count the pairs whose change rows are computed (not read from the cache)."""
    from narrative_diff import changes

    computed: list[tuple[str, str]] = []
    real = changes.change_rows

    def counting(one, two, *args, **kwargs):
        computed.append((one.snapshot.id, two.snapshot.id))
        return real(one, two, *args, **kwargs)

    monkeypatch.setattr(changes, "change_rows", counting)
    return computed


def test_the_change_rows_of_unchanged_pairs_are_kept(capsys, tmp_path, pairs_computed):
    corpus = small_corpus(tmp_path / "c")
    first = _score_json(capsys, corpus.root)
    assert len(pairs_computed) == 3  # v1→v2, v2→v3, v1→v3
    pairs_computed.clear()
    assert _score_json(capsys, corpus.root) == first
    assert pairs_computed == []
    # a new snapshot naming nobody: its pair and the new first → last only
    corpus.add(make_snapshot("ilrs", "2024-a", "2024-02-02", "# New\n\nNobody.\n", language="en"))
    pairs_computed.clear()
    assert json.loads(_score_json(capsys, corpus.root))["changes"]
    assert sorted(pairs_computed) == [
        ("ilrs/2021-06-guide", "ilrs/2024-a"),
        ("ilrs/2023-05-presentation", "ilrs/2024-a"),
    ]
    # one naming Russia again: every pair ending where Russia is now "named later" changes
    # key (its DISAPPEARED becomes ABSENT), and is computed again
    corpus.add(
        make_snapshot("ilrs", "2024-b", "2024-03-03", "# B\n\nRussia is back.\n", language="en")
    )
    pairs_computed.clear()
    warm = _score_json(capsys, corpus.root)
    assert ("ilrs/2022-01-white-paper", "ilrs/2023-05-presentation") in pairs_computed
    assert warm == _score_json(capsys, corpus.root, "--no-cache")
    events = {(c["from"], c["to"], c["actor"]): c["event"] for c in json.loads(warm)["changes"]}
    assert events[("ilrs/2022-01-white-paper", "ilrs/2023-05-presentation", "russia")] == "ABSENT"


def test_a_damaged_pair_entry_is_recomputed(capsys, tmp_path, pairs_computed):
    corpus = small_corpus(tmp_path / "c")
    first = _score_json(capsys, corpus.root)
    entries = sorted((corpus.root / ".cache" / "changes").rglob("*.json"))
    assert len(entries) == 3
    entries[0].write_text('{"format": 1, "fields": [], "rows": [[1]]}')
    entries[1].write_bytes(entries[1].read_bytes()[:-20])
    pairs_computed.clear()
    assert _score_json(capsys, corpus.root) == first
    assert len(pairs_computed) == 2
