"""The n-gram counts behind renames: the indexed count (long texts, many phrases) gives
what counting every window gives."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from narrative_diff.segment import segment
from narrative_diff.terms import _NGrams

WORDS = st.lists(st.sampled_from(["a", "b", "c", "Basic", "Model"]), max_size=60)


@given(WORDS, st.lists(st.sampled_from(["a", "b", "c", "Basic", "Model"]), min_size=2, max_size=4))
def test_the_indexed_count_counts_every_window(words: list[str], key: list[str]) -> None:
    n = len(key)
    windows = sum(1 for i in range(len(words) - n + 1) if words[i : i + n] == key)
    grams = _NGrams(words)
    grams.scans[n] = 10_000  # past the scan limit: the indexed count
    assert grams.count(tuple(key)) == windows


@given(
    st.text(alphabet=st.sampled_from("aZß İΣσς ǅﬁ'’-\n.Ⅻ中Ꭰ"), max_size=60) | st.text(max_size=60)
)
def test_folded_runs_fold_each_word(text: str) -> None:
    """Folding the joined words at once gives each word folded: no word holds a space,
    and no character folds to one (nor to final sigma by context, as lower() would)."""
    side = segment(text, "en")
    assert side.folded_runs == [word.casefold() for word in side.word_runs]
    assert side.folded_counts == Counter(side.folded_runs)
    assert side.word_counts == Counter(side.word_runs)
