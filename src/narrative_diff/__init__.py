"""narrative-diff: track how official narratives shift across versions of public documents.

The public API lives in :mod:`narrative_diff.api`; values in :mod:`narrative_diff.snapshot`
and :mod:`narrative_diff.corpus`; errors in :mod:`narrative_diff.errors`.
"""

#: The package's version; pyproject.toml reads it from here (``[tool.hatch.version]``), so
#: it is written once and costs nothing to look up (importlib.metadata took 6 ms).
__version__ = "0.1.0"
