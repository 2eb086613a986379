"""The report on a series: a model built once (:mod:`.model`), drawn by renderers
(:mod:`.renderers`: PDF, HTML, PNG card, Markdown) that only lay it out."""

from .model import Report, build
from .renderers import (
    DEFAULT_FORMATS,
    RENDERERS,
    Rendered,
    Renderer,
    drawing_beside,
    report_paths,
    write_report,
)

__all__ = [
    "DEFAULT_FORMATS",
    "RENDERERS",
    "Rendered",
    "Renderer",
    "Report",
    "build",
    "drawing_beside",
    "report_paths",
    "write_report",
]
