"""Charts of actor scores over time: the data first (:mod:`.data`, plain values), then
the drawing (:mod:`.draw`, matplotlib, imported only when a chart is drawn)."""

from .data import (
    METRICS,
    NO_LINEAGE,
    Chart,
    Line,
    Metric,
    Style,
    chart_data,
    lineage_charts,
    parse_metrics,
    styles,
    texts,
)
from .draw import CARD_DPI, DPI, ChartWarning, card, figure, figure_size, save, shared, tidy, warm

__all__ = [
    "CARD_DPI",
    "DPI",
    "METRICS",
    "NO_LINEAGE",
    "Chart",
    "ChartWarning",
    "Line",
    "Metric",
    "Style",
    "card",
    "chart_data",
    "figure",
    "figure_size",
    "lineage_charts",
    "parse_metrics",
    "save",
    "shared",
    "styles",
    "texts",
    "tidy",
    "warm",
]
