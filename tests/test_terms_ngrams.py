"""The n-gram counts behind renames: the indexed count (long texts, many phrases) gives
what counting every window gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from narrative_diff.terms import _NGrams

WORDS = st.lists(st.sampled_from(["a", "b", "c", "Basic", "Model"]), max_size=60)


@given(WORDS, st.lists(st.sampled_from(["a", "b", "c", "Basic", "Model"]), min_size=2, max_size=4))
def test_the_indexed_count_counts_every_window(words: list[str], key: list[str]) -> None:
    n = len(key)
    windows = sum(1 for i in range(len(words) - n + 1) if words[i : i + n] == key)
    grams = _NGrams(words)
    grams.scans[n] = 10_000  # past the scan limit: the indexed count
    assert grams.count(tuple(key)) == windows
