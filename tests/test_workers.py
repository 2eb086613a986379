"""Process pools (:mod:`narrative_diff.workers`): when one is used, and that a piece gives
the same result, or the same error, in a worker as here."""

from __future__ import annotations

import pytest

from narrative_diff.errors import UnreadableDocument
from narrative_diff.workers import WORKERS_ENV, allowed, cores, pool, pool_size


def square_or_fail(n: int) -> int:
    if n < 0:
        raise UnreadableDocument(f"cannot read piece {n}", hint="give a positive number")
    return n * n


@pytest.mark.parametrize("processes", [1, 2])
def test_results_come_back_in_order_and_errors_when_asked_for(processes):
    with pool(processes) as submit:
        waits = [submit(square_or_fail, n) for n in (3, -1, 4, 5)]
        assert waits[0]() == 9
        assert [waits[2](), waits[3]()] == [16, 25]  # the failed piece stops nothing
        with pytest.raises(UnreadableDocument) as raised:
            waits[1]()
    assert type(raised.value) is UnreadableDocument
    assert str(raised.value) == "cannot read piece -1; give a positive number"
    assert raised.value.hint == "give a positive number"  # the hint survives the pickling


def test_a_pool_is_used_only_for_enough_work(monkeypatch):
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    assert pool_size(1, 10**9, 1) == 1  # one piece
    assert pool_size(50, 10, 100) == 1  # too little work
    assert pool_size(50, 1000, 100) == min(cores(), 50)
    assert pool_size(3, 1000, 100) == min(cores(), 3)


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("0", None), ("two", None), ("", None)])
def test_the_environment_caps_the_processes(monkeypatch, value, expected):
    monkeypatch.setenv(WORKERS_ENV, value)
    assert allowed() == (expected if expected is not None else cores())
    if value == "1":
        assert pool_size(100, 10**9, 1) == 1
