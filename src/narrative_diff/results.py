"""The scores of a series: the score table, the change statistics and the evidence.

Why a module of its own: :class:`ScoreResult` is what ``score``, ``chart`` and the report
read, row by row; it is made by :func:`score_series` from each snapshot's result, held or
put aside (:mod:`narrative_diff.scorefacts`), and the change rows of
:mod:`narrative_diff.changes`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, overload

from .actors import ActorSet
from .changes import ChangeRow, PairRunner, change_jobs, changes_table, in_turn
from .pairs import lineage_pairs, summary_pair
from .scorefacts import PutAside, counts_of, snapshots_of
from .scoring import ScoreRow, SnapshotScore, Weights, score_all, table_rows
from .snapshot import lineage_names

if TYPE_CHECKING:
    from .snapshot import Snapshot


@dataclass(frozen=True)
class ScoreResult:
    """Scores of a series: the score table, the change statistics and the evidence (every
    mention of every snapshot). Read from a corpus by ``api.score_series`` (by default),
    the scores' snapshots are headers (``Snapshot.header``: metadata and body hash)."""

    actors: ActorSet
    #: The change rows: held, or (results put aside) made each time they are iterated
    #: (:class:`MadeWhenRead`).
    changes: Sequence[ChangeRow]
    #: Each snapshot's result: held, or put aside (``scorefacts.PutAside``: read back one
    #: at a time; :meth:`close` when done).
    scores: Sequence[SnapshotScore]
    #: Each snapshot's ref in the rows (``v3``), by id.
    refs: Mapping[str, str]
    #: The pair the summary shows (from id, to id): the last two snapshots in one language,
    #: or the pair asked for; None for a single snapshot.
    summary: tuple[str, str] | None = None
    #: How ``rows`` are ordered: by snapshot (date order) or by lineage, then date.
    by: Literal["snapshot", "lineage"] = "snapshot"
    #: The summary pair was asked for (``--between``), not chosen.
    asked: bool = False

    @functools.cached_property
    def rows(self) -> tuple[ScoreRow, ...]:
        """The score table, one row per snapshot × actor (made on first use and kept;
        :meth:`each_row` gives the rows without keeping them)."""
        return tuple(self.each_row())

    def each_row(self) -> Iterator[ScoreRow]:
        """The rows of :attr:`rows`, in the same order, made one snapshot at a time."""
        order = None
        snaps = self.snapshots
        if self.by == "lineage" and self.actors.actors:  # no actors: no rows to order
            names = lineage_names(snaps)
            first = {name.casefold(): n for n, name in enumerate(self.lineages)}
            lineage = [names[snap.lineage_key].casefold() for snap in snaps]
            order = sorted(range(len(snaps)), key=lambda i: first[lineage[i]])  # stable
        facts = (snaps, counts_of(self.scores))
        return table_rows(self.scores, self.actors, self._ref, order, facts)

    def each_change(self) -> Iterator[ChangeRow]:
        """The rows of :attr:`changes`, in order (made a pair at a time, or read from the
        cache, when the results are put aside)."""
        return iter(self.changes)

    def close(self) -> None:
        """Remove what holds results put aside (nothing to do for results held)."""
        if isinstance(self.scores, PutAside):
            self.scores.close()

    def __enter__(self) -> ScoreResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ref(self, snap: Snapshot) -> str:
        return self.refs.get(snap.id, "-")

    @property
    def snapshots(self) -> tuple[Snapshot, ...]:
        """The snapshots scored, in date order (headers when read from a corpus)."""
        return tuple(snapshots_of(self.scores))

    @property
    def lineages(self) -> tuple[str, ...]:
        """The lineage names, in order of first appearance (case aside, one per lineage)."""
        if not self.actors.actors:  # no rows
            return ()
        seen: dict[str, str] = {}
        snaps = self.snapshots
        names = lineage_names(snaps)
        for snap in snaps:
            name = names[snap.lineage_key]
            seen.setdefault(name.casefold(), name)
        return tuple(seen.values())

    def by_lineage(self) -> ScoreResult:
        """The same result with its rows grouped by lineage (each in date order)."""
        return replace(self, by="lineage")

    def as_dict(self) -> dict[str, object]:
        """What ``score --format json`` prints, held whole (:meth:`streamed`: as written)."""
        scores = [row.as_dict() for row in self.rows]
        changes = [row.as_dict() for row in self.changes]
        return {**self.streamed(iter(scores)), "scores": scores, "changes": changes}

    def streamed(self, scores: Iterator[Mapping[str, object]] | None = None) -> dict[str, object]:
        """:meth:`as_dict` with the scores and the changes as iterators, each row made as
        ``serialise.json_chunks`` writes it (held whole, the 96,000 rows of 2,000 snapshots
        took ``score -f json`` from a 145 MiB peak to 691 MiB). ``scores``: the score rows'
        dictionaries as the caller made them (counted, say); default: :meth:`each_row`'s."""
        return {
            "actors_file": self.actors.source,
            "by": self.by,
            "lineages": list(self.lineages),
            "summary": {"from": self.summary[0], "to": self.summary[1]} if self.summary else None,
            "scores": (row.as_dict() for row in self.each_row()) if scores is None else scores,
            "changes": (row.as_dict() for row in self.each_change()),
        }


def score_series(
    snapshots: Sequence[Snapshot],
    actors: ActorSet,
    refs: Callable[[Snapshot], str],
    *,
    weights: Weights | None = None,
    pairs: Sequence[tuple[int, int]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    scored: Sequence[SnapshotScore] | None = None,
    run: PairRunner | None = None,
    statistics: bool = True,
) -> ScoreResult:
    """Score ``snapshots`` (in date order; ``scored``: their results, if already known)
    and the changes between ``pairs`` of positions (default: every consecutive pair, first
    → last, and the summary pair: the last two in one language; the summary shows it).
    Without ``statistics`` the changes are left out (``changes`` is empty): the score
    table alone, as ``score -f csv`` prints it, costs a fraction of the bootstrap. Results
    put aside (``scored``: a ``scorefacts.PutAside``) stay so: the change rows are made
    when read (:meth:`ScoreResult.each_change`), a pair at a time."""
    weights, given = weights or Weights(), pairs is not None
    if scored is None or not len(scored):
        scored = tuple(score_all(snapshots, actors, weights=weights, progress=progress))
    scores = scored
    shown = pairs[-1] if pairs else summary_pair(snapshots)
    if pairs is None:
        pairs = lineage_pairs(snapshots)
        if shown is not None and shown not in pairs:
            pairs.append(shown)
    changes: Sequence[ChangeRow] = ()
    if statistics and isinstance(scores, PutAside):
        made = functools.partial(_each_change, scores, actors, weights, pairs, run)
        changes = MadeWhenRead(made)
    elif statistics:
        changes = changes_table(scores, actors, weights=weights, pairs=pairs, run=run)
    summary = (snapshots[shown[0]].id, snapshots[shown[1]].id) if shown else None
    shown_refs = {snap.id: refs(snap) for snap in snapshots}
    return ScoreResult(actors, changes, scores, shown_refs, summary, asked=bool(pairs) and given)


class MadeWhenRead(Sequence[ChangeRow]):
    """Change rows made (or read from the pair cache) each time they are iterated, never
    all held; indexing or ``len`` makes them all once and keeps them."""

    def __init__(self, make: Callable[[], Iterable[ChangeRow]]) -> None:
        self._make = make
        self._kept: tuple[ChangeRow, ...] | None = None

    def __iter__(self) -> Iterator[ChangeRow]:
        return iter(self._kept if self._kept is not None else self._make())

    def _all(self) -> tuple[ChangeRow, ...]:
        if self._kept is None:
            self._kept = tuple(self._make())
        return self._kept

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, i: int) -> ChangeRow: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[ChangeRow]: ...

    def __getitem__(self, i: int | slice) -> ChangeRow | Sequence[ChangeRow]:
        return self._all()[i]


def _each_change(
    scores: Sequence[SnapshotScore],
    actors: ActorSet,
    weights: Weights,
    pairs: Sequence[tuple[int, int]],
    run: PairRunner | None,
) -> Iterator[ChangeRow]:
    jobs = change_jobs(scores, actors, weights=weights, pairs=pairs)
    for rows in run(jobs) if run else in_turn(list(jobs)):
        yield from rows
