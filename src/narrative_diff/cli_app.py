"""The typer application and what every command shares: options, output helpers.

:mod:`narrative_diff.cli` (corpus and compare commands, the error boundary) and
:mod:`narrative_diff.cli_scores` (actors, score, kwic, chart, report) both register their
commands on :data:`app`; neither imports the other's commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .errors import UsageProblem

app = typer.Typer(
    name="narrative-diff",
    help="Track how official narratives shift across successive versions of public documents.",
    epilog="Example: narrative-diff list ilrs · Exit codes: see docs/messages.md",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

CorpusOpt = Annotated[
    Path | None,
    typer.Option(
        "--corpus",
        "-c",
        help="Corpus folder (else $NARRATIVE_DIFF_CORPUS, ./seeds, or the bundled ILRS series).",
        show_default=False,
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"narrative-diff {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    traceback: Annotated[
        bool,
        typer.Option("--traceback", help="Show a Python traceback on errors (for bug reports)."),
    ] = False,
) -> None:
    """Track how official narratives shift across successive versions of public documents."""


ActorsOpt = Annotated[
    Path | None,
    typer.Option(
        "--actors",
        "-a",
        help="Actors file (TOML); default: the bundled ILRS actors.",
        show_default=False,
    ),
]


def _choice(value: str, allowed: tuple[str, ...], option: str) -> None:
    if value not in allowed:
        raise UsageProblem(
            f"{option} '{value}' is not one of {', '.join(allowed)}",
            hint=f"e.g. {option} {allowed[0]}",
            slug="bad-option",
        )


def _console(width: int | None = None):  # rich is imported lazily
    from rich.console import Console

    # Piped output keeps whole lines (no terminal width to fit); terminals get ellipses.
    if width is None and not sys.stdout.isatty():
        width = 1000
    console = Console(soft_wrap=False, width=width)
    console.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]
    return console


def _broken_pipe() -> None:
    """A closed pipe (``| head``) is not an error: rich would exit 1, the CLI exits 0."""
    raise BrokenPipeError


def _write_csv(rows: list[dict[str, object]]) -> None:
    import csv

    if not rows:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _progress(label: str):
    """A progress bar on stderr for long runs (terminals only, after a second); yields a
    ``progress(done, total, stage=None)`` callback or None."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        import time

        from rich.progress import Progress

        started = time.monotonic()
        with Progress(transient=True, console=_stderr_console()) as progress:
            task = progress.add_task(label, total=None, visible=False)

            def update(done: int, total: int, stage: str | None = None) -> None:
                visible = time.monotonic() - started > 1.0  # only when it takes a while
                progress.update(task, completed=done, total=total, visible=visible)
                if stage:
                    progress.update(task, description=f"{label}: {stage}")

            yield update

    return bar()


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


def _status(message: str):
    """A spinner on stderr for slow work, only when stderr is a terminal."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)
