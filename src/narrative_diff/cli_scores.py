"""Commands over actor scores: ``actors``, ``score``, ``kwic``, ``chart`` and ``report``.

Registered on :data:`narrative_diff.cli.app` when :mod:`narrative_diff.cli` is imported; like
every command, each parses, calls one library function and prints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from . import api
from .cli_app import (
    ActorsOpt,
    CorpusOpt,
    FormatOpt,
    _choice,
    _console,
    _progress,
    _write_csv,
    app,
)

SeriesArg = Annotated[
    str | None, typer.Argument(help="The series (needed when the corpus holds several).")
]


@app.command(epilog="Example: narrative-diff actors --actors my-actors.toml")
def actors(
    actors_file: ActorsOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """List the actors and their aliases (checks an actors file)."""
    _choice(fmt, api.FORMATS, "--format")
    found = api.load_actors(actors_file)
    rows = api.describe_actors(found)
    if fmt == "json":
        typer.echo(
            json.dumps({"source": found.source, "actors": rows}, ensure_ascii=False, indent=2)
        )
        return
    if fmt == "csv":
        _write_csv(
            [
                {**r, **{k: "; ".join(r[k]) for k in ("aliases", "exclude", "patterns")}}
                for r in rows
            ]
        )
        return
    from rich.table import Table

    table = Table(
        box=None, header_style="bold", pad_edge=False, title=found.source, title_justify="left"
    )
    for name in ("actor", "name", "kind", "aliases"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(r["actor"], r["name"], r["kind"], ", ".join(r["aliases"]))
    _console().print(table)


@app.command(epilog="Example: narrative-diff score ilrs --format csv > ilrs-scores.csv")
def score(
    series: SeriesArg = None,
    actors_file: ActorsOpt = None,
    between: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--between",
            metavar="A B",
            help="Change statistics for this pair of refs only (default: consecutive pairs "
            "and first → last).",
        ),
    ] = None,
    fmt: FormatOpt = "table",
    corpus: CorpusOpt = None,
) -> None:
    """Score every actor in every snapshot: mentions, prominence, share of voice, events."""
    _choice(fmt, api.FORMATS, "--format")
    store = api.open_corpus(corpus)
    with _progress("Scoring") as progress:
        result = api.score_series(
            store,
            series,
            actors=api.load_actors(actors_file),
            progress=progress,
            between=between,
        )
    if fmt == "json":
        typer.echo(
            json.dumps(
                api.score_records(result),
                ensure_ascii=False,
                indent=2,
                allow_nan=False,
                default=str,
            )
        )
    elif fmt == "csv":
        typer.echo(result.table.to_csv(index=False), nl=False)
    else:
        from .render.score_terminal import print_scores

        print_scores(result, _console())


@app.command(epilog="Example: narrative-diff kwic russia ilrs")
def kwic(
    actor: Annotated[str, typer.Argument(help="Actor key or name, e.g. russia.")],
    series: SeriesArg = None,
    actors_file: ActorsOpt = None,
    fmt: FormatOpt = "table",
    corpus: CorpusOpt = None,
) -> None:
    """Every mention of an actor in context: snapshot, date, sentence, alias, weight."""
    _choice(fmt, api.FORMATS, "--format")
    store = api.open_corpus(corpus)
    rows = api.keyword_in_context(store, actor, series, actors=api.load_actors(actors_file))
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        _write_csv(rows)
    else:
        from .render.score_terminal import print_kwic

        print_kwic(rows, _console())


@app.command(
    epilog="Examples: narrative-diff chart ilrs --metric prominence -o russia.png · "
    "narrative-diff chart --metric count,share -o trends.svg"
)
def chart(
    series: SeriesArg = None,
    metric: Annotated[
        str,
        typer.Option(
            "--metric",
            "-m",
            help="count, rate, prominence, share or sentences; several, comma-separated, "
            "give small multiples.",
        ),
    ] = "prominence",
    out: Annotated[
        Path,
        typer.Option("--output", "-o", help="The file to write: .png, .svg or .pdf."),
    ] = Path("chart.png"),
    top: Annotated[
        int, typer.Option(min=1, help="Draw at most this many actors (by peak prominence).")
    ] = 7,
    actors_file: ActorsOpt = None,
    corpus: CorpusOpt = None,
) -> None:
    """Chart actor scores over time (a true date axis, one line per actor)."""
    from .charts import parse_metrics

    metrics = parse_metrics(metric)
    store = api.open_corpus(corpus)
    written = api.chart_series(
        store, series, metrics, out, actors=api.load_actors(actors_file), top=top
    )
    typer.echo(f"wrote {written.path} ({written.what})")


@app.command(
    epilog="Examples: narrative-diff report · narrative-diff report ilrs -o ilrs.html · "
    "SOURCE_DATE_EPOCH=0 narrative-diff report -o ilrs.pdf"
)
def report(
    series: SeriesArg = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="One format only: x.pdf, x.html or x.png (the summary card, with the charts "
            "beside it as x-<metric>.png). Default: reports/<series>.pdf, .html and PNGs.",
            show_default=False,
        ),
    ] = None,
    actors_file: ActorsOpt = None,
    corpus: CorpusOpt = None,
) -> None:
    """Write the report on a series: findings with sentences, charts, scores, redlines."""
    store = api.open_corpus(corpus)
    with _progress("Report") as progress:
        written = api.report_series(
            store,
            series,
            out,
            actors=api.load_actors(actors_file),
            progress=(lambda stage, done, total: progress(done, total, stage))
            if progress
            else None,
        )
    for item in written:
        size = item.path.stat().st_size
        typer.echo(f"wrote {item.path} ({item.what}, {size / 1024:,.0f} KiB)")
