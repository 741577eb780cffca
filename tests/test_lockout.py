"""Waiting after wrong codes: free tries, then doubling waits, forgotten after the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from empathy_training.lockout import FREE_TRIES, LONGEST_WAIT, WINDOW, wait_seconds

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _failures(count: int, every: timedelta = timedelta(seconds=1)) -> list[datetime]:
    return [NOW - every * i for i in range(count)]


def test_a_few_mistakes_cost_nothing() -> None:
    assert wait_seconds([], NOW) == 0
    assert wait_seconds(_failures(FREE_TRIES - 1), NOW) == 0


def test_each_try_beyond_the_free_ones_doubles_the_wait() -> None:
    waits = [wait_seconds(_failures(FREE_TRIES + extra, timedelta(0)), NOW) for extra in range(4)]
    assert waits == [30, 60, 120, 240]


def test_the_wait_runs_from_the_last_failure_and_ends() -> None:
    failures = _failures(FREE_TRIES, timedelta(0))
    assert wait_seconds(failures, NOW + timedelta(seconds=20)) == 10
    assert wait_seconds(failures, NOW + timedelta(seconds=31)) == 0


def test_the_longest_wait_is_capped_and_old_failures_are_forgotten() -> None:
    many = _failures(60, timedelta(seconds=0))
    assert wait_seconds(many, NOW) == int(LONGEST_WAIT.total_seconds())
    old = [NOW - WINDOW - timedelta(seconds=1)] * 60
    assert wait_seconds(old, NOW) == 0
