"""The search pipeline: ask the sources concurrently, merge, enrich the top papers, rank, store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from scout.clock import now_iso
from scout.config import Settings
from scout.errors import ConfigError, ParseError, ScoutError, SourceError, SourcesUnreachable, UpstreamError, UsageError
from scout.models import Paper, RankedPaper
from scout.search.abstracts import DetailPrefetch, fill_abstracts, with_stored_abstracts
from scout.search.ahead import EmbedAhead
from scout.search.lookahead import TopLookups
from scout.search.merge import merge_papers
from scout.search.rerank import load_reranker
from scout.search.sources import SEARCH_SOURCES, github, pwc
from scout.store import Store

if TYPE_CHECKING:
    from scout.search.http import Fetcher

# The shares of the texts still to encode when the papers encoded so far name the likely top again:
# about half a second of encoding on 2 cores, then, with every paper still to be encoded, a third
# of a second, about a look-up's round trip (at a tenth left, the top's last look-ups ended ~0.2 s
# after the encoding).
RECHECKS = (0.3, 0.2)

StatusFn = Callable[[str], None]
ProgressFn = Callable[[int, int], None]
PreviewFn = Callable[["SearchReport"], None]


@dataclass(frozen=True)
class SourceStatus:
    ok: bool
    count: int = 0
    error: str | None = None
    unreadable: bool = False  # it answered, but with something that cannot be read (exit 4, not 3)

    def to_json(self) -> dict:
        return {"ok": True, "count": self.count} if self.ok else {"ok": False, "error": self.error}


@dataclass(frozen=True)
class SearchRequest:
    query: str
    about: str | None = None
    sources: tuple[str, ...] = tuple(SEARCH_SOURCES)
    limit: int = 20
    since: int | None = None
    code_only: bool = False
    offline: bool = False
    ranker: str | None = None
    sort: str = "relevance"

    @property
    def task_text(self) -> str:
        """What the papers are compared with: the query, plus the longer description if given."""
        return f"{self.query}\n{self.about}" if self.about else self.query

    def validate(self) -> None:
        if not self.query or not self.query.strip():
            raise ConfigError('the query is empty; describe the task, e.g. scout search "mask classification"')
        if self.limit < 1:
            raise UsageError(f"--limit must be 1 or more, not {self.limit}")
        unknown = [s for s in self.sources if s not in SEARCH_SOURCES]
        if unknown:
            raise UsageError(f"unknown source {unknown[0]!r}; choose from {', '.join(SEARCH_SOURCES)}")
        if not self.sources:
            raise ConfigError(f"no source selected; choose from {', '.join(SEARCH_SOURCES)}")
        from scout.search.rank import SORTS, get_ranker

        if self.ranker is not None:
            get_ranker(self.ranker)
        if self.sort not in SORTS:
            raise UsageError(f"unknown --sort {self.sort!r}; choose from {', '.join(SORTS)}")


@dataclass(frozen=True)
class SearchReport:
    request: SearchRequest
    model: str
    searched_at: str
    sources: dict[str, SourceStatus]
    warnings: tuple[str, ...]
    results: tuple[RankedPaper, ...]
    from_store: bool = False
    search_id: int | None = field(default=None, compare=False)


def run_search(
    request: SearchRequest,
    *,
    settings: Settings,
    store: Store,
    embedder,
    fetcher: Fetcher | None = None,
    on_status: StatusFn | None = None,
    on_embed: ProgressFn | None = None,
    on_preview: PreviewFn | None = None,
) -> SearchReport:
    """Run one search. `fetcher` may be None only for an offline search.

    `on_preview`, when given, receives provisional reports of an online search as they improve:
    ranked by a scorer that needs no transformer (BM25, plus the fast static model where it is on
    disk) as each source answers, then by the search's model before the top papers' code and
    results are looked up. The returned report is final either way."""
    request.validate()
    reranker = load_reranker(settings.reranker)  # a missing model fails here, before any network
    from scout.search.offline import ranking_embedder

    embedder = ranking_embedder(store, embedder, settings.model_given)
    status = on_status or (lambda message: None)
    warnings: list[str] = []
    statuses: dict[str, SourceStatus] = {}

    if request.offline or fetcher is None:
        from scout.search.offline import rescoring_embedder

        rescores = _rescores_stored(store, embedder)
        with EmbedAhead(rescoring_embedder(embedder) if rescores else embedder, store) as ahead:
            if rescores:
                # The search's model re-scores the top candidates; loading it and encoding the
                # task (about a second on a CPU) overlaps the retrieval instead of following it.
                ahead.submit(_task_texts(request))
            candidates = _stored_candidates(request, store, embedder, status)
            ahead.wait()
        from_store = True
    else:
        preview = _Preview(request, settings, store, on_preview, statuses, warnings, embedder.name)
        missing: set[str] | None = None  # once the sources are merged: the papers still without an abstract

        def on_abstract(paper: Paper, abstract: str) -> None:
            # A detail's abstract is encoded as it lands, once merged only where no source had one.
            if missing is None or paper.id in missing:
                ahead.submit([paper.with_(abstract=abstract).embedding_text()])

        with EmbedAhead(embedder, store, on_embed) as ahead, DetailPrefetch(fetcher, 50, on_abstract) as details:
            # A new query needs the model for its own vector: loading it and encoding the task
            # overlap the wait for the sources (nothing happens when this query was asked before).
            ahead.submit(_task_texts(request))
            candidates, from_store = _online_candidates(
                request, fetcher, settings, store, embedder, ahead, details, status, warnings, statuses, preview
            )
            if not from_store:
                # The papers that have their abstract are encoded while the missing ones are fetched.
                candidates = with_stored_abstracts(candidates, store)
                missing = {p.id for p in candidates if not p.abstract}
                ahead.submit([p.embedding_text() for p in candidates if p.abstract])
                # While the model encodes, the likely top papers' code and results are asked for;
                # only the HTTP cache keeps them, for the enrichment below to read. With nothing to
                # encode (a repeated search) there is no wait to hide them behind.
                warming = not fetcher.refresh and (
                    ahead.encoding or ahead.needs_model([p.embedding_text() for p in candidates])
                )
                if preview.wanted:
                    preview.show(quick_rank(request, candidates, settings, store))
                with TopLookups(fetcher, settings.github_token) as lookups:
                    status("fetching missing abstracts")
                    arxiv_ok = statuses.get("arxiv", SourceStatus(True)).ok
                    candidates = fill_abstracts(candidates, fetcher, warnings, use_arxiv=arxiv_ok, details=details)
                    status(f"embedding {len(candidates)} papers")
                    ahead.submit([p.embedding_text() for p in candidates])
                    if warming:
                        _look_up_likely_top(request, candidates, embedder, store, settings, ahead, lookups)
                    ahead.wait()
                    first = rank_candidates(request, candidates, embedder, store, settings)
                    preview.show(first)
                    # Code links are what enrichment finds, so --code-only cannot narrow the papers to enrich.
                    top = [r.paper for r in _filtered(first, replace(request, code_only=False))[: settings.enrich_top]]
                    # Only the top's look-ups are waited for; the others stop while it is enriched.
                    lookups.settle(top)
                    enriched = enrich_papers(top, fetcher, settings, warnings, status)
                    candidates = [enriched.get(p.id, p) for p in candidates]
                    store.save_papers(candidates)

    status("ranking")
    if from_store:
        ranked = rank_stored(request, candidates, embedder, store, settings, reranker)
    else:
        ranked = rank_candidates(request, candidates, embedder, store, settings, reranker)
    results = tuple(_renumber(_filtered(ranked, request)[: request.limit]))
    searched_at = now_iso()
    search_id = store.record_search(
        request.query,
        request.about,
        embedder.name,
        searched_at,
        [r.paper.id for r in results],
        scores=[
            {"id": r.paper.id, "score": round(r.score, 4), "similarity": round(r.similarity, 4), "close": r.close}
            for r in results
        ],
        source_status={name: st.to_json() for name, st in statuses.items()},
    )
    return SearchReport(request, embedder.name, searched_at, statuses, tuple(warnings), results, from_store, search_id)


def _online_candidates(
    request: SearchRequest,
    fetcher: Fetcher,
    settings: Settings,
    store: Store,
    embedder,
    ahead: EmbedAhead,
    details: DetailPrefetch,
    status: StatusFn,
    warnings: list[str],
    statuses: dict[str, SourceStatus],
    preview: _Preview,
) -> tuple[list[Paper], bool]:
    """The merged answers of the sources (`statuses` filled in as they answer), or the store's
    candidates when none answered. As each source answers, the model starts loading if it brought
    a paper not embedded before, the abstracts it left out are asked for, and (while others are
    still on their way) the papers so far are previewed."""
    answered: dict[str, list[Paper]] = {}

    def on_answer(name: str, papers: list[Paper]) -> None:
        papers = with_stored_abstracts(papers, store)
        details.start(papers)
        # Encoded while the slower sources are on their way; merging rarely changes a paper's text.
        ahead.submit([p.embedding_text() for p in papers if p.abstract])
        if ahead.needs_model([p.embedding_text() for p in papers]):
            ahead.warm_up()
        answered[name] = papers
        if preview.wanted and len(statuses) < len(request.sources):
            so_far = merge_papers([p for n in request.sources for p in answered.get(n, [])])
            preview.show(quick_rank(request, so_far, settings, store))

    found = _ask_sources(request, fetcher, settings, status, statuses, on_answer)
    for name, st in statuses.items():
        if not st.ok:
            warnings.append(f"{name}: {st.error}; showing the other sources")
    if any(st.ok for st in statuses.values()):
        return merge_papers(found), False
    failures = "; ".join(f"{n}: {st.error}" for n, st in statuses.items())
    stored = store.count_papers()
    if stored == 0 and any(st.unreadable for st in statuses.values()):
        raise UpstreamError(
            "search",
            f"no source gave an answer scout can read ({failures}) and nothing is stored yet; a source "
            "may have changed its format or a proxy answered for it: check the SCOUT_*_URL variables",
        )
    if stored == 0:
        raise SourcesUnreachable(
            "search",
            f"no source answered ({failures}) and nothing is stored yet; check the network "
            "(or the SCOUT_*_URL variables), or import the Papers with Code archive with `scout index import`",
        )
    warnings[:] = [f"{n}: {st.error}" for n, st in statuses.items()]
    warnings.append(
        f"no source answered; showing results from the {stored:,} papers stored locally "
        "(--offline searches them without asking the sources)"
    )
    return _stored_candidates(request, store, embedder, status), True


def rank_candidates(
    request: SearchRequest,
    papers: list[Paper],
    embedder,
    store: Store,
    settings: Settings,
    reranker=None,
    lexical=None,
) -> list[RankedPaper]:
    from scout.search.rank import DEFAULT_RANKER, rank_papers

    return rank_papers(
        request.query,
        papers,
        embedder,
        store,
        about=request.about,
        ranker=request.ranker or DEFAULT_RANKER,
        sort=request.sort,
        close_threshold=settings.close_threshold,
        reranker=reranker,
        rerank_top=settings.rerank_top,
        lexical=lexical,
    )


class _Preview:
    """Provisional reports for `on_preview`: the top `limit` of a ranking, as the final one shows it."""

    def __init__(self, request, settings, store, on_preview, statuses, warnings, model):
        self.request, self.settings, self.store, self.on_preview = request, settings, store, on_preview
        self.statuses, self.warnings, self.model = statuses, warnings, model

    @property
    def wanted(self) -> bool:
        return self.on_preview is not None

    def show(self, ranked: list[RankedPaper]) -> list[RankedPaper]:
        if self.on_preview is not None:
            results = tuple(_renumber(_filtered(ranked, self.request)[: self.request.limit]))
            self.on_preview(
                SearchReport(self.request, self.model, now_iso(), dict(self.statuses), tuple(self.warnings), results)
            )
        return ranked


def quick_rank(request: SearchRequest, papers: list[Paper], settings: Settings, store: Store) -> list[RankedPaper]:
    """A ranking that costs no transformer time: BM25 within the pool, fused with the fast static
    model's cosine where that model is already on disk (`scout index embed --fast` made it)."""
    from scout.search.rank import lexical_rank
    from scout.search.static import FAST_MODEL, static_model_dir

    # The static model lives with the other models, in the user's shared cache (`index embed --fast`).
    if (static_model_dir(settings.shared_cache_dir) / "config.json").is_file():
        from scout.search.offline import _embedder

        # Loaded once per process: a search shows a preview per source answer.
        fast = _embedder(FAST_MODEL, settings.shared_cache_dir)
        return rank_candidates(replace(request, ranker=None), papers, fast, store, settings)
    return lexical_rank(request.query, papers, about=request.about, sort=request.sort)


def _task_texts(request: SearchRequest) -> list[str]:
    """What the ranking embeds of the request itself: the task, and its sentences when it has several."""
    from scout.search.rank import sentences_of, task_text

    return [task_text(request.query, request.about), *sentences_of(request.query, request.about)]


def _look_up_likely_top(
    request: SearchRequest,
    candidates: list[Paper],
    embedder,
    store: Store,
    settings: Settings,
    ahead: EmbedAhead,
    lookups: TopLookups,
) -> None:
    """Look up, into the HTTP cache, the code and results of the papers likely to make the top
    while the last texts are encoded. The search's ranking of the papers encoded so far names them
    well once most are (BM25 alone names half of them), and early enough for the look-ups to finish
    first: the top `enrich_top` with GitHub's answers, half as many again without; at the last look,
    also every paper still to be encoded, since any of those may enter the top."""
    from scout.search.embed import text_hash

    unfiltered = replace(request, code_only=False)  # code links are what the look-ups find
    hashes = [text_hash(p.embedding_text()) for p in candidates]
    for left in RECHECKS:
        ahead.wait_for_most(left)
        encoded = store.cached_hashes(embedder.name, hashes)
        done = [p for p, h in zip(candidates, hashes) if h in encoded]
        ranked = _filtered(rank_candidates(unfiltered, done, embedder, store, settings), unfiltered)
        likely = [r.paper for r in ranked[: settings.enrich_top * 3 // 2]]
        if left == RECHECKS[-1]:
            likely += [p for p, h in zip(candidates, hashes) if h not in encoded]
        lookups.prefer(likely, stars=settings.enrich_top)


def rank_stored(
    request: SearchRequest, papers: list[Paper], embedder, store: Store, settings: Settings, reranker=None
) -> list[RankedPaper]:
    """Rank candidates from the store. Where the archive holds only the fast static model's vectors
    (`scout index embed --fast`), encoding every candidate with the search's model would take
    seconds per query on a CPU: the static model ranks them all, and only its top
    `settings.rescore_top` are ranked again with the search's model (their vectors are cached,
    so the next query that meets them pays nothing)."""
    from scout.search.offline import dense_embedder, rescoring_embedder
    from scout.search.rank import rescored_head

    first_pass = dense_embedder(store, embedder)
    if first_pass is embedder or len(papers) <= settings.rescore_top:
        return rank_candidates(request, papers, embedder, store, settings, reranker)
    rough = rank_candidates(replace(request, sort="relevance"), papers, first_pass, store, settings)
    top = [r.paper for r in rough[: settings.rescore_top]]
    # BM25 as the whole pool scored it: the top alone would be a narrower pool, on another scale.
    lexical = np.array([r.parts["lexical"] for r in rough[: settings.rescore_top]])
    rescorer = rescoring_embedder(embedder)
    head = rank_candidates(replace(request, sort="relevance"), top, rescorer, store, settings, reranker, lexical)
    return rescored_head(rough, head, request.sort)


def _ask_sources(
    request: SearchRequest,
    fetcher: Fetcher,
    settings: Settings,
    status: StatusFn,
    statuses: dict[str, SourceStatus],
    on_answer: Callable[[str, list[Paper]], None] = lambda name, papers: None,
) -> list[Paper]:
    """Every source's papers, in the order of request.sources (merging depends on it), with
    `statuses` filled in and `on_answer` called for each answer as it arrives; `statuses` ends
    in the order of request.sources too."""

    def ask(name: str) -> list[Paper]:
        return SEARCH_SOURCES[name](fetcher, request.query, settings.per_source_limit)

    status(f"asking {', '.join(request.sources)}")
    answers: dict[str, list[Paper]] = {}
    with ThreadPoolExecutor(max_workers=len(request.sources)) as pool:
        futures = {pool.submit(ask, name): name for name in request.sources}
        for future in as_completed(futures):
            name = futures[future]
            try:
                answers[name] = future.result()
            except ScoutError as exc:
                statuses[name] = SourceStatus(
                    False,
                    error=getattr(exc, "reason", None) or str(exc),
                    unreadable=isinstance(exc, (UpstreamError, ParseError)),
                )
                continue
            statuses[name] = SourceStatus(True, len(answers[name]))
            status(f"{name}: {len(answers[name])} papers")
            on_answer(name, answers[name])
    ordered = {name: statuses[name] for name in request.sources}
    statuses.clear()
    statuses.update(ordered)
    return [p for name in request.sources for p in answers.get(name, [])]


def enrich_papers(
    papers: Sequence[Paper], fetcher: Fetcher, settings: Settings, warnings: list[str], status: StatusFn
) -> dict[str, Paper]:
    """Fill in repos and reported results (Papers with Code) and repo stars (GitHub) for the top
    papers. A failure here is a warning: the search itself already answered."""
    status(f"looking up code and results for the top {len(papers)} papers")
    enriched: dict[str, Paper] = {}
    failures: list[str] = []

    def with_pwc(paper: Paper) -> Paper:
        try:
            return pwc.enrich(fetcher, paper, warn=warnings.append)
        except SourceError as exc:
            failures.append(exc.reason)
            return paper

    # All at once (Settings.enrich_top, 10 by default): the final ranking waits for the slowest.
    with ThreadPoolExecutor(max_workers=max(1, len(papers))) as pool:
        for paper in pool.map(with_pwc, papers):
            enriched[paper.id] = paper
    if failures:
        warnings.append(f"pwc: could not look up code and results for {len(failures)} papers ({failures[0]})")

    repos = [repo for paper in enriched.values() for repo in paper.repos]
    if repos:
        updated, failed = github.enrich_repos(fetcher, repos, settings.github_token)
        if failed:
            warnings.append(f"github: no metadata for {len(failed)} repos ({failed[0]})")
        by_url = {repo.url: repo for repo in updated}
        enriched = {pid: p.with_(repos=tuple(by_url.get(r.url, r) for r in p.repos)) for pid, p in enriched.items()}
    return enriched


def _rescores_stored(store: Store, embedder) -> bool:
    """Whether an offline search ranks its candidates with a model other than the one that found
    them (only the fast static model's vectors cover the archive)."""
    from scout.search.offline import dense_embedder

    return store.has_papers() and dense_embedder(store, embedder) is not embedder


def _stored_candidates(request: SearchRequest, store: Store, embedder, status: StatusFn) -> list[Paper]:
    from scout.search.offline import retrieve_stored

    status("searching the local store")
    if not store.has_papers():
        raise ScoutError(
            "nothing is stored yet; run a search while online, or import the Papers with Code "
            "archive with `scout index pull`"
        )
    return retrieve_stored(store, embedder, request.task_text, k=max(request.limit * 10, 200))


def _filtered(ranked: Sequence[RankedPaper], request: SearchRequest) -> list[RankedPaper]:
    return [
        r
        for r in ranked
        if (request.since is None or (r.paper.year or 0) >= request.since) and (not request.code_only or r.paper.repos)
    ]


def _renumber(ranked: Sequence[RankedPaper]) -> list[RankedPaper]:
    return [replace(r, rank=i) for i, r in enumerate(ranked, start=1)]
