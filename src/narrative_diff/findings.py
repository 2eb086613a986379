"""Findings: what changed in a series, in plain words, each resting on quoted sentences.

Three kinds, from data computed elsewhere:

* **actor**: an actor's mentions over the series (scoring), with the event (APPEARED,
  DISAPPEARED) and the label of its change statistics (``changes``): *supported* when a
  consecutive pair passes both the exact test and the bootstrap, else *directional*;
* **rename**: a term consistently replaced by another (``shifts``), also looked for two
  snapshots apart, since a term may skip a snapshot that does not discuss it;
* **phrase**: a replaced phrase between consecutive snapshots; phrases that write an actor
  out (an actor named before, not after) rank higher.

Strength, used only to rank (docs/methodology.md, "Findings"): for an actor, its largest
change in share of voice between consecutive snapshots, plus 0.25 for an event and 0.1 when
supported; for a rename 0.35 + 0.15 × consistency + 0.05 per extra occurrence (up to 3); for a
phrase 0.15, plus 0.3 when its sentence no longer names an actor. A generic bucket
("several countries") gets half weight; a gap in the middle of a series 0.1 instead of 0.25;
titles and headings are left out (another document's title is not a rename). Actors that
only appear, with at most two mentions, are grouped into one finding per snapshot.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .actors import ActorSet, matcher_for
from .changes import change_rows
from .compare import Comparison
from .scoring import SnapshotScore, Weights
from .text import shorten

#: Findings shown on the first page.
HEADLINES = 5


@dataclass(frozen=True)
class Quote:
    """A sentence a finding rests on, and where it is."""

    ref: str
    date: str
    text: str


@dataclass(frozen=True)
class Finding:
    kind: str  # "actor", "appeared", "rename" or "phrase"
    headline: str
    detail: str
    label: str  # "supported", "directional", "cross-language", "candidate" or "lexical"
    strength: float
    quotes: tuple[Quote, ...]


def find(
    scores: Sequence[SnapshotScore],
    changes: Sequence[Mapping[str, Any]],
    consecutive: Sequence[Comparison],
    skipping: Sequence[Comparison],
    actors: ActorSet,
    refs: Mapping[str, str],
) -> tuple[Finding, ...]:
    """Every finding, strongest first (ties in date order). ``changes`` are change rows
    (those of consecutive pairs are used); ``consecutive`` compares each snapshot with the
    one before it, ``skipping`` with the one two before (for renames only)."""
    found = _actor_findings(scores, changes, consecutive, actors, refs)
    found += _rename_findings([*consecutive, *skipping])
    found += _phrase_findings(consecutive, actors)
    order = {f: i for i, f in enumerate(found)}
    return tuple(sorted(found, key=lambda f: (-round(f.strength, 6), order[f])))


def _month(date: str) -> str:
    return date[:7]


def _actor_findings(
    scores: Sequence[SnapshotScore],
    changes: Sequence[Mapping[str, Any]],
    comparisons: Sequence[Comparison],
    actors: ActorSet,
    refs: Mapping[str, str],
) -> list[Finding]:
    ids = [sc.snapshot.id for sc in scores]
    consecutive = {(a, b) for a, b in itertools.pairwise(ids)}
    rows = [r for r in changes if (r["from"], r["to"]) in consecutive]
    silent = {sc.snapshot.id for sc in scores if not sc.mentions}  # no actor named at all
    spans: dict[tuple[int, int], list[dict[str, Any]]] = {}
    out: list[Finding] = []
    newcomers: dict[str, list[str]] = {}
    for actor in actors.actors:
        mine = [r for r in rows if r["actor"] == actor.key]
        counts = [sum(1 for m in sc.mentions if m.actor == actor.key) for sc in scores]
        if not any(counts) or not mine:
            continue
        events = [r["event"] for r in mine]
        # a snapshot that names nobody has no share of voice: it cannot make a swing
        swing = max(
            (
                abs(float(r["share_of_voice_change"] or 0.0))
                for r in mine
                if r["from"] not in silent and r["to"] not in silent
            ),
            default=0.0,
        )
        if not (any(r["label"] == "supported" for r in mine) or any(events)):
            continue
        if "DISAPPEARED" not in events and max(counts) <= 2 and "APPEARED" in events:
            at = ids[next(i for i, c in enumerate(counts) if c)]  # first appearance
            newcomers.setdefault(at, []).append(actor.name)
            continue
        lasting = (counts[-1] == 0 and "DISAPPEARED" in events) or (
            counts[0] == 0 and "APPEARED" in events and "DISAPPEARED" not in events
        )
        if lasting:  # also test the span the headline describes: peak → gone, or none → peak
            mine = [*mine, _span_row(actor.key, counts, scores, actors, spans)]
        supported = [r for r in mine if r["label"] == "supported"]
        quotes = _actor_quotes(actor.key, counts, scores, comparisons, refs, supported)
        label, detail = _actor_label(mine, supported, refs)
        strength = swing + (0.25 if lasting else 0.1 if any(events) else 0)
        strength += 0.1 if supported else 0
        out.append(
            Finding(
                kind="actor",
                headline=f"{actor.name}: " + _trajectory(counts, scores, refs),
                detail=detail,
                label=label,
                # a generic bucket ("partners", "several countries") is lexical: half weight
                strength=strength * (0.5 if actor.kind == "generic" else 1.0),
                quotes=quotes,
            )
        )
    by_id = {sc.snapshot.id: sc for sc in scores}
    for snap_id, names in newcomers.items():
        sc = by_id[snap_id]
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        mentions = [
            m
            for m in sc.mentions
            if any(m.actor == a.key for a in actors.actors if a.name in names)
        ]
        quote = (
            (Quote(refs[snap_id], sc.snapshot.date.isoformat(), mentions[0].context),)
            if mentions
            else ()
        )
        out.append(
            Finding(
                kind="appeared",
                headline=f"{len(names)} actor{'s' if len(names) > 1 else ''} named for the first "
                f"time in {_month(sc.snapshot.date.isoformat())} ({refs[snap_id]}): {shown}",
                detail="directional: one or two mentions each, too few for a test",
                label="directional",
                strength=min(0.3, 0.05 * len(names)),
                quotes=quote,
            )
        )
    return out


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


def _span_row(
    key: str,
    counts: Sequence[int],
    scores: Sequence[SnapshotScore],
    actors: ActorSet,
    cache: dict[tuple[int, int], list[dict[str, Any]]],
) -> dict[str, Any]:
    """The change row of the span a lasting event spans: for a disappearance, from the
    peak before it to the first snapshot of the final absence; for an appearance, from the
    last absence to the peak after it (these pairs need not be consecutive)."""
    if counts[-1] == 0:
        j = len(counts) - 1
        while counts[j - 1] == 0:
            j -= 1
        i = max(range(j), key=lambda k: (counts[k], k))
    else:
        i = max(k for k, c in enumerate(counts) if c == 0 and not any(counts[: k + 1]))
        j = max(range(i + 1, len(counts)), key=lambda k: (counts[k], -k))
    if (i, j) not in cache:
        cache[(i, j)] = change_rows(scores[i], scores[j], actors, Weights())
    return next(r for r in cache[(i, j)] if r["actor"] == key)


def _p(value: Any) -> str:
    return f"{float(value):.2g}"


def _actor_label(
    rows: Sequence[Mapping[str, Any]],
    supported: Sequence[Mapping[str, Any]],
    refs: Mapping[str, str],
) -> tuple[str, str]:
    def span(r: Mapping[str, Any]) -> str:
        return f"{refs[r['from']]} → {refs[r['to']]} ({r['count_from']} → {r['count_to']} mentions)"

    if supported:
        best = min(supported, key=lambda r: float(r["p_value"]))
        return "supported", (
            f"supported: {span(best)} passes the exact test (p = {_p(best['p_value'])}) "
            "and the sentence bootstrap"
        )
    tested = [r for r in rows if r["p_value"] is not None and r["label"] != "cross-language"]
    if not tested:
        return "cross-language", "no test: the change is across languages"
    best = min(tested, key=lambda r: float(r["p_value"]))
    return "directional", (
        f"directional: too few mentions to rule out chance (best: {span(best)}, "
        f"p = {_p(best['p_value'])})"
    )


def _actor_quotes(
    key: str,
    counts: Sequence[int],  # the actor's mentions per snapshot
    scores: Sequence[SnapshotScore],
    comparisons: Sequence[Comparison],
    refs: Mapping[str, str],
    supported: Sequence[Mapping[str, Any]] = (),
) -> tuple[Quote, ...]:
    """The most prominent mention in running text, and, where the actor drops out, a
    sentence that named it and what that sentence became (else the last one that named it).
    A supported change without an event is shown by a mention on each side of its pair."""
    quotes: list[Quote] = []
    mentions = [m for sc in scores for m in sc.mentions if m.actor == key]
    if supported and all(counts):
        best = min(supported, key=lambda r: float(r["p_value"]))
        for side in (best["from"], best["to"]):
            here = [m for m in mentions if m.snapshot == side]
            top = max(
                [m for m in here if m.where in ("lead", "body")] or here, key=lambda m: m.weight
            )
            quotes.append(Quote(refs[side], top.date, _plain(top.context)))
        return tuple(dict.fromkeys(quotes))
    prose = [m for m in mentions if m.where in ("lead", "body")] or mentions
    top = max(prose, key=lambda m: m.weight)
    quotes.append(Quote(refs[top.snapshot], top.date, _plain(top.context)))
    for i in range(1, len(scores)):
        before, after = scores[i - 1].snapshot, scores[i].snapshot
        if counts[i - 1] and not counts[i]:  # dropped out
            named = [m for m in mentions if m.snapshot == before.id]
            for m in named:
                became = _rewritten(m.sentence, before.id, after.id, comparisons)
                if became:
                    quotes.append(Quote(refs[before.id], m.date, _plain(m.context)))
                    quotes.append(Quote(refs[after.id], after.date.isoformat(), _plain(became)))
                    break
            else:
                quotes.append(Quote(refs[before.id], named[-1].date, _plain(named[-1].context)))
            break
    return tuple(dict.fromkeys(quotes))[:3]


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
            a_ix = seg.a_index if isinstance(seg.a_index, tuple) else (seg.a_index,)
            if index in a_ix and seg.b_text and seg.op != "unchanged":
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
            if (r.before, r.after) in renamed or _heading(r.evidence.before):
                continue
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
