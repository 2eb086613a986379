"""Layout helpers shared by the report's renderers: hyphenation points and the pivoted
score table.

* Narrow table cells break long words. Without hyphenation points a PDF breaks a word
  wherever the cell ends ("dem / onstration"); with them (pyphen's dictionaries, offline)
  it breaks at a syllable and prints a hyphen. Only words of letters get them: ids, URLs
  and numbers stay whole.
* An editor reads the score table as actors down and snapshots across; the long form (one
  row per snapshot and actor) stays in the appendix and the CSV.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyphen

    from .model import Report

#: Snapshot columns of the pivoted table per band (a wider series gets several bands).
PIVOT_COLUMNS = 8
SOFT_HYPHEN = "\u00ad"
_WORD = re.compile(r"(?<![\w./:@=?&#%~+-])[^\W\d_]{8,}(?![\w./:@=?&#%~+-])")
_DICTIONARIES = {"en": "en_US", "ru": "ru_RU", "de": "de_DE", "fr": "fr_FR", "es": "es"}


@cache
def _dictionary(lang: str) -> pyphen.Pyphen | None:
    import pyphen

    name = _DICTIONARIES.get(lang.split("-")[0].lower())
    return pyphen.Pyphen(lang=name) if name else None


def hyphenated(text: str, lang: str = "en") -> str:
    """``text`` with soft hyphens at the hyphenation points of its long words.

    >>> hyphenated("A demonstration at ilrs/2021-06-roadmap-guide").replace(SOFT_HYPHEN, "|")
    'A demon|stra|tion at ilrs/2021-06-roadmap-guide'
    """
    words = _dictionary(lang)
    if words is None or len(text) < 8:
        return text
    return _WORD.sub(lambda m: words.inserted(m[0], hyphen=SOFT_HYPHEN), text)


@dataclass(frozen=True)
class Grid:
    """The score table pivoted: ``cells[(actor, ref)]`` reads "mentions · prominence"."""

    actors: tuple[str, ...]
    refs: tuple[str, ...]
    cells: dict[tuple[str, str], str]


def pivot(report: Report) -> Grid:
    """Actors (in the actors file's order) × snapshots (in date order)."""
    refs = tuple(s.ref for s in report.snapshots)
    actors = tuple(dict.fromkeys(row.actor_name for row in report.table))
    cells = {(actor, ref): "–" for actor in actors for ref in refs}
    for row in report.table:
        if row.count:
            cells[(row.actor_name, row.ref)] = f"{row.count} · {row.prominence:.1f}"
        elif row.event == "DISAPPEARED":
            cells[(row.actor_name, row.ref)] = "gone"
    return Grid(actors, refs, cells)
