"""Word-level diff of two short texts: diff-match-patch on token-encoded text.

How: both texts are cut into lossless tokens (:func:`segment.tokenize`); each token gets a
comparison key (:func:`similarity.fold`); each distinct key is mapped to one code point, as
diff-match-patch's line mode does for lines, and the two code-point strings are diffed and
given semantic cleanup. The result is mapped back to the original tokens, so applying the
operations to ``a`` rebuilds ``b`` exactly (``WordDiff.b_text == b``).

Noise: what the keys ignore (see :mod:`narrative_diff.similarity`: whitespace, quote and
dash styles, compatibility forms, traditional/simplified script variants, Markdown markup;
case and punctuation when asked), a list bullet opening the text, and an inserted or
deleted run of whitespace and markup alone ("open ." for "open."). Tokens equal by key but not by
text still appear as a delete/insert pair (so the round trip holds) but are flagged as
noise; a diff whose only changes are noise is not a change (:attr:`WordDiff.changed`).

Budget: diff-match-patch stops at ``Diff_Timeout`` and returns a coarse diff. The budget
is explicit (:attr:`DiffOptions.timeout`, 0 = none) and a diff that hit it says so
(:attr:`WordDiff.budget_hit`) instead of silently degrading.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from .relations import DELETE, EQUAL, INSERT, WordDiff, WordOp
from .segment import tokenize
from .similarity import DiffOptions, folder

# The word-diff API; the op codes and DiffOptions are defined in relations and similarity
# and re-exported here for callers of diff_text.
__all__ = ["DELETE", "EQUAL", "INSERT", "DiffOptions", "WordDiff", "diff_text"]


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


def diff_text(a: str, b: str, options: DiffOptions = DiffOptions()) -> WordDiff:  # noqa: B008
    """Word-level diff of ``a`` and ``b``; see the module docstring.

    >>> d = diff_text("The first phase is Reconnaissance.", "The first phase is Basic Model.")
    >>> [op for op in d.ops if op[0] != 0]
    [(-1, 'Reconnaissance'), (1, 'Basic Model')]
    >>> d.b_text
    'The first phase is Basic Model.'
    """
    ta, tb = tokenize(a), tokenize(b)
    key = folder(options)  # (cached per token)
    ka = _unbullet(ta, list(map(key, ta)))
    kb = _unbullet(tb, list(map(key, tb)))
    keep_a = _kept(ka)
    keep_b = _kept(kb)
    codes = _Codes()
    ea = codes.encode([ka[i] for i in keep_a])
    eb = codes.encode([kb[i] for i in keep_b])
    started, cpu = time.perf_counter(), time.process_time()
    timeout = options.timeout
    port = len(codes.table) <= _PORT_KEYS and (
        timeout == 0 or _PORT_TIMEOUTS[0] <= timeout <= _PORT_TIMEOUTS[1]
    )
    raw_ops, ported = _diff_codes(ea, eb, timeout, port=port)
    budget_hit = timeout > 0 and (
        time.perf_counter() - started >= timeout
        # The port's clock is the process's CPU time (C's clock(): every thread's), so a
        # busy thread beside it can cut its diff short sooner; flagged then, never silent
        # (a diff it finished in time while another thread ran is flagged too)
        or (ported and time.process_time() - cpu >= timeout)
    )
    out = _OpBuilder()
    ia = ib = 0  # positions in keep_a / keep_b
    pa = pb = 0  # next original token not yet emitted
    for op, codes_run in raw_ops:
        n = len(codes_run)
        if op == EQUAL:
            end_a, end_b = keep_a[ia + n - 1] + 1, keep_b[ib + n - 1] + 1
            if keep_a[ia] - pa == keep_b[ib] - pb and ta[pa:end_a] == tb[pb:end_b]:
                # the same tokens, kept alike (the kept tokens after the first are kept for
                # the same reasons on both sides): what pairing them one by one gives
                out.add(EQUAL, "".join(ta[pa:end_a]), noise=False)
                pa, pb = end_a, end_b
            else:
                for k in range(n):
                    xa, xb = keep_a[ia + k], keep_b[ib + k]
                    out.pair(ta[pa:xa], tb[pb:xb])  # ignored tokens before the pair
                    out.pair([ta[xa]], [tb[xb]])
                    pa, pb = xa + 1, xb + 1
            ia, ib = ia + n, ib + n
        elif op == DELETE:
            end = keep_a[ia + n - 1] + 1
            text = "".join(ta[pa:end])
            out.add(DELETE, text, noise=_blank(ka[pa:end]))  # whitespace is never a change
            pa, ia = end, ia + n
        else:
            end = keep_b[ib + n - 1] + 1
            text = "".join(tb[pb:end])
            out.add(INSERT, text, noise=_blank(kb[pb:end]))
            pb, ib = end, ib + n
    out.pair(ta[pa:], tb[pb:])
    return WordDiff(tuple(out.ops), tuple(out.noise), budget_hit)


#: The C++ port diffs a pair of at most this many distinct keys: their code points are
#: then U+0100 to U+02C1 (:class:`_Codes`), every one a letter to Python, and to the C
#: library the port asks either every one (glibc's ``iswalnum`` in a UTF-8 locale) or none
#: (glibc under C or POSIX): the semantic clean-up scores each boundary between them alike
#: either way, so both give the same diff. Past U+02C1 Python's classes mix and the C
#: library's, by locale, may not: the Python library diffs those.
_PORT_KEYS = 0x2C2 - 0x100
#: Budgets the port keeps as Python does: it holds the timeout as a 32-bit float and adds
#: it to C's clock(), so a huge one (1e13 s, inf) overflows into a deadline already past
#: and a tiny one (1e-50 s) becomes 0, no limit. Others go to the Python library.
_PORT_TIMEOUTS = (1e-6, 1e6)
_OPS = {"=": EQUAL, "-": DELETE, "+": INSERT}


def _diff_codes(
    ea: str, eb: str, timeout: float, *, port: bool
) -> tuple[list[tuple[int, str]], bool]:
    """diff-match-patch's diff of two code strings (no line mode), then its semantic
    clean-up, and whether its C++ port made it: the port (fast-diff-match-patch,
    installed where a wheel exists) when ``port`` allows it, the same operations in a
    fourth of the time; else the Python library. ``timeout``: seconds (0: none)."""
    found = _cpp_port() if port else None
    if found is not None:
        ops = found(
            ea, eb, timelimit=timeout, checklines=False, cleanup="Semantic", counts_only=False
        )
        return [(_OPS[op], text) for op, text in ops], True
    from diff_match_patch import diff_match_patch

    engine = diff_match_patch()
    engine.Diff_Timeout = timeout
    raw: list[tuple[int, str]] = engine.diff_main(ea, eb, False)
    engine.diff_cleanupSemantic(raw)
    return raw, False


@functools.cache
def _cpp_port() -> Callable[..., list[tuple[str, str]]] | None:
    """fast-diff-match-patch's ``diff``, or None where it is not installed."""
    try:
        from fast_diff_match_patch import diff
    except ImportError:
        return None
    found: Callable[..., list[tuple[str, str]]] = diff
    return found


def _blank(token_keys: list[str]) -> bool:
    """True for a run of whitespace and ignored tokens (markup) only: never a change."""
    return all(key in ("", " ") for key in token_keys)


_BULLETS = frozenset({"-", "+", "•", "·"})  # keys ("*" is already ignored)


def _unbullet(tokens: list[str], token_keys: list[str]) -> list[str]:
    """The keys with a list bullet ("- " opening the text) ignored, as markup."""
    for i in range(min(len(tokens), 2)):
        if (
            token_keys[i] in _BULLETS
            and i + 1 < len(tokens)
            and tokens[i + 1].isspace()
            and (i == 0 or (i == 1 and tokens[0].isspace()))
        ):
            token_keys[i] = ""
    return token_keys


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
        self.ops: list[tuple[WordOp, str]] = []
        self.noise: list[bool] = []

    def add(self, op: WordOp, text: str, *, noise: bool) -> None:
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
