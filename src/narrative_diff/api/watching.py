"""``watch``: check the pages of a sources file, once or every so often."""

from __future__ import annotations

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
    from narrative_diff.watching import Check, Manners

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
    rounds: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Check]:
    """Check every source of ``sources_file`` once (``every`` None), or every ``every``
    seconds until stopped (or ``rounds`` rounds); return the last round's checks. The
    whole sources file is checked before anything is fetched."""
    from narrative_diff.watching import Visits, load_sources, watch_round

    sources = load_sources(Path(sources_file))
    corpus.require_writable()
    cache: dict[str, ActorSet] = {}

    def actors_for(series: str) -> ActorSet:
        if series not in cache:
            cache[series] = (
                series_actors(corpus, series, actors, load_actors)
                if (corpus.root / series).is_dir()
                else actors or load_actors(None)
            )
        return cache[series]

    done = 0
    while True:
        visits = Visits(manners) if manners is not None else Visits()
        checks = watch_round(
            corpus, sources, actors_for=actors_for, visits=visits, limits=limits, each=each
        )
        done += 1
        if every is None or (rounds is not None and done >= rounds):
            return checks
        sleep(every)
