"""Papers with Code: search, plus each paper's repositories and reported results.

Speaks the API Hugging Face relaunched in 2026 (paperswithcode.co/api/v1); the parsers also read the
old paperswithcode.com API's shapes, which recorded samples and archived data still use."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote

from scout.errors import ParseError, SourceError
from scout.metrics import parse_metric_value
from scout.models import Paper, Repo, Result, normalize_arxiv_id, normalize_repo_url
from scout.search.sources.common import arxiv_abs_url, author_names, clean_text, from_json, iso_date, parse_each

if TYPE_CHECKING:
    from scout.search.http import Fetcher

SOURCE = "pwc"
PAGE_SIZE = 100  # the API's largest page_size
NOT_FOUND = 404


class Page(NamedTuple):
    papers: list[Paper]
    total: int | None  # every match, across pages, when the API says
    size: int  # the items on this page, parsable or not


def _list_items(data: object) -> tuple[list, int | None]:
    """`{count, results}` (the usual shape), `{total, items}` (also allowed) or a bare list."""
    if isinstance(data, list):
        return data, None
    if not isinstance(data, dict):
        raise ParseError("expected a JSON object with 'results'")
    items = data.get("results", data.get("items"))
    if not isinstance(items, list):
        raise ParseError("expected a JSON object with a 'results' list")
    total = data.get("count", data.get("total"))
    return items, total if isinstance(total, int) else None


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
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            continue
        official = item.get("is_official", item.get("official"))
        stars = item.get("stars")
        repos.append(
            Repo(
                url=item["url"].strip(),
                official=official if isinstance(official, bool) else None,
                stars=stars if isinstance(stars, int) else None,
                framework=item.get("framework") or None,
            )
        )
    return tuple(repos)


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
    arxiv_id = normalize_arxiv_id(data.get("arxiv_id"))
    citations = data.get("citation_count")
    return Paper(
        title=title,
        abstract=clean_text(data.get("abstract")),
        authors=author_names(data.get("authors")),
        published=iso_date(data.get("published") or data.get("date_published")),
        arxiv_id=arxiv_id,
        url=arxiv_abs_url(arxiv_id) or data.get("url_abs") or None,
        sources=(SOURCE,),
        repos=repos or parse_repos(data.get("repositories", data.get("repos"))),
        citations=citations if isinstance(citations, int) else None,
        pwc_id=str(data["id"]) if data.get("id") not in (None, "") else None,
    )


def parse_page(data: object) -> Page:
    items, total = _list_items(data)
    return Page(parse_each(parse_paper, (item for item in items if isinstance(item, dict))), total, len(items))


def parse_detail(data: object) -> Paper:
    if not isinstance(data, dict):
        raise ParseError("expected a JSON object for the paper")
    paper = parse_paper(data)
    if paper is None:
        raise ParseError("the paper has no title")
    return paper


def parse_evaluations(data: object) -> list[Result]:
    """Reported results: one Result per metric of each row. New rows name the model, task and
    dataset; old rows have `methodology` and no task or dataset."""
    items, _ = _list_items(data)
    results = []
    for row in items:
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


def _base(fetcher: Fetcher) -> str:
    return fetcher.settings.urls[SOURCE].rstrip("/")


def search(fetcher: Fetcher, query: str, limit: int, *, page_size: int = PAGE_SIZE) -> list[Paper]:
    """The `limit` best matches of the hybrid (keyword + semantic) search, a page at a time."""
    size = max(1, min(limit, page_size, PAGE_SIZE))
    papers: list[Paper] = []
    page_number = 1
    while len(papers) < limit:
        page = fetcher.get(
            SOURCE,
            f"{_base(fetcher)}/papers/search",
            parse=from_json(parse_page),
            params={"q": query, "page": page_number, "page_size": size, "mode": "hybrid"},
        )
        papers.extend(page.papers)
        if page.size < size or (page.total is not None and page_number * size >= page.total):
            break
        page_number += 1
    return papers[:limit]


def _merge_repos(found: tuple[Repo, ...], known: tuple[Repo, ...]) -> tuple[Repo, ...]:
    """Papers with Code's repos first (they carry the official flag), then any others already known."""
    urls = {normalize_repo_url(r.url) for r in found}
    return found + tuple(r for r in known if normalize_repo_url(r.url) not in urls)


def _get_unless_missing(fetcher: Fetcher, url: str, parse, params: dict):
    """Fetcher.get, but None where the API answers 404: the paper is simply not there."""
    try:
        return fetcher.get(SOURCE, url, parse=parse, params=params)
    except SourceError as exc:
        if exc.status == NOT_FOUND:
            return None
        raise


def enrich(fetcher: Fetcher, paper: Paper) -> Paper:
    """Add the paper's repositories and reported results from Papers with Code.

    Two requests at most. What Papers with Code does not know (404) is left as it was; other
    failures raise SourceError for the caller to turn into a warning."""
    key = paper.arxiv_id or paper.pwc_id
    if not key:
        return paper
    detail = _get_unless_missing(
        fetcher,
        f"{_base(fetcher)}/papers/{quote(key, safe='')}",
        from_json(parse_detail),
        {"include_resources": "true"},
    )
    if detail is None:
        return paper
    results = (
        _get_unless_missing(
            fetcher,
            f"{_base(fetcher)}/evaluations/",
            from_json(parse_evaluations),
            {"paper_id": detail.pwc_id or key, "page_size": PAGE_SIZE},
        )
        or []
    )
    return paper.with_(
        abstract=paper.abstract or detail.abstract,
        authors=paper.authors or detail.authors,
        published=paper.published or detail.published,
        url=paper.url or detail.url,
        sources=paper.sources if SOURCE in paper.sources else (*paper.sources, SOURCE),
        repos=_merge_repos(detail.repos, paper.repos),
        results=tuple(results) or paper.results,
        citations=detail.citations if detail.citations is not None else paper.citations,
        pwc_id=detail.pwc_id or paper.pwc_id,
    )
