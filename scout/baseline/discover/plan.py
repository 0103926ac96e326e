"""What `scout baseline` would run in each repo, decided before anything runs: the commit, the
command and where it came from, the folder, the setup steps the repo declares, the other
candidates with the reason each was or was not chosen, and what the run still needs.

`plan_baseline` is the library call behind `scout baseline --plan` (and, later, the MCP server):
it clones or reuses the checkouts and reads them, and creates no venv, no run folder and no
ledger row. A normal run shows the same plan on its confirm screen."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from scout.baseline.discover.candidates import find_candidates, parse_command
from scout.baseline.discover.features import words
from scout.baseline.discover.rank import Ranked, Ranking, rank
from scout.baseline.execute.clone import Checkout, Target, clone, slug
from scout.baseline.discover.needs import Need, fill, find_needs
from scout.baseline.discover.recipes import Recipe, fixed_recipe
from scout.errors import ScoutError

# The env's own interpreter installs: a bare `pip` could be another environment's.
_PIP = "python -m pip install"
_SKIPPED_REQUIREMENTS = re.compile(r"dev|test|docs?|lint|ci|optional|extras?", re.I)


@dataclass(frozen=True)
class Plan:
    repo: str
    commit: str | None
    command: str | None  # None: no runnable evaluation (a library, a monorepo, or nothing found)
    source: str | None
    cwd: str
    setup: tuple[str, ...]  # install steps the repo declares, then the docs' prepare steps
    candidates: tuple[tuple[str, str, str], ...]  # (command, source, why), best first
    needs: tuple[Need, ...]
    recipe: Recipe | None = None  # what a run executes (None when there is no command)
    checkout: Checkout | None = None
    error: str | None = None  # the repo could not be cloned

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


def declared_setup(repo_dir: Path, cwd: str) -> tuple[list[str], list[str]]:
    """(every install step the repo declares, the ones scout's env setup does not already do).
    scout's env installs the root requirements.txt, else the root pyproject.toml."""
    steps: list[str] = []
    folders = [""] + ([cwd] if cwd else [])
    for folder in folders:
        base = repo_dir / folder
        for path in sorted(base.glob("requirements*.txt")):
            if path.name != "requirements.txt" and _SKIPPED_REQUIREMENTS.search(path.stem.removeprefix("requirements")):
                continue
            steps.append(f"{_PIP} -r {shlex.quote(str(path.relative_to(repo_dir)))}")
    if any((repo_dir / name).is_file() for name in ("setup.py", "setup.cfg", "pyproject.toml")):
        steps.append(f"{_PIP} -e .")
    for name in ("environment.yml", "environment.yaml", "env.yml", "conda.yaml"):
        packages = _conda_pip_packages(repo_dir / name)
        if packages:
            steps.append(f"{_PIP} " + " ".join(shlex.quote(p) for p in packages))
            break
    if (repo_dir / "requirements.txt").is_file():
        done = {f"{_PIP} -r requirements.txt", f"{_PIP} -e ."}
    elif (repo_dir / "pyproject.toml").is_file():
        done = {f"{_PIP} -e ."}
    else:
        done = set()
    return steps, [step for step in steps if step not in done]


def _conda_pip_packages(path: Path) -> list[str]:
    """The `- pip:` list of a conda environment file (conda packages are not pip's to install)."""
    if not path.is_file():
        return []
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
    except yaml.YAMLError:
        return []
    packages = []
    for item in (data or {}).get("dependencies", []) if isinstance(data, dict) else []:
        if isinstance(item, dict) and isinstance(item.get("pip"), list):
            packages += [str(p) for p in item["pip"] if not str(p).startswith("-")]
    return packages


def _why(ranked: Ranked, ranking: Ranking, fixed: bool) -> str:
    evidence = "; ".join(ranked.evidence) or "no feature for it"
    share = f"p={ranked.probability:.2f}"
    if not fixed and ranking.pick is not None and ranked.candidate is ranking.pick:
        return f"chosen ({share}): {evidence}"
    return f"{share}: {evidence}"


def _kind(command: str) -> str:
    """"eval" when the command's script or flags name an evaluation (the needs read it for a
    checkpoint to load), else "run"."""
    parsed = parse_command(command)
    named = words(" ".join([parsed.script or parsed.module or command.split(" ")[0], *parsed.args[:20]]))
    return "eval" if {"eval", "evalu", "evaluat", "test", "val", "validat"} & set(named) else "run"


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
    discovery = find_candidates(repo_dir)
    ranking = rank(discovery)
    fixed = fixed_recipe(repo_dir, recipes_dir, slug(target.url), cmd)
    chosen = ranking.pick
    if fixed is not None:
        recipe = fixed
    elif chosen is not None:
        recipe = Recipe(command=chosen.command, source=chosen.source, cwd=chosen.cwd)
    else:
        recipe = None
    candidates = tuple(
        (r.candidate.command, r.candidate.source, _why(r, ranking, fixed is not None)) for r in ranking.ranked
    )
    if recipe is None:
        if not discovery.candidates:
            why = "nothing runnable: no doc names a command and no script, Makefile or console script was found"
        else:
            shape = {"library": "a library; ", "monorepo": "a monorepo of examples; "}.get(discovery.shape, "")
            why = f"{shape}no candidate is likely the evaluation (p(none)={ranking.none_probability:.2f})"
        return Plan(
            target.url,
            checkout.commit,
            None,
            f"no runnable evaluation: {why}",
            "",
            tuple(declared_setup(repo_dir, "")[0]),
            candidates,
            (),
            None,
            checkout,
        )
    command = fill(recipe.command, sets or {})
    all_steps, extra_steps = declared_setup(repo_dir, recipe.cwd)
    prepare = chosen.setup if fixed is None and chosen is not None else ()
    if fixed is None:
        recipe = replace(recipe, command=command, setup=tuple(extra_steps) + tuple(prepare))
    else:
        recipe = replace(recipe, command=command, setup=tuple(dict.fromkeys((*extra_steps, *recipe.setup))))
    needs = find_needs(
        command,
        repo_dir=repo_dir,
        cwd=recipe.cwd,
        kind=_kind(command),
        docs_text=discovery.docs_text,
        environ=os.environ if environ is None else environ,
        has_gpu=has_gpu,
        script=parse_command(command).script,
    )
    setup = tuple(dict.fromkeys((*all_steps, *(prepare if fixed is None else recipe.setup))))
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
    )


def plan_target(target: Target, repos_dir: Path, recipes_dir: Path, *, update: bool = False, **kwargs) -> Plan:
    """Clone (or reuse) the repo and plan it; a clone failure is a Plan with `error`."""
    try:
        checkout = clone(target.url, repos_dir, update=update)
    except ScoutError as exc:
        return Plan(target.url, None, None, None, "", (), (), (), error=str(exc))
    return plan_checkout(target, checkout, recipes_dir, **kwargs)


def plan_baseline(request, session) -> list[Plan]:
    """What `scout baseline` would run for the request, one Plan per repo; runs nothing."""
    from scout.baseline.execute.clone import targets_for
    from scout.baseline.execute.devices import list_gpus
    from scout.baseline.execute.layout import Layout
    from scout.baseline.discover.needs import parse_sets
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
