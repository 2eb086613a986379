"""Watching pages: each round checks every source of a sources file once
(:mod:`.check`), politely (:mod:`.manners`), and records what it found.

What a round keeps, in the corpus's hidden folder ``.watch/``: ``log.jsonl``, one JSON
line per check (appended; the history of every check), and ``state.json``, the ETag and
Last-Modified each series' page last answered (written whole, atomically). A lock there
lets one watcher at a time work on a corpus.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from narrative_diff.errors import CorpusError, ExitCode, NarrativeDiffError
from narrative_diff.ingest.redact import redact_url
from narrative_diff.storage import write_file

from .archive import (
    DEFAULT_ARCHIVE,
    LAYOUTS,
    Archive,
    Capture,
    list_captures,
    parse_cdx,
    strip_banner,
)
from .backfill import Handled, backfill
from .check import OUTCOMES, Check, check_source, comparable, describe, failed_check
from .manners import Manners, Visits
from .sources import Source, SourcesError, load_sources, parse_sources, source_from

if TYPE_CHECKING:
    from narrative_diff.actors import ActorSet
    from narrative_diff.corpus import Corpus
    from narrative_diff.ingest import IngestLimits

__all__ = [
    "DEFAULT_ARCHIVE",
    "LAYOUTS",
    "OUTCOMES",
    "Archive",
    "Capture",
    "Check",
    "Handled",
    "Manners",
    "Source",
    "SourcesError",
    "Visits",
    "backfill",
    "check_source",
    "comparable",
    "describe",
    "exit_code",
    "list_captures",
    "load_sources",
    "locked",
    "parse_cdx",
    "parse_sources",
    "source_from",
    "strip_banner",
    "watch_round",
    "write_feeds",
]

FOLDER = ".watch"


def watch_round(
    corpus: Corpus,
    sources: Sequence[Source],
    *,
    actors_for: Callable[[str], ActorSet],
    visits: Visits | None = None,
    limits: IngestLimits | None = None,
    each: Callable[[Check], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[Check]:
    """Check every source once, in order (the caller holds :func:`locked`); ``each`` is
    called with each check once it is logged (a failure is a check too: the others are
    still checked), ``warn`` with what went wrong beside it (a notification)."""
    folder = corpus.root / FOLDER
    folder.mkdir(exist_ok=True)
    visits = visits or Visits()
    state = _state(folder / "state.json")
    checks = []
    for source in sources:
        key = _key(source)
        known = state.get(source.series, {})
        if known.get("url") != key:
            known = {}
        try:
            actors = actors_for(source.series)
        except NarrativeDiffError as error:  # this series' own files: the others go on
            check = failed_check(source, error)
        else:
            check = check_source(
                corpus,
                source,
                actors=actors,
                visits=visits,
                validators={k: v for k, v in known.items() if k in VALIDATORS},
                compare_with=known.get("snapshot"),
                limits=limits,
            )
        if check.outcome != "failed":
            state[source.series] = {"url": key, **check.validators}
            if check.ref is not None and check.compared:
                state[source.series]["snapshot"] = check.compared
            write_file(folder / "state.json", _json(state))
        _append(folder / "log.jsonl", check)  # logged before anything else can stop us
        checks.append(check)
        if each:
            each(check)
        if check.outcome == "added" and source.notify:
            for line in _notify(check, source):
                if warn:
                    warn(line)
    return checks


#: The response headers a conditional request sends back.
VALIDATORS = ("etag", "last-modified")


def _key(source: Source) -> str:
    """How state.json knows a source's page without holding its URL (it may carry a
    token): a hash of it."""
    import hashlib

    return hashlib.sha256(source.url.encode("utf-8")).hexdigest()[:16]


@contextlib.contextmanager
def locked(corpus: Corpus) -> Iterator[None]:
    """One watcher (``watch`` or ``backfill``) at a time on a corpus."""
    from filelock import FileLock, Timeout

    corpus.require_writable()
    folder = corpus.root / FOLDER
    folder.mkdir(exist_ok=True)
    lock = FileLock(str(folder / "lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise CorpusError(
            f"another watch or backfill is working on the corpus {corpus.root}",
            hint="let it finish (one watcher per corpus), or stop it",
            slug="watch-running",
        ) from None
    try:
        yield
    finally:
        lock.release()


def _notify(check: Check, source: Source) -> list[str]:
    """Tell ``source.notify`` of the change; what failed, as warning lines (the snapshot
    is added all the same)."""
    from .notify import send

    title = f"narrative-diff: {source.series} changed"
    failed = send(source.notify, title, f"{check.line}\n{check.url}")
    return [f"{source.series}: could not notify {service}" for service in failed]


def write_feeds(corpus: Corpus, sources: Sequence[Source], folder: Path) -> list[Path]:
    """Write ``folder/<series>.atom`` for each source from the watch log."""
    from narrative_diff.series import series_info

    from .feed import write_feed

    written = []
    log = corpus.root / FOLDER / "log.jsonl"
    for source in sources:
        title = source.series
        if (corpus.root / source.series).is_dir():
            with contextlib.suppress(NarrativeDiffError):  # a bad series.yaml: the slug
                title = series_info(corpus, source.series).title or title
        written.append(write_feed(log, folder, source.series, title, redact_url(source.url)))
    return written


def exit_code(checks: Sequence[Check]) -> int:
    """0 when every source was checked; else the exit code of the first that failed."""
    return next((c.exit_code for c in checks if c.outcome == "failed"), int(ExitCode.OK))


def _state(path: Path) -> dict[str, dict[str, str]]:
    """Per series: its page (a hash of the URL), the validators it last answered and the
    snapshot the last check compared with. A missing or damaged file, or entry, is no
    state: the next fetch is then unconditional, nothing else is lost."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(series): {str(k): v for k, v in entry.items() if isinstance(v, str)}
        for series, entry in data.items()
        if isinstance(entry, dict)
    }


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def _append(path: Path, check: Check) -> None:
    """One line, written with one call in append mode; after a line a crash cut short,
    on a line of its own (so a crash loses at most the line being written)."""
    append_line(path, check.as_dict())


def append_line(path: Path, record: dict[str, object]) -> None:
    """``record`` as one JSON line at the end of ``path`` (see :func:`_append`)."""
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    with path.open("ab") as log:
        if log.tell() > 0:
            with path.open("rb") as read:
                read.seek(-1, 2)
                if read.read(1) != b"\n":
                    line = "\n" + line
        log.write(line.encode("utf-8"))
