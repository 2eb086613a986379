"""Scores and keyword-in-context rows on the terminal (rich tables)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from narrative_diff.api import ScoreResult


def print_scores(result: ScoreResult, console: Console) -> None:
    """Counts and prominence per actor over time, events marked; then first → last."""
    from rich.table import Table

    table = result.table
    refs = list(dict.fromkeys(table["ref"]))
    dates = dict(zip(table["ref"], table["date"], strict=False))
    grid = Table(
        title=f"Mentions (count / prominence) — actors: {result.actors.source}",
        title_justify="left",
        header_style="bold",
        pad_edge=False,
    )
    grid.add_column("actor")
    for ref in refs:
        grid.add_column(f"{ref}\n{dates[ref]}", justify="right")
    for _actor, rows in table.groupby("actor", sort=False):
        if not rows["count"].any():
            continue
        cells = []
        for _, row in rows.iterrows():
            cell = f"{row['count']} / {row['prominence']:.2f}" if row["count"] else "—"
            if row["event"]:
                cell += f"\n{row['event']}"
            cells.append(cell)
        grid.add_row(str(rows["actor_name"].iloc[0]), *cells)
    console.print(grid)
    changes = result.changes
    if changes.empty:
        return
    last = changes.iloc[-1]
    span = changes[(changes["from"] == last["from"]) & (changes["to"] == last["to"])]
    summary = Table(
        title=f"{last['from_date']} → {last['to_date']}",
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
        "prominence Δ (95% CI)",
        "share of voice Δ",
        "label",
    ):
        summary.add_column(name, justify="left" if name in ("actor", "event", "label") else "right")
    for _, row in span.iterrows():
        if not (row["count_from"] or row["count_to"]):
            continue
        ci = row["prominence_ci"]
        interval = f" [{ci[0]:+.2f}, {ci[1]:+.2f}]" if _given(ci) else ""
        summary.add_row(
            str(row["actor_name"]),
            f"{row['count_from']} → {row['count_to']}",
            row["event"],
            _number(row["log_ratio"], "+.2f"),
            _number(row["p_value"], ".3f"),
            f"{row['prominence_change']:+.2f}{interval}",
            _number(row["share_of_voice_change"], "+.3f"),
            row["label"],
        )
    console.print(summary)
    if (span["label"] == "cross-language").any():
        languages = dict(zip(result.table["snapshot"], result.table["language"], strict=False))
        console.print(
            f"note: {last['from']} is in {languages.get(last['from'])} and "
            f"{last['to']} in {languages.get(last['to'])}: no tests or rate ratios across "
            "languages; the prominence changes are rough (docs/methodology.md)"
        )


def _given(value: object) -> bool:
    """False for the gaps of a cross-language pair (None or NaN: no statistic)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _number(value: object, spec: str) -> str:
    return format(value, spec) if _given(value) else "—"


def print_kwic(rows: list[dict[str, object]], console: Console) -> None:
    """One line per mention: where, alias and the sentence with the mention in bold."""
    from rich.table import Table
    from rich.text import Text

    table = Table(header_style="bold", pad_edge=False, box=None)
    for name in ("ref", "date", "sent.", "where", "alias", "weight", "context"):
        table.add_column(name, overflow="fold")
    for row in rows:
        context = Text(str(row["context"]))
        context.highlight_words([str(row["text"])], style="bold")
        table.add_row(
            str(row["ref"]),
            str(row["date"]),
            str(row["sentence"]),
            str(row["where"]),
            str(row["alias"]),
            f"{row['weight']:.3f}",
            context,
        )
    console.print(table)
