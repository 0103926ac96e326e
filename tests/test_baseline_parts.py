"""The pieces of `scout baseline`: command finding, repo naming and cloning, devices, the runner,
the ledger and failure diagnosis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from scout.baseline.discover.candidates import find_candidates
from scout.baseline.discover.recipes import Recipe, fixed_recipe, save_recipe
from scout.baseline.execute.clone import clone, resolve_source, slug
from scout.baseline.execute.devices import CPU, Gpu, Slot, plan_slots
from scout.baseline.execute.diagnose import diagnose
from scout.baseline.execute.process import run_streaming
from scout.baseline.execute.sandbox import child_env
from scout.errors import CloneError, ConfigError, EvalError
from scout.ledger import allocate_run_dir, best_run, best_runs, get_run, list_runs, record_run
from scout.models import Run
from tests.cli_helpers import documented, run_baseline
from tests.sync import GUARD_S


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
    (repo / "scout.toml").write_text('[eval]\ncommand = "python old.py"\n')
    legacy = fixed_recipe(repo, recipes, "s")
    assert legacy.command == "python old.py" and legacy.source.startswith("scout.toml (the recipe's earlier name")
    (repo / "scout-recipe.toml").write_text('[eval]\ncommand = "python bench.py"\nmetrics_file = "m.json"\n')
    assert fixed_recipe(repo, recipes, "s") == Recipe("python bench.py", "scout-recipe.toml", metrics_file="m.json")
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
    gpus = [Gpu(0, "GPU-A"), Gpu(1, "GPU-B")]
    monkeypatch.setattr("scout.baseline.execute.devices.list_gpus", lambda python=None: gpus)
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    # Each run checks in, then waits for the other to check in: both print "met" only if they ran at
    # the same time (run one after the other, the first would wait out the guard and print "alone").
    script = f"""
import os, pathlib, time
here = pathlib.Path({str(meeting)!r})
(here / os.environ["CUDA_VISIBLE_DEVICES"]).touch()
deadline = time.monotonic() + {GUARD_S}
while len(list(here.iterdir())) < 2 and time.monotonic() < deadline:
    time.sleep(0.02)
print("visible", os.environ["CUDA_VISIBLE_DEVICES"], "met" if len(list(here.iterdir())) == 2 else "alone")
print("accuracy: 0.5")
"""
    repos = [make_git_repo(name, documented({"eval.py": script})) for name in ("a", "b")]
    result = run_baseline(
        tmp_path / "cache", "--device", "cuda", "--json", "--repo", str(repos[0]), "--repo", str(repos[1])
    )
    runs = json.loads(result.stdout)["runs"]
    assert sorted(r["gpu"] for r in runs) == ["GPU-A", "GPU-B"] and {r["device"] for r in runs} == {"cuda"}
    for run in runs:
        line = next(x for x in Path(run["log"]).read_text().splitlines() if x.startswith("visible"))
        _, visible, together = line.split()
        assert visible == {"GPU-A": "0", "GPU-B": "1"}[run["gpu"]]
        assert together == "met"  # they overlapped in time


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
    lines = []

    def on_line(line):  # cancelled once the child is running, as Ctrl-C in another run would be
        lines.append(line)
        cancel.set()

    with open(tmp_path / "log", "ab") as log:
        result = run_streaming(
            [sys.executable, "-c", "import time\nprint('hi', flush=True)\ntime.sleep(600)"],
            cwd=tmp_path,
            env={},
            log=log,
            timeout=None,
            on_line=on_line,
            cancel=cancel,
        )
    # Interrupted: ended by itself it would have taken 600 s and exited 0, uninterrupted.
    assert result.interrupted and result.exit_code is None and not result.timed_out
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
    documented = "id repo commit command device gpu status exit_code seconds seed metrics headline claim verdict"
    documented += " group paper_metrics env log"
    assert list(_run("x").to_json())[:18] == documented.split()


def test_diagnose_names_the_fix():
    assert "hard-codes .cuda()" in diagnose("AssertionError: Torch not compiled with CUDA enabled")
    assert "downloads data" in diagnose(
        "urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>"
    )
    assert diagnose("Traceback...\nKeyError: 'x'\n") == "it raised KeyError: 'x'"
    assert diagnose("all fine") is None


@pytest.mark.parametrize(
    "tail",
    [
        # Fuhongshuai/FUHS_GraphCNN @ 4365b7f636d87b44adbe4cc620be30595ac7cbb3: `make` runs the notebooks with jupyter
        "jupyter nbconvert --inplace --execute 20news.ipynb\nmake: jupyter: No such file or directory\n"
        "make: *** [makefile:6: 20news.ipynb] Error 127",
        "sh: 1: jupyter: not found",
        "bash: line 1: jupyter: command not found",
    ],
)
def test_diagnose_names_a_missing_program(tail):
    assert diagnose(tail).startswith("the command runs the program `jupyter`, which is not installed here")


def test_a_missing_data_file_is_not_a_missing_program():
    tail = "FileNotFoundError: [Errno 2] No such file or directory: './Datasetsmutag/labels.txt'"
    assert diagnose(tail).startswith("it raised FileNotFoundError")


def test_interrupting_run_local_does_not_wait_for_unstarted_jobs():
    # Cancelled before it starts: it is stopped, not waited for (waited for, `sleep` exits 0, uninterrupted).
    cancel = threading.Event()
    cancel.set()
    with open("/dev/null", "ab") as log:
        result = run_streaming(
            ["sleep", "600"],
            cwd=Path("/"),
            env={"PATH": "/usr/bin:/bin"},
            log=log,
            timeout=None,
            cancel=cancel,
        )
    assert result.interrupted and result.exit_code is None


def test_imported_modules_skips_stdlib_and_local_code(tmp_path):
    from scout.baseline.execute.envs import imported_modules

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "model.py").write_text("import torch.nn as nn\nfrom . import utils\n")
    (tmp_path / "train.py").write_text("import os, json\nfrom pkg.model import X\nimport tensorboard, model")
    (tmp_path / "broken.py").write_text("def (:\n")
    assert imported_modules(tmp_path) == {"torch", "tensorboard"}
    # D-X-Y/SAN@1d4fd206 (SBR/lib/xvision/transforms.py imports cPickle): Python 2 files, which do not
    # parse as Python 3, import too; their renamed standard modules and a docstring's example are
    # no distributions.
    (tmp_path / "san_eval.py").write_text(
        '"""Usage:\nimport fancylib\n"""\nimport cPickle, StringIO\nimport cv2\nprint "loaded"\n'
    )
    assert imported_modules(tmp_path) == {"torch", "tensorboard", "cv2"}


@pytest.mark.needs("bwrap")
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


# What `nvidia-smi --query-gpu=index,name --format=csv,noheader` prints (to stdout, errors included),
# and its exit status, on the machines scout meets.
NVIDIA_SMI = {
    "two A100s": ("0, NVIDIA A100-SXM4-80GB\n1, NVIDIA A100-SXM4-80GB\n", 0),
    "a mixed box": ("0, NVIDIA H100 80GB HBM3\n1, Tesla V100-SXM2-16GB\n2, NVIDIA GeForce RTX 3090\n", 0),
    # Read on an H200 by bench/gpu.py, 2026-12-04.
    "one H200": ("0, NVIDIA H200\n", 0),
    "no devices": ("No devices were found\n", 6),
    "no driver": (
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
        "Make sure that the latest NVIDIA driver is installed and running.\n\n",
        9,
    ),
}


@pytest.fixture
def fake_nvidia_smi(tmp_path, monkeypatch):
    """put(machine): an `nvidia-smi` first on PATH that answers as NVIDIA_SMI[machine] does, and only
    to the query scout makes (anything else exits 2, so a changed query fails here)."""
    folder = tmp_path / "fakebin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")

    def put(machine: str) -> None:
        out, status = NVIDIA_SMI[machine]
        (folder / "answer").write_text(out)
        smi = folder / "nvidia-smi"
        smi.write_text(
            "#!/bin/sh\n"
            '[ "$*" = "--query-gpu=index,name --format=csv,noheader" ] || { echo "unexpected: $*"; exit 2; }\n'
            f'cat "{folder}/answer"\nexit {status}\n'
        )
        smi.chmod(0o755)

    return put


def test_gpus_from_a_real_nvidia_smi_answer(fake_nvidia_smi):
    from scout.baseline.execute.devices import list_gpus

    fake_nvidia_smi("two A100s")
    assert list_gpus() == [Gpu(0, "NVIDIA A100-SXM4-80GB"), Gpu(1, "NVIDIA A100-SXM4-80GB")]
    fake_nvidia_smi("a mixed box")
    assert list_gpus() == [
        Gpu(0, "NVIDIA H100 80GB HBM3"),
        Gpu(1, "Tesla V100-SXM2-16GB"),
        Gpu(2, "NVIDIA GeForce RTX 3090"),
    ]
    fake_nvidia_smi("one H200")
    assert list_gpus() == [Gpu(0, "NVIDIA H200")]
    # Its failures print to stdout and exit non-zero: no GPU, never a name made of the message.
    for machine in ("no devices", "no driver"):
        fake_nvidia_smi(machine)
        assert list_gpus() == [] and list_gpus(sys.executable) == []


def test_a_run_on_the_gpu_nvidia_smi_names(tmp_path, fake_nvidia_smi, make_git_repo):
    fake_nvidia_smi("a mixed box")
    script = "import os\nprint('visible', os.environ['CUDA_VISIBLE_DEVICES'], os.environ['SCOUT_DEVICE'])\n"
    script += "print('accuracy: 0.5')\n"
    repo = make_git_repo("gpu", documented({"eval.py": script}))
    result = run_baseline(tmp_path / "cache", "--device", "cuda:1", "--json", "--repo", str(repo))
    [run] = json.loads(result.stdout)["runs"]
    assert (run["status"], run["device"], run["gpu"]) == ("ok", "cuda", "Tesla V100-SXM2-16GB")
    assert "visible 1 cuda" in Path(run["log"]).read_text()
    fake_nvidia_smi("no driver")
    result = run_baseline(tmp_path / "cache", "--device", "cuda", "--json", "--repo", str(repo))
    assert result.exit_code == 1 and "none was found" in result.output
