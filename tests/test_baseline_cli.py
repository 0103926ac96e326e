"""`scout baseline` and `scout runs` end to end, on small git repos built in tmp_path."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scout.cli import app
from scout.models import Paper, Repo, Result
from scout.store import Store
from tests.cli_helpers import documented, ledger, run_baseline
from tests.sync import GUARD_S, log_shows, wait_for

# The line an evaluation ends with (never reached where the script stops earlier).
REPORTS = "print(f'test accuracy: {0.9}')\n"

EVAL_OK = """
import time
for step in range(3):
    print(f"iter {step}: loss {2.5 - step / 10:.4f}", flush=True)
print("test loss: 2.19")
correct = 939
print(f"Accuracy: {correct / 1000}")
"""
# Spawns a child that ignores SIGTERM, records its pid once the child says it ignores it, then hangs.
HANG = """
import os, subprocess, sys, time
deaf = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ignoring', flush=True)"
child = subprocess.Popen([sys.executable, "-c", deaf + "; time.sleep(600)"], stdout=subprocess.PIPE, text=True)
assert child.stdout.readline() == "ignoring\\n"
open(os.path.join(os.environ["SCOUT_RUN_DIR"], "child.pid"), "w").write(str(child.pid))
print("training forever", flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


def test_readme_command_runs_and_is_recorded(tmp_path, cache, make_git_repo):
    repo = make_git_repo(
        "good",
        {
            "eval.py": EVAL_OK,
            "README.md": "# good\n\n```bash\npip install -r requirements.txt\npython eval.py --split test\n```\n",
        },
    )
    result = run_baseline(cache, "--repo", str(repo), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    [run] = data["runs"]
    assert run["status"] == "ok" and run["exit_code"] == 0
    assert run["command"] == "python eval.py --split test"
    assert run["recipe_source"] == "README.md § good"
    assert run["metrics"] == {"test_loss": 2.19, "accuracy": 0.939}
    assert len(run["commit"]) == 40 and run["device"] == "cpu" and run["seed"] == 0
    assert run["env"]["python"] == f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    assert run["baseline_for"] == ["accuracy", "test_loss"]
    assert run["id"].startswith("r-") and len(run["id"]) == len("r-20261130-0001")
    run_dir = cache / "runs" / run["id"]
    assert "test loss: 2.19" in (run_dir / "log.txt").read_text()
    assert json.loads((run_dir / "result.json").read_text())["metrics"] == run["metrics"]
    assert "command (README.md § good): python eval.py --split test" in result.stderr
    # The recipe repeats the command next time; the clone is reused.
    [recipe] = (cache / "recipes").glob("*.toml")
    assert 'command = "python eval.py --split test"' in recipe.read_text()
    again = run_baseline(cache, "--repo", str(repo), "--json")
    assert json.loads(again.stdout)["runs"][0]["recipe_source"].startswith("recipe ")
    assert [r.status for r in ledger(cache)] == ["ok", "ok"]

    listing = CliRunner().invoke(app, ["runs", "--json", "--cache-dir", str(cache)])
    assert [r["id"] for r in json.loads(listing.stdout)["runs"]] == [r.id for r in ledger(cache)]
    table = CliRunner().invoke(app, ["runs", "--format", "table", "--cache-dir", str(cache)], env={"COLUMNS": "160"})
    assert "accuracy ★" in table.stdout and "0.939" in table.stdout


def test_failures_are_recorded_with_clear_statuses(tmp_path, cache, make_git_repo):
    # Each evaluation reports a metric, as a real one does; the fitted ranker takes a documented
    # script that prints none for a demo.
    crash = make_git_repo("crash", documented({"eval.py": f"raise ValueError('bad checkpoint')\n{REPORTS}"}))
    missing = make_git_repo("missing", documented({"eval.py": f"import notamodule_xyz\n{REPORTS}"}))
    quiet = "import sys\nif '--report' in sys.argv:\n    print(f'accuracy: {0.9}')\nprint('done')\n"
    silent = make_git_repo("silent", documented({"evaluate.py": quiet}, "python evaluate.py"))
    nocmd = make_git_repo("nocmd", {"lib.py": "X = 1\n", "model.py": "Y = 2\n"})
    plain = tmp_path / "plain"
    plain.mkdir()
    result = run_baseline(
        cache, "--json", *[a for r in (crash, missing, silent, nocmd, plain) for a in ("--repo", str(r))]
    )
    assert result.exit_code == 1
    assert "no run produced a metric" in result.stderr
    runs = {Path(r["repo"]).name: r for r in json.loads(result.stdout)["runs"]}
    assert runs["crash"]["status"] == "failed" and runs["crash"]["exit_code"] == 1
    assert "ValueError: bad checkpoint" in runs["crash"]["message"]
    assert "`notamodule_xyz`, which is not installed" in runs["missing"]["message"]
    assert "imports notamodule_xyz, which this environment lacks" in Path(runs["missing"]["log"]).read_text()
    assert runs["silent"]["status"] == "no-metrics" and "--metric" in runs["silent"]["message"]
    assert runs["nocmd"]["status"] == "failed" and "pass --cmd" in runs["nocmd"]["message"]
    assert "no doc names a command" in runs["nocmd"]["message"]
    assert runs["plain"]["status"] == "failed" and "not a git repository" in runs["plain"]["message"]
    assert sorted(r.status for r in ledger(cache)) == ["failed"] * 4 + ["no-metrics"]
    for run in ledger(cache):
        assert (cache / "runs" / run.id / "result.json").is_file()


def test_custom_metric_regex_and_cmd(tmp_path, cache, make_git_repo):
    repo = make_git_repo("custom", {"run.py": "print('reward: 12.5')\nprint('iter 3: loss 0.1')\n"})
    result = run_baseline(
        cache, "--repo", str(repo), "--cmd", "python run.py", "--metric", r"reward: ([\d.]+)", "--json"
    )
    [run] = json.loads(result.stdout)["runs"]
    assert run["status"] == "ok" and run["metrics"] == {"reward": 12.5} and run["recipe_source"] == "--cmd"


def test_timeout_kills_the_whole_process_group(tmp_path, cache, make_git_repo, timeout_when):
    repo = make_git_repo("hang", {"train.py": HANG})
    timeout_when(log_shows(cache, "training forever"))  # the child that ignores SIGTERM is running by then
    result = run_baseline(cache, "--repo", str(repo), "--cmd", "python train.py", "--timeout", "1.5", "--json")
    [run] = json.loads(result.stdout)["runs"]
    assert run["status"] == "timeout" and run["exit_code"] is None and "--timeout" in run["message"]
    pid = int((cache / "runs" / run["id"] / "out" / "child.pid").read_text())
    assert not alive(pid)
    assert "training forever" in (cache / "runs" / run["id"] / "log.txt").read_text()


def test_secrets_never_reach_the_evaluated_process(tmp_path, cache, monkeypatch, make_git_repo):
    dump = "import json, os\nprint(json.dumps(dict(os.environ)))\nprint('accuracy: 1.0')\n"
    repo = make_git_repo("spy", documented({"eval.py": dump}))
    secrets = {
        "GITHUB_TOKEN": "ghp_x",
        "HF_TOKEN": "hf_x",
        "AWS_ACCESS_KEY_ID": "AKIA",
        "OPENAI_API_KEY": "sk",
        "DB_PASSWORD": "pw",
        "MY_SECRET_THING": "s",
        "PROXY": "http://user:pw@proxy:8080",
        "WANDB_API_KEY": "w",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, f"secret-value-{value}")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    result = run_baseline(cache, "--repo", str(repo), "--pass-env", "WANDB_API_KEY", "--json")
    [run] = json.loads(result.stdout)["runs"]
    log = Path(run["log"]).read_text()
    seen = json.loads(next(line for line in log.splitlines() if line.startswith("{")))
    assert not (set(secrets) - {"WANDB_API_KEY"}) & set(seen)
    assert log.count("secret-value-") == 1 and seen["WANDB_API_KEY"] == "secret-value-w"
    assert {"LC_ALL", "MPLBACKEND", "SCOUT_DEVICE", "SCOUT_SEED"} <= set(seen)
    assert seen["MPLBACKEND"] == "Agg" and seen["SCOUT_DEVICE"] == "cpu" and seen["CUDA_VISIBLE_DEVICES"] == ""


def test_no_terminal_and_no_yes_refuses_to_run(tmp_path, cache, make_git_repo):
    repo = make_git_repo("ask", documented({"eval.py": f"open('ran', 'w')\n{REPORTS}"}))
    result = CliRunner().invoke(app, ["baseline", "--env", "current", "--repo", str(repo), "--cache-dir", str(cache)])
    assert result.exit_code == 5  # DESIGN.md: a confirmation was needed and not given
    assert "pass --yes" in result.stderr
    assert not list((cache / "repos").glob("*/ran")) and ledger(cache) == []
    assert list((cache / "runs").iterdir()) == []


def test_picks_repos_from_the_latest_search_and_compares_with_the_paper(tmp_path, cache, make_git_repo):
    good = make_git_repo("good", documented({"eval.py": EVAL_OK}))
    store = Store(cache / "scout.db")
    store.save_papers(
        [
            Paper(
                "Paper A",
                arxiv_id="2101.00001",
                repos=(
                    Repo("https://github.com/x/archived", official=True, archived=True),
                    Repo(str(good), official=True, stars=5),
                    Repo("https://github.com/x/popular-unofficial", official=False, stars=900),
                ),
                results=(Result("classification", "CIFAR-10", "Accuracy", 95.0, raw="95.0"),),
            ),
            Paper("Paper B", arxiv_id="2101.00002"),
        ]
    )
    store.record_search("q", None, "m", "2026-11-30T00:00:00Z", ["arxiv:2101.00002", "arxiv:2101.00001"])
    store.close()
    result = run_baseline(cache, "--top", "1", "--json")
    [run] = json.loads(result.stdout)["runs"]
    assert run["repo"] == str(good)
    assert run["paper_metrics"] == {"accuracy": 0.95}
    assert run["gap"] == {"accuracy": pytest.approx(-0.011)}
    # The paper's claim is the headline's yardstick: 0.939 is short of 0.95 by more than a point.
    assert run["headline"]["name"] == "accuracy" and run["claim"]["source"] == "Papers with Code"
    assert run["verdict"] == "not_reproduced"
    table = CliRunner().invoke(app, ["runs", "--format", "table", "--cache-dir", str(cache)], env={"COLUMNS": "160"})
    assert "0.95" in table.stdout and "not repr." in table.stdout


def test_no_search_and_no_repo_says_what_to_do(cache):
    result = run_baseline(cache)
    assert result.exit_code == 1 and "scout search" in result.stderr


def test_bad_device_and_missing_gpu(tmp_path, cache, monkeypatch, make_git_repo):
    assert "not one of auto, cpu, cuda" in run_baseline(cache, "--device", "tpu").stderr
    repo = make_git_repo("r", documented({"eval.py": EVAL_OK}))
    monkeypatch.setattr("scout.baseline.execute.devices.list_gpus", lambda python=None: [])
    result = run_baseline(cache, "--repo", str(repo), "--device", "cuda")
    assert result.exit_code == 1 and "--device cpu" in result.stderr


def test_sandbox_without_bubblewrap_is_a_clear_error(tmp_path, cache, monkeypatch, make_git_repo):
    repo = make_git_repo("r", documented({"eval.py": EVAL_OK}))
    monkeypatch.setattr("scout.baseline.execute.sandbox.shutil.which", lambda name: None)
    result = run_baseline(cache, "--repo", str(repo), "--sandbox", "--json")
    [run] = json.loads(result.stdout)["runs"]
    assert run["status"] == "failed" and "apt install bubblewrap" in run["message"]


@pytest.mark.slow
def test_ctrl_c_mid_run_records_the_run_and_leaves_no_process(tmp_path, cache, make_git_repo):
    repo = make_git_repo("hang", {"train.py": HANG})
    scout = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from scout.cli import main; main()",
            "baseline",
            "--yes",
            "--env",
            "current",
            "--repo",
            str(repo),
            "--cmd",
            "python train.py",
            "--cache-dir",
            str(cache),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # a hang below is reported with every thread's stack
        # As from a terminal: a test run started in the background (`cmd &` in a script, some CI
        # runners) ignores SIGINT, and so would scout, which inherits it and never sees the Ctrl-C.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        # Interrupted mid-run: the run's log shows its line once the child that ignores SIGTERM is up.
        [pid_file] = wait_for(lambda: list(cache.glob("runs/*/out/child.pid")), "the run to start its child")
        wait_for(log_shows(cache, "training forever"), "the run to print its line")
        scout.send_signal(signal.SIGINT)
        try:
            _, err = scout.communicate(timeout=GUARD_S)
        except subprocess.TimeoutExpired:
            scout.send_signal(signal.SIGABRT)
            raise AssertionError(f"scout hung after Ctrl-C:\n{scout.communicate()[1]}") from None
    finally:
        scout.kill()
    assert scout.returncode == 130, err
    assert "interrupted" in err
    assert not alive(int(pid_file.read_text()))
    [run] = ledger(cache)
    assert run.status == "failed" and "interrupted" in run.message


@pytest.mark.slow
def test_real_venv_with_requirements(tmp_path, cache, monkeypatch, make_git_repo):
    # Offline: numpy and scikit-learn come from the host through the venv's .pth; `sklearn` is fixed.
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    repo = make_git_repo(
        "req",
        documented(
            {
                "requirements.txt": "numpy\nsklearn\n",
                "eval.py": "import numpy, sys\nprint(sys.prefix)\nprint('accuracy:', numpy.mean([1, 0, 1, 1]))\n",
            }
        ),
    )
    broken = make_git_repo(
        "broken", documented({"requirements.txt": "definitely-not-a-package-xyz==1.0\n", "eval.py": EVAL_OK})
    )
    result = CliRunner().invoke(
        app,
        [
            "baseline",
            "--yes",
            "--cache-dir",
            str(cache),
            "--repo",
            str(repo),
            "--repo",
            str(broken),
            "--pass-env",  # only an allowlist reaches the installer otherwise
            "PIP_NO_INDEX",
            "--json",
        ],
    )
    runs = {Path(r["repo"]).name: r for r in json.loads(result.stdout)["runs"]}
    assert runs["req"]["status"] == "ok" and runs["req"]["metrics"] == {"accuracy": 0.75}
    log = Path(runs["req"]["log"]).read_text()
    assert str(cache / "envs") in log and "dead PyPI stub" in log
    assert runs["broken"]["status"] == "failed"
    assert "installing requirements.txt failed" in runs["broken"]["message"]


@pytest.mark.slow
def test_tiny_pytorch_evaluation_on_cpu(tmp_path, cache, make_git_repo):
    script = """
    import os, torch
    torch.manual_seed(int(os.environ["SCOUT_SEED"]))
    device = os.environ["SCOUT_DEVICE"]
    x = torch.randn(512, 8)
    y = (x[:, 0] + x[:, 1] > 0).long()
    model = torch.nn.Linear(8, 2).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for step in range(100):
        loss = torch.nn.functional.cross_entropy(model(x[:400].to(device)), y[:400].to(device))
        opt.zero_grad(); loss.backward(); opt.step()
        if step % 20 == 0:
            print(f"step {step}: loss {loss.item():.4f}")
    with torch.no_grad():
        acc = (model(x[400:].to(device)).argmax(1).cpu() == y[400:]).float().mean().item()
    print(f"test accuracy: {100 * acc:.2f}%")
    """
    repo = make_git_repo("torchy", documented({"eval.py": script}))
    result = run_baseline(cache, "--repo", str(repo), "--device", "cpu", "--json")
    [run] = json.loads(result.stdout)["runs"]
    assert run["status"] == "ok", run["message"]
    assert 0.8 < run["metrics"]["test_accuracy"] <= 1.0
    assert run["env"]["torch"] and run["device"] == "cpu" and run["gpu"] is None


def _slurm_baseline(cache, *args):
    return CliRunner().invoke(
        app,
        [
            "baseline",
            "--yes",
            "--env",
            "current",
            "--executor",
            "slurm",
            "--slurm-cluster",
            "local",
            "--cache-dir",
            str(cache),
            *args,
        ],
    )


@pytest.mark.slow
def test_slurm_jobs_through_submitit_local_executor(tmp_path, make_git_repo):
    cache = tmp_path / "cache"
    repo = make_git_repo("good", documented({"eval.py": EVAL_OK}))
    result = _slurm_baseline(cache, "--repo", str(repo), "--json")
    assert result.exit_code == 0, result.output
    [run] = json.loads(result.stdout)["runs"]
    assert run["status"] == "ok" and run["metrics"]["accuracy"] == 0.939
    assert "submitted 1 SLURM job(s)" in result.stderr

    # Without --wait the CLI exits at once; `scout runs` records the job when it has finished.
    result = _slurm_baseline(cache, "--repo", str(repo), "--no-wait", "--json")
    assert result.exit_code == 0
    submitted = json.loads(result.stdout)
    assert submitted["runs"] == [] and len(submitted["submitted"]) == 1

    def both_recorded():
        listing = CliRunner().invoke(app, ["runs", "--json", "--cache-dir", str(cache)])
        runs = json.loads(listing.stdout)["runs"]
        return runs if len(runs) == 2 else None

    assert [r["status"] for r in wait_for(both_recorded, "`scout runs` to record the second job")] == ["ok", "ok"]
    store = Store(cache / "scout.db")
    assert store.query("SELECT COUNT(*) AS n FROM pending_jobs")[0]["n"] == 0
    store.close()


def test_a_recipe_metrics_file_is_read_after_the_run(tmp_path, cache, make_git_repo):
    def repo(name: str, writes: str | None, metrics_file: str = "results/metrics.json", prints: str = ""):
        script = "import os\nos.makedirs('results', exist_ok=True)\n" + prints
        if writes is not None:
            script += f"open('results/metrics.json', 'w').write({writes!r})\n"
        toml = f'[eval]\ncommand = "python eval.py"\nmetrics_file = "{metrics_file}"\n'
        return make_git_repo(name, {"eval.py": script, "scout.toml": toml})

    good = json.dumps({"accuracy": 0.93, "eval": {"loss": 0.2}, "epoch": "last", "test loss": 1.25})
    repos = [
        repo("good", good, prints="print('test loss: 2.19')\nprint('Accuracy: 0.5')\n"),
        repo("unwritten", None, prints="print('Accuracy: 0.5')\n"),
        repo("silent", None),
        repo("garbled", "{nope", prints="print('Accuracy: 0.5')\n"),
        repo("deep", "[" * 100_000 + "]" * 100_000, prints="print('Accuracy: 0.5')\n"),
        repo("outside", good, metrics_file="../outside.json", prints="print('Accuracy: 0.5')\n"),
    ]
    result = run_baseline(cache, "--json", *[a for r in repos for a in ("--repo", str(r))])
    runs = {Path(r["repo"]).name: r for r in json.loads(result.stdout)["runs"]}
    # The file's numbers join the printed ones and win over them; one level of nesting is flattened.
    assert runs["good"]["status"] == "ok" and runs["good"]["message"] is None
    assert runs["good"]["metrics"] == {"accuracy": 0.93, "eval_loss": 0.2, "test_loss": 1.25}
    # A file that is missing, garbled, too deep or outside the repo leaves the printed metrics, and says so.
    assert (runs["unwritten"]["status"], runs["unwritten"]["metrics"]) == ("ok", {"accuracy": 0.5})
    # (eval.py prints a number written into its code: the headline check flags that too.)
    assert runs["unwritten"]["message"].startswith("the recipe's metrics file results/metrics.json was not written")
    assert runs["silent"]["status"] == "no-metrics" and "was not written" in runs["silent"]["message"]
    assert runs["garbled"]["metrics"] == {"accuracy": 0.5} and "not valid JSON" in runs["garbled"]["message"]
    assert runs["deep"]["metrics"] == {"accuracy": 0.5} and "nested too deeply" in runs["deep"]["message"]
    assert runs["outside"]["metrics"] == {"accuracy": 0.5} and "not a path inside" in runs["outside"]["message"]
    # The saved recipe keeps the file, and the next run reads it again.
    [saved] = [path for path in (cache / "recipes").glob("*.toml") if "good" in path.name]
    assert 'metrics_file = "results/metrics.json"' in saved.read_text()
    [again] = json.loads(run_baseline(cache, "--json", "--repo", str(repos[0])).stdout)["runs"]
    assert again["recipe_source"].startswith("recipe ") and again["metrics"] == runs["good"]["metrics"]
