"""Work done in a second, forked process beside this one: a report's charts, the summary
half of a long comparison.

Why: some work splits in two halves of about the same cost that need little from each
other but the finished results. A report: matplotlib drawing the charts and the summary
card, beside fpdf2 laying out the PDF's text and the HTML page around the same images.
A comparison of two long texts: each text's readability, actor mentions and word index,
then the summary from the segments that changed, beside the alignment, the word diffs and
the writing of the segments. On a machine with two cores, doing them side by side takes
the time of the longer half instead of the sum.

How: the process forks (for a report, before the report is built: the child imports
matplotlib meanwhile; numpy and Pillow, which both need, are imported before the fork),
then sends the child the work (pickled: about 0.1 MB for the ILRS report; work given when
the child is made is inherited by the fork and never pickled), and the child does each job
in order (``png`` first, the PDF needs it soonest), sending each result down a pipe as soon
as it is done. The parent asks for a job when it needs it and waits only if the child is
not done yet. Later orders reuse the work the child holds, and may give a job what only
the parent knew by then (a comparison's sentence cuts, then what its changed segments
say, for the child's readability, actors and summary).
Warnings the child's work raises are raised again here, in order. Nothing is written to
disk by the child; the parent writes every file.

Fork is used only where it is the platform's own way (Linux), there are two usable
cores, and the process may have children; ``NARRATIVE_DIFF_WORKERS=1`` turns it off (any
other value leaves it on). If the fork is refused, the child fails (an error in a job) or
dies (killed, out of memory), this process does what is missing itself: an error then
happens here, with its own traceback and message, as it would without the child, and the
command never fails for want of the child.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from narrative_diff import signals
from narrative_diff.errors import NarrativeDiffError
from narrative_diff.workers import WORKERS_ENV, cores

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess


#: Seconds a child with nothing left to do is given to run its ``finish`` and end.
FINISH_S = 10.0

#: A job's work: its name (and what :meth:`Drawer.start` gave it, if anything) → its result
#: (picklable: it comes back through a pipe).
Draw = Callable[..., Any]


def available() -> bool:
    """Whether drawing in a forked process can pay off here (module docstring): not in a
    daemonic process (a multiprocessing pool's worker may not have children)."""
    if os.environ.get(WORKERS_ENV, "").strip() == "1":
        return False
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if multiprocessing.current_process().daemon:
        return False
    return cores() >= 2


class Drawer:
    """A forked child that does jobs in order; :meth:`start` gives it the jobs,
    :meth:`get` returns one job's result, waiting for the child if needed. ``draw``, when
    given here, is the work the child inherits (:meth:`start` then needs none).

    The child is forked before the report is built and runs ``prepare`` (imports) while
    this process builds it. A thread here receives each result as soon as it is sent: a
    pipe holds 64 KiB, so a child sending a chart nobody reads yet would stop drawing.
    The child closes this side's pipe ends, so that it sees the parent go (an end of
    file, a broken pipe) however the parent ends, and ends too."""

    def __init__(
        self,
        prepare: Callable[[], None],
        finish: Callable[[], None] | None = None,
        draw: Draw | None = None,
    ) -> None:
        self._draw: Draw | None = draw
        self._finishes = finish is not None
        self._given: dict[str, Any] = {}
        self._ordered: set[str] = set()
        self._came: set[str] = set()  # jobs whose result (or refusal) came from the child
        self._refusal: BaseException | None = None  # what stopped the child, for any job left
        self._results: dict[str, Any] = {}
        self._warnings: list[tuple[str, type[Warning]]] = []
        self._over = False
        self._ready = False  # the child has done its ``prepare`` (it said so)
        self._sender: threading.Thread | None = None
        self._changed = threading.Condition()
        context = multiprocessing.get_context("fork")
        self._conn, child_out = context.Pipe(duplex=False)
        child_in, self._orders = context.Pipe(duplex=False)
        _widen(self._conn, self._orders)
        ends = (self._conn, self._orders)
        self._process: BaseProcess = context.Process(
            target=_work,
            args=(prepare, finish or _nothing, child_in, child_out, ends, draw, os.getpid()),
            daemon=True,
        )
        try:
            with warnings.catch_warnings(), signals.blocked():
                # Python 3.12+ warns when forking with threads running (a progress bar's
                # refresh thread): the child only draws and never touches what they hold
                warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork")
                self._process.start()
            # a signal held back during the fork lands here: the child is stopped below
            child_out.close()
            child_in.close()
            self._receiver = threading.Thread(target=self._receive, daemon=True)
            self._receiver.start()
        except BaseException:
            if self._process.pid is not None:
                self._process.terminate()
                self._process.join()
            for conn in (self._conn, self._orders, child_out, child_in):
                conn.close()
            raise

    def start(
        self, draw: Draw | None, jobs: Sequence[str], given: dict[str, Any] | None = None
    ) -> None:
        """Have the child do ``draw(job)`` for each of ``jobs``, or ``draw(job, value)`` for
        a job ``given`` a value (``draw`` is pickled: a function or the method of an object
        with plain data; None: the work the child holds already, given when it was made or
        by an earlier order, with whatever that work has kept)."""
        self._draw = draw or self._draw
        self._given.update(given or {})
        with self._changed:
            idle = self._ready and self._ordered <= self._came and not self._over
        self._ordered.update(jobs)
        order = (draw, tuple(jobs), given or {})
        if idle and (self._sender is None or not self._sender.is_alive()):
            # The child waits for it: it reads as this writes, and has it at once (a
            # thread of this busy process took up to 5 ms to get the interpreter at each
            # pipe's worth of the two texts of a comparison, 2.4 MB: 14 ms, not 6)
            self._send(None, order)
            return
        # Else sent from a thread: the child reads its order only once ``prepare`` (or its
        # earlier jobs) are done, and a large one fills the pipe; this process goes on.
        # Orders leave in the order given.
        before = self._sender
        self._sender = threading.Thread(target=self._send, args=(before, order), daemon=True)
        self._sender.start()

    def _send(self, before: threading.Thread | None, order: tuple[Any, ...]) -> None:
        if before is not None:
            before.join()
        try:
            self._orders.send(order)
        except Exception:  # the child is gone: everything is drawn here
            with self._changed:
                self._over = True
                self._changed.notify_all()

    def get(self, job: str) -> Any:
        """The result of ``job``: the child's, or done here if the child is gone (or was
        never given it). A refusal stops the child: it is raised for the jobs left too
        (done here, they would meet it again)."""
        with self._changed:
            self._changed.wait_for(
                lambda: job in self._results or self._over or job not in self._ordered
            )
            said, self._warnings = self._warnings, []
            result = self._results.pop(job, None)
        for message, category in said:  # raised here: the CLI shows warnings from this thread
            warnings.warn(message, category, stacklevel=3)
        if result is None and self._refusal is not None and job in self._ordered:
            raise self._refusal
        if result is None:
            assert self._draw is not None, "start() first"
            return self._draw(job, self._given[job]) if job in self._given else self._draw(job)
        kind, value = result
        if kind == "refused":
            raise value
        return value

    def refusal(self) -> BaseException | None:
        """The error the child stopped on (the user's to fix), if it has come: :meth:`get`
        raises it for every job left, and a caller may raise it sooner, before its own
        share of work done for nothing."""
        with self._changed:
            return self._refusal

    def _receive(self) -> None:
        """The thread: every message from the child, until it is done or gone."""
        while True:
            try:
                kind, job, value = self._conn.recv()
            except Exception:  # closed, the child died or sent garbage
                kind, job, value = "over", "", None
            with self._changed:
                if kind == "ready":
                    self._ready = True
                elif kind == "warning":
                    self._warnings.append(value)
                elif kind in ("done", "refused"):
                    self._results[job] = (kind, value)
                    self._came.add(job)
                    if kind == "refused":
                        self._refusal = value
                else:  # over: what is not here yet is drawn by the parent
                    self._over = True
                self._changed.notify_all()
            if kind == "over":
                self._conn.close()
                return

    def close(self) -> None:
        """End the child. One that has sent every job ordered waits for another order:
        the end of file ends it. If it has a ``finish`` (which a stop would skip, as would
        multiprocessing at this process's exit), this waits for it to end; else this
        process goes on at once (a long comparison's child takes a hundredth of a second
        to give back its memory) and multiprocessing reaps it at the next fork or at exit.
        One still at work, or never given any, is stopped and reaped now."""
        if self._sender is not None and self._sender.is_alive():  # the order was never
            self._process.terminate()  # taken: the child's end goes, and the send fails
            self._sender.join()
        self._orders.close()
        with self._changed:
            idle = bool(self._ordered) and self._ordered <= self._came and not self._over
        if idle and self._finishes:
            self._process.join(timeout=FINISH_S)
        elif idle:  # the receiving thread ends at the child's end of file, closing the pipe
            return
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receiver.join()  # every write end is closed now: the thread has its end of file
        self._conn.close()


def _nothing() -> None:
    """The ``finish`` of a child that has none."""


def _work(
    prepare: Callable[[], None],
    finish: Callable[[], None],
    orders: Connection,
    conn: Connection,
    parent_ends: tuple[Connection, Connection],
    inherited: Draw | None = None,
    parent: int = 0,
) -> None:
    """The child: prepare, wait for the jobs, draw each and send it; on an error, stop
    (the parent draws the job again itself, so the error is raised there, traceback and
    all; an error the user is to fix, :class:`NarrativeDiffError`, is sent and raised as
    it is); then ``finish`` (the child ends without the exit handlers of a normal exit).
    Whatever happens, nothing is printed here."""
    signals.for_child()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals.HELD)
    _end_with(parent)
    for end in parent_ends:
        end.close()
    with contextlib.suppress(BaseException), contextlib.closing(conn), contextlib.closing(orders):
        try:
            _jobs(prepare, orders, conn, inherited)
        finally:
            finish()


#: prctl's option: the signal this process gets when its parent ends (Linux).
_PR_SET_PDEATHSIG = 1


def _end_with(parent: int) -> None:
    """Have the kernel end this child when its parent ends, however it ends (a SIGKILL
    runs no clean-up): a child busy with a long job would otherwise finish it first. Where
    prctl cannot be called, the closed pipes end the child after its job."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent and os.getppid() != parent:  # the parent ended before the request: end now
        os._exit(0)


def _jobs(
    prepare: Callable[[], None], orders: Connection, conn: Connection, inherited: Draw | None
) -> None:
    """The child's work, between its set-up and its tidying (:func:`_work`)."""
    with contextlib.suppress(Exception):
        prepare()
    draw = inherited
    outbox = _Outbox(conn)
    outbox.send(("ready", "", None))  # (an order may now be written while it is read)
    try:
        while True:
            try:  # an end of file (the parent is done, or gone) ends the child
                sent, jobs, given = orders.recv()
            except EOFError:
                break
            draw = sent or draw
            if draw is None or not _do(draw, jobs, given, outbox):
                break
        outbox.send(("over", "", None))  # anything not sent is drawn by the parent
    finally:
        outbox.close()


class _Outbox:
    """The child's messages, sent by a thread of their own in order: a large result (a
    report's charts) is read by the parent a pipe's worth at a time, between its own work,
    and the child goes on with the next job meanwhile."""

    def __init__(self, conn: Connection) -> None:
        import queue

        self._conn = conn
        self._queue: queue.SimpleQueue[tuple[str, str, Any] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._post, daemon=True)
        self._thread.start()

    def send(self, message: tuple[str, str, Any]) -> None:
        self._queue.put(message)

    def close(self) -> None:
        """Send what is queued, then stop (before the pipe is closed)."""
        self._queue.put(None)
        self._thread.join()

    def _post(self) -> None:
        while (message := self._queue.get()) is not None:
            try:
                self._conn.send(message)
            except Exception:  # the parent is gone: nothing more to send
                return


def _do(draw: Draw, jobs: Sequence[str], given: dict[str, Any], conn: _Outbox) -> bool:
    """Each job in turn, its warnings and its result sent; on an error, stop (False)."""
    for job in jobs:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                value = draw(job, given[job]) if job in given else draw(job)
            except NarrativeDiffError as error:  # the user's to fix (a pattern over its
                kind, value = "refused", error  # budget): raised by the parent as it is,
            except Exception:  # not done again; any other error is the parent's own to raise
                return False
            else:
                kind = "done"
        for warning in caught:
            conn.send(("warning", job, (str(warning.message), _category(warning))))
        conn.send((kind, job, value))
        if kind == "refused":
            return False
    return True


def _widen(*conns: Connection) -> None:
    """Pipes of 1 MiB instead of 64 KiB where the system allows it (Linux): a large result
    then crosses in a few reads, and the parent's reading thread waits for the interpreter
    at each read (up to 5 ms while the parent computes)."""
    with contextlib.suppress(Exception):
        import fcntl

        for conn in conns:
            fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)


def _category(warning: warnings.WarningMessage) -> type[Warning]:
    """The warning's class when the parent can raise it again with a message alone."""
    category = warning.category
    try:
        category(str(warning.message))
    except Exception:  # a class that needs other arguments
        return UserWarning
    return category
