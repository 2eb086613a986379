"""The values an alignment produces, shared by every layer above it.

This is the bottom of the comparison layers and imports nothing from the package:
:mod:`~narrative_diff.align` builds :class:`Relation` and :class:`Alignment`,
:mod:`~narrative_diff.diff` builds :class:`WordDiff`, :mod:`~narrative_diff.compare` joins
them into :class:`Segment`, and :mod:`~narrative_diff.shifts` and the renderers read them.

Kinds are ``Literal`` types, not enums, so that the values are the plain strings and
integers written to JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

WordOp: TypeAlias = Literal[-1, 0, 1]
"""A word-diff operation: delete (-1), equal (0) or insert (1), as diff-match-patch codes them."""

DELETE: Final = -1
EQUAL: Final = 0
INSERT: Final = 1

Op: TypeAlias = Literal["unchanged", "edited", "moved", "split", "merged", "deleted", "added"]
"""How units of ``a`` relate to units of ``b``."""

OPS: Final[tuple[Op, ...]] = (
    "unchanged",
    "edited",
    "moved",
    "split",
    "merged",
    "deleted",
    "added",
)


@dataclass(frozen=True)
class WordDiff:
    """Operations ``(op, text)`` with op -1 (delete), 0 (equal), 1 (insert)."""

    ops: tuple[tuple[WordOp, str], ...]
    noise: tuple[bool, ...]  # per op: a difference that the options ignore
    budget_hit: bool = False

    @property
    def a_text(self) -> str:
        return "".join(text for op, text in self.ops if op != INSERT)

    @property
    def b_text(self) -> str:
        return "".join(text for op, text in self.ops if op != DELETE)

    @property
    def changed(self) -> bool:
        """True when some difference is not noise."""
        return any(
            op != EQUAL and not noisy for (op, _), noisy in zip(self.ops, self.noise, strict=True)
        )

    def changes(self) -> list[tuple[str, str]]:
        """Non-noise replacements, insertions and deletions as ``(before, after)`` pairs.

        >>> WordDiff(((0, "a "), (-1, "b"), (1, "c"), (0, " d"), (1, " e")), (False,) * 5).changes()
        [('b', 'c'), ('', ' e')]
        """
        pairs: list[tuple[str, str]] = []
        before: list[str] = []
        after: list[str] = []
        for (op, text), noisy in zip(self.ops, self.noise, strict=True):
            if op == EQUAL or noisy:
                if op == EQUAL and (before or after):
                    pairs.append(("".join(before), "".join(after)))
                    before, after = [], []
                continue
            (before if op == DELETE else after).append(text)
        if before or after:
            pairs.append(("".join(before), "".join(after)))
        return pairs

    def rewrite(self) -> list[tuple[str, str]]:
        """The changes as one ``(before, after)`` pair: from the first non-noise change to
        the last, the equal text between them on both sides ([] when nothing changed).

        >>> WordDiff(((0, "a "), (-1, "b"), (1, "c"), (0, " d"), (1, " e")), (False,) * 5).rewrite()
        [('b d', 'c d e')]
        """
        changed = [
            i
            for i, ((op, _), noisy) in enumerate(zip(self.ops, self.noise, strict=True))
            if op != EQUAL and not noisy
        ]
        if not changed:
            return []
        span = self.ops[changed[0] : changed[-1] + 1]
        return [
            (
                "".join(text for op, text in span if op != INSERT),
                "".join(text for op, text in span if op != DELETE),
            )
        ]


@dataclass(frozen=True)
class Relation:
    """How units of ``a`` relate to units of ``b`` (indices into each side).

    ``a`` is empty for added units and ``b`` for deleted ones; ``a`` holds several units
    for a merge, ``b`` for a split. ``moved`` is true when the pair is out of the in-order
    chain (a split, merge or edit can be moved too).
    """

    op: Op
    a: tuple[int, ...]
    b: tuple[int, ...]
    similarity: float
    moved: bool = False


@dataclass(frozen=True)
class Alignment:
    """Block and sentence relations between two segmented texts."""

    blocks: tuple[Relation, ...]
    sentences: tuple[Relation, ...]


@dataclass(frozen=True)
class Segment:
    """One relation between sentences of ``a`` and ``b``, with its word-level diff.

    ``a_index``/``b_index`` are the sentence indices on each side: one index, several for
    the several sides of a split (b) or merge (a), none for the missing side of added (a)
    and deleted (b) text. ``a_block``/``b_block`` is the block of the first of them.
    """

    op: Op
    a_index: tuple[int, ...]
    b_index: tuple[int, ...]
    a_text: str
    b_text: str
    similarity: float
    moved: bool
    diff: WordDiff
    a_block: int | None
    b_block: int | None

    @property
    def changed(self) -> bool:
        """False for unchanged text, including text that differs only by noise."""
        return self.op != "unchanged"
