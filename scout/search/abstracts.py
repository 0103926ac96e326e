"""Give every paper an abstract before it is ranked: a Papers with Code search row has none, and a
paper ranked on its title alone is ranked on a guess.

The local store answers first (`with_stored_abstracts`). The rest come from Papers with Code's
detail call, asked as soon as its search answers (`DetailPrefetch`, many at once within its rate
budget, while the slower sources are still on their way), and, for what it does not know, from one
batched arXiv `id_list` request: arXiv asks for 3 s between requests, so a second arXiv call on the
way to every first table would cost seconds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from typing import TYPE_CHECKING

from scout.errors import SourceError
from scout.models import Paper
from scout.search.sources import arxiv, pwc

if TYPE_CHECKING:
    from scout.search.http import Fetcher
    from scout.store import Store


class DetailPrefetch:
    """Papers with Code detail calls for papers that arrived without an abstract, started at once
    on a pool of their own; `abstracts` collects them. The detail answers are cached, so the
    enrichment of the top papers that follows reads them back without a request. `on_abstract`,
    when given, hears of each abstract as it lands (on the pool's thread), for the model to encode
    it while the other details are still on their way."""

    def __init__(self, fetcher: Fetcher, limit: int = 50, on_abstract: Callable[[Paper, str], None] | None = None):
        self.fetcher = fetcher
        self.limit = limit
        self.on_abstract = on_abstract
        # All of them in flight at once: one round trip rather than one per 16 (a first search's
        # abstracts came in four waves, the last 1.6 s after the answer). Settings.rate_limits
        # still caps how many go out a minute.
        self._pool = ThreadPoolExecutor(max_workers=max(1, limit), thread_name_prefix="scout-detail")
        self._futures: dict[str, Future] = {}
        self._lock = threading.Lock()

    def start(self, papers: list[Paper]) -> None:
        """Ask for the details of the papers in `papers` that have no abstract (at most `limit`)."""
        with self._lock:
            for paper in papers:
                if paper.abstract or not (paper.pwc_id or paper.arxiv_id) or paper.id in self._futures:
                    continue
                if len(self._futures) >= self.limit:
                    break
                self._futures[paper.id] = self._pool.submit(self._detail, paper)

    def _detail(self, paper: Paper) -> pwc.Detail | None:
        info = pwc.detail(self.fetcher, paper)
        if self.on_abstract is not None and info is not None and info.paper.abstract:
            self.on_abstract(paper, info.paper.abstract)
        return info

    def abstracts(self, papers: list[Paper], failures: list[str]) -> dict[str, str]:
        """Abstracts by paper id for `papers` (their details asked now where not asked before)."""
        self.start(papers)
        found: dict[str, str] = {}
        for paper in papers:
            future = self._futures.get(paper.id)
            if future is None:
                continue
            try:
                info = future.result()
            except SourceError as exc:
                failures.append(exc.reason)
                continue
            if info is not None and info.paper.abstract:
                found[paper.id] = info.paper.abstract
        return found

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> DetailPrefetch:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def fill_abstracts(
    papers: list[Paper],
    fetcher: Fetcher,
    warnings: list[str],
    *,
    use_arxiv: bool = True,
    detail_limit: int = 50,
    details: DetailPrefetch | None = None,
) -> list[Paper]:
    """`papers` with the missing abstracts filled in where a source has them; order kept.

    Papers with Code's details answer first (`details`, where the search already started them);
    arXiv's `id_list` lookup is asked only for what they did not fill. `use_arxiv=False` skips
    arXiv (it just failed this search: asking again only waits). At most `detail_limit` detail
    calls are made; failures become one warning per source."""
    missing = [p for p in papers if not p.abstract]
    if not missing:
        return papers
    failures: list[str] = []
    with ExitStack() as stack:
        pool = details or stack.enter_context(DetailPrefetch(fetcher, detail_limit))
        by_paper = pool.abstracts(missing, failures)
    if failures:
        warnings.append(f"pwc: could not fetch {len(failures)} missing abstracts ({failures[0]})")
    found: dict[str, str] = {}
    ids = [p.arxiv_id for p in missing if p.arxiv_id and p.id not in by_paper]
    if ids and use_arxiv:
        try:
            for paper in arxiv.by_ids(fetcher, ids):
                if paper.abstract:
                    found[paper.arxiv_id] = paper.abstract
        except SourceError as exc:
            warnings.append(f"arxiv: could not fetch {len(ids)} missing abstracts ({exc.reason})")
    out = []
    for paper in papers:
        text = by_paper.get(paper.id) or (found.get(paper.arxiv_id) if paper.arxiv_id else None)
        out.append(paper.with_(abstract=text) if not paper.abstract and text else paper)
    return out


def with_stored_abstracts(papers: list[Paper], store: Store) -> list[Paper]:
    """`papers` with the missing abstracts that the store holds (an imported archive, an earlier
    search) filled in: no request, and the vector cached for that text is reused."""
    missing = [p.id for p in papers if not p.abstract]
    stored = {p.id: p.abstract for p in store.papers_by_ids(missing) if p.abstract} if missing else {}
    return [p.with_(abstract=stored[p.id]) if p.id in stored else p for p in papers]
