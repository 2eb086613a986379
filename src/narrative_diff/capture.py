"""Capture: a document read from a source becomes a snapshot, with the user's metadata.

:func:`build_snapshot` combines extracted text with what ``add`` was told (title, date,
publisher, …) and fills the gaps from the document itself; :func:`document_snapshot` reads a
document file outside the corpus as a snapshot of its own (``compare old.pdf new.pdf``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UsageProblem
from .snapshot import LOW_COVERAGE, Snapshot
from .text import normalise_language, sha256_hex

if TYPE_CHECKING:
    from .ingest import Extracted, IngestLimits

#: Default ``kind`` by source format when ``--kind`` is not given.
DEFAULT_KIND = {"html": "web-page", "srt": "video-transcript", "vtt": "video-transcript"}


@dataclass(frozen=True)
class AddOptions:
    """What ``add`` needs besides the source; built from CLI flags in one place."""

    series: str
    date: dt.date | None = None  # None: the document's own (HTML metadata, Markdown front matter)
    title: str | None = None
    publisher: str | None = None
    lineage: str | None = None  # None: the publisher's (Snapshot.lineage_name)
    kind: str | None = None
    language: str | None = None
    url: str | None = None
    provenance: str | None = None
    slug: str | None = None
    replace: bool = False
    extract: str = "auto"
    limits: IngestLimits | None = field(default=None)


def build_snapshot(extracted: Extracted, options: AddOptions) -> Snapshot:
    """Combine extracted text with the user's metadata; fill gaps from the document.

    The title is ``--title`` or the document's own (never its file name: a document
    without one has none); the date is ``--date`` or the page's publication date.
    """
    from .ingest.redact import redact_text

    title = _clean(options.title) or _clean(extracted.title)
    date = _date(extracted, options)
    language = options.language or extracted.language
    if not language:
        raise UsageProblem(
            f"could not tell the language of {extracted.source_name} "
            f"(confidence {extracted.language_confidence:.2f})",
            hint="pass --language, e.g. --language en",
            slug="language-unsure",
        )
    named = title or _name_of(extracted.source_name) or "snapshot"
    slug = options.slug or f"{date:%Y-%m}-{_slug(named, 'snapshot')}"
    provenance = [
        redact_text(options.provenance or "")
        or f"Text extracted from {extracted.format} ({extracted.source_name}) by narrative-diff."
    ]
    provenance += [
        f"The text's {repair}; the raw capture is as fetched." for repair in extracted.repairs
    ]
    if options.date is None:
        provenance.append(f"Date from {_date_source(extracted)}.")
    # a mixed document keeps its other languages; a one-language one records none, even
    # when --language renames its language (zh-Hant read as zh: the same document)
    mixed = len(extracted.languages) > 1
    first = normalise_language(language)
    others = [c for c in extracted.languages if normalise_language(c) != first] if mixed else []
    return Snapshot.create(
        series=options.series,
        slug=slug,
        date=date,
        title=title,
        body=_with_title(extracted.body, title),
        publisher=options.publisher,
        lineage=options.lineage,
        kind=options.kind or DEFAULT_KIND.get(extracted.format, "document"),
        language=language,
        languages=(language, *others) if others else (),
        extraction=extracted.extraction,
        source_url=_stored_url(extracted, options),
        retrieved=_now(),
        provenance=" ".join(provenance),
    )


def capture_notes(extracted: Extracted, options: AddOptions, snap_id: str) -> list[str]:
    """What ``add`` tells the user about the capture stored as ``snap_id``, one line each:
    a fallback extraction or a low coverage, a repair, a date taken from the document, a
    second language."""
    from .ingest.redact import MARKER, redact_text, was_redacted

    notes = []
    slug = snap_id.split("/", 1)[-1]
    kept, main = extracted.extraction, extracted.main_coverage
    if kept and main is not None and options.extract == "auto" and kept.method != "main":
        notes.append(
            f"the page's main text held only {main:.0%} of its prose: kept the "
            f"{kept.method} extraction (coverage {kept.coverage:.0%}); read it with "
            f"'narrative-diff show {snap_id}' (to keep the main text instead: add the page "
            f"again with --extract main --replace --slug {slug})"
        )
    elif kept and kept.method != "full" and kept.coverage < LOW_COVERAGE:
        notes.append(
            f"the extracted text holds only {kept.coverage:.0%} of the page's prose (to keep "
            f"the whole page's text: add it again with --extract full --replace --slug {slug})"
        )
    notes += [f"{repair} (the raw capture is kept as fetched)" for repair in extracted.repairs]
    provenance = options.provenance or ""
    if (
        was_redacted(_stored_url(extracted, options))
        or was_redacted(extracted.source_name)
        or redact_text(provenance) != provenance
    ):
        notes.append(
            f"credentials removed from the stored URL: user:password and secret parameters "
            f"are stored as {MARKER} (a fetch still uses the real URL)"
        )
    if options.date is None and extracted.page_date:
        notes.append(
            f"date {extracted.page_date} taken from {_date_source(extracted)} "
            "(pass --date to set it)"
        )
    if len(extracted.languages) > 1 and not options.language:
        notes.append(
            f"languages {', '.join(extracted.languages)}: recorded as {extracted.languages[0]}"
        )
    return notes


def _stored_url(extracted: Extracted, options: AddOptions) -> str | None:
    """``--url`` or the final URL after redirects, without credentials (a corpus is meant
    for git): the fetch already redacted its URL, ``--url`` is redacted here."""
    from .ingest.redact import redact_url

    return redact_url(options.url) if options.url else extracted.source_url


def _date(extracted: Extracted, options: AddOptions) -> dt.date:
    """``--date``, else the document's own date (a page's metadata, a Markdown front
    matter); refused when there is none or it is ahead (by more than a day: time zones)."""
    if options.date is not None:
        return options.date
    found = extracted.page_date
    if found is None:
        where = (
            f"{_date_source(extracted)} has no usable one"
            if extracted.format in ("html", "markdown")
            else f"add reads no date from a {extracted.format} file"
        )
        raise UsageProblem(
            f"no publication date for {extracted.source_name}: {where}",
            hint="pass --date YYYY-MM-DD",
            slug="date-missing",
        )
    # a page dated in its own time zone can be a day ahead of UTC (UTC+14 at most)
    if found > _now().date() + dt.timedelta(days=1):
        raise UsageProblem(
            f"the date in {extracted.source_name}'s metadata, {found}, is in the future",
            hint="pass the real publication date with --date YYYY-MM-DD",
            slug="date-in-future",
        )
    return found


def document_snapshot(path: Path, *, limits: IngestLimits | None = None) -> Snapshot:
    """A document file outside the corpus (any format ``add`` reads) as a snapshot of the
    series "file", dated by the file's modification time."""
    from .ingest import IngestLimits, read_source

    extracted = read_source(str(path), limits=limits or IngestLimits())
    mtime = dt.date.fromtimestamp(path.stat().st_mtime)
    title = " ".join((extracted.title or "").split()) or None
    # The extracted body is already in normal form, and so is "# title" in front of it:
    # normalising a long document again would cost as much as reading it.
    body = _with_title(extracted.body, title)
    return Snapshot(
        id=f"file/{_slug(path.stem, 'file')}",
        series="file",
        date=mtime,
        title=title,
        body=body,
        sha256=sha256_hex(body),
        language=extracted.language,
        languages=extracted.languages if len(extracted.languages) > 1 else (),
        extraction=extracted.extraction,
        path=path,
    )


def _slug(text: str, fallback: str) -> str:
    if len(text) <= _SLUG_MAX and _SLUG_SHAPED.fullmatch(text):  # its own slug: python-
        return text  # slugify and its entity pattern are loaded for others only (3 ms)
    from slugify import slugify

    return slugify(text, max_length=_SLUG_MAX, word_boundary=True) or fallback


_SLUG_MAX = 48
#: A name python-slugify leaves as it is (``tests/test_capture.py`` checks that).
_SLUG_SHAPED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _date_source(extracted: Extracted) -> str:
    return "its front matter" if extracted.format == "markdown" else "the page's metadata"


def _clean(title: str | None) -> str | None:
    """A title with its whitespace collapsed; None for a blank one."""
    return " ".join(title.split()) or None if title else None


def _name_of(source_name: str) -> str | None:
    """The file name without extension, for an id only (``<stdin>`` has none)."""
    if source_name == "<stdin>":
        return None
    stem = Path(source_name.split("?", 1)[0].rstrip("/")).stem
    return stem or None


def _with_title(body: str, title: str | None) -> str:
    """Start the body with ``# title`` unless the document already has a ``#`` heading
    (or has no title: nothing is invented)."""
    first = body.lstrip().split("\n", 1)[0]
    return body if first.startswith("# ") or not title else f"# {title}\n\n{body}"


def _now() -> dt.datetime:
    """Retrieval time in UTC, to the second; ``SOURCE_DATE_EPOCH`` pins it for reproducibility."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        if epoch and epoch.isdigit()
        else dt.datetime.now(dt.UTC)
    )
    return now.replace(microsecond=0)
