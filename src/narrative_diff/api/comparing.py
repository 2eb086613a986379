"""api: comparing two snapshots (refs or files) and writing what ``compare`` prints."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    from array import array
    from collections.abc import Iterator, Sequence

    from narrative_diff.actors import ActorSet
    from narrative_diff.beside import Drawer
    from narrative_diff.changes import ChangeRow as ChangeRow
    from narrative_diff.compare import Changed, Paired
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
    from narrative_diff.segment import Block, ByBlock, Segmented, WordIndex
    from narrative_diff.shifts import ActorChange, ReadabilityChange, Summary
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
    the summary gains the actor block (mentions before and after, events, evidence).
    ``actors`` from :func:`read_actors` are checked before the texts are aligned, or, for
    a long comparison, in the process beside: a bad alias or pattern then fails as soon
    as this process sees its refusal (before the alignment if it has come by then, else
    when the summary is asked for; before anything is printed either way)."""
    with _comparing(corpus, ref_a, ref_b, options, actors) as paired:
        return paired.summarised()


@dataclass(frozen=True)
class Rendered:
    """A comparison and its text in one of :data:`COMPARE_FORMATS` (``terminal``: as a
    pager shows it), as the UTF-8 to write out, in pieces (:attr:`text`: as one string)."""

    comparison: Comparison
    data: tuple[bytes | memoryview, ...]

    @property
    def text(self) -> str:
        return b"".join(self.data).decode("utf-8")


def compare_rendered(
    corpus: Corpus,
    ref_a: str,
    ref_b: str,
    fmt: str,
    *,
    options: CompareOptions | None = None,
    actors: ActorSet | None = None,
    side_by_side: bool = False,
    indent: int | None = None,
) -> Rendered:
    """:func:`compare_refs`, then :func:`render_comparison`; for compact JSON, the
    segments (most of the text) are written while the summary is made beside (a long
    comparison's second process): the same text, sooner."""
    from narrative_diff import render
    from narrative_diff.serialise import to_json, with_last_member

    with _comparing(corpus, ref_a, ref_b, options, actors) as paired:
        if fmt != "json" or indent is not None:
            result = paired.summarised()
            text = render_comparison(result, fmt, side_by_side=side_by_side, indent=indent)
            return Rendered(result, (text.encode("utf-8"),))
        *head, last = render.paired_to_json_utf8(paired.paired)
        result = paired.summarised()
    summary = to_json(render.summary_to_dict(result.summary), indent=None)
    return Rendered(result, (*head, *with_last_member(last, "summary", summary), b"\n"))


class _Comparing:
    """Two snapshots aligned and diffed (:attr:`paired`), their summary made here or in
    the process beside (:meth:`summarised`)."""

    def __init__(self, paired: Paired, drawer: Drawer | None, half: Beside) -> None:
        self.paired = paired
        self._drawer = drawer
        self._half = half

    def summarised(self) -> Comparison:
        from narrative_diff.compare import summarised

        if self._drawer is not None:
            summary = self._drawer.get(SUMMARY)
        else:
            summary = self._half.summary(self.paired.changed())
        return summarised(self.paired, summary)


@contextlib.contextmanager
def _comparing(
    corpus: Corpus,
    ref_a: str,
    ref_b: str,
    options: CompareOptions | None,
    actors: ActorSet | None,
) -> Iterator[_Comparing]:
    """Read, align and diff two snapshots; the summary is the second process's when the
    comparison is long (:class:`Beside`), and that process ends with the block."""
    from narrative_diff.compare import CompareOptions, pair, segment_pair
    from narrative_diff.segment import sentence_cuts

    options = options or CompareOptions()
    drawer = _beside_early(ref_a, ref_b, actors)
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
        half = Beside(a, b, actors)
        drawer = _beside(half, drawer)
        if drawer is None and actors is not None:  # (else beside: _warm_up, actor_block)
            check_actors(actors)  # a bad alias or pattern fails before the work
        segmented = segment_pair(a, b)
        if drawer is not None:  # (the second process needs them long before the summary)
            cuts = sentence_cuts(segmented[0]), sentence_cuts(segmented[1])
            drawer.start(None, [SENTENCES], given={SENTENCES: cuts})
            if (refused := drawer.refusal()) is not None:  # (a bad actors file): not
                raise refused  # after aligning the pair for nothing, if it has come
        # the changed segments go to the second process as soon as they are made: it
        # reads them while this one makes the unchanged ones and writes them all
        send = functools.partial(_order_summary, drawer) if drawer is not None else None
        paired = pair(
            a, b, a_ref=ref_a, b_ref=ref_b, options=options, segmented=segmented, on_changed=send
        )
        if drawer is None:  # all of it here: the texts are cut into sentences once
            half.segmented = paired.a_segmented, paired.b_segmented
        yield _Comparing(paired, drawer, half)
    finally:
        if drawer is not None:
            drawer.close()


def _order_summary(drawer: Drawer, changed: Changed) -> None:
    drawer.start(None, [SUMMARY], given={SUMMARY: changed})


#: Below this many characters in the two texts, a comparison is made in one process: a
#: second process costs a few hundredths of a second, the one-sided work less than that.
BESIDE_MIN_CHARS = 200_000
PREPARE, SENTENCES, SUMMARY = "prepare", "sentences", "summary"


class Beside:
    """The half of a long comparison that the second process does, in three jobs: what
    it reads of each text's paragraphs alone (word counts, word indexes: job
    :data:`PREPARE`, from the moment it has the texts); each text's sentences, as this
    process cut them (sent as soon as they are cut: ``segment.sentence_cuts``), their
    readability and the actors' mentions (job :data:`SENTENCES`); then the summary, from
    the segments that changed, sent once this process has aligned and diffed the pair
    (``compare.Changed``: job :data:`SUMMARY`). Kept between the jobs; done here
    instead, in one process or when the second one fails. The values :func:`compare` and
    ``actor_block`` give."""

    def __init__(self, a: Snapshot, b: Snapshot, actors: ActorSet | None) -> None:
        self.a, self.b, self.actors = a, b, actors

    def __call__(self, job: str, given: Any = None) -> Summary | None:
        """Job ``job`` (the second process's work: ``beside.Draw``), with what it was
        ``given``: the sentence cuts, the changed segments."""
        if job == PREPARE:
            self.prepare()
        elif job == SENTENCES:
            self.sentences(given)
        else:
            return self.summary(given)
        return None

    def prepare(self) -> None:
        """What the summary will read of each text's paragraphs alone, computed and kept;
        first the actors' check, so that a bad alias or pattern is said early."""
        from narrative_diff.shifts import reads_word_index

        if self.actors is not None:
            check_actors(self.actors)
        for snap, blocks in zip((self.a, self.b), self.blocks, strict=True):
            # each text's word count (the readability's, the actors' rates), b's read
            # from a's for the paragraphs they share: the cached property, found sooner
            vars(snap).setdefault("words", self._by_block.count(blocks))
        if reads_word_index(self.a, self.b):
            self.word_indexes  # noqa: B018 (computed now, kept)

    def sentences(self, cuts: tuple[array[int], array[int]]) -> None:
        """Each text's sentences as the first process cut them (``cuts``), then what the
        summary reads of them, computed and kept."""
        from narrative_diff.segment import cut

        sides = zip((self.a, self.b), self.blocks, cuts, strict=True)
        sa, sb = (cut(snap.body, snap.language, c, blocks) for snap, blocks, c in sides)
        self.segmented = sa, sb
        self.readability, self.actor_block  # noqa: B018 (computed now, kept)

    def summary(self, changed: Changed) -> Summary:
        """The summary, from the segments that changed (``Paired.changed``), with the
        actor block when there are actors."""
        from narrative_diff.shifts import summary_of

        sa, sb = self.segmented
        summary = summary_of(
            self.a,
            self.b,
            sa,
            sb,
            changed.read(self.a, self.b),
            readability=lambda: self.readability,
            words=lambda: self.word_indexes,
        )
        if self.actors is None:
            return summary
        return replace(summary, actors=self.actor_block)

    @functools.cached_property
    def segmented(self) -> tuple[Segmented, Segmented]:
        from narrative_diff.compare import segment_pair

        return segment_pair(self.a, self.b)

    @functools.cached_property
    def blocks(self) -> tuple[tuple[Block, ...], tuple[Block, ...]]:
        """Each text's blocks: its segmentation's, or cut alone (no sentences yet)."""
        if "segmented" in vars(self):
            return self.segmented[0].blocks, self.segmented[1].blocks
        from narrative_diff.segment import split_blocks

        return tuple(split_blocks(self.a.body)), tuple(split_blocks(self.b.body))

    @functools.cached_property
    def readability(self) -> ReadabilityChange:
        from narrative_diff.shifts import readability_change

        return readability_change(self.a, self.b, *self.segmented)

    @functools.cached_property
    def actor_block(self) -> tuple[ActorChange, ...]:
        """With actors, their block (``scoring.actor_changes``); else none."""
        from narrative_diff.scoring import actor_changes

        if self.actors is None:
            return ()
        check_actors(self.actors)  # (compiled once: a set read_actors gave is checked here)
        (a, sa), (b, sb) = (self.a, self.segmented[0]), (self.b, self.segmented[1])
        cross_source = a.lineage_key != b.lineage_key
        return actor_changes(((a, sa), (b, sb)), self.actors, cross_source=cross_source)

    @functools.cached_property
    def word_indexes(self) -> tuple[WordIndex, WordIndex]:
        """Each text's :class:`~narrative_diff.segment.WordIndex`, as the summary makes it
        (b's read from a's for the paragraphs they share)."""
        blocks_a, blocks_b = self.blocks
        return self._by_block.index(blocks_a), self._by_block.index(blocks_b)

    @functools.cached_property
    def _by_block(self) -> ByBlock:
        from narrative_diff.segment import ByBlock

        return ByBlock()


def _beside(half: Beside, early: Drawer | None = None) -> Drawer | None:
    """A second process doing ``half`` of a long comparison (its :data:`PREPARE` job
    ordered now) while this one aligns and diffs the pair; None where it cannot pay
    (``narrative_diff.beside``). ``early``: the process :func:`_beside_early` made, given
    the texts now (or ended if they are short after all)."""
    from narrative_diff import beside

    if len(half.a.body) + len(half.b.body) < BESIDE_MIN_CHARS or not beside.available():
        if early is not None:
            early.close()
        return None
    if early is not None:
        early.start(half, [PREPARE])  # the texts are sent (pickled: a few ms)
        return early
    try:
        drawer = beside.Drawer(lambda: None, draw=half)
    except OSError:  # the fork was refused (a process limit, no memory): all of it here
        return None
    drawer.start(None, [PREPARE])
    return drawer


def _beside_early(ref_a: str, ref_b: str, actors: ActorSet | None) -> Drawer | None:
    """The process :func:`_beside` will use, made before the texts are read when both
    refs are document files whose sizes promise a long comparison (a text file holds at
    least a byte per character; a compressed one, .docx or a PDF, may promise too little:
    it is then forked once read): while this process reads them, it loads what its jobs
    need on first use and compiles the ``actors`` (:func:`_warm_up`: about 0.13 s that
    would otherwise wait until the texts are read). None otherwise (stored snapshots are
    read first, then :func:`_beside` forks)."""
    from narrative_diff import beside

    try:
        sizes = [Path(ref).stat().st_size for ref in (ref_a, ref_b) if Path(ref).is_file()]
    except OSError:
        return None
    if len(sizes) < 2 or sum(sizes) < BESIDE_MIN_CHARS or not beside.available():
        return None
    try:
        return beside.Drawer(functools.partial(_warm_up, actors))
    except OSError:
        return None


def _warm_up(actors: ActorSet | None = None) -> None:
    """Load what the child's jobs use on first use: the readability libraries and their
    dictionaries (English: most long documents compared are), and the ``actors``'
    matcher (this process never needs it). A warning or an error here is nobody's: the
    jobs meet their own again, and they are passed on."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from narrative_diff import scoring, shifts  # noqa: F401 (imported for the jobs)
        from narrative_diff.readability import load_flesch

        load_flesch("en")
        if actors is not None:
            check_actors(actors)


@contextlib.contextmanager
def one_comparison() -> Iterator[None]:
    """The cyclic garbage collector off while a process makes and prints one comparison.

    Its objects (over a million at 200,000 words) live until it is printed, so each
    collection walked a growing heap to free nothing: 0.04 s of the command, and 0.02 s in
    the process beside it, which is made meanwhile and inherits the setting. At the end the
    objects are frozen (:func:`gc.freeze`) rather than walked once more when the collector
    is back: cycles among them are then freed only with the process. For a command line,
    not for a library caller that compares again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


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


def write_text(path: str | os.PathLike[str], text: str | Rendered) -> None:
    """Write ``text`` (UTF-8), or a rendered comparison, to ``path`` atomically: a reader
    never sees half a file."""
    from narrative_diff.storage import write_file

    data = b"".join(text.data) if isinstance(text, Rendered) else text.encode("utf-8")
    write_file(Path(path), data)


def load_actors(path: str | os.PathLike[str] | None = None) -> ActorSet:
    """The actors file given, or the bundled ILRS one."""
    from narrative_diff.actors import load_actors as load

    return load(path)


def read_actors(path: str | os.PathLike[str] | None = None) -> ActorSet:
    """The actors file given, or the bundled ILRS one, its shape checked but its aliases
    and patterns not yet compiled: enough for :func:`compare_refs` and
    :func:`compare_rendered`, which check them where they are used (a long comparison:
    in the process beside, while this one reads the texts). The matcher's module is not
    loaded here (``actors_file``)."""
    from narrative_diff.actors_file import read_actors as read

    return read(path)


def check_actors(actors: ActorSet) -> None:
    """Compile and check what :func:`read_actors` left (compiled once per set; the
    Russian forms of a user's file checked once; the pattern budget started again)."""
    from narrative_diff.actors import check_actors as check

    check(actors)
