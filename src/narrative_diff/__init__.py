"""narrative-diff: track how official narratives shift across versions of public documents.

The public API lives in :mod:`narrative_diff.api`; values in :mod:`narrative_diff.snapshot`
and :mod:`narrative_diff.corpus`; errors in :mod:`narrative_diff.errors`.
"""


def __getattr__(name: str) -> str:
    # The version is looked up lazily: importlib.metadata costs ~30 ms at start-up.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("narrative-diff")
        except PackageNotFoundError:  # a source tree that is not installed
            return "0+unknown"
    raise AttributeError(name)
