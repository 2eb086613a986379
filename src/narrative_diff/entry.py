"""The console-script entry point: signal handling first, then the command line.

Installing the handlers before importing :mod:`narrative_diff.cli` (typer, rich) means a
Ctrl-C during start-up ends the run with one line too, not a traceback.

At exit, after every other exit handler, the objects left are frozen (:func:`gc.freeze`):
the interpreter's last garbage collection then skips them instead of walking a heap that
the end of the process frees anyway. After a report that collection took about 0.1 s, a
twentieth of the run. Nothing is lost by it: every file is written and closed before the
command returns, and the standard streams are flushed by the interpreter regardless (only
an object left unclosed in a reference cycle would now never be finalised: none is). After
a comparison the process does not even free its objects: the exit handlers run, the
streams are flushed and it ends (``cli.run``, ``cli.app.keep_to_the_end``).
"""

from __future__ import annotations

import atexit
import gc

#: The collector's thresholds for a command (Python's default: 700, 10, 10). A long
#: comparison allocates millions of objects and holds most of them to the end; with the
#: default, full collections walked that heap five times, 0.1 s of a 200,000-word compare.
#: Every 50,000 allocations still collects the few cycles a command makes.
_GC_THRESHOLDS = (50_000, 20, 20)


def run() -> None:
    from . import signals

    atexit.register(gc.freeze)  # registered first, so run last
    gc.set_threshold(*_GC_THRESHOLDS)
    signals.install()
    from .cli import run as run_cli

    run_cli()
