"""Comparing two snapshots: alignment, word diffs and the narrative-shift summary, as data.

:func:`compare` is what ``narrative-diff compare`` and the reports call. It returns a
:class:`Comparison`; renderers (terminal, Markdown, HTML, JSON) only format it.
The JSON form is versioned and documented in ``docs/compare-schema.md``.

Layers, each importing only those below it: :mod:`~narrative_diff.relations` (the values)
and :mod:`~narrative_diff.similarity` (comparison keys); :mod:`~narrative_diff.align` and
:mod:`~narrative_diff.diff`, siblings that do not import each other;
:mod:`~narrative_diff.shifts` (the summary, reading relations only); and this module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .align import DEFAULT_THRESHOLD, align
from .diff import diff_text
from .relations import DELETE, EQUAL, INSERT, OPS, Alignment, Op, Relation, Segment, WordDiff
from .segment import Segmented, Sentence, segment
from .shifts import Changes, Summary, read_changes, summarise
from .similarity import DiffOptions
from .snapshot import Snapshot
from .text import languages_differ

__all__ = [
    "SCHEMA_VERSION",
    "Changed",
    "CompareOptions",
    "Comparison",
    "Paired",
    "compare",
    "pair",
]

SCHEMA_VERSION = "1.2"


@dataclass(frozen=True)
class CompareOptions:
    """Everything that changes a comparison; built from CLI flags in one place."""

    diff: DiffOptions = field(default_factory=DiffOptions)
    # similarity needed to pair text outside its gap, and to read word shifts off a pair
    threshold: float = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Paired:
    """Snapshots ``a`` and ``b`` aligned and diffed: a comparison before its summary."""

    a: Snapshot
    b: Snapshot
    a_ref: str
    b_ref: str
    a_segmented: Segmented
    b_segmented: Segmented
    alignment: Alignment
    segments: tuple[Segment, ...]
    warnings: tuple[str, ...]
    options: CompareOptions

    @property
    def cross_source(self) -> bool:
        """The two snapshots belong to different lineages: no actor events between them."""
        return self.a.lineage_key != self.b.lineage_key

    @property
    def budget_hit(self) -> bool:
        return any(s.diff.budget_hit for s in self.segments)

    def changed(self) -> Changed:
        """All the summary reads of the segments: the process beside a long comparison is
        sent it (for a long text with a few edits, kilobytes where the segments are
        megabytes; a text rewritten throughout sends most of them)."""
        counts = Counter(s.op for s in self.segments)
        return Changed.of(self.segments, counts, self.options.threshold)


@dataclass(frozen=True)
class Changed:
    """The segments of a comparison that changed, how many segments there are of each
    op, and the similarity needed to read word shifts off a pair: what
    :func:`~narrative_diff.shifts.read_changes` needs (:meth:`read`)."""

    segments: tuple[Segment, ...]
    counts: dict[Op, int]
    threshold: float

    @classmethod
    def of(cls, segments: Iterable[Segment], counts: Counter[Op], threshold: float) -> Changed:
        """The segments among ``segments`` that changed, in order, with ``counts`` (the
        segments of each op: of these and of any left out, all unchanged)."""
        changed = tuple(s for s in segments if s.op != "unchanged")
        return cls(changed, {op: counts.get(op, 0) for op in OPS}, threshold)

    def read(self, a: Snapshot, b: Snapshot) -> Changes:
        return read_changes(a, b, self.segments, threshold=self.threshold, counts=self.counts)


@dataclass(frozen=True)
class Comparison(Paired):
    """The full result of comparing snapshot ``a`` with snapshot ``b``."""

    summary: Summary

    @property
    def narrative_change(self) -> bool:
        return self.summary.narrative_change


def compare(
    a: Snapshot,
    b: Snapshot,
    *,
    a_ref: str = "a",
    b_ref: str = "b",
    options: CompareOptions | None = None,
) -> Comparison:
    """Align and diff ``a`` and ``b`` and summarise what changed."""
    paired = pair(a, b, a_ref=a_ref, b_ref=b_ref, options=options)
    summary = summarise(
        a,
        b,
        paired.a_segmented,
        paired.b_segmented,
        paired.segments,
        threshold=paired.options.threshold,
    )
    return summarised(paired, summary)


def summarised(paired: Paired, summary: Summary) -> Comparison:
    """``paired`` with its summary: the comparison."""
    fields = {name: getattr(paired, name) for name in Paired.__dataclass_fields__}
    return Comparison(**fields, summary=summary)


def pair(
    a: Snapshot,
    b: Snapshot,
    *,
    a_ref: str = "a",
    b_ref: str = "b",
    options: CompareOptions | None = None,
    segmented: tuple[Segmented, Segmented] | None = None,
    on_changed: Callable[[Changed], None] | None = None,
) -> Paired:
    """Align and diff ``a`` and ``b``: all of a comparison but its summary, which may be
    made elsewhere (``api.compare_refs``: in the process beside this one). ``segmented``:
    the two texts' :func:`segment_pair`, when the caller has it. ``on_changed`` is given
    :meth:`Paired.changed` as soon as it is known: the segments that changed are made
    first, the unchanged ones (most of a long document) after it returns."""
    options = options or CompareOptions()
    warnings = []
    if languages_differ(a.language, b.language):
        warnings.append(
            f"comparing {a.language} with {b.language}: word changes across "
            "languages are translations, not edits"
        )
    if a.lineage_key != b.lineage_key:
        warnings.append(
            f"comparing two sources (lineage {a.lineage_name or '(none)'} with "
            f"{b.lineage_name or '(none)'}): actors named or not are a switch of source, "
            "not events"
        )
    sa, sb = segmented or segment_pair(a, b)
    alignment = align(sa, sb, options=options.diff, threshold=options.threshold)
    segments = _segments(alignment.sentences, sa, sb, options, on_changed)
    if any(s.diff.budget_hit for s in segments):
        warnings.append(
            "a word diff hit its time budget; some passages are shown coarser "
            "than usual (raise the budget with --diff-timeout)"
        )
    return Paired(a, b, a_ref, b_ref, sa, sb, alignment, segments, tuple(warnings), options)


def _segments(
    relations: Sequence[Relation],
    sa: Segmented,
    sb: Segmented,
    options: CompareOptions,
    on_changed: Callable[[Changed], None] | None,
) -> tuple[Segment, ...]:
    """Each relation's :func:`_segment`, in order; with ``on_changed``, the relations that
    are not one sentence unchanged word for word first, then ``on_changed`` is called,
    then the others are made (all "unchanged": what :meth:`Paired.changed` counts)."""
    if on_changed is None:
        return tuple(_segment(rel, sa, sb, options.diff) for rel in relations)
    found: list[Segment | None] = [None] * len(relations)
    later = []
    for k, rel in enumerate(relations):
        if (same := _same_sentence(rel, sa, sb)) is not None:
            later.append((k, rel, same))
        else:
            found[k] = _segment(rel, sa, sb, options.diff)
    first = [seg for seg in found if seg is not None]
    counts = Counter(seg.op for seg in first)
    counts["unchanged"] += len(later)
    on_changed(Changed.of(first, counts, options.threshold))
    for k, rel, (one, other) in later:
        found[k] = _unchanged(rel, one, other)
    return tuple(seg for seg in found if seg is not None)


def _same_sentence(rel: Relation, sa: Segmented, sb: Segmented) -> tuple[Sentence, Sentence] | None:
    """The two sentences of one paired unchanged with one of the same text (most of a
    long document): :func:`_segment` makes its segment the short way."""
    if rel.op == "unchanged" and len(rel.a) == 1 and len(rel.b) == 1:
        one, other = sa.sentences[rel.a[0]], sb.sentences[rel.b[0]]
        if one.text == other.text:
            return one, other
    return None


def _unchanged(rel: Relation, one: Sentence, other: Sentence) -> Segment:
    """The segment of :func:`_same_sentence`'s two sentences: what the general steps of
    :func:`_segment` give, sooner."""
    diff = WordDiff(((EQUAL, one.text),), _NO_NOISE)
    return Segment(
        "unchanged",
        rel.a,
        rel.b,
        one.text,
        other.text,
        rel.similarity,
        rel.moved,
        diff,
        one.block,
        other.block,
    )


def segment_pair(a: Snapshot, b: Snapshot) -> tuple[Segmented, Segmented]:
    """Both texts cut into blocks and sentences, b's paragraphs that a shares cut as a's."""
    sa = segment(a.body, a.language)
    return sa, segment(b.body, b.language, like=sa)


def _span(side: Segmented, indices: tuple[int, ...]) -> str:
    """The text of consecutive sentences, with the original spacing between them ("" for
    none)."""
    if len(indices) < 2:
        return side.sentences[indices[0]].text if indices else ""
    first, last = side.sentences[indices[0]], side.sentences[indices[-1]]
    if first.block == last.block:
        return side.text[first.start : last.end]
    return " ".join(side.sentences[i].text for i in indices)


def _segment(rel: Relation, sa: Segmented, sb: Segmented, options: DiffOptions) -> Segment:
    """A sentence relation with its texts and word diff, its op corrected by the diff."""
    if (same := _same_sentence(rel, sa, sb)) is not None:
        return _unchanged(rel, *same)
    a_text, b_text = _span(sa, rel.a), _span(sb, rel.b)
    word_diff = _word_diff(rel.op, a_text, b_text, options)
    op = _op(rel, a_text != b_text, word_diff)
    return Segment(
        op=op,
        a_index=rel.a,
        b_index=rel.b,
        a_text=a_text,
        b_text=b_text,
        similarity=rel.similarity if op not in ("added", "deleted") else 0.0,
        moved=rel.moved,
        diff=word_diff,
        a_block=sa.sentences[rel.a[0]].block if rel.a else None,
        b_block=sb.sentences[rel.b[0]].block if rel.b else None,
    )


_NO_NOISE = (False,)


def _word_diff(op: Op, a_text: str, b_text: str, options: DiffOptions) -> WordDiff:
    """The word diff, run only when both sides exist and differ (it is the costly step)."""
    if op == "deleted":
        return WordDiff(((DELETE, a_text),), (False,))
    if op == "added":
        return WordDiff(((INSERT, b_text),), (False,))
    if a_text == b_text:
        return WordDiff(((EQUAL, a_text),), (False,))
    return diff_text(a_text, b_text, options)


def _op(rel: Relation, differ: bool, word_diff: WordDiff) -> Op:
    """The alignment's op, corrected by the word diff: an edited pair that differs only by
    noise is unchanged (unless it moved), and an "unchanged" pair with a real change (its
    normal forms agree but the word diff does not) is edited."""
    op = rel.op
    if differ and op in ("edited", "moved", "unchanged"):
        changed = word_diff.changed
        if op != "unchanged" and not changed and not rel.moved:
            op = "unchanged"  # equal after normalisation (noise only)
        elif op == "unchanged" and changed:
            op = "edited"
    return op
