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
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from narrative_diff.capture import AddOptions, build_snapshot
from narrative_diff.errors import NarrativeDiffError, SnapshotConflict

from .archive import Capture, list_captures, strip_banner
from .check import first, latest_before, read_page, unchanged, what_changed
from .manners import Visits
from .sources import Source

if TYPE_CHECKING:
    from narrative_diff.actors import ActorSet
    from narrative_diff.corpus import Corpus
    from narrative_diff.ingest import IngestLimits


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
    base: str,
    actors: ActorSet,
    visits: Visits,
    limits: IngestLimits,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    each: Callable[[Handled], None] | None = None,
) -> list[Handled]:
    """Add the distinct versions of ``source.url`` that ``base`` archived (module
    docstring); returns what became of each capture not handled by an earlier run."""
    corpus.require_writable()
    captures = list_captures(
        base, source.url, visits=visits, limits=limits, since=since, until=until, limit=limit
    )
    record = corpus.root / ".watch" / f"backfill-{source.series}.jsonl"
    done = _done(record)
    seen = {digest for digest, outcome in done.values() if outcome != "failed"}
    todo = [c for c in captures if done.get(c.timestamp, ("", "failed"))[1] == "failed"]
    handled = []
    for n, capture in enumerate(todo, 1):
        if capture.digest and capture.digest in seen:
            result = Handled(
                capture.timestamp,
                capture.digest,
                "duplicate",
                f"{source.series}: {capture.timestamp} is the same capture as an earlier one",
            )
        else:
            result = _one(corpus, source, capture, base, actors, visits, limits)
            if result.outcome != "failed" and capture.digest:
                seen.add(capture.digest)
        _append(record, result)
        handled.append(result)
        if each:
            each(result)
        if progress:
            progress(n, len(todo))
    return handled


def _one(
    corpus: Corpus,
    source: Source,
    capture: Capture,
    base: str,
    actors: ActorSet,
    visits: Visits,
    limits: IngestLimits,
) -> Handled:
    memento = capture.memento(base)
    try:
        got = visits.get(memento, {}, limits)
        page = replace(source, url=capture.original)
        extracted = read_page(
            strip_banner(got.body), page, got.content_type, capture.original, limits
        )
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
        snap = build_snapshot(extracted, options)
        stored = corpus.add(snap, raw=extracted.raw, raw_suffix=extracted.raw_suffix, auto_id=True)
    except SnapshotConflict:  # the same text is in the series already (an earlier run)
        return Handled(
            capture.timestamp,
            capture.digest,
            "noise",
            f"{source.series}: {capture.timestamp}: this text is in the series already",
        )
    except NarrativeDiffError as error:
        return Handled(
            capture.timestamp,
            capture.digest,
            "failed",
            f"{source.series}: {capture.timestamp}: failed: {error.one_line()}",
            exit_code=int(error.exit_code),
        )
    ref = corpus.version_of(stored) or stored.id
    said = what_changed(before, stored, actors) if before is not None else first(stored)
    return Handled(
        capture.timestamp,
        capture.digest,
        "added",
        f"{source.series}: added {ref} ({stored.date.isoformat()}, capture "
        f"{capture.timestamp}): {said}",
        ref=ref,
    )


def _done(record: Path) -> dict[str, tuple[str, str]]:
    """timestamp → (digest, outcome) of the captures earlier runs handled; a line cut
    short by a crash is skipped (that capture is handled again)."""
    done: dict[str, tuple[str, str]] = {}
    try:
        lines = record.read_text(encoding="utf-8").splitlines()
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
    record.parent.mkdir(exist_ok=True)
    entry = {
        "timestamp": handled.timestamp,
        "digest": handled.digest,
        "outcome": handled.outcome,
        "line": handled.line,
    }
    if handled.ref:
        entry["ref"] = handled.ref
    with record.open("a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
