"""The PDF document: fpdf2's FPDF with the report's fonts, footer and Han fallback.

Imported only when a PDF is made (fpdf2 costs about 0.1 s to import).

Why the fallback is switched per text: with a fallback face set, fpdf2 takes every string
apart character by character to find the glyphs the current face lacks. Without one it
sets a string as one piece. Most of a report is text the DejaVu faces draw whole, so the
Han face is set as the fallback only for a text that needs it (:meth:`Document.fallback_for`).
This saves 0.1–0.2 s of the ILRS report's PDF.
"""

from __future__ import annotations

import re

from fpdf import FPDF

from narrative_diff.fonts import FontSet, latin_points

#: Characters of categories Cc and Cf, but the line feed, tab and soft hyphen (a hyphenation
#: point: pyphen's, or the document's own): nothing to draw.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
GREY = (90, 90, 90)


class Document(FPDF):
    """An A4 page with the report's name and the page number in its footer; the DejaVu
    faces as "body" and the Han face (cut to the report's text) as "cjk"."""

    def __init__(self, fonts: FontSet, footer_name: str) -> None:
        super().__init__(format="A4", unit="mm")
        self._footer_name = footer_name
        self._latin = latin_points(fonts)
        self._han: list[str] = []
        self._falling_back: list[str] = []
        faces = {"": fonts.regular, "B": fonts.bold, "I": fonts.italic, "BI": fonts.bold_italic}
        for style, path in faces.items():
            self.add_font("body", style, str(path or fonts.regular))
        han = fonts.han_face  # cut to the report's characters (fonts.fitted): quick to parse
        if han is not None:
            # One face (it has one weight): bold or italic Han text falls back to it as
            # it is (exact_match=False).
            self.add_font("cjk", "", str(han[0]), collection_font_number=han[1])
            self._han = ["cjk"]

    def fallback_for(self, *texts: str) -> None:
        """Have the Han face as the fallback while ``texts`` are set if one of them has a
        character the DejaVu faces lack, else none (module docstring)."""
        wanted = self._han if any(not self._drawn_whole(text) for text in texts) else []
        self._fall_back(wanted)

    def _drawn_whole(self, text: str) -> bool:
        return text.isascii() or all(ord(ch) in self._latin for ch in set(text))

    def _fall_back(self, faces: list[str]) -> None:
        if faces != self._falling_back:
            self.set_fallback_fonts(faces, exact_match=False)
            self._falling_back = faces

    def normalize_text(self, text: str) -> str:
        # control and format characters (ESC, U+2066, NEL) have no glyph: drop them rather
        # than let fpdf2 warn on stderr and print nothing
        return super().normalize_text(_INVISIBLE.sub(lambda m: " " if m[0] == "\x85" else "", text))

    def footer(self) -> None:
        before = self._falling_back  # a page may end in the middle of a table
        name = f"narrative-diff report: {self._footer_name}"
        self.fallback_for(name)
        self.set_y(-12)
        self.set_font("body", size=8)
        self.set_text_color(*GREY)
        self.cell(0, 6, name, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="R")
        self._fall_back(before)
