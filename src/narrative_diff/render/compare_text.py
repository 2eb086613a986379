"""A comparison as words: the summary sections shared by every format, Markdown and HTML.

The summary comes first in every format, in the same order: verdict, actors (when the
scoring step filled them in), renamed terms, replaced phrases, named things written out
and in, numbers, modality, negation, readability. The changed passages follow, with
deletions and insertions marked so they can be told apart without colour (strike-through
and underline, or ``[-…-]``/``{+…+}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from narrative_diff.compare import Comparison
from narrative_diff.relations import DELETE, EQUAL, INSERT, Segment, WordOp
from narrative_diff.text import printable, shorten


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
            "Actors (mentions a → b)",
            tuple(
                f"{x.name}: {x.count_a} → {x.count_b}"
                + (f" {x.event}" if x.event else "")
                + f"; prominence {x.prominence_a:.2f} → {x.prominence_b:.2f}"
                for x in sorted(s.actors, key=lambda x: (not x.event, x.name))
            ),
        ),
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
                for r in [r for r in s.replaced_phrases if not r.minor][:limit]
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
                f"{w.before or '—'} → {w.after or '—'} in "
                f"“{shorten(w.evidence.after or w.evidence.before)}”"
                for w in s.numbers[:limit]
            ),
        ),
        Section(
            "Modality",
            tuple(
                [
                    f"{w.before or '—'} → {w.after or '—'} in "
                    f"“{shorten(w.evidence.after or w.evidence.before)}”"
                    for w in s.modality[:limit]
                ]
                + list(_joined(f"{k} {a}→{b}" for k, (a, b) in s.modal_counts.items() if a != b))
            ),
        ),
        Section(
            "Negation",
            tuple(
                f"{'added' if w.after else 'removed'}: {w.after or w.before} in "
                f"“{shorten(w.evidence.after or w.evidence.before)}”"
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
    if ra.unit == rb.unit:
        lengths = f"{ra.mean_sentence_length:g} → {rb.mean_sentence_length:g} {rb.unit}"
    else:
        lengths = f"{ra.mean_sentence_length:g} {ra.unit} → {rb.mean_sentence_length:g} {rb.unit}"
    lines = [f"mean sentence length {lengths}; sentences {ra.sentences} → {rb.sentences}"]
    if comparison.get("comparable"):
        for name, value in ra.measures.items():
            if name in rb.measures:
                label = name.replace("_", " ")
                lines.append(f"{label} {value:g} → {rb.measures[name]:g}")
    if comparison.get("note"):
        lines.append(str(comparison["note"]))
    return tuple(lines)


def changed(result: Comparison) -> list[Segment]:
    return [seg for seg in result.segments if seg.changed]


def position(seg: Segment) -> str:
    """Where the passage is, by block (title, headings and paragraphs counted from 1):
    ``¶3`` when it kept its place, ``a¶3→b¶5`` when it moved, ``a¶8`` for deleted text and
    ``b¶6`` for added text.

    """
    a = seg.a_block + 1 if seg.a_block is not None else None
    b = seg.b_block + 1 if seg.b_block is not None else None
    if a is not None and b is not None:
        return f"¶{a}" if a == b else f"a¶{a}→b¶{b}"
    return f"a¶{a}" if a is not None else f"b¶{b}"


def label(seg: Segment) -> str:
    tag: str = seg.op
    if seg.moved and seg.op != "moved":
        tag += ", moved"
    if seg.op in ("edited", "moved", "split", "merged") and seg.similarity < 1:
        tag += f" {seg.similarity:.2f}"
    return tag


_HEADING_MARK = re.compile(r"^[ \t]*#{1,6}[ \t]+")
_MARKUP_ONLY = re.compile(r"^[\s#*_•·+-]*$")


def _readable(seg: Segment) -> Iterator[tuple[WordOp, str, bool]]:
    """The segment's ``(op, text, noise)`` runs as a reader sees them: no Markdown heading
    marker opening either side, and no noise run that is markup alone (``## ``, ``**``)."""
    open_a = open_b = True  # nothing of that side shown yet
    for (op, text), noisy in zip(seg.diff.ops, seg.diff.noise, strict=True):
        if noisy and _MARKUP_ONLY.match(text) and not text.isspace():
            continue
        at_start = (op != INSERT and open_a) or (op != DELETE and open_b)
        if at_start:
            text = _HEADING_MARK.sub("", text)
        if not text:
            continue
        open_a = open_a and op == INSERT
        open_b = open_b and op == DELETE
        yield op, text, noisy


def visible_ops(seg: Segment) -> Iterator[tuple[WordOp, str]]:
    """The operations a reader sees: noise is shown as the new text, unmarked; no heading
    marker and no markup-only noise."""
    for op, text, noisy in _readable(seg):
        if op == EQUAL or (noisy and op == INSERT):
            yield EQUAL, text
        elif not noisy:
            yield op, text


def side_ops(seg: Segment, side: WordOp) -> Iterator[tuple[bool, str]]:
    """One side's text as ``(marked, text)`` runs: the equal text, and that side's own
    deletions (``side`` = DELETE) or insertions (INSERT), noise left unmarked."""
    for op, text, noisy in _readable(seg):
        if op == EQUAL:
            yield False, text
        elif op == side:
            yield not noisy, text


def plain_diff(seg: Segment) -> str:
    """``[-deleted-]{+inserted+}`` markup, as wdiff writes it (noise left out)."""
    marks = {EQUAL: "{}", DELETE: "[-{}-]", INSERT: "{{+{}+}}"}
    return "".join(marks[op].format(text) for op, text in visible_ops(seg))


def comparison_to_markdown(result: Comparison) -> str:
    """Markdown: summary first, then the changed passages (~~deleted~~, <ins>inserted</ins>).

    Every piece of document text is escaped, so a title or passage cannot inject markup,
    and its control characters are shown escaped (``\\x1b``): a Markdown file is often read
    with ``cat``, where an ESC sequence would act on the terminal.
    """
    esc = _markdown_escape
    lines = [
        f"# Comparison: {esc(result.a_ref)} → {esc(result.b_ref)}",
        "",
        *(
            f"- **{side}**: {esc(ref)} `{printable(snap.id)}` ({snap.date}) "
            f"{esc(snap.display_title)}"
            for side, ref, snap in (("a", result.a_ref, result.a), ("b", result.b_ref, result.b))
        ),
        "",
        f"**{verdict(result)}**",
        "",
    ]
    lines += [f"> warning: {esc(w)}" for w in result.warnings]
    for section in sections(result):
        lines += [f"## {section.title}", ""] + [f"- {esc(line)}" for line in section.lines]
        lines.append("")
    lines += ["## Changed passages", ""]
    for seg in changed(result):
        lines.append(f"- *{label(seg)}* {position(seg)}: {_markdown_diff(seg)}")
    return "\n".join(lines).rstrip() + "\n"


def _markdown_escape(text: str) -> str:
    flat = printable(re.sub(r"\s+", " ", text))  # one line per passage; keep the edge spaces
    return "".join("\\" + ch if ch in "\\`*_[]<>~#|" else ch for ch in flat)


def _markdown_diff(seg: Segment) -> str:
    """Marked runs with their edge spaces outside the markers (``~~ x~~`` does not render)."""
    out = []
    for op, text in visible_ops(seg):
        if op == EQUAL:
            out.append(_markdown_escape(text))
        elif text.strip():
            core = text.strip()
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            marks = "~~{}~~" if op == DELETE else "<ins>{}</ins>"
            out.append(
                _markdown_escape(lead)
                + marks.format(_markdown_escape(core))
                + _markdown_escape(trail)
            )
    return "".join(out)


def comparison_to_html(result: Comparison) -> str:
    """One self-contained HTML page (inline CSS, no scripts, every text escaped). Control
    characters are shown escaped (``\\x1b``) as on the terminal: raw, they are invisible in
    a browser (and a parse error in HTML), but act on a terminal that ``cat``\\ s the file."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("narrative_diff", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=shown_in_html,
    )
    template = env.get_template("compare.html.j2")
    return template.render(
        result=result,
        verdict=verdict(result),
        sections=sections(result),
        changed=changed(result),
        label=label,
        position=position,
        side_ops=side_ops,
        DELETE=DELETE,
        INSERT=INSERT,
    )


def shown_in_html(value: object) -> object:
    """Jinja2's ``finalize``: text with its control characters escaped, before autoescape
    (markup the template made itself, ``Markup``, is left as it is)."""
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value
