"""Charts of actor scores over time: the data first (plain values), then matplotlib.

:func:`chart_data` turns score rows and change rows (``api.score_series``) into a
:class:`Chart`: one :class:`Line` per actor with its dates, values, events and bootstrap
intervals. :func:`figure` draws one or several charts (small multiples) with a date x-axis,
a colour-blind-safe palette (Okabe & Ito), hollow markers where an actor is absent,
APPEARED/DISAPPEARED labels, a title, a legend and a source note; share of voice is a stacked
area. The tests read the drawn data back from the figure and compare it with the table.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import UsageProblem
from .text import shorten

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .fonts import FontSet

#: metric name on the command line → (score column, axis label, change-interval column)
METRICS: dict[str, tuple[str, str, str | None]] = {
    "count": ("count", "mentions", None),
    "rate": ("rate", "mentions per 1,000 words", None),
    "prominence": ("prominence", "prominence (weighted mentions)", "prominence_ci"),
    "share": ("share_of_voice", "share of voice", "share_of_voice_ci"),
    "sentences": ("sentence_share", "share of sentences naming the actor", None),
}
#: Okabe & Ito's colour-blind-safe palette without its yellow (too pale on white).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
STYLES = ("-", "--", ":", "-.")
HATCHES = ("", "//", "..", "xx")
OTHER_COLOUR = "#BBBBBB"


@dataclass(frozen=True)
class Style:
    """How one actor is drawn, the same in every chart of a series."""

    colour: str
    marker: str
    line: str
    hatch: str  # for stacked areas, where only colour and hatching tell actors apart


@dataclass(frozen=True)
class Line:
    """One actor's values over the snapshots; ``low``/``high`` bound the value at each
    snapshot by the bootstrap interval of its change from the previous one (or None)."""

    actor: str
    name: str
    style: Style
    values: tuple[float, ...]
    events: tuple[str, ...]
    low: tuple[float | None, ...]
    high: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """One metric of one series, ready to draw."""

    metric: str
    label: str
    series: str
    dates: tuple[dt.date, ...]
    refs: tuple[str, ...]
    lines: tuple[Line, ...]
    note: str
    left_out: tuple[str, ...] = ()
    # (snapshot index, "APPEARED" or "DISAPPEARED", actor names): every actor, drawn or not
    events: tuple[tuple[int, str, tuple[str, ...]], ...] = ()


def texts(charts: Sequence[Chart]) -> list[str]:
    """Every piece of text the charts draw (for the font check)."""
    return [c.note for c in charts] + [line.name for c in charts for line in c.lines]


def parse_metrics(text: str) -> tuple[str, ...]:
    """``"count,prominence"`` → ("count", "prominence"); unknown names are a usage error."""
    names = tuple(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))
    unknown = [n for n in names if n not in METRICS]
    if unknown or not names:
        raise UsageProblem(
            f"unknown metric {', '.join(unknown) or '(none)'}",
            hint="use one or more of " + ", ".join(METRICS) + ", separated by commas",
            slug="bad-option",
        )
    return names


def styles(actor_keys: Sequence[str]) -> dict[str, Style]:
    """A style per actor drawn, in the order given (the actors file's): colours first, then
    markers, line styles and hatching, so two actors never look the same. The report draws
    the same actors in every chart, so an actor keeps its style across them."""
    out = {}
    for i, key in enumerate(actor_keys):
        out[key] = Style(
            PALETTE[i % len(PALETTE)],
            MARKERS[(i + i // len(PALETTE)) % len(MARKERS)],
            STYLES[(i // len(PALETTE)) % len(STYLES)],
            HATCHES[(i // len(PALETTE)) % len(HATCHES)],
        )
    return out


def chart_data(
    rows: Sequence[Mapping[str, Any]],
    changes: Sequence[Mapping[str, Any]],
    metric: str,
    *,
    series: str,
    actors_source: str,
    top: int = 7,
) -> Chart:
    """The chart of ``metric`` from score rows (one per snapshot × actor, in date order)
    and consecutive-pair change rows. Actors never mentioned are left out; beyond ``top``
    (ranked by peak prominence), the rest are named in ``left_out``."""
    column, label, ci_column = METRICS[metric]
    snaps = list(dict.fromkeys(r["snapshot"] for r in rows))
    dates = {r["snapshot"]: dt.date.fromisoformat(str(r["date"])) for r in rows}
    refs = {r["snapshot"]: str(r["ref"]) for r in rows}
    keys = list(dict.fromkeys(r["actor"] for r in rows))
    by_actor = {k: [r for r in rows if r["actor"] == k] for k in keys}
    mentioned = [k for k in keys if any(r["count"] for r in by_actor[k])]
    peak = {k: max(float(r["prominence"]) for r in by_actor[k]) for k in mentioned}
    ranked = sorted(mentioned, key=lambda k: (-peak[k], mentioned.index(k)))
    shown, left_out = ranked[:top], ranked[top:]
    drawn = [k for k in mentioned if k in shown]  # in the actors file's order
    palette = styles(drawn)
    intervals = _intervals(changes, ci_column) if metric != "share" else {}
    lines = []
    for key in drawn:
        values = [_number(r[column]) for r in by_actor[key]]
        low: list[float | None] = [None] * len(values)
        high: list[float | None] = [None] * len(values)
        for i in range(1, len(snaps)):
            ci = intervals.get((key, snaps[i - 1], snaps[i]))
            if ci is not None:
                low[i], high[i] = values[i - 1] + ci[0], values[i - 1] + ci[1]
        lines.append(
            Line(
                actor=key,
                name=str(by_actor[key][0]["actor_name"]),
                style=palette[key],
                values=tuple(values),
                events=tuple(str(r.get("event") or "") for r in by_actor[key]),
                low=tuple(low),
                high=tuple(high),
            )
        )
    languages = {r["snapshot"]: (r.get("language") or "").split("-")[0] for r in rows}
    han = [refs[s] for s in snaps if languages.get(s) in ("zh", "ja")]
    if metric == "rate" and han:
        label += " (characters in Han text)"
    first, last = snaps[0], snaps[-1]
    note = (
        f"Source: narrative-diff, series '{series}', {len(snaps)} snapshots "
        f"({refs[first]} {dates[first]} to {refs[last]} {dates[last]}); actors: {actors_source}."
    )
    if any(v is not None for line in lines for v in line.low):
        note += " Bars: 95% sentence-bootstrap interval of the change from the previous snapshot."
    if not lines:
        note += " No actor of the actors file is mentioned in this series."
    if len(set(languages.values())) > 1:
        listed = ", ".join(f"{refs[s]} {languages[s] or '?'}" for s in snaps)
        note += (
            f" Languages differ ({listed}): rates count words, and Han characters as words,"
            " so compare rates within a language."
        )
    if left_out:
        names = [str(by_actor[k][0]["actor_name"]) for k in left_out]
        note += f" Not drawn ({len(names)}, see the table): {', '.join(names)}."
    events = tuple(
        (i, event, names)
        for i, snap in enumerate(snaps)
        for event in ("DISAPPEARED", "APPEARED")
        if (
            names := tuple(
                str(by_actor[k][0]["actor_name"])
                for k in mentioned
                if (by_actor[k][i].get("event") or "") == event
            )
        )
    )
    return Chart(
        events=events,
        metric=metric,
        label=label,
        series=series,
        dates=tuple(dates[s] for s in snaps),
        refs=tuple(refs[s] for s in snaps),
        lines=tuple(lines),
        note=note,
        left_out=tuple(left_out),
    )


def _number(value: Any) -> float:
    return (
        0.0 if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    )


def _intervals(
    changes: Sequence[Mapping[str, Any]], column: str | None
) -> dict[tuple[str, str, str], tuple[float, float]]:
    if column is None:
        return {}
    out = {}
    for row in changes:
        ci = row.get(column)
        if ci is not None and not (isinstance(ci, float) and math.isnan(ci)):
            out[(row["actor"], row["from"], row["to"])] = (float(ci[0]), float(ci[1]))
    return out


def figure(charts: Sequence[Chart], fonts: FontSet, *, title: str | None = None) -> Figure:
    """One figure: a panel per chart (small multiples), a shared legend and the source
    note. Built with the object-oriented API (no pyplot state), so it is thread-safe."""
    from matplotlib.figure import Figure

    _configure(fonts)
    rows = len(charts)
    fig = Figure(figsize=(11, 3.2 + 3.0 * rows), dpi=100, layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    for ax, chart in zip(axes, charts, strict=True):
        if chart.metric == "share":
            _stacked(ax, chart)
        else:
            _lines(ax, chart)
        ax.set_ylabel(chart.label if rows == 1 else _wrap(chart.label, 22), fontsize=12)
        ax.grid(axis="y", color="#dddddd", linewidth=0.8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=11)
    _date_axis(axes[-1], charts[0])
    first = charts[0]
    default = (
        f"{first.label[0].upper()}{first.label[1:]} by actor, series '{first.series}'"
        if rows == 1
        else f"Actors over time, series '{first.series}'"
    )
    fig.suptitle(title or default, fontsize=15, fontweight="bold")
    handles, labels = [], []
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            if text not in labels:
                handles.append(handle)
                labels.append(text)
    fig.legend(handles, labels, loc="outside right upper", fontsize=11, frameon=False)
    notes = [c.note for c in charts if c.lines and "Bars:" in c.note] or [charts[0].note]
    fig.supxlabel(_wrap(notes[0], 140), fontsize=9, color="#444444", x=0.01, ha="left")
    return fig


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
        }
    )


def _lines(ax: Any, chart: Chart) -> None:
    dates = list(chart.dates)
    for line in chart.lines:
        s = line.style
        ax.plot(
            dates,
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
        hollow = [(d, v) for d, v in zip(dates, line.values, strict=True) if not v]
        if hollow:  # absent from a snapshot: a hollow marker on the zero line
            xs, ys = zip(*hollow, strict=True)
            ax.plot(
                xs,
                ys,
                linestyle="none",
                marker=s.marker,
                markersize=8,
                markerfacecolor="white",
                markeredgecolor=s.colour,
                markeredgewidth=1.8,
                zorder=3,
                gid=f"absent-{line.actor}",
            )
        bars = [
            (d, v, lo, hi)
            for d, v, lo, hi in zip(dates, line.values, line.low, line.high, strict=True)
            if lo is not None
        ]
        if bars:
            xs, ys, los, his = zip(*bars, strict=True)
            ax.errorbar(
                xs,
                ys,
                yerr=[
                    [max(0.0, y - lo) for y, lo in zip(ys, los, strict=True)],
                    [max(0.0, hi - y) for y, hi in zip(ys, his, strict=True)],
                ],
                fmt="none",
                ecolor=s.colour,
                elinewidth=1.0,
                capsize=3,
                alpha=0.4,
                zorder=1,
            )
    _events(ax, chart)
    top = max((v for line in chart.lines for v in line.values), default=0.0)
    ax.set_ylim(0, (top or 1.0) * (1.1 + 0.09 * len(chart.events)))  # room for the labels


def _events(ax: Any, chart: Chart) -> None:
    """APPEARED / DISAPPEARED: one label per snapshot and event, naming the snapshot and
    up to two actors (of all actors, drawn or not), each on its own row along the top of the
    panel so that no two overlap; a dotted line marks the snapshot."""
    colours = {line.name: line.style.colour for line in chart.lines}
    for row, (i, event, names) in enumerate(chart.events):
        date = chart.dates[i]
        shown = ", ".join(names[:2]) + (f" +{len(names) - 2}" if len(names) > 2 else "")
        colour = next((colours[n] for n in names if n in colours), "#555555")
        right = 2 * i >= len(chart.dates) and len(chart.dates) > 1
        ax.axvline(date, color=colour, linestyle=":", linewidth=0.8, alpha=0.6, zorder=0)
        ax.annotate(
            f" {chart.refs[i]} {event}: {shown} ",
            xy=(date, 0.98 - 0.065 * row),
            xycoords=("data", "axes fraction"),
            # labels in the right half run leftwards from their line, inside the panel
            ha="right" if right else "left",
            fontsize=9,
            va="top",
            color=colour,
            bbox={
                "boxstyle": "square,pad=0.1",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.8,
            },
        )


def _stacked(ax: Any, chart: Chart) -> None:
    dates = list(chart.dates)
    values = [list(line.values) for line in chart.lines]
    other = [max(0.0, 1.0 - sum(col)) if any(col) else 0.0 for col in zip(*values, strict=True)]
    colours = [line.style.colour for line in chart.lines]
    hatches = [line.style.hatch for line in chart.lines]
    labels = [shorten(line.name, 32) for line in chart.lines]
    if any(v > 1e-9 for v in other):
        values.append(other)
        colours.append(OTHER_COLOUR)
        hatches.append("")
        labels.append("other actors")
    ax.set_ylim(0, 1)
    if not values:  # nobody is mentioned: an empty panel, and the note says why
        return
    if len(dates) == 1:  # one snapshot: a stacked bar (an area needs two dates)
        bottom = 0.0
        for column, colour, hatch, label in zip(values, colours, hatches, labels, strict=True):
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
        labels=labels,
        alpha=0.85,
        hatch=hatches,
        edgecolor="white",
        linewidth=0.6,
    )
    _events(ax, chart)


def _date_axis(ax: Any, chart: Chart) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    span = (chart.dates[-1] - chart.dates[0]).days or 30
    pad = dt.timedelta(days=max(15, span // 20))
    low = chart.dates[0] - pad if chart.dates[0] - dt.date.min > pad else dt.date.min
    high = chart.dates[-1] + 3 * pad if dt.date.max - chart.dates[-1] > 3 * pad else dt.date.max
    ax.set_xlim(low, high)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def save(fig: Figure, path: Any, fmt: str, *, dpi: int = 150) -> None:
    """Write ``fig`` as png, svg or pdf with fixed metadata (the same input gives the same
    bytes; matplotlib honours SOURCE_DATE_EPOCH for the PDF date)."""
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
    }[fmt]
    fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata)


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
    fig.text(0.03, 0.95, _wrap(title, 60), fontsize=22, fontweight="bold", va="top")
    fig.text(0.03, 0.885, _wrap(subtitle, 100), fontsize=11, color="#444444", va="top")
    y = 0.82
    for headline, quotes in points:
        text = _wrap(headline, 62)
        fig.text(0.03, y, "■", fontsize=11, color=PALETTE[1], va="top")
        fig.text(0.05, y, text, fontsize=13, va="top", fontweight="bold")
        y -= 0.031 * (text.count("\n") + 1) + 0.008
        for quote in quotes:
            said = _wrap(quote, 80)
            fig.text(0.06, y, said, fontsize=10.5, va="top", color="#333333")
            y -= 0.025 * (said.count("\n") + 1) + 0.004
        y -= 0.022
    peak = sorted(chart.lines, key=lambda line: -max(line.values))[:4]
    chart = replace(chart, lines=tuple(line for line in chart.lines if line in peak))
    ax = fig.add_axes((0.58, 0.2, 0.39, 0.62))
    if chart.metric == "share":
        _stacked(ax, chart)
    else:
        _lines(ax, chart)
    ax.set_ylabel(chart.label, fontsize=12)
    ax.set_title(f"{chart.label[0].upper()}{chart.label[1:]}, leading actors", fontsize=14)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    _date_axis(ax, chart)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4, fontsize=11, frameon=False)
    fig.text(
        0.03,
        0.02,
        _wrap(chart.note.split(" Not drawn")[0], 190),
        fontsize=8.5,
        color="#444444",
        va="bottom",
    )
    return fig
