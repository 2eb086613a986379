"""The report as a PDF, with fpdf2.

Why fpdf2: it is pure Python (fontTools underneath, already installed with matplotlib); it
embeds and subsets TrueType fonts and falls back glyph by glyph from one font to another,
so a sentence mixing Latin, Cyrillic and Han prints with DejaVu Sans and WenQuanYi Micro Hei
(fonts.py) without splitting runs by hand; it strikes through and underlines text (the
redline without colour); it has tables, page-number aliases and a fixed creation date, so
the same report gives the same bytes. WeasyPrint needs Pango from the system; reportlab has
no glyph fallback; matplotlib's PdfPages makes figure pages, not flowing searchable text.

Text is set as text (searchable, copyable); the charts are embedded PNG images.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from narrative_diff.charts import figure_size
from narrative_diff.charts.heatmap import heatmap_size
from narrative_diff.fonts import FontSet

from .layout import PIVOT_COLUMNS, hyphenated, pivot
from .model import TABLE_COLUMNS, Report, cell, table_header
from .pdf_document import GREY, Document  # (this module is imported only to make a PDF)

if TYPE_CHECKING:
    from narrative_diff.findings import Finding

Colour = tuple[int, int, int]
#: PNG images, in the order of their places.
Images = Sequence[bytes]
INK = (26, 26, 26)
DELETED = (160, 20, 20)
INSERTED = (10, 100, 40)
MOVED = (91, 79, 201)
LABEL_COLOURS = {
    "supported": (10, 100, 40),
    "directional": (150, 90, 0),
    "cross-language": (90, 90, 90),
    "candidate": (0, 90, 160),
    "lexical": (90, 90, 90),
}


def set_text(report: Report, fonts: FontSet) -> Callable[[Images, Images], bytes]:
    """Set all of ``report``'s text, keeping each image's place on its page (its size is
    known from the figure's); the function returned puts the images in, the charts and
    the heat-maps in order, and gives the PDF's bytes. The images may still be being drawn
    while the text is set: nothing here waits for them.

    Sections flow one after the other (a new page only where the next block would not fit),
    every heading is kept with what follows it, and long words in narrow cells break at
    hyphenation points (pyphen), never in the middle of a syllable without a hyphen."""
    pdf = _document(report, fonts)
    _first_page(pdf, report)
    _findings(pdf, report)
    _snapshots(pdf, report)
    charts = _charts(pdf, report)
    heatmaps = _stayed(pdf, report)
    _score_table(pdf, report)
    _pairs(pdf, report)
    _long_table(pdf, report)
    _methodology(pdf, report)

    def with_images(charts_png: Images, heatmaps_png: Images) -> bytes:
        _place(pdf, charts, charts_png)
        _place(pdf, heatmaps, heatmaps_png)
        return bytes(pdf.output())

    return with_images


def _document(report: Report, fonts: FontSet) -> Document:
    pdf = Document(fonts, report.series_name)
    pdf.set_margins(16, 16, 16)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(report.title)
    pdf.set_author(report.tool)
    pdf.set_subject(f"Series {report.series}, {report.first_date} to {report.last_date}")
    pdf.set_creator(report.tool)
    pdf.set_producer(report.tool)
    pdf.set_lang("en")
    pdf.set_creation_date(_fixed_date(report))
    pdf.alias_nb_pages()
    pdf.add_page()
    return pdf


def _fixed_date(report: Report) -> dt.datetime:
    """SOURCE_DATE_EPOCH if set, else the last snapshot's date: never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.fromisoformat(report.last_date).replace(tzinfo=dt.UTC)


#: Provenance longer than this (characters) is set as paragraphs, not in the table (a table
#: row must fit on one page: about 1,000 words do not).
PROVENANCE_IN_TABLE = 3000
#: Room (mm) a heading needs below it on its page; less, and it starts the next page.
KEEP_WITH_NEXT = 30.0


def _room(pdf: Document, needed: float) -> None:
    """Start a new page unless ``needed`` mm are left on this one (a heading is never
    left alone at a page's foot)."""
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()


def _heading(pdf: Document, text: str, size: float = 14, *, outline: int | None = 0) -> None:
    """A heading, kept with the first lines after it; ``outline`` is its level in the
    PDF's bookmarks (None: not listed)."""
    _room(pdf, KEEP_WITH_NEXT + size * 0.5)
    if outline is not None:
        pdf.start_section(text, level=outline, strict=False)
    pdf.set_font("body", "B", size)
    pdf.set_text_color(*INK)
    pdf.fallback_for(text)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(1.5)


def _para(
    pdf: Document,
    text: str,
    *,
    size: float = 10,
    colour: Colour = INK,
    style: str = "",
    indent: float = 0,
) -> None:
    pdf.set_font("body", style, size)
    pdf.set_text_color(*colour)
    pdf.set_x(pdf.l_margin + indent)
    pdf.fallback_for(text)
    pdf.multi_cell(0, size * 0.48, text, new_x="LMARGIN", new_y="NEXT", align="L")


def _first_page(pdf: Document, report: Report) -> None:
    """The title, what the newest snapshot changed, then the strongest findings."""
    _heading(pdf, report.title, 18)
    if report.description:
        _para(pdf, report.description, size=10)
    n = len(report.snapshots)
    _para(
        pdf,
        f"{n} snapshot{'s' if n != 1 else ''} from {report.first_date} to {report.last_date}; "
        f"actors from {report.actors_said}. Made by {report.tool}; how the numbers are "
        "made: the appendix.",
        colour=GREY,
        size=8.5,
    )
    pdf.ln(3)
    _latest(pdf, report)
    _heading(pdf, "Key findings across the series", 13, outline=1)
    for finding in report.headlines:
        _finding(pdf, finding)
    if not report.headlines:
        _para(pdf, report.no_findings, size=9.5, colour=GREY)


def _latest(pdf: Document, report: Report) -> None:
    """What the newest snapshot changed, grouped, with the sentences that show it."""
    latest = report.latest
    if latest is None:
        if report.no_latest:
            _heading(pdf, "The latest snapshot", 13, outline=1)
            _para(pdf, report.no_latest, size=9.5, colour=GREY)
            pdf.ln(2)
        return
    _heading(pdf, latest.heading, 13, outline=1)
    _para(pdf, latest.verdict, size=9, colour=GREY)
    pdf.ln(0.8)
    for line in latest.lines():
        _para(pdf, line, size=10, style="B")
    for names, ref, quote in latest.quotes():
        _para(pdf, f"{names}, {ref}: “{quote}”", size=8.5, colour=GREY, indent=3)
    for swap in latest.swaps:
        _para(pdf, f"{latest.a_ref}: “{swap.sentence_before}”", size=8.5, colour=GREY, indent=3)
        _para(pdf, f"{latest.b_ref}: “{swap.sentence_after}”", size=8.5, colour=GREY, indent=3)
    pdf.ln(3)


def _table(
    pdf: Document,
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    size: float = 8,
    right: Sequence[int] = (),
    lang: str = "en",
) -> None:
    """A table with padded, left-aligned cells (numbers right-aligned), long words
    hyphenated, the header row repeated on each page."""
    from fpdf.fonts import FontFace

    pdf.set_font("body", "", size)
    pdf.set_text_color(*INK)
    aligns = tuple("RIGHT" if i in right else "LEFT" for i in range(len(widths)))
    pdf.fallback_for(*(text for row in rows for text in row))
    with pdf.table(
        col_widths=tuple(widths),
        text_align=aligns,
        first_row_as_headings=True,
        headings_style=FontFace(emphasis="BOLD", fill_color=(236, 236, 236)),
        line_height=size * 0.5,
        padding=(0.8, 1.2),
        repeat_headings=1,
    ) as table:
        for row in rows:
            table.row([hyphenated(text, lang) for text in row])
    pdf.ln(3)


def _snapshots(pdf: Document, report: Report) -> None:
    """The snapshots, then their provenance, both as tables."""
    _heading(pdf, "Snapshots", 13, outline=0)
    rows = [["ref", "date", "title", "publisher", "lang", "words"]]
    rows += [
        [s.ref, s.date, s.title_cell, report.publisher_of(s), s.language, str(s.words)]
        for s in report.snapshots
    ]
    _table(pdf, rows, (9, 19, 72, 46, 10, 16), right=(5,))
    _heading(pdf, "Provenance", 11, outline=1)
    if max((len(s.provenance) for s in report.snapshots), default=0) > PROVENANCE_IN_TABLE:
        for s in report.snapshots:  # a table row must fit on one page: long ones flow
            _para(pdf, f"{s.ref} {s.id}" + (f" ({s.source_url})" if s.source_url else ""),
                  size=8.5, style="B")  # fmt: skip
            _para(pdf, s.provenance or "(no provenance recorded)", size=8, colour=GREY, indent=3)
            pdf.ln(0.8)
        return
    rows = [["ref", "source", "provenance"]]
    rows += [
        [s.ref, f"{s.id}" + (f"\n{s.source_url}" if s.source_url else ""),
         s.provenance or "(no provenance recorded)"]
        for s in report.snapshots
    ]  # fmt: skip
    _table(pdf, rows, (9, 55, 114), size=7.5)


def _finding(pdf: Document, finding: Finding, *, size: float = 10) -> None:
    _para(pdf, finding.headline, size=size, style="B")
    _para(
        pdf,
        finding.detail,
        size=size - 1.5,
        colour=LABEL_COLOURS.get(finding.label, GREY),
        indent=3,
    )
    for quote in finding.quotes:
        _para(
            pdf,
            f"{quote.ref} ({quote.date}): “{quote.text}”",
            size=size - 1.5,
            colour=GREY,
            indent=6,
        )
    pdf.ln(1.5)


def _findings(pdf: Document, report: Report) -> None:
    rest = report.others
    if not rest:
        return
    pdf.ln(2)
    _heading(pdf, "More findings, strongest first")
    _para(
        pdf,
        "Labels: supported (the change is too large to be chance), directional (too few "
        "mentions to tell), cross-language (no test across languages), candidate rename, "
        "lexical (a replaced phrase). How each is decided: the appendix.",
        size=8.5,
        colour=GREY,
    )
    pdf.ln(2)
    for finding in rest:
        _finding(pdf, finding, size=9.5)


#: Where an image goes: its page, x, y, width and height (mm).
Box = tuple[int, float, float, float, float]


def _charts(pdf: Document, report: Report) -> list[Box]:
    _heading(pdf, "Charts")
    return [_keep_place(pdf, figure_size(panels)) for panels in report.figures]


def _keep_place(pdf: Document, inches: tuple[float, float]) -> Box:
    """Room for an image of that size (a figure's, in inches) where the text has come to:
    the page, and the box it will take; the text goes on below it."""
    aspect = inches[1] / inches[0]
    # a chart faceted by lineage is tall: at most one page high
    w = min(pdf.epw, (pdf.page_break_trigger - pdf.t_margin - 6) / aspect)
    _room(pdf, w * aspect)
    box = (pdf.page, pdf.x, pdf.y, w, w * aspect)
    pdf.set_y(pdf.y + w * aspect)
    pdf.ln(3)
    return box


def _place(pdf: Document, boxes: Sequence[Box], pngs: Images) -> None:
    """Put each image in the place kept for it (on an earlier page: fpdf2 writes to the
    page ``pdf.page`` names), then come back to where the text ended."""
    if not boxes:
        return
    page, x, y = pdf.page, pdf.x, pdf.y
    for (on, left, top, w, h), png in zip(boxes, pngs, strict=True):
        pdf.page = on
        pdf.image(io.BytesIO(png), x=left, y=top, w=w, h=h)
    pdf.page = page
    pdf.set_xy(x, y)


def _stayed(pdf: Document, report: Report) -> list[Box]:
    """What stayed, what went: the stable core, the names and sentences gone, the newest
    arrivals, then (the places of) the heat-maps."""
    stayed = report.stayed
    if stayed is None:
        return []
    _heading(pdf, "What stayed, what went")
    if stayed.note:
        _para(pdf, stayed.note, size=8.5, colour=GREY)
        pdf.ln(1)
    for title, items in stayed.groups():
        _heading(pdf, title, 11, outline=1)
        for label, quote in items:
            if label:
                _para(pdf, label, size=9, style="B", indent=3)
            _para(
                pdf,
                f"“{quote}”" if label or quote[:1] != "(" else quote,
                size=9,
                colour=GREY,
                indent=6,
            )
        pdf.ln(1.5)
    return [_keep_place(pdf, heatmap_size(heat)) for heat in report.heatmaps]


def _score_table(pdf: Document, report: Report) -> None:
    """Actors × snapshots: mentions and prominence in each (the long form, one row per
    snapshot and actor, is in the appendix and the CSV)."""
    grid = pivot(report)
    if not grid.actors:
        return
    _heading(pdf, "Mentions and prominence by snapshot")
    _para(
        pdf,
        "Each cell: mentions, then prominence (mentions weighted by where they stand). "
        "“gone” marks the snapshot where an actor stops being named.",
        size=8,
        colour=GREY,
    )
    pdf.ln(1)
    refs = list(grid.refs)
    for start in range(0, len(refs), PIVOT_COLUMNS):  # wide series: several bands
        band = refs[start : start + PIVOT_COLUMNS]
        rows = [["actor", *band]]
        rows += [[actor, *(grid.cells[(actor, ref)] for ref in band)] for actor in grid.actors]
        width = (pdf.epw - 38) / len(band)
        _table(pdf, rows, (38, *(width,) * len(band)), size=7.5, right=range(1, len(band) + 1))


def _long_table(pdf: Document, report: Report) -> None:
    _heading(pdf, "Appendix: the score table, one row per snapshot and actor")
    rows = [[table_header(c) for c in TABLE_COLUMNS]]
    rows += [[cell(c, row) for c in TABLE_COLUMNS] for row in report.table]
    _table(pdf, rows, (9, 19, 36, 17, 20, 19, 17, 41), size=7.5, right=(3, 4, 5, 6))


def _pairs(pdf: Document, report: Report) -> None:
    for n, pair in enumerate(report.pairs):
        _room(pdf, KEEP_WITH_NEXT + 10)
        if n == 0:
            pdf.start_section("Changes by pair", level=0, strict=False)
        line = f", lineage {pair.lineage}" if pair.lineage else ""
        title = f"{pair.a_ref} → {pair.b_ref} ({pair.a_date} → {pair.b_date}{line})"
        _heading(pdf, title, outline=1)
        _para(pdf, pair.verdict, size=9.5, style="B")
        pdf.ln(1)
        for section in pair.sections:
            _para(pdf, section.title, size=9, style="B")
            for line in section.lines:
                _para(pdf, f"• {line}", size=8.5, indent=3)
            pdf.ln(0.8)
        pdf.ln(1)
        _para(
            pdf,
            "Changed passages: deleted text struck through (red), inserted text "
            "underlined (green); moved passages are marked “moved”.",
            size=8,
            colour=GREY,
        )
        pdf.ln(1)
        for passage in pair.passages:
            tag = f"{passage.label} {passage.position}"
            _para(pdf, tag, size=7.5, colour=MOVED if passage.moved else GREY, style="B")
            for runs, side in ((passage.a_runs, "before"), (passage.b_runs, "after")):
                if any(text.strip() for _, text in runs):
                    _runs(pdf, runs, side)
            pdf.ln(1.5)
        if pair.more:
            _para(
                pdf,
                f"… {pair.more} more changed passages: narrative-diff compare "
                f"{pair.a_ref} {pair.b_ref}",
                size=8.5,
                colour=GREY,
            )


def _runs(pdf: Document, runs: Sequence[tuple[bool, str]], side: str) -> None:
    """One side of a passage: the side's own changes struck through or underlined. The
    runs are set as one paragraph, so a word that the diff splits into two runs ("dem" +
    "onstration") still breaks as one word."""
    size = 8.5
    columns = pdf.text_columns(l_margin=pdf.l_margin + 3, text_align="LEFT", line_height=1.1)
    pdf.fallback_for(*(text for _, text in runs))
    with columns as cols, cols.paragraph() as par:
        pdf.set_font("body", "B", 7)
        pdf.set_text_color(*GREY)
        par.write(f"{side}: ")
        for marked, text in runs:
            if marked and side == "before":
                pdf.set_font("body", "S", size)
                pdf.set_text_color(*DELETED)
            elif marked:
                pdf.set_font("body", "U", size)
                pdf.set_text_color(*INSERTED)
            else:
                pdf.set_font("body", "", size)
                pdf.set_text_color(*INK)
            par.write(text)
    pdf.ln(0.8)


def _methodology(pdf: Document, report: Report) -> None:
    if not report.methodology:
        return
    from fpdf.fonts import FontFace, TextStyle
    from markdown_it import MarkdownIt

    _heading(pdf, "Appendix: methodology")
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(report.methodology)
    pdf.set_text_color(*INK)
    pdf.set_font("body", "", 9)
    pdf.fallback_for(report.methodology)

    def heading(size: float, top: float) -> TextStyle:
        return TextStyle(font_size_pt=size, t_margin=top, color=INK, b_margin=1.5, font_style="B")

    pdf.write_html(  # code in the body font too: Courier has no Cyrillic or Han glyphs
        html,
        font_family="body",
        tag_styles={
            "code": FontFace(family="body", color=(60, 60, 60)),
            "pre": TextStyle(font_family="body", t_margin=2),
            "h1": heading(13, 4),
            "h2": heading(11.5, 4),
            "h3": heading(10.5, 3),
        },
    )
