"""One check of a watched page: fetch it politely, extract it as ``add`` does, and add a
snapshot only when its text changed beyond noise, saying in one line what changed.

Noise is what does not change a reader's words: whitespace, punctuation, and the lines
the source's ``ignore`` patterns drop ("Updated: …", visitor counters). A change of
words adds a snapshot; the line names the actors written in or out and the top renamed
term or replaced phrase, from the comparison with the series' latest snapshot.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from narrative_diff.capture import AddOptions, build_snapshot
from narrative_diff.compare import compare
from narrative_diff.errors import (
    FetchFailed,
    NarrativeDiffError,
    SnapshotConflict,
    UnreadableDocument,
    UsageProblem,
)
from narrative_diff.ingest import IngestLimits, extract_bytes
from narrative_diff.ingest.redact import redact_url

from .manners import Visits
from .sources import Source

if TYPE_CHECKING:
    from narrative_diff.actors import ActorSet
    from narrative_diff.corpus import Corpus
    from narrative_diff.ingest import Extracted
    from narrative_diff.shifts import Summary
    from narrative_diff.snapshot import Snapshot

#: What a check can find.
OUTCOMES = ("added", "unchanged", "noise", "reverted", "not-modified", "failed")


@dataclass(frozen=True)
class Check:
    """What one check of one source found, and the line that says so."""

    series: str
    url: str
    at: str  # when, ISO 8601 in UTC
    outcome: str  # one of OUTCOMES
    line: str
    ref: str | None = None  # the snapshot added, or the latest one it was compared with
    snapshot: str | None = None  # the id of the snapshot added
    slug: str | None = None  # a failure's kind (docs/messages.md)
    exit_code: int = 0
    validators: dict[str, str] = field(default_factory=dict)  # ETag / Last-Modified seen
    compared: str | None = None  # the snapshot the next check compares with

    def as_dict(self) -> dict[str, object]:
        """The log's record (validators are state, not history)."""
        out: dict[str, object] = {
            "at": self.at,
            "series": self.series,
            "url": self.url,
            "outcome": self.outcome,
            "line": self.line,
        }
        for key in ("ref", "snapshot", "slug"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def check_source(
    corpus: Corpus,
    source: Source,
    *,
    actors: ActorSet,
    visits: Visits,
    validators: dict[str, str] | None = None,
    compare_with: str | None = None,
    limits: IngestLimits | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Check:
    """Check ``source`` once (module docstring) against the snapshot ``compare_with``
    (the one the last check compared with or added) or else the series' latest;
    failures come back as a ``failed`` check, never raised, so that the other sources
    are still checked."""
    at = now().replace(microsecond=0)
    stamp = at.isoformat().replace("+00:00", "Z")
    shown = redact_url(source.url)

    def failed(error: NarrativeDiffError) -> Check:
        return failed_check(source, error, stamp)

    latest = latest_before(corpus, source.series)
    if compare_with is not None and latest is not None:
        seen = next((s for s in corpus.snapshots(source.series) if s.id == compare_with), None)
        if seen is None:  # removed since: the validators belonged to it
            validators = {}
        else:
            latest = seen
    if latest is None:  # nothing to compare with: the page itself, whatever its validators
        validators = {}
    try:
        got = visits.get(source.url, validators or {}, limits or IngestLimits())
        if got.status == 304 and not validators:
            raise FetchFailed(
                f"{shown} answered 304 Not Modified to a request that asked no condition",
                hint="the server is misconfigured; the next check will try again",
                slug="http-error",
            )
        if got.status == 304:
            return Check(
                source.series,
                shown,
                stamp,
                "not-modified",
                f"{source.series}: not modified since the last check (HTTP 304)",
                ref=corpus.version_of(latest) if latest is not None else None,
                validators=dict(validators or {}),
                compared=latest.id if latest is not None else None,
            )
        extracted = read_page(got.body, source, got.content_type, got.final_url, limits)
        kept = {k: v for k, v in got.headers.items() if k in ("etag", "last-modified")}
        if latest is not None:
            quiet = unchanged(latest, extracted.body, source)
            if quiet is not None:
                outcome, line = quiet
                return Check(
                    source.series,
                    shown,
                    stamp,
                    outcome,
                    line,
                    ref=corpus.version_of(latest),
                    validators=kept,
                    compared=latest.id,
                )
        options = AddOptions(
            series=source.series,
            date=at.date(),
            title=source.title,
            publisher=source.publisher,
            lineage=source.lineage,
            language=source.language,
            url=got.final_url,
            provenance=(
                f"Fetched from {got.final_url} by narrative-diff watch at {stamp}"
                + (f", the part selected by {source.selector!r}" if source.selector else "")
                + "."
            ),
        )
        snap = build_snapshot(extracted, options)
        stored = corpus.add(
            snap, raw=extracted.raw, raw_suffix=extracted.raw_suffix, auto_id=True, reverts=True
        )
    except SnapshotConflict as error:  # back to an earlier version's text: nothing to add
        earlier = next((s for s in corpus.snapshots(source.series) if s.body == snap.body), latest)
        ref = corpus.version_of(earlier) if earlier is not None else None
        if ref is None or earlier is None:
            return failed(error)
        return Check(
            source.series,
            shown,
            stamp,
            "reverted",
            f"{source.series}: back to the text of {ref} ({earlier.date.isoformat()}); "
            "nothing added",
            ref=ref,
            validators=kept,
            # the latest stays the one to compare with: the next day, this text is added
            compared=latest.id if latest is not None else None,
        )
    except NarrativeDiffError as error:
        return failed(error)
    ref = corpus.version_of(stored) or stored.id
    said = what_changed(latest, stored, actors) if latest is not None else first(stored)
    return Check(
        source.series,
        shown,
        stamp,
        "added",
        f"{source.series}: added {ref} ({stored.date.isoformat()}): {said}",
        ref=ref,
        snapshot=stored.id,
        validators=kept,
        compared=stored.id,
    )


def failed_check(source: Source, error: NarrativeDiffError, stamp: str | None = None) -> Check:
    """A check that failed: its line names the error (slug, problem, fix)."""
    if stamp is None:
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Check(
        source.series,
        redact_url(source.url),
        stamp,
        "failed",
        f"{source.series}: failed: {error.one_line()}",
        slug=error.slug,
        exit_code=int(error.exit_code),
    )


def read_page(
    raw: bytes,
    source: Source,
    content_type: str | None,
    url: str,
    limits: IngestLimits | None = None,
) -> Extracted:
    """A fetched page's text, as ``add`` extracts it: only the part the source's
    selector names (its whole text) when it has one. The raw capture kept is ``raw``."""
    extracted = extract_bytes(
        _selected(raw, source) if source.selector else raw,
        name=redact_url(source.url),
        media_type=content_type,
        source_url=url,
        limits=limits,
        extract="full" if source.selector else "auto",
    )
    return replace(extracted, raw=raw) if source.selector else extracted


def latest_before(corpus: Corpus, series: str, date: dt.date | None = None) -> Snapshot | None:
    """The series' latest snapshot, or its latest dated ``date`` or earlier."""
    folder = corpus.root / series
    if not folder.is_dir():
        return None
    snaps = [s for s in corpus.snapshots(series) if date is None or s.date <= date]
    return snaps[-1] if snaps else None


def comparable(text: str, ignore: tuple[str, ...]) -> tuple[str, ...]:
    """The words of ``text`` once the lines ``ignore`` matches are dropped: what a reader
    reads, without whitespace, punctuation or the noise lines. A pattern gets a second
    per line at most (``regex``'s timeout): a pattern that backtracks without end fails
    the check instead of hanging the watcher."""
    import regex

    patterns = [regex.compile(p) for p in ignore]
    try:
        lines = [
            line
            for line in text.splitlines()
            if not any(p.search(line, timeout=1.0) for p in patterns)
        ]
    except TimeoutError:
        raise UsageProblem(
            "an ignore pattern took more than a second on one line",
            hint="simplify the pattern (no nested repeats such as (a+)+)",
            slug="slow-pattern",
        ) from None
    return tuple(re.findall(r"\w+", "\n".join(lines)))


def unchanged(latest: Snapshot, body: str, source: Source) -> tuple[str, str] | None:
    """("unchanged" or "noise", the line), or None when the words changed."""
    if " ".join(latest.body.split()) == " ".join(body.split()):
        return "unchanged", f"{source.series}: unchanged since {latest.date.isoformat()}"
    if comparable(latest.body, source.ignore) == comparable(body, source.ignore):
        return (
            "noise",
            f"{source.series}: no change beyond whitespace, punctuation or ignored lines "
            f"since {latest.date.isoformat()}",
        )
    return None


def first(stored: Snapshot, corpus: Corpus | None = None) -> str:
    """The line's end for a snapshot with none before it."""
    words = stored.words
    later = corpus is not None and len(corpus.snapshots(stored.series)) > 1
    what = "the earliest version in the series" if later else "the first snapshot of the series"
    return f"{what} ({words:,} words)"


def what_changed(before: Snapshot, after: Snapshot, actors: ActorSet) -> str:
    """Actors written in and out, then the top renamed term or replaced phrase."""
    from dataclasses import replace

    from narrative_diff.scoring import actor_block

    result = compare(before, after)
    summary = replace(result.summary, actors=actor_block(result, actors))
    return describe(summary)


def describe(summary: Summary) -> str:
    """The change in one line: 'Russia 2 → 0 DISAPPEARED; "a" → "b"'."""
    parts = []
    moved = [
        x
        for x in summary.actors
        if (x.count_a == 0) != (x.count_b == 0)  # written in or out
    ]
    moved.sort(key=lambda x: (-abs(x.count_b - x.count_a), x.name))
    for x in moved[:4]:
        event = "DISAPPEARED" if x.count_b == 0 else "APPEARED"
        parts.append(f"{x.name} {x.count_a} → {x.count_b} {event}")
    if len(moved) > 4:
        parts.append(f"{len(moved) - 4} more actors written in or out")
    swaps = [(r.before, r.after) for r in summary.renames] + [
        (r.before, r.after) for r in summary.replaced_phrases if not r.minor
    ]
    if swaps:
        before, after = swaps[0]
        parts.append(f"“{before}” → “{after}”")
    if not parts:
        changed = sum(n for op, n in summary.counts.items() if str(op) != "equal")
        parts.append(f"wording changed ({changed} sentence{'s' if changed != 1 else ''})")
    return "; ".join(parts)


def _selected(raw: bytes, source: Source) -> bytes:
    """The page cut down to what ``source.selector`` matches, as a page of its own (its
    title kept): extraction then reads that part only."""
    import lxml.html
    from cssselect import GenericTranslator

    from narrative_diff.ingest import sniff
    from narrative_diff.ingest.encoding import decode_html

    if sniff(raw) in ("pdf", "docx", "zip", "binary", "srt", "vtt"):
        raise UnreadableDocument(
            f"{redact_url(source.url)} is not an HTML page, so the selector "
            f"{source.selector!r} cannot apply",
            hint="remove the selector for PDFs and other documents",
            slug="not-html",
        )
    markup, _ = decode_html(raw, source.url)
    try:
        tree = lxml.html.document_fromstring(markup)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise UnreadableDocument(
            f"{redact_url(source.url)} is not an HTML page ({exc})",
            hint="a selector needs an HTML page; remove it for other documents",
            slug="not-html",
        ) from None
    found = tree.xpath(GenericTranslator().css_to_xpath(str(source.selector)))
    parts = (
        [p for p in found if isinstance(p, lxml.html.HtmlElement)]
        if isinstance(found, list)
        else []
    )
    if not parts:
        raise FetchFailed(
            f"the selector {source.selector!r} matched nothing on {redact_url(source.url)}",
            hint="the page changed its layout: check the selector in a browser's inspector",
            slug="selector-missed",
        )
    title = tree.findtext(".//title") or ""
    head = f"<title>{_escape(title)}</title>" if title else ""
    for part in parts:  # a <footer> or <nav> of its own would be dropped as boilerplate
        part.tag = "div"
    body = "".join(lxml.html.tostring(p, encoding="unicode") for p in parts)
    page = f"<!DOCTYPE html><html><head><meta charset=utf-8>{head}</head><body>{body}</body>"
    return (page + "</html>").encode()


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)
