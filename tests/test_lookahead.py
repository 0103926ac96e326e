"""Look-ups ahead of the final ranking (scout.search.lookahead): newest guess first, and once the top
is known only its look-ups are waited for. Details are built from tests/data/pwc_co (the observed
shape of Papers with Code's detail call)."""

from __future__ import annotations

import threading

import httpx
import pytest

from scout.models import Paper
from scout.search import lookahead
from scout.search.lookahead import TopLookups
from tests.fetch_rig import make_rig
from tests.pwc_co import built
from tests.sync import GUARD_S

BLOCKED = "2101.00001"  # its detail call waits at the gate


def paper(n: int) -> Paper:
    return Paper(title=f"Paper {n}", arxiv_id=f"2101.{n:05d}")


class Server:
    """Papers with Code's detail (two repos each) and an empty results list; GitHub knows no repo."""

    def __init__(self):
        self.started = threading.Event()  # the blocked detail call has arrived
        self.gate = threading.Event()

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if "/papers/arxiv/" in path:
            arxiv = path.rsplit("/", 1)[1]
            if arxiv == BLOCKED:
                self.started.set()
                assert self.gate.wait(GUARD_S), "the gate never opened"
            detail = built("paper_arxiv_1606.06565.json")
            # Two repos of its own, so that GitHub's answers for one paper's are not another's.
            repos = [{**repo, "url": f"{repo['url']}-{arxiv}"} for repo in detail["repositories"]]
            return httpx.Response(200, json={**detail, "arxiv_id": arxiv, "id": arxiv, "repositories": repos})
        if "/evaluations" in path:
            return httpx.Response(200, json={"count": 0, "next_page": None, "results": []})
        return httpx.Response(404, json={"message": "Not Found"})


def asked(rig) -> list[str]:
    """What was asked, in order: 'detail N', 'results N' or 'github'."""
    out = []
    for request in rig.requests:
        path = request.url.path
        if "/papers/arxiv/" in path:
            out.append(f"detail {int(path.rsplit('.', 1)[1])}")
        elif "/evaluations" in path:
            out.append(f"results {int(request.url.params['paper_id'].rsplit('.', 1)[1])}")
        else:
            out.append("github")
    return out


@pytest.fixture
def served(store, monkeypatch):
    """The server and a rig asking it; the gate opens once `settle` has decided what goes on, as it
    starts waiting for the top."""
    server = Server()
    wait = lookahead.wait

    def opening(futures):
        server.gate.set()
        return wait(futures)

    monkeypatch.setattr(lookahead, "wait", opening)
    return server, make_rig(server.answer, store)


def test_a_new_guess_goes_first_and_only_the_tops_lookups_are_waited_for(served):
    server, rig = served
    with TopLookups(rig.fetcher, None, threads=1) as lookups:
        lookups.prefer([paper(1), paper(2), paper(3)], stars=0)
        assert server.started.wait(GUARD_S)
        # Paper 1 is in flight; 2 and 3 wait behind it until a newer guess replaces them.
        lookups.prefer([paper(3), paper(4)], stars=0)
        lookups.settle([paper(3)])
        # The top's look-ups are done when settle returns, GitHub's answers included (the
        # enrichment asks GitHub about every top paper).
        assert asked(rig)[-4:] == ["detail 3", "results 3", "github", "github"]
    # Paper 1 dropped out of the top while its detail was in flight: it stops there. Paper 2 was
    # never started, and paper 4, not in the top, was dropped before it started.
    assert asked(rig) == ["detail 1", "detail 3", "results 3", "github", "github"]


def test_github_is_asked_about_the_first_papers_of_a_guess_and_about_the_top(served):
    server, rig = served
    with TopLookups(rig.fetcher, None, threads=1) as lookups:
        lookups.prefer([paper(2), paper(3), paper(1)], stars=1)
        assert server.started.wait(GUARD_S)  # one thread: papers 2 and 3 are done
        # GitHub's hourly budget is small: only the first paper's two repos were asked about.
        assert asked(rig) == ["detail 2", "results 2", "github", "github", "detail 3", "results 3", "detail 1"]
        lookups.settle([paper(1)])  # paper 1 makes the top: the enrichment would ask GitHub anyway
    assert asked(rig)[-3:] == ["results 1", "github", "github"]


def test_a_paper_looked_up_without_github_gets_it_once_a_newer_guess_puts_it_first(served):
    server, rig = served
    with TopLookups(rig.fetcher, None, threads=1) as lookups:
        lookups.prefer([paper(2), paper(3), paper(1)], stars=1)
        assert server.started.wait(GUARD_S)  # papers 2 and 3 are done, 3 without GitHub's answers
        lookups.prefer([paper(3)], stars=1)
        lookups.settle([paper(3)])
    # Paper 3 again, its detail and results from the cache; paper 1 stopped after its detail.
    assert asked(rig)[-3:] == ["detail 1", "github", "github"]
    assert asked(rig).count("detail 3") == 1
