"""Password attempts per client address, counted in memory that forked workers share."""

from __future__ import annotations

import os
import sys

import pytest

from pocketstack.cloud.attempts import AttemptCounts


def test_counts_per_key_and_forgets_what_left_the_window() -> None:
    now = [6000.0]  # the start of a window
    counts = AttemptCounts(window=60, clock=lambda: now[0])
    for _ in range(10):
        counts.record("10.0.0.1")
    counts.record("10.0.0.2")
    assert counts.count("10.0.0.1") == 10
    assert counts.count("10.0.0.2") == 1
    assert counts.count("10.0.0.3") == 0
    # Half a window later, in the next one: the earlier window counts by half.
    now[0] += 90
    counts.record("10.0.0.1")
    assert counts.count("10.0.0.1") == 1 + 5
    # Two windows on, nothing of the first is left.
    now[0] += 60
    assert counts.count("10.0.0.1") == 0
    assert counts.count("10.0.0.2") == 0


def test_thousands_of_other_sources_leave_new_ones_near_zero() -> None:
    counts = AttemptCounts(window=60, clock=lambda: 120.0)
    for n in range(2000):
        counts.record(f"2001:db8::{n:x}")
    # A sketch: a new source collides in both rows with about 1 chance in 20 (2,000 keys over
    # 8,192 counters a row), and then reads 1 or, far more rarely, 2 — never the flood's count.
    fresh = [counts.count(f"192.0.2.{n}") for n in range(100)]
    assert fresh.count(0) >= 80
    assert max(fresh) <= 3


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_worker_forked_afterwards_sees_the_others_attempts() -> None:
    counts = AttemptCounts(window=60)
    children = []
    for n in range(2):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 0
            try:
                for _ in range(5):
                    counts.record(f"flooder-{n}")
            except BaseException:
                code = 1
            finally:
                sys.stdout.flush()
                os._exit(code)
        children.append(pid)
    for pid in children:
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    assert counts.count("flooder-0") == 5
    assert counts.count("flooder-1") == 5
    assert counts.count("legitimate") == 0


def test_a_window_of_zero_counts_nothing() -> None:
    counts = AttemptCounts(window=0)
    counts.record("10.0.0.1")
    assert counts.count("10.0.0.1") == 0


def test_a_late_attempt_from_an_older_window_leaves_the_newer_counts_alone() -> None:
    now = [6000.0]
    counts = AttemptCounts(window=60, clock=lambda: now[0])
    now[0] = 6120.0  # two windows on: the same plane as 6000's
    counts.record("10.0.0.1")
    now[0] = 6000.0  # a worker that stalled across the turn
    counts.record("10.0.0.2")
    now[0] = 6120.0
    assert counts.count("10.0.0.1") == 1
    assert counts.count("10.0.0.2") == 0
