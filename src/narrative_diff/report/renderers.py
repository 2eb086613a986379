"""The report's output formats: each renderer draws a :class:`~.model.Report`, nothing more.

A renderer is chosen through :data:`RENDERERS` by the format a file name asks for; adding a
format is one function and one entry here. Renderers share :class:`Art`: the charts, drawn
once per image format and only when a renderer asks for them, and the fonts that cover the
text. :func:`write_report` renders every format asked for, then writes the files as one set
(a reader never sees half a report).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from narrative_diff.errors import OutputError
from narrative_diff.publish import Written, figure_bytes, output_format
from narrative_diff.storage import make_folders, write_files
from narrative_diff.text import shorten

from .model import Report

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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
    """The report's charts as images, drawn once per format on first use, and the fonts."""

    report: Report
    fonts: FontSet
    _images: dict[str, list[bytes]] = field(default_factory=dict)
    _figures: list[Figure] = field(default_factory=list)

    def images(self, fmt: str) -> list[bytes]:
        """Every chart of the report (:attr:`Report.figures`) as ``fmt`` (png or svg): each
        figure is laid out once and saved in every format asked for."""
        if fmt not in self._images:
            if not self._figures:
                from narrative_diff.charts import figure

                self._figures = [figure(panels, self.fonts) for panels in self.report.figures]
            self._images[fmt] = [figure_bytes(fig, fmt) for fig in self._figures]
        return self._images[fmt]


@dataclass(frozen=True)
class Renderer:
    """How one format is drawn: ``prints_text`` when it sets the report's text itself (and
    so needs fonts that cover it; a browser finds its own fonts for HTML)."""

    what: str
    stage: str
    draw: Callable[[Report, Art], tuple[Rendered, ...]]
    prints_text: bool = False


def _pdf(report: Report, art: Art) -> tuple[Rendered, ...]:
    from .pdf import render

    return (Rendered(render(report, art.fonts, art.images("png")), "PDF report"),)


def _html(report: Report, art: Art) -> tuple[Rendered, ...]:
    from .html import render

    return (Rendered(render(report, art.images("svg")).encode("utf-8"), "HTML report"),)


def _card(report: Report, art: Art) -> tuple[Rendered, ...]:
    """The summary card, with each chart beside it as ``<stem>-<metric>.png``."""
    from narrative_diff.charts import card
    from narrative_diff.fonts import require_glyphs

    points = [
        (
            f.headline,
            [f.detail] + [f"{q.ref} ({q.date}): “{shorten(q.text, 150)}”" for q in f.quotes[-2:]],
        )
        for f in report.headlines[:3]
    ]
    require_glyphs([text for head, rest in points for text in (head, *rest)], art.fonts)
    plural = "s" if len(report.snapshots) != 1 else ""
    subtitle = (
        f"Series '{report.series}', {len(report.snapshots)} snapshot{plural}, "
        f"{report.first_date} to {report.last_date}. {report.tool}"
    )
    figure = card(report.title, subtitle, points, report.lead_chart, art.fonts)
    charts = art.images("png")
    return (
        Rendered(figure_bytes(figure, "png"), "summary card"),
        *(
            Rendered(png, f"chart ({panels[0].metric})", f"-{panels[0].metric}")
            for panels, png in zip(report.figures, charts, strict=True)
        ),
    )


def _markdown(report: Report, art: Art) -> tuple[Rendered, ...]:
    from .markdown import render

    return (Rendered(render(report).encode("utf-8"), "Markdown report"),)


#: Output format (a file extension) → its renderer.
RENDERERS: dict[str, Renderer] = {
    "pdf": Renderer("PDF report", "laying out the PDF", _pdf, prints_text=True),
    "html": Renderer("HTML report", "drawing charts (svg) for the HTML", _html),
    "png": Renderer("summary card", "drawing the summary card", _card),
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


def write_report(
    report: Report,
    paths: Mapping[str, Path],
    *,
    progress: Callable[[str], None] | None = None,
) -> list[Written]:
    """Render ``report`` to the formats in ``paths``, then write every file as one set.
    The fonts must cover the text each format draws: the charts always, the whole report
    for a format that sets its text itself (the PDF)."""
    from narrative_diff.charts import texts as chart_texts
    from narrative_diff.fonts import require_glyphs

    def step(what: str) -> None:
        if progress:
            progress(what)

    renderers = {fmt: RENDERERS[fmt] for fmt in paths}
    prints_text = any(r.prints_text for r in renderers.values())
    art = Art(
        report, require_glyphs(chart_texts(report.charts) + (report.texts() if prints_text else []))
    )
    files: list[tuple[Path, bytes, str]] = []
    for fmt, renderer in renderers.items():
        step(renderer.stage)
        path = paths[fmt]
        for out in renderer.draw(report, art):
            target = path.with_name(f"{path.stem}{out.suffix}{path.suffix}") if out.suffix else path
            files.append((target, out.data, out.what))
    make_folders({path.parent for path, _, _ in files})
    step("writing the files")
    write_files([(path, data) for path, data, _ in files])
    return [Written(path, what) for path, _, what in files]
