"""Names and labels that enter the corpus, and how a message shows a value.

Series names and slugs become folder and file names, so they are matched whole
(``fullmatch``: ``$`` would also match before a final newline) and refused, not escaped,
when they hold anything but lowercase ASCII letters, digits, ``-`` and ``_``, or name a
device Windows reserves. Lineages and publishers are one line of printable text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from narrative_diff.errors import UsageProblem

# Patterns are used with ``fullmatch``: "$" also matches before a final newline.
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
#: A real front matter is a few hundred bytes; a larger one is not read.
MAX_FRONT_MATTER = 64 * 1024
MAX_NAME = 80
MAX_LINEAGE = 120
#: Device names Windows reserves in every folder, with or without an extension (``con``,
#: ``CON.md``, ``com1.txt``): git's ``core.protectNTFS`` list, with ``com0``/``lpt0``.
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{dev}{n}" for dev in ("com", "lpt") for n in range(10)]
)
#: Unicode categories a one-line label may not hold: controls (``\n``, ``\r``), format and
#: direction marks (U+200E, U+202E, U+2066…), line and paragraph separators (U+2028/9),
#: and surrogates.
_NOT_TEXT = frozenset(["Cc", "Cf", "Cs", "Zl", "Zp"])
#: What a message shows of a value read from a file or typed: escaped, and cut.
SHOWN = 60


def shown(value: object, limit: int = SHOWN) -> str:
    r"""A value as a message may show it: one line of ASCII (controls, direction marks and
    other non-ASCII as escapes), cut to ``limit`` characters. Values come from files and
    command lines, so a message never formats one unbounded or raw.

    >>> shown("ilrs\n")
    'ilrs\\n'
    >>> shown("x" * 100, 8)
    'xxxxxxx…'
    """
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool | int | float) or value is None:
        text = repr(value)[: limit + 1]
    else:  # a list or mapping from YAML: its type, never its (perhaps huge) contents
        text = f"a {type(value).__name__}"
    pieces = [ch.encode("unicode_escape").decode("ascii") for ch in text[: limit + 1]]
    if sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    kept, size = [], 0
    for piece in pieces:  # cut between escapes, never inside one
        if size + len(piece) > limit - 1:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + "…"


def windows_reserved(file_name: str) -> bool:
    """Whether Windows reserves ``file_name`` as a device (``con``, ``NUL.md``, ``com1.txt``,
    ``aux .md``): such a file cannot be created, opened or checked out there.

    >>> windows_reserved("CON.md"), windows_reserved("con-1.md"), windows_reserved("lpt9")
    (True, False, True)
    """
    return file_name.split(".", 1)[0].rstrip(" ").casefold() in WINDOWS_RESERVED


def check_name(name: str, what: str) -> str:
    """Validate a series name or slug: lowercase ASCII letters, digits, ``-`` and ``_``.

    Names become folder and file names, so separators, dots, spaces, control or
    direction-changing characters, a final newline, non-ASCII look-alikes (``ｉｌｒｓ``) and
    the device names Windows reserves (``con``, ``nul``, ``com1``…) are refused rather than
    escaped.

    >>> check_name("ilrs", "series")
    'ilrs'
    >>> check_name("../etc", "series")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    narrative_diff.errors.UsageProblem: invalid series name '../etc'; use lowercase letters, ...
    """
    if not isinstance(name, str) or not name or len(name) > MAX_NAME or not _NAME.fullmatch(name):
        raise UsageProblem(
            f"invalid {what} name '{shown(name)}'",
            hint="use lowercase letters, digits, '-' and '_' (e.g. 'ilrs')",
            slug=f"invalid-{what}",
        )
    if windows_reserved(name):
        raise UsageProblem(
            f"invalid {what} name '{name}': Windows reserves it for a device",
            hint="choose another name (con, prn, aux, nul, com0-9 and lpt0-9 are reserved)",
            slug=f"invalid-{what}",
        )
    return name


def check_language(tag: str) -> str:
    """Validate a language tag (``en``, ``zh-Hant``, ``pt-BR``): what ``languages`` may hold.

    >>> check_language("zh-Hant")
    'zh-Hant'
    """
    if not LANGUAGE_TAG.fullmatch(tag):
        raise UsageProblem(
            f"invalid language '{shown(tag, 40)}'",
            hint="give a language tag: en, zh, zh-Hant, ru, pt-BR, …",
            slug="invalid-language",
        )
    return tag


def check_lineage(name: str, what: str = "lineage") -> str:
    """Validate a lineage name (``CNSA``, ``Xinhua English``): one line of printable text.
    A publisher is the lineage of a snapshot without one, so it is held to the same rule
    (``what="publisher"``).

    A lineage is shown in tables and headings, never used as a file name, so spaces and
    capitals are fine; control, format and direction-changing characters, line and
    paragraph separators (U+2028, U+2029) are refused.

    >>> check_lineage("Xinhua English")
    'Xinhua English'
    """
    if (
        not name.strip()
        or len(name) > MAX_LINEAGE
        or any(unicodedata.category(ch) in _NOT_TEXT for ch in name)
    ):
        raise UsageProblem(
            f"invalid {what} '{shown(name, 40)}'",
            hint=f"give one line of text, at most {MAX_LINEAGE} characters (e.g. 'CNSA')",
            slug="invalid-publisher" if what == "publisher" else "invalid-lineage",
        )
    return " ".join(name.split())


def parse_date(value: object, *, where: str = "date") -> dt.date:
    """Accept a ``datetime.date`` or an ISO 8601 date string (YYYY-MM-DD).

    >>> parse_date("2022-01-28")
    datetime.date(2022, 1, 28)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise UsageProblem(
        f"{where} '{shown(value)}' is not an ISO 8601 date",
        hint="write it as YYYY-MM-DD, e.g. 2022-01-28",
        slug="invalid-date",
    )


def one_line(text: str) -> str:
    r"""``text`` without the characters a one-line label may not hold (see
    :func:`check_lineage`): what a publisher contributes to a lineage's name.

    >>> one_line("CNSA\u202e\u200b\nRoscosmos")
    'CNSA Roscosmos'
    """
    return "".join(
        (" " if ch.isspace() else "") if unicodedata.category(ch) in _NOT_TEXT else ch
        for ch in text
    )
