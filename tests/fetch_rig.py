"""Replays recorded answers to a real Fetcher through httpx.MockTransport, recording what was asked
and how long the Fetcher chose to sleep. The Fetcher's clock is a FakeClock: time moves only when
the Fetcher sleeps (or a test says so), so every wait it computes is exact on any machine."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from scout.config import Settings
from scout.search.http import Fetcher, make_client
from scout.search.httpcache import HttpCache, http_cache_path

ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}


class FakeClock:
    """A monotonic clock that stands still until `sleep` or `advance` moves it."""

    def __init__(self, start: float = 1000.0):
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


@dataclass
class Rig:
    fetcher: Fetcher
    requests: list[httpx.Request]
    clock: FakeClock = field(default_factory=FakeClock)

    @property
    def sleeps(self) -> list[float]:
        return self.clock.sleeps


def rig_cache(store) -> HttpCache | None:
    """The HTTP cache of the tests that hand the rig a store: a file beside that store (none without)."""
    return None if store is None else HttpCache(http_cache_path(store.root), Settings().http_ttl_s)


def make_rig(answer: Callable[[httpx.Request], httpx.Response], store, **settings) -> Rig:
    """A Fetcher whose every request is answered by `answer(request)`, its answers cached beside
    `store`; no waits unless asked for."""
    config = Settings(**{"arxiv_delay_s": 0, "backoff_s": 0, **settings})
    requests: list[httpx.Request] = []
    clock = FakeClock()

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return answer(request)

    client = make_client(config, httpx.MockTransport(handle))
    fetcher = Fetcher(client, config, rig_cache(store), sleep=clock.sleep, clock=clock)
    return Rig(fetcher, requests, clock)


def cached_count(store) -> int:
    """Live answers in the rig's cache (hishel's own table, read directly: tests only)."""
    import sqlite3
    import time

    path = http_cache_path(store.root)
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM entries WHERE expires_at > ?", (time.time(),)).fetchone()[0]


def html_page(request: httpx.Request) -> httpx.Response:
    """What a maintenance page or a captive portal answers instead of the API."""
    return httpx.Response(
        200, text="<html>Down for maintenance</html>", headers={"Content-Type": "text/html; charset=utf-8"}
    )
