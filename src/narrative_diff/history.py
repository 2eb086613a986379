"""Lifecycles across a series: when a phrase, an actor or a sentence was first and last
seen, and the form it took in every version between.

A phrase is found as kwic finds it (any case, any whitespace between words, either Chinese
script); an actor by its aliases (the actors file); a sentence by its descent
(:mod:`.ancestry`), back to where it was introduced and forward until it is deleted. Each
version lists the sentences that hold the subject, quoted, so that the evidence is one step
away.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .actors import ActorSet, matcher_for
from .ancestry import Chain, Version
from .kwic import phrase_pattern
from .segment import Segmented, segment
from .snapshot import Snapshot

Kind = Literal["phrase", "actor", "sentence"]


@dataclass(frozen=True)
class Sighting:
    """The subject in one version: how often, the forms it took as written, the sentences
    that hold it (each once); ``op`` for a sentence: what happened to it there."""

    version: Version
    count: int
    forms: tuple[str, ...]
    sentences: tuple[str, ...]
    op: str = ""

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {**self.version.as_dict(), "count": self.count}
        if self.op:
            out["op"] = self.op
        return {**out, "forms": list(self.forms), "sentences": list(self.sentences)}


@dataclass(frozen=True)
class Lifecycle:
    """``first`` and ``last`` version the subject was seen in (None: nowhere), whether the
    series' ``latest`` snapshot has it, and every version from the first on."""

    kind: Kind
    subject: str
    first: Version | None
    last: Version | None
    latest: Version
    versions: tuple[Sighting, ...]
    #: why the series' latest snapshot is not where the subject's chain ends, if it is not
    note: str = ""

    @property
    def in_latest(self) -> bool:
        return self.last is not None and self.last == self.latest

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "first": self.first.as_dict() if self.first else None,
            "last": self.last.as_dict() if self.last else None,
            "in_latest": self.in_latest,
            "latest": self.latest.as_dict(),
            "note": self.note,
            "versions": [v.as_dict() for v in self.versions],
        }


def _versions(snaps: Sequence[Snapshot], refs: Mapping[str, str]) -> list[Version]:
    return [Version(refs.get(s.id, s.id), s.date.isoformat(), s.id) for s in snaps]


def _sentences(seg: Segmented, spans: Sequence[tuple[int, int]]) -> tuple[str, ...]:
    """The sentences holding each span, each once, in order."""
    starts = [s.start for s in seg.sentences]
    found: dict[int, None] = {}
    for start, _ in spans:
        index = bisect.bisect_right(starts, start) - 1
        if index >= 0:
            found.setdefault(index)
    return tuple(seg.sentences[i].text for i in found)


def _lifecycle(
    kind: Kind, subject: str, versions: Sequence[Version], sightings: Sequence[Sighting]
) -> Lifecycle:
    seen = [s for s in sightings if s.count]
    first = seen[0].version if seen else None
    shown = tuple(
        s for s in sightings if first and versions.index(s.version) >= versions.index(first)
    )
    return Lifecycle(kind, subject, first, seen[-1].version if seen else None, versions[-1], shown)


def phrase_lifecycle(snaps: Sequence[Snapshot], refs: Mapping[str, str], phrase: str) -> Lifecycle:
    """A word or phrase across ``snaps`` (date order), found as kwic finds it."""
    pattern = phrase_pattern(phrase)
    versions = _versions(snaps, refs)
    sightings = []
    for snap, version in zip(snaps, versions, strict=True):
        spans = [m.span() for m in pattern.finditer(snap.body) if m.end() > m.start()]
        forms = tuple(dict.fromkeys(snap.body[a:b] for a, b in spans))
        sentences = _sentences(segment(snap.body, snap.language), spans) if spans else ()
        sightings.append(Sighting(version, len(spans), forms, sentences))
    return _lifecycle("phrase", " ".join(phrase.split()), versions, sightings)


def actor_lifecycle(
    snaps: Sequence[Snapshot], refs: Mapping[str, str], actors: ActorSet, key: str
) -> Lifecycle:
    """An actor's mentions across ``snaps`` (date order), by the aliases of ``actors``."""
    matcher = matcher_for(actors)
    actor = next(a for a in actors.actors if a.key == key)
    versions = _versions(snaps, refs)
    sightings = []
    for snap, version in zip(snaps, versions, strict=True):
        found = [m for m in matcher.find(snap.body) if m.actor == key]
        spans = [(m.start, m.end) for m in found]
        forms = tuple(dict.fromkeys(m.text for m in found))
        sentences = _sentences(segment(snap.body, snap.language), spans) if spans else ()
        sightings.append(Sighting(version, len(found), forms, sentences))
    return _lifecycle("actor", f"{actor.key} ({actor.name})", versions, sightings)


def sentence_lifecycle(chain: Chain, k: int, index: int, latest: Version) -> Lifecycle:
    """Sentence ``index`` of version ``k`` of ``chain`` (one lineage): back to where it was
    introduced, forward until it is deleted; ``latest``: the series' latest snapshot."""
    descent = chain.descent(k)[index]
    steps: dict[Version, str] = {step.version: step.op for step in descent.steps}
    if descent.returned is not None:
        steps[descent.introduced] = f"returned from {descent.returned.ref}"
    sightings = []
    for v, i in chain.trail(k, index):  # back to its introduction, as each version has it
        version, said = chain.versions[v], chain.segmented(v).sentences[i].text
        sightings.append(Sighting(version, 1, (said,), (said,), steps.get(version, "unchanged")))
    here = chain.versions[k]
    last = here
    for version, op, now in chain.forward(k, index):
        if op in ("deleted", "other-language"):  # the end of its chain
            sightings.append(Sighting(version, 0, (), (), op))
            break
        sightings.append(Sighting(version, 1, (now,), (now,), op))
        last = version
    subject = f"sentence {index} of {here.ref}"
    note = ""
    end = chain.versions[-1]
    if last == end and end != latest:
        note = f"its source's latest version is {end.ref}; {latest.ref} is from another source"
    return Lifecycle("sentence", subject, descent.introduced, last, latest, tuple(sightings), note)
