"""What the user sees of a plan's confidence: the pick with its confidence, the top 3 with their
probabilities and evidence when the plan is not sure, `--yes` refusing (exit 5, `declined`),
`--pick N`, the terminal asking for a number, "nothing here is an evaluation", and the MCP tools.

The fitted ranker lives in scout.baseline.discover.rank; these tests stand in for it with a fixed
Ranking (the same fields), so they pin the interface and the UI, not the weights."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scout.baseline.discover import plan as plan_module
from scout.baseline.discover.plan import Choice, Plan
from scout.cli import app
from scout.cli.baseline import _print_plan
from tests.cli_helpers import ledger


@pytest.fixture(autouse=True)
def fitted_threshold(monkeypatch):
    monkeypatch.delenv("SCOUT_SURE_AT", raising=False)


@dataclass(frozen=True)
class Ranked:
    candidate: object
    probability: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Ranking:
    ranked: tuple[Ranked, ...]
    none_probability: float
    confidence: float
    sure: bool
    pick: object | None


def fake_ranker(monkeypatch, probabilities: dict[str, float], *, sure: bool | None = None, none: float = 0.0):
    """Rank the finding's candidates by `probabilities` (keyed by a word of a README command; any
    other candidate, such as the bare scripts, gets 0.01); the pick is the most likely one unless
    P(none) beats it; sure when its probability is >= 0.8."""

    def rank(finding):
        def p(candidate):
            if not candidate.source.startswith("README"):
                return 0.01
            return next((v for k, v in probabilities.items() if k in candidate.command), 0.01)

        ordered = sorted(finding.candidates, key=p, reverse=True)
        ranked = tuple(Ranked(c, p(c), (f"source {c.source}", f"p {p(c)}")) for c in ordered)
        best = ranked[0] if ranked else None
        pick = best.candidate if best and best.probability > none else None
        confidence = best.probability if pick is not None else none
        return Ranking(ranked, none, confidence, confidence >= 0.8 if sure is None else sure, pick)

    monkeypatch.setattr(plan_module, "_rank", rank)


README = """# ambiguous
## Usage
```
python main.py --mode test
```
## Evaluation
```
python evaluate.py
```
## Also
```
python train.py --epochs 1
```
"""
FILES = {
    "README.md": README,
    "main.py": "print('main accuracy: 0.50')\n",
    "evaluate.py": "print('test accuracy: 0.91')\n",
    "train.py": "print('train loss: 1.0')\n",
}


def cli(cache: Path, *args: str, **kwargs):
    return CliRunner().invoke(app, ["baseline", "--env", "current", "--cache-dir", str(cache), *args], **kwargs)


def test_a_sure_plan_shows_its_confidence_and_runs_with_yes(tmp_path, make_git_repo, monkeypatch):
    fake_ranker(monkeypatch, {"evaluate": 0.93, "main": 0.05, "train": 0.02})
    repo = make_git_repo("sure", FILES)
    cache = tmp_path / "cache"
    text = cli(cache, "--repo", str(repo), "--plan")
    assert text.exit_code == 0, text.output
    assert "command (README.md § Evaluation): python evaluate.py" in text.stdout
    assert "  confidence 0.93, sure\n" in text.stdout and "other candidates:" in text.stdout
    assert "    2. 0.05  python main.py --mode test  [README.md § Usage]" in text.stdout
    [item] = json.loads(cli(cache, "--repo", str(repo), "--plan", "--json").stdout)["plans"]
    assert item["confidence"] == 0.93 and item["sure"] is True and item["pick"] == 1 and item["picked"] is False
    assert [c["probability"] for c in item["candidates"]][:3] == [0.93, 0.05, 0.02]
    assert item["candidates"][0]["evidence"] == ["source README.md § Evaluation", "p 0.93"]
    ran = cli(cache, "--repo", str(repo), "--yes", "--json")
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["runs"][0]["metrics"] == {"test_accuracy": 0.91}


def test_an_unsure_plan_shows_the_top_3_and_yes_refuses(tmp_path, make_git_repo, monkeypatch):
    fake_ranker(monkeypatch, {"main": 0.48, "evaluate": 0.41, "train": 0.06})
    repo = make_git_repo("unsure", FILES)
    cache = tmp_path / "cache"
    text = cli(cache, "--repo", str(repo), "--plan")
    assert text.exit_code == 0, text.output
    out = text.stdout
    assert "  confidence 0.48, not sure\n" in out and "not sure this is the evaluation; the top 3:" in out
    assert "    1. 0.48  python main.py --mode test  [README.md § Usage]" in out
    assert "    2. 0.41  python evaluate.py  [README.md § Evaluation]" in out
    assert "         evidence: source README.md § Evaluation; p 0.41" in out
    assert "pass --pick N to run one of them, or --cmd COMMAND" in out
    refused = cli(cache, "--repo", str(repo), "--yes")
    assert refused.exit_code == 5
    [line] = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert "not sure which command is the evaluation" in line and "(confidence 0.48)" in line
    assert "--pick N" in line and "--cmd" in line
    as_json = cli(cache, "--repo", str(repo), "--yes", "--json")
    assert as_json.exit_code == 5 and as_json.stdout == ""
    error = json.loads(as_json.stderr.strip().splitlines()[-1])["error"]
    assert error["code"] == "declined" and "--pick N" in error["message"]
    # No terminal to ask on and no --yes: refused the same way.
    assert cli(cache, "--repo", str(repo)).exit_code == 5
    assert ledger(cache) == [] and not any((cache / "runs").glob("*"))


def test_pick_runs_the_chosen_candidate(tmp_path, make_git_repo, monkeypatch):
    fake_ranker(monkeypatch, {"main": 0.48, "evaluate": 0.41, "train": 0.06})
    repo = make_git_repo("pick", FILES)
    cache = tmp_path / "cache"
    [item] = json.loads(cli(cache, "--repo", str(repo), "--plan", "--pick", "2", "--json").stdout)["plans"]
    assert item["command"] == "python evaluate.py" and item["pick"] == 2 and item["picked"] is True
    assert item["sure"] is True and item["source"] == "README.md § Evaluation; --pick 2"
    text = cli(cache, "--repo", str(repo), "--plan", "--pick", "2").stdout
    assert "  chosen by you (--pick 2)\n" in text
    ran = cli(cache, "--repo", str(repo), "--yes", "--pick", "2", "--json")
    assert ran.exit_code == 0, ran.output
    [run] = json.loads(ran.stdout)["runs"]
    assert run["command"] == "python evaluate.py" and run["metrics"] == {"test_accuracy": 0.91}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--pick", "9"], "--pick 9: "),
        (["--pick", "0"], "--pick"),
        (["--pick", "1", "--cmd", "python x.py"], "--pick and --cmd"),
    ],
)
def test_a_pick_that_names_no_candidate_is_a_usage_error(tmp_path, make_git_repo, monkeypatch, args, says):
    fake_ranker(monkeypatch, {"main": 0.48, "evaluate": 0.41})
    repo = make_git_repo("bad", FILES)
    cache = tmp_path / "cache"
    for mode in (["--plan"], ["--yes"]):
        result = cli(cache, "--repo", str(repo), *mode, *args)
        assert result.exit_code == 2, result.output
        assert says in result.stderr and "Traceback" not in result.output
    assert ledger(cache) == [] and not any((cache / "runs").glob("*"))


def test_pick_needs_exactly_one_repo(tmp_path, make_git_repo, monkeypatch):
    one, two = make_git_repo("one", FILES), make_git_repo("two", FILES)
    result = cli(tmp_path / "cache", "--repo", str(one), "--repo", str(two), "--pick", "1", "--yes")
    assert result.exit_code == 2 and "pass one --repo" in result.stderr


def test_the_terminal_asks_for_a_number(tmp_path, make_git_repo, monkeypatch):
    fake_ranker(monkeypatch, {"main": 0.48, "evaluate": 0.41, "train": 0.06})
    repo = make_git_repo("ask", FILES)
    cache = tmp_path / "cache"
    monkeypatch.setattr("scout.cli.baseline._can_ask", lambda: True)
    ran = cli(cache, "--repo", str(repo), "--json", input="2\n")
    assert ran.exit_code == 0, ran.output
    assert "which one is the evaluation? [1/2/3, or n to run nothing]" in ran.stderr
    # CliRunner echoes the typed answer to stdout; the JSON follows it.
    [run] = json.loads(ran.stdout[ran.stdout.index("{") :])["runs"]
    assert run["command"] == "python evaluate.py" and run["metrics"] == {"test_accuracy": 0.91}
    said_no = cli(cache, "--repo", str(repo), input="n\n")
    assert said_no.exit_code == 5 and "cancelled" in said_no.stderr
    assert len(ledger(cache)) == 1


def test_nothing_is_an_evaluation_shows_the_candidates(tmp_path, make_git_repo, monkeypatch):
    fake_ranker(monkeypatch, {"main": 0.10, "evaluate": 0.05, "train": 0.02}, none=0.85)
    repo = make_git_repo("none", FILES)
    cache = tmp_path / "cache"
    text = cli(cache, "--repo", str(repo), "--plan").stdout
    assert "command: none (no runnable evaluation: " in text
    assert "nothing here is an evaluation (P(none) 0.85); its candidates:" in text
    assert "    1. 0.10  python main.py --mode test  [README.md § Usage]" in text
    assert "pass --pick N to run one of them anyway, or --cmd COMMAND" in text
    ran = cli(cache, "--repo", str(repo), "--yes", "--json")
    [run] = json.loads(ran.stdout)["runs"]
    assert run["status"] == "failed" and "--pick N to run one of its candidates anyway" in run["message"]
    picked = cli(cache, "--repo", str(repo), "--yes", "--pick", "2", "--json")
    assert json.loads(picked.stdout)["runs"][0]["metrics"] == {"test_accuracy": 0.91}


def test_a_picked_candidate_with_a_placeholder_is_not_started(tmp_path, make_git_repo, monkeypatch):
    fake_ranker(monkeypatch, {"main": 0.5, "evaluate": 0.4})
    files = {**FILES, "README.md": README.replace("python evaluate.py", "python evaluate.py --data /path/to/data")}
    repo = make_git_repo("holes", files)
    cache = tmp_path / "cache"
    ran = cli(cache, "--repo", str(repo), "--yes", "--pick", "2", "--json")
    [run] = json.loads(ran.stdout)["runs"]
    assert run["status"] == "failed" and "not started" in run["message"] and "--set" in run["message"]
    filled = cli(cache, "--repo", str(repo), "--yes", "--pick", "2", "--set", "data=/d", "--json")
    assert json.loads(filled.stdout)["runs"][0]["metrics"] == {"test_accuracy": 0.91}


def _plan(**changes) -> Plan:
    choices = (
        Choice("python eval.py", "README.md § Evaluation", "chosen", "", 0.62, ("under 'Evaluation'",)),
        Choice("python test.py", "script test.py", "ranked below", "", 0.30, ("script test.py",)),
        Choice("python demo.py", "script demo.py", "never run", "", 0.05, ()),
        Choice("python train.py", "script train.py", "ranked below", "", 0.03, ()),
    )
    base = Plan("https://github.com/o/r", "a" * 40, "python eval.py", "README.md § Evaluation", "", (), choices, ())
    return Plan(**{**base.__dict__, "confidence": 0.62, "sure": False, "pick": 1, **changes})


def test_plan_text_built_directly():
    from rich.console import Console

    console = Console(record=True, width=200)
    _print_plan(_plan(), console)
    text = console.export_text()
    assert "confidence 0.62, not sure" in text and "the top 3:" in text
    assert "python train.py" not in text  # only the top 3 when unsure
    assert "evidence: under 'Evaluation'" in text
    console = Console(record=True, width=200)
    _print_plan(_plan(sure=True, confidence=0.97), console)
    text = console.export_text()
    assert "confidence 0.97, sure" in text and "other candidates:" in text and "4. 0.03  python train.py" in text
    assert _plan().to_json()["candidates"][1] == {
        "command": "python test.py",
        "source": "script test.py",
        "why": "ranked below",
        "cwd": "",
        "probability": 0.3,
        "evidence": ["script test.py"],
    }


class _Steps:
    def step(self, message):
        pass

    def note(self, message):
        pass


def test_mcp_tools_return_probabilities_and_accept_pick(tmp_path, make_git_repo, monkeypatch):
    from scout.config import load_settings
    from scout.errors import Declined
    from scout.mcp.server import ScoutTools

    fake_ranker(monkeypatch, {"main": 0.48, "evaluate": 0.41, "train": 0.06})
    repo = make_git_repo("agent", FILES)
    monkeypatch.setenv("SCOUT_CACHE_DIR", str(tmp_path / "cache"))
    tools = ScoutTools(load_settings())
    tools._embedder = object()  # no search here: never load a model
    planned = tools.plan_baseline(_Steps(), repos=[str(repo)], top=3, cmd=None, device="cpu", sets=[])
    [item] = planned.structured_content["plans"]
    assert item["sure"] is False and [c["probability"] for c in item["candidates"]][:3] == [0.48, 0.41, 0.06]
    assert any("pick: N" in block.text for block in planned.content[1:])
    arguments = dict(repos=[str(repo)], top=3, cmd=None, device="cpu", sets=[], env_mode="current", timeout=60.0)
    with pytest.raises(Declined, match="pass pick: N"):
        tools.run_baseline(_Steps(), confirm=True, **arguments)
    ran = tools.run_baseline(_Steps(), confirm=True, pick=2, **arguments)
    [run] = ran.structured_content["runs"]
    assert run["command"] == "python evaluate.py" and run["metrics"] == {"test_accuracy": 0.91}


def test_a_required_argument_the_command_leaves_out_blocks_the_run(tmp_path, make_git_repo, monkeypatch):
    """The candidates say which required arguments a command does not give (argparse
    `required=True`, absl flags, a positional config); such a command is never started."""
    from types import SimpleNamespace

    def rank(finding):
        ranked = []
        for c in finding.candidates:
            missing = ("--config",) if "evaluate" in c.command else ()
            candidate = SimpleNamespace(**{**c.__dict__, "required_missing": missing, "placeholders": ()})
            ranked.append(Ranked(candidate, 0.9 if missing else 0.01, ("in the README",)))
        ranked.sort(key=lambda r: -r.probability)
        return Ranking(tuple(ranked), 0.0, 0.95, True, ranked[0].candidate)

    monkeypatch.setattr(plan_module, "_rank", rank)
    repo = make_git_repo("required", FILES)
    cache = tmp_path / "cache"
    [item] = json.loads(cli(cache, "--repo", str(repo), "--plan", "--json").stdout)["plans"]
    assert item["command"] == "python evaluate.py" and item["sure"] is True
    assert (item["needs"][-1]["kind"], item["needs"][-1]["blocking"]) == ("placeholder", True)
    assert "requires --config" in item["needs"][-1]["detail"]
    ran = cli(cache, "--repo", str(repo), "--yes", "--json")
    [run] = json.loads(ran.stdout)["runs"]
    assert run["status"] == "failed" and "not started" in run["message"] and "requires --config" in run["message"]
    given = cli(cache, "--repo", str(repo), "--yes", "--json", "--cmd", "python evaluate.py --config c.yaml")
    assert json.loads(given.stdout)["runs"][0]["metrics"] == {"test_accuracy": 0.91}
