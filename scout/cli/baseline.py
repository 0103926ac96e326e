"""`scout baseline` and `scout runs`: parse flags, call scout.baseline, print the ledger."""

from __future__ import annotations

import json
import sys
from enum import Enum

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from scout.cli import CacheDirOption, app, console, err_console, open_store, settings_from, warn
from scout.errors import EvalError


class EnvMode(str, Enum):
    venv = "venv"
    current = "current"


class ExecutorKind(str, Enum):
    local = "local"
    slurm = "slurm"


def _ledger_json(runs, best) -> dict:
    items = []
    for run in runs:
        item = run.to_json()
        item["baseline_for"] = sorted(name for name, winner in best.items() if winner.id == run.id)
        items.append(item)
    return {"runs": items}


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _ledger_table(runs, best, title: str) -> Table:
    table = Table(
        title=title,
        title_justify="left",
        caption="★ baseline to beat: the best run for that metric",
        caption_justify="left",
    )
    table.add_column("id", no_wrap=True)
    table.add_column("repo", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("metric", no_wrap=True)
    for column in ("measured", "paper", "gap", "secs"):
        table.add_column(column, justify="right", no_wrap=True)
    for run in runs:
        metrics = list(run.metrics.items()) or [(None, None)]
        gaps = run.gaps()
        for i, (name, value) in enumerate(metrics):
            star = " ★" if name in best and best[name].id == run.id else ""
            head = (run.id, run.repo.removeprefix("https://github.com/"), run.status) if i == 0 else ("", "", "")
            table.add_row(
                *head,
                (name or "-") + star,
                _fmt(value),
                _fmt(run.paper_metrics.get(name)),
                _fmt(gaps.get(name)),
                _fmt(run.seconds) if i == 0 else "",
            )
    return table


def _print_runs(runs, as_json: bool, title: str) -> None:
    from scout.ledger import best_runs

    runs = sorted(runs, key=lambda run: (run.started_at, run.id))
    best = best_runs(runs)
    if as_json:
        typer.echo(json.dumps(_ledger_json(runs, best), indent=2))
    elif runs:
        console.print(_ledger_table(runs, best, title))
        for run in runs:  # below the table, where a long message does not squeeze the columns
            if run.message:
                console.print(f"{run.id} ({run.status}): {run.message}", soft_wrap=True, markup=False)
    else:
        err_console.print("the ledger is empty; run `scout baseline` first")


def _confirm(jobs, yes: bool) -> bool:
    for job in jobs:
        # The user approves exactly this text, so none of it may be read as Rich markup.
        err_console.print(
            f"[bold]{escape(job.target.url)}[/] @ {job.checkout.commit[:12]}\n"
            f"  command ({escape(job.recipe.source)}): [cyan]{escape(job.recipe.command)}[/]",
            soft_wrap=True,
        )
        for step in job.recipe.setup:
            err_console.print(f"  setup: {step}", soft_wrap=True, markup=False)
    if yes:
        return True
    if not sys.stdin.isatty():
        raise EvalError(
            "these commands run code you did not write, and there is no terminal to ask on; "
            "review them above and pass --yes to run them"
        )
    return typer.confirm(f"Run {len(jobs)} command(s)?", default=False, err=True)


@app.command()
def baseline(
    top: int = typer.Option(None, "--top", min=1, help="How many repos to take from the latest search (default 3)."),
    repo: list[str] = typer.Option(None, "--repo", help="A repo URL, local folder or file:// URL (repeatable)."),
    from_sota: bool = typer.Option(
        False, "--from-sota", help="Take the code of the top rows of the latest `scout sota` leaderboard."
    ),
    cmd: str = typer.Option(None, "--cmd", help="The evaluation command, run in the repo folder."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda or cuda:N."),
    timeout: float = typer.Option(
        None,
        "--timeout",
        min=1,
        help="Seconds before the run's process group is killed (default: the recipe's, else 3600).",
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Run without asking for confirmation."),
    as_json: bool = typer.Option(False, "--json", help="Print the runs as JSON on stdout."),
    env: EnvMode = typer.Option(
        EnvMode.venv, "--env", help="venv: one per repo under cache/envs; current: this interpreter."
    ),
    update: bool = typer.Option(False, "--update", help="Fetch the newest commit of repos already cloned."),
    sandbox: bool = typer.Option(
        False, "--sandbox", help="Run under bubblewrap: no network, only the repo and run folders writable."
    ),
    pass_env: list[str] = typer.Option(
        None,
        "--pass-env",
        help="Let this variable through to the run (credentials are removed otherwise; repeatable).",
    ),
    metric: list[str] = typer.Option(
        None,
        "--metric",
        help="A regex whose first group (or group `value`) is a metric to read (repeatable).",
    ),
    seed: int = typer.Option(0, "--seed", help="Passed to the run as SCOUT_SEED and PYTHONHASHSEED."),
    executor: ExecutorKind = typer.Option(ExecutorKind.local, "--executor", help="local, or slurm via submitit."),
    partition: str = typer.Option(None, "--partition", help="SLURM partition (--executor slurm)."),
    gpus_per_job: int = typer.Option(0, "--gpus-per-job", min=0, help="GPUs per SLURM job."),
    time_min: int = typer.Option(None, "--time", min=1, help="SLURM time limit in minutes (default: timeout + 30)."),
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
    cache_dir: str = CacheDirOption,
) -> None:
    """Clone the strongest repos, run their evaluation safely, and record the number to beat."""
    from scout.baseline import Interrupted, discard, prepare_all, run_local
    from scout.devices import list_gpus, parse_device, plan_slots
    from scout.evaluate import Layout, Options
    from scout.logmetrics import compile_patterns
    from scout.repos import Target, pick_repos, resolve_source

    settings = settings_from(cache_dir=cache_dir)
    compile_patterns(metric or [])
    kind, _ = parse_device(device)
    layout = Layout(settings.cache_dir)
    options = Options(
        cmd=cmd,
        timeout=timeout,
        default_timeout=settings.eval_timeout_s,
        env_mode=env.value,
        sandbox=sandbox,
        pass_env=tuple(pass_env or ()),
        metric_patterns=tuple(metric or ()),
        seed=seed,
        update=update,
    )
    store = open_store(settings)
    try:
        targets = [Target(resolve_source(r)) for r in repo or ()]
        if from_sota:
            from scout.leaderboard.board import code_targets

            targets += [Target(url) for url in code_targets(store, top or settings.baseline_top)]
        targets = targets or pick_repos(store, top or settings.baseline_top)
        slots = (
            plan_slots(device, list_gpus(sys.executable if kind == "cuda" else None))
            if executor is ExecutorKind.local
            else []
        )
        jobs, runs = prepare_all(store, layout, targets, options)
        for run in runs:
            warn(f"{run.repo}: {run.message}")
        try:
            if jobs and not _confirm(jobs, yes):
                raise EvalError("cancelled; nothing was run")
        except EvalError:
            discard(jobs)  # their run folders are still empty
            raise
        if executor is ExecutorKind.slurm:
            runs += _submit_slurm(store, layout, jobs, slurm_cluster, partition, gpus_per_job, time_min, wait)
        elif jobs:
            try:
                runs += _run_with_progress(store, layout, jobs, slots, run_local)
            except Interrupted as stop:
                err_console.print(f"[red]interrupted[/]: {len(stop.runs)} run(s) recorded; no process left running")
                _print_runs(runs + stop.runs, as_json, "baseline runs")
                raise typer.Exit(130) from None
        _print_runs(runs, as_json, "baseline runs")
    finally:
        store.close()
    if not any(run.status == "ok" for run in runs) and (executor is ExecutorKind.local or wait):
        raise EvalError(f"no run produced a metric; see the messages above and the logs in {layout.runs}")


def _run_with_progress(store, layout, jobs, slots, run_local):
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        tasks = {job.run_id: progress.add_task(f"{job.slug}: starting", total=None) for job in jobs}

        def on_line(job, line: str) -> None:
            progress.update(tasks[job.run_id], description=f"{job.slug}: {line.strip()[:100]}")

        def on_done(run) -> None:
            progress.remove_task(tasks[run.id])
            err_console.print(
                f"{run.id} {run.repo}: [bold]{run.status}[/]"
                + "".join(f" {name}={_fmt(value)}" for name, value in run.metrics.items()),
                soft_wrap=True,
            )

        return run_local(store, layout, jobs, slots, on_line, on_done)


def _submit_slurm(store, layout, jobs, cluster, partition, gpus_per_job, time_min, wait):
    from scout import slurm

    if not jobs:
        return []
    handles = slurm.submit(
        store,
        jobs,
        slurm.SlurmOptions(cluster, partition, gpus_per_job, time_min),
        max(job.timeout for job in jobs),
        layout,
    )
    err_console.print(f"submitted {len(handles)} SLURM job(s): {', '.join(str(h.job_id) for h in handles)}")
    if not wait:
        err_console.print("`scout runs` records them once they finish")
        return []
    return slurm.wait(store, layout, handles)


@app.command()
def runs(
    as_json: bool = typer.Option(False, "--json", help="Print the ledger as JSON on stdout."),
    cache_dir: str = CacheDirOption,
) -> None:
    """The ledger of evaluations: measured vs paper numbers, the baseline to beat marked ★."""
    from scout.ledger import list_runs

    settings = settings_from(cache_dir=cache_dir)
    store = open_store(settings)
    try:
        if store.query("SELECT 1 FROM pending_jobs LIMIT 1"):
            from scout import slurm
            from scout.evaluate import Layout

            _, waiting = slurm.collect(store, Layout(settings.cache_dir))
            if waiting:
                warn(f"{waiting} SLURM job(s) still running; run `scout runs` again later")
        _print_runs(list_runs(store), as_json, "scout runs")
    finally:
        store.close()
