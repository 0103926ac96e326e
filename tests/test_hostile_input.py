"""Hostile repositories, round 2 (issue 23): what a user approves is what runs, nothing a repo prints
or declares can hang or crash scout, nothing scout did not create is deleted, and impossible numbers
are flagged. Each test is a small local repo (or MCP call) that tries one attack."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import anyio
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import stdio_client
from typer.testing import CliRunner

from scout.cli import app
from tests.cli_helpers import documented, ledger, run_baseline
from tests.test_hostile import GIT_ID, runs_of, store_intact
from tests.test_mcp import error_text, server

ESC = "\x1b"
HIDDEN = f"{ESC}[8m && touch PWNED{ESC}[0m{ESC}[K"


def no_raw_controls(text: str) -> bool:
    return not any(ord(c) < 32 and c not in "\n" for c in text) and "\x9b" not in text


# -- 1. what you approve is what runs -------------------------------------------------------------


def test_a_concealed_shell_tail_is_shown_escaped_and_never_run(tmp_path, make_git_repo, monkeypatch):
    readme = f"## Evaluation {ESC}]52;c;ZWNobyBwd25lZA=={ESC}\\\n\n```bash\npython eval.py --eval{HIDDEN}\n```\n"
    repo = make_git_repo("conceal", {"README.md": readme, "eval.py": "print('accuracy: 0.5')\n"})
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    plan = CliRunner().invoke(app, ["baseline", "--plan", "--cache-dir", str(cache), "--repo", str(repo)])
    assert plan.exit_code == 0, plan.output
    assert no_raw_controls(plan.stdout), plan.stdout
    assert "python eval.py --eval\\x1b[8m" in plan.stdout  # the concealment, visible
    assert "\\x1b]52" in plan.stdout  # the heading's clipboard write, visible in the candidate's source
    assert "needs unsafe: the command `python eval.py --eval\\x1b[8m` holds control characters" in plan.stdout
    result = run_baseline(cache, "--json", "--repo", str(repo))
    assert no_raw_controls(result.stderr), result.stderr
    [run] = runs_of(result)
    assert run["status"] == "failed" and "control characters" in run["message"]
    assert not (tmp_path / "PWNED").exists() and not list(cache.rglob("PWNED"))
    # The user's own --cmd runs.
    typed = run_baseline(cache, "--json", "--repo", str(repo), "--cmd", "python eval.py --eval")
    assert runs_of(typed)[0]["status"] == "ok"
    assert store_intact(cache) == 2


def test_a_concealed_recipe_command_is_refused_even_with_yes(tmp_path, make_git_repo, monkeypatch):
    toml = 'command = "python eval.py\\u001b[8m; touch PWNED\\u001b[0m\\u001b[K"\n'
    repo = make_git_repo("toml", documented({"eval.py": "print('accuracy: 0.5')\n", "scout.toml": toml}))
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    result = run_baseline(cache, "--json", "--repo", str(repo))
    assert "python eval.py\\x1b[8m; touch PWNED\\x1b[0m\\x1b[K" in result.stderr and no_raw_controls(result.stderr)
    assert runs_of(result)[0]["status"] == "failed"
    assert not list(tmp_path.rglob("PWNED"))


def test_file_names_never_become_shell_or_options(tmp_path, make_git_repo, monkeypatch):
    marker = tmp_path / "X"
    body = "if __name__ == '__main__':\n    print('accuracy: 0.5')\n"
    repo = make_git_repo("names", {"eval.py": "placeholder\n"})
    for name in ("eval;touch X;.py", "-c print(1);.py", "split\n  command (forged): python safe.py\n.py"):
        (repo / name).write_text(body)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "names"], cwd=repo, env={**os.environ, **GIT_ID}, check=True)
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    plan = CliRunner().invoke(app, ["baseline", "--plan", "--json", "--cache-dir", str(cache), "--repo", str(repo)])
    [found] = json.loads(plan.stdout)["plans"]
    commands = [c["command"] for c in found["candidates"]]
    assert "python 'eval;touch X;.py'" in commands
    assert "python './-c print(1);.py'" in commands
    assert not any("forged" in c or "\n" in c for c in commands)  # a name with a newline is no candidate
    text = CliRunner().invoke(app, ["baseline", "--plan", "--cache-dir", str(cache), "--repo", str(repo)]).stdout
    assert "command (forged)" not in text
    for number, command in enumerate(commands, 1):
        if "touch" in command or "-c" in command:
            [run] = runs_of(run_baseline(cache, "--json", "--repo", str(repo), "--pick", str(number)))
            assert run["status"] == "ok", run["message"]
    assert not marker.exists() and not list(cache.rglob("X"))


def test_a_repo_recipe_is_shown_before_it_runs_and_its_names_stay_escaped(tmp_path, make_git_repo):
    cache = tmp_path / "cache"
    toml = (
        'command = "python eval.py"\nmetrics_file = "m.json"\n'
        'metric_patterns = ["score=(?P<value>[0-9.]+)"]\nsetup = ["echo step"]\n'
    )
    metrics = {"\u001b[2J\u001b[31mpwn\u202e": 0.25, "accuracy": 0.5}
    script = f"import json\njson.dump({metrics!r}, open('m.json', 'w'))\nprint('score=0.7')\n"
    repo = make_git_repo("recipe", documented({"eval.py": script, "scout.toml": toml}))
    result = run_baseline(cache, "--repo", str(repo))
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "metric pattern: score=(?P<value>[0-9.]+)" in err and "metrics file: m.json" in err
    assert "before it: setup: echo step" in err or "setup: echo step" in err
    assert no_raw_controls(err) and no_raw_controls(result.stdout)
    # The reader drops the name's escape codes (logmetrics.plain_name); what is left, a bidi
    # override, is shown escaped on the completion line.
    assert "pwn\\u202e=0.25" in err
    saved = (cache / "recipes").glob("*.toml")
    assert "score=" in next(saved).read_text()  # saved only after the plan above showed it
    # The scaffold's README and EXPERIMENTS.md, and the Markdown report, carry no raw escape either.
    [run] = ledger(cache)
    exp = tmp_path / "exp"
    new = CliRunner().invoke(app, ["new", "exp", "--from", run.id, "--dir", str(exp), "--cache-dir", str(cache)])
    assert new.exit_code == 0, new.output
    for name in ("README.md", "EXPERIMENTS.md"):
        text = (exp / name).read_text()
        assert ESC not in text and "\u202e" not in text and "pwn" in text, text
    report = CliRunner().invoke(
        app, ["report", "--format", "md", "--output", str(tmp_path / "report"), "--cache-dir", str(cache)]
    )
    assert report.exit_code == 0, report.output
    written = (tmp_path / "report").read_text()
    assert written and ESC not in written and "\u202e" not in written and "pwn" in written


# -- 2. nothing a repo prints can hang or crash scout ---------------------------------------------


def test_an_exponent_bomb_is_dropped_with_a_flag_not_a_crash(tmp_path, make_git_repo):
    cache = tmp_path / "cache"
    toml = 'command = "python eval.py"\nmetrics_file = "m.json"\n'
    script = (
        "import json\n"
        "json.dump({'accuracy': '5 x 1e99999999', 'f1': '1e-400', 'recall': int('9' * 400), 'top5': '0.9'}, "
        "open('m.json', 'w'))\n"
        f"print('precision: {'9' * 5000}/3')\n"
    )
    repo = make_git_repo("bomb", documented({"eval.py": script, "scout.toml": toml}))
    [run] = runs_of(run_baseline(cache, "--json", "--repo", str(repo)))
    assert run["status"] == "ok" and run["metrics"]["top5"] == 0.9, run
    assert "accuracy" not in run["metrics"] and "recall" not in run["metrics"]
    flags = " ".join(run["flags"])
    assert "non-finite: accuracy" in flags and "non-finite: recall" in flags and "non-finite: precision" in flags
    assert "f1 = 1e-400 reads as 0 only because it is too small for a float" in flags
    assert "f1" not in run["baseline_for"]


def test_an_exponent_bomb_in_the_archive_skips_that_value_and_the_import_goes_on(store, tmp_path):
    from scout.archive.importer import import_dump
    from tests.pwc_dumps import PAPERS, write_json

    row = {"model_name": "m", "paper_url": "https://arxiv.org/abs/1703.06870", "paper_title": "Mask R-CNN"}
    row["metrics"] = {"Top-1": "5 x 1e99999999", "Top-5": "93.1%", "Error": "1e-400", "Recall": "9" * 5000}
    table = {"metrics": list(row["metrics"]), "rows": [row]}
    tasks = [{"task": "Image Classification", "subtasks": [], "datasets": [{"dataset": "ImageNet", "sota": table}]}]
    import_dump(store, write_json(tmp_path / "papers.json", [PAPERS[3]]))
    report = import_dump(store, write_json(tmp_path / "evaluation-tables.json", tasks))
    assert (report.records, report.skipped, report.error) == (1, 3, None)
    [result] = store.get_paper("arxiv:1703.06870").results
    assert (result.metric, result.value) == ("Top-5", 93.1)


def test_a_catastrophic_recipe_pattern_is_cut_off_and_the_run_recorded(tmp_path, make_git_repo):
    cache = tmp_path / "cache"
    toml = 'command = "python eval.py"\nmetric_patterns = ["^(a|aa)+$"]\n'
    script = "print('a' * 60 + 'b')\nprint('accuracy: 0.5')\n"
    repo = make_git_repo("redos", documented({"eval.py": script, "scout.toml": toml}))
    result = run_baseline(cache, "--json", "--repo", str(repo))
    assert "metric pattern: ^(a|aa)+$" in result.stderr  # shown before it ran
    [run] = runs_of(result)
    assert run["status"] == "ok" and run["metrics"]["accuracy"] == 0.5
    assert any(flag.startswith("slow pattern: '^(a|aa)+$'") for flag in run["flags"]), run["flags"]


def test_a_metric_printed_past_the_log_cap_is_still_read(tmp_path, make_git_repo, monkeypatch):
    from scout.baseline.execute import process

    monkeypatch.setattr(process, "MAX_LOG_BYTES", 256 * 1024)
    monkeypatch.setattr(process, "TAIL_BYTES", 32 * 1024)
    cache = tmp_path / "cache"
    script = "import sys\nfor i in range(40000):\n    print('noise', i, 'x' * 40)\nprint('accuracy: 0.77')\n"
    repo = make_git_repo("flood", documented({"eval.py": script}))
    [run] = runs_of(run_baseline(cache, "--json", "--repo", str(repo)))
    assert run["status"] == "ok" and run["metrics"]["accuracy"] == 0.77, run["message"]
    log = Path(run["log"])
    assert log.stat().st_size < 256 * 1024 + 4096  # the budget, plus scout's own lines
    assert "the log is cut here" in log.read_text()


def test_a_run_that_fills_the_disk_is_stopped_at_its_budget_and_recorded(tmp_path, make_git_repo, monkeypatch):
    from scout.baseline.execute import evaluate, process

    monkeypatch.setattr(evaluate, "DISK_BUDGET_BYTES", 1024 * 1024)
    monkeypatch.setattr(process, "GUARD_EVERY_S", 0.05)
    cache = tmp_path / "cache"
    script = (
        "import os, time\n"
        "open(os.path.join(os.environ['SCOUT_RUN_DIR'], 'big.bin'), 'wb').write(os.urandom(4 * 1024 * 1024))\n"
        "print('accuracy: 0.6', flush=True)\n"
        "time.sleep(600)\n"
    )
    repo = make_git_repo("filler", documented({"eval.py": script}))
    [run] = runs_of(run_baseline(cache, "--json", "--repo", str(repo)))
    assert run["status"] == "failed" and "past its disk budget of 1 MB" in run["message"], run["message"]
    assert store_intact(cache) == 1


# -- 3. nothing is deleted that scout did not create -----------------------------------------------


def test_scout_new_never_replaces_the_store_home_or_uncommitted_work(tmp_path, make_git_repo, monkeypatch):
    cache = tmp_path / "cache"
    repo = make_git_repo("ok", documented({"eval.py": "print('accuracy: 0.5')\n"}))
    assert run_baseline(cache, "--repo", str(repo)).exit_code == 0
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    work = make_git_repo("work", {"train.py": "print(1)\n"})
    (work / "train.py").write_text("print(2)  # not committed\n")
    monkeypatch.chdir(tmp_path / "ok")
    for target, why in ((cache, "scout's store"), (home, "home folder"), (work, "uncommitted changes")):
        args = ["new", "exp", "--template", "classification", "--force", "--dir", str(target)]
        result = CliRunner().invoke(app, [*args, "--cache-dir", str(cache)])
        assert result.exit_code == 1 and why in result.stderr and "Traceback" not in result.output, result.output
    assert store_intact(cache) == 1 and (home / "notes").is_dir()
    assert (work / "train.py").read_text() == "print(2)  # not committed\n"
    # A plain folder is moved aside, not deleted, and the note says where.
    old = tmp_path / "old"
    old.mkdir()
    (old / "mine.txt").write_text("mine")
    args = ["new", "exp", "--template", "classification", "--force", "--dir", str(old), "--cache-dir", str(cache)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    [kept] = tmp_path.glob("old.old-*/old/mine.txt")
    assert kept.read_text() == "mine" and str(kept.parent) in result.stderr.replace("\n", "")


def test_mcp_takes_strict_booleans_a_confirmation_and_bounded_strings(tmp_path):
    (tmp_path / "work").mkdir()
    target = tmp_path / "work" / "taken"
    target.mkdir()
    (target / "mine.txt").write_text("mine")

    async def conversation(client):
        return {
            "yes": await client.call_tool("run_baseline", {"confirm": "yes", "repos": ["x"]}),
            "one": await client.call_tool("run_baseline", {"confirm": 1, "repos": ["x"]}),
            "force": await client.call_tool(
                "new_experiment", {"name": "e", "template": "classification", "dir": str(target), "force": True}
            ),
            "huge": await client.call_tool("search", {"query": "x" * 2_000_000}),
            "still": await client.call_tool("runs", {}),
        }

    async def main():
        async with stdio_client(server(tmp_path / "work")) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            return await conversation(client)

    results = anyio.run(main)
    for key in ("yes", "one"):
        assert results[key].is_error and "confirm" in error_text(results[key]), error_text(results[key])
    assert results["force"].is_error and "confirm: true" in error_text(results["force"])
    assert results["huge"].is_error and "query" in error_text(results["huge"]) and "2000" in error_text(results["huge"])
    assert not results["still"].is_error
    assert (target / "mine.txt").read_text() == "mine"


# -- 5. impossible numbers are flagged, never the baseline to beat -----------------------------------


@pytest.mark.parametrize(
    ("printed", "flag"),
    [
        ("accuracy: 1e308", "out of range: accuracy"),
        ("accuracy: 250", "out of range: accuracy"),
        ("mAP: -0.4", "out of range: map"),
        ("FID: -3.5", "out of range: fid"),
        ("loss: 1e-400", "out of range: loss"),
        ("accuracy: nan", "non-finite: accuracy"),
    ],
)
def test_impossible_numbers_are_flagged_and_never_the_baseline_to_beat(tmp_path, make_git_repo, printed, flag):
    cache = tmp_path / "cache"
    repo = make_git_repo("odd", documented({"eval.py": f"print('{printed}')\nprint('top5: 0.9')\n"}))
    [run] = runs_of(run_baseline(cache, "--json", "--repo", str(repo)))
    assert any(f.startswith(flag) for f in run["flags"]), run["flags"]
    name = flag.split(": ")[1]
    assert name not in run["baseline_for"] and (run["headline"] or {}).get("name") != name


def test_a_metrics_file_that_disagrees_with_the_output_is_a_conflict(tmp_path, make_git_repo):
    cache = tmp_path / "cache"
    toml = 'command = "python eval.py"\nmetrics_file = "m.json"\n'
    script = "import json\njson.dump({'accuracy': 0.99}, open('m.json', 'w'))\nprint('accuracy: 0.41')\n"
    repo = make_git_repo("two", documented({"eval.py": script, "scout.toml": toml}))
    [run] = runs_of(run_baseline(cache, "--json", "--repo", str(repo)))
    assert any(f.startswith("conflict: accuracy is 0.41 in the output and 0.99") for f in run["flags"]), run["flags"]
    assert "accuracy" not in run["baseline_for"] and (run["headline"] or {}).get("name") != "accuracy"


def test_a_source_title_with_escape_codes_is_shown_escaped(tmp_path):
    from scout.models import Paper
    from scout.store import Store

    cache = tmp_path / "cache"
    assert CliRunner().invoke(app, ["cache", "info", "--cache-dir", str(cache)]).exit_code == 0
    store = Store(cache / "scout.db")
    title = f"Attention{ESC}]52;c;cm0gLXJmIH4={ESC}\\ Is All{ESC}[8m hidden{ESC}[0m You Need"
    store.save_papers([Paper(title=title, abstract=f"abs{ESC}[2J", arxiv_id="1706.03762", sources=("arxiv",))])
    store.close()
    result = CliRunner().invoke(app, ["show", "arxiv:1706.03762", "--cache-dir", str(cache)])
    assert result.exit_code == 0, result.output
    assert no_raw_controls(result.stdout) and "\\x1b[8m hidden\\x1b[0m" in result.stdout and "\\x1b[2J" in result.stdout
