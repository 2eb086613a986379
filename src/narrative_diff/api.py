"""The façade the CLI and notebooks call: one function per user task.

Each function takes plain values and an options dataclass and returns values; none of
them prints. Heavy modules (ingestion libraries) load only inside the functions that
need them, so ``list`` and ``show`` stay fast. The result and option types (``ScoreResult``,
``ScoreRow``, ``ChangeRow``, ``Comparison``, ``CompareOptions``, ``DiffOptions``,
``IngestLimits``, ``Report``, ``Written``) can be imported from here too, with the
output of rows to a file (``rows_output``, ``write_rows``: ``-o``, ``-f parquet``); they load
on first use.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from . import location
from .capture import AddOptions as AddOptions
from .capture import build_snapshot, capture_notes, document_snapshot
from .check import Problem, check_corpus, update_hashes
from .corpus import Corpus
from .errors import SnapshotNotFound, UnreadableDocument, UsageProblem
from .refs import Shift as Shift
from .refs import shift, short_hashes
from .removal import Removed as Removed
from .removal import remove_snapshot as remove_snapshot
from .series import SeriesInfo as SeriesInfo
from .series import series_actors, series_problems
from .series import series_info as corpus_series_info
from .snapshot import Snapshot as Snapshot
from .snapshot import check_language, check_lineage, check_name, parse_date, shown
from .storage import make_folders, read_utf8

#: Where writing commands put their files when ``-o`` is not given (relative to the
#: current folder): the report, its charts, ``chart`` and ``-f parquet`` tables.
REPORTS = Path("reports")

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import pandas as pd

    from .actors import ActorSet
    from .changes import ChangeRow as ChangeRow
    from .changes import ScoreResult as ScoreResult
    from .compare import CompareOptions as CompareOptions
    from .compare import Comparison as Comparison
    from .ingest import EXTRACT_MODES as EXTRACT_MODES
    from .ingest import IngestLimits as IngestLimits
    from .kwic import KWIC_COLUMNS as KWIC_COLUMNS
    from .kwic import KwicRow as KwicRow
    from .publish import RowsOutput as RowsOutput
    from .publish import Written as Written
    from .publish import rows_output as rows_output
    from .publish import write_rows as write_rows
    from .report import Report as Report
    from .scoring import SCORE_COLUMNS as SCORE_COLUMNS
    from .scoring import ScoreRow as ScoreRow
    from .scoring import Weights as Weights
    from .similarity import DiffOptions as DiffOptions

#: Names of lower modules that api offers, loaded on first use (start-up stays light).
_LAZY = {
    "ChangeRow": "changes",
    "ScoreResult": "changes",
    "CompareOptions": "compare",
    "Comparison": "compare",
    "IngestLimits": "ingest",
    "KwicRow": "kwic",
    "KWIC_COLUMNS": "kwic",
    "EXTRACT_MODES": "ingest",
    "Written": "publish",
    "RowsOutput": "publish",
    "rows_output": "publish",
    "write_rows": "publish",
    "Report": "report",
    "SCORE_COLUMNS": "scoring",
    "ScoreRow": "scoring",
    "Weights": "scoring",
    "DiffOptions": "similarity",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__package__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: What ``compare`` can print: the terminal view, Markdown, HTML or JSON (schema 1.1).
COMPARE_FORMATS = ("terminal", "md", "html", "json")


@dataclass(frozen=True)
class Listed:
    """One row of ``list``."""

    ref: str
    date: dt.date
    id: str
    title: str | None  # None: the document has no title (the terminal shows "(no title)")
    kind: str | None
    language: str | None
    words: int
    hash_ok: bool
    lineage: str = ""  # Snapshot.lineage_name: the lineage, else the publisher
    lineage_shown: str = ""  # its display name (series.yaml ``lineages``); not in rows
    hash: str = ""  # its hash ref (refs.short_hashes), which never shifts

    @staticmethod
    def columns() -> list[str]:
        return [
            "ref", "hash", "date", "id", "title", "kind", "language", "words", "hash_ok",
            "lineage",
        ]  # fmt: skip

    def as_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "hash": self.hash,
            "date": self.date.isoformat(),
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "language": self.language,
            "words": self.words,
            "hash_ok": self.hash_ok,
            "lineage": self.lineage,
        }


def open_corpus(path: str | os.PathLike[str] | None = None) -> Corpus:
    """The corpus from ``--corpus``, ``$NARRATIVE_DIFF_CORPUS``, ``./seeds`` or the bundle."""
    return location.locate(path)


def list_snapshots(corpus: Corpus, series: str | None = None) -> list[Listed]:
    """Every snapshot (of one series, or all) in date order with its ``vN`` ref."""
    many = series is None and len(corpus.series_names()) > 1
    snaps = corpus.snapshots(series)
    names: dict[tuple[str, str], str] = {}  # a lineage as first written in its series
    infos: dict[str, SeriesInfo] = {}
    for snap in snaps:
        names.setdefault((snap.series, snap.lineage_key), snap.lineage_name)
        infos.setdefault(snap.series, corpus_series_info(corpus, snap.series))
    hashes = short_hashes(corpus.snapshots())  # unique in the corpus, as refs are resolved
    rows = []
    for snap in snaps:
        ref = corpus.version_of(snap)
        rows.append(
            Listed(
                f"{snap.series}:{ref}" if many else ref,
                snap.date,
                snap.id,
                snap.title,
                snap.kind,
                snap.language,
                snap.words,
                snap.hash_ok,
                names[(snap.series, snap.lineage_key)],
                infos[snap.series].shown_lineage(names[(snap.series, snap.lineage_key)]),
                hash=hashes[snap.id],
            )
        )
    return rows


def series_info(corpus: Corpus, series: str | None = None) -> SeriesInfo:
    """A series' title, description, actors file and lineage names (its ``series.yaml``;
    the slug as title without one); the corpus's only series when None."""
    return corpus_series_info(corpus, _one_series(corpus, series))


def series_heading(corpus: Corpus, series: str | None = None) -> str | None:
    """The line ``list`` prints above its table: the series' title and description;
    None without a ``series.yaml`` title, or when the listing spans several series."""
    names = [series] if series is not None else corpus.series_names()
    return corpus_series_info(corpus, names[0]).heading if len(names) == 1 else None


def get_snapshot(corpus: Corpus, ref: str, *, limits: IngestLimits | None = None) -> Snapshot:
    """Resolve a ref in the corpus; failing that, read it as a document file on disk."""
    try:
        return corpus.resolve(ref)
    except SnapshotNotFound:
        if not Path(ref).is_file():
            raise
    with Path(ref).open("rb") as file:  # sniff, without reading a large document twice
        head = file.read(3)
    if head == b"---":  # a snapshot file itself (from this or another corpus)
        return Snapshot.from_markdown(read_utf8(Path(ref)), path=Path(ref))
    return document_snapshot(Path(ref), limits=limits)


def removal_target(corpus: Corpus, ref: str) -> tuple[Snapshot, str]:
    """What ``remove REF`` would remove (a snapshot of the corpus, never a file on disk)
    and how to name it when asking; a read-only corpus is refused first."""
    corpus.require_writable()
    snap = corpus.resolve(ref)
    raw = f" and its raw capture {snap.raw_file}" if snap.raw_file else ""
    title = snap.display_title if len(snap.display_title) <= 60 else snap.display_title[:59] + "…"
    return snap, f"{corpus.label(snap)} ({snap.date}, {title}){raw}"


def corpus_line(corpus: Corpus) -> str:
    """The first line of a command that writes to the corpus: which one, and why that
    one (so that an add never lands in ``./seeds`` unnoticed)."""
    why = {
        "option": "--corpus",
        "env": f"${location.ENV_VAR}",
        "seeds": "seeds/ in the current folder",
        "bundled": "the bundled series",
    }.get(corpus.origin, corpus.origin)
    return f"corpus {corpus.root} ({why})"


def ref_of(corpus: Corpus, snap: Snapshot) -> str | None:
    """The ``vN`` ref of a stored snapshot (``SERIES:vN`` when the corpus has several
    series); None for a document read from a file outside the corpus."""
    if snap.path is None or not snap.path.resolve().is_relative_to(corpus.root.resolve()):
        return None
    return corpus.label(snap).split()[0]


def describe(corpus: Corpus, snap: Snapshot) -> dict[str, object]:
    """Everything ``show --meta`` prints: ref, front matter, word count, hash status, path."""
    return {
        "ref": ref_of(corpus, snap),
        **snap.metadata(),
        "words": snap.words,
        "hash_ok": snap.hash_ok,
        "path": str(snap.path) if snap.path else None,
    }


def edited_warning(snaps: Iterable[Snapshot]) -> str | None:
    """The one warning a command prints when a snapshot it used was edited after capture
    (its text no longer matches its recorded ``sha256``) or has no hash to check it by,
    naming them and the fix; None when every one is as captured."""
    used = list({snap.id: snap for snap in snaps if not snap.hash_ok}.values())
    edited = [snap.id for snap in used if snap.sha256]
    unrecorded = [snap.id for snap in used if not snap.sha256]
    parts = []
    if edited:
        parts.append(
            f"{_named(edited)} {_were(edited)} edited after capture (the text does not match "
            "the recorded sha256)"
        )
    if unrecorded:
        parts.append(f"{_named(unrecorded)} {_were(unrecorded)} not hashed (no sha256 recorded)")
    if not parts:
        return None
    return (
        "; ".join(parts) + " and the text is used as it is; 'narrative-diff check' lists "
        "edits, 'narrative-diff check --update-hashes' accepts them"
    )


def _named(ids: list[str]) -> str:
    """At most three ids, escaped and cut, then how many more."""
    named = ", ".join(shown(i, 80) for i in ids[:3])
    return named + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")


def _were(ids: list[str]) -> str:
    return "was" if len(ids) == 1 else f"({len(ids)} snapshots) were"


def series_snapshots(corpus: Corpus, series: str | None = None) -> list[Snapshot]:
    """The snapshots of a series (the corpus's only one when None), in date order: what
    ``score``, ``kwic``, ``chart`` and ``report`` read."""
    return corpus.snapshots(_one_series(corpus, series))


@dataclass(frozen=True)
class Added:
    """A stored snapshot, its ``vN`` ref, and what ``add`` tells the user about it (a low
    extraction coverage, a repair, a date from the page, an id that gave way), one line each.
    """

    snapshot: Snapshot
    ref: str | None
    notes: tuple[str, ...]
    hash: str = ""  # its hash ref, which never shifts
    shift: Shift | None = None  # later snapshots whose vN moved up


def add_snapshot(
    corpus: Corpus, source: str, options: AddOptions, *, stdin: BinaryIO | None = None
) -> Added:
    """Extract ``source`` (path, ``-`` or URL) and store it as a new snapshot. Without
    ``--slug``, a second version in the same month gets a free id (day, then a number)."""
    from .ingest import IngestLimits, read_source

    check_name(options.series, "series")
    if options.slug:
        check_name(options.slug, "slug")
    if options.language:
        check_language(options.language)
    if options.lineage is not None:
        options = replace(options, lineage=check_lineage(options.lineage))
    if options.publisher is not None:  # the lineage of a snapshot without one
        options = replace(options, publisher=check_lineage(options.publisher, "publisher"))
    corpus.require_writable()  # refuse before any download or extraction work
    extracted = read_source(
        source, limits=options.limits or IngestLimits(), stdin=stdin, extract=options.extract
    )
    snap = build_snapshot(extracted, options)
    folder = corpus.root / options.series
    before = [s.id for s in corpus.snapshots(options.series)] if folder.is_dir() else []
    stored = corpus.add(
        snap,
        raw=extracted.raw,
        raw_suffix=extracted.raw_suffix,
        overwrite=options.replace,
        auto_id=options.slug is None,
    )
    notes = capture_notes(extracted, options, stored.id)
    if stored.id != snap.id:
        notes.append(f"{snap.id} is taken: this version is {stored.id}")
    after = corpus.snapshots(options.series)
    moved = shift(options.series, before, [s.id for s in after])
    return Added(
        stored, ref_of(corpus, stored), tuple(notes), short_hashes(after)[stored.id], moved
    )


def check(corpus: Corpus, *, update: bool = False) -> tuple[list[Snapshot], list[Problem]]:
    """Problems in the corpus; with ``update``, first record hashes of edited snapshots.
    A corpus folder that does not exist is an error (exit 7), as for every command."""
    corpus.require_existing()
    if update:
        update_hashes(corpus)
    good, problems = check_corpus(corpus)
    return good, problems + series_problems(corpus)


def init_corpus(dest: str | os.PathLike[str]) -> Corpus:
    """Create a writable corpus with a copy of the bundled ILRS series."""
    return location.init(dest)


def parse_add_date(value: str) -> dt.date:
    """The ``--date`` option: an ISO 8601 date."""
    return parse_date(value, where="--date")


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
    from .compare import compare

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
    result = compare(a, b, a_ref=ref_a, b_ref=ref_b, options=options)
    if actors is None:
        return result
    from .scoring import actor_block

    summary = replace(result.summary, actors=actor_block(result, actors))
    return replace(result, summary=summary)


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
    from . import render
    from .serialise import to_json

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

    from .render.compare_terminal import print_comparison

    buffer = io.StringIO()
    console = Console(file=buffer, no_color=True, width=160, soft_wrap=not side_by_side)
    print_comparison(result, console, side_by_side=side_by_side, plain=True)
    return buffer.getvalue()


def shown_source(source: str) -> str:
    """A source (a path or URL) as it may be shown: credentials in a URL redacted."""
    from .ingest.redact import redact_url

    return redact_url(source) if "://" in source else source


def check_output_path(
    path: str | os.PathLike[str],
    corpus: Corpus,
    inputs: Sequence[str | os.PathLike[str] | None] = (),
) -> None:
    """Refuse, before any work, an output file that cannot or must not be written: one of
    the command's ``inputs`` (files given as refs, the actors file), inside the corpus,
    over a link, device or pipe, or in a missing folder."""
    from .publish import check_output

    check_output(Path(path), corpus.root, inputs=[i for i in inputs if i is not None])


def _actors_file(actors: ActorSet | None) -> list[str]:
    """The actors file a command reads, as an input no output may replace."""
    return [actors.source] if actors and not actors.source.startswith("bundled:") else []


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: a reader never sees half a file."""
    from .storage import write_file

    write_file(Path(path), text.encode("utf-8"))


def load_actors(path: str | os.PathLike[str] | None = None) -> ActorSet:
    """The actors file given, or the bundled ILRS one."""
    from .actors import load_actors as load

    return load(path)


def score_series(
    corpus: Corpus,
    series: str | None = None,
    *,
    actors: ActorSet | None = None,
    weights: Weights | None = None,
    progress: Callable[[int, int], None] | None = None,
    between: tuple[str, str] | None = None,
    by: str = "snapshot",
) -> ScoreResult:
    """Score every snapshot of a series (the only one when the corpus has one). The change
    statistics cover each snapshot against the previous one of its lineage and first →
    last of each lineage, or only ``between`` (two refs). ``by="lineage"`` groups the rows
    by lineage."""
    from .changes import score_series as score

    if by not in SCORE_ORDERS:
        raise UsageProblem(
            f"--by {by} is not one of {', '.join(SCORE_ORDERS)}",
            hint="use --by snapshot (date order) or --by lineage",
            slug="bad-option",
        )

    series = _one_series(corpus, series)
    snaps = corpus.snapshots(series)
    if not snaps:
        raise SnapshotNotFound(
            f"series '{series}' has no snapshots",
            hint="add one with 'narrative-diff add'",
            slug="empty-series",
        )
    pairs = None if between is None else [_pair_positions(corpus, series, snaps, between)]
    result = score(
        snaps,
        series_actors(corpus, series, actors, load_actors),
        corpus.version_of,
        weights=weights,
        pairs=pairs,
        progress=progress,
    )
    return result.by_lineage() if by == "lineage" else result


#: How ``score`` orders its rows (``--by``).
SCORE_ORDERS = ("snapshot", "lineage")


def _pair_positions(
    corpus: Corpus, series: str, snaps: Sequence[Snapshot], between: tuple[str, str]
) -> tuple[int, int]:
    """Positions in ``snaps`` of the two refs of ``--between`` (both of ``series``)."""
    ids = [snap.id for snap in snaps]
    found = [corpus.resolve(ref, series=series) for ref in between]
    for ref, snap in zip(between, found, strict=True):
        if snap.id not in ids:
            raise UsageProblem(
                f"--between {ref} is {snap.id}, not a snapshot of series '{series}'",
                hint=f"give two refs of series '{series}', e.g. v1 v3",
                slug="bad-option",
            )
    return ids.index(found[0].id), ids.index(found[1].id)


def score_frame(result: ScoreResult) -> pd.DataFrame:
    """The score table as a pandas DataFrame, for notebooks (one row per snapshot × actor,
    columns as in ``score --format csv``)."""
    import pandas as pd

    from .scoring import SCORE_COLUMNS

    return pd.DataFrame([row.as_dict() for row in result.rows], columns=list(SCORE_COLUMNS))


def change_frame(result: ScoreResult) -> pd.DataFrame:
    """The change statistics as a pandas DataFrame, for notebooks (columns as in
    ``score --format json``'s ``changes``)."""
    import pandas as pd

    return pd.DataFrame([row.as_dict() for row in result.changes])


def _one_series(corpus: Corpus, series: str | None) -> str:
    """The series asked for, or the corpus's only one."""
    names = corpus.series_names()
    if series is not None:
        return check_name(series, "series")  # no "..", "/" or hidden names
    if len(names) != 1:
        raise UsageProblem(
            f"the corpus holds {len(names)} series",
            hint="name one: " + ", ".join(names),
            slug="series-needed",
        )
    return names[0]


def describe_actors(actors: ActorSet) -> list[dict[str, object]]:
    """What ``narrative-diff actors`` lists: key, name, kind, aliases, exclusions, patterns."""
    return [
        {
            "actor": a.key,
            "name": a.name,
            "kind": a.kind,
            "aliases": list(a.aliases),
            "exclude": list(a.exclude),
            "patterns": list(a.patterns),
        }
        for a in actors.actors
    ]


def keyword_in_context(
    corpus: Corpus,
    term: str,
    series: str | None = None,
    *,
    actors: ActorSet | None = None,
    regex: bool = False,
    window: int = 40,
) -> list[KwicRow]:
    """Every mention of an actor (key or name), or every occurrence of a word, phrase or
    (``regex``) regular expression, in a series in date order: ref, date, sentence, where,
    ``window`` characters left and right, and for an actor the alias and weight."""
    from .kwic import keyword_rows

    series = _one_series(corpus, series)
    snaps = corpus.snapshots(series)
    refs = {snap.id: corpus.version_of(snap) for snap in snaps}
    actors = series_actors(corpus, series, actors, load_actors)
    return keyword_rows(snaps, refs, term, actors, regex_search=regex, window=window)


def chart_series(
    corpus: Corpus,
    series: str | None,
    metrics: str | Sequence[str],
    out: str | os.PathLike[str] | None = None,
    *,
    actors: ActorSet | None = None,
    top: int = 7,
) -> Written:
    """Chart ``metrics`` (charts.METRICS; a list, or names separated by commas) of a series
    into ``out`` (.png, .svg or .pdf; default ``reports/<series>-<metrics>.png``, beside
    the report, never the current folder); several metrics give small multiples."""
    from .charts import lineage_charts, parse_metrics
    from .charts import texts as chart_texts
    from .fonts import require_glyphs
    from .publish import (
        CHART_FORMATS,
        check_output,
        check_source_date_epoch,
        output_format,
        write_chart,
    )

    if isinstance(metrics, str):
        metrics = parse_metrics(metrics)
    check_source_date_epoch()
    series = _one_series(corpus, series)
    path = Path(out) if out is not None else REPORTS / f"{series}-{'-'.join(metrics)}.png"
    if out is not None:
        output_format(path, CHART_FORMATS)  # a bad file name fails before any work
    check_output(path, corpus.root, new_folder=out is None, inputs=_actors_file(actors))
    result = score_series(corpus, series, actors=actors)
    info = corpus_series_info(corpus, series)
    charts = [  # a panel per metric, and per lineage when the series has several
        panel
        for metric in metrics
        for panel in lineage_charts(
            result.rows,
            result.changes,
            metric,
            series=series,
            actors_source=result.actors.source,
            top=top,
            title=info.title if info.titled else "",
            lineage_shown=info.shown_lineage,
        )
    ]
    fonts = require_glyphs(chart_texts(charts))
    if out is None:
        make_folders([path.parent])
    return write_chart(charts, path, fonts)


def build_report(
    corpus: Corpus,
    series: str | None = None,
    *,
    actors: ActorSet | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """The report model of a series (findings, chart data, table, redlines), ready for any
    renderer; ``progress(stage, done, total)`` is called as the work goes."""
    from .report import build

    series = _one_series(corpus, series)
    report_progress = progress or (lambda stage, done, total: None)
    result = score_series(
        corpus,
        series,
        actors=actors,
        progress=lambda done, total: report_progress("scoring", done, total),
    )
    snaps = corpus.snapshots(series)
    refs = {snap.id: corpus.version_of(snap) for snap in snaps}
    info = corpus_series_info(corpus, series)
    return build(snaps, refs, result, series=series, info=info, progress=report_progress)


def report_series(
    corpus: Corpus,
    series: str | None = None,
    out: str | os.PathLike[str] | None = None,
    *,
    actors: ActorSet | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Written]:
    """The report on a series: reports/<series>.pdf, .html and PNGs by default, or the one
    format ``out`` names (.pdf, .html, .png or .md). ``progress(stage, done, total)`` is
    called as the work goes."""
    from .publish import check_output, check_source_date_epoch
    from .report import report_paths, write_report

    check_source_date_epoch()
    series = _one_series(corpus, series)
    paths = report_paths(series, Path(out) if out is not None else None)
    for path in paths.values():  # the default folder, reports/, is made when writing
        check_output(path, corpus.root, new_folder=out is None, inputs=_actors_file(actors))
    report_progress = progress or (lambda stage, done, total: None)
    report = build_report(corpus, series, actors=actors, progress=report_progress)
    stages = len(paths) + 1
    counter = iter(range(1, stages + 1))
    return write_report(
        report,
        paths,
        progress=lambda stage: report_progress(stage, next(counter, stages), stages),
    )
