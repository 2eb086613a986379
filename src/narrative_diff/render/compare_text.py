"""A comparison as words: the summary sections shared by every format, Markdown and HTML.

The summary comes first in every format, in the same order: verdict, renamed terms,
replaced phrases, named things written out and in, numbers, modality, negation,
readability. The changed passages follow, with deletions and insertions marked so they
can be told apart without colour (strike-through and underline, or ``[-…-]``/``{+…+}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from narrative_diff.compare import Comparison, Segment
from narrative_diff.diff import DELETE, EQUAL, INSERT

_OP_NAMES = {
    "edited": "edited",
    "moved": "moved",
    "split": "split",
    "merged": "merged",
    "added": "added",
    "deleted": "deleted",
    "unchanged": "unchanged",
}


@dataclass(frozen=True)
class Section:
    """A titled list of one-line findings."""

    title: str
    lines: tuple[str, ...]


def verdict(result: Comparison) -> str:
    counts = result.summary.counts
    parts = [
        f"{counts[op]} {op}"
        for op in ("edited", "moved", "split", "merged", "added", "deleted", "unchanged")
        if counts.get(op)
    ]
    head = "NARRATIVE CHANGE" if result.narrative_change else "no narrative change"
    return f"{head}: {', '.join(parts) or 'no sentences'} (sentences)"


def sections(result: Comparison, *, limit: int = 8) -> list[Section]:
    """The summary as titled sections of plain-text lines; empty sections are left out."""
    s = result.summary
    found = [
        Section(
            "Renamed terms (candidates)",
            tuple(
                f"“{r.before}” → “{r.after}” ({r.count}×, consistency {r.consistency:.2f})"
                for r in s.renames[:limit]
            ),
        ),
        Section(
            "Replaced phrases",
            tuple(
                f"“{r.before}” → “{r.after}”" + (f" ({r.count}×)" if r.count > 1 else "")
                for r in s.replaced_phrases[:limit]
            ),
        ),
        Section(
            "Named in a, not in b (written out)",
            _joined(f"{t.term} ({t.count_a})" for t in s.named_removed[: limit * 3]),
        ),
        Section(
            "Named in b, not in a (written in)",
            _joined(f"{t.term} ({t.count_b})" for t in s.named_added[: limit * 3]),
        ),
        Section(
            "Numbers and dates",
            tuple(
                f"{w.before or '—'} → {w.after or '—'} in “{_short(w.evidence.after)}”"
                for w in s.numbers[:limit]
            ),
        ),
        Section(
            "Modality",
            tuple(
                [
                    f"{w.before or '—'} → {w.after or '—'} in “{_short(w.evidence.after)}”"
                    for w in s.modality[:limit]
                ]
                + list(_joined(f"{k} {a}→{b}" for k, (a, b) in s.modal_counts.items() if a != b))
            ),
        ),
        Section(
            "Negation",
            tuple(
                f"{'added' if w.after else 'removed'}: {w.after or w.before} in "
                f"“{_short(w.evidence.after or w.evidence.before)}”"
                for w in s.negation[:limit]
            ),
        ),
        Section("Readability", _readability_lines(result)),
    ]
    return [section for section in found if section.lines]


def _joined(items: Iterable[str]) -> tuple[str, ...]:
    """One comma-separated line, or no line at all."""
    line = ", ".join(items)
    return (line,) if line else ()


def _readability_lines(result: Comparison) -> tuple[str, ...]:
    ra, rb = result.summary.readability["a"], result.summary.readability["b"]
    comparison = result.summary.readability["comparison"]
    lines = [
        f"mean sentence length {ra.mean_sentence_length:g} → {rb.mean_sentence_length:g} "
        f"{rb.unit}; sentences {ra.sentences} → {rb.sentences}"
    ]
    if comparison.get("comparable"):
        for name, value in ra.measures.items():
            if name in rb.measures:
                label = name.replace("_", " ")
                lines.append(f"{label} {value:g} → {rb.measures[name]:g}")
    if comparison.get("note"):
        lines.append(str(comparison["note"]))
    return tuple(lines)


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def changed(result: Comparison) -> list[Segment]:
    return [seg for seg in result.segments if seg.changed]


def position(seg: Segment) -> str:
    """``¶3`` style paragraph positions: where it was and where it is."""
    a = f"¶{seg.a_block + 1}" if seg.a_block is not None else ""
    b = f"¶{seg.b_block + 1}" if seg.b_block is not None else ""
    if a and b and a != b:
        return f"{a}→{b}"
    return a or b


def label(seg: Segment) -> str:
    tag = _OP_NAMES[seg.op]
    if seg.moved and seg.op != "moved":
        tag += ", moved"
    if seg.op in ("edited", "moved", "split", "merged") and seg.similarity < 1:
        tag += f" {seg.similarity:.2f}"
    return tag


def visible_ops(seg: Segment) -> Iterator[tuple[int, str]]:
    """The operations a reader sees: noise is shown as the new text, unmarked."""
    for (op, text), noisy in zip(seg.diff.ops, seg.diff.noise, strict=True):
        if op == EQUAL or (noisy and op == INSERT):
            yield EQUAL, text
        elif not noisy:
            yield op, text


def plain_diff(seg: Segment) -> str:
    """``[-deleted-]{+inserted+}`` markup, as wdiff writes it (noise left out)."""
    marks = {EQUAL: "{}", DELETE: "[-{}-]", INSERT: "{{+{}+}}"}
    return "".join(marks[op].format(text) for op, text in visible_ops(seg))


def comparison_to_markdown(result: Comparison) -> str:
    """Markdown: summary first, then the changed passages (~~deleted~~, <ins>inserted</ins>)."""
    lines = [
        f"# Comparison: {result.a_ref} → {result.b_ref}",
        "",
        f"- **a**: {result.a_ref} `{result.a.id}` ({result.a.date}) {result.a.title}",
        f"- **b**: {result.b_ref} `{result.b.id}` ({result.b.date}) {result.b.title}",
        "",
        f"**{verdict(result)}**",
        "",
    ]
    lines += [f"> warning: {w}" for w in result.warnings]
    for section in sections(result):
        lines += [f"## {section.title}", ""] + [f"- {line}" for line in section.lines] + [""]
    lines += ["## Changed passages", ""]
    for seg in changed(result):
        lines.append(f"- *{label(seg)}* {position(seg)}: {_markdown_diff(seg)}")
    return "\n".join(lines).rstrip() + "\n"


def _markdown_escape(text: str) -> str:
    flat = re.sub(r"\s+", " ", text)  # one line per passage; keep the edge spaces
    return "".join("\\" + ch if ch in "\\`*_[]<>~#|" else ch for ch in flat)


def _markdown_diff(seg: Segment) -> str:
    marks = {EQUAL: "{}", DELETE: "~~{}~~", INSERT: "<ins>{}</ins>"}
    return "".join(
        marks[op].format(_markdown_escape(text))
        for op, text in visible_ops(seg)
        if op == EQUAL or text.strip()
    )


def comparison_to_html(result: Comparison) -> str:
    """One self-contained HTML page (inline CSS, no scripts, every text escaped)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("narrative_diff", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    template = env.get_template("compare.html.j2")
    return template.render(
        result=result,
        verdict=verdict(result),
        sections=sections(result),
        changed=changed(result),
        label=label,
        position=position,
        DELETE=DELETE,
        INSERT=INSERT,
        EQUAL=EQUAL,
        zip=zip,
    )
