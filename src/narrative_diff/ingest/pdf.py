"""PDF text extraction with pypdf, plus the clean-up that page layout needs.

pypdf gives each page's text as lines without paragraph structure. The clean-up:

* Running headers and footers: among the first two and last two non-empty lines of each
  page, a line whose digit-masked form ("Page 3" → "Page #") appears there on at least
  60% of the pages (and at least 2) is dropped; so is a bare page number ("7", "- 7 -",
  "Page 7 of 9", "第 7 页") in those positions on any page.
* Hyphenation: a line ending in letter + "-" never ends a paragraph; followed by a line
  starting with a lowercase letter it is joined without the hyphen ("explo-" + "ration"
  → "exploration"), otherwise with it ("Sino-" + "Russian" → "Sino-Russian").
* Paragraphs: a paragraph ends at a blank line, after a line that ends in . ! ? : (or
  。！？：) and is shorter than 80% of a full line, or after any line shorter than half a
  full line (headings). A full line is the 90th percentile of line widths, counting CJK
  characters as two. Paragraphs continue across page breaks.
* Title: the metadata /Title (unless it is an editor's placeholder such as
  "Microsoft Word - x.docx"), else the first line when it is at most 120 characters,
  shorter than a full line and does not end in . , ; :
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections import Counter

from narrative_diff.errors import UnreadableDocument

from .formats import join_lines, with_title
from .model import brief, empty_document, quiet_logger

_PAGE_NUMBER = re.compile(
    r"[-–—\s]*(?:(?:page|p\.)\s*)?\d+(?:\s*(?:of|/)\s*\d+)?[-–—\s]*|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?:。！？：][)\"'”’»」』）]*$")
_HYPHENATED = re.compile(r"[^\W\d_]-$")
_PLACEHOLDER_TITLE = re.compile(r"^(?:microsoft \w+ - |untitled\b)|\.(?:docx?|pdf|odt|rtf)$", re.I)
_SPACES = re.compile(r"[ \t]{2,}")
_ZONE = 2  # lines at the top and at the bottom of a page that may be header or footer


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop running headers/footers and bare page numbers (see the module docstring)."""

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line)

    def zone(lines: list[str]) -> set[int]:
        filled = [i for i, line in enumerate(lines) if line]
        return set(filled[:_ZONE] + filled[-_ZONE:])

    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({key(lines[i]) for i in zone(lines)})
    with_text = sum(1 for lines in pages if any(lines))
    needed = max(2, -(-6 * with_text // 10))  # ceil(60%)
    running = {k for k, n in counts.items() if n >= needed}
    cleaned = []
    for lines in pages:
        edge = zone(lines)
        cleaned.append(
            [
                line
                for i, line in enumerate(lines)
                if i not in edge or not (key(line) in running or _PAGE_NUMBER.fullmatch(line))
            ]
        )
    return cleaned


def _paragraphs(lines: list[str]) -> list[str]:
    """Join lines into paragraphs, repairing hyphenation (rule in the module docstring)."""
    widths = sorted(_width(line) for line in lines if line)
    full = widths[int(0.9 * (len(widths) - 1))] if widths else 0
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            if current and _HYPHENATED.search(current[-1]):
                keep = 0 if line[0].islower() else 1  # "explo-ration", "Sino-Russian"
                current[-1] = current[-1][: len(current[-1]) - 1 + keep] + line
            else:
                current.append(line)
            short = _width(line) < 0.8 * full
            ends = (short and _SENTENCE_END.search(line)) or _width(line) < 0.5 * full
            if not ends or _HYPHENATED.search(line):
                continue
        if current:
            paragraphs.append(join_lines(current))
            current = []
    if current:
        paragraphs.append(join_lines(current))
    return paragraphs


def _read_pages(raw: bytes, name: str) -> tuple[list[str], str | None]:
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError

    quiet_logger("pypdf")
    encrypted = UnreadableDocument(
        f"{name} is an encrypted PDF that needs a password",
        hint="remove the password (for example with qpdf --decrypt) and add the copy",
        slug="encrypted-pdf",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about every repairable flaw
            reader = pypdf.PdfReader(io.BytesIO(raw))
            if reader.is_encrypted and not reader.decrypt(""):
                raise encrypted
            title = reader.metadata.title if reader.metadata else None
            return [page.extract_text() or "" for page in reader.pages], title
    except UnreadableDocument:
        raise
    except (FileNotDecryptedError, DependencyError, NotImplementedError) as exc:
        raise encrypted from exc
    except Exception as exc:  # pypdf raises PdfReadError and plain ValueError/KeyError...
        raise UnreadableDocument(
            f"{name} is a damaged or truncated PDF ({type(exc).__name__}: {brief(exc)})",
            hint="download or export the PDF again",
            slug="corrupt-pdf",
        ) from exc


def pdf_blocks(raw: bytes, name: str) -> tuple[list[str], str | None]:
    """Return the Markdown blocks and title of a PDF (rules in the module docstring)."""
    texts, meta_title = _read_pages(raw, name)
    # Runs of spaces are layout (justification, columns), not text.
    pages = [[_SPACES.sub(" ", line).strip() for line in text.splitlines()] for text in texts]
    lines = [line for page in _strip_running_lines(pages) for line in page]
    if not any(lines):
        raise empty_document(
            name, "the PDF has no text layer (a scan?): run OCR on it first, e.g. ocrmypdf"
        )
    title = " ".join((meta_title or "").split()) or None
    if title and _PLACEHOLDER_TITLE.search(title):
        title = None
    first = next(i for i, line in enumerate(lines) if line)
    widths = sorted(_width(line) for line in lines if line)
    full = widths[int(0.9 * (len(widths) - 1))]
    if title and " ".join(lines[first].split()).casefold() == title.casefold():
        del lines[first]
    elif (
        title is None
        and len(lines[first]) <= 120
        and _width(lines[first]) < 0.8 * full
        and not lines[first].endswith((".", ",", ";", ":"))
    ):
        title = lines.pop(first)
    return with_title(_paragraphs(lines), title), title
