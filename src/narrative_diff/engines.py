"""Where snapshots are scored: here, in a pool of processes, or on a Dask cluster.

Why: scoring one snapshot needs nothing from any other, and the change statistics of a
pair (most of ``score``'s time: the bootstrap) need only its two snapshots' results. So
each snapshot's result is looked up in the score cache (:mod:`narrative_diff.scorecache`)
first, and only the missing ones are scored:

* ``local``: in this process, or, when the missing text is long enough to pay for the
  start-up (:data:`POOL_MIN_CHARS`), in a pool of forked processes, one per core (Linux;
  ``NARRATIVE_DIFF_WORKERS=1`` turns it off, ``=N`` caps it at N);
* ``dask``: :func:`score_files` mapped over the snapshot files by a Dask cluster (a
  ``LocalCluster`` when no scheduler address is given); the workers read the files, so a
  remote cluster must see the corpus at the same path (docs/scale.md).

The change rows of the pairs missing from the cache are then computed here, or in a
pool of forked processes when there are many (:class:`PairStatistics`), whatever the
engine. Every engine returns a result through the same JSON form the cache keeps
(:func:`~narrative_diff.scorecache.to_entry`), whose floats are exact, and the series
statistics are computed afterwards in this process: the output is the same byte for byte
whichever engine scored. A worker's result for a text other than the one this process read
(the file changed meanwhile) is not used: the snapshot is scored here instead.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import logging
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from . import signals
from .actors import matcher_for
from .changes import ChangeRow, PairJob, each_in_turn, in_turn
from .errors import FetchFailed, MissingExtra, UsageProblem
from .scorecache import ScoreCache, context_key, digest, entry_key, from_entry, to_entry
from .scorestore import ScoreStore
from .scoring import SnapshotScore, Weights, score_snapshot
from .snapshot import Snapshot
from .storage import read_utf8
from .workers import WORKERS_ENV as WORKERS_ENV
from .workers import allowed

if TYPE_CHECKING:
    from .actors import ActorSet

#: The engines of ``score --engine``.
ENGINES = ("local", "dask")
#: Below this many characters of text to score, a pool costs more than it saves (forking,
#: sending results back): measured in bench/README.md, "Engines".
POOL_MIN_CHARS = 600_000
#: Below this many pairs to compute, the series statistics are computed in this process.
POOL_MIN_PAIRS = 64
#: Pairs looked up in the cache, and computed, at a time (:class:`PairStatistics`).
PAIR_BLOCK = 1024
#: The variables that set how many threads numpy's linear algebra starts.
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
#: Snapshots per Dask task: fewer, larger tasks keep the scheduler's overhead small.
DASK_BATCH = 25
#: How long to wait for a scheduler given by address.
SCHEDULER_TIMEOUT = "10s"
#: How a LocalCluster is started when no scheduler is given (tests use threads).
LOCAL_CLUSTER: dict[str, Any] = {"processes": True, "threads_per_worker": 1}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Engine:
    """How to score: ``name`` (local or dask), the Dask ``scheduler`` address (None: a
    LocalCluster), and whether to use the score cache (None: unless
    ``NARRATIVE_DIFF_CACHE=0``)."""

    name: str = "local"
    scheduler: str | None = None
    cache: bool | None = None


def check_engine(engine: Engine) -> None:
    """Refuse an unknown engine, a scheduler without Dask, or Dask without its extra,
    before any work."""
    if engine.name not in ENGINES:
        raise UsageProblem(
            f"--engine {engine.name} is not one of {', '.join(ENGINES)}",
            hint="use --engine local (this machine) or --engine dask",
            slug="bad-option",
        )
    if engine.scheduler is not None and engine.name != "dask":
        raise UsageProblem(
            "--scheduler works with --engine dask only",
            hint="add --engine dask, or leave out --scheduler",
            slug="bad-option",
        )
    if engine.name == "dask":
        _distributed()


def workers() -> int:
    """How many processes may score here: :func:`narrative_diff.workers.allowed` (the
    usable cores, capped by ``NARRATIVE_DIFF_WORKERS``); 1 where forking is not the
    platform's way. Fork, not the spawn of :mod:`narrative_diff.workers`: the children
    inherit the matcher and the results (no pickling of every snapshot, no imports), and
    run only scoring code, which takes no lock another thread may hold."""
    if sys.platform != "linux":
        return 1
    return allowed()


def score_snapshots(
    snapshots: Sequence[Snapshot],
    actors: ActorSet,
    weights: Weights,
    *,
    cache: ScoreCache | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
    read: Callable[[Snapshot], Snapshot] | None = None,
    keep: bool = True,
) -> tuple[Sequence[SnapshotScore], PairStatistics]:
    """The result of every snapshot, in order: from ``cache`` where it holds one, the rest
    scored by ``engine`` (and kept in ``cache``); and what computes the change statistics
    of their pairs (through the same cache).

    ``snapshots`` may be headers (:meth:`Snapshot.header`): ``read`` gives a header's body
    when it is scored (``Corpus.with_body``) and the results hold the headers, so a
    series' bodies are never all in memory at once (one at a time here, :data:`WINDOW` at
    a time in a pool). ``keep=False`` puts each result aside as it comes
    (:class:`~narrative_diff.scorestore.ScoreStore`: read back from the cache or a spool,
    which the caller closes), so that memory does not grow with the series."""
    engine = engine or Engine()
    read = read or _as_is
    context = context_key(actors, weights) if cache is not None else ""
    keys = [entry_key(snap, context) for snap in snapshots] if cache is not None else []
    store = (
        None if keep else ScoreStore(snapshots, actors, weights, cache=cache, keys=keys, read=read)
    )
    try:
        found = _score_all(snapshots, actors, weights, cache, keys, engine, progress, read, store)
    except BaseException:
        if store is not None:
            store.close()
        raise
    return store if store is not None else found, PairStatistics(cache, keys)


def _score_all(
    snapshots: Sequence[Snapshot],
    actors: ActorSet,
    weights: Weights,
    cache: ScoreCache | None,
    keys: Sequence[str],
    engine: Engine,
    progress: Progress | None,
    read: Callable[[Snapshot], Snapshot],
    store: ScoreStore | None,
) -> list[SnapshotScore]:
    """:func:`score_snapshots`' results, in order; none when they go to ``store``."""
    total = len(snapshots)
    found: list[SnapshotScore | None] = [None] * total
    missing: list[int] = []
    for i, snap in enumerate(snapshots):
        hit = cache.load(keys[i], snap) if cache is not None else None
        if hit is None:
            missing.append(i)
        elif store is not None:
            store.put(i, hit, cached=True)
        else:
            found[i] = hit
    done = total - len(missing)
    if progress and done:
        progress(done, total)
    todo = [snapshots[i] for i in missing]
    results: Iterator[dict[str, Any] | SnapshotScore]
    if engine.name == "dask":
        results = _dask(todo, actors, weights, engine.scheduler, read)
    elif len(todo) > 1 and workers() > 1 and _chars(todo) >= POOL_MIN_CHARS:
        results = _pool(todo, actors, weights, read)
    else:
        results = (_score_here(read(snap), actors, weights) for snap in todo)
    for i, entry in zip(missing, results, strict=True):
        snap = snapshots[i]
        score = _checked(entry, snap, actors, weights, read)
        kept = cache.store(keys[i], score) if cache is not None else False
        if store is not None:
            store.put(i, score, cached=kept)
        else:
            found[i] = score
        done += 1
        if progress:
            progress(done, total)
    return [score for score in found if score is not None]


#: Snapshots a pool reads ahead: two windows of bodies at most are in memory at once; a
#: window holds at least :data:`WINDOW_PER_WORKER` for each process, so many cores all work.
WINDOW = 256
WINDOW_PER_WORKER = 64


def _as_is(snap: Snapshot) -> Snapshot:
    return snap


def _chars(todo: Sequence[Snapshot]) -> int:
    """The characters to score, counted up to :data:`POOL_MIN_CHARS`; for a header, its
    file's size (close enough to decide on a pool, and no body is read for it)."""
    count = 0
    for snap in todo:
        if not snap.is_header:
            count += len(snap.body)
        elif snap.path is not None:
            with contextlib.suppress(OSError):  # reading it will say what is wrong
                count += snap.path.stat().st_size
        if count >= POOL_MIN_CHARS:
            break
    return count


def _checked(
    entry: dict[str, Any] | SnapshotScore,
    snap: Snapshot,
    actors: ActorSet,
    weights: Weights,
    read: Callable[[Snapshot], Snapshot] = _as_is,
) -> SnapshotScore:
    """A worker's entry as the result of ``snap`` (a header stays a header: the body read
    to score it is not kept); scored here when the entry is for another text."""
    if isinstance(entry, SnapshotScore):
        return entry if entry.snapshot is snap else replace(entry, snapshot=snap)
    try:
        return from_entry(entry, snap)
    except (ValueError, KeyError, TypeError, AttributeError):
        score = score_snapshot(read(snap), matcher_for(actors), weights)
        return replace(score, snapshot=snap)


def _score_here(snap: Snapshot, actors: ActorSet, weights: Weights) -> SnapshotScore:
    return score_snapshot(snap, matcher_for(actors), weights)


# ---------------------------------------------------------------- the change rows of pairs
#: The format of a pair's entry (its own number: the meaning is in the key).
PAIR_FORMAT = 1
_INTERVALS = ("prominence_ci", "share_of_voice_ci")


@dataclass
class PairStatistics:
    """Computes the change rows of a series' pairs (a :data:`~narrative_diff.changes.PairRunner`):
    from the score cache where it holds them (``changes/``), the rest in a pool of forked
    processes when there are enough (:data:`POOL_MIN_PAIRS`; the bootstrap is most of the
    series statistics), else here, in order; then kept in the cache.

    A pair's key is both snapshots' keys (text, metadata, actors, weights, scoring version)
    and what else its rows depend on (the actors named later in the lineage, the bootstrap's
    columns, the lineage names): a new snapshot that names an actor changes the key of the
    pairs before it. ``computed`` counts the pairs computed."""

    cache: ScoreCache | None
    keys: Sequence[str]
    computed: int = 0

    def __call__(self, jobs: Iterable[PairJob]) -> Iterator[list[ChangeRow]]:
        """Each job's rows, in order, as they are made: :data:`PAIR_BLOCK` jobs at a time
        (a series' jobs and rows are never all in memory)."""
        pending = iter(jobs)
        while block := list(itertools.islice(pending, PAIR_BLOCK)):
            yield from self._block(block)

    def _block(self, jobs: Sequence[PairJob]) -> Iterator[list[ChangeRow]]:
        keys = [self._key(job) for job in jobs]
        cache = self.cache
        stored = [cache is not None and cache.path(key, "changes").is_file() for key in keys]
        todo = [job for job, there in zip(jobs, stored, strict=True) if not there]
        if len(todo) > 1 and len(todo) >= POOL_MIN_PAIRS and workers() > 1:
            computed = _pairs_in_pool(todo)
        else:
            computed = each_in_turn(todo)
        fields = list(ChangeRow.__dataclass_fields__)
        for job, key, there in zip(jobs, keys, stored, strict=True):
            rows = cache.read(key, "changes", _change_rows) if cache and there else None
            if rows is not None:
                yield rows
                continue
            # computed with the others, or here when its entry turned out unreadable
            rows = next(computed) if not there else in_turn([job])[0]
            self.computed += 1
            if cache is not None:
                entry = [[getattr(row, name) for name in fields] for row in rows]
                document = {"format": PAIR_FORMAT, "fields": fields, "rows": entry}
                cache.write(key, "changes", document)
            yield rows

    def _key(self, job: PairJob) -> str:
        if self.cache is None:
            return ""
        ends = {"from": self.keys[job.i], "to": self.keys[job.j]}
        return digest({"pair": PAIR_FORMAT, **ends, "on": job.depends})


def _change_rows(entry: Any) -> list[ChangeRow]:
    """The rows of a pair's entry; TypeError or ValueError for one that does not check out."""
    fields = list(ChangeRow.__dataclass_fields__)
    if entry.get("format") != PAIR_FORMAT or entry.get("fields") != fields:
        raise ValueError("another format")
    rows = []
    for values in entry["rows"]:
        row = dict(zip(fields, values, strict=True))
        for name in _INTERVALS:
            if row[name] is not None:
                low, high = row[name]
                row[name] = (float(low), float(high))
        rows.append(ChangeRow(**row))
    return rows


# ---------------------------------------------------------------- the per-snapshot work
def score_file(path: str, actors: ActorSet, weights: Weights) -> dict[str, Any]:
    """Read one snapshot file and score it: the JSON form of its result (what a worker
    sends back; it holds the text's hash, checked on arrival)."""
    from pathlib import Path

    snap = Snapshot.from_markdown(read_utf8(Path(path)), path=Path(path))
    return to_entry(score_snapshot(snap, matcher_for(actors), weights))


def score_files(paths: Sequence[str], actors: ActorSet, weights: Weights) -> list[dict[str, Any]]:
    """:func:`score_file` over a batch of files (one Dask task)."""
    return [score_file(path, actors, weights) for path in paths]


# ---------------------------------------------------------------- a pool of processes
_JOB: dict[str, Any] = {}


def _start_child(actors: ActorSet | None, weights: Weights | None) -> None:
    """A pool worker's set-up: signals as for any helper (Ctrl-C is the parent's), and the
    job (the matcher is the parent's, inherited by the fork)."""
    signals.for_child()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals.HELD)
    # one thread of linear algebra per process: OpenBLAS's own threads in each of the
    # processes (the bootstrap's matrix products) fought over the cores and made the pool
    # slower than one process (bench/README.md, "Engines"); read when numpy loads here
    for name in BLAS_THREADS:
        os.environ[name] = "1"
    _JOB["job"] = (actors, weights)


@contextlib.contextmanager
def _forked_pool(
    count: int, actors: ActorSet | None, weights: Weights | None
) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of ``count`` forked processes, ended (terminated) on leaving."""
    context = multiprocessing.get_context("fork")
    with warnings.catch_warnings(), signals.blocked():
        # Python 3.12+ warns when forking with threads running (a progress bar's)
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork")
        pool = context.Pool(count, initializer=_start_child, initargs=(actors, weights))
    with pool:
        yield pool


def _score_in_child(snap: Snapshot) -> dict[str, Any]:
    actors, weights = _JOB["job"]
    return to_entry(score_snapshot(snap, matcher_for(actors), weights))


def _pool(
    todo: Sequence[Snapshot],
    actors: ActorSet,
    weights: Weights,
    read: Callable[[Snapshot], Snapshot] = _as_is,
) -> Iterator[dict[str, Any]]:
    """Score ``todo`` in forked processes, results in order as they come: a window of
    snapshots at a time (:data:`WINDOW`, more with many cores), the next window read while
    the children score this one."""
    count = min(workers(), len(todo))
    matcher_for(actors)  # built once here, inherited by every child
    window = max(WINDOW, WINDOW_PER_WORKER * count)
    chunk = max(1, min(16, min(window, len(todo)) // (count * 8)))  # eight pieces a process
    pending: collections.deque[Iterator[dict[str, Any]]] = collections.deque()
    with _forked_pool(count, actors, weights) as pool:
        for start in range(0, len(todo), window):
            bodies = [read(snap) for snap in todo[start : start + window]]
            pending.append(pool.imap(_score_in_child, bodies, chunksize=chunk))
            del bodies  # the pool holds them until they are scored
            if len(pending) > 1:
                yield from pending.popleft()
        while pending:
            yield from pending.popleft()


def _pairs_in_child(span: tuple[int, int]) -> list[list[ChangeRow]]:
    jobs: Sequence[PairJob] = _JOB["pairs"]
    return in_turn(jobs[span[0] : span[1]])


def _pairs_in_pool(jobs: Sequence[PairJob]) -> Iterator[list[ChangeRow]]:
    """:func:`~narrative_diff.changes.in_turn` over ``jobs`` split in runs of consecutive
    pairs (which share snapshots, so each draws its bootstrap once), one run per process at
    a time, the rows handed on in order as they come; the children inherit the jobs (and
    the scores they hold, or read back) by the fork."""
    count = min(workers(), len(jobs))
    size = max(1, min(256, len(jobs) // (count * 4)))
    spans = [(start, min(start + size, len(jobs))) for start in range(0, len(jobs), size)]
    _JOB["pairs"] = jobs
    try:
        with _forked_pool(count, None, None) as pool:
            for part in pool.imap(_pairs_in_child, spans):
                yield from part
    finally:
        _JOB.pop("pairs", None)


# ---------------------------------------------------------------- Dask
def _distributed() -> Any:
    """``dask.distributed``, or :class:`MissingExtra` naming the extra."""
    loaded = "numpy" in sys.modules
    saved = {name: os.environ.get(name) for name in BLAS_THREADS}
    try:
        # distributed imports numpy: with one BLAS thread, as the pool's processes want
        # them (forked later, they inherit its threads; docs/scale.md)
        if not loaded:
            os.environ.update(dict.fromkeys(BLAS_THREADS, "1"))
        import dask.distributed
    except ImportError:
        raise MissingExtra(
            "--engine dask needs dask and distributed, which are not installed",
            hint="pip install 'narrative-diff[dask]', or use --engine local",
        ) from None
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return dask.distributed


@contextlib.contextmanager
def _client(scheduler: str | None) -> Iterator[Any]:
    """A Dask client: of the scheduler at ``scheduler``, or of a new LocalCluster with one
    worker per usable core (closed afterwards)."""
    distributed = _distributed()
    if scheduler is None:
        options = {"n_workers": max(1, workers()), **LOCAL_CLUSTER}
        with (
            distributed.LocalCluster(
                dashboard_address=None, silence_logs=logging.ERROR, **options
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = distributed.Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise FetchFailed(
            f"cannot reach the Dask scheduler at {scheduler} ({exc})",
            hint="start one (dask scheduler) and give its address, e.g. "
            "--scheduler tcp://127.0.0.1:8786, or leave out --scheduler for a local cluster",
            slug="scheduler-unreachable",
        ) from None
    with client:
        yield client


def _dask(
    todo: Sequence[Snapshot],
    actors: ActorSet,
    weights: Weights,
    scheduler: str | None,
    read: Callable[[Snapshot], Snapshot] = _as_is,
) -> Iterator[dict[str, Any] | SnapshotScore]:
    """Score ``todo`` on a Dask cluster, :data:`DASK_BATCH` files per task; a snapshot
    without a file (not from a corpus) is scored here."""
    if not todo:
        return
    with _client(scheduler) as client:
        shared = client.scatter([actors, weights], broadcast=True)
        run = uuid.uuid4().hex
        on_disk = [i for i, snap in enumerate(todo) if snap.path is not None]
        batches = [on_disk[k : k + DASK_BATCH] for k in range(0, len(on_disk), DASK_BATCH)]
        futures = [
            client.submit(
                score_files,
                [str(todo[i].path) for i in batch],
                *shared,
                key=f"score-files-{run}-{n}",  # unique: clients may share a scheduler
                pure=False,
            )
            for n, batch in enumerate(batches)
        ]
        results: dict[int, dict[str, Any] | SnapshotScore] = {}
        next_index = 0
        pending = dict(zip((f.key for f in futures), batches, strict=True))
        for future in _distributed().as_completed(futures):
            for i, entry in zip(pending[future.key], future.result(), strict=True):
                results[i] = entry
            while next_index < len(todo):  # hand on results in order, as they complete
                if next_index not in results and todo[next_index].path is None:
                    results[next_index] = _score_here(read(todo[next_index]), actors, weights)
                if next_index not in results:
                    break
                yield results.pop(next_index)
                next_index += 1
        while next_index < len(todo):
            if next_index not in results:
                results[next_index] = _score_here(read(todo[next_index]), actors, weights)
            yield results.pop(next_index)
            next_index += 1
