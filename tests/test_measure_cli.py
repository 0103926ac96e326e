"""`scout baseline --seeds N` end to end on a small repo whose README claims a number: three runs, a
group with its aggregate and verdict, deterministic evaluations named as such, and the export."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from scout.cli import app
from tests.cli_helpers import run_baseline

README = """\
# tiny

```bash
python eval.py
```

## Results

| Model | Test Acc (%) |
|---|---|
| tiny | 93.0 |
"""
# The accuracy depends on the seed scout passes (SCOUT_SEED), as a training run's would.
SEEDED = """\
import os
seed = int(os.environ["SCOUT_SEED"])
print(f"epoch 1 train loss {0.5 - seed / 100:.3f}")
print(f"test accuracy: {0.915 + seed * 0.01:.4f}")
"""
FIXED = """\
correct = 9312
print(f"test accuracy: {correct / 10000:.4f}")
"""


def test_seeds_record_each_run_an_aggregate_and_a_verdict(tmp_path, make_git_repo):
    repo = make_git_repo("tiny", {"eval.py": SEEDED, "README.md": README})
    cache = tmp_path / "cache"
    result = run_baseline(cache, "--repo", str(repo), "--seeds", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == 2
    runs = data["runs"]
    assert [run["seed"] for run in runs] == [0, 1, 2]
    assert [run["metrics"]["test_accuracy"] for run in runs] == [0.915, 0.925, 0.935]
    assert len({run["group"] for run in runs}) == 1
    first = runs[0]
    assert first["headline"]["name"] == "test_accuracy" and first["headline"]["line"] == "test accuracy: 0.9150"
    assert first["claim"]["value"] == 0.93 and first["claim"]["source"] == "README.md § Results"
    assert [run["verdict"] for run in runs] == ["not_reproduced", "reproduced", "reproduced"]
    [group] = data["groups"]
    assert group["id"] == first["group"] and group["seeds"] == [0, 1, 2]
    stats = group["aggregate"]["test_accuracy"]
    assert abs(stats["mean"] - 0.925) < 1e-9 and abs(stats["std"] - 0.01) < 1e-9 and stats["n"] == 3
    assert stats["ci95"][0] < 0.925 < stats["ci95"][1] and group["deterministic"] is False
    assert group["verdict"] == "reproduced" and abs(group["tolerance"] - 0.02) < 1e-9  # 2 std over 3 seeds

    # `scout runs` shows the same: claim, measured mean ± std, verdict
    table = CliRunner().invoke(app, ["runs", "--format", "table", "--cache-dir", str(cache)], env={"COLUMNS": "100"})
    assert "0.925±0.01" in table.stdout and "reproduced" in table.stdout and "3 seeds" in table.stdout
    listing = json.loads(CliRunner().invoke(app, ["runs", "--json", "--cache-dir", str(cache)]).stdout)
    assert listing["groups"] == data["groups"]

    # the export: eval-results YAML, CSV with verdict and provenance
    out = tmp_path / "export"
    done = CliRunner().invoke(app, ["runs", "--export", "eval-results", "--out", str(out), "--cache-dir", str(cache)])
    assert done.exit_code == 0, done.output
    [yaml] = (out / ".eval_results").glob("*.yaml")
    text = yaml.read_text()
    assert 'task_id: "test_accuracy"' in text and "value: 0.925" in text and "mean of 3 seeds" in text
    csv_out = tmp_path / "runs.csv"
    assert (
        CliRunner().invoke(app, ["runs", "--export", "csv", "--out", str(csv_out), "--cache-dir", str(cache)]).exit_code
        == 0
    )
    header, row = csv_out.read_text().splitlines()[:2]
    assert header.startswith("id,group,repo,commit,command") and ",reproduced," in row and "0,1,2" in row


def test_a_deterministic_evaluation_is_named_not_a_spread_of_zero(tmp_path, make_git_repo):
    repo = make_git_repo("fixed", {"eval.py": FIXED, "README.md": README})
    cache = tmp_path / "cache"
    result = run_baseline(cache, "--repo", str(repo), "--seeds", "0,5,9", "--json")
    assert result.exit_code == 0, result.output
    [group] = json.loads(result.stdout)["groups"]
    assert group["seeds"] == [0, 5, 9] and group["deterministic"] is True
    assert "deterministic" in group["note"] and group["verdict"] == "reproduced"
    table = CliRunner().invoke(app, ["runs", "--format", "table", "--cache-dir", str(cache)], env={"COLUMNS": "100"})
    assert "0.9312 det." in table.stdout and "deterministic: every seed printed the same" in table.stdout


def test_bad_seeds_and_bad_export_are_one_line_errors(tmp_path):
    result = run_baseline(tmp_path / "cache", "--repo", str(tmp_path), "--seeds", "0")
    assert result.exit_code == 2 and "--seeds 0" in result.output
    result = CliRunner().invoke(app, ["runs", "--export", "xml", "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 2 and "unknown --export 'xml'" in result.output
    result = CliRunner().invoke(app, ["runs", "--export", "csv", "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 1 and "nothing to export" in result.output
