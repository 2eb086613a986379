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


def sleep_then(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


def test_an_interruption_lets_running_pieces_finish_and_cancels_the_rest(monkeypatch):
    """Pieces running when the pool is stopped finish, their results whole; pieces not yet
    handed to the executor are cancelled; one already in its queue (it counts as running)
    is ended with its process after the grace."""
    import time
    from concurrent.futures import CancelledError
    from concurrent.futures.process import BrokenProcessPool

    from narrative_diff import workers

    monkeypatch.setattr(workers, "STOP_GRACE", 1.5)
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt), pool(2) as submit:
        waits = [submit(sleep_then, 0.8) for _ in range(2)]
        waits += [submit(sleep_then, 30.0) for _ in range(4)]
        time.sleep(0.6)  # the workers have started the first two
        raise KeyboardInterrupt
    assert time.monotonic() - began < 8
    assert [waits[0](), waits[1]()] == [0.8, 0.8]  # finished, their results whole
    ended = []
    for queued in waits[2:]:
        with pytest.raises((CancelledError, BrokenProcessPool)) as raised:
            queued()
        ended.append(raised.type)
    assert ended.count(CancelledError) >= 2


def half_a_message(_: int) -> None:
    """Send the first bytes of a result and stall: a worker ended at this point leaves the
    executor's thread waiting for the rest of the message."""
    import struct
    import sys
    import time

    frame = sys._getframe()
    while frame is not None and "result_queue" not in frame.f_locals:
        frame = frame.f_back
    assert frame is not None
    frame.f_locals["result_queue"]._writer._send(struct.pack("!i", 1000) + b"x" * 10)
    time.sleep(60)


def test_a_worker_ended_halfway_through_its_result_does_not_hang_the_pool(monkeypatch):
    """The hang a Ctrl-C of a backfill met: the pool still ends (its own end of the
    results' pipe closed, the executor reads the end of the file and gives up)."""
    import threading
    import time

    from narrative_diff import workers

    monkeypatch.setattr(workers, "STOP_GRACE", 0.5)
    outcome: list[str] = []

    def run() -> None:
        try:
            with pool(2) as submit:
                submit(half_a_message, 0)
                time.sleep(1.5)  # (a spawned worker takes a moment to start)
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            outcome.append("stopped")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the pool hung"
    assert outcome == ["stopped"]


def test_a_piece_that_runs_past_the_grace_is_ended(monkeypatch):
    import time

    from narrative_diff import workers

    monkeypatch.setattr(workers, "STOP_GRACE", 0.3)
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt), pool(2) as submit:
        submit(sleep_then, 60.0)
        time.sleep(1.0)  # (a spawned worker takes a moment to start)
        raise KeyboardInterrupt
    assert time.monotonic() - began < 10
