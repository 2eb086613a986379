"""``watch``: check official pages and add a snapshot when their words change."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from narrative_diff import api

from .app import CORPUS, CorpusOpt, app, info


@app.command(
    rich_help_panel=CORPUS,
    epilog="Examples: narrative-diff watch sources.toml --once (for cron) · narrative-diff "
    "watch sources.toml --every 6h -c my-corpus · sources file format: docs/watching.md",
)
def watch(
    sources: Annotated[
        Path,
        typer.Argument(
            help="A TOML file of sources, one table each: url, series, … (docs/watching.md)."
        ),
    ],
    once: Annotated[
        bool, typer.Option("--once", help="Check each source once and exit (the default).")
    ] = False,
    every: Annotated[
        str | None,
        typer.Option(
            help="Check again after this long, until stopped (Ctrl-C or SIGTERM): 30m, 6h, 1d."
        ),
    ] = None,
    interval: Annotated[
        float, typer.Option(min=0.0, help="Seconds between two requests to one host.")
    ] = 5.0,
    timeout: Annotated[
        float, typer.Option(min=0.1, max=3600.0, help="Seconds one request may take in all.")
    ] = 20.0,
    ignore_robots: Annotated[
        bool,
        typer.Option("--ignore-robots", help="Fetch pages that robots.txt asks robots to skip."),
    ] = False,
    corpus: CorpusOpt = None,
) -> None:
    """Check watched pages: a snapshot is added when a page's words change (whitespace,
    punctuation and ignored lines are noise), with one line on what changed."""
    if once and every:
        raise api.UsageProblem(
            "--once and --every ask for different things",
            hint="use --once for cron, --every 6h to keep watching",
            slug="bad-option",
        )
    seconds = api.parse_every(every) if every else None
    store = api.open_corpus(corpus)
    checks = api.watch(
        store,
        sources,
        every=seconds,
        manners=api.Manners(interval=interval, robots=not ignore_robots),
        limits=api.IngestLimits(timeout=timeout),
        each=lambda check: info(check.line, err=check.outcome == "failed"),
    )
    code = api.watch_exit_code(checks)
    if code:
        raise typer.Exit(code)
