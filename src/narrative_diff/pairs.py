"""Which pairs of snapshots a series' change statistics compare, and which one its summary
shows: within a lineage (one publisher's line of documents), in date order.

Why a module of its own: the choice of pairs depends only on the snapshots' dates,
languages and lineages, never on their scores (see :mod:`narrative_diff.changes`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .text import normalise_language

if TYPE_CHECKING:
    from .snapshot import Snapshot


def summary_pair(snapshots: Sequence[Snapshot]) -> tuple[int, int] | None:
    """The last two snapshots of one language and one lineage (positions), so that the
    summary has counts to test; failing that the last two of one lineage (events, no
    tests), then the last two in one language (cross-source), then the last two of all;
    None for fewer than two.

    Languages compare by their primary subtag (zh and zh-Hant are one language)."""
    languages = [normalise_language(snap.language) for snap in snapshots]
    lineages = [snap.lineage_key for snap in snapshots]

    def last(same: Callable[[int, int], bool]) -> tuple[int, int] | None:
        for j in range(len(snapshots) - 1, 0, -1):
            for i in range(j - 1, -1, -1):
                if same(i, j):
                    return i, j
        return None

    def language(i: int, j: int) -> bool:
        return languages[i] is not None and languages[i] == languages[j]

    found = (
        last(lambda i, j: language(i, j) and lineages[i] == lineages[j])
        or last(lambda i, j: lineages[i] == lineages[j])  # events, no tests
        or last(language)  # cross-source: no events, no tests
    )
    if found is None and len(snapshots) > 1:
        found = (len(snapshots) - 2, len(snapshots) - 1)
    return found


def lineage_pairs(snapshots: Sequence[Snapshot]) -> list[tuple[int, int]]:
    """Each snapshot paired with the previous one of its lineage, then first → last of each
    lineage of three or more (positions in ``snapshots``, which are in date order). With
    one lineage this is :func:`default_pairs`."""
    by_lineage: dict[str, list[int]] = {}
    for index, snap in enumerate(snapshots):
        by_lineage.setdefault(snap.lineage_key, []).append(index)
    steps = sorted(
        (pair for members in by_lineage.values() for pair in itertools.pairwise(members)),
        key=lambda pair: (pair[1], pair[0]),
    )
    spans = sorted((m[0], m[-1]) for m in by_lineage.values() if len(m) > 2)
    return [*steps, *spans]


def default_pairs(n: int) -> list[tuple[int, int]]:
    """Every consecutive pair of ``n`` snapshots, and first → last when that is not one.

    >>> default_pairs(2), default_pairs(3)
    ([(0, 1)], [(0, 1), (1, 2), (0, 2)])
    """
    pairs = [(i, i + 1) for i in range(n - 1)]
    if n > 2:
        pairs.append((0, n - 1))
    return pairs
