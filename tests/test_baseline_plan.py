"""`scout baseline --plan`, the candidates a plan ranks, what a run needs, and the run outcomes the
plan leads to (placeholders, --set, cwd, timeout with metrics, no terminal)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scout.baseline.discover.candidates import find_candidates
from scout.baseline.discover.needs import fill
from scout.cli import app
from scout.errors import ConfigError
from tests.cli_helpers import documented, ledger, run_baseline
from tests.sync import log_shows

EVAL = 'import sys\nprint("test accuracy: 0.91")\n'


def plan(cache: Path, *args: str):
    return CliRunner().invoke(app, ["baseline", "--plan", "--cache-dir", str(cache), *args])


def test_plan_json_runs_nothing(tmp_path, make_git_repo):
    repo = make_git_repo(
        "detr",
        {
            "main.py": "import argparse\n",
            "requirements.txt": "numpy\n",
            "hubconf.py": "",
            "README.md": (
                "# detr\n## Training\n```\npython -m torch.distributed.launch --nproc_per_node=8 main.py "
                "--coco_path /path/to/coco\n```\n## Evaluation\nTo evaluate DETR R50 on COCO val5k run:\n```\n"
                "python main.py --batch_size 2 --eval --resume https://x.org/detr-r50.pth --coco_path /path/to/coco\n"
                "```\nOr try `python hubconf.py` and `python missing.py --eval`.\n"
            ),
        },
    )
    cache = tmp_path / "cache"
    result = plan(cache, "--repo", str(repo), "--json")
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.stdout)["plans"]
    assert list(item)[:8] == ["repo", "commit", "command", "source", "cwd", "setup", "candidates", "needs"]
    assert {"confidence", "sure", "none_probability", "pick", "picked"} <= set(item)
    assert (
        item["command"]
        == "python main.py --batch_size 2 --eval --resume https://x.org/detr-r50.pth --coco_path /path/to/coco"
    )
    assert item["source"] == "README.md § Evaluation" and item["cwd"] == "" and len(item["commit"]) == 40
    assert item["setup"] == ["python -m pip install -r requirements.txt"]
    detail = "`/path/to/coco` (in --coco_path): pass --set coco_path=VALUE"
    assert item["needs"][0] == {"kind": "placeholder", "detail": detail, "key": "coco_path", "blocking": True}
    assert [(n["kind"], n["key"], n["blocking"]) for n in item["needs"][1:]] == [("dataset", "coco_path", True)]
    commands = [c["command"] for c in item["candidates"]]
    assert commands[0] == item["command"] and item["candidates"][0]["why"].startswith("chosen (p=")
    # The runners-up (the documented training, scripts named in passing under "Evaluation") are far
    # behind: their order among themselves is the fit's to choose, not a contract.
    assert all(c["probability"] < 0.2 for c in item["candidates"][1:])
    assert all(set(c) == {"command", "source", "why", "cwd", "probability", "evidence"} for c in item["candidates"])
    # Nothing ran: no venv, no run folder, no ledger row.
    assert not (cache / "envs").exists() and not any((cache / "runs").glob("*")) and ledger(cache) == []
    text = plan(cache, "--repo", str(repo))
    assert "needs placeholder: `/path/to/coco`" in text.stdout and "other candidates:" in text.stdout


def test_declined_or_unconfirmed_records_nothing(tmp_path, make_git_repo):
    repo = make_git_repo("good", documented({"eval.py": EVAL}))
    cache = tmp_path / "cache"
    result = CliRunner().invoke(app, ["baseline", "--repo", str(repo), "--env", "current", "--cache-dir", str(cache)])
    assert result.exit_code == 5 and "pass --yes" in result.stderr
    assert "command (README.md § Evaluation): python eval.py" in result.stderr
    assert ledger(cache) == [] and not any((cache / "runs").glob("*"))


def git_repo(path: Path, files: dict[str, str]) -> Path:
    import os
    import subprocess

    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@t"
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "init"]):
        subprocess.run(argv, cwd=path, env=env, check=True)
    return path


def test_placeholder_blocks_until_set_and_cd_is_kept(tmp_path):
    repo = git_repo(
        tmp_path / "sub",
        {
            "README.md": "## Test\n```\ncd tools && python eval_model.py --data-path /path/to/data\n```\n",
            "tools/eval_model.py": (
                "import sys, os\nprint(os.getcwd().endswith('tools'), sys.argv[-1])\nprint('val acc: 93.5%')\n"
            ),
        },
    )
    cache = tmp_path / "cache"
    blocked = run_baseline(cache, "--repo", str(repo), "--json")
    [run] = json.loads(blocked.stdout)["runs"]
    assert run["status"] == "failed" and "not started" in run["message"] and "/path/to/data" in run["message"]
    assert [r.message for r in ledger(cache)] == [run["message"]]
    done = run_baseline(cache, "--repo", str(repo), "--set", "data-path=/data/x", "--json")
    [run] = json.loads(done.stdout)["runs"]
    assert run["status"] == "ok" and run["command"] == "python eval_model.py --data-path /data/x"
    assert run["metrics"] == {"val_accuracy": 0.935}
    assert "True /data/x" in Path(run["log"]).read_text()


def test_fill_by_text_flag_or_variable():
    assert fill("python e.py --data /path/to/coco", {"/path/to/coco": "/d"}) == "python e.py --data /d"
    assert fill("python e.py --data_path=/path/to/x", {"data-path": "/d"}) == "python e.py --data_path=/d"
    assert fill("python e.py --vocab=$BERT_BASE_DIR/v.txt", {"BERT_BASE_DIR": "/b"}) == "python e.py --vocab=/b/v.txt"
    assert fill('python src/eval.py ckpt_path="/p/x.ckpt"', {"ckpt_path": "/c"}) == "python src/eval.py ckpt_path=/c"
    with pytest.raises(ConfigError):
        fill("python e.py", {"nothing": "x"})


def test_timeout_with_metrics_and_no_terminal(tmp_path, make_git_repo, timeout_when):
    script = (
        "import os, shutil, subprocess, time\n"
        "print(os.get_terminal_size().columns > 0, os.environ['LINES'])\n"
        "print('stty', subprocess.run(['stty', 'size'], capture_output=True, text=True, check=True).stdout)\n"
        "print('test accuracy: 0.5', flush=True)\n"
        "time.sleep(60)\n"
    )
    repo = make_git_repo("slow", documented({"eval.py": script}))
    cache = tmp_path / "cache"
    timeout_when(log_shows(cache, "test accuracy: 0.5"))  # the timeout comes once the metrics are printed
    result = run_baseline(cache, "--repo", str(repo), "--timeout", "3")
    assert result.exit_code == 0, result.output
    assert "timed out, but the metrics printed before then are recorded" in result.stderr
    [run] = ledger(cache)
    assert run.status == "timeout" and run.metrics == {"test_accuracy": 0.5}
    log = Path(run.log).read_text()
    assert "True 40" in log and "stty 40 120" in log


def test_candidates_as_a_researcher_reads(tmp_path):
    (tmp_path / "main.py").write_text("")
    (tmp_path / "hubconf.py").write_text("")
    (tmp_path / "demo.py").write_text("")
    (tmp_path / "README.md").write_text("See [DeiT](README_deit.md). Try `python demo.py --image a.jpg`.\n")
    (tmp_path / "README_deit.md").write_text(
        "# DeiT\n## Evaluation\n```\n"
        "python main.py --eval --resume https://x.org/deit.pth --data-path /path/to/imagenet\n```\n"
    )
    found = find_candidates(tmp_path)
    deit = next(c for c in found.candidates if c.command.startswith("python main.py --eval --resume"))
    assert deit.source == "README_deit.md § Evaluation" and deit.section == ("DeiT", "Evaluation")
    assert deit.placeholders == ("/path/to/imagenet",)
    demo = next(c for c in found.candidates if c.command == "python demo.py --image a.jpg")
    assert demo.origin == "doc-inline" and demo.source == "README.md (inline code)"
    assert not any("hubconf" in c.command for c in found.candidates)


def test_library_and_notebook_candidates(tmp_path):
    (tmp_path / "setup.py").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "demo.ipynb").write_text("{}")
    (tmp_path / "README.md").write_text("Open demo.ipynb.\n```\npython -m pytest\n```\n")
    found = find_candidates(tmp_path)
    assert found.shape == "library"
    origins = {c.origin: c.command for c in found.candidates}
    assert "jupyter nbconvert --to notebook --execute" in origins["notebook"] and "demo.ipynb" in origins["notebook"]
    assert origins["doc-block"] == "python -m pytest"


def test_prepare_lines_before_the_command_are_setup(tmp_path):
    (tmp_path / "train.py").write_text("")
    (tmp_path / "data" / "shakespeare_char").mkdir(parents=True)
    (tmp_path / "data" / "shakespeare_char" / "prepare.py").write_text("")
    (tmp_path / "README.md").write_text(
        "## quick start\n```\npython data/shakespeare_char/prepare.py\n```\nthen\n"
        "```\npython train.py config/eval_small.py\n```\n"
    )
    found = find_candidates(tmp_path)
    train = next(c for c in found.candidates if c.command == "python train.py config/eval_small.py")
    assert train.setup == ("python data/shakespeare_char/prepare.py",)
