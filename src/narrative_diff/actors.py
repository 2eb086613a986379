"""Actors (countries, agencies) and their aliases: finding their mentions in a text. The
actors file and the actor set it gives are :mod:`narrative_diff.actors_file`'s (its names
are here too); loading one checks it by compiling its matcher (:func:`check_actors`:
clashing aliases, Russian forms that coincide, bad or runaway patterns, aliases too long
to compile are load errors).

Matching rules (:class:`ActorMatcher`)
--------------------------------------
* Text and aliases are compared after the same length-preserving normalisation, one
  character at a time: NFC composition first (spans still index the original text, through
  an index map when the text was not NFC), then NFKC and casefold where they give one
  character (full-width ``ＣＮＳＡ`` → ``cnsa``, ``（`` → ``(``), ``ё`` → ``е``, typographic
  apostrophes and hyphens → ASCII. A space in an alias matches any run of whitespace.
* Case-insensitive, except aliases in capitals with 2+ letters (PRC, CNSA, ESA, РФ): those
  match only in capitals. So "fine china" counts for China: lowercase "china" is ambiguous,
  and skipping it would miss lower-cased uses (URLs, tags); add an ``exclude`` if needed.
* Aliases without Han characters need word boundaries: no letter, digit or ``_`` directly
  before or after, where Han characters do not count as letters (so "与ESA合作" matches
  ESA). Aliases containing Han characters match as substrings; exclusions handle traps.
* Leftmost-longest: at each position the longest valid alias wins, an earlier mention wins
  over a later overlapping one, and each character belongs to at most one mention.
* An ``exclude`` string found in the text (substring, same normalisation and case rule)
  vetoes the matches of *its own* actor that overlap it; other actors are unaffected, so
  白俄罗斯 excluded for Russia still counts for Belarus. A vetoed match does not hide a
  shorter or later valid one.
* ``patterns`` see the text after the same normalisation but without casefolding (so write
  е for ё, ASCII ``'`` and ``-``), are case-sensitive unless they say ``(?i)``, and compete
  with aliases under the same rules; the ``alias`` of such a match is the pattern. Begin
  them with a literal character where possible: a leading lookbehind is ~100x slower.
* Russian: an alias with Cyrillic letters (not an acronym) also matches its inflected forms
  (России, Россией, Роскосмосом, российского). They come from pymorphy3's OpenCorpora
  dictionary (offline, imported lazily when such an alias exists, ~0.1 s, forms cached):
  unlike stem rules it knows fleeting vowels (Египет → Египта) and indeclinables
  (Никарагуа). A one-word noun takes all its case forms in its own number, an adjective
  all its full forms; in a phrase, the leading nominative words are inflected together
  case by case ("Российской Федерации") and the rest stays as written.
* Scripts: a Han character is folded to its simplified form, one for one (OpenCC ``t2s``,
  imported when a Han character is first folded; a conversion that is not one character
  keeps the original), so 中國 matches 中国 and spans still quote the original text.
* Han compounds: a single Han character (中, 俄) is refused as an alias: it occurs inside
  unrelated words (俄亥俄 Ohio, 其中 "among which"). List it in ``abbrev`` instead: a run of
  2+ abbreviation characters is a compound when 2+ actors claim their own characters in it
  (as the abbreviation, or by a longer alias of theirs); each counts one mention of one
  character (中俄 → China + Russia). Longer aliases win (白俄 is Belarus alone) and an
  actor's excludes veto its character (巴西 for 巴 Pakistan); a lone leftover counts nothing.
* One mention per span: a mention followed by one of the same actor that is alone in
  parentheses ("China National Space Administration (CNSA)", or the reverse) is one mention.
* A pattern beginning with a comment ``(?#label)`` is reported under that label.

>>> from narrative_diff.actors import load_actors, find_mentions
>>> [(m.actor, m.text) for m in find_mentions("白俄罗斯与俄罗斯联邦; Prussian CNSA", load_actors())]
[('belarus', '白俄罗斯'), ('russia', '俄罗斯联邦'), ('china', 'CNSA')]
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from .actors_file import ALLOWED_KEYS as ALLOWED_KEYS
from .actors_file import BUNDLED as BUNDLED
from .actors_file import BUNDLED_SOURCE as BUNDLED_SOURCE
from .actors_file import KINDS as KINDS
from .actors_file import MAX_ACTORS_BYTES as MAX_ACTORS_BYTES
from .actors_file import Actor as Actor
from .actors_file import ActorSet as ActorSet
from .actors_file import read_actors as read_actors
from .actors_file import too_large
from .budget import PATTERN_BUDGET_ENV, PATTERN_SECONDS_PER_MB, PatternBudget
from .errors import ActorsFileError
from .forms import (
    Start,
    compose,
    join_regex,
    nested_repeat,
    russian_forms,
    scan,
    trie_pattern,
    trie_regex,
)
from .prefilter import LineFilter, line_filter
from .text import HAN, HAN_RANGES, han_variant, non_ascii

if TYPE_CHECKING:
    import regex

_CYRILLIC = re.compile("[\u0400-\u04ff]")
#: Cyrillic, and every character that folds to a Han one (radicals, enclosed ideographs:
#: ``tests/test_actors_scripts.py``): a text with none has neither, seen in its few
#: characters beyond ASCII (``text.non_ascii``).
_NEITHER = re.compile(f"[\u0400-\u04ff\u2e80-\u2fdf\u3000-\u33ff\U0001f200-\U0001f2ff{HAN_RANGES}]")
_WORD_CHAR = re.compile(rf"[^\W{HAN_RANGES}]")  # a letter, digit or "_" that is not Han
_WORD_START = re.compile(r"\w")  # what \b reads as a word character
_SPECIAL = {"ё": "е", "Ё": "Е", "’": "'", "‘": "'", "‛": "'", "′": "'", "‐": "-", "‑": "-"}
_SPECIAL |= {"‒": "-", "–": "-", "\u00a0": " "}


class _Fold(dict[int, str]):
    """``str.translate`` table: each character to one character (NFKC, optionally casefold)."""

    def __init__(self, casefold: bool) -> None:
        super().__init__()
        self.casefold = casefold

    def __missing__(self, code: int) -> str:
        char = chr(code)
        out = unicodedata.normalize("NFKC", char)
        out = out.casefold() if self.casefold else out
        out = _SPECIAL.get(out, out)
        if len(out) != 1:  # "…" → "...", "ß" → "ss": keep the character (length-preserving)
            out = _SPECIAL.get(char, char.lower() if self.casefold else char)
            out = out if len(out) == 1 else char
        if HAN.match(out):  # traditional → simplified, one character for one (國 → 国)
            out = han_variant(out)
        self[code] = out
        return out


_FOLD, _KEEP_CASE = _Fold(casefold=True), _Fold(casefold=False)
_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def _fold_text(nfc: str, table: _Fold) -> str:
    """``nfc.translate(table)``, but ASCII runs are lowered in C (the table maps an ASCII
    character to its lower case, or to itself when case is kept): a long English text with
    a few curly quotes costs a few table look-ups, not one per character.

    >>> _fold_text("The “CNSA” and Россия", _FOLD) == "The “CNSA” and Россия".translate(_FOLD)
    True
    """
    if nfc.isascii():
        return nfc.lower() if table.casefold else nfc
    return "".join(
        (run.lower() if table.casefold else run) if run.isascii() else run.translate(table)
        for run in _RUNS.findall(nfc)
    )


def fold(text: str, table: dict[int, str] = _FOLD) -> str:
    """The comparison form of an alias or exclude string (``_KEEP_CASE``: of an acronym).

    >>> fold("Tu\\u0308rkiye") == fold("Türkiye") == "türkiye", fold("ＣＮＳＡ  Партнёры ")
    (True, 'cnsa партнеры')
    """
    return " ".join(unicodedata.normalize("NFC", text).translate(table).split())


def _is_acronym(alias: str) -> bool:
    return alias.isupper() and sum(ch.isupper() for ch in alias) >= 2


@dataclass(frozen=True, slots=True)
class Match:
    actor: str
    alias: str
    start: int
    end: int
    text: str


def load_actors(path: str | os.PathLike[str] | None = None) -> ActorSet:
    """Read and check an actors file (None: the bundled ILRS file); see the module docs."""
    actor_set = read_actors(path)
    check_actors(actor_set)
    return actor_set


def check_actors(actor_set: ActorSet) -> ActorMatcher:
    """Compile an actor set's matcher, once (clashing aliases and bad patterns are errors
    of its file), a user's file in full: its Russian forms too (the bundled file is
    checked by the tests; it waits for Cyrillic text). The set's pattern budget starts
    now."""
    try:
        matcher = matcher_for(actor_set)
        if actor_set.source != BUNDLED_SOURCE:
            matcher.expand()
        matcher.reset_budget()
    except (RecursionError, OverflowError, MemoryError) as exc:  # absurd aliases or patterns
        raise too_large(actor_set.source, exc) from exc
    return matcher


@dataclass(frozen=True)
class _Form:
    actor: int  # index into ActorSet.actors
    alias: str  # as written in the file
    bounded: bool  # needs word boundaries (no Han character)
    case: str | None  # for acronyms: the form that must match in capitals
    generated: bool = False  # a Russian inflected form


class ActorMatcher:
    """Finds the mentions of an actor set's actors; compile once, call :meth:`find` often."""

    def __init__(self, actors: ActorSet) -> None:
        self.actors = actors
        self._forms: dict[str, _Form] = {}
        self._excludes: dict[str, list[tuple[int, str | None]]] = {}
        self._patterns: list[tuple[int, str, regex.Pattern[str], str]] = []
        self._abbrev: dict[str, tuple[int, str]] = {}  # folded character → (actor, as written)
        for index, actor in enumerate(actors.actors):
            for alias in actor.aliases:
                self._add(fold(alias), index, alias)
            for char in actor.abbrev:
                old = self._abbrev.setdefault(fold(char), (index, char))
                if old[0] != index:
                    other = actors.actors[old[0]].key
                    self._fail(f"actors '{other}' and '{actor.key}' both claim the abbrev '{char}'")
        # Russian aliases are declined (pymorphy3, 0.2 s to load) on the first text with
        # Cyrillic in it (:meth:`expand`): their forms cannot match any other text.
        self._russian = [
            (index, alias)
            for index, actor in enumerate(actors.actors)
            for alias in actor.aliases
            if _CYRILLIC.search(alias) and not _is_acronym(alias)
        ]
        self._expanded = not self._russian
        for index, actor in enumerate(actors.actors):
            for text in actor.exclude:
                for alias in actor.aliases:
                    if fold(text) in fold(alias):
                        self._fail(
                            f"exclude '{text}' of actor '{actor.key}' vetoes its alias '{alias}'"
                        )
                case = fold(text, _KEEP_CASE) if _is_acronym(text) else None
                self._excludes.setdefault(fold(text), []).append((index, case))
            for pattern in actor.patterns:
                label = _LABEL.match(pattern)  # "(?#N countries)": shown as the alias
                shown = label.group(1) if label else pattern
                self._patterns.append((index, pattern, self._compile(actor.key, pattern), shown))
        # the lines each pattern can match on (None: the whole text), found once
        self._lines: list[LineFilter | None] = [line_filter(p[2]) for p in self._patterns]
        self._alias_rx = self._aliases_regex()
        self._exclude_rx = trie_regex(self._excludes)
        chars = "".join(re.escape(c) for c in sorted(self._abbrev))
        self._run_rx = re.compile(f"[{chars}]{{2,}}") if chars else None
        self._alias_starts: tuple[Start, ...] | None = None  # (on first use)
        self.reset_budget()
        # an exclude overlapping a match lies within this many characters of it (a space
        # in a form may stand for a longer run of whitespace: hence the slack)
        self._exclude_margin = 2 * max((len(f) for f in self._excludes), default=0) + 16

    def _aliases_regex(self) -> re.Pattern[str] | None:
        """One regular expression for every alias form. Bounded forms (no Han character)
        may only start where a word starts: one look-behind in front of their trie lets the
        engine skip "esa" inside "mesa" without a Python call; the end of the word is still
        checked in ``accept``."""
        bounded = [f for f, entry in self._forms.items() if entry.bounded]
        unbounded = [f for f in self._forms if not self._forms[f].bounded]
        return join_regex((bounded, rf"(?<![^\W{HAN_RANGES}])"), (unbounded, ""))

    def _starts_regexes(self) -> tuple[Start, ...]:
        """Where a form may start in a text without Han characters: together, at least
        wherever :meth:`_aliases_regex` can, found without its look-behind, which keeps
        the engine from skipping ahead to a form's first character (for a long English
        text, finding the aliases took three times as long). Without Han characters the
        look-behind is a non-word character (or the text's start) before a form that
        begins with a word character, and such a form is bounded: it is followed by no
        word character either (without that, "us" started 1,900 candidates in a long
        English text, one in each "use"). Any other form is tried everywhere, but for one
        that begins with a Han character (none is there). Two patterns: one alternation of
        both would again keep the engine from skipping ahead."""
        worded = {f for f, entry in self._forms.items() if entry.bounded and _WORD_START.match(f)}
        trie = trie_pattern(worded, end=r"(?!\w)")
        patterns = (
            # (every non-word character is outside a-z0-9_, a set the engine skips faster)
            (re.compile(rf"[^a-z0-9_](?:{trie})") if trie else None, True),
            (trie_regex(f for f in self._forms if f not in worded and not HAN.match(f)), False),
        )
        return tuple((p, led) for p, led in patterns if p is not None)

    def expand(self) -> None:
        """Add the inflected forms of the Russian aliases (done by :meth:`find` on the first
        text with Cyrillic; call it to check an actors file fully: two actors' forms may
        coincide)."""
        if self._expanded:
            return
        for index, alias in self._russian:
            for form in russian_forms(alias):
                self._add(fold(form), index, alias, generated=True)
        self._alias_rx = self._aliases_regex()
        self._alias_starts = None
        self._expanded = True

    def reset_budget(self, seconds: float | None = None) -> None:
        """Start a new pattern budget (``seconds``, else ``$NARRATIVE_DIFF_PATTERN_SECONDS``,
        else :data:`~narrative_diff.budget.PATTERN_BUDGET`; :mod:`narrative_diff.budget`):
        the time all patterns may spend from now on."""
        self.budget = PatternBudget(len(self._patterns), seconds)

    def _search(self, order: int, cased: str) -> list[regex.Match[str]]:
        """The matches of pattern ``order`` (0-based), within the limit of one search and
        what is left of the budget; either exceeded is a one-line refusal naming the
        pattern."""
        index, pattern, compiled, _ = self._patterns[order]
        searched = self.budget.search(order, compiled, cased, self._lines[order])
        if searched.matches is not None:
            return searched.matches
        key = self.actors.actors[index].key
        if searched.one_search:
            raise ActorsFileError(
                f"{self.actors.source}: the pattern '{pattern}' of actor '{key}' took over "
                f"{searched.limit:.3g} s on one text (it backtracks)",
                hint="simplify the pattern (no nested or adjacent repeats of the same "
                "characters), or use aliases",
            )
        worst = self.budget.costliest()
        index, pattern = self._patterns[worst][:2]
        raise ActorsFileError(
            f"{self.actors.source}: the patterns took more than their budget on this "
            f"command's texts ({self.budget.seconds:g} s, besides {PATTERN_SECONDS_PER_MB:g} s "
            f"for each million characters a pattern searches); '{pattern}' of actor "
            f"'{self.actors.actors[index].key}' took {self.budget.spent[worst]:.2f} s",
            hint="simplify that pattern (no adjacent repeats of the same characters, e.g. "
            f"\\w*\\w*), use aliases, or raise ${PATTERN_BUDGET_ENV}",
            slug="pattern-budget",
        )

    def _fail(self, problem: str) -> NoReturn:
        raise ActorsFileError(f"{self.actors.source}: {problem}")

    def _add(self, form: str, index: int, alias: str, generated: bool = False) -> None:
        key = self.actors.actors[index].key
        if not form:
            self._fail(f"actor '{key}' has an empty alias")
        if len(form) == 1 and HAN.match(form):
            self._fail(
                f"actor '{key}': single Han character alias '{alias}'; use 'abbrev' for compounds"
            )
        old = self._forms.get(form)
        case = fold(alias, _KEEP_CASE) if _is_acronym(alias) else None
        new = _Form(index, alias, not HAN.search(alias), case, generated)
        if old is None or (old.actor == index and old.case and not case):
            self._forms[form] = new  # within one actor, "Roscosmos" covers "ROSCOSMOS"
        elif old.actor != index:
            keys = self.actors.actors[old.actor].key, self.actors.actors[index].key
            if generated or old.generated:
                self._fail(
                    f"the Russian forms of alias '{old.alias}' (actor '{keys[0]}') and alias "
                    f"'{alias}' (actor '{keys[1]}') coincide in '{form}'"
                )
            written = f" (written '{alias}' in '{keys[1]}')" if alias != old.alias else ""
            self._fail(
                f"actors '{keys[0]}' and '{keys[1]}' both claim the alias '{old.alias}'{written}"
            )

    def _compile(self, key: str, pattern: str) -> regex.Pattern[str]:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            self._fail(f"actor '{key}' has an invalid pattern '{pattern}': {exc}")
        parser = getattr(re, "_parser", None)  # the sre parser knows a pattern's minimum width
        empty = parser.parse(pattern).getwidth()[0] == 0 if parser else compiled.search("")
        if empty:
            self._fail(f"actor '{key}' has a pattern that can match the empty string: '{pattern}'")
        if parser and nested_repeat(parser.parse(pattern)):
            self._fail(
                f"actor '{key}' has a pattern with a repeat inside a repeat: '{pattern}' "
                "(it can take exponential time on some texts; write e.g. 'a+' for '(a+)+')"
            )
        import regex  # the same syntax as re, and a time limit per search

        # Its inline flags are read from the pattern itself; re's flag bits are not passed
        # on (re.ASCII is regex's VERSION1 bit: "(?a)" patterns ran with regex's set syntax
        # and full case folding). VERSION0 is re's behaviour.
        return regex.compile(pattern, flags=regex.V0)

    def find(self, text: str) -> list[Match]:
        """Mentions in ``text``, sorted by start, non-overlapping (see the module docs)."""
        plain = _NEITHER.search(non_ascii(text)) is None  # (most texts: a short look)
        if not plain and not self._expanded and _CYRILLIC.search(text):
            self.expand()
        nfc, spans = compose(text)
        folded = _fold_text(nfc, _FOLD)
        margin = self._exclude_margin

        def free(index: int, start: int, end: int) -> bool:
            """No exclude string of this actor overlaps ``start:end``. Exclusions are looked
            for only around a candidate (a few hundred per long text), not in the whole
            text: that second full scan cost as much as finding the aliases."""
            if self._exclude_rx is None:
                return True
            low = max(0, start - margin)
            window = folded[low : end + margin]
            for s, e, form in scan(self._exclude_rx, window, lambda *_: True, first_only=False):
                s, e = s + low, e + low
                if s < end and start < e:
                    for owner, case in self._excludes[form]:
                        if owner == index and (case is None or fold(nfc[s:e], _KEEP_CASE) == case):
                            return False
            return True

        def accept(start: int, end: int, form: str) -> bool:
            entry = self._forms[form]
            if entry.bounded and (
                (start and _WORD_CHAR.match(folded, start - 1)) or _WORD_CHAR.match(folded, end)
            ):
                return False
            if entry.case is not None and fold(nfc[start:end], _KEEP_CASE) != entry.case:
                return False
            return free(entry.actor, start, end)

        found = []  # (start, -length, order, actor index, alias, end): sorted, leftmost-longest
        starts: tuple[Start, ...] = ()
        han = not plain and HAN.search(folded) is not None
        if self._alias_rx is not None and not han:
            if self._alias_starts is None:
                self._alias_starts = self._starts_regexes()
            starts = self._alias_starts
        for start, end, form in scan(self._alias_rx, folded, accept, True, starts):
            entry = self._forms[form]
            found.append((start, start - end, 0, entry.actor, entry.alias, end))
        cased = _fold_text(nfc, _KEEP_CASE) if self._patterns else ""
        runs: list[tuple[int, int]] = []  # abbreviation runs (中俄白): one candidate per character
        last = len(self._patterns) + 1
        # (abbreviations are Han characters: a text without one has no run, found at once)
        for run in self._run_rx.finditer(folded) if self._run_rx and han else ():
            runs.append(run.span())
            for i in range(*run.span()):
                index, char = self._abbrev[folded[i]]
                if free(index, i, i + 1):
                    found.append((i, -1, last, index, char, i + 1))
        for order, (index, _, _, shown) in enumerate(self._patterns, 1):
            for m in self._search(order - 1, cased):
                if m.end() > m.start() and free(index, m.start(), m.end()):
                    found.append((m.start(), m.start() - m.end(), order, index, shown, m.end()))
        chosen: list[tuple[int, int, int, str, bool]] = []  # start, end, actor, alias, abbrev
        for start, _, order, index, alias, end in sorted(found):
            if not chosen or start >= chosen[-1][1]:
                chosen.append((start, end, index, alias, order == last))
        if runs:
            chosen = self._compounds(chosen, runs, folded)
        matches: list[Match] = []
        for start, end, index, alias, _ in _one_per_span(chosen, folded):
            if spans is not None:
                start, end = spans[start][0], spans[end - 1][1]
            key = self.actors.actors[index].key
            matches.append(Match(key, alias, start, end, text[start:end]))
        return matches

    def _compounds(
        self,
        chosen: list[tuple[int, int, int, str, bool]],
        runs: list[tuple[int, int]],
        folded: str,
    ) -> list[tuple[int, int, int, str, bool]]:
        """Keep an abbreviation's one-character mention only where its run is a compound: 2+
        distinct actors whose characters are claimed by themselves (as an abbreviation, or by
        an alias of theirs: 俄国 in 中俄国际). So 白俄 (Belarus' alias) leaves 白 and 俄 to
        Belarus alone, and a lone 中 before 巴西 or after 其中 (excluded) does not count."""
        owner = {i: m[2] for m in chosen for i in range(m[0], m[1])}
        compound: set[int] = set()
        for start, end in runs:
            members = {
                owner[i] for i in range(start, end) if owner.get(i) == self._abbrev[folded[i]][0]
            }
            if len(members) >= 2:
                compound.update(range(start, end))
        return [m for m in chosen if not m[4] or m[0] in compound]


_LABEL = re.compile(r"\(\?#([^)]+)\)")
# Quotation marks around a name or its abbreviation (State Space Corporation "Roscosmos"
# (ROSCOSMOS), Госкорпорация «Роскосмос» (ROSCOSMOS), CNSA ("China National Space
# Administration")) do not change the span.
_OPEN_QUOTE, _CLOSE_QUOTE = "\"'“«„‹「『", "\"'”»›」』"
_PAREN = re.compile(rf"[{_CLOSE_QUOTE}]?\s*\(\s*[{_OPEN_QUOTE}]?")
_CLOSE = re.compile(rf"[{_CLOSE_QUOTE}]?\s*\)")


def _one_per_span(
    chosen: list[tuple[int, int, int, str, bool]], folded: str
) -> Iterator[tuple[int, int, int, str, bool]]:
    """Drop a mention that only repeats the one before it in parentheses, for the same actor:
    "China National Space Administration (CNSA)", "CNSA (China National Space Administration)",
    中国国家航天局（CNSA） each count once (the parenthesised one is dropped); quotation marks
    around either do not change that."""
    previous = None
    for m in chosen:
        if (
            previous is not None
            and previous[2] == m[2]
            and not m[4]
            and _PAREN.fullmatch(folded, previous[1], m[0])
            and _CLOSE.match(folded, m[1])
        ):
            continue
        previous = m
        yield m


@functools.lru_cache(maxsize=16)
def matcher_for(actors: ActorSet) -> ActorMatcher:
    """The compiled matcher of an actor set, built once (:func:`check_actors` builds it)."""
    return ActorMatcher(actors)


def find_mentions(text: str, actors: ActorSet) -> list[Match]:
    """Mentions of ``actors`` in ``text``; the compiled matcher is cached per actor set."""
    return matcher_for(actors).find(text)
