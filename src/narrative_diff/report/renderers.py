"""The report's output formats: each renderer draws a :class:`~.model.Report`, nothing more.

A renderer is chosen through :data:`RENDERERS` by the format a file name asks for; adding a
format is one function and one entry here. Renderers share :class:`Art`: the charts, drawn
once (one PNG each, for every format) and only when a renderer asks for them, and the fonts
that cover the text. :func:`write_report` renders every format asked for (the text of
each, then the images of each), then writes the files as one set (a reader never sees
half a report). Given a drawer (:func:`drawing_beside`), the charts and the summary card
(matplotlib's work) are drawn in a second process while this one sets the text of the
PDF and the HTML page.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from narrative_diff.errors import OutputError
from narrative_diff.publish import Written, figure_bytes, output_format
from narrative_diff.storage import make_folders, write_files
from narrative_diff.text import shorten

from .model import Report

if TYPE_CHECKING:
    from narrative_diff.beside import Drawer
    from narrative_diff.fonts import FontSet

#: Formats written by default (reports/<series>.<fmt>); ``-o x.md`` asks for Markdown.
DEFAULT_FORMATS = ("pdf", "html", "png")


@dataclass(frozen=True)
class Rendered:
    """One file a renderer made: ``suffix`` "" is the file asked for; another suffix names
    a file beside it (``-prominence`` → ``<stem>-prominence.png``)."""

    data: bytes
    what: str
    suffix: str = ""


@dataclass
class Art:
    """What the renderers share, made once on first use: the charts and heat-maps as
    PNG images and the summary card (:meth:`made`); and the fonts.

    :meth:`start` hands the drawing to a second process (:mod:`narrative_diff.beside`) so that it
    goes on while this one sets text."""

    report: Report
    fonts: FontSet
    _made: dict[str, list[bytes]] = field(default_factory=dict)
    _drawer: Drawer | None = None

    def made(self, job: str) -> list[bytes]:
        """What one drawing job makes, done once: ``png``, the report's charts
        (:attr:`Report.figures`); ``heat``, its heat-maps; ``card``, the summary card.
        The PDF, the HTML page and the files beside them share the same PNG images: each
        chart is drawn once."""
        if job not in self._made:
            self._made[job] = self._drawer.get(job) if self._drawer else self.draw(job)
        return self._made[job]

    def draw(self, job: str) -> list[bytes]:
        """Do one job here."""
        if job == "card":
            from narrative_diff.charts import CARD_DPI, card

            title, subtitle, points = card_text(self.report)
            drawn = card(title, subtitle, points, self.report.lead_chart, self.fonts)
            return [figure_bytes(drawn, "png", dpi=CARD_DPI)]
        if job == "heat":
            from narrative_diff.charts.heatmap import draw_heatmap

            figures = [draw_heatmap(heat, self.fonts) for heat in self.report.heatmaps]
        else:
            from narrative_diff.charts import figure

            figures = [figure(panels, self.fonts) for panels in self.report.figures]
        return [figure_bytes(fig, "png") for fig in figures]

    def start(self, drawer: Drawer, jobs: Sequence[str]) -> None:
        """Have ``drawer``'s process do ``jobs`` (png, heat, card; the first needed
        first) while this one sets text."""
        drawer.start(Art(self.report, self.fonts).draw, jobs)
        self._drawer = drawer


#: What a renderer gives once it has set its text: the function that puts the images in
#: and gives the files.
Finish = Callable[[], tuple[Rendered, ...]]


@dataclass(frozen=True)
class Renderer:
    """How one format is drawn: ``draw`` sets what needs no image and returns the rest
    (:data:`Finish`), so that every format's text is set before any waits for an image
    (drawn meanwhile in a second process); ``prints_text`` when it sets the report's text
    itself (and so needs fonts that cover it; a browser finds its own fonts for HTML)."""

    what: str
    stage: str
    draw: Callable[[Report, Art], Finish]
    prints_text: bool = False
    #: whether it embeds the Han font (cut to the report's text first: fonts.fitted)
    embeds_fonts: bool = False
    #: The jobs it asks :class:`Art` for (:meth:`Art.made`), in the order it asks.
    needs: tuple[str, ...] = ()
    #: whether ``draw`` does work of its own (the card's is all in its finish: drawing)
    sets_text: bool = True


def _pdf(report: Report, art: Art) -> Finish:
    from .pdf import set_text

    with_images = set_text(report, art.fonts)
    return lambda: (Rendered(with_images(art.made("png"), art.made("heat")), "PDF report"),)


def _html(report: Report, art: Art) -> Finish:
    from .html import set_text

    with_images = set_text(report, art.fonts)
    return lambda: (
        Rendered(with_images(art.made("png"), art.made("heat")).encode("utf-8"), "HTML report"),
    )


def card_text(report: Report) -> tuple[str, str, list[tuple[str, list[str]]]]:
    """The summary card's title, subtitle and points (headlines, each with its detail
    and the last two sentences it rests on)."""
    points = [
        (
            f.headline,
            [f.detail] + [f"{q.ref} ({q.date}): “{shorten(q.text, 150)}”" for q in f.quotes[-2:]],
        )
        for f in report.headlines[:3]
    ]
    plural = "s" if len(report.snapshots) != 1 else ""
    subtitle = (
        f"Series '{report.series}', {len(report.snapshots)} snapshot{plural}, "
        f"{report.first_date} to {report.last_date}. {report.tool}"
    )
    return report.title, subtitle, points


def _card(report: Report, art: Art) -> Finish:
    """The summary card, with each chart beside it as ``<stem>-<metric>.png``."""
    return lambda: _card_files(report, art)


def _card_files(report: Report, art: Art) -> tuple[Rendered, ...]:
    (card,) = art.made("card")
    lines, heats = art.made("png"), art.made("heat")
    return (
        Rendered(card, "summary card"),
        *(
            Rendered(png, f"chart ({panels[0].metric})", f"-{panels[0].metric}")
            for panels, png in zip(report.figures, lines, strict=True)
        ),
        *(
            Rendered(png, f"heat-map ({heat.kind})", f"-{heat.kind}-heatmap")
            for heat, png in zip(report.heatmaps, heats, strict=True)
        ),
    )


def _markdown(report: Report, art: Art) -> Finish:
    from .markdown import render

    page = (Rendered(render(report).encode("utf-8"), "Markdown report"),)
    return lambda: page


#: Output format (a file extension) → its renderer.
RENDERERS: dict[str, Renderer] = {
    "pdf": Renderer(
        "PDF report",
        "laying out the PDF",
        _pdf,
        prints_text=True,
        embeds_fonts=True,
        needs=("png", "heat"),
    ),
    "html": Renderer(
        "HTML report", "writing the HTML", _html, embeds_fonts=True, needs=("png", "heat")
    ),
    "png": Renderer(
        "summary card",
        "drawing the summary card",
        _card,
        needs=("card", "png", "heat"),
        sets_text=False,
    ),
    "md": Renderer("Markdown report", "writing the Markdown", _markdown),
}


def report_paths(series: str, out: Path | None) -> dict[str, Path]:
    """Default: reports/<series>.pdf and .html and the PNGs; ``out`` asks for one format."""
    if out is None:
        folder = Path("reports")
        if folder.exists() and not folder.is_dir():
            raise OutputError(
                "'reports' is a file, not a folder",
                hint="move it away, or name the output with -o",
                slug="no-such-folder",
            )
        return {fmt: folder / f"{series}.{fmt}" for fmt in DEFAULT_FORMATS}
    return {output_format(out, tuple(RENDERERS)): out}


def jobs_for(paths: Mapping[str, Path]) -> list[str]:
    """What is drawn in a second process for the formats of ``paths`` (png first: the PDF
    needs it soonest): nothing when drawing is all there is to do."""
    renderers = [RENDERERS[fmt] for fmt in paths]
    if all(r.draw is _card for r in renderers):
        return []
    return sorted({job for r in renderers for job in r.needs}, key=_JOB_ORDER.index)


_JOB_ORDER = ("png", "heat", "card")


def _fitted(fonts: FontSet, texts: Sequence[str], folder: Path) -> FontSet:
    """The fonts cut to the report's text (:func:`~narrative_diff.fonts.fitted`; the HTML
    page shows the report's text too), or as they are when cutting fails (a full disk,
    a font fontTools cannot subset): the cut only saves time."""
    from narrative_diff.fonts import fitted

    try:
        return fitted(fonts, texts, folder)
    except Exception:  # fontTools raises many kinds on a font it cannot subset
        return fonts


@contextlib.contextmanager
def _scratch() -> Iterator[Path | None]:
    """A temporary folder for the report's cut fonts, removed after; None where none can
    be made (the whole fonts are used then)."""
    import tempfile

    try:
        made = tempfile.TemporaryDirectory(prefix="narrative-diff-")
    except OSError:
        yield None
        return
    with made as folder:
        yield Path(folder)


@contextlib.contextmanager
def drawing_beside(paths: Mapping[str, Path]) -> Iterator[Drawer | None]:
    """A :class:`~narrative_diff.beside.Drawer` for :func:`write_report`, forked now so that it
    prepares (imports matplotlib) while the report is built; None where it cannot help."""
    from narrative_diff import beside

    if not jobs_for(paths) or not beside.available():
        yield None
        return
    from narrative_diff.charts import shared, tidy, warm

    shared()  # imported once, here, for both processes
    try:
        drawer = beside.Drawer(warm, tidy)
    except OSError:  # the fork was refused (a process limit, no memory): draw here
        yield None
        return
    try:
        yield drawer
    finally:
        drawer.close()


def write_report(
    report: Report,
    paths: Mapping[str, Path],
    *,
    progress: Callable[[str], None] | None = None,
    drawer: Drawer | None = None,
) -> list[Written]:
    """Render ``report`` to the formats in ``paths``, then write every file as one set.
    The fonts must cover the text each format draws: the charts always, the whole report
    for a format that sets its text itself (the PDF). With a ``drawer``
    (:func:`drawing_beside`) the charts are drawn in its process meanwhile."""
    from narrative_diff.charts import texts as chart_texts
    from narrative_diff.fonts import font_set, require_glyphs

    def step(what: str) -> None:
        if progress:
            progress(what)

    renderers = {fmt: RENDERERS[fmt] for fmt in paths}
    prints_text = any(r.prints_text for r in renderers.values())
    texts = chart_texts(report.charts) + (report.texts() if prints_text else [])
    if "png" in renderers:
        title, subtitle, points = card_text(report)
        texts += [title, subtitle] + [text for head, rest in points for text in (head, *rest)]
    art = Art(report, font_set())
    if drawer is not None:  # drawing starts now; a font that fails the check stops it
        art.start(drawer, jobs_for(paths))
    files: list[tuple[Path, bytes, str]] = []
    with _scratch() as folder:
        if folder is not None and any(r.embeds_fonts for r in renderers.values()):
            art.fonts = _fitted(art.fonts, [*texts, *report.texts()], folder)
        require_glyphs(texts, art.fonts)
        finishes: dict[str, Finish] = {}
        for fmt, renderer in renderers.items():  # every format's text first (Renderer)
            if renderer.sets_text:
                step(renderer.stage)
            finishes[fmt] = renderer.draw(report, art)
        placing = False
        for fmt, finish in finishes.items():
            renderer = renderers[fmt]
            if not renderer.sets_text:
                step(renderer.stage)
            elif renderer.needs and not placing:
                step("putting in the charts")
                placing = True
            path = paths[fmt]
            for out in finish():
                named = path.with_name(f"{path.stem}{out.suffix}{path.suffix}")
                files.append((named if out.suffix else path, out.data, out.what))
    make_folders({path.parent for path, _, _ in files})
    step("writing the files")
    write_files([(path, data) for path, data, _ in files])
    return [Written(path, what) for path, _, what in files]
