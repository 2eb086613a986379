"""PDF captures (fixtures/captures/pdf): titles in a large font, running lines that are
titles or body text, and the generator that writes the fixtures."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from narrative_diff.errors import UnreadableDocument
from narrative_diff.ingest.pdf import _line_sizes, _run_size, _running_lines, pdf_blocks

from .conftest import FIXTURES
from .helpers import raises_slug

HERE = FIXTURES / "captures" / "pdf"
EXPECTED: dict[str, dict[str, str | None]] = json.loads(
    (HERE / "expected.json").read_text(encoding="utf-8")
)
READABLE = sorted(name for name, want in EXPECTED.items() if "error" not in want)


def _body(path: Path) -> tuple[str, str | None]:
    blocks, title = pdf_blocks(path.read_bytes(), path.name)
    return "\n\n".join(blocks) + "\n", title


def _expected_body(name: str) -> str:
    return (HERE / name).with_suffix(".expected.md").read_text(encoding="utf-8")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_pdfs", HERE / "make_pdfs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_fixture_has_an_expectation() -> None:
    pdfs = {path.name for path in HERE.glob("*.pdf")}
    assert pdfs == set(EXPECTED) == set(_generator().PDFS)
    assert len(READABLE) == 7
    assert {path.name for path in HERE.glob("*.expected.md")} == {
        Path(name).with_suffix(".expected.md").name for name in READABLE
    }


@pytest.mark.parametrize("name", READABLE)
def test_fixture_body_and_title(name: str) -> None:
    body, title = _body(HERE / name)
    assert body == _expected_body(name)
    assert title == EXPECTED[name]["title"]


def test_manual_title_repeated_as_running_header() -> None:
    body, title = _body(HERE / "a-manual.pdf")
    assert title == "ILRS Ground Segment Operations Manual"
    assert body.count(title) == 1  # the "# " heading only: its repeats are running lines
    assert "\n\nPublished by the ILRS Joint Operations Office.\n\n" in body
    assert "Page 1 of" not in body and "of 4" not in body


def test_two_line_title_under_a_smaller_line() -> None:
    body, title = _body(HERE / "b-two-line-title.pdf")
    assert title == "International Lunar Research Station Science Objectives"
    assert body.startswith(f"# {title}\n\nDraft for partner review\n\n")


def test_placeholder_title_falls_back_to_first_line() -> None:
    body, title = _body(HERE / "c-placeholder-title.pdf")
    assert title == "Memorandum on Data Sharing"
    assert "Microsoft Word" not in body and body.count("Memorandum") == 1


def test_pages_alike_are_body_text() -> None:
    body, title = _body(HERE / "d-pages-alike.pdf")
    pair = "Daily log of the International Lunar Research Station relay satellite. All nominal."
    assert title is None
    assert body.split("\n\n") == [pair] * 39 + [pair + "\n"]  # 40 pages × 2 lines


def test_running_header_that_is_not_the_title() -> None:
    body, title = _body(HERE / "e-report.pdf")
    assert title == "Annual Report on Lunar Cooperation 2030"
    assert body.count(title) == 1
    assert "CNSA" not in body and "- 2 -" not in body
    assert body.endswith("launch of the power and communication modules.\n")


def test_han_title_and_page_footer() -> None:
    body, title = _body(HERE / "g-chinese.pdf")
    assert title == "国际月球科研站科学目标与合作方式"
    assert "页" not in body


def test_empty_pages_are_refused() -> None:
    assert EXPECTED["f-empty.pdf"] == {"error": "empty-document"}
    with raises_slug(UnreadableDocument, "empty-document", "f-empty.pdf") as info:
        pdf_blocks((HERE / "f-empty.pdf").read_bytes(), "f-empty.pdf")
    assert "OCR" in (info.value.hint or "")


def test_generator_matches_committed_fixtures(tmp_path: Path) -> None:
    """Regenerated PDFs extract to the committed expectations: the generator and the
    fixtures cannot drift apart."""
    paths = _generator().write_all(tmp_path)
    assert sorted(path.name for path in paths) == sorted(EXPECTED)
    for name in READABLE:
        body, title = _body(tmp_path / name)
        assert (body, title) == (_expected_body(name), EXPECTED[name]["title"]), name
    with raises_slug(UnreadableDocument, "empty-document"):
        _body(tmp_path / "f-empty.pdf")


# --- the rules, on lines ------------------------------------------------------------------


WORDS = ["relay", "orbit", "lander", "rover", "sample", "antenna"]


def test_running_lines_dropped_when_pages_keep_text() -> None:
    pages = [
        ["Header", f"The {w} report", f"The {w} plan", "", f"- {n} -"] for n, w in enumerate(WORDS)
    ]
    pages.append(["Header", "", "- 7 -"])  # a short page: its header is all its text
    drops = _running_lines(pages, keep_first=set())
    assert drops[:6] == [{0, 4}] * 6
    assert drops[6] == {2}
    pages = [["Head", "Body", "Foot"]] * 10  # nothing but running lines: all kept
    assert _running_lines(pages, keep_first=set()) == [set()] * 10


def test_first_page_large_font_is_not_a_running_line() -> None:
    pages = [["Title", f"The {w} report", f"The {w} plan"] for w in WORDS]
    pages[0].insert(1, "Publisher")
    assert _running_lines(pages, keep_first={0}) == [set()] + [{0}] * 5
    assert _running_lines(pages, keep_first=set()) == [{0}] * 6


def test_running_lines_over_half_the_document_are_kept() -> None:
    pages = [["One", "Two", "Three", "Four", "Five"]] * 10  # "Three" is outside the zones
    assert _running_lines(pages, keep_first=set()) == [set()] * 10


def test_text_of_page_numbers_only_is_kept() -> None:
    assert _running_lines([["1"], ["2"], ["3"]], keep_first=set()) == [set()] * 3


def test_effective_font_size_uses_both_matrices() -> None:
    identity = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    assert _run_size(identity, [1.0, 0.0, 0.0, 1.0, 72.0, 700.0], 11) == 11.0
    assert _run_size(identity, [18.0, 0.0, 0.0, 18.0, 72.0, 700.0], 1) == 18.0
    assert _run_size([2.0, 0.0, 0.0, 2.0, 0.0, 0.0], identity, 9) == 18.0
    assert _run_size(identity, [0.0, 12.0, -12.0, 0.0, 0.0, 0.0], 1) == 12.0  # rotated
    assert _run_size(identity, None, 1) == 0.0
    assert _run_size(identity, [float("nan")] * 6, 1) == 0.0  # damaged: unknown


def test_line_sizes_by_position_or_by_text() -> None:
    runs = [("Same", 9.0), ("\n", 0.0), ("Same", 20.0), (" x", 11.0), ("\nBody", 11.0)]
    assert _line_sizes(["Same", "Same x", "Body"], runs) == [9.0, 20.0, 11.0]
    # pypdf's text and its runs disagree: sizes by text, unknown (0) when missing
    assert _line_sizes(["Body", "Other"], runs) == [11.0, 0.0]


def test_a_title_in_the_body_font_that_runs_on_every_page_is_the_title() -> None:
    """(h): the first page's running header is the title, not the publisher line under it."""
    body, title = _body(HERE / "h-body-font-header.pdf")
    assert title == "ILRS Annual Report 2030"
    assert body.startswith("# ILRS Annual Report 2030\n\nLunar Cooperation Office\n\n")
    assert body.count("ILRS Annual Report 2030") == 1  # the other pages' headers are gone
    assert "Page 1 of" not in body
