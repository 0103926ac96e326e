"""`scout sota`: the leaderboard online (paperswithcode.co replayed from pages built from apis.md
1.3a, tests/data/pwc_co) and offline (the real sota-extractor archive samples in shared/fixtures),
the fallback when the API is down, and `scout baseline --from-sota`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from scout.cli import app
from scout.leaderboard.board import code_targets
from scout.leaderboard.rows import lower_is_better, order_rows, parse_rows, pick_metric
from scout.metrics import parse_number
from scout.store import Store
from tests.cli_helpers import run_baseline
from tests.pwc_co import arxiv_route, built, pwc_route
from tests.pwc_dumps import SNLI
from tests.replay import ReplayServer

SAMPLES = "pwc_dumps/sota-extractor_evaluation-tables-format"


def run(*args):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def api(real_fixtures, monkeypatch):
    server = ReplayServer({"/pwc": pwc_route(real_fixtures), "/arxiv": arxiv_route(real_fixtures)})
    monkeypatch.setenv("SCOUT_PWC_URL", f"{server.url}/pwc")
    with server:
        yield server


# -- pure ordering -------------------------------------------------------------------------------


def test_rows_parse_and_order_by_the_api_rank():
    rows, skipped = parse_rows(built("evaluations_dataset_30.json")["results"])
    assert skipped == 1  # the row without metrics
    assert pick_metric(rows, None) == "Top 1 Accuracy"
    ordered = order_rows(rows, "Top 1 Accuracy", by_api_rank=True)
    assert [r.best_rank for r in ordered][:3] == [1, 1, 2]  # Segmenter (another task) is filtered by the board
    assert ordered[0].value("Top 1 Accuracy") in (91.0, None)
    by_top5 = order_rows(rows, "Top 5 Accuracy", by_api_rank=False)
    assert [r.value("Top 5 Accuracy") for r in by_top5][:4] == [99.1, 98.7, 98.5, 92.9]
    assert lower_is_better("Test perplexity") and lower_is_better("Number of params")
    assert not lower_is_better("Top 1 Accuracy") and not lower_is_better("EM")


# -- online --------------------------------------------------------------------------------------

TOP4 = ["CoCa (finetuned)", "ViT-G/14", "EfficientNet-L2 (Noisy Student)", "ConvNeXt-XL"]


def test_online_leaderboard_json(cli_env, api):
    result = run("sota", "image classification", "--json", "--limit", "4")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source"], data["task"], data["dataset"], data["metric"]) == (
        "pwc", "Image Classification", "ImageNet", "Top 1 Accuracy",
    )  # fmt: skip
    assert data["resolved"]["kind"] == "task" and data["resolved"]["name"] == "Image Classification"
    assert {c["name"] for c in data["alternatives"]} >= {"Fine-Grained Image Classification", "Stanford Cars"}
    assert data["higher_is_better"] is True and data["total"] == 5 and data["warnings"] == []
    rows = data["rows"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    assert [r["method"] for r in rows] == TOP4
    assert [r["value"] for r in rows] == [91.0, 90.45, 88.4, 87.8]
    assert rows[3]["metrics_raw"]["Top 1 Accuracy"] == "87.8%"
    assert [r["extra_data"] for r in rows] == [True, True, True, False]
    assert [r["year"] for r in rows] == [2022, 2021, 2019, 2022]
    assert rows[0]["code"] == [{"url": "https://github.com/lucidrains/CoCa-pytorch", "official": False, "stars": 1100}]
    assert rows[2]["code"][0] == {
        "url": "https://github.com/google-research/noisystudent",
        "official": True,
        "stars": 760,
    }
    assert rows[2]["paper"]["title"] == "Self-training with Noisy Student improves ImageNet classification"
    asked = [p for p in api.requests if p.startswith("/pwc/evaluations")]
    assert asked and all("dataset_id=30" in p and "ordering=best_rank" in p for p in asked)
    assert any(p.startswith("/pwc/papers/arxiv/2205.01917") for p in api.requests)


def test_online_leaderboard_table_keeps_the_order(cli_env, api):
    result = run("sota", "image classification", "--limit", "4", "--format", "table")
    assert result.exit_code == 0, result.output
    positions = [result.stdout.find(name) for name in ("CoCa", "ViT-G", "Efficien", "ConvNeXt")]
    assert -1 not in positions and positions == sorted(positions)
    assert "Image Classification on ImageNet: Top 1 Accuracy, higher is better" in result.stdout
    assert "★1,100" in result.stdout and "read as task 'Image Classification'" in result.stderr


def test_another_metric_reorders_and_dataset_narrows(cli_env, api):
    data = json.loads(run("sota", "image classification", "--metric", "top 5 accuracy", "--json").stdout)
    assert data["metric"] == "Top 5 Accuracy"
    assert [r["method"] for r in data["rows"]][:2] == ["CoCa (finetuned)", "EfficientNet-L2 (Noisy Student)"]
    assert data["rows"][-1]["method"] == "ViT-G/14"  # it reports no top-5 number
    run("sota", "image classification", "--dataset", "CIFAR-10", "--json")
    assert any("dataset_id=31" in p for p in api.requests)
    bad = run("sota", "image classification", "--metric", "BLEU")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1
    assert "no metric 'BLEU' on this leaderboard; it reports: Top 1 Accuracy, Top 5 Accuracy" in bad.stderr


def test_baseline_from_sota_takes_the_top_rows_with_code(cli_env, api):
    assert run("sota", "image classification", "--json").exit_code == 0
    store = Store(cli_env / "cache" / "scout.db")
    try:
        assert code_targets(store, 3) == [
            "https://github.com/lucidrains/CoCa-pytorch",
            "https://github.com/google-research/big_vision",
            "https://github.com/google-research/noisystudent",
        ]
    finally:
        store.close()


def test_baseline_from_sota_without_a_leaderboard_is_one_line(cli_env):
    result = run_baseline(cli_env / "cache", "--from-sota")
    assert result.exit_code == 1 and "no leaderboard to take repos from; run `scout sota TASK` first" in result.stderr


# -- offline, on the real archive samples ---------------------------------------------------------


@pytest.fixture
def archive(cli_env, real_fixtures):
    files = [real_fixtures / SAMPLES / name for name in ("snli.json", "squad.json", "ogb.json", "nlp-progress.json")]
    result = run("index", "import", *map(str, files))
    assert result.exit_code == 0, result.output
    return real_fixtures / SAMPLES


def _table_rows(path, dataset: str) -> list[dict]:
    def walk(task):
        for d in task.get("datasets", []):
            if d["dataset"] == dataset:
                yield from d["sota"]["rows"]
        for sub in task.get("subtasks", []):
            yield from walk(sub)

    return [row for task in json.loads(path.read_text()) for row in walk(task)]


def test_offline_leaderboard_from_the_archive(archive):
    result = run("sota", "natural language inference", "--offline", "--json", "--limit", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source"], data["task"], data["dataset"], data["metric"]) == (
        "pwc-archive", "Natural Language Inference", "SNLI", "% Test Accuracy",
    )  # fmt: skip
    expected = sorted(
        _table_rows(archive / "snli.json", "SNLI"), key=lambda r: -parse_number(r["metrics"]["% Test Accuracy"])
    )
    assert [r["method"] for r in data["rows"]] == [r["model_name"] for r in expected[:3]]
    assert [r["value"] for r in data["rows"]] == [parse_number(r["metrics"]["% Test Accuracy"]) for r in expected[:3]]
    assert data["rows"][0]["metrics"]["% Train Accuracy"] is not None


def test_offline_code_extra_data_and_a_lower_is_better_metric(archive):
    data = json.loads(run("sota", "ogbn-arxiv", "--offline", "--json").stdout)
    assert data["resolved"] | {"score": 0} == {
        "kind": "dataset",
        "name": "ogbn-arxiv",
        "id": None,
        "score": 0,
        "exact": True,
    }
    assert (
        data["task"] == "Node Property Prediction" and data["metric"] == "Test Accuracy"
    )  # the table's own first metric
    raw = _table_rows(archive / "ogb.json", "ogbn-arxiv")
    best = max(raw, key=lambda r: parse_number(r["metrics"]["Test Accuracy"]))
    top = data["rows"][0]
    assert top["method"] == best["model_name"] and top["extra_data"] is best["uses_additional_data"]
    assert top["code"][0]["url"] == best["code_links"][0]["url"] and top["year"] == int(best["paper_date"][:4])
    small = json.loads(run("sota", "ogbn-arxiv", "--offline", "--json", "--metric", "number of params").stdout)
    params = [r["value"] for r in small["rows"]]
    assert small["higher_is_better"] is False and params == sorted(params)


def test_offline_dataset_is_found_across_tasks(archive):
    data = json.loads(run("sota", "reading comprehension", "--dataset", "squad 1.1", "--offline", "--json").stdout)
    assert (data["task"], data["dataset"], data["metric"], data["warnings"]) == (
        "Question Answering",
        "SQuAD1.1",
        "EM",
        [],
    )
    ems = [r["value"] for r in data["rows"]]
    assert ems == sorted(ems, reverse=True)
    near = json.loads(run("sota", "question answering", "--dataset", "squad1 dev", "--offline", "--json").stdout)
    assert near["dataset"] == "SQuAD1.1" and near["warnings"][0].startswith("no dataset is named 'squad1 dev'")


def test_the_archive_answers_when_the_api_is_down(archive, monkeypatch):
    down = {"/pwc": lambda rest, q: (503, "text/plain", b"down", {"Retry-After": "0"})}
    with ReplayServer(down) as server:
        monkeypatch.setenv("SCOUT_PWC_URL", f"{server.url}/pwc")
        result = run("sota", "natural language inference", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "pwc-archive" and data["dataset"] == "SNLI"
    assert data["warnings"] == ["pwc: HTTP 503 after 4 tries; showing the imported archive"]
    assert "warning" in result.stderr


def test_nothing_to_answer_with_is_one_line(cli_env, monkeypatch):
    monkeypatch.setenv("SCOUT_PWC_URL", "http://127.0.0.1:9/pwc")
    for args, message in (
        (["sota", "image classification"], "and no Papers with Code archive is imported to fall back on"),
        (["sota", "image classification", "--offline"], "no leaderboards are stored"),
        (["sota", "  "], "the task is empty"),
        (["sota", "x", "--limit", "0"], "--limit must be 1 or more"),
    ):
        result = run(*args)
        status = 2 if "--limit" in args else 1  # a bad option value is a usage error
        assert result.exit_code == status and message in result.stderr and result.stderr.count("\n") == 1, result.output


def test_snli_fixture_name_matches(real_fixtures):
    assert (real_fixtures / "pwc_dumps" / SNLI).is_file()
