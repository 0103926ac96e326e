"""The sources' answers kept between runs, in one file per user shared by every project: hishel's
SQLite storage (expiry, size-capped eviction, several processes at once).

scout drives the storage rather than hishel's caching transport, because the Fetcher decides
what is kept: only answers that parsed (a maintenance page is never replayed), and 404s as well
(not found is an answer), and a hit must skip the politeness waits and the retries, which sit
in front of the transport."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from hishel import Headers, Request, Response, SqliteStorage

FETCHED_AT = "x-scout-fetched-at"  # when the answer came, so a lower http_ttl_s applies at once


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str | None
    body: bytes


def http_cache_path(shared_dir: Path) -> Path:
    return shared_dir / "http" / "answers.db"


class HttpCache:
    def __init__(self, path: Path, ttl_s: float):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._storage = SqliteStorage(database_path=str(path), default_ttl=ttl_s)

    def cached_response(self, key: str, max_age_s: float) -> Answer | None:
        now = time.time()
        for entry in self._storage.get_entries(key):
            headers = entry.response.headers
            if now - float(headers.get(FETCHED_AT) or 0) > max_age_s:
                continue
            body = b"".join(entry.response.stream or ())
            return Answer(entry.response.status_code, headers.get("content-type"), body)
        return None

    def cache_response(self, key: str, url: str, status: int, content_type: str | None, body: bytes) -> None:
        for older in self._storage.get_entries(key):
            self._storage.remove_entry(older.id)
        headers = {FETCHED_AT: repr(time.time()), **({"content-type": content_type} if content_type else {})}
        entry = self._storage.create_entry(
            Request("GET", url), Response(status, Headers(headers), stream=iter([body])), key
        )
        for _ in entry.response.stream or ():  # the entry is saved as its stream is read
            pass

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob(f"{self.path.name}*") if p.is_file())

    def close(self) -> None:
        self._storage.close()


def clear_http_cache(shared_dir: Path) -> int:
    """Forget every cached answer (the file goes; a scout running now keeps its open copy until it
    ends); returns the bytes freed."""
    path = http_cache_path(shared_dir)
    files = [p for p in path.parent.glob(f"{path.name}*") if p.is_file()]
    freed = sum(p.stat().st_size for p in files)
    for p in files:
        p.unlink(missing_ok=True)
    return freed
