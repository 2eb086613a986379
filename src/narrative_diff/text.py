"""Text normalisation and counting shared by the corpus, ingestion and (later) the diff.

``normalise_body`` defines the canonical form of a snapshot body: the form that is stored
and hashed. It is deliberately conservative (it never changes words or punctuation), so
that what the analyst reads in the corpus is what the publisher wrote. Comparison-time
normalisation (quotes, dashes, full-width punctuation) is a separate, later step.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from typing import Any

_BLANK_RUN = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # category Cc but tab, LF, FF, CR
_TRAILING = " \t\u00a0\u3000"
# Han ideographs (BMP, compatibility and extension B+): each one counts as a word.
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: One Han character (Chinese script), for "is this text Chinese" checks.
HAN = re.compile(f"[{HAN_RANGES}]")
#: A word as count_words counts it: a Han character, a run of letters, a number.
WORD = re.compile(
    rf"[{HAN_RANGES}]|[^\W\d_{HAN_RANGES}]+(?:['’][^\W\d_{HAN_RANGES}]+)*|\d+(?:[.,]\d+)*"
)


def normalise_body(text: str) -> str:
    """Return the canonical stored form of a snapshot body.

    Unicode NFC (composed characters: "é" is one code point, as most publishers emit it;
    NFC keeps full-width punctuation and ligatures as written, unlike NFKC), Unix line
    endings, no trailing spaces, at most one blank line between blocks, one final newline.

    >>> normalise_body("Title\\r\\n\\r\\n\\r\\n\\r\\nCafe\\u0301  \\n")
    'Title\\n\\nCafé\\n'
    >>> normalise_body(normalise_body(" a \\n\\n\\n b")) == normalise_body(" a \\n\\n\\n b")
    True
    """
    rest = text.lstrip("\n")  # a stored file's body comes after a blank line
    if _in_normal_form(rest):  # a stored body, read again: nothing else to do
        return rest
    if rest[-1:] != "\n" and _in_normal_form(rest + "\n"):  # a document's blocks joined:
        return rest + "\n"  # all but the final line break (0.003 s, not 0.011 s, at 1 MB)
    return _normalised(text)


def _normalised(text: str) -> str:
    """:func:`normalise_body`, every step taken."""
    text = text.replace("\ufeff", "")  # before NFC: a BOM between letters blocks composition
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # str.rstrip per line: the regex "[ \t]+$" backtracks quadratically on long inner runs
    text = "\n".join(line.rstrip(_TRAILING) for line in text.split("\n"))
    text = _BLANK_RUN.sub("\n\n", text)
    text = text.strip()  # as python-frontmatter strips the body it reads back
    return text + "\n" if text else ""


_TRAILING_CHARACTERS = frozenset(_TRAILING)


def _in_normal_form(text: str) -> bool:
    """True when :func:`normalise_body` would return ``text`` unchanged, found with a few
    scans in C (every stored body is in normal form; normalising 10,000 of them again took
    about a second of a ``score`` that had every result cached; this takes a fifth)."""
    return (
        len(text) > 1
        and text[-1] == "\n"
        and not text[-2].isspace()
        and not text[0].isspace()
        and "\r" not in text
        and "\ufeff" not in text
        and "\n\n\n" not in text
        and not any(line[-1:] in _TRAILING_CHARACTERS for line in text.split("\n"))
        and unicodedata.is_normalized("NFC", text)
    )


def body_sha256(text: str) -> str:
    """SHA-256 (hex) of the normalised body, as stored in a snapshot's front matter."""
    return sha256_hex(normalise_body(text))


def sha256_hex(text: str) -> str:
    """SHA-256 (hex) of text already in normal form."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def count_words(text: str) -> int:
    """Count words: runs of letters for alphabetic scripts, one per Han character.

    >>> count_words("China and Russia's agencies, 2021")
    5
    >>> count_words("中方愿同俄方 together")
    7
    """
    return len(WORD.split(text)) - 1  # a piece more than matches (none empty): no word list


def non_ascii(text: str) -> str:
    """The characters of ``text`` beyond ASCII, in order: where a long text holds few,
    a look for a script (Han, Cyrillic) in them costs a third of a look through it.

    >>> non_ascii("The “ILRS” and Россия")
    '“”Россия'
    """
    return "" if text.isascii() else utf8_non_ascii(text.encode("utf-8", "surrogatepass"))


def utf8_non_ascii(raw: bytes) -> str:
    """:func:`non_ascii` of the text whose UTF-8 is ``raw``: its ASCII bytes dropped at C
    speed, the rest (a few in most texts) decoded to its other characters in order."""
    return raw.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")


_ASCII_BYTES = bytes(range(128))


def is_mostly_text(text: str, utf8: bytes | None = None) -> bool:
    """True when the decoded string looks like prose, not binary noise.

    Control characters other than tab and newline are rare in real text; more than 1% of
    them (or any NUL) means the bytes were not text in the guessed encoding. ``utf8``: the
    bytes ``text`` was decoded from as UTF-8, where the controls are counted a third
    faster (each is one byte, or ``C2`` and a byte for U+0080 to U+009F).
    """
    if not text:
        return True
    if utf8 is None:
        if "\x00" in text:
            return False
        controls = len(_CONTROL.findall(text))
    else:
        if b"\x00" in utf8:
            return False
        controls = len(utf8) - len(utf8.translate(None, _CONTROL_BYTES))
        controls += len(_C1_UTF8.findall(utf8)) if b"\xc2" in utf8 else 0
    return controls <= len(text) // 100


_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])  # _CONTROL's ASCII
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")  # and the rest, as UTF-8


_LANGUAGE_SUBTAG = re.compile(r"[-_]")


def normalise_language(language: str | None) -> str | None:
    """The primary language subtag, lower case; None when there is none.

    >>> normalise_language("zh-Hans"), normalise_language("EN_us"), normalise_language("ru")
    ('zh', 'en', 'ru')
    >>> normalise_language(None), normalise_language("  ")
    (None, None)
    """
    if language is None or not language.strip():
        return None
    return _LANGUAGE_SUBTAG.split(language.strip(), maxsplit=1)[0].lower() or None


def languages_differ(one: str | None, two: str | None) -> bool:
    """Whether two snapshots are known to be in different languages: both tags given and
    their primary subtags differ ("en" and "en-GB" are one language; an unknown one is no
    evidence of a difference).

    >>> languages_differ("en", "en-GB"), languages_differ("en", "zh"), languages_differ(None, "ru")
    (False, True, False)
    """
    a, b = normalise_language(one), normalise_language(two)
    return a is not None and b is not None and a != b


def shorten(text: str, width: int = 90) -> str:
    """One line of at most ``width`` characters, whitespace collapsed, cut at a word
    boundary where there is one, "…" where cut.

    >>> shorten("The ILRS was   jointly initiated by China and Russia", 24)
    'The ILRS was jointly…'
    >>> shorten("国际月球科研站是中国联合多国共同建设", 8)
    '国际月球科研站…'
    """
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut).rstrip(" ,;:") + "…"


@functools.cache
def _opencc(config: str) -> Any:  # OpenCC (untyped) is imported on the first Han character
    import opencc

    return opencc.OpenCC(config)


@functools.lru_cache(maxsize=65_536)
def han_variant(ch: str, config: str = "t2s") -> str:
    """One Han character in the other Chinese script (OpenCC ``t2s``: simplified, ``s2t``:
    traditional), one character for one; ``ch`` itself when OpenCC gives none or several.
    Character by character keeps every offset, so evidence quotes the original text.

    >>> han_variant("國"), han_variant("国", "s2t"), han_variant("国")
    ('国', '國', '国')
    """
    converted = str(_opencc(config).convert(ch))
    return converted if len(converted) == 1 else ch


class _ScriptFold(dict[int, str]):
    """``str.translate`` table: a Han character to its simplified form, filled on demand."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = han_variant(ch) if HAN.match(ch) else ch
        self[code] = folded
        return folded


_SCRIPT_FOLD = _ScriptFold()


def fold_script(text: str) -> str:
    """``text`` with traditional Han characters in simplified form, same length: the two
    Chinese scripts as one text for matching and comparing.

    >>> fold_script("國際月球科研站 ILRS")
    '国际月球科研站 ILRS'
    """
    if text.isascii() or not HAN.search(text):
        return text
    return text.translate(_SCRIPT_FOLD)


#: What a terminal acts on instead of showing: C0 and C1 controls (ESC, BEL, backspace, CR,
#: CSI U+009B…), DEL, the bidirectional embeddings, overrides and isolates (the "Trojan
#: Source" characters) and lone surrogates (undecodable bytes of a file name), which
#: cannot be written as UTF-8 at all.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def printable(text: str, *, layout: bool = True) -> str:
    """``text`` safe to write to a terminal: every control character shown escaped, the way
    git's ``core.quotePath`` shows a file name (``\\x1b``, ``\\r``, ``\\u202e``), so that a
    document cannot clear the screen, retitle the window, plant a hyperlink or reorder
    what is shown. Newline and tab are kept as layout unless ``layout`` is False (one-line
    messages, where they are shown as ``\\n`` and ``\\t`` too). Everything else is unchanged.

    >>> printable("Roadmap\\x1b]0;pwned\\x07 2025\\u202e")
    'Roadmap\\\\x1b]0;pwned\\\\x07 2025\\\\u202e'
    >>> printable("a\\tb\\nc\\r"), printable("a\\tb\\nc", layout=False)
    ('a\\tb\\nc\\\\r', 'a\\\\tb\\\\nc')
    """

    def shown(match: re.Match[str]) -> str:
        ch = match.group()
        if layout and ch in "\n\t":
            return ch
        if ch in _NAMED:
            return _NAMED[ch]
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _UNPRINTABLE.sub(shown, text)
