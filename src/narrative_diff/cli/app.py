"""The typer application and what every command shares: options, and one way to print.

Shared options are defined once here (``--corpus``, ``--actors``, ``--format``, ``-o``), so
their names, help and types cannot drift between commands. :func:`emit_rows` is the one
output path for rows: a table for people, or JSON / CSV by :mod:`narrative_diff.serialise`'s
single policy, or (``list``, ``score``, ``kwic``: ``-o``, ``-f parquet``) a file written by
the library. Text from documents, front matter, actor files, file names and URLs reaches
people only through :func:`literal` (rich) or :func:`warn` (plain lines): never read as
rich markup (``[/]``, ``[link=…]``), control characters shown escaped (``\\x1b``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Protocol, TypeVar

import typer
from typer.completion import completion_init  # type: ignore[attr-defined]

from narrative_diff.errors import UsageProblem

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from narrative_diff.api import RowsOutput

T = TypeVar("T")

app = typer.Typer(
    name="narrative-diff",
    help="Track how official narratives shift across successive versions of public documents.",
    epilog="Example: narrative-diff list ilrs · Exit codes: see docs/messages.md",
    no_args_is_help=True,
    # --install-completion / --show-completion are _root's own: typer's take no shell name
    # when it can detect one (a given name was ignored: `--show-completion zsh` run from
    # bash printed bash's script, and failed where no shell was found). The completions
    # come from complete_series and complete_ref, through typer's completion code.
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# typer's completion classes for each shell, as add_completion would register them
completion_init()


def complete_series(ctx: typer.Context, incomplete: str) -> list[str]:
    """The shell's completions of a SERIES: the series of the corpus the command would read
    (``--corpus`` when it is already on the line)."""
    from narrative_diff import api

    names = _quietly(lambda: api.open_corpus(_corpus_on_line(ctx)).series_names())
    return [name for name in names if name.startswith(incomplete)]


def complete_ref(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The shell's completions of a REF: v1…vN (SERIES:vN when the corpus holds several),
    latest, then the snapshot ids and hash refs, each with its date and title (which zsh and
    fish show, on one line: typer reads the help as rich markup and wraps it at 80 columns)."""
    from rich.markup import escape

    from narrative_diff import api
    from narrative_diff.serialise import printable

    def said(text: str) -> str:
        text = printable(text, layout=False)
        return escape(text if len(text) <= 56 else text[:55] + "…")

    def refs() -> list[tuple[str, str]]:
        listed = api.list_snapshots(api.open_corpus(_corpus_on_line(ctx)))
        about = [said(f"{r.date} {r.title or '(no title)'}") for r in listed]
        found = [(r.ref, text) for r, text in zip(listed, about, strict=True)]
        latest = {r.id.split("/", 1)[0]: text for r, text in zip(listed, about, strict=True)}
        if len(latest) == 1:
            found += [("latest", text) for text in latest.values()]
        else:  # a bare "latest" is ambiguous when the corpus holds several series
            found += [(f"{series}:latest", text) for series, text in latest.items()]
        return found + [(r.id, r.ref) for r in listed] + [(r.hash, r.ref) for r in listed]

    return [(value, about) for value, about in _quietly(refs) if value.startswith(incomplete)]


def _corpus_on_line(ctx: typer.Context) -> str | os.PathLike[str] | None:
    """``--corpus`` as parsed so far on the line being completed, else None (the default)."""
    value = ctx.params.get("corpus")
    return value if isinstance(value, str | os.PathLike) else None


def _quietly(work: Callable[[], list[T]]) -> list[T]:
    """What a completion offers: ``work()``, or nothing when it fails. The shell shows
    whatever a completion prints, so it never raises, warns or prints an error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return work()
    except Exception:
        return []


#: Help panels: commands over the corpus, the comparison, and actors, scores and reports.
CORPUS, COMPARE, SCORES = "Corpus", "Compare", "Actors, scores and reports"

CorpusOpt = Annotated[
    Path | None,
    typer.Option(
        "--corpus",
        "-c",
        help="Corpus folder (else $NARRATIVE_DIFF_CORPUS, ./seeds, or the bundled ILRS series).",
        show_default=False,
    ),
]
ActorsOpt = Annotated[
    Path | None,
    typer.Option(
        "--actors",
        "-a",
        help="Actors file (TOML); default: the series' own (series.yaml 'actors'), else "
        "the bundled ILRS actors.",
        show_default=False,
    ),
]
#: The formats of commands that print rows.
ROW_FORMATS = ("table", "json", "csv")
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]
#: The formats of ``list``, ``score`` and ``kwic``, which can also write their rows to a file.
FILE_ROW_FORMATS = (*ROW_FORMATS, "parquet")
RowsFormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="table, json, csv or parquet (a file: -o, default reports/<series>-<command>"
        ".parquet; needs the 'parquet' extra).",
    ),
]
RowsOutOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the rows to this file (json, csv or parquet) instead of printing them.",
        show_default=False,
    ),
]
SeriesArg = Annotated[
    str | None,
    typer.Argument(
        help="The series (needed when the corpus holds several).",
        autocompletion=complete_series,
    ),
]


def output_option(help_text: str) -> object:
    """``-o/--output`` with the command's own help (what it may be: a file of which kind)."""
    return typer.Option("--output", "-o", help=help_text, show_default=False)


def _version(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:  # (a shell asking for completions: do nothing)
        from narrative_diff import __version__

        typer.echo(f"narrative-diff {__version__}")
        raise typer.Exit()


#: The shells typer writes a completion script for.
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
PROG, COMPLETE_VAR = "narrative-diff", "_NARRATIVE_DIFF_COMPLETE"


def _show_completion(ctx: typer.Context, value: str | None) -> None:
    """Print typer's completion script for the shell named (never the detected one's)."""
    if value is None or ctx.resilient_parsing:  # a shell asking for completions
        return
    from typer.completion import get_completion_script  # type: ignore[attr-defined]

    choice(value, SHELLS, "--show-completion")
    script = get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=value)
    typer.echo(script)
    raise typer.Exit()


def _install_completion(ctx: typer.Context, value: str | None) -> None:
    """Install typer's completion script for the shell named, in that shell's files
    (PowerShell's profile, which typer finds by running it)."""
    if value is None or ctx.resilient_parsing:  # a shell asking for completions: no install
        return
    import shutil

    from typer.completion import install  # type: ignore[attr-defined]

    choice(value, SHELLS, "--install-completion")
    if value in ("powershell", "pwsh") and shutil.which(value) is None:
        raise UsageProblem(
            f"--install-completion {value}: '{value}' is not on the PATH",
            hint=f"install PowerShell, or print the script with --show-completion {value}",
            slug="bad-option",
        )
    shell, path = install(shell=value, prog_name=PROG, complete_var=COMPLETE_VAR)
    typer.echo(f"{shell} completion installed in {path}; it works in a new terminal")
    raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    install_completion: Annotated[
        str | None,
        typer.Option(
            "--install-completion",
            metavar="SHELL",
            callback=_install_completion,
            is_eager=True,
            help=f"Install completion for SHELL ({', '.join(SHELLS)}) and exit.",
            show_default=False,
        ),
    ] = None,
    show_completion: Annotated[
        str | None,
        typer.Option(
            "--show-completion",
            metavar="SHELL",
            callback=_show_completion,
            is_eager=True,
            help="Print the completion script for SHELL, to set it up yourself, and exit.",
            show_default=False,
        ),
    ] = None,
    traceback: Annotated[
        bool,
        typer.Option("--traceback", help="Show a Python traceback on errors (for bug reports)."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Print only results, warnings and errors: no progress, notes or 'wrote …' lines.",
        ),
    ] = False,
) -> None:
    """Track how official narratives shift across successive versions of public documents."""
    _state["quiet"] = quiet


def choice(value: str, allowed: Sequence[str], option: str) -> None:
    """Refuse a value outside ``allowed`` (typer's Choice would import more at start-up)."""
    if value not in allowed:
        raise UsageProblem(
            f"{option} '{value}' is not one of {', '.join(allowed)}",
            hint=f"e.g. {option} {allowed[0]}",
            slug="bad-option",
        )


def emit_rows(
    rows: Iterable[Mapping[str, object]],
    fmt: str,
    *,
    table: Callable[[Console], None],
    document: object = None,
    columns: Sequence[str] | None = None,
    target: RowsOutput | None = None,
) -> None:
    """The one output path for rows: ``table`` draws them for people; json prints
    ``document`` (default: the rows), csv the rows (header: ``columns``, else the first
    row's keys), each a piece at a time as the rows come: ``rows`` may be a generator, and
    ``document`` hold iterators (``serialise.json_chunks``), never held whole. A ``target``
    (``api.rows_output``) gets them as a file instead, written the same way, and one
    ``wrote PATH (N rows)`` line is printed (a document that holds the rows holds ``rows``
    itself, a ``serialise.Counted``, for N)."""
    from narrative_diff.serialise import csv_chunks, json_chunks

    if target is not None:
        from narrative_diff import api

        written = api.write_rows(target, rows, columns, document)
        info(f"wrote {written.path} ({written.what})")
        return
    choice(fmt, ROW_FORMATS, "--format")
    with to_a_reader():
        if fmt == "json":
            for chunk in json_chunks(iter(rows) if document is None else document):
                typer.echo(chunk, nl=False)
            typer.echo()
        elif fmt == "csv":
            for chunk in csv_chunks(rows, columns):
                typer.echo(chunk, nl=False)
        else:
            table(console())


@contextlib.contextmanager
def to_a_reader() -> Iterator[None]:
    """Printing to a reader that may go away (``| head``): a closed pipe ends the command
    with exit 0 and nothing on stderr, as elsewhere in the CLI (typer would exit 1). CSV
    and JSON come in pieces: the reader may go after the first."""
    try:
        yield
    except BrokenPipeError:
        silence_stdout()
        raise typer.Exit(0) from None


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that the final flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def console(width: int | None = None) -> Console:
    """A rich console on stdout (imported lazily: rich is heavy for light commands)."""
    from rich.console import Console

    # Piped output keeps whole lines (no terminal width to fit); terminals get ellipses.
    if width is None and not sys.stdout.isatty():
        width = 1000
    out = Console(soft_wrap=False, width=width)
    out.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]
    return out


def _broken_pipe() -> None:
    """A closed pipe (``| head``) is not an error: rich would exit 1, the CLI exits 0."""
    raise BrokenPipeError


class Progress(Protocol):
    """What a long command reports: ``done`` of ``total``, in a named stage."""

    def __call__(self, done: int, total: int, stage: str | None = None) -> None: ...


def progress(label: str) -> contextlib.AbstractContextManager[Progress | None]:
    """A progress bar on stderr for long runs (terminals only, after a second, never with
    ``--quiet``); yields a ``progress(done, total, stage=None)`` callback or None."""
    if not sys.stderr.isatty() or _state["quiet"]:
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar() -> Iterator[Progress]:
        import time

        from rich.console import Console
        from rich.markup import escape
        from rich.progress import Progress as Bar

        from narrative_diff.serialise import printable

        def said(text: str) -> str:  # the description column reads markup
            return escape(printable(text, layout=False))

        started = time.monotonic()
        with Bar(transient=True, console=Console(stderr=True)) as shown:
            task = shown.add_task(said(label), total=None, visible=False)

            def update(done: int, total: int, stage: str | None = None) -> None:
                visible = time.monotonic() - started > 1.0  # only when it takes a while
                shown.update(task, completed=done, total=total, visible=visible)
                if stage:
                    shown.update(task, description=said(f"{label}: {stage}"))

            yield update

    return bar()


def warn(message: str) -> None:
    """One ``warning:`` line on stderr (docs/messages.md); document text in ``message`` is
    shown with its control characters (and any line break) escaped, on one line."""
    from narrative_diff.serialise import printable

    typer.echo(f"warning: {printable(message, layout=False)}", err=True)


def echo(text: str, *, err: bool = False, nl: bool = True, exact_when_piped: bool = False) -> None:
    """Plain lines of document text (``show``, ``check``, notes): control characters shown
    escaped, newline and tab kept. ``exact_when_piped``: escaped only on a terminal, so that
    ``show v2 > v2.txt`` keeps the exact text, as ``cat`` would."""
    from narrative_diff.serialise import printable

    stream = sys.stderr if err else sys.stdout
    exact = exact_when_piped and not stream.isatty()
    # color=True: click would otherwise strip what looks like a colour code from the exact text
    typer.echo(text if exact else printable(text), err=err, nl=nl, color=True if exact else None)


class _ProcessEnd:
    """What the console entry point (``cli.run``) knows of the end of the process: that
    it comes when the command returns (not so when a test or a library caller runs
    ``main``), and what a command left to it (:func:`keep_to_the_end`)."""

    def __init__(self) -> None:
        self.after_command = False
        self.kept: list[object] = []


PROCESS_END = _ProcessEnd()


def keep_to_the_end(value: object) -> None:
    """Leave ``value`` to the end of the process, which then ends at once: the exit
    handlers run and the streams are flushed, but the interpreter does not free the
    objects one by one (a 200,000-word comparison holds a million of them: 0.015 s of
    the command). Nothing is kept when the command is not the process's last. Only for a
    command whose one child process, if any, is a comparison's second process: the quick
    end drops multiprocessing's exit handler, which would join a pool's workers too."""
    if PROCESS_END.after_command:
        PROCESS_END.kept.append(value)


def write_out(data: Iterable[bytes | memoryview]) -> None:
    """A document already rendered and encoded (``compare -f json``), to stdout as it is:
    every format escapes control characters itself, so there are no colour codes for
    click to look for (a scan of the whole text) nor anything to re-encode."""
    out = sys.stdout
    out.flush()
    binary = getattr(out, "buffer", None)
    if binary is None:  # a text stream with no bytes beneath (a caller's StringIO)
        out.write(b"".join(data).decode("utf-8"))
        out.flush()
        return
    for piece in data:
        binary.write(piece)
    binary.flush()


def literal(text: object, style: str | None = None) -> Text:
    """``text`` for rich exactly as written: never markup (``[/]``, ``[link=…]`` stay
    text), control characters shown escaped (an ESC sequence cannot reach the terminal)."""
    from rich.text import Text

    from narrative_diff.serialise import printable

    return Text(printable(str(text)), style=style or "")


def status(message: str) -> contextlib.AbstractContextManager[object]:
    """A spinner on stderr for slow work, only when stderr is a terminal; ``message`` (it
    may name a file or URL) is shown literally."""
    if not sys.stderr.isatty() or _state["quiet"]:
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(literal(message))


#: Set by the root callback on every run: ``--quiet``.
_state = {"quiet": False}


def info(text: str, *, err: bool = False) -> None:
    """A line that tells what was done (``added …``, ``wrote …``, ``note: …``), which
    ``--quiet`` leaves out; results, warnings and errors are always printed."""
    if not _state["quiet"]:
        echo(text, err=err)


def confirm(question: str, *, refused: str) -> None:
    """Ask ``question`` on a terminal (default no); a refusal ends the command with exit
    1 and ``refused``. Without a terminal there is nobody to ask: a usage error naming
    ``--yes``, so a script never hangs or acts unasked."""
    if not sys.stdin.isatty():
        raise UsageProblem(
            "this command asks for confirmation and standard input is not a terminal",
            hint="pass --yes to go ahead without asking",
            slug="confirm-needed",
        )
    from narrative_diff.serialise import printable

    if not typer.confirm(printable(question, layout=False), default=False, err=True):
        echo(refused, err=True)
        raise typer.Exit(1)
