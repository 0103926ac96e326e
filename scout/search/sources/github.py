"""GitHub repository metadata (stars, archived, last push) for the repos papers link to."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

from scout.errors import ParseError, SourceError
from scout.models import Repo
from scout.search.sources.common import from_json

if TYPE_CHECKING:
    from scout.search.http import Fetcher

SOURCE = "github"
RATE_LIMITED = {403, 429}
# Lookups in flight at once: the top 10 papers' repos in one round trip, far below GitHub's 100
# concurrent requests (its secondary limit).
LOOKUPS = 10
_GITHUB_URL = re.compile(
    r"^(?:https?://)?(?:www\.)?github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?(?:[#?/].*)?$", re.IGNORECASE
)
_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


def repo_path(url: str) -> str | None:
    """'https://github.com/o/r.git' or '…/o/r/tree/main' -> 'o/r'; None for anything not on github.com."""
    match = _GITHUB_URL.match(url.strip())
    return f"{match.group(1)}/{match.group(2)}" if match else None


def parse_repo(data: object) -> Repo:
    """A `GET /repos/{owner}/{repo}` body. Old (pre-2013) answers count stars as `watchers`."""
    if not isinstance(data, dict) or not isinstance(data.get("html_url"), str):
        raise ParseError("not a GitHub repository object")
    stars = next(
        (data[k] for k in ("stargazers_count", "watchers_count", "watchers") if isinstance(data.get(k), int)), None
    )
    archived = data.get("archived")
    return Repo(
        url=data["html_url"],
        stars=stars,
        archived=archived if isinstance(archived, bool) else None,
        pushed_at=data.get("pushed_at") or None,
    )


def enrich_repos(fetcher: Fetcher, repos: list[Repo], token: str | None = None) -> tuple[list[Repo], list[str]]:
    """Fill in stars, archived and pushed_at for the github.com repos, one request per distinct repo.

    Returns the repos in their order (unchanged where no answer came) and one warning per failure.
    A rate-limit answer stops the lookups not yet sent, since every further one would fail too."""
    headers = dict(_HEADERS)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    base = fetcher.settings.urls[SOURCE].rstrip("/")
    limited: list[str] = []  # repos answered with a rate limit: the lookups not yet sent are skipped

    def look_up(path: str) -> tuple[Repo | None, str | None]:
        if limited:
            return None, None
        try:
            return fetcher.get(SOURCE, f"{base}/repos/{path}", parse=from_json(parse_repo), headers=headers), None
        except SourceError as exc:
            if exc.status in RATE_LIMITED:
                limited.append(path)
                return None, None
            return None, f"{path}: {exc.reason}"

    paths = list(dict.fromkeys(p for p in (repo_path(r.url) for r in repos) if p))
    # Several lookups at once: each is a round trip, and a search waits for all of them.
    with ThreadPoolExecutor(max_workers=LOOKUPS) as pool:
        answers = dict(zip(paths, pool.map(look_up, paths)))
    found = {path: repo for path, (repo, _) in answers.items() if repo is not None}
    failures = [error for _, error in answers.values() if error]
    if limited:
        first = min(limited, key=paths.index)
        failures.append(f"rate limited by GitHub at {first}; set GITHUB_TOKEN for 5,000 requests an hour")
    enriched = []
    for repo in repos:
        meta = found.get(repo_path(repo.url) or "")
        enriched.append(
            repo if meta is None else replace(repo, stars=meta.stars, archived=meta.archived, pushed_at=meta.pushed_at)
        )
    return enriched, failures
