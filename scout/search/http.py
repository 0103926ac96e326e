"""One shared HTTP client with timeouts, retries with backoff (tenacity) for what can recover
(timeouts, dropped connections, 429 and 5xx, honouring Retry-After) and none for what cannot
(refused, unresolvable), per-source politeness and a response cache with a time to live (scout.search.httpcache)."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from typing import Protocol, TypeVar

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from scout.config import USER_AGENT, Settings
from scout.errors import ParseError, SourceError, UpstreamError

T = TypeVar("T")
log = logging.getLogger("scout.search.http")


class CachedAnswer(Protocol):
    status: int
    body: bytes


class ResponseCache(Protocol):
    """Where answers are kept between runs (scout.search.httpcache implements it)."""

    def cached_response(self, key: str, max_age_s: float) -> CachedAnswer | None: ...

    def cache_response(self, key: str, url: str, status: int, content_type: str | None, body: bytes) -> None: ...


RETRY_STATUSES = {429, 500, 502, 503, 504}
NOT_FOUND = 404
EXPECTED_TYPES = {"json": ("json",), "xml": ("xml", "atom")}


def make_client(settings: Settings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(settings.timeout_s, connect=min(10.0, settings.timeout_s)),
        follow_redirects=True,
        transport=transport,
    )


MAX_BODY_BYTES = 64 * 1024 * 1024


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


def _host(url: str) -> str:
    parts = httpx.URL(url)
    return f"{parts.host}:{parts.port}" if parts.port else parts.host


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def _retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class RateWindow:
    """At most `limit` requests in any `period` seconds: a sliding window of request times."""

    def __init__(self, limit: int, period: float):
        self.limit = max(1, int(limit))
        self.period = float(period)
        self._times: deque[float] = deque()

    def wait_s(self, now: float) -> float:
        """How long to wait before the next request may go out."""
        while self._times and now - self._times[0] >= self.period:
            self._times.popleft()
        return 0.0 if len(self._times) < self.limit else self._times[0] + self.period - now

    def record(self, now: float) -> None:
        self._times.append(now)


class Fetcher:
    """Fetches and parses responses, politely.

    `min_interval` spaces requests to a source (arXiv asks for one every 3 s on one connection):
    its requests are serialised. `Settings.rate_limits` caps each source's (or `source:bucket`'s)
    requests per window, as the APIs document; within it, requests to one source may overlap (as
    many as the caller's threads), and different sources always run concurrently."""

    def __init__(
        self,
        client: httpx.Client,
        settings: Settings,
        store: ResponseCache | None = None,
        *,
        refresh: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.client = client
        self.settings = settings
        self.store = store
        self.refresh = refresh
        self._sleep = sleep
        self._clock = clock  # what spacing, windows and the total deadline measure (tests move it)
        self._locks: dict[str, threading.Lock] = {}
        self._last_request: dict[str, float] = {}
        self._guard = threading.Lock()
        self.min_interval = {"arxiv": settings.arxiv_delay_s}
        self.windows = {name: RateWindow(*limit) for name, limit in settings.rate_limits.items()}
        self.network_requests = 0

    def _source_lock(self, source: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(source, threading.Lock())

    def get(
        self,
        source: str,
        url: str,
        *,
        parse: Callable[[bytes], T],
        params: dict | None = None,
        headers: dict | None = None,
        expect: str = "json",
        bucket: str | None = None,
    ) -> T:
        """GET `url`, check its content type, and return `parse(body)`. `bucket` names the rate
        limit the request counts against (`source:bucket` in Settings.rate_limits), when the API
        gives kinds of endpoint different budgets.

        Only a response that parsed is cached, so a malformed answer is never replayed."""
        key = self._cache_key(url, params)
        if self.store is not None and not self.refresh:
            cached = self.store.cached_response(key, self.settings.http_ttl_s)
            if cached is not None:
                log.debug("cache hit %s %s", source, url)
            if cached is not None and cached.status == NOT_FOUND:
                raise SourceError(source, f"HTTP 404 from {url} (cached)", status=NOT_FOUND)
            if cached is not None:
                try:
                    return parse(cached.body)
                except (ParseError, ValueError, KeyError, TypeError):
                    pass  # a stale entry from an older parser: fetch it again
        try:
            response = self._fetch(source, url, params, headers, bucket)
        except SourceError as exc:
            # "Not found" is an answer too: remembering it keeps a repeated search off the network.
            if exc.status == NOT_FOUND and self.store is not None:
                self.store.cache_response(key, url, NOT_FOUND, None, b"")
            raise
        content_type = response.headers.get("Content-Type", "")
        if not any(t in content_type.lower() for t in EXPECTED_TYPES[expect]):
            raise UpstreamError(
                source,
                f"expected {expect.upper()} but got '{content_type or 'no content type'}' from {response.request.url}",
            )
        try:
            parsed = parse(response.content)
        except (ParseError, ValueError, KeyError, TypeError) as exc:
            raise UpstreamError(source, f"malformed {expect.upper()} from {response.request.url}: {exc}") from exc
        if self.store is not None:
            self.store.cache_response(
                key, str(response.request.url), response.status_code, content_type, response.content
            )
        return parsed

    def _fetch(
        self, source: str, url: str, params: dict | None, headers: dict | None, bucket: str | None = None
    ) -> httpx.Response:
        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            backoff = self.settings.backoff_s * (2 ** (state.attempt_number - 1))
            delay = backoff
            if isinstance(exc, _Retryable) and exc.retry_after is not None:
                delay = min(exc.retry_after, self.settings.max_retry_after_s)
            log.info("%s: %s; retry %d in %.1f s", source, exc, state.attempt_number, delay)
            return delay

        retrying = Retrying(
            stop=stop_after_attempt(max(1, self.settings.tries)),
            wait=wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(self._attempt, source, url, params, headers, bucket)
        except _Retryable as exc:
            tries = self.settings.tries
            raise SourceError(
                source, f"{exc.reason} after {tries} {'try' if tries == 1 else 'tries'}", status=exc.status
            ) from exc

    def _attempt(
        self, source: str, url: str, params: dict | None, headers: dict | None, bucket: str | None = None
    ) -> httpx.Response:
        interval = self.min_interval.get(source, 0.0)
        with ExitStack() as turn:
            # Spacing and budgets are decided one request at a time. A spaced source (arXiv: one
            # connection) keeps its turn for the whole request; the others give it back before
            # sending, so the lookups of a search overlap their round trips within the budget.
            turn.enter_context(self._source_lock(source))
            last = self._last_request.get(source)
            if interval and last is not None:
                remaining = interval - (self._clock() - last)
                if remaining > 0:
                    self._sleep(remaining)
            window = self.windows.get(f"{source}:{bucket}" if bucket else source)
            if window is not None:
                wait = window.wait_s(self._clock())
                if wait > 0:
                    self._sleep(wait)
                window.record(self._clock())
            self.network_requests += 1
            # arXiv's "one request every three seconds" counts from when a request goes out.
            self._last_request[source] = self._clock()
            if not interval:
                turn.close()
            try:
                log.info("GET %s %s", url, params or "")
                response = self._get_capped(source, url, params, headers)
            except httpx.TimeoutException as exc:
                raise _Retryable("timed out") from exc
            except httpx.ConnectError as exc:
                # Refused, or a name that does not resolve: asking again in a second changes
                # nothing (offline, a wrong SCOUT_*_URL), so say so now instead of after retries.
                raise SourceError(source, f"cannot connect to {_host(url)} ({_first_line(exc)})") from exc
            except httpx.TransportError as exc:
                raise _Retryable(f"connection failed ({exc.__class__.__name__})") from exc
        if response.status_code in RETRY_STATUSES:
            raise _Retryable(f"HTTP {response.status_code}", _retry_after_seconds(response), response.status_code)
        if response.status_code >= 400:
            raise SourceError(
                source, f"HTTP {response.status_code} from {response.request.url}", status=response.status_code
            )
        return response

    def _get_capped(self, source: str, url: str, params: dict | None, headers: dict | None) -> httpx.Response:
        """The whole answer, read within a total deadline (a source that trickles a byte every few
        seconds never trips the read timeout) and up to MAX_BODY_BYTES (never held or cached whole
        beyond that)."""
        deadline = self._clock() + 2 * self.settings.timeout_s
        with self.client.stream("GET", url, params=params, headers=headers) as response:
            body, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise SourceError(source, f"the answer from {url} is larger than {MAX_BODY_BYTES >> 20} MB")
                if self._clock() > deadline:
                    raise _Retryable(f"the answer took longer than {2 * self.settings.timeout_s:g} s")
                body.append(chunk)
        return httpx.Response(
            response.status_code, headers=response.headers, content=b"".join(body), request=response.request
        )

    @staticmethod
    def _cache_key(url: str, params: dict | None) -> str:
        canonical = json.dumps([url, sorted((params or {}).items())], default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()
