"""All-or-nothing file writes and the corpus lock: the only code that writes to a corpus.

* :func:`commit` writes a group of files as one change: every file is first written to a
  temporary file beside its target and flushed to disk, then renamed into place; if any
  step fails, the files already renamed are removed again (callers only ever name *new*
  files before the last one, whose rename is the commit point), the temporary files are
  deleted, and folders created for the write are removed. The corpus is then as it was.
  A write the system refuses (permissions, a read-only disk) or that finds the disk full
  is reported by :func:`errors.from_os_error` (``permission-denied``, ``read-only``,
  ``disk-full``); any other failure is ``write-failed``.
* :func:`retract` removes a group of files as one change (``remove``): each is renamed to
  a hidden name beside it, the last (the snapshot file) being the commit point, then the
  hidden files are deleted. Before the commit point a failure renames them back; after it
  the deletion is finished. A process killed in between (SIGKILL, a power cut) leaves
  hidden names that :func:`finish_retractions` resolves the same way on the next write.
* :func:`corpus_lock` serialises writers with an advisory ``flock`` on the corpus folder
  itself, so no lock file is ever created inside (or outside) the corpus and every process
  on the machine sees the same lock whatever its temp folder. Where ``fcntl`` is missing
  (Windows), a lock file in the temp folder is used instead (filelock).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from .errors import SYSTEM_ERRNOS, CannotWrite, CorpusError, NarrativeDiffError, from_os_error

#: A snapshot file larger than this is not read (documents are refused at 50 MiB by default).
MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024


def read_utf8(path: Path) -> str:
    """A corpus file as text; undecodable, unreadable or absurdly large files are named in
    the error. A UTF-8 byte-order mark (as some editors write) is dropped."""
    try:
        size = path.stat().st_size
        if size > MAX_SNAPSHOT_BYTES:
            raise CorpusError(
                f"{path}: {size:,} bytes, over the {MAX_SNAPSHOT_BYTES:,}-byte limit for a "
                "snapshot file",
                hint="move it out of the corpus; add the document again in parts",
                slug="corrupt-snapshot",
            )
        return path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{path}: not UTF-8 (byte {exc.start})",
            hint="re-save the file as UTF-8",
            slug="corrupt-snapshot",
        ) from None
    except OSError as exc:
        raise CorpusError(
            f"{path}: cannot read ({exc.strerror})",
            hint="check the file's permissions",
            slug="unreadable-snapshot",
        ) from None


def commit(
    files: Sequence[tuple[Path, bytes]],
    *,
    root: Path,
    unchanged: str = "the corpus was not changed",
) -> None:
    """Write ``files`` as one change (see the module docstring); ``root`` must exist.
    ``unchanged`` ends the error's hint: what is known to be as it was after a failure."""
    created_dirs: list[Path] = []
    staged: list[tuple[str, Path]] = []
    renamed: list[Path] = []
    try:
        for final, data in files:
            for parent in reversed(final.relative_to(root).parents):
                folder = root / parent
                if not folder.exists():
                    folder.mkdir()
                    created_dirs.append(folder)
            staged.append(_stage(final, data))
        for tmp, final in staged:
            existed = final.exists()
            os.replace(tmp, final)
            if not existed:
                renamed.append(final)
    except BaseException as exc:  # OSError, or Ctrl-C / SIGTERM between two renames
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for final in renamed:
            with contextlib.suppress(OSError):
                final.unlink()
        for folder in reversed(created_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if not isinstance(exc, OSError):
            raise
        where = files[0][0].parent if files else root
        while not where.exists() and where != root:  # (raw/ of a first capture)
            where = where.parent  # name the folder that refused, not one never made
        raise _corpus_error(exc, "could not write to", where, unchanged) from exc


def _corpus_error(exc: OSError, action: str, where: Path, unchanged: str) -> NarrativeDiffError:
    """A corpus write the system refused (permissions, a read-only or full disk), named by
    its errno; anything else is ``write-failed``. ``unchanged`` says what was left as is."""
    if exc.errno in SYSTEM_ERRNOS:
        return from_os_error(exc, path=where, action=action, outcome=unchanged)
    return CorpusError(
        f"{action} {where}: {exc.strerror or exc}",
        hint=f"check free space and permissions; {unchanged}",
        slug="write-failed",
    )


def _stage(final: Path, data: bytes) -> tuple[str, Path]:
    """Write ``data`` to a temporary file beside ``final`` (:func:`_temporary`)."""
    with _temporary(final) as (handle, tmp):
        handle.write(data)
    return tmp, final


@contextlib.contextmanager
def _temporary(final: Path) -> Iterator[tuple[BinaryIO, str]]:
    """A temporary file beside ``final``, named ``.NAME.PID.XXXX.tmp`` so that a later run
    can tell a dead process's leftover from a live writer's file: open for writing, then
    flushed to disk; removed again if anything fails (an interruption included)."""
    clear_stale(final)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{final.name}.{os.getpid()}.", suffix=".tmp", dir=final.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(fd, 0o666 & ~_umask())  # as open() would create it, not mkstemp's 0600
            yield handle, tmp
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def clear_stale(final: Path) -> list[Path]:
    """Remove the temporary files of ``final`` left by a process that was killed (SIGKILL,
    a power cut: no handler ran); a file of a process still running is left alone."""
    removed = []
    with contextlib.suppress(OSError):
        for tmp in final.parent.glob(f".{glob.escape(final.name)}.*.tmp"):
            pid = tmp.name[len(final.name) + 2 :].split(".", 1)[0]
            if pid.isascii() and pid.isdigit() and len(pid) <= 10 and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    tmp.unlink()
                    removed.append(tmp)
    return removed


#: Hidden names of a removal in progress: ``.NAME.PID.TOKEN.removing`` for the files that
#: go first, ``.NAME.PID.TOKEN.removed`` for the commit point (the snapshot file).
_REMOVING, _REMOVED = "removing", "removed"
_HIDDEN = re.compile(
    r"\.(?P<name>.+)\.(?P<pid>[0-9]{1,10})\.(?P<token>[0-9a-f]{8})\.(?:removing|removed)"
)


def retract(
    files: Sequence[Path], *, root: Path, unchanged: str = "the corpus was not changed"
) -> None:
    """Remove ``files`` as one change (see the module docstring); the last is the commit
    point. Each file must exist; ``root`` names the corpus in errors."""
    token = secrets.token_hex(4)
    plan = [
        (path, path.with_name(f".{path.name}.{os.getpid()}.{token}.{mark}"))
        for index, path in enumerate(files)
        for mark in [_REMOVED if index == len(files) - 1 else _REMOVING]
    ]
    try:
        for path, hidden in plan:
            os.rename(path, hidden)
    except BaseException as exc:  # OSError, or Ctrl-C / SIGTERM between two renames
        if plan and os.path.lexists(plan[-1][1]):  # committed: finish, then report
            _delete(hidden for _, hidden in plan)
            raise
        for path, hidden in reversed(plan):  # not committed: everything back in place
            if os.path.lexists(hidden):
                with contextlib.suppress(OSError):
                    os.rename(hidden, path)
        if not isinstance(exc, OSError):
            raise
        where = next((p for p, h in plan if not os.path.lexists(h)), root).parent
        raise _corpus_error(exc, "could not remove from", where, unchanged) from exc
    _delete(hidden for _, hidden in plan)


def _delete(paths: Iterable[Path]) -> None:
    """Delete hidden files of a committed removal; one that cannot go now (or an
    interruption) is finished by :func:`finish_retractions` later."""
    interrupted: KeyboardInterrupt | None = None
    for path in paths:
        for _ in range(2):  # a Ctrl-C here is held back until every file is gone
            try:
                path.unlink(missing_ok=True)
                break
            except OSError:
                break
            except KeyboardInterrupt as exc:
                interrupted = exc
    if interrupted is not None:
        raise interrupted


def interrupted_removals(folder: Path) -> list[Path]:
    """Hidden files of removals under ``folder`` whose process is gone (names that only
    look like one, such as a PID of letters or of 30 digits, are left alone)."""
    found = []
    with contextlib.suppress(OSError):
        for mark in (_REMOVING, _REMOVED):
            for path in folder.rglob(f".*.{mark}"):
                parts = _HIDDEN.fullmatch(path.name)
                if parts and not _alive(int(parts["pid"])):
                    found.append(path)
    return sorted(found)


def finish_retractions(folder: Path) -> list[Path]:
    """Resolve removals interrupted by a killed process: a group whose commit point was
    passed (its ``.removed`` file exists) is deleted, any other is renamed back, never
    over a file that is there again. Called under the corpus lock; returns the files
    deleted or restored."""
    groups: dict[str, list[Path]] = {}
    for path in interrupted_removals(folder):
        parts = _HIDDEN.fullmatch(path.name)
        if parts:
            groups.setdefault(parts["token"], []).append(path)
    done = []
    for paths in groups.values():
        committed = any(p.name.endswith(f".{_REMOVED}") for p in paths)
        for path in paths:
            parts = _HIDDEN.fullmatch(path.name)
            original = path.with_name(parts["name"]) if parts else path
            with contextlib.suppress(OSError):
                if committed:
                    path.unlink()
                elif not os.path.lexists(original):  # ".NAME.PID.TOKEN.removing" back
                    os.rename(path, original)
                else:
                    continue
                done.append(path)
    return done


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # (a PID beyond any the system gives)
        return False
    except OSError:  # EPERM: another user's process, alive
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def corpus_lock(root: Path, *, timeout: float = 60.0) -> Iterator[None]:
    """Hold the corpus's exclusive write lock (see the module docstring)."""
    locked = CorpusError(
        f"corpus {root} is locked by another narrative-diff",
        hint="wait for the other command to finish and retry",
        slug="corpus-locked",
    )
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        from filelock import FileLock, Timeout

        key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
        try:
            with FileLock(
                Path(tempfile.gettempdir()) / f"narrative-diff-{key}.lock", timeout=timeout
            ):
                yield
        except Timeout:
            raise locked from None
        return
    try:
        fd = os.open(root, os.O_RDONLY)
    except OSError as exc:
        if exc.errno not in SYSTEM_ERRNOS:
            raise
        raise from_os_error(
            exc, path=root, action="could not lock the corpus", outcome="the corpus was not changed"
        ) from exc
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise locked from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def write_file(path: Path, data: bytes) -> None:
    """Write one output file atomically (temporary file, then rename): a reader never sees
    half a report, and an interrupted write leaves the old file."""
    write_files([(path, data)])


def write_files(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write output files as one set: every file is staged before any is renamed into
    place, so a failure (disk full, a folder in the way, Ctrl-C) leaves no temporary file
    and removes the files this set had created; a file that existed before is either the
    old one or the new one, never half of either."""
    staged: list[tuple[str, Path]] = []
    created: list[Path] = []
    where: Path | None = None
    try:
        for path, data in files:
            where = path
            staged.append(_stage(path, data))
        for tmp, final in staged:
            where = final
            existed = final.exists()
            os.replace(tmp, final)
            if not existed:
                created.append(final)
    except BaseException as exc:  # OSError, or an interruption: no temporary file is left,
        for tmp, _ in staged:  # and files this set created are removed again
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for final in created:
            with contextlib.suppress(OSError):
                final.unlink()
        if not isinstance(exc, OSError):
            raise
        raise _write_error(exc, where) from exc


@contextlib.contextmanager
def streamed_file(path: Path) -> Iterator[Callable[[str], None]]:
    """Write one output file as its text comes (the rows of a long series, never held
    whole), atomically as :func:`write_file` does: the ``with`` block gets a function that
    writes text (UTF-8) to a temporary file beside ``path``, renamed into place when the
    block ends. An error in the block (a row that cannot be written, Ctrl-C) removes the
    temporary file, leaves any old file as it was, and is raised as it came; one the system
    gives when writing is reported as :func:`write_files` reports it."""
    tmp: str | None = None
    in_block = False
    try:
        with _temporary(path) as (handle, tmp):

            def write(text: str) -> None:
                try:
                    handle.write(text.encode("utf-8"))
                except OSError as exc:
                    raise _write_error(exc, path) from exc

            in_block = True
            yield write
            in_block = False
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:  # (removed already unless the rename failed)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if in_block or not isinstance(exc, OSError):
            raise
        raise _write_error(exc, path) from exc


def _write_error(exc: OSError, where: Path | None) -> NarrativeDiffError:
    """An output file (or set) that could not be written: nothing of it is left."""
    return output_error(
        exc,
        "could not write",
        where,
        outcome="no file of this set is left",
        hint="check the folder is writable, has free space, and no folder has that name",
    )


def write_scratch(path: Path, data: bytes) -> None:
    """Write a file that may be lost but never seen half-written (a cache entry): a
    temporary file beside it, then a rename; no fsync (a torn entry after a power cut is
    unreadable, and unreadable entries are recomputed). OSError if the system refuses."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as open() would create it (a shared corpus)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def make_folders(folders: Iterable[Path]) -> None:
    """Create the folders output files go to (reports/ by default), or say why not."""
    for parent in folders:
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise output_error(
                exc,
                "cannot create folder",
                parent,
                outcome="nothing was written",
                hint="run from a writable folder, or name the output with -o",
            ) from exc


def output_error(
    exc: OSError, action: str, path: Path | None, *, outcome: str, hint: str
) -> NarrativeDiffError:
    """An output the system refused (permission, read-only, disk full) named by its errno;
    anything else is cannot-write with ``hint``."""
    if exc.errno in SYSTEM_ERRNOS:
        return from_os_error(exc, path=path, action=action, outcome=outcome)
    return CannotWrite(f"{action} {path}: {exc.strerror or exc}", hint=hint)
