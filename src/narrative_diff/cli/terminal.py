"""Rows on the terminal (rich tables): snapshots, scores, keyword in context.

Every cell, title and header goes through :func:`.app.literal`: document text is never read
as rich markup, and its control characters are shown escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .app import literal

if TYPE_CHECKING:
    from rich.console import Console

    from narrative_diff.api import ChangeRow, KwicRow, Listed, ScoreResult, ScoreRow


def print_listing(rows: Sequence[Listed], console: Console, heading: str | None = None) -> None:
    """One line per snapshot; the title column takes the width the others leave. The
    lineage column shows when the snapshots come from more than one lineage, by their
    display names; ``heading`` (the series' title and description) goes above."""
    from rich.table import Table

    if heading:
        console.print(literal(heading))

    lineages = len({r.lineage.casefold() for r in rows}) > 1
    cells = [
        tuple(
            map(
                literal,
                (
                    r.ref,
                    r.hash,
                    r.date.isoformat(),
                    r.id,
                    r.title or "(no title)",
                    r.kind or "",
                    r.language or "",
                    str(r.words),
                    *((r.lineage_shown or r.lineage or "(none)",) if lineages else ()),
                ),
            )
        )
        for r in rows
    ]
    headers = (
        "ref", "hash", "date", "id", "title", "kind", "lang", "words",
        *(("lineage",) * lineages),
    )  # fmt: skip
    title = headers.index("title")
    widths = [
        max([len(h)] + [console.measure(c[i]).maximum for c in cells])
        for i, h in enumerate(headers)
    ]
    if lineages:
        widths[-1] = min(widths[-1], 20)
    room = console.width - sum(widths) + widths[title] - 2 * (len(headers) - 1)
    table = Table(box=None, header_style="bold", pad_edge=False)
    for i, name in enumerate(headers):
        table.add_column(
            name,
            justify="right" if name == "words" else "left",
            no_wrap=True,
            overflow="ellipsis",
            max_width=max(12, room) if i == title else 20 if name == "lineage" else None,
        )
    for cell in cells:
        table.add_row(*cell)
    console.print(table)


def print_scores(result: ScoreResult, console: Console) -> None:
    """Counts and prominence per actor over time, events marked (one grid, or one per
    lineage with ``--by lineage``); then the summary pair."""
    lineages = result.lineages
    if result.by == "lineage" and len(lineages) > 1:
        for name in lineages:
            rows = [r for r in result.rows if r.lineage.casefold() == name.casefold()]
            _grid(
                result, rows, f"Lineage {name or '(none)'}: mentions (count / prominence)", console
            )
    else:
        many = len(lineages) > 1
        _grid(result, list(result.rows), "Mentions (count / prominence)", console, many)
    if result.changes:
        _print_last_pair(result, console)


def _grid(
    result: ScoreResult,
    rows: Sequence[ScoreRow],
    title: str,
    console: Console,
    lineage: bool = False,
) -> None:
    """One grid: an actor per line, a snapshot per column (its lineage under it when
    ``lineage``), "count / prominence" and the event in each cell."""
    from rich.table import Table

    columns = dict.fromkeys((row.ref, row.date, row.lineage) for row in rows)
    grid = Table(
        title=literal(f"{title} — actors: {result.actors.source}"),
        title_justify="left",
        header_style="bold",
        pad_edge=False,
    )
    grid.add_column("actor")
    for ref, date, name in columns:
        head = f"{ref}\n{date}" + (f"\n{name[:14] or '(none)'}" if lineage else "")
        grid.add_column(literal(head), justify="right")
    by_actor: dict[str, list[ScoreRow]] = {}  # grouped once: 10,000 actors stay quick
    for row in rows:
        by_actor.setdefault(row.actor, []).append(row)
    for actor in result.actors.actors:
        mine = by_actor.get(actor.key, [])
        if not any(row.count for row in mine):
            continue
        cells = []
        for row in mine:
            cell = f"{row.count} / {row.prominence:.2f}" if row.count else "—"
            if row.event:
                cell += f"\n{row.event}"
            cells.append(cell)
        grid.add_row(literal(mine[0].actor_name), *map(literal, cells))
    console.print(grid)


def _print_last_pair(result: ScoreResult, console: Console) -> None:
    """The change statistics of the summary pair: the last two snapshots of one language
    and lineage (or the pair given with --between), saying which."""
    from rich.table import Table

    if result.summary is None:
        return
    span = [r for r in result.changes if (r.from_id, r.to_id) == result.summary]
    shown = [row for row in span if row.count_from or row.count_to]
    if not span:
        return
    refs = {row.snapshot: (row.ref, row.language) for row in result.rows}
    (ref_a, lang_a), (ref_b, lang_b) = (refs.get(i, ("-", None)) for i in result.summary)
    same = lang_a == lang_b or not any(r.cross_language for r in span)
    first = span[0]
    if first.cross_source:
        why = f"sources differ: {first.from_lineage or '(none)'} → {first.to_lineage or '(none)'}"
    elif same:
        what = "the pair asked for" if result.asked else "the last two snapshots"
        why = f"{what} in {lang_a}" + (f", lineage {first.to_lineage}" if first.to_lineage else "")
    else:
        why = (
            "languages differ" if result.asked else "the last two of one lineage; languages differ"
        )
    interval = all(row.prominence_ci is not None for row in shown)
    summary = Table(
        title=literal(f"{ref_a} {first.from_date} → {ref_b} {first.to_date} ({why})"),
        title_justify="left",
        header_style="bold",
        pad_edge=False,
    )
    for name in (
        "actor",
        "counts",
        "event",
        "log ratio",
        "p",
        "prominence Δ (95% CI)" if interval else "prominence Δ",
        "share of voice Δ",
        "label",
    ):
        summary.add_column(name, justify="left" if name in ("actor", "event", "label") else "right")
    for row in shown:
        summary.add_row(*map(literal, _change_cells(row)))
    console.print(summary)
    if first.cross_source:
        console.print(
            literal(
                f"note: {result.summary[0]} and {result.summary[1]} come from different "
                "lineages: a switch of source, so no events and no tests (docs/methodology.md)"
            )
        )
    elif not same:
        console.print(
            literal(
                f"note: {result.summary[0]} is in {lang_a} and {result.summary[1]} in {lang_b}: "
                "no tests or rate ratios across languages; the prominence changes are rough "
                "(docs/methodology.md)"
            )
        )


def _change_cells(row: ChangeRow) -> tuple[str, ...]:
    ci = row.prominence_ci
    interval = f" [{ci[0]:+.2f}, {ci[1]:+.2f}]" if ci is not None else ""
    return (
        row.actor_name,
        f"{row.count_from} → {row.count_to}",
        row.event,
        _number(row.log_ratio, "+.2f"),
        _number(row.p_value, ".3f"),
        f"{row.prominence_change:+.2f}{interval}",
        _number(row.share_of_voice_change, "+.3f"),
        row.label,
    )


def _number(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def print_actors(source: str, rows: Sequence[Mapping[str, object]], console: Console) -> None:
    """One line per actor: key, name, kind and aliases."""
    from rich.table import Table

    table = Table(
        box=None, header_style="bold", pad_edge=False, title=literal(source), title_justify="left"
    )
    for name in ("actor", "name", "kind", "aliases"):
        table.add_column(name, overflow="fold")
    for r in rows:
        aliases = r["aliases"]
        shown = ", ".join(aliases) if isinstance(aliases, list | tuple) else str(aliases)
        table.add_row(*map(literal, (r["actor"], r["name"], r["kind"], shown)))
    console.print(table)


def print_kwic(rows: Sequence[KwicRow], console: Console) -> None:
    """One line per occurrence, the keyword in a column of its own between its left and
    right context (aligned, so that the eye runs down the keywords)."""
    from rich.table import Table

    actor = any(row.alias is not None for row in rows)
    table = Table(header_style="bold", pad_edge=False, box=None)
    for name in ("ref", "date", "sent.", "where"):
        table.add_column(name, no_wrap=True)
    table.add_column("left", justify="right", no_wrap=True, overflow="ellipsis")
    table.add_column("keyword", style="bold", no_wrap=True)
    table.add_column("right", no_wrap=True, overflow="ellipsis")
    if actor:
        table.add_column("alias", no_wrap=True)
        table.add_column("weight", justify="right", no_wrap=True)
    for row in rows:
        cells: list[object] = [row.ref, row.date, row.sentence, row.where]
        cells += [row.left, row.keyword, row.right]
        if actor:
            cells += [row.alias or "", "" if row.weight is None else f"{row.weight:.3f}"]
        table.add_row(*map(literal, cells))
    console.print(table)
