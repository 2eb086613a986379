"""Fonts for the charts and the reports, found offline and checked before use.

Official texts in a series mix Latin, Cyrillic and Chinese, and a chart or PDF that shows
an empty box instead of 俄 is worse than no chart. Two font files cover them:

* DejaVu Sans (regular, bold, oblique), which matplotlib ships: Latin, Greek, Cyrillic
  (Bitstream Vera licence, with the DejaVu changes in the public domain);
* a Han font, chosen in this order:

  1. ``NARRATIVE_DIFF_FONT``, a font file the user names (.ttf, .ttc or .otf);
  2. a CJK font of the system, found by fontconfig (``fc-list :lang=zh``): Noto Sans CJK
     and Source Han Sans first, then WenQuanYi, then any other Sans, then any;
  3. WenQuanYi Micro Hei from the ``paperang-p2-fonts-cjk`` wheel (Apache 2.0 or GPLv3
     with a font exception), packaged data, never downloaded at run time.

A font is used only when fontTools reads it, it has TrueType (``glyf``) or CFF outlines
(fpdf2 ≥ 2.8 and matplotlib's PDF backend embed both; CFF2 variable fonts, such as
NotoSansCJK-VF, they cannot) and it has a glyph for 国.

Why the packaged fallback is still paperang-p2-fonts-cjk (docs/fonts.md has the survey):
every CJK font wheel on PyPI is a by-product of some other project, and none is better
kept. The Noto Sans SC wheels (pylopdf-fonts-zh-cn, justmytype-intl-cjk) are 17-30 MB and
ship CFF outlines or a variable font whose default instance is Thin; manimgx-fonts-cjk is
a 33 MB CFF2 variable font neither PDF writer embeds; mplfonts is 85 MB and ships SimHei,
which is not free. WenQuanYi Micro Hei is a finished font with TrueType outlines and a
free licence, 5 MB, which every writer here embeds; the wheel is pinned.

For text no font covers, :func:`require_glyphs` fails loudly (``font-missing``) rather than
drawing empty boxes. :func:`web_font` subsets the Han font for the HTML report.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from .errors import FontMissing

#: Environment variable naming a font file to fall back on (Han and other scripts).
FALLBACK_FONT_ENV = "NARRATIVE_DIFF_FONT"
#: Characters that need no glyph: controls, format marks, separators, combining marks.
_NO_GLYPH = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Cs", "Co", "Cn"}
#: Characters no font is asked to draw (controls and lone surrogates).
_NEVER_DRAWN = {"Cc", "Cs"}
#: Font files fpdf2, matplotlib and fontTools can all read.
_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")
#: System CJK families by preference (fontconfig's family names, lower case, prefixes).
_PREFERRED = (
    "noto sans cjk sc",
    "source han sans sc",
    "noto sans cjk",
    "source han sans",
    "noto sans sc",
    "wenquanyi micro hei",
    "wenquanyi zen hei",
)
#: fc-list's output: one font a line, tab-separated.
_FC_FORMAT = "%{file}\t%{index}\t%{family[0]}\t%{style[0]}\n"
#: The character a Han font must have.
_PROBE = 0x56FD  # 国


@dataclass(frozen=True)
class FontSet:
    """The font files used: a Latin/Cyrillic face (regular, bold) and a Han fallback."""

    regular: Path
    bold: Path
    cjk: Path | None
    cjk_name: str | None
    italic: Path | None = None
    bold_italic: Path | None = None
    #: the face of ``cjk`` in a collection (.ttc): 0 for a single font file
    cjk_index: int = 0
    #: ``cjk`` cut down to the characters of one report (:func:`fitted`), for the readers
    #: that parse a whole font in Python (fpdf2, fontTools): a few hundred glyphs, not 5-20 MB
    cjk_cut: Path | None = None

    @property
    def han_face(self) -> tuple[Path, int] | None:
        """The Han font file to embed and its face: the cut one when there is one."""
        if self.cjk_cut is not None:
            return self.cjk_cut, 0
        return None if self.cjk is None else (self.cjk, self.cjk_index)

    @property
    def families(self) -> list[str]:
        """matplotlib's font.family list: DejaVu Sans first, the Han font as fallback."""
        return ["DejaVu Sans"] + ([self.cjk_name] if self.cjk_name else [])


@cache
def font_set() -> FontSet:
    """The fonts this installation has (cached); the Han font may be missing."""
    folder = _matplotlib_data() / "fonts" / "ttf"
    cjk = _cjk_font()
    return FontSet(
        regular=folder / "DejaVuSans.ttf",
        bold=folder / "DejaVuSans-Bold.ttf",
        cjk=cjk[0] if cjk else None,
        cjk_name=cjk[2] if cjk else None,
        italic=folder / "DejaVuSans-Oblique.ttf",
        bold_italic=folder / "DejaVuSans-BoldOblique.ttf",
        cjk_index=cjk[1] if cjk else 0,
    )


def _matplotlib_data() -> Path:
    """matplotlib's data folder, found without importing matplotlib (0.2 s a process that
    sets a PDF's text does not need; the package keeps it beside its ``__init__``)."""
    from importlib.util import find_spec

    spec = find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise FontMissing(
            "matplotlib is not installed, and its DejaVu fonts are needed",
            hint="reinstall narrative-diff (pip install --force-reinstall narrative-diff)",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data"


def _cjk_font() -> tuple[Path, int, str] | None:
    """The Han font: (file, face index, family name), or None when there is none."""
    chosen = os.environ.get(FALLBACK_FONT_ENV)
    if chosen:
        path = Path(chosen)
        if not path.is_file() or path.suffix.lower() not in _SUFFIXES:
            raise FontMissing(
                f"{FALLBACK_FONT_ENV}={chosen} is not a usable font file",
                hint="point it at a .ttf, .ttc or .otf font with TrueType or CFF outlines, "
                "or unset it to use the system's or the bundled font",
            )
        return path, 0, _family_name(path, 0)
    found = _system_cjk()
    if found is not None:
        return found
    try:
        import paperang_p2_fonts_cjk
    except ImportError:
        return None
    path = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
    return (path, 0, _family_name(path, 0)) if path.is_file() else None


def _system_cjk() -> tuple[Path, int, str] | None:
    """The best CJK font fontconfig lists for Chinese that every writer here can use."""
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(
            [fc_list, "-f", _FC_FORMAT, ":lang=zh"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    candidates = sorted(
        (c for c in (_fc_entry(line) for line in listed.splitlines()) if c is not None),
        key=_preference,
    )
    for path, index, family, _style in candidates:
        if _usable(path, index):
            return path, index, family
    return None


def _fc_entry(line: str) -> tuple[Path, int, str, str] | None:
    """One line of :data:`_FC_FORMAT`: file, face index, first family, first style."""
    fields = line.split("\t")
    if len(fields) != 4 or Path(fields[0]).suffix.lower() not in _SUFFIXES:
        return None
    try:
        index = int(fields[1] or "0")
    except ValueError:
        return None
    return Path(fields[0]), index, fields[2].strip(), fields[3].strip()


def _preference(entry: tuple[Path, int, str, str]) -> tuple[int, int, int, str, int]:
    path, index, family, style = entry
    name = family.lower()
    rank = next((i for i, p in enumerate(_PREFERRED) if name.startswith(p)), len(_PREFERRED))
    sans = 0 if "sans" in name or "hei" in name else 1
    regular = 0 if style.lower() in ("regular", "book", "normal") else 1
    return rank, sans, regular, str(path), index


def _usable(path: Path, index: int) -> bool:
    from fontTools.ttLib import TTFont

    try:
        with path.open("rb") as handle, TTFont(handle, fontNumber=index, lazy=True) as font:
            outlines = "glyf" in font or "CFF " in font
            return outlines and _PROBE in (font.getBestCmap() or {})
    except Exception:  # a damaged system font is passed over, not fatal
        return False


def _family_name(path: Path, index: int) -> str:
    from fontTools.ttLib import TTFont

    try:
        with path.open("rb") as handle, TTFont(handle, fontNumber=index, lazy=True) as font:
            if "glyf" not in font and "CFF " not in font:
                raise ValueError("no TrueType or CFF outlines")
            return str(font["name"].getBestFamilyName())
    except Exception as exc:  # fontTools raises many kinds on a damaged file
        raise FontMissing(
            f"cannot use the font {path}: {exc}",
            hint=f"set {FALLBACK_FONT_ENV} to a .ttf/.ttc/.otf font with TrueType or CFF "
            "outlines, or unset it",
        ) from None


def is_cjk(ch: str) -> bool:
    """A character of the CJK scripts and their punctuation (the Han font's business)."""
    point = ord(ch)
    return (
        0x2E80 <= point <= 0x9FFF  # radicals, punctuation, kana, bopomofo, Hangul jamo, Han
        or 0xAC00 <= point <= 0xD7AF  # Hangul syllables
        or 0xF900 <= point <= 0xFAFF  # compatibility ideographs
        or 0xFE30 <= point <= 0xFE4F  # compatibility forms
        or 0xFF00 <= point <= 0xFFEF  # full-width and half-width forms
        or 0x20000 <= point <= 0x3FFFF  # extensions B and later
    )


def web_font(chars: Iterable[str], fonts: FontSet | None = None) -> tuple[bytes, list[int]] | None:
    """The Han font subset to the CJK characters of ``chars`` it has, as WOFF2, with the
    code points it covers (sorted); None when there are none or no Han font. The same
    characters give the same bytes (no timestamps, tables in a fixed order)."""
    fonts = fonts or font_set()
    wanted = sorted({ord(ch) for ch in set(chars) if is_cjk(ch)})
    face = fonts.han_face
    if face is None or not wanted:
        return None
    if fonts.cjk_cut is not None and not set(wanted) <= _cmap(fonts.cjk_cut, 0):
        face = (fonts.cjk, fonts.cjk_index) if fonts.cjk else face  # text the cut was not for
    import io

    from fontTools.ttLib import TTFont

    with TTFont(face[0], fontNumber=face[1], lazy=True, recalcTimestamp=False) as font:
        have = font.getBestCmap() or {}
        points = [p for p in wanted if p in have]
        if not points:
            return None
        _cut(font, points, flavor="woff2")
        font.flavor = "woff2"
        out = io.BytesIO()
        font.save(out)
    return out.getvalue(), points


def fitted(fonts: FontSet, texts: Iterable[str], folder: Path) -> FontSet:
    """``fonts`` for a report whose text is ``texts``: without a Han font when the Latin
    faces draw every character, else with the Han font cut to the characters of ``texts``
    it has and one of those faces lacks (:attr:`FontSet.cjk_cut`, saved in ``folder``):
    the whole font is parsed once, here, instead of by the PDF writer (0.2 s for
    WenQuanYi) and again for the HTML page's web font. Check the glyphs with the fonts
    this returns (:func:`require_glyphs`): the cut has every character the whole had."""
    if fonts.cjk is None:
        return fonts
    latin = latin_points(fonts)
    # what a Latin face lacks and the Han font may draw: an ideographic space (U+3000) or
    # a combining mark is drawn from the Han font as much as a Han character is
    needed = {
        point
        for point in {ord(ch) for text in texts for ch in set(text)}
        if point not in latin and unicodedata.category(chr(point)) not in _NEVER_DRAWN
    }
    whole = replace(fonts, cjk=None, cjk_name=None, cjk_index=0)
    if not needed:
        return whole
    from fontTools.ttLib import TTFont

    with TTFont(fonts.cjk, fontNumber=fonts.cjk_index, lazy=True, recalcTimestamp=False) as font:
        points = sorted(needed.intersection(font.getBestCmap() or {}))
        if not points:  # the Han font draws none of them either
            return whole
        _cut(font, points, flavor=None)
        path = folder / ("han.otf" if "CFF " in font else "han.ttf")
        font.save(path)
    return replace(fonts, cjk_cut=path)


def latin_points(fonts: FontSet) -> frozenset[int]:
    """The code points every DejaVu face of ``fonts`` has (the rest fall back to the Han
    font)."""
    faces = {fonts.regular, fonts.bold, fonts.italic, fonts.bold_italic}
    return frozenset.intersection(*(_points(face, 0) for face in faces if face is not None))


def _cut(font: Any, points: Sequence[int], *, flavor: str | None) -> None:
    """Subset ``font`` (a fontTools TTFont) in place to ``points``: for the web (WOFF2),
    without hinting (browsers hint CJK outlines themselves) and with CFF subroutines
    expanded (they compress better); else as it is, outlines and hinting unchanged."""
    import logging

    from fontTools import subset

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset"
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True  # a missing glyph prints as the font's own box
    if flavor == "woff2":
        options.flavor = flavor
        options.hinting = False
        options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=points)
    subsetter.subset(font)


def _cmap(path: Path, index: int) -> frozenset[int]:
    """The code points one font file has a glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


#: The same for the installed fonts, read once a process (a cut one is read each time: its
#: temporary file name may come again for another report's cut).
_points = cache(_cmap)


def _coverage(fonts: FontSet) -> frozenset[int]:
    """Every code point the font files have a glyph for."""
    regular = _points(fonts.regular, 0)
    if fonts.cjk_cut is not None:
        return regular | _cmap(fonts.cjk_cut, 0)
    return regular if fonts.cjk is None else regular | _points(fonts.cjk, fonts.cjk_index)


def missing_glyphs(texts: Iterable[str], fonts: FontSet | None = None) -> list[str]:
    """Characters of ``texts`` that no font file covers, in first-seen order."""
    fonts = fonts or font_set()
    have = _coverage(fonts)
    seen: dict[str, None] = {}
    for text in texts:
        for ch in set(text):
            if ord(ch) not in have and unicodedata.category(ch) not in _NO_GLYPH:
                seen.setdefault(ch)
    return sorted(seen)


def require_glyphs(texts: Iterable[str], fonts: FontSet | None = None) -> FontSet:
    """The font set, after checking it can draw every character of ``texts``."""
    fonts = fonts or font_set()
    missing = missing_glyphs(texts, fonts)
    if missing:
        shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise FontMissing(
            f"no font has glyphs for {shown}{more}",
            hint=f"set {FALLBACK_FONT_ENV} to a .ttf/.ttc/.otf font that has them (e.g. from "
            "Debian's fonts-noto-core for most scripts, fonts-noto-cjk for Han)",
        )
    return fonts
