"""api: comparing two snapshots (refs or files) and writing what ``compare`` prints."""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from narrative_diff.api.corpus_tasks import get_snapshot, ref_of
from narrative_diff.capture import AddOptions as AddOptions
from narrative_diff.corpus import Corpus
from narrative_diff.errors import UnreadableDocument, UsageProblem
from narrative_diff.refs import Shift as Shift
from narrative_diff.removal import Removed as Removed
from narrative_diff.removal import remove_snapshot as remove_snapshot
from narrative_diff.series import SeriesInfo as SeriesInfo
from narrative_diff.series import series_actors
from narrative_diff.snapshot import Snapshot as Snapshot

if TYPE_CHECKING:
    from collections.abc import Sequence

    from narrative_diff.actors import ActorSet
    from narrative_diff.beside import Drawer
    from narrative_diff.changes import ChangeRow as ChangeRow
    from narrative_diff.compare import CompareOptions as CompareOptions
    from narrative_diff.compare import Comparison as Comparison
    from narrative_diff.ingest import EXTRACT_MODES as EXTRACT_MODES
    from narrative_diff.ingest import IngestLimits as IngestLimits
    from narrative_diff.kwic import KWIC_COLUMNS as KWIC_COLUMNS
    from narrative_diff.kwic import KwicRow as KwicRow
    from narrative_diff.publish import RowsOutput as RowsOutput
    from narrative_diff.publish import Written as Written
    from narrative_diff.publish import rows_output as rows_output
    from narrative_diff.publish import write_rows as write_rows
    from narrative_diff.report import Report as Report
    from narrative_diff.results import ScoreResult as ScoreResult
    from narrative_diff.scoring import SCORE_COLUMNS as SCORE_COLUMNS
    from narrative_diff.scoring import ScoreRow as ScoreRow
    from narrative_diff.scoring import Weights as Weights
    from narrative_diff.segment import WordIndex
    from narrative_diff.shifts import ActorChange, ReadabilityChange
    from narrative_diff.similarity import DiffOptions as DiffOptions


#: What ``compare`` can print: the terminal view, Markdown, HTML or JSON (schema 1.2).
COMPARE_FORMATS = ("terminal", "md", "html", "json")


def compare_refs(
    corpus: Corpus,
    ref_a: str,
    ref_b: str,
    *,
    options: CompareOptions | None = None,
    actors: ActorSet | None = None,
) -> Comparison:
    """Compare two snapshots given as refs (or document files on disk); with ``actors``,
    the summary gains the actor block (mentions before and after, events, evidence)."""
    from narrative_diff.compare import compare
    from narrative_diff.shifts import reads_word_index

    drawer = _beside_early(ref_a, ref_b)
    try:
        a, b = get_snapshot(corpus, ref_a), get_snapshot(corpus, ref_b)
        stored = ref_of(corpus, a) is not None and ref_of(corpus, b) is not None
        if actors is not None and stored and a.series == b.series:  # the series' own actors
            actors = series_actors(corpus, a.series, actors, load_actors)
        for ref, snap in ((ref_a, a), (ref_b, b)):
            if not snap.body.strip():
                raise UnreadableDocument(
                    f"{ref} ({snap.id}) has no text to compare",
                    hint="check the snapshot with 'narrative-diff show'",
                    slug="empty-document",
                )
        jobs = [WORDS, ONE_SIDED] if reads_word_index(a, b) else [ONE_SIDED]
        drawer = _beside(a, b, actors, jobs, drawer)
    except BaseException:
        if drawer is not None:
            drawer.close()
        raise
    try:
        sided = functools.cache(lambda: drawer.get(ONE_SIDED)) if drawer else None
        readability = (lambda: sided()[0]) if sided else None
        words = (lambda: drawer.get(WORDS)) if drawer and WORDS in jobs else None
        result = compare(
            a, b, a_ref=ref_a, b_ref=ref_b, options=options, readability=readability, words=words
        )
        if actors is None:
            return result
        if sided is not None:
            block = sided()[1]
        else:
            from narrative_diff.scoring import actor_block

            block = actor_block(result, actors)
    finally:
        if drawer is not None:
            drawer.close()
    return replace(result, summary=replace(result.summary, actors=block))


#: Below this many characters in the two texts, a comparison is made in one process: a
#: second process costs a few hundredths of a second, the one-sided work less than that.
BESIDE_MIN_CHARS = 200_000
WORDS, ONE_SIDED = "words", "one-sided"


def _beside(
    a: Snapshot,
    b: Snapshot,
    actors: ActorSet | None,
    jobs: list[str],
    early: Drawer | None = None,
) -> Drawer | None:
    """A second process doing the one-sided half of a long comparison while this one
    aligns and diffs the pair, ``jobs`` in turn: each text's word index
    (:func:`word_indexes`, which the summary needs soonest: asked for only when it reads
    them, ``shifts.reads_word_index``), then each text's readability and actor mentions
    (:func:`one_sided`); None where it cannot pay (``narrative_diff.beside``). ``early``:
    the process :func:`_beside_early` made, given the texts now (or ended if they are
    short after all)."""
    from narrative_diff import beside

    work = functools.partial(_one_sided_job, a, b, actors)
    if len(a.body) + len(b.body) < BESIDE_MIN_CHARS or not beside.available():
        if early is not None:
            early.close()
        return None
    if early is not None:
        early.start(work, jobs)  # the texts are sent (pickled: a few ms)
        return early
    try:
        drawer = beside.Drawer(lambda: None, draw=work)
    except OSError:  # the fork was refused (a process limit, no memory): all of it here
        return None
    drawer.start(None, jobs)
    return drawer


def _beside_early(ref_a: str, ref_b: str) -> Drawer | None:
    """The process :func:`_beside` will use, made before the texts are read when both
    refs are document files whose sizes promise a long comparison (a text file holds at
    least a byte per character; a compressed one, .docx or a PDF, may promise too little:
    it is then forked once read): while this process reads them, it loads what its jobs
    need on first use (:func:`_warm_up`: about 0.1 s that would otherwise wait until the
    texts are read). None otherwise (stored snapshots are read first, then
    :func:`_beside` forks)."""
    from narrative_diff import beside

    try:
        sizes = [Path(ref).stat().st_size for ref in (ref_a, ref_b) if Path(ref).is_file()]
    except OSError:
        return None
    if len(sizes) < 2 or sum(sizes) < BESIDE_MIN_CHARS or not beside.available():
        return None
    try:
        return beside.Drawer(_warm_up)
    except OSError:
        return None


def _warm_up() -> None:
    """Load what the child's jobs use on first use: the readability libraries and their
    dictionaries (English: most long documents compared are), the sentence splitter. A
    warning here is nobody's (the jobs' own warnings are passed on): none is shown."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from narrative_diff import scoring, shifts  # noqa: F401 (imported for the jobs)
        from narrative_diff.readability import flesch_measures
        from narrative_diff.segment import segment

        segment("Warm. Up.", "en")
        flesch_measures("A short text to load the dictionaries.", "en")


def _one_sided_job(
    a: Snapshot, b: Snapshot, actors: ActorSet | None, job: str
) -> tuple[WordIndex, WordIndex] | tuple[ReadabilityChange, tuple[ActorChange, ...]]:
    """One of the child's jobs (:func:`_beside`), by name."""
    return word_indexes(a, b) if job == WORDS else one_sided(a, b, actors)


def word_indexes(a: Snapshot, b: Snapshot) -> tuple[WordIndex, WordIndex]:
    """Each text's :class:`~narrative_diff.segment.WordIndex`, as the summary makes it."""
    from narrative_diff.segment import WordIndex

    return WordIndex.of(a.body), WordIndex.of(b.body)


def one_sided(
    a: Snapshot, b: Snapshot, actors: ActorSet | None
) -> tuple[ReadabilityChange, tuple[ActorChange, ...]]:
    """What a comparison computes of each text alone: the readability of both, and with
    ``actors`` the actor block (else none). The values ``compare`` and ``actor_block``
    give."""
    from narrative_diff.scoring import actor_changes
    from narrative_diff.segment import segment
    from narrative_diff.shifts import readability_change

    sa = segment(a.body, a.language)
    sb = segment(b.body, b.language, like=sa)
    readability = readability_change(a, b, sa, sb)
    if actors is None:
        return readability, ()
    cross_source = a.lineage_key != b.lineage_key
    return readability, actor_changes(((a, sa), (b, sb)), actors, cross_source=cross_source)


def same_snapshot(corpus: Corpus, result: Comparison) -> str | None:
    """The line ``compare`` says when its two refs name one stored snapshot (``2025`` and
    ``latest``, say), where an empty comparison alone would leave the reader guessing;
    None otherwise."""
    a, b = result.a, result.b
    if a.path is None or b.path is None or a.path.resolve() != b.path.resolve():
        return None
    label = corpus.label(a) if ref_of(corpus, a) else str(a.path)
    return (
        f"{result.a_ref} and {result.b_ref} name the same snapshot, {label} ({a.date}): "
        "nothing to compare"
    )


def render_comparison(
    result: Comparison, fmt: str, *, side_by_side: bool = False, indent: int | None = None
) -> str:
    """A comparison as text: ``json`` (docs/compare-schema.md; ``indent`` for people),
    ``md``, ``html``, or ``terminal``: the plain text a pager shows (no colour, 160 columns,
    ``[-deleted-]{+inserted+}``)."""
    from narrative_diff import render
    from narrative_diff.serialise import to_json

    if fmt == "json":
        return to_json(render.comparison_to_dict(result), indent=indent) + "\n"
    if fmt == "html":
        return render.comparison_to_html(result)
    if fmt == "md":
        return render.comparison_to_markdown(result)
    if fmt != "terminal":
        raise UsageProblem(
            f"--format '{fmt}' is not one of {', '.join(COMPARE_FORMATS)}",
            hint="e.g. --format json",
            slug="bad-option",
        )
    import io

    from rich.console import Console

    from narrative_diff.render.compare_terminal import print_comparison

    buffer = io.StringIO()
    console = Console(file=buffer, no_color=True, width=160, soft_wrap=not side_by_side)
    print_comparison(result, console, side_by_side=side_by_side, plain=True)
    return buffer.getvalue()


def check_output_path(
    path: str | os.PathLike[str],
    corpus: Corpus,
    inputs: Sequence[str | os.PathLike[str] | None] = (),
) -> None:
    """Refuse, before any work, an output file that cannot or must not be written: one of
    the command's ``inputs`` (files given as refs, the actors file), inside the corpus,
    over a link, device or pipe, or in a missing folder."""
    from narrative_diff.publish import check_output

    check_output(Path(path), corpus.root, inputs=[i for i in inputs if i is not None])


def actors_file(actors: ActorSet | None) -> list[str]:
    """The actors file a command reads, as an input no output may replace."""
    return [actors.source] if actors and not actors.source.startswith("bundled:") else []


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: a reader never sees half a file."""
    from narrative_diff.storage import write_file

    write_file(Path(path), text.encode("utf-8"))


def load_actors(path: str | os.PathLike[str] | None = None) -> ActorSet:
    """The actors file given, or the bundled ILRS one."""
    from narrative_diff.actors import load_actors as load

    return load(path)
