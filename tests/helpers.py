"""Shared test helpers: build small corpora and snapshot the folder's bytes."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from narrative_diff.corpus import Corpus
from narrative_diff.errors import NarrativeDiffError
from narrative_diff.location import bundled_root
from narrative_diff.snapshot import Snapshot

#: The pinned ILRS corpus every test reads (the copy inside the package), never the
#: checkout's ``seeds/``: a user's working corpus, which may hold their own snapshots.
PINNED = bundled_root()


@contextlib.contextmanager
def raises_slug(
    error: type[NarrativeDiffError], slug: str, *needles: str
) -> Iterator[pytest.ExceptionInfo[NarrativeDiffError]]:
    """The block raises ``error`` with ``slug``, a hint, and a one-line message that
    contains every needle (the source's name, numbers...)."""
    with pytest.raises(error) as info:
        yield info
    err = info.value
    assert err.slug == slug, f"slug {err.slug!r}, message {err.message!r}"
    assert "\n" not in str(err)
    assert err.hint
    for needle in needles:
        assert needle in err.message, (needle, err.message)


def make_snapshot(series: str, slug: str, date: str, body: str, **meta: object) -> Snapshot:
    return Snapshot.create(
        series=series,
        slug=slug,
        date=dt.date.fromisoformat(date),
        title=str(meta.pop("title", slug)),
        body=body,
        **meta,
    )


def small_corpus(root: Path) -> Corpus:
    """Three English snapshots in one series, in date order v1..v3."""
    root.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(root)
    texts = {
        "2021-06-guide": (
            "2021-06-16",
            "# Guide\n\nThe ILRS is jointly initiated by CNSA and Roscosmos.\n",
        ),
        "2022-01-white-paper": (
            "2022-01-28",
            "# White paper\n\nThe ILRS was launched together with Russia.\n",
        ),
        "2023-05-presentation": (
            "2023-05-01",
            "# Presentation\n\nThe ILRS is proposed by China "
            "and built in partnership with several countries.\n",
        ),
    }
    for slug, (date, body) in texts.items():
        corpus.add(make_snapshot("ilrs", slug, date, body, language="en", kind="statement"))
    return Corpus(root)


def tree_digest(root: Path) -> dict[str, str]:
    """Every file below ``root`` (relative path → sha256), to prove nothing changed. The
    score cache (``.cache/``: git-ignored, results only, deletable) is not corpus content
    and is left out; tests/test_scorecache.py checks it."""
    if not root.exists():
        return {}
    paths = [p for p in sorted(root.rglob("*")) if p.relative_to(root).parts[0] != ".cache"]
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in paths
        if p.is_file()
    } | {str(p.relative_to(root)) + "/": "dir" for p in paths if p.is_dir()}


def modules_loaded_by(statement: str, names: list[str]) -> list[str]:
    """Which of ``names`` are in ``sys.modules`` after running ``statement`` in a fresh
    interpreter: the check that a heavy library stays off a light import path."""
    code = f"import sys\n{statement}\nprint(','.join(m for m in {names!r} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return [m for m in result.stdout.strip().split(",") if m]


def add_command(source: Path, corpus: Path, *extra: str) -> list[str]:
    """The arguments of ``narrative-diff add SOURCE`` into the ilrs series of ``corpus``."""
    return [
        "add",
        str(source),
        "--series",
        "ilrs",
        "--date",
        "2030-01-01",
        "--language",
        "en",
        "--corpus",
        str(corpus),
        *extra,
    ]
