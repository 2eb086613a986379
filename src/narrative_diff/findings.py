"""Findings: what changed in a series, in plain words, each resting on quoted sentences.

Three kinds, from data computed elsewhere:

* **actor**: an actor's mentions over the series (scoring), with the event (APPEARED,
  DISAPPEARED) and the label of its change statistics (``changes``): *supported* when a
  consecutive pair passes both the exact test and the bootstrap, else *directional*;
* **rename**: a term consistently replaced by another (``shifts``), also looked for two
  snapshots apart, since a term may skip a snapshot that does not discuss it;
* **phrase**: a replaced phrase between consecutive snapshots; phrases that write an actor
  out (an actor named before, not after) rank higher.

Each lineage (``Snapshot.lineage_name``: one publisher's line of documents) is read on its
own: an actor's trajectory runs over the snapshots of one lineage, and only comparisons
within a lineage make findings; with several lineages, each actor finding names its lineage.

Strength, used only to rank (docs/methodology.md, "Findings"): for an actor, its largest
change in share of voice between consecutive snapshots, plus 0.25 for an event and 0.1 when
supported; for a rename 0.35 + 0.15 × consistency + 0.05 per extra occurrence (up to 3); for a
phrase 0.15, plus 0.3 when its sentence no longer names an actor. A generic bucket
("several countries") gets half weight; a gap in the middle of a series 0.1 instead of 0.25;
titles and headings are left out (another document's title is not a rename). Actors that
only appear, with at most two mentions, are grouped into one finding per snapshot, and so
are actors of at most two mentions that several at once stop being named (0.1 each, at
most 0.45).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .actors import Actor, ActorSet, matcher_for
from .changes import ChangeRow, change_rows
from .compare import Comparison
from .scoring import Mention, SnapshotScore, Weights
from .text import shorten

if TYPE_CHECKING:
    from .snapshot import Snapshot

#: Findings shown on the first page.
HEADLINES = 5


@dataclass(frozen=True)
class Quote:
    """A sentence a finding rests on, and where it is."""

    ref: str
    date: str
    text: str


FindingKind = Literal["actor", "appeared", "rename", "phrase"]
FindingLabel = Literal["supported", "directional", "cross-language", "candidate", "lexical"]


@dataclass(frozen=True)
class Finding:
    """One finding: a headline, how far it is borne out, and the sentences it rests on."""

    kind: FindingKind
    headline: str
    detail: str
    label: FindingLabel
    strength: float
    quotes: tuple[Quote, ...]


def find(
    scores: Sequence[SnapshotScore],
    changes: Sequence[ChangeRow],
    consecutive: Sequence[Comparison],
    skipping: Sequence[Comparison],
    actors: ActorSet,
    refs: Mapping[str, str],
) -> tuple[Finding, ...]:
    """Every finding, strongest first (ties in date order). ``changes`` are change rows
    (those of consecutive pairs are used); ``consecutive`` compares each snapshot with the
    one before it, ``skipping`` with the one two before (for renames only)."""
    lines: dict[str, list[SnapshotScore]] = {}
    for sc in scores:
        lines.setdefault(sc.snapshot.lineage_key, []).append(sc)
    within = [c for c in consecutive if c.a.lineage_key == c.b.lineage_key]
    found: list[Finding] = []
    for members in lines.values():
        name = (members[0].snapshot.lineage_name or "no lineage") if len(lines) > 1 else ""
        series = _Series(tuple(members), tuple(within), actors, refs, name)
        found += _actor_findings(series, changes)
    found += _rename_findings(
        [c for c in [*consecutive, *skipping] if c.a.lineage_key == c.b.lineage_key]
    )
    found += _phrase_findings(within, actors)
    order = {f: i for i, f in enumerate(found)}
    return tuple(sorted(found, key=lambda f: (-round(f.strength, 6), order[f])))


def _month(date: str) -> str:
    return date[:7]


@dataclass
class _Series:
    """The scored series the actor findings read, with the extra change rows they compute
    (spans that are not consecutive pairs), each computed once."""

    scores: tuple[SnapshotScore, ...]
    comparisons: tuple[Comparison, ...]
    actors: ActorSet
    refs: Mapping[str, str]
    lineage: str = ""  # named in headlines when the series has several
    spans: dict[tuple[int, int], list[ChangeRow]] = field(default_factory=dict)
    _counted: list[Counter[str]] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [sc.snapshot.id for sc in self.scores]

    def counts(self, key: str) -> list[int]:
        """The actor's mentions in each snapshot (counted once for every actor: a pass
        over every mention per actor was actors × mentions)."""
        if not self._counted:
            self._counted = [Counter(m.actor for m in sc.mentions) for sc in self.scores]
        return [counted[key] for counted in self._counted]

    def silent(self) -> set[str]:
        """Snapshots that name no actor at all: they have no share of voice to swing."""
        return {sc.snapshot.id for sc in self.scores if not sc.mentions}

    def span_row(self, key: str, counts: Sequence[int]) -> ChangeRow:
        """The change row of the span a lasting event spans: for a disappearance, from the
        peak before it to the first snapshot of the final absence; for an appearance, from
        the last absence to the peak after it (these pairs need not be consecutive)."""
        if counts[-1] == 0:
            j = len(counts) - 1
            while counts[j - 1] == 0:
                j -= 1
            i = max(range(j), key=lambda k: (counts[k], k))
        else:
            i = max(k for k, c in enumerate(counts) if c == 0 and not any(counts[: k + 1]))
            j = max(range(i + 1, len(counts)), key=lambda k: (counts[k], -k))
        if (i, j) not in self.spans:
            self.spans[(i, j)] = change_rows(self.scores[i], self.scores[j], self.actors, Weights())
        return next(r for r in self.spans[(i, j)] if r.actor == key)


def _actor_findings(series: _Series, changes: Sequence[ChangeRow]) -> list[Finding]:
    """A finding per actor whose change is supported or has an event; actors that only
    appear, with one or two mentions, grouped by the snapshot where they appear."""
    consecutive = set(itertools.pairwise(series.ids))
    by_actor: dict[str, list[ChangeRow]] = {}  # one pass: 10,000 actors × their rows
    for r in changes:
        if (r.from_id, r.to_id) in consecutive:
            by_actor.setdefault(r.actor, []).append(r)
    out: list[Finding] = []
    newcomers: dict[str, list[str]] = {}
    # the same for actors of one or two mentions that go, when several go at once
    leavers: dict[str, list[tuple[Actor, list[ChangeRow], list[int]]]] = {}
    for actor in series.actors.actors:
        mine = by_actor.get(actor.key, [])
        counts = series.counts(actor.key)
        if not any(counts) or not mine:
            continue
        events = [r.event for r in mine]
        if not (any(r.label == "supported" for r in mine) or any(events)):
            continue
        # newly named (after the lineage's first snapshot) and kept: grouped; an actor
        # that drops out or returns after an absence gets its own finding
        kept = "DISAPPEARED" not in events and "ABSENT" not in events
        if kept and max(counts) <= 2 and "APPEARED" in events and not counts[0]:
            first = next(i for i, c in enumerate(counts) if c)
            newcomers.setdefault(series.ids[first], []).append(actor.name)
            continue
        if max(counts) <= 2 and counts[-1] == 0 and "DISAPPEARED" in events:
            gone = len(counts) - next(i for i, c in enumerate(reversed(counts)) if c)
            leavers.setdefault(series.ids[gone], []).append((actor, mine, counts))
            continue
        out.append(_actor_finding(series, actor, mine, counts))
    out += [_newcomers(series, snap_id, names) for snap_id, names in newcomers.items()]
    for snap_id, group in leavers.items():  # one alone keeps its own trajectory
        if len(group) == 1:
            out.append(_actor_finding(series, *group[0]))
        else:
            out.append(_leavers(series, snap_id, [actor.name for actor, _, _ in group]))
    return out


def _actor_finding(
    series: _Series, actor: Actor, mine: list[ChangeRow], counts: list[int]
) -> Finding:
    """One actor's trajectory, labelled by its best-supported change."""
    events = [r.event for r in mine]
    silent = series.silent()
    swing = max(
        (
            abs(r.share_of_voice_change)
            for r in mine
            if r.from_id not in silent and r.to_id not in silent
        ),
        default=0.0,
    )
    lasting = (counts[-1] == 0 and "DISAPPEARED" in events) or (
        counts[0] == 0 and "APPEARED" in events and "DISAPPEARED" not in events
    )
    if lasting:  # also test the span the headline describes: peak → gone, or none → peak
        mine = [*mine, series.span_row(actor.key, counts)]
    supported = [r for r in mine if r.label == "supported"]
    quotes = _actor_quotes(actor.key, counts, series, supported)
    label, detail = _actor_label(mine, supported, series.refs)
    strength = swing + (0.25 if lasting else 0.1 if any(events) else 0)
    strength += 0.1 if supported else 0
    return Finding(
        kind="actor",
        headline=f"{actor.name}{_in(series)}: " + _trajectory(counts, series.scores, series.refs),
        detail=detail,
        label=label,
        # a generic bucket ("partners", "several countries") is lexical: half weight
        strength=strength * (0.5 if actor.kind == "generic" else 1.0),
        quotes=quotes,
    )


def _newcomers(series: _Series, snap_id: str, names: list[str]) -> Finding:
    """Actors first named in one snapshot, one or two mentions each: one grouped finding."""
    sc = next(sc for sc in series.scores if sc.snapshot.id == snap_id)
    shown, keys = _group(series, names)
    mentions = [m for m in sc.mentions if m.actor in keys]
    ref, date = series.refs[snap_id], sc.snapshot.date.isoformat()
    return Finding(
        kind="appeared",
        headline=f"{len(names)} actor{'s' if len(names) > 1 else ''} named for the first "
        f"time{_in(series)} in {_month(date)} ({ref}): {shown}",
        detail="directional: one or two mentions each, too few for a test",
        label="directional",
        strength=min(0.3, 0.05 * len(names)),
        quotes=(Quote(ref, date, mentions[0].context),) if mentions else (),
    )


def _leavers(series: _Series, snap_id: str, names: list[str]) -> Finding:
    """Actors of one or two mentions no longer named from one snapshot on: one grouped
    finding (five partners dropped at once are one change, as five arrivals are), quoting
    the last sentence that named one of them."""
    index = series.ids.index(snap_id)
    before = series.scores[index - 1]
    shown, keys = _group(series, names)
    mentions = [m for m in before.mentions if m.actor in keys]
    ref, date = series.refs[snap_id], series.scores[index].snapshot.date.isoformat()
    was = before.snapshot
    return Finding(
        kind="actor",
        headline=f"{len(names)} actor{'s' if len(names) > 1 else ''} no longer named"
        f"{_in(series)} from {_month(date)} ({ref}) on: {shown}",
        detail="directional: one or two mentions each before, too few for a test",
        label="directional",
        strength=min(0.45, 0.1 * len(names)),
        quotes=(Quote(series.refs[was.id], was.date.isoformat(), mentions[-1].context),)
        if mentions
        else (),
    )


def _group(series: _Series, names: list[str]) -> tuple[str, set[str]]:
    """A grouped finding's names as its headline lists them (eight, then how many more)
    and the actors' keys."""
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return shown, {a.key for a in series.actors.actors if a.name in names}


def _in(series: _Series) -> str:
    """ " (in CNSA)" when the series has several lineages, else ""."""
    return f" (in {series.lineage})" if series.lineage else ""


def _trajectory(counts: list[int], scores: Sequence[SnapshotScore], refs: Mapping[str, str]) -> str:
    """ "10 mentions in 2021-06 (v1), 2 in 2022-01 (v2), absent from 2023-05 (v3) on"."""
    parts = []
    i, n = 0, len(counts)
    while i < n:
        snap = scores[i].snapshot
        where = f"{_month(snap.date.isoformat())} ({refs[snap.id]})"
        if counts[i] == 0:
            j = i
            while j + 1 < n and counts[j + 1] == 0:
                j += 1
            if j == n - 1 and i > 0:
                parts.append(f"absent from {where} on (DISAPPEARED)")
            else:
                parts.append(
                    f"absent in {where}"
                    if i == j
                    else f"absent {where} to "
                    f"{_month(scores[j].snapshot.date.isoformat())} "
                    f"({refs[scores[j].snapshot.id]})"
                )
            i = j + 1
            continue
        unit = " mention" + ("s" if counts[i] != 1 else "") if not parts else ""
        parts.append(f"{counts[i]}{unit} in {where}")
        i += 1
    if len(parts) > 7:  # long series: the first three, the last three
        parts = [*parts[:3], "…", *parts[-3:]]
    return ", ".join(parts)


def _p(value: float | None) -> str:
    return f"{value or 0.0:.2g}"


def _p_of(row: ChangeRow) -> float:
    """A row's p-value for ranking (rows without one are never ranked)."""
    return row.p_value if row.p_value is not None else 1.0


def _actor_label(
    rows: Sequence[ChangeRow], supported: Sequence[ChangeRow], refs: Mapping[str, str]
) -> tuple[FindingLabel, str]:
    def span(r: ChangeRow) -> str:
        return f"{refs[r.from_id]} → {refs[r.to_id]} ({r.count_from} → {r.count_to} mentions)"

    if supported:
        best = min(supported, key=_p_of)
        return "supported", (
            f"supported: {span(best)} passes the exact test (p = {_p(best.p_value)}) "
            "and the sentence bootstrap"
        )
    tested = [r for r in rows if r.p_value is not None and r.label != "cross-language"]
    if not tested:
        return "cross-language", "no test: the change is across languages"
    best = min(tested, key=_p_of)
    return "directional", (
        f"directional: too few mentions to rule out chance (best: {span(best)}, "
        f"p = {_p(best.p_value)})"
    )


def _actor_quotes(
    key: str,
    counts: Sequence[int],  # the actor's mentions per snapshot
    series: _Series,
    supported: Sequence[ChangeRow] = (),
) -> tuple[Quote, ...]:
    """The most prominent mention in running text, and, where the actor drops out, a
    sentence that named it and what that sentence became (else the last one that named it).
    A supported change without an event is shown by a mention on each side of its pair."""
    refs = series.refs
    mentions = [m for sc in series.scores for m in sc.mentions if m.actor == key]
    if supported and all(counts):
        return _pair_quotes(min(supported, key=_p_of), mentions, refs)
    prose = [m for m in mentions if m.where in ("lead", "body")] or mentions
    top = max(prose, key=lambda m: m.weight)
    quotes = [Quote(refs[top.snapshot], top.date, _plain(top.context))]
    scores = series.scores
    for i in range(1, len(scores)):
        if counts[i - 1] and not counts[i]:  # dropped out
            quotes += _dropped_quotes(scores[i - 1].snapshot, scores[i].snapshot, mentions, series)
            break
    return tuple(dict.fromkeys(quotes))[:3]


def _pair_quotes(
    best: ChangeRow, mentions: Sequence[Mention], refs: Mapping[str, str]
) -> tuple[Quote, ...]:
    """The most prominent mention on each side of a supported change."""
    quotes = []
    for side in (best.from_id, best.to_id):
        here = [m for m in mentions if m.snapshot == side]
        top = max([m for m in here if m.where in ("lead", "body")] or here, key=lambda m: m.weight)
        quotes.append(Quote(refs[side], top.date, _plain(top.context)))
    return tuple(dict.fromkeys(quotes))


def _dropped_quotes(
    before: Snapshot, after: Snapshot, mentions: Sequence[Mention], series: _Series
) -> list[Quote]:
    """A sentence that named the actor in ``before`` and what it became in ``after``; or,
    when none was rewritten, the last sentence that named it."""
    refs = series.refs
    named = [m for m in mentions if m.snapshot == before.id]
    for m in named:
        became = _rewritten(m.sentence, before.id, after.id, series.comparisons)
        if became:
            return [
                Quote(refs[before.id], m.date, _plain(m.context)),
                Quote(refs[after.id], after.date.isoformat(), _plain(became)),
            ]
    return [Quote(refs[before.id], named[-1].date, _plain(named[-1].context))]


def _plain(sentence: str) -> str:
    """A sentence as quoted: without Markdown heading marks."""
    return sentence.lstrip("#").strip()


def _heading(sentence: str) -> bool:
    return sentence.lstrip().startswith("#")


def _rewritten(index: int, a_id: str, b_id: str, comparisons: Sequence[Comparison]) -> str | None:
    """The sentence of ``b`` aligned with sentence ``index`` of ``a``, if it was edited."""
    for result in comparisons:
        if (result.a.id, result.b.id) != (a_id, b_id):
            continue
        for seg in result.segments:
            if index in seg.a_index and seg.b_text and seg.op != "unchanged":
                return seg.b_text
    return None


def _rename_findings(comparisons: Sequence[Comparison]) -> list[Finding]:
    out, seen = [], set()
    for result in comparisons:
        for r in result.summary.renames:
            if (r.before, r.after) in seen or _heading(r.evidence.before):
                continue  # a changed title is a different document's title, not a rename
            seen.add((r.before, r.after))
            a, b = result.a, result.b
            out.append(
                Finding(
                    kind="rename",
                    headline=f"“{r.before}” renamed “{r.after}” ({_month(a.date.isoformat())} → "
                    f"{_month(b.date.isoformat())}, {result.a_ref} → {result.b_ref})",
                    detail=f"candidate rename: {r.count}× in aligned sentences; consistency "
                    f"{r.consistency:.2f} (1 = the old term is gone from the later text and "
                    "the new one was not in the earlier)",
                    label="candidate",
                    strength=0.35 + 0.15 * r.consistency + 0.05 * (min(r.count, 3) - 1),
                    quotes=(
                        Quote(result.a_ref, a.date.isoformat(), _plain(r.evidence.before)),
                        Quote(result.b_ref, b.date.isoformat(), _plain(r.evidence.after)),
                    ),
                )
            )
    return out


def _phrase_findings(comparisons: Sequence[Comparison], actors: ActorSet) -> list[Finding]:
    matcher = matcher_for(actors)
    names = {a.key: a.name for a in actors.actors if a.kind != "generic"}
    renamed = {(r.before, r.after) for c in comparisons for r in c.summary.renames}
    out = []
    for result in comparisons:
        a, b = result.a, result.b
        for r in result.summary.replaced_phrases:
            if r.minor or (r.before, r.after) in renamed or _heading(r.evidence.before):
                continue  # a function-word swap ("in" → "on") is no finding
            # the actors the sentence no longer names
            gone = {m.actor for m in matcher.find(r.evidence.before)} - {
                m.actor for m in matcher.find(r.evidence.after)
            }
            written_out = sorted(names[k] for k in gone if k in names)
            before, after = r.before.split(), r.after.split()
            if (
                len(before) > len(r.evidence.before.split()) - 2
                or len(after) > len(r.evidence.after.split()) - 2
            ):
                continue  # the whole sentence changed: a new sentence, not a replaced phrase
            shared = {m.actor for m in matcher.find(r.evidence.before)} & {
                m.actor for m in matcher.find(r.evidence.after)
            }
            framing = len(before) == len(after) == 1 and any(k in names for k in shared)
            if not written_out and len(before) < 2 and len(after) < 2 and not framing:
                continue  # one word for another, about nobody: a rename candidate at most
            detail = "lexical: a replaced phrase in aligned sentences"
            if written_out:
                detail += f"; the sentence no longer names {', '.join(written_out)}"
            elif framing:
                detail += "; the same actor, described differently"
            out.append(
                Finding(
                    kind="phrase",
                    headline=f"“{shorten(r.before)}” replaced by “{shorten(r.after)}” "
                    f"({_month(a.date.isoformat())} → {_month(b.date.isoformat())}, "
                    f"{result.a_ref} → {result.b_ref})",
                    detail=detail,
                    label="lexical",
                    strength=0.15 + (0.3 if written_out else 0.05 if framing else 0.0),
                    quotes=(
                        Quote(result.a_ref, a.date.isoformat(), _plain(r.evidence.before)),
                        Quote(result.b_ref, b.date.isoformat(), _plain(r.evidence.after)),
                    ),
                )
            )
    return out
