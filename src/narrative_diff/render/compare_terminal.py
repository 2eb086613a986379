"""A comparison on the terminal with rich: summary first, then the changed passages.

Colour marks deletions (red, struck through) and insertions (green, underlined). Without
colour (``NO_COLOR``, output piped to a file or pager, or ``--plain``) the same passages are
written with wdiff's ``[-deleted-]{+inserted+}`` markers, so nothing depends on colour.

Document text (refs, ids, titles, warnings, findings, passages) is printed as rich ``Text``,
never as markup, and through :func:`~narrative_diff.text.printable`: a ``[/]`` or
``[link=…]`` in a title stays text, an ESC sequence in a passage is shown as ``\\x1b``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from narrative_diff.relations import DELETE, EQUAL, INSERT, WordOp
from narrative_diff.text import printable

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
    plain = plain or console.no_color or not console.is_terminal
    styled = not plain

    def say(text: str, style: str | None = None) -> None:
        console.print(_literal(text, style if styled else None), highlight=False)

    a, b = result.a, result.b
    say(
        f"{result.a_ref} → {result.b_ref}" if styled else f"{result.a_ref} -> {result.b_ref}",
        "bold",
    )
    say(f"  a: {result.a_ref}  {a.id}  ({a.date})  {a.display_title}")
    say(f"  b: {result.b_ref}  {b.id}  ({b.date})  {b.display_title}")
    for warning in result.warnings:
        say(f"warning: {warning}", "yellow")
    console.print()
    say(verdict(result), "bold")
    for section in sections(result):
        console.print()
        say(section.title, "bold underline")
        for line in section.lines:
            say(f"  {line}")
    passages = changed(result)
    console.print()
    say(f"Changed passages ({len(passages)})", "bold underline")
    if side_by_side:
        _side_by_side(passages, console, styled, result)
        return
    for seg in passages:
        tag = f"[{label(seg)}] {position(seg)}"
        if styled:
            console.print(_styled_line(seg, tag), highlight=False)
        else:
            say(f"{tag}  {plain_diff(seg)}")


def _literal(text: str, style: str | None = None) -> Text:
    """Document text for rich: never markup, control characters shown escaped."""
    from rich.text import Text

    return Text(printable(text), style=style or "")


def _styled_line(seg: Segment, tag: str) -> Text:
    """One passage in colour: deletions red and struck through, insertions green and
    underlined."""
    from rich.text import Text

    line = Text()
    line.append(f"{tag}  ", style="dim")
    styles = {EQUAL: None, DELETE: "red strike", INSERT: "green underline"}
    for op, text in visible_ops(seg):
        line.append(printable(text), style=styles[op])
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
    table.add_column(_literal(result.a_ref), ratio=1)
    table.add_column(_literal(result.b_ref), ratio=1)
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
                    cell.append(printable(marks.format(text)))
                else:
                    cell.append(printable(text), style=style if marked else None)
            cells.append(cell)
        table.add_row(*cells)
    console.print(table)
