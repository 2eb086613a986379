"""``watch``: check official pages and add a snapshot when their words change."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from narrative_diff import api

from .app import CORPUS, CorpusOpt, app, echo, info, progress, warn

#: ``--timeout`` of watch and backfill (their defaults differ: an archive is slower).
TimeoutOpt = Annotated[
    float, typer.Option(min=0.1, max=3600.0, help="Seconds one request may take in all.")
]
#: As for ``add``: the largest page read, and redirects to private addresses.
MaxBytesOpt = Annotated[int, typer.Option(min=1, help="Refuse pages larger than this many bytes.")]
AllowPrivateOpt = Annotated[
    bool,
    typer.Option(
        "--allow-private",
        help="Let a public page redirect to a private or loopback address.",
    ),
]


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
    timeout: TimeoutOpt = 20.0,
    max_bytes: MaxBytesOpt = 50 << 20,
    allow_private: AllowPrivateOpt = False,
    ignore_robots: Annotated[
        bool,
        typer.Option("--ignore-robots", help="Fetch pages that robots.txt asks robots to skip."),
    ] = False,
    feeds: Annotated[
        Path,
        typer.Option(help="Folder of the Atom feeds of changes, <series>.atom."),
    ] = Path("reports"),
    no_feeds: Annotated[bool, typer.Option("--no-feeds", help="Write no Atom feeds.")] = False,
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

    def said(check: api.Check) -> None:
        # results (a snapshot added) and failures are shown even with --quiet
        if check.outcome == "failed":
            echo(check.line, err=True)
        elif check.outcome == "added":
            echo(check.line)
        else:
            info(check.line)

    store = api.open_corpus(corpus)
    checks = api.watch(
        store,
        sources,
        every=seconds,
        manners=api.Manners(interval=interval, robots=not ignore_robots),
        limits=api.IngestLimits(max_bytes=max_bytes, timeout=timeout, allow_private=allow_private),
        each=said,
        warn=warn,
        feeds=None if no_feeds else feeds,
    )
    code = api.watch_exit_code(checks)
    if code:
        raise typer.Exit(code)


@app.command(
    rich_help_panel=CORPUS,
    epilog="Examples: narrative-diff backfill https://example.org/ilrs.html --series ilrs-cnsa "
    "--from 2021-01-01 -c my-corpus · narrative-diff backfill URL --series S --archive "
    "http://localhost:8080/my-collection --layout pywb",
)
def backfill(
    url: Annotated[str, typer.Argument(help="The page whose archived history to read.")],
    series: Annotated[str, typer.Option("--series", "-s", help="Series to add it to.")],
    since: Annotated[
        str | None, typer.Option("--from", help="First capture date, YYYY-MM-DD.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", help="Last capture date, YYYY-MM-DD.")
    ] = None,
    archive: Annotated[
        str | None,
        typer.Option(
            help="A CDX-compatible archive's address (default: the Internet Archive, "
            "https://web.archive.org)."
        ),
    ] = None,
    layout: Annotated[
        str,
        typer.Option(
            help="The archive's paths: wayback (BASE/cdx/search/cdx, BASE/web/…) or pywb "
            "(BASE is a collection: BASE/cdx, BASE/<timestamp>id_/…).",
            metavar="wayback|pywb",
        ),
    ] = "wayback",
    limit: Annotated[
        int | None, typer.Option(min=1, help="Read at most this many captures.")
    ] = None,
    selector: Annotated[
        str | None, typer.Option(help="Only this part of the page (a CSS selector).")
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(help="A line pattern (regex) that is noise; repeat for more."),
    ] = None,
    language: Annotated[str | None, typer.Option(help="en, zh, ru, … (default: detected).")] = None,
    publisher: Annotated[str | None, typer.Option(help="Who published the page.")] = None,
    interval: Annotated[
        float, typer.Option(min=0.0, help="Seconds between two requests to the archive.")
    ] = 1.0,
    timeout: TimeoutOpt = 30.0,
    max_bytes: MaxBytesOpt = 50 << 20,
    allow_private: AllowPrivateOpt = False,
    corpus: CorpusOpt = None,
) -> None:
    """Add a page's history from a web archive: one snapshot per capture whose words
    differ from the one before, dated by capture. A rerun adds nothing; an interrupted one
    resumes."""
    store = api.open_corpus(corpus)
    with progress("Backfill") as shown:
        handled = api.backfill(
            store,
            url,
            series,
            archive=archive,
            layout=layout,
            since=api.parse_add_date(since) if since else None,
            until=api.parse_add_date(until) if until else None,
            limit=limit,
            selector=selector,
            ignore=tuple(ignore or ()),
            language=language,
            publisher=publisher,
            interval=interval,
            limits=api.IngestLimits(
                max_bytes=max_bytes, timeout=timeout, allow_private=allow_private
            ),
            progress=(lambda done, total: shown(done, total, "captures")) if shown else None,
            each=lambda item: (
                info(item.line, err=item.outcome == "failed")
                if item.outcome in ("added", "failed")
                else None
            ),
        )
    counts = {o: sum(h.outcome == o for h in handled) for o in ("added", "noise", "duplicate")}
    failed = [h for h in handled if h.outcome == "failed"]
    info(
        f"{series}: {len(handled)} new capture(s) read: {counts['added']} added, "
        f"{counts['noise']} without new words, {counts['duplicate']} duplicate, "
        f"{len(failed)} failed"
    )
    if failed:
        raise typer.Exit(failed[0].exit_code)
