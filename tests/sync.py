"""Synchronising tests with what they watch, never with how long it takes.

A test waits for an event, a file or a condition, and asserts the order and the outcome. The only
durations are GUARD_S, generous bounds that turn a hang into a failure with a message; no correct
run comes near them, however loaded the machine."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

GUARD_S = float(
    os.environ.get("SCOUT_TEST_GUARD_S", 120)
)  # how long a test waits for something that, when all is well, takes well under a second


def wait_for(condition: Callable[[], T], what: str, guard_s: float = GUARD_S, interval_s: float = 0.02) -> T:
    """Poll `condition` until it returns something true and return that; fail naming `what` if it
    has not happened within the guard (a hang, not a slow machine)."""
    deadline = time.monotonic() + guard_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {guard_s:g} s waiting for {what}")
        time.sleep(interval_s)


class RunClock:
    """A stand-in for the clock a run's --timeout is measured on (scout.baseline.execute.process._clock):
    it stands still until `ready()` holds, then jumps a day ahead, past any timeout. A test that wants
    a run to time out right after it printed its metrics makes `ready` look for them in the log."""

    def __init__(self, ready: Callable[[], bool]):
        self.ready = ready
        self._past = False

    def __call__(self) -> float:
        self._past = self._past or bool(self.ready())
        return 86_400.0 if self._past else 0.0


def log_shows(cache, text: str) -> Callable[[], bool]:
    """Whether a run's log under `cache` has `text` yet (the log is written as the output comes)."""

    def shows() -> bool:
        return any(text in log.read_text(errors="replace") for log in cache.glob("runs/*/log.txt"))

    return shows
