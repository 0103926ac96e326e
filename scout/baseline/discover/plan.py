"""What `scout baseline` would run in each repo, decided before anything runs: the commit, the
command and where it came from, the folder, the setup steps the repo declares, the other
candidates with the reason each was or was not chosen, and what the run still needs.

`plan_baseline` is the library call behind `scout baseline --plan` (and, later, the MCP server):
it clones or reuses the checkouts and reads them, and creates no venv, no run folder and no
ledger row. A normal run shows the same plan on its confirm screen."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from scout.baseline.discover.candidates import Candidate, Finding, find_candidates, parse_command
from scout.baseline.discover.installs import Installs, find_python, plan_installs, python_mismatch
from scout.baseline.discover.needs import Need, fill, find_needs
from scout.baseline.discover.recipes import Recipe, fixed_recipe
from scout.baseline.execute.clone import Checkout, Target, clone, slug
from scout.errors import ScoutError


@dataclass(frozen=True)
class Plan:
    repo: str
    commit: str | None
    command: str | None  # None: no runnable evaluation (a library, a monorepo, or nothing found)
    source: str | None
    cwd: str
    setup: tuple[str, ...]  # what gets installed, then the docs' prepare steps
    candidates: tuple[tuple[str, str, str], ...]  # (command, source, why), best first
    needs: tuple[Need, ...]
    recipe: Recipe | None = None  # what a run executes (None when there is no command)
    checkout: Checkout | None = None
    error: str | None = None  # the repo could not be cloned
    installs: Installs | None = None  # what the env installs before the command runs

    @property
    def unmet(self) -> tuple[Need, ...]:
        """Needs that stop the command from running as written (a value is missing)."""
        return tuple(need for need in self.needs if need.blocking)

    def to_json(self) -> dict:
        return {
            "repo": self.repo,
            "commit": self.commit,
            "command": self.command,
            "source": self.source,
            "cwd": self.cwd,
            "setup": list(self.setup),
            "candidates": [{"command": c, "source": s, "why": w} for c, s, w in self.candidates],
            "needs": [need.to_json() for need in self.needs],
        }


def _why(candidate: Candidate, chosen: Candidate | None, finding: Finding) -> str:
    reasons = "; ".join(candidate.reasons)
    if chosen is not None and candidate is chosen:
        return f"chosen: {reasons}"
    if candidate.kind in ("aside", "notebook"):
        return f"never run on its own: {reasons}"
    if finding.shape == "library":
        return f"not chosen: the repo is a library; {reasons}"
    if finding.shape == "monorepo":
        return f"not chosen: one of many examples; {reasons}"
    return f"ranked below the chosen one: {reasons}"


def plan_checkout(
    target: Target,
    checkout: Checkout,
    recipes_dir: Path,
    *,
    cmd: str | None = None,
    sets: Mapping[str, str] | None = None,
    has_gpu: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Plan:
    """The plan for one checked-out repo. Raises ConfigError for a --set that fills nothing."""
    repo_dir = checkout.path
    finding = find_candidates(repo_dir)
    fixed = fixed_recipe(repo_dir, recipes_dir, slug(target.url), cmd)
    chosen = finding.chosen
    if fixed is not None:
        recipe = fixed
    elif chosen is not None:
        recipe = Recipe(command=chosen.command, source=chosen.source, cwd=chosen.cwd)
    else:
        recipe = None
    candidates = tuple(
        (c.command, c.source, _why(c, chosen if fixed is None else None, finding)) for c in finding.candidates
    )
    if recipe is None:
        if finding.shape == "library":
            why = "a library: none of its candidates is an evaluation"
        elif finding.shape == "monorepo":
            why = "a monorepo of examples: pick one"
        elif finding.candidates:
            why = "only side tasks (demos, unit tests, notebooks), never run on their own"
        else:
            why = (
                "nothing runnable: no doc names a command, no eval/val/test script, "
                "no argparse eval flag, no top-level script"
            )
        return Plan(
            target.url,
            checkout.commit,
            None,
            f"no runnable evaluation: {why}",
            "",
            plan_installs(repo_dir, "", finding.docs_text, checkout.date).steps(),
            candidates,
            (),
            None,
            checkout,
        )
    command = fill(recipe.command, sets or {})
    installs = plan_installs(repo_dir, recipe.cwd, finding.docs_text, checkout.date)
    prepare = chosen.setup if fixed is None and chosen is not None else recipe.setup
    recipe = replace(recipe, command=command, setup=tuple(prepare))
    from scout.baseline.discover.candidates import classify

    kind, _ = classify(command)
    needs = find_needs(
        command,
        repo_dir=repo_dir,
        cwd=recipe.cwd,
        kind=kind,
        docs_text=finding.docs_text,
        environ=os.environ if environ is None else environ,
        has_gpu=has_gpu,
        script=parse_command(command).script,
    )
    needs += _python_needs(installs)
    setup = tuple(dict.fromkeys((*installs.steps(), *prepare)))
    return Plan(
        target.url,
        checkout.commit,
        command,
        recipe.source,
        recipe.cwd,
        setup,
        candidates,
        tuple(needs),
        recipe,
        checkout,
        installs=installs,
    )


def _python_needs(installs: Installs) -> list[Need]:
    """The repo asks for a Python this one is not, and no matching interpreter can be found."""
    spec = installs.requires_python
    if not python_mismatch(spec) or find_python(spec):
        return []
    here = ".".join(map(str, sys.version_info[:2]))
    return [
        Need(
            "system",
            f"the repo requires Python {spec}, this is {here}, and uv finds no matching interpreter: "
            f"install one (`uv python install '{spec}'`) or pass --env current to try this one",
            "python",
            True,
        )
    ]


def plan_target(target: Target, repos_dir: Path, recipes_dir: Path, *, update: bool = False, **kwargs) -> Plan:
    """Clone (or reuse) the repo and plan it; a clone failure is a Plan with `error`."""
    try:
        checkout = clone(target.url, repos_dir, update=update)
    except ScoutError as exc:
        return Plan(target.url, None, None, None, "", (), (), (), error=str(exc))
    return plan_checkout(target, checkout, recipes_dir, **kwargs)


def plan_baseline(request, session) -> list[Plan]:
    """What `scout baseline` would run for the request, one Plan per repo; runs nothing."""
    from scout.baseline.discover.needs import parse_sets
    from scout.baseline.execute.clone import targets_for
    from scout.baseline.execute.devices import list_gpus
    from scout.baseline.execute.layout import Layout
    from scout.config import parse_device

    layout = Layout(session.settings.cache_dir)
    targets = targets_for(request.repos, request.from_sota, request.top, session.store)
    options = request.options
    sets = parse_sets(options.sets)
    return [
        plan_target(
            target,
            layout.repos,
            layout.recipes,
            update=options.update,
            cmd=options.cmd,
            sets=sets,
            has_gpu=has_gpu(request.device, list_gpus, parse_device),
        )
        for target in targets
    ]


def has_gpu(device: str, list_gpus, parse_device) -> bool:
    kind, _ = parse_device(device)
    if kind == "cpu":
        return False
    try:
        return bool(list_gpus(None))
    except (OSError, ScoutError):
        return False


def plans_json(plans: list[Plan]) -> dict:
    """`scout baseline --plan --json`, the one shape every caller prints."""
    return {"plans": [plan.to_json() for plan in plans]}
