"""Backfill: a page's history from a web archive, as the dated snapshots of a series.

The archive's captures (:mod:`.archive`) are read oldest first; captures with a digest
already seen are the same bytes and are skipped unfetched. Each other capture is fetched
as captured and extracted as ``watch`` does, then compared with the snapshot before it in
the series (by date): a capture whose words differ becomes a snapshot dated by the
capture, with the page's URL as ``source_url`` and the memento URL in its provenance;
one that differs only by noise (whitespace, punctuation, ignored lines) adds nothing.

Every capture handled is recorded in ``.watch/backfill-<series>.jsonl``: a rerun skips
them (idempotent), and an interrupted run goes on where it stopped (resumable). A capture
that fails (an archive error, a document that cannot be read) is recorded as failed and
tried again by the next run; the others are still added.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from narrative_diff.capture import AddOptions, build_snapshot
from narrative_diff.errors import NarrativeDiffError, SnapshotConflict
from narrative_diff.ingest.redact import redact_url
from narrative_diff.workers import pool, pool_size

from .archive import Archive, Capture, list_captures, strip_banner
from .check import first, latest_before, read_page, unchanged, what_changed
from .manners import Visits
from .sources import Source

if TYPE_CHECKING:
    from narrative_diff.actors import ActorSet
    from narrative_diff.corpus import Corpus
    from narrative_diff.ingest import Extracted, IngestLimits
    from narrative_diff.snapshot import Snapshot


@dataclass(frozen=True)
class Handled:
    """What became of one capture, and the line that says so."""

    timestamp: str
    digest: str
    outcome: str  # added, noise, duplicate, failed
    line: str
    ref: str | None = None
    exit_code: int = 0


def backfill(
    corpus: Corpus,
    source: Source,
    *,
    archive: Archive,
    actors: ActorSet,
    visits: Visits,
    limits: IngestLimits,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    each: Callable[[Handled], None] | None = None,
) -> list[Handled]:
    """Add the distinct versions of ``source.url`` that ``archive`` holds (module
    docstring); returns what became of each capture not handled by an earlier run."""
    corpus.require_writable()
    record = corpus.root / ".watch" / f"backfill-{source.series}.jsonl"
    done = _done(record)
    captures = list_captures(
        archive,
        source.url,
        visits=visits,
        limits=limits,
        since=since,
        until=until,
        # the index lists oldest first: what earlier runs read, then N more
        limit=len(done) + limit if limit is not None else None,
    )
    # captures no run has read (at most ``limit``), and those an earlier run failed on
    fresh = [c.timestamp for c in captures if c.timestamp not in done]
    wanted = set(fresh if limit is None else fresh[:limit])
    wanted |= {c.timestamp for c in captures if done.get(c.timestamp, ("", ""))[1] == "failed"}
    total = sum(c.timestamp in wanted for c in captures)
    handled: list[Handled] = []
    # a capture read ahead: what became of it already (a duplicate of a capture from an
    # earlier run, a failed fetch), the call that waits for its reading, or a capture with
    # the bytes of the one just before it (a duplicate, unless that one failed)
    ahead: deque[Handled | Callable[[], _Read] | Capture] = deque()

    def finish(entry: Handled | Callable[[], _Read] | Capture) -> Handled:
        if isinstance(entry, Handled):
            return entry
        if not isinstance(entry, Capture):
            return _add(corpus, source, entry(), actors)
        if handled and handled[-1].outcome == "failed":  # the same bytes again: try them
            fetched = _fetch(source, entry, archive, visits, limits)
            return (
                fetched
                if isinstance(fetched, Handled)
                else _add(corpus, source, _read(fetched), actors)
            )
        return _duplicate(source, entry)

    def settle(keep: int) -> None:
        """Finish the captures read ahead, oldest first, until ``keep`` are left."""
        while len(ahead) > keep:
            result = finish(ahead.popleft())
            _append(record, result)
            handled.append(result)
            if each:
                each(result)
            if progress:
                progress(len(handled), total)

    # Captures are fetched in order and read (extracted) in a pool of processes when the
    # archive may be asked faster than pages are read; each is added in order, once the
    # ones before it are.
    processes = pool_size(total, total if visits.manners.interval < POOL_INTERVAL else 0, 8)
    previous, earlier = "", False  # the digest of the capture before; from an earlier run?
    with pool(processes) as submit:
        for capture in captures:
            if capture.timestamp not in wanted:
                if capture.timestamp in done:  # handled (not failed) by an earlier run
                    previous, earlier = capture.digest, True
                continue
            if capture.digest and capture.digest == previous:  # the same bytes: not fetched
                ahead.append(_duplicate(source, capture) if earlier else capture)
            else:
                fetched = _fetch(source, capture, archive, visits, limits)
                ahead.append(fetched if isinstance(fetched, Handled) else submit(_read, fetched))
            previous, earlier = capture.digest, False
            settle(keep=2 * processes - 1)
        settle(keep=0)
    return handled


def _duplicate(source: Source, capture: Capture) -> Handled:
    line = f"{source.series}: {capture.timestamp} is the same capture as the one before"
    return Handled(capture.timestamp, capture.digest, "duplicate", line)


#: Seconds between requests to the archive under which captures are read in a pool of
#: processes: with longer waits, reading a page (0.1–0.5 s) fits in the wait anyway.
POOL_INTERVAL = 0.5


@dataclass(frozen=True)
class _Fetched:
    """A capture as fetched, to be read: what a worker process is given."""

    capture: Capture
    source: Source
    memento: str
    body: bytes
    content_type: str | None
    final_url: str
    limits: IngestLimits


@dataclass(frozen=True)
class _Read:
    """A capture read: its text, or why it could not be (the error's line and code)."""

    fetched: _Fetched
    extracted: Extracted | None
    failure: str = ""
    exit_code: int = 0


def _fetch(
    source: Source, capture: Capture, archive: Archive, visits: Visits, limits: IngestLimits
) -> _Fetched | Handled:
    memento = archive.memento(capture)
    try:
        got = visits.get(memento, {}, limits)
    except NarrativeDiffError as error:
        return _failure(source, capture, error.one_line(), int(error.exit_code))
    return _Fetched(capture, source, memento, got.body, got.content_type, got.final_url, limits)


def _read(fetched: _Fetched) -> _Read:
    """The capture's text, extracted as ``watch`` does (run in a worker process)."""
    capture = fetched.capture
    page = replace(fetched.source, url=capture.original)
    try:
        extracted = read_page(
            strip_banner(fetched.body), page, fetched.content_type, capture.original, fetched.limits
        )
    except NarrativeDiffError as error:
        return _Read(fetched, None, error.one_line(), int(error.exit_code))
    return _Read(fetched, extracted)


def _failure(source: Source, capture: Capture, why: str, exit_code: int) -> Handled:
    return Handled(
        capture.timestamp,
        capture.digest,
        "failed",
        f"{source.series}: {capture.timestamp}: failed: {why}",
        exit_code=exit_code,
    )


def _add(corpus: Corpus, source: Source, read: _Read, actors: ActorSet) -> Handled:
    """Add a capture read as the series' snapshot of its date, unless it adds no words."""
    fetched, extracted = read.fetched, read.extracted
    capture, memento = fetched.capture, fetched.memento
    if extracted is None:
        return _failure(source, capture, read.failure, read.exit_code)
    try:
        before = latest_before(corpus, source.series, capture.date)
        if before is not None:
            quiet = unchanged(before, extracted.body, source)
            if quiet is not None:
                return Handled(
                    capture.timestamp,
                    capture.digest,
                    "noise",
                    f"{source.series}: {capture.timestamp}: no new words since "
                    f"{before.date.isoformat()}",
                )
        options = AddOptions(
            series=source.series,
            date=capture.date,
            title=source.title,
            publisher=source.publisher,
            lineage=source.lineage,
            language=source.language,
            url=capture.original,
            provenance=f"Capture of {capture.original} at {capture.timestamp}, fetched from "
            f"the web archive as {memento} by narrative-diff backfill"
            + (f", the part selected by {source.selector!r}" if source.selector else "")
            + ".",
        )
        sent = re.search(r"/(\d{8,14})id_/", fetched.final_url)
        if sent and sent[1] != capture.timestamp:  # the archive sent the nearest other capture
            return Handled(
                capture.timestamp,
                capture.digest,
                "noise",
                f"{source.series}: {capture.timestamp}: the archive answered with another "
                f"capture ({redact_url(fetched.final_url)}); skipped",
            )
        snap = build_snapshot(extracted, options)
        stored = corpus.add(
            snap, raw=extracted.raw, raw_suffix=extracted.raw_suffix, auto_id=True, reverts=True
        )
    except SnapshotConflict:  # the same text beside it: the snapshot just before or after
        return Handled(
            capture.timestamp,
            capture.digest,
            "noise",
            f"{source.series}: {capture.timestamp}: {_same_text(corpus, source.series, snap)}",
        )
    except NarrativeDiffError as error:
        return _failure(source, capture, error.one_line(), int(error.exit_code))
    ref = corpus.version_of(stored) or stored.id
    said = what_changed(before, stored, actors) if before is not None else first(stored, corpus)
    return Handled(
        capture.timestamp,
        capture.digest,
        "added",
        f"{source.series}: added {ref} ({stored.date.isoformat()}, capture "
        f"{capture.timestamp}): {said}",
        ref=ref,
    )


def _same_text(corpus: Corpus, series: str, snap: Snapshot) -> str:
    """Why a capture with the text of a snapshot beside it adds nothing."""
    same = next((s for s in corpus.snapshots(series) if s.body_hash == snap.body_hash), None)
    if same is None:
        return "this text is in the series already"
    ref = corpus.version_of(same) or same.id
    if same.date > snap.date:
        return (
            f"the text of {ref} ({same.date.isoformat()}), captured earlier: not added (the "
            f"series dates it from {same.date.isoformat()}; to date it from the capture, "
            f"remove {ref} and run backfill again)"
        )
    return f"the same text as {ref} ({same.date.isoformat()})"


def _done(record: Path) -> dict[str, tuple[str, str]]:
    """timestamp → (digest, outcome) of the captures earlier runs handled; a line cut
    short by a crash is skipped (that capture is handled again)."""
    done: dict[str, tuple[str, str]] = {}
    try:
        lines = record.read_bytes().decode("utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return done
    for line in lines:
        try:
            entry = json.loads(line)
            done[str(entry["timestamp"])] = (str(entry.get("digest", "")), str(entry["outcome"]))
        except (ValueError, KeyError, TypeError):
            continue
    return done


def _append(record: Path, handled: Handled) -> None:
    from . import append_line

    record.parent.mkdir(exist_ok=True)
    entry: dict[str, object] = {
        "timestamp": handled.timestamp,
        "digest": handled.digest,
        "outcome": handled.outcome,
        "line": handled.line,
    }
    if handled.ref:
        entry["ref"] = handled.ref
    append_line(record, entry)
