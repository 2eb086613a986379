"""docs/messages.md cannot drift: every slug the code emits is documented there."""

from __future__ import annotations

import re
from pathlib import Path

from narrative_diff.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "messages.md").read_text()
EMITTED = re.compile(r'slug="([a-z-]+)"|Problem\([^,]+, "([a-z-]+)"')


def emitted_slugs() -> set[str]:
    found = set()
    for path in (ROOT / "src").rglob("*.py"):
        for match in EMITTED.finditer(path.read_text()):
            found.add(match[1] or match[2])
    return found | {"invalid-series", "invalid-slug", "usage", "internal-error", "interrupted"}


def test_every_emitted_slug_is_documented():
    slugs = emitted_slugs()
    assert len(slugs) > 30
    missing = sorted(s for s in slugs if f"`{s}`" not in DOC)
    assert missing == []


def test_every_exit_code_is_documented():
    for code in ExitCode:
        assert re.search(rf"^\| {code.value} \| {code.name} \|", DOC, re.M), code
