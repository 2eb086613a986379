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

from narrative_diff.errors import CorpusError, ExitCode
from narrative_diff.storage import write_file

from .archive import DEFAULT_ARCHIVE, Capture, list_captures, parse_cdx, strip_banner
from .backfill import Handled, backfill
from .check import OUTCOMES, Check, check_source, comparable, describe
from .manners import Manners, Visits
from .sources import Source, SourcesError, load_sources, parse_sources, source_from

if TYPE_CHECKING:
    from narrative_diff.actors import ActorSet
    from narrative_diff.corpus import Corpus
    from narrative_diff.ingest import IngestLimits

__all__ = [
    "DEFAULT_ARCHIVE",
    "OUTCOMES",
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
) -> list[Check]:
    """Check every source once, in order; ``each`` is called with each check as it is
    done (a failure is a check too: the others are still checked)."""
    with locked(corpus):
        folder = corpus.root / FOLDER
        visits = visits or Visits()
        state = _state(folder / "state.json")
        checks = []
        for source in sources:
            check = check_source(
                corpus,
                source,
                actors=actors_for(source.series),
                visits=visits,
                validators=state.get(source.series, {}).get(source.url),
                limits=limits,
            )
            if check.outcome != "failed":
                state[source.series] = {source.url: check.validators} if check.validators else {}
                write_file(folder / "state.json", _json(state))
            if check.outcome == "added" and source.notify:
                check = _notified(check, source)
            _append(folder / "log.jsonl", check)
            checks.append(check)
            if each:
                each(check)
        return checks


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


def _notified(check: Check, source: Source) -> Check:
    """Tell ``source.notify`` of the change; a failed notification is a warning on the
    check, not a failed check (the snapshot is added all the same)."""
    from dataclasses import replace

    from .notify import send

    title = f"narrative-diff: {source.series} changed"
    failed = send(source.notify, title, f"{check.line}\n{check.url}")
    said = tuple(f"{source.series}: could not notify {service}" for service in failed)
    return replace(check, warnings=check.warnings + said) if said else check


def write_feeds(corpus: Corpus, sources: Sequence[Source], folder: Path) -> list[Path]:
    """Write ``folder/<series>.atom`` for each source from the watch log."""
    from narrative_diff.series import series_info

    from .feed import write_feed

    written = []
    log = corpus.root / FOLDER / "log.jsonl"
    for source in sources:
        has = (corpus.root / source.series).is_dir()
        title = (series_info(corpus, source.series).title if has else None) or source.series
        written.append(write_feed(log, folder, source.series, title, source.url))
    return written


def exit_code(checks: Sequence[Check]) -> int:
    """0 when every source was checked; else the exit code of the first that failed."""
    return next((c.exit_code for c in checks if c.outcome == "failed"), int(ExitCode.OK))


def _state(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    """The validators per series and URL; a missing or unreadable file is no state (the
    next fetch is then a plain GET, nothing else is lost)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def _append(path: Path, check: Check) -> None:
    """One line, written with one call in append mode: a reader never sees half a line
    among whole ones, and a crash loses at most the line being written."""
    line = json.dumps(check.as_dict(), ensure_ascii=False, sort_keys=True) + "\n"
    with path.open("a", encoding="utf-8") as log:
        log.write(line)
