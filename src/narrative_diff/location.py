"""Where the corpus is, and making a new one.

``--corpus`` > ``$NARRATIVE_DIFF_CORPUS`` > ``./seeds`` in the current folder (a clone's
working corpus) > the ILRS series bundled in the package, which is read-only however it is
named: it is the series as released, and the copy every test reads.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from .corpus import Corpus
from .errors import SYSTEM_ERRNOS, CorpusError, from_os_error

ENV_VAR = "NARRATIVE_DIFF_CORPUS"


def bundled_root() -> Path:
    """The read-only ILRS corpus shipped inside the package: the series exactly as
    released. It is a pinned copy, not the checkout's ``seeds/`` (a working corpus a user
    may add to), so the tests and the README examples that run on it cannot be broken by
    a user's own snapshots."""
    return Path(str(resources.files("narrative_diff") / "bundled"))


def locate(
    explicit: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Corpus:
    """Find the corpus: ``--corpus`` > ``$NARRATIVE_DIFF_CORPUS`` > ``./seeds`` > bundled."""
    env = os.environ if env is None else env
    cwd = Path() if cwd is None else cwd  # relative paths keep messages short
    if explicit:
        return _existing(Path(explicit), "option", "--corpus")
    if env.get(ENV_VAR):
        return _existing(Path(env[ENV_VAR]), "env", ENV_VAR)
    if (cwd / "seeds").is_dir():
        return Corpus(cwd / "seeds", origin="seeds")
    return bundled()


def bundled() -> Corpus:
    """The read-only corpus shipped with the package."""
    return Corpus(bundled_root(), origin="bundled", read_only=True)


def _existing(path: Path, origin: str, where: str) -> Corpus:
    if path.exists() and not path.is_dir():
        raise CorpusError(
            f"{where} {path} is a file, not a corpus folder",
            hint="pass a folder (create one with 'narrative-diff init DIR')",
            slug="not-a-corpus",
        )
    with contextlib.suppress(OSError):  # the package's own copy, named by its path
        if path.resolve() == bundled_root().resolve():
            return Corpus(path, origin="bundled", read_only=True)
    return Corpus(path, origin=origin)


def init(dest: str | os.PathLike[str], *, source: Corpus | None = None) -> Corpus:
    """Create a writable corpus at ``dest`` holding a copy of the ILRS series."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise CorpusError(
            f"{dest} already exists and is not an empty folder",
            hint="choose a new folder name",
            slug="not-empty",
        )
    source = source or bundled()
    staging: Path | None = None
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes 0700; a corpus is an ordinary folder
        for name in source.series_names():
            shutil.copytree(source.root / name, staging / name, ignore=shutil.ignore_patterns(".*"))
        if dest.exists():
            dest.rmdir()
        os.replace(staging, dest)
    except OSError as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if exc.errno in SYSTEM_ERRNOS:  # permissions, a read-only disk, a full disk
            raise from_os_error(exc, path=dest, action="could not create") from exc
        raise CorpusError(
            f"could not create {dest}: {exc.strerror or exc}",
            hint="check the path and permissions",
            slug="write-failed",
        ) from exc
    return Corpus(dest)
