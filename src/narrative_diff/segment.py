"""Segmentation of a snapshot body into blocks, sentences and tokens, with character offsets.

Every unit keeps ``start``/``end`` offsets into the body it came from, so evidence can
always be quoted from the stored text. The pieces are lossless: the tokens of a sentence
concatenate to the sentence, and blocks plus the blank lines between them rebuild the body.

* **Blocks** are the Markdown structure: the ``#`` title, ``##`` headings and the
  blank-line-separated paragraphs (the first paragraph after the title is the lead).
* **Sentences** come from sentencex (rule-based, ~300 languages, fast): it knows English
  abbreviations such as "U.S." and "Dr.", Chinese 。！？；, and Russian punctuation. A
  title or heading is one sentence.
* **Tokens** are words (letters and digits, with inner apostrophes or hyphens),
  single punctuation marks, whitespace runs, and, for Chinese, single Han characters.
  Characters, not segmented words, for Chinese: no dictionary is needed, nothing differs
  between machines, and a one-character change (俄 → 中) stays one token.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain

from .text import HAN_RANGES, count_words

BLOCK_KINDS = ("title", "heading", "paragraph")
# Apostrophes, hyphens and dashes inside a word keep it one token ("Chang'e", "2021–2025"),
# so a typographic variant is one token with an equal comparison key, not an edit.
_JOINERS = "'’‘‛′\\-‐‑‒–—―−"
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n+")
_HEADING = re.compile(r"^(#{1,6})[ \t]+")
_LONG = 1000
_FINAL_STOP = re.compile(r"(?<=[.!?]\s)")
#: A line of a paragraph that starts with a number and a full stop other than "1." (a year,
#: "2021. The …"): in Markdown such a line continues the paragraph (only "1." may start a
#: list inside one), but sentencex takes the line break before it as a sentence end, so a
#: reflowed paragraph would split differently. Its line break is read as a space.
_SOFT_NUMBER = re.compile(r"\n(?=[ \t]*(?!1[.)])\d+[.)](?:\s|$))")
#: A block that is a list: its line breaks stay item boundaries.
_LIST_START = re.compile(r"[ \t]*(?:[-*+•]|\d+[.)])[ \t]")
_CJK_STOP = re.compile(r"(?<=[。！？；])(?![」』”’）)\]。！？；])")
_CJK_STOPS = re.compile("[。！？；]")
#: A word of the summary's look-ups: letters and digits, joined by apostrophes, hyphens
#: and dashes inside it, a possessive "'s" left off. Written as runs of word characters
#: joined by runs of joiners, not as one class with a word character at each end: the
#: same words (``tests/test_terms_ngrams.py``) with no backtracking at each word's end,
#: a fifth faster.
WORD_RUN = re.compile(r"\w+(?:['’‘\-‐‑–—]+\w+)*(?<!['’]s)")
TOKEN = re.compile(
    rf"\s+|[{HAN_RANGES}]|\d+(?:[.,，．]\d+)+"
    rf"|[^\W_{HAN_RANGES}]+(?:[{_JOINERS}][^\W_{HAN_RANGES}]+)*|.",
    re.S,
)


@dataclass(frozen=True, slots=True)
class Block:
    """A title, heading or paragraph; ``text`` includes any ``#`` marker."""

    index: int
    kind: str
    start: int
    end: int
    text: str

    @property
    def content(self) -> str:
        """The text without its Markdown heading marker."""
        return _HEADING.sub("", self.text)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence (or a title/heading line) inside block ``block``."""

    index: int
    block: int
    start: int
    end: int
    text: str


def _sentence_maker() -> Callable[[int, int, int, int, str], Sentence]:
    """``Sentence`` without the frozen dataclass's ``__init__`` (a call of
    ``object.__setattr__`` per field): each slot set by its own descriptor, the same
    object (``tests/test_segment_cut.py``) made 40% faster. A long text has 14,000
    sentences, made in each of a long comparison's two processes."""
    new = object.__new__
    index, block, start, end, text = (vars(Sentence)[f].__set__ for f in Sentence.__slots__)

    def make(i: int, b: int, s: int, e: int, t: str) -> Sentence:
        sentence = new(Sentence)
        index(sentence, i)
        block(sentence, b)
        start(sentence, s)
        end(sentence, e)
        text(sentence, t)
        return sentence

    return make


_sentence = _sentence_maker()


@dataclass(frozen=True)
class WordIndex:
    """A text's words (:data:`WORD_RUN`: letters and digits with inner apostrophes and
    hyphens, a possessive "'s" left off) ready for the summary's look-ups: how often each
    occurs, as written and case-folded, and the words joined by single spaces, in which a
    phrase of several words is counted as a substring. One C-speed pass over the text,
    made once per text by whichever process makes the summary (:meth:`of`; for the two
    texts of a long comparison, :class:`ByBlock`)."""

    joined: str
    counts: Counter[str]
    folded_counts: Counter[str]

    @classmethod
    def of(cls, text: str) -> WordIndex:
        """The index of ``text``. Folded counts are summed over the distinct words, in
        the order each folded word first occurs (as counting the folded words would)."""
        return cls.of_words(WORD_RUN.findall(text))

    @classmethod
    def of_words(cls, words: list[str]) -> WordIndex:
        """The index of a text whose words (:data:`WORD_RUN`) are ``words``, in order."""
        counts = Counter(words)
        folded: Counter[str] = Counter()
        for word, n in counts.items():
            folded[word.casefold()] += n
        return cls(" ".join(words), counts, folded)

    @cached_property
    def words(self) -> list[str]:
        """The words in order."""
        return self.joined.split(" ") if self.joined else []

    @cached_property
    def folded_joined(self) -> str:
        """The joined words case-folded at once: a word holds no space, and no character
        folds to one, so that is each word folded."""
        return self.joined.casefold()

    @cached_property
    def folded_words(self) -> list[str]:
        return self.folded_joined.split(" ") if self.joined else []


class ByBlock:
    """Words and word counts of texts read a block at a time, each distinct block once: a
    new version shares most of its paragraphs, word for word, with the version before, so
    the second of two texts costs little more than its new paragraphs. A text's words are
    its blocks' words in order (no word crosses the blank line or the spaces between two
    blocks), so :meth:`index` and :meth:`count` give what ``WordIndex.of`` and
    ``text.count_words`` give for the whole text."""

    def __init__(self) -> None:
        self._words: dict[str, list[str]] = {}
        self._counts: dict[str, int] = {}

    def index(self, blocks: Sequence[Block]) -> WordIndex:
        words: list[str] = []
        for block in blocks:
            found = self._words.get(block.text)
            if found is None:
                found = self._words[block.text] = WORD_RUN.findall(block.text)
            words += found
        return WordIndex.of_words(words)

    def count(self, blocks: Sequence[Block]) -> int:
        total = 0
        for block in blocks:
            found = self._counts.get(block.text)
            if found is None:
                found = self._counts[block.text] = count_words(block.text)
            total += found
        return total


@dataclass(frozen=True)
class Segmented:
    """A body cut into blocks and sentences; built by :func:`segment`."""

    text: str
    language: str | None
    blocks: tuple[Block, ...]
    sentences: tuple[Sentence, ...]

    @cached_property
    def sentence_tokens(self) -> tuple[tuple[str, ...], ...]:
        """The tokens of each sentence, computed once and shared by the summary steps."""
        return tuple(tuple(tokenize(sentence.text)) for sentence in self.sentences)

    @cached_property
    def sentences_by_block(self) -> tuple[tuple[Sentence, ...], ...]:
        grouped: list[list[Sentence]] = [[] for _ in self.blocks]
        for sentence in self.sentences:
            grouped[sentence.block].append(sentence)
        return tuple(tuple(group) for group in grouped)


def split_blocks(text: str) -> list[Block]:
    """Cut Markdown into blocks at blank lines; classify title, headings, paragraphs.

    >>> [(b.kind, b.text) for b in split_blocks("# T\\n\\nLead one.\\n\\n## H\\n\\nBody.")]
    [('title', '# T'), ('paragraph', 'Lead one.'), ('heading', '## H'), ('paragraph', 'Body.')]
    """
    blocks: list[Block] = []
    # the pieces between the blank lines: where each starts is known, not searched for
    edges = [0, *(i for gap in _BLOCK_SPLIT.finditer(text) for i in gap.span()), len(text)]
    for at, end in zip(edges[::2], edges[1::2], strict=True):
        piece = text[at:end]
        stripped = piece.strip()
        if not stripped:
            continue
        offset = at + (len(piece) - len(piece.lstrip()))
        marker = _HEADING.match(stripped)
        if marker and "\n" not in stripped:
            kind = "title" if len(marker.group(1)) == 1 and not blocks else "heading"
        else:
            kind = "paragraph"
        blocks.append(Block(len(blocks), kind, offset, offset + len(stripped), stripped))
    return blocks


def split_sentences(text: str, language: str | None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in ``text``, trailing spaces excluded.

    >>> s = "The U.S. team met Dr. Wu. It agreed!"
    >>> [s[a:b] for a, b in split_sentences(s, "en")]
    ['The U.S. team met Dr. Wu.', 'It agreed!']
    >>> s = "(a) The parties agree. Russia will build it."
    >>> [s[a:b] for a, b in split_sentences(s, "en")]
    ['(a) The parties agree.', 'Russia will build it.']
    >>> s = "中方愿同俄方一道。是的；很好。"
    >>> [s[a:b] for a, b in split_sentences(s, "zh")]
    ['中方愿同俄方一道。', '是的；', '很好。']
    """
    import sentencex

    if not _LIST_START.match(text):  # one character for one: the offsets hold
        text = _SOFT_NUMBER.sub(" ", text)
    if text.startswith("("):  # sentencex never splits a text that opens with "(" ("(a) …")
        pieces = list(sentencex.segment(language or "en", text[1:])) or [""]
        pieces[0] = "(" + pieces[0]
    else:
        pieces = list(sentencex.segment(language or "en", text))
    # sentencex keeps "；" inside a sentence (Chinese official prose uses it as a full stop)
    # and misses "。" before a digit; a full-width stop always ends a sentence here.
    if _CJK_STOPS.search(text):  # (the split looks behind at every character: only if any)
        pieces = [part for piece in pieces for part in _CJK_STOP.split(piece) if part]
    pieces = [part for piece in pieces for part in _bounded(piece)]
    spans = []
    position = 0
    for piece in pieces:
        start = position
        position += len(piece)
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + lead + len(stripped)))
    return spans


def _bounded(piece: str) -> list[str]:
    """Keep sentences to a readable size when the segmenter gives up.

    sentencex stops splitting in some contexts (a paragraph that opens with "(a)"), and a
    transcript may have no punctuation at all. A piece longer than ``_LONG`` characters is
    cut after sentence-final punctuation followed by a space; what is still longer is cut
    at the last space before each ``_LONG`` characters. The pieces always join back to the
    input.

    >>> [len(p) for p in _bounded("word " * 1000)]
    [1000, 1000, 1000, 1000, 1000]
    >>> [len(p) for p in _bounded("Done. " + "x" * 2500)]
    [6, 1000, 1000, 500]
    """
    if len(piece) <= _LONG:
        return [piece]
    parts = [p for p in _FINAL_STOP.split(piece) if p]
    bounded: list[str] = []
    for part in parts:
        while len(part) > _LONG:
            cut = part.rfind(" ", 0, _LONG) + 1 or _LONG
            bounded.append(part[:cut])
            part = part[cut:]
        bounded.append(part)
    return bounded


def segment(text: str, language: str | None = None, *, like: Segmented | None = None) -> Segmented:
    """Blocks and sentences of ``text`` with offsets into it.

    ``like``: a segmentation of another version in the same language (two versions share
    most paragraphs word for word): a paragraph found there is cut where it was cut there,
    without running the splitter again; the result is the same.
    """
    blocks = split_blocks(text)
    known = _known_spans(like) if like is not None and like.language == language else {}
    sentences: list[Sentence] = []
    for block in blocks:
        if block.kind != "paragraph":
            spans = [(0, len(block.text))]
        elif block.text in known:
            spans = known[block.text]
        else:
            spans = split_sentences(block.text, language)
        for start, end in spans:
            sentences.append(
                _sentence(
                    len(sentences),
                    block.index,
                    block.start + start,
                    block.start + end,
                    block.text[start:end],
                )
            )
    return Segmented(text, language, tuple(blocks), tuple(sentences))


def sentence_cuts(side: Segmented) -> array[int]:
    """Each sentence's block, start and end, in one row of integers: what a process that
    has the text needs to make the same segmentation (:func:`cut`) without cutting the
    sentences again (a second process, beside a long comparison: half its time, and a
    few hundred kilobytes to send)."""
    return array("q", chain.from_iterable((s.block, s.start, s.end) for s in side.sentences))


def cut(
    text: str, language: str | None, cuts: array[int], blocks: Sequence[Block] | None = None
) -> Segmented:
    """The segmentation of ``text`` whose sentences :func:`sentence_cuts` gave (``blocks``:
    its blocks, :func:`split_blocks`, when the caller has them): what :func:`segment`
    gave, as a sentence's text is the body's between its offsets."""
    found = iter(cuts)
    sentences = tuple(
        _sentence(n, block, start, end, text[start:end])
        for n, (block, start, end) in enumerate(zip(found, found, found, strict=True))
    )
    return Segmented(
        text, language, tuple(split_blocks(text) if blocks is None else blocks), sentences
    )


def _known_spans(side: Segmented) -> dict[str, list[tuple[int, int]]]:
    """Each paragraph's sentence spans, relative to the paragraph, by its text."""
    known: dict[str, list[tuple[int, int]]] = {}
    for block, group in zip(side.blocks, side.sentences_by_block, strict=True):
        if block.kind == "paragraph":
            known[block.text] = [(s.start - block.start, s.end - block.start) for s in group]
    return known


def tokenize(text: str) -> list[str]:
    """Lossless tokens: ``"".join(tokenize(t)) == t``.

    >>> tokenize("Russia's ILRS, 2021-2025, 3.5 km.")
    ["Russia's", ' ', 'ILRS', ',', ' ', '2021-2025', ',', ' ', '3.5', ' ', 'km', '.']
    >>> tokenize("中俄 共同")
    ['中', '俄', ' ', '共', '同']
    """
    return TOKEN.findall(text)
