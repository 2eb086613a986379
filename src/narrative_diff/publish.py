"""Output files: which format a path asks for, paths that must not be written, charts as
image bytes, a chart written atomically, and the rows of ``list``, ``score`` and ``kwic``
written to a file (``-o``, or ``-f parquet``: reports/<series>-<command>.parquet). The
report's formats are in :mod:`narrative_diff.report.renderers`."""

from __future__ import annotations

import contextlib
import io
import itertools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CannotWrite, OutputError, UsageProblem
from .snapshot import check_name
from .storage import make_folders, streamed_file, write_file

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .charts import Chart
    from .corpus import Corpus
    from .fonts import FontSet

CHART_FORMATS = ("png", "svg", "pdf")


@dataclass(frozen=True)
class Written:
    """One file written, and what it is."""

    path: Path
    what: str


def output_format(path: Path, allowed: Sequence[str]) -> str:
    """The format a file name asks for, by its extension."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in allowed:
        raise OutputError(
            f"cannot write '{path}': unknown extension '{path.suffix or '(none)'}'",
            hint="end the file name in "
            + ", ".join("." + f for f in allowed[:-1])
            + f" or .{allowed[-1]}",
            slug="bad-extension",
        )
    check_output(path)
    return fmt


def check_source_date_epoch() -> None:
    """SOURCE_DATE_EPOCH, when set, must be whole seconds since 1970 before the year 10000
    (matplotlib and the PDF read it as the creation date)."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is not None and not (value.isdigit() and int(value) < 253_402_300_800):
        raise UsageProblem(
            f"SOURCE_DATE_EPOCH={value!r} is not whole seconds since 1970-01-01",
            hint="set it to an integer such as 1700000000, or unset it",
            slug="bad-option",
        )


def check_output(
    path: Path,
    corpus_root: Path | None = None,
    *,
    new_folder: bool = False,
    inputs: Sequence[str | os.PathLike[str]] = (),
) -> None:
    """Refuse an output path that would damage something: one of the command's ``inputs``
    (as ``cp a a`` refuses), a file inside the corpus (a snapshot overwritten), or a link,
    device or pipe (which a rename would replace)."""
    for source in inputs:
        if _same_file(path, Path(source)):
            raise OutputError(
                f"{path} is also an input of this command ({source})",
                hint="write the output to another file",
                slug="output-is-input",
            )
    inside = False
    if corpus_root is not None:
        with contextlib.suppress(OSError):  # (OutputError is an OSError: raise it outside)
            inside = path.resolve().is_relative_to(corpus_root.resolve())
    if inside:
        raise OutputError(
            f"{path} is inside the corpus folder {corpus_root}",
            hint="write outputs elsewhere: the corpus holds snapshots only",
            slug="inside-corpus",
        )
    if path.is_symlink() or (path.exists() and not path.is_file()):
        kind = "a symbolic link" if path.is_symlink() else "a folder, device or pipe"
        raise CannotWrite(
            f"{path} is {kind}, not a regular file",
            hint="name a new file, or remove what is there",
        )
    if not new_folder and not path.parent.is_dir() and path.parent != Path(""):
        raise OutputError(
            f"folder {path.parent} does not exist",
            hint="create it first, or write somewhere else",
            slug="no-such-folder",
        )


def _same_file(output: Path, source: Path) -> bool:
    """Whether writing ``output`` would replace ``source``: the same file through any link
    (hard or symbolic), or the same resolved path."""
    with contextlib.suppress(OSError):
        if output.exists() and source.exists():
            return os.path.samefile(output, source)
        return output.resolve() == source.resolve()
    return False


def figure_bytes(fig: Figure, fmt: str, *, dpi: int | None = None) -> bytes:
    """A figure as the bytes of a png, svg or pdf file (``dpi``: the charts' by default)."""
    from .charts import DPI, save

    buffer = io.BytesIO()
    save(fig, buffer, fmt, dpi=dpi or DPI)
    return buffer.getvalue()


def write_chart(charts: Sequence[Chart], path: Path, fonts: FontSet) -> Written:
    """One figure with a panel per chart, written as ``path``'s format."""
    from .charts import figure

    fmt = output_format(path, CHART_FORMATS)
    write_file(path, figure_bytes(figure(charts, fonts), fmt))
    metrics = ", ".join(dict.fromkeys(c.metric for c in charts))
    lineages = len({c.lineage for c in charts if c.lineage})
    by = f", {lineages} lineages" if lineages > 1 else ""
    return Written(path, f"chart ({metrics}{by})")


#: What rows can be written to a file as (``-o``); parquet is written to a file only.
ROWS_FILE_FORMATS = ("json", "csv", "parquet")


@dataclass(frozen=True)
class RowsOutput:
    """Where the rows of ``list``, ``score`` or ``kwic`` go, decided (and checked) before
    any work: ``path``, in format ``fmt``; ``default``: under reports/, made on writing."""

    path: Path
    fmt: str
    default: bool


def rows_output(
    corpus: Corpus,
    fmt: str,
    out: str | os.PathLike[str] | None,
    *,
    command: str,
    series: str | None = None,
    term: str | None = None,
    inputs: Sequence[str | os.PathLike[str]] = (),
) -> RowsOutput | None:
    """The file the rows go to, or None for standard output (table, json or csv without
    ``-o``). ``-f parquet`` without ``-o`` writes reports/<series>-<command>[-<term>].parquet:
    binary never goes to a terminal. ``-o`` with the table format takes the format from the
    file name. A missing pyarrow, or a path ``check_output`` refuses, fails here."""
    from .serialise import require_pyarrow

    if out is None and fmt != "parquet":
        return None
    if fmt == "table":
        fmt = Path(out or "").suffix.lower().lstrip(".")
        if fmt not in ROWS_FILE_FORMATS:
            raise UsageProblem(
                f"-o {out} needs a format for the rows",
                hint="add -f json, -f csv or -f parquet (or end the file name in .json, "
                ".csv or .parquet)",
                slug="bad-option",
            )
    if fmt == "parquet":
        require_pyarrow()
    path = Path(out) if out is not None else _default_path(corpus, command, series, term, fmt)
    check_output(path, corpus.root, new_folder=out is None, inputs=inputs)
    return RowsOutput(path, fmt, default=out is None)


def _default_path(
    corpus: Corpus, command: str, series: str | None, term: str | None, fmt: str
) -> Path:
    """reports/<series>-<command>[-<term slug>].<fmt>; ``all`` when no one series is meant."""
    if series is not None:
        name = check_name(series, "series")
    else:
        names = corpus.series_names()
        name = names[0] if len(names) == 1 else "all"
    stem = f"{name}-{command}"
    if term is not None:
        from slugify import slugify

        stem = "-".join(part for part in (stem, slugify(term, max_length=48)) if part)
    return Path("reports") / f"{stem}.{fmt}"


def write_rows(
    target: RowsOutput,
    rows: Iterable[Mapping[str, object]],
    columns: Sequence[str] | None = None,
    document: object = None,
) -> Written:
    """The rows written atomically as ``target`` says: json (``document``, default the
    rows), csv or parquet, by :mod:`narrative_diff.serialise`'s policy; ``columns``: else
    the first row's keys. JSON and CSV are written as the rows come (``rows`` a generator,
    ``document`` holding iterators: see ``serialise.json_chunks``), never held whole, and
    counted as written: a document that holds the rows holds ``rows`` itself, a
    ``serialise.Counted``. Parquet holds them (pyarrow writes a whole table)."""
    from .serialise import Counted, csv_chunks, json_chunks, to_parquet

    counted = rows if isinstance(rows, Counted) else Counted(rows)
    if target.fmt == "parquet":
        listed = list(counted)
        data = to_parquet(listed, list(columns or (listed[0] if listed else [])))
        if target.default:
            make_folders([target.path.parent])
        write_file(target.path, data)
    else:
        if target.fmt == "csv":
            chunks = csv_chunks(counted, columns)
        else:
            whole = counted if document is None else document
            chunks = itertools.chain(json_chunks(whole), ["\n"])
        if target.default:
            make_folders([target.path.parent])
        with streamed_file(target.path) as write:
            for chunk in chunks:
                write(chunk)
    return Written(target.path, f"{counted.count} row{'' if counted.count == 1 else 's'}")
