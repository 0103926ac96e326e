"""`scout baseline --plan --skypilot DIR`: each plan as a SkyPilot task, read back as YAML."""

from __future__ import annotations

import subprocess

import yaml
from typer.testing import CliRunner

from scout.cli import app
from tests.cli_helpers import documented

EVAL = "print('test accuracy: 0.93')\n"


def _plan(cache, *args):
    return CliRunner().invoke(app, ["baseline", "--plan", "--cache-dir", str(cache), *args])


def test_a_plan_becomes_a_skypilot_task_with_its_checkout_installs_and_command(tmp_path, make_git_repo):
    repo = make_git_repo(
        "tiny",
        documented({"run.py": EVAL, "requirements.txt": "numpy\n"}, "python run.py --split test"),
    )
    out = tmp_path / "sky"
    result = _plan(tmp_path / "cache", "--repo", str(repo), "--pick", "1", "--seed", "7", "--skypilot", str(out))
    assert result.exit_code == 0, result.output
    [path] = list(out.glob("*.sky.yaml"))
    assert f"wrote {path}" in result.stderr
    text = path.read_text()
    task = yaml.safe_load(text)
    assert task["name"] == path.name.removesuffix(".sky.yaml") and task["name"].startswith("scout-")
    assert set(task) == {"name", "workdir", "resources", "envs", "setup", "run"}
    # The workdir is the checkout at the commit the plan pinned, and the header names that commit.
    head = subprocess.run(["git", "-C", task["workdir"], "rev-parse", "HEAD"], capture_output=True, text=True)
    assert head.stdout.strip() in text.splitlines()[0]
    assert task["envs"] == {"SCOUT_SEED": "7", "PYTHONHASHSEED": "7"}
    assert "python -m pip install -r requirements.txt" in task["setup"].splitlines()
    assert task["run"].splitlines()[-1].endswith("python run.py --split test")
    assert "accelerators" not in task["resources"]


def test_gpus_per_job_asks_for_that_many_of_any_common_gpu(tmp_path, make_git_repo):
    repo = make_git_repo("tiny", documented({"eval.py": EVAL}))
    out = tmp_path / "sky"
    result = _plan(
        tmp_path / "cache",
        "--repo",
        str(repo),
        "--cmd",
        "python eval.py",
        "--gpus-per-job",
        "2",
        "--skypilot",
        str(out),
    )
    assert result.exit_code == 0, result.output
    [path] = list(out.glob("*.sky.yaml"))
    accelerators = yaml.safe_load(path.read_text())["resources"]["accelerators"]
    assert accelerators and set(accelerators.values()) == {2}


def test_a_plan_that_cannot_run_as_written_is_one_line_and_writes_nothing(tmp_path, make_git_repo):
    repo = make_git_repo("tiny", documented({"eval.py": EVAL}, "python eval.py --data /path/to/data"))
    out = tmp_path / "sky"
    result = _plan(tmp_path / "cache", "--repo", str(repo), "--pick", "1", "--skypilot", str(out))
    assert result.exit_code == 1
    assert "the command cannot run as written" in result.stderr and "/path/to/data" in result.stderr
    assert not out.exists()


def test_skypilot_without_plan_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["baseline", "--skypilot", str(tmp_path / "sky"), "--cache-dir", str(tmp_path)])
    assert result.exit_code == 2 and "--plan" in result.output
