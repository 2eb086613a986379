"""Corpus health: find hand-edits, broken files and leftovers without stopping at the first.

``narrative-diff check`` is how a hand-edited snapshot is noticed (its body no longer
matches the recorded hash) and how a corrupt file is found by name. ``update_hashes``
accepts intended edits by recording the new hashes, atomically, one file at a time.
"""

from __future__ import annotations

import glob
import hashlib
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from .corpus import Corpus, series_folder_problem
from .errors import CorpusError
from .snapshot import LOW_COVERAGE, Snapshot, record_hash, shown
from .storage import commit, interrupted_removals, read_utf8


@dataclass(frozen=True)
class Problem:
    """One finding of ``check``: the file, a slug from docs/messages.md, and what to do.
    A ``note`` is worth a look but is not a defect (``check`` still succeeds)."""

    path: Path
    slug: str
    message: str
    note: bool = False

    def __str__(self) -> str:
        """One line: a file name holding a newline or a direction mark is shown escaped."""
        path = "".join(
            ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
            for ch in str(self.path)
        )
        return f"{path}: {self.slug}: {' '.join(self.message.split())}"


def check_corpus(corpus: Corpus) -> tuple[list[Snapshot], list[Problem]]:
    """Read every snapshot file; return the good snapshots and every problem found."""
    problems: list[Problem] = []
    good: list[Snapshot] = []
    if not corpus.root.is_dir():
        return [], [
            Problem(
                corpus.root,
                "not-a-corpus",
                "the corpus folder does not exist; create it with 'narrative-diff init DIR'",
            )
        ]
    for folder in sorted(p for p in corpus.root.iterdir() if p.is_dir()):
        if folder.name.startswith("."):
            continue
        files = list(corpus.snapshot_files(folder))
        if not files:
            continue
        problem = series_folder_problem(folder, [p.name for p in corpus.root.iterdir()])
        if problem:
            problems.append(Problem(folder, "invalid-series", problem))
        referenced: set[str] = set()
        by_hash: dict[str, list[Snapshot]] = defaultdict(list)
        for path in files:
            try:
                snap = Snapshot.from_markdown(read_utf8(path), path=path)
            except CorpusError as exc:
                problems.append(Problem(path, exc.slug, exc.message.removeprefix(f"{path}: ")))
                continue
            good.append(snap)
            problems += _snapshot_problems(snap, path, folder)
            if snap.raw_file:
                referenced.add(snap.raw_file)
            by_hash[snap.body_hash].append(snap)
        ids = Counter(s.id for same in by_hash.values() for s in same)
        for same in by_hash.values():
            if len(same) > 1 and not _reverted(same, good_in(folder, good)):
                problems.append(
                    Problem(
                        folder,
                        "duplicate-content",
                        "identical text in "
                        + ", ".join(  # one id twice (a copy): the file names tell them apart
                            f"{s.id} ({s.path.name})" if s.path and ids[s.id] > 1 else s.id
                            for s in same
                        ),
                    )
                )
        problems += _leftovers(folder, referenced)
    seen: dict[str, Path] = {}
    for snap in good:
        if snap.id in seen and snap.path:
            problems.append(
                Problem(snap.path, "duplicate-id", f"id {snap.id} is also used by {seen[snap.id]}")
            )
        elif snap.path:
            seen[snap.id] = snap.path
    return good, problems


def _snapshot_problems(snap: Snapshot, path: Path, folder: Path) -> list[Problem]:
    found = []
    if snap.series != folder.name:
        found.append(
            Problem(
                path,
                "misplaced",
                f"series '{snap.series}' but the file is in "
                f"folder '{shown(folder.name)}'; move it or fix 'series'",
            )
        )
    if path.stem != snap.slug:
        found.append(
            Problem(
                path,
                "misplaced",
                f"id {snap.id} expects file name {snap.slug}.md; rename the file or fix 'id'",
            )
        )
    if not snap.sha256:
        found.append(
            Problem(
                path,
                "hash-missing",
                "no sha256 recorded; run 'narrative-diff check --update-hashes' to record it",
            )
        )
    elif not snap.hash_ok:
        found.append(
            Problem(
                path,
                "hash-mismatch",
                "the text was edited since it was "
                "added; if the edit is intended, run 'narrative-diff check "
                "--update-hashes'",
            )
        )
    kept = snap.extraction
    if kept and (kept.coverage < LOW_COVERAGE or kept.method == "full"):
        what, other = (
            (f"its text holds only {kept.coverage:.0%} of the page's prose", "full")
            if kept.coverage < LOW_COVERAGE
            else ("its text is the whole page's, which may hold menus or adverts", "main")
        )
        found.append(
            Problem(
                path,
                "low-coverage",
                f"{what} ({kept.method} extraction); read it with 'narrative-diff show "
                f"{snap.id}', or add the page again with --extract {other} --replace "
                f"--slug {snap.slug}",
                note=True,
            )
        )
    if snap.raw_file:
        raw = folder / snap.raw_file
        if not raw.is_file() and any(raw.parent.glob(f".{glob.escape(raw.name)}.*.removing")):
            pass  # hidden by an interrupted remove, listed as such; the next write restores it
        elif not raw.is_file():
            found.append(
                Problem(
                    path,
                    "raw-missing",
                    f"raw capture {snap.raw_file} is "
                    "missing; restore it from a backup or remove raw_file",
                )
            )
        elif snap.raw_sha256 and _file_sha256(raw) != snap.raw_sha256:
            found.append(
                Problem(
                    raw,
                    "raw-mismatch",
                    "the raw capture changed since it was added; restore the original",
                )
            )
    return found


def good_in(folder: Path, good: list[Snapshot]) -> list[Snapshot]:
    """The snapshots read from ``folder``, in date order."""
    return sorted(
        (s for s in good if s.path and s.path.parent == folder), key=lambda s: (s.date, s.slug)
    )


def _reverted(same: list[Snapshot], series: list[Snapshot]) -> bool:
    """Identical texts that are a page's returns to an earlier version (``watch``,
    ``backfill``): each on its own date, with another text between each two."""
    if len({s.date for s in same}) < len(same) or len({s.id for s in same}) < len(same):
        return False
    order = [s.id for s in series]
    places = sorted(order.index(s.id) for s in same if s.id in order)
    return len(places) == len(same) and all(b - a > 1 for a, b in itertools.pairwise(places))


def _leftovers(folder: Path, referenced: set[str]) -> list[Problem]:
    found = []
    for tmp in sorted(folder.rglob(".*.tmp")):
        found.append(Problem(tmp, "stale-temp", "left by an interrupted write; delete it"))
    for hidden in interrupted_removals(folder):
        found.append(
            Problem(
                hidden,
                "interrupted-remove",
                "left by a remove that was killed; the next add or remove in this corpus "
                "finishes it",
            )
        )
    raw_dir = folder / "raw"
    if raw_dir.is_dir():
        for raw in sorted(raw_dir.iterdir()):
            name = f"raw/{raw.name}"
            if raw.is_file() and not raw.name.startswith(".") and name not in referenced:
                found.append(
                    Problem(
                        raw,
                        "orphan-raw",
                        "no snapshot refers to this raw "
                        "capture; delete it or add raw_file to its snapshot",
                    )
                )
    return found


def update_hashes(corpus: Corpus) -> list[Snapshot]:
    """Record the current body hash in every snapshot whose hash is missing or stale.

    Only the ``sha256`` line of each file changes, so the edit stays a one-line git diff.
    """
    corpus.require_writable()
    updated: list[Snapshot] = []
    with corpus.lock():
        good, _ = check_corpus(corpus)
        for snap in good:
            if snap.hash_ok or snap.path is None:
                continue
            text = record_hash(read_utf8(snap.path), snap.body_hash)
            unchanged = (  # each file is its own commit: those before it stay updated
                f"{snap.path.name} was not changed; the hashes recorded before it were kept"
                if updated
                else "the corpus was not changed"
            )
            commit([(snap.path, text.encode("utf-8"))], root=corpus.root, unchanged=unchanged)
            updated.append(replace(snap, sha256=snap.body_hash))
    return updated


def _file_sha256(path: Path) -> str:
    """The hash of a file read in chunks: a raw capture may be large."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
