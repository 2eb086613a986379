"""Commands that read a series as a whole: ``blame`` and ``history``.

Like every command, each parses, calls one function of :mod:`narrative_diff.api` and prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from narrative_diff import api

from .app import (
    COMPARE,
    ROW_FORMATS,
    ActorsOpt,
    CorpusOpt,
    FormatOpt,
    SeriesArg,
    app,
    choice,
    complete_ref,
    emit_rows,
    literal,
    warn,
)

if TYPE_CHECKING:
    from rich.console import Console

    from narrative_diff.api import Blame, BlameLine, Lifecycle, Sighting

#: CSV columns of ``blame``: the JSON row flattened (the history as "v1 introduced; v3 edited").
BLAME_COLUMNS = [
    "index", "where", "sentence", "introduced_ref", "introduced_date", "introduced_id",
    "last_changed_ref", "last_changed_date", "last_changed_id", "returned_from", "history",
]  # fmt: skip
#: CSV columns of ``history``: one row per version.
HISTORY_COLUMNS = ["ref", "date", "id", "count", "op", "forms", "sentences"]


@app.command(
    rich_help_panel=COMPARE,
    epilog="Example: narrative-diff blame v5 · narrative-diff blame latest -f json > blame.json",
)
def blame(
    ref: Annotated[
        str,
        typer.Argument(
            help="The snapshot (ref: v3, latest, id, hash).", autocompletion=complete_ref
        ),
    ],
    fmt: FormatOpt = "table",
    corpus: CorpusOpt = None,
) -> None:
    """Every sentence of a snapshot with the version where it (or what it was edited, moved,
    split or merged from) first appeared, and where it last changed, as git blame does."""
    choice(fmt, ROW_FORMATS, "--format")
    found = api.blame_snapshot(api.open_corpus(corpus), ref)
    emit_rows(
        [_blame_csv(line) for line in found.lines] if fmt == "csv" else [],
        fmt,
        table=lambda out: print_blame(found, out),
        document=[line.as_dict() for line in found.lines],
        columns=BLAME_COLUMNS,
    )


def _blame_csv(line: BlameLine) -> dict[str, object]:
    lineage = line.lineage
    return {
        "index": line.index,
        "where": line.where,
        "sentence": line.sentence,
        "introduced_ref": lineage.introduced.ref,
        "introduced_date": lineage.introduced.date,
        "introduced_id": lineage.introduced.id,
        "last_changed_ref": lineage.last_changed.ref,
        "last_changed_date": lineage.last_changed.date,
        "last_changed_id": lineage.last_changed.id,
        "returned_from": lineage.returned.ref if lineage.returned else "",
        "history": "; ".join(f"{s.version.ref} {s.op}" for s in lineage.steps),
    }


#: Colours by age, oldest first (the newest in the strongest colour, as git blame's).
AGES = ("grey50", "cyan", "green", "yellow", "magenta", "bold red")


def print_blame(found: Blame, console: Console) -> None:
    """``ref date`` of the introduction, the last change when later, then the sentence; the
    left columns coloured by the age of the introduction."""
    from rich.table import Table

    introductions = sorted({line.lineage.introduced.date for line in found.lines})
    table = Table(header_style="bold", pad_edge=False, box=None)
    for name in ("#", "introduced", "changed", "sentence"):
        table.add_column(name, no_wrap=name != "sentence", overflow="fold")
    for line in found.lines:
        lineage = line.lineage
        age = introductions.index(lineage.introduced.date) * (len(AGES) - 1)
        style = AGES[age // max(len(introductions) - 1, 1)]
        came = f"{lineage.introduced.ref} {lineage.introduced.date}"
        if lineage.returned:
            came += f" (back from {lineage.returned.ref})"
        changed = lineage.last_changed
        table.add_row(
            literal(line.index),
            literal(came, style),
            literal(
                f"{changed.ref} {changed.date}" if changed != lineage.introduced else "", style
            ),
            literal(line.sentence),
        )
    console.print(
        literal(
            f"{found.ref} ({found.date}) {found.id}: {len(found.lines)} sentences, "
            f"{found.versions} version(s) of its lineage read"
        )
    )
    console.print(table)


@app.command(
    rich_help_panel=COMPARE,
    epilog="Example: narrative-diff history ilrs --phrase 'jointly initiated' · "
    "narrative-diff history --actor russia · narrative-diff history --sentence 4@v1 -f json",
)
def history(
    series: SeriesArg = None,
    phrase: Annotated[
        str | None,
        typer.Option(
            "--phrase", help="A word or phrase (any case, either Chinese script), as kwic finds it."
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="An actor's key or name (the actors file).")
    ] = None,
    sentence: Annotated[
        str | None,
        typer.Option("--sentence", help="N@REF: sentence N of a snapshot, as blame numbers it."),
    ] = None,
    actors_file: ActorsOpt = None,
    fmt: FormatOpt = "table",
    corpus: CorpusOpt = None,
) -> None:
    """When a phrase, an actor or a sentence was first and last seen across a series, and
    the form it took in every version between (the sentences quoted)."""
    choice(fmt, ROW_FORMATS, "--format")
    actors = api.load_actors(actors_file) if actor is not None and actors_file else None
    found = api.lifecycle(
        api.open_corpus(corpus),
        series,
        phrase=phrase,
        actor=actor,
        sentence=sentence,
        actors=actors,
    )
    if found.first is None:
        warn(f"no occurrence of {found.subject!r} in the series")
        if fmt == "table":
            return
    emit_rows(
        [_history_csv(row) for row in found.versions] if fmt == "csv" else [],
        fmt,
        table=lambda out: print_history(found, out),
        document=found.as_dict(),
        columns=HISTORY_COLUMNS,
    )


def _history_csv(sighting: Sighting) -> dict[str, object]:
    return {
        **sighting.version.as_dict(),
        "count": sighting.count,
        "op": sighting.op,
        "forms": " | ".join(sighting.forms),
        "sentences": " | ".join(sighting.sentences),
    }


def print_history(found: Lifecycle, console: Console) -> None:
    """A line on the lifecycle (first, last, in the latest or not), then each version: its
    count and the sentences, quoted."""
    from rich.table import Table

    assert found.first is not None and found.last is not None
    now = "still in" if found.in_latest else "not in"
    console.print(
        literal(
            f"{found.subject}: first seen {found.first.ref} ({found.first.date}), last seen "
            f"{found.last.ref} ({found.last.date}); {now} the latest snapshot "
            f"({found.latest.ref}, {found.latest.date})" + (f": {found.note}" if found.note else "")
        )
    )
    table = Table(header_style="bold", pad_edge=False, box=None)
    ops = found.kind == "sentence"
    for name in ("ref", "date", "op" if ops else "count", "sentences"):
        table.add_column(name, no_wrap=name != "sentences", overflow="fold")
    for row in found.versions:
        said = " ".join(f"“{s}”" for s in row.sentences) or "—"
        middle = row.op if ops else str(row.count)
        table.add_row(
            literal(row.version.ref), literal(row.version.date), literal(middle), literal(said)
        )
    console.print(table)
