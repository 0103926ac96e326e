"""What each source published in a time window, through the sources' "recent" listings.

Hugging Face and Papers with Code list everything new regardless of the task, so one run asks them
once for all its watches (`Listings`); arXiv is asked per watch, with the watch's query."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from scout.errors import ScoutError
from scout.models import Paper
from scout.search.sources import arxiv, hf, pwc
from scout.watch.models import Watch

if TYPE_CHECKING:
    from scout.search.http import Fetcher

T = TypeVar("T")


class Listings:
    """Answers already fetched in this run, keyed by what was asked, shared by its watches. A
    failure is remembered too: the next watch gets the same verdict without waiting out the retries
    again."""

    def __init__(self):
        self._answers: dict[tuple, object] = {}
        self._failures: dict[tuple, ScoutError] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, fetch: Callable[[], T]) -> T:
        with self._lock:
            if key in self._failures:
                raise self._failures[key]
            if key in self._answers:
                return self._answers[key]  # type: ignore[return-value]
        try:
            answer = fetch()
        except ScoutError as exc:
            with self._lock:
                self._failures[key] = exc
            raise
        with self._lock:
            self._answers[key] = answer
        return answer


RecentFn = Callable[["Fetcher", Watch, datetime, datetime, int, Listings], list[Paper]]


def _arxiv(fetcher: Fetcher, watch: Watch, start: datetime, end: datetime, limit: int, listings: Listings):
    return arxiv.recent(fetcher, watch.query, start, end, limit)


def _hf(fetcher: Fetcher, watch: Watch, start: datetime, end: datetime, limit: int, listings: Listings):
    papers: list[Paper] = []
    day = end.date()
    # Newest day first, so a limit keeps the newest papers, as the other sources do.
    while day >= start.date() and len(papers) < limit:
        papers.extend(listings.get(("hf", day), lambda d=day: hf.daily(fetcher, d)))
        day -= timedelta(days=1)
    return papers[:limit]


def _pwc(fetcher: Fetcher, watch: Watch, start: datetime, end: datetime, limit: int, listings: Listings):
    return listings.get(("pwc", start.date(), limit), lambda: pwc.recent(fetcher, start.date(), limit))


RECENT: dict[str, RecentFn] = {"pwc": _pwc, "arxiv": _arxiv, "hf": _hf}
