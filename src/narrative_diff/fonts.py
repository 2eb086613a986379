"""Fonts for the charts and the PDF report, found offline and checked before use.

Official texts in a series mix Latin, Cyrillic and Chinese, and a chart or PDF that shows
an empty box instead of 俄 is worse than no chart. Two font files cover them:

* DejaVu Sans (regular, bold, oblique), which matplotlib ships: Latin, Greek, Cyrillic;
* WenQuanYi Micro Hei, from the ``paperang-p2-fonts-cjk`` package on PyPI, for Han text.
  It has TrueType outlines, which matplotlib's PDF backend and fpdf2 can both subset and
  embed (Noto Sans CJK ships CFF outlines, which they cannot), and it is 5 MB.

``NARRATIVE_DIFF_FONT`` names another TrueType file (.ttf or .ttc) to fall back on, in
place of WenQuanYi Micro Hei: for Han text, or for a script neither font has (Devanagari,
Thai, …). For text no font covers, :func:`require_glyphs` fails loudly (``font-missing``)
rather than drawing empty boxes.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import FontMissing

#: Environment variable naming a TrueType font to fall back on (Han and other scripts).
FALLBACK_FONT_ENV = "NARRATIVE_DIFF_FONT"
#: Characters that need no glyph: controls, format marks, separators, combining marks.
_NO_GLYPH = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Cs", "Co", "Cn"}


@dataclass(frozen=True)
class FontSet:
    """The font files used: a Latin/Cyrillic face (regular, bold) and a Han fallback."""

    regular: Path
    bold: Path
    cjk: Path | None
    cjk_name: str | None
    italic: Path | None = None
    bold_italic: Path | None = None

    @property
    def families(self) -> list[str]:
        """matplotlib's font.family list: DejaVu Sans first, the Han font as fallback."""
        return ["DejaVu Sans"] + ([self.cjk_name] if self.cjk_name else [])


@cache
def font_set() -> FontSet:
    """The fonts this installation has (cached); the Han font may be missing."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    cjk = _cjk_path()
    return FontSet(
        regular=folder / "DejaVuSans.ttf",
        bold=folder / "DejaVuSans-Bold.ttf",
        cjk=cjk,
        cjk_name=_family_name(cjk) if cjk else None,
        italic=folder / "DejaVuSans-Oblique.ttf",
        bold_italic=folder / "DejaVuSans-BoldOblique.ttf",
    )


def _cjk_path() -> Path | None:
    chosen = os.environ.get(FALLBACK_FONT_ENV)
    if chosen:
        path = Path(chosen)
        if not path.is_file() or path.suffix.lower() not in (".ttf", ".ttc"):
            raise FontMissing(
                f"{FALLBACK_FONT_ENV}={chosen} is not a TrueType font file",
                hint="point it at a .ttf or .ttc file (CFF .otf fonts cannot be embedded), "
                "or unset it to use the bundled font",
            )
        return path
    try:
        import paperang_p2_fonts_cjk
    except ImportError:
        return None
    path = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
    return path if path.is_file() else None


def _family_name(path: Path) -> str:
    from fontTools.ttLib import TTFont

    try:
        with path.open("rb") as handle, TTFont(handle, fontNumber=0, lazy=True) as font:
            if "glyf" not in font:
                raise ValueError("no TrueType outlines")
            return str(font["name"].getBestFamilyName())
    except Exception as exc:  # fontTools raises many kinds on a damaged file
        raise FontMissing(
            f"cannot use the font {path}: {exc}",
            hint=f"set {FALLBACK_FONT_ENV} to a TrueType (.ttf/.ttc) font, or unset it",
        ) from None


@cache
def _coverage(fonts: FontSet) -> frozenset[int]:
    """Every code point the font files have a glyph for."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for path in (fonts.regular, fonts.cjk):
        if path is not None:
            with TTFont(path, fontNumber=0, lazy=True) as font:
                points.update(font.getBestCmap())
    return frozenset(points)


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
            hint=f"set {FALLBACK_FONT_ENV} to a .ttf/.ttc font that has them (e.g. from "
            "Debian's fonts-noto-core for most scripts, fonts-wqy-microhei for Han)",
        )
    return fonts
