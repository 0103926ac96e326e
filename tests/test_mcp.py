"""`scout mcp` end to end: the server runs as a subprocess and the MCP SDK's own stdio client talks
to it, against the recorded sources replayed on a local HTTP server. The subprocess is
tests/mcp_server.py (the real CLI with the fake embedder); one slow test runs the real `scout`
executable with the bundled model."""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from typer.testing import CliRunner

from scout.cli import app
from scout.config import load_settings
from scout.mcp.progress import Progress
from scout.mcp.server import ScoutTools
from tests.conftest import unavailable
from tests.pwc_co import arxiv_route, pwc_route
from tests.replay import ReplayServer
from tests.test_search_cli import recorded_routes as _recorded_routes

ROOT = Path(__file__).resolve().parents[1]
recorded_routes = _recorded_routes  # the fixture: the sources as the search CLI tests replay them
TOOLS = {"search", "show", "sota", "plan_baseline", "run_baseline", "runs", "new_experiment"}
EVAL_OK = "print('test accuracy: 0.93')\n"


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.scout]\nbackoff_s = 0.0\narxiv_delay_s = 0.0\n")
    return tmp_path


def source_urls(replay_url: str) -> dict[str, str]:
    return {f"SCOUT_{name.upper()}_URL": f"{replay_url}/{name}" for name in ("pwc", "arxiv", "hf", "github")}


def server(workdir: Path, urls: str | None = None, *, real: bool = False) -> StdioServerParameters:
    # The SDK starts the server with a minimal environment (no XDG_*): the shared cache is named too.
    env = {
        "SCOUT_CACHE_DIR": str(workdir / "cache"),
        "SCOUT_SHARED_CACHE_DIR": str(workdir / "shared"),
        "PYTHONPATH": str(ROOT),
        "SCOUT_SURE_AT": "0.5",
    }
    if urls:
        env.update(source_urls(urls))
    if real:
        return StdioServerParameters(command=shutil.which("scout") or "scout", args=["mcp"], env=env, cwd=workdir)
    return StdioServerParameters(command=sys.executable, args=["-m", "tests.mcp_server"], env=env, cwd=workdir)


def talk(params: StdioServerParameters, conversation):
    """Run `conversation(client)` against a fresh server and return what it returns."""

    async def main():
        async with Client(params, read_timeout_seconds=120) as client:
            return await conversation(client)

    return anyio.run(main)


def cli_json(monkeypatch, workdir: Path, replay_url: str, embedder, *args: str) -> dict:
    """The CLI's --json, in process, on the server's cache and sources (with the same fake embedder)."""
    monkeypatch.chdir(workdir)
    for name, value in {"SCOUT_CACHE_DIR": str(workdir / "cache"), **source_urls(replay_url)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("scout.search.embed.load_embedder", lambda model, cache_dir, **kw: embedder)
    printed = CliRunner().invoke(app, [*args, "--json"])
    assert printed.exit_code == 0, printed.output
    return json.loads(printed.stdout)


def payload(result) -> dict:
    """The JSON of a successful call: the first text block, equal to the structured content."""
    assert not result.is_error, result.content[0].text
    data = json.loads(result.content[0].text)
    assert data == result.structured_content
    return data


def error_text(result) -> str:
    assert result.is_error
    text = result.content[0].text
    assert "\n" not in text and "Traceback" not in text
    return text


def test_lists_the_tools_the_resources_and_the_skill(workdir):
    async def conversation(client):
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
        skill = await client.read_resource("scout://skill")
        ledger = await client.read_resource("scout://runs")
        return tools, resources, skill.contents[0].text, json.loads(ledger.contents[0].text)

    tools, resources, skill, ledger = talk(server(workdir), conversation)
    assert set(tools) >= TOOLS
    run = tools["run_baseline"].annotations
    assert run.destructive_hint is True and run.open_world_hint is True and run.read_only_hint is False
    assert tools["show"].annotations.read_only_hint is True
    schema = tools["run_baseline"].input_schema["properties"]
    assert schema["confirm"]["default"] is False and schema["timeout"]["exclusiveMinimum"] == 0
    assert "from" in tools["new_experiment"].input_schema["properties"]
    assert set(tools["search"].input_schema["required"]) == {"query"}
    assert resources == {"scout://search/latest", "scout://runs", "scout://skill"}
    assert skill.startswith("---\nname: scout\n") and "plan_baseline" in skill
    assert ledger == {"schema": 2, "runs": [], "groups": []}
    assert not (workdir / "cache").exists()  # listing and reading an empty ledger create no cache


def test_search_returns_the_cli_json_with_progress_then_show_and_the_latest_search(
    workdir,
    recorded_routes,
    monkeypatch,
    fake_embedder,
):
    progress = []

    async def on_progress(value, total, message):
        progress.append((value, message))

    async def conversation(client):
        found = await client.call_tool(
            "search",
            {"query": "generative adversarial networks", "limit": 5},
            progress_callback=on_progress,
        )
        data = payload(found)
        shown = await client.call_tool("show", {"paper_id": data["results"][0]["id"]})
        latest = await client.read_resource("scout://search/latest")
        return data, payload(shown), json.loads(latest.contents[0].text)

    with ReplayServer(recorded_routes) as replay:
        data, shown, latest = talk(server(workdir, replay.url), conversation)
        # The CLI's --json on the same cache, now answered from the HTTP cache: the same document.
        cli = ("search", "generative adversarial networks", "--limit", "5")
        expected = cli_json(monkeypatch, workdir, replay.url, fake_embedder, *cli)
        assert cli_json(monkeypatch, workdir, replay.url, fake_embedder, "show", data["results"][0]["id"]) == shown
    assert set(data) == set(expected)
    assert {**data, "searched_at": None} == {**expected, "searched_at": None}
    assert [r["rank"] for r in data["results"]] == [1, 2, 3, 4, 5]
    assert all(source["ok"] for source in data["sources"].values())
    assert shown["id"] == data["results"][0]["id"] and "abstract" in shown and "repos" in shown
    assert latest == data  # this server ran the latest search: the resource has its scores
    # The CLI ran the latest search since: a server serves it from the store, in order, without scores.
    stored = ScoutTools(load_settings()).latest_search()
    assert [r["id"] for r in stored["results"]] == [r["id"] for r in expected["results"]]
    assert stored["results"][0]["score"] is None and set(stored) == set(expected)
    assert set(stored["results"][0]) == set(expected["results"][0])
    values = [value for value, _ in progress]
    assert values == sorted(values) and len(set(values)) == len(values)
    messages = " | ".join(message for _, message in progress)
    assert "asking pwc, arxiv, hf" in messages and "embedding abstracts" in messages and "ranking" in messages


def test_sota_returns_the_cli_leaderboard_json(workdir, real_fixtures, monkeypatch, fake_embedder):
    routes = {"/pwc": pwc_route(real_fixtures), "/arxiv": arxiv_route(real_fixtures)}

    async def conversation(client):
        return await client.call_tool("sota", {"query": "image classification", "limit": 4})

    with ReplayServer(routes) as replay:
        data = payload(talk(server(workdir, replay.url), conversation))
        expected = cli_json(
            monkeypatch, workdir, replay.url, fake_embedder, "sota", "image classification", "--limit", "4"
        )
    assert {**data, "made_at": None} == {**expected, "made_at": None}
    assert (data["task"], data["dataset"], data["metric"]) == ("Image Classification", "ImageNet", "Top 1 Accuracy")
    assert [row["rank"] for row in data["rows"]] == [1, 2, 3, 4]


def test_bad_arguments_are_one_line_tool_errors_and_the_server_keeps_serving(workdir):
    async def conversation(client):
        answers = {
            "wrong type": await client.call_tool("search", {"query": "gans", "limit": "many"}),
            "missing": await client.call_tool("search", {}),
            "empty query": await client.call_tool("search", {"query": "   ", "offline": True}),
            "unknown source": await client.call_tool("search", {"query": "gans", "sources": ["scholar"]}),
            "unknown paper": await client.call_tool("show", {"paper_id": "arxiv:0000.00000"}),
            "empty task": await client.call_tool("sota", {"query": ""}),
            "bad device": await client.call_tool("run_baseline", {"confirm": True, "device": "tpu"}),
            "unknown template": await client.call_tool("new_experiment", {"name": "x", "template": "nope"}),
            "unknown tool": await client.call_tool("teleport", {}),
        }
        after = await client.call_tool("runs", {})
        return answers, after

    answers, after = talk(server(workdir), conversation)
    texts = {name: error_text(result) for name, result in answers.items()}
    assert texts["wrong type"].startswith("invalid arguments for search: limit:")
    assert "query: Field required" in texts["missing"]
    assert texts["empty query"].startswith("the query is empty")
    assert "sources.0" in texts["unknown source"]
    assert "no paper 'arxiv:0000.00000'" in texts["unknown paper"]
    assert texts["empty task"].startswith("the task is empty")
    assert "'tpu' is not one of auto, cpu, cuda" in texts["bad device"]
    assert "unknown template 'nope'" in texts["unknown template"]
    assert "teleport" in texts["unknown tool"]
    assert payload(after) == {"schema": 2, "runs": [], "groups": []}


def test_run_baseline_refuses_without_confirm_then_plan_then_a_confirmed_run(workdir, make_git_repo):
    marker = workdir / "ran"
    readme = "# tiny\n\n## Evaluation\n\n```\npython eval.py --data /path/to/data\n```\n"
    repo = make_git_repo("tiny", {"eval.py": f"open({str(marker)!r}, 'w').close()\n" + EVAL_OK, "README.md": readme})
    cache = workdir / "cache"
    progress = []

    async def on_progress(value, total, message):
        progress.append(message)

    async def conversation(client):
        refused = await client.call_tool("run_baseline", {"repos": [str(repo)], "env": "current"})
        assert not marker.exists() and not cache.exists()  # nothing cloned, no run folder, no store
        without_search = await client.call_tool("plan_baseline", {})
        planned = await client.call_tool("plan_baseline", {"repos": [str(repo)], "device": "cpu"})
        assert not marker.exists() and not any((cache / "runs").glob("*"))
        before = await client.call_tool("runs", {})
        ran = await client.call_tool(
            "run_baseline",
            {
                "repos": [str(repo)],
                "env": "current",
                "confirm": True,
                "timeout": 600,  # a guard; the run takes a second
                "sets": [f"/path/to/data={workdir}"],
            },
            progress_callback=on_progress,
        )
        ledger = await client.read_resource("scout://runs")
        return refused, without_search, planned, before, ran, json.loads(ledger.contents[0].text)

    refused, without_search, planned, before, ran, ledger = talk(server(workdir), conversation)
    assert "needs confirm: true" in error_text(refused) and "plan_baseline" in error_text(refused)
    assert "no stored search to take repos from" in error_text(without_search)
    [plan] = payload(planned)["plans"]
    assert {"repo", "commit", "command", "source", "cwd", "setup", "candidates", "needs"} <= set(plan)
    assert {"confidence", "sure", "pick"} <= set(plan) and "probability" in plan["candidates"][0]
    assert plan["command"] == "python eval.py --data /path/to/data" and len(plan["commit"]) == 40
    assert "README.md" in plan["source"]
    assert any("/path/to/data" in need["detail"] for need in plan["needs"])  # what the run still needs
    assert payload(before) == {"schema": 2, "runs": [], "groups": []}
    [run] = payload(ran)["runs"]
    assert run["status"] == "ok" and run["metrics"] == {"test_accuracy": 0.93} and marker.exists()
    assert run["command"] == f"python eval.py --data {workdir}" and run["baseline_for"] == ["test_accuracy"]
    assert ledger == payload(ran)
    assert any("running 1 evaluation" in m for m in progress) and any(": ok" in m for m in progress)


def test_run_baseline_with_seeds_records_each_seed_and_the_group(workdir, make_git_repo):
    script = "import os\nprint(f\"test accuracy: {0.9 + int(os.environ['SCOUT_SEED']) / 1000}\")\n"
    repo = make_git_repo("seeded", {"eval.py": script, "README.md": "## Evaluation\n\n```\npython eval.py\n```\n"})
    common = {"repos": [str(repo)], "env": "current", "confirm": True, "cmd": "python eval.py"}

    async def conversation(client):
        refused = {
            "zero": await client.call_tool("run_baseline", {**common, "seeds": 0}),
            "negative": await client.call_tool("run_baseline", {**common, "seeds": [1, -2]}),
            "empty": await client.call_tool("run_baseline", {**common, "seeds": []}),
        }
        counted = await client.call_tool("run_baseline", {**common, "seeds": 2, "seed": 10})
        listed = await client.call_tool("run_baseline", {**common, "seeds": [3, 7, 3]})
        return refused, counted, listed

    refused, counted, listed = talk(server(workdir), conversation)
    assert all(
        error_text(result).startswith("invalid arguments for run_baseline: seeds") for result in refused.values()
    )
    for result, seeds in ((counted, [10, 11]), (listed, [3, 7])):
        data = payload(result)
        assert [run["seed"] for run in data["runs"]] == seeds
        assert [run["metrics"]["test_accuracy"] for run in data["runs"]] == [0.9 + seed / 1000 for seed in seeds]
        [group] = data["groups"]
        assert group["seeds"] == seeds and group["aggregate"]["test_accuracy"]["n"] == 2


def test_new_experiment_from_the_template(workdir):
    target = workdir / "exp1"

    async def conversation(client):
        made = await client.call_tool(
            "new_experiment", {"name": "exp1", "template": "classification", "dir": str(target)}
        )
        again = await client.call_tool(
            "new_experiment", {"name": "exp1", "template": "classification", "dir": str(target)}
        )
        return made, again

    made, again = talk(server(workdir), conversation)
    data = payload(made)
    assert data["path"] == str(target) and data["template"] == "classification" and data["from"] is None
    assert len(data["commit"]) == 40 and (target / "train.py").is_file()
    assert "not empty" in error_text(again)


def test_progress_values_only_grow_whichever_thread_reports():
    sent = []

    class Ctx:
        async def report_progress(self, progress, total, message):
            sent.append((progress, message))

    def in_threads(progress):
        progress.step("asking")
        progress.part(5, 10, "embedding")
        progress.part(10, 10, "embedding")
        worker = threading.Thread(target=progress.note, args=("a line from a run's own thread",))
        worker.start()
        worker.join()
        progress.step("ranking")

    async def run():
        progress = Progress(Ctx(), min_interval_s=0)
        await anyio.to_thread.run_sync(in_threads, progress)

    anyio.run(run)
    values = [value for value, _ in sent]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert [message for _, message in sent] == [
        "asking",
        "embedding 5/10",
        "embedding 10/10",
        "a line from a run's own thread",
        "ranking",
    ]
    assert values[0] == 1 and values[-1] == 2


def test_scout_skill_prints_the_packaged_skill():
    printed = CliRunner().invoke(app, ["skill"])
    assert printed.exit_code == 0
    front, body = printed.stdout.split("\n---\n", 1)
    assert front.startswith("---\nname: scout\ndescription:") and "run_baseline" in body


@pytest.mark.slow
def test_the_real_scout_executable_searches_with_the_bundled_model(workdir, recorded_routes):
    if shutil.which("scout") is None:
        unavailable("the scout executable is not on PATH (pip install -e .)")

    async def conversation(client):
        return await client.call_tool("search", {"query": "generative adversarial networks", "limit": 3})

    with ReplayServer(recorded_routes) as replay:
        data = payload(talk(server(workdir, replay.url, real=True), conversation))
    # Ranked by the bundled model's feed-forward int8 version (scout.search.offline.ranking_embedder).
    assert data["model"] == "all-MiniLM-L6-v2-int8ffn" and len(data["results"]) == 3
    assert os.path.isdir(workdir / "cache")
