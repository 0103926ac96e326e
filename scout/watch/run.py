"""One `scout watch run`: for each watch, ask its sources what is new since their marks, keep the
papers it has not considered yet, rank them against its task exactly as `scout search` ranks, report
those above its threshold or close prior work (enriched with code, stars and results, as a search
does), and remember all of it. A source that fails keeps its mark, so the next run asks it again
from there; the sources that answered move on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from scout import clock
from scout.clock import iso
from scout.config import Settings
from scout.errors import ScoutError
from scout.models import Paper, RankedPaper
from scout.search.abstracts import fill_abstracts
from scout.search.merge import merge_papers
from scout.search.pipeline import SearchRequest, SourceStatus, enrich_papers, rank_candidates
from scout.search.rerank import load_reranker
from scout.store import Store
from scout.watch.book import WatchBook
from scout.watch.fetch import RECENT, Listings
from scout.watch.models import Watch, window_start

if TYPE_CHECKING:
    from scout.search.http import Fetcher

StatusFn = Callable[[str], None]


@dataclass(frozen=True)
class WatchReport:
    watch: Watch
    since: dict[str, str]  # per source, from when it was asked
    sources: dict[str, SourceStatus]
    warnings: tuple[str, ...]
    considered: int  # new papers ranked in this run
    results: tuple[RankedPaper, ...]


@dataclass(frozen=True)
class WatchRun:
    ran_at: str
    model: str
    reports: tuple[WatchReport, ...]

    @property
    def reported(self) -> int:
        return sum(len(r.results) for r in self.reports)


def run_watches(
    names: Sequence[str],
    *,
    since: datetime | None,
    settings: Settings,
    store: Store,
    embedder,
    fetcher: Fetcher,
    now: datetime | None = None,
    on_status: StatusFn | None = None,
) -> WatchRun:
    """Run the named watches (every watch when none is named), one after another."""
    book = WatchBook(store)
    watches = [book.get(name) for name in dict.fromkeys(names)] if names else book.all()
    if not watches:
        raise ScoutError('no watches yet; add one with scout watch add NAME "QUERY"')
    now = now or clock.utc_now()
    reranker = load_reranker(settings.reranker)  # a missing model fails here, before any network
    listings = Listings()
    reports = tuple(
        run_watch(
            watch,
            since=since,
            settings=settings,
            book=book,
            embedder=embedder,
            fetcher=fetcher,
            now=now,
            listings=listings,
            reranker=reranker,
            on_status=on_status,
        )
        for watch in watches
    )
    if not any(st.ok for report in reports for st in report.sources.values()):
        failures = "; ".join(
            f"{report.watch.name} {source}: {st.error}" for report in reports for source, st in report.sources.items()
        )
        raise ScoutError(f"no source answered ({failures}); every mark is kept, so the next run asks again from there")
    return WatchRun(iso(now), embedder.name, reports)


def run_watch(
    watch: Watch,
    *,
    since: datetime | None,
    settings: Settings,
    book: WatchBook,
    embedder,
    fetcher: Fetcher,
    now: datetime,
    listings: Listings,
    reranker=None,
    on_status: StatusFn | None = None,
) -> WatchReport:
    status = on_status or (lambda message: None)
    marks = book.marks(watch.name)
    starts = {s: window_start(s, marks.get(s), since, now, settings.watch_lookback_days) for s in watch.sources}
    found, statuses, warnings = _ask_sources(watch, starts, now, fetcher, settings, listings, status)

    merged = merge_papers(found)
    known = book.considered(watch.name, (p.id for p in merged))
    new = [p for p in merged if p.id not in known]
    new = fill_abstracts(new, fetcher, warnings)

    results: tuple[RankedPaper, ...] = ()
    if new:
        results, new = _rank_and_enrich(watch, new, settings, book.store, embedder, fetcher, reranker, warnings, status)
    # A paper ranked without its abstract is not remembered unless reported: it is ranked again,
    # with its text, when a source lists it next.
    considered = [p.id for p in new if p.abstract]
    book.record_run(
        watch.name,
        now,
        advanced=[s for s, st in statuses.items() if st.ok],
        considered=considered,
        reported=[r.paper.id for r in results],
    )
    return WatchReport(
        watch=watch,
        since={s: iso(start) for s, start in starts.items()},
        sources=statuses,
        warnings=tuple(warnings),
        considered=len(new),
        results=results,
    )


def _ask_sources(
    watch: Watch,
    starts: dict[str, datetime],
    now: datetime,
    fetcher: Fetcher,
    settings: Settings,
    listings: Listings,
    status: StatusFn,
) -> tuple[list[Paper], dict[str, SourceStatus], list[str]]:
    limit = settings.watch_source_limit
    status(f"{watch.name}: asking {', '.join(watch.sources)}")
    found: list[Paper] = []
    statuses: dict[str, SourceStatus] = {}
    warnings: list[str] = []
    with ThreadPoolExecutor(max_workers=len(watch.sources)) as pool:
        futures = {s: pool.submit(RECENT[s], fetcher, watch, starts[s], now, limit, listings) for s in watch.sources}
        for source, future in futures.items():
            try:
                papers = future.result()
            except ScoutError as exc:
                reason = getattr(exc, "reason", None) or str(exc)
                statuses[source] = SourceStatus(False, error=reason)
                warnings.append(f"{source}: {reason}; its mark is kept and the next run asks it again from there")
                continue
            statuses[source] = SourceStatus(True, len(papers))
            if len(papers) >= limit:
                warnings.append(
                    f"{source}: {limit} papers or more since {iso(starts[source])}; only the newest {limit} were "
                    "ranked (raise watch_source_limit in [tool.scout] or the user config, or run the watch more often)"
                )
            found.extend(papers)
    return found, statuses, warnings


def _rank_and_enrich(
    watch: Watch,
    papers: list[Paper],
    settings: Settings,
    store: Store,
    embedder,
    fetcher: Fetcher,
    reranker,
    warnings: list[str],
    status: StatusFn,
) -> tuple[tuple[RankedPaper, ...], list[Paper]]:
    """The search's ranking over the new papers, then its enrichment for the papers to report, then
    the ranking again (code and stars move the score, as in a search).

    A paper is picked by its cosine similarity to the task, not by its score: the score is scaled
    within the pool, and a day's handful of papers always has a top one, relevant or not."""
    request = SearchRequest(query=watch.query, about=watch.about)
    status(f"{watch.name}: ranking {len(papers)} new papers")
    first = rank_candidates(request, papers, embedder, store, settings)
    picked = {r.paper.id for r in first if r.similarity >= watch.threshold or r.close}
    if picked:
        enriched = enrich_papers([p for p in papers if p.id in picked], fetcher, settings, warnings, status)
        papers = [enriched.get(p.id, p) for p in papers]
    store.save_papers(papers)
    ranked = rank_candidates(request, papers, embedder, store, settings, reranker) if picked else []
    shown = [replace(r, rank=i) for i, r in enumerate((r for r in ranked if r.paper.id in picked), start=1)]
    return tuple(shown), papers
