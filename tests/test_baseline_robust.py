"""Repos shaped to break a planner: a 10 MB README, 50k files, a binary README, an empty one, and
no docs at all. Each gets a plan or one clear line, in bounded time, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scout.baseline.discover.docs import read_text
from scout.baseline.discover.plan import plan_checkout
from scout.baseline.execute.clone import Checkout, Target
from scout.cli import app
from tests.sync import GUARD_S

IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
EVAL = "print('test accuracy: 0.9')\n"


def commit(repo: Path) -> Path:
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "init"]):
        subprocess.run(argv, cwd=repo, env={**os.environ, **IDENTITY}, check=True, capture_output=True)
    return repo


def plan_cli(tmp_path: Path, repo: Path):
    """`scout baseline --repo REPO --plan --json`: (exit code, the plan or None, stderr), timed."""
    started = time.perf_counter()
    result = CliRunner().invoke(
        app, ["baseline", "--plan", "--json", "--cache-dir", str(tmp_path / "cache"), "--repo", str(repo)]
    )
    seconds = time.perf_counter() - started
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert seconds < GUARD_S, f"planning took {seconds:.1f} s"
    if result.exit_code == 0:
        [plan] = json.loads(result.stdout)["plans"]
        return 0, plan, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # one clear line
    return result.exit_code, None, result.stderr


def plan_in_place(repo: Path):
    """The plan of a checkout as it stands (no clone), timed: what `--plan` spends per cloned repo."""
    started = time.perf_counter()
    plan = plan_checkout(Target(str(repo)), Checkout(str(repo), repo, "0" * 40), repo / ".no-recipes")
    seconds = time.perf_counter() - started
    assert seconds < GUARD_S, f"planning took {seconds:.1f} s"
    return plan


def huge_readme(tmp_path: Path) -> Path:
    repo = tmp_path / "huge"
    repo.mkdir()
    section = "## Notes\n" + "Some prose about the method, `inline code`, and [a link](docs/x.md).\n" * 200
    blocks = "\n## Evaluation\n```\npython eval.py --split test\n```\n"
    text = blocks + (section + "```\npip install foo\n```\n") * (10_000_000 // (len(section) + 24))
    (repo / "README.md").write_text(text, encoding="utf-8")
    (repo / "eval.py").write_text(EVAL)
    assert (repo / "README.md").stat().st_size >= 9_500_000
    return commit(repo)


def test_a_10_mb_readme_gets_a_plan_in_bounded_time(tmp_path):
    repo = huge_readme(tmp_path)
    code, plan, _ = plan_cli(tmp_path, repo)
    assert code == 0 and plan["candidates"]  # eval.py is found, whatever the ranker makes of it
    plan_in_place(repo)


def test_a_10_mb_readme_keeps_its_documented_command(tmp_path):
    repo = huge_readme(tmp_path)
    assert plan_in_place(repo).command == "python eval.py --split test"


@pytest.mark.slow
def test_50k_files(tmp_path):
    # The checkout as the plan reads it (no git: cloning 50k files is git's time, not the plan's).
    # Hard links to one file: 50k names cost seconds, not the minute 50k new inodes take on a busy disk.
    repo = tmp_path / "wide"
    repo.mkdir()
    one = repo / "one.txt"
    one.write_bytes(b"x")
    for i in range(50):
        folder = repo / "data" / f"part{i:02d}"
        folder.mkdir(parents=True)
        for j in range(1000):
            os.link(one, folder / f"sample{j:04d}.txt")
    (repo / "README.md").write_text("## Test\n```\npython test.py\n```\n")
    (repo / "test.py").write_text(EVAL)
    plan = plan_in_place(repo)
    assert "python test.py" in [c.command for c in plan.candidates]


def test_a_binary_readme(tmp_path):
    repo = tmp_path / "binary"
    repo.mkdir()
    (repo / "README.md").write_bytes(bytes(range(256)) * 4000 + b"\x00\xff\xfe" * 1000)
    (repo / "eval.py").write_text(EVAL)
    commit(repo)
    code, plan, stderr = plan_cli(tmp_path, repo)
    assert code in (0, 1), stderr
    if code == 0:
        assert plan["command"] in (None, "python eval.py")


def test_an_empty_readme(tmp_path):
    repo = tmp_path / "empty"
    repo.mkdir()
    (repo / "README.md").write_text("")
    (repo / "eval.py").write_text(EVAL)
    commit(repo)
    code, plan, stderr = plan_cli(tmp_path, repo)
    assert code == 0, stderr
    assert "python eval.py" in [c["command"] for c in plan["candidates"]]


def test_no_docs_at_all(tmp_path):
    repo = tmp_path / "nodocs"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "model.py").write_text("import torch\n")
    (repo / "notes.txt").write_text("nothing here\n")
    commit(repo)
    code, plan, stderr = plan_cli(tmp_path, repo)
    assert code == 0, stderr
    assert plan["command"] is None and plan["source"].startswith("no runnable evaluation")
    text = CliRunner().invoke(app, ["baseline", "--plan", "--cache-dir", str(tmp_path / "cache"), "--repo", str(repo)])
    assert text.exit_code == 0 and "command: none (no runnable evaluation" in text.stdout


def test_an_empty_repo_is_one_line(tmp_path):
    repo = tmp_path / "bare"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    code, _, stderr = plan_cli(tmp_path, repo)
    assert code == 0 or "no commits" in stderr


# The Evaluation section of yaq007/Autofocus-Layer's README (corpus, dev), with an accented word:
# the shape saved by a Windows editor as UTF-16, or by an old one as Latin-1.
AUTOFOCUS = (
    "## Evaluation\nYou can evaluate a series of models saved after different epochs for one network via.\n"
    "```bash\npython val.py --num_gpus NUM_GPUS --id MODEL_ID\n```\nRésultats on the validation list.\n"
)


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1", "utf-8-sig"])
def test_a_readme_in_another_encoding_keeps_its_commands(tmp_path, encoding):
    repo = tmp_path / encoding
    repo.mkdir()
    (repo / "README.md").write_bytes(AUTOFOCUS.encode(encoding))
    (repo / "val.py").write_text(EVAL)
    commit(repo)
    code, plan, stderr = plan_cli(tmp_path, repo)
    assert code == 0, stderr
    assert "python val.py --num_gpus NUM_GPUS --id MODEL_ID" in [c["command"] for c in plan["candidates"]]
    assert "Résultats" in read_text(repo / "README.md")


def test_a_character_cut_by_the_read_limit_does_not_turn_the_file_into_latin_1(tmp_path):
    path = tmp_path / "README.md"
    path.write_bytes("é".encode() * 10)
    assert read_text(path, limit=5) == "éé"


def test_symlink_loops_are_not_followed(tmp_path):
    repo = tmp_path / "loops"
    (repo / "src").mkdir(parents=True)
    (repo / "README.md").write_text(AUTOFOCUS + "See [the guide](loop/README.md) and [more](self/README.md).\n")
    (repo / "val.py").write_text(EVAL)
    (repo / "self").symlink_to(".")
    (repo / "src" / "back").symlink_to("..")
    (repo / "loop").symlink_to("loop")
    commit(repo)
    code, plan, stderr = plan_cli(tmp_path, repo)
    assert code == 0, stderr
    assert plan["command"] == "python val.py --num_gpus NUM_GPUS --id MODEL_ID"
    assert len([c for c in plan["candidates"] if c["command"].startswith("python val.py --num_gpus")]) == 1


def test_a_readme_linked_out_of_the_repo_is_not_read(tmp_path):
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "notes.md").write_text("## Evaluation\n```\npython secret_eval.py\n```\n")
    (outside / "setup.py").write_text("setup(entry_points={'console_scripts': ['secret = secret.cli:main']})\n")
    repo = tmp_path / "linked"
    (repo / "docs").mkdir(parents=True)
    (repo / "README.md").symlink_to(outside / "notes.md")
    (repo / "docs" / "usage.md").symlink_to(outside / "notes.md")
    (repo / "setup.py").symlink_to(outside / "setup.py")
    (repo / "val.py").write_text(EVAL)
    commit(repo)
    code, plan, stderr = plan_cli(tmp_path, repo)
    assert code == 0, stderr
    commands = " ".join(c["command"] for c in plan["candidates"])
    assert "secret" not in commands and "python val.py" in commands
