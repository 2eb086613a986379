"""The alignment's fast similarity (``similarity.Tally``) gives what the plain one gives."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from narrative_diff.similarity import Tally, dice, overlap, tally_dice, tally_overlap

#: Bags of a few words, some repeated (as "the" and "," repeat in a sentence).
BAGS = st.lists(st.sampled_from(["the", "ilrs", "china", "russia", "of", "moon", "a"]), max_size=12)


@given(BAGS, BAGS)
def test_tally_scores_are_the_plain_scores(x: list[str], y: list[str]) -> None:
    a, b = Counter(x), Counter(y)
    assert tally_overlap(Tally.of(a), Tally.of(b)) == overlap(a, b)
    assert tally_dice(Tally.of(a), Tally.of(b)) == dice(a, b)


def test_a_word_repeated_on_both_sides_counts_at_its_lower_count() -> None:
    a, b = Counter(["the", "the", "the", "moon"]), Counter(["the", "the", "moon", "base"])
    assert tally_overlap(Tally.of(a), Tally.of(b)) == 3  # "the" twice, "moon" once
    assert tally_dice(Tally.of(a), Tally.of(b)) == 0.75
