"""Commands over the corpus: ``list``, ``show``, ``add``, ``check`` and ``init``.

Each parses its options, calls one function of :mod:`narrative_diff.api` and prints.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from narrative_diff import api
from narrative_diff.errors import ExitCode, UsageProblem

from .app import (
    CORPUS,
    FILE_ROW_FORMATS,
    CorpusOpt,
    RowsFormatOpt,
    RowsOutOpt,
    app,
    choice,
    complete_ref,
    complete_series,
    confirm,
    echo,
    emit_rows,
    info,
    status,
    warn,
)
from .terminal import print_listing


@app.command(
    "list",
    rich_help_panel=CORPUS,
    epilog="Example: narrative-diff list ilrs --format csv · narrative-diff list -f parquet",
)
def list_cmd(
    series: Annotated[
        str | None,
        typer.Argument(help="Only this series.", autocompletion=complete_series),
    ] = None,
    fmt: RowsFormatOpt = "table",
    out: RowsOutOpt = None,
    corpus: CorpusOpt = None,
) -> None:
    """List snapshots in date order: ref (v1, v2, …), date, id, title, kind, language, words."""
    choice(fmt, FILE_ROW_FORMATS, "--format")
    store = api.open_corpus(corpus)
    target = api.rows_output(store, fmt, out, command="list", series=series)
    rows = api.list_snapshots(store, series)
    emit_rows(
        [r.as_dict() for r in rows],
        fmt,
        table=lambda shown: print_listing(rows, shown, api.series_heading(store, series)),
        columns=api.Listed.columns(),
        target=target,
    )
    edited = [r.id for r in rows if not r.hash_ok]
    if edited:
        warn(
            f"{len(edited)} snapshot(s) changed since they were added ({edited[0]}…); "
            "run 'narrative-diff check'"
        )
    if store.skipped:
        warn(f"skipped {len(store.skipped)} file(s) without front matter ({store.skipped[0]}…)")


def warn_edited(snaps: Sequence[api.Snapshot]) -> None:
    """One ``warning:`` line when a snapshot the command used was edited after capture."""
    message = api.edited_warning(snaps)
    if message:
        warn(message)


@app.command(rich_help_panel=CORPUS, epilog="Example: narrative-diff show v2 --meta")
def show(
    ref: Annotated[
        str,
        typer.Argument(
            help="A snapshot: id, v1…, latest, date prefix, SERIES:v2, or a file path.",
            autocompletion=complete_ref,
        ),
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
    warn_edited([snap])
    if meta:
        import yaml

        data = api.describe(store, snap)
        echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), nl=False)
    else:  # the exact text into a file or pipe; control characters escaped on a terminal
        echo(snap.body, nl=False, exact_when_piped=True)


@app.command(
    rich_help_panel=CORPUS,
    epilog="Example: narrative-diff add statement.pdf --series ilrs --date 2025-04-24 "
    "--corpus my-corpus; a web page is dated from its metadata: narrative-diff add "
    "https://example.org/news.html --series ilrs -c my-corpus",
)
def add(
    source: Annotated[
        str,
        typer.Argument(
            help="A file (.txt .md .html .pdf .docx .srt .vtt), '-' for stdin, or an http(s) URL."
        ),
    ],
    series: Annotated[str, typer.Option("--series", "-s", help="Series name, e.g. ilrs.")],
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            "-d",
            help="Publication date, YYYY-MM-DD (default: the date in a web page's metadata "
            "or a Markdown front matter).",
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title (default: from the document).")] = None,
    publisher: Annotated[str | None, typer.Option(help="Who published it.")] = None,
    lineage: Annotated[
        str | None,
        typer.Option(
            help="The source line it continues, e.g. 'CNSA' (default: the publisher). Events "
            "compare snapshots of one lineage only."
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help="statement, white-paper, presentation, "
            "press-release, web-page, video-transcript, …"
        ),
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="en, zh, zh-Hant, ru, … (default: detected).")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Where it was published (source_url).")] = None,
    provenance: Annotated[
        str | None, typer.Option(help="Free text: verbatim / excerpt / translation, from where.")
    ] = None,
    slug: Annotated[
        str | None,
        typer.Option(
            help="File name part of the id (default: YYYY-MM-title-words; another version "
            "the same month: YYYY-MM-DD-…, the same day: …-2)."
        ),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a snapshot with the same id.")
    ] = False,
    extract: Annotated[
        str,
        typer.Option(
            help="Web pages: auto (main text, with fallbacks when it holds too little of "
            "the page's prose), main (main text only) or full (the whole page's text).",
            metavar="auto|main|full",
        ),
    ] = "auto",
    max_bytes: Annotated[
        int, typer.Option(min=1, help="Refuse sources larger than this many bytes.")
    ] = 50 << 20,
    timeout: Annotated[
        float,
        typer.Option(
            min=0.1,
            max=3600.0,
            help="Seconds a URL may take in all: connecting, headers, body and redirects.",
        ),
    ] = 20.0,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Let a public web page redirect to a private or loopback address.",
        ),
    ] = False,
    corpus: CorpusOpt = None,
) -> None:
    """Add a document as a new dated snapshot (text extracted, raw capture kept)."""
    if timeout != timeout:  # NaN passes typer's range check
        raise UsageProblem(
            "--timeout nan is not a number of seconds", hint="e.g. --timeout 20", slug="bad-option"
        )
    choice(extract, api.EXTRACT_MODES, "--extract")
    options = api.AddOptions(
        series=series,
        date=api.parse_add_date(date) if date is not None else None,
        title=title,
        publisher=publisher,
        lineage=lineage,
        kind=kind,
        language=language,
        url=url,
        provenance=provenance,
        slug=slug,
        replace=replace,
        extract=extract,
        limits=api.IngestLimits(max_bytes=max_bytes, timeout=timeout, allow_private=allow_private),
    )
    store = api.open_corpus(corpus)
    with status(f"Reading {api.shown_source(source)}"):
        added = api.add_snapshot(store, source, options, stdin=sys.stdin.buffer)
    info(api.corpus_line(store))  # first, once it is written (a refusal stays one line)
    for note in added.notes:
        info(f"note: {note}", err=True)
    snap = added.snapshot
    info(
        f"added {snap.id} as {added.ref} ({snap.date}, "
        f"{snap.words} words, {snap.language}, hash {added.hash}) -> {snap.path}"
    )
    if added.shift:
        info(f"refs shifted: {added.shift}; hash refs never shift")


@app.command(
    rich_help_panel=CORPUS,
    epilog="Example: narrative-diff remove v7 --corpus my-corpus · narrative-diff remove "
    "1a2b3c4 --yes (for scripts)",
)
def remove(
    ref: Annotated[
        str,
        typer.Argument(
            help="The snapshot: id, v1…, latest, date prefix, hash (from 'list'), SERIES:v2.",
            autocompletion=complete_ref,
        ),
    ],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")
    ] = False,
    corpus: CorpusOpt = None,
) -> None:
    """Remove a snapshot and its raw capture from the corpus, as one step."""
    store = api.open_corpus(corpus)
    snap, about = api.removal_target(store, ref)
    if not yes:
        confirm(f"Remove {about} from {api.corpus_line(store)}?", refused="nothing was removed")
    removed = api.remove_snapshot(store, snap.id)
    info(api.corpus_line(store))
    raw = f" and {removed.raw_file}" if removed.raw_file else ""
    info(f"removed {removed.snapshot.id} (was {removed.ref}, hash {removed.hash}){raw}")
    if removed.shift:
        info(f"refs shifted: {removed.shift}")
    if not removed.left:
        info(f"series {removed.snapshot.series} has no snapshots left")


@app.command(rich_help_panel=CORPUS, epilog="Example: narrative-diff check --corpus my-corpus")
def check(
    update_hashes: Annotated[
        bool, typer.Option("--update-hashes", help="Accept hand edits: record the new text hashes.")
    ] = False,
    corpus: CorpusOpt = None,
) -> None:
    """Check every snapshot: hand edits (hash mismatch), broken files, missing raw captures;
    notes for web pages whose extraction kept little of the page, or the whole page."""
    store = api.open_corpus(corpus)
    good, found = api.check(store, update=update_hashes)
    if update_hashes:
        info(api.corpus_line(store))
    for problem in found:
        echo(str(problem))
    problems = [p for p in found if not p.note]
    notes = f", {len(found) - len(problems)} note(s)" if len(found) > len(problems) else ""
    echo(f"{len(good)} snapshot(s) read in {store.root}, {len(problems)} problem(s){notes}")
    if problems:
        raise typer.Exit(ExitCode.FINDINGS)


@app.command(
    rich_help_panel=CORPUS,
    epilog="Example: narrative-diff init my-corpus && narrative-diff add page.html "
    "--series ilrs --date 2025-04-24 --corpus my-corpus",
)
def init(dest: Annotated[Path, typer.Argument(help="New folder to create.")]) -> None:
    """Create a writable corpus folder holding a copy of the ILRS series."""
    store = api.init_corpus(dest)
    echo(f"created {store.root} with series: {', '.join(store.series_names())}")
