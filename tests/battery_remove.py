"""Battery cases of issue 14: ``remove`` given what it must refuse (an unknown ref or hash,
no terminal to confirm on, the read-only bundled corpus), the last snapshot of a series, and
a corpus left by a ``remove`` that was killed before or after its commit point."""

from __future__ import annotations

from pathlib import Path

from narrative_diff.corpus import Corpus

from .battery import Case
from .helpers import make_snapshot

GROUP = "remove"
#: A process id above Linux's largest: never alive, as a killed process's would be.
DEAD_PID = 2**22 + 7


def cases() -> list[Case]:
    return [
        Case("remove: an unknown ref", GROUP, ("remove", "v99", "--yes", "--corpus", "{c}")),
        Case("remove: a hash no snapshot has", GROUP, _remove("0000000", "--yes")),
        Case("remove: a hash too short to be one (6 digits)", GROUP, _remove("6be311", "--yes")),
        Case("remove: no --yes and no terminal to ask", GROUP, _remove("v2")),
        Case(
            "remove: the bundled corpus, named by its path",
            GROUP,
            ("remove", "v1", "--yes", "--corpus", "{b}"),
        ),
        Case(
            "remove: the last snapshot of a series",
            GROUP,
            _remove("solo:v1", "--yes"),
            "added",
            corpus_setup=_solo,
        ),
        Case(
            "check: a remove killed before its commit point",
            GROUP,
            ("check", "--corpus", "{c}"),
            "handled",
            corpus_setup=_killed_before,
        ),
        Case(
            "remove after a remove killed before its commit point (undone first)",
            GROUP,
            _remove("v1", "--yes"),
            "added",
            corpus_setup=_killed_before,
        ),
        Case(
            "add after a remove killed after its commit point (finished first)",
            GROUP,
            ("add", "-", "--series", "ilrs", "--date", "2030-02-01", "--corpus", "{c}"),
            "added",
            stdin=b"The ILRS is built by China with many partners.\n",
            corpus_setup=_killed_after,
        ),
    ]


def _remove(ref: str, *extra: str) -> tuple[str, ...]:
    return ("remove", ref, "--corpus", "{c}", *extra)


def _solo(corpus: Path) -> None:
    Corpus(corpus).add(make_snapshot("solo", "only", "2020-01-01", "# Only\n\nOne text.\n"))


def _with_raw(corpus: Path) -> tuple[Path, Path]:
    snap = Corpus(corpus).add(
        make_snapshot("ilrs", "2030-01-x", "2030-01-01", "# X\n\nText.\n"), raw=b"raw bytes"
    )
    return corpus / "ilrs" / "2030-01-x.md", corpus / "ilrs" / str(snap.raw_file)


def _hide(path: Path, mark: str) -> None:
    path.rename(path.with_name(f".{path.name}.{DEAD_PID}.0badf00d.{mark}"))


def _killed_before(corpus: Path) -> None:
    _, raw = _with_raw(corpus)
    _hide(raw, "removing")


def _killed_after(corpus: Path) -> None:
    snap, raw = _with_raw(corpus)
    _hide(raw, "removing")
    _hide(snap, "removed")
