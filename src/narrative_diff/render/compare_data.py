"""A comparison as plain JSON-ready data: the versioned contract of docs/compare-schema.md."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from narrative_diff.compare import SCHEMA_VERSION, Comparison, Paired
from narrative_diff.readability import Readability
from narrative_diff.relations import EQUAL, Segment
from narrative_diff.serialise import compact_json, json_string, json_utf8
from narrative_diff.shifts import Evidence, Replacement, Summary, WordChange
from narrative_diff.snapshot import Snapshot


def comparison_to_dict(result: Comparison) -> dict[str, Any]:
    """The JSON document for ``result`` (keys in schema order)."""
    return {**paired_to_dict(result), "summary": summary_to_dict(result.summary)}


def paired_to_dict(result: Paired) -> dict[str, Any]:
    """The JSON document of a comparison but its last member, the summary: the segments,
    most of it, can be written while the summary is made (``api.compare_rendered``)."""
    return {**_head(result), "segments": [_segment(s) for s in result.segments]}


def paired_to_json(result: Paired) -> str:
    """:func:`paired_to_dict` as compact JSON text (``serialise.compact_json``, before its
    escapes: ``serialise.json_utf8``). A segment of a sentence left as it was (most of
    a long document) is written from a template: a third of the time of a dictionary
    given to the encoder, the same text (``tests/test_compare_properties.py``)."""
    return "".join(_paired_pieces(result))


def paired_to_json_utf8(result: Paired) -> tuple[bytes, ...]:
    """:func:`paired_to_json` with its escapes, as UTF-8 (``serialise.json_utf8``), in
    pieces: the megabytes of segments are not copied into one text with the rest first."""
    return tuple(json_utf8(piece) for piece in _paired_pieces(result))


def _paired_pieces(result: Paired) -> tuple[str, str, str]:
    head = compact_json(_head(result))
    segments = ", ".join(map(_segment_json, result.segments))
    return f'{head[:-1]}, "segments": [', segments, "]}"


def _head(result: Paired) -> dict[str, Any]:
    from narrative_diff import __version__

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "narrative-diff", "version": __version__},
        "a": _side(result.a, result.a_ref),
        "b": _side(result.b, result.b_ref),
        "options": {
            "ignore_case": result.options.diff.ignore_case,
            "ignore_punctuation": result.options.diff.ignore_punctuation,
            "threshold": result.options.threshold,
        },
        "cross_source": result.cross_source,
        "warnings": list(result.warnings),
        "budget_hit": result.budget_hit,
        "blocks": [
            {
                "op": r.op,
                "a_index": _index(r.a),
                "b_index": _index(r.b),
                "similarity": r.similarity,
                "moved": r.moved,
            }
            for r in result.alignment.blocks
        ],
    }


def summary_to_dict(summary: Summary) -> dict[str, Any]:
    """The ``summary`` member of the JSON document."""
    return {
        "counts": summary.counts,
        "narrative_change": summary.narrative_change,
        "replaced_phrases": [_replacement(r) for r in summary.replaced_phrases],
        "removed_phrases": [_replacement(r) for r in summary.removed_phrases],
        "added_phrases": [_replacement(r) for r in summary.added_phrases],
        "renames": [
            {
                "before": r.before,
                "after": r.after,
                "count": r.count,
                "consistency": r.consistency,
                "evidence": _evidence(r.evidence),
            }
            for r in summary.renames
        ],
        "named": {
            "removed": [
                {"term": t.term, "count_a": t.count_a, "count_b": t.count_b}
                for t in summary.named_removed
            ],
            "added": [
                {"term": t.term, "count_a": t.count_a, "count_b": t.count_b}
                for t in summary.named_added
            ],
        },
        "numbers": [_word_change(w) for w in summary.numbers],
        "modality": {
            "changes": [_word_change(w) for w in summary.modality],
            "counts": {k: list(v) for k, v in summary.modal_counts.items()},
        },
        "negation": [_word_change(w) for w in summary.negation],
        "readability": {
            "a": _readability(summary.readability["a"]),
            "b": _readability(summary.readability["b"]),
            "comparison": summary.readability["comparison"],
        },
        "actors": [x.as_dict() for x in summary.actors],
    }


def _side(snap: Snapshot, ref: str) -> dict[str, Any]:
    return {
        "ref": ref,
        "id": snap.id,
        "date": snap.date.isoformat(),
        "title": snap.title or "",
        "series": snap.series,
        "language": snap.language,
        "publisher": snap.publisher,
        "lineage": snap.lineage_name,
        "sha256": snap.body_hash,
    }


def _index(indices: tuple[int, ...]) -> int | list[int] | None:
    """One index as an integer, several as a list, none as null (schema 1.x)."""
    if not indices:
        return None
    return indices[0] if len(indices) == 1 else list(indices)


def _segment(seg: Segment) -> dict[str, Any]:
    a_index, b_index, noise = seg.a_index, seg.b_index, seg.diff.noise
    return {
        "op": seg.op,
        "a_index": a_index[0] if len(a_index) == 1 else _index(a_index),
        "b_index": b_index[0] if len(b_index) == 1 else _index(b_index),
        "a_block": seg.a_block,
        "b_block": seg.b_block,
        "a_text": seg.a_text,
        "b_text": seg.b_text,
        "similarity": seg.similarity,
        "moved": seg.moved,
        "diff": [list(op) for op in seg.diff.ops],
        "noise": [i for i, noisy in enumerate(noise) if noisy] if True in noise else [],
    }


def _segment_json(seg: Segment) -> str:
    """``compact_json(_segment(seg))``; from a template for an unchanged sentence."""
    ops, a_index, b_index, similarity = seg.diff.ops, seg.a_index, seg.b_index, seg.similarity
    if not (
        seg.op == "unchanged"
        and len(a_index) == len(b_index) == len(ops) == 1
        and ops[0] == (EQUAL, seg.a_text)
        and seg.b_text == seg.a_text
        and True not in seg.diff.noise
        and type(similarity) is float
        and 0.0 <= similarity <= 1.0  # (NaN is not: the encoder refuses it)
        and type(a_index[0]) is type(b_index[0]) is type(seg.a_block) is type(seg.b_block) is int
    ):
        return compact_json(_segment(seg))
    text = json_string(seg.a_text)
    return (
        f'{{"op": "unchanged", "a_index": {a_index[0]}, "b_index": {b_index[0]}, '
        f'"a_block": {seg.a_block}, "b_block": {seg.b_block}, "a_text": {text}, '
        f'"b_text": {text}, "similarity": {similarity!r}, '
        f'"moved": {"true" if seg.moved else "false"}, "diff": [[{EQUAL}, {text}]], '
        '"noise": []}'
    )


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return asdict(evidence)


def _replacement(item: Replacement) -> dict[str, Any]:
    return {
        "before": item.before,
        "after": item.after,
        "count": item.count,
        "minor": item.minor,
        "evidence": _evidence(item.evidence),
    }


def _word_change(item: WordChange) -> dict[str, Any]:
    return {"before": item.before, "after": item.after, "evidence": _evidence(item.evidence)}


def _readability(item: Readability) -> dict[str, Any]:
    return asdict(item)
