"""The Session opens what a command uses and closes it; tests hand it a MockTransport and the fake
embedder instead of monkeypatching."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from scout.config import load_settings
from scout.errors import StoreError
from scout.search.pipeline import SearchRequest, run_search
from scout.session import Session


def test_a_search_through_a_session_with_a_mock_transport(tmp_path, real_fixtures, fake_embedder):
    feed = (real_fixtures / "arxiv/arxiv.py_recorded_2026/q_testing_s0_m10_bc5a6c384fe9.body.xml").read_bytes()
    asked = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, content=feed, headers={"Content-Type": "application/atom+xml"})

    settings = dataclasses.replace(load_settings({"cache_dir": tmp_path / "cache"}), arxiv_delay_s=0.0)
    with Session(settings, transport=httpx.MockTransport(answer), embedder=fake_embedder) as session:
        report = run_search(
            SearchRequest("software testing", sources=("arxiv",), limit=5),
            settings=settings,
            store=session.store,
            embedder=session.embedder,
            fetcher=session.fetcher,
        )
        store = session.store
    assert len(report.results) == 5 and report.sources["arxiv"].ok
    assert asked and asked[0].headers["User-Agent"].startswith("scout/")
    assert fake_embedder.encoded  # the given embedder ranked them, no model was loaded
    with pytest.raises(StoreError, match="closed"):  # closed on the way out
        store.query("SELECT 1")


def test_a_session_opens_only_what_is_used(tmp_path):
    settings = load_settings({"cache_dir": tmp_path / "cache"})
    with Session(settings) as session:
        assert not session.has_store()
    assert not (tmp_path / "cache").exists()  # nothing was created
