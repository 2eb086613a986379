"""The ``narrative-diff`` command line: a thin typer layer over :mod:`narrative_diff.api`.

Each command (:mod:`.snapshots`, :mod:`.compare`, :mod:`.scores`) parses its options,
calls one library function and prints the result; what they share is in :mod:`.app`.
:func:`main` is the single error boundary: a :class:`NarrativeDiffError` becomes one line
on stderr and its exit code (docs/messages.md); a traceback appears only with
``--traceback``. Pretty exceptions with local variables stay off: snapshots may hold
sensitive text. Python warnings (a library's, or a glyph missing from a chart's fonts) are
shown the same way as the CLI's own: one ``warning: …`` line each, once.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import errno
import functools
import importlib
import os
import sys
import threading
import warnings
from collections.abc import Callable
from typing import NoReturn

import typer

from narrative_diff import signals
from narrative_diff.errors import ExitCode, NarrativeDiffError, from_os_error
from narrative_diff.serialise import printable

from .app import COMPLETE_VAR, PROCESS_END, PROG, app, silence_stdout, warn

#: The modules whose commands are registered on :data:`app` by being imported, in the
#: order ``--help`` lists them: the corpus, the comparison, then actors, scores and reports.
COMMANDS = tuple(
    importlib.import_module(f"{__name__}.{name}")
    for name in ("snapshots", "watching", "compare", "lifecycles", "scores")
)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; the one place errors become messages and exit codes."""
    args = sys.argv[1:] if argv is None else list(argv)
    show_traceback = "--traceback" in args
    args = [a for a in args if a != "--traceback"]  # accepted anywhere on the line
    if any(a in QUIET for a in args):  # so is --quiet: given to the root, where it lives
        args = _hoisted_quiet(args)
    with warnings.catch_warnings():  # restores the hook (main may run many times in tests)
        warnings.showwarning = _warning_line(set())
        # the library's own (a glyph no font has: "chart: …") are news, never errors
        warnings.filterwarnings("default", message="chart: ")
        return _guarded(args, show_traceback)


#: ``--quiet`` is accepted before or after the command's name.
QUIET = ("--quiet", "-q")


def _hoisted_quiet(args: list[str]) -> list[str]:
    """``args`` with ``--quiet`` / ``-q`` moved before the command, where typer reads it;
    the same word as an option's value (``--title -q``) or after ``--`` stays where it is."""
    takes_value: set[str] = set()
    kept: list[str] = []
    quiet, command, value_next = False, None, False
    for index, arg in enumerate(args):
        if arg == "--":
            kept += args[index:]
            break
        if value_next:
            kept.append(arg)
            value_next = False
            continue
        if arg in QUIET:
            quiet = True
            continue
        if command is None and not arg.startswith("-"):
            command = _click_command(arg)
            takes_value = {  # (typer ships its own click: its classes are not click's)
                name
                for param in getattr(command, "params", [])
                if getattr(param, "param_type_name", "") == "option"
                and not getattr(param, "is_flag", False)
                and not getattr(param, "count", False)
                for name in getattr(param, "opts", [])
            }
        value_next = arg in takes_value
        kept.append(arg)
    return ["--quiet", *kept] if quiet else kept


def _guarded(args: list[str], show_traceback: bool) -> int:
    try:
        return _run(args)
    except (KeyboardInterrupt, typer.Abort) as exc:
        return _interrupted(exc)
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        silence_stdout()
        return int(ExitCode.OK)
    except Exception as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # help was already printed
            return int(ExitCode.OK)
        if show_traceback:
            raise
        line, code = diagnosis(exc)
        typer.echo(f"narrative-diff: {printable(line, layout=False)}", err=True)
        return code


def _warning_line(shown: set[str]) -> Callable[..., None]:
    """``warnings.showwarning`` for the CLI: the documented ``warning: …`` line (not
    Python's two lines with a file name and source), each distinct message once."""

    def show(message: Warning | str, *_: object, **__: object) -> None:
        text = " ".join(str(message).split())
        if text not in shown:
            shown.add(text)
            warn(text)

    return show


def _run(args: list[str]) -> int:
    """The command's own exit code; Ctrl-C (which typer turns into a plain 130) said."""
    try:
        with signals.running():
            result = _app_for(args)(args=args, prog_name=PROG, standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    if signals.received():
        return _interrupted()
    return int(result or 0)


def _app_for(args: list[str]) -> typer.Typer:
    """:data:`app`, or for a line that names its command first (after ``--quiet``: the
    usual line), an app of that command alone with the same root options. typer builds
    the click command of every command a line could run, each from its function's
    signature: for all sixteen that was 0.013 s of every run, for one 0.003 s. What the
    line does, says and refuses is the same: only the group's own help and a mistyped
    command name read the others (and shell completion, which reads the line itself)."""
    name = next((arg for arg in args if arg not in QUIET), None)
    info = _commands_by_name().get(name or "")
    if info is None or os.environ.get(COMPLETE_VAR):
        return app
    one = copy.copy(app)
    one.registered_commands = [info]
    return one


@functools.cache
def _commands_by_name() -> dict[str, typer.models.CommandInfo]:
    return {
        info.name or typer.main.get_command_name(info.callback.__name__): info
        for info in app.registered_commands
        if info.callback is not None
    }


def _click_command(name: str) -> object | None:
    """The click command ``name`` on the line runs, built alone (:func:`_app_for`); None
    for a word that names no command."""
    if name not in _commands_by_name():
        return None
    group = typer.main.get_command(_app_for([name]))
    return getattr(group, "commands", {}).get(name)


def diagnosis(exc: Exception) -> tuple[str, int]:
    """The one line (without the program name) and the exit code for an error: the
    library's own errors as they say, typer's usage errors, what the system refused (by
    errno: docs/messages.md), and anything else as an internal error to report."""
    if isinstance(exc, NarrativeDiffError):
        return exc.one_line(), int(exc.exit_code)
    if isinstance(exc, typer.TyperException):  # missing option, bad value, …
        return _usage(exc)
    if isinstance(exc, OSError):
        if exc.errno in _OUTPUT_ERRNOS and not exc.filename:  # stdout: a full disk, a dead tty
            return OUTPUT_FAILED.format(reason=exc.strerror or exc), int(ExitCode.CORPUS)
        error = from_os_error(exc)
        return error.one_line(), int(error.exit_code)
    detail = " ".join(str(exc).split())  # one line, whatever the library said
    return (
        f"internal-error: {type(exc).__name__}: {detail}; rerun with --traceback and report it",
        int(ExitCode.INTERNAL),
    )


def _usage(exc: typer.TyperException) -> tuple[str, int]:
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "narrative-diff"
    text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    text = " ".join(text.split()).rstrip(".")
    return f"usage: {text}; see '{where} --help'", int(getattr(exc, "exit_code", ExitCode.USAGE))


#: Errors of writing the output (stdout to a full disk, a dead terminal), not bugs.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}
OUTPUT_FAILED = (
    "cannot-write: could not write to standard output: {reason}; what the command changed "
    "(e.g. an add) is complete, check with 'narrative-diff list'"
)


def _interrupted(exc: BaseException | None = None) -> int:
    """One line and exit 130 (Ctrl-C) or 143 (SIGTERM); the clean-up has run."""
    line, code = signals.ending(exc)
    typer.echo(line, err=True)
    return code


def run() -> None:
    """Console-script entry point; output still buffered is flushed here, where a full
    disk or a closed pipe can still be reported properly. It ends the process (after a
    comparison with ``os._exit``: :func:`_end_now`); a program that runs a command inside
    its own process calls :func:`main`."""
    _open_closed_streams()
    PROCESS_END.after_command = True
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    except OSError as exc:
        typer.echo(f"narrative-diff: {OUTPUT_FAILED.format(reason=exc.strerror)}", err=True)
        silence_stdout()
        code = code or int(ExitCode.CORPUS)
    if PROCESS_END.kept and not any(
        not thread.daemon
        for thread in threading.enumerate()
        if thread is not threading.main_thread()
    ):  # (a thread that is still working would be cut off: then the usual end)
        _end_now(code)
    sys.exit(code)


def _end_now(code: int) -> NoReturn:
    """End the process as :func:`~narrative_diff.cli.app.keep_to_the_end` promised: the
    exit handlers (the collector's freeze), the streams flushed, then ``os._exit``,
    without the interpreter freeing every object on its way out. What that skips, a
    comparison does not use: files left open (it writes through ``storage.write_file``,
    which closes them), non-daemon threads (checked before), ``threading``'s own exit
    hooks (concurrent.futures). multiprocessing's exit handler is dropped: it stops a
    comparison's second process and waits for its end (6 ms), but that process, done
    with its jobs (``Drawer.close`` stopped any other), ends by itself when this one's
    end closes its orders."""
    if (children := sys.modules.get("multiprocessing.util")) is not None:
        atexit.unregister(children._exit_function)
    atexit._run_exitfuncs()
    with contextlib.suppress(Exception):  # (stdout was flushed above, its errors said)
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)


def _open_closed_streams() -> None:
    """A stream closed by the caller (``>&-``, ``<&-``) becomes /dev/null, so that writing
    to it (or asking whether it is a terminal) cannot fail."""
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115
