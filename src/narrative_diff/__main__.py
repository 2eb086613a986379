"""``python -m narrative_diff``: the same as the ``narrative-diff`` command."""

from .entry import run

if __name__ == "__main__":  # a worker process of a pool imports this module too (spawn)
    run()
