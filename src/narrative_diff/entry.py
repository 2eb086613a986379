"""The console-script entry point: signal handling first, then the command line.

Installing the handlers before importing :mod:`narrative_diff.cli` (typer, rich) means a
Ctrl-C during start-up ends the run with one line too, not a traceback.
"""

from __future__ import annotations


def run() -> None:
    from . import signals

    signals.install()
    from .cli import run as run_cli

    run_cli()
