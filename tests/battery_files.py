"""Battery, issue 13 class 8 and part of 11: outputs never replace inputs; a killed run's
temporary files are cleaned by the next write of the same file."""

from __future__ import annotations

import os
from pathlib import Path

from .battery import Case

GROUP = "outputs and inputs"
ACTORS = "[actors.x]\nname = 'X'\naliases = ['China']\n"


def nasty(folder: Path) -> None:
    (folder / "in-a.txt").write_text("The station is initiated by China and Russia.\n")
    (folder / "in-b.txt").write_text("The station is proposed by China with partners.\n")
    hard = folder / "in-a-hard.txt"
    if not hard.exists():
        os.link(folder / "in-a.txt", hard)
    link = folder / "in-a-link.txt"
    if not link.is_symlink():
        link.symlink_to("in-a.txt")
    (folder / "actors-in.toml").write_text(ACTORS)
    (folder / "actors-in.pdf").write_text(ACTORS)  # an actors file under a report's extension
    (folder / "actors-in.png").write_text(ACTORS)


def _compare(out: str, *extra: str) -> tuple[str, ...]:
    return ("compare", "{n}/in-a.txt", "{n}/in-b.txt", "-f", "md", "-o", out, *extra)


def cases() -> list[Case]:
    return [
        Case("compare -o onto its first file", GROUP, _compare("{n}/in-a.txt")),
        Case(
            "compare -o onto its second file (json)", GROUP, _compare("{n}/in-b.txt", "-f", "json")
        ),
        Case("compare -o onto a hard link of an input", GROUP, _compare("{n}/in-a-hard.txt")),
        Case("compare -o onto a symbolic link of an input", GROUP, _compare("{n}/in-a-link.txt")),
        Case("compare -o onto an input spelled with ..", GROUP, _compare("{n}/../nasty/in-a.txt")),
        Case(
            "compare -o onto the actors file",
            GROUP,
            _compare("{n}/actors-in.toml", "--actors", "{n}/actors-in.toml"),
        ),
        Case(
            "report -o onto the actors file",
            GROUP,
            (
                "report",
                "--corpus",
                "{c}",
                "--actors",
                "{n}/actors-in.pdf",
                "-o",
                "{n}/actors-in.pdf",
            ),
        ),
        Case(
            "chart -o onto the actors file",
            GROUP,
            (
                "chart",
                "--corpus",
                "{c}",
                "--actors",
                "{n}/actors-in.png",
                "-o",
                "{n}/actors-in.png",
            ),
        ),
    ]
