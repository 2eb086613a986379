"""One exception hierarchy for narrative-diff, with named exit codes.

Every error the user can cause is a :class:`NarrativeDiffError`. Each carries a short
``slug`` (explained in ``docs/messages.md``), a message naming the problem, a hint naming
the fix, and the process exit code the CLI uses. Subclasses also inherit the closest
built-in exception, so library callers can catch ``LookupError`` or ``ValueError`` as usual.
"""

from __future__ import annotations

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
    CORPUS = 7  # the corpus is corrupt, read-only or could not be written
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
