"""One baseline evaluation, from a repo URL to a Run: clone and find the command (prepare), then
set up the env, run it safely and read its metrics (execute). `execute` touches no store, so a
SLURM job can run it on another machine; the caller records the Run in the ledger."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from scout.baseline.clone import Checkout, Target, slug
from scout.baseline.devices import CPU, Slot
from scout.baseline.diagnose import diagnose
from scout.baseline.envs import current_env, describe, missing_imports, prepare_env, run_setup
from scout.baseline.logmetrics import Metric, parse_metrics_json, parse_output
from scout.baseline.process import run_streaming, sandbox_argv, scrub_env
from scout.baseline.recipes import Recipe
from scout.clock import now_iso
from scout.errors import ScoutError
from scout.ledger import allocate_run_dir
from scout.models import Run

_LOG_TAIL_BYTES = 20 * 1024 * 1024  # metrics are read from the last 20 MB of output


@dataclass(frozen=True)
class Layout:
    """Where scout keeps repos, envs, recipes and runs (all under the cache dir)."""

    cache_dir: Path

    @property
    def repos(self) -> Path:
        return self.cache_dir / "repos"

    @property
    def envs(self) -> Path:
        return self.cache_dir / "envs"

    @property
    def recipes(self) -> Path:
        return self.cache_dir / "recipes"

    @property
    def runs(self) -> Path:
        return self.cache_dir / "runs"


@dataclass(frozen=True)
class Options:
    cmd: str | None = None
    timeout: float | None = None  # --timeout; else the recipe's; else default_timeout
    default_timeout: float = 3600.0
    env_mode: str = "venv"  # "venv" or "current"
    sandbox: bool = False
    pass_env: tuple[str, ...] = ()
    metric_patterns: tuple[str, ...] = ()
    seed: int = 0
    update: bool = False
    sets: tuple[str, ...] = ()  # --set KEY=VALUE: values for the command's placeholders
    has_gpu: bool = False  # whether the run's device is a GPU (the plan's CUDA-only check)


@dataclass(frozen=True)
class Job:
    """Everything an evaluation needs, decided before it runs (picklable, for SLURM)."""

    run_id: str
    run_dir: Path
    started_at: str
    target: Target
    options: Options
    layout: Layout
    checkout: Checkout | None = None
    recipe: Recipe | None = None
    error: str | None = None  # set when the repo could not be cloned or no command was found
    plan: object | None = None  # the scout.baseline.plan.Plan shown on the confirm screen

    @property
    def slug(self) -> str:
        return slug(self.target.url)

    @property
    def timeout(self) -> float:
        for value in (self.options.timeout, self.recipe.timeout if self.recipe else None):
            if value is not None:
                return value
        return self.options.default_timeout

    @property
    def metric_patterns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.recipe.metric_patterns if self.recipe else ()) + self.options.metric_patterns))


def prepare(target: Target, layout: Layout, options: Options) -> Job:
    """Allocate the run, clone the repo and plan it. Failures (no clone, no command, a placeholder
    with no value) are kept in Job.error."""
    from scout.baseline.needs import parse_sets
    from scout.baseline.plan import plan_target

    run_id, run_dir = allocate_run_dir(layout.runs)
    job = Job(run_id, run_dir, now_iso(), target, options, layout)
    try:
        plan = plan_target(
            target,
            layout.repos,
            layout.recipes,
            update=options.update,
            cmd=options.cmd,
            sets=parse_sets(options.sets),
            has_gpu=options.has_gpu,
        )
    except ScoutError as exc:
        return replace(job, error=str(exc))
    job = replace(job, checkout=plan.checkout, recipe=plan.recipe, plan=plan)
    if plan.error:
        return replace(job, error=plan.error)
    if plan.recipe is None:
        return replace(job, error=f"no evaluation command found ({plan.source}); pass --cmd 'python your_eval.py ...'")
    if plan.unmet:
        missing = "; ".join(need.detail for need in plan.unmet)
        return replace(job, error=f"not started: the command needs values: {missing}")
    return job


def _record(job: Job, message: str | None, status: str = "failed", **changes) -> Run:
    return Run(
        id=job.run_id,
        repo=job.target.url,
        started_at=job.started_at,
        status=status,
        commit=job.checkout.commit if job.checkout else None,
        command=job.recipe.command if job.recipe else None,
        recipe_source=job.recipe.source if job.recipe else None,
        seed=job.options.seed,
        log=str(job.run_dir / "log.txt"),
        message=message,
        clone_path=str(job.checkout.path) if job.checkout else None,
        **changes,
    )


def _read_tail(path: Path, start: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(max(start, handle.seek(0, os.SEEK_END) - _LOG_TAIL_BYTES))
        return handle.read().decode("utf-8", errors="replace")


def _metrics(job: Job, output: str) -> tuple[dict[str, Metric], str | None]:
    metrics = parse_output(output, job.metric_patterns)
    if job.recipe and job.recipe.metrics_file:
        path = job.checkout.path / job.recipe.metrics_file
        if not path.is_file():
            return metrics, f"the recipe's metrics file {job.recipe.metrics_file} was not written"
        try:
            metrics = {**metrics, **parse_metrics_json(path.read_text(encoding="utf-8"))}
        except ScoutError as exc:
            return metrics, str(exc)
    return metrics, None


@dataclass(frozen=True)
class _Outcome:
    status: str
    message: str | None


def _judge(
    exit_code: int | None,
    timed_out: bool,
    interrupted: bool,
    metrics: dict,
    job: Job,
    output: str,
    metrics_note: str | None,
) -> _Outcome:
    if interrupted:
        return _Outcome("failed", "interrupted (Ctrl-C); the whole process group was stopped")
    if timed_out:
        if metrics:
            return _Outcome(
                "timeout",
                f"killed after {job.timeout:g} s (--timeout); the metrics are the last it printed before then",
            )
        return _Outcome(
            "timeout",
            f"killed after {job.timeout:g} s (--timeout); research scripts often run "
            "until stopped: raise --timeout or pass a --cmd with a step limit",
        )
    if exit_code != 0:
        reason = diagnose(output[-20000:]) or "see the log"
        return _Outcome("failed", f"exited with status {exit_code}: {reason}")
    if not metrics:
        return _Outcome(
            "no-metrics",
            metrics_note
            or "the command finished but printed no metric scout knows; "
            "pass --metric 'REGEX' (e.g. --metric 'score: ([0-9.]+)')",
        )
    return _Outcome("ok", metrics_note)


def execute(
    job: Job,
    slot: Slot = CPU,
    *,
    on_line: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    environ: dict[str, str] | None = None,
) -> Run:
    """Set up the env, run the command and read its metrics. Every outcome is a Run; nothing is raised
    for the repo's own failures."""
    if job.error or job.recipe is None or job.checkout is None:
        return _record(job, job.error or "not prepared", device=slot.device, gpu=slot.gpu)
    job.run_dir.mkdir(parents=True, exist_ok=True)
    log_path = job.run_dir / "log.txt"
    base_env = scrub_env(os.environ if environ is None else environ, job.options.pass_env)
    base_env.update(
        {
            "MPLBACKEND": "Agg",
            "PYTHONUNBUFFERED": "1",
            "SCOUT_SEED": str(job.options.seed),
            "PYTHONHASHSEED": str(job.options.seed),
            "SCOUT_RUN_DIR": str(job.run_dir.resolve()),
            # No terminal: scripts that ask for its size (`stty size`, os.get_terminal_size) get one.
            "COLUMNS": base_env.get("COLUMNS", "120"),
            "LINES": base_env.get("LINES", "40"),
            **slot.env(),
        }
    )
    repo_dir = job.checkout.path
    run_cwd = repo_dir / job.recipe.cwd
    with open(log_path, "ab") as log:
        log.write(
            f"[scout] run {job.run_id}: {job.target.url} @ {job.checkout.commit}\n"
            f"[scout] command ({job.recipe.source}): {job.recipe.command}\n".encode()
        )
        log.flush()
        try:
            if job.options.env_mode == "current":
                pyenv = current_env()
                run_setup(job.recipe.setup, pyenv, repo_dir=repo_dir, environ=base_env, log=log, cancel=cancel)
            else:
                pyenv = prepare_env(
                    repo_dir,
                    job.layout.envs / job.slug,
                    job.recipe.setup,
                    env=base_env,
                    log=log,
                    cancel=cancel,
                )
            missing = missing_imports(repo_dir, pyenv)
            if missing:
                note = f"the code imports {', '.join(missing)}, which this environment lacks (undeclared?)"
                log.write(f"[scout] note: {note}\n".encode())
            env = {**base_env, **pyenv.path_env(base_env)}
            argv = ["/bin/sh", "-c", job.recipe.command]
            if job.options.sandbox:
                argv = sandbox_argv(argv, [repo_dir.resolve(), job.run_dir.resolve()], run_cwd)
                env.setdefault("XDG_CACHE_HOME", str((job.run_dir / "cache").resolve()))
            log.write(f"[scout] $ {job.recipe.command}\n".encode())
            log.flush()
            start = log.tell()
            result = run_streaming(
                argv, cwd=run_cwd, env=env, log=log, timeout=job.timeout, on_line=on_line, cancel=cancel
            )
        except KeyboardInterrupt:
            return _record(
                job, "interrupted (Ctrl-C) while setting up the environment", device=slot.device, gpu=slot.gpu
            )
        except ScoutError as exc:
            log.write(f"[scout] {exc}\n".encode())
            return _record(job, str(exc), device=slot.device, gpu=slot.gpu)
    output = _read_tail(log_path, start)
    metrics, note = _metrics(job, output)
    outcome = _judge(result.exit_code, result.timed_out, result.interrupted, metrics, job, output, note)
    return _record(
        job,
        outcome.message,
        outcome.status,
        device=slot.device,
        gpu=slot.gpu,
        exit_code=result.exit_code,
        seconds=result.seconds,
        metrics={k: m.value for k, m in metrics.items()},
        metrics_raw={k: m.raw for k, m in metrics.items()},
        env={**describe(pyenv), "gpu": slot.gpu},
    )


def recipe_to_keep(job: Job, run: Run) -> Recipe | None:
    """After a successful run: the recipe to save so the next run repeats it exactly."""
    if run.status != "ok" or job.recipe is None:
        return None
    timeout = job.options.timeout if job.options.timeout is not None else job.recipe.timeout
    return replace(job.recipe, metric_patterns=job.metric_patterns, timeout=timeout)
