"""Process pools for work that splits into independent pieces: the pairs a report compares,
the captures a backfill extracts.

Why a pool only sometimes: starting a worker costs a fresh interpreter and the imports its
task needs (about 0.3 s each, in parallel), so a pool pays only for work of a few seconds
or more; below the caller's threshold everything runs in this process, as before. The
results are the same either way, in the same order (tested byte for byte).

How: ``spawn`` workers (the start method of every platform; a fork could copy a lock held
by another thread, such as the report's drawer thread). The workers ignore Ctrl-C: this
process receives it, stops the pool (queued pieces are cancelled, running ones get a few
seconds to finish before their processes are ended) and runs its own clean-up, so one
interruption gives one line, not a traceback per worker. ``NARRATIVE_DIFF_WORKERS`` caps
the number of processes (1: no pool).
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

#: Environment variable: how many processes a command may use (1: only this one).
WORKERS_ENV = "NARRATIVE_DIFF_WORKERS"

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    """The cores this process may run on (its affinity where the platform tells it)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def allowed() -> int:
    """How many processes a command may use: ``$NARRATIVE_DIFF_WORKERS`` (a positive whole
    number; anything else is ignored), else every core; 1 in a daemonic process (a pool's
    own worker may not start children)."""
    import multiprocessing

    if multiprocessing.current_process().daemon:
        return 1
    given = os.environ.get(WORKERS_ENV, "").strip()
    if given.isdigit() and int(given) >= 1:
        return min(int(given), cores())
    return cores()


def pool_size(pieces: int, work: float, worth: float) -> int:
    """Processes for ``pieces`` independent pieces of ``work`` in all (any unit): 1 (no
    pool) when the work is under ``worth`` (the same unit) or there is one piece."""
    if pieces < 2 or work < worth:
        return 1
    return max(1, min(allowed(), pieces))


def _quiet_worker() -> None:
    """A worker leaves Ctrl-C to the process that started it (module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


#: ``submit(task, item)`` starts a piece and returns the call that waits for its result
#: (and raises the piece's error, if it failed).
Submit = Callable[[Callable[[T], R], T], Callable[[], R]]


@contextlib.contextmanager
def pool(processes: int) -> Iterator[Submit[Any, Any]]:
    """A pool of ``processes`` worker processes (none when 1: each piece then runs when it
    is submitted, and its error waits for the result to be asked for, as in a pool). The
    pieces' tasks must be module-level functions; items and results are pickled."""
    if processes <= 1:
        yield _here
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(processes, mp_context=context, initializer=_quiet_worker)
    started: set[Future[Any]] = set()  # the pieces not done (a done one is let go)

    def submit(task: Callable[[T], R], item: T) -> Callable[[], R]:
        future = executor.submit(task, item)
        started.add(future)
        future.add_done_callback(started.discard)
        return future.result

    try:
        yield submit
    except BaseException:
        _stop(executor, list(started))
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _here(task: Callable[[T], R], item: T) -> Callable[[], R]:
    try:
        result = task(item)
    except Exception as error:  # raised when the result is asked for, as from a pool
        failed = error

        def fail() -> R:
            raise failed

        return fail
    return lambda: result


#: Seconds the pieces running when the pool is stopped may take to finish.
STOP_GRACE = 5.0


def _stop(executor: ProcessPoolExecutor, started: Iterable[Future[Any]]) -> None:
    """End the pool now (an error or an interruption): pieces not handed to a worker yet
    are cancelled; the others get :data:`STOP_GRACE` seconds to finish (a second Ctrl-C
    cuts that short); then the processes still running are ended.

    Not at once: a worker ended while it sends its result leaves part of a message in the
    pipe, and the executor's thread waits for the rest for ever (a Ctrl-C of a backfill
    hung so, about one time in six on a busy machine). When a process had to be ended, this
    process's own end of that pipe is closed too: the thread then reads the end of the
    file, takes the pool for broken, and the shutdown ends. (The processes and the pipe
    are reached through the executor: it has no public way to them before Python 3.14's
    ``terminate_workers``, which would not close the pipe either.)"""
    from concurrent.futures import wait

    processes = list((getattr(executor, "_processes", None) or {}).values())
    results = getattr(executor, "_result_queue", None)
    started = list(started)
    for future in started:
        future.cancel()  # (a piece already in the executor's queue counts as running)
    try:
        wait([future for future in started if not future.done()], timeout=STOP_GRACE)
    finally:
        ended = [process for process in processes if process.is_alive()]
        for process in ended:
            process.terminate()
        for process in ended:
            process.join(timeout=STOP_GRACE)
        writer = getattr(results, "_writer", None)
        if ended and writer is not None:
            writer.close()
