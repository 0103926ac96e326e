"""Papers with Code: search, plus each paper's repositories and reported results.

Speaks the API Hugging Face relaunched in 2026 (paperswithcode.co/api/v1) as it really answers
(reference/apis.md 1.3a): search pages end at `next_page: null` and carry no abstract, stars are
`num_stars`, a paper is found by arXiv id at `papers/arxiv/{id}`, and evaluations are keyed by the
numeric paper id and paged. The parsers also read the old paperswithcode.com API's shapes, which
recorded samples and archived data still use. A field that is missing or of an unexpected type is
skipped; it never fails the paper."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import parse_qs, quote, urlsplit

from scout.errors import ParseError, SourceError
from scout.metrics import parse_metric_value
from scout.models import BoardRank, Paper, PaperLink, Repo, Result, normalize_arxiv_id, normalize_repo_url
from scout.search.sources.common import (
    arxiv_abs_url,
    as_id,
    as_int,
    author_names,
    clean_text,
    from_json,
    iso_date,
    parse_each,
)

if TYPE_CHECKING:
    from scout.search.http import Fetcher

SOURCE = "pwc"
SEARCH = "search"  # the rate-limit bucket of search and list calls (Settings.rate_limits "pwc:search")
PAGE_SIZE = 100  # the API's largest page_size
NOT_FOUND = 404

Warn = Callable[[str], None]


class Listing(NamedTuple):
    """One page of a list endpoint, whatever its envelope."""

    items: list
    total: int | None  # every match, across pages, when the API says
    has_next: bool | None  # from `next_page` (None: this envelope does not say)
    next_page: int | None  # the page number to ask for next, when `next_page` gives one


class Page(NamedTuple):
    papers: list[Paper]
    total: int | None
    size: int  # the items on this page, parsable or not
    has_next: bool | None = None
    next_page: int | None = None


@dataclass(frozen=True)
class Detail:
    """Everything a paper's detail call says that scout uses."""

    paper: Paper  # with its tldr, tasks, leaderboard ranks and successors
    predecessors: tuple[PaperLink, ...] = ()
    project_pages: tuple[str, ...] = ()
    hf_artifacts: tuple[tuple[str, int], ...] = ()  # (kind, count): models, datasets, spaces


def _page_number(value: object) -> int | None:
    """`next_page` as observed is a number (2); a URL with `?page=` or a digit string also works."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        if value.strip().isdigit():
            return int(value)
        pages = parse_qs(urlsplit(value).query).get("page")
        if pages and pages[0].isdigit():
            return int(pages[0])
    return None


def parse_listing(data: object) -> Listing:
    """`{next_page, results}` (the relaunched API), `{count, results}`, `{total, items}` or a bare list."""
    if isinstance(data, list):
        return Listing(data, None, None, None)
    if not isinstance(data, dict):
        raise ParseError("expected a JSON object with 'results'")
    items = data.get("results", data.get("items"))
    if not isinstance(items, list):
        raise ParseError("expected a JSON object with a 'results' list")
    total = data.get("count", data.get("total"))
    total = total if isinstance(total, int) and not isinstance(total, bool) else None
    if "next_page" in data:
        return Listing(items, total, data["next_page"] is not None, _page_number(data["next_page"]))
    if "next" in data:  # the old DRF envelope
        return Listing(items, total, data["next"] is not None, _page_number(data["next"]))
    return Listing(items, total, None, None)


def _name(value: object) -> str | None:
    """A task or dataset given as a name or as an object with a name."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("full_name")
    return clean_text(value)


def parse_repos(items: object) -> tuple[Repo, ...]:
    if not isinstance(items, list):
        return ()
    repos = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str) or not item["url"].strip():
            continue
        official = item.get("is_official", item.get("official"))
        framework = item.get("framework")
        repos.append(
            Repo(
                url=item["url"].strip(),
                official=official if isinstance(official, bool) else None,
                # The relaunched API says `num_stars`; the old one said `stars`.
                stars=as_int(item.get("num_stars", item.get("stars"))),
                framework=framework if isinstance(framework, str) and framework else None,
            )
        )
    return tuple(repos)


def parse_links(items: object) -> tuple[PaperLink, ...]:
    """`[{id, title, arxiv_id, ...}]` or null: other papers a paper names (successors, predecessors)."""
    if not isinstance(items, list):
        return ()
    links = []
    for item in items:
        title = clean_text(item.get("title")) if isinstance(item, dict) else None
        if not title:
            continue
        arxiv = item.get("arxiv_id")
        links.append(
            PaperLink(
                title=title,
                arxiv_id=normalize_arxiv_id(arxiv) if isinstance(arxiv, str) else None,
                pwc_id=as_id(item.get("id")),
            )
        )
    return tuple(links)


def parse_paper(item: dict) -> Paper | None:
    """One paper: a new-API paper, an old-API paper, or an old `/search/` row that wraps a paper with
    its repository."""
    data, repos = item, ()
    if isinstance(item.get("paper"), dict):
        data = item["paper"]
        if isinstance(item.get("repository"), dict):
            repos = parse_repos([{"is_official": item.get("is_official"), **item["repository"]}])
    title = clean_text(data.get("title"))
    if not title:
        return None
    raw_arxiv = data.get("arxiv_id")
    arxiv_id = normalize_arxiv_id(raw_arxiv) if isinstance(raw_arxiv, str) else None
    url_abs = data.get("url_abs") if isinstance(data.get("url_abs"), str) else None
    tasks = data.get("tasks")
    return Paper(
        title=title,
        abstract=clean_text(data.get("abstract")),
        authors=author_names(data.get("authors")),
        published=iso_date(data.get("published") or data.get("date_published")),
        arxiv_id=arxiv_id,
        url=arxiv_abs_url(arxiv_id) or url_abs or None,
        sources=(SOURCE,),
        repos=repos or parse_repos(data.get("repositories", data.get("repos"))),
        citations=as_int(data.get("citation_count")),
        pwc_id=as_id(data.get("id")),
        successors=parse_links(data.get("successor_papers")),
        tldr=clean_text(data.get("tldr")),
        tasks=tuple(n for n in map(_name, tasks) if n) if isinstance(tasks, list) else (),
        ranks=_leaderboard_ranks(data.get("leaderboard_ranks")),
    )


def parse_page(data: object) -> Page:
    listing = parse_listing(data)
    papers = parse_each(parse_paper, (item for item in listing.items if isinstance(item, dict)))
    return Page(papers, listing.total, len(listing.items), listing.has_next, listing.next_page)


def _leaderboard_ranks(items: object) -> tuple[BoardRank, ...]:
    if not isinstance(items, list):
        return ()
    ranks = []
    for item in items:
        if not isinstance(item, dict):
            continue
        metric = item.get("best_metric")
        ranks.append(
            BoardRank(
                dataset=clean_text(item.get("dataset_name")),
                dataset_slug=clean_text(item.get("dataset_slug")),
                task_slug=clean_text(item.get("task_slug")),
                best_rank=as_int(item.get("best_rank")),
                best_metric=clean_text(metric) if isinstance(metric, str) else None,
            )
        )
    return tuple(ranks)


def _project_pages(value: object) -> tuple[str, ...]:
    """Null, a list of URL strings, or a list of objects with a `url` (all three are seen)."""
    if not isinstance(value, list):
        return ()
    urls = (item.get("url") if isinstance(item, dict) else item for item in value)
    return tuple(u.strip() for u in urls if isinstance(u, str) and u.strip())


def _hf_artifacts(value: object) -> tuple[tuple[str, int], ...]:
    """Two shapes are seen: `{kind: count or [items]}` and `[{type|kind, count}]`; others give ()."""
    pairs: list[tuple[str, int]] = []
    if isinstance(value, dict):
        for kind, count in value.items():
            n = len(count) if isinstance(count, list) else as_int(count)
            if isinstance(kind, str) and n is not None:
                pairs.append((kind, n))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                kind = item.get("type", item.get("kind"))
                n = as_int(item.get("count"))
                if isinstance(kind, str) and n is not None:
                    pairs.append((kind, n))
    return tuple(pairs)


def parse_detail_full(data: object) -> Detail:
    if not isinstance(data, dict):
        raise ParseError("expected a JSON object for the paper")
    paper = parse_paper(data)
    if paper is None:
        raise ParseError("the paper has no title")
    return Detail(
        paper=paper,
        predecessors=parse_links(data.get("predecessor_papers")),
        project_pages=_project_pages(data.get("project_pages")),
        hf_artifacts=_hf_artifacts(data.get("hf_artifact_summary")),
    )


def parse_detail(data: object) -> Paper:
    return parse_detail_full(data).paper


def results_of(rows: list) -> list[Result]:
    """Reported results: one Result per metric of each row. New rows name the model, task and
    dataset; old rows have `methodology` and no task or dataset. Metric values may be numbers or
    numeric strings ("41.8")."""
    results = []
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("metrics"), dict):
            continue
        model = clean_text(row.get("model_name") or row.get("methodology"))
        task = _name(row.get("task_name") or row.get("task"))
        dataset = _name(row.get("dataset_name") or row.get("dataset"))
        for metric, raw in row["metrics"].items():
            parsed = parse_metric_value(raw)
            results.append(
                Result(
                    task=task,
                    dataset=dataset,
                    metric=str(metric),
                    value=parsed.value if parsed else None,
                    model=model,
                    raw=None if raw is None else str(raw),
                )
            )
    return results


def parse_evaluations(data: object) -> list[Result]:
    return results_of(parse_listing(data).items)


def base_url(fetcher: Fetcher) -> str:
    return fetcher.settings.urls[SOURCE].rstrip("/")


def search(fetcher: Fetcher, query: str, limit: int, *, page_size: int = PAGE_SIZE) -> list[Paper]:
    """The `limit` best matches of the hybrid (keyword + semantic) search, a page at a time, until
    the API says `next_page: null`."""
    params = {"q": query, "mode": "hybrid"}
    return _paged_papers(fetcher, "papers/search", params, limit, page_size)


def recent(fetcher: Fetcher, start: date, limit: int, *, page_size: int = PAGE_SIZE) -> list[Paper]:
    """Papers published on or after `start`, newest first (`papers/?order_by=date_published`).

    Rows dated before `start` are dropped here too, and a page with none on or after it ends the
    listing, in case the API ignores `start_date`. List rows carry no abstract (apis.md 1.3a)."""
    first = start.isoformat()
    params = {"order_by": "date_published", "start_date": first, "include_resources": "true"}
    return _paged_papers(
        fetcher,
        "papers/",
        params,
        limit,
        page_size,
        keep=lambda paper: bool(paper.published) and paper.published >= first,
    )


def _paged_papers(fetcher: Fetcher, path: str, params: dict, limit: int, page_size: int, keep=None) -> list[Paper]:
    size = max(1, min(limit, page_size, PAGE_SIZE))
    papers: list[Paper] = []
    seen: set[str] = set()
    page_number = 1
    while len(papers) < limit:
        page = fetcher.get(
            SOURCE,
            f"{base_url(fetcher)}/{path}",
            parse=from_json(parse_page),
            params={**params, "page": page_number, "page_size": size},
            bucket=SEARCH,
        )
        # A page that brings nothing new ends the listing, even where the API offers another:
        # one that repeats its last page (or ignores `start_date`) must not loop to the limit.
        kept = [p for p in page.papers if (keep is None or keep(p)) and p.id not in seen]
        seen.update(p.id for p in kept)
        papers.extend(kept)
        if page.has_next is False or not page.size or not kept:
            break
        if page.has_next is None and (
            page.size < size or (page.total is not None and page_number * size >= page.total)
        ):
            break
        page_number = page.next_page if page.next_page and page.next_page > page_number else page_number + 1
    return papers[:limit]


def fetch_all(fetcher: Fetcher, path: str, params: dict, *, cap: int, bucket: str | None = SEARCH) -> tuple[list, bool]:
    """Every item of a paged list endpoint, following `next_page` until it is null, but no more than
    `cap` items. Returns (items, whether the cap cut the list short)."""
    items: list = []
    page_number = 1
    size = min(PAGE_SIZE, max(1, cap))
    while True:
        listing = fetcher.get(
            SOURCE,
            f"{base_url(fetcher)}/{path}",
            parse=from_json(parse_listing),
            params={**params, "page": page_number, "page_size": size},
            bucket=bucket,
        )
        items.extend(listing.items)
        if len(items) >= cap:
            more = listing.has_next or (listing.total is not None and listing.total > cap) or len(items) > cap
            return items[:cap], bool(more)
        if listing.has_next is False or not listing.items:
            return items, False
        if listing.has_next is None and (
            len(listing.items) < size or (listing.total is not None and len(items) >= listing.total)
        ):
            return items, False
        page_number = listing.next_page if listing.next_page and listing.next_page > page_number else page_number + 1


def _merge_repos(found: tuple[Repo, ...], known: tuple[Repo, ...]) -> tuple[Repo, ...]:
    """Papers with Code's repos first (they carry the official flag), then any others already known."""
    urls = {normalize_repo_url(r.url) for r in found}
    return found + tuple(r for r in known if normalize_repo_url(r.url) not in urls)


def get_unless_missing(fetcher: Fetcher, url: str, parse, params: dict, bucket: str | None = None):
    """Fetcher.get, but None where the API answers 404: the thing is simply not there."""
    try:
        return fetcher.get(SOURCE, url, parse=parse, params=params, bucket=bucket)
    except SourceError as exc:
        if exc.status == NOT_FOUND:
            return None
        raise


def detail(fetcher: Fetcher, paper: Paper) -> Detail | None:
    """The paper's detail with its repositories: by arXiv id (`papers/arxiv/{id}`) when it has one,
    else by Papers with Code id. None when there is no id to ask by or the API does not know it."""
    if paper.arxiv_id:
        path = f"papers/arxiv/{quote(paper.arxiv_id, safe='')}"
    elif paper.pwc_id:
        path = f"papers/{quote(paper.pwc_id, safe='')}"
    else:
        return None
    return get_unless_missing(
        fetcher, f"{base_url(fetcher)}/{path}", from_json(parse_detail_full), {"include_resources": "true"}
    )


def enrich(fetcher: Fetcher, paper: Paper, warn: Warn | None = None) -> Paper:
    """Add the paper's repositories, successors and reported results from Papers with Code.

    One detail request, then every page of its evaluations up to Settings.max_evaluation_rows (a
    warning says when that cap cut them short). What Papers with Code does not know (404) is left
    as it was; other failures raise SourceError for the caller to turn into a warning."""
    found = detail(fetcher, paper)
    if found is None:
        return paper
    info = found.paper
    rows: list = []
    if info.pwc_id:
        cap = fetcher.settings.max_evaluation_rows
        try:
            rows, cut = fetch_all(
                fetcher, "evaluations/", {"paper_id": info.pwc_id, "ordering": "-benchmark_popularity"}, cap=cap
            )
        except SourceError as exc:
            if exc.status != NOT_FOUND:
                raise
            cut = False
        if cut and warn is not None:
            warn(f"pwc: {info.title!r} has more than {cap} result rows; only the first {cap} were read")
    results = results_of(rows)
    return paper.with_(
        abstract=paper.abstract or info.abstract,
        authors=paper.authors or info.authors,
        published=paper.published or info.published,
        url=paper.url or info.url,
        sources=paper.sources if SOURCE in paper.sources else (*paper.sources, SOURCE),
        repos=_merge_repos(info.repos, paper.repos),
        results=tuple(results) or paper.results,
        citations=info.citations if info.citations is not None else paper.citations,
        pwc_id=info.pwc_id or paper.pwc_id,
        successors=info.successors or paper.successors,
        tldr=info.tldr or paper.tldr,
        tasks=info.tasks or paper.tasks,
        ranks=info.ranks or paper.ranks,
    )
