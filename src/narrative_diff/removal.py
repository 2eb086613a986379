"""Taking a snapshot out of a series: what ``narrative-diff remove`` does and reports.

The snapshot file and its raw capture go as one change (:meth:`Corpus.remove`); what the
user needs to hear afterwards is which refs moved (``v5`` is now ``v4``), since a note or a
script may cite them, and the hash ref the snapshot had, which would bring it back to mind.
"""

from __future__ import annotations

from dataclasses import dataclass

from .corpus import Corpus
from .refs import Shift, shift
from .snapshot import Snapshot


@dataclass(frozen=True)
class Removed:
    """A removed snapshot as it was: its ref and hash ref before the removal, the raw
    capture removed with it (None: none, or shared), how the later refs shifted, and how
    many snapshots its series has left."""

    snapshot: Snapshot
    ref: str
    hash: str
    raw_file: str | None
    shift: Shift | None
    left: int


def remove_snapshot(corpus: Corpus, snap_id: str) -> Removed:
    """Remove the snapshot with id ``snap_id`` and its raw capture, all or nothing."""
    series = snap_id.split("/", 1)[0]
    before = corpus.snapshots(series)
    ref = next((f"v{i}" for i, s in enumerate(before, 1) if s.id == snap_id), "-")
    if len(corpus.series_names()) > 1:
        ref = f"{series}:{ref}"
    hashes = corpus.hash_refs(before)
    snap, raw = corpus.remove(snap_id)
    after = [s.id for s in corpus.snapshots(series)] if (corpus.root / series).is_dir() else []
    moved = shift(series, [s.id for s in before], after)
    return Removed(snap, ref, hashes.get(snap_id, ""), raw, moved, len(after))
