"""Commands over actor scores: ``actors``, ``score``, ``kwic``, ``chart`` and ``report``.

Like every command, each parses, calls one function of :mod:`narrative_diff.api` and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from narrative_diff import api

from .app import (
    FILE_ROW_FORMATS,
    ROW_FORMATS,
    SCORES,
    ActorsOpt,
    CorpusOpt,
    FormatOpt,
    RowsFormatOpt,
    RowsOutOpt,
    SeriesArg,
    app,
    choice,
    emit_rows,
    info,
    output_option,
    progress,
    warn,
)
from .snapshots import warn_edited
from .terminal import print_actors, print_kwic, print_scores


@app.command(
    rich_help_panel=SCORES, epilog="Example: narrative-diff actors --actors my-actors.toml"
)
def actors(
    actors_file: ActorsOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """List the actors and their aliases (checks an actors file)."""
    choice(fmt, ROW_FORMATS, "--format")
    found = api.load_actors(actors_file)
    rows = api.describe_actors(found)
    emit_rows(
        rows,
        fmt,
        table=lambda out: print_actors(found.source, rows, out),
        document={"source": found.source, "actors": rows},
    )


@app.command(
    rich_help_panel=SCORES,
    epilog="Example: narrative-diff score ilrs --format csv > ilrs-scores.csv · "
    "narrative-diff score --by lineage · narrative-diff score -f parquet -o scores.parquet",
)
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
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="Order and group the rows by snapshot (date order) or by lineage (each "
            "source's snapshots together).",
            metavar="snapshot|lineage",
        ),
    ] = "snapshot",
    fmt: RowsFormatOpt = "table",
    out: RowsOutOpt = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="Where snapshots are scored: local (this machine; a process per core when "
            "the work pays for it) or dask (a Dask cluster; needs narrative-diff[dask]).",
            metavar="local|dask",
        ),
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="With --engine dask: the scheduler's address, e.g. tcp://10.0.0.5:8786 "
            "(default: a local cluster on this machine).",
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Score every snapshot again, without reading or writing the score cache "
            "(CORPUS/.cache; also NARRATIVE_DIFF_CACHE=0).",
        ),
    ] = False,
    corpus: CorpusOpt = None,
) -> None:
    """Score every actor in every snapshot: mentions, prominence, share of voice, events
    (each snapshot against the previous one of its lineage)."""
    from narrative_diff.api import Engine

    choice(fmt, FILE_ROW_FORMATS, "--format")
    choice(by, api.SCORE_ORDERS, "--by")
    choice(engine, api.ENGINES, "--engine")
    store = api.open_corpus(corpus)
    found = api.load_actors(actors_file)
    inputs = [actors_file] if actors_file else []
    target = api.rows_output(store, fmt, out, command="score", series=series, inputs=inputs)
    printed = target.fmt if target else fmt
    with progress("Scoring") as report_progress:
        result = api.score_series(
            store,
            series,
            actors=found,
            progress=report_progress,
            between=between,
            by=by,
            engine=Engine(engine, scheduler, False if no_cache else None),
            statistics=printed in ("table", "json"),  # csv and parquet hold the scores only
            aside=printed != "table",  # results read back as written: memory stays flat
        )
    with result:
        warn_edited(result.snapshots)
        from narrative_diff.serialise import Counted

        # made as written, never kept; counted for "wrote PATH (N rows)"
        rows = Counted(row.as_dict() for row in result.each_row())
        emit_rows(
            rows,
            fmt,
            table=lambda shown: print_scores(result, shown),
            # the change rows only for JSON: for 10,000 snapshots they are 200,000 more rows
            document=result.streamed(rows) if printed == "json" else None,
            columns=api.SCORE_COLUMNS,
            target=target,
        )


@app.command(
    rich_help_panel=SCORES,
    epilog='Example: narrative-diff kwic russia ilrs · narrative-diff kwic "equal '
    "collaborators\" · narrative-diff kwic 'Luna[- ]2[5-7]' --regex --window 60",
)
def kwic(
    term: Annotated[
        str,
        typer.Argument(
            help="An actor key or name (russia), or any word or phrase (Roscosmos, "
            '"equal collaborators", 国家航天局: any case, either Chinese script).'
        ),
    ],
    series: SeriesArg = None,
    regex: Annotated[
        bool, typer.Option("--regex", help="Search TERM as a regular expression.")
    ] = False,
    window: Annotated[
        int, typer.Option(min=0, max=1000, help="Characters of context on each side.")
    ] = 40,
    actors_file: ActorsOpt = None,
    fmt: RowsFormatOpt = "table",
    out: RowsOutOpt = None,
    corpus: CorpusOpt = None,
) -> None:
    """Every mention of an actor, or every occurrence of a word, phrase or pattern, in
    context: left | keyword | right, with the snapshot, sentence and (for an actor) weight."""
    choice(fmt, FILE_ROW_FORMATS, "--format")
    store = api.open_corpus(corpus)
    found = api.load_actors(actors_file)
    target = api.rows_output(
        store,
        fmt,
        out,
        command="kwic",
        series=series,
        term=term,
        inputs=[actors_file] if actors_file else [],
    )
    rows = api.keyword_in_context(store, term, series, actors=found, regex=regex, window=window)
    warn_edited(api.series_snapshots(store, series))
    if not rows and fmt == "table" and target is None:
        warn(f"no occurrence of '{term}' in the series")
        return
    emit_rows(
        [row.as_dict() for row in rows],
        fmt,
        table=lambda shown: print_kwic(rows, shown),
        columns=list(api.KWIC_COLUMNS),
        target=target,
    )


@app.command(
    rich_help_panel=SCORES,
    epilog="Examples: narrative-diff chart ilrs --metric prominence -o russia.png · "
    "narrative-diff chart --metric count,share -o trends.svg · "
    "narrative-diff chart --kind heatmap --metric changes",
)
def chart(
    series: SeriesArg = None,
    metric: Annotated[
        str,
        typer.Option(
            "--metric",
            "-m",
            help="count, rate, prominence, share or sentences; several, comma-separated, "
            "give small multiples. With --kind heatmap: one of them, or changes (what "
            "changed in each block of the latest snapshot at each step).",
        ),
    ] = "prominence",
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="line (actors over time) or heatmap (actors × snapshots, or with --metric "
            "changes the text's blocks × versions).",
        ),
    ] = "line",
    out: Annotated[
        Path | None,
        output_option(
            "The file to write: .png, .svg or .pdf (default: reports/SERIES-METRIC.png)."
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Draw at most this many actors (by peak value; default 7), or heat-map rows "
            "(default 40).",
            show_default=False,
        ),
    ] = None,
    actors_file: ActorsOpt = None,
    corpus: CorpusOpt = None,
) -> None:
    """Chart actor scores over time (a true date axis, one line per actor), or as a
    heat-map; or where the text changed at each step."""
    choice(kind, ("line", "heatmap"), "--kind")
    store = api.open_corpus(corpus)
    if kind == "heatmap":
        written = api.heatmap_series(
            store, series, metric, out, actors=api.load_actors(actors_file), top=top
        )
    else:
        written = api.chart_series(
            store, series, metric, out, actors=api.load_actors(actors_file), top=top or 7
        )
    warn_edited(api.series_snapshots(store, series))
    info(f"wrote {written.path} ({written.what})")


@app.command(
    rich_help_panel=SCORES,
    epilog="Examples: narrative-diff report · narrative-diff report ilrs -o ilrs.html · "
    "SOURCE_DATE_EPOCH=0 narrative-diff report -o ilrs.pdf",
)
def report(
    series: SeriesArg = None,
    out: Annotated[
        Path | None,
        output_option(
            "One format only: x.pdf, x.html, x.md or x.png (the summary card, with the charts "
            "beside it as x-<metric>.png). Default: reports/<series>.pdf, .html and PNGs."
        ),
    ] = None,
    actors_file: ActorsOpt = None,
    corpus: CorpusOpt = None,
) -> None:
    """Write the report on a series: findings with sentences, charts, scores, redlines."""
    store = api.open_corpus(corpus)
    with progress("Report") as shown:
        written = api.report_series(
            store,
            series,
            out,
            actors=api.load_actors(actors_file),
            progress=(lambda stage, done, total: shown(done, total, stage)) if shown else None,
        )
    warn_edited(api.series_snapshots(store, series))
    for item in written:
        size = item.path.stat().st_size
        info(f"wrote {item.path} ({item.what}, {size / 1024:,.0f} KiB)")
