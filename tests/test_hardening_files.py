"""Outputs never replace inputs (issue 13, class 8): ``-o`` onto a compared file, through a
symbolic or hard link, or onto the actors file, is refused before any work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from narrative_diff.cli import main

from .helpers import tree_digest

A = "The station is jointly initiated by China and Russia.\n"
B = "The station is proposed by China and built with several countries.\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text(A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(B, encoding="utf-8")
    return tmp_path


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], folder: Path) -> str:
    before = tree_digest(folder)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "narrative-diff: output-is-input: " in err
    assert tree_digest(folder) == before  # nothing written, nothing replaced
    return err


def test_compare_onto_one_of_its_files_is_refused(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = str(files / "a.txt"), str(files / "b.txt")
    err = _refused(capsys, ["compare", a, b, "-f", "md", "-o", a], files)
    assert f"{a} is also an input of this command ({a}); write the output to another file" in err
    _refused(capsys, ["compare", a, b, "-f", "json", "-o", b], files)


def test_links_to_an_input_are_the_input(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = files / "a.txt", files / "b.txt"
    os.link(a, files / "hard.txt")
    (files / "sub").mkdir()
    dotted = files / "sub" / ".." / "a.txt"
    _refused(capsys, ["compare", str(a), str(b), "-f", "md", "-o", str(files / "hard.txt")], files)
    _refused(capsys, ["compare", str(a), str(b), "-f", "md", "-o", str(dotted)], files)
    os.chdir(files)
    _refused(capsys, ["compare", "a.txt", str(b), "-f", "md", "-o", "./a.txt"], files)
    assert a.read_text(encoding="utf-8") == A


def test_an_output_onto_the_actors_file_is_refused(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    actors = files / "actors.toml"
    actors.write_text("[actors.x]\nname = 'X'\naliases = ['China']\n", encoding="utf-8")
    a, b = str(files / "a.txt"), str(files / "b.txt")
    _refused(
        capsys, ["compare", a, b, "--actors", str(actors), "-f", "md", "-o", str(actors)], files
    )
    odd = files / "actors.pdf"  # an actors file under an output's extension
    odd.write_bytes(actors.read_bytes())
    _refused(capsys, ["chart", "--actors", str(odd), "-o", str(odd)], files)
    _refused(capsys, ["report", "--actors", str(odd), "-o", str(odd)], files)


def test_a_new_output_beside_the_inputs_is_written(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = str(files / "a.txt"), str(files / "b.txt")
    assert main(["compare", a, b, "-f", "md", "-o", str(files / "a.md")]) == 0
    assert "~~jointly initiated~~" in (files / "a.md").read_text(encoding="utf-8")
    assert (files / "a.txt").read_text(encoding="utf-8") == A


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def test_a_killed_run_s_temporary_files_are_cleaned_by_the_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report killed with SIGKILL leaves ``.NAME.PID.XXXX.tmp``; the next write of NAME
    removes it, while a live writer's file stays."""
    out = tmp_path / "ilrs.md"
    dead = tmp_path / f".ilrs.md.{_dead_pid()}.k3j2h1.tmp"
    live = tmp_path / f".ilrs.md.{os.getppid()}.a1b2c3.tmp"
    other = tmp_path / f".other.md.{_dead_pid()}.x9y8z7.tmp"  # another file's: not ours
    for stale in (dead, live, other):
        stale.write_bytes(b"half a report")
    assert main(["report", "-o", str(out)]) == 0
    capsys.readouterr()
    assert out.read_text(encoding="utf-8").startswith("# ")
    assert not dead.exists() and live.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.glob(".ilrs.md.*.tmp")) == [live.name]
