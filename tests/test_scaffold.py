"""`scout new`: templates, copying a baseline at its pinned commit, lineage, bad input. Fast: no torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scout import ledger
from scout.cli import app
from scout.errors import CloneError, ConfigError, ScaffoldError
from scout.scaffold.project import SECTION_BEGIN, SECTION_END, create_experiment, merge_readme_section
from scout.scaffold.templates import available_templates, output_path, render, render_tree, template_files

IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *IDENTITY, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def make_repo(path: Path, files: dict[str, str], links: dict[str, str] | None = None) -> str:
    """A git repository with `files` (and symlinks) committed; returns the commit."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    for rel, target in (links or {}).items():
        os.symlink(target, path / rel)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "baseline")
    return git(path, "rev-parse", "HEAD").strip()


def log_messages(path: Path) -> list[str]:
    return [m for m in git(path, "log", "--format=%B%x00").split("\0") if m.strip()]


BASELINE_FILES = {
    "README.md": "# Upstream model\n\nThe authors' README.\n",
    "eval.py": "print('accuracy: 93.1%')\n",
    "src/model.py": "WIDTH = 64\n",
    "run.sh": "#!/bin/sh\npython eval.py\n",
}


@pytest.fixture
def baseline(tmp_path):
    """A cloned baseline with a pinned commit, and a later commit that must not be copied."""
    clone = tmp_path / "cache" / "clones" / "o-r"
    sha = make_repo(clone, BASELINE_FILES, links={"src/link.py": "model.py"})
    (clone / "run.sh").chmod(0o755)
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "exec bit")
    pinned = git(clone, "rev-parse", "HEAD").strip()
    (clone / "src" / "model.py").write_text("WIDTH = 999  # after the pinned commit\n")
    git(clone, "commit", "-q", "-am", "later change")
    assert sha != pinned
    return clone, pinned


def record(store, tmp_path, clone: Path, commit: str, run_id: str = "r-20261130-0001", accuracy: float = 0.931):
    run = ledger.Run(
        id=run_id,
        repo="https://github.com/o/r",
        started_at=f"2026-11-30T01:00:0{run_id[-1]}Z",
        status="ok",
        commit=commit,
        command="python eval.py",
        device="cuda",
        gpu="NVIDIA H200",
        exit_code=0,
        seconds=41.2,
        metrics={"accuracy": accuracy},
        paper_metrics={"accuracy": 0.94},
        env={"python": "3.11.7", "torch": "2.13.0", "cuda": "12.4"},
        log="cache/runs/x/log.txt",
        clone_path=str(clone),
    )
    return ledger.record_run(store, tmp_path / "cache" / "runs", run)


# -- templates --------------------------------------------------------------------------------

SAMPLE_BASELINE = {
    "kind": "run",
    "label": "run r-1 of https://github.com/o/r",
    "repo": "https://github.com/o/r",
    "commit": "a" * 40,
    "run_id": "r-1",
    "name": None,
    "command": "python eval.py",
    "hardware": "NVIDIA H200",
    "date": "2026-11-30T01:00:00Z",
    "status": "ok",
    "template": None,
    "metrics": [{"name": "accuracy", "measured": "0.931", "paper": "0.94"}],
    "has_paper": True,
}
CONTEXTS = [
    {
        "name": "exp1",
        "command": "scout new exp1",
        "created": "2026-11-30T00:00:00Z",
        "template": "classification",
        "baseline": None,
        "lineage": [],
        "sanity_wiring": False,
        "scout_version": "0.1.0",
    },
    {
        "name": "exp2",
        "command": "scout new exp2 --from r-1",
        "created": "2026-11-30T00:00:00Z",
        "template": None,
        "baseline": SAMPLE_BASELINE,
        "sanity_wiring": True,
        "scout_version": "0.1.0",
        "lineage": [
            {
                "kind": "run",
                "name": None,
                "repo": "https://github.com/o/r",
                "commit": "a" * 40,
                "run_id": "r-1",
                "template": None,
            }
        ],
    },
]


def test_templates_are_discovered():
    assert available_templates() == ["classification"]
    assert output_path("classification/dot-gitignore") == "classification/.gitignore"
    assert output_path("partials/EXPERIMENTS.md.j2") == "partials/EXPERIMENTS.md"


# The starter's own code, nanoGPT-style: what every classification project must have.
CLASSIFICATION_CODE = (
    "train.py",
    "model.py",
    "data.py",
    "config/default.py",
    "config/smoke.py",
    "tests/test_sanity.py",
)


@pytest.mark.parametrize("context", CONTEXTS, ids=["template", "baseline"])
def test_every_template_renders_and_compiles(tmp_path, context):
    written = []
    for folder in [*available_templates(), "helpers", "baseline"]:
        written += render_tree(folder, tmp_path, context)
    python = [rel for rel in written if rel.endswith(".py")]
    assert {
        *CLASSIFICATION_CODE,
        "scoutkit/sanity.py",
        "scoutkit/records.py",
        "sanity_setup.py",
        "tests/test_scout_sanity.py",
    } <= set(python)
    for rel in python:
        compile((tmp_path / rel).read_text(), rel, "exec")  # raises SyntaxError on a broken file
    for partial in [n for n in template_files("partials") if n.endswith(".j2")]:
        text = render(partial, context)
        assert "{{" not in text and "{%" not in text
    experiments = render("partials/EXPERIMENTS.md.j2", context)
    assert "<!-- scout:runs-end -->" in experiments
    if context["baseline"]:
        assert "| accuracy | 0.931 | 0.94 |" in experiments and "`" + "a" * 40 + "`" in experiments


def test_strict_undefined_rejects_a_missing_value():
    import jinja2

    context = dict(CONTEXTS[0])
    del context["template"]
    with pytest.raises(jinja2.UndefinedError):
        render("partials/EXPERIMENTS.md.j2", context)


def test_each_starter_file_says_how_to_run_it(tmp_path):
    render_tree("classification", tmp_path, CONTEXTS[0])
    for rel in ("train.py", "model.py", "data.py", "config/default.py", "config/smoke.py", "tests/test_sanity.py"):
        opening = (tmp_path / rel).read_text().split('"""')[1]
        assert "python" in opening and (
            "train.py" in opening
            or "pytest" in opening
            or rel in opening
            or "python model.py" in opening
            or "python data.py" in opening
        ), rel
    default = (tmp_path / "config" / "default.py").read_text()
    assert 'optimizer = "adamw"' in default and "batch_size = 64" in default and "momentum = 0.9" in default


# -- from a template --------------------------------------------------------------------------


def test_new_from_template(tmp_path):
    result = create_experiment(
        "exp1", template="classification", target=tmp_path / "exp1", command="scout new exp1 --template classification"
    )
    project = tmp_path / "exp1"
    assert result.path == project and result.template == "classification" and result.baseline is None
    for rel in (
        *CLASSIFICATION_CODE,
        "scoutkit/__init__.py",
        "EXPERIMENTS.md",
        "README.md",
        ".gitignore",
        ".scout/origin.json",
    ):
        assert (project / rel).is_file(), rel
    [message] = log_messages(project)
    assert "Scout-Template: classification" in message
    assert git(project, "rev-parse", "HEAD").strip() == result.commit
    assert git(project, "status", "--porcelain") == ""
    (project / ".scout" / "scout.db").write_bytes(b"")  # the project's own store: never untracked
    (project / ".scout" / "repos").mkdir()
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""
    readme = (project / "README.md").read_text()
    assert readme.startswith(SECTION_BEGIN) and "## The number to beat" in readme and "## How to run" in readme
    origin = json.loads((project / ".scout" / "origin.json").read_text())
    assert origin["template"] == "classification" and origin["lineage"] == [] and origin["source"] is None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_empty_ledger_falls_back_to_the_template(tmp_path, store):
    result = create_experiment("exp1", target=tmp_path / "exp1", store=store)
    assert result.template == "classification"
    assert any("no baseline in the ledger" in n for n in result.notes)


# -- from a baseline run ----------------------------------------------------------------------


def test_new_from_a_ledger_run_copies_the_pinned_commit(tmp_path, store, baseline):
    clone, pinned = baseline
    run = record(store, tmp_path, clone, pinned)
    result = create_experiment(
        "exp1", source=run.id, target=tmp_path / "exp1", store=store, command="scout new exp1 --from r-20261130-0001"
    )
    project = tmp_path / "exp1"
    assert (project / "src" / "model.py").read_text() == "WIDTH = 64\n"  # the pinned commit, not the later one
    assert (project / "eval.py").read_text() == BASELINE_FILES["eval.py"]
    assert os.readlink(project / "src" / "link.py") == "model.py"
    assert os.access(project / "run.sh", os.X_OK)
    origin_message, scout_message = reversed(log_messages(project))
    assert f"Origin-Commit: {pinned}" in origin_message
    assert "Origin-Repo: https://github.com/o/r" in origin_message and "Origin-Run: r-20261130-0001" in origin_message
    # The first commit is the baseline unchanged: exactly its files.
    first = git(project, "rev-list", "--max-parents=0", "HEAD").strip()
    assert sorted(git(project, "ls-tree", "-r", "--name-only", first).split()) == sorted(
        git(clone, "ls-tree", "-r", "--name-only", pinned).split()
    )
    assert "scoutkit" in scout_message and result.commit == git(project, "rev-parse", "HEAD").strip()

    experiments = (project / "EXPERIMENTS.md").read_text()
    header = experiments.split("## Runs")[0]
    for expected in (
        "| repo | https://github.com/o/r |",
        f"| commit | `{pinned}` |",
        "| run | r-20261130-0001 |",
        "| command | `python eval.py` |",
        "| hardware | NVIDIA H200, torch 2.13.0 |",
        "| date | 2026-11-30T01:00:01Z |",
        "| accuracy | 0.931 | 0.94 |",
    ):
        assert expected in header, expected
    readme = (project / "README.md").read_text()
    assert readme.startswith(SECTION_BEGIN) and readme.endswith(BASELINE_FILES["README.md"])
    assert "| accuracy | 0.931 | 0.94 |" in readme and "sanity_setup.py" in readme
    assert (project / "sanity_setup.py").is_file() and (project / "tests" / "test_scout_sanity.py").is_file()
    origin = json.loads((project / ".scout" / "origin.json").read_text())
    assert origin["source"]["run_id"] == run.id and origin["lineage"][0]["commit"] == pinned


def test_default_source_is_the_best_run(tmp_path, store, baseline):
    clone, pinned = baseline
    record(store, tmp_path, clone, pinned, run_id="r-20261130-0001", accuracy=0.90)
    record(store, tmp_path, clone, pinned, run_id="r-20261130-0002", accuracy=0.93)
    result = create_experiment("exp1", target=tmp_path / "exp1", store=store)
    assert result.baseline.run_id == "r-20261130-0002"


def test_repository_url_picks_its_latest_run(tmp_path, store, baseline):
    clone, pinned = baseline
    record(store, tmp_path, clone, pinned)
    result = create_experiment("exp1", source="https://github.com/o/r.git", target=tmp_path / "exp1", store=store)
    assert result.baseline.run_id == "r-20261130-0001"


def test_a_clone_path_finds_its_ledger_run(tmp_path, store, baseline):
    clone, pinned = baseline
    git(clone, "checkout", "-q", pinned)
    record(store, tmp_path, clone, pinned)
    result = create_experiment("exp1", source=str(clone), target=tmp_path / "exp1", store=store)
    assert result.baseline.kind == "run" and result.baseline.run_id == "r-20261130-0001"


def test_plain_repository_without_a_run(tmp_path):
    source = tmp_path / "plain"
    sha = make_repo(source, {"main.py": "print(1)\n"})
    result = create_experiment("exp1", source=str(source), target=tmp_path / "exp1")
    assert result.baseline.kind == "repo" and result.baseline.commit == sha
    assert any("no number to beat" in n for n in result.notes)
    assert "Not measured yet" in (tmp_path / "exp1" / "README.md").read_text()


def test_an_earlier_experiment_is_copied_with_its_lineage(tmp_path, store, baseline):
    clone, pinned = baseline
    run = record(store, tmp_path, clone, pinned)
    exp1 = tmp_path / "exp1"
    create_experiment("exp1", source=run.id, target=exp1, store=store)
    (exp1 / "scoutkit" / "extra.py").write_text("IMPROVED = True\n")  # exp1's own edit to its helpers
    (exp1 / "sanity_setup.py").write_text("def build():\n    return None, []\n")  # and its wiring
    git(exp1, "add", "-A")
    git(exp1, "commit", "-q", "-m", "better helpers")
    runs = [
        {
            "run": 1,
            "time": "2026-11-30T02:00:00Z",
            "command": "train.py",
            "metrics": {"accuracy": 0.95},
            "env": {"gpu": "1 x NVIDIA H200"},
        },
        {
            "run": 2,
            "time": "2026-11-30T03:00:00Z",
            "command": "train.py --lr=1",
            "metrics": {"accuracy": 0.91},
            "env": {"gpu": None},
        },
    ]
    (exp1 / "runs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs))

    result = create_experiment("exp2", source=str(exp1), target=tmp_path / "exp2", store=store)
    exp2 = tmp_path / "exp2"
    assert result.baseline.kind == "experiment" and result.baseline.name == "exp1"
    assert not (exp2 / "runs.jsonl").exists()  # exp1's runs stay exp1's
    assert (exp2 / "scoutkit" / "extra.py").read_text() == "IMPROVED = True\n"
    assert (exp2 / "sanity_setup.py").read_text() == "def build():\n    return None, []\n"  # kept, not re-rendered
    experiments = (exp2 / "EXPERIMENTS.md").read_text()
    assert "| accuracy | 0.95 | - |" in experiments  # exp1's best run is the number to beat
    assert "| command | `train.py` |" in experiments and "1 x NVIDIA H200" in experiments
    assert "## Lineage" in experiments and "experiment exp1" in experiments and "(run r-20261130-0001)" in experiments
    origin = json.loads((exp2 / ".scout" / "origin.json").read_text())
    assert [step["kind"] for step in origin["lineage"]] == ["experiment", "run"]
    assert origin["lineage"][0]["commit"] == git(exp1, "rev-parse", "HEAD").strip()
    assert "Origin-Experiment: exp1" in log_messages(exp2)[-1]
    readme = (exp2 / "README.md").read_text()
    assert readme.count(SECTION_BEGIN) == 1 and readme.startswith(SECTION_BEGIN) and "# exp2" in readme
    assert readme.endswith(BASELINE_FILES["README.md"])


# -- bad input --------------------------------------------------------------------------------


def leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


def test_a_non_empty_target_is_refused_unless_forced(tmp_path):
    target = tmp_path / "exp1"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="exists and is not empty.*--force"):
        create_experiment("exp1", template="classification", target=target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    result = create_experiment("exp1", template="classification", target=target, force=True)
    assert not (target / "notes.txt").exists() and (result.path / "train.py").is_file()
    assert leftovers(tmp_path) == []


def test_an_empty_target_is_used(tmp_path):
    (tmp_path / "exp1").mkdir()
    create_experiment("exp1", template="classification", target=tmp_path / "exp1")
    assert (tmp_path / "exp1" / "train.py").is_file()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"template": "transformer"}, ConfigError, "unknown template 'transformer'.*classification"),
        ({"template": "classification", "source": "r-1"}, ConfigError, "not both"),
        ({"source": "r-20990101-0001"}, ScaffoldError, "not in the ledger.*scout runs"),
        ({"source": "./nowhere"}, ScaffoldError, "no directory ./nowhere"),
        ({"source": "https://github.com/x/y"}, ScaffoldError, "no run of https://github.com/x/y.*scout baseline"),
    ],
)
def test_bad_sources(tmp_path, store, kwargs, error, message):
    with pytest.raises(error, match=message):
        create_experiment("exp1", target=tmp_path / "exp1", store=store, **kwargs)
    assert not (tmp_path / "exp1").exists()


def test_bad_name(tmp_path):
    with pytest.raises(ConfigError, match="--dir"):
        create_experiment("../up", template="classification")


def test_missing_clone(tmp_path, store, baseline):
    clone, pinned = baseline
    run = record(store, tmp_path, clone, pinned)
    os.rename(clone, tmp_path / "moved")
    with pytest.raises(CloneError, match="clone of https://github.com/o/r for run r-20261130-0001 is missing"):
        create_experiment("exp1", source=run.id, target=tmp_path / "exp1", store=store)
    assert not (tmp_path / "exp1").exists()


def test_pinned_commit_missing_from_the_clone(tmp_path, store, baseline):
    clone, _ = baseline
    run = record(store, tmp_path, clone, "f" * 40)
    with pytest.raises(CloneError, match="commit ffffffffffff is not in"):
        create_experiment("exp1", source=run.id, target=tmp_path / "exp1", store=store)
    assert not (tmp_path / "exp1").exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "links, shown",
    [
        ({"sub/evil": "/etc/passwd"}, "sub/evil -> /etc/passwd"),
        ({"sub/evil": "../../outside.txt"}, "sub/evil -> ../../outside.txt"),
        ({"sub/evil": "./../../x"}, "sub/evil -> ./../../x"),
        ({"d": ".", "e": "d/d/../../x"}, "e -> d/d/../../x"),  # escapes only through the other link
    ],
)
def test_symlinks_out_of_the_baseline_are_refused(tmp_path, links, shown):
    source = tmp_path / "base"
    make_repo(source, {"a.py": "x = 1\n", "sub/b.py": "y = 2\n"}, links=links)
    with pytest.raises(ScaffoldError, match=f"symlink {shown} points outside"):
        create_experiment("exp1", source=str(source), target=tmp_path / "exp1")
    assert not (tmp_path / "exp1").exists() and leftovers(tmp_path) == []


def test_a_folder_that_is_not_a_repository(tmp_path):
    (tmp_path / "loose").mkdir()
    with pytest.raises(ScaffoldError, match="not a git repository.*git init"):
        create_experiment("exp1", source=str(tmp_path / "loose"), target=tmp_path / "exp1")


def test_target_holding_the_baseline_is_refused(tmp_path):
    source = tmp_path / "outer" / "base"
    make_repo(source, {"a.py": "x = 1\n"})
    with pytest.raises(ScaffoldError, match="holds the baseline"):
        create_experiment("outer", source=str(source), target=tmp_path / "outer", force=True)
    assert (source / "a.py").is_file()


# -- README section ---------------------------------------------------------------------------


def test_readme_section_is_prepended_then_replaced():
    first = merge_readme_section("# Theirs\n", "# exp1\nold")
    assert first == f"{SECTION_BEGIN}\n# exp1\nold\n{SECTION_END}\n\n# Theirs\n"
    second = merge_readme_section(first, "# exp2\nnew")
    assert second == f"{SECTION_BEGIN}\n# exp2\nnew\n{SECTION_END}\n\n# Theirs\n"
    assert merge_readme_section(None, "x") == f"{SECTION_BEGIN}\nx\n{SECTION_END}\n"


# -- scoutkit.record_run (no torch) -----------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A generated project with its scoutkit importable."""
    create_experiment("exp1", template="classification", target=tmp_path / "exp1")
    monkeypatch.syspath_prepend(str(tmp_path / "exp1"))
    for name in [m for m in sys.modules if m == "scoutkit" or m.startswith("scoutkit.")]:
        monkeypatch.delitem(sys.modules, name)
    import scoutkit

    return tmp_path / "exp1", scoutkit


def test_record_run_writes_both_records(project):
    root, scoutkit = project
    head = git(root, "rev-parse", "HEAD").strip()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean tree must not warn
        first = scoutkit.record_run(
            {"name": "smoke", "lr": 3e-3}, {"val_accuracy": 0.9417, "val_loss": 0.55}, note="smoke", root=root
        )
        scoutkit.record_run({"name": "default"}, {"val_accuracy": 0.9861}, root=root)
    lines = [json.loads(line) for line in (root / "runs.jsonl").read_text().splitlines()]
    assert [r["run"] for r in lines] == [1, 2]
    assert lines[0]["commit"] == head and lines[0]["dirty"] is False and lines[0]["config"]["lr"] == 3e-3
    assert lines[0]["code_hash"] == lines[1]["code_hash"] == first["code_hash"] == scoutkit.code_hash(root)
    text = (root / "EXPERIMENTS.md").read_text()
    table = text.split("## Runs")[1].split("<!-- scout:runs-end -->")[0].strip().splitlines()
    assert (
        table[2] == f"| 1 | {first['time'][:16].replace('T', ' ')} | {head[:7]} | {first['code_hash']} | smoke | "
        "val_accuracy=0.9417, val_loss=0.55 | smoke |"
    )
    assert table[3].startswith("| 2 |") and "val_accuracy=0.9861" in table[3] and len(table) == 4
    assert text.rstrip().endswith("## Notes")


def test_record_run_warns_loudly_on_uncommitted_changes(project, capsys):
    root, scoutkit = project
    before = scoutkit.code_hash(root)
    (root / "model.py").write_text((root / "model.py").read_text() + "\n# tweak\n")
    with pytest.warns(scoutkit.UncommittedChangesWarning, match="model.py"):
        written = scoutkit.record_run({"name": "x"}, {"val_accuracy": 0.5}, root=root)
    assert "UNCOMMITTED CHANGES" in capsys.readouterr().err
    assert written["dirty"] is True and written["uncommitted"] == ["model.py"] and written["code_hash"] != before
    assert "(dirty)" in (root / "EXPERIMENTS.md").read_text()


# -- CLI ---------------------------------------------------------------------------------------


def test_cli_new_and_its_errors(tmp_path):
    runner = CliRunner()
    cache = ["--cache-dir", str(tmp_path / "cache")]
    done = runner.invoke(app, ["new", "exp1", "--template", "classification", "--dir", str(tmp_path / "exp1"), *cache])
    assert done.exit_code == 0, done.output
    assert "created" in done.output and "python train.py config/smoke.py" in done.output
    assert not (tmp_path / "cache").exists()  # a template needs no ledger
    again = runner.invoke(app, ["new", "exp1", "--template", "classification", "--dir", str(tmp_path / "exp1"), *cache])
    assert again.exit_code == 1 and "exists and is not empty" in again.output
    unknown = runner.invoke(app, ["new", "exp9", "--template", "nope", "--dir", str(tmp_path / "exp9"), *cache])
    assert unknown.exit_code == 2 and "unknown template 'nope'" in unknown.output
    assert "Traceback" not in unknown.output and len(unknown.output.strip().splitlines()) == 1
