"""Routes that replay recorded arXiv feeds, the recorded Hugging Face papers list (the shape
daily_papers items share, PROVENANCE.md: no real daily_papers capture exists) and the recorded
paperswithcode.co list row, for `scout watch` tests. `state` switches what each source answers."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

ARXIV_FEEDS = "arxiv/arxiv.py_recorded_2026"
FIRST_PAGE = "q_testing_s0_m10_bc5a6c384fe9.body.xml"  # 10 papers
LONGER_PAGE = "q_testing_s0_m15_80c242b59d59.body.xml"  # the same 10 and 5 more
EMPTY_FEED = "id_0000.0000_s0_m100_8b51d9633a68.body.xml"
HF_LIST = "hf_papers/hf-mcp-server/papers_search_q_llama_3_herd.json"
PWC_ROW = "pwc_api/paperswithcode_co_2026/papers_search_q_AI_safety_page_size_1_keyword.json"
ATOM = "application/atom+xml; charset=utf-8"
JSON = "application/json; charset=utf-8"
DOWN = (503, "text/plain", b"Service Unavailable", {})


def watch_routes(real: Path, state: dict) -> dict:
    """state: arxiv = feed file name or None (down); hf = {YYYY-MM-DD: items} or a list for every
    day, or None (down); pwc = published date of the one listed row, or None (down)."""
    feeds = real / ARXIV_FEEDS

    def arxiv_route(rest, query):
        # Abstracts by id, and pages past the recorded one, are answered with the recorded empty feed.
        if query.get("id_list") or query.get("start", "0") != "0":
            return 200, ATOM, (feeds / EMPTY_FEED).read_bytes(), {}
        if state.get("arxiv") is None:
            return DOWN
        return 200, ATOM, (feeds / state["arxiv"]).read_bytes(), {}

    def hf_route(rest, query):
        if not rest.startswith("/api/daily_papers"):
            return None
        days = state.get("hf")
        if days is None:
            return DOWN
        items = days if isinstance(days, list) else days.get(query.get("date"), [])
        return 200, JSON, json.dumps(items).encode(), {}

    def pwc_route(rest, query):
        if rest.rstrip("/") != "/papers":
            return None  # details and evaluations: Papers with Code does not know these papers
        if state.get("pwc") is None:
            return DOWN
        listing = json.loads((real / PWC_ROW).read_text())
        listing["results"][0]["published"] = state["pwc"]
        return 200, JSON, json.dumps(listing).encode(), {}

    return {"/arxiv": arxiv_route, "/hf": hf_route, "/pwc": pwc_route}


def hf_items(real: Path) -> list:
    return json.loads((real / HF_LIST).read_text())


# The moment the watch tests run at (scout.clock.utc_now is pinned to it): a real clock would
# make "today" differ between the test and scout when a run straddles midnight.
NOW = datetime(2026, 12, 4, 23, 59, 59, tzinfo=timezone.utc)


def today() -> str:
    return NOW.date().isoformat()
