"""MCP progress notifications from scout's synchronous callbacks.

The library reports progress through plain callbacks that run on worker threads (the search's
status and embedding callbacks, the baseline's per-line and per-run hooks, which run_local calls
from its own thread pool). Progress sends a notification for each on the server's event loop and
waits for it, so notifications arrive in order and the values only grow, as the protocol asks."""

from __future__ import annotations

import math
import threading
import time

import anyio.from_thread
import anyio.lowlevel


class Progress:
    """Made on the event loop (inside the tool call), then called from any thread."""

    def __init__(self, ctx, min_interval_s: float = 0.5):
        self._ctx = ctx
        self._token = anyio.lowlevel.current_token()
        self._lock = threading.Lock()
        self._step = 0.0  # whole steps taken so far; a fraction of the next one may be reported
        self._last = -1.0
        self._last_sent_at = 0.0
        self._min_interval_s = min_interval_s

    def step(self, message: str) -> None:
        """A new phase: always reported."""
        with self._lock:
            self._step = max(self._step + 1, math.floor(self._last) + 1)
            self._send(self._step, message)

    def part(self, done: int, total: int, message: str) -> None:
        """How far into the current phase; reported at most every min_interval_s, and at the end."""
        with self._lock:
            finished = total > 0 and done >= total
            if not finished and time.monotonic() - self._last_sent_at < self._min_interval_s:
                return
            value = self._step + (min(done, total) / total if total > 0 else 0.0) * 0.999
            self._send(value, f"{message} {done}/{total}")

    def note(self, message: str) -> None:
        """A line of output worth showing (a running evaluation's): rate-limited, and it does not
        move the progress value."""
        with self._lock:
            if time.monotonic() - self._last_sent_at < self._min_interval_s:
                return
            self._send(max(self._last, self._step), message)

    def _send(self, value: float, message: str) -> None:
        # The protocol requires each value to exceed the last one.
        if value <= self._last:
            value = self._last + 1e-6
        self._last = value
        self._last_sent_at = time.monotonic()
        anyio.from_thread.run(self._ctx.report_progress, value, None, message, token=self._token)
