"""How an alias is written and found: its inflected Russian forms, one trie-shaped regular
expression for all forms of all aliases, the scan that tries them longest first, and the
check that keeps user patterns from backtracking without bound.

Separate from :mod:`narrative_diff.actors` (the actors file and the matcher built from it)
because none of it knows about actors: it is text machinery the matcher composes.
"""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeAlias


def nested_repeat(parsed: Any, inside: bool = False) -> bool:
    """Whether a parsed pattern repeats something that itself repeats ("(a+)+", "(a*b?)*"):
    the shape of catastrophic backtracking, refused so that matching stays bounded."""
    c = importlib.import_module("re._constants")  # the parse tree's opcodes (stdlib, private)

    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
    for op, value in parsed:
        if op in repeats:
            _low, high, sub = value
            many = high is c.MAXREPEAT or high > 1
            if (inside and many) or nested_repeat(sub, inside or many):
                return True
        elif (
            (op is c.SUBPATTERN and nested_repeat(value[-1], inside))
            or (op is c.BRANCH and any(nested_repeat(b, inside) for b in value[1]))
            or (op in (c.ASSERT, c.ASSERT_NOT) and nested_repeat(value[1], inside))
        ):
            return True
    return False


def join_regex(*parts: tuple[Iterable[str], str]) -> re.Pattern[str] | None:
    """One pattern from the tries of several sets of forms (:func:`trie_regex`), each
    behind its own prefix assertion (compiled once: each trie alone is not)."""
    tries = [(trie, prefix) for forms, prefix in parts if (trie := trie_pattern(forms))]
    if not tries:
        return None
    return re.compile("|".join(f"(?:{prefix}{trie})" for trie, prefix in tries))


#: A character trie: each character maps to the trie of what may follow; "" ends a form.
_Trie: TypeAlias = dict[str, "_Trie"]


def trie_regex(forms: Iterable[str]) -> re.Pattern[str] | None:
    """One regular expression for all forms, longest first: a trie, so the engine tries few
    branches per position. A space matches any whitespace run. The caller checks word
    boundaries (a look-ahead with a large character set after each form, such as "no
    letter but a Han one", made the pattern slow to compile: 0.09 s; a plain ``(?!\\w)``,
    :func:`trie_pattern`'s ``end``, costs nothing)."""
    pattern = trie_pattern(forms)
    return re.compile(pattern) if pattern else None


def trie_pattern(forms: Iterable[str], end: str = "") -> str:
    """The pattern of :func:`trie_regex` ("" for no forms); ``end``: what must follow a
    form (a look-ahead), written after each."""
    root: _Trie = {}
    for form in forms:
        node = root
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}
    return _render(root, end) if root else ""


def _render(node: _Trie, end: str) -> str:
    branches = [
        (r"\s+" if char == " " else re.escape(char)) + _render(child, end)
        for char, child in sorted(node.items())
        if char
    ]
    if "" in node:
        branches.append(end)
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def scan(
    rx: re.Pattern[str] | None,
    folded: str,
    accept: Callable[[int, int, str], bool],
    first_only: bool,
    starts: Sequence[Start] = (),
) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, form)`` for accepted forms at every position, longest first.

    A form that ``accept`` refuses (word boundary, case, veto) is retried shorter at the same
    start (``endpos``), so no valid form hides behind it. ``first_only`` stops at the longest
    accepted form per position. ``starts``: patterns, faster to search, that together match
    at least wherever ``rx`` can start (:data:`Start`): ``rx`` is then tried only where one
    of them does.
    """
    if rx is None:
        return
    candidates = _Starts(starts, folded) if starts else None
    position = 0
    while (m := _search(rx, candidates, folded, position)) is not None:
        start = position = m.start()
        while m is not None:
            form = " ".join(m.group().split())
            if accept(start, m.end(), form):
                yield start, m.end(), form
                if first_only:
                    break
            m = rx.match(folded, start, m.end() - 1) if m.end() - 1 > start else None
        position += 1


def _search(
    rx: re.Pattern[str], candidates: _Starts | None, text: str, position: int
) -> re.Match[str] | None:
    """``rx.search(text, position)``, trying ``rx`` only at the candidates' starts."""
    if candidates is None:
        return rx.search(text, position)
    while (start := candidates.first(position)) is not None:
        if (m := rx.match(text, start)) is not None:
            return m
        position = start + 1
    return None


#: A pattern that matches where a form may start, and whether its match begins with the
#: one character before the form (``[^a-z0-9_](?:…)``, the text's start counting as a
#: space): searched so, the engine skips to the next such character at C speed, where
#: ``\b(?:…)`` tries every position (a long English text: 0.016 s, not 0.026 s).
Start: TypeAlias = tuple[re.Pattern[str], bool]


class _Starts:
    """The first start at or after a position where one of several patterns (:data:`Start`)
    matches; each pattern's next match is kept, so a pattern is searched again only once
    passed."""

    def __init__(self, patterns: Sequence[Start], text: str) -> None:
        self._patterns = patterns
        # (a space in front: a form at the text's start has a non-word character before it)
        self._texts = {led: " " + text if led else text for _, led in patterns}
        self._next: list[int | None] = [-1] * len(patterns)  # -1: search again; None: none

    def first(self, position: int) -> int | None:
        found: int | None = None
        for k, (pattern, led) in enumerate(self._patterns):
            start = self._next[k]
            if start is not None and start < position:
                # led: the character before a form at ``position`` is at ``position`` here
                m = pattern.search(self._texts[led], position)
                start = self._next[k] = m.start() if m else None
            if start is not None and (found is None or start < found):
                found = start
        return found


def compose(text: str) -> tuple[str, list[tuple[int, int]] | None]:
    """NFC ``text`` and, when that changed it, each NFC character's span in ``text``."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        pieces.append(piece)
        spans.extend([(i, j)] * len(piece))
        i = j
    return "".join(pieces), spans


_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_INFLECTED = frozenset({"NOUN", "ADJF", "PRTF"})


@functools.cache
def _morph() -> Any:  # pymorphy3 (untyped) is imported only when a Russian alias needs it
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@functools.lru_cache(maxsize=4096)
def russian_forms(phrase: str) -> frozenset[str]:
    """Inflected forms (lower case) of a Russian alias given in dictionary form.

    >>> sorted(russian_forms("Россия"))
    ['россией', 'россии', 'россию', 'россия']
    >>> sorted(russian_forms("Российская Федерация"))[:3]
    ['российская федерация', 'российской федерацией', 'российской федерации']
    """
    words = phrase.lower().split()
    parses = []
    for word in words:
        candidates = _morph().parse(word)
        parse = next((p for p in candidates if "nomn" in p.tag and p.tag.POS in _INFLECTED), None)
        if parse is None:
            break
        parses.append(parse)
    forms = {" ".join(words)}
    if len(words) == 1 and parses:
        part, number = parses[0].tag.POS, parses[0].tag.number
        forms |= {
            f.word
            for f in parses[0].lexeme
            if part == f.tag.POS and (part != "NOUN" or f.tag.number == number)
        }
    elif parses:
        for case in _CASES:
            inflected = [p.inflect({case} | ({p.tag.number} - {None})) for p in parses]
            if all(inflected):
                forms.add(" ".join([f.word for f in inflected] + words[len(parses) :]))
    return frozenset(forms)
