"""Reads that overlap their waits on the disk. A paper the page cache does not hold costs SQLite a
few random page reads (about 50 µs each on a virtual disk), one after another; SQLite releases
the GIL while it waits, so slices of one lookup read on several connections at once wait
together instead of in turn (200 papers of a 576k-paper archive: ~35 ms serial, ~15 ms on 8)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

READERS = 8  # outstanding reads a virtual disk serves at once with little extra latency each
MIN_SLICE = 16  # fewer ids than this per reader gain less than a thread hand-off costs

Query = Callable[[str, Iterable], list[dict]]


def fetch_all(db: sqlite3.Connection, sql: str, params: Iterable = ()) -> list[dict]:
    cursor = db.execute(sql, tuple(params))
    columns = [d[0] for d in cursor.description or ()]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def slices(items: list, count: int = READERS, least: int = MIN_SLICE) -> list[list]:
    """`items` cut into at most `count` consecutive slices of at least `least` (one if fewer)."""
    size = max(least, -(-len(items) // count))
    return [items[start : start + size] for start in range(0, len(items), size)] or [[]]


class Readers:
    """A pool of threads, each with its own connection to the database at `path`, opened on first
    use and kept: `map(fn, parts)` runs fn(query, part) for each part at once, where `query` reads
    on that thread's connection."""

    def __init__(self, path: str, timeout_s: float):
        self._path = path
        self._timeout_s = timeout_s
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def map(self, fn: Callable[[Query, list], list], parts: list[list]) -> list[list]:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="scout-store-read")
            pool = self._pool
        return list(pool.map(lambda part: fn(self._query, part), parts))

    def _query(self, sql: str, params: Iterable = ()) -> list[dict]:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self._path, timeout=self._timeout_s, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA query_only = ON")
            self._local.db = db
            with self._lock:
                self._opened.append(db)
        return fetch_all(db, sql, params)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        with self._lock:
            for db in self._opened:
                db.close()
            self._opened.clear()
