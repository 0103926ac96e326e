"""`scout report`: a recorded search (sources replayed as in test_search_cli), a test ledger and a
`scout new` project rendered to HTML and Markdown, parsed back and checked for real values."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from tests.report_rig import EVIL_TITLE, Rig, add_experiment, add_ledger, evil_title
from tests.replay import ReplayServer
from tests.test_search_cli import _point_sources_at, cli_env, recorded_routes, run  # noqa: F401


@pytest.fixture
def rig(cli_env, recorded_routes, monkeypatch) -> Rig:  # noqa: F811
    with ReplayServer(recorded_routes) as server:
        _point_sources_at(monkeypatch, server)
        found = run("search", "generative adversarial networks", "--json", "--limit", "15")
    assert found.exit_code == 0, found.output
    results = json.loads(found.stdout)["results"]
    gan = next(r for r in results if r["arxiv_id"] == "1406.2661")
    cache = cli_env / "cache"
    add_ledger(cache)
    evil = next(r for r in results if r["id"] != gan["id"])
    evil_title(cache, evil["id"])
    return Rig(cache=cache, experiment=add_experiment(cli_env / "digits"), gan_id=gan["id"])
