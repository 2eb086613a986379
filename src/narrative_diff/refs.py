"""Snapshot references that people type: positions (``v3``), which shift when a snapshot
is added before others or removed, and content hashes (``5f2c1a9``), which never do.

A position is where a snapshot stands in its series' date order, so adding a document
dated before the latest one moves every later ``vN`` up by one. A hash ref is the start of
the snapshot's recorded ``sha256`` (the hash of its text as captured): it names the same
snapshot for as long as the snapshot exists, whatever is added or removed around it, and
is what a note or a script should cite. Shown hashes are at least seven hex digits, longer
where seven would name two snapshots (as git shortens commit hashes).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .snapshot import Snapshot

#: The shortest hash prefix accepted as a ref (and shown by ``list``).
SHORT = 7
HASH_REF = re.compile(rf"[0-9a-f]{{{SHORT},64}}")  # fullmatch
VERSION_REF = re.compile(r"v(\d+)")  # fullmatch: "$" also matches before a final newline
DATE_PREFIX = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def content_hash(snap: Snapshot) -> str:
    """The hash a hash ref names: the recorded ``sha256`` (stable across a hand edit until
    it is accepted with ``check --update-hashes``), else the hash of the text."""
    return snap.sha256 or snap.body_hash


def short_hashes(snaps: Iterable[Snapshot]) -> dict[str, str]:
    """Each snapshot's shortest unambiguous hash ref (at least :data:`SHORT` digits), by id.

    >>> from narrative_diff.snapshot import Snapshot
    >>> import datetime as dt
    >>> a = Snapshot("s/a", "s", dt.date(2020, 1, 1), None, "x", sha256="abcdef0123")
    >>> b = Snapshot("s/b", "s", dt.date(2020, 1, 2), None, "y", sha256="abcdef0999")
    >>> short_hashes([a, b])
    {'s/a': 'abcdef01', 's/b': 'abcdef09'}
    """
    full = {snap.id: content_hash(snap) for snap in snaps}
    ordered = sorted(set(full.values()))
    needed: dict[str, int] = {}
    for left, right in itertools.pairwise(ordered):
        common = next((i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y), 0)
        for digest in (left, right):
            needed[digest] = max(needed.get(digest, SHORT), common + 1)
    return {ident: digest[: needed.get(digest, SHORT)] for ident, digest in full.items()}


def by_hash(ref: str, pool: Sequence[Snapshot]) -> list[Snapshot]:
    """The snapshots whose hash starts with ``ref`` (lowercase hex, 7 to 64 digits)."""
    if not HASH_REF.fullmatch(ref):
        return []
    return [snap for snap in pool if content_hash(snap).startswith(ref)]


def position(ref: str, version: re.Match[str] | None, count: int) -> int:
    """The 1-based position ``first``, ``latest`` or ``vN`` names in a series of ``count``."""
    if ref == "latest":
        return count
    if ref == "first":
        return 1
    return int(version[1]) if version else 0


@dataclass(frozen=True)
class Shift:
    """Refs that moved when a snapshot was added or removed: the snapshots at ``old``
    positions (``v4``…``v6``) are now at ``new`` ones (``v5``…``v7``)."""

    series: str
    old: tuple[int, ...]
    new: tuple[int, ...]

    def __str__(self) -> str:
        """Runs of refs that moved together, e.g. ``ilrs: v2 is now v6, v3…v6 are now
        v2…v5`` (a version moved by ``add --replace`` to a later date)."""
        runs: list[tuple[int, int, int, int]] = []  # old first, old last, new first, new last
        for old, new in zip(self.old, self.new, strict=True):
            if runs and old == runs[-1][1] + 1 and new == runs[-1][3] + 1:
                runs[-1] = (runs[-1][0], old, runs[-1][2], new)
            else:
                runs.append((old, old, new, new))
        said = [
            f"v{a} is now v{c}" if a == b else f"v{a}…v{b} are now v{c}…v{d}" for a, b, c, d in runs
        ]
        return f"{self.series}: " + ", ".join(said)


def shift(series: str, before: Sequence[str], after: Sequence[str]) -> Shift | None:
    """How the refs of the snapshots present both ``before`` and ``after`` (ids in date
    order) moved; None when none did.

    >>> print(shift("ilrs", ["a", "b", "c"], ["a", "x", "b", "c"]))
    ilrs: v2…v3 are now v3…v4
    >>> print(shift("ilrs", ["a", "b", "c"], ["a", "c"]))
    ilrs: v3 is now v2
    >>> print(shift("ilrs", ["a", "b", "c", "d"], ["a", "c", "d", "b"]))
    ilrs: v2 is now v4, v3…v4 are now v2…v3
    """
    now = {ident: index for index, ident in enumerate(after, 1)}
    moved = [
        (index, now[ident])
        for index, ident in enumerate(before, 1)
        if ident in now and now[ident] != index
    ]
    if not moved:
        return None
    return Shift(series, tuple(old for old, _ in moved), tuple(new for _, new in moved))


def shorten(items: list[str], limit: int = 8) -> str:
    """At most ``limit`` items, then how many more."""
    shown = ", ".join(items[:limit])
    return shown + (f", … ({len(items) - limit} more)" if len(items) > limit else "")
