"""HTML pages: the body as Markdown blocks, and how much of the page's prose it kept.

trafilatura finds the main text of most pages, but on a mirrored page it can keep a spam
line and drop the article without a sign; so each extraction is measured against the
page's own prose and replaced when it misses too much.

* Text blocks: the page is parsed once with lxml; script, style, noscript, template, svg,
  head (and title, textarea) are skipped and the visible text is cut into blocks at
  block-level elements and ``<br>``. A block is *boilerplate* when most of its words are
  inside nav, header, footer, aside, form, button, select, label or menu, and *link-only*
  when link text makes up at least 70% of its words.
* Prose block: neither of those, with at least 8 words or 20 Han characters (``count_words``
  counts each Han character as a word, and a Chinese sentence is short in characters;
  mixed text counts pro rata: 5 × other words + 2 × Han characters ≥ 40).
* Coverage: the words of the prose blocks whose word sequence (case-folded; Markdown marks
  and spacing ignored) occurs in the kept text, over the words of all prose blocks,
  rounded to 2 decimals; 1.0 when the page has no prose, 0.0 for an empty extraction.
* ``mode="auto"``: trafilatura's default extraction ("main"); under 0.8, its favor_recall
  extraction ("recall", which can drop a first paragraph "main" keeps); still under 0.8,
  the non-boilerplate, non-link-only text blocks in page order ("full"). The highest
  coverage wins, ties going to the earlier, more precise one.
* Before any of these, share/print button groups, "Related"/"Popular" link lists and
  cookie banners are cut from the tree (they add spurious country mentions), never an
  element that holds prose other than the very notice that gives it away.
* Every body is tidied (``tidy_markdown``): no leading indentation outside fenced code (an
  indented line is code to Markdown), and no backslash escapes but those that stop a
  line-start heading, list, quote, fence or rule marker.
"""

from __future__ import annotations

import copy
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from narrative_diff.errors import UnreadableDocument
from narrative_diff.snapshot import LOW_COVERAGE
from narrative_diff.text import HAN, WORD

from .formats import join_lines
from .model import EXTRACT_MODES, brief, quiet_logger

if TYPE_CHECKING:
    from lxml.html import HtmlElement

LINK_SHARE = 0.7
#: libxml2's limit on nesting even with its "huge" option (without it: 256 levels, 10 MB
#: text nodes); the text below it is lost.
MAX_DEPTH = 2048


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


_SKIP = _names("script style noscript template svg head title textarea")
_BOILER = _names("nav header footer aside form button select label menu")
_BLOCK = _BOILER | _names(
    "address article blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure h1 h2 h3 h4 h5 h6 hgroup hr html legend li main ol "
    "option p pre section summary table tbody td tfoot th thead tr ul"
)
_NEVER_CUT = _names("html body main article")
_TEXT_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "blockquote")
_LIST_TAGS = _names("ul ol dl div section aside nav table p")
_CUT_BY_NAME = re.compile(r"shar(?:e|ing)|social|(?<![a-z])print|toolbar|cookie|consent|gdpr")
_SHARE_WORDS = _names(
    "share shares tweet print email e mail like likes follow us on via this article "
    "story page link copy save comment comments facebook twitter x linkedin wechat "
    "weibo whatsapp telegram reddit pinterest vk qq qzone поделиться печать распечатать "
    "ссылка скопировать вконтакте вк телеграм одноклассники ок нравится подписаться "
    "отправить"
)
_SHARE_HAN = re.compile(
    "(?:分享到|分享|打印本页|打印|微信|微博|收藏|转发|朋友圈|空间|复制链接|链接|扫一扫|"
    "点赞|关注|评论|字号|本页|本文|关闭窗口|关闭|大|中|小|到)+"
)
_HAN_RUN = re.compile(f"(?:{HAN.pattern})+")
_RELATED = re.compile(
    r"(?:(?:most (?:popular|read|viewed|shared)|popular|related|trending|recommended|read more"
    r"|read also|also read|see also|you (?:may|might) also like|more from|популярное"
    r"|читайте также|главное|по теме|смотрите также|самое читаемое)(?![^\W\d_])"
    r"|热门|相关|推荐|阅读排行|排行榜|延伸阅读|猜你喜欢|更多)"
)
_LEADING_MARKS = re.compile(r"^[\W_]+")  # "## ", "【", "» " before a heading's words
_COOKIE_NOTICE = re.compile(
    r"\b(?:uses?|use of|accept(?: all)?) cookies\b|\bcookies? (?:policy|settings|notice)\b"
    r"|使用\s*cookie|cookie\s*(?:政策|设置)|файл\w* cookie|cookie-файл|использу\w+ cookie|куки"
)
_ESCAPES = re.compile(r"\\++(?=[!-/:-@\[-`{-~])")  # CommonMark escapes any ASCII punctuation
_CELL_ESCAPES = re.compile(r"\\++(?=[!-/:-@\[-`{}~])")  # in a table row, "\|" is not a cell end
_CELL = re.compile(r"\|((?:[^|\\]|\\.)*)\|?")  # a table row of one cell
_MARKER = re.compile(
    r"(?:#{1,6}|[-+*]|\d{1,9}[.)])(?:[ \t]|$)|[>|]|```|(?:\*[ \t]*){3,}$|(?:_[ \t]*){3,}$"
    r"|(?:-[ \t]*){3,}$"
)
_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_CLOSING_FENCE = re.compile(r"`{3,}")
_SPACES = re.compile(r"[ \t]{2,}")


@dataclass(frozen=True)
class HtmlText:
    """The text of an HTML page and how it was obtained."""

    blocks: tuple[str, ...]  # Markdown blocks of the body; the title only if the body has it
    title: str | None  # <title>/og:title/<h1> as trafilatura's metadata gives it
    method: str  # "main" | "recall" | "full"
    coverage: float  # share of the page's prose words in the kept text (module docstring)
    main_coverage: float  # the same for the precision extraction ("full" mode: coverage)
    date: datetime.date | None  # the page's publication date from its metadata


class _ExtractOptions(TypedDict):
    """The keyword arguments every ``trafilatura.extract`` call here shares."""

    url: str | None
    output_format: str
    include_formatting: bool
    include_comments: bool
    include_tables: bool
    include_links: bool
    include_images: bool


@dataclass
class _Block:
    """One text block of the page, as the prose and coverage rules see it."""

    text: str
    tag: str  # the innermost block-level element: h2, li, p, td...
    words: int
    link_words: int
    boiler_words: int

    @property
    def boiler(self) -> bool:
        return self.boiler_words * 2 > self.words

    @property
    def link_only(self) -> bool:
        return self.link_words >= LINK_SHARE * self.words

    @property
    def prose(self) -> bool:
        if self.boiler or self.link_only or self.words < 8:
            return False
        han = len(HAN.findall(self.text)) if self.words < 20 else 0
        return 5 * (self.words - han) + 2 * han >= 40


def _segment(root: HtmlElement) -> tuple[list[_Block], dict[HtmlElement, tuple[int, int]]]:
    """The text blocks of the page, and for each element the range of blocks it touches.

    An iterative walk (no recursion limit on deeply nested pages). A block-level element's
    range is exact; an inline element's includes the blocks it shares with its neighbours.
    """
    blocks: list[_Block] = []
    spans: dict[HtmlElement, tuple[int, int]] = {}
    parts: list[str] = []
    links: list[str] = []
    boiler: list[str] = []
    owners: list[str] = ["html"]  # the open block-level elements
    depth = {"a": 0, "boiler": 0, "filled": 0}  # open <a>, open boilerplate, text so far

    def add(text: str | None) -> None:
        if text:
            parts.append(text)
            depth["filled"] |= not text.isspace()
            if depth["a"]:
                links.append(text)
            if depth["boiler"]:
                boiler.append(text)

    def flush() -> None:
        if depth["filled"]:
            text = "".join(parts)
            link_words = len(WORD.findall(" ".join(links))) if links else 0
            boiler_words = len(WORD.findall(" ".join(boiler))) if boiler else 0
            blocks.append(
                _Block(text, owners[-1], len(WORD.findall(text)), link_words, boiler_words)
            )
        parts.clear()
        links.clear()
        boiler.clear()
        depth["filled"] = 0

    stack: list[tuple[HtmlElement, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else ""
        if closing:
            if tag in _BLOCK:
                flush()
                owners.pop()
            depth["a"] -= tag == "a"
            depth["boiler"] -= tag in _BOILER
            spans[element] = (spans[element][0], len(blocks) + depth["filled"])
            add(element.tail)
        elif not tag or tag in _SKIP:
            add(element.tail)
        elif tag == "br":
            flush()
            add(element.tail)
        else:
            if tag in _BLOCK:
                flush()
                owners.append(tag)
            spans[element] = (len(blocks), 0)
            depth["a"] += tag == "a"
            depth["boiler"] += tag in _BOILER
            add(element.text)
            stack.append((element, True))
            stack.extend((child, False) for child in reversed(element))
    flush()
    return blocks, spans


def _share_only(text: str) -> bool:
    """True when every word is share/print/like vocabulary (English, Chinese, Russian)."""
    if len(text) > 200:
        return False
    text = text.casefold()
    alphabetic = [w for w in WORD.findall(_HAN_RUN.sub(" ", text)) if not w.isdigit()]
    han = _HAN_RUN.findall(text)
    return bool(alphabetic or han) and (
        all(word in _SHARE_WORDS for word in alphabetic)
        and all(_SHARE_HAN.fullmatch(run) for run in han)
    )


def _notice(block: _Block) -> bool:
    """A cookie notice or a share-button group: the blocks that give an element away."""
    return _share_only(block.text) or (
        block.words <= 60 and _COOKIE_NOTICE.search(block.text.casefold()) is not None
    )


def _holds_text(element: HtmlElement) -> bool:
    """Whether an element is or holds a heading or paragraph that is not a share or cookie
    notice: a class name alone ("social-article__title", "printable") never cuts those."""
    for node in element.iter(*_TEXT_TAGS):
        text = node.text_content()
        if WORD.search(text) and not (_share_only(text) or _COOKIE_NOTICE.search(text.casefold())):
            return True
    return False


def _related_heading(text: str) -> bool:
    """A short text that heads a list of other stories: "Related", "热门", "Читайте также"."""
    text = _LEADING_MARKS.sub("", text).casefold()
    return len(WORD.findall(text)) <= 10 and _RELATED.match(text) is not None


def _boilerplate(
    blocks: list[_Block], spans: dict[HtmlElement, tuple[int, int]]
) -> list[HtmlElement]:
    """The share groups, "Related"/"Popular" link lists and cookie banners of the page.

    Candidates are elements whose class or id names share/social/print/toolbar/cookie/
    consent/gdpr; elements whose blocks are all share words or cookie notices; lists, divs,
    sections, asides and paragraphs at least 70% link text that start with a "Related"-like
    heading; and such a heading with the mostly-link elements after it. A candidate
    holding a prose block other than a notice stays.
    """
    notices = [_notice(block) for block in blocks]
    article = [0]
    for block, notice in zip(blocks, notices, strict=True):
        article.append(article[-1] + (block.prose and not notice))

    def cuttable(element: HtmlElement) -> bool:
        start, end = spans.get(element, (0, 0))
        return element.tag not in _NEVER_CUT and article[end] == article[start]

    def links(start: int, end: int) -> bool:
        words = sum(block.words for block in blocks[start:end])
        return words > 0 and sum(b.link_words for b in blocks[start:end]) >= LINK_SHARE * words

    cut: list[HtmlElement] = []
    for element, (start, end) in spans.items():
        name = f"{element.get('class', '')} {element.get('id', '')}".casefold()
        if not cuttable(element):
            continue
        if (_CUT_BY_NAME.search(name) and not _holds_text(element)) or (
            start < end and all(notices[start:end])
        ):
            cut.append(element)
        elif element.tag not in _BLOCK and _share_only(element.text_content()):
            cut.append(element)  # a "Print" link among other words of a short line
        elif element.tag in _LIST_TAGS and links(start, end):
            if _related_heading(blocks[start].text):
                cut.append(element)
        elif end == start + 1 and _related_heading(blocks[start].text):
            run = [element]  # a heading, and the link lists or paragraphs that follow it
            while (after := run[-1].getnext()) is not None and after in spans:
                if not (cuttable(after) and links(*spans[after])):
                    break
                run.append(after)
            cut.extend(run if len(run) > 1 else [])
    return cut


def _escape_marker(text: str) -> str:
    """Put a backslash before a line-start Markdown marker, so text stays text."""
    if not _MARKER.match(text):
        return text
    at = len(text) - len(text.lstrip("0123456789"))  # after the number of "1. "
    return f"{text[:at]}\\{text[at:]}"


def _plain(text: str, escapes: re.Pattern[str] = _ESCAPES) -> str:
    """The text without backslash escapes, one space between words."""
    return escapes.sub("", _SPACES.sub(" ", text))


def _unescape(line: str) -> str:
    """``_plain``, but keeping an escape that stops a line-start marker."""
    plain = _plain(line, _CELL_ESCAPES if line.startswith("|") else _ESCAPES)
    return _escape_marker(plain) if _MARKER.match(plain) and not _MARKER.match(line) else plain


def tidy_markdown(markdown: str) -> list[str]:
    """Markdown blocks with no indentation and no stray escapes; idempotent.

    A paragraph becomes one line, and so does a list item; tables and quotes stay line by
    line; a table of one-cell rows without a header (page layout) becomes paragraphs;
    fenced code is kept verbatim.

    >>> tidy_markdown("        Photo \\\\[VCG\\\\]\\n   next line\\n\\n\\\\# not a heading")
    ['Photo [VCG] next line', '\\\\# not a heading']
    """
    blocks: list[str] = []
    lines: list[str] = []
    fence: list[str] | None = None

    def flush() -> None:
        if lines:
            cells = [cell.group(1).strip() for line in lines if (cell := _CELL.fullmatch(line))]
            if len(cells) == len(lines) and not any(re.fullmatch(r":?-+:?", c) for c in cells):
                # rows of one cell and no header: a layout table, its rows are paragraphs
                blocks.extend(_escape_marker(_plain(cell)) for cell in cells if cell)
            elif _LIST_ITEM.match(lines[0]):  # a line that does not start an item continues one
                items: list[str] = []
                for line in lines:
                    if _LIST_ITEM.match(line) or not items:
                        items.append(line)
                    else:
                        bare = _LIST_ITEM.fullmatch(items[-1])
                        items[-1] = f"{items[-1]} {line}" if bare else join_lines([items[-1], line])
                blocks.append("\n".join(_unescape(item) for item in items))
            elif lines[0].startswith(("|", ">")) or (lines[0].startswith("#") and len(lines) == 1):
                blocks.append("\n".join(_unescape(line) for line in lines))  # tables, quotes
            else:
                blocks.append(_unescape(join_lines(lines)))
            lines.clear()

    for raw in markdown.split("\n"):
        line = raw.strip()
        if fence is not None:
            fence.append(line if _CLOSING_FENCE.fullmatch(line) else raw.rstrip())
            if _CLOSING_FENCE.fullmatch(line):
                blocks.append("\n".join(fence))
                fence = None
        elif line.startswith("```"):
            flush()
            fence = [line]
        elif line:
            lines.append(line)
        else:
            flush()
    flush()
    if fence is not None:
        blocks.append("\n".join(fence))
    return blocks


def _full_text(blocks: list[_Block]) -> list[str]:
    """The page's own text: blocks in order, headings and list items marked."""
    out = []
    for block in blocks:
        if block.boiler or block.link_only:
            continue
        text = join_lines([" ".join(line.split()) for line in block.text.split("\n")])
        if block.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            out.append(f"{'#' * int(block.tag[1])} {text}")
        else:
            out.append(("- " if block.tag == "li" else "") + _escape_marker(text))
    return out


def _coverage(prose: list[_Block], blocks: list[str]) -> float:
    """Share of the prose words whose block occurs in ``blocks`` (module docstring)."""
    kept = "\n".join(blocks)
    if not kept.strip():
        return 0.0
    total = sum(block.words for block in prose)
    if not total:
        return 1.0
    words: str | None = None
    found = 0
    for block in prose:
        if block.text.strip() in kept:  # cheap and common; words only when it fails
            found += block.words
            continue
        if words is None:
            words = f" {' '.join(WORD.findall(kept.casefold()))} "
        if f" {' '.join(WORD.findall(block.text.casefold()))} " in words:
            found += block.words
    return round(found / total, 2)


def _parse(markup: str, name: str) -> HtmlElement:
    """The page as an lxml tree; libxml2's limits are lifted only for pages beyond them
    (one 50 MB paragraph, 10,000 nested elements), which is safe since the source size is
    already limited (``--max-bytes``)."""
    from lxml import html as lxml_html

    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)  # lxml refuses str with a declaration
    for huge in (False, True):
        parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=huge)
        tree = lxml_html.document_fromstring(markup, parser=parser)
        limited = any("HUGE" in error.message.upper() for error in parser.error_log)
        if not limited:
            return tree
    raise UnreadableDocument(
        f"cannot read {name}: it nests elements more than {MAX_DEPTH:,} levels deep, "
        "and the text below that is lost to the HTML parser",
        hint="save the page again from a browser, or copy its text into a .txt file",
        slug="corrupt-html",
    )


def _page_date(tree: HtmlElement, url: str | None) -> datetime.date | None:
    """The publication date in the page's own metadata: URL, meta tags, JSON-LD, <time>.

    htmldate's ``find_date`` in fast mode still reads dates out of the text and title; its
    steps that read metadata only are called directly. A future date comes back as found;
    one before 1995 (htmldate's floor) does not.
    """
    try:
        from htmldate.core import examine_header, examine_time_elements
        from htmldate.extractors import extract_url_date, json_search
        from htmldate.utils import Extractor
        from htmldate.validators import get_max_date, get_min_date
    except ImportError:  # the steps moved in a later htmldate: its public, fast search
        return _find_date(tree, url)
    try:
        options = Extractor(False, get_max_date("2100-12-31"), get_min_date(None), True, "%Y-%m-%d")
        canonical = tree.find('.//link[@rel="canonical"]')
        url = url or (canonical.get("href") if canonical is not None else None)
        found = (
            extract_url_date(url, options)
            or examine_header(tree, options)
            or json_search(tree, options)
            or examine_time_elements(tree, options)
        )
        return datetime.date.fromisoformat(found) if found else None
    except Exception:  # a date is a bonus: htmldate's failures must not lose the page
        return None


def _find_date(tree: HtmlElement, url: str | None) -> datetime.date | None:
    """htmldate's public search without its extensive (text-reading) mode."""
    try:
        from htmldate import find_date

        found = find_date(
            tree, url=url, extensive_search=False, original_date=True, max_date="2100-12-31"
        )
        return datetime.date.fromisoformat(found) if found else None
    except Exception:  # a date is a bonus: htmldate's failures must not lose the page
        return None


def _title(tree: HtmlElement, url: str | None) -> str | None:
    """trafilatura's title: meta tags (og:title…), JSON-LD, else ``<title>``/``<h1>`` with
    the site name trimmed. Its title steps are called directly: ``extract_metadata`` also
    looks for authors, dates and site names, a sixth of an ``add``'s time on a 150 KB page.
    Should those functions move in a later trafilatura, ``extract_metadata`` is the fallback.
    """
    import trafilatura

    try:
        from trafilatura.metadata import examine_meta, extract_meta_json, extract_title

        found = extract_meta_json(tree, examine_meta(tree))
        title = found.title or extract_title(tree)
    except Exception:  # internals moved or broke: take the public path
        metadata = trafilatura.extract_metadata(tree, default_url=url, extensive=False)
        title = metadata.title if metadata else None
    return " ".join(title.split()) or None if isinstance(title, str) else None


def html_text(markup: str, *, name: str, url: str | None = None, mode: str = "auto") -> HtmlText:
    """The body of an HTML page as Markdown blocks, its title and date, and coverage.

    ``mode``: "auto" (the rule in the module docstring), "main" (trafilatura's default
    extraction only), "full" (the page's own text blocks). Unparsable markup raises
    ``UnreadableDocument`` (corrupt-html); a page without text gives no blocks.
    """
    if mode not in EXTRACT_MODES:
        raise ValueError(f"mode must be one of {', '.join(EXTRACT_MODES)}, not {mode!r}")
    import trafilatura
    from lxml.etree import ParserError

    quiet_logger("trafilatura")
    quiet_logger("htmldate")
    options: _ExtractOptions = {
        "url": url,
        "output_format": "markdown",
        "include_formatting": True,
        "include_comments": False,
        "include_tables": True,
        "include_links": False,
        "include_images": False,
    }
    try:
        try:
            tree = _parse(markup, name)
        except ParserError:  # "Document is empty": no elements at all
            return HtmlText((), None, "main" if mode == "auto" else mode, 0.0, 0.0, None)
        title = _title(copy.deepcopy(tree), url)
        date = _page_date(tree, url)
        blocks, spans = _segment(tree)
        cut = _boilerplate(blocks, spans)
        for element in cut:
            if element.getparent() is not None:  # not already cut with an ancestor
                element.drop_tree()
        if cut:
            blocks, _ = _segment(tree)
        prose = [block for block in blocks if block.prose]

        def extract(recall: bool = False) -> list[str]:  # trafilatura changes the tree it gets
            body = trafilatura.extract(copy.deepcopy(tree), favor_recall=recall, **options)
            return tidy_markdown(body or "")

        steps: list[tuple[str, Callable[[], list[str]]]] = [
            ("main", extract),
            ("recall", lambda: extract(recall=True)),
            ("full", lambda: _full_text(blocks)),
        ]
        steps = [step for step in steps if mode == "auto" or step[0] == mode]
        tried: list[tuple[float, int, str, list[str]]] = []
        for order, (method, run) in enumerate(steps):
            body = run()
            tried.append((_coverage(prose, body), -order, method, body))
            if tried[-1][0] >= LOW_COVERAGE:
                break
    except UnreadableDocument:
        raise
    except Exception as exc:  # lxml and trafilatura raise many kinds on broken markup
        raise UnreadableDocument(
            f"cannot parse the HTML of {name}: {brief(exc)}",
            hint="check that the source is an HTML page, or save it again from a browser",
            slug="corrupt-html",
        ) from exc
    coverage, _, method, body = max(tried)
    return HtmlText(tuple(body), title, method, coverage, tried[0][0], date)
