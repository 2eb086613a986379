"""Issue 13, classes 4, 5 and 11 (parts): what reaches the terminal, the spreadsheet and stderr.

Document text is printed literally (never rich markup), its control characters shown
escaped on every human-readable output, exactly in JSON; CSV cells that would start a
formula are quoted; matplotlib's warnings come out as ``warning:`` lines.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest

from narrative_diff.cli import main
from narrative_diff.cli.app import literal, warn
from narrative_diff.serialise import printable, to_csv, to_json

from .battery_output import ESCAPES, V1, V2, actors_file, edit
from .helpers import PINNED, tree_digest

ROOT = Path(__file__).resolve().parents[1]
#: A raw terminal control or bidi override: none may reach a human-readable output.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(PINNED, folder)
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# -- printable -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
        ("\x9b31m", "\\x9b31m"),
        ("back\x08space", "back\\x08space"),
        ("carriage\rreturn", "carriage\\rreturn"),
        ("\u202eevil\u202c", "\\u202eevil\\u202c"),
        ("\u2067isolate\u2069", "\\u2067isolate\\u2069"),
        ("nul\x00 del\x7f", "nul\\x00 del\\x7f"),
        ("bad \udcff byte", "bad \\udcff byte"),
    ],
)
def test_printable_shows_each_control_escaped(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert not RAW.search(printable(text))


def test_printable_leaves_text_and_layout_alone() -> None:
    text = "国际月球科研站 Россия «ROSCOSMOS» émoji 🚀 rtl \u200f mark\n\tindent [/] \\"
    assert printable(text) == text
    assert printable("a\nb\tc", layout=False) == "a\\nb\\tc"


def test_literal_is_never_markup() -> None:
    for text in ("Statement [/] annex", "[/x]", "[link=https://evil.example/]x[/link]", "a \\"):
        assert literal(text).plain == text
    assert literal("t\x1b[2J").plain == "t\\x1b[2J"


# -- console markup (class 4) --------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Statement [/] annex",
        "Roadmap [updated] 2025",
        "[link=https://evil.example/]click here[/link]",
        "[bold red]loud[/] and [/x] closing",
        "ends with a backslash \\",
    ],
)
def test_list_prints_a_title_with_markup_literally(
    capsys: pytest.CaptureFixture[str], corpus: Path, title: str
) -> None:
    edit(V2, title=title)(corpus)
    before = tree_digest(corpus)
    code, out, err = run(capsys, "list", "--corpus", corpus)
    assert code == 0, err
    assert title in out
    assert tree_digest(corpus) == before


def test_a_link_in_a_title_is_no_hyperlink_on_a_terminal(corpus: Path) -> None:
    from rich.console import Console

    from narrative_diff import api
    from narrative_diff.cli.terminal import print_listing

    edit(V2, title="[link=https://evil.example/]click here[/link]")(corpus)
    buffer = io.StringIO()
    print_listing(
        api.list_snapshots(api.open_corpus(corpus), None),
        Console(file=buffer, force_terminal=True, width=300),
    )
    assert "\x1b]8;" not in buffer.getvalue()  # OSC 8: a clickable link
    assert "[link=https://evil.example/]click here[/link]" in buffer.getvalue()


@pytest.mark.parametrize("command", [("actors",), ("score",), ("score", "--between", "v1", "v2")])
def test_an_actor_named_with_markup_is_printed_as_written(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    actors = tmp_path / "actors.toml"
    actors.write_text(actors_file("[/x] China [bold]"), encoding="utf-8")
    extra = () if command == ("actors",) else ("--corpus", corpus)
    code, out, err = run(capsys, *command, "--actors", actors, *extra)
    assert code == 0, err
    assert "[/x] China [bold]" in out
    assert "internal-error" not in err


def test_compare_prints_titles_and_passages_with_markup_literally(
    capsys: pytest.CaptureFixture[str], corpus: Path
) -> None:
    edit(V1, title="Roadmap [updated] 2025")(corpus)
    edit(V2, title="Statement [/] annex", sentence="Closing [/x] and [b]bold[/b].")(corpus)
    for extra in ((), ("--side-by-side",)):
        code, out, err = run(capsys, "compare", "v1", "v2", *extra, "--corpus", corpus)
        assert code == 0, err
        assert "Roadmap [updated] 2025" in out and "Statement [/] annex" in out
        assert "[/x]" in out and "[b]bold[/b]" in out


# -- terminal escapes (class 5) ------------------------------------------------------------


def test_list_and_kwic_show_escapes_escaped(
    capsys: pytest.CaptureFixture[str], corpus: Path
) -> None:
    edit(V2, title=ESCAPES, sentence=ESCAPES)(corpus)
    code, out, err = run(capsys, "list", "--corpus", corpus)
    assert code == 0, err
    assert "\\x1b]0;pwned\\x07" in out and "\\u202eoverride" in out
    assert not RAW.search(out + err)
    code, out, err = run(capsys, "kwic", "screen", "--corpus", corpus)
    assert code == 0, err
    assert "\\x1b[2J" in out
    assert not RAW.search(out + err)


def test_compare_on_a_terminal_writes_no_escape_of_the_document(corpus: Path) -> None:
    from rich.console import Console

    from narrative_diff import api
    from narrative_diff.render.compare_terminal import print_comparison

    edit(V2, title=ESCAPES, sentence=ESCAPES)(corpus)
    result = api.compare_refs(api.open_corpus(corpus), "v1", "v2")
    for side_by_side in (False, True):
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=True, color_system="standard", width=200)
        print_comparison(result, console, side_by_side=side_by_side)
        shown = buffer.getvalue()
        for raw in ("\x1b[2J", "\x1b]0;", "\x1b]8;", "\x07", "\x9b", "\x08", "\u202e"):
            assert raw not in shown  # rich's own colour codes (\x1b[31m…) are fine
        assert "\\x1b[2J" in shown


def test_compare_markdown_and_html_show_escapes_json_keeps_them(
    capsys: pytest.CaptureFixture[str], corpus: Path
) -> None:
    edit(V2, title=ESCAPES, sentence=ESCAPES)(corpus)
    for fmt in ("terminal", "md", "html"):
        code, out, err = run(capsys, "compare", "v1", "v2", "-f", fmt, "--corpus", corpus)
        assert code == 0, err
        assert not RAW.search(out), fmt
        assert "x1b" in out and "0;pwned" in out, fmt
    code, out, err = run(capsys, "compare", "v1", "v2", "-f", "json", "--corpus", corpus)
    assert not RAW.search(out)  # C1 and bidi as \u escapes too: the same JSON value
    document = json.loads(out)
    assert document["b"]["title"] == ESCAPES  # exact text for machines
    assert any("\x1b]0;pwned\x07" in (s["b_text"] or "") for s in document["segments"])


def test_an_error_line_shows_the_ref_escaped_on_one_line(
    capsys: pytest.CaptureFixture[str], corpus: Path
) -> None:
    code, _, err = run(capsys, "show", "v1\x1b[2J\x1b]0;x\x07\nv2", "--corpus", corpus)
    assert code == 4
    assert err.count("\n") == 1 and err.startswith("narrative-diff: unknown-ref: ")
    assert "'v1\\x1b[2J\\x1b]0;x\\x07 v2'" in err  # whitespace collapsed, ESC shown
    assert not RAW.search(err)


def test_a_warning_is_one_escaped_line(capsys: pytest.CaptureFixture[str]) -> None:
    warn("no occurrence of '\x1b]0;pwned\x07\nsecond' in the series")
    err = capsys.readouterr().err
    assert err == "warning: no occurrence of '\\x1b]0;pwned\\x07\\nsecond' in the series\n"


def test_an_actor_name_with_escapes_is_shown_escaped(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    actors = tmp_path / "actors.toml"
    actors.write_text(actors_file("China \x1b]0;pwned\x07 \u202eanihC"), encoding="utf-8")
    for extra in ((), ("score", "--corpus", str(corpus))):
        code, out, err = run(capsys, *(extra[:1] or ("actors",)), "--actors", actors, *extra[1:])
        assert code == 0, err
        assert "China \\x1b]0;pwned\\x07 \\u202eanihC" in out
        assert not RAW.search(out + err)


# -- CSV (class 11) ------------------------------------------------------------------------


def test_csv_quotes_text_that_starts_a_formula_not_numbers() -> None:
    rows = [
        {"t": "=HYPERLINK(1)", "p": "+1", "m": "-0.3866", "a": "@SUM(A1)", "n": -0.3866},
        {"t": "\tx", "p": "\rx", "m": ["-a", "b"], "a": "a=b", "n": 2},
    ]
    text = to_csv(rows)
    assert text.split("\n") == [
        "t,p,m,a,n",
        "'=HYPERLINK(1),'+1,'-0.3866,'@SUM(A1),-0.3866",
        '"\'\tx","\'\rx","\'-a; b","a=b","2"',  # a CR: every cell quoted, or readers split
        "",
    ]
    assert len(list(csv.reader(io.StringIO(text)))) == 3


def test_list_csv_quotes_a_formula_title_and_json_keeps_it(
    capsys: pytest.CaptureFixture[str], corpus: Path
) -> None:
    title = '=HYPERLINK("https://evil.example/","x")'
    edit(V2, title=title)(corpus)
    code, out, err = run(capsys, "list", "-f", "csv", "--corpus", corpus)
    assert code == 0, err
    assert '"\'=HYPERLINK(""https://evil.example/"",""x"")"' in out
    code, out, err = run(capsys, "list", "-f", "json", "--corpus", corpus)
    assert [r["title"] for r in json.loads(out)][1] == title


def test_score_csv_keeps_negative_numbers_as_numbers(
    capsys: pytest.CaptureFixture[str], corpus: Path
) -> None:
    code, out, err = run(capsys, "score", "-f", "csv", "--corpus", corpus)
    assert code == 0, err
    assert "'" not in "".join(line.split(",")[-1] for line in out.splitlines())
    assert not re.search(r"(^|,)'-?\d", out)  # no number was turned into text


def test_json_escapes_c1_and_bidi_as_the_same_value() -> None:
    value = {"t": "a\x9bb\u202ec\x1b"}
    text = to_json(value)
    assert "\\u009b" in text and "\\u202e" in text and "\\u001b" in text
    assert json.loads(text) == value


@pytest.mark.parametrize("value", [{"t": "plain\x7fascii"}, ["é\x7f"], "\x7f"])
def test_json_escapes_delete_in_ascii_text_too(value: object) -> None:
    """An all-ASCII document skips the escaping pass unless it holds DEL (U+007F)."""
    text = to_json(value)
    assert "\x7f" not in text and "\\u007f" in text
    assert json.loads(text) == value


# -- matplotlib warnings (class 11) --------------------------------------------------------


def test_a_missing_glyph_is_one_warning_line(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    actors = tmp_path / "actors.toml"
    actors.write_text(actors_file("China \ue000\ue000 \ue001"), encoding="utf-8")
    out_png = tmp_path / "c.png"
    code, _, err = run(capsys, "chart", "--actors", actors, "--corpus", corpus, "-o", out_png)
    assert code == 0, err
    assert out_png.stat().st_size > 0
    lines = err.splitlines()
    assert all(line.startswith("warning: chart: no font has a glyph for U+") for line in lines)
    assert [line.split()[8] for line in lines] == ["U+E000", "U+E001"]  # once each, in order
    assert "UserWarning" not in err and "savefig" not in err


@pytest.mark.filterwarnings("default")  # as outside pytest: warnings are shown, not raised
def test_python_warnings_in_a_command_become_warning_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrative_diff import api

    def noisy(*_: object, **__: object) -> object:
        warnings.warn("tight_layout not applied\x1b[2J", UserWarning, stacklevel=1)
        warnings.warn("tight_layout not applied\x1b[2J", UserWarning, stacklevel=1)
        raise SystemExit(0)

    monkeypatch.setattr(api, "load_actors", noisy)
    with pytest.raises(SystemExit):
        main(["actors"])
    err = capsys.readouterr().err
    assert err == "warning: tight_layout not applied\\x1b[2J\n"


def test_echo_escapes_except_exact_text_into_a_pipe(capsys: pytest.CaptureFixture[str]) -> None:
    from narrative_diff.cli.app import echo

    echo("a\x1b[2J\tb\nc", err=True)
    echo("a\x1b[2J", exact_when_piped=True)  # captured stdout is no terminal: exact
    out, err = capsys.readouterr()
    assert err == "a\\x1b[2J\tb\nc\n"
    assert out == "a\x1b[2J\n"


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal (so the spinner and the progress bar draw)."""

    def isatty(self) -> bool:
        return True


def test_status_and_progress_labels_are_literal(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from narrative_diff.cli.app import progress, status

    fake = _Terminal()
    monkeypatch.setattr("sys.stderr", fake)
    with status("Reading [/x] \x1b]0;pwned\x07"):
        pass
    clock = iter(range(0, 1000, 5))
    monkeypatch.setattr(time, "monotonic", lambda: float(next(clock)))
    with progress("Report [/]") as shown:
        assert shown is not None
        shown(1, 2, "[bold]charts[/x] \x1b[2J")
    drawn = fake.getvalue()
    assert "Reading [/x] \\x1b]0;pwned\\x07" in drawn
    assert "Report [/]: [bold]charts[/x] \\x1b[2J" in drawn
    assert "\x1b]0;pwned" not in drawn and "\x1b[2J" not in drawn


def test_reports_and_show_keep_escapes_off_the_terminal(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report (Markdown, HTML) shows a document's control characters escaped; `show`
    into a pipe keeps the exact text, as `cat` would."""
    edit(V2, title=f"Paper {ESCAPES[:12]}", sentence=ESCAPES)(corpus)
    for name in ("r.md", "r.html"):
        assert main(["report", "--corpus", str(corpus), "-o", str(tmp_path / name)]) == 0
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert not RAW.search(text.replace("\n", "").replace("\t", "")), name
        assert "x1b" in text, name  # shown (in Markdown its backslash is escaped too)
    capsys.readouterr()
    assert main(["show", "v2", "--corpus", str(corpus)]) == 0
    assert "\x1b[2J" in capsys.readouterr().out  # piped: the exact text


def test_csv_comes_in_pieces_taking_the_rows_one_at_a_time() -> None:
    """Rows as a generator: the CSV text comes in pieces of CSV_CHUNK_ROWS rows, each made
    before the rows after it are asked for (10,000 snapshots' 240,000 score rows are never
    held as dictionaries, nor their text as one string), and the pieces are to_csv's text."""
    from narrative_diff.serialise import CSV_CHUNK_ROWS, csv_chunks, to_csv

    asked = 0
    total = 2 * CSV_CHUNK_ROWS + 7

    def rows():
        nonlocal asked
        for n in range(total):
            asked += 1
            yield {"n": n, "text": "a\rb" if n == 3 else f"=row {n}"}

    pieces = []
    for piece in csv_chunks(rows()):
        pieces.append(piece)
        assert asked <= len(pieces) * CSV_CHUNK_ROWS + 1
    assert len(pieces) == 3
    assert pieces[0].startswith("n,text\n0,'=row 0\n")
    assert '"3","a\rb"' in pieces[0]
    assert "".join(pieces) == to_csv([dict(r) for r in rows()])
    assert "".join(pieces).count("\n") == total + 1
    assert list(csv_chunks([], ["a", "b"])) == ["a,b\n"]
    assert list(csv_chunks([])) == []
