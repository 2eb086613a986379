"""Battery cases of issue 13, class 2 (unbounded memory and work) and class 11 in part (the
PDF decompression limit, CR-only line endings): documents whose parsing is work out of
proportion to their size, actor patterns that each stay under the per-search limit but not
in sum, long snapshots, many actors. Each case runs in a few seconds.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from .battery import Case, _add, _url

if TYPE_CHECKING:
    from .conftest import LocalHTTPServer

#: A long name on purpose: the battery table cuts a message at 160 characters, before the
#: part that names the slowest pattern (which pattern is slowest varies from run to run).
POLY_FILE = "eight-polynomial-patterns-each-under-the-per-search-cap-actors.toml"
POLY_ACTORS = "{n}/" + POLY_FILE
GROUP = "work: memory and time"
POLY = "[a-z]+[a-z]+[a-z]+"  # cubic on a long word, each search well under 2 s


def cases() -> list[Case]:
    return [
        Case(
            "DOCX: 210,000 paragraphs in a 70 KB file",
            GROUP,
            _add("many-paragraphs.docx"),
        ),
        Case(
            "DOCX: 5,000,000 XML elements in one paragraph",
            GROUP,
            _add("many-elements.docx"),
        ),
        Case(
            "DOCX: 2,000 ordinary paragraphs (counted, then read)",
            GROUP,
            _add("long.docx", "--language", "en"),
            "added",
        ),
        Case("PDF: 12,000 pages sharing one content stream", GROUP, _add("many-pages.pdf")),
        Case("PDF: a stream that inflates to 80 MB", GROUP, _add("inflates.pdf")),
        Case(
            "PDF: a stream that inflates to 80 MB, as a URL",
            GROUP,
            _url("{u}/inflates.pdf"),
        ),
        Case(
            "plain text with CR-only line endings (old Mac)",
            GROUP,
            _add("cr-only.txt", "--language", "en"),
            "added",
        ),
        Case(
            "Markdown with CR-only line endings and front matter",
            GROUP,
            _add("cr-only.md", "--language", "en"),
            "added",
        ),
        Case(
            "SRT subtitles with CR-only line endings",
            GROUP,
            _add("cr-only.srt", "--language", "en"),
            "added",
        ),
        Case(
            "eight polynomial actor patterns, score (budget 1 s)",
            GROUP,
            ("score", "--actors", POLY_ACTORS, "--corpus", "{c}"),
            corpus_setup=_long_word,
            env={"NARRATIVE_DIFF_PATTERN_SECONDS": "1"},
        ),
        Case(
            "eight polynomial actor patterns, kwic of an actor (budget 1 s)",
            GROUP,
            ("kwic", "p0", "--actors", POLY_ACTORS, "--corpus", "{c}"),
            corpus_setup=_long_word,
            env={"NARRATIVE_DIFF_PATTERN_SECONDS": "1"},
        ),
        Case(
            "a budget that is not a number (the default applies)",
            GROUP,
            ("score", "--actors", POLY_ACTORS, "--corpus", "{c}"),
            "handled",
            env={"NARRATIVE_DIFF_PATTERN_SECONDS": "nan"},
        ),
        Case(
            "kwic --regex, polynomial, over the series (budget 0.2 s)",
            GROUP,
            ("kwic", POLY + r"\d", "--regex", "--corpus", "{c}"),
            corpus_setup=_long_word,
            env={"NARRATIVE_DIFF_PATTERN_SECONDS": "0.2"},
        ),
        Case(
            "score -f csv with an actors file of 3,000 actors",
            GROUP,
            ("score", "-f", "csv", "--actors", "{n}/3000-actors.toml", "--corpus", "{c}"),
            "handled",
        ),
        Case(
            "kwic with an actors file of 10,000 actors",
            GROUP,
            ("kwic", "china", "--actors", "{n}/10000-actors.toml", "--corpus", "{c}"),
            "handled",
        ),
        Case(
            "score two snapshots of 4,000 sentences each (bootstrap in blocks)",
            GROUP,
            ("score", "long", "-f", "csv", "--corpus", "{c}"),
            "handled",
            corpus_setup=_long_series,
        ),
    ]


def nasty(folder: Path) -> None:
    """The documents of the cases above."""
    w = {
        "many-paragraphs.docx": _docx(b"<w:p><w:r><w:t>China</w:t></w:r></w:p>" * 210_000),
        "many-elements.docx": _docx(b"<w:p>" + b"<w:r/>" * 5_000_000 + b"</w:p>"),
        "long.docx": _real_docx(2_000),
        "many-pages.pdf": _pdf_pages(12_000),
        "inflates.pdf": _pdf_pages(1, padding=80_000_000),
        "cr-only.txt": b"Joint Statement\r\rThe ILRS is proposed by China.\rRussia joins it.\r",
        "cr-only.md": b"---\rtitle: Partners\rdate: 2030-01-01\r---\r\r# Partners\r\r"
        b"The ILRS is proposed by China.\rRussia joins it.\r",
        "cr-only.srt": b"1\r00:00:01,000 --> 00:00:02,000\rChina proposes the ILRS.\r\r"
        b"2\r00:00:03,000 --> 00:00:04,000\rRussia joins it.\r",
    }
    for name, data in w.items():
        (folder / name).write_bytes(data)
    (folder / POLY_FILE).write_text(
        "\n".join(
            f"[actors.p{i}]\nname = 'P{i}'\naliases = ['Pee{i}']\n"
            f"patterns = ['{POLY}[0-{i + 1}]']\n"
            for i in range(8)
        )
    )
    for count in (3_000, 10_000):
        (folder / f"{count}-actors.toml").write_text(
            "[actors.china]\nname = 'China'\naliases = ['China', 'CNSA']\n\n"
            + "\n".join(
                f"[actors.a{i}]\nname = 'Actor {i}'\naliases = ['Zorblat{i}', 'Qux agency {i}']\n"
                for i in range(count - 1)
            )
        )


def routes(server: LocalHTTPServer) -> None:
    server.route("/inflates.pdf", _pdf_pages(1, padding=80_000_000), content_type="application/pdf")


def _docx(body: bytes) -> bytes:
    """A .docx zip whose word/document.xml holds ``body`` (never parsed: counted first)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body>' + body + b"</w:body></w:document>",
        )
    return buffer.getvalue()


def _real_docx(paragraphs: int) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Partners", level=1)
    for n in range(paragraphs):
        document.add_paragraph(f"Paragraph {n}: the ILRS is proposed by China and Russia.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf_pages(pages: int, padding: int = 0) -> bytes:
    """A PDF of ``pages`` pages sharing one content stream, padded with ``padding`` spaces
    after its text (they compress to almost nothing)."""
    content = b"BT /F1 12 Tf 72 720 Td (The ILRS is proposed by China.) Tj ET\n" + b" " * padding
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
        + b"] /Count %d >>" % pages,
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>"
    ] * pages
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def _snapshot(corpus: Path, series: str, name: str, date: str, body: str) -> None:
    folder = corpus / series
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(
        f"---\nid: {series}/{name}\nseries: {series}\ndate: {date}\ntitle: T\nlanguage: en\n"
        f"---\n\n{body}\n",
        encoding="utf-8",
    )


def _long_word(corpus: Path) -> None:
    """A snapshot with a 700-letter word: each polynomial pattern (POLY_FILE) takes about
    0.5 s on it on a fast machine (cubic in the length: 420 letters took 0.11 s, and eight
    of them fitted in a 1 s budget), so eight of them overrun a 1 s budget four times over;
    on a slow one, the first search is stopped at the budget itself."""
    _snapshot(corpus, "ilrs", "2030-01-long-word", "2030-01-01", f"China, {'a' * 700}.")


def _long_series(corpus: Path) -> None:
    """Two snapshots of 4,000 one-line sentences, each naming an actor: the bootstrap's
    whole draw would be 2,000 × 4,000 cells per snapshot."""
    names = ("China", "Russia", "the United States", "Roscosmos", "CNSA", "Europe")
    for n, date in enumerate(("2030-01-01", "2030-06-01")):
        lines = [
            f"Sentence {i}: {names[(i + n) % len(names)]} builds the lunar station."
            for i in range(4_000)
        ]
        _snapshot(corpus, "long", f"2030-0{n + 1}-long", date, "\n".join(lines))
