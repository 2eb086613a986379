"""The wheel carries the ILRS series, so the tool works after a plain `pip install`."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_bundles_the_seed_series(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("narrative_diff-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        bundled = {
            Path(n).name: archive.read(n)
            for n in archive.namelist()
            if n.startswith("narrative_diff/bundled/ilrs/") and n.endswith(".md")
        }
        names = archive.namelist()
    seeds = {p.name: p.read_bytes() for p in (ROOT / "seeds" / "ilrs").glob("*.md")}
    assert bundled == seeds
    assert "narrative_diff/cli/__init__.py" in names
    assert "narrative_diff/report/renderers.py" in names
    assert "narrative_diff/templates/report.html.j2" in names
    with zipfile.ZipFile(wheel) as archive:  # the report's methodology appendix
        packaged = archive.read("narrative_diff/methodology.md")
    assert packaged == (ROOT / "docs" / "methodology.md").read_bytes()
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        assert "narrative-diff = narrative_diff.entry:run" in archive.read(entry_points).decode()
