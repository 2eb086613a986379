"""The bad-input battery (tests/battery.py) in CI: every case survives, each case its own
test (``pytest tests/test_battery.py -k "zip and bomb"`` runs one), and
docs/reliability.md is what a fresh run gives.

The cases share one nasty folder and one local HTTP server, as ``battery.run_all`` does;
each case runs once, when its test (or the table check, for the cases not selected) first
asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from . import battery
from .conftest import LocalHTTPServer

CASES = battery.cases()


class Battery:
    """What ``battery.run_all`` sets up, kept for the module, and the outcomes so far."""

    def __init__(self, root: Path, server: LocalHTTPServer) -> None:
        self.root = root  # like run_all: the nasty folder and the corpus copy live here
        self.nasty = root / "nasty"
        battery.make_nasty(self.nasty)
        self.base_url = server.url("")
        self.outcomes: dict[str, battery.Outcome] = {}

    def outcome(self, case: battery.Case) -> battery.Outcome:
        if case.name not in self.outcomes:
            self.outcomes[case.name] = battery.run_case(case, self.nasty, self.root, self.base_url)
        return self.outcomes[case.name]


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Battery]:
    server = battery.local_server()  # as battery.run_all has it
    try:
        yield Battery(tmp_path_factory.mktemp("battery"), server)
    finally:
        server.close()


def test_cases_have_distinct_names():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)), "each battery case needs its own name (its test id)"
    assert len(CASES) >= 50
    assert sum(case.expect == "refused" for case in CASES) > 40


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_survives(case: battery.Case, runner: Battery) -> None:
    o = runner.outcome(case)
    assert o.survived, (
        f"{case.name}: exit {o.code}, stderr {o.stderr!r}, corpus unchanged {o.corpus_unchanged}"
    )
    if case.expect == "refused":  # a refusal changes nothing and says why in one line
        assert o.corpus_unchanged and o.code != 0
        assert o.message.startswith("narrative-diff: ")


def test_the_reliability_table_matches_a_fresh_run(runner: Battery) -> None:
    outcomes = [runner.outcome(case) for case in CASES]
    expected = battery.HEADER + battery.table(outcomes)
    actual = battery.DOC.read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/reliability.md is out of date: regenerate it with "
        "'.venv/bin/python -m tests.battery --write docs/reliability.md'"
    )
