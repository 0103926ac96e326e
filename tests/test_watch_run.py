"""scout.watch below the CLI: per-source marks under failure, windows, input rules, and the new
"recent" source listings, against recorded answers on a local server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from scout.config import Settings
from scout.errors import ConfigError
from scout.search.http import Fetcher, make_client
from scout.watch.book import WatchBook
from scout.watch.models import OVERLAP, new_watch, parse_since, window_start
from scout.watch.run import run_watches
from tests.fetch_rig import rig_cache
from tests.replay import ReplayServer
from tests.watch_replay import FIRST_PAGE, LONGER_PAGE, hf_items, watch_routes

T1 = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


@pytest.fixture
def rig(real_fixtures, store, fake_embedder):
    items = hf_items(real_fixtures)
    # The recorded list split over two days: the second day's papers only turn up on day two.
    state = {"arxiv": FIRST_PAGE, "hf": {"2026-11-30": items[:5], "2026-12-01": items[5:]}, "pwc": "2026-11-30"}
    with ReplayServer(watch_routes(real_fixtures, state)) as server:
        urls = {name: f"{server.url}/{name}" for name in ("pwc", "arxiv", "hf", "github")}
        settings = Settings(urls=urls, arxiv_delay_s=0, backoff_s=0, tries=1)
        client = make_client(settings)
        fetcher = Fetcher(client, settings, rig_cache(store), refresh=True)

        def run(now, since=None):
            return run_watches(
                [], since=since, settings=settings, store=store, embedder=fake_embedder, fetcher=fetcher, now=now
            )

        WatchBook(store).add(
            new_watch("w", "testing deep learning and language models", None, ("arxiv", "hf", "pwc"), 0.25, T1)
        )
        yield run, state, server
        client.close()


def _hf_days(server, since: int) -> set[str]:
    paths = [p for p in server.requests[since:] if p.startswith("/hf/api/daily_papers")]
    return {parse_qs(urlsplit(p).query)["date"][0] for p in paths}


def test_a_failing_source_keeps_its_mark_and_is_retried_from_it(rig, store):
    run, state, server = rig
    book = WatchBook(store)
    first = run(T1).reports[0]
    assert book.marks("w") == {"arxiv": T1, "hf": T1, "pwc": T1}
    assert any("hf" in r.paper.sources for r in first.results)

    days = state["hf"]
    state.update(hf=None, arxiv=LONGER_PAGE)
    t2 = T1 + DAY
    second = run(t2).reports[0]
    assert not second.sources["hf"].ok and second.sources["arxiv"].ok
    assert book.marks("w") == {"arxiv": t2, "hf": T1, "pwc": t2}
    assert second.results and all(r.paper.sources == ("arxiv",) for r in second.results)

    state["hf"] = days
    t3 = t2 + DAY
    before = len(server.requests)
    third = run(t3).reports[0]
    # Hugging Face is asked again from its own (older) mark, arXiv from its new one.
    assert third.since["hf"] == (T1 - OVERLAP["hf"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert third.since["arxiv"] == (t2 - OVERLAP["arxiv"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _hf_days(server, before) == {"2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"}
    # ... and what it listed on the day it was down is reported now, once.
    shown = {r.paper.id for r in third.results}
    assert "arxiv:2302.13971" in shown  # LLaMA, on the second day's list
    reported_before = {r.paper.id for r in first.results} | {r.paper.id for r in second.results}
    assert not shown & reported_before
    assert book.marks("w") == {"arxiv": t3, "hf": t3, "pwc": t3}
    assert run(t3 + DAY).reports[0].results == ()


def test_window_rules():
    now = T1
    assert window_start("arxiv", None, None, now, 7) == now - 7 * DAY
    assert window_start("arxiv", now - DAY, None, now, 7) == now - DAY - OVERLAP["arxiv"]
    since = now - 30 * DAY
    assert window_start("hf", now - DAY, since, now, 7) == since


def test_since_reads_dates_and_refuses_the_future():
    assert parse_since("2026-11-01", T1) == datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert parse_since("2026-11-29T08:30:00Z", T1) == datetime(2026, 11, 29, 8, 30, tzinfo=timezone.utc)
    with pytest.raises(ConfigError, match="in the future"):
        parse_since("2026-12-01", T1)
    with pytest.raises(ConfigError, match="not a date"):
        parse_since("last week", T1)


def test_new_watch_checks_its_input():
    watch = new_watch(" w1 ", "  mask   classification ", "  ", ("hf", "hf", "arxiv"), 0.5, T1)
    assert (watch.name, watch.query, watch.about, watch.sources) == ("w1", "mask classification", None, ("hf", "arxiv"))
    for args, message in [
        (("", "q", None, ("hf",), 0.5), "bad watch name"),
        (("a/b", "q", None, ("hf",), 0.5), "bad watch name"),
        (("w", "", None, ("hf",), 0.5), "the query is empty"),
        (("w", " ?! ", None, ("hf",), 0.5), "the query is empty"),
        (("w", "q", None, (), 0.5), "no source selected"),
        (("w", "q", None, ("hf",), -0.1), "between 0 and 1"),
    ]:
        with pytest.raises(ConfigError, match=message):
            new_watch(*args, T1)


def test_a_listing_is_fetched_once_per_run_for_all_watches(rig, store):
    run, state, server = rig
    WatchBook(store).add(new_watch("w2", "continual pre-training", None, ("hf", "pwc"), 0.25, T1))
    run(T1)
    days = [p for p in server.requests if p.startswith("/hf/api/daily_papers")]
    assert len(days) == len(set(days)) == 8  # both watches, one request a day
    # Its pages are asked once for both watches (the listing follows `next_page`, so may be two).
    listing = [p for p in server.requests if p.startswith("/pwc/papers/?")]
    assert listing and len(listing) == len(set(listing))

    state["hf"] = None
    before = len(server.requests)
    reports = run(T1 + DAY).reports
    assert all(not r.sources["hf"].ok for r in reports)
    # The failed day is asked once (tries=1), not again for the second watch.
    failed = [p for p in server.requests[before:] if p.startswith("/hf/api/daily_papers")]
    assert len(failed) == 1
