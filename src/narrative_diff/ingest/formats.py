"""Text extraction for plain text, Markdown, DOCX and subtitles (HTML: ``html.py``, PDF:
``pdf.py``), and the helpers they share.

Each ``*_blocks`` function returns ``(blocks, title)``: the Markdown blocks of the body
(one paragraph or heading per block, blocks later joined by blank lines) and the
document's title or None.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re
import zipfile
from typing import Any

from narrative_diff.errors import UnreadableDocument

from .model import brief, empty_document, too_large

_LIST_ITEM = re.compile(
    r"(?:[-*•·]\s|\d{1,3}[.)]\s|\(\d{1,3}\)\s|[（(][一二三四五六七八九十]+[)）])"
)
_MD_H1 = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
MAX_FRONT_MATTER = 64 * 1024  # a real header is short; a huge one is text, not metadata
_YAML_ALIAS = re.compile(r"(?:^|[\s\[{,:])\*[\w-]")  # aliases can expand without bound: not read
#: Keys that make a leading "---" block metadata (Jekyll, Hugo, Pandoc, narrative-diff).
_FRONT_MATTER_KEYS = frozenset(
    [
        "title",
        "date",
        "author",
        "authors",
        "description",
        "summary",
        "tags",
        "categories",
        "layout",
        "lang",
        "language",
        "slug",
        "draft",
        "keywords",
        "subtitle",
        "publisher",
        "lineage",
        "source",
        "url",
        "id",
        "series",
    ]
)
_BLANK_LINES = re.compile(r"\n[ \t\f\v]*\n")
_SUBTITLE_CODES = re.compile(r"\{\\[^}]*\}")  # SSA overrides in SRT, like {\an8}
_TIMESTAMP = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})")
DOCX_XML_CAP = 200 * 1024 * 1024
#: The most paragraphs and XML tags (opening and closing, counted by their "<") a .docx may
#: hold: a 1,000-page report has about 20,000 paragraphs and 1,000,000 tags; python-docx
#: reads 200,000 paragraphs in about 15 s.
DOCX_MAX_PARAGRAPHS = 200_000
DOCX_MAX_ELEMENTS = 4_000_000
_PARAGRAPH_TAGS = (b"<w:p>", b"<w:p ", b"<w:p/")
PAUSE_SECONDS = 2.0


def is_cjk(ch: str) -> bool:
    """True for Han ideographs, kana, CJK punctuation and full-width forms."""
    return (
        "\u2e80" <= ch <= "\u9fff"
        or "\uf900" <= ch <= "\ufaff"
        or "\uff00" <= ch <= "\uffef"
        or (ch >= "\U00020000")
    )


def join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph: a space between words, none next to CJK text.

    >>> join_lines(["lunar", "research station"])
    'lunar research station'
    >>> join_lines(["共同建设", "国际月球科研站"])
    '共同建设国际月球科研站'
    """
    parts: list[str] = []
    for line in (stripped for stripped in (raw.strip() for raw in lines) if stripped):
        if parts and not (is_cjk(parts[-1][-1]) or is_cjk(line[0])):
            parts.append(" ")
        parts.append(line)
    return "".join(parts)


def with_title(blocks: list[str], title: str | None) -> list[str]:
    """Put ``# title`` first unless the body already has a ``# `` heading."""
    if title and not any(block.startswith("# ") for block in blocks):
        return [f"# {title}", *blocks]
    return blocks


def text_blocks(text: str) -> tuple[list[str], str | None]:
    """Plain text: blank lines separate paragraphs; wrapped lines are joined.

    A line that starts like a list item (``- ``, ``1. ``, ``(一)``) starts a new paragraph.
    The first line is the title when it is at most 120 characters and a blank line
    follows it.

    >>> text_blocks("Joint Statement\\n\\nThe station is\\nopen to all.\\n- first item\\n")
    (['# Joint Statement', 'The station is open to all.', '- first item'], 'Joint Statement')
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    raw_blocks = [b for b in _BLANK_LINES.split(text.strip("\n")) if b.strip()]
    blocks: list[str] = []
    for raw_block in raw_blocks:
        current: list[str] = []
        for line in (line.strip() for line in raw_block.split("\n")):
            if current and _LIST_ITEM.match(line):
                blocks.append(join_lines(current))
                current = []
            current.append(line)
        blocks.append(join_lines(current))
    title = None
    first = raw_blocks[0].strip() if raw_blocks else ""
    if len(raw_blocks) > 1 and "\n" not in first and len(first) <= 120:
        title = first.lstrip("#").strip() or None
        if title:
            blocks[0] = f"# {title}"
    return blocks, title


def markdown_blocks(text: str) -> tuple[list[str], str | None, dt.date | None]:
    """Markdown: kept as written; the title is the front matter's ``title``, else the first
    ``# `` heading; the date is the front matter's ``date``, if any.

    A leading ``---`` block is front matter (a static-site page's metadata, left out of the
    body) only when it is a YAML mapping with at least one usual metadata key; otherwise it
    is text and stays.

    >>> markdown_blocks("---\\ntitle: Partners\\ndate: 2024-05-01\\n---\\n\\nThe text.\\n")
    (['The text.'], 'Partners', datetime.date(2024, 5, 1))
    >>> markdown_blocks("---\\nUpdate: Russia left\\n---\\n# Heading\\n\\nThe text.")[1:]
    ('Heading', None)
    """
    title: str | None = None
    date: dt.date | None = None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # CR alone: old Mac files
    front = _FRONT_MATTER.match(text)
    if front and len(front.group(1)) <= MAX_FRONT_MATTER and not _YAML_ALIAS.search(front[1]):
        import yaml

        try:
            meta = yaml.safe_load(front.group(1))
        except (yaml.YAMLError, ValueError, RecursionError):
            meta = None  # not front matter after all: keep the text as written
        if isinstance(meta, dict) and _FRONT_MATTER_KEYS & {str(k).lower() for k in meta}:
            text = text[front.end() :]
            value = meta.get("title")
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                title = " ".join(str(value).split()) or None
            found = meta.get("date")
            date = found if isinstance(found, dt.date) else None
            if isinstance(found, dt.datetime):
                date = found.date()
    match = _MD_H1.search(text)
    return [text.strip("\n")], title or (match.group(1).strip() if match else None), date


def _check_docx_zip(raw: bytes, name: str, max_bytes: int) -> None:
    """Reject a file that is not a .docx zip, or whose XML would inflate past the cap."""
    cap = min(20 * max_bytes, DOCX_XML_CAP)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise UnreadableDocument(
            f"{name} is not a valid .docx file ({brief(exc)})",
            hint="open it in Word or LibreOffice and save it again as .docx",
            slug="corrupt-docx",
        ) from exc
    sizes = {info.filename: info.file_size for info in infos}
    if "word/document.xml" not in sizes:
        raise UnreadableDocument(
            f"{name} is a zip archive without word/document.xml, not a Word document",
            hint="open it in Word or LibreOffice and save it again as .docx",
            slug="corrupt-docx",
        )
    total = sum(sizes.values())
    if sizes["word/document.xml"] > cap or total > cap:
        raise too_large(f"{name} (uncompressed)", max(total, sizes["word/document.xml"]), cap)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        _count_docx_elements(archive, name)


def _count_docx_elements(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a document.xml of more paragraphs or elements than :data:`DOCX_MAX_PARAGRAPHS`
    and :data:`DOCX_MAX_ELEMENTS`, counted on the inflated bytes a megabyte at a time before
    python-docx parses them: the byte cap bounds memory, not work (190 MB of small
    paragraphs, from a 645 KB file, took minutes to read)."""
    paragraphs = elements = 0
    tail = b""
    try:
        with archive.open("word/document.xml") as stream:
            while chunk := stream.read(1 << 20):
                window = tail + chunk  # a tag split between two chunks is counted once
                paragraphs += sum(window.count(tag) for tag in _PARAGRAPH_TAGS)
                paragraphs -= sum(tail.count(tag) for tag in _PARAGRAPH_TAGS)
                elements += chunk.count(b"<")
                tail = window[-8:]
                if paragraphs > DOCX_MAX_PARAGRAPHS or elements > DOCX_MAX_ELEMENTS:
                    break
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:  # bad CRC, bad deflate
        raise UnreadableDocument(
            f"{name} is not a valid .docx file ({brief(exc)})",
            hint="open it in Word or LibreOffice and save it again as .docx",
            slug="corrupt-docx",
        ) from exc
    if paragraphs > DOCX_MAX_PARAGRAPHS or elements > DOCX_MAX_ELEMENTS:
        what, limit = (
            ("paragraphs", DOCX_MAX_PARAGRAPHS)
            if paragraphs > DOCX_MAX_PARAGRAPHS
            else ("XML elements", DOCX_MAX_ELEMENTS)
        )
        raise UnreadableDocument(
            f"{name} has more than {limit:,} {what} in word/document.xml (the limit)",
            hint="split the document, or save the part you need as .txt and add that",
            slug="too-many-elements",
        )


def _docx_paragraph(paragraph: Any, styles: dict[str | None, str]) -> tuple[str, str]:
    """Return ``(kind, text)`` with kind 'title', 'h1', 'h2', 'list' or 'p'; ``styles``
    caches style names by style id (python-docx looks a style up by a linear search over
    the styles part, milliseconds per paragraph)."""
    style_id = paragraph._p.style  # the pStyle value, None for the default style
    if style_id not in styles:
        found = paragraph.style
        styles[style_id] = (found.name if found is not None else "") or ""
    style = styles[style_id]
    text = join_lines(paragraph.text.replace("\t", " ").split("\n"))
    lowered = style.lower()
    if lowered == "title":
        return "title", text
    level = re.fullmatch(r"heading ?(\d)", lowered)
    if level:
        return ("h1" if level.group(1) == "1" else "h2"), text
    return ("list" if lowered.startswith("list") else "p"), text


def _docx_items(
    container: Any, styles: dict[str | None, str] | None = None
) -> list[tuple[str, str]]:
    """Paragraphs in document order; table cells (merged cells once) as paragraphs."""
    from docx.table import Table

    styles = {} if styles is None else styles
    items: list[tuple[str, str]] = []
    for item in container.iter_inner_content():
        if isinstance(item, Table):
            seen: dict[int, Any] = {}  # holding the elements keeps their ids unique
            for row in item.rows:
                for cell in row.cells:
                    if id(cell._tc) not in seen:  # a merged cell repeats in each row
                        seen[id(cell._tc)] = cell._tc
                        items.extend(_docx_items(cell, styles))
        else:
            items.append(_docx_paragraph(item, styles))
    return [(kind, text) for kind, text in items if text]


def docx_blocks(raw: bytes, name: str, *, max_bytes: int) -> tuple[list[str], str | None]:
    """DOCX with python-docx: Title style → ``#``, Heading 1 → ``##``, Heading 2+ → ``###``.

    Without a Title-style paragraph, ``core_properties.title`` becomes the ``#`` line; with
    neither, the first Heading 1 is promoted to ``#`` and is the title. List styles become
    ``- `` items. The zip is checked before python-docx inflates it (zip-bomb guard).
    """
    _check_docx_zip(raw, name, max_bytes)
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
        items = _docx_items(document)
        core_title = (document.core_properties.title or "").strip() or None
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors...
        raise UnreadableDocument(
            f"cannot read {name} as a Word document ({type(exc).__name__}: {brief(exc)})",
            hint="open it in Word or LibreOffice and save it again as .docx",
            slug="corrupt-docx",
        ) from exc
    title = next((text for kind, text in items if kind == "title"), None) or core_title
    promote = None
    if title is None:
        promote = next((i for i, (kind, _) in enumerate(items) if kind == "h1"), None)
        title = items[promote][1] if promote is not None else None
    prefix = {"title": "# ", "h1": "## ", "h2": "### ", "list": "- ", "p": ""}
    blocks = [
        ("# " if i == promote else prefix[kind]) + text for i, (kind, text) in enumerate(items)
    ]
    return with_title(blocks, title), title


def _seconds(stamp: str) -> float:
    match = _TIMESTAMP.search(stamp)
    if not match:
        return 0.0
    hours, minutes, seconds, millis = match.groups()
    return (
        int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis.ljust(3, "0")) / 1000
    )


def transcript_blocks(text: str, fmt: str, name: str) -> tuple[list[str], str | None]:
    """SRT/VTT with webvtt-py: cue text only, roll-up repeats collapsed.

    A cue line equal to a line of the previous cue is dropped (roll-up captions repeat
    the last line). A pause of at least 2 s between cues starts a new paragraph. The
    title is the text after ``WEBVTT`` or a ``Title:`` header, if the file has one.
    """
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        if fmt == "vtt":
            captions = webvtt.WebVTT.from_string(text)
        else:
            captions = webvtt.WebVTT.from_buffer(io.StringIO(text), format="srt")
    except (MalformedFileError, MalformedCaptionError, ValueError) as exc:
        raise UnreadableDocument(
            f"{name} is not a valid {fmt.upper()} subtitle file ({brief(exc)})",
            hint=f"check the file, or rename it if it is not {fmt.upper()}",
            slug="corrupt-transcript",
        ) from exc
    title = (getattr(captions, "header_text", "") or "").strip(" -\t") or None
    for line in getattr(captions, "metadata", None) or []:
        if not title and line.lower().startswith("title:"):
            title = line.split(":", 1)[1].strip() or None
    paragraphs: list[list[str]] = [[]]
    previous: set[str] = set()
    last_end: float | None = None
    for caption in captions.captions:
        start = _seconds(caption.start)
        if last_end is not None and start - last_end >= PAUSE_SECONDS and paragraphs[-1]:
            paragraphs.append([])
        lines = [
            html_lib.unescape(_SUBTITLE_CODES.sub("", line)).strip()
            for line in caption.text.split("\n")
        ]
        lines = [line for line in lines if line]
        paragraphs[-1].extend(line for line in lines if line not in previous)
        previous = set(lines)
        last_end = max(_seconds(caption.end), last_end or 0.0)
    blocks = [join_lines(lines) for lines in paragraphs if lines]
    if not blocks:
        raise empty_document(name, "the subtitle file has no cue text")
    return with_title(blocks, title), title
