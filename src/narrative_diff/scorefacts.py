"""What a series' statistics need of every snapshot's result, without holding the results.

Why: a snapshot's result (:class:`~narrative_diff.scoring.SnapshotScore`: its mentions with
their sentences, the bootstrap's contributions) is some 30 KB; held for a whole series it
made ``score``'s memory grow with the series. The score table and the change statistics
need each result once or twice, but of every snapshot only small facts at once: its header
(id, date, lineage) and how often each actor is named in it (the events, the actors named
later in a lineage, the bootstrap's columns). :class:`PutAside` is a series of results
that keeps those facts and reads a result back when asked for it
(:class:`narrative_diff.scorestore.ScoreStore`); a plain sequence of results gives the
same facts by reading them off the results.
"""

from __future__ import annotations

import abc
from collections import Counter
from collections.abc import Mapping, Sequence

from .scoring import SnapshotScore
from .snapshot import Snapshot


class PutAside(Sequence[SnapshotScore], abc.ABC):
    """Results of a series, in date order, read back one at a time when indexed; the
    facts of every snapshot in memory. ``close`` removes what was written to hold them."""

    @property
    @abc.abstractmethod
    def snapshots(self) -> Sequence[Snapshot]:
        """The snapshots (headers when read from a corpus), in date order."""

    @abc.abstractmethod
    def counts(self) -> Sequence[Mapping[str, int]]:
        """For each snapshot, its mentions per actor named in it."""

    @abc.abstractmethod
    def close(self) -> None:
        """Remove what holds the results (a result can no longer be read back)."""


def snapshots_of(scores: Sequence[SnapshotScore]) -> Sequence[Snapshot]:
    """The snapshots of ``scores``, none read back."""
    if isinstance(scores, PutAside):
        return scores.snapshots
    return [score.snapshot for score in scores]


def counts_of(scores: Sequence[SnapshotScore]) -> Sequence[Mapping[str, int]]:
    """Each snapshot's mentions per actor named in it, none read back."""
    if isinstance(scores, PutAside):
        return scores.counts()
    return [Counter(m.actor for m in score.mentions) for score in scores]
