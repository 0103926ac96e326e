"""End to end: the real `scout search` CLI against every source replayed from recorded responses
by a local HTTP server, through the SCOUT_*_URL overrides."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from scout.cli import app
from tests.replay import ReplayServer

RESULT_KEYS = {
    "rank",
    "id",
    "score",
    "similarity",
    "title",
    "abstract",
    "authors",
    "published",
    "year",
    "arxiv_id",
    "doi",
    "url",
    "sources",
    "repos",
    "results",
    "citations",
}


def _file(path, ctype):
    body = path.read_bytes()
    return lambda rest, query: (200, ctype, body, {})


@pytest.fixture
def recorded_routes(real_fixtures):
    pwc = real_fixtures / "pwc_api" / "codingpot_paperswithcode-go"
    arxiv = real_fixtures / "arxiv" / "arxiv.py_recorded_2026" / "q_testing_s0_m100_cfe7536492ca.body.xml"
    hf = real_fixtures / "hf_papers" / "hf-mcp-server" / "papers_search_q_llama_3_herd.json"
    github = real_fixtures / "github" / "PyGithub" / "decoded_repos"

    def pwc_route(rest, query):
        if rest.startswith("/papers/search"):
            # The recorded list (the old API's first 50 papers) with the recorded GAN paper on top.
            listing = json.loads((pwc / "paper_list_response.json").read_text())
            listing["results"] = [json.loads((pwc / "paper_get_response.json").read_text())] + listing["results"][:49]
            return 200, "application/json", json.dumps(listing).encode(), {}
        if rest.startswith("/papers/arxiv/1406.2661") or rest.startswith("/papers/generative-adversarial-networks"):
            detail = json.loads((pwc / "paper_get_response.json").read_text())
            detail["repositories"] = [{"url": "https://github.com/PyGithub/PyGithub", "is_official": True}]
            return 200, "application/json", json.dumps(detail).encode(), {}
        if rest.startswith("/evaluations"):
            if query.get("paper_id") in ("1406.2661", "generative-adversarial-networks"):
                return 200, "application/json", (pwc / "paper_result_list.json").read_bytes(), {}
            return 200, "application/json", b'{"count": 0, "results": []}', {}
        return None

    def github_route(rest, query):
        owner_repo = rest.removeprefix("/repos/").replace("/", "__")
        path = github / f"repos_{owner_repo}.json"
        return (200, "application/json; charset=utf-8", path.read_bytes(), {}) if path.exists() else None

    return {
        "/pwc": pwc_route,
        "/arxiv": _file(arxiv, "application/atom+xml; charset=utf-8"),
        "/hf": _file(hf, "application/json; charset=utf-8"),
        "/github": github_route,
    }


def _point_sources_at(monkeypatch, server):
    for name in ("pwc", "arxiv", "hf", "github"):
        monkeypatch.setenv(f"SCOUT_{name.upper()}_URL", f"{server.url}/{name}")


def run(*args):
    return CliRunner().invoke(app, list(args))


def test_search_json_meets_the_contract_with_every_source_replayed(cli_env, recorded_routes, monkeypatch):
    with ReplayServer(recorded_routes) as server:
        _point_sources_at(monkeypatch, server)
        result = run("search", "generative adversarial networks", "--json", "--limit", "15")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"schema", "query", "about", "model", "searched_at", "sources", "warnings", "results"}
    assert data["query"] == "generative adversarial networks" and data["about"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["searched_at"])
    assert data["sources"]["pwc"] == {"ok": True, "count": 50}
    assert data["sources"]["arxiv"]["ok"] and data["sources"]["hf"]["ok"]
    assert data["warnings"] == []
    results = data["results"]
    assert len(results) == 15
    assert [r["rank"] for r in results] == list(range(1, 16))
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    for r in results:
        assert set(r) >= RESULT_KEYS
        assert isinstance(r["repos"], list) and isinstance(r["results"], list) and isinstance(r["authors"], list)
    ids = [r["id"] for r in results]
    assert len(ids) == len(set(ids))
    gan = next(r for r in results if r["arxiv_id"] == "1406.2661")
    assert gan["title"] == "Generative Adversarial Networks" and gan["rank"] == 1
    assert gan["repos"] == [{"url": "https://github.com/PyGithub/PyGithub", "official": True, "stars": 7122}]
    assert {
        "task": None,
        "dataset": None,
        "metric": "mean iou (class)",
        "value": 85.1,
        "model": "hrnet-ocr (hierarchical multi-scale attention)",
    } in gan["results"]


def test_one_source_failing_is_a_warning_and_the_others_still_answer(cli_env, recorded_routes, monkeypatch):
    routes = dict(recorded_routes, **{"/arxiv": lambda rest, q: (503, "text/plain", b"busy", {"Retry-After": "0"})})
    with ReplayServer(routes) as server:
        _point_sources_at(monkeypatch, server)
        result = run("search", "generative adversarial networks", "--json")
        assert server.count("/arxiv") == 4
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sources"]["arxiv"] == {"ok": False, "error": "HTTP 503 after 4 tries"}
    assert data["warnings"] == ["arxiv: HTTP 503 after 4 tries; showing the other sources"]
    assert data["results"] and all("arxiv" not in r["sources"] for r in data["results"])
    assert "warning" in result.stderr and "arxiv" in result.stderr


def test_a_repeated_search_within_a_day_costs_no_network(cli_env, recorded_routes, monkeypatch):
    with ReplayServer(recorded_routes) as server:
        _point_sources_at(monkeypatch, server)
        first = run("search", "generative adversarial networks", "--json")
        calls = len(server.requests)
        second = run("search", "generative adversarial networks", "--json")
        assert len(server.requests) == calls
        run("search", "generative adversarial networks", "--json", "--refresh")
        first_asked, again = server.requests[:calls], server.requests[calls:]
    # --refresh asks every source again, and nothing the first search did not ask (it skips the
    # speculative look-ups a first search makes while it encodes: their answers could not be read back).
    searches = [p for p in first_asked if p.split("?")[0].endswith(("/papers/search", "/arxiv"))]
    assert len(searches) == 3 and set(searches) <= set(again) <= set(first_asked)
    strip = lambda out: [(r["id"], r["score"]) for r in json.loads(out)["results"]]  # noqa: E731
    assert strip(first.stdout) == strip(second.stdout)


def test_every_source_down_falls_back_to_the_store_and_says_so(cli_env, recorded_routes, monkeypatch):
    with ReplayServer(recorded_routes) as server:
        _point_sources_at(monkeypatch, server)
        assert run("search", "generative adversarial networks", "--json").exit_code == 0
    down = {prefix: (lambda rest, q: (503, "text/plain", b"down", {"Retry-After": "0"})) for prefix in recorded_routes}
    with ReplayServer(down) as server:
        _point_sources_at(monkeypatch, server)
        result = run("search", "adversarial", "--json", "--refresh")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["warnings"][-1].startswith("no source answered; showing results from the ")
    assert "papers stored locally (--offline searches them" in data["warnings"][-1]
    assert any(r["arxiv_id"] == "1406.2661" for r in data["results"])


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: connections are refused


def test_nothing_reachable_and_nothing_cached_is_exit_3_after_one_try_each(cli_env, monkeypatch):
    """Connection refused is not retried like a 503: one attempt per source (tries = 4 here),
    then exit 3 naming each source and its host."""
    from scout.search.http import Fetcher

    port = _closed_port()
    for name in ("pwc", "arxiv", "hf"):
        monkeypatch.setenv(f"SCOUT_{name.upper()}_URL", f"http://127.0.0.1:{port}/{name}")
    attempts = []
    real = Fetcher._get_capped
    monkeypatch.setattr(
        Fetcher, "_get_capped", lambda self, source, *a: attempts.append(source) or real(self, source, *a)
    )
    result = run("search", "anything")
    assert result.exit_code == 3, result.output
    assert sorted(attempts) == ["arxiv", "hf", "pwc"]
    assert result.stderr.count("\n") == 1 and "nothing is stored yet" in result.stderr
    for name in ("pwc", "arxiv", "hf"):
        assert f"{name}: cannot connect to 127.0.0.1:{port} (" in result.stderr
    as_json = run("search", "anything", "--json")
    assert as_json.exit_code == 3 and json.loads(as_json.stderr)["error"]["code"] == "unreachable"


def test_sources_that_answer_what_cannot_be_read_and_nothing_stored_is_exit_4(cli_env, recorded_routes, monkeypatch):
    """Every source answers, but with a captive portal's HTML page: not unreachable (3) but an
    upstream answer that cannot be read (4), with the `upstream` code in JSON."""
    portal = {
        prefix: (lambda rest, q: (200, "text/html", b"<html><body>Sign in to the network</body></html>", {}))
        for prefix in recorded_routes
    }
    with ReplayServer(portal) as server:
        _point_sources_at(monkeypatch, server)
        result = run("search", "anything")
        as_json = run("search", "anything", "--json")
    assert result.exit_code == 4, result.output
    assert result.stderr.count("\n") == 1 and "no source gave an answer scout can read" in result.stderr
    assert as_json.exit_code == 4 and json.loads(as_json.stderr)["error"]["code"] == "upstream"


def test_offline_searches_what_is_stored_without_network(cli_env, recorded_routes, monkeypatch):
    with ReplayServer(recorded_routes) as server:
        _point_sources_at(monkeypatch, server)
        run("search", "generative adversarial networks", "--json")
    monkeypatch.setenv("SCOUT_PWC_URL", "http://127.0.0.1:9/unreachable")
    result = run("search", "adversarial generative model", "--offline", "--json", "--limit", "5")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sources"] == {} and len(data["results"]) == 5
    assert data["results"][0]["arxiv_id"] == "1406.2661"


@pytest.mark.parametrize(
    "fmt,check",
    [
        ("jsonl", lambda out: all(json.loads(line)["rank"] for line in out.splitlines())),
        ("csv", lambda out: out.startswith("rank,id,score,similarity")),
        ("markdown", lambda out: "| # | score | title |" in out),
        ("bibtex", lambda out: "@misc{goodfellow2014generative," in out and "eprint = {1406.2661}" in out),
        ("table", lambda out: "Generative Adversarial" in out and "★" in out),
    ],
)
def test_output_formats(cli_env, recorded_routes, monkeypatch, fmt, check):
    with ReplayServer(recorded_routes) as server:
        _point_sources_at(monkeypatch, server)
        result = run("search", "generative adversarial networks", "--format", fmt, "--limit", "5")
    assert result.exit_code == 0, result.output
    assert check(result.stdout), result.stdout[:500]


def test_filters_and_show(cli_env, recorded_routes, monkeypatch):
    with ReplayServer(recorded_routes) as server:
        _point_sources_at(monkeypatch, server)
        coded = json.loads(run("search", "generative adversarial networks", "--json", "--code-only").stdout)
        recent = json.loads(run("search", "generative adversarial networks", "--json", "--since", "2020").stdout)
    assert coded["results"] and all(r["repos"] for r in coded["results"])
    assert recent["results"] and all(r["year"] >= 2020 for r in recent["results"])
    shown = run("show", "arxiv:1406.2661", "--json")
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["title"] == "Generative Adversarial Networks"
    assert "mean iou (class)" in run("show", "1406.2661").stdout


@pytest.mark.parametrize(
    "args,message,status",
    [
        (["search", "   "], "the query is empty", 1),
        (["search", "x", "--source", "scholar"], "unknown source 'scholar'", 2),
        (["search", "x", "--limit", "0"], "--limit must be 1 or more", 2),
        (["search", "x", "--about", "@/no/such/file.md"], "cannot read --about file", 1),
        (["search", "x", "--format", "yaml"], "unknown --format 'yaml'", 2),
        (["search", "x", "--ranker", "magic"], "unknown ranker 'magic'", 2),
        (["search", "x", "--sort", "stars"], "unknown --sort 'stars'", 2),
        (["search", "x", "--rerank", "/no/such/cross-encoder"], "scout never downloads a model", 1),
        (["show", "arxiv:0000.00000"], "no paper 'arxiv:0000.00000'", 1),
    ],
)
def test_bad_input_is_one_line_and_its_exit_status(cli_env, args, message, status):
    """A bad option value is a usage error (2); bad input otherwise a failure (1)."""
    result = run(*args)
    assert result.exit_code == status
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_a_corrupt_cache_database_is_one_line(cli_env):
    from scout.files import ensure_cache_dir

    ensure_cache_dir(cli_env / "cache")  # as scout made it: with its marker
    (cli_env / "cache" / "scout.db").write_bytes(b"garbage" * 1000)
    result = run("search", "x", "--offline")
    assert result.exit_code == 1 and "unreadable" in result.stderr
    assert run("cache", "clear", "--all", "--yes").exit_code == 0
    assert not (cli_env / "cache" / "scout.db").exists()
