"""api: actors, scores, keyword in context, charts and the report over a series."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from narrative_diff.api.comparing import actors_file, load_actors
from narrative_diff.api.corpus_tasks import one_series
from narrative_diff.capture import AddOptions as AddOptions
from narrative_diff.corpus import Corpus
from narrative_diff.errors import SnapshotNotFound, UsageProblem
from narrative_diff.refs import Shift as Shift
from narrative_diff.removal import Removed as Removed
from narrative_diff.removal import remove_snapshot as remove_snapshot
from narrative_diff.series import SeriesInfo as SeriesInfo
from narrative_diff.series import series_actors
from narrative_diff.series import series_info as corpus_series_info
from narrative_diff.snapshot import Snapshot as Snapshot
from narrative_diff.storage import make_folders

#: Where writing commands put their files when ``-o`` is not given (relative to the
#: current folder): the report, its charts, ``chart`` and ``-f parquet`` tables.
REPORTS = Path("reports")

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import pandas as pd

    from narrative_diff.actors import ActorSet
    from narrative_diff.changes import ChangeRow as ChangeRow
    from narrative_diff.compare import CompareOptions as CompareOptions
    from narrative_diff.compare import Comparison as Comparison
    from narrative_diff.engines import ENGINES as ENGINES
    from narrative_diff.engines import Engine as Engine
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
    from narrative_diff.similarity import DiffOptions as DiffOptions


def score_series(
    corpus: Corpus,
    series: str | None = None,
    *,
    actors: ActorSet | None = None,
    weights: Weights | None = None,
    progress: Callable[[int, int], None] | None = None,
    between: tuple[str, str] | None = None,
    by: str = "snapshot",
    engine: Engine | None = None,
    statistics: bool = True,
    headers: bool = True,
    aside: bool = False,
) -> ScoreResult:
    """Score every snapshot of a series (the only one when the corpus has one). The change
    statistics cover each snapshot against the previous one of its lineage and first →
    last of each lineage, or only ``between`` (two refs). ``by="lineage"`` groups the rows
    by lineage. ``engine``: where snapshots are scored and whether the score cache is used
    (default: here, with the cache; docs/scale.md). The result's snapshots are headers
    (``Snapshot.header``): the series is read one body at a time; ``headers=False`` keeps
    the bodies (a caller that reads them next, the report, then reads the series once, and
    its scores and texts are of one reading). ``statistics=False`` leaves the change
    statistics out (what ``score -f csv`` and ``-f parquet`` print has none: they were
    most of its time). ``aside=True`` keeps no snapshot's result in memory: each is read
    back (from the score cache, or a temporary spool) when its rows are made, and the
    change rows are made as they are read; use the result in a ``with`` block (it removes
    the spool), and read its rows once (``each_row``, ``each_change``)."""
    from narrative_diff.engines import Engine, check_engine, score_snapshots
    from narrative_diff.results import score_series as score
    from narrative_diff.scorecache import ScoreCache, cache_wanted
    from narrative_diff.scorefacts import PutAside
    from narrative_diff.scoring import Weights

    if by not in SCORE_ORDERS:
        raise UsageProblem(
            f"--by {by} is not one of {', '.join(SCORE_ORDERS)}",
            hint="use --by snapshot (date order) or --by lineage",
            slug="bad-option",
        )

    series = one_series(corpus, series)
    if headers:
        corpus = corpus.headers_only()  # one body at a time (engines.score_snapshots)
    snaps = corpus.snapshots(series)
    if not snaps:
        raise SnapshotNotFound(
            f"series '{series}' has no snapshots",
            hint="add one with 'narrative-diff add'",
            slug="empty-series",
        )
    pairs = None if between is None else [_pair_positions(corpus, series, snaps, between)]
    engine = engine or Engine()
    check_engine(engine)
    weights = weights or Weights()
    chosen = series_actors(corpus, series, actors, load_actors)
    cache = None
    if cache_wanted(engine.cache):
        cache = ScoreCache.of_corpus(corpus.root, read_only=corpus.read_only)
    scored, pair_statistics = score_snapshots(
        snaps,
        chosen,
        weights,
        cache=cache,
        engine=engine,
        progress=progress,
        read=corpus.with_body,
        keep=not aside,
    )
    try:
        versions = corpus.versions(series)
        result = score(
            snaps,
            chosen,
            lambda snap: versions.get(snap.id, "-"),
            weights=weights,
            pairs=pairs,
            scored=scored,
            run=pair_statistics,
            statistics=statistics,
        )
    except BaseException:
        if isinstance(scored, PutAside):
            scored.close()
        raise
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

    from narrative_diff.scoring import SCORE_COLUMNS

    return pd.DataFrame([row.as_dict() for row in result.rows], columns=list(SCORE_COLUMNS))


def change_frame(result: ScoreResult) -> pd.DataFrame:
    """The change statistics as a pandas DataFrame, for notebooks (columns as in
    ``score --format json``'s ``changes``)."""
    import pandas as pd

    return pd.DataFrame([row.as_dict() for row in result.changes])


def describe_actors(actors: ActorSet) -> list[dict[str, object]]:
    """What ``narrative-diff actors`` lists: key, name, kind, aliases, exclusions, patterns.
    The file is checked in full first (the Russian aliases' forms too, which scoring builds
    only when a text has Cyrillic in it)."""
    from narrative_diff.actors import matcher_for

    matcher_for(actors).expand()
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
    from narrative_diff.kwic import keyword_rows

    series = one_series(corpus, series)
    snaps = corpus.snapshots(series)
    refs = corpus.versions(series)
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
    from narrative_diff.charts import lineage_charts, parse_metrics
    from narrative_diff.charts import texts as chart_texts
    from narrative_diff.fonts import require_glyphs
    from narrative_diff.publish import (
        CHART_FORMATS,
        check_output,
        check_source_date_epoch,
        output_format,
        write_chart,
    )

    if isinstance(metrics, str):
        metrics = parse_metrics(metrics)
    check_source_date_epoch()
    series = one_series(corpus, series)
    path = Path(out) if out is not None else REPORTS / f"{series}-{'-'.join(metrics)}.png"
    if out is not None:
        output_format(path, CHART_FORMATS)  # a bad file name fails before any work
    check_output(path, corpus.root, new_folder=out is None, inputs=actors_file(actors))
    result = score_series(corpus, series, actors=actors)
    info = corpus_series_info(corpus, series)
    charts = [  # a panel per metric, and per lineage when the series has several
        panel
        for metric in metrics
        for panel in lineage_charts(
            result.rows,
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
    from narrative_diff.report import build

    series = one_series(corpus, series)
    report_progress = progress or (lambda stage, done, total: None)
    result = score_series(
        corpus,
        series,
        actors=actors,
        progress=lambda done, total: report_progress("scoring", done, total),
        headers=False,  # the report compares the texts: one reading for scores and texts
    )
    snaps = corpus.snapshots(series)
    refs = corpus.versions(series)
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
    from narrative_diff.publish import check_output, check_source_date_epoch
    from narrative_diff.report import drawing_beside, report_paths, write_report

    check_source_date_epoch()
    series = one_series(corpus, series)
    paths = report_paths(series, Path(out) if out is not None else None)
    for path in paths.values():  # the default folder, reports/, is made when writing
        check_output(path, corpus.root, new_folder=out is None, inputs=actors_file(actors))
    report_progress = progress or (lambda stage, done, total: None)
    stages = len(paths) + 1
    counter = iter(range(1, stages + 1))
    with drawing_beside(paths) as drawer:  # the charts are drawn beside the text
        report = build_report(corpus, series, actors=actors, progress=report_progress)
        return write_report(
            report,
            paths,
            progress=lambda stage: report_progress(stage, next(counter, stages), stages),
            drawer=drawer,
        )
