"""One exception hierarchy for narrative-diff, with named exit codes.

Every error the user can cause is a :class:`NarrativeDiffError`. Each carries a short
``slug`` (explained in ``docs/messages.md``), a message naming the problem, a hint naming
the fix, and the process exit code the CLI uses. Subclasses also inherit the closest
built-in exception, so library callers can catch ``LookupError`` or ``ValueError`` as usual.
"""

from __future__ import annotations

import errno
import os
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; documented in docs/messages.md."""

    OK = 0
    FINDINGS = 1  # `check` found problems; `compare --exit-code` found a narrative change
    USAGE = 2  # bad or missing options and arguments
    BAD_INPUT = 3  # a document that cannot be read: empty, binary, too large, undecodable
    NOT_FOUND = 4  # unknown snapshot ref or missing source file
    CONFLICT = 5  # the snapshot (same id or same content) is already in the corpus
    NETWORK = 6  # a URL timed out or answered with an error
    CORPUS = 7  # the corpus is corrupt, read-only or could not be written (a full disk too)
    REFUSED = 8  # the system refused: permission denied, or a read-only file system
    INTERNAL = 70  # a bug: please report it with --traceback output
    INTERRUPTED = 130  # Ctrl-C (SIGINT)
    TERMINATED = 143  # SIGTERM


class NarrativeDiffError(Exception):
    """Base class: a problem the user can fix, reported as one line."""

    slug = "error"
    exit_code = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None, slug: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if slug is not None:
            self.slug = slug

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message

    def one_line(self) -> str:
        """The single stderr line the CLI prints: ``slug: problem; fix``."""
        return " ".join(f"{self.slug}: {self}".split())


class UsageProblem(NarrativeDiffError, ValueError):
    """Options or arguments that cannot work (invalid date, bad series name, bad URL scheme)."""

    slug = "usage"
    exit_code = ExitCode.USAGE


class UnreadableDocument(NarrativeDiffError, ValueError):
    """A source whose text cannot be extracted: empty, binary, too large, unknown format."""

    slug = "unreadable-document"
    exit_code = ExitCode.BAD_INPUT


class SourceNotFound(NarrativeDiffError, FileNotFoundError):
    """A source path that does not exist or cannot be opened."""

    slug = "no-such-file"
    exit_code = ExitCode.NOT_FOUND


class SnapshotNotFound(NarrativeDiffError, LookupError):
    """A snapshot reference that matches nothing, or more than one snapshot."""

    slug = "unknown-ref"
    exit_code = ExitCode.NOT_FOUND


class SnapshotConflict(NarrativeDiffError, FileExistsError):
    """The snapshot id, or the identical content, is already in the series."""

    slug = "duplicate"
    exit_code = ExitCode.CONFLICT


class FetchFailed(NarrativeDiffError, OSError):
    """A URL that timed out, refused, or answered with an HTTP error."""

    slug = "fetch-failed"
    exit_code = ExitCode.NETWORK


class CorpusError(NarrativeDiffError, OSError):
    """A corpus that is corrupt, read-only, or could not be written."""

    slug = "corpus"
    exit_code = ExitCode.CORPUS


class ActorsFileError(NarrativeDiffError, ValueError):
    """An actors file that cannot be used: bad TOML, unknown keys, clashing aliases."""

    slug = "invalid-actors"
    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, hint: str | None = None, slug: str | None = None):
        hint = hint or "fix the actors file; 'narrative-diff actors --actors FILE' checks it"
        super().__init__(message, hint=hint, slug=slug)


class ActorNotFound(NarrativeDiffError, LookupError):
    """An actor key or name that the actors file does not define."""

    slug = "unknown-actor"
    exit_code = ExitCode.NOT_FOUND


class FontMissing(NarrativeDiffError, LookupError):
    """No installed font can draw some characters of the text (charts, PDF report)."""

    slug = "font-missing"
    exit_code = ExitCode.BAD_INPUT


class MissingExtra(NarrativeDiffError, ImportError):
    """An option that needs an optional dependency (an extra) which is not installed, e.g.
    ``-f parquet`` without pyarrow: said up front, with the install command."""

    slug = "missing-extra"
    exit_code = ExitCode.USAGE


class OutputError(NarrativeDiffError, OSError):
    """An output path that cannot work: unknown extension, missing folder, inside the
    corpus."""

    slug = "bad-output"
    exit_code = ExitCode.USAGE


class CannotWrite(OutputError):
    """An output that could not be written (a folder or device in the way, a full disk):
    exit 7, like a corpus write."""

    slug = "cannot-write"
    exit_code = ExitCode.CORPUS


class SystemRefused(NarrativeDiffError, OSError):
    """The operating system refused a file operation: permission denied (EACCES, EPERM) or
    a read-only file system (EROFS). The path may be fine; the permissions or the disk
    are not."""

    slug = "permission-denied"
    exit_code = ExitCode.REFUSED


class PermissionDenied(SystemRefused, PermissionError):
    """EACCES or EPERM: the user may not read or write that file or folder."""

    slug = "permission-denied"


class ReadOnlyFileSystem(SystemRefused):
    """EROFS: the file or folder is on a disk mounted read-only."""

    slug = "read-only"


class DiskFull(NarrativeDiffError, OSError):
    """ENOSPC, EDQUOT, EFBIG: no space (or quota) left for the write; exit 7, like any
    write that failed."""

    slug = "disk-full"
    exit_code = ExitCode.CORPUS


class PathRefused(NarrativeDiffError, OSError):
    """Any other OSError naming a path: a name over 255 bytes, a loop of symbolic links, a
    file where a folder should be."""

    slug = "os-error"
    exit_code = ExitCode.NOT_FOUND


_PERMISSION = frozenset({errno.EACCES, errno.EPERM})
_READ_ONLY = frozenset({errno.EROFS})
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
#: The errnos :func:`from_os_error` gives a slug of their own (the rest become ``os-error``).
SYSTEM_ERRNOS = _PERMISSION | _READ_ONLY | _FULL


def from_os_error(
    exc: OSError,
    *,
    path: str | os.PathLike[str] | None = None,
    action: str | None = None,
    outcome: str | None = None,
) -> NarrativeDiffError:
    """The :class:`NarrativeDiffError` for an ``OSError``, chosen by its errno.

    ``path`` (default: the error's own ``filename``) is named in the message, after
    ``action`` when given (``"could not write to"``); ``outcome`` is added to the hint
    (``"the corpus was not changed"``). The result keeps the errno, ``strerror`` and
    ``filename`` of ``exc``. The caller raises it, ``from exc``.

    >>> refused = from_os_error(PermissionError(13, "Permission denied", "/c/ilrs"))
    >>> refused.slug, int(refused.exit_code), refused.message
    ('permission-denied', 8, '/c/ilrs: Permission denied')
    """
    where = exc.filename if path is None else path
    named = os.fsdecode(where) if isinstance(where, str | bytes | os.PathLike) else ""
    reason = exc.strerror or str(exc)
    message = " ".join(part for part in (action, named) if part)
    message = f"{message}: {reason}" if message else reason
    error: NarrativeDiffError
    if exc.errno in _PERMISSION:
        error = PermissionDenied(message, hint=_hint(_permission_fix(named), outcome))
    elif exc.errno in _READ_ONLY:
        fix = "the disk is mounted read-only: write somewhere else, on a writable disk"
        error = ReadOnlyFileSystem(message, hint=_hint(fix, outcome))
    elif exc.errno in _FULL:
        fix = "free some space on that disk (or write somewhere else) and retry"
        error = DiskFull(message, hint=_hint(fix, outcome))
    else:
        fix = "check the path (its length, its links) and permissions"
        error = PathRefused(message, hint=_hint(fix, outcome))
    error.errno, error.strerror, error.filename = exc.errno, exc.strerror, exc.filename
    return error


def _permission_fix(named: str) -> str:
    """The fix for EACCES/EPERM, naming the path when there is one."""
    where = f"{named} and of the folders above it" if named else "the files and folders involved"
    return f"check the permissions of {where}, or choose another folder"


def _hint(fix: str, outcome: str | None) -> str:
    """A fix, then what happened to the user's data (said only where it is known)."""
    return f"{fix}; {outcome}" if outcome else fix
