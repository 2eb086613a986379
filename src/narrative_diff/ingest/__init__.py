"""Reading a source (file, stdin or http(s) URL) and extracting its text as Markdown.

``narrative-diff add SOURCE`` calls :func:`read_source`; ingestion never touches the
corpus. The result, :class:`Extracted`, holds the normalised Markdown body (see
``text.normalise_body``), the title, the detected language, the format and the exact raw
bytes, which are kept beside the snapshot.

Design choices:

* Well-kept libraries, no hand-written parsers: charset-normalizer guesses legacy
  encodings and ftfy repairs double-encoded text (``encoding.py``); trafilatura extracts an
  HTML page's main text, measured against the page's prose with fallbacks when it kept
  too little, and htmldate reads the page's date (``html.py``); pypdf (pure Python, no
  system libraries) reads PDF; python-docx reads Word; webvtt-py reads SRT and VTT; httpx
  fetches URLs within one deadline, with a redirect limit, a check of every redirect hop
  (no public page may redirect into a private network) and streaming; fastText and OpenCC tell the
  language(s) and the Chinese script offline (``language.py``). All of them are imported
  inside the functions that use them, so the CLI starts fast.
* The text is never invented: a document without a title has none (a file name is not a
  title), and every repair (mojibake) is recorded for the provenance.
* The format comes from the media type (for URLs, the Content-Type; generic ones such as
  text/plain or application/octet-stream do not count), else the file or URL path
  extension, else the content (``%PDF-``, a zip with ``word/document.xml``, ``<html``,
  ``WEBVTT``, an SRT cue, else text).
* Size is bounded before parsing: files by ``os.stat`` before they are opened, stdin and
  URL bodies by reading at most ``max_bytes + 1`` bytes, DOCX by the zip's declared sizes.
* PDF has no paragraphs, only lines. Rule: a paragraph ends at a blank line, after a
  line that ends in . ! ? : and is shorter than 80% of a full line, or after a line
  shorter than half a full line (headings). Running headers/footers (the same line,
  digits masked, at the top or bottom of >= 60% of the pages), page numbers and
  hyphenation are repaired first; details in ``pdf.py``.
* A URL is stored and printed without its credentials (``redact.py``): user info and
  secret-looking query parameters become ``REDACTED``; only the fetch uses the real URL.
* Every problem a user can fix is a :class:`~narrative_diff.errors.NarrativeDiffError`
  with a one-line message naming the source and a hint naming the fix; library
  exceptions are wrapped.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import typing
import zipfile
from io import BytesIO
from urllib.parse import urlsplit

from narrative_diff.errors import SourceNotFound, UnreadableDocument, UsageProblem
from narrative_diff.snapshot import Extraction
from narrative_diff.text import normalise_body

from .encoding import decode_html, decode_text, repair_mojibake
from .formats import docx_blocks, markdown_blocks, text_blocks, transcript_blocks, with_title
from .language import detect_language, identify
from .model import (
    DEFAULT_LIMITS,
    EXTRACT_MODES,
    MEDIA_TYPES,
    SUFFIXES,
    SUPPORTED_HINT,
    Extracted,
    IngestLimits,
    binary_file,
    empty_document,
    too_large,
)
from .redact import redact_url

if typing.TYPE_CHECKING:
    from .fetch import fetch_url


def __getattr__(name: str) -> typing.Any:
    """``fetch_url``, imported when asked for: a file read needs no HTTP client."""
    if name == "fetch_url":
        from .fetch import fetch_url

        return fetch_url
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXTRACT_MODES",
    "Extracted",
    "IngestLimits",
    "detect_language",
    "extract_bytes",
    "fetch_url",
    "read_source",
]

_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".srt": "srt",
    ".vtt": "vtt",
}
_MEDIA = {
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    MEDIA_TYPES["docx"]: "docx",
    "application/x-subrip": "srt",
    "text/srt": "srt",
    "text/vtt": "vtt",
}
_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0",
)
_SRT_CUE = re.compile(r"\d+[ \t]*\r?\n\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}[ \t]*-->")
_URL_LIKE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")
_OTHER_SCHEMES = {"file", "data", "javascript", "mailto", "ftp", "ftps", "sftp", "ws", "wss"}
_HOST_LIKE = re.compile(r"(?:www\.|[\w-]+\.(?:org|com|gov|int|net|cn|ru|edu)/)", re.I)


def sniff(raw: bytes) -> str:
    """Guess a format from content: a format name, ``zip`` or ``binary``.

    >>> sniff(b"%PDF-1.7 ..."), sniff(b"WEBVTT\\n\\n00:01.000 --> 00:02.000\\nHi")
    ('pdf', 'vtt')
    >>> sniff(b"1\\n00:00:01,000 --> 00:00:02,000\\nHi"), sniff(b"<!DOCTYPE html><p>x")
    ('srt', 'html')
    >>> sniff(b"\\x89PNG\\r\\n"), sniff("Станция".encode("cp1251"))
    ('binary', 'text')
    """
    if b"%PDF-" in raw[:1024]:
        return "pdf"
    if raw.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(raw)) as archive:
                return "docx" if "word/document.xml" in archive.namelist() else "zip"
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip"
    if raw.startswith(_BINARY_MAGIC):
        return "binary"
    head = raw[:2048]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head_text = head.decode("utf-16", errors="ignore")
    else:
        head_text = head.decode("utf-8", errors="ignore")
    head_text = head_text.lstrip("\ufeff \t\r\n")
    if head_text.startswith("WEBVTT"):
        return "vtt"
    if _SRT_CUE.match(head_text):
        return "srt"
    low = head_text[:1024].lower()
    if low.startswith("<") and any(
        tag in low for tag in ("<!doctype html", "<html", "<head", "<body")
    ):
        return "html"
    return "text"


def _choose_format(raw: bytes, name: str, media_type: str | None, source_url: str | None) -> str:
    media = (media_type or "").split(";")[0].strip().lower()
    if media in _MEDIA:
        return _MEDIA[media]
    where = source_url or name
    path = urlsplit(where).path if re.match(r"https?://", where, re.I) else where
    extension = os.path.splitext(path)[1].lower()
    return _EXTENSIONS.get(extension) or sniff(raw)


def extract_bytes(
    raw: bytes,
    *,
    name: str,
    media_type: str | None = None,
    source_url: str | None = None,
    limits: IngestLimits | None = None,
    extract: str = "auto",
) -> Extracted:
    """Extract the text of ``raw``; ``name`` is used for the extension and in messages.

    ``limits`` (default ``IngestLimits()``) bounds the size, including a DOCX's
    uncompressed XML; ``extract`` is the HTML mode (``EXTRACT_MODES``).
    """
    limits = limits or DEFAULT_LIMITS
    if len(raw) > limits.max_bytes:
        raise too_large(name, len(raw), limits.max_bytes)
    if not raw.strip():
        raise empty_document(name)
    fmt = _choose_format(raw, name, media_type, source_url)
    if fmt == "zip":
        raise UnreadableDocument(
            f"cannot read {name}: it is a zip archive, not a Word .docx document",
            hint=SUPPORTED_HINT,
            slug="unknown-format",
        )
    if fmt == "binary":
        raise binary_file(name, "it is an image, archive or program, not a document")
    encoding: str | None = None
    page = None
    page_date = None  # the document's own date: a page's metadata, a Markdown front matter
    repaired: str | None = None  # mojibake is repaired in the decoded text, before parsing
    if fmt == "pdf":
        from .pdf import pdf_blocks  # (pypdf: imported for a PDF only)

        blocks, title = pdf_blocks(raw, name)
    elif fmt == "docx":
        blocks, title = docx_blocks(raw, name, max_bytes=limits.max_bytes)
    elif fmt == "html":
        from .html import html_text

        markup, encoding = decode_html(raw, name)
        markup, repaired = repair_mojibake(markup)
        page = html_text(markup, name=name, url=source_url, mode=extract)
        blocks, title = with_title(list(page.blocks), page.title), page.title
    else:
        text, encoding = decode_text(raw, name)
        text, repaired = repair_mojibake(text)
        if fmt == "markdown":
            blocks, title, page_date = markdown_blocks(text)
        elif fmt in ("srt", "vtt"):
            blocks, title = transcript_blocks(text, fmt, name)
        else:
            blocks, title = text_blocks(text)
    body = normalise_body("\n\n".join(blocks))
    if fmt in ("pdf", "docx"):  # text from binary formats: repaired once extracted
        body, repaired = repair_mojibake(body)
        body = normalise_body(body) if repaired else body
        title = repair_mojibake(title)[0] if title else title
    if not (body.replace(f"# {title}", "", 1) if title else body).strip():
        hint = (
            "the page has no main text; if it is built by JavaScript, save it from a browser"
            if fmt == "html"
            else None
        )
        raise empty_document(name, hint)
    found = identify(body)
    return Extracted(
        body=body,
        title=title,
        language=found.language,
        language_confidence=found.confidence,
        format=fmt,
        media_type=MEDIA_TYPES[fmt],
        raw=raw,
        raw_suffix=SUFFIXES[fmt],
        source_name=name,
        source_url=source_url,
        encoding=encoding,
        languages=found.languages,
        extraction=Extraction(page.method, page.coverage) if page else None,
        main_coverage=page.main_coverage if page else None,
        page_date=page.date if page else page_date,
        repairs=(repaired,) if repaired else (),
    )


def _read_bounded(stream: typing.BinaryIO, name: str, max_bytes: int) -> bytes:
    """Read a stream to its end, failing as soon as it passes ``max_bytes``."""
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(min(1 << 20, max_bytes + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise too_large(name, None, max_bytes)
    return b"".join(chunks)


def _read_path(path: str, max_bytes: int) -> bytes:
    """Read a file, checking type and size with ``os.stat`` before opening it."""
    not_a_file = UsageProblem(
        f"{path} is a directory, not a file",
        hint="give the path of one document, for example reports/2024.pdf",
        slug="not-a-file",
    )
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise not_a_file
        if stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode):
            raise UsageProblem(  # opening a pipe would wait for a writer, maybe forever
                f"{path} is a pipe or socket, not a file",
                hint=f"pipe its content in instead: ... | narrative-diff add - (or < {path})",
                slug="not-a-file",
            )
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise too_large(path, info.st_size, max_bytes)
        with open(path, "rb") as handle:
            return _read_bounded(handle, path, max_bytes)
    except (FileNotFoundError, NotADirectoryError) as exc:
        hint = "check the path; relative paths start from the current directory"
        if _HOST_LIKE.match(path):
            hint = f"to fetch a web page, give the full URL: https://{path}"
        raise SourceNotFound(f"{path} does not exist", hint=hint, slug="no-such-file") from exc
    except IsADirectoryError as exc:
        raise not_a_file from exc
    except OSError as exc:
        reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror
        raise SourceNotFound(
            f"cannot read {path}: {reason or exc}",
            hint="check the file's permissions, or copy it somewhere readable",
            slug="unreadable-file",
        ) from exc


def read_source(
    source: str,
    *,
    limits: IngestLimits = DEFAULT_LIMITS,
    stdin: typing.BinaryIO | None = None,
    extract: str = "auto",
) -> Extracted:
    """Read ``source`` (a path, ``-`` for stdin, or an http(s) URL) and extract its text
    (``extract``: the HTML mode, one of ``EXTRACT_MODES``)."""
    if extract not in EXTRACT_MODES:
        raise UsageProblem(
            f"--extract {extract} is not a mode",
            hint=f"use one of {', '.join(EXTRACT_MODES)}",
            slug="bad-option",
        )
    if source == "-":
        stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise UsageProblem(
                "cannot read '-': there is no standard input",
                hint="pipe a document in, or give a file path or URL",
                slug="no-stdin",
            )
        raw = _read_bounded(stream, "<stdin>", limits.max_bytes)
        return extract_bytes(raw, name="<stdin>", limits=limits, extract=extract)
    url = _URL_LIKE.match(source)
    if url:
        from .fetch import check_url, fetch_url  # (httpx: imported for a URL only)

        scheme = url.group(1).lower()
        if scheme in ("http", "https"):
            raw, content_type, final_url = fetch_url(source, limits=limits)
            return extract_bytes(  # the final URL comes back with its credentials redacted
                raw,
                name=redact_url(source),
                media_type=content_type,
                source_url=final_url,
                limits=limits,
                extract=extract,
            )
        if ("://" in source or scheme in _OTHER_SCHEMES) and not os.path.exists(source):
            check_url(source)
    raw = _read_path(source, limits.max_bytes)
    return extract_bytes(raw, name=source, limits=limits, extract=extract)
