"""Sentences made the fast way (``segment._sentence``, for ``segment`` and ``cut``) are the
frozen dataclass's own: equal, hashed alike, still frozen."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrative_diff.segment import Sentence, _sentence, cut, segment, sentence_cuts

TEXTS = st.lists(
    st.sampled_from(["# Title", "The ILRS grows.", "Russia left. China stayed!", "中俄合作。"]),
    min_size=1,
    max_size=8,
).map("\n\n".join)


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6), st.text(max_size=20))
def test_a_sentence_made_fast_is_the_dataclass(i: int, b: int, s: int, t: str) -> None:
    fast, plain = _sentence(i, b, s, s + len(t), t), Sentence(i, b, s, s + len(t), t)
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert dataclasses.astuple(fast) == (i, b, s, s + len(t), t)


def test_a_sentence_made_fast_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        _sentence(0, 0, 0, 1, "x").text = "y"  # type: ignore[misc]


@given(TEXTS)
def test_cut_rebuilds_the_segmentation(text: str) -> None:
    side = segment(text, "en")
    assert cut(text, "en", sentence_cuts(side)) == side
    assert [s.text for s in side.sentences] == [text[s.start : s.end] for s in side.sentences]
