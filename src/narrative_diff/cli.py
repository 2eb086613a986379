"""The ``narrative-diff`` command line: a thin typer layer over :mod:`narrative_diff.api`.

Each command parses its options, calls one library function and prints the result.
:func:`main` is the single error boundary: a :class:`NarrativeDiffError` becomes one line
on stderr and its exit code (docs/messages.md); a traceback appears only with
``--traceback``. Pretty exceptions with local variables stay off: snapshots may hold
sensitive text.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import api, signals
from .cli_app import (
    CorpusOpt,
    FormatOpt,
    _choice,
    _console,
    _status,
    _warn,
    app,
)
from .errors import ExitCode, NarrativeDiffError, UsageProblem


@app.command("list", epilog="Example: narrative-diff list ilrs --format csv")
def list_cmd(
    series: Annotated[str | None, typer.Argument(help="Only this series.")] = None,
    fmt: FormatOpt = "table",
    corpus: CorpusOpt = None,
) -> None:
    """List snapshots in date order: ref (v1, v2, …), date, id, title, kind, language, words."""
    _choice(fmt, api.FORMATS, "--format")
    store = api.open_corpus(corpus)
    rows = api.list_snapshots(store, series)
    if fmt == "json":
        typer.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=api.Listed.columns(), lineterminator="\n")
        writer.writeheader()
        writer.writerows(r.as_dict() for r in rows)
    else:
        from rich.table import Table

        console = _console()
        cells = [
            (r.ref, r.date.isoformat(), r.id, r.title, r.kind or "", r.language or "", str(r.words))
            for r in rows
        ]
        headers = ("ref", "date", "id", "title", "kind", "lang", "words")
        widths = [
            max([len(h)] + [console.measure(c[i]).maximum for c in cells])
            for i, h in enumerate(headers)
        ]
        room = console.width - sum(widths) + widths[3] - 2 * (len(headers) - 1)
        table = Table(box=None, header_style="bold", pad_edge=False)
        for i, name in enumerate(headers):
            table.add_column(
                name,
                justify="right" if name == "words" else "left",
                no_wrap=True,
                overflow="ellipsis",
                max_width=max(12, room) if i == 3 else None,
            )
        for cell in cells:
            table.add_row(*cell)
        console.print(table)
    edited = [r.id for r in rows if not r.hash_ok]
    if edited:
        _warn(
            f"{len(edited)} snapshot(s) changed since they were added ({edited[0]}…); "
            "run 'narrative-diff check'"
        )
    if store.skipped:
        _warn(f"skipped {len(store.skipped)} file(s) without front matter ({store.skipped[0]}…)")


@app.command(epilog="Example: narrative-diff show v2 --meta")
def show(
    ref: Annotated[
        str,
        typer.Argument(help="A snapshot: id, v1…, latest, date prefix, SERIES:v2, or a file path."),
    ],
    meta: Annotated[
        bool,
        typer.Option(
            "--meta",
            help="Print the front matter (with ref, words and hash status) instead of the text.",
        ),
    ] = False,
    corpus: CorpusOpt = None,
) -> None:
    """Print one snapshot's text (or, with --meta, its metadata)."""
    store = api.open_corpus(corpus)
    snap = api.get_snapshot(store, ref)
    if meta:
        import yaml

        data = api.describe(store, snap)
        typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), nl=False)
    else:
        typer.echo(snap.body, nl=False)


@app.command(
    epilog="Example: narrative-diff add statement.pdf --series ilrs --date 2025-04-24 "
    "--corpus my-corpus"
)
def add(
    source: Annotated[
        str,
        typer.Argument(
            help="A file (.txt .md .html .pdf .docx .srt .vtt), '-' for stdin, or an http(s) URL."
        ),
    ],
    series: Annotated[str, typer.Option("--series", "-s", help="Series name, e.g. ilrs.")],
    date: Annotated[str, typer.Option("--date", "-d", help="Publication date, YYYY-MM-DD.")],
    title: Annotated[str | None, typer.Option(help="Title (default: from the document).")] = None,
    publisher: Annotated[str | None, typer.Option(help="Who published it.")] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help="statement, white-paper, presentation, "
            "press-release, web-page, video-transcript, …"
        ),
    ] = None,
    language: Annotated[str | None, typer.Option(help="en, zh, ru, … (default: detected).")] = None,
    url: Annotated[str | None, typer.Option(help="Where it was published (source_url).")] = None,
    provenance: Annotated[
        str | None, typer.Option(help="Free text: verbatim / excerpt / translation, from where.")
    ] = None,
    slug: Annotated[
        str | None, typer.Option(help="File name part of the id (default: YYYY-MM-title-words).")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a snapshot with the same id.")
    ] = False,
    max_bytes: Annotated[
        int, typer.Option(min=1, help="Refuse sources larger than this many bytes.")
    ] = 50 << 20,
    timeout: Annotated[
        float, typer.Option(min=0.1, max=3600.0, help="Seconds to wait for a URL.")
    ] = 20.0,
    corpus: CorpusOpt = None,
) -> None:
    """Add a document as a new dated snapshot (text extracted, raw capture kept)."""
    from .ingest import IngestLimits

    if timeout != timeout:  # NaN passes typer's range check
        raise UsageProblem(
            "--timeout nan is not a number of seconds", hint="e.g. --timeout 20", slug="bad-option"
        )
    options = api.AddOptions(
        series=series,
        date=api.parse_add_date(date),
        title=title,
        publisher=publisher,
        kind=kind,
        language=language,
        url=url,
        provenance=provenance,
        slug=slug,
        replace=replace,
        limits=IngestLimits(max_bytes=max_bytes, timeout=timeout),
    )
    store = api.open_corpus(corpus)
    with _status(f"Reading {source}"):
        snap = api.add_snapshot(store, source, options, stdin=sys.stdin.buffer)
    typer.echo(
        f"added {snap.id} as {api.ref_of(store, snap)} ({snap.date}, "
        f"{snap.words} words, {snap.language}) -> {snap.path}"
    )


COMPARE_FORMATS = ("terminal", "md", "html", "json")


@app.command(
    epilog="Example: narrative-diff compare v1 v3 · narrative-diff compare v2 v3 --side-by-side"
    " · narrative-diff compare 2022 2023 --format json -o shift.json · narrative-diff compare"
    " old.pdf new.pdf --exit-code"
)
def compare(
    ref_a: Annotated[str, typer.Argument(help="The earlier snapshot (ref or file).")],
    ref_b: Annotated[str, typer.Argument(help="The later snapshot (ref or file).")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, md, html or json.")
    ] = "terminal",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    side_by_side: Annotated[
        bool, typer.Option("--side-by-side", help="Two columns: a and b.")
    ] = False,
    plain: Annotated[
        bool, typer.Option("--plain", help="No colour: [-deleted-]{+inserted+} markers.")
    ] = False,
    ignore_case: Annotated[bool, typer.Option("--ignore-case", help="Case is noise.")] = False,
    ignore_punctuation: Annotated[
        bool, typer.Option("--ignore-punctuation", help="Punctuation is noise.")
    ] = False,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 on a narrative change, 0 if none.")
    ] = False,
    threshold: Annotated[
        float, typer.Option(min=0.05, max=1.0, help="Similarity needed to pair moved text.")
    ] = 0.5,
    diff_timeout: Annotated[
        float, typer.Option(min=0.0, help="Seconds per word diff; 0 = no limit.")
    ] = 5.0,
    actors_file: Annotated[
        Path | None,
        typer.Option(
            "--actors",
            "-a",
            help="Actors file for the actor block (default: the bundled ILRS actors).",
            show_default=False,
        ),
    ] = None,
    no_actors: Annotated[
        bool, typer.Option("--no-actors", help="Leave out the actor block.")
    ] = False,
    corpus: CorpusOpt = None,
) -> None:
    """Compare two snapshots: what was written out, added, renamed and moved."""
    from .compare import CompareOptions
    from .diff import DiffOptions

    _choice(fmt, COMPARE_FORMATS, "--format")
    options = CompareOptions(
        diff=DiffOptions(
            ignore_case=ignore_case, ignore_punctuation=ignore_punctuation, timeout=diff_timeout
        ),
        threshold=threshold,
    )
    actor_set = None if no_actors else api.load_actors(actors_file)
    store = api.open_corpus(corpus)
    if output is not None:  # a bad -o fails before the work, and never inside the corpus
        from .publish import check_output

        check_output(output, store.root)
    result = api.compare_refs(store, ref_a, ref_b, options=options, actors=actor_set)
    if fmt == "terminal":  # warnings are part of the terminal output itself
        from .render.compare_terminal import print_comparison

        if output is None:
            console = _console(width=None if sys.stdout.isatty() or not side_by_side else 160)
            print_comparison(result, console, side_by_side=side_by_side, plain=plain)
            text = None
        else:  # the same plain text a pager would show
            import io

            from rich.console import Console

            buffer = io.StringIO()
            console = Console(file=buffer, no_color=True, width=160, soft_wrap=not side_by_side)
            print_comparison(result, console, side_by_side=side_by_side, plain=True)
            text = buffer.getvalue()
    else:
        for warning in result.warnings:
            _warn(warning)
        text = _render_comparison(result, fmt, to_terminal=output is None and sys.stdout.isatty())
    if text is not None:
        if output is None:
            typer.echo(text, nl=False)
        else:
            from .storage import write_file

            write_file(output, text.encode("utf-8"))
            typer.echo(f"wrote {output}", err=True)
    if exit_code and result.narrative_change:
        raise typer.Exit(ExitCode.FINDINGS)


def _render_comparison(result, fmt: str, *, to_terminal: bool = False) -> str:
    from . import render

    if fmt == "json":
        # Indented for a person at a terminal; compact (and C-encoded, 5x faster) otherwise.
        indent = 2 if to_terminal else None
        return (
            json.dumps(render.comparison_to_dict(result), ensure_ascii=False, indent=indent) + "\n"
        )
    if fmt == "html":
        return render.comparison_to_html(result)
    return render.comparison_to_markdown(result)


@app.command(epilog="Example: narrative-diff check --corpus my-corpus")
def check(
    update_hashes: Annotated[
        bool, typer.Option("--update-hashes", help="Accept hand edits: record the new text hashes.")
    ] = False,
    corpus: CorpusOpt = None,
) -> None:
    """Check every snapshot: hand edits (hash mismatch), broken files, missing raw captures."""
    store = api.open_corpus(corpus)
    good, problems = api.check(store, update=update_hashes)
    for problem in problems:
        typer.echo(str(problem))
    typer.echo(f"{len(good)} snapshot(s) read in {store.root}, {len(problems)} problem(s)")
    if problems:
        raise typer.Exit(ExitCode.FINDINGS)


@app.command(
    epilog="Example: narrative-diff init my-corpus && narrative-diff add page.html "
    "--series ilrs --date 2025-04-24 --corpus my-corpus"
)
def init(dest: Annotated[Path, typer.Argument(help="New folder to create.")]) -> None:
    """Create a writable corpus folder holding a copy of the ILRS series."""
    store = api.init_corpus(dest)
    typer.echo(f"created {store.root} with series: {', '.join(store.series_names())}")


# ---------------------------------------------------------------------------- helpers
def main(argv: list[str] | None = None) -> int:
    """Run the CLI; the one place errors become messages and exit codes."""
    args = sys.argv[1:] if argv is None else list(argv)
    show_traceback = "--traceback" in args
    args = [a for a in args if a != "--traceback"]  # accepted anywhere on the line
    try:
        with signals.running():
            result = app(args=args, prog_name="narrative-diff", standalone_mode=False)
        if signals.received():  # typer turns Ctrl-C into a plain exit code 130: say so
            return _interrupted()
        return int(result or 0)
    except NarrativeDiffError as exc:
        if show_traceback:
            raise
        typer.echo(f"narrative-diff: {exc.one_line()}", err=True)
        return int(exc.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort) as exc:
        return _interrupted(exc)
    except typer.TyperException as exc:  # typer's usage errors (missing option, bad value, …)
        if type(exc).__name__ == "NoArgsIsHelpError":  # help was already printed
            return int(ExitCode.OK)
        if show_traceback:
            raise
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "narrative-diff"
        text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        text = " ".join(text.split()).rstrip(".")
        typer.echo(f"narrative-diff: usage: {text}; see '{where} --help'", err=True)
        return int(getattr(exc, "exit_code", ExitCode.USAGE))
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        _silence_stdout()
        return int(ExitCode.OK)
    except OSError as exc:
        if show_traceback:
            raise
        reason = exc.strerror or str(exc)
        if exc.errno in _OUTPUT_ERRNOS:
            typer.echo(f"narrative-diff: {OUTPUT_FAILED.format(reason=reason)}", err=True)
            return int(ExitCode.CORPUS)
        # a path the system refuses (too long, a symbolic-link loop, …)
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(
            f"narrative-diff: os-error: {where}{reason}; check the path (its length, its links) "
            "and permissions",
            err=True,
        )
        return int(ExitCode.NOT_FOUND)
    except Exception as exc:  # the last line of defence: no traceback without --traceback
        if show_traceback:
            raise
        detail = " ".join(str(exc).split())  # one line, whatever the library said
        typer.echo(
            f"narrative-diff: internal-error: {type(exc).__name__}: {detail}; rerun with "
            "--traceback and report it",
            err=True,
        )
        return int(ExitCode.INTERNAL)


#: Errors of writing the output (stdout to a full disk, a dead terminal), not bugs.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}
OUTPUT_FAILED = (
    "cannot-write: could not write to standard output: {reason}; what the command changed "
    "(e.g. an add) is complete, check with 'narrative-diff list'"
)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the final flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _interrupted(exc: BaseException | None = None) -> int:
    """One line and exit 130 (Ctrl-C) or 143 (SIGTERM); the clean-up has run."""
    line, code = signals.ending(exc)
    typer.echo(line, err=True)
    return code


def _register() -> None:
    """The score, chart and report commands live in cli_scores; importing it registers them."""
    from . import cli_scores  # noqa: F401


_register()


def run() -> None:
    """Console-script entry point; output still buffered is flushed here, where a full
    disk or a closed pipe can still be reported properly."""
    _open_closed_streams()
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as exc:
        typer.echo(f"narrative-diff: {OUTPUT_FAILED.format(reason=exc.strerror)}", err=True)
        _silence_stdout()
        code = code or int(ExitCode.CORPUS)
    sys.exit(code)


def _open_closed_streams() -> None:
    """A stream closed by the caller (``>&-``, ``<&-``) becomes /dev/null, so that writing
    to it (or asking whether it is a terminal) cannot fail."""
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115
