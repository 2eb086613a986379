"""Chart data: what each chart draws, as plain values (no matplotlib here).

:func:`chart_data` turns score rows (:class:`~narrative_diff.changes.ScoreResult`) into a
:class:`Chart`: one :class:`Line` per actor with its dates, values and events, a style per
actor and the source note.

Styles: an actor's style is a function of its place in the actors file (declared order)
alone, never of which actors a chart happens to draw, so adding or removing a snapshot, a
lineage or ``--top`` never re-colours anyone, and every series scored with the same actors
file shows an actor alike. Index ``i`` takes Okabe & Ito's colour ``i mod 7`` (their
colour-blind-safe palette without its yellow, too pale on white), the line style ``i div 7``
(solid, dashed, dotted, dash-dot) and a marker and hatch that shift with it, so 28 actors
never look the same. An actor missing from the actors file (the rows always carry all of
it, so none today) takes the style of a stable hash of its key (CRC-32), the same in every
run.

Intervals: the sentence-bootstrap intervals are of the *change* between two snapshots, so
they belong to a pair, not to a point; drawn as bars around a level they suggested a
range for the level itself (a bar to 11 on a 0-9 scale). A separate panel of changes
would need one mark per actor per pair (200 at 30 snapshots), which nobody reads; the
change table (``score``, the report) gives each interval beside its p-value, so the charts
draw levels only and the note says where the intervals are.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from narrative_diff.errors import UsageProblem
from narrative_diff.scoring import Event, ScoreRow

#: (snapshot index, "APPEARED" or "DISAPPEARED", actor names)
ChartEvent = tuple[int, Event, tuple[str, ...]]


class Metric(NamedTuple):
    """A chartable metric: its ScoreRow column and axis label."""

    column: str
    label: str


#: metric name on the command line → what it draws
METRICS: dict[str, Metric] = {
    "count": Metric("count", "mentions"),
    "rate": Metric("rate", "mentions per 1,000 words"),
    "prominence": Metric("prominence", "prominence (weighted mentions)"),
    "share": Metric("share_of_voice", "share of voice"),
    "sentences": Metric("sentence_share", "share of sentences naming the actor"),
}
#: Okabe & Ito's colour-blind-safe palette without its yellow (too pale on white).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
STYLES = ("-", "--", ":", "-.")
HATCHES = ("", "//", "..", "xx")
OTHER_COLOUR = "#BBBBBB"
#: The panel title of the snapshots with neither a lineage nor a publisher.
NO_LINEAGE = "(no lineage)"


@dataclass(frozen=True)
class Style:
    """How one actor is drawn, the same in every chart of a series."""

    colour: str
    marker: str
    line: str
    hatch: str  # for stacked areas, where only colour and hatching tell actors apart


@dataclass(frozen=True)
class Line:
    """One actor's values over the snapshots."""

    actor: str
    name: str
    style: Style
    values: tuple[float, ...]
    events: tuple[Event, ...]


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
    # every actor's events, drawn or not
    events: tuple[ChartEvent, ...] = ()
    #: the lineage this panel draws ("" when the chart draws the whole series)
    lineage: str = ""
    #: the series' title (series.yaml), for the heading; "" names the series by its slug
    title: str = ""


def texts(charts: Sequence[Chart]) -> list[str]:
    """Every piece of text the charts draw (for the font check)."""
    heads = [text for c in charts for text in (c.title, c.lineage) if text]
    return heads + [c.note for c in charts] + [line.name for c in charts for line in c.lines]


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


def style_at(index: int) -> Style:
    """The style of the actor declared ``index``-th in the actors file (module docstring):
    colour cycles fastest, then the line style; the marker shifts by one each cycle, so
    the first 28 never repeat all four."""
    cycle = index // len(PALETTE)
    return Style(
        PALETTE[index % len(PALETTE)],
        MARKERS[(index + cycle) % len(MARKERS)],
        STYLES[cycle % len(STYLES)],
        HATCHES[cycle % len(HATCHES)],
    )


#: How many actors have styles of their own (colours × line styles).
DISTINCT = len(PALETTE) * len(STYLES)


def style_of(key: str, declared: Sequence[str]) -> Style:
    """``key``'s style: by its index in ``declared`` (the actors file's keys in order), else
    by a stable hash of the key (CRC-32, unlike ``hash()`` the same in every process)."""
    if key in declared:
        return style_at(list(declared).index(key))
    return style_at(zlib.crc32(key.encode("utf-8")) % DISTINCT)


def styles(declared: Sequence[str]) -> dict[str, Style]:
    """A style per actor of the actors file, ``declared`` being all its keys in order (not
    only those drawn: a style must not depend on what else a chart shows)."""
    return {key: style_at(i) for i, key in enumerate(declared)}


def chart_data(
    rows: Sequence[ScoreRow],
    metric: str,
    *,
    series: str,
    actors_source: str,
    top: int = 7,
    lineage: str = "",
    title: str = "",
) -> Chart:
    """The chart of ``metric`` from score rows (one per snapshot × actor, in date order,
    every actor of the actors file in its declared order, which fixes the styles).
    Actors never mentioned are left out; beyond ``top`` (ranked by peak prominence), the
    rest are named in ``left_out``. Change rows are not drawn (module docstring: their
    intervals are in the change table); ``lineage``: the panel's; ``title``: the series'
    own title, when it has one."""
    spec = METRICS[metric]
    table = _Table.of(rows)
    mentioned = [k for k in table.keys if any(r.count for r in table.by_actor[k])]
    peak = {k: max(r.prominence for r in table.by_actor[k]) for k in mentioned}
    ranked = sorted(mentioned, key=lambda k: (-peak[k], mentioned.index(k)))
    shown, left_out = ranked[:top], ranked[top:]
    drawn = [k for k in mentioned if k in shown]  # in the actors file's order
    lines = tuple(_line(table, key, spec.column, style_of(key, table.keys)) for key in drawn)
    label = spec.label
    if metric == "rate" and table.han_refs():
        label += " (characters in Han text)"
    return Chart(
        events=_events_of(table, mentioned),
        metric=metric,
        label=label,
        series=series,
        dates=tuple(table.dates[s] for s in table.snaps),
        refs=tuple(table.refs[s] for s in table.snaps),
        lines=lines,
        note=_note(table, series, actors_source, lines, [table.name(k) for k in left_out], lineage),
        left_out=tuple(left_out),
        lineage=lineage,
        title=title,
    )


def lineage_charts(
    rows: Sequence[ScoreRow],
    metric: str,
    *,
    series: str,
    actors_source: str,
    top: int = 7,
    title: str = "",
    lineage_shown: Callable[[str], str] = str,
) -> tuple[Chart, ...]:
    """The chart of ``metric``, one panel per lineage when the series has several (so that
    no line joins two sources), each actor styled alike in every panel (by its place in the
    actors file); else one chart.
    ``title``: the series' own title; ``lineage_shown``: a lineage's display name (both
    from series.yaml)."""
    lineages = list(dict.fromkeys(r.lineage.casefold() for r in rows))
    if len(lineages) < 2:
        return (
            chart_data(
                rows,
                metric,
                series=series,
                actors_source=actors_source,
                top=top,
                title=title,
            ),
        )
    panels = []
    for key in lineages:
        mine = [r for r in rows if r.lineage.casefold() == key]
        panels.append(
            chart_data(
                mine,
                metric,
                series=series,
                actors_source=actors_source,
                top=top,
                lineage=lineage_shown(mine[0].lineage) or NO_LINEAGE,
                title=title,
            )
        )
    return tuple(panels)


@dataclass(frozen=True)
class _Table:
    """The score rows regrouped for drawing: snapshots in order, rows by actor."""

    snaps: list[str]
    dates: dict[str, dt.date]
    refs: dict[str, str]
    languages: dict[str, str]
    keys: list[str]
    by_actor: dict[str, list[ScoreRow]]

    @classmethod
    def of(cls, rows: Sequence[ScoreRow]) -> _Table:
        keys = list(dict.fromkeys(r.actor for r in rows))
        return cls(
            snaps=list(dict.fromkeys(r.snapshot for r in rows)),
            dates={r.snapshot: dt.date.fromisoformat(r.date) for r in rows},
            refs={r.snapshot: r.ref for r in rows},
            languages={r.snapshot: (r.language or "").split("-")[0] for r in rows},
            keys=keys,
            by_actor=_grouped(rows),
        )

    def name(self, key: str) -> str:
        return self.by_actor[key][0].actor_name

    def han_refs(self) -> list[str]:
        """Snapshots in Han script, where a rate counts characters, not words."""
        return [self.refs[s] for s in self.snaps if self.languages.get(s) in ("zh", "ja")]


def _grouped(rows: Sequence[ScoreRow]) -> dict[str, list[ScoreRow]]:
    """The rows of each actor, in one pass (a scan per actor is slow with 10,000 actors)."""
    out: dict[str, list[ScoreRow]] = {}
    for row in rows:
        out.setdefault(row.actor, []).append(row)
    return out


def _line(table: _Table, key: str, column: str, style: Style) -> Line:
    """One actor's values over the snapshots."""
    rows = table.by_actor[key]
    return Line(
        actor=key,
        name=table.name(key),
        style=style,
        values=tuple(_number(getattr(r, column)) for r in rows),
        events=tuple(r.event for r in rows),
    )


def _note(
    table: _Table,
    series: str,
    source: str,
    lines: Sequence[Line],
    left_out: Sequence[str],
    lineage: str = "",
) -> str:
    """The source note: what was charted, where the intervals are, mixed languages, actors
    not drawn."""
    first, last = table.snaps[0], table.snaps[-1]
    refs, dates = table.refs, table.dates
    where = f"series '{series}', lineage '{lineage}'" if lineage else f"series '{series}'"
    note = (
        f"Source: narrative-diff, {where}, {len(table.snaps)} snapshots "
        f"({refs[first]} {dates[first]} to {refs[last]} {dates[last]}); actors: {source}."
    )
    if len(table.snaps) > 1 and lines:
        note += (
            " The 95% intervals of each change are in the change table"
            " (narrative-diff score), not drawn."
        )
    if not lines:
        note += " No actor of the actors file is mentioned in this series."
    if len(set(table.languages.values())) > 1:
        listed = ", ".join(f"{refs[s]} {table.languages[s] or '?'}" for s in table.snaps)
        note += (
            f" Languages differ ({listed}): rates count words, and Han characters as words,"
            " so compare rates within a language."
        )
    if left_out:
        note += f" Not drawn ({len(left_out)}, see the table): {', '.join(left_out)}."
    return note


def _events_of(table: _Table, mentioned: Sequence[str]) -> tuple[ChartEvent, ...]:
    """(snapshot index, event, actor names) for every event of every mentioned actor."""
    return tuple(
        (i, kind, names)
        for i in range(len(table.snaps))
        for kind in ("DISAPPEARED", "APPEARED")
        if (names := tuple(table.name(k) for k in mentioned if table.by_actor[k][i].event == kind))
    )


def _number(value: float | int | None) -> float:
    return (
        0.0 if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    )
