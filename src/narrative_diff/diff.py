"""Word-level diff of two short texts: diff-match-patch on token-encoded text.

How: both texts are cut into lossless tokens (:func:`segment.tokenize`); each token gets a
comparison key (:func:`fold`); each distinct key is mapped to one code point, as
diff-match-patch's line mode does for lines, and the two code-point strings are diffed and
given semantic cleanup. The result is mapped back to the original tokens, so applying the
operations to ``a`` rebuilds ``b`` exactly (``WordDiff.b_text == b``).

Noise: keys ignore whitespace differences always (an inserted or deleted run of
whitespace alone, "open ." for "open.", is noise too), typographic quote and dash variants
and Unicode compatibility forms (NFKC: full-width/half-width punctuation, ligatures),
and optionally case and punctuation. Tokens equal by key but not by text still appear as
a delete/insert pair (so the round trip holds) but are flagged as noise; a diff whose
only changes are noise is not a change (:attr:`WordDiff.changed`).

Budget: diff-match-patch stops at ``Diff_Timeout`` and returns a coarse diff. The budget
is explicit (:attr:`DiffOptions.timeout`, 0 = none) and a diff that hit it says so
(:attr:`WordDiff.budget_hit`) instead of silently degrading.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .segment import tokenize

DELETE, EQUAL, INSERT = -1, 0, 1
_SPACES = re.compile(r"\s+")
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
    timeout: float = 5.0  # seconds per diff; 0 means no limit


@dataclass(frozen=True)
class WordDiff:
    """Operations ``(op, text)`` with op -1 (delete), 0 (equal), 1 (insert)."""

    ops: tuple[tuple[int, str], ...]
    noise: tuple[bool, ...]  # per op: a difference that the options ignore
    budget_hit: bool = False

    @property
    def a_text(self) -> str:
        return "".join(text for op, text in self.ops if op != INSERT)

    @property
    def b_text(self) -> str:
        return "".join(text for op, text in self.ops if op != DELETE)

    @property
    def changed(self) -> bool:
        """True when some difference is not noise."""
        return any(
            op != EQUAL and not noisy for (op, _), noisy in zip(self.ops, self.noise, strict=True)
        )

    def changes(self) -> list[tuple[str, str]]:
        """Non-noise replacements, insertions and deletions as ``(before, after)`` pairs."""
        pairs: list[tuple[str, str]] = []
        before: list[str] = []
        after: list[str] = []
        for (op, text), noisy in zip(self.ops, self.noise, strict=True):
            if op == EQUAL or noisy:
                if op == EQUAL and (before or after):
                    pairs.append(("".join(before), "".join(after)))
                    before, after = [], []
                continue
            (before if op == DELETE else after).append(text)
        if before or after:
            pairs.append(("".join(before), "".join(after)))
        return pairs


@lru_cache(maxsize=65536)
def _fold(token: str, ignore_case: bool, ignore_punctuation: bool) -> str:
    if token.isspace():
        return " "
    key = unicodedata.normalize("NFKC", token).translate(_QUOTES)
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
    return _fold(token, options.ignore_case, options.ignore_punctuation)


def keys(text: str, options: DiffOptions = DiffOptions()) -> list[str]:
    """Comparison keys of the tokens of ``text``: ignored tokens dropped, and the spaces
    they leave behind merged (so "a – b" without the dash is "a b").

    The text is put in NFKC form before it is cut, so that keys of keys are the same keys
    ("¼" becomes "1⁄4" and is then cut as such).
    """
    folded = (fold(t, options) for t in tokenize(unicodedata.normalize("NFKC", text)))
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
        return "".join(keys(text, options)).strip()
    # The same result as folding token by token, done on the whole string at C speed.
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    if options.ignore_case:
        folded = folded.casefold()
    return _SPACES.sub(" ", folded).strip()


def bag(text: str, options: DiffOptions = DiffOptions()) -> Counter[str]:
    """The multiset of word keys, for similarity (spaces and punctuation left out: a shared
    full stop would make any two short sentences look alike)."""
    return Counter(k for k in keys(text, options) if k != " " and not _PUNCT_ONLY.match(k))


def overlap(a: Counter[str], b: Counter[str]) -> int:
    """Size of the multiset intersection (faster than ``sum((a & b).values())``).

    >>> overlap(Counter("aab"), Counter("abb"))
    2
    """
    if len(a) > len(b):
        a, b = b, a
    return sum(min(n, b[k]) for k, n in a.items() if k in b)


def dice(a: Counter[str], b: Counter[str]) -> float:
    """Dice similarity of two token multisets, 0..1.

    >>> dice(Counter("abc"), Counter("abd"))
    0.6667
    """
    total = a.total() + b.total()
    if not total:
        return 1.0
    return round(2 * overlap(a, b) / total, 4)


class _Codes:
    """Map each distinct key to one code point (skipping surrogates), as line mode does."""

    def __init__(self) -> None:
        self.table: dict[str, str] = {}

    def encode(self, token_keys: list[str]) -> str:
        out = []
        for key in token_keys:
            code = self.table.get(key)
            if code is None:
                number = 0x100 + len(self.table)
                if number >= 0xD800:
                    number += 0x800
                code = self.table[key] = chr(number)
            out.append(code)
        return "".join(out)


def diff_text(a: str, b: str, options: DiffOptions = DiffOptions()) -> WordDiff:
    """Word-level diff of ``a`` and ``b``; see the module docstring.

    >>> d = diff_text("The first phase is Reconnaissance.", "The first phase is Basic Model.")
    >>> [op for op in d.ops if op[0] != 0]
    [(-1, 'Reconnaissance'), (1, 'Basic Model')]
    >>> d.b_text
    'The first phase is Basic Model.'
    """
    from diff_match_patch import diff_match_patch

    ta, tb = tokenize(a), tokenize(b)
    ka = [fold(t, options) for t in ta]
    kb = [fold(t, options) for t in tb]
    keep_a = _kept(ka)
    keep_b = _kept(kb)
    codes = _Codes()
    ea = codes.encode([ka[i] for i in keep_a])
    eb = codes.encode([kb[i] for i in keep_b])
    engine = diff_match_patch()
    engine.Diff_Timeout = options.timeout
    started = time.perf_counter()
    raw_ops = engine.diff_main(ea, eb, False)
    budget_hit = options.timeout > 0 and time.perf_counter() - started >= options.timeout
    engine.diff_cleanupSemantic(raw_ops)
    out = _OpBuilder()
    ia = ib = 0  # positions in keep_a / keep_b
    pa = pb = 0  # next original token not yet emitted
    for op, codes_run in raw_ops:
        n = len(codes_run)
        if op == EQUAL:
            for k in range(n):
                xa, xb = keep_a[ia + k], keep_b[ib + k]
                out.pair(ta[pa:xa], tb[pb:xb])  # ignored tokens before the pair
                out.pair([ta[xa]], [tb[xb]])
                pa, pb = xa + 1, xb + 1
            ia, ib = ia + n, ib + n
        elif op == DELETE:
            end = keep_a[ia + n - 1] + 1
            text = "".join(ta[pa:end])
            out.add(DELETE, text, noise=text.isspace())  # whitespace is never a change
            pa, ia = end, ia + n
        else:
            end = keep_b[ib + n - 1] + 1
            text = "".join(tb[pb:end])
            out.add(INSERT, text, noise=text.isspace())
            pb, ib = end, ib + n
    out.pair(ta[pa:], tb[pb:])
    return WordDiff(tuple(out.ops), tuple(out.noise), budget_hit)


def _kept(token_keys: list[str]) -> list[int]:
    """Indices of the tokens that take part in the diff: not ignored, and not a space that
    only repeats the kept space before it."""
    kept: list[int] = []
    for i, key in enumerate(token_keys):
        if key and not (key == " " and kept and token_keys[kept[-1]] == " "):
            kept.append(i)
    return kept


class _OpBuilder:
    """Accumulates operations, merging neighbours with the same op and noise flag."""

    def __init__(self) -> None:
        self.ops: list[tuple[int, str]] = []
        self.noise: list[bool] = []

    def add(self, op: int, text: str, *, noise: bool) -> None:
        if not text:
            return
        if self.ops and self.ops[-1][0] == op and self.noise[-1] == noise:
            self.ops[-1] = (op, self.ops[-1][1] + text)
        else:
            self.ops.append((op, text))
            self.noise.append(noise)

    def pair(self, a_tokens: list[str], b_tokens: list[str]) -> None:
        """Tokens equal by key: equal if equal by text, else a noise delete/insert."""
        a_text, b_text = "".join(a_tokens), "".join(b_tokens)
        if a_text == b_text:
            self.add(EQUAL, a_text, noise=False)
        else:
            self.add(DELETE, a_text, noise=True)
            self.add(INSERT, b_text, noise=True)
