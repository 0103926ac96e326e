"""One baseline evaluation, from a repo URL to a Run: clone and find the command (prepare), then
set up the env, run it safely and read its metrics (execute). `execute` touches no store, so a
SLURM job can run it on another machine; the caller records the Run in the ledger."""

from __future__ import annotations

import math
import os
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from scout.baseline.discover.installs import plan_installs
from scout.baseline.discover.recipes import Recipe, from_the_repo
from scout.baseline.execute import process
from scout.baseline.execute.clone import Checkout, Target, slug
from scout.baseline.execute.devices import CPU, Slot
from scout.baseline.execute.diagnose import diagnose
from scout.baseline.execute.envs import current_env, describe, missing_imports, planned_steps, prepare_env, run_setup
from scout.baseline.execute.layout import Layout
from scout.baseline.execute.process import ProcessResult, run_streaming
from scout.baseline.execute.sandbox import Confinement, child_env
from scout.baseline.execute.terminal import terminal_env
from scout.baseline.measure.assess import Assessment, assess
from scout.baseline.measure.logmetrics import Metric, Reading, parse_metrics_json, read_output
from scout.clock import now_iso
from scout.dirs import shared_cache_dir
from scout.errors import EvalError, ScoutError, TreeError, UsageError
from scout.files import read_nofollow
from scout.gitsafe import export_commit
from scout.ledger import allocate_run_dir
from scout.models import Run

_METRICS_FILE_BYTES = 10 * 1024 * 1024
# A run may write this much into its own folders (its copy, out/, home/ and the log) before it is
# stopped, and is stopped sooner when the disk under them gets this close to full.
DISK_BUDGET_BYTES = 50 * 1024**3
MIN_FREE_BYTES = 1024**3
_MAX_WALK = 200_000


@dataclass(frozen=True)
class Options:
    cmd: str | None = None
    pick: int | None = None  # --pick N: run the plan's N-th candidate (1-based)
    timeout: float | None = None  # --timeout; else the recipe's; else default_timeout
    default_timeout: float = 3600.0
    env_mode: str = "venv"  # "venv" or "current"
    sandbox: bool = False
    pass_env: tuple[str, ...] = ()
    metric_patterns: tuple[str, ...] = ()
    seed: int = 0
    group: str | None = None  # the seed group (`--seeds N`) this run belongs to
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
    plan: object | None = None  # the scout.baseline.discover.plan.Plan shown on the confirm screen

    @property
    def slug(self) -> str:
        return slug(self.target.url)

    @property
    def timeout(self) -> float:
        if self.options.timeout is not None:
            return self.options.timeout
        own = self.recipe.timeout if self.recipe else None
        if own is None or not math.isfinite(own) or own <= 0:
            return self.options.default_timeout
        if from_the_repo(self.recipe):  # the repo's own wish never lifts the user's limit
            return min(own, self.options.default_timeout)
        return own

    @property
    def work_dir(self) -> Path:
        """A fresh copy of the pinned commit, without .git: all the evaluation may change."""
        return self.run_dir / "work"

    @property
    def out_dir(self) -> Path:
        """SCOUT_RUN_DIR: where the evaluation may leave files for the user."""
        return self.run_dir / "out"

    @property
    def home_dir(self) -> Path:
        return self.run_dir / "home"

    @property
    def env_dir(self) -> Path:
        return self.layout.envs / self.slug

    def setup_steps(self) -> list[str]:
        """What runs before the command: env creation, installs and the recipe's setup steps."""
        if self.checkout is None or self.recipe is None:
            return []
        installs = getattr(self.plan, "installs", None)
        return planned_steps(self.env_dir, installs, self.recipe.setup, self.options.env_mode, self.options.sandbox)

    @property
    def metric_patterns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.recipe.metric_patterns if self.recipe else ()) + self.options.metric_patterns))


def prepare(target: Target, layout: Layout, options: Options) -> Job:
    """Allocate the run, clone the repo and plan it. Failures (no clone, no command, a placeholder
    with no value) are kept in Job.error."""
    from scout.baseline.discover.plan import plan_with

    run_id, run_dir = allocate_run_dir(layout.runs)
    job = Job(run_id, run_dir, now_iso(), target, options, layout)
    try:
        plan = plan_with(target, layout.repos, layout.recipes, options, options.has_gpu)
    except UsageError:
        shutil.rmtree(run_dir, ignore_errors=True)
        raise
    except ScoutError as exc:
        return replace(job, error=str(exc))
    job = replace(job, checkout=plan.checkout, recipe=plan.recipe, plan=plan)
    if plan.error:
        return replace(job, error=plan.error)
    if plan.recipe is None:
        hint = "--pick N to run one of its candidates anyway, or " if plan.candidates else ""
        found = f"no evaluation command found ({plan.source})"
        return replace(job, error=f"{found}; pass {hint}--cmd 'python your_eval.py ...'")
    if plan.needs_choice:
        return job  # the person who picks among the top candidates is told what each one needs
    unsafe = [need.detail for need in plan.unmet if need.kind == "unsafe"]
    if unsafe:
        return replace(job, error=f"not started: {'; '.join(unsafe)}")
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
        group=job.options.group,
        log=str(job.run_dir / "log.txt"),
        message=message,
        clone_path=str(job.checkout.path) if job.checkout else None,
        **changes,
    )


def unfinished(job: Job, slot: Slot) -> Run:
    """What the ledger holds while the run goes: if scout dies without a word (SIGKILL, a crash),
    the run is still there, marked as failed; the finished run replaces it."""
    message = "did not finish: scout was stopped (SIGKILL or a crash) while running it, or still is"
    return _record(job, message, device=slot.device, gpu=slot.gpu)


def stopped_outside(job: Job, status: str, message: str) -> Run:
    """A run stopped before it could say anything itself (a SLURM job the scheduler ended)."""
    return _record(job, message, status)


def _read_tail(handle, start: int) -> str:
    # Metrics are read from the last part of the output, which the log keeps past its cap.
    handle.seek(max(start, handle.seek(0, os.SEEK_END) - process.TAIL_BYTES))
    return handle.read().decode("utf-8", errors="replace")


def _assess(job: Job, metrics: dict[str, Metric], reading: Reading) -> Assessment:
    """The headline, the claim it answers and the flags (scout.baseline.measure)."""
    from scout.baseline.discover.docs import find_docs
    from scout.baseline.measure.claims import readme_claims, results_as_image

    docs = find_docs(job.checkout.path) if job.checkout else []
    nonfinite = tuple(name for name, metric in metrics.items() if not math.isfinite(metric.value))
    conflicts = reading.conflicts + _disagree(reading, metrics)
    merged = Reading(metrics, reading.observations, nonfinite, conflicts, reading.notes)
    claims = readme_claims(docs)
    return assess(
        merged,
        claims,
        job.recipe.command if job.recipe else None,
        "\n".join(doc.text for doc in docs),
        job.checkout.path if job.checkout else None,
        job.target.url,
        None if claims else results_as_image(docs),
    )


def _disagree(reading: Reading, metrics: dict[str, Metric]) -> tuple[str, ...]:
    """A metric the metrics file gives another value than the output printed (the file's is kept)."""
    notes = []
    for name, printed in reading.metrics.items():
        kept = metrics.get(name)
        if kept is not None and kept is not printed and kept.value != printed.value:
            notes.append(f"{name} is {printed.raw} in the output and {kept.raw} in the metrics file")
    return tuple(notes)


def _used(folder: Path) -> int:
    """Bytes the files under `folder` take on disk (links not followed; bounded walk)."""
    total, seen, stack = 0, 0, [folder]
    while stack and seen < _MAX_WALK:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    total += entry.stat(follow_symlinks=False).st_blocks * 512
            except OSError:
                continue
    return total


def disk_guard(job: Job) -> Callable[[], str | None]:
    """What stops a run that fills the disk: its folders past DISK_BUDGET_BYTES, or the disk under
    them down to MIN_FREE_BYTES free."""

    def check() -> str | None:
        free = shutil.disk_usage(job.run_dir).free
        if free < MIN_FREE_BYTES:
            return f"the disk under {job.run_dir} has only {free / 1024**2:.0f} MB free"
        used = _used(job.run_dir)
        if used > DISK_BUDGET_BYTES:
            budget = DISK_BUDGET_BYTES / 1024**2
            return f"the run wrote {used / 1024**2:.0f} MB, past its disk budget of {budget:.0f} MB"
        return None

    return check


def _metrics(job: Job, output: str) -> tuple[dict[str, Metric], Reading, str | None]:
    reading = read_output(output, job.metric_patterns)
    metrics = dict(reading.metrics)
    if job.recipe and job.recipe.metrics_file:
        name = job.recipe.metrics_file
        parts = Path(name).parts
        if Path(name).is_absolute() or ".." in parts or not parts:
            return metrics, reading, f"the recipe's metrics file {name!r} is not a path inside the repo"
        try:
            text = read_nofollow(job.work_dir / name, _METRICS_FILE_BYTES).decode("utf-8", errors="replace")
        except FileNotFoundError:
            return metrics, reading, f"the recipe's metrics file {name} was not written"
        except OSError as exc:
            return metrics, reading, f"the recipe's metrics file {name} was not read: {exc}"
        try:
            metrics = {**metrics, **parse_metrics_json(text)}
        except ScoutError as exc:
            return metrics, reading, str(exc)
        except RecursionError:
            return metrics, reading, f"the recipe's metrics file {name} is nested too deeply to read"
    return metrics, reading, None


@dataclass(frozen=True)
class _Outcome:
    status: str
    message: str | None


def _judge(
    result: ProcessResult,
    metrics: dict,
    job: Job,
    output: str,
    metrics_note: str | None,
) -> _Outcome:
    exit_code, timed_out = result.exit_code, result.timed_out
    if result.interrupted:
        return _Outcome("failed", "interrupted (Ctrl-C); the whole process group was stopped")
    if result.stopped:
        return _Outcome("failed", f"stopped: {result.stopped}; the metrics are the last it printed before then")
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


def confinement(job: Job, slot: Slot, environ: Mapping[str, str]) -> Confinement:
    """The evaluation's environment and jail: only its own copy, out and HOME folders writable;
    scout's cache (the store, other runs, the clones) and working directory hidden."""
    env = child_env(
        environ,
        job.home_dir,
        job.options.pass_env,
        MPLBACKEND="Agg",
        PYTHONUNBUFFERED="1",
        SCOUT_SEED=str(job.options.seed),
        PYTHONHASHSEED=str(job.options.seed),
        SCOUT_RUN_DIR=str(job.out_dir.resolve()),
        SCOUT_RUN_ID=job.run_id,
        **slot.env(),
    )
    # No terminal: scripts that ask for its size (`stty size`, os.get_terminal_size) get one; the
    # shims go in the run's fresh HOME, which the jail shows.
    env.update(terminal_env(job.home_dir, env))
    return Confinement(
        env=env,
        sandbox=job.options.sandbox,
        writable=(job.work_dir.resolve(), job.out_dir.resolve(), job.home_dir.resolve()),
        readable=(job.env_dir.resolve(),),
        # The user's shared cache too (models, HTTP answers), wherever XDG_CACHE_HOME puts it.
        hidden=(job.layout.cache_dir.resolve(), Path.cwd().resolve(), shared_cache_dir().resolve()),
    )


def _fresh_copy(job: Job) -> list[str]:
    """The pinned commit, written anew for this run: nothing an earlier run changed or planted in
    the clone (a requirements.txt, a .git hook) reaches it."""
    try:
        job.work_dir.mkdir()
        return export_commit(job.checkout.path, job.checkout.commit, job.work_dir)
    except TreeError as exc:
        raise EvalError(f"{job.target.url}: {exc}; scout does not run it") from None
    except (OSError, ValueError) as exc:
        raise EvalError(f"cannot copy commit {job.checkout.commit[:12]} of {job.target.url}: {exc}") from None


def _open_log(path: Path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o644)
    return os.fdopen(fd, "a+b")


def execute(
    job: Job,
    slot: Slot = CPU,
    *,
    on_line: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    environ: Mapping[str, str] | None = None,
) -> Run:
    """Set up the env, run the command on a fresh copy of the commit and read its metrics. Every
    outcome is a Run; nothing is raised for the repo's own failures."""
    if job.error or job.recipe is None or job.checkout is None:
        return _record(job, job.error or "not prepared", device=slot.device, gpu=slot.gpu)
    job.run_dir.mkdir(parents=True, exist_ok=True)
    jail = confinement(job, slot, os.environ if environ is None else environ)
    work = job.work_dir
    run_cwd = work / job.recipe.cwd
    with _open_log(job.run_dir / "log.txt") as log:
        log.write(
            f"[scout] run {job.run_id}: {job.target.url} @ {job.checkout.commit}\n"
            f"[scout] command ({job.recipe.source}): {job.recipe.command}\n".encode()
        )
        log.flush()
        try:
            for note in _fresh_copy(job):
                log.write(f"[scout] note: {note}\n".encode())
            jail.prepare()
            if job.options.env_mode == "current":
                pyenv = current_env()
                run_setup(job.recipe.setup, pyenv, repo_dir=work, jail=jail, log=log, cancel=cancel)
            else:
                installs = getattr(job.plan, "installs", None) or plan_installs(work, job.recipe.cwd, "", None)
                pyenv = prepare_env(
                    work, job.env_dir, job.recipe.setup, installs=installs, jail=jail, log=log, cancel=cancel
                )
            missing = missing_imports(work, pyenv, jail)
            if missing:
                note = f"the code imports {', '.join(missing)}, which this environment lacks (undeclared?)"
                log.write(f"[scout] note: {note}\n".encode())
            run_jail = jail.with_(env={**jail.env, **pyenv.path_env(jail.env)})
            run_jail.prepare()  # the installs ran as the sandbox's uid too; the copy is its own again
            argv = run_jail.argv(["/bin/sh", "-c", job.recipe.command], run_cwd)
            log.write(f"[scout] $ {job.recipe.command}\n".encode())
            log.flush()
            start = log.tell()
            result = run_streaming(
                argv,
                cwd=run_cwd,
                env=run_jail.env,
                log=log,
                timeout=job.timeout,
                on_line=on_line,
                cancel=cancel,
                guard=disk_guard(job),
            )
        except KeyboardInterrupt:
            return _record(
                job, "interrupted (Ctrl-C) while setting up the environment", device=slot.device, gpu=slot.gpu
            )
        except ScoutError as exc:
            log.write(f"[scout] {exc}\n".encode())
            return _record(job, str(exc), device=slot.device, gpu=slot.gpu)
        output = _read_tail(log, start)
    metrics, reading, note = _metrics(job, output)
    finite = {k: m for k, m in metrics.items() if math.isfinite(m.value)}
    outcome = _judge(result, finite, job, output, note)
    found = _assess(job, metrics, reading)
    if found.headline and found.headline["name"] in finite:  # the headline first, as `scout runs` shows it
        finite = {found.headline["name"]: finite[found.headline["name"]], **finite}
    message = outcome.message
    if outcome.status == "no-metrics" and reading.nonfinite:
        message = f"the command printed only non-finite values ({', '.join(reading.nonfinite)}: nan or inf)"
    if outcome.status in ("ok", "timeout") and found.note:
        message = f"{message}; {found.note}" if message else found.note
    return _record(
        job,
        message,
        outcome.status,
        device=slot.device,
        gpu=slot.gpu,
        exit_code=result.exit_code,
        seconds=result.seconds,
        metrics={k: m.value for k, m in finite.items()},
        metrics_raw={k: m.raw for k, m in finite.items()},
        env={**describe(pyenv, jail, work), "gpu": slot.gpu},
        headline=found.headline,
        claim=found.claim,
        claims=found.claims,
        flags=found.flags,
        lines={k: m.line for k, m in finite.items() if m.line},
        verdict_reason=found.note,
    )


def recipe_to_keep(job: Job, run: Run) -> Recipe | None:
    """After a successful run: the recipe to save so the next run repeats it exactly."""
    if run.status != "ok" or job.recipe is None:
        return None
    timeout = job.options.timeout if job.options.timeout is not None else job.recipe.timeout
    return replace(job.recipe, metric_patterns=job.metric_patterns, timeout=timeout)
