"""The line filter of user patterns (narrative_diff.prefilter): what the parse tree yields,
and that searching only the lines it names finds exactly what the whole-text search finds."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from narrative_diff.actors import ActorMatcher, load_actors
from narrative_diff.budget import PatternBudget
from narrative_diff.kwic import keyword_rows
from narrative_diff.prefilter import LineFilter, line_filter, one_line, required_literals
from tests.helpers import make_snapshot

if TYPE_CHECKING:
    import regex


def _compile(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    import regex  # (not at module level: the project's rule for regex)

    return regex.compile(pattern, flags)


def _filter(pattern: str, flags: int = 0) -> LineFilter | None:
    return line_filter(_compile(pattern, flags))


def _facts(compiled: regex.Pattern[str]) -> LineFilter | None:
    """The filter the two facts allow (line_filter's, or what it would be for a pattern
    that begins with a literal, left to the engine)."""
    literals = required_literals(compiled)
    return LineFilter(literals) if literals and one_line(compiled) else None


def _literals(pattern: str, flags: int = 0) -> set[tuple[str, bool]] | None:
    found = _facts(_compile(pattern, flags))
    return None if found is None else set(found.literals)


def _found(matches: list[regex.Match[str]]) -> list[tuple[object, ...]]:
    return [
        (m.group(), m.groups(), tuple(m.span(g) for g in range(len(m.groups()) + 1)))
        for m in matches
    ]


def _windowed(compiled: regex.Pattern[str], text: str, lines: LineFilter) -> list[tuple]:
    return _found(lines.finditer(compiled, text, 10.0))


def _whole(compiled: regex.Pattern[str], text: str) -> list[tuple]:
    return _found(list(compiled.finditer(text)))


# -- the analysis ------------------------------------------------------------------------


def _bundled() -> dict[str, tuple[regex.Pattern[str], LineFilter | None]]:
    """The bundled patterns as the matcher compiled them, with their filters, by label."""
    matcher = ActorMatcher(load_actors())
    return {
        shown: (compiled, lines)
        for (_, _, compiled, shown), lines in zip(matcher._patterns, matcher._lines, strict=True)
    }


def test_the_bundled_slow_patterns_get_their_literals() -> None:
    bundled = _bundled()
    assert set(bundled["N countries"][1].literals) == {
        ("countries", True),
        ("nations", True),
        ("states", True),
        ("partners", True),
        ("organi", True),
    }
    # "международных партнеров" holds "партнеров": one search finds both
    assert set(bundled["N стран"][1].literals) == {
        ("стран", True),
        ("государств", True),
        ("партнеров", True),
    }
    assert bundled["Sino(?<!\\wSino)(?=-)"][1] is None  # the engine skips ahead to "Sino"
    assert set(bundled["[Кк]итайско(?<!\\w[Кк]итайско)(?=-)"][1].literals) == {("итайско", False)}
    # Chinese: 国家 and 伙伴 are two characters, under the shortest literal searched
    assert bundled["N个国家"][1] is None and bundled["N国"][1] is None


@pytest.mark.parametrize(
    "pattern",
    [
        r"abc\sd",  # \s holds the newline
        r"abc[^a]",
        r"abc\W",
        r"abc\D",
        r"abc[\x00-\x20]",
        r"abc[^\w]",
        r"(?s)abc.",
        r"abc(?s:.)",
        r"abc$",  # $ and \Z would see the window's end
        r"abc\Z",
        r"abc(?=\n)",  # inside a lookaround too
        r"abc(?<!\s)",
        r"abc\nd",
        r"(a)bcd\1",  # a backreference is not classified
        r"(?x)abc",  # verbose: regex's reading is not checked against re's
        r"[[:alpha:]]abc",  # a POSIX class to regex, a set and a "]" to re
        r"[x[:alpha:]]abc",  # (where re does not warn of a nested set)
        r"(?:abc){e<=1}",  # fuzzy to regex, literal braces to re
        r"abc\p{L}",  # not re's syntax
        r"(?V1)abc",
        r"(?f)(?i)abc",
    ],
)
def test_what_may_match_a_newline_or_the_end_gets_no_filter(pattern: str) -> None:
    assert not one_line(_compile(pattern)) and _filter(pattern) is None


def test_a_pattern_that_begins_with_a_literal_is_left_to_the_engine() -> None:
    assert _filter(r"abc\w+") is None and _literals(r"abc\w+") == {("abc", False)}
    assert _filter(r"(?i)abc\w+") is None
    assert set(_filter(r"\babc\w+").literals) == {("abc", False)}
    assert set(_filter(r"[ab]bcd").literals) == {("bcd", False)}


def test_patterns_that_stay_on_one_line_get_one() -> None:
    assert _literals(r"(?m)abc$") == {("abc", False)}  # before the newline, as in the text
    assert _literals(r"^abc") == {("abc", False)}
    assert _literals(r"\Aabc[^\n]") == {("abc", False)}
    assert _literals(r"\babc[\w-]\d+(?<=\d)") == {("abc", False)}
    assert _literals(r"(?i)abc") == {("abc", True)}
    assert _literals("abc", re.IGNORECASE) == {("abc", True)}  # (the same bit in regex)
    assert _literals(r"x(?i:ab)c") == {("xabc", True)}  # one run, case rule of the loosest
    assert _literals(r"(?i)ab(?-i:cde)") == {("abcde", True)}
    assert _literals(r"(?i)a\b(?-i:cde)") == {("cde", False)}
    assert _literals(r"(ab)(c)d") == {("abcd", False)}


def test_an_optional_literal_is_not_required() -> None:
    assert _literals(r"(?:abc)?d") is None
    assert _literals(r"(?:abc)*d") is None
    assert _literals(r"(?:abc)??de") is None
    assert _literals(r"(?:abc|d)") is None  # one alternative lacks it
    assert _literals(r"(?:abc|de)") is None  # "de" is too short
    assert _literals(r"(?:abc|def)") == {("abc", False), ("def", False)}
    assert _literals(r"(?:abc)+") == {("abc", False)}
    assert _literals(r"(?:abc)?defg") == {("defg", False)}
    assert _literals(r"(?=abc)\w") is None  # an assertion's text is not consumed
    assert _literals(r"(?!abc)\w\w\w") is None
    assert _literals(r"(a)?(?(1)bcd|efg)") == {("bcd", False), ("efg", False)}
    assert _literals(r"(a)?(?(1)bcd)\w") is None  # no "no" branch: nothing required
    assert _literals(r"ab") is None


def test_the_lines_holding_a_literal() -> None:
    """Cut at "\\n" only (a "\\r" or U+2028 is an ordinary character here); a literal at
    a line's start or end, on consecutive lines, or several times on one line."""
    lines = LineFilter([("abc", False), ("Кот", True)])
    text = "abc\nabc\n\nxx\r\nabc\r\nКОТ\nкот\u2028x\nno\nxabc x abc"
    assert [text[a:b] for a, b in lines.lines(text)] == [
        "abc",
        "abc",
        "abc\r",
        "КОТ",
        "кот\u2028x",
        "xabc x abc",
    ]
    assert lines.lines("\nabc\n") == [(1, 4)]
    assert lines.lines("") == [] and lines.lines("\n\n") == []


def test_a_pattern_in_regex_version_1_gets_no_filter_through_the_actors_file() -> None:
    """The actors file passes re's flags to regex, where re.ASCII (256) is regex.V1: a
    pattern with (?a) runs in version 1 there, whose syntax re's parser does not know."""
    flags = re.compile("(?a)abc").flags & ~re.UNICODE
    assert line_filter(_compile("(?a)abc", flags)) is None


# -- the windows find what the whole text does ---------------------------------------------
#
# A random pattern comes with a strategy for strings it likely matches (lookarounds and
# anchors aside), so that the texts, built from such strings among other tokens and
# newlines, have matches, across lines too when the pattern could match a newline.

_Part = tuple[str, st.SearchStrategy[str]]  # (pattern text, strings it likely matches)


def _one(chars: str) -> st.SearchStrategy[str]:
    return st.sampled_from(list(chars))


_ATOMS: dict[str, st.SearchStrategy[str]] = {
    **{lit: st.just(lit) for lit in ("abc", "cab", "ab", "a", "b", "c", "kk", "ss", "кот")},
    **{lit: st.just(lit) for lit in (" ", "-", "1", "K")},
    "[a-z]": _one("abcxk"), r"\w": _one("ab1_é"), r"\S": _one("ab-1"), r"\d": _one("12"),
    r"\d+": st.sampled_from(["1", "12"]), r"[^\n]": _one("a \r-"), ".": _one("a \r\u2028"),
    "[ab]": _one("ab"), r"[\r]": st.just("\r"), r"[^\W\d]": _one("aé"), r"[\w ]": _one("a "),
    r"[^\n\s]": _one("a-"), r"[^\w\s]": _one("-,"),
}  # fmt: skip
_ZERO_WIDTH = [
    r"\b", r"\B", "^", r"\A", "(?<=a)", "(?<!b)", "(?<=c)", "(?=c)", "(?!a)", r"(?<!\w)",
    "(?m:^)", "(?m:$)", r"(?<=\r)", r"(?<=\d)",
]  # fmt: skip
#: what may match a newline or the end: a filter is refused wherever one of these is (a
#: lookahead's strings are what it looks for: it is put last in a pattern too)
_NEWLINE_ATOMS: dict[str, st.SearchStrategy[str]] = {
    r"\n": st.just("\n"), r"\s": _one(" \n\r\u00a0"), r"\W": _one(" \n-"), r"\D": _one("a\n"),
    "[^x]": _one("a\n"), "[^ab]": _one("c\n"), r"[^\d]": _one("a\n"), r"[\n-\r]": _one("\n\r"),
    "(?s:.)": _one("a\n"), r"(?=\na)": st.just("\na"), r"(?=\s\S)": st.just("\na"),
    r"(?=[^x]c)": st.just("\nc"), r"(?![^\d]c)": st.just(""),
    **{zero: st.just("") for zero in ("$", r"\Z", r"(?<=\n)", r"(?=\s)", r"(?!\n)")},
}  # fmt: skip
_QUANTIFIERS = {
    "*": (0, 3),
    "+": (1, 3),
    "{1,2}": (1, 2),
    "??": (0, 1),
    "+?": (1, 3),
    "{2}": (2, 2),
}
_FLAGS = ["", "", "", "(?i)", "(?i)", "(?m)", "(?im)", "(?s)"]
#: literals, required or not, and strings they match
_CORES: dict[str, list[str]] = {
    "abc": ["abc"], "cab": ["cab"], "aBc": ["aBc"], "kks": ["kks"], "кот": ["кот"],
    "(abc)": ["abc"], "(?:abc|cab)": ["abc", "cab"], "(?i:abc)": ["abc", "ABC", "aBc"],
    "(?:ab|cab)": ["ab", "cab"], "(?:abc)?": ["", "abc"], "a(?:bc)+": ["abc", "abcbc"],
    "(?-i:abc)": ["abc"], "(?:abc|c(?:ab)+)": ["abc", "cab", "cabab"],
    "(?:kabc|abc)": ["kabc", "abc"], "(?:abc|b)": ["abc", "b"],
    "(?:abc|(?i:kabc))": ["abc", "KABC", "kabc"], "(a)?(?(1)bcd|abc)": ["abcd", "abc"],
    "(a)?(?(1)abc)": ["aabc", ""], "(?i:kks|s)": ["KKS", "kks", "s"],
}  # fmt: skip
_TOKENS = [
    "abc", "abc", "cab", "ABC", "aBc", "a", "b", "c", "k", "K", "\u212a", "kks", "KK\u017f",
    "bcd", "kabc", "abc\n", "s", "S", "\u017f", "кот", "КОТ", " ", " ", "\n", "\n", "\r\n",
    "\r", "1", "22", "-", "x", "_", "é", "\u00a0", "\u2028",
]  # fmt: skip


def _recase(sample: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(sample, st.sampled_from([str, str.upper, str.title])).map(
        lambda sf: sf[1](sf[0])
    )


def _extend(inner: st.SearchStrategy[_Part]) -> st.SearchStrategy[_Part]:
    def seq(parts: list[_Part]) -> _Part:
        return "".join(p for p, _ in parts), st.tuples(*(s for _, s in parts)).map("".join)

    def repeat(part: _Part, quantifier: str) -> _Part:
        low, high = _QUANTIFIERS[quantifier]
        sample = st.lists(part[1], min_size=low, max_size=high).map("".join)
        return f"(?:{part[0]}){quantifier}", sample

    return (
        st.lists(inner, min_size=1, max_size=3).map(seq)
        | inner.map(lambda x: (f"(?:{x[0]})?", st.just("") | x[1]))
        | inner.map(lambda x: (f"({x[0]})", x[1]))
        | st.tuples(inner, inner).map(
            lambda xy: (f"(?:{xy[0][0]}|{xy[1][0]})", xy[0][1] | xy[1][1])
        )
        | st.tuples(inner, st.sampled_from(list(_QUANTIFIERS))).map(lambda xq: repeat(*xq))
        | inner.map(lambda x: (f"(?i:{x[0]})", _recase(x[1])))
        | inner.map(lambda x: (f"(?-i:{x[0]})", x[1]))
        | st.sampled_from(["=", "!", "<=", "<!"]).flatmap(
            lambda kind: inner.map(
                lambda x: (f"(?{kind}{x[0]})", x[1] if kind == "=" else st.just(""))
            )
        )  # a lookbehind of variable width: re refuses it, regex not
    )


def _patterns() -> st.SearchStrategy[_Part]:
    """Short patterns around a literal that is usually required, often with an edge case
    (a newline, an anchor, a class with or without the newline) between it and another
    literal, where a wrong analysis would show."""
    atoms = {**_ATOMS, **dict.fromkeys(_ZERO_WIDTH, st.just("")), **_NEWLINE_ATOMS}
    leaves = st.sampled_from(sorted(atoms.items()))
    tree = st.recursive(leaves, _extend, max_leaves=3)
    edges = st.sampled_from(sorted(_NEWLINE_ATOMS.items())) | leaves
    edge = edges | st.tuples(edges, st.sampled_from(list(_QUANTIFIERS))).map(
        lambda xq: (f"(?:{xq[0][0]}){xq[1]}", st.lists(xq[0][1], max_size=3).map("".join))
    )
    empty: _Part = ("", st.just(""))
    return st.tuples(
        st.sampled_from(_FLAGS).map(lambda f: (f, st.just(""))),
        tree | st.just(empty),
        st.sampled_from(sorted(_CORES.items())).map(lambda c: (c[0], st.sampled_from(c[1]))),
        edge | st.just(empty),
        st.sampled_from(["", "", "abc", "cab", "a", "c"]).map(lambda lit: (lit, st.just(lit))),
        tree | st.just(empty),
    ).map(
        lambda parts: (
            "".join(p for p, _ in parts),
            st.tuples(*(s for _, s in parts)).map("".join),
        )
    )


def _texts_for(sample: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Texts with strings the pattern likely matches among other tokens and newlines."""
    return st.lists(sample | _recase(sample) | st.sampled_from(_TOKENS), max_size=12).map("".join)


def _texts(tokens: list[str], size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), max_size=size).map("".join)


def _compiled(pattern: str) -> regex.Pattern[str] | None:
    import regex

    try:
        return regex.compile(pattern)
    except (regex.error, RecursionError, OverflowError):
        return None


_SETTINGS = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(st.data(), _patterns())
def test_the_lines_searched_give_the_matches_of_the_whole_text(
    data: st.DataObject, part: _Part
) -> None:
    compiled = _compiled(part[0])
    lines = compiled and _facts(compiled)
    event("filtered" if lines else "no filter")
    if compiled is None or lines is None:
        return
    made = line_filter(compiled)
    assert made is None or made.literals == lines.literals
    for text in data.draw(st.lists(_texts_for(part[1]), min_size=1, max_size=3)):
        whole = _whole(compiled, text)
        event("a text with matches" if whole else "a text without")
        assert _windowed(compiled, text, lines) == whole, (part[0], text)


class _EveryLine(LineFilter):
    """Windows on every line: what fact 2 alone allows."""

    def lines(self, text: str) -> list[tuple[int, int]]:
        starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
        return [(a, text.find("\n", a) if "\n" in text[a:] else len(text)) for a in starts]


@_SETTINGS
@given(st.data(), _patterns())
def test_a_one_line_pattern_finds_the_same_line_by_line(data: st.DataObject, part: _Part) -> None:
    """Fact 2 alone: a pattern said to stay on one line finds, searched line by line, what
    it finds in the whole text (when it cannot match the empty string, as a pattern with a
    required literal cannot: an empty match at the end of one window is also at the start
    of the next)."""
    compiled = _compiled(part[0])
    if compiled is None or compiled.search("") or re._parser.parse(part[0]).getwidth()[0] == 0:
        return
    if not one_line(compiled):
        event("not one line")
        return
    every = _EveryLine([])
    for text in data.draw(st.lists(_texts_for(part[1]), min_size=1, max_size=3)):
        whole = _whole(compiled, text)
        event("one line, a text with matches" if whole else "one line, a text without")
        assert _windowed(compiled, text, every) == whole, (part[0], text)


@_SETTINGS
@given(st.data(), _patterns())
def test_every_match_holds_a_required_literal(data: st.DataObject, part: _Part) -> None:
    """Fact 1 alone, whether or not the pattern stays on one line."""
    compiled = _compiled(part[0])
    literals = compiled and required_literals(compiled)
    if compiled is None or literals is None:
        event("no literals")
        return
    finders = [
        _compile(re.escape(text), re.IGNORECASE if folded else 0) for text, folded in literals
    ]
    for text in data.draw(st.lists(_texts_for(part[1]), min_size=1, max_size=3)):
        for match in compiled.finditer(text):
            event("a match")
            assert any(f.search(match.group()) for f in finders), (part[0], text, literals)


_BUNDLED_TOKENS = [
    "17", "3", "250", "more than", "over", "some", "at least", "dozens of", "three", "Three",
    "a dozen", "other", "international", "partner", "countries", "Countries", "COUNTRIES",
    "nations", "states", "partners", "organisations", "Organizations", "стран", "странами",
    "Стран", "государств", "международных партнеров", "партнеров", "других", "более",
    "около", "Sino", "Russo", "китайско", "Китайско", "российско", "Российско", "casino",
    "个国家", "十余个国家", "国", "国际", "Russia", "China", " ", " ", " ", "\n", "\n",
    "\r\n", "\r", "-", ",", "x", "_", "1", "é", "\u00a0", "\u212a",
]  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts(_BUNDLED_TOKENS, 60))
def test_the_bundled_patterns_find_the_same_in_their_lines(text: str) -> None:
    for shown, (compiled, lines) in _bundled_compiled().items():
        if lines is not None:
            assert _windowed(compiled, text, lines) == _whole(compiled, text), shown


_BUNDLED: dict[str, tuple[regex.Pattern[str], LineFilter | None]] = {}


def _bundled_compiled() -> dict[str, tuple[regex.Pattern[str], LineFilter | None]]:
    if not _BUNDLED:
        _BUNDLED.update(_bundled())
    return _BUNDLED


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts(_BUNDLED_TOKENS, 80))
def test_the_matcher_finds_the_same_mentions_with_and_without_filters(text: str) -> None:
    filtered, whole = _matchers()
    assert filtered.find(text) == whole.find(text)


_MATCHERS: list[ActorMatcher] = []


def _matchers() -> list[ActorMatcher]:
    if not _MATCHERS:
        filtered, whole = ActorMatcher(load_actors()), ActorMatcher(load_actors())
        assert any(lines is not None for lines in filtered._lines)
        whole._lines = [None] * len(whole._lines)
        _MATCHERS.extend([filtered, whole])
    return _MATCHERS


def test_windows_would_differ_where_the_filter_is_refused() -> None:
    """Why $, \\s and the like are refused (and that the comparison above can fail):
    forced on such a pattern, line windows give other matches than the whole text."""
    forced = LineFilter([("abc", False)])
    text = "abc\n\nabc x\nabc\n"
    for pattern in (r"abc$", r"abc\s+", r"abc(?=\n\n)", r"(?s)abc..", r"abc\n\n", r"abc[^x]+"):
        compiled = _compile(pattern)
        assert _filter(pattern) is None
        assert _windowed(compiled, text, forced) != _whole(compiled, text), pattern


# -- the budget and kwic -----------------------------------------------------------------


def test_the_budget_charges_a_filtered_search_as_a_whole_one() -> None:
    compiled = _compile(r"(?i)\b\d+ (?:countries|states)\b")
    text = "a line\n17 Countries and 3 states.\nnone\n" * 50
    lines = line_filter(compiled)
    assert lines is not None
    budget = PatternBudget(1, 10.0)
    searched = budget.search(0, compiled, text, lines)
    assert searched.one_search and searched.matches is not None
    assert _found(searched.matches) == _whole(compiled, text)
    assert len(searched.matches) == 100
    assert budget.searched == [len(text)] and 0 < budget.spent[0] < 1


def test_a_filtered_search_is_stopped_at_its_limit() -> None:
    """Exponential on its one line ("(x|x)*y" over 40 x's): stopped at what is left of a
    0.05 s budget, charged about that, and reported as stopped."""
    compiled = _compile(r"abc(?:x|x)*y")
    lines = _facts(compiled)
    assert lines is not None
    budget = PatternBudget(1, 0.05)
    searched = budget.search(0, compiled, "one\nabc" + "x" * 40 + "\ntwo", lines)
    assert searched.matches is None and not searched.one_search
    assert 0.04 < budget.spent[0] < 1.0
    with pytest.raises(TimeoutError):  # no time left before a window: stopped too
        lines.finditer(compiled, "abc", 0.0)
    assert lines.finditer(compiled, "no such line", 0.0) == []


def test_kwic_regex_searches_only_the_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    windows: list[str] = []
    real = LineFilter.lines

    def spy(self: LineFilter, text: str) -> list[tuple[int, int]]:
        found = real(self, text)
        windows.extend(text[a:b] for a, b in found)
        return found

    monkeypatch.setattr(LineFilter, "lines", spy)
    body = "# Plan\n\nIntro.\n\nOver 17 partner countries joined.\n\nLater: 3 States.\n"
    snap = make_snapshot("s", "2030-01-a", "2030-01-01", body)
    rows = keyword_rows(
        [snap], {snap.id: "v1"}, r"\b\d+ (?:partner )?(?:countries|states)", load_actors(),
        regex_search=True,
    )  # fmt: skip
    assert [r.keyword for r in rows] == ["17 partner countries", "3 States"]
    assert windows == ["Over 17 partner countries joined.", "Later: 3 States."]
