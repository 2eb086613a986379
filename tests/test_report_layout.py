"""The PDF report as a reader sees it (issue 15): page 1 says what the newest snapshot
changed; pages are filled (no page but the last under 15%), no text leaves the page or
overlaps other text, no Markdown syntax shows, long words break with a hyphen. Checked on
the shipped series and on the series with a seventh snapshot that drops five partners.

Pages are rasterised with pdftoppm and text boxes read with ``pdftotext -bbox-layout``
(poppler-utils, installed by .ci/run); without them these tests are skipped locally and
fail in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from narrative_diff.cli import main
from narrative_diff.corpus import Corpus

from .helpers import PINNED, make_snapshot

POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(
    not POPPLER and not os.environ.get("CI"), reason="poppler-utils not installed"
)
#: The seventh snapshot: the partner list of v5 without five of its partners.
V7 = """# International Lunar Research Station: partners, December 2026

The International Lunar Research Station (ILRS) is proposed by China and built in partnership
with several countries and international organisations.

## Partners

Announced partners include South Africa, Azerbaijan, Belarus and Nicaragua, together with the
Asia-Pacific Space Cooperation Organization.
"""
FILL = 0.15


def _report(corpus: Path, folder: Path) -> Path:
    out = folder / "report.pdf"
    assert main(["report", "--corpus", str(corpus), "-o", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shipped-pdf")
    return _report(PINNED, folder)


@pytest.fixture(scope="module")
def seventh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("seventh-pdf")
    shutil.copytree(PINNED, folder / "corpus")
    Corpus(folder / "corpus").add(
        make_snapshot(
            "ilrs",
            "2026-12-partners",
            "2026-12-01",
            V7,
            publisher="CNSA",
            lineage="China official",
            language="en",
        )
    )
    return _report(folder / "corpus", folder)


def _pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def _fill(pdf: Path, folder: Path) -> list[float]:
    """How far down each page's ink reaches, as a share of the page's text area."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(folder / "p")], check=True)
    fills = []
    for png in sorted(folder.glob("p-*.png")):
        with Image.open(png) as image:
            grey = image.convert("L")
            width, height = grey.size
            top, bottom = int(height * 16 / 297), int(height * (297 - 18) / 297)  # margins
            body = grey.crop((0, top, width, bottom)).point(lambda v: 255 if v < 200 else 0)
            box = body.getbbox()
            fills.append(0.0 if box is None else box[3] / (bottom - top))
    return fills


def _boxes(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, float, float]]]]:
    """Per page: width, height and the text blocks' boxes (pdftotext -bbox-layout)."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xhtml))
    pages = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        lines = [
            tuple(float(b.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax"))
            for b in page.iter("{http://www.w3.org/1999/xhtml}line")
        ]
        pages.append((float(page.get("width", 0)), float(page.get("height", 0)), lines))
    return pages  # type: ignore[return-value]


@pytest.mark.parametrize("which", ["shipped", "seventh"])
def test_no_page_but_the_last_is_nearly_empty(which, request, tmp_path):
    pdf = request.getfixturevalue(which)
    fills = _fill(pdf, tmp_path)
    thin = [(n + 1, round(f, 2)) for n, f in enumerate(fills[:-1]) if f < FILL]
    assert not thin, f"pages under {FILL:.0%} filled: {thin}"


@pytest.mark.parametrize("which", ["shipped", "seventh"])
def test_text_stays_on_the_page_and_lines_never_overlap(which, request):
    pdf = request.getfixturevalue(which)
    for number, (width, height, lines) in enumerate(_boxes(pdf), 1):
        for x0, y0, x1, y1 in lines:
            assert x0 >= -0.5 and x1 <= width + 0.5 and y0 >= -0.5 and y1 <= height + 0.5, (
                f"page {number}: text outside the page at {(x0, y0, x1, y1)}"
            )
        for i, a in enumerate(lines):
            for b in lines[i + 1 :]:
                dx = min(a[2], b[2]) - max(a[0], b[0])
                dy = min(a[3], b[3]) - max(a[1], b[1])
                # a line's box (ascent to descent) may reach 2 pt into the next one's: tight
                # leading; text drawn over text overlaps by far more
                assert dx <= 1.0 or dy <= 2.0, f"page {number}: lines overlap: {a} and {b}"


def _images(pdf: Path) -> list[list[tuple[float, float, float, float]]]:
    """Per page: the boxes of its images (x0, y0, x1, y1 from the top left, in points, as
    pdftotext gives text), read from the ``cm`` before each ``Do`` of an image."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(pdf)
    pages = []
    for page in reader.pages:
        height = float(page.mediabox.height)
        objects = page["/Resources"].get("/XObject", {})
        kinds = {name: objects[name].get_object().get("/Subtype") for name in objects}
        boxes, matrix = [], None
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"cm":
                matrix = [float(v) for v in operands]
            elif operator == b"Do" and kinds.get(operands[0]) == "/Image" and matrix:
                a, _, _, d, e, f = matrix
                boxes.append((e, height - (f + d), e + a, height - f))
        pages.append(boxes)
    return pages


@pytest.mark.parametrize("which", ["shipped", "seventh"])
def test_images_keep_their_place_clear_of_the_text(which, request):
    """The charts and heat-maps are put on their pages after the text (each place kept
    for an image of the figure's size): each lies on the page, under its heading, with no
    line of text over it or cut by it."""
    pdf = request.getfixturevalue(which)
    images = _images(pdf)
    assert sum(map(len, images)) == 5  # three charts, two heat-maps
    for number, ((width, height, lines), boxes) in enumerate(
        zip(_boxes(pdf), images, strict=True), 1
    ):
        for x0, y0, x1, y1 in boxes:
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, f"page {number}"
            for a in lines:
                dx = min(a[2], x1) - max(a[0], x0)
                dy = min(a[3], y1) - max(a[1], y0)
                assert dx <= 0.5 or dy <= 0.5, f"page {number}: text {a} on an image"
    text = _pages_text(pdf)
    first = next(n for n, boxes in enumerate(images) if boxes)
    assert "Charts" in text[first]


def test_page_one_says_what_the_newest_snapshot_changed(shipped):
    first = " ".join(_pages_text(shipped)[0].split())
    assert "International Lunar Research Station (ILRS): how the narrative changed" in first
    assert "What the latest snapshot changed: v6 (2025-04-23) against v5 (2024-04-24)" in first
    assert "Serbia (0 → 1)" in first and "Senegal (0 → 1)" in first
    assert "Key findings across the series" in first
    assert "the ILRS actor list shipped with narrative-diff" in first
    assert "bundled:" not in first


def test_a_seventh_snapshot_that_drops_partners_leads_page_one(seventh):
    pages = _pages_text(seventh)
    first = " ".join(pages[0].split())
    assert "What the latest snapshot changed: v7 (2026-12-01) against v6 (2025-04-23)" in first
    dropped = re.search(r"No longer named: (.*?)(?:Named for|Renamed|Replaced|v6:|$)", first)
    assert dropped, first[:2000]
    for name in ("Venezuela", "Pakistan", "Egypt", "Serbia", "Senegal"):
        assert f"{name} (1 → 0)" in dropped[1]
    everything = " ".join(" ".join(pages).split())
    grouped = re.findall(r"\d actors no longer named from 2026-12 \(v7\) on: ([^()]*)", everything)
    assert len(grouped) == 1, grouped  # one grouped finding, not one per partner
    assert all(name in grouped[0] for name in ("Venezuela", "Pakistan", "Egypt", "Serbia"))


@pytest.mark.parametrize("which", ["shipped", "seventh"])
def test_no_markdown_syntax_and_no_word_broken_without_a_hyphen(which, request):
    text = "\n".join(_pages_text(request.getfixturevalue(which)))
    text = text.split("Appendix: methodology")[0]  # (the appendix explains the syntax)
    assert not re.search(r"(^|\s)#{1,6} \S", text), "a Markdown heading marker is shown"
    assert "**" not in text
    # a word cut across lines without a hyphen: a line ending in letters whose next line
    # starts with lowercase letters that are no word on their own ("dem" / "onstration")
    assert "dem\nonstration" not in text and "partner\nship" not in text
