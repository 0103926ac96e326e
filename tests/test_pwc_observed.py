"""Papers with Code as it really answers (apis.md 1.3a): the real search body, and detail and
evaluation pages built from the observed shapes (tests/data/pwc_co, built, not recorded)."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from scout import __version__
from scout.cli import app
from scout.config import PROJECT_URL
from scout.models import Paper, PaperLink, Repo
from scout.search.http import RateWindow
from scout.search.sources import pwc
from tests.fetch_rig import make_rig
from tests.pwc_co import REAL_SEARCH, arxiv_route, built, paged, pwc_route
from tests.replay import ReplayServer
from tests.sync import GUARD_S


def test_the_real_search_body(real_fixtures):
    page = pwc.parse_page(json.loads((real_fixtures / REAL_SEARCH).read_text()))
    assert (page.has_next, page.next_page, page.total, page.size) == (True, 2, None, 1)
    [paper] = page.papers
    assert paper.pwc_id == "412" and paper.arxiv_id == "1606.06565"
    assert paper.url == "https://arxiv.org/abs/1606.06565" and paper.published == "2016-06-21"
    assert paper.abstract is None and paper.repos == () and paper.citations == 3509
    assert paper.authors[-1] == "Dan Mané"


def test_detail_fields_and_defensive_parsing():
    detail = pwc.parse_detail_full(built("paper_arxiv_1606.06565.json"))
    assert detail.paper.repos == (
        Repo("https://github.com/openai/safety-gym", official=False, stars=1731),
        Repo("https://github.com/deepmind/ai-safety-gridworlds", official=True, stars=1650),
    )
    assert detail.paper.abstract.startswith("Rapid progress in machine learning")
    assert detail.paper.successors == (
        PaperLink("AI Safety Gridworlds", "1711.09883", "9031"),
        PaperLink("Scalable agent alignment via reward modeling: a research direction", "1811.07871", "15220"),
    )
    assert detail.paper.tldr.startswith("Five practical research problems")
    assert detail.paper.tasks == ("Safe Exploration", "Reward Hacking")
    assert [(r.dataset, r.best_rank, r.best_metric) for r in detail.paper.ranks] == [
        ("AI Safety Gridworlds", 2, "Episode Return")
    ]
    assert detail.predecessors == ()
    assert detail.project_pages == (
        "https://openai.com/research/concrete-ai-safety-problems",
        "https://example.org/page",
    )
    assert detail.hf_artifacts == (("models", 2), ("datasets", 1))
    other_shape = pwc.parse_detail_full(built("paper_arxiv_1512.03385.json"))
    assert other_shape.hf_artifacts == (("models", 3),) and other_shape.project_pages == ()


@pytest.mark.parametrize(
    "field,value",
    [
        ("repositories", "none"),
        ("repositories", [{"url": 5}, {"url": "https://github.com/o/r", "num_stars": "lots"}]),
        ("successor_papers", {"id": 1}),
        ("tasks", "Safe Exploration"),
        ("leaderboard_ranks", [{"best_rank": "first"}]),
        ("project_pages", {"url": "x"}),
        ("hf_artifact_summary", "3 models"),
        ("citation_count", "many"),
        ("authors", None),
        ("id", True),
    ],
)
def test_a_wrong_typed_field_never_fails_the_paper(field, value):
    data = built("paper_arxiv_1606.06565.json")
    data[field] = value
    assert pwc.parse_detail_full(data).paper.title == "Concrete Problems in AI Safety"


def test_search_follows_next_page_until_null(real_fixtures, store):
    def answer(request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        if query["page"] == "1":
            return httpx.Response(
                200, content=(real_fixtures / REAL_SEARCH).read_bytes(), headers={"Content-Type": "application/json"}
            )
        return httpx.Response(200, json=built("papers_search_AI_safety_page_2.json"))

    rig = make_rig(answer, store)
    papers = pwc.search(rig.fetcher, "AI safety", 10, page_size=1)
    assert [p.title for p in papers] == ["Concrete Problems in AI Safety", "AI Safety Gridworlds"]
    assert [(r.url.params["page"], r.url.params["page_size"]) for r in rig.requests] == [("1", "1"), ("2", "1")]


def evaluation_rig(store, **settings):
    rows = built("evaluations_paper_412_250_rows.json")

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/papers/arxiv/1606.06565":
            assert request.url.params["include_resources"] == "true"
            return httpx.Response(200, json=built("paper_arxiv_1606.06565.json"))
        assert request.url.path == "/api/v1/evaluations/"
        query = {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}
        assert query["paper_id"] == "412"  # the numeric id, not the arXiv id
        return httpx.Response(200, json=paged(rows, query))

    return make_rig(answer, store, **settings)


SAFETY = Paper(title="Concrete Problems in AI Safety", arxiv_id="1606.06565", sources=("arxiv",))


def test_a_250_row_evaluation_list_is_read_whole(store):
    rig = evaluation_rig(store)
    warnings: list[str] = []
    paper = pwc.enrich(rig.fetcher, SAFETY, warn=warnings.append)
    assert len(paper.results) == 250 and warnings == []
    assert [r.url.params.get("page") for r in rig.requests] == [None, "1", "2", "3"]
    values = [r.value for r in paper.results]
    assert values[0] == 40.0 and values[1] == pytest.approx(40.1) and values[-1] == pytest.approx(64.9)
    assert {r.raw for r in paper.results[1:2]} == {"40.1"}  # a numeric string, parsed
    assert paper.successors[0].arxiv_id == "1711.09883" and paper.pwc_id == "412"
    assert {r.url: r.stars for r in paper.repos} == {
        "https://github.com/openai/safety-gym": 1731,
        "https://github.com/deepmind/ai-safety-gridworlds": 1650,
    }


def test_the_evaluation_cap_is_a_warning(store):
    rig = evaluation_rig(store, max_evaluation_rows=120)
    warnings: list[str] = []
    paper = pwc.enrich(rig.fetcher, SAFETY, warn=warnings.append)
    assert len(paper.results) == 120
    assert warnings == [
        "pwc: 'Concrete Problems in AI Safety' has more than 120 result rows; only the first 120 were read"
    ]


def test_rate_window_and_user_agent(store):
    window = RateWindow(2, 60.0)
    for t in (0.0, 1.0):
        assert window.wait_s(t) == 0.0
        window.record(t)
    assert window.wait_s(2.0) == pytest.approx(58.0)
    assert window.wait_s(61.0) == 0.0

    rig = make_rig(lambda request: httpx.Response(200, json={"next_page": None, "results": []}), store,
                   rate_limits={"pwc:search": (2, 60.0), "pwc": (100, 60.0)})  # fmt: skip
    for query in ("a", "b", "c"):
        pwc.search(rig.fetcher, query, 5)
    assert rig.sleeps == [60.0]  # the third search waits for the window (the rig's clock moves only by sleeps)
    agent = rig.requests[0].headers["User-Agent"]
    assert agent.startswith(f"scout/{__version__} ") and PROJECT_URL in agent


def test_lookups_to_one_source_overlap_within_its_budget_but_arxiv_keeps_one_connection(store):
    in_flight, peak = [0], {}
    lock = threading.Lock()
    # Four pwc lookups meet here before any of them answers: it holds only if they overlap.
    four_at_once = threading.Barrier(4, timeout=GUARD_S)

    def answer(request: httpx.Request) -> httpx.Response:
        with lock:
            in_flight[0] += 1
            peak[request.url.host] = max(peak.get(request.url.host, 0), in_flight[0])
        if request.url.host == "pwc.test":
            four_at_once.wait()
        else:
            time.sleep(0.05)  # a chance for a second arXiv request to overlap, if the lock let it
        with lock:
            in_flight[0] -= 1
        return httpx.Response(200, json={})

    rig = make_rig(answer, None, arxiv_delay_s=3.0, urls={"pwc": "https://pwc.test", "arxiv": "https://arxiv.test"})
    for source in ("pwc", "arxiv"):
        urls = [f"{rig.fetcher.settings.urls[source]}/{i}" for i in range(8)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda url, source=source: rig.fetcher.get(source, url, parse=len), urls))
    assert peak["pwc.test"] == 4  # four detail calls at once: one round trip for four papers
    assert peak["arxiv.test"] == 1
    assert rig.sleeps == [3.0] * 7  # arXiv's 3 s spacing between each of its eight requests


def test_each_detail_abstract_is_handed_on_as_it_lands(store):
    """The model hears of a detail's abstract while the other details are still on their way."""
    from scout.search.abstracts import DetailPrefetch

    heard = threading.Event()
    order: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        arxiv = request.url.path.rsplit("/", 1)[1]
        if arxiv == "1711.09883":  # answers only once the other detail's abstract was handed on
            assert heard.wait(GUARD_S), "the first abstract was never handed on"
        order.append(f"answered {arxiv}")
        return httpx.Response(200, json={**built("paper_arxiv_1606.06565.json"), "arxiv_id": arxiv})

    def on_abstract(paper: Paper, abstract: str) -> None:
        order.append(f"heard {paper.arxiv_id}")
        heard.set()

    papers = [Paper(title=f"Paper {i}", arxiv_id=i) for i in ("1711.09883", "1606.06565")]
    with DetailPrefetch(make_rig(answer, store).fetcher, on_abstract=on_abstract) as details:
        found = details.abstracts(papers, [])
    assert order[:2] == ["answered 1606.06565", "heard 1606.06565"]
    assert sorted(order) == sorted(
        ["answered 1606.06565", "heard 1606.06565", "answered 1711.09883", "heard 1711.09883"]
    )
    assert set(found) == {p.id for p in papers}


def test_every_detail_of_one_answer_is_in_flight_at_once(store):
    """A search page's 50 papers without abstracts cost one detail round trip, not one per pool of threads."""
    from scout.search.abstracts import DetailPrefetch

    # Every detail call waits here until all 50 are asked: it holds only if they are in flight together.
    all_at_once = threading.Barrier(50, timeout=GUARD_S)

    def answer(request: httpx.Request) -> httpx.Response:
        all_at_once.wait()
        arxiv = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, json={**built("paper_arxiv_1606.06565.json"), "arxiv_id": arxiv})

    papers = [Paper(title=f"Paper {i}", arxiv_id=f"2101.{i:05d}") for i in range(50)]
    with DetailPrefetch(make_rig(answer, store).fetcher, limit=50) as details:
        found = details.abstracts(papers, [])
    assert set(found) == {p.id for p in papers}


# -- end to end: `scout search` against the real search body and the built pages -------------------


def serve(monkeypatch, real_fixtures, *, answer_ids=True, missing=()):
    server = ReplayServer(
        {
            "/pwc": pwc_route(real_fixtures, missing),
            "/arxiv": arxiv_route(real_fixtures, answer_ids),
            "/hf": lambda rest, q: (200, "application/json", b"[]", {}),
            "/github": lambda rest, q: None,
        }
    )
    for name in ("pwc", "arxiv", "hf", "github"):
        monkeypatch.setenv(f"SCOUT_{name.upper()}_URL", f"{server.url}/{name}")
    return server


def search_json(*args):
    result = CliRunner().invoke(app, ["search", "AI safety", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_search_fills_abstracts_from_details_and_arxiv_only_for_the_rest(cli_env, real_fixtures, monkeypatch):
    with serve(monkeypatch, real_fixtures) as server:
        data = search_json("--successors")
        id_lists = [p for p in server.requests if p.startswith("/arxiv") and "id_list" in p]
    # 1606.06565's detail has its abstract; Papers with Code has no detail for 1711.09883.
    assert id_lists == ["/arxiv?id_list=1711.09883&start=0&max_results=1"]
    by_id = {r["arxiv_id"]: r for r in data["results"]}
    assert set(by_id) == {"1606.06565", "1711.09883"}
    assert all(r["ranked_on"] == "title+abstract" and r["abstract"] for r in by_id.values())
    safety = by_id["1606.06565"]
    assert safety["repos"] == [
        {"url": "https://github.com/deepmind/ai-safety-gridworlds", "official": True, "stars": 1650},
        {"url": "https://github.com/openai/safety-gym", "official": False, "stars": 1731},
    ]
    assert safety["successors"][0] == {"title": "AI Safety Gridworlds", "arxiv_id": "1711.09883", "pwc_id": "9031"}
    assert len(safety["results"]) == 250
    shown = CliRunner().invoke(app, ["show", "arxiv:1606.06565"])
    assert "successors" in shown.stdout and "Scalable agent alignment" in shown.stdout
    assert "TL;DR: Five practical research problems" in shown.stdout
    assert "leaderboard: #2 on AI Safety Gridworlds by Episode Return" in shown.stdout
    assert "tasks: Safe Exploration, Reward Hacking" in shown.stdout
    body = json.loads(CliRunner().invoke(app, ["show", "1606.06565", "--json"]).stdout)
    assert body["successors"][1]["arxiv_id"] == "1811.07871"
    assert body["leaderboard_ranks"] == [
        {"dataset": "AI Safety Gridworlds", "task": "safe-exploration", "best_rank": 2, "best_metric": "Episode Return"}
    ]
    assert body["tldr"].startswith("Five practical") and body["tasks"] == ["Safe Exploration", "Reward Hacking"]


def test_a_stored_paper_brings_its_abstract_without_a_request(cli_env, real_fixtures, monkeypatch):
    with serve(monkeypatch, real_fixtures) as server:
        first = search_json()
        asked = len(server.requests)
        again = search_json("--refresh")  # every source asked again, HTTP cache bypassed
        id_lists = [p for p in server.requests[asked:] if "id_list" in p]
    assert id_lists == []  # both abstracts came from the store the first search filled
    assert [(r["arxiv_id"], r["abstract"]) for r in again["results"]] == [
        (r["arxiv_id"], r["abstract"]) for r in first["results"]
    ]


def test_without_arxiv_the_detail_call_fills_in_and_the_rest_is_ranked_on_title(cli_env, real_fixtures, monkeypatch):
    with serve(monkeypatch, real_fixtures, answer_ids=False, missing=("1711.09883",)):
        data = search_json()
        shown = CliRunner().invoke(app, ["search", "AI safety", "--format", "table"])
    assert shown.stdout.count("alone)") == 1  # "(ranked on its title alone)", wrapped in the cell
    by_id = {r["arxiv_id"]: r for r in data["results"]}
    assert by_id["1606.06565"]["ranked_on"] == "title+abstract"
    assert by_id["1606.06565"]["abstract"].startswith("Rapid progress in machine learning")
    assert by_id["1711.09883"] | {"abstract": None, "ranked_on": "title"} == by_id["1711.09883"]
    assert "successors" not in by_id["1606.06565"]  # only with --successors


def test_the_top_papers_are_looked_up_while_the_model_encodes(cli_env, real_fixtures, monkeypatch):
    """The look-ups of code, results and stars for the papers that make the top are made before the
    final ranking (the enrichment that follows it reads them from the HTTP cache)."""
    from scout.search import pipeline

    during: list[list[str]] = []
    enrich = pipeline.enrich_papers

    def watched(*args, **kwargs):
        asked = len(server.requests)
        try:
            return enrich(*args, **kwargs)
        finally:
            during.append(server.requests[asked:])

    monkeypatch.setattr(pipeline, "enrich_papers", watched)
    with serve(monkeypatch, real_fixtures) as server:
        data = search_json()
    assert during == [[]]
    assert {r["arxiv_id"] for r in data["results"]} == {"1606.06565", "1711.09883"}
    assert any(path.startswith("/github/repos/") for path in server.requests)
    assert sum(path.startswith("/pwc/evaluations") for path in server.requests) >= 3  # 250 rows, 3 pages
