"""Comparing two snapshots: alignment, word diffs and the narrative-shift summary, as data.

:func:`compare` is what ``narrative-diff compare`` and the reports call. It returns a
:class:`Comparison`; renderers (terminal, Markdown, HTML, JSON) only format it.
The JSON form is versioned and documented in ``docs/compare-schema.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .align import Alignment, Relation, align
from .diff import DELETE, EQUAL, INSERT, DiffOptions, WordDiff, diff_text
from .segment import Segmented, segment
from .shifts import Summary, summarise
from .snapshot import Snapshot
from .text import languages_differ

SCHEMA_VERSION = "1.1"


@dataclass(frozen=True)
class CompareOptions:
    """Everything that changes a comparison; built from CLI flags in one place."""

    diff: DiffOptions = field(default_factory=DiffOptions)
    threshold: float = 0.5  # minimum similarity for a pair that moved away from its place


@dataclass(frozen=True)
class Segment:
    """One relation between sentences of ``a`` and ``b``, with its word-level diff.

    ``a_index``/``b_index`` are sentence indices: an int, a tuple for the several sides of
    a split (b) or merge (a), or None for added (a) and deleted (b) text.
    """

    op: str
    a_index: int | tuple[int, ...] | None
    b_index: int | tuple[int, ...] | None
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


@dataclass(frozen=True)
class Comparison:
    """The full result of comparing snapshot ``a`` with snapshot ``b``."""

    a: Snapshot
    b: Snapshot
    a_ref: str
    b_ref: str
    a_segmented: Segmented
    b_segmented: Segmented
    alignment: Alignment
    segments: tuple[Segment, ...]
    summary: Summary
    warnings: tuple[str, ...]
    options: CompareOptions

    @property
    def narrative_change(self) -> bool:
        return self.summary.narrative_change

    @property
    def budget_hit(self) -> bool:
        return any(s.diff.budget_hit for s in self.segments)


def compare(
    a: Snapshot,
    b: Snapshot,
    *,
    a_ref: str = "a",
    b_ref: str = "b",
    options: CompareOptions | None = None,
) -> Comparison:
    """Align and diff ``a`` and ``b`` and summarise what changed."""
    options = options or CompareOptions()
    warnings = []
    if languages_differ(a.language, b.language):
        warnings.append(
            f"comparing {a.language} with {b.language}: word changes across "
            "languages are translations, not edits"
        )
    sa, sb = segment(a.body, a.language), segment(b.body, b.language)
    alignment = align(sa, sb, options=options.diff, threshold=options.threshold)
    segments = tuple(_segment(rel, sa, sb, options.diff) for rel in alignment.sentences)
    if any(s.diff.budget_hit for s in segments):
        warnings.append(
            "a word diff hit its time budget; some passages are shown coarser "
            "than usual (raise the budget with --diff-timeout)"
        )
    summary = summarise(a, b, sa, sb, segments, threshold=options.threshold)
    return Comparison(
        a, b, a_ref, b_ref, sa, sb, alignment, segments, summary, tuple(warnings), options
    )


def _span(side: Segmented, indices: tuple[int, ...]) -> str:
    """The text of consecutive sentences, with the original spacing between them."""
    first, last = side.sentences[indices[0]], side.sentences[indices[-1]]
    if first.block == last.block:
        return side.text[first.start : last.end]
    return " ".join(side.sentences[i].text for i in indices)


def _segment(rel: Relation, sa: Segmented, sb: Segmented, options: DiffOptions) -> Segment:
    a_text = _span(sa, rel.a) if rel.a else ""
    b_text = _span(sb, rel.b) if rel.b else ""
    if rel.op == "deleted":
        word_diff = WordDiff(((DELETE, a_text),), (False,))
    elif rel.op == "added":
        word_diff = WordDiff(((INSERT, b_text),), (False,))
    elif a_text == b_text:
        word_diff = WordDiff(((EQUAL, a_text),), (False,))
    else:
        word_diff = diff_text(a_text, b_text, options)
    op = rel.op
    if a_text != b_text and op in ("edited", "moved", "unchanged"):
        changed = word_diff.changed
        if op != "unchanged" and not changed and not rel.moved:
            op = "unchanged"  # equal after normalisation (noise only)
        elif op == "unchanged" and changed:
            op = "edited"
    return Segment(
        op=op,
        a_index=_index(rel.a),
        b_index=_index(rel.b),
        a_text=a_text,
        b_text=b_text,
        similarity=rel.similarity if op not in ("added", "deleted") else 0.0,
        moved=rel.moved,
        diff=word_diff,
        a_block=sa.sentences[rel.a[0]].block if rel.a else None,
        b_block=sb.sentences[rel.b[0]].block if rel.b else None,
    )


def _index(indices: tuple[int, ...]) -> int | tuple[int, ...] | None:
    if not indices:
        return None
    return indices[0] if len(indices) == 1 else indices
