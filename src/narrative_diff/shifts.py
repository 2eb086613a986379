"""The narrative-shift summary of a comparison: what an analyst reads before any raw diff.

Everything here is read off the aligned, word-diffed segments, and every item keeps the
sentences it rests on (``before``/``after`` evidence):

* **replaced phrases**: the word-level replacements inside aligned sentences, counted
  across the document and ranked by count, then by length;
* **renames**: short replacements (up to four words) that look like a term being renamed,
  ranked by *consistency* — how often the pair occurs, against how often the old term
  survives in ``b`` or the new one already existed in ``a``;
* **named things** added and removed: capitalised phrases and acronyms (alphabetic
  scripts; Chinese has no capitals, so this list is empty for it);
* **numbers** changed inside aligned sentences; **modality** (will → may, must → should)
  and **negation** added or removed, in English, Russian and Chinese;
* **readability** before and after (see :mod:`narrative_diff.readability`);
* **actors**: reserved for the scoring step; always an empty list in this version.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .align import OPS
from .segment import WORD_RUN, Segmented, tokenize
from .text import HAN, languages_differ, normalise_language

if TYPE_CHECKING:
    from .compare import Segment
    from .snapshot import Snapshot

MAX_ITEMS = 25
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
MODALS = {
    "en": ("will", "shall", "must", "should", "may", "might", "can", "could", "would"),
    "ru": (
        "будет",
        "будут",
        "должен",
        "должна",
        "должны",
        "может",
        "могут",
        "следует",
        "необходимо",
        "нужно",
    ),
    "zh": ("将", "应当", "应该", "应", "必须", "可以", "可能", "会", "要"),
}
NEGATIONS = {
    "en": ("not", "no", "never", "without", "neither", "nor", "n't", "none"),
    "ru": ("не", "нет", "ни", "без", "никогда"),
    "zh": ("不", "没有", "没", "未", "无", "非"),
}
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
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")


@dataclass(frozen=True)
class Evidence:
    """The sentences a finding rests on: sentence indices and text in ``a`` and ``b``."""

    a_index: int | None
    b_index: int | None
    before: str
    after: str


@dataclass(frozen=True)
class Replacement:
    before: str
    after: str
    count: int
    evidence: Evidence


@dataclass(frozen=True)
class Rename:
    before: str
    after: str
    count: int
    consistency: float  # pairs / (pairs + old term left in b + new term already in a)
    evidence: Evidence


@dataclass(frozen=True)
class TermChange:
    term: str
    change: str  # "added" or "removed"
    count_a: int
    count_b: int


@dataclass(frozen=True)
class WordChange:
    """A changed number, modal or negation inside an aligned sentence pair."""

    kind: str  # "number", "modality", "negation"
    before: str
    after: str
    evidence: Evidence


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    replaced_phrases: tuple[Replacement, ...]
    removed_phrases: tuple[Replacement, ...]
    added_phrases: tuple[Replacement, ...]
    renames: tuple[Rename, ...]
    named_removed: tuple[TermChange, ...]
    named_added: tuple[TermChange, ...]
    numbers: tuple[WordChange, ...]
    modality: tuple[WordChange, ...]
    negation: tuple[WordChange, ...]
    modal_counts: dict[str, tuple[int, int]]
    readability: dict[str, Any]
    narrative_change: bool
    actors: tuple[Any, ...] = field(default=())  # filled by the scoring step


def summarise(
    a: Snapshot,
    b: Snapshot,
    sa: Segmented,
    sb: Segmented,
    segments: tuple[Segment, ...],
    *,
    threshold: float = 0.5,
) -> Summary:
    """Build the summary of ``a`` → ``b`` from its segments (see the module docstring).

    Numbers, modality and negation are read only from pairs at least ``threshold``
    similar: in a loosely paired sentence a different year or modal is a different
    sentence, not a change. Across languages, word-level findings would only report the
    translation, so they are left empty (the comparison carries a warning).
    """
    counts = Counter(s.op for s in segments)
    replaced: dict[tuple[str, str], list[Evidence]] = {}
    removed: dict[tuple[str, str], list[Evidence]] = {}
    added: dict[tuple[str, str], list[Evidence]] = {}
    words: list[WordChange] = []
    language = normalise_language(b.language or a.language) or "en"
    same_language = not languages_differ(a.language, b.language)
    for seg in segments if same_language else ():
        if seg.op in ("added", "deleted", "unchanged"):
            continue
        strong = seg.similarity >= threshold
        evidence = Evidence(_first(seg.a_index), _first(seg.b_index), seg.a_text, seg.b_text)
        for before, after in seg.diff.changes():
            before, after = _trim(before), _trim(after)
            if before and after:
                replaced.setdefault((before, after), []).append(evidence)
            elif before:
                removed.setdefault((before, ""), []).append(evidence)
            elif after:
                added.setdefault(("", after), []).append(evidence)
            numbers_a, numbers_b = _NUMBER.findall(before), _NUMBER.findall(after)
            if strong and Counter(numbers_a) != Counter(numbers_b):
                words.append(
                    WordChange("number", " ".join(numbers_a), " ".join(numbers_b), evidence)
                )
        if strong:
            words += _word_shifts(seg.a_text, seg.b_text, language, evidence)
    modal_counts = _modal_counts(sa, sb, language) if same_language else {}
    changed = (
        {i for seg in segments if seg.op != "unchanged" for i in _indices(seg.a_index)},
        {j for seg in segments if seg.op != "unchanged" for j in _indices(seg.b_index)},
    )
    named_removed, named_added = (
        _named_changes(sa, sb, language, changed) if same_language else ((), ())
    )
    narrative = any(s.op != "unchanged" for s in segments)
    from .readability import compare_readability, readability

    before_r = readability(
        a.body, a.language, sentences=[s.text for s in sa.sentences], words=a.words
    )
    after_r = readability(
        b.body, b.language, sentences=[s.text for s in sb.sentences], words=b.words
    )
    return Summary(
        counts={op: counts.get(op, 0) for op in OPS},
        replaced_phrases=_ranked(replaced),
        removed_phrases=_ranked(removed),
        added_phrases=_ranked(added),
        renames=_renames(replaced, sa, sb),
        named_removed=named_removed,
        named_added=named_added,
        numbers=tuple(w for w in words if w.kind == "number")[:MAX_ITEMS],
        modality=tuple(w for w in words if w.kind == "modality")[:MAX_ITEMS],
        negation=tuple(w for w in words if w.kind == "negation")[:MAX_ITEMS],
        modal_counts=modal_counts,
        readability={
            "a": before_r,
            "b": after_r,
            "comparison": compare_readability(before_r, after_r),
        },
        narrative_change=narrative,
    )


def _indices(index: int | tuple[int, ...] | None) -> tuple[int, ...]:
    if index is None:
        return ()
    return index if isinstance(index, tuple) else (index,)


def _first(index: int | tuple[int, ...] | None) -> int | None:
    return index[0] if isinstance(index, tuple) else index


def _trim(text: str) -> str:
    """Strip spaces and edge punctuation: ' Russia,' → 'Russia'."""
    return _EDGE.sub("", " ".join(text.split()))


def _ranked(found: dict[tuple[str, str], list[Evidence]]) -> tuple[Replacement, ...]:
    """Most frequent first; then phrases before wholesale rewrites of a sentence; then
    shorter first (a short replacement is the more specific finding)."""
    items = [Replacement(before, after, len(ev), ev[0]) for (before, after), ev in found.items()]

    def rewrite(item: Replacement) -> bool:
        words = len(item.evidence.before.split()) + len(item.evidence.after.split())
        return len((item.before + " " + item.after).split()) > 0.6 * max(words, 1)

    items.sort(
        key=lambda r: (-r.count, rewrite(r), len((r.before + " " + r.after).split()), r.before)
    )
    return tuple(items[:MAX_ITEMS])


def _words(text: str) -> list[str]:
    """Case-folded words, inner apostrophes and hyphens kept, possessive "'s" left off.

    >>> _words("Chang'e-8: the “Basic Model”'s plan.")
    ["chang'e-8", 'the', 'basic', 'model', 'plan']
    """
    return [w.casefold() for w in WORD_RUN.findall(text)]


def _occurrences(phrases: set[str], side: Segmented) -> Counter[str]:
    """How often each phrase occurs in ``side`` as whole words, ignoring case, spacing and
    surrounding punctuation; Chinese phrases (no spaces between words) by substring.

    >>> from narrative_diff.segment import segment
    >>> text = segment("A basic  model; the Basic Modeller. 基本型和基本型", "en")
    >>> counts = _occurrences({"Basic Model", "model", "基本型"}, text)
    >>> counts["model"], counts["Basic Model"], counts["基本型"]
    (1, 1, 2)
    """
    counts: Counter[str] = Counter()
    keys: dict[tuple[str, ...], list[str]] = {}
    flat: str | None = None
    for phrase in phrases:
        if HAN.search(phrase):
            flat = flat if flat is not None else "".join(side.text.split()).casefold()
            counts[phrase] = flat.count("".join(phrase.split()).casefold())
        else:
            keys.setdefault(tuple(_words(phrase)), []).append(phrase)
    keys.pop((), None)
    if not keys:
        return counts
    grams = _NGrams([w.casefold() for w in side.word_runs])
    for key, names in keys.items():
        found = grams.count(key)
        for phrase in names:
            counts[phrase] = found
    return counts


class _NGrams:
    """Counts of a text's word n-grams. A few phrases are counted by scanning the joined
    words; past ``_SCAN_LIMIT`` phrases of one length, the n-grams of that length are
    counted once (zip and Counter, in C), so checking many phrases never rescans the text."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.single = Counter(words)
        self.joined = ""
        self.scans: Counter[int] = Counter()
        self.by_length: dict[int, Counter[tuple[str, ...]]] = {}

    def count(self, key: tuple[str, ...]) -> int:
        n = len(key)
        if n == 1:
            return self.single[key[0]]
        if not all(word in self.single for word in key):  # a phrase needs all its words
            return 0
        if n in self.by_length:
            return self.by_length[n][key]
        self.scans[n] += 1
        if self.scans[n] > _SCAN_LIMIT:
            grams = zip(*(self.words[i:] for i in range(n)), strict=False)
            self.by_length[n] = Counter(grams)
            return self.by_length[n][key]
        self.joined = self.joined or f" {' '.join(self.words)} "
        return self.joined.count(f" {' '.join(key)} ")


_SCAN_LIMIT = 20


def _renames(
    replaced: dict[tuple[str, str], list[Evidence]], sa: Segmented, sb: Segmented
) -> tuple[Rename, ...]:
    """Short replacements ranked by how consistently the old term gave way to the new."""
    candidates = [
        (before, after, evidence)
        for (before, after), evidence in replaced.items()
        if 0 < len(before.split()) <= 4
        and 0 < len(after.split()) <= 4
        and before.casefold() != after.casefold()
        and _term_like(before)
        and _term_like(after)
    ]
    left_in_b = _occurrences({before for before, _, _ in candidates}, sb)
    already_in_a = _occurrences({after for _, after, _ in candidates}, sa)
    found = []
    for before, after, evidence in candidates:
        pairs = len(evidence)
        consistency = round(pairs / (pairs + left_in_b[before] + already_in_a[after]), 4)
        found.append(Rename(before, after, pairs, consistency, evidence[0]))
    found.sort(key=lambda r: (-r.consistency, -r.count, r.before))
    return tuple(r for r in found if r.consistency >= 0.5)[:MAX_ITEMS]


def _term_like(phrase: str) -> bool:
    """A name or term rather than a clause: a phrase with a capital, or short Chinese
    (lower-case words such as "will" → "may" are replaced phrases, not renames).

    >>> _term_like("Basic Model"), _term_like("was jointly initiated"), _term_like("基本型")
    (True, False, True)
    >>> _term_like("phase")
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


def _named(side: Segmented, only: set[int] | None = None) -> Counter[str]:
    """Capitalised phrases and acronyms, not counting a lone capitalised first word;
    ``only``: look in these sentences only.

    One pass of the name pattern per sentence group (runs never cross a line or a full
    stop); a run is "opening" when it starts at the first word of a sentence.

    >>> from narrative_diff.segment import segment
    >>> sorted(_named(segment("The Basic Model of the ILRS. In May, Russia left.", "en")))
    ['Basic Model of the ILRS', 'Russia']
    """
    sentences = side.sentences if only is None else [side.sentences[i] for i in sorted(only)]
    openings = set()
    for sentence in sentences:
        first = _FIRST_WORD.search(sentence.text)
        openings.add(sentence.start + (first.start() if first else 0))
    found: Counter[str] = Counter()
    if only is None:
        matches = _name_pattern().finditer(side.text)
    else:
        matches = (
            m
            for sentence in sentences
            for m in _name_pattern().finditer(side.text, sentence.start, sentence.end)
        )
    for match in matches:
        text = match.group()
        opening = match.start() in openings
        if opening and " " not in text and not _acronym(text):
            continue  # the capital of an ordinary first word: the commonest case
        run = [w.rstrip("'’-") for w in text.split()]
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
            continue
        if len(run) == 1:  # "China's" is China
            run[0] = run[0].removesuffix("'s").removesuffix("’s")
        if run:
            found[" ".join(run)] += 1
    return found


def _acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


def _named_changes(
    sa: Segmented,
    sb: Segmented,
    language: str,
    changed: tuple[set[int], set[int]] | None = None,
) -> tuple[tuple[TermChange, ...], tuple[TermChange, ...]]:
    """Names found in one side and nowhere in the other (as a name or inside a longer one:
    "Chang'e" is still there in "China's Chang'e").

    ``changed``: the sentences of a and b outside "unchanged" segments. A name that is
    written out or in can only stand there (an unchanged sentence is in both texts), and
    all its occurrences do, so looking there alone gives the same lists and counts.
    """
    if language.startswith("zh"):
        return (), ()
    only_a, only_b = changed if changed is not None else (None, None)
    before, after = _named(sa, only_a), _named(sb, only_b)
    still_in_b = _present({t for t in before if t not in after}, sb)
    already_in_a = _present({t for t in after if t not in before}, sa)
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
    return tuple(removed[:MAX_ITEMS]), tuple(added[:MAX_ITEMS])


def _present(terms: set[str], side: Segmented) -> set[str]:
    """The terms that occur in ``side`` as whole words, with their capitals."""
    if not terms:
        return set()
    grams = _NGrams(side.word_runs)
    return {t for t in terms if (parts := tuple(WORD_RUN.findall(t))) and grams.count(parts)}


def _language_words(table: dict[str, tuple[str, ...]], language: str) -> tuple[str, ...]:
    return table.get(language[:2], table["en"])


def _find_words(text: str, vocabulary: tuple[str, ...], language: str) -> list[str]:
    if language.startswith("zh"):
        return [w for w in vocabulary for _ in range(text.count(w))]
    tokens = tokenize(text)  # case-sensitive: "May 2023" is a month, not a modal
    found = [t for t in tokens if t in vocabulary]
    if "n't" in vocabulary:
        found += ["n't" for t in tokens if t.endswith("n't")]
    return found


def _word_shifts(a_text: str, b_text: str, language: str, evidence: Evidence) -> list[WordChange]:
    """Modal verbs and negations that differ between two aligned sentences."""
    shifts = []
    for kind, table in (("modality", MODALS), ("negation", NEGATIONS)):
        vocabulary = _language_words(table, language)
        before = Counter(_find_words(a_text, vocabulary, language))
        after = Counter(_find_words(b_text, vocabulary, language))
        if before != after:
            shifts.append(
                WordChange(
                    kind,
                    ", ".join(sorted((before - after).elements())),
                    ", ".join(sorted((after - before).elements())),
                    evidence,
                )
            )
    return shifts


def _modal_counts(sa: Segmented, sb: Segmented, language: str) -> dict[str, tuple[int, int]]:
    vocabulary = _language_words(MODALS, language)
    if language.startswith("zh"):
        before = Counter(_find_words(sa.text, vocabulary, language))
        after = Counter(_find_words(sb.text, vocabulary, language))
    else:  # case-sensitive: "May 2023" is a month, not a modal
        before = Counter(sa.word_runs)
        after = Counter(sb.word_runs)
    return {w: (before[w], after[w]) for w in vocabulary if before[w] or after[w]}
