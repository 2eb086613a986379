"""The snapshot file format and the corpus: round-trips, refs, atomic and locked writes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrative_diff import location as corpus_mod
from narrative_diff.check import check_corpus, update_hashes
from narrative_diff.corpus import Corpus
from narrative_diff.errors import (
    CorpusError,
    DiskFull,
    SnapshotConflict,
    SnapshotNotFound,
    UsageProblem,
)
from narrative_diff.location import locate
from narrative_diff.snapshot import KEYS, Snapshot
from narrative_diff.text import normalise_body

from .helpers import make_snapshot, small_corpus, tree_digest

# ------------------------------------------------------------------ file format
meta_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
body_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=body_text,
    title=meta_text.filter(str.strip),
    publisher=meta_text,
    date=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    language=st.sampled_from(["en", "zh", "ru"]),
)
def test_snapshot_round_trips_through_its_file_format(body, title, publisher, date, language):
    snap = make_snapshot(
        "ilrs",
        "2021-06-x",
        date.isoformat(),
        body,
        title=title,
        publisher=publisher or None,
        language=language,
    )
    back = Snapshot.from_markdown(snap.to_markdown())
    assert back == snap
    assert back.hash_ok
    assert back.body == normalise_body(body)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=body_text.filter(lambda b: normalise_body(b)))
def test_snapshot_round_trips_through_the_store(tmp_path_factory, body):
    root = tmp_path_factory.mktemp("store")
    stored = Corpus(root).add(
        make_snapshot("s", "one", "2024-01-02", body), raw=b"\x00raw", raw_suffix=".bin"
    )
    again = Corpus(root).resolve("s/one")
    assert again == stored
    assert again.body == normalise_body(body)
    assert stored.raw_file == "raw/one.56e356e0cbff.bin"
    assert (root / "s" / stored.raw_file).read_bytes() == b"\x00raw"


def test_adding_to_a_series_parses_only_the_new_file(tmp_path, monkeypatch):
    """After an add the series is read again from disk, but the files that did not change
    are not parsed again; a file changed behind the corpus's back is."""
    corpus = small_corpus(tmp_path / "c")
    assert len(corpus.snapshots("ilrs")) == 3
    parsed: list[str] = []
    real = Snapshot.from_markdown

    def counting(text, path=None):
        parsed.append(path.name)
        return real(text, path=path)

    monkeypatch.setattr(Snapshot, "from_markdown", staticmethod(counting))
    corpus.add(make_snapshot("ilrs", "2026-new", "2026-01-02", "Brazil joined the work."))
    assert [s.id for s in corpus.snapshots("ilrs")][-1] == "ilrs/2026-new"
    assert set(parsed) == {"2026-new.md"}  # checked once written, then read: the old ones never
    parsed.clear()
    first = corpus.snapshots("ilrs")[0]
    path = first.path
    path.write_text(path.read_text().replace("title: ", "title: Renamed "), encoding="utf-8")
    corpus._cache.clear()  # as after an add: the series is listed again
    assert corpus.snapshots("ilrs")[0].title.startswith("Renamed ")
    assert parsed == [path.name]


def test_front_matter_keys_are_written_in_documented_order(tmp_path):
    snap = make_snapshot(
        "ilrs",
        "a",
        "2022-01-28",
        "# T\n\nText.",
        title="T: colon",
        publisher="SCIO",
        kind="white-paper",
        language="en",
        source_url="https://example.org/x",
        provenance="excerpt",
    )
    text = snap.to_markdown()
    keys = [
        line.split(":", 1)[0]
        for line in text.split("---")[1].strip().splitlines()
        if line and not line.startswith(" ")
    ]
    assert keys == [k for k in KEYS if k in keys]
    assert keys[:4] == ["id", "series", "date", "title"]
    assert "title: 'T: colon'" in text
    assert text.endswith("# T\n\nText.\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no front matter\n", "no YAML front matter"),
        (
            "---\nid: s/a\nseries: s\ndate: 2022-01-01\ntitle: a: b\n---\nbody\n",
            "front matter is not valid YAML at line 5",
        ),
        ("---\nid: s/a\nseries: s\n---\nbody\n", "front matter has no 'date'"),
        ("---\nid: s/a\nseries: s\ndate: 2022-13-45\n---\nx\n", "month must be in 1..12"),
        ("---\nid: s/a\nseries: s\ndate: 28 Jan 2022\n---\nx\n", "is not an ISO 8601 date"),
        (
            "---\nid: s/a\nseries: s\ndate: 2022-01-01\ntitle: [1, 2]\n---\nx\n",
            "'title' must be a string",
        ),
        ("---\nid: other/a\nseries: s\ndate: 2022-01-01\n---\nx\n", "does not start with"),
        (
            "---\nid: s/a\nseries: s\ndate: 2022-01-01\ncolour: red\n---\nx\n",
            "unknown front-matter key(s) colour",
        ),
    ],
)
def test_corrupt_snapshot_files_name_the_problem(text, expected):
    with pytest.raises(CorpusError) as info:
        Snapshot.from_markdown(text, path=Path("s/a.md"))
    assert info.value.slug == "corrupt-snapshot"
    assert expected in info.value.message
    assert info.value.message.startswith("s/a.md: ")


# ------------------------------------------------------------------ refs
@pytest.fixture
def corpus(tmp_path):
    return small_corpus(tmp_path / "c")


@pytest.mark.parametrize(
    ("ref", "slug"),
    [
        ("v1", "2021-06-guide"),
        ("v3", "2023-05-presentation"),
        ("latest", "2023-05-presentation"),
        ("first", "2021-06-guide"),
        ("ilrs/2022-01-white-paper", "2022-01-white-paper"),
        ("2022", "2022-01-white-paper"),
        ("2023-05", "2023-05-presentation"),
        ("2021-06-16", "2021-06-guide"),
        ("ilrs:v2", "2022-01-white-paper"),
        ("ilrs:latest", "2023-05-presentation"),
        ("2022-01-white-paper", "2022-01-white-paper"),
    ],
)
def test_refs_resolve(corpus, ref, slug):
    assert corpus.resolve(ref).slug == slug


def test_unknown_ref_lists_candidates(corpus):
    with pytest.raises(SnapshotNotFound) as info:
        corpus.resolve("v9")
    assert str(info.value) == "no snapshot 'v9' in series ilrs; it has v1 to v3"
    with pytest.raises(SnapshotNotFound) as info:
        corpus.resolve("nonsense")
    assert "v1 ilrs/2021-06-guide, v2 ilrs/2022-01-white-paper" in str(info.value)


def test_version_refs_are_ambiguous_with_several_series(corpus):
    corpus.add(make_snapshot("other", "2020-01-a", "2020-01-05", "# A\n\nSomething else."))
    corpus = Corpus(corpus.root)
    with pytest.raises(SnapshotNotFound) as info:
        corpus.resolve("v1")
    assert info.value.slug == "ambiguous-ref"
    assert "ilrs:v1, other:v1" in str(info.value)
    assert corpus.resolve("other:v1").series == "other"
    corpus.add(make_snapshot("other", "2022-01-b", "2022-01-05", "# B\n\nMore."))
    with pytest.raises(SnapshotNotFound) as info:
        Corpus(corpus.root).resolve("2022-01")
    assert "matches 2 snapshots" in str(info.value)
    assert "ilrs:v2 ilrs/2022-01-white-paper" in str(info.value)


# ------------------------------------------------------------------ adds
def test_duplicate_content_is_refused_and_corpus_unchanged(corpus):
    before = tree_digest(corpus.root)
    dup = make_snapshot(
        "ilrs",
        "2024-01-copy",
        "2024-01-01",
        "# Guide\n\nThe ILRS is jointly initiated by CNSA and Roscosmos.  \n\n\n",
    )
    with pytest.raises(SnapshotConflict) as info:
        corpus.add(dup)
    assert info.value.slug == "duplicate-content"
    assert "as v1 ilrs/2021-06-guide (2021-06-16)" in str(info.value)
    assert tree_digest(corpus.root) == before


def test_existing_id_needs_overwrite(corpus):
    new = make_snapshot("ilrs", "2021-06-guide", "2021-06-16", "# Guide\n\nRevised text.")
    with pytest.raises(SnapshotConflict) as info:
        corpus.add(new)
    assert info.value.slug == "id-exists"
    stored = corpus.add(new, raw=b"<p>Revised</p>", raw_suffix=".html", overwrite=True)
    assert stored.body == "# Guide\n\nRevised text.\n"
    assert (corpus.root / "ilrs" / stored.raw_file).read_bytes() == b"<p>Revised</p>"
    again = corpus.add(
        make_snapshot("ilrs", "2021-06-guide", "2021-06-16", "# Guide\n\nThird."),
        raw=b"third",
        raw_suffix=".txt",
        overwrite=True,
    )
    assert sorted(p.name for p in (corpus.root / "ilrs" / "raw").iterdir()) == [
        again.raw_file.removeprefix("raw/")
    ]  # the replaced capture is gone
    assert len(Corpus(corpus.root).snapshots("ilrs")) == 3


@pytest.mark.parametrize("name", ["..", "a/b", "has space", "Caps", "x\u202ey", "", ".hidden"])
def test_bad_series_names_are_refused(tmp_path, name):
    with pytest.raises(UsageProblem) as info:
        Corpus(tmp_path).add(
            make_snapshot("ok", "a", "2020-01-01", "text").__class__(
                id=f"{name}/a", series=name, date=dt.date(2020, 1, 1), title="t", body="t\n"
            )
        )
    assert info.value.slug == "invalid-series"
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_corpus_unchanged(corpus, monkeypatch):
    before = tree_digest(corpus.root)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(DiskFull) as info:
        corpus.add(
            make_snapshot("newseries", "2024-01-a", "2024-01-01", "# New\n\nText."),
            raw=b"raw",
            raw_suffix=".txt",
        )
    assert info.value.slug == "disk-full"
    assert "No space left on device" in str(info.value)
    assert "the corpus was not changed" in str(info.value)
    assert tree_digest(corpus.root) == before


def _add_in_process(args):
    root, index = args
    body = f"# Doc {index}\n\nDocument number {index} says something different.\n"
    Corpus(Path(root)).add(
        make_snapshot("ilrs", f"2024-02-doc-{index}", "2024-02-01", body),
        raw=body.encode(),
        raw_suffix=".txt",
    )
    return index


def test_concurrent_adds_all_land_exactly_once(corpus):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        done = pool.map(_add_in_process, [(str(corpus.root), i) for i in range(10)])
    assert sorted(done) == list(range(10))
    snaps = Corpus(corpus.root).snapshots("ilrs")
    assert sorted(s.slug for s in snaps if "doc" in s.slug) == sorted(
        f"2024-02-doc-{i}" for i in range(10)
    )
    _, problems = check_corpus(Corpus(corpus.root))
    assert problems == []
    assert not list(corpus.root.rglob("*.tmp"))


# ------------------------------------------------------------------ locate, init, check
def test_locate_precedence(tmp_path):
    (tmp_path / "seeds").mkdir()
    assert locate("x", env={"NARRATIVE_DIFF_CORPUS": "y"}, cwd=tmp_path).root == Path("x")
    assert locate(None, env={"NARRATIVE_DIFF_CORPUS": "y"}, cwd=tmp_path).root == Path("y")
    assert locate(None, env={}, cwd=tmp_path).origin == "seeds"
    bundled = locate(None, env={}, cwd=tmp_path / "seeds")
    assert bundled.origin == "bundled" and bundled.read_only
    with pytest.raises(CorpusError) as info:
        bundled.add(make_snapshot("ilrs", "x", "2020-01-01", "text"))
    assert info.value.slug == "read-only-corpus"
    assert "narrative-diff init DIR" in str(info.value)


def test_init_copies_the_bundled_series(tmp_path):
    made = corpus_mod.init(tmp_path / "mine")
    bundled = Corpus(corpus_mod.bundled_root())
    assert made.series_names() == bundled.series_names() == ["ilrs"]
    assert [s.id for s in made.snapshots("ilrs")] == [s.id for s in bundled.snapshots("ilrs")]
    with pytest.raises(CorpusError) as info:
        corpus_mod.init(tmp_path / "mine")
    assert info.value.slug == "not-empty"


def test_check_reports_hand_edits_and_update_hashes_accepts_them(corpus):
    path = corpus.root / "ilrs" / "2022-01-white-paper.md"
    path.write_text(path.read_text().replace("together with Russia", "with partners"))
    (corpus.root / "ilrs" / "raw").mkdir()
    (corpus.root / "ilrs" / "raw" / "stray.pdf").write_bytes(b"%PDF")
    (corpus.root / "ilrs" / "broken.md").write_text("---\nid: [x\n---\n")
    good, problems = check_corpus(Corpus(corpus.root))
    assert len(good) == 3
    assert sorted((p.path.name, p.slug) for p in problems) == [
        ("2022-01-white-paper.md", "hash-mismatch"),
        ("broken.md", "corrupt-snapshot"),
        ("stray.pdf", "orphan-raw"),
    ]
    (corpus.root / "ilrs" / "broken.md").unlink()
    (corpus.root / "ilrs" / "raw" / "stray.pdf").unlink()
    updated = update_hashes(Corpus(corpus.root))
    assert [s.slug for s in updated] == ["2022-01-white-paper"]
    assert check_corpus(Corpus(corpus.root))[1] == []
    assert "with partners" in Corpus(corpus.root).resolve("v2").body


# ------------------------------------------------------------------ review findings
def test_add_never_overwrites_a_file_that_is_not_that_snapshot(corpus):
    path = corpus.root / "ilrs" / "2021-06-guide.md"
    path.rename(corpus.root / "ilrs" / "roadmap.md")  # the file name no longer matches its id
    before = tree_digest(corpus.root)
    with pytest.raises(SnapshotConflict) as info:
        Corpus(corpus.root).add(make_snapshot("ilrs", "roadmap", "2025-01-01", "# New\n\nText."))
    assert info.value.slug == "id-exists"
    assert "roadmap.md already exists and is not snapshot ilrs/roadmap" in str(info.value)
    assert tree_digest(corpus.root) == before


def test_raw_file_outside_raw_folder_is_corrupt():
    text = "---\nid: s/a\nseries: s\ndate: 2022-01-01\nraw_file: ../../victim.txt\n---\n\nx\n"
    with pytest.raises(CorpusError) as info:
        Snapshot.from_markdown(text, path=Path("s/a.md"))
    assert "raw_file '../../victim.txt' must name a file in raw/" in str(info.value)


def test_failure_at_the_commit_rename_rolls_back_the_raw_file(corpus, monkeypatch):
    before = tree_digest(corpus.root)
    real_replace = os.replace

    def fail_on_snapshot(src, dst):
        if str(dst).endswith(".md"):
            raise OSError(5, "Input/output error")  # (EACCES, ENOSPC: tests/test_oserrors.py)
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_snapshot)
    with pytest.raises(CorpusError) as info:
        corpus.add(
            make_snapshot("ilrs", "2024-01-a", "2024-01-01", "# New\n\nText."),
            raw=b"raw bytes",
            raw_suffix=".txt",
        )
    assert info.value.slug == "write-failed"
    assert tree_digest(corpus.root) == before


def _add_same_id(args):
    root, index = args
    body = f"# Doc\n\nVersion {index} of the same document.\n"
    try:
        Corpus(Path(root)).add(make_snapshot("ilrs", "2024-03-same", "2024-03-01", body))
    except SnapshotConflict as exc:
        return exc.slug
    return "added"


def test_racing_adds_of_one_id_land_exactly_once(corpus):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        outcomes = pool.map(_add_same_id, [(str(corpus.root), i) for i in range(8)])
    assert sorted(outcomes) == ["added"] + ["id-exists"] * 7
    assert len([s for s in Corpus(corpus.root).snapshots("ilrs") if s.slug == "2024-03-same"]) == 1
    assert check_corpus(Corpus(corpus.root))[1] == []


def test_files_without_front_matter_are_skipped_not_fatal(corpus):
    (corpus.root / "ilrs" / "notes.md").write_text("# My notes\n\nNot a snapshot.\n")
    fresh = Corpus(corpus.root)
    assert len(fresh.snapshots("ilrs")) == 3
    assert [p.name for p in fresh.skipped] == ["notes.md"]
    _, problems = check_corpus(Corpus(corpus.root))
    assert [(p.path.name, p.slug) for p in problems] == [("notes.md", "corrupt-snapshot")]


def test_update_hashes_changes_only_the_hash_line(corpus):
    path = corpus.root / "ilrs" / "2022-01-white-paper.md"
    original = path.read_text()
    edited = original.replace("title: 2022-01-white-paper", "title: 2022-01-white-paper  # ok")
    edited = edited.replace("together with Russia", "with Russia")
    path.write_text(edited)
    update_hashes(Corpus(corpus.root))
    after = path.read_text()
    changed = [
        (x, y) for x, y in zip(edited.splitlines(), after.splitlines(), strict=True) if x != y
    ]
    assert len(changed) == 1 and changed[0][0].startswith("sha256: ")
    assert Corpus(corpus.root).resolve("v2").hash_ok
