"""The report model: the report on a series, built once as plain data.

:func:`build` is the one step that computes: it gathers what every output shows (the
snapshots with their provenance, the findings (:mod:`~narrative_diff.findings`), the chart
data (:mod:`~narrative_diff.charts`), the score table, and, for each consecutive pair, the
compare summary and the changed passages (the redline)). The renderers
(:mod:`~narrative_diff.report.renderers`) only lay the :class:`Report` out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from narrative_diff.ancestry import Chain, change_map
from narrative_diff.changes import lineage_pairs
from narrative_diff.charts import NO_LINEAGE, Chart, lineage_charts
from narrative_diff.charts.heatmap import Heatmap, actor_heatmap, change_heatmap
from narrative_diff.compare import CompareOptions, Comparison, compare
from narrative_diff.findings import HEADLINES, Finding, find
from narrative_diff.relations import DELETE, INSERT, Op, WordOp
from narrative_diff.render.compare_text import (
    Section,
    changed,
    label,
    position,
    sections,
    side_ops,
    verdict,
    visible_ops,
)
from narrative_diff.results import ScoreResult
from narrative_diff.scoring import ScoreRow, Weights, actor_block
from narrative_diff.series import SeriesInfo
from narrative_diff.snapshot import Snapshot, lineage_names
from narrative_diff.text import languages_differ

from .latest import LatestChange, latest_change
from .stayed import StayedWent, chain_of, stayed_went

T = TypeVar("T")

#: Metrics charted in the report, the first one on the summary card.
REPORT_METRICS = ("prominence", "count", "share")
#: Changed passages shown per pair; the rest are counted, with the command that shows them.
PASSAGES_PER_PAIR = 40
#: What the findings section says when there are none.
NO_FINDINGS = (
    "No findings: no actor appears, disappears or changes beyond chance, and no term was "
    "renamed or phrase replaced between consecutive snapshots."
)
#: How the snapshot table marks a snapshot whose text no longer matches its hash.
EDITED = "(edited after capture)"
#: ... and when no two snapshots share a lineage, so that nothing was compared.
NOTHING_COMPARED = (
    "No findings: no two snapshots share a lineage (each comes from another source), so "
    "none was compared with another. Events and changes are read within a lineage; give "
    "snapshots of one source line the same lineage (add --lineage NAME) to compare them."
)
#: Columns of the score table, in order.
TABLE_COLUMNS = (
    "ref",
    "date",
    "actor_name",
    "count",
    "rate",
    "prominence",
    "share_of_voice",
    "event",
)


@dataclass(frozen=True)
class SnapshotInfo:
    ref: str
    id: str
    date: str
    title: str
    publisher: str
    kind: str
    language: str
    words: int
    source_url: str
    provenance: str
    lineage: str = ""
    #: the text no longer matches its recorded sha256: the report marks it (EDITED)
    edited: bool = False

    @property
    def title_cell(self) -> str:
        """The title as the snapshot table shows it, marked when the text was edited."""
        return f"{self.title} {EDITED}" if self.edited else self.title


@dataclass(frozen=True)
class Passage:
    """One changed passage: ``a_runs``/``b_runs`` are (marked, text) runs of each side,
    ``ops`` the (operation, text) runs of both (-1 deleted, 0 kept, 1 inserted)."""

    label: str
    position: str
    op: Op
    moved: bool
    a_runs: tuple[tuple[bool, str], ...]
    b_runs: tuple[tuple[bool, str], ...]
    ops: tuple[tuple[WordOp, str], ...]  # both sides interleaved, for the inline view


@dataclass(frozen=True)
class PairReport:
    a_ref: str
    b_ref: str
    a_date: str
    b_date: str
    verdict: str
    sections: tuple[Section, ...]
    passages: tuple[Passage, ...]
    more: int  # changed passages not shown
    lineage: str = ""  # the pair's lineage, when the series has several


@dataclass(frozen=True)
class Report:
    series: str
    title: str
    first_date: str
    last_date: str
    actors_source: str
    tool: str
    snapshots: tuple[SnapshotInfo, ...]
    findings: tuple[Finding, ...]
    #: every chart panel: metric by metric, and within a metric one panel per lineage
    charts: tuple[Chart, ...]
    table: tuple[ScoreRow, ...]  # the rows of mentioned actors, and of disappearances
    pairs: tuple[PairReport, ...]
    methodology: str  # Markdown
    #: the series' own title and description (series.yaml); "" without them
    series_title: str = ""
    description: str = ""
    #: what the newest snapshot changed against the previous one of its lineage
    latest: LatestChange | None = None
    #: the series read as a whole: the stable core, what went, what arrived
    stayed: StayedWent | None = None
    #: the heat-maps: the text's blocks × versions, actors × snapshots
    heatmaps: tuple[Heatmap, ...] = ()

    @property
    def actors_said(self) -> str:
        """The actors file in plain words (not ``bundled: actors-ilrs.toml``)."""
        if self.actors_source.startswith("bundled"):
            name = self.actors_source.split(":", 1)[-1].strip()
            return f"the ILRS actor list shipped with narrative-diff ({name})"
        return f"the actor list {self.actors_source}"

    @property
    def series_name(self) -> str:
        """The series as a heading names it: its title, else its slug."""
        return self.series_title or self.series

    @property
    def headlines(self) -> tuple[Finding, ...]:
        """The strongest findings; actors named for the first time are among them when
        there are any (a newcomer group ranks low on strength, but editors ask for it)."""
        top = self.findings[:HEADLINES]
        first = next((f for f in self.findings if f.kind == "appeared"), None)
        if first is None or first in top or len(top) < HEADLINES:
            return top
        return (*top[:-1], first)

    @property
    def others(self) -> tuple[Finding, ...]:
        """The findings not among the headlines, strongest first."""
        top = self.headlines
        return tuple(f for f in self.findings if f not in top)

    @property
    def no_latest(self) -> str:
        """What page 1 says when the newest snapshot has nothing earlier in its lineage."""
        if self.latest is not None or not self.snapshots:
            return ""
        newest = self.snapshots[-1]
        return (
            f"The latest snapshot, {newest.ref} ({newest.date}), is the first of its source "
            "line: there is nothing earlier to compare it with."
        )

    @property
    def lineages(self) -> tuple[str, ...]:
        """The lineages of the series, in order of first appearance."""
        return tuple(dict.fromkeys(s.lineage for s in self.snapshots))

    def publisher_of(self, s: SnapshotInfo) -> str:
        """The publisher as the snapshot table shows it: with its lineage when the series
        has several."""
        if len(self.lineages) < 2:
            return s.publisher
        return f"{s.publisher} (lineage: {s.lineage or 'none'})".lstrip()

    @property
    def figures(self) -> tuple[tuple[Chart, ...], ...]:
        """The charts as drawn: one figure per metric, its panels (one per lineage)."""
        metrics = dict.fromkeys(chart.metric for chart in self.charts)
        return tuple(tuple(c for c in self.charts if c.metric == m) for m in metrics)

    @property
    def lead_chart(self) -> Chart:
        """The summary card's chart: the first metric, in the lineage of the latest
        snapshot."""
        latest = (self.snapshots[-1].lineage if self.snapshots else "") or NO_LINEAGE
        panels = self.figures[0]
        return next((c for c in panels if c.lineage in (latest, "")), panels[0])

    @property
    def no_findings(self) -> str:
        """What the findings section says when there are none: why."""
        return NO_FINDINGS if self.pairs or len(self.snapshots) < 2 else NOTHING_COMPARED

    def texts(self) -> list[str]:
        """Every piece of text the report prints (for the font check)."""
        out = [self.title, self.series, self.series_title, self.description, self.actors_said]
        if self.latest is not None:
            out += [self.latest.heading, self.latest.verdict, *self.latest.lines()]
            out += [names + quote for names, _, quote in self.latest.quotes()]
            out += [t for w in self.latest.swaps for t in (w.sentence_before, w.sentence_after)]
        for s in self.snapshots:
            out += [s.title_cell, s.publisher, s.provenance, s.source_url]
        for f in self.findings:
            out += [f.headline, f.detail, *(q.text for q in f.quotes)]
        out += [row.actor_name for row in self.table]
        for pair in self.pairs:
            out += [pair.verdict, *(line for sec in pair.sections for line in sec.lines)]
            out += [t for p in pair.passages for _, t in (*p.a_runs, *p.b_runs)]
        if self.stayed is not None:
            out += self.stayed.texts()
        out += [text for heat in self.heatmaps for text in heat.texts()]
        out.append(self.methodology)
        return out


def build(
    snapshots: Sequence[Snapshot],
    refs: Mapping[str, str],
    result: ScoreResult,
    *,
    series: str,
    info: SeriesInfo | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """The report on ``series``: its ``snapshots`` in date order, their ``refs`` (id → vN)
    and their score result; ``info``: its title, description and lineage names
    (series.yaml); ``progress(stage, done, total)`` is called as pairs are compared."""
    from narrative_diff import __version__

    info = info or SeriesInfo(name=series, title=series)
    own_title = info.title if info.titled else ""
    snaps = list(snapshots)
    consecutive, skipping = _comparisons(snaps, refs, result, progress)
    chain, note = chain_of(snaps, refs, consecutive)
    findings = find(result.scores, result.changes, consecutive, skipping, result.actors, refs)
    source = result.actors.source
    charts = tuple(
        panel
        for metric in REPORT_METRICS
        for panel in lineage_charts(
            result.rows,
            metric,
            series=series,
            actors_source=source,
            title=own_title,
            lineage_shown=info.shown_lineage,
        )
    )
    first, last = refs[snaps[0].id], refs[snaps[-1].id]
    names = {key: info.shown_lineage(name) for key, name in lineage_names(snaps).items()}
    return Report(
        series=series,
        title=_title(series, own_title, first, last, len(snaps)),
        series_title=own_title,
        description=info.description or "",
        first_date=snaps[0].date.isoformat(),
        last_date=snaps[-1].date.isoformat(),
        actors_source=source,
        tool=f"narrative-diff {__version__}",
        snapshots=tuple(_info(s, refs[s.id], names[s.lineage_key]) for s in snaps),
        findings=findings,
        charts=charts,
        # the mentioned actors, and the snapshot where one disappears (a row with 0 mentions)
        table=tuple(row for row in result.rows if row.count or row.event),
        pairs=tuple(
            _pair(res, (names[res.a.lineage_key] or NO_LINEAGE) if len(names) > 1 else "")
            for res in consecutive
        ),
        methodology=methodology_text(),
        latest=latest_change(snaps, consecutive),
        stayed=stayed_went(snaps, refs, result, chain, note),
        heatmaps=_heatmaps(snaps, result, chain, series, own_title),
    )


def _heatmaps(
    snaps: Sequence[Snapshot], result: ScoreResult, chain: Chain, series: str, title: str
) -> tuple[Heatmap, ...]:
    """The change map (two versions or more in one chain) and actors × prominence."""
    out = []
    if len(chain.snapshots) > 1:
        changes = change_map(chain, len(chain.snapshots) - 1)
        out.append(change_heatmap(changes, series=series, title=title))
    if len(snaps) > 1 and result.rows:
        source = result.actors.source
        heat = actor_heatmap(
            result.rows, "prominence", series=series, title=title, actors_source=source
        )
        if heat.rows:
            out.append(heat)
    return tuple(out)


def _title(series: str, own: str, first: str, last: str, count: int) -> str:
    """The report's title: the series' own title when it has one, else its slug."""
    if own:
        return (
            f"{own}: how the narrative changed, {first} to {last}"
            if count > 1
            else f"{own}: one snapshot so far ({first})"
        )
    if count > 1:
        return f"How the '{series}' narrative changed: {first} to {last}"
    return f"The '{series}' series: one snapshot so far ({first})"


def _comparisons(
    snaps: Sequence[Snapshot],
    refs: Mapping[str, str],
    result: ScoreResult,
    progress: Callable[[str, int, int], None] | None,
) -> tuple[list[Comparison], list[Comparison]]:
    """Each snapshot compared with the one before it in its lineage (with the actor
    block), and with the one two before in the same lineage and language (renames may skip
    a snapshot). Snapshots of different lineages are never compared: a switch of source
    is not a change of narrative."""
    options, weights = CompareOptions(), Weights()
    steps = [(i, j) for i, j in lineage_pairs(snaps) if _next_in_lineage(snaps, i, j)]
    members: dict[str, list[int]] = {}
    for index, snap in enumerate(snaps):
        members.setdefault(snap.lineage_key, []).append(index)
    skips = sorted(
        (line[k], line[k + 2])
        for line in members.values()
        for k in range(len(line) - 2)
        if not languages_differ(snaps[line[k]].language, snaps[line[k + 2]].language)
    )
    total = max(1, len(steps) + len(skips))
    done = 0

    def pair(i: int, j: int) -> Comparison:
        nonlocal done
        a, b = snaps[i], snaps[j]
        out = compare(a, b, a_ref=refs[a.id], b_ref=refs[b.id], options=options)
        done += 1
        if progress:
            progress("comparing", done, total)
        return out

    # each pair's actor events as the series reads them: a one-off absence is ABSENT
    events = {(row.snapshot, row.actor): row.event for row in result.rows}
    consecutive = []
    for i, j in steps:
        res = pair(i, j)
        block = tuple(
            replace(x, event=events.get((res.b.id, x.actor), x.event))
            for x in actor_block(res, result.actors, weights)
        )
        consecutive.append(replace(res, summary=replace(res.summary, actors=block)))
    return consecutive, [pair(i, j) for i, j in skips]


def _next_in_lineage(snaps: Sequence[Snapshot], i: int, j: int) -> bool:
    """Whether ``j`` is the next snapshot of ``i``'s lineage (not a first → last span)."""
    key = snaps[i].lineage_key
    return snaps[j].lineage_key == key and not any(
        snaps[k].lineage_key == key for k in range(i + 1, j)
    )


def _info(s: Snapshot, ref: str, lineage: str) -> SnapshotInfo:
    return SnapshotInfo(
        ref=ref,
        id=s.id,
        date=s.date.isoformat(),
        title=s.display_title,
        publisher=s.publisher or "",
        kind=s.kind or "",
        language=s.language or "",
        words=s.words,
        source_url=s.source_url or "",
        provenance=s.provenance or "",
        lineage=lineage,
        edited=not s.hash_ok,
    )


def _pair(result: Comparison, lineage: str = "") -> PairReport:
    """A pair's section; ``lineage``: its lineage, named when the series has several."""
    segs = changed(result)
    shown = segs[:PASSAGES_PER_PAIR]
    return PairReport(
        a_ref=result.a_ref,
        b_ref=result.b_ref,
        a_date=result.a.date.isoformat(),
        b_date=result.b.date.isoformat(),
        verdict=verdict(result),
        sections=tuple(sections(result)),
        passages=tuple(
            Passage(
                label=label(seg),
                position=position(seg),
                op=seg.op,
                moved=seg.moved,
                a_runs=_plain_runs(side_ops(seg, DELETE)),
                b_runs=_plain_runs(side_ops(seg, INSERT)),
                ops=_plain_runs(visible_ops(seg)),
            )
            for seg in shown
        ),
        more=len(segs) - len(shown),
        lineage=lineage,
    )


_MARKER = re.compile(r"(^|\n)#{1,6}[ \t]+")
#: A heading line: markers, then text that does not end a sentence ("# of partners is 17."
#: is a sentence that starts with "#", and keeps it).
_HEADING_LINE = re.compile(r"#{1,6}[ \t]+[^\n]*[^\n.!?。！？]$|#{1,6}[ \t]+[^\n]*[^\n.!?。！？]\n")
_HEADING_AFTER_BREAK = re.compile(r"\n#{1,6}[ \t]+(?=[^\n]*[^\n.!?。！？](?:\n|$))")


def _plain_runs(runs: Iterable[tuple[T, str]]) -> tuple[tuple[T, str], ...]:
    """Runs without Markdown heading markers (``## Partners`` reads "Partners"): a reader
    of the report sees text, never Markdown syntax."""
    out, start = [], True
    for tag, text in runs:
        if start and _HEADING_LINE.match(text):
            text = _MARKER.sub(r"\1", text, count=1)
        text = _HEADING_AFTER_BREAK.sub("\n", text)
        out.append((tag, text))
        start = text.endswith("\n") or (start and not text)
    return tuple(out)


def methodology_text() -> str:
    """docs/methodology.md: packaged in the wheel, read from the source tree otherwise."""
    from importlib.resources import files

    packaged = files("narrative_diff") / "methodology.md"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    source = Path(__file__).resolve().parents[3] / "docs" / "methodology.md"
    return source.read_text(encoding="utf-8") if source.is_file() else ""


def table_header(column: str) -> str:
    return {
        "ref": "ref",
        "date": "date",
        "actor_name": "actor",
        "count": "mentions",
        "rate": "per 1k words (zh: chars)",
        "prominence": "prominence",
        "share_of_voice": "share of voice",
        "event": "event",
    }[column]


def cell(column: str, row: ScoreRow) -> str:
    """A table cell as text: rates and prominence to 2 places, shares as per cent."""
    value = value_of(row, column)
    if value is None:
        return ""
    if column in ("rate", "prominence"):
        return f"{float(value):.2f}"
    if column == "share_of_voice":
        return f"{100 * float(value):.0f}%"
    return str(value)


def value_of(row: ScoreRow, column: str) -> str | int | float | None:
    """The value of one of :data:`TABLE_COLUMNS` in a row."""
    value: str | int | float | None = getattr(row, column)
    return value
