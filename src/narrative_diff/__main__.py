"""``python -m narrative_diff``: the same as the ``narrative-diff`` command."""

from .entry import run

run()
