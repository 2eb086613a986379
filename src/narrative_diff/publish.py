"""Output files: which format a path asks for, paths that must not be written, charts as
image bytes, and a chart written atomically. The report's formats are in
:mod:`narrative_diff.report.renderers`."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CannotWrite, OutputError, UsageProblem
from .storage import write_file

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .charts import Chart
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


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """A figure as the bytes of a png, svg or pdf file."""
    from .charts import save

    buffer = io.BytesIO()
    save(fig, buffer, fmt)
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
