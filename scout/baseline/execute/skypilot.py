"""A plan as a SkyPilot task, for a user with cloud credentials: the pinned checkout as its
`workdir`, the plan's installs and prepare steps as its `setup`, the evaluation command as its
`run` (fields of the "SkyPilot YAML" reference, docs.skypilot.co). SkyPilot finds the machine and
runs it (`sky launch`); scout only writes the task, so nothing is recorded in the ledger."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from scout.errors import EvalError

# With a GPU: any of these, and SkyPilot takes the cheapest it can get.
_ACCELERATORS = ("L4", "A10G", "A100", "H100")


def _name(repo: str) -> str:
    """scout-owner-repo for a GitHub URL, scout-folder for a local one: letters, digits and hyphens."""
    parts = repo.rstrip("/").removesuffix(".git").split("/")
    tail = "-".join(parts[-2:]) if repo.startswith("https://github.com/") else parts[-1]
    return "scout-" + re.sub(r"[^a-z0-9]+", "-", tail.lower()).strip("-")[:50]


def task(plan, seed: int = 0, gpus: int = 0) -> dict:
    """The SkyPilot task of one plan; EvalError when the plan cannot run as written."""
    if plan.error:
        raise EvalError(f"{plan.repo}: cannot plan it ({plan.error}), so there is no task to export")
    if plan.command is None or plan.checkout is None:
        raise EvalError(f"{plan.repo}: no evaluation command to export; pass --cmd COMMAND or --pick N")
    if plan.needs_choice:
        raise EvalError(f"{plan.repo}: not sure which command is the evaluation; pass --pick N or --cmd COMMAND")
    if plan.unmet:
        missing = "; ".join(need.detail for need in plan.unmet)
        raise EvalError(f"{plan.repo}: the command cannot run as written: {missing}")
    if not gpus and any(need.kind == "gpu" for need in plan.needs):
        gpus = 1
    resources: dict = {"cpus": "4+"}
    if gpus:
        resources["accelerators"] = {name: gpus for name in _ACCELERATORS}
    run = [f"cd {shlex.quote(plan.cwd)}"] if plan.cwd else []
    return {
        "name": _name(plan.repo),
        "workdir": str(plan.checkout.path),
        "resources": resources,
        "envs": {"SCOUT_SEED": str(seed), "PYTHONHASHSEED": str(seed)},
        "setup": "\n".join(["set -e", *plan.setup]) + "\n",
        "run": "\n".join(["set -e", *run, plan.command]) + "\n",
    }


def _literal_blocks(dumper, text: str):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(str, _literal_blocks)


def write_tasks(plans, folder: Path, seed: int = 0, gpus: int = 0) -> list[Path]:
    """One `<name>.sky.yaml` per plan in `folder`; every plan is checked before any file is written."""
    tasks = [(plan, task(plan, seed, gpus)) for plan in plans]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for plan, spec in tasks:
        path = folder / f"{spec['name']}.sky.yaml"
        head = (
            f"# {plan.repo} @ {plan.commit}, as `scout baseline --plan` planned it ({plan.source}).\n"
            f"# Run it with `sky launch {path.name}`; another seed: `--env SCOUT_SEED=1 --env PYTHONHASHSEED=1`.\n"
        )
        path.write_text(head + yaml.dump(spec, Dumper=_Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
        written.append(path)
    return written
