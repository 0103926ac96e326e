"""Watch output: the JSON shape, Markdown that titles cannot break, and RSS ordering."""

from __future__ import annotations

import json

import feedparser

from scout.models import Paper, RankedPaper, Repo
from scout.search.pipeline import SourceStatus
from scout.watch.models import Watch
from scout.watch.render import render
from scout.watch.run import WatchReport, WatchRun

WATCH = Watch("w", "mask classification", None, ("arxiv",), 0.5, "2026-11-30T00:00:00Z")


def _run() -> WatchRun:
    first = Paper("[RE] Masks [are] all you need", "abstract", ("A. Author",), "2026-11-29", "2611.00001")
    second = Paper(
        "Per-pixel classification",
        None,
        (),
        "2026-11-28",
        "2611.00002",
        repos=(Repo("https://github.com/o/r", True, 12),),
    )
    results = (
        RankedPaper(first, 1, 1.05, 0.71, close=True, parts={"lexical": 1.0, "strength": 0.0}),
        RankedPaper(second, 2, 0.8, 0.55, parts={"lexical": 0.5, "strength": 0.3}),
    )
    report = WatchReport(WATCH, {"arxiv": "2026-11-23T00:00:00Z"}, {"arxiv": SourceStatus(True, 9)}, (), 9, results)
    return WatchRun("2026-11-30T07:30:00Z", "all-MiniLM-L6-v2", (report,))


def test_json_shape():
    data = json.loads(render(_run(), "json"))
    assert set(data) == {"schema", "ran_at", "model", "watches"}
    (watch,) = data["watches"]
    assert set(watch) == {
        "name",
        "query",
        "about",
        "threshold",
        "since",
        "sources",
        "warnings",
        "considered",
        "results",
    }
    assert watch["sources"] == {"arxiv": {"ok": True, "count": 9}}
    assert [r["rank"] for r in watch["results"]] == [1, 2]
    assert watch["results"][0]["close_prior_work"] is True
    assert watch["results"][1]["repos"] == [{"url": "https://github.com/o/r", "official": True, "stars": 12}]


def test_markdown_escapes_titles_and_shows_code():
    text = render(_run(), "markdown")
    assert text.startswith("## scout watch w: 2 new papers\n")
    assert "1. [\\[RE\\] Masks \\[are\\] all you need](https://arxiv.org/abs/2611.00001) **close prior work**" in text
    assert "code: [o/r ★12](https://github.com/o/r)" in text


def test_rss_keeps_the_rank_order():
    feed = feedparser.parse(render(_run(), "rss"))
    assert not feed.bozo and feed.version == "rss20"
    assert [e.title for e in feed.entries] == [
        "[w] [RE] Masks [are] all you need (close prior work)",
        "[w] Per-pixel classification",
    ]
    assert feed.entries[0].id == "scout-watch:w:arxiv:2611.00001"
