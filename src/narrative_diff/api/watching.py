"""``watch``: check the pages of a sources file, once or every so often."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from narrative_diff.corpus import Corpus
from narrative_diff.errors import UsageProblem
from narrative_diff.series import series_actors

from .comparing import load_actors

if TYPE_CHECKING:
    from narrative_diff.actors import ActorSet
    from narrative_diff.ingest import IngestLimits
    from narrative_diff.watching import Check, Handled, Manners

#: ``--every`` units.
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(value: str) -> float:
    """Seconds in '90s', '30m', '6h' or '1d' (at least a minute: pages are not polled)."""
    text = value.strip().lower()
    number, unit = text[:-1], text[-1:]
    if unit not in UNITS or not number.replace(".", "", 1).isdigit():
        raise UsageProblem(
            f"--every {value!r} is not a duration",
            hint="give a number and a unit: 90s, 30m, 6h or 1d",
            slug="bad-option",
        )
    seconds = float(number) * UNITS[unit]
    if seconds > 366 * 86400:
        raise UsageProblem(
            f"--every {value} is over a year",
            hint="give at most 366d (a cron job suits rarer checks)",
            slug="bad-option",
        )
    if seconds < 60:
        raise UsageProblem(
            f"--every {value} is under a minute",
            hint="watch a page at most once a minute (6h suits most official pages)",
            slug="bad-option",
        )
    return seconds


def watch_exit_code(checks: list[Check]) -> int:
    """0 when every source was checked; else the exit code of the first that failed."""
    from narrative_diff.watching import exit_code

    return exit_code(checks)


def watch(
    corpus: Corpus,
    sources_file: str | os.PathLike[str],
    *,
    every: float | None = None,
    manners: Manners | None = None,
    limits: IngestLimits | None = None,
    actors: ActorSet | None = None,
    each: Callable[[Check], None] | None = None,
    warn: Callable[[str], None] | None = None,
    feeds: str | os.PathLike[str] | None = None,
    rounds: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Check]:
    """Check every source of ``sources_file`` once (``every`` None), or every ``every``
    seconds until stopped (or ``rounds`` rounds); return the last round's checks. The
    whole sources file is checked before anything is fetched, and the corpus's watch
    lock is held from the first round to the end. After each round, the Atom feed of
    each series' changes is written to ``feeds`` (a folder) unless it is None. With
    ``every``, a round that fails as a whole (the feeds folder cannot be written) is a
    ``warn`` line, and the next round comes all the same."""
    from narrative_diff.errors import NarrativeDiffError
    from narrative_diff.watching import Visits, load_sources, locked, watch_round, write_feeds

    sources = load_sources(Path(sources_file))
    corpus.require_writable()
    cache: dict[str, ActorSet] = {}

    def actors_for(series: str) -> ActorSet:
        if series not in cache:
            cache[series] = actors_of(corpus, series, actors)
        return cache[series]

    done = 0
    checks: list[Check] = []
    with locked(corpus):
        while True:
            visits = Visits(manners) if manners is not None else Visits()
            try:
                checks = watch_round(
                    corpus,
                    sources,
                    actors_for=actors_for,
                    visits=visits,
                    limits=limits,
                    each=each,
                    warn=warn,
                )
                if feeds is not None:
                    write_feeds(corpus, sources, Path(feeds))
            except (NarrativeDiffError, OSError, ValueError) as error:
                if every is None:
                    raise
                said = error.one_line() if isinstance(error, NarrativeDiffError) else repr(error)
                if warn:
                    warn(f"this round stopped: {said}; the next comes in {every:g} s")
            done += 1
            if every is None or (rounds is not None and done >= rounds):
                return checks
            sleep(every)


def backfill(
    corpus: Corpus,
    url: str,
    series: str,
    *,
    archive: str | None = None,
    layout: str = "wayback",
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
    selector: str | None = None,
    ignore: tuple[str, ...] = (),
    language: str | None = None,
    publisher: str | None = None,
    interval: float = 1.0,
    limits: IngestLimits | None = None,
    actors: ActorSet | None = None,
    progress: Callable[[int, int], None] | None = None,
    each: Callable[[Handled], None] | None = None,
    manners: Manners | None = None,
) -> list[Handled]:
    """Add the distinct versions of ``url`` that a web archive holds to ``series``, dated
    by capture (watching/backfill.py); a rerun adds nothing, an interrupted run resumes."""
    from narrative_diff.ingest import IngestLimits
    from narrative_diff.watching import (
        DEFAULT_ARCHIVE,
        LAYOUTS,
        Archive,
        Manners,
        SourcesError,
        Visits,
        locked,
        source_from,
    )
    from narrative_diff.watching import backfill as run

    entry = {
        "url": url,
        "series": series,
        "selector": selector,
        "ignore": list(ignore),
        "language": language,
        "publisher": publisher,
    }
    try:
        source = source_from({k: v for k, v in entry.items() if v is not None}, "backfill")
    except SourcesError as error:  # the options, not a file: a usage problem
        message = error.message.split("): ", 1)[-1]  # the option, not "backfill (S)"
        raise UsageProblem(message, hint=error.hint, slug="bad-option") from None
    base = (archive or DEFAULT_ARCHIVE).rstrip("/")
    check_archive(base)
    if layout not in LAYOUTS:
        raise UsageProblem(
            f"--layout {layout} is not a layout",
            hint=f"use one of {', '.join(LAYOUTS)}",
            slug="bad-option",
        )
    if since and until and since > until:
        raise UsageProblem(
            f"--from {since} is after --to {until}", hint="swap them", slug="bad-option"
        )
    own = actors_of(corpus, series, actors)
    # the archive's own API, not a site: its robots.txt is for crawlers of its pages
    visits = Visits(manners or Manners(interval=interval, robots=False))
    with locked(corpus):
        return run(
            corpus,
            source,
            archive=Archive(base, layout),
            actors=own,
            visits=visits,
            limits=limits or IngestLimits(),
            since=since,
            until=until,
            limit=limit,
            progress=progress,
            each=each,
        )


def check_archive(base: str) -> None:
    """``--archive`` must be an http(s) address."""
    from narrative_diff.ingest.fetch import check_url

    try:
        check_url(base)
    except UsageProblem as error:
        raise UsageProblem(
            f"--archive: {error.message}",
            hint="give the archive's address, e.g. https://web.archive.org or your pywb's",
            slug="bad-option",
        ) from None


def actors_of(corpus: Corpus, series: str, actors: ActorSet | None) -> ActorSet:
    """The actors a series is read with: its own file (series.yaml) when it names one."""
    if (corpus.root / series).is_dir():
        return series_actors(corpus, series, actors, load_actors)
    return actors or load_actors(None)
