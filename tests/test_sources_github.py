"""GitHub repository metadata: recorded `GET /repos/{owner}/{repo}` answers (200, 301, 404, 502)."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from scout.errors import ParseError
from scout.models import Repo
from scout.search.sources.github import LOOKUPS, enrich_repos, parse_repo, repo_path
from tests.fetch_rig import make_rig
from tests.sync import GUARD_S

PYGITHUB = "github/PyGithub"


def load(real_fixtures, name: str):
    return json.loads((real_fixtures / PYGITHUB / "decoded_repos" / name).read_text())


def redirect_target(real_fixtures) -> dict:
    """The repository the recorded 301 for protoncoin/protoncoin leads to (line 21 of the replay file)."""
    lines = (real_fixtures / PYGITHUB / "replaydata" / "Repository.testGetRepositoryWith301Redirect.txt").read_text()
    return json.loads(lines.splitlines()[20])


def test_repo_path():
    assert repo_path("https://github.com/twbs/bootstrap") == "twbs/bootstrap"
    assert repo_path("http://www.github.com/PyGithub/PyGithub.git") == "PyGithub/PyGithub"
    assert repo_path("https://github.com/o/r.js/tree/main/src") == "o/r.js"
    assert repo_path("github.com/o/r/") == "o/r"
    assert repo_path("https://gitlab.com/o/r") is None
    assert repo_path("https://github.com/o") is None


def test_parse_recorded_repos(real_fixtures):
    assert parse_repo(load(real_fixtures, "repos_twbs__bootstrap.json")) == Repo(
        "https://github.com/twbs/bootstrap", stars=171281, archived=False, pushed_at="2025-01-30T15:22:31Z"
    )
    assert parse_repo(load(real_fixtures, "repos_PyGithub__PyGithub.json")).stars == 7122
    # a 2012 answer, from before stargazers_count existed, counts stars as watchers
    assert parse_repo(load(real_fixtures, "repos_nvie__gitflow.json")) == Repo(
        "https://github.com/nvie/gitflow", stars=3973, archived=None, pushed_at="2012-02-14T13:11:04Z"
    )
    with pytest.raises(ParseError):
        parse_repo(load(real_fixtures, "repos_jacquev6__Xxx_404.json"))


def github_server(real_fixtures, calls=None):
    bodies = {
        "/repos/twbs/bootstrap": (200, load(real_fixtures, "repos_twbs__bootstrap.json")),
        "/repos/jacquev6/Xxx": (404, load(real_fixtures, "repos_jacquev6__Xxx_404.json")),
        "/repos/PyGithub/PyGithub": (502, load(real_fixtures, "repos_PyGithub__PyGithub_502.json")),
        "/repositories/112116543": (200, redirect_target(real_fixtures)),
    }
    moved = load(real_fixtures, "repos_protoncoin__protoncoin_301.json")

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/repos/protoncoin/protoncoin":
            return httpx.Response(301, json=moved, headers={"Location": moved["url"]})
        status, body = bodies[request.url.path]
        return httpx.Response(status, json=body)

    return answer


def test_enrich_repos_fills_in_and_keeps_the_rest(real_fixtures, store):
    repos = [
        Repo("https://github.com/twbs/bootstrap", official=True),
        Repo("https://gitlab.com/someone/project", stars=12),
        Repo("https://github.com/jacquev6/Xxx", official=False, stars=5),
        Repo("https://github.com/twbs/bootstrap.git"),
        Repo("https://github.com/protoncoin/protoncoin"),
    ]
    rig = make_rig(github_server(real_fixtures), store)
    enriched, failures = enrich_repos(rig.fetcher, repos)
    assert enriched == [
        Repo(
            "https://github.com/twbs/bootstrap",
            official=True,
            stars=171281,
            archived=False,
            pushed_at="2025-01-30T15:22:31Z",
        ),
        repos[1],
        repos[2],
        Repo("https://github.com/twbs/bootstrap.git", stars=171281, archived=False, pushed_at="2025-01-30T15:22:31Z"),
        # renamed: the 301 is followed to the repository's new home
        Repo("https://github.com/protoncoin/protoncoin", stars=5, archived=False, pushed_at="2018-03-31T14:05:44Z"),
    ]
    assert failures == ["jacquev6/Xxx: HTTP 404 from https://api.github.com/repos/jacquev6/Xxx"]
    assert sorted(r.url.path for r in rig.requests) == [
        "/repos/jacquev6/Xxx",
        "/repos/protoncoin/protoncoin",
        "/repos/twbs/bootstrap",
        "/repositories/112116543",
    ]
    assert not any("Authorization" in r.headers for r in rig.requests)

    again = make_rig(lambda request: pytest.fail("the cache should have answered"), store)
    assert enrich_repos(again.fetcher, [repos[0]])[0] == enriched[:1]


def test_token_is_sent_as_bearer(real_fixtures, store):
    rig = make_rig(github_server(real_fixtures), store)
    enrich_repos(rig.fetcher, [Repo("https://github.com/twbs/bootstrap")], token="ghp_example")
    assert rig.requests[0].headers["Authorization"] == "Bearer ghp_example"
    assert rig.requests[0].headers["Accept"] == "application/vnd.github+json"


def test_server_errors_are_retried_then_reported(real_fixtures, store):
    rig = make_rig(github_server(real_fixtures), store)
    repo = Repo("https://github.com/PyGithub/PyGithub", stars=1)
    assert enrich_repos(rig.fetcher, [repo]) == ([repo], ["PyGithub/PyGithub: HTTP 502 after 4 tries"])
    assert len(rig.requests) == 4


def test_rate_limit_stops_further_lookups(store):
    rig = make_rig(
        lambda request: httpx.Response(
            403, json={"message": "API rate limit exceeded"}, headers={"x-ratelimit-remaining": "0"}
        ),
        store,
    )
    repos = [Repo("https://github.com/a/one"), Repo("https://github.com/b/two")]
    enriched, failures = enrich_repos(rig.fetcher, repos)
    assert enriched == repos
    assert failures == ["rate limited by GitHub at a/one; set GITHUB_TOKEN for 5,000 requests an hour"]
    assert len(rig.requests) <= LOOKUPS  # only those already sent when the first answer came


def test_repo_lookups_overlap(store):
    in_flight, peak = [0], [0]
    lock = threading.Lock()
    together = threading.Barrier(LOOKUPS, timeout=GUARD_S)  # passes only if LOOKUPS are in flight at once

    def answer(request: httpx.Request) -> httpx.Response:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        together.wait()
        with lock:
            in_flight[0] -= 1
        name = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, json={"html_url": f"https://github.com/o/{name}", "stargazers_count": len(name)})

    repos = [Repo(f"https://github.com/o/{'r' * i}") for i in range(1, 2 * LOOKUPS + 1)]
    enriched, failures = enrich_repos(make_rig(answer, store).fetcher, repos)
    assert [r.stars for r in enriched] == list(range(1, 2 * LOOKUPS + 1)) and not failures
    assert peak[0] == LOOKUPS
