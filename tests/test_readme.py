"""The README's console examples are real: each runs, and its output is compared, in a
folder whose ``seeds/`` is the pinned ILRS series (never the checkout's own ``seeds/``, which
a user may have added to)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from narrative_diff.cli import main
from tests.helpers import PINNED

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```console\n\$ (?P<cmd>[^\n]+)\n(?P<out>.*?)```", re.S)
EXAMPLES = [(m["cmd"], m["out"]) for m in BLOCK.finditer((ROOT / "README.md").read_text())]


@pytest.fixture(scope="module")
def pinned_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder like the checkout's root as shipped: its ``seeds/`` is the pinned series."""
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(PINNED, folder / "seeds")
    return folder


def test_readme_has_examples():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example_output_is_real(command, expected, capsys, monkeypatch, pinned_folder):
    """Each expected line must match the command's output; a shortened example (as for
    `show`) is compared with the first lines of the output."""
    monkeypatch.chdir(pinned_folder)
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    args = shlex.split(command)
    assert args[0] == "narrative-diff"
    main(args[1:])
    out, err = capsys.readouterr()
    actual = (out + err).splitlines()
    wanted = expected.rstrip("\n").splitlines()
    assert [line.rstrip() for line in actual[: len(wanted)]] == [w.rstrip() for w in wanted]


LIBRARY = re.compile(
    r"## Using it as a library\n.*?```python\n(?P<code>.*?)```\n\nprints\n\n```text\n"
    r"(?P<out>.*?)```",
    re.S,
)


def test_readme_library_example_runs_and_prints_what_it_says(capsys, monkeypatch, pinned_folder):
    """The README's library example, executed as written, prints exactly its output."""
    found = LIBRARY.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found, "the README's library example (code, then 'prints', then its output)"
    monkeypatch.chdir(pinned_folder)
    monkeypatch.delenv("NARRATIVE_DIFF_CORPUS", raising=False)
    exec(compile(found["code"], "README.md", "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out == found["out"]
