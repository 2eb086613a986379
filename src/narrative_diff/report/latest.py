"""What the newest snapshot changed: the first thing an editor reads on page 1.

An analyst who adds a snapshot wants to know, before anything about the whole series, what
that document did to the narrative: who it wrote out, who it named for the first time, and
which terms and phrases it replaced, each with the sentences that show it. This is the
comparison of the newest snapshot with the previous one of its lineage (never another
source's), read from the comparison the report already made for that pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from narrative_diff.compare import Comparison
from narrative_diff.render.compare_text import verdict
from narrative_diff.snapshot import Snapshot
from narrative_diff.text import languages_differ

#: Renamed terms and replaced phrases shown on page 1 (the pair's section has them all).
SWAPS = 3


@dataclass(frozen=True)
class Moved:
    """An actor written in or out: its mentions before and after, and a sentence that shows
    it (the last one naming it, or the first one naming it now)."""

    name: str
    before: int
    after: int
    quote: str


@dataclass(frozen=True)
class Swap:
    """A renamed term or a replaced phrase, with its sentence before and after."""

    kind: str  # "renamed" or "replaced"
    before: str
    after: str
    sentence_before: str
    sentence_after: str


@dataclass(frozen=True)
class LatestChange:
    """The newest snapshot against the previous one of its lineage."""

    a_ref: str
    b_ref: str
    a_date: str
    b_date: str
    verdict: str
    written_out: tuple[Moved, ...]
    written_in: tuple[Moved, ...]
    swaps: tuple[Swap, ...]

    @property
    def heading(self) -> str:
        return (
            f"What the latest snapshot changed: {self.b_ref} ({self.b_date}) against "
            f"{self.a_ref} ({self.a_date})"
        )

    def quotes(self, limit: int = 4) -> list[tuple[str, str, str]]:
        """(names, ref, sentence) for the actors written in or out: one sentence that
        names several of them is quoted once, with all their names."""
        grouped: dict[tuple[str, str], list[str]] = {}
        for moved in (*self.written_out, *self.written_in):
            if moved.quote:
                ref = self.a_ref if moved.after == 0 else self.b_ref
                grouped.setdefault((ref, moved.quote), []).append(moved.name)
        return [(", ".join(names), ref, quote) for (ref, quote), names in grouped.items()][:limit]

    def lines(self) -> list[str]:
        """The change in plain words, one line per kind, grouped (five partners written
        out are one line, as five arrivals are)."""
        out = []
        if self.written_out:
            out.append("No longer named: " + _names(self.written_out))
        if self.written_in:
            out.append(
                "Named for the first time against the previous one: " + _names(self.written_in)
            )
        for swap in self.swaps:
            out.append(f"{swap.kind.capitalize()}: “{swap.before}” → “{swap.after}”")
        if not out:
            out.append("No actor written in or out, and no term renamed or phrase replaced.")
        return out


def _names(moved: Sequence[Moved]) -> str:
    return ", ".join(f"{m.name} ({m.before} → {m.after})" for m in moved)


def _verdict(result: Comparison) -> str:
    """The pair's verdict, with a warning when the two are in different languages."""
    a, b = result.a.language or "?", result.b.language or "?"
    if not languages_differ(result.a.language, result.b.language):
        return verdict(result)
    return (
        f"Languages differ ({a} → {b}): the sentence counts compare a translation, not a "
        "rewrite; actors are compared by their names in each language, and no word "
        "changes are read as findings."
    )


def latest_change(
    snapshots: Sequence[Snapshot], consecutive: Sequence[Comparison]
) -> LatestChange | None:
    """The change the newest snapshot made; None when it has no earlier snapshot in its
    lineage (nothing to compare it with)."""
    if not snapshots:
        return None
    newest = snapshots[-1].id
    result = next((c for c in reversed(consecutive) if c.b.id == newest), None)
    if result is None:
        return None
    actors = result.summary.actors
    written_out = tuple(
        Moved(x.name, x.count_a, x.count_b, x.evidence_a[0] if x.evidence_a else "")
        for x in actors
        if x.count_a and not x.count_b
    )
    written_in = tuple(
        Moved(x.name, x.count_a, x.count_b, x.evidence_b[0] if x.evidence_b else "")
        for x in actors
        if x.count_b and not x.count_a
    )
    summary = result.summary
    swaps = [
        Swap("renamed", r.before, r.after, r.evidence.before, r.evidence.after)
        for r in summary.renames
    ] + [
        Swap("replaced", r.before, r.after, r.evidence.before, r.evidence.after)
        for r in summary.replaced_phrases
        if not r.minor
    ]
    return LatestChange(
        a_ref=result.a_ref,
        b_ref=result.b_ref,
        a_date=result.a.date.isoformat(),
        b_date=result.b.date.isoformat(),
        verdict=_verdict(result),
        written_out=written_out,
        written_in=written_in,
        swaps=tuple(swaps[:SWAPS]),
    )
