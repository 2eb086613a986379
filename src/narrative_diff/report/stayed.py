"""The report's "What stayed, what went": the series read as a whole.

Sentences are followed along one chain (:func:`narrative_diff.ancestry.chain_members`: one
source in one language; a translation starts no chain), and names across every snapshot of
that source (the actor scores hold every language). Four lists:

* the stable core: the latest version's sentences unchanged since the chain's first;
* the names no longer used: actors the source named before and not in its latest snapshot
  (any language), with the version they were last seen in and a sentence from it;
* the sentences dropped on the way, newest first, with the version they were last seen in
  (words written again since are not gone);
* the newest arrivals: the latest version's sentences introduced there (a return says so),
  and the actors named for the first time in the source's latest snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from narrative_diff.ancestry import Chain, Version, blame_lines, chain_members, folded
from narrative_diff.compare import Comparison
from narrative_diff.results import ScoreResult
from narrative_diff.snapshot import Snapshot

#: Dropped sentences listed at most (the newest drops first).
MOST_DROPPED = 10


@dataclass(frozen=True)
class Seen:
    """A name or a sentence with the version it was last (or first) seen in, quoted."""

    what: str
    version: Version
    quote: str


@dataclass(frozen=True)
class StayedWent:
    """The section's four lists (module docstring); ``chain``: the versions read, as
    ``v1 to v5``; ``note``: why they are not every snapshot, when they are not."""

    chain: str
    note: str
    core: tuple[str, ...]
    names_gone: tuple[Seen, ...]
    dropped: tuple[Seen, ...]
    more_dropped: int
    arrivals: tuple[Seen, ...]
    names_new: tuple[Seen, ...]
    first: Version
    latest: Version

    def groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The section as every renderer sets it: titled groups of (label, quoted text);
        an empty label: the quote alone; a text in brackets: a note, not a quote."""
        first, latest = self.first, self.latest
        out: list[tuple[str, list[tuple[str, str]]]] = []
        core = [("", _plain(text)) for text in self.core] or [
            ("", f"(none: every sentence of {latest.ref} was written or changed since)")
        ]
        out.append((f"Unchanged since {first.ref} ({first.date})", core))
        if self.names_gone:
            gone = [
                (f"{s.what}, last seen {s.version.ref} ({s.version.date})", s.quote)
                for s in self.names_gone
            ]
            out.append(("Names no longer used", gone))
        if self.dropped:
            items = [
                (f"last in {s.version.ref} ({s.version.date}), gone in {s.quote}", _plain(s.what))
                for s in self.dropped
            ]
            if self.more_dropped:
                items.append(("", f"({self.more_dropped} more: each pair's compare lists them)"))
            out.append(("Sentences dropped, newest first", items))
        if self.arrivals:
            title = f"New in {latest.ref} ({latest.date})"
            out.append((title, [(s.quote, _plain(s.what)) for s in self.arrivals]))
        if self.names_new:
            v = self.names_new[0].version
            title = f"Named for the first time in {v.ref} ({v.date})"
            out.append((title, [(s.what, s.quote) for s in self.names_new]))
        return out

    def texts(self) -> list[str]:
        """Every text the section prints (for the font check)."""
        seen = (*self.names_gone, *self.dropped, *self.arrivals, *self.names_new)
        said = [text for _, items in self.groups() for pair in items for text in pair]
        return [self.chain, self.note, *self.core, *said, *(s.what for s in seen)]


def _plain(sentence: str) -> str:
    """A sentence as quoted: a heading without its Markdown marker."""
    return re.sub(r"^#+\s+", "", sentence)


def chain_of(
    snaps: Sequence[Snapshot], refs: Mapping[str, str], compared: Sequence[Comparison]
) -> tuple[Chain, str]:
    """The chain the sentences are read along (:func:`~narrative_diff.ancestry.chain_members`)
    and a note when it leaves snapshots out."""
    members = chain_members(snaps)
    aligned = {
        (c.a.id, c.b.id): (c.a_segmented, c.b_segmented, c.alignment.sentences) for c in compared
    }
    chain = Chain(members, refs, aligned=aligned)
    left = [refs[s.id] for s in snaps if s.id not in {m.id for m in members}]
    note = ""
    if left and members:
        verb = "is" if len(left) == 1 else "are"
        language = members[-1].language or "unknown"
        note = (
            f"Sentences are followed from {refs[members[0].id]} to {refs[members[-1].id]}, the "
            f"versions of one source in one language ({language}); {', '.join(left)} "
            f"(another language or source) {verb} not part of that chain. Names are counted "
            "in every snapshot of that source, in any language."
        )
    return chain, note


def stayed_went(
    snaps: Sequence[Snapshot],
    refs: Mapping[str, str],
    result: ScoreResult,
    chain: Chain,
    note: str,
) -> StayedWent | None:
    """The section for a chain of two or more versions (None: nothing to follow);
    ``chain`` and ``note``: from :func:`chain_of`."""
    if len(chain.snapshots) < 2:
        return None
    k = len(chain.snapshots) - 1
    first, latest = chain.versions[0], chain.versions[k]
    lines = blame_lines(chain, k)
    core = tuple(
        line.sentence
        for line in lines
        if line.lineage.introduced == first and line.lineage.last_changed == first
    )
    kept = {folded(text) for text in core}
    arrivals = tuple(  # headings too, as in every list; a second copy of a kept one is not new
        Seen(
            line.sentence,
            latest,
            f"back from {line.lineage.returned.ref}" if line.lineage.returned else "",
        )
        for line in lines
        if line.lineage.introduced == latest and folded(line.sentence) not in kept
    )
    now = {folded(line.sentence) for line in lines}
    dropped: list[Seen] = []
    for later in range(k, 0, -1):  # newest drops first; words written again since are not gone
        for rel in chain.relations(later) if not chain.translated(later) else ():
            text = chain.text(later - 1, rel.a)
            if not rel.b and folded(text) not in now:
                dropped.append(Seen(text, chain.versions[later - 1], chain.versions[later].ref))
                now.add(folded(text))  # listed once, where it was last seen
    source = [s for s in snaps if s.lineage_key == chain.snapshots[0].lineage_key]
    names_gone, names_new = _names(source, refs, result)
    return StayedWent(
        chain=f"{first.ref} to {latest.ref}",
        note=note,
        core=core,
        names_gone=names_gone,
        dropped=tuple(dropped[:MOST_DROPPED]),
        more_dropped=max(0, len(dropped) - MOST_DROPPED),
        arrivals=arrivals,
        names_new=names_new,
        first=first,
        latest=latest,
    )


def _names(
    snaps: Sequence[Snapshot], refs: Mapping[str, str], result: ScoreResult
) -> tuple[tuple[Seen, ...], tuple[Seen, ...]]:
    """Actors named before and not in the latest of ``snaps`` (one source, any language;
    with where last seen), and actors named first in it (with where)."""
    versions = {s.id: Version(refs[s.id], s.date.isoformat(), s.id) for s in snaps}
    mentions: dict[tuple[str, str], str] = {}  # (actor, snapshot) → the first sentence
    for score in result.scores:
        for m in score.mentions:
            mentions.setdefault((m.actor, m.snapshot), m.context)
    names = {a.key: a.name for a in result.actors.actors}
    latest = snaps[-1].id
    gone, new = [], []
    for key, name in names.items():
        seen = [s.id for s in snaps if (key, s.id) in mentions]
        if not seen:
            continue
        if seen[-1] != latest:
            gone.append(Seen(name, versions[seen[-1]], mentions[(key, seen[-1])]))
        elif seen == [latest]:
            new.append(Seen(name, versions[latest], mentions[(key, latest)]))
    gone.sort(key=lambda s: (s.version.date, s.what))
    return tuple(gone), tuple(new)
