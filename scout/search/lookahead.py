"""Look-ups ahead of the final ranking: Papers with Code's detail and results, and GitHub's answers
for their repos, for the papers likely to make a search's top, asked while the model encodes. Only
the HTTP cache keeps them: the enrichment of the top papers that follows reads them back.

The likely top changes as more papers are encoded, so each new guess goes to the front: look-ups
not started yet are dropped for it. Once the top is known, the search waits only for its own
look-ups; the others stop after the request they are in (a first search waited ~1 s for look-ups
of papers that did not make the top)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import suppress
from typing import TYPE_CHECKING

from scout.errors import ScoutError
from scout.models import Paper
from scout.search.sources import github, pwc

if TYPE_CHECKING:
    from scout.search.http import Fetcher

# Look-ups in flight at once: the last guess of a first search's top (15 papers and the ~20 still
# being encoded) in one round trip. With 16, the last of them were still on their way when the top
# was known, and the search waited for them.
THREADS = 40


class TopLookups:
    def __init__(self, fetcher: Fetcher, github_token: str | None, threads: int = THREADS):
        self.fetcher = fetcher
        self.github_token = github_token
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="scout-lookahead")
        self._lock = threading.Lock()
        self._futures: dict[str, Future] = {}  # the latest look-up of each paper
        self._starred: set[str] = set()  # papers whose repos GitHub is asked about (its hourly budget is small)
        self._kept: set[str] | None = None  # once the top is known: the papers whose look-ups go on

    def prefer(self, papers: Sequence[Paper], stars: int) -> None:
        """Look up `papers`, most likely first, ahead of every look-up not started yet (those are
        dropped); the first `stars` also get GitHub's answers for their repos."""
        with self._lock:
            if self._kept is not None:
                return
            for future in self._futures.values():
                future.cancel()  # only one that has not started: the others run on
            newly_starred = {p.id for p in papers[:stars]} - self._starred
            self._starred |= newly_starred
            for paper in papers:
                future = self._futures.get(paper.id)
                # Again for one looked up without GitHub's answers: its other answers are cached.
                again = future is not None and future.done() and paper.id in newly_starred
                if future is None or future.cancelled() or again:
                    self._futures[paper.id] = self._pool.submit(self._look_up, paper)

    def settle(self, top: Sequence[Paper]) -> None:
        """The top is known: wait for its look-ups; every other one stops, at the latest after the
        request it is in."""
        with self._lock:
            self._kept = {p.id for p in top}
            self._starred.update(self._kept)  # the enrichment asks GitHub about every top paper
            for paper_id, future in self._futures.items():
                if paper_id not in self._kept:
                    future.cancel()
            waited = [self._futures[p.id] for p in top if p.id in self._futures]
        wait(waited)  # a failed look-up is the enrichment's to ask again and report

    def _wanted(self, paper: Paper) -> bool:
        with self._lock:
            return self._kept is None or paper.id in self._kept

    def _look_up(self, paper: Paper) -> None:
        # A failure is left to the enrichment proper, which asks again and reports it.
        with suppress(ScoutError):
            # The detail first (read back from the cache when the search prefetched it), so that a
            # paper that dropped out of the top stops before its results are asked for.
            if pwc.detail(self.fetcher, paper) is None or not self._wanted(paper):
                return
            enriched = pwc.enrich(self.fetcher, paper)
            with self._lock:
                stars = paper.id in self._starred
            if stars and enriched.repos and self._wanted(paper):
                github.enrich_repos(self.fetcher, list(enriched.repos), self.github_token)

    def close(self) -> None:
        """Drop what has not started and wait for what has (it stops after its request once the
        top is settled)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> TopLookups:
        return self

    def __exit__(self, *exc_info) -> None:
        with self._lock:
            if self._kept is None:
                self._kept = set()  # interrupted: nothing more is asked for
        self.close()
