"""Hugging Face Papers search (`/api/papers/search`): arXiv papers with the GitHub repository and
star count that authors link on huggingface.co/papers."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from scout.errors import ParseError
from scout.models import Paper, Repo, normalize_arxiv_id
from scout.search.sources.common import arxiv_abs_url, author_names, clean_text, from_json, iso_date, parse_each

if TYPE_CHECKING:
    from scout.search.http import Fetcher

SOURCE = "hf"
DAILY_PAGE_SIZE = 100  # the largest `limit` daily_papers takes


def _repo(item: dict, paper: dict) -> tuple[Repo, ...]:
    # huggingface_hub reads githubRepo/githubStars at the top level of a search item, while recorded
    # answers carry them inside the nested paper: accept either.
    url = item.get("githubRepo") or paper.get("githubRepo")
    if not isinstance(url, str) or not url.strip():
        return ()
    stars = item.get("githubStars", paper.get("githubStars"))
    return (Repo(url=url.strip(), stars=stars if isinstance(stars, int) else None),)


def parse_item(item: dict) -> Paper | None:
    paper = item.get("paper") if isinstance(item.get("paper"), dict) else item
    arxiv_id = normalize_arxiv_id(paper.get("id"))
    title = clean_text(paper.get("title") or item.get("title"))
    if not title:
        return None
    return Paper(
        title=title,
        abstract=clean_text(paper.get("summary") or item.get("summary")),
        authors=author_names(paper.get("authors")),
        published=iso_date(paper.get("publishedAt") or item.get("publishedAt")),
        arxiv_id=arxiv_id,
        url=arxiv_abs_url(arxiv_id),
        sources=(SOURCE,),
        repos=_repo(item, paper),
    )


def parse_search(data: object) -> list[Paper]:
    if not isinstance(data, list):
        raise ParseError("expected a JSON list of papers")
    return parse_each(parse_item, (item for item in data if isinstance(item, dict)))


def parse_daily(data: object) -> tuple[list[Paper], int]:
    """One page of daily papers (the same item shape as search), and how many items it held."""
    return parse_search(data), len(data)


def search(fetcher: Fetcher, query: str, limit: int) -> list[Paper]:
    if limit <= 0:
        return []
    url = f"{fetcher.settings.urls[SOURCE].rstrip('/')}/api/papers/search"
    papers = fetcher.get(SOURCE, url, parse=from_json(parse_search), params={"q": query, "limit": limit})
    return papers[:limit]


def daily(fetcher: Fetcher, day: date, *, page_size: int = DAILY_PAGE_SIZE, max_pages: int = 10) -> list[Paper]:
    """Every paper on the Hugging Face daily list of `day`, a page (`p`, 0-based) at a time: about
    20-25 papers a weekday, none at weekends, each with its githubRepo and githubStars."""
    url = f"{fetcher.settings.urls[SOURCE].rstrip('/')}/api/daily_papers"
    papers: list[Paper] = []
    for page in range(max_pages):
        params = {"date": day.isoformat(), "limit": page_size, "p": page}
        found, size = fetcher.get(SOURCE, url, parse=from_json(parse_daily), params=params)
        papers.extend(found)
        if size < page_size:
            break
    return papers
