"""The corpus: a folder of document series, each a folder of dated snapshot files.

Layout (documented in the README)::

    CORPUS/
      ilrs/                          one folder per series
        2022-01-white-paper.md       one snapshot: YAML front matter + Markdown body
        raw/2022-01-white-paper.pdf  the capture the text was extracted from (if any)

Writes go through :mod:`narrative_diff.storage`: all-or-nothing, under a lock that
serialises concurrent ``add`` calls, with nothing created in the corpus by a refused or
failed ``add``. A raw capture's file name carries the start of its hash, so writing it
never overwrites another file, and the snapshot's rename is the single commit point.

Files in a series folder that have no front matter (notes, a README) are skipped and
listed in :attr:`Corpus.skipped`; files with broken front matter are errors, and so are an
empty ``.md`` file, two files claiming one id, and a series folder whose name is not a
series name (``ILRS``, ``ilrs\n``): each would otherwise shift or double the ``vN`` refs.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from .errors import (
    CorpusError,
    NarrativeDiffError,
    SnapshotConflict,
    SnapshotNotFound,
    UsageProblem,
)
from .refs import DATE_PREFIX, VERSION_REF, by_hash, position, short_hashes, shorten
from .snapshot import MAX_NAME, Snapshot, check_name, shown
from .storage import commit, corpus_lock, finish_retractions, read_utf8, retract


@dataclass(frozen=True)
class Corpus:
    """A corpus folder. ``origin`` says how it was found (``option``, ``env``, ``seeds``,
    ``bundled``); the bundled corpus is read-only. A ``light`` corpus reads snapshots as
    headers (:meth:`Snapshot.header`: no body kept), for runs over a whole series that need
    one body at a time (:meth:`with_body`)."""

    root: Path
    origin: str = "option"
    read_only: bool = False
    light: bool = False

    # ---------------------------------------------------------------- reading
    def series_names(self) -> list[str]:
        """Sub-folders that hold at least one snapshot file, sorted. Such a folder whose name
        is not a series name (``ILRS``, ``ｉｌｒｓ``, ``ilrs\n``, ``con``) is an error naming
        it: it would be a look-alike series no command could name."""
        self.require_existing()
        folders = [
            child
            for child in sorted(self.root.iterdir())
            if child.is_dir() and not child.name.startswith(".") and any(self.snapshot_files(child))
        ]
        for folder in folders:
            problem = series_folder_problem(folder, [f.name for f in folders])
            if problem:
                raise CorpusError(
                    f"{folder.parent / shown(folder.name)}: {problem}",
                    hint="rename the folder to lowercase letters, digits, '-' and '_', or move "
                    "it out of the corpus; 'narrative-diff check' lists every problem",
                    slug="invalid-series",
                )
        return [folder.name for folder in folders]

    @staticmethod
    def snapshot_files(folder: Path) -> Iterator[Path]:
        """The ``*.md`` files of a series folder (hidden files excluded)."""
        for path in sorted(folder.glob("*.md")):
            if path.is_file() and not path.name.startswith("."):
                yield path

    @cached_property
    def _cache(self) -> dict[str, list[Snapshot]]:
        return {}

    @cached_property
    def _parsed(self) -> dict[Path, tuple[tuple[int, int, int], Snapshot | None]]:
        """Each file read: its (inode, size, mtime) and snapshot. A series is read again
        after each ``add``; only changed files are parsed again (N adds parse N files, not
        N²/2)."""
        return {}

    @cached_property
    def skipped(self) -> list[Path]:
        """Markdown files without front matter met while reading (not snapshots)."""
        return []

    def snapshots(self, series: str | None = None) -> list[Snapshot]:
        """Snapshots in date order, then id with numbers compared as numbers (``x``, ``x-2``,
        ``x-10``: the order in which ``add`` gives versions of one day their ids); all series
        when ``series`` is None."""
        if series is None:
            every = [snap for name in self.series_names() for snap in self.snapshots(name)]
            refuse_duplicate_ids(every)  # a copy in another series' folder
            return every
        if series not in self._cache:
            check_name(series, "series")  # "../elsewhere", "ilrs/" never leave the corpus
            folder = self.root / series
            if not folder.is_dir():
                raise SnapshotNotFound(
                    f"no series '{series}' in corpus {self.root}",
                    hint=f"known series: {', '.join(self.series_names()) or 'none'}",
                    slug="unknown-series",
                )
            snaps = []
            for path in self.snapshot_files(folder):
                snap = self._read(path)
                if snap is not None:
                    snaps.append(snap)
            refuse_duplicate_ids(snaps)
            self._cache[series] = sorted(snaps, key=lambda s: (s.date, natural(s.id)))
        return list(self._cache[series])

    def _read(self, path: Path) -> Snapshot | None:
        """The snapshot a file holds (None: a note without front matter), parsed again only
        if the file changed."""
        try:
            info = path.stat()
            key = (info.st_ino, info.st_size, info.st_mtime_ns)
        except OSError:
            key = None  # read_utf8 says what is wrong
        known = self._parsed.get(path)
        if key is not None and known is not None and known[0] == key:
            return known[1]
        text = read_utf8(path)
        snap: Snapshot | None
        if text.strip() and not text.lstrip().startswith("---"):
            self.skipped.append(path)  # notes, a README: an empty file is an error
            snap = None
        else:
            snap = Snapshot.from_markdown(text, path=path)
            if self.light:
                snap = snap.header()
        if key is not None:
            self._parsed[path] = (key, snap)
        return snap

    def headers_only(self) -> Corpus:
        """The same corpus read light: snapshots as headers, no bodies kept."""
        return self if self.light else replace(self, light=True)

    def with_body(self, snap: Snapshot) -> Snapshot:
        """``snap`` with its body: read again from its file when it is a header. A file
        whose text changed since the header was read is an error (the run used the old
        text for what it has done so far)."""
        if not snap.is_header:
            return snap
        if snap.path is None:
            raise ValueError(f"{snap.id}: a header without a file")
        full = Snapshot.from_markdown(read_utf8(snap.path), path=snap.path)
        if full.body_hash != snap.body_hash or full.id != snap.id:
            raise CorpusError(
                f"{snap.path}: the file changed while the command was reading the series",
                hint="run the command again once the file is no longer being written",
                slug="corpus-changed",
            )
        return full

    def readable_snapshots(self) -> list[Snapshot]:
        """Every snapshot of every series that can be read: the pool hash refs are made
        unique in. A broken file in another series must not stop ``list ilrs`` (the
        command that reads that series says what is wrong)."""
        names: list[str] = []
        with contextlib.suppress(NarrativeDiffError):
            names = self.series_names()
        found: list[Snapshot] = []
        for name in names:
            with contextlib.suppress(NarrativeDiffError):
                found.extend(self.snapshots(name))
        return found

    def hash_refs(self, snaps: Iterable[Snapshot] = ()) -> dict[str, str]:
        """The hash ref of each snapshot in ``snaps`` and every readable one, by id, unique
        across the corpus (:func:`refs.short_hashes`)."""
        pool = {snap.id: snap for snap in (*self.readable_snapshots(), *snaps)}
        return short_hashes(pool.values())

    def version_of(self, snap: Snapshot) -> str:
        """``v1``, ``v2``, … : the snapshot's position in date order within its series."""
        return self.versions(snap.series).get(snap.id, "-")

    def versions(self, series: str) -> dict[str, str]:
        """Each snapshot's ``vN`` in a series, by id (one listing for all: asking
        :meth:`version_of` of each snapshot in turn would list the series each time)."""
        return {s.id: f"v{n}" for n, s in enumerate(self.snapshots(series), start=1)}

    def resolve(self, ref: str, *, series: str | None = None) -> Snapshot:
        """Find one snapshot by id, ``vN``, ``latest``, date prefix, hash prefix (7+ hex
        digits of its sha256: :mod:`narrative_diff.refs`), slug, or ``SERIES:ref``.

        Unknown and ambiguous refs raise :class:`SnapshotNotFound` listing candidates.
        """
        ref = ref.strip()
        qualified = self._series_prefix(ref)
        if qualified is not None:
            return self.resolve(qualified[1], series=qualified[0])
        names = [series] if series else self.series_names()
        pool = self._pool(names)
        exact = next((s for s in pool if s.id == ref or (series and s.slug == ref)), None)
        if exact is not None:
            return exact
        version = VERSION_REF.fullmatch(ref)
        if version or ref in ("latest", "first"):
            return self._by_position(ref, version, names)
        return self._by_date_or_slug(ref, pool)

    def _series_prefix(self, ref: str) -> tuple[str, str] | None:
        """``(series, rest)`` of ``SERIES:ref``; a colon that names no series stays in the ref."""
        if ":" in ref:
            prefix, rest = ref.split(":", 1)
            if prefix in self.series_names():
                return prefix, rest
        return None

    def _pool(self, names: list[str]) -> list[Snapshot]:
        """Every snapshot a ref may name; none at all is its own error, not an unknown ref."""
        pool = [s for name in names for s in self.snapshots(name)]
        if not pool:
            raise SnapshotNotFound(
                f"no snapshots in corpus {self.root}",
                hint="add one with 'narrative-diff add SOURCE --series S --date D'",
                slug="empty-corpus",
            )
        return pool

    def _by_position(self, ref: str, version: re.Match[str] | None, names: list[str]) -> Snapshot:
        """``vN``, ``first``, ``latest``: positions in one series' date order, so one series."""
        if len(names) > 1:
            raise SnapshotNotFound(
                f"'{ref}' is ambiguous: the corpus holds {len(names)} series",
                hint="name the series, e.g. " + ", ".join(f"{n}:{ref}" for n in names),
                slug="ambiguous-ref",
            )
        ordered = self.snapshots(names[0])
        index = position(ref, version, len(ordered))
        if 1 <= index <= len(ordered):
            return ordered[index - 1]
        raise SnapshotNotFound(
            f"no snapshot '{ref}' in series {names[0]}",
            hint=f"it has v1 to v{len(ordered)}",
            slug="unknown-ref",
        )

    def _by_date_or_slug(self, ref: str, pool: list[Snapshot]) -> Snapshot:
        """A date prefix, a bare slug or a hash prefix (a slug that looks like hex wins):
        unique matches only, so a ref never picks at random."""
        if DATE_PREFIX.fullmatch(ref):
            matches = [s for s in pool if s.date.isoformat().startswith(ref)]
        else:
            matches = [s for s in pool if s.slug == ref] or by_hash(ref.lower(), pool)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise SnapshotNotFound(
                f"'{ref}' matches {len(matches)} snapshots",
                hint="use one of: " + ", ".join(self.label(s) for s in matches),
                slug="ambiguous-ref",
            )
        raise SnapshotNotFound(
            f"no snapshot matches '{ref}'",
            hint="known: "
            + shorten([self.label(s) for s in pool])
            + " (or a vN, 'latest', a date prefix, a hash from 'list', or a file path)",
            slug="unknown-ref",
        )

    def label(self, snap: Snapshot) -> str:
        """A short human label: ``v2 ilrs/2022-01-white-paper``, with the series when needed."""
        version = self.version_of(snap)
        if len(self.series_names()) > 1:
            version = f"{snap.series}:{version}"
        return f"{version} {snap.id}"

    # ---------------------------------------------------------------- writing
    def add(
        self,
        snap: Snapshot,
        *,
        raw: bytes | None = None,
        raw_suffix: str = "",
        overwrite: bool = False,
        auto_id: bool = False,
        reverts: bool = False,
    ) -> Snapshot:
        """Store a new snapshot (and its raw capture) atomically; return it as stored.

        Refused, with the corpus unchanged: a read-only or missing corpus, an id (or file)
        already present (unless ``overwrite``), identical text or the same raw capture
        already in the series. With ``reverts`` (``watch``, ``backfill``: a page's history),
        identical text is refused only beside itself: the same date, or the snapshot just
        before or after it by date; further away it is a page back to an earlier version.
        With ``auto_id`` (an id made from the date, not chosen by the user), a taken id
        gives way to a free one instead: ``YYYY-MM-DD-…``, then ``…-2``, ``…-3``.
        """
        self.require_writable()
        check_name(snap.series, "series")
        check_name(snap.slug, "slug")
        # fail fast, before taking the lock (a taken id may still give way to a free one)
        self._refuse_conflicts(snap, overwrite=overwrite or auto_id, reverts=reverts)
        folder = self.root / snap.series
        digest = hashlib.sha256(raw).hexdigest() if raw is not None else None
        with self.lock():
            self._cache.pop(snap.series, None)
            if auto_id and not overwrite:
                snap = self._free_id(snap)
            # again: another add may have won
            self._refuse_conflicts(snap, overwrite=overwrite, reverts=reverts)
            if digest and not overwrite:
                self._refuse_same_capture(snap, digest, reverts=reverts)
            target = folder / f"{snap.slug}.md"
            previous = self._find(snap.id)
            if target.exists() and (previous is None or not overwrite):
                raise SnapshotConflict(
                    f"{target} already exists and is not snapshot {snap.id}",
                    hint="choose another --slug",
                    slug="id-exists",
                )
            files: list[tuple[Path, bytes]] = []
            if raw is not None and digest is not None:
                raw_file = f"raw/{snap.slug}.{digest[:12]}{raw_suffix}"
                snap = replace(snap, raw_file=raw_file, raw_sha256=digest)
                files.append((folder / raw_file, raw))
            text = snap.to_markdown()
            _reads_back(text, target)
            files.append((target, text.encode("utf-8")))  # the commit point
            try:
                commit(files, root=self.root)
            finally:
                self._cache.pop(snap.series, None)
            if previous and previous.raw_file and previous.raw_file != snap.raw_file:
                with contextlib.suppress(OSError):
                    (folder / previous.raw_file).unlink()
        return Snapshot.from_markdown(read_utf8(target), path=target)

    def remove(self, snap_id: str) -> tuple[Snapshot, str | None]:
        """Remove a snapshot and its raw capture as one change (:func:`storage.retract`):
        afterwards both are gone, or, after any failure, both are as they were. A raw
        capture another snapshot also names is kept. Returns the snapshot as it was and
        the raw file removed (None: it had none, or it was missing or shared)."""
        self.require_writable()
        series = snap_id.split("/", 1)[0]
        with self.lock():
            self._cache.pop(series, None)
            snap = self._find(snap_id)
            if snap is None or snap.path is None:
                raise SnapshotNotFound(
                    f"no snapshot {snap_id} in corpus {self.root}",
                    hint="'narrative-diff list' shows the snapshots",
                    slug="unknown-ref",
                )
            folder = self.root / snap.series
            files, raw = [], self._own_raw(snap, folder)
            if raw is not None:
                files.append(folder / raw)
            try:
                retract([*files, snap.path], root=self.root)
            finally:
                self._cache.pop(series, None)
            for empty in (folder / "raw", folder):  # a series with nothing left in it
                with contextlib.suppress(OSError):
                    empty.rmdir()
        return snap, raw

    def _own_raw(self, snap: Snapshot, folder: Path) -> str | None:
        """The snapshot's raw capture when it is a file under ``raw/`` that no other
        snapshot names (a hand-made front matter may point two snapshots at one file)."""
        if not snap.raw_file:
            return None
        raw = folder / snap.raw_file
        inside = raw.resolve().parent == (folder / "raw").resolve()
        shared = any(
            other.raw_file == snap.raw_file
            for other in self.snapshots(snap.series)
            if other.id != snap.id
        )
        return snap.raw_file if inside and raw.is_file() and not shared else None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """The corpus write lock (see :func:`storage.corpus_lock`); taking it first
        finishes removals a killed process left half done."""
        with corpus_lock(self.root):
            for folder in self.root.iterdir():
                if folder.is_dir() and not folder.name.startswith("."):
                    finish_retractions(folder)
            yield

    def require_writable(self) -> None:
        """Refuse writes to the bundled corpus, saying how to get a writable one."""
        if self.read_only:
            raise CorpusError(
                f"the bundled corpus at {self.root} is read-only",
                hint="make a writable copy with 'narrative-diff init DIR', then pass "
                "--corpus DIR or set NARRATIVE_DIFF_CORPUS=DIR",
                slug="read-only-corpus",
            )
        self.require_existing()

    def require_existing(self) -> None:
        """Refuse a corpus folder that does not exist (a typo would otherwise go unseen)."""
        if not self.root.is_dir():
            raise CorpusError(
                f"corpus folder {self.root} does not exist",
                hint="create it with 'narrative-diff init DIR', or check the path",
                slug="no-corpus",
            )

    def _refuse_same_capture(self, snap: Snapshot, digest: str, *, reverts: bool = False) -> None:
        """The same raw bytes again are the same capture, not a new version (extracted
        another way, say with --extract): refused, naming how to replace it."""
        if not (self.root / snap.series).is_dir():
            return
        for other in self._compared(snap, reverts):
            if other.raw_sha256 == digest:
                raise SnapshotConflict(
                    f"this capture (the same bytes) is already in series {snap.series} as "
                    f"{self.label(other)} ({other.date})",
                    hint=f"to extract it again, pass --replace --slug {other.slug}",
                    slug="duplicate-content",
                )

    def _free_id(self, snap: Snapshot) -> Snapshot:
        """``snap`` with the first id not taken in its series: its own; when that belongs to
        a snapshot of another day, the day form ``YYYY-MM-DD-…``; then ``…-2``, ``…-3``
        (which sort after the taken one: see :meth:`snapshots`)."""
        folder = self.root / snap.series
        taken = {s.slug: s for s in self.snapshots(snap.series)} if folder.is_dir() else {}

        def free(slug: str) -> bool:
            return slug not in taken and not (folder / f"{slug}.md").exists()

        if free(snap.slug):
            return snap
        base = snap.slug
        holder = taken.get(snap.slug)
        if holder is not None and holder.date != snap.date:
            day = f"{snap.date:%Y-%m-%d}-" + snap.slug.removeprefix(f"{snap.date:%Y-%m}-")
            base = day[: MAX_NAME - 6].rstrip("-_.")
            if free(base):
                return replace(snap, id=f"{snap.series}/{base}")
        base = base[: MAX_NAME - 6].rstrip("-_.")
        slug = next(f"{base}-{n}" for n in range(2, 100_000) if free(f"{base}-{n}"))
        return replace(snap, id=f"{snap.series}/{slug}")

    def _find(self, snap_id: str) -> Snapshot | None:
        series = snap_id.split("/", 1)[0]
        if not (self.root / series).is_dir():
            return None
        return next((s for s in self.snapshots(series) if s.id == snap_id), None)

    def _compared(self, snap: Snapshot, reverts: bool) -> list[Snapshot]:
        """The snapshots ``snap`` may not repeat: all of its series, or with ``reverts``
        those of its date and its neighbours by date."""
        existing = self.snapshots(snap.series)
        if not reverts:
            return existing
        before = [o for o in existing if o.date < snap.date]
        after = [o for o in existing if o.date > snap.date]
        same = [o for o in existing if o.date == snap.date]
        return same + before[-1:] + after[:1]

    def _refuse_conflicts(self, snap: Snapshot, *, overwrite: bool, reverts: bool = False) -> None:
        if not (self.root / snap.series).is_dir():
            return
        existing = self.snapshots(snap.series)
        for other in self._compared(snap, reverts):  # identical text first: more useful
            if other.body_hash == snap.body_hash and not (overwrite and other.id == snap.id):
                raise SnapshotConflict(
                    f"identical text is already in series {snap.series} as "
                    f"{self.label(other)} ({other.date})",
                    hint=f"nothing to add; use 'narrative-diff show {other.id}' to see it",
                    slug="duplicate-content",
                )
        if not overwrite and any(other.id == snap.id for other in existing):
            raise SnapshotConflict(
                f"snapshot {snap.id} already exists",
                hint="pass --replace to overwrite it, or --slug NAME for a new id",
                slug="id-exists",
            )


def _reads_back(text: str, target: Path) -> None:
    """Refuse, before anything is written, a snapshot whose file would not read back (a
    title so long the front matter passes its limit): a usage problem, not a corrupt file."""
    try:
        Snapshot.from_markdown(text, path=target)
    except CorpusError as exc:
        raise UsageProblem(
            f"the snapshot would not read back: {exc.message.removeprefix(f'{target}: ')}",
            hint="shorten the title (--title) or the other metadata",
            slug="invalid-text",
        ) from None


def series_folder_problem(folder: Path, names: list[str]) -> str | None:
    """What is wrong with a series folder's name (None: nothing), naming the series it
    looks like (the same name once case, width and compatibility forms are folded)."""
    try:
        check_name(folder.name, "series")
    except NarrativeDiffError as exc:
        key = unicodedata.normalize("NFKC", folder.name).casefold().strip()
        twin = next((n for n in names if n != folder.name and n == key), None)
        like = f", a look-alike of series '{twin}'" if twin else ""
        return f"a folder of snapshots whose name is not a series name{like} ({exc.message})"
    return None


def refuse_duplicate_ids(snaps: list[Snapshot]) -> None:
    """Two files claiming one id (a copy under another name) would make two ``v1`` rows
    and tables of mismatched shape: an error naming both files."""
    seen: dict[str, Snapshot] = {}
    for snap in snaps:
        first = seen.setdefault(snap.id, snap)
        if first is not snap:
            raise CorpusError(
                f"{first.path} and {snap.path} both claim id {snap.id}",
                hint="delete the copy, or give one file its own id (and file name)",
                slug="duplicate-id",
            )


def natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key comparing runs of digits as numbers: ``x-2`` before ``x-10``.

    >>> sorted(["a-10", "a-2", "a"], key=natural)
    ['a', 'a-2', 'a-10']
    """
    return tuple(
        (0, int(run)) if run.isdigit() else (1, run) for run in re.split(r"(\d+)", text) if run
    )
