"""Ctrl-C (SIGINT) and SIGTERM: nothing half-written, one line, exit 130 or 143.

:func:`install` runs when the command line is imported, before any heavy import. Until
:func:`running` is entered, a signal ends the process at once (nothing has been written
yet); inside it, a signal raises ``KeyboardInterrupt`` (or :class:`Terminated`) so that every
clean-up runs (temporary files removed, a half-done ``add`` rolled back), and is remembered
so that the run ends with the right line even where a library swallowed the exception
(typer turns Ctrl-C into a bare exit code 130).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator

from .errors import ExitCode

MESSAGES = {
    "INT": ("narrative-diff: interrupted; nothing was half-written", ExitCode.INTERRUPTED),
    "TERM": ("narrative-diff: terminated; nothing was half-written", ExitCode.TERMINATED),
}
_received: list[str] = []
_pending: list[type[KeyboardInterrupt]] = []  # raised again after an "unraisable" context
_state = {"running": False}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same clean-up runs."""


def _handler(name: str, error: type[KeyboardInterrupt]) -> Callable[[int, object], None]:
    def handle(signum: int, frame: object) -> None:
        _received.append(name)
        if not _state["running"]:  # still starting up: nothing to clean, leave at once
            line, code = MESSAGES[name]
            with contextlib.suppress(OSError):
                os.write(2, (line + "\n").encode())
            os._exit(int(code))
        raise error

    return handle


def _redeliver(previous: Callable[[sys.UnraisableHookArgs], object]) -> Callable[..., None]:
    """A signal that lands in a finaliser or a weakref callback (matplotlib and lxml run
    many) raises where Python can only print "Exception ignored" with a traceback and go
    on. Instead, the interruption is raised again a millisecond later (SIGALRM), by then in
    the command's own code, where every clean-up runs."""

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        error = unraisable.exc_value
        if (
            isinstance(error, KeyboardInterrupt)
            and _state["running"]
            and hasattr(signal, "setitimer")  # not on Windows
        ):
            _pending.append(type(error))
            signal.signal(signal.SIGALRM, _raise_pending)
            signal.setitimer(signal.ITIMER_REAL, 0.001)
            return
        previous(unraisable)

    return hook


def _raise_pending(signum: int, frame: object) -> None:
    raise _pending.pop() if _pending else KeyboardInterrupt


def install() -> None:
    """Take over SIGINT (unless it is ignored, as in a background job) and SIGTERM."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _handler("INT", KeyboardInterrupt))
    signal.signal(signal.SIGTERM, _handler("TERM", Terminated))
    sys.unraisablehook = _redeliver(sys.unraisablehook)


#: The signals :func:`blocked` holds back while a helper process is forked.
HELD = (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)


@contextlib.contextmanager
def blocked() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGALRM (delivered when the block ends): around a
    fork, so that none lands in the child before :func:`for_child` has run, nor in the
    parent before it can stop the child."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def for_child() -> None:
    """In a forked helper: Ctrl-C is ignored (the parent stops the helper itself), SIGTERM
    ends it at once, and nothing the parent had pending is raised again here."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    _pending.clear()
    _state["running"] = False


@contextlib.contextmanager
def running() -> Iterator[None]:
    """The command's work: signals raise instead of exiting."""
    _received.clear()
    _state["running"] = True
    try:
        yield
    finally:
        _state["running"] = False


def received() -> str | None:
    """ "INT" or "TERM" if a signal arrived during the run, else None."""
    return _received[-1] if _received else None


def ending(exc: BaseException | None = None) -> tuple[str, int]:
    """The line and exit code for an interrupted run."""
    name = "TERM" if isinstance(exc, Terminated) or received() == "TERM" else "INT"
    line, code = MESSAGES[name]
    return line, int(code)
