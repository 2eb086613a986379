"""PDF text extraction with pypdf, plus the clean-up that page layout needs.

pypdf gives each page's text as lines without paragraph structure. The clean-up:

* Large font: a line's size is the effective size (font size × the vertical scale of
  the text matrix in page space) most of its characters have. The first page's largest
  size counts when it is at least 1.2 times the page's median line size; its first run of
  consecutive lines (a title often takes two) is the heading when it has at most 120
  characters.
* Title: the metadata /Title (unless it is an editor's placeholder such as
  "Microsoft Word - x.docx"), else the heading, else the first page's first line when it
  is a running header (a title in the body font repeated on each page), else the first
  line left when it is at most 120 characters, shorter than a full line and does not end
  in . , ; : The title's lines leave the body once: the heading's when it is the title,
  else the first line when it equals the title.
* Running headers and footers: among the first two and last two non-empty lines of each
  page, a line whose digit-masked form ("Page 3" → "Page #") appears there on at least
  60% of the pages (and at least 2) is a running line; so is a bare page number ("7",
  "- 7 -", "Page 7 of 9", "第 7 页") there on any page. Page numbers are dropped. Running
  lines are dropped too, except: first-page lines in the large font (a manual repeats its
  title on every page); a page's running lines when dropping them would leave the page
  without text (short pages); and all of them when together they are more than half of
  the document's non-empty lines (pages all alike hold body text, not headers). Text
  that is only page numbers is kept: only a PDF without any text is refused.
* Hyphenation: a line ending in letter + "-" never ends a paragraph; followed by a line
  starting with a lowercase letter it is joined without the hyphen ("explo-" + "ration"
  → "exploration"), otherwise with it ("Sino-" + "Russian" → "Sino-Russian").
* Paragraphs: a paragraph ends at a blank line, after a line that ends in . ! ? : (or
  。！？：) and is shorter than 80% of a full line, or after any line shorter than half a
  full line (headings). A full line is the 90th percentile of line widths, counting CJK
  characters as two. Paragraphs continue across page breaks.
"""

from __future__ import annotations

import io
import math
import re
import statistics
import unicodedata
import warnings
from collections import Counter
from typing import Any

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
_DIGITS = re.compile(r"\d+")
_ZONE = 2  # lines at the top and at the bottom of a page that may be header or footer
_TITLE_SIZE = 1.2  # a title's font is at least this many times the page's median size
_TITLE_CHARS = 120
#: The most pages a PDF may have: each page costs a text extraction, and a small file can
#: declare 100,000 pages that share one content stream.
MAX_PAGES = 10_000

Run = tuple[str, float]  # a piece of first-page text and its effective font size


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _clean(line: str) -> str:
    """Runs of spaces are layout (justification, columns), not text."""
    return _SPACES.sub(" ", line).strip()


def _line_sizes(lines: list[str], runs: list[Run]) -> list[float]:
    """The font size of each first-page line: the size most of its characters are set in.

    The visitor's runs, split at newlines, give the page's lines; when they do not match
    ``lines`` (pypdf's text differs from its runs) a line takes the size of the first run
    line with its text, and 0 (unknown) when there is none.
    """
    sized: list[tuple[str, float]] = []
    parts: list[str] = []
    weights: Counter[float] = Counter()

    def close() -> None:
        top = weights.most_common(1)
        sized.append((_clean("".join(parts)), top[0][0] if top else 0.0))
        parts.clear()
        weights.clear()

    for text, size in runs:
        for n, piece in enumerate(text.split("\n")):
            if n:
                close()
            parts.append(piece)
            if visible := sum(not ch.isspace() for ch in piece):
                weights[size] += visible
    if any(parts):  # as str.splitlines: no empty line after a final newline
        close()
    if [line for line, _ in sized] == lines:
        return [size for _, size in sized]
    first: dict[str, float] = {}
    for line, size in sized:
        first.setdefault(line, size)
    return [first.get(line, 0.0) for line in lines]


def _largest_font(lines: list[str], sizes: list[float]) -> tuple[set[int], list[int]]:
    """First-page lines in the largest font when it is clearly larger than the body's,
    and the title among them: the first consecutive lines in that font, if short enough.
    """
    filled = [i for i, line in enumerate(lines) if line]
    known = [sizes[i] for i in filled if sizes[i] > 0]
    if not known or max(known) < _TITLE_SIZE * statistics.median(known):
        return set(), []
    top = max(known)
    large = {i for i in filled if sizes[i] == top}
    start = next(k for k, i in enumerate(filled) if i in large)
    block: list[int] = []
    for i in filled[start:]:
        if i not in large:
            break
        block.append(i)
    text = join_lines([lines[i] for i in block])
    if len(text) > _TITLE_CHARS or not any(ch.isalpha() for ch in text):
        block = []
    return large, block


def _running_lines(pages: list[list[str]], keep_first: set[int]) -> list[set[int]]:
    """The indices of each page's running lines and page numbers to drop (see the module
    docstring); ``keep_first`` are first-page lines never dropped as running lines."""
    zones: list[dict[int, str]] = []  # per page: zone line index → digit-masked line
    filled: list[int] = []  # per page: how many non-empty lines
    for lines in pages:
        full = [i for i, line in enumerate(lines) if line]
        zones.append({i: _DIGITS.sub("#", lines[i]) for i in full[:_ZONE] + full[-_ZONE:]})
        filled.append(len(full))
    counts = Counter(key for zone in zones for key in set(zone.values()))
    needed = max(2, -(-6 * sum(map(bool, filled)) // 10))  # ceil(60% of pages with text)
    running = {k for k, n in counts.items() if n >= needed}
    numbers: list[set[int]] = []
    headers: list[set[int]] = []
    for p, (lines, zone, count) in enumerate(zip(pages, zones, filled, strict=True)):
        numbers.append({i for i in zone if _PAGE_NUMBER.fullmatch(lines[i])})
        found = {
            i
            for i, key in zone.items()
            if key in running and i not in numbers[-1] and not (p == 0 and i in keep_first)
        }
        headers.append(found if count > len(found) + len(numbers[-1]) else set())
    total = sum(filled)
    if 2 * sum(map(len, headers)) > total:
        headers = [set() for _ in pages]
    drops = [n | h for n, h in zip(numbers, headers, strict=True)]
    if total == sum(map(len, drops)):  # nothing but page numbers: that is the text
        return [set() for _ in pages]
    return drops


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


def _run_size(cm: Any, tm: Any, font_size: Any) -> float:
    """The effective size of a text run: the font size times the vertical scale of the
    text matrix in page space (tm × cm), as producers scale text with either."""
    try:
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        size = round(abs(float(font_size)) * math.hypot(c, d), 1)
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0
    return size if math.isfinite(size) else 0.0  # a damaged file's inf or nan: unknown


def _read_pages(raw: bytes, name: str) -> tuple[list[str], str | None, list[Run]]:
    """Each page's text, the metadata title, and the first page's text runs with sizes."""
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

    quiet_logger("pypdf")
    encrypted = UnreadableDocument(
        f"{name} is an encrypted PDF that needs a password",
        hint="remove the password (for example with qpdf --decrypt) and add the copy",
        slug="encrypted-pdf",
    )
    runs: list[Run] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, font_size: Any) -> None:
        runs.append((str(text), _run_size(cm, tm, font_size)))

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about every repairable flaw
            reader = pypdf.PdfReader(io.BytesIO(raw))
            if reader.is_encrypted and not reader.decrypt(""):
                raise encrypted
            _check_pages(reader, name)
            title = reader.metadata.title if reader.metadata else None
            texts = [
                page.extract_text(visitor_text=visit if n == 0 else None) or ""
                for n, page in enumerate(reader.pages)
            ]
            return texts, title, runs
    except UnreadableDocument:
        raise
    except (FileNotDecryptedError, DependencyError, NotImplementedError) as exc:
        raise encrypted from exc
    except LimitReachedError as exc:
        raise _limit_reached(name, exc) from exc
    except Exception as exc:  # pypdf raises PdfReadError and plain ValueError/KeyError...
        raise UnreadableDocument(
            f"{name} is a damaged or truncated PDF ({type(exc).__name__}: {brief(exc)})",
            hint="download or export the PDF again",
            slug="corrupt-pdf",
        ) from exc


def _check_pages(reader: Any, name: str) -> None:
    """Refuse more than :data:`MAX_PAGES` pages: first as the page tree declares them (read
    before the tree is walked: walking 100,000 pages takes seconds), then as counted."""
    try:
        declared = int(reader.trailer["/Root"]["/Pages"]["/Count"])
    except (KeyError, TypeError, ValueError, AttributeError):
        declared = 0  # no usable /Count: the walk below counts
    pages = declared if declared > MAX_PAGES else len(reader.pages)
    if pages > MAX_PAGES:
        raise UnreadableDocument(
            f"{name} has {pages:,} pages, more than the {MAX_PAGES:,} pages a PDF may have "
            "here (the limit)",
            hint="split the PDF (for example qpdf --split-pages) and add the parts",
            slug="too-many-pages",
        )


def _limit_reached(name: str, exc: Exception) -> UnreadableDocument:
    """A guard of pypdf's against bombs fired: say which, and its size."""
    from pypdf import get_configuration

    detail = brief(exc)
    if "decompress" in detail.lower():
        limit = get_configuration().zlib_maximum_output_length
        problem = (
            f"a compressed stream in {name} inflates past {limit:,} bytes (pypdf's "
            "decompression limit, a guard against decompression bombs)"
        )
    else:
        problem = f"{name} reaches one of pypdf's safety limits ({detail})"
    return UnreadableDocument(
        problem,
        hint="extract the text with another tool (for example pdftotext) and add the .txt",
        slug="pdf-limit",
    )


def _titlelike(line: str) -> bool:
    """Short enough for a title, and not ending like a sentence or a clause."""
    return len(line) <= _TITLE_CHARS and not line.endswith((".", ",", ";", ":"))


def pdf_blocks(raw: bytes, name: str) -> tuple[list[str], str | None]:
    """Return the Markdown blocks and title of a PDF (rules in the module docstring)."""
    texts, meta_title, runs = _read_pages(raw, name)
    pages = [[_clean(line) for line in text.splitlines()] for text in texts]
    if not any(line for lines in pages for line in lines):
        raise empty_document(
            name, "the PDF has no text layer (a scan?): run OCR on it first, e.g. ocrmypdf"
        )
    large, block = _largest_font(pages[0], _line_sizes(pages[0], runs)) if runs else (set(), [])
    drops = _running_lines(pages, large)
    title = " ".join((meta_title or "").split()) or None
    if title and _PLACEHOLDER_TITLE.search(title):
        title = None
    heading = join_lines([pages[0][i] for i in block])
    taken = bool(block) and (title is None or heading.casefold() == title.casefold())
    if taken:
        title = title or heading
        drops[0] |= set(block)
    elif title is None:  # a title in the body font that also runs at the top of each page
        top = next((i for i, line in enumerate(pages[0]) if line), None)
        line = pages[0][top] if top is not None else ""
        if top in drops[0] and _titlelike(line) and not _PAGE_NUMBER.fullmatch(line):
            title, taken = line, True
    lines = [
        line
        for page, drop in zip(pages, drops, strict=True)
        for i, line in enumerate(page)
        if i not in drop
    ]
    first = next((i for i, line in enumerate(lines) if line), None)
    if not taken and first is not None:
        widths = sorted(_width(line) for line in lines if line)
        full = widths[int(0.9 * (len(widths) - 1))]
        if title and " ".join(lines[first].split()).casefold() == title.casefold():
            del lines[first]
        elif title is None and _titlelike(lines[first]) and _width(lines[first]) < 0.8 * full:
            title = lines.pop(first)
    return with_title(_paragraphs(lines), title), title
