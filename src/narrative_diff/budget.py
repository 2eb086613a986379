"""The time user patterns may spend searching: the actor patterns of an actors file, and
``kwic --regex``.

A pattern written by a user can take polynomial or exponential time (``\\w+\\w+\\w+``,
``(a+)+``); the ``regex`` module stops a search after a timeout, and these limits decide it:

- one search of one text may take :data:`PATTERN_SECONDS`, and :data:`PATTERN_SECONDS_PER_MB`
  more for each MB (a million characters) of that text;
- all the patterns of one command share a budget (:data:`PATTERN_BUDGET`,
  ``$NARRATIVE_DIFF_PATTERN_SECONDS``). Each pattern may also spend
  :data:`PATTERN_SECONDS_PER_MB` for each MB it has searched, its own allowance: only what it
  spends beyond that comes out of the shared budget. So a long series is not refused for its
  length, and one costly pattern cannot live on the allowance of the cheap ones beside it.

Once the budget is spent, the next search is refused before it starts. A pattern with a
:class:`~narrative_diff.prefilter.LineFilter` searches only the lines that can hold a match
(the same matches, sooner); the limit and the charge are those of the whole search.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

    from .prefilter import LineFilter

#: The longest one pattern may search one text of under a MB (then it is refused).
PATTERN_SECONDS = 2.0
#: The time all patterns may spend in one command beyond their allowances, every text
#: together: eight patterns each just under the limit above, over every text of a report,
#: took minutes. ``$NARRATIVE_DIFF_PATTERN_SECONDS`` sets another.
PATTERN_BUDGET = 10.0
PATTERN_BUDGET_ENV = "NARRATIVE_DIFF_PATTERN_SECONDS"
#: What one pattern may spend on each MB (million characters) it searches, beyond the
#: budget. The slowest bundled pattern took 0.04–0.08 s a MB searched whole (two days on
#: this 2-core machine; 0.005–0.02 since it is searched by lines,
#: :mod:`narrative_diff.prefilter`); ``[a-z]+[a-z]+[a-z]+\\d`` 0.26 and
#: ``\\w+\\w+\\w+\\w+\\w+\\d`` 0.75 on ordinary English, so those spend the budget as
#: they go.
PATTERN_SECONDS_PER_MB = 0.25


def pattern_budget() -> float:
    """Seconds all patterns may take in one command beyond their allowances:
    ``$NARRATIVE_DIFF_PATTERN_SECONDS`` when it is a positive number, else
    :data:`PATTERN_BUDGET`."""
    raw = os.environ.get(PATTERN_BUDGET_ENV, "")
    try:
        seconds = float(raw)
    except ValueError:
        return PATTERN_BUDGET
    return seconds if math.isfinite(seconds) and seconds > 0 else PATTERN_BUDGET


def _allowed(chars: int) -> float:
    return chars * PATTERN_SECONDS_PER_MB / 1e6


@dataclass(frozen=True)
class Searched:
    """What :meth:`PatternBudget.search` found: the matches, or None when the search was
    stopped (or refused), and the limit it had: that of one search (``one_search``), else
    what was left of the budget."""

    matches: list[regex.Match[str]] | None
    limit: float
    one_search: bool


class PatternBudget:
    """The time ``patterns`` patterns may spend in one command (module docstring):
    :meth:`search` (:meth:`limit` before each search, :meth:`spend` after it)."""

    def __init__(self, patterns: int, seconds: float | None = None) -> None:
        self.seconds = pattern_budget() if seconds is None else seconds
        self.spent = [0.0] * patterns
        self.searched = [0] * patterns  # characters

    def over(self) -> float:
        """What the patterns spent beyond their allowances: what the budget paid."""
        return sum(
            max(0.0, spent - _allowed(chars))
            for spent, chars in zip(self.spent, self.searched, strict=True)
        )

    def limit(self, pattern: int, chars: int) -> tuple[float, bool]:
        """How long pattern ``pattern`` may search a text of ``chars`` characters, and
        whether that is the limit of one search (else: what is left of the budget, which
        is 0 or less when it is spent: refuse without searching)."""
        self.searched[pattern] += chars
        one = PATTERN_SECONDS + _allowed(chars)
        own = _allowed(self.searched[pattern]) - self.spent[pattern]
        left = self.seconds - self.over() + max(own, 0.0)
        return (one, True) if one <= left else (left, False)

    def spend(self, pattern: int, seconds: float) -> None:
        self.spent[pattern] += seconds

    def search(
        self,
        pattern: int,
        compiled: regex.Pattern[str],
        text: str,
        lines: LineFilter | None = None,
    ) -> Searched:
        """Pattern number ``pattern`` (``compiled``) over ``text`` (only the lines
        ``lines`` names, when given), within its limit; the caller says what a stopped
        search means (:class:`Searched`)."""
        limit, one_search = self.limit(pattern, len(text))
        if limit > 0:
            began = time.perf_counter()
            try:  # the regex module can stop a pattern that backtracks without end
                if lines is None:
                    found = list(compiled.finditer(text, timeout=limit))
                else:
                    found = lines.finditer(compiled, text, limit)
                return Searched(found, limit, one_search)
            except TimeoutError:
                pass
            finally:
                self.spend(pattern, time.perf_counter() - began)
        return Searched(None, limit, one_search)

    def costliest(self) -> int:
        """The pattern that took most of the budget (beyond its allowance)."""
        return max(
            range(len(self.spent)),
            key=lambda k: self.spent[k] - _allowed(self.searched[k]),
        )
