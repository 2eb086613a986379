"""The façade the CLI and notebooks call: one function per user task (in
:mod:`.corpus_tasks`, :mod:`.comparing` and :mod:`.scores`, all offered here).

Each function takes plain values and an options dataclass and returns values; none of
them prints. Heavy modules (ingestion libraries) load only inside the functions that
need them, so ``list`` and ``show`` stay fast. The result and option types (``ScoreResult``,
``ScoreRow``, ``ChangeRow``, ``Comparison``, ``CompareOptions``, ``DiffOptions``,
``IngestLimits``, ``Report``, ``Written``, ``Engine``) can be imported from here too, with the
output of rows to a file (``rows_output``, ``write_rows``: ``-o``, ``-f parquet``); they load
on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from narrative_diff.capture import AddOptions as AddOptions
from narrative_diff.capture import build_snapshot as build_snapshot
from narrative_diff.capture import document_snapshot as document_snapshot
from narrative_diff.check import Problem as Problem
from narrative_diff.check import check_corpus as check_corpus
from narrative_diff.check import update_hashes as update_hashes
from narrative_diff.corpus import Corpus as Corpus
from narrative_diff.errors import SnapshotNotFound as SnapshotNotFound
from narrative_diff.errors import UnreadableDocument as UnreadableDocument
from narrative_diff.errors import UsageProblem as UsageProblem
from narrative_diff.refs import Shift as Shift
from narrative_diff.removal import Removed as Removed
from narrative_diff.removal import remove_snapshot as remove_snapshot
from narrative_diff.series import SeriesInfo as SeriesInfo
from narrative_diff.snapshot import Snapshot as Snapshot

from .comparing import COMPARE_FORMATS as COMPARE_FORMATS
from .comparing import Rendered as Rendered
from .comparing import check_output_path as check_output_path
from .comparing import compare_refs as compare_refs
from .comparing import compare_rendered as compare_rendered
from .comparing import load_actors as load_actors
from .comparing import one_comparison as one_comparison
from .comparing import read_actors as read_actors
from .comparing import render_comparison as render_comparison
from .comparing import same_snapshot as same_snapshot
from .comparing import write_text as write_text
from .corpus_tasks import Added as Added
from .corpus_tasks import Listed as Listed
from .corpus_tasks import add_snapshot as add_snapshot
from .corpus_tasks import check as check
from .corpus_tasks import corpus_line as corpus_line
from .corpus_tasks import describe as describe
from .corpus_tasks import edited_warning as edited_warning
from .corpus_tasks import get_snapshot as get_snapshot
from .corpus_tasks import init_corpus as init_corpus
from .corpus_tasks import list_snapshots as list_snapshots
from .corpus_tasks import open_corpus as open_corpus
from .corpus_tasks import parse_add_date as parse_add_date
from .corpus_tasks import ref_of as ref_of
from .corpus_tasks import removal_target as removal_target
from .corpus_tasks import series_heading as series_heading
from .corpus_tasks import series_info as series_info
from .corpus_tasks import series_snapshots as series_snapshots
from .corpus_tasks import shown_source as shown_source
from .lifecycles import Blame as Blame
from .lifecycles import blame_snapshot as blame_snapshot
from .lifecycles import heatmap_series as heatmap_series
from .lifecycles import lifecycle as lifecycle
from .scores import REPORTS as REPORTS
from .scores import SCORE_ORDERS as SCORE_ORDERS
from .scores import build_report as build_report
from .scores import change_frame as change_frame
from .scores import chart_series as chart_series
from .scores import describe_actors as describe_actors
from .scores import keyword_in_context as keyword_in_context
from .scores import report_series as report_series
from .scores import score_frame as score_frame
from .scores import score_series as score_series
from .watching import backfill as backfill
from .watching import parse_every as parse_every
from .watching import watch as watch
from .watching import watch_exit_code as watch_exit_code

if TYPE_CHECKING:
    from narrative_diff.ancestry import BlameLine as BlameLine
    from narrative_diff.changes import ChangeRow as ChangeRow
    from narrative_diff.compare import CompareOptions as CompareOptions
    from narrative_diff.compare import Comparison as Comparison
    from narrative_diff.engines import ENGINES as ENGINES
    from narrative_diff.engines import Engine as Engine
    from narrative_diff.history import Lifecycle as Lifecycle
    from narrative_diff.history import Sighting as Sighting
    from narrative_diff.ingest import EXTRACT_MODES as EXTRACT_MODES
    from narrative_diff.ingest import IngestLimits as IngestLimits
    from narrative_diff.kwic import KWIC_COLUMNS as KWIC_COLUMNS
    from narrative_diff.kwic import KwicRow as KwicRow
    from narrative_diff.publish import RowsOutput as RowsOutput
    from narrative_diff.publish import Written as Written
    from narrative_diff.publish import rows_output as rows_output
    from narrative_diff.publish import write_rows as write_rows
    from narrative_diff.report import Report as Report
    from narrative_diff.results import ScoreResult as ScoreResult
    from narrative_diff.scoring import SCORE_COLUMNS as SCORE_COLUMNS
    from narrative_diff.scoring import ScoreRow as ScoreRow
    from narrative_diff.scoring import Weights as Weights
    from narrative_diff.similarity import DiffOptions as DiffOptions
    from narrative_diff.watching import Check as Check
    from narrative_diff.watching import Manners as Manners


#: Names of lower modules that api offers, loaded on first use (start-up stays light).
_LAZY = {
    "BlameLine": "ancestry",
    "Lifecycle": "history",
    "Sighting": "history",
    "ChangeRow": "changes",
    "ScoreResult": "results",
    "CompareOptions": "compare",
    "Comparison": "compare",
    "Engine": "engines",
    "ENGINES": "engines",
    "IngestLimits": "ingest",
    "KwicRow": "kwic",
    "KWIC_COLUMNS": "kwic",
    "EXTRACT_MODES": "ingest",
    "Written": "publish",
    "RowsOutput": "publish",
    "rows_output": "publish",
    "write_rows": "publish",
    "Report": "report",
    "SCORE_COLUMNS": "scoring",
    "ScoreRow": "scoring",
    "Weights": "scoring",
    "DiffOptions": "similarity",
    "Check": "watching",
    "Manners": "watching",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(f"narrative_diff.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
