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

Each result is a :class:`ChangeRow`; :func:`score_series` scores a whole series into a
:class:`ScoreResult` (the score table, the change rows and the mentions behind them).
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from .actors import ActorSet
from .pairs import default_pairs as default_pairs
from .pairs import lineage_pairs as lineage_pairs
from .pairs import summary_pair as summary_pair
from .scoring import Event, ScoreRow, SnapshotScore, Weights, event, score_all, table_rows
from .snapshot import lineage_names
from .text import languages_differ

if TYPE_CHECKING:
    import numpy as np

    from .snapshot import Snapshot

ALPHA = 0.05
#: Computes the change rows of many pairs, in order (:func:`in_turn`, or elsewhere: the
#: score cache and the process pool of :class:`narrative_diff.engines.PairStatistics`).
PairRunner = Callable[[Sequence["PairJob"]], "list[list[ChangeRow]]"]
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


def log_ratio(c1: int, n1: int, c2: int, n2: int) -> float:
    """Hardie's Log Ratio of rates with 0.5 added to each count.

    >>> round(log_ratio(0, 100, 5, 100), 3)
    3.459
    """
    return math.log2((c2 + 0.5) / max(n2, 1)) - math.log2((c1 + 0.5) / max(n1, 1))


def log_odds_z(c1: int, n1: int, c2: int, n2: int, alpha0: float) -> float:
    """Dirichlet-smoothed log-odds ratio divided by its standard error (Monroe et al.)."""
    pooled = (c1 + c2) / (n1 + n2)
    # every word a mention (a one-word text, a pattern matching each character): the
    # smoothing of the rest would be 0, so keep it a little above
    pooled = min(max(pooled, 1e-9), 1 - 1e-9)
    n1, n2 = max(n1, c1 + 1), max(n2, c2 + 1)
    a_word, a_rest = alpha0 * pooled, alpha0 * (1 - pooled)
    delta = math.log((c2 + a_word) / (n2 - c2 + a_rest)) - math.log(
        (c1 + a_word) / (n1 - c1 + a_rest)
    )
    variance = (
        1 / (c2 + a_word) + 1 / (n2 - c2 + a_rest) + 1 / (c1 + a_word) + 1 / (n1 - c1 + a_rest)
    )
    return delta / math.sqrt(variance)


def exact_p(c1: int, n1: int, c2: int, n2: int) -> float:
    """Two-sided exact conditional binomial p-value for the change in counts: c2 given
    c1 + c2 ~ Binomial(c1 + c2, N2/(N1 + N2)).

    The same definition as scipy's ``binomtest(...).pvalue`` (the probability of every
    outcome no more likely than the one observed, with scipy's relative tolerance 1e-7);
    ``tests/test_scoring.py`` checks the two agree. Computed here because importing
    scipy.stats costs about a second per process, more than scoring a long series.

    No mentions, or no words on either side, leave nothing to test: p = 1.

    >>> round(exact_p(6, 100, 0, 100), 6), exact_p(0, 100, 0, 100), exact_p(2, 0, 1, 0)
    (0.03125, 1.0, 1.0)
    """
    trials = c1 + c2
    if trials == 0 or n1 + n2 <= 0:
        return 1.0
    p = n2 / (n1 + n2)

    def pmf(k: int) -> float:
        if p in (0.0, 1.0):
            return 1.0 if k == (trials if p == 1.0 else 0) else 0.0
        log = (
            math.lgamma(trials + 1)
            - math.lgamma(k + 1)
            - math.lgamma(trials - k + 1)
            + k * math.log(p)
            + (trials - k) * math.log1p(-p)
        )
        return math.exp(log)

    observed = pmf(c2)
    limit = observed * (1 + 1e-7)
    total = sum(q for q in map(pmf, range(trials + 1)) if q <= limit)
    return min(1.0, total)


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


@dataclass(frozen=True)
class ScoreResult:
    """Scores of a series: the score table, the change statistics and the evidence (every
    mention of every snapshot). Read from a corpus by ``api.score_series`` (by default),
    the scores' snapshots are headers (``Snapshot.header``: metadata and body hash)."""

    actors: ActorSet
    changes: tuple[ChangeRow, ...]
    scores: tuple[SnapshotScore, ...]
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
        if self.by == "lineage" and self.actors.actors:  # no actors: no rows to order
            names = lineage_names(self.snapshots)
            first = {name.casefold(): n for n, name in enumerate(self.lineages)}
            lineage = [names[sc.snapshot.lineage_key].casefold() for sc in self.scores]
            order = sorted(range(len(self.scores)), key=lambda i: first[lineage[i]])  # stable
        return table_rows(self.scores, self.actors, self._ref, order)

    def _ref(self, snap: Snapshot) -> str:
        return self.refs.get(snap.id, "-")

    @property
    def snapshots(self) -> tuple[Snapshot, ...]:
        """The snapshots scored, in date order (headers when read from a corpus)."""
        return tuple(score.snapshot for score in self.scores)

    @property
    def lineages(self) -> tuple[str, ...]:
        """The lineage names, in order of first appearance (case aside, one per lineage)."""
        if not self.actors.actors:  # no rows
            return ()
        seen: dict[str, str] = {}
        names = lineage_names(self.snapshots)
        for score in self.scores:
            name = names[score.snapshot.lineage_key]
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
            "changes": (row.as_dict() for row in self.changes),
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
    table alone, as ``score -f csv`` prints it, costs a fraction of the bootstrap."""
    weights, given = weights or Weights(), pairs is not None
    scores = tuple(scored or score_all(snapshots, actors, weights=weights, progress=progress))
    shown = pairs[-1] if pairs else summary_pair(snapshots)
    if pairs is None:
        pairs = lineage_pairs(snapshots)
        if shown is not None and shown not in pairs:
            pairs.append(shown)
    changes = (
        changes_table(scores, actors, weights=weights, pairs=pairs, run=run) if statistics else ()
    )
    summary = (snapshots[shown[0]].id, snapshots[shown[1]].id) if shown else None
    shown_refs = {snap.id: refs(snap) for snap in snapshots}
    return ScoreResult(actors, changes, scores, shown_refs, summary, asked=bool(pairs) and given)


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
    weights = weights or Weights()
    if pairs is None:
        pairs = lineage_pairs([sc.snapshot for sc in scores])
    later = _named_later(scores)
    names = lineage_names(sc.snapshot for sc in scores)
    columns = None
    if len(actors.actors) > MANY_ACTORS:  # bootstrap only the actors the series names
        named = {m.actor for sc in scores for m in sc.mentions}
        columns = [a.key for a in actors.actors if a.key in named]
    jobs = []
    for i, j in pairs:
        # later than a pair's end only when it runs forward (--between v5 v1 does not)
        after = later[j] if i < j else frozenset()
        compute = functools.partial(
            change_rows, scores[i], scores[j], actors, weights, named_later=after
        )
        shown = tuple(names[scores[k].snapshot.lineage_key] for k in (i, j))
        ids = (scores[i].snapshot.id, scores[j].snapshot.id)
        depends = (sorted(after), columns, shown)
        jobs.append(
            PairJob(i, j, ids, depends, functools.partial(compute, columns=columns, names=names))
        )
    return tuple(row for rows in (run or in_turn)(jobs) for row in rows)


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
    """Each job's rows, in order; a snapshot's bootstrap draws are kept until its last
    pair (memory stays flat)."""
    last_use = {key: n for n, job in enumerate(jobs) for key in job.ids}
    cache: dict[str, np.ndarray] = {}
    out = []
    for n, job in enumerate(jobs):
        out.append(job.compute(cache))
        for key in [key for key in cache if last_use[key] <= n]:
            del cache[key]
    return out


def _named_later(scores: Sequence[SnapshotScore]) -> list[frozenset[str]]:
    """For each position, the actors named in a later snapshot of the same lineage."""
    seen: dict[str, set[str]] = {}
    out: list[frozenset[str]] = [frozenset()] * len(scores)
    for i in range(len(scores) - 1, -1, -1):
        lineage = scores[i].snapshot.lineage_key
        out[i] = frozenset(seen.get(lineage, ()))
        seen.setdefault(lineage, set()).update(m.actor for m in scores[i].mentions)
    return out
