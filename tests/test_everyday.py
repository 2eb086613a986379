"""Everyday use (issue 14): hash refs that never shift, ``add`` saying when refs shift,
``remove`` as one atomic step, ``compare A A``, outputs under ``reports/``, the corpus
named by every writing command, ``--quiet``."""

from __future__ import annotations

import importlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from narrative_diff import api
from narrative_diff.check import check_corpus
from narrative_diff.cli import main
from narrative_diff.corpus import Corpus
from narrative_diff.refs import short_hashes
from narrative_diff.storage import finish_retractions

from .helpers import PINNED, make_snapshot, tree_digest

ROOT = Path(__file__).resolve().parents[1]
#: A process id above Linux's largest (2**22): never alive, as a killed process's would be.
DEAD_PID = 2**22 + 12345
HASHES = {  # the pinned series' hash refs, as `list` shows them
    "v1": "6be3119",
    "v2": "518639e",
    "v3": "420ab09",
    "v6": "cd4199b",
}
NEW = "The ILRS gains a new partner, Serbia.\n\nIt is proposed by China and built with Serbia.\n"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No test sees the developer's environment or a ./seeds folder."""
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of the pinned ILRS series."""
    root = tmp_path / "corpus"
    shutil.copytree(PINNED, root)
    return root


def cli(capsys, *args: object, stdin: str | None = None, tty: bool = False, monkeypatch=None):
    """Run the CLI in-process: (exit code, stdout, stderr). ``tty``: stdin is a terminal
    that answers ``stdin``."""
    if stdin is not None or tty:
        stream = io.StringIO(stdin or "")
        stream.isatty = lambda: tty  # type: ignore[method-assign]
        monkeypatch.setattr(sys, "stdin", stream)
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def added_file(corpus: Path, name: str = "serbia.txt", date: str = "2023-01-05") -> list[str]:
    source = corpus.parent / name
    source.write_text(NEW, encoding="utf-8")
    return ["add", str(source), "--series", "ilrs", "--date", date, "--corpus", str(corpus)]


# -- hash refs -------------------------------------------------------------------------


def test_list_shows_the_hash_refs_and_every_command_takes_them(capsys, corpus):
    code, out, _ = cli(capsys, "list", "--corpus", corpus, "--format", "csv")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.startswith("ref,hash,date,id")
    assert [r.split(",")[:2] for r in rows[:3]] == [[k, HASHES[k]] for k in ("v1", "v2", "v3")]
    code, out, _ = cli(capsys, "list", "--corpus", corpus)
    table = [line.split() for line in out.splitlines() if line.startswith(("ref ", "v1 "))]
    assert [row[:2] for row in table] == [["ref", "hash"], ["v1", HASHES["v1"]]]
    # show, compare, score --between and a series-qualified or upper-case hash
    assert cli(capsys, "show", HASHES["v2"], "-c", corpus)[1].startswith("# China's Space")
    code, out, _ = cli(
        capsys, "compare", HASHES["v1"], "ILRS:" + HASHES["v3"].upper(), "-c", corpus
    )
    assert code == 4  # "ILRS" is not a series: the whole thing is an unknown ref or file
    code, out, _ = cli(
        capsys, "compare", HASHES["v1"], "ilrs:" + HASHES["v3"].upper(), "-c", corpus
    )
    assert code == 0, out
    assert "Russia: 9 → 0 DISAPPEARED" in out
    code, out, _ = cli(
        capsys, "score", "--between", HASHES["v2"], HASHES["v3"], "-c", corpus, "-f", "csv"
    )
    assert code == 0
    assert "ilrs/2022-01-white-paper" in out and "ilrs/2023-05-cnsa-presentation" in out
    whole = api.open_corpus(corpus).resolve("cd4199b")
    assert whole.id == "ilrs/2025-04-china-initiated"
    assert api.open_corpus(corpus).resolve(whole.sha256 or "").id == whole.id  # all 64 digits


def test_an_unknown_or_ambiguous_hash_is_one_line(capsys, tmp_path):
    root = tmp_path / "twins"
    store = Corpus(root)
    root.mkdir()
    for slug, digest in (("a", "abcdef0" + "1" * 57), ("b", "abcdef0" + "2" * 57)):
        snap = make_snapshot("s", slug, "2020-01-0" + ("1" if slug == "a" else "2"), f"# {slug}\n")
        store.add(snap)
        path = root / "s" / f"{slug}.md"
        text = path.read_text().replace(f"sha256: {snap.sha256}", f"sha256: {digest}")
        path.write_text(text)
    assert short_hashes(Corpus(root).snapshots("s")) == {"s/a": "abcdef01", "s/b": "abcdef02"}
    code, _, err = cli(capsys, "show", "abcdef0", "-c", root)
    assert code == 4
    assert "ambiguous-ref: 'abcdef0' matches 2 snapshots; use one of: v1 s/a, v2 s/b" in err
    assert cli(capsys, "show", "abcdef02", "-c", root)[1] == "# b\n"
    code, _, err = cli(capsys, "show", "0123456", "-c", root)
    assert code == 4 and "unknown-ref: no snapshot matches '0123456'" in err


def test_a_slug_that_looks_like_a_hash_is_the_slug(tmp_path):
    root = tmp_path / "c"
    root.mkdir()
    store = Corpus(root)
    store.add(make_snapshot("s", "deadbeef", "2020-01-01", "# One\n"))
    other = store.add(make_snapshot("s", "other", "2020-01-02", "# Two\n"))
    store = Corpus(root)
    assert store.resolve("deadbeef").id == "s/deadbeef"
    assert store.resolve((other.sha256 or "")[:7]).id == "s/other"


# -- add says when refs shift ------------------------------------------------------------


def test_add_names_its_corpus_first_and_says_which_refs_shifted(capsys, corpus):
    code, out, _ = cli(capsys, *added_file(corpus))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"corpus {corpus} (--corpus)"
    assert lines[1].startswith("added ilrs/2023-01-the-ilrs-gains-a-new-partner-serbia as v3 ")
    assert ", hash " in lines[1]
    assert lines[2] == "refs shifted: ilrs: v3…v6 are now v4…v7; hash refs never shift"
    # the hash refs name the same snapshots as before
    assert api.open_corpus(corpus).resolve(HASHES["v3"]).id == "ilrs/2023-05-cnsa-presentation"
    # added last: nothing shifts, nothing said
    later = corpus.parent / "later.txt"
    later.write_text("Another text: China builds the ILRS.\n", encoding="utf-8")
    code, out, _ = cli(
        capsys, "add", later, "--series", "ilrs", "--date", "2026-01-01", "-c", corpus
    )
    assert code == 0
    assert " as v8 " in out and "refs shifted" not in out


def test_a_corpus_found_in_the_current_folder_is_named_as_such(capsys, tmp_path):
    shutil.copytree(PINNED, tmp_path / "seeds")
    (tmp_path / "a.txt").write_text(NEW)
    code, out, _ = cli(capsys, "add", "a.txt", "--series", "ilrs", "--date", "2026-01-01")
    assert code == 0
    assert out.splitlines()[0] == "corpus seeds (seeds/ in the current folder)"
    assert (tmp_path / "seeds" / "ilrs").glob("2026-01-*.md")


def test_quiet_leaves_out_what_was_done_but_not_results(capsys, corpus):
    code, out, err = cli(capsys, *added_file(corpus), "--quiet")
    assert (code, out, err) == (0, "", "")
    code, out, err = cli(capsys, "-q", "list", "-c", corpus, "-f", "csv")
    assert code == 0 and len(out.splitlines()) == 8  # results are still printed


# -- remove ---------------------------------------------------------------------------


def test_add_then_remove_leaves_the_corpus_byte_identical_and_check_clean(capsys, corpus):
    before = tree_digest(corpus)
    assert cli(capsys, *added_file(corpus))[0] == 0
    new = set(tree_digest(corpus)) - set(before)
    assert {n.split(".")[0] for n in new if "serbia" in n} == {
        "ilrs/2023-01-the-ilrs-gains-a-new-partner-serbia",  # the snapshot
        "ilrs/raw/2023-01-the-ilrs-gains-a-new-partner-serbia",  # and its raw capture
    }
    new_hash = next(r.hash for r in api.list_snapshots(api.open_corpus(corpus)) if "serbia" in r.id)
    code, out, err = cli(capsys, "remove", new_hash, "--yes", "-c", corpus)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"corpus {corpus} (--corpus)"
    assert lines[1].startswith(
        f"removed ilrs/2023-01-the-ilrs-gains-a-new-partner-serbia (was v3, hash {new_hash}) "
        "and raw/2023-01-the-ilrs-gains-a-new-partner-serbia."
    )
    assert lines[2] == "refs shifted: ilrs: v4…v7 are now v3…v6"
    assert tree_digest(corpus) == before
    good, problems = check_corpus(Corpus(corpus))
    assert len(good) == 6 and problems == []


def test_remove_asks_on_a_terminal_and_a_no_changes_nothing(capsys, corpus, monkeypatch):
    before = tree_digest(corpus)
    code, out, err = cli(
        capsys, "remove", "v2", "-c", corpus, stdin="n\n", tty=True, monkeypatch=monkeypatch
    )
    assert code == 1
    assert "Remove v2 ilrs/2022-01-white-paper (2022-01-28, China's Space Program" in err
    assert "nothing was removed" in err
    assert tree_digest(corpus) == before
    code, out, err = cli(
        capsys, "remove", "v2", "-c", corpus, stdin="y\n", tty=True, monkeypatch=monkeypatch
    )
    assert code == 0
    assert "removed ilrs/2022-01-white-paper (was v2, hash 518639e)" in out
    assert not (corpus / "ilrs" / "2022-01-white-paper.md").exists()


@pytest.mark.parametrize(
    ("args", "code", "slug"),
    [
        (("remove", "v9", "--yes"), 4, "unknown-ref"),
        (("remove", "0000000", "--yes"), 4, "unknown-ref"),
        (("remove", "v2"), 2, "confirm-needed"),  # no terminal, no --yes
        (("remove", "notes.txt", "--yes"), 4, "unknown-ref"),  # a file is not a snapshot
    ],
)
def test_remove_refuses_with_one_line_and_changes_nothing(
    capsys, corpus, monkeypatch, args, code, slug
):
    (corpus.parent / "notes.txt").write_text("A file outside the corpus.\n")
    before = tree_digest(corpus)
    got, _, err = cli(capsys, *args, "-c", corpus, stdin="", monkeypatch=monkeypatch)
    assert got == code
    errors = [line for line in err.splitlines() if line.startswith("narrative-diff: ")]
    assert len(errors) == 1 and errors[0].startswith(f"narrative-diff: {slug}: ")
    assert "Traceback" not in err
    assert tree_digest(corpus) == before


def test_remove_in_the_bundled_corpus_is_refused_even_by_its_path(capsys, tmp_path):
    before = tree_digest(PINNED)
    code, _, err = cli(capsys, "remove", "v1", "--yes")  # no corpus: the bundled one
    assert code == 7 and "read-only-corpus" in err
    code, _, err = cli(capsys, "remove", "v1", "--yes", "--corpus", PINNED)
    assert code == 7 and "read-only-corpus" in err
    assert tree_digest(PINNED) == before


def test_removing_the_last_snapshot_of_a_series_removes_its_folder(capsys, corpus):
    Corpus(corpus).add(
        make_snapshot("solo", "only", "2020-01-01", "# Only\n\nOne text.\n"), raw=b"raw"
    )
    code, out, _ = cli(capsys, "remove", "solo:v1", "--yes", "-c", corpus)
    assert code == 0
    assert out.splitlines()[-1] == "series solo has no snapshots left"
    assert not (corpus / "solo").exists()
    assert Corpus(corpus).series_names() == ["ilrs"]


def test_a_raw_capture_another_snapshot_names_is_kept(capsys, corpus):
    store = Corpus(corpus)
    first = store.add(make_snapshot("ilrs", "2030-01-a", "2030-01-01", "# A\n\nOne.\n"), raw=b"r")
    path = corpus / "ilrs" / "2030-01-b.md"
    twin = make_snapshot("ilrs", "2030-01-b", "2030-01-02", "# B\n\nTwo.\n")
    text = twin.to_markdown().replace("---\n\n", f"raw_file: {first.raw_file}\n---\n\n", 1)
    path.write_text(text)
    code, out, _ = cli(capsys, "remove", "ilrs/2030-01-a", "--yes", "-c", corpus)
    assert code == 0 and " and raw/" not in out
    assert (corpus / "ilrs" / str(first.raw_file)).exists()


# -- an interrupted remove ----------------------------------------------------------------


def _with_raw(corpus: Path) -> Path:
    store = Corpus(corpus)
    snap = store.add(make_snapshot("ilrs", "2030-01-x", "2030-01-01", "# X\n\nText.\n"), raw=b"x")
    return corpus / "ilrs" / str(snap.raw_file)


@pytest.mark.parametrize("fail_at", [1, 2])
def test_an_interruption_before_the_commit_point_puts_everything_back(corpus, monkeypatch, fail_at):
    raw = _with_raw(corpus)
    before = tree_digest(corpus)
    real = os.rename
    calls = []

    def rename(src, dst):
        calls.append(src)
        if len(calls) == fail_at:  # Ctrl-C before the raw (1) or the snapshot (2) moved
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        api.remove_snapshot(Corpus(corpus), "ilrs/2030-01-x")
    monkeypatch.setattr(os, "rename", real)
    assert tree_digest(corpus) == before and raw.exists()
    assert not [p for p in corpus.rglob(".*") if p.is_file()]


def test_an_interruption_after_the_commit_point_finishes_the_removal(corpus, monkeypatch):
    raw = _with_raw(corpus)
    real = Path.unlink

    def unlink(self, missing_ok=False):
        monkeypatch.setattr(Path, "unlink", real)
        raise KeyboardInterrupt  # Ctrl-C while the hidden files are deleted

    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(KeyboardInterrupt):
        api.remove_snapshot(Corpus(corpus), "ilrs/2030-01-x")
    assert not raw.exists() and not (corpus / "ilrs" / "2030-01-x.md").exists()
    assert not [p for p in corpus.rglob(".*") if p.is_file()]
    assert check_corpus(Corpus(corpus))[1] == []


def _killed(path: Path, token: str, mark: str) -> Path:
    hidden = path.with_name(f".{path.name}.{DEAD_PID}.{token}.{mark}")
    path.rename(hidden)
    return hidden


def test_a_remove_killed_before_its_commit_point_is_undone_by_the_next_write(capsys, corpus):
    raw = _with_raw(corpus)
    before = tree_digest(corpus)
    hidden = _killed(raw, "aaaa1111", "removing")  # SIGKILL after the raw moved
    code, out, _ = cli(capsys, "check", "-c", corpus)
    assert code == 1 and f"{hidden}: interrupted-remove:" in out
    assert "raw-missing" not in out  # the hidden raw is the one problem, and it says why
    assert finish_retractions(corpus / "ilrs") == [hidden]
    assert tree_digest(corpus) == before


def test_a_remove_killed_after_its_commit_point_is_finished_by_the_next_add(capsys, corpus):
    raw = _with_raw(corpus)
    snap = corpus / "ilrs" / "2030-01-x.md"
    _killed(raw, "bbbb2222", "removing")
    _killed(snap, "bbbb2222", "removed")  # SIGKILL after the commit point
    assert cli(capsys, *added_file(corpus))[0] == 0  # takes the lock: finishes the remove
    assert not [p for p in corpus.rglob(".*") if p.is_file()]
    assert not raw.exists() and not snap.exists()
    assert check_corpus(Corpus(corpus))[1] == []


# -- compare A A, outputs under reports/ ---------------------------------------------------


def test_compare_of_one_snapshot_under_two_refs_says_so(capsys, corpus):
    code, out, _ = cli(capsys, "compare", "2025", "latest", "-c", corpus, "--exit-code")
    assert code == 0
    assert out == (
        "2025 and latest name the same snapshot, v6 ilrs/2025-04-china-initiated "
        "(2025-04-23): nothing to compare\n"
    )
    code, out, err = cli(capsys, "compare", "v2", HASHES["v2"], "-c", corpus, "-f", "json")
    assert code == 0 and out.startswith("{")  # scripts still get the (empty) comparison
    assert "warning: v2 and 518639e name the same snapshot" in err


def test_chart_writes_under_reports_by_default(capsys, corpus, tmp_path):
    code, out, _ = cli(capsys, "chart", "-c", corpus)
    assert code == 0
    assert out == "wrote reports/ilrs-prominence.png (chart (prominence))\n"
    assert (tmp_path / "reports" / "ilrs-prominence.png").read_bytes().startswith(b"\x89PNG")
    code, out, _ = cli(capsys, "chart", "-c", corpus, "-m", "count,share")
    assert out.startswith("wrote reports/ilrs-count-share.png")
    assert not (tmp_path / "chart.png").exists()


# -- the working corpus ---------------------------------------------------------------------


def test_a_user_adding_to_seeds_keeps_the_readme_tests_green(tmp_path):
    """The issue's check: a clone whose seeds/ gained a snapshot still passes the README
    tests, which run on the pinned copy."""
    clone = tmp_path / "clone"
    (clone / "tests").mkdir(parents=True)
    for name in ("__init__.py", "conftest.py", "helpers.py", "test_readme.py"):
        shutil.copy(ROOT / "tests" / name, clone / "tests" / name)
    shutil.copy(ROOT / "README.md", clone / "README.md")
    shutil.copytree(ROOT / "seeds", clone / "seeds")
    (clone / "statement.txt").write_text(NEW, encoding="utf-8")
    exe = Path(sys.executable).with_name("narrative-diff")
    env = {k: v for k, v in os.environ.items() if k != "NARRATIVE_DIFF_CORPUS"}
    added = subprocess.run(
        [exe, "add", "statement.txt", "--series", "ilrs", "--date", "2025-06-01"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines()[0] == "corpus seeds (seeds/ in the current folder)"
    listed = subprocess.run([exe, "list"], cwd=clone, env=env, capture_output=True, text=True)
    assert "v7" in listed.stdout  # the working corpus has the new snapshot
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_readme.py"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert " passed" in run.stdout.splitlines()[-1]


def test_quiet_turns_off_progress_bars_and_spinners(monkeypatch):
    """With --quiet, a terminal on stderr still gets no bar and no spinner."""
    cli_app = importlib.import_module("narrative_diff.cli.app")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setitem(cli_app._state, "quiet", True)
    with cli_app.progress("Scoring") as bar, cli_app.status("Reading x") as spinner:
        assert bar is None and spinner is None
    monkeypatch.setitem(cli_app._state, "quiet", False)
    with cli_app.progress("Scoring") as bar:
        assert callable(bar)


def test_hash_refs_are_offered_by_completion(corpus):
    from narrative_diff.cli.app import complete_ref

    context = SimpleNamespace(params={"corpus": corpus})
    offered = [value for value, _ in complete_ref(context, "")]  # type: ignore[arg-type]
    assert {"v1", "latest", "ilrs/2021-06-roadmap-guide", HASHES["v1"]} <= set(offered)


# -- found by review ----------------------------------------------------------------------


def test_list_of_one_series_is_not_stopped_by_a_broken_file_in_another(capsys, corpus):
    (corpus / "other").mkdir()
    (corpus / "other" / "x.md").write_text("---\nid: other/x\nseries: other\n---\n\nText.\n")
    code, out, _ = cli(capsys, "list", "ilrs", "-c", corpus, "-f", "csv")
    assert code == 0 and out.splitlines()[1].startswith(f"v1,{HASHES['v1']},")


@pytest.mark.parametrize(
    "name",
    [".x.99999999999999999999.0badf00d.removed", ".x.\u00b2.0badf00d.removed", ".x.1.y.removed"],
)
def test_names_that_only_look_like_an_interrupted_remove_break_nothing(capsys, corpus, name):
    (corpus / "ilrs" / name).write_text("not ours")
    assert cli(capsys, "check", "-c", corpus)[0] == 0
    assert cli(capsys, *added_file(corpus))[0] == 0
    assert (corpus / "ilrs" / name).read_text() == "not ours"


def test_undoing_a_killed_remove_never_overwrites_a_file_that_is_back(corpus):
    target = corpus / "ilrs" / "2021-06-roadmap-guide.md"
    before = target.read_bytes()
    hidden = corpus / "ilrs" / f".2021-06-roadmap-guide.md.{DEAD_PID}.cccc3333.removing"
    hidden.write_text("an old copy")
    assert finish_retractions(corpus / "ilrs") == []
    assert target.read_bytes() == before and hidden.exists()


def test_a_replace_that_moves_a_version_later_says_how_every_ref_moved(capsys, corpus):
    source = corpus.parent / "mine.txt"
    source.write_text(NEW, encoding="utf-8")
    base = ["add", source, "-s", "ilrs", "--slug", "mine", "-c", corpus]
    assert cli(capsys, *base, "-d", "2022-01-01")[0] == 0
    code, out, _ = cli(capsys, *base, "-d", "2024-12-01", "--replace")
    assert code == 0
    assert out.splitlines()[-1] == (
        "refs shifted: ilrs: v2 is now v6, v3…v6 are now v2…v5; hash refs never shift"
    )


def test_quiet_as_an_options_value_is_not_taken_for_the_flag(capsys, corpus):
    source = corpus.parent / "q.txt"
    source.write_text(NEW, encoding="utf-8")
    argv = ["add", source, "-s", "ilrs", "-d", "2024-07-01", "-c", corpus]
    code, out, _ = cli(capsys, *argv, "--title", "-q", "--allow-private")
    assert code == 0 and out.startswith("corpus ")  # not quiet: -q was the title
    assert api.open_corpus(corpus).resolve("2024-07").title == "-q"


def test_remove_names_the_series_of_its_ref_when_the_corpus_has_several(capsys, corpus):
    Corpus(corpus).add(make_snapshot("solo", "only", "2020-01-01", "# Only\n\nOne text.\n"))
    Corpus(corpus).add(make_snapshot("solo", "two", "2020-02-01", "# Two\n\nText two.\n"))
    code, out, _ = cli(capsys, "remove", "solo:v1", "--yes", "-c", corpus)
    assert code == 0 and "removed solo/only (was solo:v1, hash " in out
