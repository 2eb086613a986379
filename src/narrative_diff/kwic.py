"""Keyword in context: every mention of an actor, or every occurrence of any word, phrase or
regular expression, with its left and right context in aligned columns.

An actor key or name (``russia``, ``Russia``) gives the actor's mentions as the scores count
them (alias, weight; one row per mention span). Anything else is searched as a phrase:
case-insensitively, with whitespace runs matching any whitespace and each Han character
matching its traditional and simplified forms (OpenCC), so ``kwic 国家航天局`` also finds
國家航天局; ``--regex`` searches a regular expression instead (the ``regex`` module, with the
time limit actors-file patterns have). A word that is neither an actor nor found, but close
to an actor key or name, is refused with a "did you mean".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from .budget import PATTERN_BUDGET_ENV, PATTERN_SECONDS_PER_MB, PatternBudget
from .errors import ActorNotFound, UsageProblem
from .prefilter import LineFilter, line_filter
from .segment import Segmented, segment
from .text import HAN, han_variant

if TYPE_CHECKING:
    import regex

    from .actors import ActorSet
    from .snapshot import Snapshot

DEFAULT_WINDOW = 40
_HEADING = re.compile(r"(?:^|\n)#{1,6}[ \t]+")  # Markdown heading marks are not context
KWIC_COLUMNS = (
    "ref", "date", "snapshot", "sentence", "where", "left", "keyword", "right",
    "alias", "weight", "start", "end",
)  # fmt: skip


@dataclass(frozen=True)
class KwicRow:
    """One occurrence: where it is, the keyword as written, ``window`` characters of context
    on each side (whitespace collapsed, "…" where cut), and, for an actor, the alias that
    fired and the mention's weight."""

    ref: str
    date: str
    snapshot: str
    sentence: int
    where: str
    left: str
    keyword: str
    right: str
    alias: str | None
    weight: float | None
    start: int
    end: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def keyword_rows(
    snapshots: Sequence[Snapshot],
    refs: dict[str, str],
    term: str,
    actors: ActorSet,
    *,
    regex_search: bool = False,
    window: int = DEFAULT_WINDOW,
) -> list[KwicRow]:
    """The occurrences of ``term`` in ``snapshots`` (date order), rules in the module
    docstring; ``refs`` maps snapshot ids to ``vN``."""
    if not term.strip():
        raise UsageProblem(
            "kwic needs a word, phrase or actor", hint="e.g. narrative-diff kwic russia"
        )
    actor = None if regex_search else _actor(actors, term)
    if actor is not None:
        return _actor_rows(snapshots, refs, actor, actors, window)
    pattern = _compile(term) if regex_search else phrase_pattern(term)
    budget = PatternBudget(1)  # all snapshots together
    lines = None if isinstance(pattern, re.Pattern) else line_filter(pattern)  # once
    rows = [
        _row(snap, refs, seg, start, end, window)
        for snap in snapshots
        for seg in (segment(snap.body, snap.language),)
        for start, end in _search(pattern, snap.body, term, budget, lines)
    ]
    if not rows and not regex_search:
        close = _close_actor(actors, term)
        if close:
            raise ActorNotFound(
                f"'{term}' is not an actor and does not occur in the series",
                hint=f"did you mean '{close}'? (narrative-diff actors lists them)",
            )
    return rows


def _actor(actors: ActorSet, term: str) -> str | None:
    """The key of the actor named by ``term`` (key or name, any case), else None."""
    folded = term.strip().casefold()
    for actor in actors.actors:
        if folded in (actor.key, actor.name.casefold()):
            return actor.key
    return None


def _close_actor(actors: ActorSet, term: str) -> str | None:
    names = {a.key: a.key for a in actors.actors}
    names |= {a.name.casefold(): a.key for a in actors.actors}
    found = difflib.get_close_matches(term.strip().casefold(), list(names), n=1, cutoff=0.75)
    return names[found[0]] if found else None


def _actor_rows(
    snapshots: Sequence[Snapshot], refs: dict[str, str], key: str, actors: ActorSet, window: int
) -> list[KwicRow]:
    from .scoring import Weights, score_all

    rows: list[KwicRow] = []
    seen: set[tuple[str, int, int]] = set()
    for score in score_all(snapshots, actors, weights=Weights()):
        body = score.snapshot.body
        for m in score.mentions:
            if m.actor != key or (m.snapshot, m.start, m.end) in seen:
                continue  # two aliases firing on one span are one mention
            seen.add((m.snapshot, m.start, m.end))
            left, right = _context(body, m.start, m.end, window)
            keyword = " ".join(body[m.start : m.end].split())
            rows.append(
                KwicRow(
                    refs.get(m.snapshot, "-"),
                    m.date,
                    m.snapshot,
                    m.sentence,
                    m.where,
                    left,
                    keyword,
                    right,
                    m.alias,
                    m.weight,
                    m.start,
                    m.end,
                )
            )
    return rows


def _row(
    snap: Snapshot, refs: dict[str, str], seg: Segmented, start: int, end: int, window: int
) -> KwicRow:
    sentence = next(
        (s for s in seg.sentences if s.start <= start < max(s.end, s.start + 1)),
        seg.sentences[-1] if seg.sentences else None,
    )
    index = sentence.index if sentence else 0
    where = _where(seg, sentence.block) if sentence else "body"
    left, right = _context(snap.body, start, end, window)
    keyword = " ".join(snap.body[start:end].split())  # one line; start and end are exact
    return KwicRow(
        refs.get(snap.id, "-"),
        snap.date.isoformat(),
        snap.id,
        index,
        where,
        left,
        keyword,
        right,
        None,
        None,
        start,
        end,
    )


def _where(seg: Segmented, block: int) -> str:
    """title, heading, lead (the first paragraph) or body, as the scores weigh them."""
    kind = seg.blocks[block].kind
    if kind != "paragraph":
        return kind
    lead = next((b.index for b in seg.blocks if b.kind == "paragraph"), None)
    return "lead" if block == lead else "body"


def _context(body: str, start: int, end: int, window: int) -> tuple[str, str]:
    """``window`` characters before and after a span, on one line, "…" where cut."""
    before = " ".join(_HEADING.sub(" ", body[max(0, start - window * 2) : start]).split())
    after = " ".join(_HEADING.sub(" ", body[end : end + window * 2]).split())
    left = before[-window:] if window else ""
    right = after[:window] if window else ""
    if len(before) > len(left) or (start > window * 2 and left):
        left = "…" + left
    if len(after) > len(right) or (end + window * 2 < len(body) and right):
        right += "…"
    return left, right


def phrase_pattern(term: str) -> re.Pattern[str]:
    """A phrase as a pattern: any case, any whitespace between words, either Chinese script."""
    parts = []
    for ch in " ".join(term.split()):
        if ch == " ":
            parts.append(r"\s+")
        elif HAN.match(ch):
            forms = _han_forms(ch)
            parts.append(f"[{''.join(forms)}]" if len(forms) > 1 else re.escape(ch))
        else:
            parts.append(re.escape(ch))
    pattern = "".join(parts)
    bounded = rf"(?<!\w){pattern}(?!\w)" if term.strip()[-1:].isalnum() else pattern
    if HAN.match(term.strip()[:1]) or HAN.match(term.strip()[-1:]):
        bounded = pattern  # Chinese has no spaces between words
    return re.compile(bounded, re.IGNORECASE)


def _han_forms(ch: str) -> tuple[str, ...]:
    return tuple(sorted({ch, han_variant(ch, "t2s"), han_variant(ch, "s2t")}))


def _compile(term: str) -> regex.Pattern[str]:
    import regex

    try:
        return regex.compile(term, regex.IGNORECASE | regex.V0)
    except (regex.error, ValueError, OverflowError, RecursionError) as exc:
        shown = " ".join(str(exc).split())[:120]
        raise UsageProblem(
            f"--regex '{term[:60]}' is not a valid regular expression ({shown})",
            hint="check the pattern, or drop --regex to search it as a phrase",
            slug="bad-pattern",
        ) from None


def _search(
    pattern: re.Pattern[str] | regex.Pattern[str],
    text: str,
    term: str,
    budget: PatternBudget,
    lines: LineFilter | None = None,
) -> list[tuple[int, int]]:
    """The non-empty spans of ``pattern`` in ``text``; a ``--regex`` within the limit of
    one search and the budget of the command (:mod:`narrative_diff.budget`: only the
    searching counts, not the rest of the work on each snapshot), over only the lines
    ``lines`` names when it has a filter (:mod:`narrative_diff.prefilter`)."""
    if isinstance(pattern, re.Pattern):
        return [(a, b) for a, b in (m.span() for m in pattern.finditer(text)) if b > a]
    searched = budget.search(0, pattern, text, lines)
    if searched.matches is not None:
        return [(a, b) for a, b in (m.span() for m in searched.matches) if b > a]
    if not searched.one_search:
        raise UsageProblem(
            f"--regex '{term[:60]}' took more than its budget over the series "
            f"({budget.seconds:g} s, besides {PATTERN_SECONDS_PER_MB:g} s for each million "
            "characters searched: the budget of one command)",
            hint="simplify the pattern (adjacent repeats such as \\w+\\w+ take "
            f"polynomial time), search fewer snapshots, or raise ${PATTERN_BUDGET_ENV}",
            slug="pattern-budget",
        )
    raise UsageProblem(
        f"--regex '{term[:60]}' took more than {searched.limit:.3g} s on one snapshot",
        hint="simplify the pattern (nested repeats such as (a+)+ backtrack without end)",
        slug="bad-pattern",
    )
