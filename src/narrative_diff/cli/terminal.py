"""Rows on the terminal (rich tables): snapshots, scores, keyword in context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from narrative_diff.api import ChangeRow, KwicRow, Listed, ScoreResult


def print_listing(rows: Sequence[Listed], console: Console) -> None:
    """One line per snapshot; the title column takes the width the others leave."""
    from rich.table import Table

    cells = [
        (
            r.ref,
            r.date.isoformat(),
            r.id,
            r.title or "(no title)",
            r.kind or "",
            r.language or "",
            str(r.words),
        )
        for r in rows
    ]
    headers = ("ref", "date", "id", "title", "kind", "lang", "words")
    widths = [
        max([len(h)] + [console.measure(c[i]).maximum for c in cells])
        for i, h in enumerate(headers)
    ]
    room = console.width - sum(widths) + widths[3] - 2 * (len(headers) - 1)
    table = Table(box=None, header_style="bold", pad_edge=False)
    for i, name in enumerate(headers):
        table.add_column(
            name,
            justify="right" if name == "words" else "left",
            no_wrap=True,
            overflow="ellipsis",
            max_width=max(12, room) if i == 3 else None,
        )
    for cell in cells:
        table.add_row(*cell)
    console.print(table)


def print_scores(result: ScoreResult, console: Console) -> None:
    """Counts and prominence per actor over time, events marked; then the last pair."""
    from rich.table import Table

    dates = dict.fromkeys((row.ref, row.date) for row in result.rows)
    grid = Table(
        title=f"Mentions (count / prominence) — actors: {result.actors.source}",
        title_justify="left",
        header_style="bold",
        pad_edge=False,
    )
    grid.add_column("actor")
    for ref, date in dates:
        grid.add_column(f"{ref}\n{date}", justify="right")
    for actor in result.actors.actors:
        rows = [row for row in result.rows if row.actor == actor.key]
        if not any(row.count for row in rows):
            continue
        cells = []
        for row in rows:
            cell = f"{row.count} / {row.prominence:.2f}" if row.count else "—"
            if row.event:
                cell += f"\n{row.event}"
            cells.append(cell)
        grid.add_row(rows[0].actor_name, *cells)
    console.print(grid)
    if result.changes:
        _print_last_pair(result, console)


def _print_last_pair(result: ScoreResult, console: Console) -> None:
    """The change statistics of the summary pair: the last two snapshots in one language
    (or the pair given with --between), saying which."""
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
    why = f"the last two snapshots in {lang_a}" if same else "languages differ"
    interval = all(row.prominence_ci is not None for row in shown)
    summary = Table(
        title=f"{ref_a} {span[0].from_date} → {ref_b} {span[0].to_date} ({why})",
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
        summary.add_row(*_change_cells(row))
    console.print(summary)
    if not same:
        console.print(
            f"note: {result.summary[0]} is in {lang_a} and {result.summary[1]} in {lang_b}: "
            "no tests or rate ratios across languages; the prominence changes are rough "
            "(docs/methodology.md)"
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

    table = Table(box=None, header_style="bold", pad_edge=False, title=source, title_justify="left")
    for name in ("actor", "name", "kind", "aliases"):
        table.add_column(name, overflow="fold")
    for r in rows:
        aliases = r["aliases"]
        shown = ", ".join(aliases) if isinstance(aliases, list | tuple) else str(aliases)
        table.add_row(str(r["actor"]), str(r["name"]), str(r["kind"]), shown)
    console.print(table)


def print_kwic(rows: Sequence[KwicRow], console: Console) -> None:
    """One line per occurrence, the keyword in a column of its own between its left and
    right context (aligned, so that the eye runs down the keywords)."""
    from rich.table import Table
    from rich.text import Text

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
        cells: list[str | Text] = [row.ref, row.date, str(row.sentence), row.where]
        cells += [Text(row.left), Text(row.keyword), Text(row.right)]  # literal, never markup
        if actor:
            cells += [Text(row.alias or ""), "" if row.weight is None else f"{row.weight:.3f}"]
        table.add_row(*cells)
    console.print(table)
