"""Where each sentence of a snapshot comes from: the alignment chain of a lineage, read the
way ``git blame -w -M`` reads a file's commits.

Each snapshot of a lineage is aligned with the one before it (:func:`~.align.align`: moved,
split and merged sentences are paired, edits above the similarity threshold too). A
sentence's *ancestor* is the sentence (or sentences, for a merge) it is paired with one
version back; following ancestors back gives the version where it was *introduced* (it had
no ancestor there), and the versions where its text *changed* on the way.

What counts as a change: the text, compared after folding case, whitespace and the two
Chinese scripts (an edit of case or script only is not one, as kwic finds both forms). A
move is recorded in the history but changes nothing. A split sentence descends from the
sentence it was cut from; a merged one from the earliest introduced of its parts.

What breaks a chain: a version in another language (a translation is not an edit: its
sentences are introduced there). A sentence paired with nothing one version back is
introduced there, even if the same words stood in an older version and were deleted in
between: that is a *return*, noted with the version it was last seen in. A rewrite below the pairing
threshold (:data:`~.align.PAIR_FLOOR` for a sentence between unchanged neighbours, else
the compare threshold) is a deletion and an introduction, as it is in ``compare``.

The alignments are made once per consecutive pair (:class:`Chain`); ``blame`` and
``history`` read the same chain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from .align import DEFAULT_THRESHOLD, align
from .relations import Relation
from .segment import Segmented, segment
from .snapshot import Snapshot
from .text import fold_script, languages_differ

StepOp: TypeAlias = Literal["introduced", "returned", "edited", "moved", "split", "merged"]


@dataclass(frozen=True)
class Version:
    """A snapshot as the series names it: its ref (v3), date and id."""

    ref: str
    date: str
    id: str

    def as_dict(self) -> dict[str, str]:
        return {"ref": self.ref, "date": self.date, "id": self.id}


@dataclass(frozen=True)
class Step:
    """One version in a sentence's life where something happened to it."""

    version: Version
    op: StepOp
    text: str

    def as_dict(self) -> dict[str, str]:
        return {**self.version.as_dict(), "op": self.op, "text": self.text}


@dataclass(frozen=True)
class Lineage:
    """A sentence's descent: where it was introduced, where its text last changed, and
    every step between (introduction first); ``returned``: for words that came back, the
    version they were last seen in before."""

    introduced: Version
    last_changed: Version
    steps: tuple[Step, ...]
    returned: Version | None = None


@dataclass(frozen=True)
class BlameLine:
    """A sentence of the blamed snapshot with its descent."""

    index: int  # the sentence number kwic shows (0: the title)
    where: str  # title, heading or paragraph
    sentence: str
    lineage: Lineage

    def as_dict(self) -> dict[str, object]:
        """The JSON row: ``{sentence, introduced, last_changed, history}`` and more."""
        return {
            "index": self.index,
            "where": self.where,
            "sentence": self.sentence,
            "introduced": self.lineage.introduced.as_dict(),
            "last_changed": self.lineage.last_changed.as_dict(),
            "returned_from": self.lineage.returned.as_dict() if self.lineage.returned else None,
            "history": [step.as_dict() for step in self.lineage.steps],
        }


def folded(text: str) -> str:
    """A sentence's text for telling a change from a restyling: case, runs of whitespace
    and the Chinese scripts folded."""
    return fold_script(" ".join(text.split()).casefold())


class Chain:
    """The snapshots of one lineage in date order, each segmented and aligned with the one
    before it, once; sentences are followed back (:meth:`descent`) or forward
    (:meth:`forward`) along the same alignments."""

    def __init__(
        self,
        snapshots: Sequence[Snapshot],
        refs: Mapping[str, str],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        aligned: Mapping[tuple[str, str], tuple[Segmented, Segmented, tuple[Relation, ...]]]
        | None = None,
    ) -> None:
        """``aligned``: alignments made already (by ``compare``, with the same threshold),
        by (earlier id, later id), with both sides' segmentations: not made again."""
        self.snapshots = tuple(snapshots)
        self.versions = tuple(
            Version(refs.get(s.id, s.id), s.date.isoformat(), s.id) for s in self.snapshots
        )
        self.threshold = threshold
        self._segmented: dict[int, Segmented] = {}
        self._relations: dict[int, tuple[Relation, ...]] = {}
        ids = [s.id for s in self.snapshots]
        for (a, b), (seg_a, seg_b, relations) in (aligned or {}).items():
            if a in ids and b in ids and ids.index(b) == ids.index(a) + 1:
                k = ids.index(b)
                self._segmented.setdefault(k - 1, seg_a)
                self._segmented.setdefault(k, seg_b)
                self._relations[k] = relations
        self._parents: dict[int, dict[int, Relation]] = {}
        self._children: dict[int, dict[int, Relation]] = {}
        self._lines: list[list[Lineage]] = []  # the descent of versions 0, 1, …
        self._last_seen: dict[str, int] = {}  # folded text → the last version it stood in

    def segmented(self, k: int) -> Segmented:
        if k not in self._segmented:
            snap = self.snapshots[k]
            self._segmented[k] = segment(snap.body, snap.language)
        return self._segmented[k]

    def relations(self, k: int) -> tuple[Relation, ...]:
        """The sentence relations from version ``k - 1`` to version ``k``."""
        if k not in self._relations:
            alignment = align(self.segmented(k - 1), self.segmented(k), threshold=self.threshold)
            self._relations[k] = alignment.sentences
        return self._relations[k]

    def translated(self, k: int) -> bool:
        """Version ``k`` is in another language than the one before: its sentences are
        translations, not edits, and no chain runs through it."""
        return languages_differ(self.snapshots[k - 1].language, self.snapshots[k].language)

    def parents(self, k: int) -> dict[int, Relation]:
        """Sentence of version ``k`` → its relation to version ``k - 1`` (added ones too;
        none for a version in another language: no chain runs into it)."""
        if k not in self._parents:
            relations = () if self.translated(k) else self.relations(k)
            self._parents[k] = {j: rel for rel in relations for j in rel.b}
        return self._parents[k]

    def children(self, k: int) -> dict[int, Relation]:
        """Sentence of version ``k`` → its relation to version ``k + 1`` (deleted ones too)."""
        if k not in self._children:
            self._children[k] = {i: rel for rel in self.relations(k + 1) for i in rel.a}
        return self._children[k]

    def text(self, k: int, indices: Sequence[int]) -> str:
        return " ".join(self.segmented(k).sentences[i].text for i in indices)

    def _extend(self, k: int) -> None:
        """Build the descent of every version up to ``k``, forward, each once."""
        while len(self._lines) <= k:
            n = len(self._lines)
            version, sentences = self.versions[n], self.segmented(n).sentences
            if n == 0:
                here = [
                    Lineage(version, version, (Step(version, "introduced", s.text),))
                    for s in sentences
                ]
            else:
                parents = self.parents(n)
                here = [
                    self._descend(n, j, parents.get(j), self._lines[n - 1])
                    for j in range(len(sentences))
                ]
            for s in sentences:
                self._last_seen[folded(s.text)] = n
            self._lines.append(here)

    def _descend(
        self,
        k: int,
        j: int,
        rel: Relation | None,
        before: list[Lineage],
    ) -> Lineage:
        version = self.versions[k]
        text = self.segmented(k).sentences[j].text
        if rel is None or not rel.a:
            seen = self._last_seen.get(folded(text))
            if seen is not None and seen < k - 1:  # the words stood in an older version
                step = Step(version, "returned", text)
                return Lineage(version, version, (step,), self.versions[seen])
            return Lineage(version, version, (Step(version, "introduced", text),))
        ancestors = [before[i] for i in rel.a]
        parent = min(ancestors, key=lambda line: self.versions.index(line.introduced))
        was = self.text(k - 1, rel.a)
        if len(rel.b) > 1:
            op: StepOp | None = "split"
        elif len(rel.a) > 1:
            op = "merged"
        elif folded(was) != folded(text):
            op = "edited"
        elif rel.moved:
            op = "moved"
        else:
            op = None
        if op is None:
            return parent
        changed = op != "moved"
        return Lineage(
            parent.introduced,
            version if changed else parent.last_changed,
            (*parent.steps, Step(version, op, text)),
            parent.returned,
        )

    def descent(self, k: int) -> list[Lineage]:
        """Each sentence of version ``k`` with where it came from."""
        self._extend(k)
        return self._lines[k]

    def trail(self, k: int, index: int) -> list[tuple[int, int]]:
        """The sentence ``index`` of version ``k`` and its ancestors, one per version back to
        its introduction (for a merge, the earliest introduced part, as in
        :meth:`descent`): ``(version, sentence)`` pairs, oldest first."""
        out = [(k, index)]
        while k > 0:
            rel = self.parents(k).get(index)
            if rel is None or not rel.a:
                break
            before = self.descent(k - 1)
            index = min(rel.a, key=lambda i: self.versions.index(before[i].introduced))
            k -= 1
            out.append((k, index))
        return out[::-1]

    def forward(self, k: int, index: int) -> list[tuple[Version, str, str]]:
        """What became of sentence ``index`` of version ``k`` in each later version, until
        it is deleted: ``(version, op, text)`` with op unchanged, edited, moved, split,
        merged or deleted (its text then the last it had), or other-language (a version in
        another language ends the chain, its text then "")."""
        out: list[tuple[Version, str, str]] = []
        current = [index]
        for later in range(k + 1, len(self.snapshots)):
            if self.translated(later):
                out.append((self.versions[later], "other-language", ""))
                break
            children = self.children(later - 1)
            rels = {id(children[i]): children[i] for i in current if i in children}
            kept = [rel for rel in rels.values() if rel.b]
            if not kept:
                out.append((self.versions[later], "deleted", self.text(later - 1, current)))
                break
            now = sorted({j for rel in kept for j in rel.b})
            was, text = self.text(later - 1, current), self.text(later, now)
            if any(len(rel.b) > 1 for rel in kept):
                op = "split"
            elif any(len(rel.a) > 1 for rel in kept):
                op = "merged"
            elif folded(was) != folded(text):
                op = "edited"
            elif any(rel.moved for rel in kept):
                op = "moved"
            else:
                op = "unchanged"
            out.append((self.versions[later], op, text))
            current = now
        return out


def where(seg: Segmented, index: int) -> str:
    """Title, heading or paragraph: the kind of the sentence's block."""
    return seg.blocks[seg.sentences[index].block].kind


def blame_lines(chain: Chain, k: int) -> tuple[BlameLine, ...]:
    """Every sentence of version ``k`` of ``chain`` with its descent."""
    seg = chain.segmented(k)
    return tuple(
        BlameLine(s.index, where(seg, s.index), s.text, line)
        for s, line in zip(seg.sentences, chain.descent(k), strict=True)
    )


@dataclass(frozen=True)
class ChangeMap:
    """How much each block of version ``k`` changed at each version before it: for block
    ``b`` and version ``v``, the share of the block's sentences that stood in ``v`` and were
    introduced, edited, split or merged there (None: none of them stood there yet)."""

    blocks: tuple[str, ...]  # each block's kind and first words, for a label
    versions: tuple[Version, ...]
    values: tuple[tuple[float | None, ...], ...]  # blocks × versions


def change_map(chain: Chain, k: int) -> ChangeMap:
    """The change map of version ``k`` of ``chain`` (:class:`ChangeMap`)."""
    seg = chain.segmented(k)
    size = k + 1
    stood = [[0] * size for _ in seg.blocks]
    changed = [[0] * size for _ in seg.blocks]
    for sentence, lineage in zip(seg.sentences, chain.descent(k), strict=True):
        ops = {step.version: step.op for step in lineage.steps}
        for v, _ in chain.trail(k, sentence.index):
            stood[sentence.block][v] += 1
            if ops.get(chain.versions[v], "moved") != "moved":
                changed[sentence.block][v] += 1
    labels = tuple(f"{block.kind}: {' '.join(block.content.split())}" for block in seg.blocks)
    values = tuple(
        tuple(c / s if s else None for c, s in zip(changes, counts, strict=True))
        for changes, counts in zip(changed, stood, strict=True)
    )
    return ChangeMap(labels, chain.versions[:size], values)


def chain_members(snapshots: Sequence[Snapshot]) -> list[Snapshot]:
    """The snapshots a series-wide reading follows (the report's section, the change map):
    one lineage in the series' most common language, the one with the most versions in it
    (the latest on a tie), up to its latest version in that language. A version in another
    language would start no chain; another lineage is another source."""
    from collections import Counter

    from .text import normalise_language

    if not snapshots:
        return []
    languages = Counter(normalise_language(s.language) for s in snapshots)
    common = max(languages, key=lambda lang: (languages[lang], lang is not None))
    lines: dict[str, list[int]] = {}
    for n, snap in enumerate(snapshots):
        if normalise_language(snap.language) == common:
            lines.setdefault(snap.lineage_key, []).append(n)
    key = max(lines, key=lambda k: (len(lines[k]), lines[k][-1]))
    last = lines[key][-1]
    return [s for s in snapshots[: last + 1] if s.lineage_key == key]
