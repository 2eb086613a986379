"""Writing charts and reports to files: which outputs a path asks for, drawing each chart
once per format, and writing every file atomically (a reader never sees half a report)."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CannotWrite, OutputError, UsageProblem
from .storage import write_file, write_files
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
            f"cannot write '{path}': unknown extension '{path.suffix or '(none)'}'",
            hint="end the file name in "
            + ", ".join("." + f for f in allowed[:-1])
            + f" or .{allowed[-1]}",
            slug="bad-extension",
        )
    check_output(path)
    return fmt


def check_source_date_epoch() -> None:
    """SOURCE_DATE_EPOCH, when set, must be whole seconds since 1970 before the year 10000
    (matplotlib and the PDF read it as the creation date)."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is not None and not (value.isdigit() and int(value) < 253_402_300_800):
        raise UsageProblem(
            f"SOURCE_DATE_EPOCH={value!r} is not whole seconds since 1970-01-01",
            hint="set it to an integer such as 1700000000, or unset it",
            slug="bad-option",
        )


def check_output(path: Path, corpus_root: Path | None = None, *, new_folder: bool = False) -> None:
    """Refuse an output path that would damage something: a file inside the corpus (a
    snapshot overwritten), or a link, device or pipe (which a rename would replace)."""
    inside = False
    if corpus_root is not None:
        with contextlib.suppress(OSError):  # (OutputError is an OSError: raise it outside)
            inside = path.resolve().is_relative_to(corpus_root.resolve())
    if inside:
        raise OutputError(
            f"{path} is inside the corpus folder {corpus_root}",
            hint="write outputs elsewhere: the corpus holds snapshots only",
            slug="inside-corpus",
        )
    if path.is_symlink() or (path.exists() and not path.is_file()):
        kind = "a symbolic link" if path.is_symlink() else "a folder, device or pipe"
        raise CannotWrite(
            f"{path} is {kind}, not a regular file",
            hint="name a new file, or remove what is there",
        )
    if not new_folder and not path.parent.is_dir() and path.parent != Path(""):
        raise OutputError(
            f"folder {path.parent} does not exist",
            hint="create it first, or write somewhere else",
            slug="no-such-folder",
        )


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
        if folder.exists() and not folder.is_dir():
            raise OutputError(
                "'reports' is a file, not a folder",
                hint="move it away, or name the output with -o",
                slug="no-such-folder",
            )
        return {fmt: folder / f"{series}.{fmt}" for fmt in REPORT_FORMATS}
    return {output_format(out, REPORT_FORMATS): out}


def write_report(
    report: Report,
    paths: dict[str, Path],
    *,
    progress: Callable[[str], None] | None = None,
) -> list[Written]:
    """Render ``report`` to the formats in ``paths`` (pdf, html, png), then write every
    file as one set. With png, the summary card goes to that path and each chart beside it
    as ``<stem>-<metric>.png``. The fonts must cover the text each format draws: the charts
    always, the whole report for the PDF (a browser finds its own fonts for the HTML)."""
    from .charts import card, figure
    from .charts import texts as chart_texts
    from .fonts import require_glyphs

    def step(what: str) -> None:
        if progress:
            progress(what)

    drawn = chart_texts(report.charts) + (report.texts() if "pdf" in paths else [])
    fonts = require_glyphs(drawn)
    files: list[tuple[Path, bytes, str]] = []
    figures = [figure([chart], fonts) for chart in report.charts]
    pngs: list[bytes] = []
    if "png" in paths or "pdf" in paths:
        step("drawing charts (png)")
        pngs = [figure_bytes(fig, "png") for fig in figures]
    if "pdf" in paths:
        from .render.report_pdf import render as render_pdf

        step("laying out the PDF")
        files.append((paths["pdf"], render_pdf(report, fonts, pngs), "PDF report"))
    if "html" in paths:
        from .render.report_html import render as render_html

        step("drawing charts (svg) for the HTML")
        svgs = [figure_bytes(fig, "svg") for fig in figures]
        files.append((paths["html"], render_html(report, svgs).encode("utf-8"), "HTML report"))
    if "png" in paths:
        step("drawing the summary card")
        points = [
            (
                f.headline,
                [f.detail]
                + [f"{q.ref} ({q.date}): “{shorten(q.text, 150)}”" for q in f.quotes[-2:]],
            )
            for f in report.headlines[:3]
        ]
        require_glyphs([text for head, rest in points for text in (head, *rest)], fonts)
        plural = "s" if len(report.snapshots) != 1 else ""
        subtitle = (
            f"Series '{report.series}', {len(report.snapshots)} snapshot{plural}, "
            f"{report.first_date} to {report.last_date}. {report.tool}"
        )
        card_png = figure_bytes(
            card(report.title, subtitle, points, report.charts[0], fonts), "png"
        )
        target = paths["png"]
        files.append((target, card_png, "summary card"))
        for chart, png in zip(report.charts, pngs, strict=True):
            path = target.with_name(f"{target.stem}-{chart.metric}.png")
            files.append((path, png, f"chart ({chart.metric})"))
    folder = {path.parent for path, _, _ in files}
    for parent in folder:
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CannotWrite(
                f"cannot create folder {parent}: {exc.strerror or exc}",
                hint="run from a writable folder, or name the output with -o",
            ) from exc
    step("writing the files")
    write_files([(path, data) for path, data, _ in files])
    return [Written(path, what) for path, _, what in files]
