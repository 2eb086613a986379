"""Writing charts and reports to files: which outputs a path asks for, drawing each chart
once per format, and writing every file atomically (a reader never sees half a report)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import OutputError
from .storage import write_file
from .text import shorten

if TYPE_CHECKING:
    from .charts import Chart
    from .fonts import FontSet
    from .render.report_data import Report

CHART_FORMATS = ("png", "svg", "pdf")
REPORT_FORMATS = ("pdf", "html", "png")


@dataclass(frozen=True)
class Written:
    """One file written, and what it is."""

    path: Path
    what: str


def output_format(path: Path, allowed: Sequence[str]) -> str:
    """The format a file name asks for, by its extension."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in allowed:
        raise OutputError(
            f"cannot write '{path.name}': unknown extension '{path.suffix or '(none)'}'",
            hint="end the file name in " + ", ".join("." + f for f in allowed),
            slug="bad-extension",
        )
    if not path.parent.is_dir() and path.parent != Path(""):
        raise OutputError(
            f"folder {path.parent} does not exist",
            hint="create it first, or write somewhere else",
            slug="no-such-folder",
        )
    return fmt


def figure_bytes(fig: object, fmt: str) -> bytes:
    from .charts import save

    buffer = io.BytesIO()
    save(fig, buffer, fmt)  # type: ignore[arg-type]
    return buffer.getvalue()


def write_chart(charts: Sequence[Chart], path: Path, fonts: FontSet) -> Written:
    """One figure with a panel per chart, written as ``path``'s format."""
    from .charts import figure

    fmt = output_format(path, CHART_FORMATS)
    write_file(path, figure_bytes(figure(charts, fonts), fmt))
    return Written(path, f"chart ({', '.join(c.metric for c in charts)})")


def report_paths(series: str, out: Path | None) -> dict[str, Path]:
    """Default: reports/<series>.pdf and .html and the PNGs; ``out`` asks for one format."""
    if out is None:
        folder = Path("reports")
        folder.mkdir(exist_ok=True)
        return {fmt: folder / f"{series}.{fmt}" for fmt in REPORT_FORMATS}
    return {output_format(out, REPORT_FORMATS): out}


def write_report(
    report: Report,
    paths: dict[str, Path],
    fonts: FontSet,
    *,
    progress: Callable[[str], None] | None = None,
) -> list[Written]:
    """Render ``report`` to the formats in ``paths`` (pdf, html, png). With png, every
    chart is written beside the summary card as ``<stem>-<metric>.png``."""
    from .charts import card, figure

    def step(what: str) -> None:
        if progress:
            progress(what)

    written: list[Written] = []
    figures = [figure([chart], fonts) for chart in report.charts]
    if "png" in paths or "pdf" in paths:
        step("drawing charts (png)")
        pngs = [figure_bytes(fig, "png") for fig in figures]
    if "pdf" in paths:
        from .render.report_pdf import render as render_pdf

        step("writing the PDF")
        write_file(paths["pdf"], render_pdf(report, fonts, pngs))
        written.append(Written(paths["pdf"], "PDF report"))
    if "html" in paths:
        from .render.report_html import render as render_html

        step("drawing charts (svg) and writing the HTML")
        svgs = [figure_bytes(fig, "svg") for fig in figures]
        write_file(paths["html"], render_html(report, svgs).encode("utf-8"))
        written.append(Written(paths["html"], "HTML report"))
    if "png" in paths:
        step("writing the PNG summary card and charts")
        target = paths["png"]
        points = [
            (f.headline, [f"{q.ref} ({q.date}): “{shorten(q.text, 150)}”" for q in f.quotes[-2:]])
            for f in report.headlines[:3]
        ]
        subtitle = (
            f"Series '{report.series}', {len(report.snapshots)} snapshots, "
            f"{report.first_date} to {report.last_date}. {report.tool}"
        )
        main = report.charts[0]
        write_file(target, figure_bytes(card(report.title, subtitle, points, main, fonts), "png"))
        written.append(Written(target, "summary card"))
        for chart, png in zip(report.charts, pngs, strict=True):
            path = target.with_name(f"{target.stem}-{chart.metric}.png")
            write_file(path, png)
            written.append(Written(path, f"chart ({chart.metric})"))
    return written
