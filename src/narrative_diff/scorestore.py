"""A series' results put aside as they are scored, read back one at a time.

Why: ``score`` writes the score table, then the change statistics, each a snapshot (a
pair) at a time; held in memory, the results made its memory grow by some 30 KB a
snapshot (10⁶ snapshots: tens of GB). A result is read back from the score cache when the
cache holds it (it is on disk already, keyed by its inputs), else from a spool: one file
in a temporary folder of this process, each result appended to it and read back by its
place (``os.pread``: the pool's forked processes read it too; a file per snapshot cost
several times the system time), removed by :meth:`ScoreStore.close`
(and, failing that, when the store is collected or the interpreter exits). A spooled
result is the cache's JSON form (:func:`~narrative_diff.scorecache.to_entry`: every float
exact; never pickle). A result whose cache entry has gone meanwhile is scored again (the
same text: its hash is checked).
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import shutil
import tempfile
import weakref
from array import array
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, overload

from .actors import matcher_for
from .scorecache import from_entry, to_entry
from .scorefacts import PutAside
from .scoring import SnapshotScore, score_snapshot

if TYPE_CHECKING:
    from types import TracebackType

    from .actors import ActorSet
    from .errors import NarrativeDiffError
    from .scorecache import ScoreCache
    from .scoring import Weights
    from .snapshot import Snapshot

#: Results kept after reading back: a pair's two ends and their neighbours (the pairs of a
#: lineage come in date order, interleaved with the other lineages' pairs).
RECENT = 8
#: The prefix of a spool folder's name (in the system's temporary folder).
SPOOL_PREFIX = "narrative-diff-scores-"


class ScoreStore(PutAside):
    """The results of ``snapshots`` (by position), put with :meth:`put` in any order and
    read back by index; ``keys``: their score cache keys (when ``cache`` is given);
    ``read``: a header's body, to score a result again whose cache entry is gone."""

    def __init__(
        self,
        snapshots: Sequence[Snapshot],
        actors: ActorSet,
        weights: Weights,
        *,
        cache: ScoreCache | None = None,
        keys: Sequence[str] = (),
        read: Callable[[Snapshot], Snapshot] | None = None,
    ) -> None:
        self._snapshots = snapshots
        self._actors, self._weights, self._read = actors, weights, read
        self._cache, self._keys = cache, keys
        self._index = {a.key: n for n, a in enumerate(actors.actors)}
        # per snapshot: 1 in the cache, 2 in the spool; its actors named (indices) and counts
        self._where = bytearray(len(snapshots))
        self._named: list[bytes | None] = [None] * len(snapshots)
        self._recent: collections.OrderedDict[int, SnapshotScore] = collections.OrderedDict()
        self._spool: Path | None = None
        self._fd = -1
        self._places = array("q", bytes(16 * len(snapshots)))  # per snapshot: start, size
        self._end = 0
        self._remove: Callable[[], object] | None = None
        self.read_back = 0

    def put(self, i: int, score: SnapshotScore, *, cached: bool) -> None:
        """Keep the facts of snapshot ``i``'s result, and the result: nowhere more when the
        cache holds it (``cached``), else in the spool."""
        counted = Counter(m.actor for m in score.mentions)
        actors = sorted(self._index[key] for key in counted)
        keys = [self._actors.actors[n].key for n in actors]
        # the actors' positions, then their counts: some 100 bytes a snapshot
        self._named[i] = array("I", [*actors, *(counted[key] for key in keys)]).tobytes()
        if cached and self._cache is not None:
            self._where[i] = 1
            return
        data = json.dumps(to_entry(score), ensure_ascii=False).encode("utf-8")
        written = 0
        try:
            while written < len(data):
                written += _write_at(self._file(), data[written:], self._end + written)
        except OSError as exc:
            raise _spool_error(exc, self._spool) from exc
        self._places[2 * i], self._places[2 * i + 1] = self._end, len(data)
        self._end += len(data)
        self._where[i] = 2

    def _file(self) -> int:
        """The spool file's descriptor (the folder and the file made on first use)."""
        if self._spool is None:
            folder = tempfile.mkdtemp(prefix=SPOOL_PREFIX)  # (no usable one: an OSError)
            flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            try:
                self._fd = os.open(os.path.join(folder, "results"), flags, 0o600)
            except OSError:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            self._spool = Path(folder)
            self._remove = weakref.finalize(self, _remove, self._fd, folder)
        return self._fd

    @property
    def spool(self) -> Path | None:
        """The spool folder, once a result is in it (None after :meth:`close`)."""
        return self._spool

    @property
    def snapshots(self) -> Sequence[Snapshot]:
        return self._snapshots

    def counts(self) -> Sequence[Mapping[str, int]]:
        if any(named is None for named in self._named):
            raise ValueError("a result was never put")
        return _Counts(self._named, [actor.key for actor in self._actors.actors])

    def __len__(self) -> int:
        return len(self._snapshots)

    @overload
    def __getitem__(self, i: int) -> SnapshotScore: ...

    @overload
    def __getitem__(self, i: slice) -> list[SnapshotScore]: ...

    def __getitem__(self, i: int | slice) -> SnapshotScore | list[SnapshotScore]:
        if isinstance(i, slice):
            return [self[n] for n in range(len(self))[i]]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        if i in self._recent:
            self._recent.move_to_end(i)
            return self._recent[i]
        score = self._load(i)
        self._recent[i] = score
        if len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        return score

    def _load(self, i: int) -> SnapshotScore:
        snap = self._snapshots[i]
        self.read_back += 1
        if self._where[i] == 2 and self._spool is not None:
            start, size = self._places[2 * i], self._places[2 * i + 1]
            data = b""
            while len(data) < size:  # a short read: the rest
                more = _read_at(self._fd, size - len(data), start + len(data))
                if not more:
                    raise OSError(f"the spool ends before the result of {snap.id}")
                data += more
            return from_entry(json.loads(data), snap)
        if self._where[i] == 1 and self._cache is not None:
            found = self._cache.load(self._keys[i], snap, count=False)
            if found is not None:
                return found
        if self._where[i] == 0:
            raise ValueError(f"no result was put for {snap.id}")
        # the cache entry went away (removed, or damaged, by someone else): score it again
        body = self._read(snap) if self._read is not None else snap
        score = score_snapshot(body, matcher_for(self._actors), self._weights)
        return replace(score, snapshot=snap)

    def close(self) -> None:
        """Remove the spool (if any): the results in it can no longer be read back."""
        self._recent.clear()
        if self._remove is not None:
            self._remove()
        self._spool, self._fd = None, -1

    def __enter__(self) -> ScoreStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class _Counts(Sequence[Mapping[str, int]]):
    """Each snapshot's mentions per actor, unpacked when read (never all at once)."""

    def __init__(self, named: Sequence[bytes | None], keys: Sequence[str]) -> None:
        self._named, self._keys = named, keys

    def __len__(self) -> int:
        return len(self._named)

    @overload
    def __getitem__(self, i: int) -> Mapping[str, int]: ...

    @overload
    def __getitem__(self, i: slice) -> list[Mapping[str, int]]: ...

    def __getitem__(self, i: int | slice) -> Mapping[str, int] | list[Mapping[str, int]]:
        if isinstance(i, slice):
            return [self[n] for n in range(len(self))[i]]
        values = array("I")
        values.frombytes(self._named[i] or b"")
        half = len(values) // 2
        keys = self._keys
        return {keys[n]: c for n, c in zip(values[:half], values[half:], strict=True)}


def _spool_error(exc: OSError, spool: Path | None) -> NarrativeDiffError:
    """The spool could not be made or written (a full or read-only temporary folder, none
    usable): one line naming it, and how to do without it."""
    from .storage import output_error

    where = spool or Path(os.environ.get("TMPDIR") or tempfile.tempdir or "the temporary folder")
    return output_error(
        exc,
        "could not put the scores aside in",
        where,
        outcome="the output is incomplete",
        hint="free space there or set TMPDIR to a writable folder with room; results go there "
        "when the score cache does not keep them (--no-cache, NARRATIVE_DIFF_CACHE=0, a "
        "read-only corpus)",
    )


def _remove(fd: int, folder: str) -> None:
    """Close the spool file and remove its folder (at :meth:`ScoreStore.close`, or when the
    store is collected, or at exit)."""
    with contextlib.suppress(OSError):
        os.close(fd)
    shutil.rmtree(folder, ignore_errors=True)


def _read_at(fd: int, size: int, start: int) -> bytes:
    """Up to ``size`` bytes at ``start``; without ``os.pread`` (Windows, where no process
    is forked to share the file) by seeking."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, start)
    os.lseek(fd, start, os.SEEK_SET)
    return os.read(fd, size)


def _write_at(fd: int, data: bytes, start: int) -> int:
    """Write ``data`` at ``start``: how many bytes were written."""
    if hasattr(os, "pwrite"):
        return os.pwrite(fd, data, start)
    os.lseek(fd, start, os.SEEK_SET)
    return os.write(fd, data)
