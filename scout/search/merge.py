"""Merge the answers of several sources into one record per paper.

Two records are the same paper when they share any identity: arXiv id (without version), DOI, or
normalised title and year. Fields are combined: a known value beats an unknown one, the longest
abstract wins, and sources, repos and results are united."""

from __future__ import annotations

from collections.abc import Iterable

from scout.models import Paper, Repo, normalize_repo_url, paper_keys


def merge_papers(papers: Iterable[Paper]) -> list[Paper]:
    """Merge in order of arrival; the first source to report a scalar field wins ties."""
    merged: list[Paper | None] = []
    slot_of: dict[str, int] = {}
    for paper in papers:
        slots = sorted({slot_of[k] for k in paper_keys(paper) if k in slot_of})
        if not slots:
            merged.append(paper)
            slot = len(merged) - 1
        else:
            slot = slots[0]
            combined = merged[slot]
            # A new record can bridge two earlier ones (one known by arXiv id, one by DOI).
            for other in slots[1:]:
                combined = combine(combined, merged[other])
                merged[other] = None
            merged[slot] = combine(combined, paper)
        if len(slots) > 1:
            slot_of = {key: (slot if merged[value] is None else value) for key, value in slot_of.items()}
        for key in paper_keys(merged[slot]):
            slot_of[key] = slot
    return [p for p in merged if p is not None]


def combine(a: Paper, b: Paper) -> Paper:
    return Paper(
        title=a.title or b.title,
        abstract=_longest(a.abstract, b.abstract),
        authors=a.authors or b.authors,
        published=a.published or b.published,
        arxiv_id=a.arxiv_id or b.arxiv_id,
        doi=a.doi or b.doi,
        url=a.url or b.url,
        sources=tuple(dict.fromkeys(a.sources + b.sources)),
        repos=merge_repos(a.repos + b.repos),
        results=tuple(dict.fromkeys(a.results + b.results)),
        citations=a.citations if a.citations is not None else b.citations,
        pwc_id=a.pwc_id or b.pwc_id,
    )


def merge_repos(repos: Iterable[Repo]) -> tuple[Repo, ...]:
    by_url: dict[str, Repo] = {}
    for repo in repos:
        key = normalize_repo_url(repo.url)
        old = by_url.get(key)
        if old is None:
            by_url[key] = repo
            continue
        by_url[key] = Repo(
            url=old.url,
            official=old.official if old.official is not None else repo.official,
            stars=max((s for s in (old.stars, repo.stars) if s is not None), default=None),
            archived=old.archived if old.archived is not None else repo.archived,
            pushed_at=max((p for p in (old.pushed_at, repo.pushed_at) if p), default=None),
            framework=old.framework or repo.framework,
        )
    return tuple(by_url.values())


def _longest(a: str | None, b: str | None) -> str | None:
    if not a:
        return b
    if not b:
        return a
    return a if len(a) >= len(b) else b
