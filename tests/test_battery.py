"""The bad-input battery (tests/battery.py) in CI: every case survives, and
docs/reliability.md is what a fresh run gives."""

from __future__ import annotations

import pytest

from . import battery


@pytest.fixture(scope="module")
def outcomes() -> list[battery.Outcome]:
    return battery.run_all()


def test_every_case_survives(outcomes):
    failed = [
        f"{o.case.name}: exit {o.code}, stderr {o.stderr!r}, corpus unchanged {o.corpus_unchanged}"
        for o in outcomes
        if not o.survived
    ]
    assert failed == []
    assert len(outcomes) >= 50


def test_refusals_change_nothing(outcomes):
    refused = [o for o in outcomes if o.case.expect == "refused"]
    assert len(refused) > 40
    assert all(o.corpus_unchanged and o.code != 0 for o in refused)
    assert all(o.message.startswith("narrative-diff: ") for o in refused)


def test_the_reliability_table_matches_a_fresh_run(outcomes):
    expected = battery.HEADER + battery.table(outcomes)
    actual = battery.DOC.read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/reliability.md is out of date: regenerate it with "
        "'.venv/bin/python -m tests.battery --write docs/reliability.md'"
    )
