"""Heat-maps of a series: which parts of the text changed at each step (rows: the blocks
of the latest version), and how prominent each actor was in each snapshot (rows: actors).

:class:`Heatmap` is plain data (built by :func:`change_heatmap` and :func:`actor_heatmap`);
:func:`draw_heatmap` draws it with matplotlib: one cell per row × snapshot, the value
written in the cell when the grid is small enough to read, hatched grey where there is no
value (a block not written yet), a colour bar, a title and a source note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from narrative_diff.ancestry import ChangeMap
from narrative_diff.scoring import ScoreRow
from narrative_diff.text import shorten

from .data import METRICS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from narrative_diff.fonts import FontSet

#: Cells with at most this many rows × columns have their value written in them.
ANNOTATE_CELLS = 400
#: Rows shown at most (the most changed blocks, the most prominent actors).
MAX_ROWS = 40
#: A block's label: its first characters.
LABEL_CHARS = 36


@dataclass(frozen=True)
class Heatmap:
    """Rows × columns of values (None: no value), with what they mean."""

    kind: str  # "changes" or a metric name
    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]  # "v3\n2023-05-01"
    values: tuple[tuple[float | None, ...], ...]
    scale: str  # the colour bar's label
    note: str
    percent: bool = False  # values are shares, shown as percentages

    def texts(self) -> list[str]:
        """Every text the figure draws (for the font check)."""
        return [self.title, self.scale, self.note, *self.rows, *self.columns]


def change_heatmap(
    changes: ChangeMap, *, series: str, title: str = "", top: int = MAX_ROWS
) -> Heatmap:
    """The change map as a heat-map: the latest version's blocks × versions."""
    rows = [
        f"¶{n} {shorten(label.split(': ', 1)[1], 48)}" for n, label in enumerate(changes.blocks, 1)
    ]
    pairs = list(zip(rows, changes.values, strict=True))
    if len(pairs) > top:  # the blocks that changed most, in text order
        ranked = sorted(range(len(pairs)), key=lambda i: -sum(v or 0 for v in pairs[i][1]))
        pairs = [pairs[i] for i in sorted(ranked[:top])]
    latest = changes.versions[-1]
    return Heatmap(
        "changes",
        f"{title or series}: what changed at each step",
        tuple(r for r, _ in pairs),
        tuple(f"{v.ref}\n{v.date[:7]}" for v in changes.versions),
        tuple(v for _, v in pairs),
        "share of the block's sentences introduced or changed",
        f"Rows: the blocks of {latest.ref} ({latest.date}), each followed back through its "
        "lineage (narrative-diff blame); a cell is the share of the block's sentences that "
        "were introduced, edited, split or merged in that version (moves and changes of case "
        "or Chinese script do not count); grey: not written yet.",
        percent=True,
    )


def actor_heatmap(
    rows: Sequence[ScoreRow],
    metric: str,
    *,
    series: str,
    title: str = "",
    actors_source: str = "",
    top: int = MAX_ROWS,
) -> Heatmap:
    """Actors × snapshots of one metric (actors ordered by their peak, the top ones)."""
    column = METRICS[metric].column
    snapshots = list(dict.fromkeys((r.snapshot, r.ref, r.date) for r in rows))
    names = {r.actor: r.actor_name for r in rows}
    value = {(r.actor, r.snapshot): float(getattr(r, column)) for r in rows}
    peak = {a: max(value.get((a, s), 0.0) for s, _, _ in snapshots) for a in names}
    shown = [a for a in sorted(names, key=lambda a: -peak[a]) if peak[a] > 0][:top]
    share = metric in ("share", "sentences")
    return Heatmap(
        metric,
        f"{title or series}: {METRICS[metric].label} by actor",
        tuple(names[a] for a in shown),
        tuple(f"{ref}\n{date[:7]}" for _, ref, date in snapshots),
        tuple(tuple(value.get((a, s), 0.0) for s, _, _ in snapshots) for a in shown),
        METRICS[metric].label,
        f"Actors from {actors_source or 'the actors file'}, by their highest value; "
        f"narrative-diff score, column {column}.",
        percent=share,
    )


def heatmap_size(heat: Heatmap) -> tuple[float, float]:
    """The size in inches of :func:`draw_heatmap`'s figure, known before it is drawn."""
    return min(5.0 + 0.8 * len(heat.columns), 30), 2.8 + 0.32 * max(len(heat.rows), 1)


def draw_heatmap(heat: Heatmap, fonts: FontSet) -> Figure:
    """The heat-map as a figure (object-oriented matplotlib, no pyplot state)."""
    import numpy as np
    from matplotlib.figure import Figure

    from .draw import _configure, _said, _wrap
    from .labels import freeze_layout

    _configure(fonts)
    n_rows, n_cols = len(heat.rows), len(heat.columns)
    grid = np.ma.masked_invalid(
        np.array([[np.nan if v is None else v for v in row] for row in heat.values] or [[np.nan]])
    )
    width, height = heatmap_size(heat)
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    ax = fig.subplots()
    ax.set_facecolor("#eeeeee")
    ax.patch.set_hatch("//")
    ax.patch.set_edgecolor("#cccccc")
    top = 1.0 if heat.percent else max(float(grid.max()) if grid.count() else 1.0, 1e-9)
    image = ax.imshow(grid, cmap="Reds", vmin=0, vmax=top, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(n_cols), labels=heat.columns, fontsize=8, rotation=90 if n_cols > 24 else 0)
    ax.set_yticks(range(n_rows), labels=heat.rows, fontsize=9)
    ax.tick_params(top=False, bottom=True, length=0)
    if n_rows * n_cols <= ANNOTATE_CELLS:
        for (i, j), v in np.ndenumerate(grid.filled(np.nan)):
            if not np.isnan(v):
                said = f"{v:.0%}" if heat.percent else f"{v:.3g}"
                ax.text(j, i, said, ha="center", va="center", fontsize=7, in_layout=False,
                        color="white" if v > 0.6 * top else "#222222")  # fmt: skip
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label(heat.scale, fontsize=9)
    if heat.percent:
        bar.ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    fig.suptitle(heat.title, fontsize=13, fontweight="bold", x=0.01, ha="left")
    fig.supxlabel(_wrap(heat.note, int(width * 13)), fontsize=8, color="#444444", x=0.01, ha="left")
    with _said():
        freeze_layout(fig)
    return fig
