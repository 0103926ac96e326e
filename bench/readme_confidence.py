"""Regenerate the README's "How sure is the plan?" transcripts from this checkout, so they show
what the current ranker really prints:

    python bench/readme_confidence.py            # rewrites that README section in place

It builds two small local repos under /tmp/demo (fixed commit dates, so the commits are the same
every time): tiny-classifier, whose README documents one evaluation, and seg-toolkit, whose README
gives a usage line, a speed benchmark and a reproduce script. Then it runs the real CLI on them
(offline, a fresh cache) and splices the output into README.md between the section's heading and
the next `###` heading. Needs git, jq and `script` (util-linux) for the terminal's question."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DEMO = Path("/tmp/demo")
HEADING = "### How sure is the plan? Confidence, the top 3, and `--pick`"
GIT = {
    "GIT_AUTHOR_NAME": "demo",
    "GIT_AUTHOR_EMAIL": "demo@example.org",
    "GIT_COMMITTER_NAME": "demo",
    "GIT_COMMITTER_EMAIL": "demo@example.org",
    "GIT_AUTHOR_DATE": "2026-12-04T12:00:00Z",
    "GIT_COMMITTER_DATE": "2026-12-04T12:00:00Z",
}

REPOS = {
    "tiny-classifier": {
        "README.md": """\
            # tiny-classifier

            A logistic-regression baseline on the digits dataset.

            ## Install
            ```
            pip install -r requirements.txt
            ```

            ## Train
            ```
            python train.py --epochs 20
            ```

            ## Evaluation
            To reproduce the test accuracy in the table below:
            ```
            python eval.py --split test
            ```

            | split | accuracy |
            |-------|----------|
            | test  | 0.96     |
            """,
        "requirements.txt": "scikit-learn\n",
        "train.py": """\
            \"\"\"Train the baseline: python train.py --epochs 20\"\"\"
            import argparse

            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=20)
            args = parser.parse_args()
            print(f"trained for {args.epochs} epochs")
            """,
        "eval.py": """\
            \"\"\"Evaluate the baseline: python eval.py --split test\"\"\"
            import argparse

            from sklearn.datasets import load_digits
            from sklearn.linear_model import LogisticRegression
            from sklearn.model_selection import train_test_split

            parser = argparse.ArgumentParser()
            parser.add_argument("--split", default="test", choices=["val", "test"])
            args = parser.parse_args()
            X, y = load_digits(return_X_y=True)
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
            model = LogisticRegression(max_iter=2000).fit(X_train, y_train)
            print(f"{args.split} accuracy: {model.score(X_test, y_test):.4f}")
            """,
    },
    "seg-toolkit": {
        "README.md": """\
            # seg-toolkit

            Code for our segmentation paper.

            ## Usage
            Run a model on a folder of images:
            ```
            python main.py --mode test --config configs/base.yaml
            ```

            ## Benchmark
            Measure throughput on your GPU:
            ```
            python benchmark.py --batch-size 32
            ```

            ## Reproducing the paper
            We ran the experiments with
            ```
            bash scripts/run_all.sh
            ```
            """,
        "configs/base.yaml": "model: unet\n",
        "main.py": """\
            import argparse

            parser = argparse.ArgumentParser()
            parser.add_argument("--mode", default="train", choices=["train", "test"])
            parser.add_argument("--config", default="configs/base.yaml")
            args = parser.parse_args()
            print(f"{args.mode}: mIoU 0.712")
            """,
        "benchmark.py": """\
            import argparse

            parser = argparse.ArgumentParser()
            parser.add_argument("--batch-size", type=int, default=32)
            args = parser.parse_args()
            print("images/s: 412.0")
            """,
        "scripts/run_all.sh": """\
            #!/bin/sh
            python main.py --mode train --config configs/base.yaml
            python main.py --mode test --config configs/base.yaml
            """,
    },
}


def build() -> None:
    shutil.rmtree(DEMO, ignore_errors=True)
    for name, files in REPOS.items():
        repo = DEMO / name
        for path, text in files.items():
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path).write_text(textwrap.dedent(text), encoding="utf-8")
        for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", name]):
            subprocess.run(argv, cwd=repo, env={**os.environ, **GIT}, check=True)


def _env(cache: str) -> dict[str, str]:
    return {
        **os.environ,
        "SCOUT_CACHE_DIR": str(DEMO / cache),
        "SCOUT_SHARED_CACHE_DIR": str(DEMO / cache),
        "SCOUT_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "100",
    }


# `scout` in the transcripts is this checkout's CLI.
_SCOUT = f'scout() {{ {sys.executable} -c "from scout.cli import main; main()" "$@"; }}; '


def block(*commands: str, cache: str = "cache") -> str:
    parts = []
    for command in commands:
        out = subprocess.run(
            ["bash", "-c", _SCOUT + "{ " + command + "; } 2>&1"],
            cwd=DEMO,
            env=_env(cache),
            capture_output=True,
            text=True,
        )
        text = "\n".join(line.rstrip() for line in out.stdout.splitlines())
        parts.append(f"$ {command}\n{text}")
    return "```\n" + "\n".join(parts).rstrip() + "\n```"


def terminal(command: str, answer: str, cache: str = "cache-tty") -> str:
    """The command at a pseudo terminal (script), answering the question with `answer`."""
    inner = f"{sys.executable} -c 'from scout.cli import main; main()' " + command.removeprefix("scout ")
    out = subprocess.run(
        ["bash", "-c", f"(sleep 5; printf '{answer}\\n') | script -qc \"{inner}\" /dev/null"],
        cwd=DEMO,
        env=_env(cache),
        capture_output=True,
        text=True,
    ).stdout
    out = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", out)
    lines: list[str] = []
    for line in out.splitlines():
        if re.search("[\u2800-\u28ff]", line):  # a spinner frame: keep only a run's result line
            line = line[line.find("r-20") :] if "r-20" in line else ""
            if line in lines:
                continue
        if "baseline runs" in line:
            break
        if line.strip():
            lines.append(line.rstrip())
    return "```\n$ " + command + "\n" + "\n".join(lines) + "\n```"


TEST_COMMAND = "python main.py --mode test --config configs/base.yaml"


def _number(command: str) -> int:
    """The number `--pick` takes for `command` in seg-toolkit's plan."""
    out = subprocess.run(
        ["bash", "-c", _SCOUT + "scout baseline --repo ./seg-toolkit --plan --json"],
        cwd=DEMO,
        env=_env("cache"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commands = [c["command"] for c in json.loads(out)["plans"][0]["candidates"]]
    return commands.index(command) + 1


def section() -> str:
    for cache in ("cache", "cache-tty"):
        shutil.rmtree(DEMO / cache, ignore_errors=True)
    sure = block("scout baseline --repo ./tiny-classifier --plan")
    if ", sure\n" in sure:
        verdict = "On a repo whose README documents one evaluation:"
    else:
        verdict = (
            "On a repo whose README documents one evaluation, the ranker as fitted when this was written "
            "ranks that command first but is not yet sure of it (its threshold is fitted to be right 97% "
            "of the time on the development repos), so even this plan asks:"
        )
    intro = textwrap.fill(
        'A plan shows its confidence under the command ("confidence 0.93, sure"), and numbers its candidates '
        "as `--pick` takes them, each with its probability. " + verdict,
        width=100,
    )
    unsure = block(
        "scout baseline --repo ./seg-toolkit --plan",
        "scout baseline --repo ./seg-toolkit --yes 2>&1 | tail -1",
        'scout baseline --repo ./seg-toolkit --yes --json 2>&1 >/dev/null | tail -1; echo "exit ${PIPESTATUS[0]}"',
        "scout baseline --repo ./seg-toolkit --plan --json | jq -c '.plans[0] | {confidence, sure, pick, "
        "candidates: [.candidates[:2][] | {command, probability, evidence}]}'",
    )
    # The demo picks the accuracy test (main.py --mode test), at whatever number the ranker gives it.
    test = _number(TEST_COMMAND)
    pick = block(
        'scout baseline --repo ./seg-toolkit --pick 7 --yes; echo "exit $?"',
        f"scout baseline --repo ./seg-toolkit --pick {test} --yes --env current",
    )
    tty = terminal("scout baseline --repo ./seg-toolkit --env current", str(test))
    return f"""{HEADING}

The fitted ranker (scout.baseline.discover.rank) gives every candidate the probability that it is
the evaluation the docs document, and the plan a calibrated confidence in its pick: the chance,
measured on the labeled corpus, that a pick with that score is the right one. A plan is **sure**
when its confidence clears the threshold fitted on the development repos (where sure picks were
right at least 97% of the time). A command you chose (`--pick`, `--cmd`), the repo's own
`scout-recipe.toml` and a recipe saved after a run that worked are taken as given. `SCOUT_SURE_AT=0.6`
moves the threshold (a plan at or above that confidence runs with `--yes`): the fitted one is
strict, and few real repos clear it yet (see *Finding the evaluation command* under Performance).

{intro}

{sure}

When the plan is not sure, it shows the top 3 with their probabilities and the evidence the ranker
weighed; `--yes` refuses (exit 5, JSON error code `declined`) and nothing runs, and `--plan --json`
and the MCP `plan_baseline` tool carry the same figures for a script or an agent to choose with:

{unsure}

`--pick N` runs the plan's N-th candidate (1-based, one `--repo` at a time); a number the plan
does not have is a usage error (exit 2). A picked command with a placeholder or a required argument
left out is not started, and the message says what to `--set`:

{pick}

At a terminal, without `--yes`, scout asks which of the top 3 to run instead of yes or no:

{tty}

When no candidate looks like the documented evaluation, the plan says so (`command: none`), lists
the candidates with their probabilities, and runs nothing unless you `--pick` one.

(`python bench/readme_confidence.py` regenerates these transcripts.)
"""


def main() -> int:
    # No options; parsing still gives --help its answer instead of rewriting the README.
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    build()
    text = README.read_text(encoding="utf-8")
    new = section()
    start = text.index(HEADING)
    end = text.index("\n### ", start + len(HEADING)) + 1
    README.write_text(text[:start] + new + "\n" + text[end:], encoding="utf-8")
    print(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
