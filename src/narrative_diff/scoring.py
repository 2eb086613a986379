"""Actor scores: how often and how prominently each actor is mentioned, snapshot by snapshot.

The method is written up in ``docs/methodology.md`` (formulas, default weights and why,
limits, sources). In short, for actor *a* in snapshot *d*:

* ``count`` c: mentions found by :mod:`narrative_diff.actors`; ``words`` N: word tokens
  (one per Han character for Chinese); ``rate`` = 1000·c/N.
* ``sentence_share``: share of body sentences mentioning *a* (comparable across languages).
* ``prominence`` P = Σ w(m), w = w_pos · w_struct: w_pos = 1/log2(1 + k) for the k-th body
  sentence (1 in the title; a heading takes the k of the sentence after it), w_struct = 2.0
  title, 1.5 heading, 1.5 lead paragraph, 1.0 elsewhere (:class:`Weights`).
  ``prominence_capped`` counts one weighted mention per actor and sentence (both are always
  reported). ``density`` = P/S.
* ``share_of_voice`` = P_a / Σ_b P_b over every actor including the generic-partner bucket;
  ``share_of_voice_count`` is the same with counts.
* ``first_position`` = (k_first − 1)/S, 0 in the title or the lead (a heading counts as the
  body sentence after it); empty if absent.
* ``frame_share``: share of *a*'s sentences that carry a relational frame ("together
  with", "jointly", 共同, совместно, …).

Each snapshot × actor is one :class:`ScoreRow`. Changes between two snapshots are in
:mod:`narrative_diff.changes` (:class:`~narrative_diff.changes.ChangeRow`): APPEARED /
DISAPPEARED events, the
Log Ratio (Hardie 2014), the Dirichlet-smoothed log-odds z (Monroe, Colaresi & Quinn
2008), the exact conditional binomial test of the counts, and seeded sentence-bootstrap
intervals for the change in prominence and share of voice (Benoit, Laver & Mikhaylov
2009). A change is "supported" when p < 0.05 and the prominence interval excludes 0, else
"directional"; 0 → 0 gets no statistics. numpy loads only for the bootstrap; pandas only
for :func:`narrative_diff.api.score_frame` (notebooks); scipy never (the tests compare the
exact test with it).
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .actors import Actor, ActorMatcher, ActorSet, Match, matcher_for
from .segment import Segmented, segment
from .shifts import ActorChange
from .shifts import Event as Event
from .snapshot import lineage_names
from .text import normalise_language

if TYPE_CHECKING:
    from .compare import Comparison
    from .snapshot import Snapshot

#: Where a mention stands; it sets the structural weight.
Where = Literal["title", "heading", "lead", "body"]

WEIGHTS_VERSION = "1"
#: Bump whenever a change to the code makes :func:`score_snapshot` give another result for
#: the same text (segmentation, matching, weights, frames): the score cache
#: (:mod:`narrative_diff.scorecache`) keys every entry with it, so no stale entry is used.
SCORING_VERSION = "1"
FRAMES = {
    "en": (
        r"together with",
        r"jointly",
        r"joint",
        r"equal",
        r"partners?(?:hip)?",
        r"in cooperation with",
        r"with the participation of",
    ),
    "zh": ("共同", "联合", "一道", "一起", "平等"),
    "ru": (r"совместн\w*", r"вместе с", r"равноправн\w*", r"партн[её]р\w*", r"сотрудничеств\w*"),
}


@dataclass(frozen=True)
class Weights:
    """The scoring configuration (one versioned place; see docs/methodology.md)."""

    title: float = 2.0
    heading: float = 1.5
    lead: float = 1.5
    body: float = 1.0
    decay: str = "log"  # "log": 1/log2(1+k); "exp": exp(-rate·(k-1))
    exp_rate: float = 0.1
    cap_per_sentence: bool = False
    alpha0: float = 10.0  # prior strength of the smoothed log-odds
    bootstrap: int = 2000
    seed: int = 20210616
    version: str = WEIGHTS_VERSION

    def position(self, k: int) -> float:
        """Weight of the k-th body sentence (k ≥ 1).

        >>> Weights().position(1), Weights().position(3)
        (1.0, 0.5)
        """
        if self.decay == "exp":
            return math.exp(-self.exp_rate * (k - 1))
        return 1.0 / math.log2(1 + k)


@dataclass(frozen=True, slots=True)
class Mention:
    """One actor mention, with everything needed to audit its weight."""

    snapshot: str
    date: str
    actor: str
    alias: str
    text: str
    sentence: int  # index into the snapshot's sentences (title and headings included)
    rank: int  # k: rank among body sentences; 0 in the title; a heading: the next sentence's
    where: Where
    start: int
    end: int
    weight: float
    context: str  # the sentence


@dataclass(frozen=True)
class SnapshotScore:
    """Everything the table needs about one snapshot, kept for the change statistics."""

    snapshot: Snapshot
    mentions: tuple[Mention, ...]
    body_sentences: int
    words: int
    # weight per (actor, body sentence rank) and fixed weight in the title and headings
    contributions: dict[str, dict[int, float]] = field(default_factory=dict)
    fixed: dict[str, float] = field(default_factory=dict)
    #: the sentences (indices) whose text, mentions blanked out, holds a relational frame;
    #: kept instead of the segmentation, which is several times the size of the body
    framed: frozenset[int] = frozenset()


def score_snapshot(
    snapshot: Snapshot,
    matcher: ActorMatcher,
    weights: Weights,
    *,
    segmented: Segmented | None = None,
) -> SnapshotScore:
    """Find and weigh every actor mention in ``snapshot`` (``segmented``: its segmentation,
    when the caller has it already)."""
    seg = segmented or segment(snapshot.body, snapshot.language)
    lead_block = next((b.index for b in seg.blocks if b.kind == "paragraph"), None)
    mentions: list[Mention] = []
    contributions: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    fixed: dict[str, float] = defaultdict(float)
    # One pass of the matcher over the whole body (28,000 calls, one per sentence, cost
    # more than the matching), then each match goes to the sentence that holds it.
    starts = [sentence.start for sentence in seg.sentences]
    by_sentence: dict[int, list[Match]] = defaultdict(list)
    for match in matcher.find(snapshot.body):
        index = bisect.bisect_right(starts, match.start) - 1
        if index >= 0 and match.end <= seg.sentences[index].end:
            by_sentence[index].append(match)
    rank = 0
    date = snapshot.date.isoformat()  # one string for every mention, not one each
    for sentence in seg.sentences:
        kind = seg.blocks[sentence.block].kind
        if kind == "paragraph":
            rank += 1
        found = by_sentence.get(sentence.index)
        if not found:
            continue
        where: Where
        if kind == "paragraph":
            where = "lead" if sentence.block == lead_block else "body"
            w_struct = weights.lead if where == "lead" else weights.body
            w_pos = weights.position(rank)
        elif kind == "title":
            where, w_struct, w_pos = "title", weights.title, 1.0
        else:  # a heading is discounted like the body sentence that follows it
            where, w_struct, w_pos = "heading", weights.heading, weights.position(rank + 1)
        seen: set[str] = set()
        for match in found:
            weight = w_pos * w_struct
            if weights.cap_per_sentence and match.actor in seen:
                weight = 0.0
            seen.add(match.actor)
            mentions.append(
                Mention(
                    snapshot=snapshot.id,
                    date=date,
                    actor=match.actor,
                    alias=match.alias,
                    text=match.text,
                    sentence=sentence.index,
                    rank=rank if kind == "paragraph" else 0 if kind == "title" else rank + 1,
                    where=where,
                    start=match.start,
                    end=match.end,
                    weight=round(weight, 6),
                    context=sentence.text,
                )
            )
            if kind == "paragraph":
                contributions[match.actor][rank] += weight
            else:  # title and headings stay fixed in the bootstrap
                fixed[match.actor] += weight
    frame = _frame_pattern(snapshot.language)
    blanked = _without_mentions(mentions, seg)
    return SnapshotScore(
        snapshot,
        tuple(mentions),
        rank,
        # N: the word count, each Han character one token (a Chinese rate is per 1,000
        # characters); Latin words in a Chinese text count too, as their aliases do in c
        snapshot.words,
        {a: dict(v) for a, v in contributions.items()},
        dict(fixed),
        frozenset(i for i, text in blanked.items() if frame.search(text)),
    )


def event(before: int | None, after: int, *, named_later: bool = False) -> Event:
    """APPEARED (0 → n), DISAPPEARED (n → 0), ABSENT (n → 0 but ``named_later``: a one-off
    absence) or "" (also when there is no "before").

    >>> event(0, 2), event(3, 0), event(3, 0, named_later=True), event(None, 0), event(1, 1)
    ('APPEARED', 'DISAPPEARED', 'ABSENT', '', '')
    """
    if before is None:
        return ""
    if before == 0 < after:
        return "APPEARED"
    if after == 0 < before:
        return "ABSENT" if named_later else "DISAPPEARED"
    return ""


def series_events(counts: Sequence[int], lineages: Sequence[str]) -> list[Event]:
    """The event at each position of a series: against the previous snapshot of the same
    lineage (the first of a lineage has none). n → 0 is DISAPPEARED only when the actor is
    absent from every later snapshot of that lineage; otherwise ABSENT.

    >>> series_events([3, 5, 0, 0, 2], ["cnsa", "tass", "cnsa", "cnsa", "tass"])
    ['', '', 'DISAPPEARED', '', '']
    >>> series_events([3, 0, 2, 0], ["a", "a", "a", "a"])
    ['', 'ABSENT', 'APPEARED', 'DISAPPEARED']
    """
    later = named_later(counts, lineages)
    previous: dict[str, int] = {}
    out: list[Event] = []
    for i, (count, lineage) in enumerate(zip(counts, lineages, strict=True)):
        out.append(event(previous.get(lineage), count, named_later=later[i]))
        previous[lineage] = count
    return out


def named_later(counts: Sequence[int], lineages: Sequence[str]) -> list[bool]:
    """For each position: is the actor named in a later snapshot of the same lineage?

    >>> named_later([1, 0, 2, 0], ["a", "b", "a", "b"])
    [True, False, False, False]
    """
    seen: set[str] = set()
    out = [False] * len(counts)
    for i in range(len(counts) - 1, -1, -1):
        out[i] = lineages[i] in seen
        if counts[i]:
            seen.add(lineages[i])
    return out


def _frame_pattern(language: str | None) -> re.Pattern[str]:
    language = normalise_language(language) or "en"
    terms = FRAMES.get(language, FRAMES["en"])
    if language == "zh":
        return re.compile("|".join(terms))
    return re.compile(r"(?<!\w)(?:" + "|".join(terms) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One snapshot × actor row of the score table (columns in docs/methodology.md, in
    this order); values are rounded as published."""

    series: str
    snapshot: str
    ref: str
    date: str
    language: str | None
    lineage: str
    actor: str
    actor_name: str
    kind: str
    count: int
    words: int
    rate: float
    sentences: int
    sentence_share: float
    prominence: float
    prominence_capped: float
    density: float
    share_of_voice: float
    share_of_voice_count: float
    first_position: float | None
    frame_share: float
    aliases: str
    event: Event

    def as_dict(self) -> dict[str, object]:
        """The row as JSON/CSV values, keys in column order."""
        return {name: getattr(self, name) for name in SCORE_COLUMNS}


#: The score table's columns, in order (ScoreRow's fields).
SCORE_COLUMNS = tuple(ScoreRow.__dataclass_fields__)


def table_rows(
    scores: Sequence[SnapshotScore],
    actors: ActorSet,
    refs: Callable[[Snapshot], str],
    order: Iterable[int] | None = None,
    facts: tuple[Sequence[Snapshot], Sequence[Mapping[str, int]]] | None = None,
) -> Iterator[ScoreRow]:
    """One row per snapshot × actor: the tidy table of ``score``, made as it is read (for
    10,000 snapshots it is 200,000 rows). ``scores`` are in date order, which the events
    are read in; ``order``: the positions to give rows for, in that order (default all);
    ``facts``: the snapshots and their mentions per actor (``scorefacts``), if known."""
    snaps, counted = facts or ([s.snapshot for s in scores], [_counts(s) for s in scores])
    lineages = [snap.lineage_key for snap in snaps]
    names = lineage_names(snaps)
    counts = {a.key: [0] * len(snaps) for a in actors.actors}  # each snapshot read once
    for i, named in enumerate(counted):
        for key, count in named.items():
            if key in counts:
                counts[key][i] = count
    events = {key: series_events(counts.pop(key), lineages) for key in list(counts)}
    del counted, snaps
    for i in range(len(scores)) if order is None else order:
        sc = scores[i]
        ref = refs(sc.snapshot)
        by_actor: dict[str, list[Mention]] = defaultdict(list)
        for m in sc.mentions:
            by_actor[m.actor].append(m)
        totals = _Totals(
            sum(sum(m.weight for m in by_actor[a.key]) for a in actors.actors),
            sum(len(v) for v in by_actor.values()),
        )
        snap = sc.snapshot
        context = _RowContext(sc, ref, names[snap.lineage_key], snap.date.isoformat())
        for actor in actors.actors:
            yield _score_row(context, actor, by_actor[actor.key], totals, events[actor.key][i])


def _counts(score: SnapshotScore) -> Mapping[str, int]:
    return Counter(m.actor for m in score.mentions)


@dataclass(frozen=True)
class _Totals:
    """Prominence and mentions of every actor in one snapshot (share-of-voice bases)."""

    prominence: float
    count: int


@dataclass(frozen=True)
class _RowContext:
    """What every row of one snapshot shares."""

    score: SnapshotScore
    ref: str
    lineage: str  # the lineage's name as first written in the series
    date: str  # the snapshot's date, ISO


def _score_row(
    ctx: _RowContext, actor: Actor, found: list[Mention], totals: _Totals, change: Event
) -> ScoreRow:
    """The row of one actor in one snapshot."""
    sc = ctx.score
    if not found:  # most rows of a long actors list: every measure is 0 (as computed below)
        # the share's base may be any number with weights of the caller's: the formula
        share = round(0.0 / totals.prominence, 4) if totals.prominence else 0.0
        return _row(ctx, actor, change, share_of_voice=share, **_NOT_NAMED)
    count = len(found)
    prominence = sum((m.weight for m in found), 0.0)
    sentences = {m.sentence for m in found}
    body = {m.sentence for m in found if m.where in ("lead", "body")}
    framed = len(sentences & sc.framed)
    best: dict[int, float] = {}  # the heaviest mention of each sentence, in one pass
    for m in found:
        best[m.sentence] = max(best.get(m.sentence, 0.0), m.weight)
    per_sentence = sc.body_sentences
    return _row(
        ctx,
        actor,
        change,
        count=count,
        rate=round(1000 * count / sc.words, 4) if sc.words else 0.0,
        sentence_share=round(len(body) / per_sentence, 4) if per_sentence else 0.0,
        prominence=round(prominence, 4),
        prominence_capped=round(sum(best.values(), 0.0), 4),
        density=round(prominence / per_sentence, 4) if per_sentence else 0.0,
        share_of_voice=round(prominence / totals.prominence, 4) if totals.prominence else 0.0,
        share_of_voice_count=round(count / totals.count, 4) if totals.count else 0.0,
        first_position=_first_position(found, per_sentence),
        frame_share=round(framed / len(sentences), 4) if sentences else 0.0,
        aliases=", ".join(sorted({m.alias for m in found})),
    )


#: The measures of an actor a snapshot does not name: what the formulae give for no mention.
_NOT_NAMED: dict[str, Any] = {
    "count": 0,
    "rate": 0.0,
    "sentence_share": 0.0,
    "prominence": 0.0,
    "prominence_capped": 0.0,
    "density": 0.0,
    "share_of_voice_count": 0.0,
    "first_position": None,
    "frame_share": 0.0,
    "aliases": "",
}


def _row(ctx: _RowContext, actor: Actor, change: Event, **measures: Any) -> ScoreRow:
    """A row: what names the snapshot and the actor, and ``measures``."""
    snap = ctx.score.snapshot
    return ScoreRow(
        series=snap.series,
        snapshot=snap.id,
        ref=ctx.ref,
        date=ctx.date,
        language=snap.language,
        lineage=ctx.lineage,
        actor=actor.key,
        actor_name=actor.name,
        kind=actor.kind,
        words=ctx.score.words,
        sentences=ctx.score.body_sentences,
        event=change,
        **measures,
    )


def _first_position(found: Sequence[Mention], body_sentences: int) -> float | None:
    """Where the actor is first named, 0 (title or lead) to just under 1; None if absent."""
    if not found:
        return None
    first = min(found, key=lambda m: m.sentence)
    if first.where in ("title", "lead"):
        return 0.0
    # a heading counts at the place of the body sentence after it; a heading after the
    # last sentence takes rank S + 1: clamp into [0, 1)
    rank = min(first.rank, body_sentences)
    return round((rank - 1) / max(body_sentences, 1), 4)


def _without_mentions(mentions: Iterable[Mention], seg: Segmented) -> dict[int, str]:
    """Each sentence that mentions someone, with its mentions blanked out, so an alias such
    as "international partners" does not count as the frame "partner"."""
    texts: dict[int, list[str]] = {}
    for m in mentions:
        sentence = seg.sentences[m.sentence]
        text = texts.setdefault(m.sentence, list(sentence.text))
        text[m.start - sentence.start : m.end - sentence.start] = " " * (m.end - m.start)
    return {index: "".join(text) for index, text in texts.items()}


def score_all(
    snapshots: Iterable[Snapshot],
    actors: ActorSet,
    *,
    weights: Weights | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[SnapshotScore]:
    """Score every snapshot (in the order given); ``progress(done, total)`` is called."""
    weights = weights or Weights()
    matcher = matcher_for(actors)
    items = list(snapshots)
    scores = []
    for done, snap in enumerate(items, start=1):
        scores.append(score_snapshot(snap, matcher, weights))
        if progress:
            progress(done, len(items))
    return scores


def actor_block(
    result: Comparison, actors: ActorSet, weights: Weights | None = None
) -> tuple[ActorChange, ...]:
    """The actor block of a comparison: counts and prominence before and after, the event
    (none between two lineages), and the sentences that show it."""
    sides = (result.a, result.a_segmented), (result.b, result.b_segmented)
    return actor_changes(sides, actors, weights, cross_source=result.cross_source)


def actor_changes(
    sides: tuple[tuple[Snapshot, Segmented], tuple[Snapshot, Segmented]],
    actors: ActorSet,
    weights: Weights | None = None,
    *,
    cross_source: bool,
) -> tuple[ActorChange, ...]:
    """:func:`actor_block` from the two snapshots and their segmentations alone: it needs
    nothing of the alignment (so it can be computed beside it)."""
    matcher, weights = matcher_for(actors), weights or Weights()
    (a, sa), (b, sb) = sides
    one = score_snapshot(a, matcher, weights, segmented=sa)
    two = score_snapshot(b, matcher, weights, segmented=sb)
    named: tuple[dict[str, list[Mention]], dict[str, list[Mention]]] = ({}, {})
    for side, sc in zip(named, (one, two), strict=True):  # one pass, not one per actor
        for m in sc.mentions:
            side.setdefault(m.actor, []).append(m)
    block = []
    for actor in actors.actors:
        found = [side.get(actor.key, []) for side in named]
        c1, c2 = len(found[0]), len(found[1])
        if not (c1 or c2):
            continue
        block.append(
            ActorChange(
                actor=actor.key,
                name=actor.name,
                kind=actor.kind,
                count_a=c1,
                count_b=c2,
                # an absent side sums to the integer 0, as the compare JSON has always shown
                prominence_a=round(sum(m.weight for m in found[0]), 4),
                prominence_b=round(sum(m.weight for m in found[1]), 4),
                event="" if cross_source else event(c1, c2),
                evidence_a=tuple(dict.fromkeys(m.context for m in found[0]))[:3],
                evidence_b=tuple(dict.fromkeys(m.context for m in found[1]))[:3],
            )
        )
    return tuple(block)
