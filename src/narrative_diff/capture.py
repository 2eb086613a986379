"""Capture: a document read from a source becomes a snapshot, with the user's metadata.

:func:`build_snapshot` combines extracted text with what ``add`` was told (title, date,
publisher, …) and fills the gaps from the document itself; :func:`document_snapshot` reads a
document file outside the corpus as a snapshot of its own (``compare old.pdf new.pdf``).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UsageProblem
from .snapshot import Snapshot
from .text import sha256_hex

if TYPE_CHECKING:
    from .ingest import Extracted, IngestLimits

#: Default ``kind`` by source format when ``--kind`` is not given.
DEFAULT_KIND = {"html": "web-page", "srt": "video-transcript", "vtt": "video-transcript"}


@dataclass(frozen=True)
class AddOptions:
    """What ``add`` needs besides the source; built from CLI flags in one place."""

    series: str
    date: dt.date
    title: str | None = None
    publisher: str | None = None
    kind: str | None = None
    language: str | None = None
    url: str | None = None
    provenance: str | None = None
    slug: str | None = None
    replace: bool = False
    limits: IngestLimits | None = field(default=None)


def build_snapshot(extracted: Extracted, options: AddOptions) -> Snapshot:
    """Combine extracted text with the user's metadata; fill gaps from the document."""
    title = options.title or extracted.title or _name_of(extracted.source_name)
    if not title:
        raise UsageProblem(
            f"no title found in {extracted.source_name}", hint="pass --title", slug="title-missing"
        )
    language = options.language or extracted.language
    if not language:
        raise UsageProblem(
            f"could not tell the language of {extracted.source_name} "
            f"(confidence {extracted.language_confidence:.2f})",
            hint="pass --language, e.g. --language en",
            slug="language-unsure",
        )
    slug = options.slug or f"{options.date:%Y-%m}-{_slug(title, 'snapshot')}"
    provenance = options.provenance or (
        f"Text extracted from {extracted.format} ({extracted.source_name}) by narrative-diff."
    )
    return Snapshot.create(
        series=options.series,
        slug=slug,
        date=options.date,
        title=title,
        body=_with_title(extracted.body, title),
        publisher=options.publisher,
        kind=options.kind or DEFAULT_KIND.get(extracted.format, "document"),
        language=language,
        source_url=options.url or extracted.source_url,
        retrieved=_now(),
        provenance=provenance,
    )


def document_snapshot(path: Path, *, limits: IngestLimits | None = None) -> Snapshot:
    """A document file outside the corpus (any format ``add`` reads) as a snapshot of the
    series "file", dated by the file's modification time."""
    from .ingest import IngestLimits, read_source

    extracted = read_source(str(path), limits=limits or IngestLimits())
    mtime = dt.date.fromtimestamp(path.stat().st_mtime)
    title = " ".join((extracted.title or path.stem).split())
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
        path=path,
    )


def _slug(text: str, fallback: str) -> str:
    from slugify import slugify

    return slugify(text, max_length=48, word_boundary=True) or fallback


def _name_of(source_name: str) -> str | None:
    """A fallback title: the file name without extension (``<stdin>`` has none)."""
    if source_name == "<stdin>":
        return None
    stem = Path(source_name.split("?", 1)[0].rstrip("/")).stem
    return stem or None


def _with_title(body: str, title: str) -> str:
    """Start the body with ``# title`` unless the document already has a ``#`` heading."""
    first = body.lstrip().split("\n", 1)[0]
    return body if first.startswith("# ") else f"# {title}\n\n{body}"


def _now() -> dt.datetime:
    """Retrieval time in UTC, to the second; ``SOURCE_DATE_EPOCH`` pins it for reproducibility."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        if epoch and epoch.isdigit()
        else dt.datetime.now(dt.UTC)
    )
    return now.replace(microsecond=0)
