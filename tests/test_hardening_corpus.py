"""Issue 13, classes 1, 3, 6 and 10: names, YAML aliases, duplicate ids, tampered snapshots.

Each test asserts what the user sees (the message, the exit code) and what is left on disk.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from narrative_diff.check import check_corpus
from narrative_diff.cli import main
from narrative_diff.corpus import Corpus
from narrative_diff.errors import CorpusError, UsageProblem
from narrative_diff.snapshot import (
    Snapshot,
    check_lineage,
    check_name,
    shown,
    windows_reserved,
)
from narrative_diff.snapshot.front_matter import AliasRefused, load_yaml

from .battery_names import alias_bomb
from .helpers import make_snapshot, raises_slug, small_corpus, tree_digest

V1 = "2021-06-guide.md"
V2 = "2022-01-white-paper.md"


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def corpus(tmp_path, monkeypatch) -> Corpus:
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764115200")
    monkeypatch.chdir(tmp_path)
    return small_corpus(tmp_path / "corpus")


@pytest.fixture
def doc(tmp_path) -> Path:
    path = tmp_path / "doc.txt"
    path.write_text("The ILRS is proposed by China and built with partners on the Moon.\n")
    return path


# ------------------------------------------------------------------ 1. names
@pytest.mark.parametrize(
    "name",
    ["x\n", "x\r", "x\n\n", "ilrs\u2028", "ILRS", "ｉｌｒｓ", "il\u200brs", "x.md", "con", "Nul"],
)
def test_names_are_matched_whole(name):
    with raises_slug(UsageProblem, "invalid-slug"):
        check_name(name, "slug")


@pytest.mark.parametrize(
    ("name", "reserved"),
    [
        ("con", True),
        ("CON.md", True),
        ("aux .txt", True),
        ("com1", True),
        ("lpt9.pdf", True),
        ("com0", True),
        ("con-1", False),
        ("console", False),
        ("com10", False),
        ("nul_x", False),
    ],
)
def test_windows_reserved_names(name, reserved):
    assert windows_reserved(name) is reserved


def test_a_device_name_is_refused_naming_why():
    with raises_slug(UsageProblem, "invalid-series", "'prn'", "Windows reserves it"):
        check_name("prn", "series")
    assert check_name("con-1", "slug") == "con-1"


def test_add_with_a_final_newline_in_the_slug_writes_nothing(capsys, corpus, doc):
    before = tree_digest(corpus.root)
    code, _, err = run(
        capsys, "add", doc, "-s", "ilrs", "-d", "2030-01-01", "--slug", "x\n", "-c", corpus.root
    )
    assert code == 2
    assert err == (
        "narrative-diff: invalid-slug: invalid slug name 'x\\n'; use lowercase letters, "
        "digits, '-' and '_' (e.g. 'ilrs')\n"
    )
    assert tree_digest(corpus.root) == before
    assert run(capsys, "list", "-c", corpus.root)[0] == 0


@pytest.mark.parametrize("series", ["ilrs\n", "ILRS", "aux"])
def test_add_refuses_a_look_alike_or_device_series(capsys, corpus, doc, series):
    before = tree_digest(corpus.root)
    code, _, err = run(capsys, "add", doc, "-s", series, "-d", "2030-01-01", "-c", corpus.root)
    assert code == 2
    assert err.startswith("narrative-diff: invalid-series: invalid series name ")
    assert tree_digest(corpus.root) == before


@pytest.mark.parametrize(
    "label",
    [
        "CNSA\n",
        "CNSA\rx",
        "a\u2028b",
        "a\u2029b",
        "\u202eASNC",
        "CN\u2066SA",
        "CN\u200eSA",
        "\x1b[2J",
    ],
)
def test_lineages_are_one_line_of_text(label):
    with raises_slug(UsageProblem, "invalid-lineage"):
        check_lineage(label)
    with raises_slug(UsageProblem, "invalid-lineage"):
        make_snapshot("ilrs", "x", "2030-01-01", "Text.\n", lineage=label)
    assert check_lineage("Xinhua  English") == "Xinhua English"


@pytest.mark.parametrize("option", ["--lineage", "--publisher"])
def test_add_refuses_a_lineage_or_publisher_of_two_lines(capsys, corpus, doc, option):
    before = tree_digest(corpus.root)
    args = ("add", doc, "-s", "ilrs", "-d", "2030-01-01", option, "CNSA\u2028x")
    code, _, err = run(capsys, *args, "-c", corpus.root)
    assert code == 2
    what = option.removeprefix("--")
    assert err == (
        f"narrative-diff: invalid-{what}: invalid {what} 'CNSA\\u2028x'; give one line of "
        "text, at most 120 characters (e.g. 'CNSA')\n"
    )
    assert tree_digest(corpus.root) == before


def test_a_publisher_with_a_bidi_override_makes_no_look_alike_lineage(corpus):
    path = corpus.root / "ilrs" / V1
    path.write_text(path.read_text().replace("kind: statement", 'publisher: "\\u202eCN\\u200bSA"'))
    snap = Corpus(corpus.root).snapshots("ilrs")[0]
    assert snap.publisher == "\u202eCN\u200bSA"  # kept as written: the file round-trips
    assert snap.lineage_name == "CNSA"
    path.write_text(path.read_text().replace("publisher: ", 'lineage: "CN\\u200bSA"\npublisher: '))
    with raises_slug(CorpusError, "corrupt-snapshot", str(path), "invalid lineage 'CN\\u200bSA'"):
        Corpus(corpus.root).snapshots("ilrs")


def test_a_look_alike_folder_is_an_error_naming_it_and_check_lists_it(capsys, corpus):
    shutil.copytree(corpus.root / "ilrs", corpus.root / "ILRS")
    code, _, err = run(capsys, "list", "-c", corpus.root)
    assert code == 7
    assert err.startswith(
        f"narrative-diff: invalid-series: {corpus.root / 'ILRS'}: a folder of snapshots whose "
        "name is not a series name, a look-alike of series 'ilrs' (invalid series name 'ILRS')"
    )
    code, out, _ = run(capsys, "check", "-c", corpus.root)
    assert code == 1
    assert f"{corpus.root / 'ILRS'}: invalid-series: a folder of snapshots" in out


def test_a_folder_with_a_final_newline_is_shown_escaped(capsys, corpus):
    shutil.copytree(corpus.root / "ilrs", corpus.root / "ilrs\n")
    code, _, err = run(capsys, "score", "-c", corpus.root)
    assert code == 7
    assert f"{corpus.root}/ilrs\\n: a folder of snapshots" in err
    assert err.count("\n") == 1
    code, out, _ = run(capsys, "check", "-c", corpus.root)
    assert code == 1
    assert f"{corpus.root}/ilrs\\n: invalid-series:" in out
    assert "folder 'ilrs\\n'; move it" in out  # misplaced: the name escaped, not cut


# ------------------------------------------------------------------ 3. YAML
def test_load_yaml_refuses_anchors_and_aliases_and_reads_the_rest():
    assert load_yaml("title: Extra\ndate: 2030-01-01\n") == {
        "title": "Extra",
        "date": __import__("datetime").date(2030, 1, 1),
    }
    for text in ("a: &x 1\nb: *x\n", "a: &x 1\n", "a: {<<: *x}\n"):
        with pytest.raises(AliasRefused):
            load_yaml(text)


def test_an_alias_bomb_is_refused_at_once_naming_the_file(corpus):
    path = corpus.root / "ilrs" / "2030-01-bomb.md"
    path.write_text(alias_bomb())
    assert len(path.read_bytes()) < 600
    started = time.monotonic()
    with raises_slug(
        CorpusError, "corrupt-snapshot", str(path), "YAML anchors or aliases at line 5"
    ) as info:
        Corpus(corpus.root).snapshots("ilrs")
    assert time.monotonic() - started < 1.0
    assert len(info.value.one_line()) < 400
    _, problems = check_corpus(Corpus(corpus.root))
    assert [(p.path, p.slug) for p in problems] == [(path, "corrupt-snapshot")]


@pytest.mark.parametrize(
    ("front", "needle"),
    [
        ("title: [" + ", ".join(["word"] * 5000) + "]", "'title' must be a string, not a list"),
        ("title: " + "x" * 100_000, "front matter of about 97 KiB"),
        ("".join(f"k{i}: {i}\n" for i in range(3000)), "k0, k1, k10, k100, k1000 and 2995 more"),
        ("title: " + "[" * 20_000, "front matter"),
        ("1: x", "unknown front-matter key(s) 1"),
        ("id: " + "a" * 10_000, "id 'aaaa"),
    ],
)
def test_no_message_holds_an_unbounded_value(corpus, front, needle):
    path = corpus.root / "ilrs" / "2030-01-x.md"
    path.write_text(f"---\nid: ilrs/2030-01-x\nseries: ilrs\ndate: 2030-01-01\n{front}\n---\n\nT\n")
    with raises_slug(CorpusError, "corrupt-snapshot", str(path), needle) as info:
        Snapshot.from_markdown(path.read_text(), path=path)
    assert len(info.value.one_line()) < 500


def test_shown_escapes_and_cuts():
    assert shown("ilrs\n") == "ilrs\\n"
    assert shown("\u202e" * 100, 20) == "\\u202e\\u202e\\u202e…"
    assert shown(["x"] * 10**6) == "a list"
    assert len(shown("x" * 10**6)) == 60


# ------------------------------------------------------------------ 6. duplicate ids
def test_a_copy_under_another_name_is_one_error_naming_both_files(capsys, corpus, tmp_path):
    original = corpus.root / "ilrs" / V2
    copy = corpus.root / "ilrs" / "copy.md"
    shutil.copy(original, copy)
    message = (
        f"narrative-diff: duplicate-id: {original} and {copy} both claim id "
        "ilrs/2022-01-white-paper; delete the copy, or give one file its own id (and file name)\n"
    )
    for args in (["list"], ["score"], ["report", "-o", tmp_path / "r.html"], ["show", "v3"]):
        assert run(capsys, *args, "-c", corpus.root) == (7, "", message), args
    code, out, _ = run(capsys, "check", "-c", corpus.root)
    assert code == 1
    assert f"{copy}: duplicate-id: id ilrs/2022-01-white-paper is also used by {original}" in out
    assert (
        "duplicate-content: identical text in ilrs/2022-01-white-paper (2022-01-white-paper.md), "
        "ilrs/2022-01-white-paper (copy.md)\n"
    ) in out


def test_a_copy_in_another_series_folder_is_a_duplicate(corpus):
    (corpus.root / "other").mkdir()
    shutil.copy(corpus.root / "ilrs" / V2, corpus.root / "other" / V2)
    with raises_slug(CorpusError, "duplicate-id", str(corpus.root / "other" / V2)):
        Corpus(corpus.root).snapshots()


# ------------------------------------------------------------------ 10. tampered, empty
def _tamper(corpus: Corpus) -> None:
    path = corpus.root / "ilrs" / V1
    path.write_text(path.read_text().replace("jointly initiated", "initiated"))


WARNING = (
    "warning: ilrs/2021-06-guide was edited after capture (the text does not match the "
    "recorded sha256) and the text is used as it is; 'narrative-diff check' lists edits, "
    "'narrative-diff check --update-hashes' accepts them\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["show", "v1"],
        ["show", "v1", "--meta"],
        ["compare", "v1", "v2", "-f", "json"],
        ["compare", "v1", "v3", "--plain"],
        ["score"],
        ["kwic", "russia"],
        ["chart", "-o", "c.svg"],
        ["report", "-o", "r.md"],
    ],
)
def test_every_command_warns_once_about_an_edited_snapshot(capsys, corpus, args):
    _tamper(corpus)
    code, _, err = run(capsys, *args, "-c", corpus.root)
    assert code == 0
    assert err.count(WARNING) == 1
    assert [ln for ln in err.splitlines() if ln.startswith("warning:")] == [WARNING.strip()]


def test_commands_not_using_the_edited_snapshot_say_nothing(capsys, corpus):
    _tamper(corpus)
    assert run(capsys, "show", "v2", "-c", corpus.root)[2] == ""
    assert run(capsys, "compare", "v2", "v3", "-f", "json", "-c", corpus.root)[2] == ""


def test_the_report_marks_the_edited_snapshot(capsys, corpus, tmp_path):
    _tamper(corpus)
    assert run(capsys, "report", "-o", tmp_path / "r.md", "-c", corpus.root)[0] == 0
    rows = [ln for ln in (tmp_path / "r.md").read_text().splitlines() if ln.startswith("| v")]
    assert [("(edited after capture)" in row) for row in rows[:3]] == [True, False, False]
    assert run(capsys, "report", "-o", tmp_path / "r.html", "-c", corpus.root)[0] == 0
    assert (tmp_path / "r.html").read_text().count("<b>(edited after capture)</b>") == 1
    pypdf = pytest.importorskip("pypdf")
    assert run(capsys, "report", "-o", tmp_path / "r.pdf", "-c", corpus.root)[0] == 0
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "r.pdf").pages[:3])
    assert " ".join(text.split()).count("(edited after capture)") == 1


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_an_empty_snapshot_file_is_an_error_not_a_shift_of_refs(capsys, corpus, content):
    empty = corpus.root / "ilrs" / "2021-12-lost.md"
    empty.write_bytes(content)
    code, out, err = run(capsys, "show", "v2", "-c", corpus.root)
    assert (code, out) == (7, "")
    assert err.startswith(
        f"narrative-diff: corrupt-snapshot: {empty}: the file is empty (a snapshot starts "
        "with '---' front matter); restore it from a backup"
    )
    code, out, _ = run(capsys, "check", "-c", corpus.root)
    assert code == 1
    assert f"{empty}: corrupt-snapshot: the file is empty" in out


def test_front_matter_after_a_blank_line_is_an_error_and_notes_are_still_skipped(corpus):
    late = corpus.root / "ilrs" / "2021-12-late.md"
    late.write_text("\n" + (corpus.root / "ilrs" / V1).read_text())
    with raises_slug(CorpusError, "corrupt-snapshot", str(late), "must start with '---'"):
        Corpus(corpus.root).snapshots("ilrs")
    late.write_text("# Notes\n\nNot a snapshot.\n")
    fresh = Corpus(corpus.root)
    assert len(fresh.snapshots("ilrs")) == 3
    assert fresh.skipped == [late]


def test_an_unreadable_snapshot_file_is_an_error_naming_it(corpus, monkeypatch):
    target = corpus.root / "ilrs" / V2
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with raises_slug(CorpusError, "unreadable-snapshot", str(target), "Permission denied"):
        Corpus(corpus.root).snapshots("ilrs")


def test_full_width_and_case_do_not_make_a_new_lineage():
    one = make_snapshot("ilrs", "a", "2030-01-01", "A.\n", lineage="CNSA")
    two = make_snapshot("ilrs", "b", "2030-02-01", "B.\n", lineage="ＣＮＳＡ")
    assert one.lineage_key == two.lineage_key == "cnsa"


def test_a_snapshot_that_would_not_read_back_is_not_written(corpus):
    before = tree_digest(corpus.root)
    snap = make_snapshot("ilrs", "2030-01-long", "2030-01-01", "Text.\n", title="x" * 70_000)
    with raises_slug(
        UsageProblem, "invalid-text", "would not read back: front matter of about 68 KiB"
    ):
        corpus.add(snap)
    assert tree_digest(corpus.root) == before


def test_the_warning_tells_edited_from_unhashed_snapshots(capsys, corpus):
    _tamper(corpus)
    for name in ("2022-01-white-paper.md", "2023-05-presentation.md"):
        path = corpus.root / "ilrs" / name
        path.write_text(path.read_text().replace("\nsha256: ", "\n# sha256: "))
    code, _, err = run(capsys, "score", "-c", corpus.root)
    assert code == 0
    assert err == (
        "warning: ilrs/2021-06-guide was edited after capture (the text does not match the "
        "recorded sha256); ilrs/2022-01-white-paper, ilrs/2023-05-presentation (2 snapshots) "
        "were not hashed (no sha256 recorded) and the text is used as it is; 'narrative-diff "
        "check' lists edits, 'narrative-diff check --update-hashes' accepts them\n"
    )
    assert run(capsys, "check", "--update-hashes", "-c", corpus.root)[0] == 0
    assert run(capsys, "score", "-c", corpus.root)[2] == ""
