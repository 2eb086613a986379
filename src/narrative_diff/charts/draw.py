"""Drawing charts with matplotlib (the only module that imports it, and only when drawing).

:func:`figure` draws one or several :class:`~narrative_diff.charts.data.Chart` (small
multiples) on a date axis whose ticks name each snapshot's ref, each actor in its own
style (:mod:`.data`), hollow markers where an actor is absent, the actor's name at the end
of its line, APPEARED/DISAPPEARED labels (:mod:`.labels`), a title, a legend and a source
note; share of voice is a stacked area. :func:`card` is the one-image summary for a slide.
The tests read the drawn data back from the figure and compare it with the table.

Points of equal value at one snapshot are moved apart along the time axis by a small
:func:`dodge` (at most 1.5% of the span, and well under the gap between snapshots) so that
no line or marker hides another (APSCO and AUASS have the same counts); absences (zero)
are not moved: they all mean the same thing.

matplotlib's own warnings while drawing (a glyph no font has, a layout that does not fit)
are caught in :func:`save`, where all drawing happens, and warned again once each as a
:class:`ChartWarning` in the tool's words; the CLI prints those as ``warning:`` lines.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from narrative_diff.fonts import FALLBACK_FONT_ENV
from narrative_diff.text import shorten

from . import labels
from .data import OTHER_COLOUR, PALETTE, Chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from narrative_diff.fonts import FontSet


def figure(charts: Sequence[Chart], fonts: FontSet, *, title: str | None = None) -> Figure:
    """One figure: a panel per chart (small multiples), a shared legend and the source
    note. Built with the object-oriented API (no pyplot state), so it is thread-safe."""
    from matplotlib.figure import Figure

    _configure(fonts)
    rows = len(charts)
    numbers = labels.event_numbers(charts)
    listed = _events_listed(charts)
    fig = Figure(figsize=figure_size(charts), dpi=100, layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    for ax, chart in zip(axes, charts, strict=True):
        if chart.metric == "share":
            _stacked(ax, chart, numbers)
        else:
            _lines(ax, chart, numbers)
        ax.set_ylabel(chart.label if rows == 1 else _wrap(chart.label, 22), fontsize=12)
        if chart.lineage:  # a facet: one lineage's snapshots
            ax.set_title(f"Lineage: {chart.lineage}", loc="left", fontsize=12)
        ax.grid(axis="y", color="#dddddd", linewidth=0.8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=11)
    ticks = sorted(
        {(d, r) for chart in charts for d, r in zip(chart.dates, chart.refs, strict=True)}
    )
    labels.date_ticks(axes[-1], [d for d, _ in ticks], [r for _, r in ticks])
    first = charts[0]
    one_metric = len({chart.metric for chart in charts}) == 1
    what = f"{first.label} by actor" if one_metric else "actors over time"
    # the series' own title (series.yaml) leads; else the slug follows
    default = (
        f"{first.title}: {what}"
        if first.title
        else f"{what[:1].upper()}{what[1:]}, series '{first.series}'"
    )
    if any(chart.lineage for chart in charts):
        default += ", by lineage"
    # at the left, clear of the legend at the top right
    fig.suptitle(
        title or default, fontsize=15, fontweight="bold", x=0.01, ha="left", gid=labels.TITLE_GID
    )
    handles, names = [], []
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            if text not in names:
                handles.append(handle)
                names.append(text)
    fig.legend(handles, names, loc="outside right upper", fontsize=11, frameon=False)
    if any(chart.lineage for chart in charts):  # each facet's note names its lineage
        note = " ".join(dict.fromkeys(c.note for c in charts))
    else:
        note = next((c.note for c in charts if c.lines), charts[0].note)
    text = _wrap(note, 150)
    if listed:  # the numbered events, above the note
        text = listed + "\n\n" + text
    fig.supxlabel(text, fontsize=9, color="#444444", x=0.01, ha="left")
    with _said():
        labels.settle(fig)
    return fig


def warm() -> None:
    """Import what drawing needs (about 0.4 s), ahead of the drawing: a process that will
    draw calls this while other work is going on (report/background.py). Such a process
    is a helper: matplotlib's notes on import (a temporary config folder where HOME is
    read-only) are left to the main process, which imports matplotlib too."""
    import logging

    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    import matplotlib.backends.backend_agg
    import matplotlib.backends.backend_svg
    import matplotlib.figure  # noqa: F401


def shared() -> None:
    """Import what a report's process needs as well as its drawing process (:func:`warm`),
    before the second is forked: numpy (the change table's intervals) and Pillow (fpdf2's
    images), about 0.15 s that the drawing process then has without importing them."""
    import numpy  # noqa: F401
    import PIL.Image
    import PIL.PngImagePlugin  # noqa: F401


def tidy() -> None:
    """At the end of a helper process that drew (:func:`warm`): remove the temporary config
    folder matplotlib made there (where HOME is read-only); a helper ends without the exit
    handler that would."""
    import shutil
    import sys
    import tempfile
    from pathlib import Path

    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is None:
        return
    folder = Path(matplotlib.get_configdir())
    if folder.parent == Path(tempfile.gettempdir()) and folder.name.startswith("matplotlib-"):
        shutil.rmtree(folder, ignore_errors=True)


def _configure(fonts: FontSet) -> None:
    import logging

    import matplotlib
    from matplotlib import font_manager

    # "no bold weight for WenQuanYi Micro Hei, using 400" is expected: it has one weight
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

    if fonts.cjk is not None and fonts.cjk_name not in {
        f.name for f in font_manager.fontManager.ttflist
    }:
        font_manager.fontManager.addfont(str(fonts.cjk))
    matplotlib.rcParams.update(
        {
            "font.family": fonts.families,
            "pdf.fonttype": 42,  # TrueType embedded: searchable, exact glyphs
            "svg.fonttype": "path",  # glyphs as paths: no font needed to view
            "svg.hashsalt": "narrative-diff",  # stable ids: same input, same file
            "axes.unicode_minus": False,
            "text.parse_math": False,  # "$5 million" is money, not mathematics
            "figure.autolayout": False,  # a figure's own layout only (labels.freeze_layout)
            "figure.constrained_layout.use": False,
        }
    )


def _card_note(chart: Chart) -> str:
    note = _wrap(chart.note.split(" Not drawn")[0], 190)
    numbers = labels.event_numbers([chart])
    if numbers is not None:
        note = _wrap(labels.event_list([chart], numbers), 190) + "\n" + note
    return note


def _card_text(
    fig: Figure,
    title: str,
    subtitle: str,
    points: Sequence[tuple[str, Sequence[str]]],
    note: str,
) -> None:
    """The card's left column, each text placed below the one before as measured (a
    title may take two lines); a finding that would run into the note is left out whole."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]

    def put(x: float, y: float, text: str, **style: Any) -> tuple[Any, float]:
        drawn = fig.text(x, y, text, va="top", **style)
        return drawn, y - drawn.get_window_extent(renderer).height / fig.bbox.height

    drawn = fig.text(0.03, 0.02, note, fontsize=8.5, color="#444444", va="bottom")
    floor = 0.02 + drawn.get_window_extent(renderer).height / fig.bbox.height + 0.03
    _, y = put(0.03, 0.95, _wrap(title, 60), fontsize=22, fontweight="bold")
    _, y = put(0.03, y - 0.012, _wrap(subtitle, 100), fontsize=11, color="#444444")
    y -= 0.04
    for headline, quotes in points:
        placed = [fig.text(0.03, y, "■", fontsize=11, color=PALETTE[1], va="top")]
        text, below = put(0.05, y, _wrap(headline, 62), fontsize=13, fontweight="bold")
        placed.append(text)
        below -= 0.008
        for quote in quotes:
            text, below = put(0.06, below, _wrap(quote, 80), fontsize=10.5, color="#333333")
            placed.append(text)
            below -= 0.004
        if below < floor:  # no room: this finding and those after it stay in the report
            for text in placed:
                text.remove()
            return
        y = below - 0.022


def _lines(ax: Axes, chart: Chart, numbers: dict[tuple[str, int], int] | None = None) -> None:
    xs = dodge(chart)
    for line, x in zip(chart.lines, xs, strict=True):
        s = line.style
        ax.plot(
            x,
            line.values,
            color=s.colour,
            linestyle=s.line,
            linewidth=2.2,
            marker=s.marker,
            markersize=8,
            markeredgewidth=1.8,
            label=shorten(line.name, 32),
            zorder=2,
            gid=f"line-{line.actor}",
        )
        hollow = [(d, v) for d, v in zip(x, line.values, strict=True) if not v]
        if hollow:  # absent from a snapshot: a hollow marker on the zero line
            hx, hy = zip(*hollow, strict=True)
            ax.plot(
                hx,
                hy,
                linestyle="none",
                marker=s.marker,
                markersize=8,
                markerfacecolor="white",
                markeredgecolor=s.colour,
                markeredgewidth=1.8,
                zorder=3,
                gid=f"absent-{line.actor}",
            )
    labels.end_labels(ax, chart, xs)
    labels.event_labels(ax, chart, numbers)
    top = max((v for line in chart.lines for v in line.values), default=0.0) or 1.0
    free = labels.headroom(len(chart.events), numbers is not None)
    ax.set_ylim(0, top * 1.04 / (1 - free))  # the top kept for the event labels


def dodge(chart: Chart) -> list[list[Any]]:
    """Each line's x values: its dates, moved apart where several lines have the same
    non-zero value at one snapshot (module docstring), in the order the lines are drawn."""
    days = sorted(set(chart.dates))
    span = (days[-1] - days[0]).days if len(days) > 1 else 0
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    xs: list[list[Any]] = [list(chart.dates) for _ in chart.lines]
    for i, date in enumerate(chart.dates):
        tied: dict[float, list[int]] = {}
        for k, line in enumerate(chart.lines):
            if line.values[i]:
                tied.setdefault(round(line.values[i], 9), []).append(k)
        for group in tied.values():
            if len(group) < 2 or not span:
                continue
            step = min(0.015 * span, 0.3 * min(gaps) / (len(group) - 1))
            moment = dt.datetime.combine(date, dt.time())
            for j, k in enumerate(group):
                shift = (j - (len(group) - 1) / 2) * step
                xs[k][i] = moment + dt.timedelta(days=shift)
    return xs


def _stacked(ax: Axes, chart: Chart, numbers: dict[tuple[str, int], int] | None = None) -> None:
    dates = _on_axis(chart.dates)
    values = [list(line.values) for line in chart.lines]
    other = [max(0.0, 1.0 - sum(col)) if any(col) else 0.0 for col in zip(*values, strict=True)]
    colours = [line.style.colour for line in chart.lines]
    hatches = [line.style.hatch for line in chart.lines]
    names = [shorten(line.name, 32) for line in chart.lines]
    if any(v > 1e-9 for v in other):
        values.append(other)
        colours.append(OTHER_COLOUR)
        hatches.append("")
        names.append("other actors")
    ax.set_ylim(0, 1 / (1 - labels.headroom(len(chart.events), numbers is not None)))
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    if not values:  # nobody is mentioned: an empty panel, and the note says why
        return
    if len(dates) == 1:  # one snapshot: a stacked bar (an area needs two dates)
        bottom = 0.0
        for column, colour, hatch, label in zip(values, colours, hatches, names, strict=True):
            ax.bar(
                dates,
                column,
                bottom=bottom,
                width=20,
                color=colour,
                hatch=hatch,
                label=label,
                edgecolor="white",
            )
            bottom += column[0]
        return
    ax.stackplot(
        dates,
        values,
        colors=colours,
        labels=names,
        alpha=0.85,
        hatch=hatches,
        edgecolor="white",
        linewidth=0.6,
    )
    labels.event_labels(ax, chart, numbers)


def _on_axis(dates: dt.date | Sequence[dt.date]) -> Any:
    """Dates as matplotlib takes them: it converts dates itself (its units registry), but
    its type stubs admit only numbers on the x axis."""
    return list(dates) if isinstance(dates, Sequence) else dates


def figure_size(charts: Sequence[Chart]) -> tuple[float, float]:
    """The size in inches of :func:`figure`'s figure of ``charts``, known before it is
    drawn (a page can keep its place): a panel per chart, and the numbered list of events
    below them makes it taller, not them smaller."""
    listed = _events_listed(charts)
    return 11.0, 3.2 + 3.0 * len(charts) + (0.15 * (listed.count("\n") + 2) if listed else 0)


def _events_listed(charts: Sequence[Chart]) -> str:
    numbers = labels.event_numbers(charts)
    return "" if numbers is None else _wrap(labels.event_list(charts, numbers), 150)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


#: Pixels per inch of the PNG images (the report's, the files beside it).
DPI = 150
#: The summary card's: its 16 × 9 inches make a 1920 × 1080 slide.
CARD_DPI = 120


def save(
    fig: Figure, path: str | os.PathLike[str] | IO[bytes], fmt: str, *, dpi: int = DPI
) -> None:
    """Write ``fig`` as png, svg or pdf with fixed metadata (the same input gives the same
    bytes; matplotlib honours SOURCE_DATE_EPOCH for the PDF date)."""
    metadata = {
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
    }
    with _said():
        if fmt == "png":
            _save_png(fig, path, dpi)
        else:
            fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata[fmt])


#: zlib level of the PNG images: 3 compresses in about 0.7 of the time of the default 6,
#: and the RGB files it makes are still smaller than the RGBA ones matplotlib writes at 6.
PNG_LEVEL = 3


def _save_png(fig: Figure, path: str | os.PathLike[str] | IO[bytes], dpi: int) -> None:
    """``fig`` as an RGB PNG with no text chunks: every figure here is opaque (a white or
    grey ground), so an alpha channel would say nothing, yet cost a quarter more to
    compress here and an alpha mask split off in the PDF (fpdf2). matplotlib's own PNG is
    RGBA; its Agg buffer, drawn at ``dpi`` as ``savefig`` would, is made RGB here."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    shown = fig.dpi
    fig.set_dpi(dpi)
    try:
        rgba, size = FigureCanvasAgg(fig).print_to_buffer()  # type: ignore[no-untyped-call]
    finally:
        fig.set_dpi(shown)
    image = Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1).convert("RGB")
    image.save(path, format="PNG", dpi=(dpi, dpi), compress_level=PNG_LEVEL)


@contextlib.contextmanager
def _said() -> Iterator[None]:
    """matplotlib's warnings while drawing (a glyph no font has) as the chart's own, one
    ``chart: …`` line each: laying a figure out draws it too, not only saving it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for said in dict.fromkeys(chart_warnings(str(w.message) for w in caught)):
        warnings.warn(said, ChartWarning, stacklevel=3)


class ChartWarning(UserWarning):
    """Something drawn other than asked (an empty box for a missing glyph), said once."""


_GLYPH = re.compile(r"Glyph (\d+) \(.*?\) missing from font\(s\) (.+?)\.?$", re.DOTALL)


def chart_warnings(messages: Iterable[str]) -> list[str]:
    """matplotlib's warnings in the tool's words, one line each: a missing glyph by its code
    point (the character itself may be a control character), with the fix.

    >>> chart_warnings(["Glyph 57344 (\\ue000) missing from font(s) DejaVu Sans."])[0][:51]
    'chart: no font has a glyph for U+E000 (DejaVu Sans)'
    """
    said = []
    for message in messages:
        glyph = _GLYPH.match(message)
        if glyph:
            fonts = ", ".join(sorted(glyph[2].split(", ")))  # matplotlib's order varies
            said.append(
                f"chart: no font has a glyph for U+{int(glyph[1]):04X} ({fonts}); it is "
                f"drawn as an empty box; set {FALLBACK_FONT_ENV} to a font that has it"
            )
        else:
            said.append("chart: " + " ".join(message.split()))
    return said


def card(
    title: str,
    subtitle: str,
    points: Sequence[tuple[str, Sequence[str]]],
    chart: Chart,
    fonts: FontSet,
) -> Figure:
    """A one-image summary for a slide (16:9): the headline findings, each with the
    sentences it rests on, beside the main chart (its four leading actors)."""
    from dataclasses import replace

    from matplotlib.figure import Figure

    _configure(fonts)
    fig = Figure(figsize=(16, 9), dpi=100)
    peak = sorted(chart.lines, key=lambda line: -max(line.values))[:4]
    chart = replace(chart, lines=tuple(line for line in chart.lines if line in peak))
    with _said():  # measuring the text draws it: a glyph no font has is said here
        _card_text(fig, title, subtitle, points, _card_note(chart))
    numbers = labels.event_numbers([chart])
    ax = fig.add_axes((0.56, 0.25, 0.33, 0.57))  # the names at the line ends to its right
    if chart.metric == "share":
        _stacked(ax, chart, numbers)
    else:
        _lines(ax, chart, numbers)
    ax.set_ylabel(chart.label, fontsize=12)
    ax.set_title(f"{chart.label[0].upper()}{chart.label[1:]}, leading actors", fontsize=14)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    labels.date_ticks(ax, chart.dates, chart.refs)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=4, fontsize=11, frameon=False)
    with _said():
        labels.settle(fig)
    return fig
