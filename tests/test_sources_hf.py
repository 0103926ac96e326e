"""Hugging Face Papers: the recorded search answer, where repo links sit, and fetching."""

from __future__ import annotations

import json

import httpx
import pytest

from scout.errors import SourceError
from scout.models import Repo
from scout.search.sources import hf
from tests.fetch_rig import cached_count, make_rig

SAMPLE = "hf_papers/hf-mcp-server/papers_search_q_llama_3_herd.json"


@pytest.fixture
def items(real_fixtures) -> list:
    return json.loads((real_fixtures / SAMPLE).read_text())


def test_parse_recorded_search(items):
    papers = hf.parse_search(items)
    assert len(papers) == 11
    herd = papers[0]
    assert herd.title == "The Llama 3 Herd of Models"
    assert herd.arxiv_id == "2407.21783"
    assert herd.url == "https://arxiv.org/abs/2407.21783"
    assert herd.published == "2024-07-31"
    assert len(herd.authors) == 533 and herd.authors[:2] == ("Abhimanyu Dubey", "Abhinav Jauhri")
    assert herd.abstract.startswith("Modern artificial intelligence (AI) systems are powered by foundation models.")
    assert herd.sources == ("hf",) and herd.repos == ()
    assert [p.arxiv_id for p in papers][-1] == "2407.18743"
    # only one paper links a repository, and it is inside the nested paper object
    assert [(p.arxiv_id, p.repos) for p in papers if p.repos] == [
        ("2503.05856", (Repo("https://github.com/lorenzflow/robust-moa"),))
    ]


def test_repo_fields_read_from_top_level_or_nested_paper(items):
    top = dict(items[0], githubRepo="https://github.com/meta-llama/llama3", githubStars=28000)
    nested = dict(
        items[1],
        paper=dict(items[1]["paper"], githubRepo="https://github.com/MediaTek-Research/Breeze", githubStars=41),
    )
    assert hf.parse_item(top).repos == (Repo("https://github.com/meta-llama/llama3", stars=28000),)
    assert hf.parse_item(nested).repos == (Repo("https://github.com/MediaTek-Research/Breeze", stars=41),)


def test_search_through_fetcher(items, store):
    rig = make_rig(lambda request: httpx.Response(200, json=items), store)
    papers = hf.search(rig.fetcher, "llama 3 herd", 3)
    assert [p.arxiv_id for p in papers] == ["2407.21783", "2501.13921", "2411.10414"]
    [request] = rig.requests
    assert request.url.path == "/api/papers/search"
    assert dict(request.url.params) == {"q": "llama 3 herd", "limit": "3"}
    assert hf.search(rig.fetcher, "llama 3 herd", 3) == papers
    assert len(rig.requests) == 1  # the second call came from the cache


def test_rate_limit_waits_as_told(items, store):
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json=items)])
    rig = make_rig(lambda request: next(answers), store)
    assert len(hf.search(rig.fetcher, "llama", 20)) == 11
    assert rig.sleeps == [2.0]


def test_non_list_answer_is_malformed(store):
    rig = make_rig(lambda request: httpx.Response(200, json={"error": "Invalid query"}), store)
    with pytest.raises(SourceError, match="malformed JSON .*expected a JSON list"):
        hf.search(rig.fetcher, "llama", 5)
    assert cached_count(store) == 0
