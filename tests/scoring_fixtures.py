"""What the score cache and engine tests share."""

from __future__ import annotations

from pathlib import Path

from .test_cli import run


def score_json(capsys, root: Path, *extra: str) -> str:
    """``score -f json`` of ``root``, which must succeed."""
    code, out, err = run(capsys, "score", "-f", "json", "--corpus", str(root), *extra)
    assert code == 0, err
    return out
