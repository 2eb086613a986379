"""The narrative-shift summary of a comparison: what an analyst reads before any raw diff.

Everything here is read off the aligned, word-diffed segments, and every item keeps the
sentences it rests on (``before``/``after`` evidence):

* **replaced phrases**: the word-level replacements inside aligned sentences, counted
  across the document and ranked by count, then by length; a swap of function words only
  ("in" → "on", "the" → "a") is *minor* and ranked after every other one; a swap of
  dates, times, numbers or a wire dateline ("BEIJING, June 16" → "SHANGHAI, April 23") is
  not a phrase but a number change;
* **renames**: short replacements (up to four words) that look like a term being renamed,
  ranked by *consistency* — how often the pair occurs, against how often the old term
  survives in ``b`` or the new one already existed in ``a``;
* **named things** added and removed: capitalised phrases and acronyms (alphabetic
  scripts; Chinese has no capitals, so this list is empty for it; see
  :mod:`narrative_diff.terms`);
* **numbers** changed inside aligned sentences, and the numbers of added and deleted
  sentences; **modality** (will → may, must → should)
  and **negation** added or removed, in English, Russian and Chinese;
* **readability** before and after (see :mod:`narrative_diff.readability`);
* **actors**: left empty here; the scoring step fills them in (schema 1.1).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypedDict

from .readability import Readability, compare_readability, fetch_pronunciations, readability
from .relations import OPS, Op, Segment
from .segment import Segmented, WordIndex, tokenize
from .terms import TermChange, named_changes, occurrences, term_like
from .text import languages_differ, normalise_language

if TYPE_CHECKING:
    from .snapshot import Snapshot

__all__ = [
    "MAX_ITEMS",
    "MODALS",
    "NEGATIONS",
    "Evidence",
    "ReadabilityChange",
    "Rename",
    "Replacement",
    "ShiftKind",
    "Summary",
    "TermChange",
    "WordChange",
    "readability_change",
    "reads_word_index",
    "summarise",
]

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
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
#: A number standing alone, not part of a name ("Chang'e-8", "G20").
_WHOLE_NUMBER = re.compile(r"(?<![\w'’\-])\d+(?:[.,:/-]\d+)*(?![\w'’])")
_DATE_PART = re.compile(r"\d+|[^\W\d_]+")
_DATE_WORDS_TEXT = """\
january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday
    thursday friday saturday sunday st nd rd th am pm a m p gmt utc bst cst est
    января февраля марта апреля мая июня июля августа сентября октября ноября декабря
    год года году г 年 月 日 号 时 点 分"""
_DATE_WORDS = frozenset(_DATE_WORDS_TEXT.split())
_DATELINE = re.compile(r"^\s*([^\W\d_a-z][^\W\d_a-z .'’-]*)\s*(?:,|\(|[-–—])")
#: Words whose swap alone ("in" → "on", "the" → "a") is a minor replacement.
_FUNCTION_TEXT = """\
a an the this that these those of in on at to for from by with into onto upon
    about over under as and or but nor so than then its their his her our your it they
    we he she which who whom whose there here
    в во на по с со к ко о об от до из за у при для и а но или что как
    的 了 在 和 与 及 于 对 把 被 之 其 并 而 或"""
FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())

ShiftKind: TypeAlias = Literal["number", "modality", "negation"]
_PhraseKey: TypeAlias = tuple[str, str]


@dataclass(frozen=True)
class Evidence:
    """The sentences a finding rests on: the first sentence index on each side (None for a
    missing side) and the text of each side."""

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
    minor: bool = False  # function words only: ranked after every other replacement


@dataclass(frozen=True)
class Rename:
    before: str
    after: str
    count: int
    consistency: float  # pairs / (pairs + old term left in b + new term already in a)
    evidence: Evidence


@dataclass(frozen=True)
class WordChange:
    """A changed number, modal or negation inside an aligned sentence pair."""

    kind: ShiftKind
    before: str
    after: str
    evidence: Evidence


class ReadabilityChange(TypedDict):
    """Readability of each side and how it changed (see :mod:`narrative_diff.readability`)."""

    a: Readability
    b: Readability
    comparison: dict[str, Any]


#: An actor's event between two snapshots: named again (""), APPEARED or DISAPPEARED; in a
#: series, ABSENT is a one-off absence (named again later in the lineage). ``compare`` of two
#: snapshots knows no "later" and never gives ABSENT.
Event = Literal["", "APPEARED", "DISAPPEARED", "ABSENT"]


@dataclass(frozen=True)
class ActorChange:
    """One actor in the summary of a pair (filled by the scoring step): mentions and
    prominence in ``a`` and ``b``, the event, and up to three sentences naming it in each."""

    actor: str
    name: str
    kind: str
    count_a: int
    count_b: int
    prominence_a: float
    prominence_b: float
    event: Event
    evidence_a: tuple[str, ...]
    evidence_b: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """The entry of the compare JSON's ``summary.actors`` (docs/compare-schema.md)."""
        return {
            "actor": self.actor,
            "name": self.name,
            "kind": self.kind,
            "count_a": self.count_a,
            "count_b": self.count_b,
            "prominence_a": self.prominence_a,
            "prominence_b": self.prominence_b,
            "event": self.event,
            "evidence_a": list(self.evidence_a),
            "evidence_b": list(self.evidence_b),
        }


@dataclass(frozen=True)
class Summary:
    counts: dict[Op, int]
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
    readability: ReadabilityChange
    narrative_change: bool
    actors: tuple[ActorChange, ...] = field(default=())  # filled by the scoring step


def summarise(
    a: Snapshot,
    b: Snapshot,
    sa: Segmented,
    sb: Segmented,
    segments: Sequence[Segment],
    *,
    threshold: float = 0.5,
) -> Summary:
    """Build the summary of ``a`` → ``b`` from its segments (see the module docstring):
    :func:`summary_of` what :func:`read_changes` reads of them.

    Numbers, modality and negation are read only from pairs at least ``threshold``
    similar: in a loosely paired sentence a different year or modal is a different
    sentence, not a change. Across languages, word-level findings would only report the
    translation, so they are left empty (the comparison carries a warning).
    """
    changes = read_changes(a, b, segments, threshold=threshold)
    return summary_of(a, b, sa, sb, changes)


@dataclass(frozen=True)
class Changes:
    """What the summary reads of a comparison's segments (:func:`read_changes`): the
    number of each op, the sentences of each side in a changed segment, the word-level
    findings."""

    counts: dict[Op, int]
    changed: tuple[frozenset[int], frozenset[int]]
    found: _Found
    narrative_change: bool


def read_changes(
    a: Snapshot,
    b: Snapshot,
    segments: Sequence[Segment],
    *,
    threshold: float = 0.5,
    counts: Mapping[Op, int] | None = None,
) -> Changes:
    """What :func:`summary_of` needs of ``segments`` (see :func:`summarise`). Only the
    segments that changed are read: with ``counts`` (the number of segments of each op),
    those alone may be given (as the process beside a long comparison is sent them)."""
    counts = counts if counts is not None else Counter(s.op for s in segments)
    language, same_language = _summary_language(a, b)
    found = _Found()
    changed = [seg for seg in segments if seg.op != "unchanged"]
    for seg in changed if same_language else ():
        found.read(seg, language, threshold)
    return Changes(
        counts={op: counts.get(op, 0) for op in OPS},
        changed=(
            frozenset(i for seg in changed for i in seg.a_index),
            frozenset(j for seg in changed for j in seg.b_index),
        ),
        found=found,
        narrative_change=bool(changed),
    )


def summary_of(
    a: Snapshot,
    b: Snapshot,
    sa: Segmented,
    sb: Segmented,
    changes: Changes,
    *,
    readability: Callable[[], ReadabilityChange] | None = None,
    words: Callable[[], tuple[WordIndex, WordIndex]] | None = None,
) -> Summary:
    """The summary from ``changes`` and the two texts. ``readability``: gives
    :func:`readability_change` of the two sides, and ``words`` the
    :class:`~narrative_diff.segment.WordIndex` of each side, when the caller has them
    already (asked for when names, renames or modal counts need them)."""
    language, same_language = _summary_language(a, b)
    index = functools.cache(words or (lambda: (WordIndex.of(sa.text), WordIndex.of(sb.text))))
    found = changes.found
    named_removed, named_added = (
        _named_changes(sa, sb, changes.changed, language, index) if same_language else ((), ())
    )
    return Summary(
        counts=dict(changes.counts),
        replaced_phrases=_ranked(found.replaced),
        removed_phrases=_ranked(found.removed),
        added_phrases=_ranked(found.added),
        renames=_renames(found.replaced, sa, sb, index),
        named_removed=named_removed,
        named_added=named_added,
        numbers=found.of_kind("number"),
        modality=found.of_kind("modality"),
        negation=found.of_kind("negation"),
        modal_counts=_modal_counts(sa, sb, language, index) if same_language else {},
        readability=readability() if readability else readability_change(a, b, sa, sb),
        narrative_change=changes.narrative_change,
    )


def reads_word_index(a: Snapshot, b: Snapshot) -> bool:
    """Whether :func:`summarise` reads the two texts' word indexes for its names and modal
    counts: one language, not Chinese (renames may still ask for them)."""
    language, same_language = _summary_language(a, b)
    return same_language and not language.startswith("zh")


def _summary_language(a: Snapshot, b: Snapshot) -> tuple[str, bool]:
    """The language the summary reads the pair in (b's, else a's, else English), and
    whether both sides are in one language (else it reads no words: only translation)."""
    language = normalise_language(b.language or a.language) or "en"
    return language, not languages_differ(a.language, b.language)


#: A pair less similar than this (but above the pairing floor, ``align.PAIR_FLOOR``) is read
#: as one rewrite, from its first change to its last: no word-level phrases, no renames.
LOOSE_PAIR = 0.4


@dataclass
class _Found:
    """Word-level findings gathered segment by segment, each with its evidence, so that
    phrases can be counted across the whole document before they are ranked."""

    replaced: dict[_PhraseKey, list[Evidence]] = field(default_factory=dict)
    removed: dict[_PhraseKey, list[Evidence]] = field(default_factory=dict)
    added: dict[_PhraseKey, list[Evidence]] = field(default_factory=dict)
    words: list[WordChange] = field(default_factory=list)

    def read(self, seg: Segment, language: str, threshold: float) -> None:
        """Add the findings of one segment; only an aligned pair has any, and only a close
        one (``threshold``) has number, modal and negation shifts."""
        if seg.op == "unchanged":  # most of a long document: nothing to read
            return
        evidence = Evidence(_first(seg.a_index), _first(seg.b_index), seg.a_text, seg.b_text)
        if seg.op in ("added", "deleted"):  # its numbers are written in or out
            numbers = " ".join(_WHOLE_NUMBER.findall(seg.a_text or seg.b_text))
            if numbers:
                before, after = (numbers, "") if seg.op == "deleted" else ("", numbers)
                self.words.append(WordChange("number", before, after, evidence))
            return
        strong = seg.similarity >= threshold
        # a loose pair is one rewrite: "first" → "second" out of two different sentences
        # about two phases is no replaced phrase
        loose = seg.similarity < LOOSE_PAIR
        for change in seg.diff.rewrite() if loose else seg.diff.changes():
            before, after = _trim(change[0]), _trim(change[1])
            if (
                before
                and after
                and ((_dated(before) and _dated(after)) or _dateline(before, after, seg))
            ):  # a date, time, number or dateline swap: a number change, not a phrase
                if strong:
                    self.words.append(WordChange("number", before, after, evidence))
                continue
            self._phrase(before, after, evidence)
            if strong:
                self.words += _number_change(before, after, evidence)
        if strong:
            self.words += _word_shifts(seg.a_text, seg.b_text, language, evidence)

    def _phrase(self, before: str, after: str, evidence: Evidence) -> None:
        """File one trimmed change as a replacement, a removal or an addition."""
        if before and after:
            self.replaced.setdefault((before, after), []).append(evidence)
        elif before:
            self.removed.setdefault((before, ""), []).append(evidence)
        elif after:
            self.added.setdefault(("", after), []).append(evidence)

    def of_kind(self, kind: ShiftKind) -> tuple[WordChange, ...]:
        """The first ``MAX_ITEMS`` word shifts of one kind, in document order."""
        return tuple(w for w in self.words if w.kind == kind)[:MAX_ITEMS]


def _dated(text: str) -> bool:
    """True for a date, time or number alone: "June 16", "10:30 a.m.", "2023年6月", "29".

    >>> _dated("June 16"), _dated("1"), _dated("16 June 2023"), _dated("Phase 1")
    (True, True, True, False)
    """
    parts = _DATE_PART.findall(text)
    return any(p.isdigit() or len(p) > 2 for p in parts) and all(
        p.isdigit() or p.casefold() in _DATE_WORDS for p in parts
    )


def _dateline(before: str, after: str, seg: Segment) -> bool:
    """True when ``before`` and ``after`` are the capitalised place names of a wire
    dateline opening both sentences ("BEIJING, June 16 (Xinhua) --")."""
    found_a, found_b = _DATELINE.match(seg.a_text), _DATELINE.match(seg.b_text)
    return bool(
        found_a
        and found_b
        and found_a.group(1).strip() == before
        and found_b.group(1).strip() == after
        and before.isupper()
        and after.isupper()
    )


def _minor(before: str, after: str) -> bool:
    """True when both sides are function words only ("in" → "on", "the" → "a")."""
    words = _DATE_PART.findall(f"{before} {after}")
    return bool(words) and all(w.casefold() in FUNCTION_WORDS for w in words)


def _number_change(before: str, after: str, evidence: Evidence) -> Iterable[WordChange]:
    """The numbers of one change, when they differ (the same numbers reordered do not)."""
    numbers_a, numbers_b = _NUMBER.findall(before), _NUMBER.findall(after)
    if Counter(numbers_a) == Counter(numbers_b):
        return ()
    return (WordChange("number", " ".join(numbers_a), " ".join(numbers_b), evidence),)


def _first(indices: tuple[int, ...]) -> int | None:
    """The first index, which evidence carries for a split or merge too."""
    return indices[0] if indices else None


def _named_changes(
    sa: Segmented,
    sb: Segmented,
    changed: tuple[frozenset[int], frozenset[int]],
    language: str,
    words: Callable[[], tuple[WordIndex, WordIndex]],
) -> tuple[tuple[TermChange, ...], tuple[TermChange, ...]]:
    """Names written out and in, looked for only in changed sentences (``changed``: their
    indices on each side): a name found in one side only cannot stand in an unchanged
    sentence, which both sides share."""
    if language.startswith("zh"):  # (no capitals: no names; no words to index)
        return (), ()
    return named_changes(sa, sb, language, changed, limit=MAX_ITEMS, words=words())


def readability_change(a: Snapshot, b: Snapshot, sa: Segmented, sb: Segmented) -> ReadabilityChange:
    """Readability of both sides, from the sentences already segmented (no second split)."""
    texts = [(snap, tuple(s.text for s in side.sentences)) for snap, side in ((a, sa), (b, sb))]
    fetch_pronunciations((snap.language, sentences, snap.words) for snap, sentences in texts)
    before, after = (_measured(s.body, s.language, sentences, s.words) for s, sentences in texts)
    return {"a": before, "b": after, "comparison": compare_readability(before, after)}


@functools.lru_cache(maxsize=16)
def _measured(
    body: str, language: str | None, sentences: tuple[str, ...], words: int
) -> Readability:
    """A text's readability, measured once: a report compares most snapshots twice (with
    the one before and the one after), six texts in sixteen comparisons for the ILRS."""
    return readability(body, language, sentences=list(sentences), words=words)


def _trim(text: str) -> str:
    """Strip spaces and edge punctuation: ' Russia,' → 'Russia'."""
    return _EDGE.sub("", " ".join(text.split()))


def _ranked(found: dict[tuple[str, str], list[Evidence]]) -> tuple[Replacement, ...]:
    """Most frequent first; then phrases before wholesale rewrites of a sentence; then
    shorter first (a short replacement is the more specific finding)."""
    items = [
        Replacement(before, after, len(ev), ev[0], _minor(before, after) if before else False)
        for (before, after), ev in found.items()
    ]

    def rewrite(item: Replacement) -> bool:
        words = len(item.evidence.before.split()) + len(item.evidence.after.split())
        return len((item.before + " " + item.after).split()) > 0.6 * max(words, 1)

    items.sort(
        key=lambda r: (
            r.minor,
            -r.count,
            rewrite(r),
            len((r.before + " " + r.after).split()),
            r.before,
        )
    )
    return tuple(items[:MAX_ITEMS])


def _renames(
    replaced: dict[tuple[str, str], list[Evidence]],
    sa: Segmented,
    sb: Segmented,
    words: Callable[[], tuple[WordIndex, WordIndex]],
) -> tuple[Rename, ...]:
    """Short replacements ranked by how consistently the old term gave way to the new."""
    candidates = [
        (before, after, evidence)
        for (before, after), evidence in replaced.items()
        if 0 < len(before.split()) <= 4
        and 0 < len(after.split()) <= 4
        and before.casefold() != after.casefold()
        and not _minor(before, after)
        and term_like(before)
        and term_like(after)
    ]
    if not candidates:
        return ()
    wa, wb = words()
    left_in_b = occurrences({before for before, _, _ in candidates}, sb.text, wb)
    already_in_a = occurrences({after for _, after, _ in candidates}, sa.text, wa)
    found = []
    for before, after, evidence in candidates:
        pairs = len(evidence)
        consistency = round(pairs / (pairs + left_in_b[before] + already_in_a[after]), 4)
        found.append(Rename(before, after, pairs, consistency, evidence[0]))
    found.sort(key=lambda r: (-r.consistency, -r.count, r.before))
    return tuple(r for r in found if r.consistency >= 0.5)[:MAX_ITEMS]


def _language_words(table: dict[str, tuple[str, ...]], language: str) -> tuple[str, ...]:
    return table.get(language[:2], table["en"])


@functools.cache
def _as_set(vocabulary: tuple[str, ...]) -> frozenset[str]:
    return frozenset(vocabulary)


def _find_words(
    text: str, vocabulary: tuple[str, ...], language: str, tokens: list[str] | None = None
) -> list[str]:
    """The words of ``vocabulary`` in ``text`` (``tokens``: its tokens, if known)."""
    if language.startswith("zh"):
        return [w for w in vocabulary for _ in range(text.count(w))]
    tokens = tokenize(text) if tokens is None else tokens  # case-sensitive: "May 2023" is
    words = _as_set(vocabulary)  # a month, not a modal
    found = [t for t in tokens if t in words]
    if "n't" in vocabulary:
        found += ["n't" for t in tokens if t.endswith("n't")]
    return found


def _word_shifts(a_text: str, b_text: str, language: str, evidence: Evidence) -> list[WordChange]:
    """Modal verbs and negations that differ between two aligned sentences."""
    shifts = []
    tables: tuple[tuple[ShiftKind, dict[str, tuple[str, ...]]], ...] = (
        ("modality", MODALS),
        ("negation", NEGATIONS),
    )
    tokens_a, tokens_b = tokenize(a_text), tokenize(b_text)  # (once for both tables)
    for kind, table in tables:
        vocabulary = _language_words(table, language)
        before = Counter(_find_words(a_text, vocabulary, language, tokens_a))
        after = Counter(_find_words(b_text, vocabulary, language, tokens_b))
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


def _modal_counts(
    sa: Segmented, sb: Segmented, language: str, words: Callable[[], tuple[WordIndex, WordIndex]]
) -> dict[str, tuple[int, int]]:
    vocabulary = _language_words(MODALS, language)
    if language.startswith("zh"):
        before = Counter(_find_words(sa.text, vocabulary, language))
        after = Counter(_find_words(sb.text, vocabulary, language))
    else:  # case-sensitive: "May 2023" is a month, not a modal
        wa, wb = words()
        before, after = wa.counts, wb.counts
    return {w: (before[w], after[w]) for w in vocabulary if before[w] or after[w]}
