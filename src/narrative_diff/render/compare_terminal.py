"""A comparison on the terminal with rich: summary first, then the changed passages.

Colour marks deletions (red, struck through) and insertions (green, underlined). Without
colour (``NO_COLOR``, output piped to a file or pager, or ``--plain``) the same passages are
written with wdiff's ``[-deleted-]{+inserted+}`` markers, so nothing depends on colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from narrative_diff.relations import DELETE, EQUAL, INSERT, WordOp

from .compare_text import (
    changed,
    label,
    plain_diff,
    position,
    sections,
    side_ops,
    verdict,
    visible_ops,
)

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from narrative_diff.compare import Comparison
    from narrative_diff.relations import Segment


def print_comparison(
    result: Comparison, console: Console, *, side_by_side: bool = False, plain: bool = False
) -> None:
    """Write ``result`` to ``console``; ``plain`` forces marker-based output."""
    from rich.markup import escape

    plain = plain or console.no_color or not console.is_terminal
    styled = not plain
    a, b = result.a, result.b
    console.print(
        f"[bold]{escape(result.a_ref)} → {escape(result.b_ref)}[/bold]"
        if styled
        else f"{result.a_ref} -> {result.b_ref}"
    )
    console.print(
        f"  a: {escape(result.a_ref)}  {escape(a.id)}  ({a.date})  {escape(a.display_title)}",
        highlight=False,
    )
    console.print(
        f"  b: {escape(result.b_ref)}  {escape(b.id)}  ({b.date})  {escape(b.display_title)}",
        highlight=False,
    )
    for warning in result.warnings:
        console.print(f"warning: {escape(warning)}", style="yellow" if styled else None)
    console.print()
    console.print(verdict(result), style="bold" if styled else None, highlight=False)
    for section in sections(result):
        console.print()
        console.print(section.title, style="bold underline" if styled else None)
        for line in section.lines:
            console.print(f"  {escape(line)}", highlight=False)
    passages = changed(result)
    console.print()
    console.print(f"Changed passages ({len(passages)})", style="bold underline" if styled else None)
    if side_by_side:
        _side_by_side(passages, console, styled, result)
        return
    for seg in passages:
        tag = f"[{label(seg)}] {position(seg)}"
        if styled:
            console.print(_styled_line(seg, tag), highlight=False)
        else:
            console.print(f"{tag}  {plain_diff(seg)}", highlight=False, markup=False)


def _styled_line(seg: Segment, tag: str) -> Text:
    """One passage in colour: deletions red and struck through, insertions green and
    underlined."""
    from rich.text import Text

    line = Text()
    line.append(f"{tag}  ", style="dim")
    styles = {EQUAL: None, DELETE: "red strike", INSERT: "green underline"}
    for op, text in visible_ops(seg):
        line.append(text, style=styles[op])
    return line


_SIDES: tuple[tuple[WordOp, str, str], ...] = (
    (DELETE, "red strike", "[-{}-]"),
    (INSERT, "green underline", "{{+{}+}}"),
)


def _side_by_side(
    passages: list[Segment], console: Console, styled: bool, result: Comparison
) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=True, expand=True)
    table.add_column(Text(result.a_ref), ratio=1)
    table.add_column(Text(result.b_ref), ratio=1)
    for seg in passages:
        cells = []
        for side, style, marks in _SIDES:
            cell = Text()
            cell.append(
                f"{label(seg)} {position(seg)}\n" if side == DELETE else "\n",
                style="dim" if styled else None,
            )
            for marked, text in side_ops(seg, side):  # Text, never markup: "[b]" stays text
                if marked and not styled:
                    cell.append(marks.format(text))
                else:
                    cell.append(text, style=style if marked else None)
            cells.append(cell)
        table.add_row(*cells)
    console.print(table)
