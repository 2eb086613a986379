"""Where a user pattern can match: the lines that hold one of its required literals.

Why: a pattern such as the bundled ``(?i)\\b(?:...)?(?:\\d+|three|...) (?:countries|nations|
...)\\b`` begins with ``\\b`` under ``(?i)``, so neither ``re`` nor ``regex`` finds a literal
to skip ahead with: it is tried at every position of a long text (0.05 s a million
characters) for a handful of matches. Its parse tree says more:

1. every match contains one of a few *required literals* ("countries", "nations", ...);
2. no part of it, lookarounds included, can match a newline, and it never asks for the end
   of the text (``$`` without ``(?m)``, ``\\Z``: those would see the end of a window).

Then a match lies within one line that holds a required literal, and
:meth:`LineFilter.finditer` runs the pattern only over such lines, found by literal
searches that take a millisecond a million characters. A window is searched with ``pos``
and ``endpos`` rather than sliced, so lookbehinds, ``\\b`` and ``^`` see the text before it
as the whole-text search does; the window keeps its newline for lookaheads. The matches are
exactly those of ``compiled.finditer(text)``. Patterns the analysis cannot vouch for get no
filter (:func:`line_filter` returns None) and are searched whole as before, as are those
that begin with a literal (the engine already skips ahead to it).

The tree comes from ``re``'s parser (private but stable, as in
:func:`~narrative_diff.forms.nested_repeat`) while the ``regex`` module matches, so a
pattern whose reading could differ between the two is refused: ``regex`` flags beyond
``re``'s (version 1, full case folding, ...), verbose mode, POSIX classes (``[[:alpha:]]``)
and literal braces (``regex`` reads ``{e<=1}`` as fuzzy matching). The literals are looked
for with ``regex`` itself, case-insensitively where the pattern is (an exact superset of
what the pattern's own literals match), so the two engines never have to agree on case.
"""

from __future__ import annotations

import importlib
import re
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import regex

#: The shortest required literal worth a search: shorter ones occur on nearly every line.
MIN_LITERAL = 3
_NEWLINE = ord("\n")
_BRACE = ord("{")
#: (text, case-insensitive): one required literal.
Literal: TypeAlias = tuple[str, bool]
_Finder: TypeAlias = Callable[[str, int], int]


class LineFilter:
    """The required literals of one pattern that never matches a newline (module
    docstring); :meth:`finditer` searches only the lines that hold one of them."""

    def __init__(self, literals: Iterable[Literal]) -> None:
        import regex

        self.literals = _without_redundant(set(literals))
        # re when the case must match (its literal search beats str.find and is the same
        # test: equal code points), else regex's own case rule
        self._finders = [
            _finder(regex.compile(regex.escape(text), regex.IGNORECASE | regex.V0))
            if folded
            else _finder(re.compile(re.escape(text)))
            for text, folded in self.literals
        ]

    def __repr__(self) -> str:
        return f"LineFilter({list(self.literals)!r})"

    def lines(self, text: str) -> list[tuple[int, int]]:
        """The lines of ``text`` that hold a literal, in order: (start, end), ``end`` being
        the index of the line's newline or the length of the text."""
        lines: dict[int, int] = {}
        for find in self._finders:
            pos = 0
            while (hit := find(text, pos)) >= 0:
                start = text.rfind("\n", 0, hit) + 1
                end = text.find("\n", hit)
                end = len(text) if end < 0 else end
                lines[start] = end
                pos = end + 1  # one hit is enough for a line
        return sorted(lines.items())

    def finditer(
        self, compiled: regex.Pattern[str], text: str, timeout: float
    ) -> list[regex.Match[str]]:
        """What ``list(compiled.finditer(text, timeout=timeout))`` gives, searching only
        the lines :meth:`lines` names: the same matches, and the same TimeoutError once
        ``timeout`` seconds have gone on all of it together."""
        began = time.perf_counter()
        found: list[regex.Match[str]] = []
        for start, end in self.lines(text):
            left = timeout - (time.perf_counter() - began)
            if left <= 0:
                raise TimeoutError("regex timed out")
            found.extend(compiled.finditer(text, start, min(end + 1, len(text)), timeout=left))
        return found


def _finder(compiled: re.Pattern[str] | regex.Pattern[str]) -> _Finder:
    def find(text: str, pos: int) -> int:
        match = compiled.search(text, pos)
        return -1 if match is None else match.start()

    return find


def _without_redundant(literals: set[Literal]) -> tuple[Literal, ...]:
    """Drop a literal that contains another one which finds it anyway (a line holding
    "international partners" holds "partners"), sorted for a stable order."""
    return tuple(
        sorted(
            (text, folded)
            for text, folded in literals
            if not any(
                other != text and other in text and (other_folded or not folded)
                for other, other_folded in literals
            )
        )
    )


def line_filter(compiled: regex.Pattern[str]) -> LineFilter | None:
    """The line filter of a compiled pattern, or None when it has no required literal of
    :data:`MIN_LITERAL` characters, might match a newline or the end of the text, or is
    one the analysis cannot vouch for (module docstring). None too for a pattern that
    begins with a literal ("Sino(?=-)"): the engine skips ahead to it as fast as the
    filter's own search, without a search per line. Computed once per pattern: it parses
    the pattern."""
    parsed = _parse(compiled)
    c = _opcodes()
    if parsed is None or not _one_line(parsed, parsed.state.flags, c):
        return None
    if len(parsed) and parsed[0][0] is c.LITERAL:
        return None
    literals = required_literals(compiled, parsed)
    return None if literals is None else LineFilter(literals)


def one_line(compiled: regex.Pattern[str]) -> bool:
    """Whether no match of ``compiled`` can touch a newline (lookarounds included) or the
    end of the text: fact 2 of the module docstring (False when not vouched for)."""
    parsed = _parse(compiled)
    return parsed is not None and _one_line(parsed, parsed.state.flags, _opcodes())


def required_literals(compiled: regex.Pattern[str], parsed: Any = None) -> set[Literal] | None:
    """Literals one of which every match of ``compiled`` contains (case-insensitively where
    marked), each of :data:`MIN_LITERAL` characters or more: fact 1 of the module
    docstring; None when there are none (or the pattern is not vouched for)."""
    parsed = _parse(compiled) if parsed is None else parsed
    if parsed is None:
        return None
    return _required(parsed, bool(parsed.state.flags & re.IGNORECASE), _opcodes())


def _opcodes() -> Any:
    return importlib.import_module("re._constants")  # the parse tree's opcodes (private)


def _parse(compiled: regex.Pattern[str]) -> Any:
    """``re``'s parse tree of a ``regex`` pattern whose reading the two modules share, else
    None (module docstring)."""
    import regex

    plain = regex.IGNORECASE | regex.MULTILINE | regex.DOTALL | regex.UNICODE | regex.ASCII
    if compiled.flags & ~(plain | regex.V0) or "[:" in compiled.pattern:
        return None
    parser = importlib.import_module("re._parser")
    # the same bits in both modules (regex.ASCII is re.DEBUG's: it is not passed)
    flags = compiled.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "possible nested set": regex may read it apart
            return parser.parse(compiled.pattern, flags)
    except (re.error, Warning, RecursionError, OverflowError, ValueError):
        return None  # not re's syntax (a regex-only construct), or absurd


def _repeats(c: Any) -> tuple[Any, ...]:
    return (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT))


def _scoped(flag: int, on: bool, add: int, delete: int) -> bool:
    """Whether ``flag`` holds inside ``(?add-delete:...)`` when it was ``on`` outside."""
    return (on or bool(add & flag)) and not delete & flag


def _one_line(items: Any, flags: int, c: Any) -> bool:
    """No node can match a newline or needs the end of the text (``flags``: those in force,
    ``re``'s); anything not understood (backreferences, unknown opcodes) counts as a no."""
    for op, av in items:
        if op is c.LITERAL:
            ok = av not in (_NEWLINE, _BRACE)
        elif op is c.NOT_LITERAL:
            ok = av == _NEWLINE
        elif op is c.ANY:
            ok = not flags & re.DOTALL
        elif op is c.IN:
            ok = not _has_newline(av, c)
        elif op is c.AT:
            # ^ and \A match at the text's start (or, with (?m), after a newline) whatever
            # pos is; (?m)$ before the newline the window keeps; $ without (?m) would match
            # before that newline too (endpos ends the text); \Z is refused with it
            ok = av in (c.AT_BEGINNING, c.AT_BEGINNING_STRING, c.AT_BOUNDARY, c.AT_NON_BOUNDARY)
            ok = ok or (av is c.AT_END and bool(flags & re.MULTILINE))
        elif op is c.BRANCH:
            ok = all(_one_line(branch, flags, c) for branch in av[1])
        elif op is c.SUBPATTERN:
            _group, add, delete, sub = av
            ok = _one_line(sub, (flags | add) & ~delete, c)
        elif op in _repeats(c):
            ok = _one_line(av[2], flags, c)
        elif op is c.ATOMIC_GROUP:
            ok = _one_line(av, flags, c)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            ok = _one_line(av[1], flags, c)
        elif op is c.GROUPREF_EXISTS:
            ok = all(_one_line(sub, flags, c) for sub in av[1:] if sub is not None)
        else:
            ok = False
        if not ok:
            return False
    return True


def _has_newline(items: Sequence[tuple[Any, Any]], c: Any) -> bool:
    """Whether a character class (``IN``'s items) contains the newline."""
    without = (c.CATEGORY_DIGIT, c.CATEGORY_WORD, c.CATEGORY_NOT_SPACE, c.CATEGORY_NOT_LINEBREAK)
    negate = member = False
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            member = member or av == _NEWLINE
        elif op is c.RANGE:
            member = member or av[0] <= _NEWLINE <= av[1]
        elif op is c.CATEGORY:
            member = member or av not in without
        else:
            return True  # not understood: assume the worst
    return member != negate


def _required(items: Any, folded: bool, c: Any) -> set[Literal] | None:
    """A set of literals one of which every match of ``items`` contains (the best of those
    found: longest shortest literal, then fewest), or None. Only consumed text counts:
    assertions give none, and optional parts (a repeat that may be absent, a branch with
    an alternative lacking one) give none."""
    best: set[Literal] | None = None
    run: list[Literal] = []  # consecutive literal characters (each with its case rule)

    def consider(found: set[Literal] | None) -> None:
        nonlocal best
        if found and (best is None or _rank(found) > _rank(best)):
            best = found

    def flush() -> None:
        if len(run) >= MIN_LITERAL:
            consider({("".join(char for char, _ in run), any(f for _, f in run))})
        run.clear()

    for op, av in items:
        if op is c.LITERAL:
            run.append((chr(av), folded))
            continue
        if op is c.SUBPATTERN:
            _group, add, delete, sub = av
            inner = _scoped(re.IGNORECASE, folded, add, delete)
            fixed = _fixed(sub, inner, c)
            if fixed is not None:  # "(abc)": part of the run around it
                run.extend(fixed)
                continue
            flush()
            consider(_required(sub, inner, c))
        elif op in _repeats(c):
            flush()
            if av[0] >= 1:
                consider(_required(av[2], folded, c))
        elif op is c.ATOMIC_GROUP:
            flush()
            consider(_required(av, folded, c))
        elif op is c.BRANCH:
            flush()
            consider(_union([_required(branch, folded, c) for branch in av[1]]))
        elif op is c.GROUPREF_EXISTS:
            flush()
            _group, yes, no = av
            absent = None if no is None else _required(no, folded, c)
            consider(_union([_required(yes, folded, c), absent]))
        else:
            flush()  # a class, an assertion, ...: ends the run
    flush()
    return best


def _fixed(items: Any, folded: bool, c: Any) -> list[Literal] | None:
    """The characters of ``items`` when it is only literals (in groups or not), else None."""
    chars: list[Literal] = []
    for op, av in items:
        if op is c.LITERAL:
            chars.append((chr(av), folded))
        elif op is c.SUBPATTERN:
            inner = _fixed(av[3], _scoped(re.IGNORECASE, folded, av[1], av[2]), c)
            if inner is None:
                return None
            chars.extend(inner)
        else:
            return None
    return chars


def _union(alternatives: list[set[Literal] | None]) -> set[Literal] | None:
    if any(not alternative for alternative in alternatives):
        return None
    return set().union(*(a for a in alternatives if a))


def _rank(literals: set[Literal]) -> tuple[int, int]:
    return min(len(text) for text, _ in literals), -len(literals)
