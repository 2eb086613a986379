"""Comparison keys and similarity: what counts as "the same text" for alignment and diff.

Both :mod:`~narrative_diff.align` and :mod:`~narrative_diff.diff` compare text through the
keys made here, so they agree on what is noise without importing each other.

Noise: keys ignore whitespace differences always, typographic quote and dash variants and
Unicode compatibility forms (NFKC: full-width/half-width punctuation, ligatures), and
optionally case (:attr:`DiffOptions.ignore_case`) and punctuation
(:attr:`DiffOptions.ignore_punctuation`).

Script variants: traditional and simplified Chinese characters are one text. Every key
is *script-folded*: each Han character is replaced by its simplified form (OpenCC "t2s",
character by character, keeping the character when the result is not one character), so
the folding never changes a text's length and quotes keep the original characters.

Markup: Markdown heading markers (``#``), emphasis (``*``, ``_``) and a bullet opening a
sentence are noise.

Similarity is the Dice coefficient of two multisets of word keys (:func:`bag`, :func:`dice`),
always case-insensitive and script-folded (a case change is still shown by the word diff).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from .segment import tokenize
from .text import fold_script

#: Markdown markup that is never a difference: emphasis and heading marks, bullets.
_MARKUP_TOKENS = frozenset({"#", "*", "_", "•", "·"})
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+•·]\s+)|[#*_•]")
_PUNCT_ONLY = re.compile(r"^\W+$")
_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "﹘": "-",
    }
)


@dataclass(frozen=True)
class DiffOptions:
    """What counts as a difference; built from the CLI flags in one place."""

    ignore_case: bool = False
    ignore_punctuation: bool = False
    timeout: float = 5.0  # seconds per word diff; 0 means no limit


def strip_markup(text: str) -> str:
    """``text`` without Markdown heading markers, emphasis marks and bullets.

    >>> strip_markup("## The **Basic** _Model_")
    'The Basic Model'
    >>> strip_markup("- - *- nested")  # until none is left: stripping twice changes nothing
    'nested'
    """
    while (stripped := _MARKUP.sub("", text)) != text:
        text = stripped
    return text


def _fold(token: str, ignore_case: bool, ignore_punctuation: bool) -> str:
    """The key of one token (:func:`folder` caches it: documents repeat their tokens)."""
    if token.isspace():
        return " "
    if token in _MARKUP_TOKENS:
        return ""
    key = fold_script(unicodedata.normalize("NFKC", token).translate(_QUOTES))
    if ignore_case:
        key = key.casefold()
    if ignore_punctuation and all(unicodedata.category(ch)[0] in "PS" for ch in key):
        return ""
    return key


def fold(token: str, options: DiffOptions = DiffOptions()) -> str:
    """The comparison key of one token ('' = ignored).

    >>> fold("“"), fold("，"), fold("Russia", DiffOptions(ignore_case=True)), fold("\\n  ")
    ('"', ',', 'russia', ' ')
    """
    return folder(options)(token)


def folder(options: DiffOptions) -> Callable[[str], str]:
    """:func:`fold` under ``options`` as a function of the token alone, cached per token:
    ``map(folder(options), tokens)`` keys a sentence's tokens without a Python call each
    (a long comparison keys hundreds of thousands)."""
    return _folder(options.ignore_case, options.ignore_punctuation)


@cache
def _folder(ignore_case: bool, ignore_punctuation: bool) -> Callable[[str], str]:
    return lru_cache(maxsize=65536)(
        functools.partial(_fold, ignore_case=ignore_case, ignore_punctuation=ignore_punctuation)
    )


def keys(text: str, options: DiffOptions = DiffOptions()) -> list[str]:
    """Comparison keys of the tokens of ``text``: ignored tokens dropped, and the spaces
    they leave behind merged (so "a – b" without the dash is "a b").

    The text is put in NFKC form before it is cut, so that keys of keys are the same keys
    ("¼" becomes "1⁄4" and is then cut as such).
    """
    folded = map(folder(options), tokenize(unicodedata.normalize("NFKC", text)))
    return _merge_spaces([k for k in folded if k])


def _merge_spaces(items: list[str]) -> list[str]:
    """Drop a space key that follows another space key.

    >>> _merge_spaces(["a", " ", " ", "b"])
    ['a', ' ', 'b']
    """
    return [k for n, k in enumerate(items) if not (k == " " and n and items[n - 1] == " ")]


def normal_form(text: str, options: DiffOptions = DiffOptions()) -> str:
    """``text`` as the comparison sees it; equal normal forms mean "no change".

    >>> normal_form("The  “ILRS” —\\nnow") == normal_form('The "ILRS" - now')
    True
    """
    if options.ignore_punctuation:  # punctuation is dropped token by token
        return "".join(keys(strip_markup(text), options)).strip()
    # The same result as folding token by token, done on the whole string at C speed.
    folded = fold_script(unicodedata.normalize("NFKC", text).translate(_QUOTES))
    if any(mark in folded for mark in "#*_•") or folded.lstrip()[:1] in _BULLETS:
        folded = strip_markup(folded)  # (else there is none: most sentences)
    if options.ignore_case:
        folded = folded.casefold()
    return " ".join(folded.split())  # whitespace runs as one space, none at the ends


#: What :data:`_MARKUP` strips at the start of a text besides what it strips anywhere.
_BULLETS = ("-", "+", "·")


def bag(text: str, options: DiffOptions = DiffOptions()) -> Counter[str]:
    """The multiset of word keys, for similarity (spaces and punctuation left out: a shared
    full stop would make any two short sentences look alike); always case-insensitive, so
    that "The" opening one sentence and "the" inside another are the same word. Each
    token's word key is looked up, not worked out, as the text repeats its tokens."""
    key = _bag_key(options.ignore_case, options.ignore_punctuation)
    found = Counter(map(key, tokenize(unicodedata.normalize("NFKC", text))))
    del found[""]  # (the tokens that are no word; the others keep their order)
    return found


@cache
def _bag_key(ignore_case: bool, ignore_punctuation: bool) -> Callable[[str], str]:
    """The word key in :func:`bag` of a token, as :func:`keys` folds it: "" for a space,
    punctuation or a token the options ignore; cached per token, one cache per options."""

    fold_token = _folder(ignore_case, ignore_punctuation)

    @lru_cache(maxsize=65536)
    def key(token: str) -> str:
        folded = fold_token(token)
        return "" if folded in ("", " ") or _PUNCT_ONLY.match(folded) else folded.casefold()

    return key


def overlap(a: Counter[str], b: Counter[str]) -> int:
    """Size of the multiset intersection (faster than ``sum((a & b).values())``).

    >>> overlap(Counter("aab"), Counter("abb"))
    2
    """
    if len(a) > len(b):
        a, b = b, a
    return sum(min(n, b[k]) for k, n in a.items() if k in b)


def dice(a: Counter[str], b: Counter[str]) -> float:
    """Dice similarity of two token multisets, 0..1, rounded to 4 places (two empty
    multisets are equal: 1.0).

    >>> dice(Counter("abc"), Counter("abd"))
    0.6667
    """
    total = a.total() + b.total()
    if not total:
        return 1.0
    return round(2 * overlap(a, b) / total, 4)


class Tally(NamedTuple):
    """A bag (:func:`bag`) ready to be scored against many others (:func:`tally_dice`):
    its words as a set, the words it holds more than once with their counts, its size.
    A named tuple, not a dataclass: a long comparison makes thousands, made at C speed."""

    words: frozenset[str]
    repeated: dict[str, int]
    total: int

    @classmethod
    def of(cls, bag: Counter[str]) -> Tally:
        return cls(frozenset(bag), {k: n for k, n in bag.items() if n > 1}, bag.total())


def tally_dice(a: Tally, b: Tally) -> float:
    """:func:`dice` of the two bags, the same value in half the time: the words shared
    are counted by a set intersection, and a word held more than once on both sides (a
    few in a pair of sentences) adds what its lower count has beyond one
    (:func:`tally_overlap`).

    >>> x, y = Counter("aabbbc"), Counter("abbd")
    >>> tally_dice(Tally.of(x), Tally.of(y)), dice(x, y)
    (0.6, 0.6)
    """
    total = a.total + b.total
    if not total:
        return 1.0
    return round(2 * tally_overlap(a, b) / total, 4)


def tally_overlap(a: Tally, b: Tally) -> int:
    """:func:`overlap` of the two bags."""
    shared = len(a.words & b.words)
    if a.repeated and b.repeated:
        for word in a.repeated.keys() & b.repeated.keys():
            shared += min(a.repeated[word], b.repeated[word]) - 1
    return shared
