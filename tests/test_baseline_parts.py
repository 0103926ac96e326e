"""The pieces of `scout baseline`: command finding, repo naming and cloning, devices, the runner,
the ledger and failure diagnosis."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scout.baseline.discover.candidates import find_candidates
from scout.baseline.execute.clone import clone, resolve_source, slug
from scout.baseline.execute.devices import CPU, Gpu, Slot, plan_slots
from scout.baseline.execute.diagnose import diagnose
from scout.baseline.execute.process import run_streaming
from scout.baseline.discover.recipes import Recipe, fixed_recipe, save_recipe
from scout.baseline.execute.sandbox import child_env
from scout.errors import CloneError, ConfigError, EvalError
from scout.ledger import allocate_run_dir, best_run, best_runs, get_run, list_runs, record_run
from scout.models import Run
from tests.cli_helpers import documented, run_baseline


def test_readme_commands_with_their_scripts(tmp_path):
    (tmp_path / "test.py").write_text("")
    (tmp_path / "train.py").write_text("")
    (tmp_path / "README.md").write_text(
        "## Training\n```bash\npip install -r requirements.txt\npython train.py --epochs 90 \\\n    --lr 0.1\n"
        "python missing_eval.py\n```\n## Evaluation\n```\n$ python test.py --checkpoint best.pt\n```\n"
    )
    found = find_candidates(tmp_path)
    documented = [(c.command, c.source, c.script_exists) for c in found.candidates if c.origin == "doc-block"]
    assert documented == [
        ("python train.py --epochs 90 --lr 0.1", "README.md § Training", True),
        ("python missing_eval.py", "README.md § Training", False),
        ("python test.py --checkpoint best.pt", "README.md § Evaluation", True),
    ]


def test_command_sources_in_order(tmp_path):
    repo, recipes = tmp_path / "repo", tmp_path / "recipes"
    repo.mkdir()
    (repo / "lib.py").write_text("")
    (repo / "train.py").write_text("print('loss', 1)\n")
    assert [c.command for c in find_candidates(repo).candidates] == ["python train.py"]
    (repo / "main.py").write_text("p.add_argument('--evaluate', action='store_true')\n")
    assert "python main.py --evaluate" in [c.command for c in find_candidates(repo).candidates]
    (repo / "evaluate.py").write_text("import argparse\n")
    assert "script evaluate.py" in [c.source for c in find_candidates(repo).candidates]
    assert fixed_recipe(repo, recipes, "s") is None
    (repo / "sotabench.py").write_text("")
    assert fixed_recipe(repo, recipes, "s").command == "python sotabench.py"
    (repo / "scout.toml").write_text('[eval]\ncommand = "python bench.py"\nmetrics_file = "m.json"\n')
    assert fixed_recipe(repo, recipes, "s") == Recipe("python bench.py", "scout.toml", metrics_file="m.json")
    save_recipe(
        recipes, "s", Recipe('python x.py --name "a b"', "README.md", cwd="sub", setup=("make data",), timeout=60)
    )
    found = fixed_recipe(repo, recipes, "s")
    assert (found.command, found.cwd, found.setup, found.timeout) == (
        'python x.py --name "a b"',
        "sub",
        ("make data",),
        60.0,
    )
    assert found.source.startswith("recipe ")
    assert fixed_recipe(repo, recipes, "s", cmd="python y.py").source == "--cmd"


def test_nothing_runnable_gives_no_command(tmp_path):
    assert find_candidates(tmp_path).candidates == ()


def test_repo_names_and_sources(tmp_path):
    assert slug("https://github.com/facebookresearch/detr.git") == "facebookresearch__detr"
    assert slug("git@github.com:o/r.git") == "o__r"
    assert slug("/data/x/myrepo").startswith("local__myrepo-")
    assert slug("/data/x/myrepo") != slug("/data/y/myrepo")
    assert resolve_source("https://github.com/o/r") == "https://github.com/o/r"
    assert resolve_source("o/r") == "https://github.com/o/r"
    assert resolve_source(str(tmp_path)) == str(tmp_path.resolve())
    with pytest.raises(ConfigError):
        resolve_source("not a repo at all")


def test_clone_is_pinned_reused_and_updated(tmp_path, make_git_repo):
    repo = make_git_repo("src", {"a.py": "print(1)\n"})
    first = clone(repo.as_uri(), tmp_path / "repos")
    assert (first.path / "a.py").is_file() and len(first.commit) == 40
    assert [p.name for p in (tmp_path / "repos").iterdir()] == [first.path.name]  # no temp folder left
    (repo / "a.py").write_text("print(2)\n")
    subprocess.run(
        ["git", "commit", "-qam", "two"],
        cwd=repo,
        check=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert clone(repo.as_uri(), tmp_path / "repos").commit == first.commit
    updated = clone(repo.as_uri(), tmp_path / "repos", update=True)
    assert updated.commit != first.commit and (updated.path / "a.py").read_text() == "print(2)\n"


def test_clone_errors_are_one_line(tmp_path):
    with pytest.raises(CloneError, match="does not exist"):
        clone(str(tmp_path / "nope"), tmp_path / "repos")
    with pytest.raises(CloneError, match="cannot clone https://127.0.0.1:9/o/private.git: .*check the URL"):
        clone("https://127.0.0.1:9/o/private.git", tmp_path / "repos")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(CloneError, match="not a git repository"):
        clone(str(plain), tmp_path / "repos")
    assert not any((tmp_path / "repos").iterdir())


def test_device_slots():
    gpus = [Gpu(0, "H100"), Gpu(1, "H100")]
    assert plan_slots("auto", []) == [CPU]
    assert plan_slots("cpu", gpus) == [CPU]
    assert plan_slots("auto", gpus) == [Slot("cuda", "0", "H100"), Slot("cuda", "1", "H100")]
    assert plan_slots("cuda:1", gpus) == [Slot("cuda", "1", "H100")]
    with pytest.raises(EvalError, match="no GPU 3"):
        plan_slots("cuda:3", gpus)
    with pytest.raises(EvalError, match="--device cpu"):
        plan_slots("cuda", [])


def test_one_repo_per_gpu_in_parallel(tmp_path, monkeypatch, make_git_repo):
    monkeypatch.setattr("scout.baseline.execute.devices.list_gpus", lambda python=None: [Gpu(0, "GPU-A"), Gpu(1, "GPU-B")])
    script = (
        "import os, time\nt = time.time(); time.sleep(1.0)\n"
        "print('visible', os.environ['CUDA_VISIBLE_DEVICES'], t, time.time())\nprint('accuracy: 0.5')\n"
    )
    repos = [make_git_repo(name, documented({"eval.py": script})) for name in ("a", "b")]
    result = run_baseline(
        tmp_path / "cache", "--device", "cuda", "--json", "--repo", str(repos[0]), "--repo", str(repos[1])
    )
    runs = json.loads(result.stdout)["runs"]
    assert sorted(r["gpu"] for r in runs) == ["GPU-A", "GPU-B"] and {r["device"] for r in runs} == {"cuda"}
    spans = []
    for run in runs:
        line = next(x for x in Path(run["log"]).read_text().splitlines() if x.startswith("visible"))
        _, visible, start, end = line.split()
        assert visible == {"GPU-A": "0", "GPU-B": "1"}[run["gpu"]]
        spans.append((float(start), float(end)))
    assert max(s for s, _ in spans) < min(e for _, e in spans)  # they overlapped in time


def test_child_env_is_an_allowlist(tmp_path):
    env = {
        "PATH": "/bin",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "LC_ALL": "C",
        "GITHUB_TOKEN": "x",
        "AWS_REGION": "eu",
        "HF_HOME": "/hf",
        "HF_TOKEN": "x",
        "CUDA_HOME": "/cuda",
        "NVIDIA_VISIBLE_DEVICES": "all",
        "OMP_NUM_THREADS": "4",
        "SOMETHING_ELSE": "y",
    }
    home = tmp_path / "home"
    assert child_env(env, home) == {
        "PATH": "/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C",
        "CUDA_HOME": "/cuda",
        "NVIDIA_VISIBLE_DEVICES": "all",
        "OMP_NUM_THREADS": "4",
        "HOME": str(home),
        "XDG_CACHE_HOME": f"{home}/.cache",
        "XDG_CONFIG_HOME": f"{home}/.config",
    }
    assert child_env(env, home, ("HF_TOKEN",))["HF_TOKEN"] == "x"


def test_cancel_stops_the_process_group(tmp_path):
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    lines = []
    with open(tmp_path / "log", "ab") as log:
        result = run_streaming(
            [sys.executable, "-c", "import time\nprint('hi', flush=True)\ntime.sleep(60)"],
            cwd=tmp_path,
            env={},
            log=log,
            timeout=None,
            on_line=lines.append,
            cancel=cancel,
        )
    assert result.interrupted and result.exit_code is None and result.seconds < 10
    assert lines == ["hi"] and (tmp_path / "log").read_text() == "hi\n"


def _run(run_id: str, status: str = "ok", **metrics) -> Run:
    return Run(
        id=run_id,
        repo=f"https://github.com/o/{run_id}",
        started_at=f"2026-11-30T00:00:0{run_id[-1]}Z",
        status=status,
        metrics=metrics,
    )


def test_ledger_ids_best_runs_and_round_trip(tmp_path, store):
    runs_dir = tmp_path / "runs"
    ids = [allocate_run_dir(runs_dir, "20261130")[0] for _ in range(3)]
    assert ids == ["r-20261130-0001", "r-20261130-0002", "r-20261130-0003"]
    record_run(store, runs_dir, _run("r1", accuracy=0.9, loss=0.3))
    record_run(store, runs_dir, _run("r2", accuracy=0.95, loss=0.4))
    record_run(store, runs_dir, _run("r3", "failed", accuracy=0.99))
    best = best_runs(list_runs(store))
    assert best["accuracy"].id == "r2" and best["loss"].id == "r1"  # loss: lower is better
    assert best_run(store).id in ("r1", "r2")
    assert get_run(store, "r1") == _run("r1", accuracy=0.9, loss=0.3)
    assert get_run(store, "nope") is None
    assert json.loads((runs_dir / "r2" / "result.json").read_text())["metrics"] == {
        "accuracy": 0.95,
        "loss": 0.4,
    }
    documented = "id repo commit command device gpu status exit_code seconds seed metrics paper_metrics env"
    documented += " log"
    assert list(_run("x").to_json())[:14] == documented.split()


def test_diagnose_names_the_fix():
    assert "hard-codes .cuda()" in diagnose("AssertionError: Torch not compiled with CUDA enabled")
    assert "downloads data" in diagnose(
        "urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>"
    )
    assert diagnose("Traceback...\nKeyError: 'x'\n") == "it raised KeyError: 'x'"
    assert diagnose("all fine") is None


def test_interrupting_run_local_does_not_wait_for_unstarted_jobs():
    # A smoke check of the timing contract: a cancelled run stops within the poll interval.
    start = time.monotonic()
    cancel = threading.Event()
    cancel.set()
    with open("/dev/null", "ab") as log:
        result = run_streaming(
            ["sleep", "30"],
            cwd=Path("/"),
            env={"PATH": "/usr/bin:/bin"},
            log=log,
            timeout=None,
            cancel=cancel,
        )
    assert result.interrupted and time.monotonic() - start < 5


def test_imported_modules_skips_stdlib_and_local_code(tmp_path):
    from scout.baseline.execute.envs import imported_modules

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "model.py").write_text("import torch.nn as nn\nfrom . import utils\n")
    (tmp_path / "train.py").write_text("import os, json\nfrom pkg.model import X\nimport tensorboard, model")
    (tmp_path / "broken.py").write_text("def (:\n")
    assert imported_modules(tmp_path) == {"torch", "tensorboard"}


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_sandbox_blocks_network_and_writes_outside(tmp_path, make_git_repo):
    script = """
    import pathlib, socket
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=2)
        print("network: open")
    except OSError:
        print("network: blocked")
    try:
        pathlib.Path("/usr/scout-sandbox-probe").write_text("x")
        print("usr: writable")
    except OSError:
        print("usr: read-only")
    pathlib.Path("inside.txt").write_text("x")
    print("accuracy: 1.0")
    """
    repo = make_git_repo("boxed", documented({"eval.py": script}))
    result = run_baseline(tmp_path / "cache", "--sandbox", "--json", "--repo", str(repo))
    [run] = json.loads(result.stdout)["runs"]
    log = Path(run["log"]).read_text()
    assert run["status"] == "ok", log
    assert "network: blocked" in log and "usr: read-only" in log
