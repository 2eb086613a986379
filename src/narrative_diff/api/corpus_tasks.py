"""api: the tasks over the corpus (list, show, add, remove, check, init) and series metadata."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from narrative_diff import location
from narrative_diff.capture import AddOptions as AddOptions
from narrative_diff.capture import build_snapshot, capture_notes, document_snapshot
from narrative_diff.check import Problem, check_corpus, update_hashes
from narrative_diff.corpus import Corpus
from narrative_diff.errors import SnapshotNotFound, UsageProblem
from narrative_diff.refs import Shift as Shift
from narrative_diff.refs import shift
from narrative_diff.removal import Removed as Removed
from narrative_diff.removal import remove_snapshot as remove_snapshot
from narrative_diff.series import SeriesInfo as SeriesInfo
from narrative_diff.series import series_info as corpus_series_info
from narrative_diff.series import series_problems
from narrative_diff.snapshot import Snapshot as Snapshot
from narrative_diff.snapshot import check_language, check_lineage, check_name, parse_date, shown
from narrative_diff.storage import read_utf8

if TYPE_CHECKING:
    from collections.abc import Iterable

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
    from narrative_diff.similarity import DiffOptions as DiffOptions


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
    hashes = corpus.hash_refs(snaps)  # unique in the corpus, as refs are resolved
    versions = {name: corpus.versions(name) for name in infos}
    rows = []
    for snap in snaps:
        ref = versions[snap.series][snap.id]
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
    return corpus_series_info(corpus, one_series(corpus, series))


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
    return corpus.snapshots(one_series(corpus, series))


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
    from narrative_diff.ingest import IngestLimits, read_source

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
        stored, ref_of(corpus, stored), tuple(notes), corpus.hash_refs(after)[stored.id], moved
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


def shown_source(source: str) -> str:
    """A source (a path or URL) as it may be shown: credentials in a URL redacted."""
    from narrative_diff.ingest.redact import redact_url

    return redact_url(source) if "://" in source else source


def one_series(corpus: Corpus, series: str | None) -> str:
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
