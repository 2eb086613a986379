"""Renderers: turn result objects (a :class:`~narrative_diff.compare.Comparison`) into
JSON-ready data, terminal output, Markdown and HTML. They format; they never compute."""

from .compare_data import (
    comparison_to_dict,
    paired_to_dict,
    paired_to_json,
    paired_to_json_utf8,
    summary_to_dict,
)
from .compare_text import comparison_to_html, comparison_to_markdown

__all__ = [
    "comparison_to_dict",
    "comparison_to_html",
    "comparison_to_markdown",
    "paired_to_dict",
    "paired_to_json",
    "paired_to_json_utf8",
    "summary_to_dict",
]
