"""The relaunched Papers with Code API for the tests: its one real recorded search body (read in
place from shared/fixtures) and the responses built from apis.md 1.3a in tests/data/pwc_co/
(built, not recorded: see the README there)."""

from __future__ import annotations

import json
from pathlib import Path

BUILT = Path(__file__).parent / "data" / "pwc_co"
REAL_SEARCH = "pwc_api/paperswithcode_co_2026/papers_search_q_AI_safety_page_size_1_keyword.json"
EMPTY_ARXIV = "arxiv/arxiv.py_recorded_2026/id_0000.0000_s0_m100_8b51d9633a68.body.xml"
ATOM = "application/atom+xml; charset=utf-8"
JSON = "application/json"


def built(name: str):
    return json.loads((BUILT / name).read_text())


def paged(rows: list, query: dict) -> dict:
    """A plain list of rows served the way the API pages: `{count, next_page, results}`."""
    page, size = int(query.get("page", 1)), int(query.get("page_size", 100))
    chunk = rows[(page - 1) * size : page * size]
    return {"count": len(rows), "next_page": page + 1 if page * size < len(rows) else None, "results": chunk}


def pwc_route(real_fixtures, missing: tuple[str, ...] = ()):
    """A route for tests.replay.ReplayServer answering every endpoint the built files cover;
    paper details named in `missing` answer 404."""

    def route(rest: str, query: dict):
        def ok(body):
            return 200, JSON, json.dumps(body).encode(), {}

        if rest.startswith("/papers/search"):
            if query.get("page", "1") == "1":
                return 200, JSON, (real_fixtures / REAL_SEARCH).read_bytes(), {}
            return ok(built("papers_search_AI_safety_page_2.json"))
        if rest.startswith("/papers/arxiv/"):
            arxiv = rest.removeprefix("/papers/arxiv/")
            path = BUILT / f"paper_arxiv_{arxiv}.json"
            return None if arxiv in missing or not path.exists() else ok(built(path.name))
        if rest.startswith("/evaluations"):
            if query.get("paper_id") == "412":
                return ok(paged(built("evaluations_paper_412_250_rows.json"), query))
            if query.get("dataset_id") == "30":
                return ok(built("evaluations_dataset_30.json"))
            return ok({"count": 0, "next_page": None, "results": []})
        if rest.startswith("/tasks"):
            return ok(built("tasks_q_image_classification.json"))
        if rest.startswith("/datasets"):
            name = (
                "datasets_task_image_classification.json" if "task" in query else "datasets_q_image_classification.json"
            )
            return ok(built(name))
        return None

    return route


def arxiv_route(real_fixtures, answer_ids: bool = True):
    """arXiv: an empty result for searches (recorded), the built feed for an `id_list` request."""

    def route(rest: str, query: dict):
        if query.get("id_list") and answer_ids:
            return 200, ATOM, (BUILT / "arxiv_id_list_1606.06565_1711.09883.xml").read_bytes(), {}
        return 200, ATOM, (real_fixtures / EMPTY_ARXIV).read_bytes(), {}

    return route
