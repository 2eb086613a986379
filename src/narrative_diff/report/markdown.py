"""The report as Markdown: for an editor's draft, a wiki page or a pull request.

The same order as the PDF: headline findings with their sentences, the snapshots, the score
table, then each pair's summary and changed passages (~~deleted~~, <ins>inserted</ins>).
Charts are not embedded (they are PNG files beside the report). Document text is escaped, so
a title or a passage cannot inject markup.
"""

from __future__ import annotations

import re

from narrative_diff.relations import DELETE, EQUAL
from narrative_diff.text import printable

from .layout import pivot
from .model import TABLE_COLUMNS, PairReport, Passage, Report, cell, table_header


def render(report: Report) -> str:
    """The Markdown text of ``report``."""
    lines = [f"# {_esc(report.title)}", ""]
    if report.description:
        lines += [_esc(report.description), ""]
    lines += [f"*{_esc(report.tool)}; actors from {_esc(report.actors_said)}*", ""]
    lines += _latest(report)
    lines += ["## Findings", ""]
    if not report.findings:
        lines += [report.no_findings, ""]
    for n, finding in enumerate(report.findings, start=1):
        lines.append(f"{n}. **{_esc(finding.headline)}**  ")
        lines.append(f"   *{_esc(finding.detail)}*")
        lines += [f"   - {q.ref} ({q.date}): “{_esc(q.text)}”" for q in finding.quotes]
        lines.append("")
    lines += ["## Snapshots", "", "| ref | date | title | publisher | language | words |"]
    lines.append("|---|---|---|---|---|---:|")
    lines += [
        f"| {s.ref} | {s.date} | {_esc(s.title_cell)} | {_esc(report.publisher_of(s))} "
        f"| {s.language} | {s.words} |"
        for s in report.snapshots
    ]
    lines += _stayed(report)
    grid = pivot(report)
    lines += ["", "## Mentions and prominence by snapshot", ""]
    lines += ["Each cell: mentions · prominence; “gone”: no longer named from there.", ""]
    lines += ["| actor | " + " | ".join(grid.refs) + " |", "|---|" + "---:|" * len(grid.refs)]
    lines += [
        f"| {_esc(actor)} | " + " | ".join(grid.cells[(actor, ref)] for ref in grid.refs) + " |"
        for actor in grid.actors
    ]
    for pair in report.pairs:
        lines += ["", *_pair(pair)]
    lines += ["", "## Score table, one row per snapshot and actor", ""]
    lines += ["| " + " | ".join(table_header(c) for c in TABLE_COLUMNS) + " |"]
    lines.append("|" + "---|" * len(TABLE_COLUMNS))
    lines += [
        "| " + " | ".join(_esc(cell(c, row)) for c in TABLE_COLUMNS) + " |" for row in report.table
    ]
    return "\n".join(lines).rstrip() + "\n"


def _latest(report: Report) -> list[str]:
    """What the newest snapshot changed, first."""
    latest = report.latest
    if latest is None:
        return ["## The latest snapshot", "", report.no_latest, ""] if report.no_latest else []
    lines = [f"## {_esc(latest.heading)}", "", f"*{_esc(latest.verdict)}*", ""]
    lines += [f"- **{_esc(line)}**" for line in latest.lines()]
    for names, ref, quote in latest.quotes():
        lines.append(f"  - {_esc(names)}, {ref}: “{_esc(quote)}”")
    for swap in latest.swaps:
        lines.append(f"  - {latest.a_ref}: “{_esc(swap.sentence_before)}”")
        lines.append(f"  - {latest.b_ref}: “{_esc(swap.sentence_after)}”")
    return [*lines, ""]


def _stayed(report: Report) -> list[str]:
    """What stayed, what went (the heat-maps are PNG files beside the report)."""
    stayed = report.stayed
    if stayed is None:
        return []
    lines = ["", "## What stayed, what went", ""]
    if stayed.note:
        lines += [f"*{_esc(stayed.note)}*", ""]
    for title, items in stayed.groups():
        lines += [f"### {_esc(title)}", ""]
        for label, quote in items:
            said = f"“{_esc(quote)}”" if label or quote[:1] != "(" else _esc(quote)
            lines.append(f"- **{_esc(label)}**: {said}" if label else f"- {said}")
        lines.append("")
    return lines[:-1]


def _pair(pair: PairReport) -> list[str]:
    lines = [
        f"## {pair.a_ref} → {pair.b_ref} ({pair.a_date} → {pair.b_date}"
        + (f", lineage {pair.lineage})" if pair.lineage else ")"),
        "",
        f"**{_esc(pair.verdict)}**",
        "",
    ]
    for section in pair.sections:
        lines += [
            f"### {_esc(section.title)}",
            "",
            *(f"- {_esc(line)}" for line in section.lines),
            "",
        ]
    lines += ["### Changed passages", ""]
    lines += [f"- *{_esc(p.label)}* {_esc(p.position)}: {_passage(p)}" for p in pair.passages]
    if pair.more:
        lines.append(f"- … {pair.more} more: `narrative-diff compare {pair.a_ref} {pair.b_ref}`")
    return lines


def _passage(passage: Passage) -> str:
    """Deleted and inserted runs marked, their edge spaces outside the markers."""
    out = []
    for op, text in passage.ops:
        if op == EQUAL:
            out.append(_esc(text))
        elif text.strip():
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            mark = "~~{}~~" if op == DELETE else "<ins>{}</ins>"
            out.append(_esc(lead) + mark.format(_esc(text.strip())) + _esc(trail))
    return "".join(out)


def _esc(text: str) -> str:
    """One line, with every Markdown and HTML metacharacter escaped and control characters
    shown escaped (a raw ESC would act on a terminal that prints the file)."""
    flat = printable(re.sub(r"\s+", " ", text))
    return "".join("\\" + ch if ch in "\\`*_[]<>~#|" else ch for ch in flat)
