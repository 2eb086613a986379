"""A long series is read one body at a time: headers, re-reading, and rows made as printed."""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

from narrative_diff import api, changes, engines, results
from narrative_diff.corpus import Corpus
from narrative_diff.errors import CorpusError
from narrative_diff.snapshot import Snapshot

from .helpers import make_snapshot, raises_slug
from .scoring_fixtures import score_json
from .test_cli import run
from .test_lineages import _mixed

pytestmark = pytest.mark.usefixtures("isolated")

PARTNERS = ["Russia", "Pakistan", "Egypt", "Venezuela", "Belarus", "Thailand"]


def long_series(root, count: int = 12) -> Corpus:
    """``count`` snapshots of one series, each naming two partners."""
    root.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(root)
    for n in range(count):
        first, second = PARTNERS[n % 6], PARTNERS[(n * 5 + 1) % 6]
        body = (
            f"# Update {n}\n\nThe ILRS is built by China together with {first}.\n\n"
            f"Talks with {second} continue, CNSA said in statement {n}.\n"
        )
        date = f"2024-{n % 12 + 1:02d}-{n // 12 + 1:02d}"
        corpus.add(make_snapshot("ilrs", f"update-{n}", date, body, language="en"))
    return Corpus(root)


@pytest.fixture
def bodies_alive(monkeypatch):
    """Before each body is read again: how many bodies read earlier are still alive."""
    seen: list[weakref.ref[Snapshot]] = []
    alive: list[int] = []
    real = Corpus.with_body

    def recording(self, snap):
        gc.collect()
        alive.append(sum(1 for ref in seen if ref() is not None))
        full = real(self, snap)
        seen.append(weakref.ref(full))
        return full

    monkeypatch.setattr(Corpus, "with_body", recording)
    return alive


def test_a_header_keeps_the_hash_and_refuses_what_needs_the_body():
    snap = make_snapshot("ilrs", "a", "2024-01-02", "Russia joined.\n", language="en")
    header = snap.header()
    assert (header.body, header.body_hash, header.hash_ok) == ("", snap.body_hash, True)
    assert header.is_header and not snap.is_header and header.header() is header
    with pytest.raises(ValueError, match="no body to count"):
        _ = header.words
    with pytest.raises(ValueError, match="no body to write"):
        header.to_markdown()


def test_a_light_corpus_reads_headers_and_the_body_again_on_demand(tmp_path):
    corpus = long_series(tmp_path / "c", 3).headers_only()
    header = corpus.snapshots("ilrs")[0]
    assert header.is_header and header.body == ""
    full = corpus.with_body(header)
    assert not full.is_header and full.body.startswith("# Update 0")
    assert full.body_hash == header.body_hash and full.words == 20


def test_a_file_changed_after_its_header_was_read_is_an_error(tmp_path):
    corpus = long_series(tmp_path / "c", 3).headers_only()
    header = corpus.snapshots("ilrs")[1]
    assert header.path is not None
    text = header.path.read_text(encoding="utf-8")
    header.path.write_text(text.replace("together with", "without"), encoding="utf-8")
    with raises_slug(CorpusError, "corpus-changed", str(header.path), "file changed") as info:
        corpus.with_body(header)
    assert "run the command again" in (info.value.hint or "")


def test_score_in_one_process_holds_one_body_at_a_time(tmp_path, bodies_alive, monkeypatch):
    monkeypatch.setenv("NARRATIVE_DIFF_WORKERS", "1")
    corpus = long_series(tmp_path / "c")
    result = api.score_series(corpus, "ilrs", engine=api.Engine(cache=False))
    assert len(bodies_alive) == 12  # every body read, by the scoring
    assert max(bodies_alive) <= 1  # the one scored just before may still be on its way out
    assert all(score.snapshot.is_header for score in result.scores)
    assert sum(row.count for row in result.rows if row.actor == "russia") == 4


def pool_of_two(monkeypatch, window: int) -> None:
    """Score in a pool of two processes, on any machine, ``window`` snapshots at a time."""
    if sys.platform != "linux":
        pytest.skip("the pool forks: Linux only")
    monkeypatch.setattr(engines.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(engines, "POOL_MIN_CHARS", 0)
    monkeypatch.setattr(engines, "WINDOW", window)
    monkeypatch.setattr(engines, "WINDOW_PER_WORKER", 1)


def test_score_in_a_pool_holds_two_windows_of_bodies(tmp_path, bodies_alive, monkeypatch):
    pool_of_two(monkeypatch, 2)
    corpus = long_series(tmp_path / "c")
    here = api.score_series(corpus, "ilrs", engine=api.Engine(cache=False))
    assert len(bodies_alive) == 12
    assert max(bodies_alive) <= 2 * 2  # a window being scored, the next being read
    monkeypatch.setenv("NARRATIVE_DIFF_WORKERS", "1")
    alone = api.score_series(corpus, "ilrs", engine=api.Engine(cache=False))
    assert here.rows == alone.rows and here.changes == alone.changes


def test_score_csv_computes_no_change_statistics_and_prints_the_json_rows(
    capsys, ilrs_copy, monkeypatch
):
    document = score_json(capsys, ilrs_copy, "--no-cache")
    real = changes.change_jobs
    calls: list[int] = []

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    # the change rows' jobs, held (changes_table) or made as read (results put aside)
    monkeypatch.setattr(changes, "change_jobs", counting)
    monkeypatch.setattr(results, "change_jobs", counting)
    code, out, err = run(capsys, "score", "-f", "csv", "--corpus", str(ilrs_copy), "--no-cache")
    assert (code, err, calls) == (0, "", [])
    import csv
    import io
    import json

    rows = list(csv.DictReader(io.StringIO(out)))
    expected = json.loads(document)["scores"]
    assert len(rows) == len(expected) > 20
    assert [(r["snapshot"], r["actor"], r["count"], r["event"]) for r in rows] == [
        (e["snapshot"], e["actor"], str(e["count"]), e["event"]) for e in expected
    ]
    code, out, err = run(capsys, "score", "-f", "json", "--corpus", str(ilrs_copy), "--no-cache")
    assert code == 0 and calls == [1] and json.loads(out)["changes"]


def test_rows_made_as_read_are_the_rows_kept_in_either_order(tmp_path):
    corpus = _mixed(tmp_path / "mixed")
    result = api.score_series(corpus, engine=api.Engine(cache=False))
    grouped = result.by_lineage()
    assert tuple(result.each_row()) == result.rows
    assert tuple(grouped.each_row()) == grouped.rows
    assert sorted(grouped.rows, key=lambda r: (r.snapshot, r.actor)) == sorted(
        result.rows, key=lambda r: (r.snapshot, r.actor)
    )
    assert len(result.lineages) > 1
    order = [row.lineage.casefold() for row in grouped.rows]
    assert order == sorted(order, key=[n.casefold() for n in result.lineages].index)


def test_a_report_scores_and_compares_one_reading_of_the_series(ilrs_copy, monkeypatch):
    parsed: list[str] = []
    real = Snapshot.from_markdown

    def counting(text, *, path=None):
        parsed.append(str(path))
        return real(text, path=path)

    monkeypatch.setattr(Snapshot, "from_markdown", counting)
    corpus = api.open_corpus(ilrs_copy)
    report = api.build_report(corpus, "ilrs")
    files = sorted(str(p) for p in (ilrs_copy / "ilrs").glob("*.md"))
    assert sorted(parsed) == files  # each file parsed once: scores and texts agree
    assert len(report.snapshots) == len(files)


def test_score_results_compare_and_pickle(ilrs_copy):
    import pickle

    corpus = api.open_corpus(ilrs_copy)
    one = api.score_series(corpus, "ilrs", engine=api.Engine(cache=False))
    two = api.score_series(api.open_corpus(ilrs_copy), "ilrs", engine=api.Engine(cache=False))
    assert one == two and pickle.loads(pickle.dumps(one)) == one
    assert [row.ref for row in one.rows][:: len(one.actors.actors)] == [
        f"v{n}" for n in range(1, len(one.scores) + 1)
    ]


def test_no_actors_gives_no_rows_in_either_order(ilrs_copy):
    from narrative_diff.actors import ActorSet

    corpus = api.open_corpus(ilrs_copy)
    empty = ActorSet((), "none")
    result = api.score_series(corpus, "ilrs", actors=empty, by="lineage")
    assert result.rows == () and tuple(result.each_row()) == ()


def test_headers_of_different_texts_differ():
    one = make_snapshot("s", "a", "2024-01-02", "Russia joined.\n").header()
    two = make_snapshot("s", "a", "2024-01-02", "China joined.\n").header()
    assert replace_hash(one) != replace_hash(two)


def replace_hash(snap: Snapshot) -> Snapshot:
    from dataclasses import replace

    return replace(snap, sha256=None)  # no recorded hash: only the body's tells them apart


def test_a_pool_keeps_in_the_cache_what_it_scored_before_an_error(tmp_path, monkeypatch):
    pool_of_two(monkeypatch, 4)
    monkeypatch.setattr(engines, "_score_in_child", _failing_in_child)
    corpus = long_series(tmp_path / "c")
    with pytest.raises(RuntimeError, match="scoring failed"):
        api.score_series(corpus, "ilrs")
    kept = list((tmp_path / "c" / ".cache").rglob("*.json"))
    order = [snap.id for snap in corpus.snapshots("ilrs")]
    assert len(kept) == order.index("ilrs/update-6")  # every one before it


_SCORE_IN_CHILD = engines._score_in_child


def _failing_in_child(snap):
    """The pool's work, failing on one snapshot (module level: the pool pickles it)."""
    if snap.id == "ilrs/update-6":
        raise RuntimeError("scoring failed")
    return _SCORE_IN_CHILD(snap)


def test_the_row_of_an_actor_not_named_is_what_the_formulae_give_for_none(tmp_path):
    """The shortcut for an actor with no mention: each measure as its formula (scoring's
    general path) gives it for no mentions, with the same types."""
    from narrative_diff import scoring

    corpus = long_series(tmp_path / "c", 2)
    result = api.score_series(corpus, "ilrs", engine=api.Engine(cache=False))
    absent = next(row for row in result.rows if row.count == 0)
    score = result.scores[0]
    actor = next(a for a in result.actors.actors if a.key == absent.actor)
    context = scoring._RowContext(score, "v1", absent.lineage, absent.date)
    row = scoring._score_row(context, actor, [], scoring._Totals(2.5, 3), "ABSENT")
    negative = scoring._score_row(context, actor, [], scoring._Totals(-2.5, 3), "")
    assert str(negative.share_of_voice) == str(round(0.0 / -2.5, 4)) == "-0.0"
    n, s = score.words, score.body_sentences
    assert (row.count, row.words, row.sentences, row.event) == (0, n, s, "ABSENT")
    formulae = {
        "rate": round(1000 * 0 / n, 4),
        "sentence_share": round(len(set()) / s, 4),
        "prominence": round(sum((), 0.0), 4),
        "prominence_capped": round(sum({}.values(), 0.0), 4),
        "density": round(0.0 / s, 4),
        "share_of_voice": round(0.0 / 2.5, 4),
        "share_of_voice_count": round(0 / 3, 4),
        "frame_share": 0.0,
    }
    got = {name: getattr(row, name) for name in formulae}
    assert got == formulae
    assert [type(v) for v in got.values()] == [type(v) for v in formulae.values()]
    assert (row.first_position, row.aliases) == (None, "")
