"""The report on a series, built once as plain data and rendered per format.

:func:`build` gathers what the PDF, HTML and PNG outputs show: the snapshots with their
provenance, the findings (:mod:`findings`), the chart data (:mod:`charts`), the score table,
and, for each consecutive pair, the compare summary and the changed passages (the
redline). The renderers (``report_pdf``, ``report_html``, ``charts``) only lay it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from narrative_diff.charts import Chart, chart_data
from narrative_diff.compare import CompareOptions, Comparison, compare
from narrative_diff.corpus import Corpus
from narrative_diff.diff import DELETE, INSERT
from narrative_diff.findings import HEADLINES, Finding, find
from narrative_diff.scoring import Weights, actor_block, records
from narrative_diff.text import languages_differ

from .compare_text import (
    Section,
    changed,
    label,
    position,
    sections,
    side_ops,
    verdict,
    visible_ops,
)

#: Metrics charted in the report, the first one on the summary card.
REPORT_METRICS = ("prominence", "count", "share")
#: Changed passages shown per pair; the rest are counted, with the command that shows them.
PASSAGES_PER_PAIR = 40
#: What the findings section says when there are none.
NO_FINDINGS = (
    "No findings: no actor appears, disappears or changes beyond chance, and no term was "
    "renamed or phrase replaced between consecutive snapshots."
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


@dataclass(frozen=True)
class Passage:
    """One changed passage: ``a_runs``/``b_runs`` are (marked, text) runs of each side,
    ``ops`` the (operation, text) runs of both (-1 deleted, 0 kept, 1 inserted)."""

    label: str
    position: str
    op: str
    moved: bool
    a_runs: tuple[tuple[bool, str], ...]
    b_runs: tuple[tuple[bool, str], ...]
    ops: tuple[tuple[int, str], ...]  # both sides interleaved, for the inline view


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
    charts: tuple[Chart, ...]
    table: tuple[dict[str, Any], ...]
    pairs: tuple[PairReport, ...]
    methodology: str  # Markdown

    @property
    def headlines(self) -> tuple[Finding, ...]:
        return self.findings[:HEADLINES]

    def texts(self) -> list[str]:
        """Every piece of text the report prints (for the font check)."""
        out = [self.title, self.series, self.actors_source]
        for s in self.snapshots:
            out += [s.title, s.publisher, s.provenance, s.source_url]
        for f in self.findings:
            out += [f.headline, f.detail, *(q.text for q in f.quotes)]
        for row in self.table:
            out.append(str(row["actor_name"]))
        for pair in self.pairs:
            out += [pair.verdict, *(line for sec in pair.sections for line in sec.lines)]
            out += [t for p in pair.passages for _, t in (*p.a_runs, *p.b_runs)]
        out.append(self.methodology)
        return out


def build(
    corpus: Corpus,
    series: str,
    result: Any,  # api.ScoreResult
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """The report on ``series`` from its score result (``api.score_series``)."""
    from narrative_diff import __version__

    snaps = corpus.snapshots(series)
    refs = {s.id: corpus.version_of(s) for s in snaps}
    actors = result.actors
    options = CompareOptions()
    weights = Weights()
    steps = max(1, 2 * len(snaps) - 3)
    done = 0

    def pair(i: int, j: int) -> Comparison:
        nonlocal done
        a, b = snaps[i], snaps[j]
        out = compare(a, b, a_ref=refs[a.id], b_ref=refs[b.id], options=options)
        done += 1
        if progress:
            progress("comparing", done, steps)
        return out

    consecutive = []
    for i in range(len(snaps) - 1):
        res = pair(i, i + 1)
        summary = replace(res.summary, actors=actor_block(res, actors, weights))
        consecutive.append(replace(res, summary=summary))
    skipping = [
        pair(i, i + 2)
        for i in range(len(snaps) - 2)
        if not languages_differ(snaps[i].language, snaps[i + 2].language)
    ]
    rows = records(result.table)
    change_rows = records(result.changes)
    findings = find(result.scores, change_rows, consecutive, skipping, actors, refs)
    charts = tuple(
        chart_data(rows, change_rows, metric, series=series, actors_source=actors.source)
        for metric in REPORT_METRICS
    )
    # the mentioned actors, and the snapshot where one disappears (a row with 0 mentions)
    table = tuple(
        {k: row[k] for k in TABLE_COLUMNS} for row in rows if row["count"] or row["event"]
    )
    return Report(
        series=series,
        title=f"How the '{series}' narrative changed: {refs[snaps[0].id]} to {refs[snaps[-1].id]}"
        if len(snaps) > 1
        else f"The '{series}' series: one snapshot so far ({refs[snaps[0].id]})",
        first_date=snaps[0].date.isoformat(),
        last_date=snaps[-1].date.isoformat(),
        actors_source=actors.source,
        tool=f"narrative-diff {__version__}",
        snapshots=tuple(_info(s, refs[s.id]) for s in snaps),
        findings=findings,
        charts=charts,
        table=table,
        pairs=tuple(_pair(res) for res in consecutive),
        methodology=methodology_text(),
    )


def _info(s: Any, ref: str) -> SnapshotInfo:
    return SnapshotInfo(
        ref=ref,
        id=s.id,
        date=s.date.isoformat(),
        title=s.title,
        publisher=s.publisher or "",
        kind=s.kind or "",
        language=s.language or "",
        words=s.words,
        source_url=s.source_url or "",
        provenance=s.provenance or "",
    )


def _pair(result: Comparison) -> PairReport:
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
                a_runs=tuple(side_ops(seg, DELETE)),
                b_runs=tuple(side_ops(seg, INSERT)),
                ops=tuple(visible_ops(seg)),
            )
            for seg in shown
        ),
        more=len(segs) - len(shown),
    )


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


def cell(column: str, value: Any) -> str:
    """A table cell as text: rates and prominence to 2 places, shares as per cent."""
    if value is None:
        return ""
    if column in ("rate", "prominence"):
        return f"{float(value):.2f}"
    if column == "share_of_voice":
        return f"{100 * float(value):.0f}%"
    return str(value)
