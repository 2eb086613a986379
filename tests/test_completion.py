"""Shell completion: typer's install command, and the values a user types (series names,
snapshot refs) completed from the corpus the command would read; a completion never
prints an error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from narrative_diff import api
from narrative_diff.cli import main
from narrative_diff.location import bundled_root

EXE = Path(sys.executable).with_name("narrative-diff")
REFS = ["v1", "v2", "v3", "v4", "v5", "v6"]


def complete(words: str, cwd: Path, **env: str) -> tuple[list[str], str]:
    """What bash is told (one completion a line), as bash asks: the console script with
    ``_NARRATIVE_DIFF_COMPLETE=complete_bash``, COMP_WORDS and COMP_CWORD; and stderr."""
    clean = {k: v for k, v in os.environ.items() if k != "NARRATIVE_DIFF_CORPUS"}
    done = subprocess.run(
        [EXE],
        env={
            **clean,
            **env,
            "_NARRATIVE_DIFF_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split(" ")) - 1),
        },
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line for line in done.stdout.splitlines() if line], done.stderr


def in_process(words: list[str], incomplete: str) -> list[tuple[str, str | None]]:
    """The completions as click computes them (typer's bash class), in this process."""
    from typer._completion_classes import BashComplete
    from typer.main import get_command

    from narrative_diff.cli import app

    shell = BashComplete(get_command(app), {}, "narrative-diff", "_NARRATIVE_DIFF_COMPLETE")
    return [(item.value, item.help) for item in shell.get_completions(words, incomplete)]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """The bundled corpus (no ./seeds in tmp_path, no NARRATIVE_DIFF_CORPUS)."""
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    monkeypatch.chdir(tmp_path)


def test_show_completes_the_refs_of_the_bundled_corpus(tmp_path):
    assert complete("narrative-diff show v", tmp_path) == (REFS, "")


def test_series_complete_to_ilrs(tmp_path):
    assert complete("narrative-diff score ", tmp_path) == (["ilrs"], "")
    assert complete("narrative-diff list i", tmp_path) == (["ilrs"], "")
    assert complete("narrative-diff list x", tmp_path) == ([], "")


def test_compare_completes_refs_latest_and_ids(tmp_path):
    values, _ = complete("narrative-diff compare v1 ", tmp_path)
    ids = sorted(p.stem for p in (bundled_root() / "ilrs").glob("*.md"))
    hashes = [r.hash for r in api.list_snapshots(api.open_corpus(bundled_root()))]
    assert values == [*REFS, "latest", *(f"ilrs/{i}" for i in ids), *hashes]


def test_the_corpus_on_the_line_is_the_one_completed(tmp_path):
    other = tmp_path / "other"
    shutil.copytree(bundled_root() / "ilrs", other / "ilrs")
    for path in sorted((other / "ilrs").glob("*.md"))[3:]:  # three snapshots left
        path.unlink()
    assert in_process(["show", "--corpus", str(other)], "v") == [
        ("v1", "2021-06-16 International Lunar Research Station Roadmap…"),
        ("v2", "2022-01-28 China's Space Program: A 2021 Perspective (w…"),
        ("v3", "2023-05-01 International Lunar Research Station, CNSA p…"),
    ]
    assert [v for v, _ in in_process(["show"], "v")] == REFS  # without it: the bundle


def test_a_broken_corpus_completes_to_nothing_and_says_nothing(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "ilrs").mkdir()
    (tmp_path / "bad" / "ilrs" / "x.md").write_text("---\nid: [unclosed\n---\ntext\n")
    assert complete("narrative-diff show --corpus bad v", tmp_path) == ([], "")
    assert complete("narrative-diff show --corpus missing v", tmp_path) == ([], "")
    assert complete("narrative-diff list --corpus missing ", tmp_path) == ([], "")


def test_install_and_show_completion_are_offered(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--install-completion" in out
    assert "--show-completion" in out


def run_cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The console script in a session of its own (no shell above it to detect)."""
    return subprocess.run(
        [EXE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        start_new_session=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("shell", "line"),
    [
        ("bash", "complete -o default -F _narrative_diff_completion narrative-diff"),
        ("zsh", "#compdef narrative-diff"),
        ("fish", "complete --command narrative-diff"),
    ],
)
def test_show_completion_prints_the_named_shell_s_script(tmp_path, shell, line):
    """The shell named, whatever shell runs the command (typer's own option ignored the
    name when it could detect a shell, and failed when it could not: no shell here)."""
    done = run_cli(["--show-completion", shell], tmp_path, SHELL="/bin/sh")
    assert done.returncode == 0, done.stderr
    assert "_NARRATIVE_DIFF_COMPLETE" in done.stdout
    assert line in done.stdout


def test_install_completion_writes_the_named_shell_s_files(tmp_path):
    done = run_cli(["--install-completion", "fish"], tmp_path, HOME=str(tmp_path))
    assert done.returncode == 0, done.stderr
    script = tmp_path / ".config" / "fish" / "completions" / "narrative-diff.fish"
    assert f"fish completion installed in {script}" in done.stdout
    assert "complete --command narrative-diff" in script.read_text()


def test_an_unknown_shell_is_one_line_and_a_usage_error(tmp_path):
    done = run_cli(["--show-completion", "tcsh"], tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "narrative-diff: bad-option: --show-completion 'tcsh' is not one of bash, zsh, fish, "
        "powershell, pwsh; e.g. --show-completion bash"
    ]


def test_completing_after_a_completion_option_installs_and_prints_nothing(tmp_path):
    """A shell asking for completions runs the eager options' callbacks too (click's
    resilient parsing): they must neither install a script nor print into the list."""
    home = tmp_path / "home"
    home.mkdir()
    for words in (
        "narrative-diff --install-completion fish l",
        "narrative-diff --show-completion bash l",
        "narrative-diff --version l",
    ):
        found, said = complete(words, tmp_path, HOME=str(home))
        assert found == ["list"], words
        assert said == ""
    assert list(home.rglob("*")) == []


def test_installing_powershell_completion_without_powershell_says_so(tmp_path):
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p)
    if shutil.which("pwsh", path=path):
        pytest.skip("pwsh is installed here")
    done = run_cli(["--install-completion", "pwsh"], tmp_path, HOME=str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "narrative-diff: bad-option: --install-completion pwsh: 'pwsh' is not on the PATH; "
        "install PowerShell, or print the script with --show-completion pwsh"
    )
    assert list(tmp_path.rglob("*")) == []
