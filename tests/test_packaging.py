"""The wheel carries the ILRS series, so the tool works after a plain `pip install`."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers import PINNED

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
            if n.startswith("narrative_diff/bundled/ilrs/") and n.endswith((".md", ".yaml"))
        }
        names = archive.namelist()
    pinned = [*(PINNED / "ilrs").glob("*.md"), PINNED / "ilrs" / "series.yaml"]
    seeds = {p.name: p.read_bytes() for p in pinned}
    assert bundled == seeds
    assert b"title: International Lunar Research Station (ILRS)" in bundled["series.yaml"]
    assert "narrative_diff/cli/__init__.py" in names
    assert "narrative_diff/report/renderers.py" in names
    assert "narrative_diff/templates/report.html.j2" in names
    with zipfile.ZipFile(wheel) as archive:  # the report's methodology appendix
        packaged = archive.read("narrative_diff/methodology.md")
    assert packaged == (ROOT / "docs" / "methodology.md").read_bytes()
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        assert "narrative-diff = narrative_diff.entry:run" in archive.read(entry_points).decode()


def test_the_checkouts_seeds_still_hold_the_pinned_series_unchanged():
    """``seeds/`` is the checkout's working corpus: snapshots a user adds there are theirs,
    but the six shipped files must stay the pinned copy the package (and every test) reads;
    a change meant for the shipped series goes into both folders."""
    seeds = ROOT / "seeds" / "ilrs"
    for pinned in sorted((PINNED / "ilrs").iterdir()):
        assert (seeds / pinned.name).read_bytes() == pinned.read_bytes(), (
            f"seeds/ilrs/{pinned.name} differs from the pinned copy in "
            f"src/narrative_diff/bundled/ilrs/: copy one onto the other"
        )
