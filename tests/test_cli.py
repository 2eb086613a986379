"""The command line as a user meets it: exact messages, exit codes, an untouched corpus."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from narrative_diff import __version__, api
from narrative_diff.cli import main
from narrative_diff.corpus import Corpus
from narrative_diff.location import bundled_root

from .helpers import small_corpus, tree_digest

COMMANDS = ("list", "show", "add", "check", "init", "compare", "score", "kwic", "actors")


def run(capsys, *args: str, stdin: bytes | None = None, monkeypatch=None):
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def corpus(tmp_path) -> Corpus:
    return small_corpus(tmp_path / "corpus")


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No test sees the developer's environment or the checkout's ./seeds."""
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764115200")  # 2025-11-26T00:00:00Z
    monkeypatch.chdir(tmp_path)


# ------------------------------------------------------------------ help and version
def test_version(capsys):
    assert run(capsys, "--version") == (0, f"narrative-diff {__version__}\n", "")


def test_help_lists_every_command_with_a_summary(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in COMMANDS:
        assert any(line.strip("│ ").startswith(f"{name} ") for line in out.splitlines()), name


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_has_an_example(capsys, name):
    code, out, _ = run(capsys, name, "--help")
    assert code == 0
    assert f"Example: narrative-diff {name}" in " ".join(out.split())


@pytest.mark.parametrize("name", COMMANDS)
def test_a_line_naming_its_command_is_parsed_as_by_the_whole_app(name):
    """A line that names its command first is parsed by an app of that command alone
    (typer builds no other): the same command, options, arguments and help."""
    import typer

    from narrative_diff import cli

    def described(group: object) -> list[tuple[object, ...]]:
        command = getattr(group, "commands", {})[name]
        return [
            (p.name, tuple(p.opts), p.required, p.default, getattr(p, "help", None))
            for p in command.params
        ] + [(command.help, command.epilog)]

    whole = typer.main.get_command(cli.app)
    for line in ([name], ["--quiet", name], ["-q", name, "--help"]):
        alone = cli._app_for(line)
        assert alone is not cli.app and len(alone.registered_commands) == 1
        assert described(typer.main.get_command(alone)) == described(whole)
    assert cli._app_for([name[:-1] or "x"]) is cli.app  # (a mistyped name: "did you mean")
    assert cli._app_for(["--help"]) is cli.app


# ------------------------------------------------------------------ list and show
def test_list_table_json_csv(capsys, corpus):
    code, out, err = run(capsys, "list", "--corpus", corpus.root)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["ref", "hash", "date", "id", "title", "kind", "lang", "words"]
    v2 = api.open_corpus(corpus.root).resolve("v2")
    assert lines[2].split()[:4] == ["v2", (v2.sha256 or "")[:7], "2022-01-28", v2.id]
    code, out, _ = run(capsys, "list", "ilrs", "-f", "json", "--corpus", corpus.root)
    rows = json.loads(out)
    assert [r["ref"] for r in rows] == ["v1", "v2", "v3"]
    assert rows[2]["title"] == "2023-05-presentation" and rows[2]["words"] == 14
    code, out, _ = run(capsys, "list", "-f", "csv", "--corpus", corpus.root)
    assert out.splitlines()[0] == "ref,hash,date,id,title,kind,language,words,hash_ok,lineage"
    digest = (api.open_corpus(corpus.root).resolve("v1").sha256 or "")[:7]
    row = f"v1,{digest},2021-06-16,ilrs/2021-06-guide,2021-06-guide,statement,en,10,True,"
    assert out.splitlines()[1] == row  # no publisher, no lineage: the last cell is empty


def test_list_bad_format_is_a_usage_error(capsys, corpus):
    assert run(capsys, "list", "-f", "xml", "--corpus", corpus.root) == (
        2,
        "",
        "narrative-diff: bad-option: --format 'xml' is not one of table, json, csv, parquet; "
        "e.g. --format table\n",
    )


def test_show_text_and_meta(capsys, corpus):
    code, out, _ = run(capsys, "show", "v2", "--corpus", corpus.root)
    assert (code, out) == (0, "# White paper\n\nThe ILRS was launched together with Russia.\n")
    code, out, _ = run(capsys, "show", "2023", "--meta", "--corpus", corpus.root)
    assert code == 0
    assert "ref: v3\nid: ilrs/2023-05-presentation\nseries: ilrs\ndate: 2023-05-01\n" in out
    assert "hash_ok: true" in out


def test_show_unknown_ref_lists_candidates(capsys, corpus):
    code, out, err = run(capsys, "show", "v7", "--corpus", corpus.root)
    assert (code, out) == (4, "")
    assert err == "narrative-diff: unknown-ref: no snapshot 'v7' in series ilrs; it has v1 to v3\n"


def test_show_a_file_on_disk(capsys, tmp_path):
    doc = tmp_path / "draft.txt"
    doc.write_text("Draft title\n\nThe station will be built together with partners.\n")
    code, out, _ = run(capsys, "show", doc)
    assert code == 0
    assert out == "# Draft title\n\nThe station will be built together with partners.\n"


def test_default_corpus_is_bundled_and_read_only(capsys, tmp_path):
    code, out, _ = run(capsys, "list", "-f", "json")
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == [
        s.id for s in Corpus(bundled_root()).snapshots("ilrs")
    ]
    doc = tmp_path / "new.txt"
    doc.write_text("A new statement about the lunar station and its partners.\n")
    code, _, err = run(capsys, "add", doc, "--series", "ilrs", "--date", "2025-05-01")
    assert code == 7
    assert err.startswith("narrative-diff: read-only-corpus: the bundled corpus at ")
    assert err.endswith(
        "is read-only; make a writable copy with 'narrative-diff init DIR', "
        "then pass --corpus DIR or set NARRATIVE_DIFF_CORPUS=DIR\n"
    )


def test_env_var_selects_the_corpus(capsys, corpus, monkeypatch):
    monkeypatch.setenv("NARRATIVE_DIFF_CORPUS", str(corpus.root))
    code, out, _ = run(capsys, "list", "-f", "csv")
    assert code == 0 and len(out.splitlines()) == 4


# ------------------------------------------------------------------ add
def test_add_then_identical_add_is_refused(capsys, corpus, tmp_path):
    doc = tmp_path / "statement.txt"
    doc.write_text("ILRS partners\n\nThe ILRS is a China-initiated project with 17 partners.\n")
    code, out, err = run(capsys, "add", doc, "-s", "ilrs", "-d", "2025-04-24", "-c", corpus.root)
    assert (code, err) == (0, "")
    digest = api.open_corpus(corpus.root).resolve("v4").sha256 or ""
    assert out == (
        f"corpus {corpus.root} (--corpus)\n"
        f"added ilrs/2025-04-ilrs-partners as v4 (2025-04-24, 12 words, en, hash {digest[:7]}) "
        f"-> {corpus.root / 'ilrs' / '2025-04-ilrs-partners.md'}\n"
    )
    stored = (corpus.root / "ilrs" / "2025-04-ilrs-partners.md").read_text()
    assert "title: ILRS partners\n" in stored and "language: en\n" in stored
    assert "retrieved: 2025-11-26 00:00:00+00:00\n" in stored
    assert stored.endswith(
        "# ILRS partners\n\nThe ILRS is a China-initiated project with 17 partners.\n"
    )
    digest = hashlib.sha256(doc.read_bytes()).hexdigest()
    raw = corpus.root / "ilrs" / "raw" / f"2025-04-ilrs-partners.{digest[:12]}.txt"
    assert raw.read_bytes() == doc.read_bytes()
    assert f"raw_file: raw/{raw.name}\nraw_sha256: {digest}\n" in stored
    before = tree_digest(corpus.root)
    code, out, err = run(capsys, "add", doc, "-s", "ilrs", "-d", "2025-05-01", "-c", corpus.root)
    assert (code, out) == (5, "")
    assert err == (
        "narrative-diff: duplicate-content: identical text is already in series ilrs "
        "as v4 ilrs/2025-04-ilrs-partners (2025-04-24); nothing to add; use "
        "'narrative-diff show ilrs/2025-04-ilrs-partners' to see it\n"
    )
    assert tree_digest(corpus.root) == before


def test_same_text_again_in_the_same_month_names_the_existing_snapshot(capsys, corpus, tmp_path):
    doc = tmp_path / "note.txt"
    doc.write_text("Note\n\nThe partners met in Hefei to discuss the lunar station.\n")
    assert run(capsys, "add", doc, "-s", "ilrs", "-d", "2025-04-01", "-c", corpus.root)[0] == 0
    code, _, err = run(capsys, "add", doc, "-s", "ilrs", "-d", "2025-04-02", "-c", corpus.root)
    assert code == 5
    assert err.startswith(
        "narrative-diff: duplicate-content: identical text is already in "
        "series ilrs as v4 ilrs/2025-04-note (2025-04-01)"
    )


def test_internal_errors_are_one_line_without_traceback(capsys, corpus, monkeypatch):
    from narrative_diff import api

    def broken(*args, **kwargs):
        raise RuntimeError("something\nbroke\n  badly")

    monkeypatch.setattr(api, "list_snapshots", broken)
    assert run(capsys, "list", "-c", corpus.root) == (
        70,
        "",
        "narrative-diff: internal-error: RuntimeError: something broke badly; rerun "
        "with --traceback and report it\n",
    )


def test_add_from_stdin(capsys, corpus, monkeypatch):
    code, out, _ = run(
        capsys,
        "add",
        "-",
        "-s",
        "ilrs",
        "-d",
        "2025-01-02",
        "--title",
        "Piped",
        "-c",
        corpus.root,
        stdin="Текст о лунной станции, которую Россия и Китай создают вместе.\n".encode("cp1251"),
        monkeypatch=monkeypatch,
    )
    assert code == 0, out
    snap = Corpus(corpus.root).resolve("latest")
    assert snap.language == "ru"
    assert "Россия и Китай создают вместе" in snap.body


def _bad_add_cases(tmp_path: Path) -> dict[str, tuple[list[str], int, str]]:
    ok = tmp_path / "ok.txt"
    ok.write_text("A perfectly fine statement about lunar cooperation and partners.\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n ")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return {
        "empty": ([str(empty), "-s", "ilrs", "-d", "2025-01-01"], 3, "empty-document: "),
        "binary": ([str(binary), "-s", "ilrs", "-d", "2025-01-01"], 3, "binary-file: "),
        "too large": (
            [str(ok), "-s", "ilrs", "-d", "2025-01-01", "--max-bytes", "10"],
            3,
            "too-large: ",
        ),
        "missing file": (
            [str(tmp_path / "nope.pdf"), "-s", "ilrs", "-d", "2025-01-01"],
            4,
            "no-such-file: ",
        ),
        "bad date": (
            [str(ok), "-s", "ilrs", "-d", "2025-02-30"],
            2,
            "invalid-date: --date '2025-02-30' is not an ISO 8601 date; write it as "
            "YYYY-MM-DD, e.g. 2022-01-28",
        ),
        "missing date": ([str(ok), "-s", "ilrs"], 2, "date-missing: no publication date for"),
        "series with ..": (
            [str(ok), "-s", "../x", "-d", "2025-01-01"],
            2,
            "invalid-series: invalid series name '../x'",
        ),
        "series with slash": ([str(ok), "-s", "a/b", "-d", "2025-01-01"], 2, "invalid-series"),
        "ftp url": (
            ["ftp://example.org/x.txt", "-s", "ilrs", "-d", "2025-01-01"],
            2,
            "unsupported-url: ",
        ),
        "existing id": (
            [str(ok), "-s", "ilrs", "-d", "2021-06-01", "--slug", "2021-06-guide"],
            5,
            "id-exists: snapshot ilrs/2021-06-guide already exists; pass "
            "--replace to overwrite it, or --slug NAME for a new id",
        ),
    }


BAD_ADDS = (
    "empty",
    "binary",
    "too large",
    "missing file",
    "bad date",
    "missing date",
    "series with ..",
    "series with slash",
    "ftp url",
    "existing id",
)


@pytest.mark.parametrize("case", BAD_ADDS)
def test_every_refused_add_gives_one_line_and_leaves_corpus_identical(
    capsys, corpus, tmp_path, case
):
    args, expected_code, fragment = _bad_add_cases(tmp_path)[case]
    before = tree_digest(corpus.root)
    code, out, err = run(capsys, "add", *args, "--corpus", corpus.root)
    assert code == expected_code, err
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("narrative-diff: ")
    assert fragment in err
    assert "Traceback" not in err
    assert tree_digest(corpus.root) == before


@pytest.mark.parametrize("where", ["before", "after"])
def test_errors_have_no_traceback_unless_asked(tmp_path, where):
    (tmp_path / "empty").mkdir()
    env = {**os.environ, "NARRATIVE_DIFF_CORPUS": str(tmp_path / "empty")}
    cmd = [sys.executable, "-m", "narrative_diff", "show", "v1"]
    plain = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert plain.returncode == 4
    assert plain.stderr == (
        f"narrative-diff: empty-corpus: no snapshots in corpus "
        f"{tmp_path / 'empty'}; add one with 'narrative-diff add SOURCE "
        "--series S --date D'\n"
    )
    traced_cmd = [*cmd[:3], "--traceback", *cmd[3:]] if where == "before" else [*cmd, "--traceback"]
    traced = subprocess.run(traced_cmd, capture_output=True, text=True, env=env, check=False)
    assert "Traceback (most recent call last)" in traced.stderr
    assert "SnapshotNotFound" in traced.stderr


def test_a_missing_corpus_folder_is_an_error_not_an_empty_list(capsys, tmp_path):
    code, out, err = run(capsys, "list", "-c", tmp_path / "typo")
    assert (code, out) == (7, "")
    assert err == (
        f"narrative-diff: no-corpus: corpus folder {tmp_path / 'typo'} does not "
        "exist; create it with 'narrative-diff init DIR', or check the path\n"
    )
    doc = tmp_path / "d.txt"
    doc.write_text("Some statement about the lunar station and its partners.\n")
    assert run(capsys, "add", doc, "-s", "x", "-d", "2025-01-01", "-c", tmp_path / "typo")[0] == 7
    assert not (tmp_path / "typo").exists()


# ------------------------------------------------------------------ check and init
def test_check_finds_a_hand_edit(capsys, corpus):
    assert run(capsys, "check", "-c", corpus.root)[0] == 0
    path = corpus.root / "ilrs" / "2021-06-guide.md"
    path.write_text(path.read_text().replace("jointly initiated", "initiated"))
    code, out, _ = run(capsys, "check", "-c", corpus.root)
    assert code == 1
    assert out == (
        f"{path}: hash-mismatch: the text was edited since it was added; if the edit "
        "is intended, run 'narrative-diff check --update-hashes'\n"
        f"3 snapshot(s) read in {corpus.root}, 1 problem(s)\n"
    )
    code, _, err = run(capsys, "list", "-c", corpus.root)
    assert code == 0
    assert err == (
        "warning: 1 snapshot(s) changed since they were added (ilrs/2021-06-guide…); "
        "run 'narrative-diff check'\n"
    )
    assert run(capsys, "check", "--update-hashes", "-c", corpus.root)[0] == 0
    assert run(capsys, "check", "-c", corpus.root)[0] == 0


def test_init_makes_a_writable_copy(capsys, tmp_path):
    code, out, _ = run(capsys, "init", tmp_path / "mine")
    assert (code, out) == (0, f"created {tmp_path / 'mine'} with series: ilrs\n")
    assert len(Corpus(tmp_path / "mine").snapshots("ilrs")) >= 3
    code, _, err = run(capsys, "init", tmp_path / "mine")
    assert code == 7
    assert "not-empty: " in err


# ------------------------------------------------------------------ URL adds (127.0.0.1 only)
ARTICLE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>ILRS | Agency</title></head>"
    b"<body><nav><a href='/'>Home</a> | <a href='/news'>News</a></nav><main><article>"
    b"<h1>New partners join the lunar station</h1><p>The International Lunar Research Station "
    b"is a China-initiated project. Seventeen countries and international organisations have "
    b"joined it, the agency said.</p><h2>Phases</h2><p>A basic model will be built by 2035 and "
    b"an extended model by 2045, with partners taking part in every stage.</p></article></main>"
    b"<footer>Copyright 2025 Agency. All rights reserved.</footer></body></html>"
)


@pytest.mark.network
def test_add_a_web_page(capsys, corpus, http_server):
    url = http_server.route("/news/ilrs.html", ARTICLE, "text/html; charset=utf-8")
    code, out, err = run(capsys, "add", url, "-s", "ilrs", "-d", "2025-04-24", "-c", corpus.root)
    assert (code, err) == (0, "")
    assert out.splitlines()[1].startswith(
        "added ilrs/2025-04-new-partners-join-the-lunar-station as v4 "
    )
    snap = Corpus(corpus.root).resolve("latest")
    assert snap.title == "New partners join the lunar station"
    assert snap.kind == "web-page" and snap.language == "en" and snap.source_url == url
    assert snap.body.startswith("# New partners join the lunar station\n\nThe International")
    assert "## Phases\n\nA basic model will be built by 2035" in snap.body
    assert "Home" not in snap.body and "Copyright" not in snap.body
    assert (corpus.root / "ilrs" / snap.raw_file).read_bytes() == ARTICLE
    assert snap.raw_file.startswith("raw/2025-04-new-partners-join-the-lunar-station.")


@pytest.mark.network
def test_add_a_pdf_url(capsys, corpus, http_server):
    from .test_ingest import PDF_PAGES, make_pdf

    url = http_server.route(
        "/files/report", make_pdf(PDF_PAGES, title="ILRS Progress Report"), "application/pdf"
    )
    code, out, _ = run(capsys, "add", url, "-s", "ilrs", "-d", "2025-05-01", "-c", corpus.root)
    assert code == 0, out
    snap = Corpus(corpus.root).resolve("latest")
    assert snap.title == "ILRS Progress Report" and snap.raw_file.endswith(".pdf")
    assert "roadmap for lunar exploration and agreed" in snap.body
    assert "Page 2" not in snap.body


@pytest.mark.network
@pytest.mark.parametrize(
    ("path", "extra", "fragment"),
    [
        ("/missing.html", [], "http-error: {url} answered HTTP 404"),
        (
            "/stall",
            ["--timeout", "0.5"],
            "fetch-timeout: {url} did not answer within 0.5 s; "
            "try again later, or allow more time with --timeout",
        ),
        ("/redirect-loop", [], "too-many-redirects: {url} redirected more than 5 times"),
    ],
)
def test_failed_url_adds_exit_6_and_change_nothing(
    capsys, corpus, http_server, path, extra, fragment
):
    url = http_server.url(path)
    before = tree_digest(corpus.root)
    code, out, err = run(
        capsys, "add", url, "-s", "ilrs", "-d", "2025-05-01", *extra, "-c", corpus.root
    )
    assert (code, out) == (6, "")
    assert err.startswith("narrative-diff: " + fragment.format(url=url))
    assert err.count("\n") == 1
    assert tree_digest(corpus.root) == before


def test_language_is_required_when_detection_is_unsure(capsys, corpus, monkeypatch):
    code, _, err = run(
        capsys,
        "add",
        "-",
        "-s",
        "ilrs",
        "-d",
        "2025-01-02",
        "--title",
        "Short",
        "-c",
        corpus.root,
        stdin=b"ILRS 2035 2045 OK\n",
        monkeypatch=monkeypatch,
    )
    assert code == 2
    assert err.startswith(
        "narrative-diff: language-unsure: could not tell the language of "
        "<stdin> (confidence 0.00); pass --language, e.g. --language en"
    )
    code, out, _ = run(
        capsys,
        "add",
        "-",
        "-s",
        "ilrs",
        "-d",
        "2025-01-02",
        "--title",
        "Short",
        "--language",
        "en",
        "-c",
        corpus.root,
        stdin=b"ILRS 2035 2045 OK\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0, out


def test_show_a_snapshot_file_path_reads_it_as_a_snapshot(capsys, corpus):
    path = corpus.root / "ilrs" / "2022-01-white-paper.md"
    code, out, _ = run(capsys, "show", path, "--meta", "-c", corpus.root)
    assert code == 0
    assert "id: ilrs/2022-01-white-paper\n" in out and "date: 2022-01-28\n" in out
    assert "ref: v2\n" in out and "words: 9\n" in out


@pytest.mark.parametrize("date", ["20250101", "2025-W05-1", "2025-1-5", "5 Jan 2025"])
def test_dates_must_be_yyyy_mm_dd(capsys, corpus, tmp_path, date):
    doc = tmp_path / "d.txt"
    doc.write_text("Some statement about the lunar station and its partners.\n")
    code, _, err = run(capsys, "add", doc, "-s", "ilrs", "-d", date, "-c", corpus.root)
    assert code == 2 and "invalid-date" in err


def test_the_quick_end_runs_the_exit_handlers_but_multiprocessings():
    """After a comparison the process ends at once (``cli._end_now``): the exit handlers
    run, but not multiprocessing's, which would stop the idle second process and wait for
    its end (it ends by itself when this one's end closes its orders)."""
    script = (
        "import atexit, multiprocessing.util as mu\n"
        "from narrative_diff import cli\n"
        "mu._exit_function = lambda *a: print('multiprocessing waited', flush=True)\n"
        "atexit.register(mu._exit_function)\n"
        "atexit.register(lambda: print('handler ran', flush=True))\n"
        "cli._end_now(3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (3, "handler ran\n"), done.stderr
