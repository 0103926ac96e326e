"""The sources' "recent" listings that `scout watch` uses: arXiv by submission date, Hugging Face
daily papers, Papers with Code by publication date, and arXiv abstracts by id."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import httpx

from scout.search.sources import arxiv, hf, pwc
from tests.fetch_rig import ATOM, make_rig
from tests.watch_replay import ARXIV_FEEDS, FIRST_PAGE, HF_LIST, PWC_ROW

JSON = {"Content-Type": "application/json"}


def test_arxiv_recent_asks_by_submission_date(real_fixtures, store):
    body = (real_fixtures / ARXIV_FEEDS / FIRST_PAGE).read_bytes()
    rig = make_rig(lambda request: httpx.Response(200, content=body, headers=ATOM), store)
    start, end = datetime(2026, 11, 23, 9, 5, tzinfo=timezone.utc), datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
    papers = arxiv.recent(rig.fetcher, "self-supervised masks", start, end, 10)
    assert len(papers) == 10
    params = rig.requests[0].url.params
    assert (
        params["search_query"]
        == '(all:"self-supervised" AND all:masks) AND submittedDate:[202611230905 TO 202611301200]'
    )
    assert (params["sortBy"], params["sortOrder"]) == ("submittedDate", "descending")


def test_arxiv_by_ids_batches_the_ids(real_fixtures, store):
    body = (real_fixtures / ARXIV_FEEDS / "id_2104.12255v1_s0_m100_6ae69987ffe1.body.xml").read_bytes()
    rig = make_rig(lambda request: httpx.Response(200, content=body, headers=ATOM), store)
    papers = arxiv.by_ids(rig.fetcher, ["2104.12255", "1", "2"], page_size=2)
    assert [r.url.params["id_list"] for r in rig.requests] == ["2104.12255,1", "2"]
    assert papers[0].arxiv_id == "2104.12255" and papers[0].abstract


def test_hf_daily_pages_until_a_short_page(real_fixtures, store):
    items = json.loads((real_fixtures / HF_LIST).read_text())

    def answer(request):
        page = int(request.url.params["p"])
        return httpx.Response(200, json=items[page * 4 : page * 4 + 4], headers=JSON)

    rig = make_rig(answer, store)
    papers = hf.daily(rig.fetcher, date(2026, 11, 30), page_size=4)
    assert len(papers) == 11 and papers[0].title == "The Llama 3 Herd of Models"
    assert [r.url.params["p"] for r in rig.requests] == ["0", "1", "2"]
    assert {r.url.params["date"] for r in rig.requests} == {"2026-11-30"}
    assert any(p.repos for p in papers)  # githubRepo comes along


def test_pwc_recent_keeps_rows_from_the_start_date_on(real_fixtures, store):
    row = json.loads((real_fixtures / PWC_ROW).read_text())["results"][0]
    pages = {
        "1": [
            {**row, "id": "1", "published": "2026-11-30"},
            {**row, "id": "2", "arxiv_id": "2611.2", "published": "2026-11-28"},
        ],
        "2": [
            {**row, "id": "3", "arxiv_id": "2611.3", "published": "2026-11-20"},
            {**row, "id": "4", "published": "2026-11-19"},
        ],
    }

    def answer(request):
        page = request.url.params["page"]
        following = int(page) + 1 if str(int(page) + 1) in pages else None
        return httpx.Response(200, json={"next_page": following, "results": pages[page]}, headers=JSON)

    rig = make_rig(answer, store)
    papers = pwc.recent(rig.fetcher, date(2026, 11, 25), 100, page_size=2)
    # The API may ignore start_date: rows before it are dropped, and a page of only those ends it.
    assert [p.pwc_id for p in papers] == ["1", "2"]
    assert [r.url.params["page"] for r in rig.requests] == ["1", "2"]
    params = rig.requests[0].url.params
    assert (params["order_by"], params["start_date"], params["include_resources"]) == (
        "date_published",
        "2026-11-25",
        "true",
    )
