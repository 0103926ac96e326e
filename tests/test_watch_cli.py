"""End to end: the real `scout watch` CLI against recorded arXiv feeds, the recorded Hugging Face
papers list and a recorded Papers with Code row, replayed by a local HTTP server."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from lxml import etree
from typer.testing import CliRunner

from scout.cli import app
from tests.replay import ReplayServer
from tests.watch_replay import FIRST_PAGE, LONGER_PAGE, NOW, hf_items, today, watch_routes

QUERY = "testing deep learning and language models"
THRESHOLD = "0.25"  # the bag-of-words stand-in's cosines are lower than the real model's


def run(*args):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def watch_env(tmp_path, monkeypatch, fake_embedder, real_fixtures):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.scout]\nbackoff_s = 0.0\narxiv_delay_s = 0.0\ntries = 1\n")
    monkeypatch.setenv("SCOUT_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("SCOUT_OFFLINE", "SCOUT_MODEL", "GITHUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("scout.search.embed.load_embedder", lambda model, cache_dir, **kw: fake_embedder)
    monkeypatch.setattr("scout.clock.utc_now", lambda: NOW)
    state = {"arxiv": FIRST_PAGE, "hf": hf_items(real_fixtures), "pwc": today()}
    with ReplayServer(watch_routes(real_fixtures, state)) as server:
        for name in ("pwc", "arxiv", "hf", "github"):
            monkeypatch.setenv(f"SCOUT_{name.upper()}_URL", f"{server.url}/{name}")
        yield server, state


def _add(name="llm-tests", *extra):
    result = run("watch", "add", name, QUERY, "--threshold", THRESHOLD, *extra)
    assert result.exit_code == 0, result.output
    return result


def _run_json(*extra):
    result = run("watch", "run", "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _queries(server, prefix):
    return [
        {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        for path in server.requests
        if path.startswith(prefix)
    ]


def test_first_run_reports_and_the_second_reports_nothing_new(watch_env):
    server, _ = watch_env
    _add()
    first = _run_json()
    (report,) = first["watches"]
    assert report["name"] == "llm-tests" and report["query"] == QUERY
    assert report["sources"]["arxiv"] == {"ok": True, "count": 10}
    assert report["sources"]["hf"]["ok"] and report["sources"]["pwc"] == {"ok": True, "count": 1}
    results = report["results"]
    assert results, "the first run reports the papers above the threshold"
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    assert all(r["similarity"] >= float(THRESHOLD) or r["close_prior_work"] for r in results)
    assert {"arxiv", "hf"} <= {s for r in results for s in r["sources"]}
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    # Below the threshold means not shown: the arXiv page has papers that did not make it.
    assert report["considered"] > len(results)

    # arXiv was asked for the watch's query, newest submissions first, over the last 7 days.
    asked = next(q for q in _queries(server, "/arxiv") if "search_query" in q)
    assert asked["sortBy"] == "submittedDate" and asked["sortOrder"] == "descending"
    assert "all:testing" in asked["search_query"] and "submittedDate:[" in asked["search_query"]
    days = {q["date"] for q in _queries(server, "/hf/api/daily_papers")}
    assert len(days) == 8 and today() in days  # today and the 7 days before
    assert report["since"]["arxiv"][:10] == min(days)

    second = _run_json()
    assert second["watches"][0]["results"] == []
    quiet = run("watch", "run", "--quiet")
    assert quiet.exit_code == 0 and quiet.stdout == ""

    listed = json.loads(run("watch", "list", "--json").stdout)["watches"]
    assert listed[0]["name"] == "llm-tests" and listed[0]["reported"] == len(results)
    assert listed[0]["last_run_at"] is not None
    assert set(listed[0]["marks"]) == {"arxiv", "hf", "pwc"}
    assert set(listed[0]["marks"].values()) == {listed[0]["last_run_at"]}


def test_a_new_page_reports_only_the_new_papers(watch_env, real_fixtures):
    server, state = watch_env
    _add()
    first = {r["id"] for r in _run_json()["watches"][0]["results"]}
    state["arxiv"] = LONGER_PAGE  # the same 10 papers and 5 new ones
    second = _run_json()["watches"][0]
    shown = {r["id"] for r in second["results"]}
    new_on_page = {
        "arxiv:2403.16981",
        "arxiv:2004.03322",
        "arxiv:1912.09881",
        "arxiv:2406.19956",
        "arxiv:1912.04900",
    }
    assert shown and shown <= new_on_page and not shown & first
    assert second["considered"] >= len(new_on_page)  # the 5 new ones (and the abstract-less pwc row)


def test_one_source_down_warns_and_the_others_still_report(watch_env):
    server, state = watch_env
    _add()
    state["hf"] = None
    result = run("watch", "run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["watches"][0]
    assert report["sources"]["hf"]["ok"] is False and "HTTP 503" in report["sources"]["hf"]["error"]
    assert report["results"] and all("hf" not in r["sources"] for r in report["results"])
    assert "hf: HTTP 503" in result.stderr and "its mark is kept" in result.stderr


def test_every_source_down_is_one_line_and_exit_1(watch_env):
    _, state = watch_env
    _add()
    state.update(arxiv=None, hf=None, pwc=None)
    result = run("watch", "run", "--quiet")
    assert result.exit_code == 1
    assert result.stdout == "" and "no source answered" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error:")


def test_rss_parses_as_an_rss_2_feed(watch_env):
    _add()
    result = run("watch", "run", "--format", "rss")
    assert result.exit_code == 0, result.output
    feed = feedparser.parse(result.stdout)
    assert not feed.bozo and feed.version == "rss20"
    assert feed.feed.title == "scout watch: llm-tests"
    assert feed.entries and all(e.title.startswith("[llm-tests] ") for e in feed.entries)
    assert all(e.link.startswith("https://arxiv.org/abs/") for e in feed.entries)
    root = etree.fromstring(result.stdout.encode())
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("./channel/item")
    assert len(items) == len(feed.entries)
    assert all(item.findtext("guid").startswith("scout-watch:llm-tests:") for item in items)
    # Looking further back finds only papers already reported: an empty feed, still valid.
    again = run("watch", "run", "--format", "rss", "--since", "2000-01-01")
    assert etree.fromstring(again.stdout.encode()).findall("./channel/item") == []


def test_markdown_is_the_default_and_names_the_papers(watch_env):
    _add()
    result = run("watch", "run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("## scout watch llm-tests: ")
    assert "https://arxiv.org/abs/" in result.stdout and "score " in result.stdout
    nothing = run("watch", "run")
    assert nothing.exit_code == 0 and "Nothing new above the threshold." in nothing.stdout


def test_remove_forgets_the_watch(watch_env):
    _add()
    assert run("watch", "rm", "llm-tests", "--yes").exit_code == 0
    assert json.loads(run("watch", "list", "--json").stdout)["watches"] == []
    _add()  # the name is free again, with a fresh memory
    assert _run_json()["watches"][0]["results"]


@pytest.mark.parametrize(
    ("args", "message", "status"),
    [
        (["watch", "run", "nope"], "no watch named 'nope'", 1),
        (["watch", "rm", "nope", "--yes"], "no watch named 'nope'", 1),
        (["watch", "add", "empty", "  "], "the query is empty", 1),
        (["watch", "add", "llm-tests", "other words"], "already exists", 1),
        (["watch", "run", "--since", "2999-01-01"], "is in the future", 2),
        (["watch", "run", "--since", "yesterday"], "is not a date", 2),
        (["watch", "add", "bad name!", "q"], "bad watch name", 1),
        (["watch", "add", "t", "q", "--threshold", "1.5"], "between 0 and 1", 2),
        (["watch", "add", "s", "q", "--source", "s2"], "unknown source 's2'", 2),
        (["watch", "run", "--format", "atom"], "unknown --format 'atom'", 2),
    ],
)
def test_bad_input_is_one_line_and_its_exit_status(watch_env, args, message, status):
    """A bad option value is a usage error (2); a name that is not there or is taken, a failure (1)."""
    _add()
    result = run(*args)
    assert result.exit_code == status, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_no_watches_yet_says_how_to_add_one(watch_env):
    result = run("watch", "run", "--quiet")
    assert result.exit_code == 1 and result.stdout == ""
    assert "no watches yet; add one with scout watch add" in result.stderr
    assert run("watch", "list").exit_code == 0


def test_reported_papers_get_the_search_enrichment(watch_env, real_fixtures):
    """Papers with Code repositories and results, then GitHub stars, for a paper the watch reports."""
    server, _ = watch_env
    pwc = real_fixtures / "pwc_api" / "codingpot_paperswithcode-go"
    github = real_fixtures / "github" / "PyGithub" / "decoded_repos" / "repos_PyGithub__PyGithub.json"
    listing = server.routes["/pwc"]

    def pwc_route(rest, query):
        if rest.startswith(("/papers/arxiv/2202.12139", "/papers/2202.12139")):  # detail by arXiv id (apis.md 1.3a)
            detail = json.loads((pwc / "paper_get_response.json").read_text())
            detail["repositories"] = [{"url": "https://github.com/PyGithub/PyGithub", "is_official": True}]
            return 200, "application/json", json.dumps(detail).encode(), {}
        if rest.startswith("/evaluations") and query.get("paper_id") == "generative-adversarial-networks":
            return 200, "application/json", (pwc / "paper_result_list.json").read_bytes(), {}
        return listing(rest, query)

    server.routes["/pwc"] = pwc_route
    server.routes["/github"] = lambda rest, query: (
        (200, "application/json", github.read_bytes(), {}) if rest == "/repos/PyGithub/PyGithub" else None
    )
    _add()
    results = _run_json()["watches"][0]["results"]
    paper = next(r for r in results if r["id"] == "arxiv:2202.12139")
    stars = json.loads(github.read_text())["stargazers_count"]
    assert paper["repos"] == [{"url": "https://github.com/PyGithub/PyGithub", "official": True, "stars": stars}]
    assert {r["metric"] for r in paper["results"]} == {"mean iou (class)", "pq"}
    assert "pwc" in paper["sources"] and paper["strength"] > 0
    # Stored as reported, so `scout show` has it in full.
    shown = run("show", "arxiv:2202.12139", "--json")
    assert json.loads(shown.stdout)["repos"][0]["stars"] == stars
