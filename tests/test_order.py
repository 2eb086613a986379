"""Which pairs stay in place (order.in_place): a chain increasing on both sides, the best by
its criteria, whatever the runs of consecutive pairs it is searched by."""

from __future__ import annotations

import itertools
import random

from hypothesis import given
from hypothesis import strategies as st

from narrative_diff.order import in_place


def _score(chain: list[int], pairs: list[tuple[int, int]], weights: list[float]) -> tuple:
    """What a chain is judged by: most pairs, then most similarity, then least displacement."""
    return (
        len(chain),
        sum(round(weights[k] * 10000) for k in chain),
        -sum(abs(pairs[k][0] - pairs[k][1]) for k in chain),
    )


def _best(pairs: list[tuple[int, int]], weights: list[float]) -> tuple:
    """The best score of any increasing chain (dynamic programming over all chains)."""
    order = sorted(range(len(pairs)), key=lambda k: pairs[k])
    best: dict[int, tuple] = {}
    for k in order:
        before = [best[m] for m in best if pairs[m][0] < pairs[k][0] and pairs[m][1] < pairs[k][1]]
        count, similarity, shift = max(before, default=(0, 0, 0))
        best[k] = (
            count + 1,
            similarity + round(weights[k] * 10000),
            shift - abs(pairs[k][0] - pairs[k][1]),
        )
    return max(best.values(), default=(0, 0, 0))


@st.composite
def pair_sets(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[float]]:
    """Pairs of distinct a and distinct b: mostly on diagonals (unchanged text), with
    moves, gaps and ties of similarity, in any order."""
    n = draw(st.integers(0, 24))
    b_of = list(range(n))
    for _ in range(draw(st.integers(0, 3))):  # moved passages
        if n > 1:
            b_of.insert(draw(st.integers(0, n - 1)), b_of.pop(draw(st.integers(0, n - 1))))
    kept = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    shift = draw(st.integers(0, 3))
    pairs = [(a, b_of[a] + shift) for a in range(n) if kept[a]]
    weights = [draw(st.sampled_from([1.0, 0.9999, 0.75, 0.5])) for _ in pairs]
    shuffled = list(range(len(pairs)))
    random.Random(draw(st.integers())).shuffle(shuffled)
    return [pairs[k] for k in shuffled], [weights[k] for k in shuffled]


@given(pair_sets())
def test_the_pairs_in_place_are_a_best_increasing_chain(case) -> None:
    pairs, weights = case
    chain = sorted(in_place(pairs, weights), key=lambda k: pairs[k])
    for x, y in itertools.pairwise(chain):
        assert pairs[x][0] < pairs[y][0] and pairs[x][1] < pairs[y][1]
    assert _score(chain, pairs, weights) == _best(pairs, weights)


def test_a_moved_passage_leaves_the_runs_around_it_in_place() -> None:
    # a: 0..9; b: 0-2, then 6-9 moved up before 3-5
    pairs = [(0, 0), (1, 1), (2, 2), (3, 7), (4, 8), (5, 9), (6, 3), (7, 4), (8, 5), (9, 6)]
    assert sorted(in_place(pairs)) == [0, 1, 2, 6, 7, 8, 9]
    weights = [1.0] * 3 + [1.0] * 3 + [0.5] * 4  # the four are more pairs, weaker or not
    assert sorted(in_place(pairs, weights)) == [0, 1, 2, 6, 7, 8, 9]
    pairs = pairs[:9]  # three against three: the more similar stay
    weights = [1.0] * 6 + [0.5] * 3
    assert sorted(in_place(pairs, weights)) == [0, 1, 2, 3, 4, 5]


def test_a_run_counts_the_displacement_of_each_of_its_pairs() -> None:
    # three pairs displaced by 4 each (one run) against three displaced 3, 3 and 2
    pairs = [(4, 0), (5, 1), (6, 2), (0, 3), (1, 4), (3, 5)]
    assert sorted(in_place(pairs)) == [3, 4, 5]


def test_pairs_sharing_a_unit_are_searched_one_by_one() -> None:
    """Runs assume each a and each b in one pair (an alignment's anchors); given pairs that
    share one, the search goes pair by pair and finds what it always found."""
    pairs = [(3, 2), (0, 1), (1, 2), (4, 1), (2, 3), (1, 2)]
    assert sorted(in_place(pairs, [1.0, 0.5, 0.5, 0.5, 1.0, 1.0])) == [1, 4, 5]
