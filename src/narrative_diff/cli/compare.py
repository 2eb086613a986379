"""The ``compare`` command: the heart of the tool, two snapshots side by side.

It parses, calls :func:`narrative_diff.api.compare_refs` and prints the result live to the
terminal, or calls :func:`narrative_diff.api.compare_rendered` and writes the rendered text to
stdout or a file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from narrative_diff import api
from narrative_diff.errors import ExitCode, UsageProblem

from .app import (
    COMPARE,
    ActorsOpt,
    CorpusOpt,
    app,
    choice,
    complete_ref,
    console,
    echo,
    info,
    keep_to_the_end,
    output_option,
    to_a_reader,
    warn,
    write_out,
)
from .snapshots import warn_edited


@app.command(
    rich_help_panel=COMPARE,
    epilog="Example: narrative-diff compare v1 v3 · narrative-diff compare v2 v3 --side-by-side"
    " · narrative-diff compare 2022 2023 --format json -o shift.json · narrative-diff compare"
    " old.pdf new.pdf --exit-code",
)
def compare(
    ref_a: Annotated[
        str, typer.Argument(help="The earlier snapshot (ref or file).", autocompletion=complete_ref)
    ],
    ref_b: Annotated[
        str, typer.Argument(help="The later snapshot (ref or file).", autocompletion=complete_ref)
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, md, html or json.")
    ] = "terminal",
    output: Annotated[Path | None, output_option("Write to this file.")] = None,
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
    actors_file: ActorsOpt = None,
    no_actors: Annotated[
        bool, typer.Option("--no-actors", help="Leave out the actor block.")
    ] = False,
    corpus: CorpusOpt = None,
) -> None:
    """Compare two snapshots: what was written out, added, renamed and moved."""
    choice(fmt, api.COMPARE_FORMATS, "--format")
    if diff_timeout != diff_timeout:  # NaN passes typer's range check
        raise UsageProblem(
            "--diff-timeout nan is not a number of seconds",
            hint="e.g. --diff-timeout 5 (0: no limit)",
            slug="bad-option",
        )
    options = api.CompareOptions(
        diff=api.DiffOptions(
            ignore_case=ignore_case, ignore_punctuation=ignore_punctuation, timeout=diff_timeout
        ),
        threshold=threshold,
    )
    # (compiled and checked where they are used: for long texts, beside this process)
    actor_set = None if no_actors else api.read_actors(actors_file)
    store = api.open_corpus(corpus)
    if output is not None:  # a bad -o fails before the work, and never inside the corpus
        api.check_output_path(output, store, inputs=(ref_a, ref_b, actors_file))
    terminal = fmt == "terminal" and output is None
    # JSON indented for a person at a terminal; compact (and 5x faster) otherwise
    indent = 2 if output is None and sys.stdout.isatty() else None
    with api.one_comparison():
        rendered = None
        if not terminal:
            rendered = api.compare_rendered(
                store,
                ref_a,
                ref_b,
                fmt,
                options=options,
                actors=actor_set,
                indent=indent,
                side_by_side=side_by_side,
            )
        result = (
            rendered.comparison
            if rendered
            else api.compare_refs(store, ref_a, ref_b, options=options, actors=actor_set)
        )
        warn_edited([result.a, result.b])
        same = api.same_snapshot(store, result)
        if same and terminal:
            echo(same)
            return
        if same:  # the (empty) comparison is still written, for scripts that read it
            warn(same)
        if rendered is None:  # warnings are part of the terminal output
            from narrative_diff.render.compare_terminal import print_comparison

            width = None if sys.stdout.isatty() or not side_by_side else 160
            print_comparison(result, console(width), side_by_side=side_by_side, plain=plain)
        else:
            if fmt != "terminal":
                for warning in result.warnings:
                    warn(warning)
            if output is None:
                with to_a_reader():  # (compact JSON comes in pieces: the reader may go)
                    write_out(rendered.data)
            else:
                api.write_text(output, rendered)
                info(f"wrote {output}", err=True)
        keep_to_the_end((rendered, result))  # (a million objects, not freed one by one)
        if exit_code and result.narrative_change:
            raise typer.Exit(ExitCode.FINDINGS)
