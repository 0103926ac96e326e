"""Replays recorded answers to a real Fetcher through httpx.MockTransport, recording what was asked
and how long the Fetcher chose to sleep."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from scout.config import Settings
from scout.search.http import Fetcher, make_client

ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}


@dataclass
class Rig:
    fetcher: Fetcher
    requests: list[httpx.Request]
    sleeps: list[float]


def make_rig(answer: Callable[[httpx.Request], httpx.Response], store, **settings) -> Rig:
    """A Fetcher whose every request is answered by `answer(request)`; no waits unless asked for."""
    config = Settings(**{"arxiv_delay_s": 0, "backoff_s": 0, **settings})
    requests: list[httpx.Request] = []
    sleeps: list[float] = []

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return answer(request)

    fetcher = Fetcher(make_client(config, httpx.MockTransport(handle)), config, store, sleep=sleeps.append)
    return Rig(fetcher, requests, sleeps)


def cached_count(store) -> int:
    return store.query("SELECT COUNT(*) AS n FROM http_cache")[0]["n"]


def html_page(request: httpx.Request) -> httpx.Response:
    """What a maintenance page or a captive portal answers instead of the API."""
    return httpx.Response(
        200, text="<html>Down for maintenance</html>", headers={"Content-Type": "text/html; charset=utf-8"}
    )
