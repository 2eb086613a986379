"""Named terms in a text: capitalised phrases and acronyms, and whole-word phrase counts.

The summary (:mod:`narrative_diff.shifts`) uses these to list the names written out of and
into a document (:func:`named_changes`) and to weigh candidate renames: whether a phrase
looks like a term (:func:`term_like`) and how often it occurs (:func:`occurrences`).
Names are found in alphabetic scripts only (Chinese has no capitals); the other two handle
Chinese phrases too.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .segment import WORD_RUN, Segmented, WordIndex
from .text import HAN

if TYPE_CHECKING:
    import numpy as np

_CONNECTORS = {"of", "for", "on", "the", "de", "la", "du"}
_LEADING = {
    "a",
    "an",
    "the",
    "in",
    "on",
    "at",
    "as",
    "by",
    "for",
    "from",
    "with",
    "to",
    "it",
    "its",
    "this",
    "these",
    "that",
    "those",
    "and",
    "but",
    "or",
    "since",
    "after",
    "before",
    "during",
    "under",
    "if",
    "when",
    "while",
    "we",
    "our",
    "they",
    "their",
    "в",
    "на",
    "по",
    "с",
    "и",
    "это",
}
_MONTHS = {
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
}

#: Words of page furniture (share buttons, menus, section labels): never a name alone.
_UI_WORDS_TEXT = """\
share wechat weibo facebook twitter linkedin whatsapp email e-mail print menu home
    search login subscribe follow next previous prev back top more related comments tags
    photo photos video editor source download close like tweet copy link qr code app read
    perspective guide opinion feature features news contact sitemap english chinese
    français español русский"""
_UI_WORDS = frozenset(_UI_WORDS_TEXT.split())
_AFTER_DATELINE = re.compile(r"\s*(?:,|\(|[-–—])")


@dataclass(frozen=True)
class TermChange:
    """A name found in one side only, with its count on each side."""

    term: str
    change: Literal["added", "removed"]
    count_a: int
    count_b: int


def _words(text: str) -> list[str]:
    """Case-folded words, inner apostrophes and hyphens kept, possessive "'s" left off.

    >>> _words("Chang'e-8: the “Basic Model”'s plan.")
    ["chang'e-8", 'the', 'basic', 'model', 'plan']
    """
    return [w.casefold() for w in WORD_RUN.findall(text)]


def occurrences(phrases: set[str], text: str, index: WordIndex) -> Counter[str]:
    """How often each phrase occurs in ``text`` (whose words ``index`` holds) as whole
    words, ignoring case, spacing and surrounding punctuation; Chinese phrases (no spaces
    between words) by substring.

    >>> text = "A basic  model; the Basic Modeller. 基本型和基本型"
    >>> counts = occurrences({"Basic Model", "model", "基本型"}, text, WordIndex.of(text))
    >>> counts["model"], counts["Basic Model"], counts["基本型"]
    (1, 1, 2)
    """
    counts: Counter[str] = Counter()
    keys: dict[tuple[str, ...], list[str]] = {}
    flat: str | None = None
    for phrase in phrases:
        if HAN.search(phrase):
            flat = flat if flat is not None else "".join(text.split()).casefold()
            counts[phrase] = flat.count("".join(phrase.split()).casefold())
        else:
            keys.setdefault(tuple(_words(phrase)), []).append(phrase)
    keys.pop((), None)
    if not keys:
        return counts
    grams = _NGrams(index.folded_joined, index.folded_counts, lambda: index.folded_words)
    for key, names in keys.items():
        found = grams.count(key)
        for phrase in names:
            counts[phrase] = found
    return counts


class _NGrams:
    """Counts of a text's word n-grams, from its words joined by single spaces, each
    word's count, and (only if asked) the words in order. A few phrases are counted as
    substrings of the joined words; past ``_SCAN_LIMIT`` phrases of one length, the
    n-grams of that length are encoded as one 64-bit number each and sorted once (numpy),
    so checking many phrases never rescans the text nor holds every n-gram of a long text
    as Python tuples (a million-word side took over 400 MB that way)."""

    def __init__(self, joined: str, single: Counter[str], words: Callable[[], list[str]]) -> None:
        self.single = single  # (read, never changed)
        self.joined = f" {joined} "
        self._words = words
        self.scans: Counter[int] = Counter()
        self.ids: dict[str, int] = {}
        self.sorted: dict[int, np.ndarray] = {}

    def count(self, key: tuple[str, ...]) -> int:
        n = len(key)
        if n == 1:
            return self.single[key[0]]
        if not all(word in self.single for word in key):  # a phrase needs all its words
            return 0
        self.scans[n] += 1
        if self.scans[n] > _SCAN_LIMIT:
            return self._encoded(key)
        return self.joined.count(f" {' '.join(key)} ")

    def present(self, key: tuple[str, ...]) -> bool:
        """Whether :meth:`count` is above 0; a scan of the text stops at the first."""
        if len(key) == 1 or not all(word in self.single for word in key):
            return self.count(key) > 0
        self.scans[len(key)] += 1
        if self.scans[len(key)] > _SCAN_LIMIT:
            return self._encoded(key) > 0
        return f" {' '.join(key)} " in self.joined

    def _encoded(self, key: tuple[str, ...]) -> int:
        """How many windows of the text equal ``key``, by binary search in the sorted
        codes. The code of n word ids in base V (the vocabulary size) is exact while V**n
        fits in 64 bits; past that it wraps, and two n-grams sharing a code is a chance of
        about one in 2**64 per pair."""
        import numpy as np

        if not self.ids:
            self.ids = {word: i for i, word in enumerate(self.single)}
        n, base = len(key), np.uint64(len(self.ids))
        if n not in self.sorted:
            words = self._words()
            ids = np.fromiter((self.ids[w] for w in words), np.uint64, len(words))
            codes = np.zeros(max(len(ids) - n + 1, 0), np.uint64)
            with np.errstate(over="ignore"):
                for k in range(n):
                    codes = codes * base + ids[k : k + len(codes)]
            codes.sort()
            self.sorted[n] = codes
        code = np.uint64(0)
        with np.errstate(over="ignore"):
            for word in key:
                code = code * base + np.uint64(self.ids[word])
        table = self.sorted[n]
        return int(np.searchsorted(table, code, "right") - np.searchsorted(table, code, "left"))


_SCAN_LIMIT = 20


def term_like(phrase: str) -> bool:
    """A name or term rather than a clause: a phrase with a capital, or short Chinese
    (lower-case words such as "will" → "may" are replaced phrases, not renames).

    >>> term_like("Basic Model"), term_like("was jointly initiated"), term_like("基本型")
    (True, False, True)
    >>> term_like("phase")
    False
    """
    words = phrase.split()
    if HAN.search(phrase):
        return len(phrase) <= 8
    return any(w[:1].isupper() for w in words)


@functools.cache
def _name_pattern() -> re.Pattern[str]:
    """Runs of capitalised words, joined by spaces and a few lower-case connectors."""
    upper = "".join(ch for ch in map(chr, range(0x10000)) if ch.isupper() and ch.isalpha())
    word = rf"[{re.escape(upper)}][\w'’\-]*"
    connectors = "|".join(sorted(_CONNECTORS))
    return re.compile(rf"(?<![\w'’\-]){word}(?:[ \t]+(?:(?:{connectors})[ \t]+)*{word})*")


_FIRST_WORD = re.compile(r"[^\W_]")


def _named(side: Segmented, only: AbstractSet[int] | None = None) -> Counter[str]:
    """Capitalised phrases and acronyms, not counting a lone capitalised first word;
    ``only``: look in these sentences only.

    One pass of the name pattern over the whole text, or over each chosen sentence (a run
    never crosses a line or punctuation other than an apostrophe or hyphen); a run is
    "opening" when it starts at the first word of a sentence.

    >>> from narrative_diff.segment import segment
    >>> sorted(_named(segment("The Basic Model of the ILRS. In May, Russia left.", "en")))
    ['Basic Model of the ILRS', 'Russia']
    """
    sentences = side.sentences if only is None else [side.sentences[i] for i in sorted(only)]
    openings = set()
    for sentence in sentences:
        first = _FIRST_WORD.search(sentence.text)
        openings.add(sentence.start + (first.start() if first else 0))
    if only is None:
        matches: Iterable[re.Match[str]] = _name_pattern().finditer(side.text)
    else:
        matches = (
            m
            for sentence in sentences
            for m in _name_pattern().finditer(side.text, sentence.start, sentence.end)
        )
    found: Counter[str] = Counter()
    for match in matches:
        opening = match.start() in openings
        if opening and match.group().isupper() and _AFTER_DATELINE.match(side.text, match.end()):
            continue  # a wire dateline ("BEIJING, June 16 --") places the story: not a name
        for n, piece in enumerate(_STRAY_LETTER.split(match.group())):
            name = _name(piece, opening=opening and not n) if piece.strip() else None
            if name is not None:
                found[name] += 1
    return found


#: A lone capital inside a run of capitalised words ("WeChat A Perspective"): a button
#: label or a list marker, which ends one name and starts another.
_STRAY_LETTER = re.compile(r"(?:^|[ \t]+)[^\W\d_](?=[ \t]|$)[ \t]*")


def _name(text: str, *, opening: bool) -> str | None:
    """The name a run of capitalised words stands for, or None when it is not one: the
    pattern also catches sentence capitals, leading articles, months and initials.

    >>> _name("The ILRS", opening=True), _name("May", opening=False)
    ('ILRS', None)
    >>> _name("China's", opening=False)
    'China'
    """
    if opening and " " not in text and not _acronym(text):
        return None  # the capital of an ordinary first word: the commonest case
    run = [w.rstrip("'’-") for w in text.split()]
    for cut, word in enumerate(run):
        if cut and word in _MONTHS:  # "Geneva on June 16": the name ends before the date
            run = run[:cut]
            while run and run[-1].lower() in _CONNECTORS:
                run.pop()
            break
    while len(run) > 1 and len(run[-1]) == 1:  # "WeChat A": a stray letter is no name
        run.pop()
    if all(w.casefold() in _UI_WORDS for w in run):
        return None  # "Share Share", "Guide": page furniture
    if opening and run[0].lower() in _LEADING:
        run.pop(0)  # "The", "In" opening the sentence
        opening = False
    while run and run[0].lower() in _CONNECTORS:
        run.pop(0)
    if len(run) == 1 and (
        run[0] in _MONTHS
        or run[0].lower() in _LEADING
        or len(run[0]) == 1
        or (opening and not _acronym(run[0]))
    ):
        return None
    if len(run) == 1:  # "China's" is China
        run[0] = run[0].removesuffix("'s").removesuffix("’s")
    return " ".join(run) if run else None


def _acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


def named_changes(
    sa: Segmented,
    sb: Segmented,
    language: str,
    changed: tuple[AbstractSet[int], AbstractSet[int]] | None = None,
    *,
    limit: int,
    words: tuple[WordIndex, WordIndex] | None = None,
) -> tuple[tuple[TermChange, ...], tuple[TermChange, ...]]:
    """Names found in one side and nowhere in the other (as a name or inside a longer one:
    "Chang'e" is still there in "China's Chang'e"), most frequent first, at most ``limit``
    of each.

    ``changed``: the sentences of a and b outside "unchanged" segments. A name that is
    written out or in can only stand there (an unchanged sentence is in both texts), and
    all its occurrences do, so looking there alone gives the same lists and counts.
    """
    if language.startswith("zh"):
        return (), ()
    only_a, only_b = changed if changed is not None else (None, None)
    wa, wb = words or (WordIndex.of(sa.text), WordIndex.of(sb.text))
    before, after = _named(sa, only_a), _named(sb, only_b)
    ordinary = _ordinary_words(wa, wb)
    before = Counter({t: n for t, n in before.items() if t.casefold() not in ordinary})
    after = Counter({t: n for t, n in after.items() if t.casefold() not in ordinary})
    still_in_b = _present({t for t in before if t not in after}, wb)
    already_in_a = _present({t for t in after if t not in before}, wa)
    removed = [
        TermChange(t, "removed", n, 0)
        for t, n in before.items()
        if t not in after and t not in still_in_b
    ]
    added = [
        TermChange(t, "added", 0, n)
        for t, n in after.items()
        if t not in before and t not in already_in_a
    ]
    removed.sort(key=lambda t: (-t.count_a, t.term))
    added.sort(key=lambda t: (-t.count_b, t.term))
    return tuple(removed[:limit]), tuple(added[:limit])


def _ordinary_words(wa: WordIndex, wb: WordIndex) -> set[str]:
    """Words written in lower case somewhere in either text: a capitalised one-word "name"
    that is also an ordinary word ("Perspective" and "perspective") is not a name.

    >>> sorted(_ordinary_words(WordIndex.of("Guide. A guide to ILRS."), WordIndex.of("")))
    ['guide', 'to']
    """
    distinct = set(wa.counts).union(wb.counts)  # a few thousand words to test
    return {w for w in distinct if w.islower()}


def _present(terms: set[str], index: WordIndex) -> set[str]:
    """The terms that occur in the text of ``index`` as whole words, with their capitals."""
    if not terms:
        return set()
    grams = _NGrams(index.joined, index.counts, lambda: index.words)
    return {t for t in terms if (parts := tuple(WORD_RUN.findall(t))) and grams.present(parts)}
