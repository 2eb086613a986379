"""The data types of ingestion and the shared error helpers."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from narrative_diff.errors import UnreadableDocument
from narrative_diff.snapshot import Extraction

FORMATS = ("text", "markdown", "html", "pdf", "docx", "srt", "vtt")
SUFFIXES = {
    "text": ".txt",
    "markdown": ".md",
    "html": ".html",
    "pdf": ".pdf",
    "docx": ".docx",
    "srt": ".srt",
    "vtt": ".vtt",
}
MEDIA_TYPES = {
    "text": "text/plain",
    "markdown": "text/markdown",
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
}
SUPPORTED_HINT = (
    "supported formats: plain text (.txt), Markdown (.md), HTML (.html), PDF with a text "
    "layer (.pdf), Word (.docx), subtitles (.srt, .vtt)"
)


@dataclass(frozen=True)
class IngestLimits:
    """Bounds on what ``read_source`` accepts.

    ``max_bytes`` is checked with ``os.stat`` before a file is opened; stdin and URL bodies
    stop being read one byte past it. ``timeout`` is the deadline in seconds for a whole URL
    fetch (connecting, headers, body, redirects). ``allow_private`` lets a public page
    redirect to a private address (see ``addresses.py``).
    """

    max_bytes: int = 50 * 1024 * 1024
    timeout: float = 20.0
    max_redirects: int = 5
    allow_private: bool = False


DEFAULT_LIMITS = IngestLimits()


#: How ``add`` extracts an HTML page: ``auto`` falls back from the main text when it holds
#: too little of the page's prose; ``main`` never does; ``full`` keeps the whole page's text.
EXTRACT_MODES = ("auto", "main", "full")


@dataclass(frozen=True)
class Extracted:
    """The text of one source, ready to become a snapshot.

    ``extraction`` is set for HTML (method and coverage, see ``ingest.html``) and
    ``main_coverage`` is the precision extraction's coverage, for the warning when it was
    low; ``page_date`` is the page's own publication date from its metadata; ``repairs``
    says what was repaired in the text (mojibake), for the provenance.
    """

    body: str
    title: str | None
    language: str | None
    language_confidence: float
    format: str
    media_type: str
    raw: bytes = field(repr=False)
    raw_suffix: str
    source_name: str
    source_url: str | None
    encoding: str | None
    languages: tuple[str, ...] = ()
    extraction: Extraction | None = None
    main_coverage: float | None = None
    page_date: dt.date | None = None
    repairs: tuple[str, ...] = ()


def too_large(name: str, size: int | None, limit: int) -> UnreadableDocument:
    """The error for a source over ``max_bytes`` (``size`` None: "more than")."""
    got = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
    return UnreadableDocument(
        f"{name} is too large ({got}; the limit is {limit:,} bytes)",
        hint="raise the limit with --max-bytes, or split the document",
        slug="too-large",
    )


def binary_file(name: str, detail: str = "it looks like binary data") -> UnreadableDocument:
    """The error for bytes that are not text in any supported format."""
    return UnreadableDocument(
        f"cannot read {name}: {detail}", hint=SUPPORTED_HINT, slug="binary-file"
    )


def empty_document(name: str, hint: str | None = None) -> UnreadableDocument:
    """The error for a source with no text once extracted."""
    return UnreadableDocument(
        f"{name} contains no text",
        hint=hint or "check that the source is the right file and is not blank",
        slug="empty-document",
    )


def brief(exc: BaseException) -> str:
    """A library exception as a short single line for our messages."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def quiet_logger(name: str) -> None:
    """Keep a library's warnings off stderr unless the application configures logging.

    Libraries such as pypdf and trafilatura log recoverable problems as warnings; with no
    handler Python prints them to stderr, which would break the CLI's one-line messages.
    A ``NullHandler`` stops that fallback while records still propagate to the root logger.
    """
    logger = logging.getLogger(name)
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
