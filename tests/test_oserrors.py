"""OSError mapped by errno: permission denied and a read-only disk (exit 8), a full disk
(exit 7), any other refusal of a path (os-error, exit 4); corpus writes left unchanged."""

from __future__ import annotations

import errno
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from narrative_diff import location as corpus_mod
from narrative_diff import storage
from narrative_diff.check import update_hashes
from narrative_diff.cli import main
from narrative_diff.corpus import Corpus
from narrative_diff.errors import (
    SYSTEM_ERRNOS,
    CorpusError,
    DiskFull,
    ExitCode,
    NarrativeDiffError,
    PathRefused,
    PermissionDenied,
    ReadOnlyFileSystem,
    SystemRefused,
    from_os_error,
)

from .helpers import add_command, make_snapshot, small_corpus, tree_digest

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "messages.md").read_text()
PERMISSION_FIX = (
    "check the permissions of {p} and of the folders above it, or choose another folder"
)
READ_ONLY_FIX = "the disk is mounted read-only: write somewhere else, on a writable disk"
FULL_FIX = "free some space on that disk (or write somewhere else) and retry"
PATH_FIX = "check the path (its length, its links) and permissions"
UNCHANGED = "the corpus was not changed"


# ------------------------------------------------------------------ the mapping itself
MAPPING = [
    (errno.EACCES, PermissionDenied, "permission-denied", ExitCode.REFUSED, PERMISSION_FIX),
    (errno.EPERM, PermissionDenied, "permission-denied", ExitCode.REFUSED, PERMISSION_FIX),
    (errno.EROFS, ReadOnlyFileSystem, "read-only", ExitCode.REFUSED, READ_ONLY_FIX),
    (errno.ENOSPC, DiskFull, "disk-full", ExitCode.CORPUS, FULL_FIX),
    (errno.EDQUOT, DiskFull, "disk-full", ExitCode.CORPUS, FULL_FIX),
    (errno.EFBIG, DiskFull, "disk-full", ExitCode.CORPUS, FULL_FIX),
    (errno.ENAMETOOLONG, PathRefused, "os-error", ExitCode.NOT_FOUND, PATH_FIX),
    (errno.ELOOP, PathRefused, "os-error", ExitCode.NOT_FOUND, PATH_FIX),
    (errno.ENOTDIR, PathRefused, "os-error", ExitCode.NOT_FOUND, PATH_FIX),
    (errno.EISDIR, PathRefused, "os-error", ExitCode.NOT_FOUND, PATH_FIX),
    (errno.EIO, PathRefused, "os-error", ExitCode.NOT_FOUND, PATH_FIX),
]


@pytest.mark.parametrize(
    ("code", "cls", "slug", "exit_code", "fix"),
    MAPPING,
    ids=[errno.errorcode[m[0]] for m in MAPPING],
)
def test_each_errno_has_its_slug_message_and_exit_code(code, cls, slug, exit_code, fix):
    path = "/data/corpus/ilrs"
    exc = OSError(code, os.strerror(code), path)
    error = from_os_error(exc)
    assert type(error) is cls
    assert isinstance(error, NarrativeDiffError) and isinstance(error, OSError)
    assert error.slug == slug
    assert error.exit_code == exit_code
    assert error.message == f"{path}: {os.strerror(code)}"  # names the path and the reason
    assert error.hint == fix.format(p=path)
    assert error.one_line() == f"{slug}: {path}: {os.strerror(code)}; {fix.format(p=path)}"
    assert "\n" not in error.one_line()
    assert (error.errno, error.strerror, error.filename) == (code, os.strerror(code), path)
    assert (code in SYSTEM_ERRNOS) == (cls is not PathRefused)


def test_the_exit_codes_of_refusals():
    assert int(ExitCode.REFUSED) == 8
    assert all(c.value != 8 for c in ExitCode if c is not ExitCode.REFUSED)
    assert issubclass(PermissionDenied, SystemRefused) and issubclass(
        PermissionDenied, PermissionError
    )
    assert issubclass(ReadOnlyFileSystem, SystemRefused)
    assert not issubclass(ReadOnlyFileSystem, PermissionError)
    assert int(DiskFull.exit_code) == int(ExitCode.CORPUS) == 7  # like cannot-write


def test_os_error_is_the_line_the_cli_printed_before():
    """``main`` printed this line itself for an unrecognised OSError; from_os_error says the
    same, so wiring it in changes nothing for these errnos."""
    exc = OSError(errno.ENAMETOOLONG, "File name too long", "x" * 300)
    assert from_os_error(exc).one_line() == (
        f"os-error: {'x' * 300}: File name too long; check the path (its length, its links) "
        "and permissions"
    )
    assert from_os_error(OSError("no errno at all")).one_line() == (
        "os-error: no errno at all; check the path (its length, its links) and permissions"
    )


def test_without_a_path_the_message_still_says_what_and_how():
    error = from_os_error(PermissionError(errno.EACCES, "Permission denied"))
    assert error.one_line() == (
        "permission-denied: Permission denied; check the permissions of the files and folders "
        "involved, or choose another folder"
    )
    full = from_os_error(OSError(errno.ENOSPC, "No space left on device"))
    assert full.one_line() == f"disk-full: No space left on device; {FULL_FIX}"


def test_path_action_and_outcome():
    exc = OSError(errno.EROFS, "Read-only file system", "/c/ilrs/.a.md.x1.tmp")
    error = from_os_error(exc, path=Path("/c/ilrs"), action="could not write to", outcome=UNCHANGED)
    assert error.one_line() == (
        f"read-only: could not write to /c/ilrs: Read-only file system; {READ_ONLY_FIX}; "
        f"{UNCHANGED}"
    )
    assert error.filename == "/c/ilrs/.a.md.x1.tmp"  # the error's own file is kept
    raw = from_os_error(OSError(errno.EACCES, "Permission denied", b"/c/\xff"))
    assert raw.message == "/c/\udcff: Permission denied"  # bytes paths decoded as the OS does


def test_every_new_slug_and_code_is_documented():
    for slug in ("permission-denied", "read-only", "disk-full", "os-error"):
        assert f"| `{slug}` |" in DOC, slug
    assert "| 8 | REFUSED |" in DOC
    assert "## Refused by the system (exit 8)" in DOC


# ------------------------------------------------------------------ corpus writes
@pytest.fixture
def corpus(tmp_path) -> Corpus:
    return small_corpus(tmp_path / "c")


def _fail_rename_of_md(monkeypatch, code: int) -> None:
    """The snapshot's rename (the commit point) fails with ``code``."""
    real = os.replace

    def replace(src, dst):
        if str(dst).endswith(".md"):
            raise OSError(code, os.strerror(code), str(src), None, str(dst))
        return real(src, dst)

    monkeypatch.setattr(storage.os, "replace", replace)


@pytest.mark.parametrize(
    ("code", "cls", "fix"),
    [
        (errno.EACCES, PermissionDenied, PERMISSION_FIX),
        (errno.EROFS, ReadOnlyFileSystem, READ_ONLY_FIX),
        (errno.ENOSPC, DiskFull, FULL_FIX),
    ],
    ids=["EACCES", "EROFS", "ENOSPC"],
)
def test_a_refused_corpus_write_leaves_the_corpus_unchanged(corpus, monkeypatch, code, cls, fix):
    before = tree_digest(corpus.root)
    _fail_rename_of_md(monkeypatch, code)
    with pytest.raises(cls) as info:
        corpus.add(
            make_snapshot("ilrs", "2024-01-a", "2024-01-01", "# New\n\nText."),
            raw=b"raw bytes",
            raw_suffix=".txt",
        )
    folder = corpus.root / "ilrs"  # raw/ was never made: the folder that refused is named
    assert info.value.message == f"could not write to {folder}: {os.strerror(code)}"
    assert info.value.hint == f"{fix.format(p=folder)}; {UNCHANGED}"
    assert tree_digest(corpus.root) == before


def test_other_write_errors_stay_write_failed(corpus, monkeypatch):
    before = tree_digest(corpus.root)
    _fail_rename_of_md(monkeypatch, errno.EIO)
    with pytest.raises(CorpusError) as info:
        corpus.add(make_snapshot("ilrs", "2024-01-a", "2024-01-01", "# New\n\nText."))
    assert info.value.slug == "write-failed"
    assert info.value.hint == f"check free space and permissions; {UNCHANGED}"
    assert tree_digest(corpus.root) == before


def test_a_corpus_that_cannot_be_opened_for_the_lock(corpus, monkeypatch):
    real = os.open

    def refuse(path, flags, *args, **kwargs):
        if Path(path) == corpus.root:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(storage.os, "open", refuse)
    before = tree_digest(corpus.root)
    with pytest.raises(PermissionDenied) as info:
        corpus.add(make_snapshot("ilrs", "2024-01-a", "2024-01-01", "# New\n\nText."))
    assert info.value.one_line() == (
        f"permission-denied: could not lock the corpus {corpus.root}: Permission denied; "
        f"{PERMISSION_FIX.format(p=corpus.root)}; {UNCHANGED}"
    )
    assert tree_digest(corpus.root) == before


def test_update_hashes_says_which_files_were_kept(corpus, monkeypatch):
    for path in sorted((corpus.root / "ilrs").glob("*.md"))[:2]:  # two edited snapshots
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    real = os.replace
    renames = []

    def second_fails(src, dst):
        if renames:
            raise OSError(errno.ENOSPC, "No space left on device", str(src))
        renames.append(dst)
        return real(src, dst)

    monkeypatch.setattr(storage.os, "replace", second_fails)
    with pytest.raises(DiskFull) as info:
        update_hashes(Corpus(corpus.root))
    second = sorted((corpus.root / "ilrs").glob("*.md"))[1].name
    assert info.value.hint == (
        f"{FULL_FIX}; {second} was not changed; the hashes recorded before it were kept"
    )


def test_init_in_a_folder_the_system_refuses(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr(corpus_mod.tempfile, "mkdtemp", refuse)
    with pytest.raises(PermissionDenied) as info:
        corpus_mod.init(tmp_path / "new")
    assert info.value.message == f"could not create {tmp_path / 'new'}: Permission denied"
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ through the CLI
@pytest.fixture
def document(tmp_path) -> Path:
    path = tmp_path / "statement.txt"
    path.write_text("The ILRS is open to all partners, said the agency.\n", encoding="utf-8")
    return path


def _add(document: Path, root: Path) -> list[str]:
    return add_command(document, root, "--title", "Statement")


@pytest.mark.parametrize(
    ("code", "slug", "exit_code", "fix"),
    [
        (errno.EACCES, "permission-denied", 8, PERMISSION_FIX),
        (errno.EROFS, "read-only", 8, READ_ONLY_FIX),
        (errno.ENOSPC, "disk-full", 7, FULL_FIX),
    ],
    ids=["EACCES", "EROFS", "ENOSPC"],
)
def test_add_prints_one_line_and_exits(
    corpus, document, monkeypatch, capsys, code, slug, exit_code, fix
):
    """These errors are raised by storage itself: ``main`` reports them already."""
    before = tree_digest(corpus.root)
    _fail_rename_of_md(monkeypatch, code)
    assert main(_add(document, corpus.root)) == exit_code
    out, err = capsys.readouterr()
    folder = corpus.root / "ilrs"
    assert out == ""
    assert err == (
        f"narrative-diff: {slug}: could not write to {folder}: {os.strerror(code)}; "
        f"{fix.format(p=folder)}; {UNCHANGED}\n"
    )
    assert tree_digest(corpus.root) == before


@pytest.mark.parametrize(
    ("code", "slug", "fix"),
    [
        (errno.EACCES, "permission-denied", PERMISSION_FIX),
        (errno.EROFS, "read-only", READ_ONLY_FIX),
    ],
    ids=["EACCES", "EROFS"],
)
def test_an_os_error_escaping_a_command_is_mapped_by_main(
    corpus, document, monkeypatch, capsys, code, slug, fix
):
    def refuse(self):
        raise OSError(code, os.strerror(code), str(self.root))

    monkeypatch.setattr(Corpus, "require_writable", refuse)
    assert main(_add(document, corpus.root)) == 8
    assert capsys.readouterr().err == (
        f"narrative-diff: {slug}: {corpus.root}: {os.strerror(code)}; {fix.format(p=corpus.root)}\n"
    )


def test_a_path_error_escaping_a_command_keeps_its_line(corpus, document, monkeypatch, capsys):
    """Before and after the wiring alike: os-error, exit 4, the same line."""

    def refuse(self):
        raise OSError(errno.ELOOP, "Too many levels of symbolic links", str(self.root))

    monkeypatch.setattr(Corpus, "require_writable", refuse)
    assert main(_add(document, corpus.root)) == 4
    assert capsys.readouterr().err == (
        f"narrative-diff: os-error: {corpus.root}: Too many levels of symbolic links; {PATH_FIX}\n"
    )


# ------------------------------------------------------------------ a real refusal
def _can_mount_read_only(folder: Path) -> bool:
    """Whether this process may make ``folder`` read-only in a private mount namespace
    (root with unshare, as in a container); the host's mounts are not touched."""
    if shutil.which("unshare") is None or sys.platform != "linux":
        return False
    probe = _read_only_script(folder, "if touch {f}/.probe; then exit 1; else exit 42; fi")
    done = subprocess.run(["unshare", "-m", "sh", "-c", probe], capture_output=True, check=False)
    return done.returncode == 42  # mounted read-only, and the write refused


def _read_only_script(folder: Path, command: str) -> str:
    f = shlex.quote(str(folder))
    return f"mount --bind {f} {f} && mount -o remount,ro,bind {f} && " + command.format(f=f)


def test_add_to_a_corpus_on_a_read_only_mount(corpus, document):
    if not _can_mount_read_only(corpus.root):
        pytest.skip("needs root and unshare to mount the corpus read-only")
    before = tree_digest(corpus.root)
    command = shlex.join([sys.executable, "-m", "narrative_diff", *_add(document, corpus.root)])
    env = {k: v for k, v in os.environ.items() if k != "NARRATIVE_DIFF_CORPUS"}
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", _read_only_script(corpus.root, "exec " + command)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    folder = corpus.root / "ilrs"
    assert done.returncode == 8, done.stderr
    assert done.stdout == ""
    assert done.stderr == (
        f"narrative-diff: read-only: could not write to {folder}: Read-only file system; "
        f"{READ_ONLY_FIX}; {UNCHANGED}\n"
    )
    assert tree_digest(corpus.root) == before


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="permission bits do not stop root"
)
def test_add_to_a_corpus_folder_without_write_permission(corpus, document):
    before = tree_digest(corpus.root)
    folders = [corpus.root, corpus.root / "ilrs"]
    for folder in folders:
        folder.chmod(0o555)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "narrative_diff", *_add(document, corpus.root)],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert done.returncode == 8, done.stderr
    assert done.stderr.startswith("narrative-diff: permission-denied: could not write to ")
    assert done.stderr.endswith(f"; {UNCHANGED}\n") and done.stderr.count("\n") == 1
    assert tree_digest(corpus.root) == before
