"""The password-hashing gate: bounded concurrency and queue, best waiting request first."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from pocketstack.cloud.errors import TooManyRequests
from pocketstack.cloud.identity.hashgate import HashGate
from pocketstack.cloud.identity.throttle import FailureWindow


class Held:
    """A check that runs until released; records the order checks ran in."""

    def __init__(self, order: list[str]) -> None:
        self.order = order
        self.release = threading.Event()
        self.running = threading.Event()

    def check(self, name: str) -> Callable[[], str]:
        def run() -> str:
            self.order.append(name)
            self.running.set()
            self.release.wait(timeout=30)
            return name

        return run


def _wait_for(predicate: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_waiters_run_best_first_and_a_better_one_takes_a_full_queues_place() -> None:
    gate = HashGate(concurrency=1, queue=2)
    order: list[str] = []
    held = Held(order)
    outcomes: dict[str, object] = {}

    def start(name: str, priority: int) -> threading.Thread:
        def run() -> None:
            try:
                outcomes[name] = gate.run(held.check(name), priority=priority)
            except TooManyRequests as exc:
                outcomes[name] = exc

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    threads = [start("first", 0)]
    assert held.running.wait(timeout=10)
    threads.append(start("failing-a", 5))
    threads.append(start("failing-b", 5))
    _wait_for(lambda: len(gate._waiting) == 2)
    # The queue is full: a request from a clean source replaces the worst waiting one.
    threads.append(start("clean", 0))
    _wait_for(lambda: "failing-b" in outcomes)
    refused = outcomes["failing-b"]
    assert isinstance(refused, TooManyRequests)
    assert refused.retry_after >= 1
    # Nothing is better than the worst waiting one now: refused at once.
    with pytest.raises(TooManyRequests):
        gate.run(held.check("late"), priority=9)
    held.release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert order == ["first", "clean", "failing-a"]


def test_failure_window_forgets_what_left_the_window() -> None:
    now = [1000.0]
    window = FailureWindow(window=60, limit=2, clock=lambda: now[0])
    window.record("a")
    now[0] += 30
    window.record("a")
    assert window.retry_after("a") == 30
    now[0] += 31
    assert window.retry_after("a") is None
    assert window.count("a") == 1
