"""Change statistics between two scored snapshots (see docs/methodology.md).

For each actor: APPEARED / DISAPPEARED, the Log Ratio of rates (Hardie 2014), the
Dirichlet-smoothed log-odds z (Monroe, Colaresi & Quinn 2008; prior strength
``Weights.alpha0``), the exact conditional binomial test of the counts (c2 given c1 + c2 is
Binomial(c1 + c2, N2/(N1 + N2)), as scipy's ``binomtest`` defines it), and intervals for the
change in prominence and share of voice from a sentence bootstrap within each snapshot
(title and headings held fixed; seeded, so reruns give the same numbers). Between
snapshots in different languages only the events and prominence changes are given; the
label is "cross-language" (a word and a Han character are different units of exposure).

Pairs are taken within a lineage (``Snapshot.lineage_name``: one publisher's line of
documents): a change from a Chinese agency's page to a Russian outlet's article is a switch
of source, not of narrative. A pair across lineages (asked for with ``--between``) is
labelled "cross-source": no event, no test. DISAPPEARED means absent from every later
snapshot of the lineage; an actor named again later gets ABSENT (a one-off absence).

The bootstrap draws, for each replicate, how often each body sentence is resampled; only
sentences that mention someone matter, so the draw is a multinomial over those sentences
plus one "all others" cell, and the replicate totals are one matrix product.

Each result is a :class:`ChangeRow`; :func:`narrative_diff.results.score_series` scores a
whole series into a :class:`~narrative_diff.results.ScoreResult`.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from .actors import ActorSet
from .pairs import default_pairs as default_pairs
from .pairs import lineage_pairs as lineage_pairs
from .pairs import summary_pair as summary_pair
from .scorefacts import counts_of, snapshots_of
from .scoring import Event, SnapshotScore, Weights, event
from .significance import exact_p as exact_p
from .significance import log_odds_z as log_odds_z
from .significance import log_ratio as log_ratio
from .snapshot import lineage_names
from .text import languages_differ

if TYPE_CHECKING:
    import numpy as np

    from .snapshot import Snapshot

ALPHA = 0.05
#: Computes the change rows of many pairs, in order (:func:`in_turn`, or elsewhere: the
#: score cache and the process pool of :class:`narrative_diff.engines.PairStatistics`).
PairRunner = Callable[[Iterable["PairJob"]], Iterable["list[ChangeRow]"]]
#: With more actors than this, the bootstrap matrices hold only the actors a series names
#: (10,000 actors made matrices of 2,000 × 10,000 per snapshot, most of them zeros). Below
#: it, every actor, as before, so that published numbers do not move in the last bit.
MANY_ACTORS = 256


def bootstrap_totals(score: SnapshotScore, keys: Sequence[str], weights: Weights) -> np.ndarray:
    """Replicate prominence totals, shape (B, actors), for one snapshot."""
    import numpy as np

    ranks = sorted({k for key in keys for k in score.contributions.get(key, {})})
    fixed = np.array([score.fixed.get(key, 0.0) for key in keys])
    seed = [weights.seed, zlib.crc32(score.snapshot.id.encode("utf-8"))]
    rng = np.random.default_rng(seed)
    if not ranks or not score.body_sentences:
        return np.tile(fixed, (weights.bootstrap, 1))
    sentences = score.body_sentences
    probabilities = [1 / sentences] * len(ranks) + [1 - len(ranks) / sentences]
    if weights.bootstrap * len(ranks) * len(keys) <= BOOTSTRAP_CELLS:
        contrib = np.array(
            [[score.contributions.get(key, {}).get(k, 0.0) for key in keys] for k in ranks]
        )
        counts = rng.multinomial(sentences, probabilities, size=weights.bootstrap)
        totals: np.ndarray = counts[:, : len(ranks)] @ contrib + fixed
        return totals
    return _bootstrap_in_blocks(score, keys, ranks, rng, fixed, weights.bootstrap)


#: Above this many cells (replicates × mentioned sentences × actors) the bootstrap draws in
#: blocks of replicates and multiplies only the columns of actors named in the body, so that
#: its memory stays near ``BLOCK_CELLS`` whatever the length of the snapshot (a whole draw
#: of 2,000 replicates of 100,000 sentences held 3.4 GB). Below it, the one matrix product of
#: earlier versions, so that published numbers do not move in the last bit.
BOOTSTRAP_CELLS = 1 << 24
BLOCK_CELLS = 1 << 21


def _bootstrap_in_blocks(
    score: SnapshotScore,
    keys: Sequence[str],
    ranks: Sequence[int],
    rng: np.random.Generator,
    fixed: np.ndarray,
    replicates: int,
) -> np.ndarray:
    """The same draws as one ``multinomial(size=replicates)`` (the generator fills the rows
    in turn), taken a block of rows at a time; actors absent from the body keep ``fixed``."""
    import numpy as np

    named = [j for j, key in enumerate(keys) if score.contributions.get(key)]
    position = {k: i for i, k in enumerate(ranks)}
    contrib = np.zeros((len(ranks), len(named)))
    for column, j in enumerate(named):
        for k, value in score.contributions[keys[j]].items():
            contrib[position[k], column] = value
    sentences = score.body_sentences
    probabilities = [1 / sentences] * len(ranks) + [1 - len(ranks) / sentences]
    totals = np.tile(fixed, (replicates, 1))
    block = max(1, BLOCK_CELLS // (len(ranks) + 1))
    for start in range(0, replicates, block):
        size = min(block, replicates - start)
        counts = rng.multinomial(sentences, probabilities, size=size)
        totals[start : start + size, named] += counts[:, : len(ranks)] @ contrib
    return totals


def _interval(values: np.ndarray) -> tuple[float, float]:
    import numpy as np

    low, high = np.nanpercentile(values, [100 * ALPHA / 2, 100 * (1 - ALPHA / 2)])
    return round(float(low), 4), round(float(high), 4)


#: How far a change is borne out: "" (0 → 0, nothing to test), "supported" (the exact test
#: and the bootstrap agree), "directional", "cross-language" (no test across languages) or
#: "cross-source" (two lineages: no test, no event).
Label = Literal["", "supported", "directional", "cross-language", "cross-source"]
Interval = tuple[float, float]


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One actor's change from snapshot ``from_id`` to ``to_id``; values rounded as
    published. The event and the label are derived from the stored values."""

    actor: str
    actor_name: str
    kind: str
    from_id: str
    to_id: str
    from_date: str
    to_date: str
    count_from: int
    count_to: int
    words_from: int
    words_to: int
    prominence_from: float
    prominence_to: float
    share_of_voice_from: float
    share_of_voice_to: float
    prominence_change: float
    share_of_voice_change: float
    cross_language: bool = False
    log_ratio: float | None = None
    log_odds_z: float | None = None
    p_value: float | None = None
    prominence_ci: Interval | None = None
    share_of_voice_ci: Interval | None = None
    from_lineage: str = ""
    to_lineage: str = ""
    #: the actor is named in a snapshot after ``to`` in its lineage (n → 0 is then ABSENT)
    named_later: bool = False

    @property
    def cross_source(self) -> bool:
        """The two snapshots belong to different lineages (case and spacing aside)."""
        return self.from_lineage.casefold() != self.to_lineage.casefold()

    @property
    def event(self) -> Event:
        """APPEARED, DISAPPEARED, ABSENT or ""; never an event across lineages."""
        if self.cross_source:
            return ""
        return event(self.count_from, self.count_to, named_later=self.named_later)

    @property
    def label(self) -> Label:
        """supported when p < 0.05 and the prominence interval excludes 0; "" when there is
        nothing to test (0 → 0, or a row without statistics)."""
        if not (self.count_from or self.count_to):
            return ""
        if self.cross_source:
            return "cross-source"
        if self.cross_language:
            return "cross-language"
        if self.p_value is None or self.prominence_ci is None:
            return ""
        low, high = self.prominence_ci
        return "supported" if self.p_value < ALPHA and not low <= 0 <= high else "directional"

    def as_dict(self) -> dict[str, object]:
        """The row as JSON values, keys in the published order (docs/methodology.md)."""
        return {
            "actor": self.actor,
            "actor_name": self.actor_name,
            "kind": self.kind,
            "from": self.from_id,
            "to": self.to_id,
            "from_date": self.from_date,
            "to_date": self.to_date,
            "from_lineage": self.from_lineage,
            "to_lineage": self.to_lineage,
            "count_from": self.count_from,
            "count_to": self.count_to,
            "words_from": self.words_from,
            "words_to": self.words_to,
            "prominence_from": self.prominence_from,
            "prominence_to": self.prominence_to,
            "share_of_voice_from": self.share_of_voice_from,
            "share_of_voice_to": self.share_of_voice_to,
            "event": self.event,
            "log_ratio": self.log_ratio,
            "log_odds_z": self.log_odds_z,
            "p_value": self.p_value,
            "prominence_change": self.prominence_change,
            "prominence_ci": self.prominence_ci,
            "share_of_voice_change": self.share_of_voice_change,
            "share_of_voice_ci": self.share_of_voice_ci,
            "label": self.label,
        }


@dataclass
class _Sides:
    """Counts and prominence of every actor on each side of a pair."""

    counts: tuple[dict[str, int], dict[str, int]]
    prominence: tuple[dict[str, float], dict[str, float]]

    @classmethod
    def of(cls, one: SnapshotScore, two: SnapshotScore, keys: Sequence[str]) -> _Sides:
        sides = cls(
            ({k: 0 for k in keys}, {k: 0 for k in keys}),
            ({k: 0.0 for k in keys}, {k: 0.0 for k in keys}),
        )
        for side, score in enumerate((one, two)):
            for m in score.mentions:
                sides.counts[side][m.actor] += 1
                sides.prominence[side][m.actor] += m.weight
        return sides


def change_rows(
    one: SnapshotScore,
    two: SnapshotScore,
    actors: ActorSet,
    weights: Weights,
    cache: dict[str, np.ndarray] | None = None,
    *,
    named_later: frozenset[str] = frozenset(),
    columns: Sequence[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> list[ChangeRow]:
    """One row per actor for the change from snapshot ``one`` to snapshot ``two``;
    ``named_later``: the actors named after ``two`` in its lineage (their n → 0 is ABSENT);
    ``columns``: the actors to bootstrap (every actor named on either side), if not all;
    ``names``: each lineage key's name as first written in the series."""
    import numpy as np

    keys = list(columns) if columns is not None else [a.key for a in actors.actors]
    column = {key: i for i, key in enumerate(keys)}
    cache = {} if cache is None else cache
    totals = []
    for score in (one, two):
        if score.snapshot.id not in cache:
            cache[score.snapshot.id] = bootstrap_totals(score, keys, weights)
        totals.append(cache[score.snapshot.id])
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = [np.nan_to_num(t / t.sum(axis=1, keepdims=True)) for t in totals]
    sides = _Sides.of(one, two, [a.key for a in actors.actors])
    p_totals = [sum(p.values()) for p in sides.prominence]
    cross = languages_differ(one.snapshot.language, two.snapshot.language)
    names = names or {}
    lineages = tuple(
        names.get(sc.snapshot.lineage_key, sc.snapshot.lineage_name) for sc in (one, two)
    )
    untested = cross or one.snapshot.lineage_key != two.snapshot.lineage_key
    rows = []
    for actor in actors.actors:
        c1, c2 = sides.counts[0][actor.key], sides.counts[1][actor.key]
        n1, n2 = max(one.words, 1), max(two.words, 1)
        p1, p2 = sides.prominence[0][actor.key], sides.prominence[1][actor.key]
        s1 = p1 / p_totals[0] if p_totals[0] else 0.0
        s2 = p2 / p_totals[1] if p_totals[1] else 0.0
        row = ChangeRow(
            actor=actor.key,
            actor_name=actor.name,
            kind=actor.kind,
            from_id=one.snapshot.id,
            to_id=two.snapshot.id,
            from_date=one.snapshot.date.isoformat(),
            to_date=two.snapshot.date.isoformat(),
            count_from=c1,
            count_to=c2,
            words_from=n1,
            words_to=n2,
            prominence_from=round(p1, 4),
            prominence_to=round(p2, 4),
            share_of_voice_from=round(s1, 4),
            share_of_voice_to=round(s2, 4),
            prominence_change=round(p2 - p1, 4),
            share_of_voice_change=round(s2 - s1, 4),
            # Word counts in two languages are different units: no test, no rate ratio.
            cross_language=cross,
            from_lineage=lineages[0],
            to_lineage=lineages[1],
            named_later=actor.key in named_later,
        )
        # nothing to test for 0 → 0; two lineages are two sources, not a change
        if not untested and (c1 or c2):
            index = column[actor.key]
            row = replace(
                row,
                log_ratio=round(log_ratio(c1, n1, c2, n2), 4),
                log_odds_z=round(log_odds_z(c1, n1, c2, n2, weights.alpha0), 4),
                p_value=round(exact_p(c1, n1, c2, n2), 6),
                prominence_ci=_interval(totals[1][:, index] - totals[0][:, index]),
                share_of_voice_ci=_interval(shares[1][:, index] - shares[0][:, index]),
            )
        rows.append(row)
    return rows


def changes_table(
    scores: Sequence[SnapshotScore],
    actors: ActorSet,
    *,
    weights: Weights | None = None,
    pairs: Sequence[tuple[int, int]] | None = None,
    run: PairRunner | None = None,
) -> tuple[ChangeRow, ...]:
    """Change rows for ``pairs`` of positions in ``scores``: by default each snapshot with
    the previous one of its lineage, and first → last of each lineage. ``run`` computes
    the pairs' rows (default :func:`in_turn`)."""
    jobs = change_jobs(scores, actors, weights=weights, pairs=pairs)
    return tuple(row for rows in (run(jobs) if run else in_turn(list(jobs))) for row in rows)


def change_jobs(
    scores: Sequence[SnapshotScore],
    actors: ActorSet,
    *,
    weights: Weights | None = None,
    pairs: Sequence[tuple[int, int]] | None = None,
) -> Iterator[PairJob]:
    """The jobs of :func:`changes_table`, made as they are taken; each reads its two
    results from ``scores`` when computed (results put aside are read back then)."""
    weights = weights or Weights()
    snaps = snapshots_of(scores)
    if pairs is None:
        pairs = lineage_pairs(snaps)
    counts = counts_of(scores)
    later = _named_later(snaps, counts)
    names = lineage_names(snaps)
    columns = None
    if len(actors.actors) > MANY_ACTORS:  # bootstrap only the actors the series names
        named = {actor for counted in counts for actor in counted}
        columns = [a.key for a in actors.actors if a.key in named]
    del counts
    for i, j in pairs:
        # later than a pair's end only when it runs forward (--between v5 v1 does not)
        after = later[j] if i < j else frozenset()
        shown = tuple(names[snaps[k].lineage_key] for k in (i, j))
        ids = (snaps[i].id, snaps[j].id)
        depends = (sorted(after), columns, shown)
        compute = functools.partial(
            _pair_rows, scores, i, j, actors, weights, after, columns, names
        )
        yield PairJob(i, j, ids, depends, compute)


def _pair_rows(
    scores: Sequence[SnapshotScore],
    i: int,
    j: int,
    actors: ActorSet,
    weights: Weights,
    after: frozenset[str],
    columns: Sequence[str] | None,
    names: Mapping[str, str],
    cache: dict[str, np.ndarray],
) -> list[ChangeRow]:
    return change_rows(
        scores[i],
        scores[j],
        actors,
        weights,
        cache,
        named_later=after,
        columns=columns,
        names=names,
    )


@dataclass(frozen=True)
class PairJob:
    """One pair's change rows to compute: positions, ids, what else the rows depend on
    besides the two snapshots' results, and ``compute(bootstrap cache)``."""

    i: int
    j: int
    ids: tuple[str, str]
    depends: tuple[object, ...]
    compute: Callable[[dict[str, np.ndarray]], list[ChangeRow]]


def in_turn(jobs: Sequence[PairJob]) -> list[list[ChangeRow]]:
    """Each job's rows, in order (:func:`each_in_turn`, kept)."""
    return list(each_in_turn(jobs))


def each_in_turn(jobs: Sequence[PairJob]) -> Iterator[list[ChangeRow]]:
    """Each job's rows, in order, as computed; a snapshot's bootstrap draws are kept until
    its last pair (memory stays flat)."""
    last_use = {key: n for n, job in enumerate(jobs) for key in job.ids}
    cache: dict[str, np.ndarray] = {}
    for n, job in enumerate(jobs):
        rows = job.compute(cache)
        for key in [key for key in cache if last_use[key] <= n]:
            del cache[key]
        yield rows


def _named_later(
    snaps: Sequence[Snapshot], counts: Sequence[Mapping[str, int]]
) -> list[frozenset[str]]:
    """For each position, the actors named in a later snapshot of the same lineage (one
    set shared by the positions where it is the same: memory stays small)."""
    seen: dict[str, frozenset[str]] = {}
    out: list[frozenset[str]] = [frozenset()] * len(snaps)
    for i in range(len(snaps) - 1, -1, -1):
        lineage = snaps[i].lineage_key
        out[i] = known = seen.get(lineage, frozenset())
        if not known.issuperset(counts[i]):
            seen[lineage] = known.union(counts[i])
    return out
