"""api: reading a series as a whole: ``blame`` (where each sentence of a snapshot comes
from) and ``history`` (when a phrase, an actor or a sentence was first and last seen)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from narrative_diff.api.corpus_tasks import one_series
from narrative_diff.corpus import Corpus
from narrative_diff.errors import ActorNotFound, SnapshotNotFound, UsageProblem

if TYPE_CHECKING:
    from narrative_diff.actors import ActorSet
    from narrative_diff.ancestry import BlameLine, Chain
    from narrative_diff.history import Lifecycle
    from narrative_diff.publish import Written
    from narrative_diff.snapshot import Snapshot


@dataclass(frozen=True)
class Blame:
    """A snapshot's sentences with their descent, and the versions of its lineage read."""

    ref: str
    date: str
    id: str
    lineage: str
    versions: int
    lines: tuple[BlameLine, ...]


def _chain(corpus: Corpus, snap: Snapshot) -> tuple[Chain, int]:
    """The chain of ``snap``'s whole lineage, and its position there."""
    from narrative_diff.ancestry import Chain

    members = [s for s in corpus.snapshots(snap.series) if s.lineage_key == snap.lineage_key]
    refs = corpus.versions(snap.series)
    return Chain(members, refs), [s.id for s in members].index(snap.id)


def blame_snapshot(corpus: Corpus, ref: str) -> Blame:
    """Every sentence of snapshot ``ref`` with the version of its lineage where it (or an
    ancestor: edited, moved, split or merged) first appeared, and where it last changed."""
    from narrative_diff.ancestry import blame_lines

    snap = corpus.resolve(ref)
    chain, k = _chain(corpus, snap)
    return Blame(
        _qualified(corpus, snap),
        snap.date.isoformat(),
        snap.id,
        snap.lineage_name or "",
        k + 1,
        blame_lines(chain, k),
    )


#: ``N@REF``: a sentence by the number kwic and blame show, in a snapshot.
_SENTENCE = re.compile(r"(\d+)\s*@\s*(\S.*)")


def lifecycle(
    corpus: Corpus,
    series: str | None = None,
    *,
    phrase: str | None = None,
    actor: str | None = None,
    sentence: str | None = None,
    actors: ActorSet | None = None,
) -> Lifecycle:
    """The lifecycle of one subject across a series: a ``phrase`` (as kwic finds it), an
    ``actor`` (key or name) or a ``sentence`` (``N@REF``)."""
    from narrative_diff.history import actor_lifecycle, phrase_lifecycle

    given = [
        name for name, value in (("--phrase", phrase), ("--actor", actor)) if value is not None
    ]
    given += ["--sentence"] if sentence is not None else []
    if len(given) != 1:
        raise UsageProblem(
            "give one of --phrase, --actor or --sentence"
            + (f" (got {' and '.join(given)})" if given else ""),
            hint="e.g. narrative-diff history ilrs --phrase 'jointly initiated'",
            slug="bad-option",
        )
    if sentence is not None:
        return _sentence(corpus, series, sentence)
    name = one_series(corpus, series)
    snaps = corpus.snapshots(name)
    if not snaps:
        raise SnapshotNotFound(f"series '{name}' has no snapshots", hint="add one with 'add'")
    refs = corpus.versions(name)
    if phrase is not None:
        if not phrase.strip():
            raise UsageProblem(
                "--phrase is empty",
                hint="give a word or phrase, e.g. --phrase 'jointly initiated'",
                slug="bad-option",
            )
        return phrase_lifecycle(snaps, refs, phrase)
    from narrative_diff.api.comparing import load_actors
    from narrative_diff.series import series_actors

    found = series_actors(corpus, name, actors, load_actors)
    key = _actor_key(found, actor or "")
    return actor_lifecycle(snaps, refs, found, key)


def _actor_key(actors: ActorSet, term: str) -> str:
    folded = term.strip().casefold()
    for a in actors.actors:
        if folded in (a.key.casefold(), a.name.casefold()):
            return a.key
    known = ", ".join(a.key for a in actors.actors)
    raise ActorNotFound(
        f"no actor '{term}' in {actors.source}",
        hint=f"known actors: {known}; for any word or phrase use --phrase",
    )


def _sentence(corpus: Corpus, series: str | None, given: str) -> Lifecycle:
    from narrative_diff.ancestry import Version
    from narrative_diff.history import sentence_lifecycle

    matched = _SENTENCE.fullmatch(given.strip())
    if matched is None:
        raise UsageProblem(
            f"--sentence '{given}' is not N@REF",
            hint="give the sentence number blame or kwic shows and a snapshot, e.g. 3@v2",
            slug="bad-option",
        )
    index, ref = int(matched[1]), matched[2].strip()
    name = one_series(corpus, series) if series else None
    snap = corpus.resolve(ref, series=name) if name else corpus.resolve(ref)
    if name and snap.series != name:
        raise UsageProblem(
            f"--sentence {given.strip()} names a snapshot of series '{snap.series}', not '{name}'",
            hint=f"drop the series argument, or give a ref of '{name}'",
            slug="bad-option",
        )
    chain, k = _chain(corpus, snap)
    count = len(chain.segmented(k).sentences)
    shown = _qualified(corpus, snap)
    if count == 0:
        raise UsageProblem(
            f"{shown} has no sentences", hint="pick another snapshot", slug="bad-option"
        )
    if index >= count:
        raise UsageProblem(
            f"{shown} has {count} sentences (0 to {count - 1}); there is no sentence {index}",
            hint=f"see their numbers with 'narrative-diff blame {shown}'",
            slug="bad-option",
        )
    latest = corpus.snapshots(snap.series)[-1]
    last = Version(corpus.version_of(latest), latest.date.isoformat(), latest.id)
    return sentence_lifecycle(chain, k, index, last)


def _qualified(corpus: Corpus, snap: Snapshot) -> str:
    """A snapshot's ref as a command line can give it back: ``v3``, or ``series:v3`` in a
    corpus of several series."""
    ref = corpus.version_of(snap)
    return ref if len(corpus.series_names()) < 2 else f"{snap.series}:{ref}"


#: ``chart --kind heatmap --metric changes``: the change map instead of an actor metric.
CHANGES = "changes"


def heatmap_series(
    corpus: Corpus,
    series: str | None,
    metric: str,
    out: str | os.PathLike[str] | None = None,
    *,
    actors: ActorSet | None = None,
    top: int | None = None,
) -> Written:
    """A heat-map of a series into ``out`` (.png, .svg or .pdf; default
    ``reports/<series>-<metric>-heatmap.png``): ``metric`` ``changes``, the blocks of the
    latest snapshot (of the source and language most of the series is in:
    :func:`~narrative_diff.ancestry.chain_members`) × the versions of its lineage (how much of
    each changed at each step),
    or an actor metric (count, rate, prominence, share, sentences), actors × snapshots;
    ``top``: at most this many rows (the most changed blocks, the actors by their peak)."""
    from narrative_diff.api.scores import REPORTS, score_series
    from narrative_diff.charts import METRICS
    from narrative_diff.charts.heatmap import MAX_ROWS, actor_heatmap, change_heatmap, draw_heatmap
    from narrative_diff.fonts import require_glyphs
    from narrative_diff.publish import (
        CHART_FORMATS,
        Written,
        check_output,
        check_source_date_epoch,
        figure_bytes,
        output_format,
    )
    from narrative_diff.series import series_info
    from narrative_diff.storage import make_folders, write_file

    metric = metric.strip().lower()
    if metric != CHANGES and metric not in METRICS:
        raise UsageProblem(
            f"--metric {metric} cannot be drawn as a heat-map",
            hint=f"use {CHANGES} (what changed at each step) or one of " + ", ".join(METRICS),
            slug="bad-option",
        )
    check_source_date_epoch()
    name = one_series(corpus, series)
    path = Path(out) if out is not None else REPORTS / f"{name}-{metric}-heatmap.png"
    if out is not None:
        output_format(path, CHART_FORMATS)  # a bad file name fails before any work
    check_output(path, corpus.root, new_folder=out is None)
    snaps = corpus.snapshots(name)
    if not snaps:
        raise SnapshotNotFound(f"series '{name}' has no snapshots", hint="add one with 'add'")
    info = series_info(corpus, name)
    title = info.title if info.titled else ""
    if metric == CHANGES:
        from narrative_diff.ancestry import Chain, chain_members, change_map

        members = chain_members(snaps)
        chain = Chain(members, corpus.versions(name))
        k = len(members) - 1
        heat = change_heatmap(change_map(chain, k), series=name, title=title, top=top or MAX_ROWS)
    else:
        result = score_series(corpus, name, actors=actors)
        source = result.actors.source
        heat = actor_heatmap(
            result.rows, metric, series=name, title=title, actors_source=source, top=top or MAX_ROWS
        )
        if not heat.rows:
            raise UsageProblem(
                f"no actor of {source} is named in series '{name}': nothing to draw",
                hint="check the actors file (--actors), or draw --metric changes",
                slug="nothing-to-chart",
            )
    figure = draw_heatmap(heat, require_glyphs(heat.texts()))
    if out is None:
        make_folders([path.parent])
    write_file(path, figure_bytes(figure, path.suffix.lower().lstrip(".")))
    rows, columns = len(heat.rows), len(heat.columns)
    size = f"{rows} row{'s' * (rows != 1)} × {columns} snapshot{'s' * (columns != 1)}"
    return Written(path, f"heat-map ({metric}, {size})")
