"""Papers with Code: the old API's recorded answers, the new API's documented shapes (no recording of
it exists; those payloads are built from the field names in reference/apis.md 1.3), and fetching."""

from __future__ import annotations

import json

import httpx
import pytest

from scout.errors import SourceError
from scout.models import Paper, Repo, Result
from scout.search.sources import pwc
from tests.fetch_rig import cached_count, make_rig

BASE = "https://paperswithcode.co/api/v1"
SAMPLES = "pwc_api/codingpot_paperswithcode-go"
HRNET = "hrnet-ocr (hierarchical multi-scale attention)"


def load(real_fixtures, name: str):
    return json.loads((real_fixtures / SAMPLES / name).read_text())


def test_old_paper_list(real_fixtures):
    data = load(real_fixtures, "paper_list_response.json")
    page = pwc.parse_page(data)
    assert (page.total, page.size, len(page.papers)) == (761618, 50, 50)
    first = page.papers[0]
    assert first.title == "Neural networks and physical systems with emergent collective computational abilities"
    assert first.authors == ("J J Hopfield",)
    assert first.published == "1982-01-15"
    assert first.arxiv_id is None
    assert first.url == "https://www.pnas.org/content/79/8/2554"
    assert first.pwc_id == "neural-networks-and-physical-systems-with"
    assert first.sources == ("pwc",)
    with_arxiv = [p for p in page.papers if p.arxiv_id]
    assert len(with_arxiv) == sum(1 for item in data["results"] if item["arxiv_id"])
    assert all(p.url == f"https://arxiv.org/abs/{p.arxiv_id}" and "v" not in p.arxiv_id for p in with_arxiv)


def test_old_paper_detail(real_fixtures):
    paper = pwc.parse_detail(load(real_fixtures, "paper_get_response.json"))
    assert paper.title == "Generative Adversarial Networks"
    assert paper.arxiv_id == "1406.2661"  # url_abs carries v1
    assert paper.url == "https://arxiv.org/abs/1406.2661"
    assert paper.published == "2014-06-10"
    assert len(paper.authors) == 8 and paper.authors[-1] == "Yoshua Bengio"
    assert paper.pwc_id == "generative-adversarial-networks"
    assert paper.repos == () and paper.citations is None


def test_old_results_keep_raw_text(real_fixtures):
    assert pwc.parse_evaluations(load(real_fixtures, "paper_result_list.json")) == [
        Result(task=None, dataset=None, metric="mean iou (class)", value=85.1, model=HRNET, raw="85.1%"),
        Result(task=None, dataset=None, metric="pq", value=17.6, model=HRNET, raw="17.6"),
    ]


def test_new_api_shapes():
    page = pwc.parse_page(
        {
            "total": 2,
            "items": [
                {
                    "id": 4821,
                    "arxiv_id": "2112.01527v3",
                    "title": "Masked-attention Mask Transformer",
                    "authors": [{"name": "Bowen Cheng"}, "Ishan Misra"],
                    "published": "2021-12-02T00:00:00Z",
                    "citation_count": 2710,
                    "repositories": [{"url": "https://github.com/facebookresearch/Mask2Former", "is_official": True}],
                },
                {"id": 9, "title": None},
            ],
        }
    )
    assert (page.total, page.size) == (2, 2)
    assert page.papers == [
        Paper(
            title="Masked-attention Mask Transformer",
            authors=("Bowen Cheng", "Ishan Misra"),
            published="2021-12-02",
            arxiv_id="2112.01527",
            url="https://arxiv.org/abs/2112.01527",
            sources=("pwc",),
            repos=(Repo("https://github.com/facebookresearch/Mask2Former", official=True),),
            citations=2710,
            pwc_id="4821",
        )
    ]
    rows = {
        "count": 1,
        "results": [
            {
                "id": 1,
                "paper_id": 4821,
                "model_name": "Mask2Former (Swin-L)",
                "metrics": {"PQ": "57.8", "AP": None},
                "task_name": "Panoptic Segmentation",
                "dataset": {"name": "COCO minival"},
            }
        ],
    }
    assert pwc.parse_evaluations(rows) == [
        Result("Panoptic Segmentation", "COCO minival", "PQ", 57.8, "Mask2Former (Swin-L)", "57.8"),
        Result("Panoptic Segmentation", "COCO minival", "AP", None, "Mask2Former (Swin-L)", None),
    ]


def test_old_search_rows_wrap_paper_and_repository(real_fixtures):
    paper = load(real_fixtures, "paper_get_response.json")
    repo = {
        "url": "https://github.com/goodfeli/adversarial",
        "owner": "goodfeli",
        "name": "adversarial",
        "stars": 3700,
        "framework": "none",
    }
    [parsed] = pwc.parse_page(
        {"count": 1, "results": [{"paper": paper, "repository": repo, "is_official": True}]}
    ).papers
    assert parsed.repos == (
        Repo("https://github.com/goodfeli/adversarial", official=True, stars=3700, framework="none"),
    )


# -- through the Fetcher -------------------------------------------------------------------------


def paged_server(items: list):
    """Serves real records the way the search endpoint pages them."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/papers/search"
        page, size = int(request.url.params["page"]), int(request.url.params["page_size"])
        return httpx.Response(200, json={"count": len(items), "results": items[(page - 1) * size : page * size]})

    return answer


def test_search_pages_until_limit(real_fixtures, store):
    items = load(real_fixtures, "paper_list_response.json")["results"]
    rig = make_rig(paged_server(items), store)
    papers = pwc.search(rig.fetcher, "neural networks", 30)
    assert [p.pwc_id for p in papers] == [item["id"] for item in items[:30]]
    assert [dict(r.url.params) for r in rig.requests] == [
        {"q": "neural networks", "page": "1", "page_size": "30", "mode": "hybrid"}
    ]

    rig = make_rig(paged_server(items), store)
    papers = pwc.search(rig.fetcher, "hopfield", 45, page_size=20)
    assert [p.pwc_id for p in papers] == [item["id"] for item in items[:45]]
    assert [(r.url.params["page"], r.url.params["page_size"]) for r in rig.requests] == [
        ("1", "20"),
        ("2", "20"),
        ("3", "20"),
    ]


def test_search_stops_when_results_run_out(real_fixtures, store):
    items = load(real_fixtures, "paper_list_response.json")["results"]
    rig = make_rig(paged_server(items), store)
    assert len(pwc.search(rig.fetcher, "anything", 500)) == 50
    assert len(rig.requests) == 1  # 50 answers to a page of 100: there is no next page


def detail_server(real_fixtures, detail_status=200, evaluations_status=200):
    detail = load(real_fixtures, "paper_get_response.json")
    detail["repositories"] = [{"url": "https://github.com/goodfeli/adversarial", "is_official": True}]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/papers/arxiv/1406.2661":
            assert request.url.params["include_resources"] == "true"
            return httpx.Response(detail_status, json=detail if detail_status == 200 else {"detail": "Not found."})
        assert request.url.path == "/api/v1/evaluations/"
        assert request.url.params["paper_id"] == "generative-adversarial-networks"
        if evaluations_status != 200:
            return httpx.Response(evaluations_status, json={"detail": "Not found."})
        return httpx.Response(200, json=load(real_fixtures, "paper_result_list.json"))

    return answer


GAN = Paper(
    title="Generative Adversarial Networks",
    arxiv_id="1406.2661",
    sources=("arxiv",),
    url="https://arxiv.org/abs/1406.2661",
    repos=(Repo("https://github.com/someone/gan-copy", stars=3),),
)


def test_enrich_adds_repos_results_and_source(real_fixtures, store):
    rig = make_rig(detail_server(real_fixtures), store)
    paper = pwc.enrich(rig.fetcher, GAN)
    assert paper.sources == ("arxiv", "pwc")
    assert paper.pwc_id == "generative-adversarial-networks"
    assert paper.repos == (Repo("https://github.com/goodfeli/adversarial", official=True), GAN.repos[0])
    assert [(r.metric, r.value, r.raw) for r in paper.results] == [
        ("mean iou (class)", 85.1, "85.1%"),
        ("pq", 17.6, "17.6"),
    ]
    assert paper.published == "2014-06-10" and len(paper.authors) == 8
    assert len(rig.requests) == 2
    again = make_rig(lambda request: pytest.fail("the cache should have answered"), store)
    assert pwc.enrich(again.fetcher, GAN) == paper


def test_enrich_404_means_nothing_more(real_fixtures, store):
    rig = make_rig(detail_server(real_fixtures, detail_status=404), store)
    assert pwc.enrich(rig.fetcher, GAN) is GAN
    assert len(rig.requests) == 1


def test_enrich_without_evaluations_keeps_the_repos(real_fixtures, store):
    rig = make_rig(detail_server(real_fixtures, evaluations_status=404), store)
    paper = pwc.enrich(rig.fetcher, GAN)
    assert paper.repos[0].official is True and paper.results == ()


def test_enrich_without_ids_asks_nothing(store):
    rig = make_rig(lambda request: pytest.fail("no request expected"), store)
    untitled = Paper(title="A paper only known by title")
    assert pwc.enrich(rig.fetcher, untitled) is untitled


def test_enrich_server_failure_raises(real_fixtures, store):
    rig = make_rig(detail_server(real_fixtures, detail_status=500), store)
    with pytest.raises(SourceError, match="^pwc: HTTP 500 after 4 tries$"):
        pwc.enrich(rig.fetcher, GAN)


def test_malformed_json_is_an_error_and_not_cached(store):
    rig = make_rig(
        lambda request: httpx.Response(
            200, content=b'{"count": 3, "results": [', headers={"Content-Type": "application/json"}
        ),
        store,
    )
    with pytest.raises(SourceError, match="malformed JSON"):
        pwc.search(rig.fetcher, "gan", 10)
    rig = make_rig(lambda request: httpx.Response(200, json={"detail": "unexpected"}), store)
    with pytest.raises(SourceError, match="'results' list"):
        pwc.search(rig.fetcher, "gan", 10)
    assert cached_count(store) == 0


def test_base_url_comes_from_settings(real_fixtures, store):
    items = load(real_fixtures, "paper_list_response.json")["results"]
    rig = make_rig(
        lambda request: httpx.Response(200, json={"count": 1, "results": items[:1]}),
        store,
        urls={"pwc": "http://localhost:9999/api/v1/"},
    )
    pwc.search(rig.fetcher, "hopfield", 5)
    assert str(rig.requests[0].url).startswith("http://localhost:9999/api/v1/papers/search?")
