"""Drawing the charts in a second process while this one sets the report's text.

Why: a report's work splits in two halves of about the same cost that need nothing from
each other but the finished images: matplotlib drawing the charts and the summary card
(and the HTML page, mostly those charts as SVG), and fpdf2 laying out the PDF's text. On
a machine with two cores, doing them side by side takes the time of the longer half
instead of the sum.

How: the process forks (the child has the report already built: nothing is pickled going
in, only image bytes coming out), and the child draws each job in order (``png`` first,
the PDF needs it soonest), sending each result down a pipe as soon as it is done. The
parent asks for a job when it needs it and waits only if the child is not done yet.
Warnings the child's drawing raises are raised again here, in order, as if drawn here.
Nothing is written to disk by the child; the parent writes every file as one set.

Fork is used only where it is the platform's own way (Linux) and there are two usable
cores; ``NARRATIVE_DIFF_WORKERS=1`` turns it off. If the child fails (an error while
drawing) or dies (killed, out of memory), the parent draws what is missing itself: an
error then happens here, with its own traceback and message, as it would without the
child, and a report never fails for want of the child.
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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

#: Environment variable: how many processes a report may use (1: draw in this one).
WORKERS_ENV = "NARRATIVE_DIFF_WORKERS"

Draw = Callable[[str], list[bytes]]


def available() -> bool:
    """Whether drawing in a forked process can pay off here (module docstring)."""
    if os.environ.get(WORKERS_ENV, "").strip() == "1":
        return False
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    return len(os.sched_getaffinity(0)) >= 2


class Drawer:
    """A forked child that draws jobs in order; :meth:`start` gives it the jobs,
    :meth:`get` returns one job's result, waiting for the child if needed.

    The child is forked before the report is built and runs ``prepare`` (imports) while
    this process builds it. A thread here receives each result as soon as it is sent: a
    pipe holds 64 KiB, so a child sending a chart nobody reads yet would stop drawing."""

    def __init__(self, prepare: Callable[[], None]) -> None:
        self._draw: Draw | None = None
        self._results: dict[str, list[bytes]] = {}
        self._warnings: list[tuple[str, type[Warning]]] = []
        self._over = False
        self._changed = threading.Condition()
        context = multiprocessing.get_context("fork")
        self._conn, child_out = context.Pipe(duplex=False)
        child_in, self._orders = context.Pipe(duplex=False)
        self._process: BaseProcess = context.Process(
            target=_work, args=(prepare, child_in, child_out), daemon=True
        )
        with warnings.catch_warnings():
            # Python 3.12+ warns when forking with threads running (a progress bar's
            # refresh thread): the child only draws and never touches what they hold
            warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork")
            self._process.start()
        child_out.close()
        child_in.close()
        self._receiver = threading.Thread(target=self._receive, daemon=True)
        self._receiver.start()

    def start(self, draw: Draw, jobs: Sequence[str]) -> None:
        """Have the child do ``draw(job)`` for each of ``jobs`` (``draw`` is pickled: a
        function or the method of an object with plain data)."""
        self._draw = draw
        try:
            self._orders.send((draw, tuple(jobs)))
        except Exception:  # the child is gone: everything is drawn here
            with self._changed:
                self._over = True

    def get(self, job: str) -> list[bytes]:
        """The result of ``job``: the child's, or drawn here if the child is gone."""
        with self._changed:
            self._changed.wait_for(lambda: job in self._results or self._over)
            said, self._warnings = self._warnings, []
            result = self._results.pop(job, None)
        for message, category in said:  # raised here: the CLI shows warnings from this thread
            warnings.warn(message, category, stacklevel=3)
        if result is None:
            assert self._draw is not None, "start() first"
            return self._draw(job)
        return result

    def _receive(self) -> None:
        """The thread: every message from the child, until it is done or gone."""
        while True:
            try:
                kind, job, value = self._conn.recv()
            except Exception:  # closed, the child died or sent garbage
                kind, job, value = "over", "", None
            with self._changed:
                if kind == "warning":
                    self._warnings.append(value)
                elif kind == "done":
                    self._results[job] = value
                else:  # over: what is not here yet is drawn by the parent
                    self._over = True
                self._changed.notify_all()
            if kind == "over":
                return

    def close(self) -> None:
        """Stop the child if it is still drawing (an error or Ctrl-C here) and reap it."""
        self._orders.close()
        with self._changed:
            done = self._over
        if not done:  # still drawing, or never given the jobs
            self._process.terminate()
        self._process.join()
        self._receiver.join()  # the child's end is closed: the thread has its last message
        self._conn.close()


def _work(prepare: Callable[[], None], orders: Connection, conn: Connection) -> None:
    """The child: prepare, wait for the jobs, draw each and send it; on an error, stop
    (the parent draws the job again itself, so the error is raised there, traceback and
    all)."""
    # Ctrl-C reaches the whole process group: the parent stops the child itself, with
    # SIGTERM, which must end the child at once (not run the CLI's handler it inherited)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.closing(conn), contextlib.closing(orders):
        with contextlib.suppress(Exception):
            prepare()
        try:
            draw, jobs = orders.recv()
        except Exception:  # no jobs (nothing to draw, or an error there)
            return
        for job in jobs:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    value = draw(job)
                except Exception:  # raised again by the parent's own drawing
                    break
            for warning in caught:
                conn.send(("warning", job, (str(warning.message), warning.category)))
            conn.send(("done", job, value))
        conn.send(("over", "", None))  # anything not sent is drawn by the parent
