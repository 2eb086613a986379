"""The bad-input battery: every command against a folder of nasty inputs.

Each case runs one command line in-process (``cli.main``) against a fresh copy of the ILRS
corpus, and checks what a user must be able to rely on:

* no traceback and no internal error (exit 70);
* a refusal is one ``narrative-diff: SLUG: problem; fix`` line on stderr, with a documented
  exit code (``warning:`` lines may precede it);
* the corpus is byte-identical afterwards, unless the case adds a document on purpose.

Run it by hand, keeping the nasty folder to try the commands yourself::

    .venv/bin/python -m tests.battery --keep /tmp/nasty          # prints the table
    .venv/bin/python -m tests.battery --write docs/reliability.md

``tests/test_battery.py`` runs it in CI and checks that ``docs/reliability.md`` matches.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import shutil
import sys
import tempfile
import types
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tests.helpers import PINNED

if TYPE_CHECKING:
    from .conftest import LocalHTTPServer

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reliability.md"
#: Exit codes documented in docs/messages.md (70 is a bug, never acceptable here).
DOCUMENTED = {0, 1, 2, 3, 4, 5, 6, 7, 130, 143}
GOOD_FM = (
    "---\nid: ilrs/2030-01-extra\nseries: ilrs\ndate: 2030-01-01\ntitle: Extra\n"
    "language: en\n---\n\n# Extra\n\nThe ILRS is proposed by China.\n"
)


@dataclass(frozen=True)
class Case:
    name: str
    group: str
    argv: tuple[str, ...]  # {n}: the nasty folder, {c}: the corpus, {b}: the bundled one
    expect: str = "refused"  # "refused", "handled" (exit 0/1) or "added" (exit 0, changes)
    stdin: bytes | None = None
    corpus_setup: Callable[[Path], None] | None = None
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    case: Case
    code: int
    stderr: str
    stdout: str
    corpus_unchanged: bool

    @property
    def message(self) -> str:
        lines = [ln for ln in self.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("narrative-diff: ")]
        return errors[-1] if errors else (lines[-1] if lines else "")

    @property
    def survived(self) -> bool:
        lines = [ln for ln in self.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if not ln.startswith(("warning:", "note:"))]
        one_line = all(ln.startswith("narrative-diff: ") for ln in errors) and len(errors) <= 1
        if "Traceback" in self.stderr or self.code not in DOCUMENTED or not one_line:
            return False
        if self.case.expect == "refused":
            return self.code not in (0,) and len(errors) == 1 and self.corpus_unchanged
        if self.case.expect == "added":
            return self.code == 0
        return self.code in (0, 1) and self.corpus_unchanged


# -- the nasty folder ----------------------------------------------------------------------


def make_nasty(folder: Path) -> None:
    """Write the nasty inputs into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    w = {  # name → bytes
        "empty.txt": b"",
        "blank.txt": b"  \n\t\n   \n",
        "binary.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
        "program.exe": b"MZ\x90\x00" + os.urandom(0) + bytes(range(256)) * 20,
        "invalid-utf8.txt": b"The ILRS \xff\xfe\xfa is proposed by China \xc3\x28 and \x80.\n",
        "mixed-encodings.txt": b"The ILRS is built by China and Russia.\n"
        + "Россия и Китай строят станцию.\n".encode("cp1251")
        + "国际月球科研站由中国提出。\n".encode("gb18030"),
        "truncated.pdf": _pdf()[:600],
        "encrypted.pdf": _pdf(user_password="secret", owner_password="owner"),
        "bomb.docx": _zip_bomb(),
        "not-a.docx": b"PK\x03\x04 this is not a zip archive at all",
        "nested.html": (
            b"<html><body>"
            + b"<div>" * 10_000
            + b"The ILRS is proposed by China."
            + b"</div>" * 10_000
            + b"</body></html>"
        ),
        "hostile.html": _hostile_page(),
        # issue 11: a page with no prose at any coverage, a date ahead, charsets that lie
        "no-text.html": b"<html><head><title>Menu</title><script>var x = 1;</script></head>"
        + b"<body><nav>"
        + b"<a href='/a'>Home</a> <a href='/b'>News</a>" * 20
        + b"</nav>"
        + b"<div class='cookie-banner'>We use cookies.</div></body></html>",
        "future.html": b"<html><head><meta property='article:published_time' "
        + b"content='2091-05-01'><title>Station</title></head><body><article><p>"
        + b"The lunar station will be open to every interested partner agency, the "
        + b"statement says, and the first phase starts before the end of the decade.</p>"
        + b"</article></body></html>",
        "charset-lie.html": "<html><head><meta charset='windows-1251'><title>Станция</title>"
        "</head><body><article><p>Международная научная лунная станция будет открыта для "
        "всех заинтересованных стран и международных партнёров, говорится в заявлении.</p>"
        "</article></body></html>".encode(),
        "charset-lie-utf8.html": "<html><head><meta charset='utf-8'><title>Станция</title>"
        "</head><body><article><p>Международная научная лунная станция будет открыта для "
        "всех заинтересованных стран и международных партнёров, говорится в заявлении.</p>"
        "</article></body></html>".encode("cp1251"),
        "malformed.vtt": b"WEBVTT\n\nnot a cue\n00:00 --> garbage\n",
        "bad-actors.toml": b"[actors.x\nname = 'X'\n",
        "backtracking-actors.toml": (
            b"[actors.x]\nname = 'X'\naliases = ['X']\npatterns = ['(a+)+$']\n"
        ),
        "unknown-key-actors.toml": b"[actors.x]\nname = 'X'\naliases = ['X']\ncolour = 1\n",
    }
    for name, data in w.items():
        (folder / name).write_bytes(data)
    # 50 MB of HTML on one line, and a 2 GB file (sparse: refused by size before reading)
    with (folder / "one-line.html").open("wb") as out:
        out.write(b"<html><body><p>")
        chunk = b"The station is proposed by China and built with partners. " * 1000
        for _ in range(50_000_000 // len(chunk)):
            out.write(chunk)
        out.write(b"</p></body></html>")
    with (folder / "huge.txt").open("wb") as out:
        out.truncate(2 * 1024**3)
    link = folder / "loop.txt"
    if not link.is_symlink():
        link.symlink_to(link.name)  # a link to itself
    (folder / "a-folder.txt").mkdir(exist_ok=True)
    (folder / "folder.pdf").mkdir(exist_ok=True)
    (folder / "spaces.txt").write_text("China and Russia" + " " * 200_000 + "agree.\n")
    (folder / "t1.txt").write_text("China\n")
    (folder / "deep-actors.toml").write_text("[actors.x]\nname = 'X'\naliases = " + "[" * 50_000)
    (folder / "long-alias-actors.toml").write_text(
        "[actors.x]\nname = 'X'\naliases = ['" + "word " * 3000 + "']\n"
    )
    (folder / "huge-repeat-actors.toml").write_text(
        "[actors.x]\nname = 'X'\naliases = ['X']\npatterns = ['a{4294967295}']\n"
    )
    link = folder / "link.json"
    if not link.is_symlink():
        link.symlink_to("elsewhere.json")
    for pipe in ("pipe", "pipe.png"):
        if not (folder / pipe).exists():
            os.mkfifo(folder / pipe)  # opening it would wait for a writer
    for module in extras():
        if hasattr(module, "nasty"):
            module.nasty(folder)


def _pdf(**encryption: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, "The ILRS is proposed by China and built in partnership. " * 20)
    if encryption:
        pdf.set_encryption(**encryption)
    return bytes(pdf.output())


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b" " * (300 * 1024 * 1024))  # 300 MiB inflated
    return buffer.getvalue()


# -- corpus set-ups ------------------------------------------------------------------------


def _put(relative: str, text: str | bytes) -> Callable[[Path], None]:
    def setup(corpus: Path) -> None:
        path = corpus / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode() if isinstance(text, str) else text)

    return setup


def _tiny(corpus: Path) -> None:
    """A series whose snapshots are one word each: every word is a mention."""
    for n, (date, body) in enumerate((("2020-01-01", "China"), ("2021-01-01", "China. China."))):
        _put(
            f"tiny/2020-0{n + 1}-t{n}.md",
            (
                f"---\nid: tiny/2020-0{n + 1}-t{n}\nseries: tiny\ndate: {date}\ntitle: China\n"
                f"language: en\n---\n\n{body}\n"
            ),
        )(corpus)


def _far_dates(corpus: Path) -> None:
    for n, date in enumerate(("0001-01-01", "9999-12-31")):
        _put(
            f"far/2020-0{n + 1}-d{n}.md",
            (
                f"---\nid: far/2020-0{n + 1}-d{n}\nseries: far\ndate: {date}\ntitle: D\n"
                "language: en\n---\n\nThe ILRS is proposed by China.\n"
            ),
        )(corpus)


def _second_series(corpus: Path) -> None:
    _put(
        "other/2020-01-o.md",
        GOOD_FM.replace("ilrs/2030-01-extra", "other/2020-01-o").replace(
            "series: ilrs", "series: other"
        ),
    )(corpus)


def _clutter(corpus: Path) -> None:
    (corpus / "notes.txt").write_text("my notes")
    (corpus / "ilrs" / "README").write_text("not a snapshot")
    (corpus / "ilrs" / "drafts" / "deep").mkdir(parents=True)
    (corpus / "ilrs" / "drafts" / "deep" / "x.md").write_text("# draft without front matter\n")
    (corpus / "images").mkdir()
    (corpus / "images" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")


def _loop(corpus: Path) -> None:
    (corpus / "ilrs" / "loop.md").symlink_to("loop.md")
    (corpus / "ilrs" / "cycle").symlink_to(".", target_is_directory=True)


ADD = ("add", "{n}/{file}", "--series", "ilrs", "--date", "2030-01-01", "--corpus", "{c}")


def _add(file: str, *extra: str) -> tuple[str, ...]:
    return tuple(a.replace("{file}", file) for a in ADD) + extra


def _no_date(file: str) -> tuple[str, ...]:
    return tuple(a.replace("{file}", file) for a in ADD if a not in ("--date", "2030-01-01"))


STDIN_ADD = ("add", "-", "--series", "ilrs", "--date", "2030-01-01", "--corpus", "{c}")


def cases() -> list[Case]:
    add = "add: documents"
    fm = "corpus: snapshot files"
    names = "names and ids"
    other = "other commands"
    return [
        Case("empty file", add, _add("empty.txt")),
        Case("whitespace-only file", add, _add("blank.txt")),
        Case("binary file (PNG)", add, _add("binary.png")),
        Case("binary file (program)", add, _add("program.exe")),
        Case("invalid UTF-8 bytes", add, _add("invalid-utf8.txt", "--language", "en"), "added"),
        Case(
            "mixed encodings in one file",
            add,
            _add("mixed-encodings.txt", "--language", "en"),
        ),
        Case("truncated PDF", add, _add("truncated.pdf")),
        Case("encrypted PDF", add, _add("encrypted.pdf")),
        Case("DOCX zip bomb (300 MiB inflated, 300 KB on disk)", add, _add("bomb.docx")),
        Case("DOCX that is not a zip", add, _add("not-a.docx")),
        Case("HTML, 50 MB on one line", add, _add("one-line.html", "--max-bytes", "20000000")),
        Case(
            "HTML, 50 MB on one line, limit raised",
            add,
            _add("one-line.html", "--max-bytes", "60000000", "--language", "en"),
            "added",
        ),
        Case("HTML, 10,000 nested elements", add, _add("nested.html", "--language", "en")),
        Case(
            "HTML with script, onerror, javascript: link",
            add,
            _add("hostile.html", "--language", "en"),
            "added",
        ),
        Case("malformed WebVTT", add, _add("malformed.vtt")),
        Case("HTML with no prose at any coverage", add, _add("no-text.html", "--extract", "full")),
        Case("HTML dated in the future, no --date", add, _no_date("future.html")),
        Case("plain text, no --date", add, _no_date("spaces.txt")),
        Case("HTML: says windows-1251, is UTF-8", add, _add("charset-lie.html"), "added"),
        Case("HTML: says UTF-8, is windows-1251", add, _add("charset-lie-utf8.html"), "added"),
        Case("2 GB file", add, _add("huge.txt")),
        Case(
            "200,000 spaces inside one line", add, _add("spaces.txt", "--language", "en"), "added"
        ),
        Case("--timeout nan", add, _url("http://127.0.0.1:9/x", "--timeout", "nan")),
        Case("a URL with a broken IPv6 host", add, _url("http://[::1/x")),
        Case("symlink loop", add, _add("loop.txt")),
        Case("a folder named like a file", add, _add("a-folder.txt")),
        Case("missing file", add, _add("no-such-file.txt")),
        Case("a named pipe (FIFO) with no writer", add, _add("pipe")),
        Case(
            "a device that never ends (/dev/zero)",
            add,
            tuple(a.replace("{n}/{file}", "/dev/zero") for a in ADD),
        ),
        Case("empty standard input", add, STDIN_ADD, stdin=b""),
        Case("binary standard input", add, STDIN_ADD, stdin=bytes(range(256)) * 8),
        Case("URL with file: scheme", add, _url("file:///etc/passwd")),
        Case("URL with ftp: scheme", add, _url("ftp://127.0.0.1/x.txt")),
        Case("URL with data: scheme", add, _url("data:text/plain,hello")),
        Case("URL on a closed port", add, _url("http://127.0.0.1:9/x.html", "--timeout", "2")),
        Case("URL: a redirect loop", add, _url("{u}/redirect-loop")),
        Case("URL: a server that stalls", add, _url("{u}/stall", "--timeout", "1")),
        Case(
            "URL: a server that sends without end (no length)",
            add,
            _url("{u}/endless", "--max-bytes", "1000000"),
        ),
        Case("URL: 404", add, _url("{u}/missing")),
        Case("URL: a hostile page", add, _url("{u}/hostile", "--language", "en"), "added"),
        Case(
            "front matter: malformed YAML",
            fm,
            ("list", "--corpus", "{c}"),
            corpus_setup=_put("ilrs/2030-01-bad.md", "---\nid: [unclosed\n---\n\ntext\n"),
        ),
        Case(
            "front matter: no date",
            fm,
            ("list", "--corpus", "{c}"),
            corpus_setup=_put("ilrs/2030-01-nodate.md", GOOD_FM.replace("date: 2030-01-01\n", "")),
        ),
        Case(
            "front matter: wrong types",
            fm,
            ("list", "--corpus", "{c}"),
            corpus_setup=_put(
                "ilrs/2030-01-extra.md", GOOD_FM.replace("title: Extra", "title: [1, 2]")
            ),
        ),
        Case(
            "front matter: duplicate id",
            fm,
            ("check", "--corpus", "{c}"),
            "handled",
            corpus_setup=_put(
                "ilrs/2030-01-copy.md", (PINNED / "ilrs/2021-06-roadmap-guide.md").read_text()
            ),
        ),
        Case(
            "snapshot file not UTF-8",
            fm,
            ("score", "--corpus", "{c}"),
            corpus_setup=_put("ilrs/2030-01-extra.md", GOOD_FM.encode("utf-16")),
        ),
        Case(
            "unrelated files and sub-folders",
            fm,
            ("list", "--corpus", "{c}"),
            "handled",
            corpus_setup=_clutter,
        ),
        Case(
            "symlink loops in the corpus",
            fm,
            ("list", "--corpus", "{c}"),
            "handled",
            corpus_setup=_loop,
        ),
        Case("series name with ..", names, _series("../escape")),
        Case("series name with a slash", names, _series("a/b")),
        Case("series name with spaces", names, _series("my series")),
        Case("series name with a control character", names, _series("ilrs\x07")),
        Case("series name with a right-to-left mark", names, _series("ilrs\u202e")),
        Case(
            "title with bytes that are not UTF-8",
            names,
            _add("hostile.html", "--language", "en", "--title", "bad \udcff title"),
        ),
        Case(
            "snapshot id with .. in the front matter",
            names,
            ("list", "--corpus", "{c}"),
            corpus_setup=_put(
                "ilrs/2030-01-extra.md", GOOD_FM.replace("ilrs/2030-01-extra", "ilrs/../../etc")
            ),
        ),
        Case("slug with ..", names, _add("hostile.html", "--slug", "../../x")),
        Case("unknown snapshot ref", other, ("show", "v99", "--corpus", "{c}")),
        Case(
            "a ref of 91 Han characters (a file name over 255 bytes)",
            other,
            ("show", "国际月球科研站" * 13, "--corpus", "{c}"),
        ),
        Case(
            "a series of one-word snapshots (every word a mention)",
            other,
            ("score", "tiny", "--corpus", "{c}"),
            "handled",
            corpus_setup=_tiny,
        ),
        Case(
            "snapshots dated 0001-01-01 and 9999-12-31",
            other,
            ("chart", "far", "--corpus", "{c}", "-o", "{n}/far.png"),
            "handled",
            corpus_setup=_far_dates,
        ),
        Case(
            "SOURCE_DATE_EPOCH that is not a number",
            other,
            ("report", "--corpus", "{c}", "-o", "{n}/r.html"),
            env={"SOURCE_DATE_EPOCH": "soon"},
        ),
        Case(
            "actors file nested 50,000 deep", other, ("actors", "--actors", "{n}/deep-actors.toml")
        ),
        Case(
            "actors alias of 3,000 words",
            other,
            ("actors", "--actors", "{n}/long-alias-actors.toml"),
        ),
        Case(
            "actors pattern a{4294967295}",
            other,
            ("actors", "--actors", "{n}/huge-repeat-actors.toml"),
        ),
        Case(
            "a pipe as the actors file", other, ("score", "--actors", "{n}/pipe", "--corpus", "{c}")
        ),
        Case("a device as the actors file", other, ("actors", "--actors", "/dev/zero")),
        Case(
            "score --between refs of another series",
            other,
            ("score", "ilrs", "--between", "other:v1", "v2", "--corpus", "{c}"),
            corpus_setup=_second_series,
        ),
        Case(
            "list a series outside the corpus (../)",
            names,
            ("list", "../outside", "--corpus", "{c}"),
        ),
        Case(
            "report on 'ilrs/' (a hidden file name)",
            names,
            ("report", "ilrs/", "--corpus", "{c}", "-o", "{n}/r.pdf"),
        ),
        Case(
            "compare -o over a snapshot of the corpus",
            other,
            (
                "compare",
                "v1",
                "v2",
                "-f",
                "json",
                "--corpus",
                "{c}",
                "-o",
                "{c}/ilrs/2021-06-roadmap-guide.md",
            ),
        ),
        Case(
            "compare -o a symbolic link",
            other,
            ("compare", "v1", "v2", "-f", "json", "--corpus", "{c}", "-o", "{n}/link.json"),
        ),
        Case("chart -o a named pipe", other, ("chart", "--corpus", "{c}", "-o", "{n}/pipe.png")),
        Case(
            "compare -o into a missing folder",
            other,
            ("compare", "v1", "v2", "-f", "json", "--corpus", "{c}", "-o", "{n}/missing/x.json"),
        ),
        Case(
            "compare with a binary file",
            other,
            ("compare", "v1", "{n}/binary.png", "--corpus", "{c}"),
        ),
        Case(
            "compare with an empty file",
            other,
            ("compare", "{n}/empty.txt", "v2", "--corpus", "{c}"),
        ),
        Case(
            "score with a malformed actors file",
            other,
            ("score", "--actors", "{n}/bad-actors.toml", "--corpus", "{c}"),
        ),
        Case(
            "actors file with an unknown key",
            other,
            ("actors", "--actors", "{n}/unknown-key-actors.toml"),
        ),
        Case(
            "actors pattern with catastrophic backtracking",
            other,
            ("actors", "--actors", "{n}/backtracking-actors.toml"),
        ),
        Case(
            "kwic of a word that never occurs",
            other,
            ("kwic", "nobody", "--corpus", "{c}"),
            "handled",
        ),
        Case("kwic of a near-miss actor key", other, ("kwic", "rusia", "--corpus", "{c}")),
        Case("kwic --regex that is invalid", other, ("kwic", "(", "--regex", "--corpus", "{c}")),
        Case(
            "kwic --regex that backtracks without end",
            other,
            ("kwic", "(a|aa)+$", "--regex", "--corpus", "{c}"),
            "handled",
        ),
        Case(
            "chart with an unknown metric",
            other,
            ("chart", "-m", "words", "--corpus", "{c}", "-o", "{n}/x.png"),
        ),
        Case(
            "chart into a missing folder",
            other,
            ("chart", "--corpus", "{c}", "-o", "{n}/missing/x.png"),
        ),
        Case(
            "report over a folder of that name",
            other,
            ("report", "--corpus", "{c}", "-o", "{n}/folder.pdf"),
        ),
        Case(
            "report with a bad extension", other, ("report", "--corpus", "{c}", "-o", "{n}/r.docx")
        ),
        Case(
            "check a corrupt corpus",
            other,
            ("check", "--corpus", "{c}"),
            "handled",
            corpus_setup=_put("ilrs/2030-01-bad.md", "---\nid: [unclosed\n---\n"),
        ),
        Case("init into a non-empty folder", other, ("init", "{c}")),
        Case("corpus that is a file", other, ("list", "--corpus", "{n}/empty.txt")),
        Case("corpus folder that does not exist", other, ("list", "--corpus", "{n}/nowhere")),
        Case(
            "check a corpus folder that does not exist", other, ("check", "--corpus", "{n}/nowhere")
        ),
        Case("--traceback without a command", other, ("--traceback",), "handled"),
        *(case for module in extras() for case in module.cases()),
    ]


#: Battery modules of the second round (issue 13), one per class of failure, each with
#: ``cases() -> list[Case]`` and optionally ``nasty(folder)`` (more nasty inputs) and
#: ``routes(server)`` (more pages on the local HTTP server). A module not written yet is
#: skipped.
EXTRAS = (
    "battery_names",
    "battery_output",
    "battery_network",
    "battery_work",
    "battery_files",
    "battery_remove",
)


def extras() -> list[types.ModuleType]:
    found = []
    for name in EXTRAS:
        try:
            found.append(importlib.import_module(f"tests.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.{name}":
                raise
    return found


def _url(url: str, *extra: str) -> tuple[str, ...]:
    return ("add", url, "--series", "ilrs", "--date", "2030-01-01", "--corpus", "{c}", *extra)


def _series(name: str) -> tuple[str, ...]:
    return (
        "add",
        "{n}/hostile.html",
        "--series",
        name,
        "--date",
        "2030-01-01",
        "--corpus",
        "{c}",
        "--language",
        "en",
    )


# -- running -------------------------------------------------------------------------------


def run_case(case: Case, nasty: Path, work: Path, base_url: str = "") -> Outcome:
    from narrative_diff.cli import main

    from .helpers import tree_digest

    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    shutil.copytree(PINNED, corpus, symlinks=True)
    if case.corpus_setup:
        case.corpus_setup(corpus)
    before = tree_digest(corpus)
    argv = [
        a.replace("{n}", str(nasty))
        .replace("{c}", str(corpus))
        .replace("{u}", base_url)
        .replace("{b}", str(PINNED))
        for a in case.argv
    ]
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(case.stdin or b""), encoding="utf-8")
    old_stdin = sys.stdin
    sys.stdin = stdin
    saved = {k: os.environ.get(k) for k in case.env}
    os.environ.update(case.env)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        sys.stdin = old_stdin
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def scrub(text: str) -> str:
        text = text.replace(str(nasty), "nasty").replace(str(corpus), "corpus")
        text = text.replace(str(PINNED), "BUNDLED")  # the package's copy, wherever installed
        return text.replace(base_url, "http://127.0.0.1:PORT") if base_url else text

    unchanged = tree_digest(corpus) == before
    return Outcome(case, code, scrub(err.getvalue()), scrub(out.getvalue()), unchanged)


def run_all(nasty: Path | None = None) -> list[Outcome]:
    """Every case, with a local HTTP server on 127.0.0.1 for the URL cases."""
    server = local_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = nasty or Path(tmp) / "nasty"
            make_nasty(folder)
            base = server.url("")
            return [run_case(case, folder, Path(tmp), base) for case in cases()]
    finally:
        server.close()


def local_server() -> LocalHTTPServer:
    """The local HTTP server on 127.0.0.1 with every page the URL cases ask for."""
    from .conftest import LocalHTTPServer

    server = LocalHTTPServer()
    server.route("/endless", b"<p>" + b"station " * 700_000, send_length=False)
    server.route("/hostile", _hostile_page())
    for module in extras():
        if hasattr(module, "routes"):
            module.routes(server)
    return server


def _hostile_page() -> bytes:
    return (
        b"<html><head><title>Statement</title></head><body><h1>Statement</h1>"
        b"<p>The ILRS is proposed by China.<script>alert(1)</script></p>"
        b"<p><img src=x onerror=alert(2)> and <a href='javascript:alert(3)'>more</a>"
        b" text about the station and its partners in many countries.</p></body></html>"
    )


def table(outcomes: list[Outcome]) -> str:
    survived = sum(o.survived for o in outcomes)
    lost = sum(o.case.expect != "added" and not o.corpus_unchanged for o in outcomes)
    internal = sum(o.code == 70 for o in outcomes)
    rows = [
        f"Tried {len(outcomes)} cases: {survived} survived, {len(outcomes) - survived} failed; "
        f"{lost} changed the corpus without meaning to (lost), {internal} exited 70.",
        "",
        "| # | group | input | command | exit | what happened | corpus unchanged | survived |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, o in enumerate(outcomes, 1):
        command = " ".join(_show(a) for a in o.case.argv)
        happened = o.message
        if not happened or o.case.expect in ("added", "handled"):
            out = [line.strip() for line in o.stdout.splitlines() if any(c.isalnum() for c in line)]
            happened = "; ".join(filter(None, [happened, out[-1] if out else ""]))
            happened = f"(stdout) {happened}" if out and not o.message else happened
        rows.append(
            f"| {n} | {o.case.group} | {o.case.name} | `{command}` | {o.code} | "
            f"{_cell(happened)} | {'yes' if o.corpus_unchanged else 'no (added)'} | "
            f"{'yes' if o.survived else '**NO**'} |"
        )
    tried = len(outcomes)
    survived = sum(o.survived for o in outcomes)
    lost = sum(1 for o in outcomes if not o.corpus_unchanged and o.case.expect != "added")
    return (
        "\n".join(rows)
        + (
            f"\n\n**Totals:** {tried} inputs tried, {survived} survived, {lost} snapshots lost or "
            "corpora changed by a refused command.\n"
        )
        + FOOTER
    )


def _show(arg: str) -> str:
    shown = arg.replace("{n}/", "nasty/").replace("{c}", "corpus")
    shown = shown.replace("{u}", "http://127.0.0.1:PORT").replace("{b}", "BUNDLED")
    return "".join(
        ch
        if ch.isprintable() and ch not in "\u202e|"
        else f"\\u{ord(ch):04x}"
        if ch != "|"
        else "\\|"
        for ch in shown
    )


def _cell(text: str) -> str:
    text = " ".join(text.removeprefix("narrative-diff: ").split())
    text = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)
    text = text.replace("|", "\\|")
    return text if len(text) <= 160 else text[:159] + "…"


HEADER = """# Reliability: the bad-input battery

Every command of narrative-diff against a folder of nasty inputs (`tests/battery.py`): each case
runs one command line against a fresh copy of the ILRS corpus. A case *survives* when there is no
traceback and no internal error (exit 70), a refusal is one line on stderr with a documented exit
code (docs/messages.md), and the corpus is byte-identical afterwards (except the cases that add
a document on purpose, marked "added").

Reproduce: `.venv/bin/python -m tests.battery --keep /tmp/nasty` writes the nasty folder to
`/tmp/nasty` and prints this table; then try any command below with `nasty/` as `/tmp/nasty/` and
`--corpus` a copy of `seeds/` (`narrative-diff init /tmp/corpus`). CI runs the battery
(`tests/test_battery.py`) and fails when this file no longer matches a fresh run; regenerate it
with `.venv/bin/python -m tests.battery --write docs/reliability.md`.

"""


#: The checks outside the battery, appended to docs/reliability.md.
FOOTER = "\n" + (Path(__file__).with_name("battery_notes.md")).read_text(encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the nasty folder here and keep it")
    parser.add_argument("--write", type=Path, help="write the Markdown table to this file")
    args = parser.parse_args()
    outcomes = run_all(args.keep)
    text = HEADER + table(outcomes)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
