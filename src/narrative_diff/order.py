"""Order in an alignment: which pairs keep their place, and the relation each pair makes.

Used by :mod:`narrative_diff.align` for sentences and for paragraphs alike. A pair is
*moved* when it is not on the chosen chain of pairs increasing in both ``a`` and ``b``
(:func:`in_place`); :func:`relations_of` names every pair and every unpaired unit and puts
them in reading order.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from typing import TypeAlias

from .relations import Op, Relation

Pair: TypeAlias = tuple[tuple[int, ...], tuple[int, ...], float]
"""Units of ``a``, units of ``b`` and their similarity."""


def longest_increasing(values: Sequence[int]) -> list[int]:
    """Positions of a longest strictly increasing subsequence of ``values`` (patience
    sorting, O(n log n)).

    >>> longest_increasing([0, 3, 1, 2])
    [0, 2, 3]
    """
    tails: list[int] = []
    tail_at: list[int] = []
    parent: list[int] = []
    for k, value in enumerate(values):
        pos = bisect.bisect_left(tails, value)
        parent.append(tail_at[pos - 1] if pos else -1)
        if pos == len(tails):
            tails.append(value)
            tail_at.append(k)
        else:
            tails[pos] = value
            tail_at[pos] = k
    chain: list[int] = []
    node = tail_at[-1] if tail_at else -1
    while node != -1:
        chain.append(node)
        node = parent[node]
    return chain[::-1]


def in_place(pairs: Sequence[tuple[int, int]], weights: Sequence[float] | None = None) -> set[int]:
    """Indices of the pairs that stay in place; all others moved.

    The chosen chain increases in both a and b and has, in this order of preference, the
    most pairs, the highest total similarity (``weights``), the least total displacement
    |a - b|. Every criterion reads the same whichever side is called "a", so a comparison
    run backwards marks the same pairs as moved. A Fenwick tree over b keeps it O(n log n);
    when the pairs are already in order (the common case) nothing is searched.

    Pairs on one diagonal, (a, b), (a + 1, b + 1), ..., are searched as one run: each of
    a and b is in at most one pair, so no other pair sits between two of them on either
    side, and any other pair goes before all of them or after all of them, or crosses all
    of them. A best chain takes the whole run or none of it, and the search finds the same
    chain as pair by pair (a run's count rises at each of its pairs, so its last key is
    the largest and the others never decide a tie), in a fraction of the steps: a long
    document's unchanged paragraphs are one run between two edits.

    >>> sorted(in_place([(0, 0), (1, 3), (2, 1), (3, 2)]))
    [0, 2, 3]
    >>> sorted(in_place([(0, 1), (1, 0)], [1.0, 0.8]))  # keep the identical pair in place
    [0]
    """
    order = sorted(range(len(pairs)), key=lambda k: (pairs[k][0], -pairs[k][1]))
    if all(
        pairs[x][1] < pairs[y][1] and pairs[x][0] < pairs[y][0]
        for x, y in itertools.pairwise(order)
    ):
        return set(order)
    weights = weights if weights is not None else [1.0] * len(pairs)
    # (runs need each a and each b in one pair, as an alignment's anchors are; else pairs)
    unique = len({a for a, _ in pairs}) == len({b for _, b in pairs}) == len(pairs)
    runs: list[list[int]] = []
    for k in order:
        if unique and runs and pairs[k] == (pairs[runs[-1][-1]][0] + 1, pairs[runs[-1][-1]][1] + 1):
            runs[-1].append(k)
        else:
            runs.append([k])
    # One integer per chain, compared at C speed: pairs, then similarity (ten-thousandths,
    # summed exactly), then less displacement.
    ranks = {b: r for r, b in enumerate(sorted({b for _, b in pairs}), start=1)}
    size = len(ranks) + 1
    tree = [0] * size
    tree_end = [-1] * size
    parent: dict[int, int] = {}  # a run's last pair → the last pair of the run before it
    best, best_end = 0, -1
    room = (1 << 30) - 1  # displacement field
    sim_room = (1 << 60) - 1  # similarity field, in ten-thousandths (0.9999 is not 1.0)
    for run in runs:
        a, b = pairs[run[0]]
        found, previous = 0, -1
        j = ranks[b] - 1
        while j > 0:  # the best chain ending below this b
            if tree[j] > found:
                found, previous = tree[j], tree_end[j]
            j &= j - 1
        spare = found & room if found else room
        similarity = ((found >> 40) & sim_room) + sum(round(weights[k] * 10000) for k in run)
        key = ((found >> 100) + len(run)) << 100 | similarity << 40
        key |= max(spare - len(run) * abs(a - b), 0)
        last = run[-1]
        parent[last] = previous
        if key > best:
            best, best_end = key, last
        i = ranks[pairs[last][1]]
        while i < size:
            if key > tree[i]:
                tree[i] = key
                tree_end[i] = last
            i += i & -i
    run_of = {run[-1]: run for run in runs}
    chain: set[int] = set()
    node = best_end
    while node != -1:
        chain.update(run_of[node])
        node = parent[node]
    return chain


def relations_of(pairs: list[Pair], n_a: int, n_b: int) -> list[Relation]:
    """Relations of the pairs (the op read off their shape, order and similarity) and of
    the units left unpaired, in reading order."""
    anchors = [(min(sa), min(sb)) for sa, sb, _ in pairs]
    staying = in_place(anchors, [score for _, _, score in pairs])
    relations = []
    for k, (sa, sb, score) in enumerate(pairs):
        moved = k not in staying
        op: Op
        if len(sa) > 1:
            op = "merged"
        elif len(sb) > 1:
            op = "split"
        elif moved:
            op = "moved"
        else:
            op = "unchanged" if score >= 1.0 else "edited"
        relations.append(Relation(op, tuple(sa), tuple(sb), round(score, 4), moved))
    used_a = {i for r in relations for i in r.a}
    used_b = {j for r in relations for j in r.b}
    relations += [Relation("deleted", (i,), (), 0.0) for i in range(n_a) if i not in used_a]
    relations += [Relation("added", (), (j,), 0.0) for j in range(n_b) if j not in used_b]
    return sorted(relations, key=_reading_order(relations))


def _reading_order(relations: list[Relation]) -> Callable[[Relation], tuple[float, int]]:
    """Sort key: b order; a deleted unit goes right after what preceded it in a."""
    n_a = 1 + max((i for rel in relations for i in rel.a), default=-1)
    b_of_a = [-1] * n_a
    for rel in relations:
        if rel.b:
            for i in rel.a:
                b_of_a[i] = max(rel.b)
    before = [-1] * (n_a + 1)  # before[i]: the furthest b reached by a units ahead of i
    for i in range(n_a):
        before[i + 1] = max(before[i], b_of_a[i])

    def key(rel: Relation) -> tuple[float, int]:
        if rel.b:
            return (min(rel.b), 0)
        return (before[rel.a[0]] + 0.5, rel.a[0])

    return key
