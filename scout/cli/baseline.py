"""`scout baseline` and `scout runs`: parse flags, call scout.baseline.run, print the ledger."""

from __future__ import annotations

import json
import sys

import typer
from rich import box
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from scout import schema
from scout.cli import CacheDirOption, app, confirm, console, err_console, session_for, settings_from, warn
from scout.cli.tabular import chosen_format, format_option
from scout.errors import CloneError, Declined, EvalError, UsageError
from scout.schema import versioned
from scout.tabular import delimited, repo_lines
from scout.text import visible

ENV_MODES = ("venv", "current")
EXECUTORS = ("local", "slurm")
EXPORTS = ("eval-results", "csv", "json")


def _choice(flag: str, value: str, choices: tuple[str, ...]) -> str:
    # Like --format: a value outside the choices is a usage error (exit 2, one line).
    if value not in choices:
        raise UsageError(f"unknown {flag} {value!r}; choose from {', '.join(choices)}")
    return value


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


_VERDICT_SHORT = {
    "reproduced": "reproduced",
    "better": "better",
    "partial": "partial",
    "not_reproduced": "not repr.",
    "not_attempted": "not run",
}


def _claim_cell(run) -> str:
    claim = run.claim or {}
    value = claim.get("value_as_measured")
    if value is None:
        value = claim.get("value")
    return _fmt(value) if isinstance(value, (int, float)) else ""


def _ledger_table(runs, best, title: str, groups=()) -> Table:
    table = Table(
        title=title,
        title_justify="left",
        caption="◆ the number to cite (it answers the paper's claim, if any)  ★ baseline to beat\n"
        "verdict against the claim (docs/measure.md): not repr. = short of it, not run = no number",
        caption_justify="left",
        # Light borders, one space between columns, and the run's id above its repo (owner/name, whole)
        # leave room for the status, the numbers and the seconds at 80 columns.
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
    )
    table.add_column("run / repo", no_wrap=True, min_width=15)
    table.add_column("status", no_wrap=True, min_width=6)
    table.add_column("metric", overflow="fold", min_width=10)
    for column in ("measured", "claim"):
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    table.add_column("verdict", no_wrap=True, min_width=9)
    last_of_group: dict[str, str] = {}
    for run in runs:
        if run.group:
            last_of_group[run.group] = run.id
    group_info = {group["id"]: group for group in groups}
    for run in runs:
        metrics = list(run.metrics.items()) or [(None, None)]
        headline = (run.headline or {}).get("name")
        for i, (name, value) in enumerate(metrics):
            first = i == 0
            star = " ★" if name in best and best[name].id == run.id else ""
            mark = " ◆" if name and name == headline else ""
            seconds = (
                ""
                if run.seconds is None
                else f"\n{run.seconds:,.0f} s"
                if run.seconds >= 100
                else f"\n{run.seconds:.1f} s"
            )
            head = (Text(f"{run.id}\n{repo_lines(visible(run.repo))}"), run.status + seconds) if first else ("", "")
            show_claim = (name is not None and name == headline) or (first and not headline)
            table.add_row(
                *head,
                Text(visible(name or "-") + star + mark),
                _fmt(value),
                _claim_cell(run) if show_claim else "",
                _VERDICT_SHORT.get(run.verdict or "", "") if first else "",
            )
        if run.group and last_of_group.get(run.group) == run.id and run.group in group_info:
            table.add_row(*_group_row(group_info[run.group]))
    return table


def _group_row(group: dict) -> tuple:
    name = group.get("headline")
    stats = (group.get("aggregate") or {}).get(name or "", {})
    if stats.get("mean") is None:
        measured = ""
    elif group.get("deterministic"):
        measured = f"{stats['mean']:.4g} det."
    else:
        measured = f"{stats['mean']:.4g}±{(stats.get('std') or 0):.2g}"
    claim = group.get("claim") or {}
    value = claim.get("value_as_measured")
    if value is None:
        value = claim.get("value")
    return (
        Text(f"{group['id']}\n{len(group.get('runs', []))} seeds"),
        "",
        Text(visible(name or "-")),
        measured,
        _fmt(value) if isinstance(value, (int, float)) else "",
        _VERDICT_SHORT.get(group.get("verdict") or "", ""),
    )


def _print_runs(runs, as_json: bool, title: str, groups=None, submitted=()) -> None:
    from scout.ledger import best_runs, ledger_json

    runs = sorted(runs, key=lambda run: (run.started_at, run.id))
    best = best_runs(runs)
    groups = list(groups or [])
    if as_json:
        payload = ledger_json(runs, groups)
        if submitted:  # the SLURM job ids, for `scout runs --cancel` and the cluster's own tools
            payload["submitted"] = list(submitted)
        typer.echo(json.dumps(payload, indent=2))
    elif runs:
        console.print(_ledger_table(runs, best, title, groups))
        for run in runs:  # below the table, where a long message does not squeeze the columns
            if run.message:
                console.print(f"{run.id} ({run.status}): {visible(run.message)}", markup=False, highlight=False)
            for flag in run.flags:
                console.print(f"{run.id} flag: {visible(flag)}", markup=False, highlight=False)
        shown = {run.group for run in runs}
        for group in groups:
            if group.get("note") and group.get("id") in shown:
                console.print(f"{group['id']}: {visible(group['note'])}", markup=False, highlight=False)
    else:
        err_console.print("the ledger is empty; run `scout baseline` first")


def _confidence(plan) -> str | None:
    """ "confidence 0.93, sure", "chosen by you (--pick 2)", or None when nothing ranked the pick."""
    if plan.picked:
        return "chosen by you" + (f" (--pick {plan.pick})" if plan.pick else " (--cmd)")
    if plan.confidence is None:
        return None
    if plan.command is None:
        return None
    return f"confidence {plan.confidence:.2f}, " + ("sure" if plan.sure else "not sure")


def _choice_lines(number: int, choice, evidence: bool) -> list[str]:
    probability = "" if choice.probability is None else f"{choice.probability:.2f}  "
    where = f" in {choice.cwd}" if choice.cwd else ""
    lines = [f"    {number}. {probability}{choice.command}  [{choice.source}]{where}"]
    if evidence and choice.evidence:
        lines.append("         evidence: " + "; ".join(choice.evidence[:4]))
    elif not evidence and choice.probability is None:
        lines[0] += f" {choice.why}"  # a ranked candidate's why is its probability and evidence again
    return lines


def _print_plan(plan, console_, note: str | None = None, candidates: int = 5) -> None:
    """One repo's plan as text; the user approves exactly this, so none of it is Rich markup.
    Candidates are numbered as --pick takes them (1 = the plan's first candidate)."""
    say = lambda text: console_.print(visible(text), soft_wrap=True, markup=False, highlight=False)  # noqa: E731
    say(f"{plan.repo} @ {(plan.commit or '?')[:12]}")
    if plan.error:
        say(f"  cannot plan: {plan.error}")
        return
    if plan.command is None:
        say(f"  command: none ({plan.source})")
    else:
        say(f"  command ({plan.source}): {plan.command}")
        confidence = _confidence(plan)
        if confidence:
            say(f"  {confidence}")
        say(f"  in: {plan.cwd or '.'}")
    for step in plan.setup:
        say(f"  setup: {step}")
    if plan.recipe is not None:  # what the repo's recipe adds to reading the output: shown before it runs
        for pattern in plan.recipe.metric_patterns:
            say(f"  metric pattern: {pattern}")
        if plan.recipe.metrics_file:
            say(f"  metrics file: {plan.recipe.metrics_file}")
    for need in plan.needs:
        say(f"  needs {need.kind}: {need.detail}")
    numbered = list(enumerate(plan.candidates, 1))
    if plan.command is None and numbered:
        none = "" if plan.none_probability is None else f" (P(none) {plan.none_probability:.2f})"
        say(f"  nothing here is an evaluation{none}; its candidates:")
        for number, choice in numbered[: max(3, candidates)]:
            for line in _choice_lines(number, choice, evidence=choice.probability is not None):
                say(line)
        say("  pass --pick N to run one of them anyway, or --cmd COMMAND")
    elif plan.needs_choice:
        top = "its only candidate:" if len(plan.top) == 1 else f"the top {len(plan.top)}:"
        say(f"  not sure this is the evaluation; {top}")
        for number, choice in numbered[:3]:
            for line in _choice_lines(number, choice, evidence=True):
                say(line)
        say("  pass --pick N to run one of them, or --cmd COMMAND")
    else:
        shown = [(n, c) for n, c in numbered if n != plan.pick and c.command != plan.command][:candidates]
        if shown:
            say("  other candidates:")
            for number, choice in shown:
                for line in _choice_lines(number, choice, evidence=False):
                    say(line)
    if note:
        say(f"  {note}")


def _can_ask() -> bool:
    return sys.stdin.isatty()


def _confirm(jobs, blocked, yes: bool):
    """Show every plan, then ask: a number among the top candidates for each plan that is not sure,
    yes or no for the rest. --yes approves the sure plans only (run_baseline refuses the others)."""
    for job in jobs:
        _print_plan(job.plan, err_console)
        # Exactly what runs before the command, in order: the user approves all of it.
        for step in job.setup_steps():
            err_console.print(f"  before it: {visible(step)}", soft_wrap=True, markup=False, highlight=False)
    for job in blocked:
        if job.plan is not None:
            _print_plan(job.plan, err_console, note=f"-> {job.error}")
        else:
            err_console.print(visible(f"{job.target.url}: {job.error}"), soft_wrap=True, markup=False)
    if yes:
        return True
    unsure = [job for job in jobs if job.plan is not None and job.plan.needs_choice]
    if not _can_ask():
        from scout.baseline.run import unsure_message

        if unsure:
            raise Declined(unsure_message([job.plan for job in unsure]))
        raise Declined(
            "these commands run code you did not write, and there is no terminal to ask on; "
            "review them above and pass --yes to run them"
        )
    picks = {}
    for job in unsure:
        numbers = [str(n) for n in range(1, len(job.plan.top) + 1)]
        choices = f"[{'/'.join(numbers)}, or n to run nothing]"
        question = f"{visible(job.plan.repo)}: which one is the evaluation? {choices}"
        answer = ""
        while answer not in (*numbers, "n"):
            answer = str(typer.prompt(question, default="n", show_default=False, err=True)).strip().lower()
        if answer == "n":
            return False
        picks[job.run_id] = int(answer)
    sure = [job for job in jobs if job.run_id not in picks]
    question = f"Run the other {len(sure)}?" if picks else f"Run {len(sure)} command(s)?"
    if sure and not typer.confirm(question, default=False, err=True):
        return False
    return picks or True


def _non_empty(values: list[str] | None) -> list[str] | None:
    if any(not value.strip() for value in values or ()):
        raise typer.BadParameter("must not be empty (it would mean the current folder)")
    return values


@app.command()
def baseline(
    top: int = typer.Option(
        None, "--top", min=1, max=100, help="How many repos to take from the latest search (default 3)."
    ),
    repo: list[str] = typer.Option(
        None, "--repo", callback=_non_empty, help="A repo URL, local folder or file:// URL (repeatable)."
    ),
    from_sota: bool = typer.Option(
        False, "--from-sota", help="Take the code of the top rows of the latest `scout sota` leaderboard."
    ),
    cmd: str = typer.Option(None, "--cmd", help="The evaluation command, run in the repo folder."),
    pick: int = typer.Option(
        None,
        "--pick",
        min=1,
        help="Run the plan's N-th candidate (1-based, as `--plan` numbers them) instead of its pick; one --repo.",
    ),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda or cuda:N."),
    timeout: float = typer.Option(
        None,
        "--timeout",
        min=1,
        max=30 * 24 * 3600,
        help="Seconds before the run's process group is killed (default: the recipe's, else 3600).",
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Run without asking for confirmation."),
    as_json: bool = typer.Option(False, "--json", help="Print the runs as JSON on stdout."),
    env: str = typer.Option("venv", "--env", help="venv: one per repo under cache/envs; current: this interpreter."),
    update: bool = typer.Option(False, "--update", help="Fetch the newest commit of repos already cloned."),
    sandbox: bool = typer.Option(
        False,
        "--sandbox",
        help="Run it and its installs under bubblewrap: no privileges, home, sockets or store; "
        "only the run's folders writable; network for installers only.",
    ),
    pass_env: list[str] = typer.Option(
        None,
        "--pass-env",
        help="Let this variable through to the run (only an allowlist passes otherwise: PATH, LANG, CUDA_*, ...; "
        "repeatable).",
    ),
    metric: list[str] = typer.Option(
        None,
        "--metric",
        help="A regex whose first group (or group `value`) is a metric to read (repeatable).",
    ),
    seed: int = typer.Option(
        0, "--seed", min=0, max=2**32 - 1, help="Passed to the run as SCOUT_SEED and PYTHONHASHSEED (0 to 2^32-1)."
    ),
    seeds: str = typer.Option(
        None,
        "--seeds",
        help="Run the evaluation once per seed and aggregate: a count (3: seeds --seed, --seed+1, ...) or a "
        "list (0,1,2). Records each run, the mean ± std and 95% interval, and a verdict against the claim.",
    ),
    executor: str = typer.Option("local", "--executor", help="local, or slurm via submitit."),
    partition: str = typer.Option(None, "--partition", help="SLURM partition (--executor slurm)."),
    gpus_per_job: int = typer.Option(0, "--gpus-per-job", min=0, max=64, help="GPUs per SLURM job."),
    time_min: int = typer.Option(
        None, "--time", min=1, max=60 * 24 * 365, help="SLURM time limit in minutes (default: timeout + 30)."
    ),
    wait: bool = typer.Option(
        True,
        "--wait/--no-wait",
        help="With --executor slurm: wait for the jobs (else `scout runs` collects them later).",
    ),
    slurm_cluster: str = typer.Option(
        "slurm",
        "--slurm-cluster",
        hidden=True,
        help="submitit cluster; `local` runs the jobs here (for tests).",
    ),
    plan: bool = typer.Option(
        False, "--plan", help="Show what would run (command, setup, candidates, needs) and run nothing."
    ),
    set_: list[str] = typer.Option(
        None, "--set", help="KEY=VALUE for a placeholder of the command: its text, flag or variable (repeatable)."
    ),
    skypilot: str = typer.Option(
        None,
        "--skypilot",
        help="With --plan: also write each plan as a SkyPilot task (DIR/scout-<repo>.sky.yaml) to run on a cloud "
        "with `sky launch`.",
    ),
    cache_dir: str = CacheDirOption,
) -> None:
    """Clone the strongest repos, run their evaluation safely, and record the number to beat.

    $ scout baseline --repo https://github.com/kuangliu/pytorch-cifar --timeout 600 --yes
    $ scout baseline --repo https://github.com/facebookresearch/detr --plan --json
    """
    from scout.baseline.discover.needs import parse_sets
    from scout.baseline.execute.clone import resolve_source
    from scout.baseline.execute.evaluate import Options
    from scout.baseline.execute.slurm import SlurmOptions
    from scout.baseline.measure.logmetrics import compile_patterns
    from scout.baseline.measure.seeds import parse_seeds
    from scout.baseline.run import BaselineHooks, BaselineRequest, run_baseline
    from scout.config import parse_device

    for item in repo or ():
        resolve_source(item)  # a path that is not there is a usage error, before anything is recorded
    settings = settings_from(cache_dir=cache_dir)
    seed_list = tuple(parse_seeds(seeds, seed)) if seeds is not None else ()
    compile_patterns(metric or [])
    parse_sets(set_ or [])
    parse_device(device)
    if pick is not None and cmd is not None:
        raise typer.BadParameter("--pick and --cmd both choose the command; pass one of them", param_hint="--pick")
    if skypilot is not None and not plan:
        raise typer.BadParameter("writes the plan as a SkyPilot task: pass it with --plan", param_hint="--skypilot")
    request = BaselineRequest(
        repos=tuple(repo or ()),
        from_sota=from_sota,
        top=top or settings.baseline_top,
        options=Options(
            cmd=cmd,
            pick=pick,
            timeout=timeout,
            default_timeout=settings.eval_timeout_s,
            env_mode=_choice("--env", env, ENV_MODES),
            sandbox=sandbox,
            pass_env=tuple(pass_env or ()),
            metric_patterns=tuple(metric or ()),
            seed=seed,
            update=update,
            sets=tuple(set_ or ()),
        ),
        device=device,
        executor=_choice("--executor", executor, EXECUTORS),
        slurm=SlurmOptions(slurm_cluster, partition, gpus_per_job, time_min),
        wait=wait,
        seeds=seed_list,
    )
    if plan:
        from scout.baseline.discover.plan import plan_baseline, plans_json

        with session_for(settings) as session:
            plans = plan_baseline(request, session)
        if as_json:
            typer.echo(json.dumps(versioned(schema.PLAN, plans_json(plans)), indent=2))
        else:
            for item in plans:
                _print_plan(item, console, candidates=10)
        if plans and all(item.error for item in plans):
            raise CloneError(f"no repo could be planned ({plans[0].error}); see each reason above")
        if skypilot is not None:
            from pathlib import Path

            from scout.baseline.execute.skypilot import write_tasks

            for path in write_tasks(plans, Path(skypilot), seed, gpus_per_job):
                err_console.print(f"wrote {path}", markup=False, highlight=False, soft_wrap=True)
        return
    with session_for(settings) as session, _RunProgress() as progress:
        hooks = BaselineHooks(
            confirm=lambda jobs, blocked: _confirm(jobs, blocked, yes),
            on_prepare_failed=lambda run: warn(f"{run.repo}: {run.message}"),
            on_line=progress.on_line,
            on_done=progress.on_done,
            on_submitted=_say_submitted,
        )
        report = run_baseline(request, session, hooks)
    cancel = f"scout runs --cancel {_array_id(report.submitted)}" if report.submitted else ""
    if report.interrupted and report.submitted:
        err_console.print(
            f"[red]interrupted[/]: {len(report.runs)} run(s) recorded; the SLURM jobs keep running: "
            f"`scout runs` records them once they end, `{cancel}` cancels them",
            soft_wrap=True,
        )
    elif report.interrupted:
        err_console.print(f"[red]interrupted[/]: {len(report.runs)} run(s) recorded; no process left running")
    waiting = bool(report.submitted) and not wait
    if waiting:
        err_console.print(f"`scout runs` records them once they end; `{cancel}` cancels them", soft_wrap=True)
    if as_json or report.runs:
        _print_runs(report.runs, as_json, "baseline runs", report.groups, report.submitted)
    if report.interrupted:
        raise typer.Exit(130)
    timed_out = [run for run in report.runs if run.status == "timeout" and run.metrics]
    if timed_out and not report.any_ok:
        ids = ", ".join(run.id for run in timed_out)
        warn(f"{ids}: timed out, but the metrics printed before then are recorded; raise --timeout for a full run")
        return
    if not report.any_ok and not waiting:
        raise EvalError(f"no run produced a metric; see the messages above and the logs in {report.runs_dir}")


def _say_submitted(job_ids: list[str]) -> None:
    err_console.print(f"submitted {len(job_ids)} SLURM job(s): {', '.join(job_ids)}", soft_wrap=True)


def _array_id(job_ids) -> str:
    """The id that names every one of these jobs: the array's (12 for 12_0, 12_1), or the only job's."""
    return job_ids[0].split("_")[0] if len(job_ids) > 1 else job_ids[0]


class _RunProgress:
    """One spinner line per running repo on stderr, shown from the first line a run prints (so it
    never covers the confirmation question), gone when the runs end."""

    def __init__(self):
        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console, transient=True
        )
        self._tasks: dict[str, int] = {}
        self._started = False

    def __enter__(self) -> _RunProgress:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._started:
            self._progress.stop()

    def on_line(self, job, line: str) -> None:
        if not self._started:
            self._progress.start()
            self._started = True
        if job.run_id not in self._tasks:
            self._tasks[job.run_id] = self._progress.add_task("", total=None)
        from scout.baseline.measure.logmetrics import clean

        # Text from the repo: colours dropped as a terminal would show them, any other control
        # visible, never Rich markup.
        shown = visible(f"{job.slug}: {clean(line).strip()[:100]}")
        self._progress.update(self._tasks[job.run_id], description=escape(shown))

    def on_done(self, run) -> None:
        task = self._tasks.pop(run.id, None)
        if task is not None:
            self._progress.remove_task(task)
        err_console.print(
            visible(f"{run.id} {run.repo}: {run.status}" + "".join(f" {n}={_fmt(v)}" for n, v in run.metrics.items())),
            soft_wrap=True,
            markup=False,
            highlight=False,
        )


RUN_STATUSES = ("ok", "failed", "timeout", "no-metrics", "cancelled")

runs_app = typer.Typer(invoke_without_command=True)
app.add_typer(runs_app, name="runs")


def _since_date(text: str | None) -> str | None:
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date; give YYYY-MM-DD, e.g. 2026-11-30") from None


@runs_app.callback()
def runs(
    ctx: typer.Context,
    repo: str = typer.Option(None, "--repo", help="Only the runs of this repo (any part of its URL: owner/name)."),
    status: str = typer.Option(None, "--status", help=f"Only the runs with this status: {', '.join(RUN_STATUSES)}."),
    since: str = typer.Option(None, "--since", callback=_since_date, help="Only the runs started on DATE or later."),
    fmt: str = format_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the ledger as JSON on stdout."),
    export: str = typer.Option(
        None,
        "--export",
        help="Write the headline numbers with verdict and provenance: eval-results (Hugging Face "
        ".eval_results/*.yaml), csv or json.",
    ),
    out: str = typer.Option(".", "--out", help="Where --export writes (a folder, or a .csv/.json file)."),
    cancel: str = typer.Option(
        None,
        "--cancel",
        help="Cancel a SLURM job scout is waiting for (a job id, an array's id for all its jobs, or a run id), "
        "record it as cancelled, then list.",
    ),
    cache_dir: str = CacheDirOption,
) -> None:
    """The ledger of evaluations: each run's headline number, the paper's claim and the verdict.

    $ scout runs --json | jq '.runs[] | {repo, status, headline, verdict}'
    $ scout runs --repo kuangliu/pytorch-cifar --status ok --since 2026-11-01
    $ scout runs --export eval-results --out ./my-model
    """
    from pathlib import Path

    from scout.baseline.run import ledger_runs
    from scout.ledger import filter_runs, list_groups

    if ctx.invoked_subcommand is not None:
        return
    if export is not None:
        _choice("--export", export, EXPORTS)
    if status is not None:
        _choice("--status", status, RUN_STATUSES)
    fmt = chosen_format(fmt, as_json, console.is_terminal)
    with session_for(settings_from(cache_dir=cache_dir)) as session:
        if cancel is not None:
            from scout.baseline.run import cancel_jobs

            job_ids = cancel_jobs(session, cancel)
            err_console.print(f"cancelled SLURM job(s) {', '.join(job_ids)}", soft_wrap=True, markup=False)
        runs, waiting = ledger_runs(session)
        groups = list_groups(session.store)
    runs = filter_runs(runs, repo, status, since)
    if waiting:
        warn(
            f"{waiting} SLURM job(s) not recorded yet (still running, or SLURM did not answer); run `scout runs` later"
        )
    if export is not None:
        from scout.baseline.measure import export as exporting

        items = exporting.rows(runs, groups)
        if not items:
            raise EvalError("nothing to export: the ledger is empty; run `scout baseline` first")
        written = exporting.write(export, items, Path(out))
        if not written:
            raise EvalError("nothing to export: no run has a headline number yet")
        for path in written:
            err_console.print(f"wrote {path}", markup=False, highlight=False)
        if fmt == "json":
            typer.echo(json.dumps(versioned(schema.EXPORT, {"written": [str(p.resolve()) for p in written]})))
        return
    if not runs and fmt != "json" and (repo or status or since):
        err_console.print("no run matches --repo/--status/--since; `scout runs` lists them all", markup=False)
    if fmt in ("tsv", "csv"):
        if not runs and not (repo or status or since):
            err_console.print("the ledger is empty; run `scout baseline` first")
        typer.echo(
            delimited(RUN_COLUMNS, [_run_row(run) for run in sorted(runs, key=lambda r: (r.started_at, r.id))], fmt),
            nl=False,
        )
        return
    if runs or fmt == "json" or not (repo or status or since):
        _print_runs(runs, fmt == "json", "scout runs", groups)


RUN_COLUMNS = (  # --format tsv|csv
    "id",
    "repo",
    "commit",
    "status",
    "metric",
    "value",
    "claim",
    "verdict",
    "seconds",
    "seed",
    "group",
    "started_at",
    "log",
)


def _run_row(run) -> list:
    """One run for tsv/csv: its headline metric (else its first), the claim and where its log is."""
    name = (run.headline or {}).get("name") or next(iter(run.metrics), None)
    claim = (run.claim or {}).get("value")
    return [
        run.id,
        run.repo,
        run.commit,
        run.status,
        name,
        run.metrics.get(name) if name else None,
        claim,
        run.verdict,
        run.seconds,
        run.seed,
        run.group,
        run.started_at,
        run.log,
    ]


@runs_app.command("rm")
def runs_rm(
    run_ids: list[str] = typer.Argument(..., help="The runs to remove (ids from `scout runs`)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Remove without asking."),
    as_json: bool = typer.Option(False, "--json", help="Print what was removed as JSON on stdout."),
    cache_dir: str = CacheDirOption,
) -> None:
    """Remove runs from the ledger, with their logs (asks first; --yes to skip the question).

    $ scout runs rm r-20261130-0001 r-20261130-0002
    """
    from scout.baseline.execute.layout import Layout
    from scout.ledger import get_runs, remove_runs

    settings = settings_from(cache_dir=cache_dir)
    with session_for(settings) as session:
        runs = get_runs(session.store, run_ids)
        for run in runs:
            err_console.print(
                f"{run.id}  {run.status}  {visible(run.repo)}  {run.started_at}", markup=False, highlight=False
            )
        confirm(f"Remove {len(runs)} run(s) and their logs?", yes)
        removed = remove_runs(session.store, Layout(settings.cache_dir).runs, run_ids)
    if as_json:
        typer.echo(json.dumps(versioned(schema.REMOVED, {"removed": removed})))
        return
    console.print(f"removed {len(removed)} run(s): {', '.join(removed)}", markup=False, soft_wrap=True)
