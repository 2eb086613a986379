"""The score summary: the last two snapshots in one language by default, said in its title,
with an interval in every row its header promises one for (issue 12, point 6)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from narrative_diff.changes import summary_pair
from narrative_diff.cli import main
from narrative_diff.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[1]


def _snaps(*languages: str | None) -> list[Snapshot]:
    return [
        Snapshot.create(
            series="s", slug=f"v{n}", date=dt.date(2024, 1, n + 1), title=None, body="Text.",
            language=language,
        )
        for n, language in enumerate(languages)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("languages", "pair"),
    [
        (("en", "en", "zh"), (0, 1)),
        (("en", "zh", "en", "zh-Hant"), (1, 3)),
        (("en", "zh"), (0, 1)),  # no two share a language: the last two, labelled
        (("ru",), None),
        (("en", None, "en"), (0, 2)),
    ],
)
def test_the_summary_pair_is_the_last_two_in_one_language(languages, pair) -> None:
    assert summary_pair(_snaps(*languages)) == pair


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_shows_the_last_two_english_snapshots_of_the_seeds(
    capsys, monkeypatch, shipped_folder
) -> None:
    monkeypatch.chdir(shipped_folder)
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = _run(capsys, "score")
    assert code == 0
    assert (
        "v4 2023-10-02 → v5 2024-04-24 (the last two snapshots in en, lineage China official)"
        in out
    )
    summary = out[out.index("v4 2023-10-02 → v5") :]
    assert "prominence Δ (95% CI)" in summary and "cross-language" not in summary
    rows = [line for line in summary.splitlines() if "→" in line and "│" in line]
    assert rows and all("[" in line and "]" in line for line in rows)  # an interval in each
    code, out, _ = _run(capsys, "score", "-f", "json")
    document = json.loads(out)
    assert document["summary"] == {
        "from": "ilrs/2023-10-iac-abstract",
        "to": "ilrs/2024-04-new-partners",
    }
    pairs = {(c["from"], c["to"]) for c in document["changes"]}
    assert ("ilrs/2023-10-iac-abstract", "ilrs/2024-04-new-partners") in pairs


def test_a_cross_language_pair_asked_for_promises_no_interval(
    capsys, monkeypatch, shipped_folder
) -> None:
    monkeypatch.chdir(shipped_folder)
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = _run(capsys, "score", "--between", "v1", "v6")
    assert code == 0
    summary = out[out.index("v1 2021-06-16 → v6 2025-04-23 (languages differ)") :]
    assert "(95% CI)" not in summary
    assert "note: ilrs/2021-06-roadmap-guide is in en and ilrs/2025-04-china-initiated in zh" in (
        " ".join(summary.split())
    )
