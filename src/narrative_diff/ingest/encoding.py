"""Turning the bytes of text-based sources into ``str``.

Order: a byte-order mark wins; then strict UTF-8 (most documents today, and the only
encoding that is self-validating); then charset-normalizer's best guess, which gets the
legacy encodings of the ILRS corpus right (GB18030/GBK, Windows-1251, KOI8-R) from a few
hundred bytes. Encoding names are Python codec names with underscores (``utf_8``,
``gb18030``, ``cp1251``), as charset-normalizer reports them.
"""

from __future__ import annotations

import codecs
import re

from narrative_diff.errors import UnreadableDocument
from narrative_diff.text import is_mostly_text

from .model import binary_file

_BOMS = (  # UTF-32 first: its LE mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf_32_le"),
    (codecs.BOM_UTF32_BE, "utf_32_be"),
    (codecs.BOM_UTF8, "utf_8_sig"),
    (codecs.BOM_UTF16_LE, "utf_16_le"),
    (codecs.BOM_UTF16_BE, "utf_16_be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# WHATWG: browsers read these labels as the superset encoding.
_HTML_ALIASES = {
    "iso8859_1": "cp1252",
    "latin_1": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}


def codec_name(label: str) -> str | None:
    """Canonical Python codec name for an encoding label, or None if unknown.

    >>> codec_name("UTF-8"), codec_name("windows-1251"), codec_name("nope")
    ('utf_8', 'cp1251', None)
    """
    try:
        return codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        return None


def _checked(text: str, encoding: str, name: str, utf8: bytes | None = None) -> tuple[str, str]:
    """``utf8``: the bytes of ``text`` when it was decoded from UTF-8 as it is."""
    text = text.replace("\ufeff", "")  # zero-width no-break spaces carry nothing
    if not is_mostly_text(text, utf8):
        raise binary_file(name, f"decoding as {encoding} gives control characters, not text")
    return text, encoding


def decode_text(raw: bytes, name: str) -> tuple[str, str]:
    """Decode the bytes of a text source; return ``(text, encoding)``.

    Raises ``UnreadableDocument`` (slug ``binary-file``) for bytes that are not text.

    >>> decode_text("Станция".encode("utf-8"), "x.txt")
    ('Станция', 'utf_8')
    >>> decode_text(codecs.BOM_UTF16_LE + "ILRS".encode("utf-16-le"), "x.txt")
    ('ILRS', 'utf_16_le')
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return _checked(raw[len(bom) :].decode(encoding), encoding, name)
            except UnicodeDecodeError:
                detail = f"it starts with a {encoding} mark but is not {encoding}"
                raise binary_file(name, detail) from None
    if b"\x00" in raw:
        raise binary_file(name, "it contains NUL bytes (binary data, or UTF-16 without a BOM)")
    try:
        return _checked(raw.decode("utf-8"), "utf_8", name, raw)
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        lines = raw.splitlines()
        bad = [n for n, line in enumerate(lines, 1) if not _utf8(line)]
        if 0 < len(bad) < len(lines):  # some lines are UTF-8, others not: mixed encodings
            where = ", ".join(map(str, bad[:5])) + (" …" if len(bad) > 5 else "")
            raise UnreadableDocument(
                f"cannot decode {name}: it mixes text encodings (line {where} not UTF-8, "
                "the rest UTF-8)",
                hint="convert it to one encoding (e.g. iconv -f CP1251 -t UTF-8) and add it again",
                slug="mixed-encoding",
            )
        raise binary_file(name, "no text encoding fits its bytes")
    return _checked(str(best), best.encoding, name)


def decode_html(raw: bytes, name: str) -> tuple[str, str]:
    """Decode HTML: a BOM, else a ``<meta charset>`` in the first 4 KiB, else as text.

    A page that declares a legacy charset but whose bytes are valid UTF-8 with non-ASCII
    text is read as UTF-8: mirrors re-save pages without fixing the declaration, and
    legacy text that happens to be valid UTF-8 is vanishingly rare.
    """
    if not any(raw.startswith(bom) for bom, _ in _BOMS):
        match = _META_CHARSET.search(raw[:4096])
        declared = codec_name(match.group(1).decode("ascii")) if match else None
        if declared and not raw.isascii() and _utf8(raw):
            declared = "utf_8"
        if declared and not declared.startswith(("utf_16", "utf_32")):  # as browsers do
            declared = _HTML_ALIASES.get(declared, declared)
            try:
                return _checked(raw.decode(declared), declared, name)
            except UnicodeDecodeError:
                pass  # the declaration lies; guess from the bytes instead
    return decode_text(raw, name)


def _utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


#: A UTF-8 lead byte read as Latin-1/Windows-1252 (Â … ô) followed by a continuation byte
#: read the same way (U+0080-U+00BF, or the Windows-1252 letters and punctuation in 80-9F):
#: every UTF-8-read-as-Latin-1 mojibake has one, so text without it needs no ftfy.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039"
    "\u203a\u20ac\u2122]"
)


def repair_mojibake(text: str) -> tuple[str, str | None]:
    """Undo double encoding (UTF-8 bytes read as Windows-1252 or Latin-1 and encoded
    again: ``MayagÃ¼ez`` → ``Mayagüez``) with ftfy; return the text and a note of what was
    done, or None when nothing was.

    Conservative: only ftfy's encoding repairs run (no HTML unescaping, quote uncurling,
    width or ligature changes, no normalisation), and ftfy changes text only where the
    result is clearly better by its own measure. The raw capture stays as fetched.

    >>> repair_mojibake("MayagÃ¼ez and BayamÃ³n")
    ('Mayagüez and Bayamón', 'mojibake repaired by ftfy (encode latin-1, decode utf-8)')
    >>> repair_mojibake("Mayagüez")
    ('Mayagüez', None)
    """
    if not _MOJIBAKE_HINT.search(text):
        return text, None  # the common case, decided without importing ftfy
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
        explain=True,
    )
    fixed, steps = ftfy.fix_and_explain(text, config=config)
    if fixed == text or not steps:
        return text, None
    done = ", ".join(f"{action} {name}" for action, name in steps if action in ("encode", "decode"))
    return fixed, f"mojibake repaired by ftfy ({done or 'encoding fixes'})"
