"""What `scout baseline` would run in each repo, decided before anything runs: the commit, the
command and where it came from, the folder, the setup steps the repo declares, the other
candidates with the reason each was or was not chosen, and what the run still needs.

Each plan also says how sure it is. The ranker gives every candidate the probability that it is
the evaluation the docs document, and the plan a calibrated `confidence` in its pick and a `sure`
flag: a plan that is not sure is never run without a person (or an agent) choosing among its top
candidates (`--pick N`, 1-based, or `--cmd`). A command the user chose, a repo's own recipe file and
a recipe saved after a run that worked are sure by definition.

`plan_baseline` is the library call behind `scout baseline --plan` (and, later, the MCP server):
it clones or reuses the checkouts and reads them, and creates no venv, no run folder and no
ledger row. A normal run shows the same plan on its confirm screen."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from scout.baseline.discover.candidates import MODE_FLAG, Candidate, Discovery, find_candidates, parse_command
from scout.baseline.discover.features import words
from scout.baseline.discover.installs import Installs, find_python, plan_installs, python_mismatch, uv_can_make
from scout.baseline.discover.needs import Need, fill, find_needs
from scout.baseline.discover.rank import Ranking, rank
from scout.baseline.discover.recipes import Recipe, fixed_recipe
from scout.baseline.execute.clone import Checkout, Target, clone, slug
from scout.errors import ConfigError, ScoutError, UsageError
from scout.text import has_control, visible


@dataclass(frozen=True)
class Choice:
    """One candidate as a plan shows it; `--pick N` runs the N-th (1-based) of a plan's."""

    command: str
    source: str  # "README.md § Evaluation", "script val.py"
    why: str  # why it was or was not chosen
    cwd: str = ""
    probability: float | None = None  # P(this is the documented evaluation); None: not ranked
    evidence: tuple[str, ...] = ()  # what the ranker weighed, most telling first

    def to_json(self) -> dict:
        return {
            "command": self.command,
            "source": self.source,
            "why": self.why,
            "cwd": self.cwd,
            "probability": _round(self.probability),
            "evidence": list(self.evidence),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


@dataclass(frozen=True)
class Plan:
    repo: str
    commit: str | None
    command: str | None  # None: no runnable evaluation (a library, a monorepo, or nothing found)
    source: str | None
    cwd: str
    setup: tuple[str, ...]  # what gets installed, then the docs' prepare steps
    candidates: tuple[Choice, ...]  # best first
    needs: tuple[Need, ...]
    recipe: Recipe | None = None  # what a run executes (None when there is no command)
    checkout: Checkout | None = None
    error: str | None = None  # the repo could not be cloned
    # Calibrated P(the plan's answer is right: its command is the evaluation the docs document, or,
    # with no command, the repo has none); None when the user or a recipe chose the command (--cmd,
    # recipe file, a recipe saved after a run that worked). --pick N: the N-th candidate's probability.
    confidence: float | None = None
    sure: bool = True  # False: --yes refuses, the terminal asks which of the top candidates to run
    none_probability: float | None = None  # P(no candidate is the evaluation)
    pick: int | None = None  # the command is candidates[pick - 1]; None when it is none of them
    picked: bool = False  # the user chose the command (--pick or --cmd)
    installs: Installs | None = None  # what the env installs before the command runs

    @property
    def unmet(self) -> tuple[Need, ...]:
        """Needs that stop the command from running as written (a value is missing)."""
        return tuple(need for need in self.needs if need.blocking)

    @property
    def top(self) -> tuple[Choice, ...]:
        """The candidates a person chooses among when the plan is not sure."""
        return self.candidates[:3]

    @property
    def needs_choice(self) -> bool:
        """A command was found but the plan is not sure it is the evaluation: someone must pick."""
        return self.error is None and self.command is not None and not self.sure

    def to_json(self) -> dict:
        return {
            "repo": self.repo,
            "commit": self.commit,
            "command": self.command,
            "source": self.source,
            "cwd": self.cwd,
            "setup": list(self.setup),
            "candidates": [choice.to_json() for choice in self.candidates],
            "needs": [need.to_json() for need in self.needs],
            "confidence": _round(self.confidence),
            "sure": self.sure,
            "none_probability": _round(self.none_probability),
            "pick": self.pick,
            "picked": self.picked,
            "metric_patterns": list(self.recipe.metric_patterns) if self.recipe else [],
            "metrics_file": self.recipe.metrics_file if self.recipe else None,
            "error": self.error,  # why the repo could not be planned (not cloned, unreadable), else null
        }


def _why(candidate: Candidate, chosen: Candidate | None, probability: float, evidence: tuple[str, ...]) -> str:
    """The ranker's probability for a candidate and the features that weighed most."""
    said = "; ".join(evidence) or "no feature for it"
    share = f"p={probability:.2f}"
    return f"chosen ({share}): {said}" if candidate is chosen else f"{share}: {said}"


def _rank(discovery: Discovery) -> Ranking:
    """The fitted ranker's view of the candidates (a seam the tests replace)."""
    return rank(discovery)


def _sure_at(environ: Mapping[str, str]) -> float | None:
    """SCOUT_SURE_AT: the confidence from which a plan counts as sure, in place of the fitted
    threshold (which asks for 97% right on unseen repos, and so is rarely reached)."""
    value = environ.get("SCOUT_SURE_AT", "").strip()
    if not value:
        return None
    try:
        threshold = float(value)
    except ValueError:
        threshold = -1.0
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"SCOUT_SURE_AT={value!r} is not a probability; set it between 0 and 1, or unset it")
    return threshold


_SETTINGS_FILE = re.compile(r"\.(?:ya?ml|json|cfg|conf|config|ini|toml)$", re.I)


def command_kind(command: str) -> str:
    """ "eval" when the command's script or flags name an evaluation, or it turns on a mode switch
    (`--forward_only True`, `--testOnly`, `--predict`), or its subcommand or the settings file it
    passes names inference (`mp predict`, `main.py --config demo.decode.config`): the needs then
    look for a checkpoint to load. Else "run"."""
    parsed = parse_command(command)
    named = words(" ".join([parsed.script or parsed.module or command.split(" ")[0], *parsed.args[:20]]))
    if {"eval", "evalu", "evaluat", "test", "val", "validat"} & set(named):
        return "eval"
    args = parsed.args[:30]
    # The words the command chooses (a subcommand, a settings file), not a flag's other values:
    # `--out_dir predictions` is where it writes.
    chosen = [
        arg
        for i, arg in enumerate(args)
        if not arg.startswith("-")
        and (i == 0 or not args[i - 1].startswith("-") or "=" in args[i - 1] or _SETTINGS_FILE.search(arg))
    ]
    script = parsed.script or parsed.module or ""
    if {"predict", "decod", "inferenc", "inf"} & set(words(" ".join([script, *chosen]))):
        return "eval"
    for i, arg in enumerate(args):
        if not arg.startswith("-"):
            continue
        name, eq, value = arg.partition("=")
        if not eq and i + 1 < len(args) and not args[i + 1].startswith("-"):
            value = args[i + 1]
        if MODE_FLAG.search(name) and value.lower() in ("", "true", "1", "yes"):
            return "eval"
        # `--is_training=False`, `--train 0`: training switched off, so the run restores and measures.
        if _TRAIN_SWITCH.fullmatch(name.lstrip("-")) and value.lower() in ("false", "0", "no"):
            return "eval"
    return "run"


_TRAIN_SWITCH = re.compile(r"(?:is_|do_)?train(?:ing)?", re.I)


def _unfilled(candidate: Candidate, command: str, needs: list[Need]) -> list[Need]:
    """What the candidate says the command leaves for the user, beyond the needs found: a
    placeholder still in it (`...`, `<x>`, `[x]`) and required arguments it does not give. Either
    stops the run, so both block it."""
    found = []
    said = " ".join(need.detail for need in needs if need.kind == "placeholder")
    for text in candidate.placeholders:
        # `...` inside a `[...]` the needs already name is the same placeholder.
        if text in command and not re.search(rf"`[^`]*{re.escape(text)}[^`]*`", said):
            found.append(Need("placeholder", f"`{text}` is a placeholder: pass --set '{text}=VALUE'", text, True))
    for arg in candidate.required_missing:
        if arg.startswith("-") and re.search(rf"(^|\s){re.escape(arg)}(=|\s|$)", command):
            continue
        if re.search(rf"(?<![\w-]){re.escape(arg)} is required|takes [^:]*(?<![\w-]){re.escape(arg)}\b", said):
            continue  # the needs said it, with what it stands for
        found.append(
            Need(
                "placeholder",
                f"the script requires {arg}, which the command does not give: run it with --cmd and {arg}",
                None,
                True,
            )
        )
    return found


def _hidden(command: str, recipe: Recipe) -> list[Need]:
    """A command or setup step from the repo that holds control characters or a line break: what a
    terminal shows of it may not be what runs (a concealed `; rm -rf ~`), so it runs only as --cmd."""
    found = []
    if has_control(command):
        found.append(
            Need(
                "unsafe",
                f"the command `{visible(command)[:300]}` holds control characters or a line break (shown "
                "escaped), so what a terminal shows may not be what runs: scout runs it only as --cmd 'COMMAND', "
                "typed by you",
                None,
                True,
            )
        )
    texts = [*recipe.setup, *recipe.metric_patterns, recipe.metrics_file or "", recipe.cwd]
    if any(has_control(text) for text in texts):
        found.append(
            Need(
                "unsafe",
                "the recipe's setup steps, metric patterns, metrics file or folder hold control characters or a "
                "line break (shown escaped): scout does not run it; fix the repo's scout.toml or pass --cmd",
                None,
                True,
            )
        )
    return found


def check_pick(pick: int | None, cmd: str | None, targets: int) -> None:
    """--pick N names one candidate of one repo's plan, and never goes with --cmd."""
    if pick is None:
        return
    if cmd is not None:
        raise UsageError("--pick and --cmd both choose the command; pass one of them")
    if targets != 1:
        raise UsageError(f"--pick N chooses among one repo's candidates, and this asks for {targets}; pass one --repo")


def plan_checkout(
    target: Target,
    checkout: Checkout,
    recipes_dir: Path,
    *,
    cmd: str | None = None,
    pick: int | None = None,
    sets: Mapping[str, str] | None = None,
    has_gpu: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Plan:
    """The plan for one checked-out repo. Raises ConfigError for a --set that fills nothing, and
    UsageError for a --pick that names no candidate."""
    repo_dir = checkout.path
    discovery = find_candidates(repo_dir)
    ranking = _rank(discovery)
    ordered = [(r.candidate, r.probability, tuple(r.evidence)) for r in ranking.ranked]
    chosen, confidence, sure = ranking.pick, ranking.confidence, ranking.sure
    none_probability = ranking.none_probability
    sure_at = _sure_at(os.environ if environ is None else environ)
    if sure_at is not None:
        sure = confidence >= sure_at
    check_pick(pick, cmd, 1)
    if pick is not None:
        if not 1 <= pick <= len(ordered):
            have = f"pass --pick 1 to {len(ordered)}" if ordered else "pass --cmd instead"
            raise UsageError(f"--pick {pick}: {target.url} has {len(ordered)} candidate(s); {have} (see --plan)")
        chosen, confidence, sure = ordered[pick - 1][0], ordered[pick - 1][1], True
    fixed = None if pick is not None else fixed_recipe(repo_dir, recipes_dir, slug(target.url), cmd)
    if fixed is not None:
        recipe = fixed
        confidence, sure = None, True  # the user's --cmd, the repo's recipe file, or a recipe that ran
    elif chosen is not None:
        source = f"{chosen.source}; --pick {pick}" if pick is not None else chosen.source
        recipe = Recipe(command=chosen.command, source=source, cwd=chosen.cwd)
    else:
        recipe = None
    shown_chosen = chosen if fixed is None else None
    candidates = tuple(
        Choice(c.command, c.source, _why(c, shown_chosen, p, evidence), c.cwd, p, evidence)
        for c, p, evidence in ordered
    )
    index = next((i + 1 for i, (c, _, _) in enumerate(ordered) if c is shown_chosen), None)
    picked = pick is not None or (fixed is not None and cmd is not None)
    ranked = {"none_probability": none_probability, "picked": picked}
    if recipe is None:
        if not candidates:
            why = "nothing runnable: no doc names a command and no script, Makefile or console script was found"
        else:
            shape = {"library": "a library; ", "monorepo": "a monorepo of examples; "}.get(discovery.shape, "")
            why = f"{shape}no candidate is likely the evaluation (p(none)={none_probability:.2f})"
        return Plan(
            target.url,
            checkout.commit,
            None,
            f"no runnable evaluation: {why}",
            "",
            plan_installs(repo_dir, "", discovery.docs_text, checkout.date).steps(),
            candidates,
            (),
            None,
            checkout,
            confidence=confidence,  # the ranker's confidence that there is none
            sure=sure,
            **ranked,
        )
    command = fill(recipe.command, sets or {})
    installs = plan_installs(repo_dir, recipe.cwd, discovery.docs_text, checkout.date)
    prepare = chosen.setup if fixed is None and chosen is not None else recipe.setup
    recipe = replace(recipe, command=command, setup=tuple(prepare))
    needs = find_needs(
        command,
        repo_dir=repo_dir,
        cwd=recipe.cwd,
        kind=command_kind(command),
        docs_text=discovery.docs_text,
        environ=os.environ if environ is None else environ,
        has_gpu=has_gpu,
        script=parse_command(command).script,
        docs=[(doc.path, doc.text) for doc in discovery.docs],
        setup=recipe.setup,
        kind_of=command_kind,
    )
    if fixed is None and chosen is not None:
        needs += _unfilled(chosen, command, needs)
    if cmd is None:
        needs += _hidden(command, recipe)
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
        confidence=confidence,
        sure=sure,
        pick=index,
        installs=installs,
        **ranked,
    )


def _python_needs(installs: Installs) -> list[Need]:
    """The repo asks for a Python this one is not, and no matching interpreter can be found."""
    spec = installs.requires_python
    if not python_mismatch(spec) or find_python(spec):
        return []
    here = ".".join(map(str, sys.version_info[:2]))
    if not uv_can_make(spec):
        fix = (
            "uv makes venvs of Python 3.6 and newer only: run scout from an environment of that Python "
            "with --env current"
        )
    else:
        fix = f"install one (`uv python install '{spec}'`) or pass --env current to try this one"
    return [
        Need(
            "system",
            f"the repo requires Python {spec}, this is {here}, and no matching interpreter is installed: {fix}",
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
    parse_sets(options.sets)  # a malformed --set is one error before any clone
    check_pick(options.pick, options.cmd, len(targets))
    gpu = has_gpu(request.device, list_gpus, parse_device)
    return [plan_with(target, layout.repos, layout.recipes, options, gpu) for target in targets]


def plan_with(target: Target, repos_dir: Path, recipes_dir: Path, options, gpu: bool) -> Plan:
    """plan_target with a run's options (--update, --cmd, --pick, --set), for --plan and a run alike."""
    from scout.baseline.discover.needs import parse_sets

    return plan_target(
        target,
        repos_dir,
        recipes_dir,
        update=options.update,
        cmd=options.cmd,
        pick=options.pick,
        sets=parse_sets(options.sets),
        has_gpu=gpu,
    )


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
