"""The text of a chart that must stay readable however many snapshots it has: the date and
ref ticks, the actor names at the line ends, and the event labels.

Each is drawn first where it belongs, then moved once the figure is laid out
(:func:`settle`), when the size of every piece of text is known: tick labels are thinned
(first and last always kept) until none touch, the refs of the others kept where they
fit; names at the line ends are spread apart vertically, so two actors with the same
values are both named; numbered event tags take the highest free row above their
snapshot. Only text positions within the panels change, so laying the figure out again
when it is saved gives the layout measured.

Events: up to :data:`INLINE_EVENTS` in a figure are written out at their snapshot ("v3
DISAPPEARED: Russia"), each on its own row; beyond that a label per event would run into
the lines and the source note, so each becomes a small numbered tag at its snapshot and
the text goes into a numbered list printed above the source note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from narrative_diff.text import shorten

from .data import Chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation, Text
    from matplotlib.transforms import Bbox

#: At most this many events in a figure are labelled in full on the plot.
INLINE_EVENTS = 4
#: Rows of numbered tags kept free at the top of a panel; its height per row.
TAG_ROWS, TAG_ROW = 3, 0.075
#: Rows of full labels: the height of each (axes fraction).
INLINE_ROW = 0.065
END_GAP = 8  # points between a line's last marker and its name
GAP_PX = 2.0  # pixels kept between two labels
TITLE_GID = "title"  # the figure's title, wrapped to clear the legend (:func:`settle`)


def headroom(events: int, numbered: bool) -> float:
    """The fraction of a panel's height kept free at the top for its event labels."""
    if numbered:
        return TAG_ROWS * TAG_ROW + 0.03 if events else 0.05
    return INLINE_ROW * events + 0.05


def date_ticks(ax: Axes, dates: Sequence[dt.date], refs: Sequence[str]) -> None:
    """A tick at every snapshot, labelled with its date and, below, its ref (several refs
    of one date share a tick); :func:`settle` thins the labels that would touch."""
    by_date: dict[dt.date, list[str]] = {}
    for date, ref in zip(dates, refs, strict=True):
        by_date.setdefault(date, []).append(ref)
    days = sorted(by_date)
    labels = [f"{d.isoformat()}\n{', '.join(by_date[d])}" for d in days]
    ax.set_xticks(_dates(days), labels=labels)
    ax.tick_params(axis="x", labelsize=10)
    span = (days[-1] - days[0]).days or 30
    pad = dt.timedelta(days=max(10, span // 25))
    low = days[0] - pad if days[0] - dt.date.min > pad else dt.date.min
    high = days[-1] + pad if dt.date.max - days[-1] > pad else dt.date.max
    ax.set_xlim(_dates(low), _dates(high))


def end_labels(ax: Axes, chart: Chart, xs: Sequence[Sequence[Any]]) -> None:
    """Each actor's name at the right end of its line (``xs``: each line's x values, as
    drawn), joined to its last point by a thin leader once :func:`settle` moves it."""
    for line, x in zip(chart.lines, xs, strict=True):
        ax.annotate(
            shorten(line.name, 24),
            xy=(x[-1], line.values[-1]),
            xytext=(END_GAP, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=10,
            color=line.style.colour,
            annotation_clip=False,
            gid=f"end-{line.actor}",
            # from the name's left edge (relpos), not clipped against a box around it:
            # matplotlib's clipping of each leader costs a tenth of a chart's drawing
            arrowprops={
                "arrowstyle": "-",
                "color": line.style.colour,
                "linewidth": 0.6,
                "patchA": None,
                "relpos": (0.0, 0.5),
                "shrinkA": 3,
                "shrinkB": 5,
            },
        )


def event_labels(ax: Axes, chart: Chart, numbers: dict[tuple[str, int], int] | None) -> None:
    """APPEARED / DISAPPEARED at their snapshot, with a dotted line: in full, a row each
    (``numbers`` None), else as the numbered tags of :func:`event_list`."""
    colours = {line.name: line.style.colour for line in chart.lines}
    tagged: set[tuple[int, str]] = set()
    for row, (i, event, names) in enumerate(chart.events):
        date = chart.dates[i]
        colour = next((colours[n] for n in names if n in colours), "#555555")
        ax.axvline(_dates(date), color=colour, linestyle=":", linewidth=0.8, alpha=0.6, zorder=0)
        if numbers is None:
            right = 2 * i >= len(chart.dates) and len(chart.dates) > 1
            ax.annotate(
                f" {chart.refs[i]} {event}: {_names(names, 2)} ",
                xy=(_dates(date), 0.98 - INLINE_ROW * row),
                xycoords=("data", "axes fraction"),
                # labels in the right half run leftwards from their line, inside the panel
                ha="right" if right else "left",
                fontsize=9,
                va="top",
                color=colour,
                gid=f"event-{i}-{event}",
                bbox={
                    "boxstyle": "square,pad=0.1",
                    "facecolor": "white",
                    "edgecolor": "none",
                    "alpha": 0.8,
                },
            )
            continue
        if (i, "tag") in tagged:
            continue  # one tag per snapshot, for all its events
        tagged.add((i, "tag"))
        ax.annotate(
            str(numbers[(chart.lineage, i)]),
            xy=(_dates(date), 0.98),
            xycoords=("data", "axes fraction"),
            ha="center",
            va="top",
            fontsize=8.5,
            fontweight="bold",
            color=colour,
            gid=f"tag-{i}",
            bbox={
                "boxstyle": "round,pad=0.2",
                "facecolor": "white",
                "edgecolor": colour,
                "linewidth": 0.8,
            },
        )


def event_numbers(charts: Sequence[Chart]) -> dict[tuple[str, int], int] | None:
    """A number per snapshot with events (lineage, snapshot index; the panels of one
    lineage share theirs), or None when the events are few enough to write out in full."""
    events = {(c.lineage, i, event) for c in charts for i, event, _ in c.events}
    if len(events) <= INLINE_EVENTS:
        return None
    keys = dict.fromkeys((c.lineage, i) for c in charts for i, _, _ in c.events)
    return {key: n for n, key in enumerate(keys, start=1)}


def event_list(charts: Sequence[Chart], numbers: dict[tuple[str, int], int]) -> str:
    """The numbered events as text: "2: v5 2024-04-24 APPEARED: Venezuela, Pakistan +7"."""
    said: dict[int, dict[str, str]] = {}
    for c in charts:
        for i, event, names in c.events:
            n = numbers[(c.lineage, i)]
            where = f" {c.lineage}" if c.lineage else ""
            head = f"{n}: {c.refs[i]} {c.dates[i].isoformat()}{where}"
            said.setdefault(n, {"": head})[event] = f"{event}: {_names(names, 4)}"
    return "Events. " + "; ".join(" ".join(said[n].values()) for n in sorted(said)) + "."


def settle(fig: Figure) -> None:
    """Lay the figure out, move the labels that touch (module docstring), then once more:
    moving the names at the line ends changes the margin the layout leaves them, so the
    second pass measures the layout the file is written with, and is kept as the figure's
    layout (no engine left on: why, :func:`freeze_layout`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Annotation

    renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]  # measures as the PNG will be drawn
    full = {ax: [t.get_text() for t in ax.get_xticklabels()] for ax in fig.axes}
    for again in (False, True):
        fig.draw_without_rendering()
        if not again:
            _fit_title(fig, renderer)
        for ax in fig.axes:
            if again:  # thin the full labels against the final layout
                ax.set_xticks(ax.get_xticks(), labels=full[ax])
            _thin_ticks(ax, renderer)
            notes = [t for t in ax.texts if isinstance(t, Annotation)]
            if not again:  # the tags may raise the panel's top, which moves the line ends
                _stack_tags(ax, [t for t in notes if _gid(t).startswith("tag-")], renderer)
            _spread(ax, [t for t in notes if _gid(t).startswith("end-")], renderer)
    # the second layout stands: what moved after it (names up or down inside their panel,
    # dates blanked but their lines kept) asks no other margin
    fig.set_layout_engine(None)


def freeze_layout(fig: Figure) -> None:
    """Lay ``fig`` out a last time and keep that layout: a save then draws the figure once.
    With a layout engine, even one set to "none" (a placeholder), matplotlib draws the
    whole figure twice per save, the first time only to lay it out again."""
    fig.draw_without_rendering()
    fig.set_layout_engine(None)  # no engine at all (figure.autolayout and
    # figure.constrained_layout.use are off: _configure)


def _fit_title(fig: Figure, renderer: Any) -> None:
    """Wrap the figure's title (at the left) to end before the legend (at the right, from
    the top): a long series title would otherwise run under the legend's first names."""
    title = next((t for t in fig.texts if _gid(t) == TITLE_GID), None)
    if title is None or not fig.legends:
        return
    room = fig.legends[0].get_window_extent(renderer).x0 - 4 * GAP_PX
    box = title.get_window_extent(renderer)
    if box.x1 <= room:
        return
    room -= box.x0
    pieces: list[tuple[str, str]] = []  # each piece and what joins it to the one before
    for word in title.get_text().split():
        if _width(renderer, title, word) <= room:
            pieces.append((word, " "))
        else:  # a word too long for a line (Chinese is written without spaces): by letter
            pieces += [(ch, " " if k == 0 else "") for k, ch in enumerate(word)]
    lines = [""]
    for piece, glue in pieces:
        tried = f"{lines[-1]}{glue}{piece}" if lines[-1] else piece
        if lines[-1] and _width(renderer, title, tried) > room:
            lines.append(piece)
        else:
            lines[-1] = tried
    title.set_text("\n".join(lines))


def _gid(t: Text) -> str:
    return t.get_gid() or ""


def _thin_ticks(ax: Axes, renderer: Any) -> None:
    """Blank the dates that would touch the last one kept (the first and last stay), then
    keep every ref that still has room: refs are short, so most snapshots keep theirs."""
    ticks = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
    if len(ticks) < 3:
        return
    centres = [float(ax.transData.transform((x, 0))[0]) for x in ax.get_xticks()]
    lines = [t.get_text().split("\n") for t in ticks]
    dates = [
        _span(c, _width(renderer, ticks[0], d)) for c, (d, _) in zip(centres, lines, strict=True)
    ]
    refs = [
        _span(c, _width(renderer, ticks[0], r)) for c, (_, r) in zip(centres, lines, strict=True)
    ]
    kept = _greedy(dates, [0, len(ticks) - 1])
    named = _greedy([dates[i] if i in kept else refs[i] for i in range(len(refs))], kept)
    labels = [
        "\n".join(line) if i in kept else f"\n{line[1]}" if i in named else ""
        for i, line in enumerate(lines)
    ]
    ax.set_xticks(ax.get_xticks(), labels=labels)


def _greedy(spans: Sequence[tuple[float, float]], fixed: Sequence[int]) -> list[int]:
    """Indices of ``spans`` (left, right; in order) that touch no other kept one: those
    ``fixed`` first (the later of two touching fixed ones is dropped, the last never),
    then the others from the left."""

    def clear(i: int, kept: Sequence[int]) -> bool:
        return all(
            spans[i][0] > spans[k][1] + 3 * GAP_PX or spans[k][0] > spans[i][1] + 3 * GAP_PX
            for k in kept
            if k != i
        )

    kept: list[int] = []
    for i in fixed:
        if clear(i, kept):
            kept.append(i)
    for i in range(len(spans)):
        if i not in kept and clear(i, kept):
            kept.append(i)
    return sorted(kept)


def _span(centre: float, width: float) -> tuple[float, float]:
    return centre - width / 2, centre + width / 2


def _width(renderer: Any, like: Any, text: str) -> float:
    """The width in pixels of ``text`` set like the tick label ``like``."""
    width, _, _ = renderer.get_text_width_height_descent(
        text, like.get_fontproperties(), ismath=False
    )
    return float(width)


def _spread(ax: Axes, labels: Sequence[Annotation], renderer: Any) -> None:
    """Move the line-end names apart vertically (in points), nearest their anchors, inside
    the panel: each cluster of touching names is centred on its anchors."""
    if not labels:
        return
    dpi = ax.figure.dpi
    anchors = [float(ax.transData.transform(_xy(t))[1]) for t in labels]
    step = max(box_of(t, renderer).height for t in labels) + GAP_PX
    order = sorted(range(len(labels)), key=lambda i: (anchors[i], i))
    clusters: list[list[int]] = []
    for i in order:
        clusters.append([i])
        while len(clusters) > 1 and _bottom(clusters[-1], anchors, step) < _top(
            clusters[-2], anchors, step
        ):
            last = clusters.pop()
            clusters[-1].extend(last)
    y = [0.0] * len(labels)
    for cluster in clusters:
        start = _bottom(cluster, anchors, step)
        for k, i in enumerate(cluster):
            y[i] = start + k * step
    box = ax.get_window_extent(renderer)
    low, high = box.y0 + step / 2, box.y1 - step / 2
    placed = [y[i] for i in order]
    for k in range(len(placed)):  # up from the floor, then down from the ceiling
        placed[k] = max(placed[k], low + k * step, placed[k - 1] + step if k else low)
    for k in reversed(range(len(placed))):
        ceiling = high - (len(placed) - 1 - k) * step
        placed[k] = min(placed[k], ceiling, placed[k + 1] - step if k + 1 < len(placed) else high)
    xs = [float(ax.transData.transform(_xy(t))[0]) for t in labels]
    for k, i in enumerate(order):  # in one column, right of the rightmost (dodged) point
        labels[i].xyann = (
            END_GAP + (max(xs) - xs[i]) * 72 / dpi,
            (placed[k] - anchors[i]) * 72 / dpi,
        )


def _bottom(cluster: Sequence[int], anchors: Sequence[float], step: float) -> float:
    """Where a cluster's lowest name goes: the cluster centred on its anchors' mean."""
    return sum(anchors[i] for i in cluster) / len(cluster) - (len(cluster) - 1) * step / 2


def _top(cluster: Sequence[int], anchors: Sequence[float], step: float) -> float:
    return _bottom(cluster, anchors, step) + len(cluster) * step


def _stack_tags(ax: Axes, tags: Sequence[Annotation], renderer: Any) -> None:
    """Each numbered tag in the highest row where it touches no other (rows go down), and
    the panel's top raised so that the rows clear the highest value."""
    if not tags:
        return
    ends: list[float] = []  # the right edge of the last tag in each row
    for tag in sorted(tags, key=lambda t: box_of(t, renderer).x0):
        box = box_of(t=tag, renderer=renderer)
        row = next((r for r, end in enumerate(ends) if box.x0 > end + GAP_PX), len(ends))
        if row == len(ends):
            ends.append(box.x1)
        ends[row] = max(ends[row], box.x1)
        tag.xy = tag.xyann = (tag.xy[0], 0.98 - TAG_ROW * row)  # the text is drawn at xyann
    if len(ends) > TAG_ROWS:
        low, high = ax.get_ylim()
        used = 1 - headroom(1, numbered=True)  # the part below the rows planned for
        free = len(ends) * TAG_ROW + 0.03
        ax.set_ylim(low, low + (high - low) * used / (1 - free))


def box_of(t: Text, renderer: Any) -> Bbox:
    """A text's extent in pixels, its box (padding, frame) included when it has one."""
    from matplotlib.text import Text

    patch = t.get_bbox_patch()
    # Text's own extent: an Annotation's would include its leader line
    return patch.get_window_extent(renderer) if patch else Text.get_window_extent(t, renderer)


def _xy(label: Annotation) -> tuple[float, float]:
    """An annotation's anchor in the units of its axes (dates converted)."""
    x, y = label.xy
    return float(label.axes.convert_xunits(x)), float(y)  # type: ignore[union-attr]


def _names(names: Sequence[str], most: int) -> str:
    return ", ".join(names[:most]) + (f" +{len(names) - most}" if len(names) > most else "")


def _dates(dates: dt.date | Sequence[dt.date]) -> Any:
    """Dates as matplotlib takes them: it converts dates itself (its units registry), but
    its type stubs admit only numbers on the x axis."""
    return list(dates) if isinstance(dates, Sequence) else dates
