"""The n-gram counts behind renames: the indexed count (long texts, many phrases) gives
what counting every window gives; a word index holds each text's words as the summary
would find them one by one."""

from __future__ import annotations

import pickle
import re
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from narrative_diff.segment import WORD_RUN, WordIndex
from narrative_diff.terms import _NGrams

WORDS = st.lists(st.sampled_from(["a", "b", "c", "Basic", "Model"]), max_size=60)


@given(WORDS, st.lists(st.sampled_from(["a", "b", "c", "Basic", "Model"]), min_size=2, max_size=4))
def test_the_indexed_count_counts_every_window(words: list[str], key: list[str]) -> None:
    n = len(key)
    windows = sum(1 for i in range(len(words) - n + 1) if words[i : i + n] == key)
    grams = _NGrams(" ".join(words), Counter(words), lambda: words)
    grams.scans[n] = 10_000  # past the scan limit: the indexed count
    assert grams.count(tuple(key)) == windows


TRICKY = st.text(alphabet=st.sampled_from("aZß İΣσς ǅﬁ'’-\n.Ⅻ中Ꭰ"), max_size=60)


@given(TRICKY | st.text(max_size=60))
def test_a_word_index_folds_each_word(text: str) -> None:
    """Folding the joined words at once gives each word folded: no word holds a space,
    and no character folds to one (nor to final sigma by context, as lower() would)."""
    words = WORD_RUN.findall(text)
    index = WordIndex.of(text)
    assert index.words == words
    assert index.folded_words == [word.casefold() for word in words]
    assert index.counts == Counter(words)
    assert index.folded_counts == Counter(index.folded_words)
    assert list(index.folded_counts) == list(Counter(index.folded_words))  # (the same order)
    assert pickle.loads(pickle.dumps(index)) == index  # (sent by the process beside)


#: WORD_RUN as first written: a word character, then word characters and joiners ending
#: in a word character; the definition the faster pattern is held to.
WORD_RUN_DEFINED = re.compile(r"\w(?:[\w'’‘\-‐‑–—]*\w)?(?<!['’]s)")
JOINED = st.text(alphabet=st.sampled_from("ab sS'’‘-‐‑–—_1é中 .\n"), max_size=40)


@given(JOINED | TRICKY | st.text(max_size=40))
def test_the_word_pattern_finds_the_words_of_its_definition(text: str) -> None:
    assert WORD_RUN.findall(text) == WORD_RUN_DEFINED.findall(text)


#: Paragraph text with what could join or split words at a block's edge: apostrophes and
#: a possessive 's, hyphens and dashes, digits with separators, Han, spaces and tabs.
EDGY = st.text(alphabet=st.sampled_from("ab S's'’‘-–—.,09中 \t\n#"), max_size=40)


@given(st.lists(EDGY, max_size=6), st.lists(EDGY, max_size=6))
def test_words_read_by_block_are_the_whole_texts_words(first, second) -> None:
    """ByBlock reads each distinct block once, the second text mostly from the first:
    the same word index and word count as reading each whole text."""
    from narrative_diff.segment import ByBlock, split_blocks
    from narrative_diff.text import count_words

    texts = ["\n\n".join(first), "\n\n".join(first[:3] + second)]
    by_block = ByBlock()
    for text in texts:  # (the same object for both, as a comparison uses it)
        blocks = split_blocks(text)
        assert by_block.index(blocks) == WordIndex.of(text)
        assert list(by_block.index(blocks).counts) == list(WordIndex.of(text).counts)
        assert by_block.count(blocks) == count_words(text)
