"""`scout baseline` as a library call: pick and prepare each repo, ask once, run them (one per
device slot at a time, in parallel across GPUs, or as SLURM jobs) and record every outcome in the
ledger. `run_baseline` is the entry point; the rest are its steps."""

from __future__ import annotations

import queue
import shutil
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path

from scout.baseline.discover.plan import check_pick
from scout.baseline.execute import slurm
from scout.baseline.execute.clone import Target
from scout.baseline.execute.devices import Slot
from scout.baseline.execute.evaluate import Job, Options, execute, prepare, unfinished
from scout.baseline.execute.layout import Layout
from scout.baseline.execute.slurm import SlurmOptions
from scout.baseline.record import finish, finish_groups, seed_jobs
from scout.errors import ConfigError, Declined, EvalError, Interrupted
from scout.ledger import record_run
from scout.models import Run


def prepare_all(layout: Layout, targets: list[Target], options: Options) -> tuple[list[Job], list[Job]]:
    """Jobs ready to run, and the jobs that cannot start (no clone, no command, a placeholder with no
    value). Nothing is recorded yet: a declined confirmation leaves no trace in the ledger."""
    ready, failed = [], []
    for target in targets:
        job = prepare(target, layout, options)
        (failed if job.error else ready).append(job)
    return ready, failed


def unsure_message(plans) -> str:
    """One line: which plans are not sure, and how to choose for them."""
    names = ", ".join(
        f"{plan.repo} (confidence {plan.confidence:.2f})" if plan.confidence is not None else plan.repo
        for plan in plans
    )
    return (
        f"not sure which command is the evaluation of {names}; nothing was run: pass --pick N "
        "(a candidate's number in the plan) or --cmd COMMAND"
    )


def _repick(
    layout: Layout, options: Options, jobs: list[Job], blocked: list[Job], picks: Mapping[str, int]
) -> tuple[list[Job], list[Job]]:
    """The jobs again, those in `picks` planned anew with the candidate the user chose."""
    ready = []
    for job in jobs:
        if job.run_id not in picks:
            ready.append(job)
            continue
        discard([job])
        again = prepare(job.target, layout, replace(options, pick=picks[job.run_id], cmd=None))
        (blocked if again.error else ready).append(again)
    return ready, blocked


def discard(jobs: list[Job]) -> None:
    """Forget jobs the user declined."""
    for job in jobs:
        shutil.rmtree(job.run_dir, ignore_errors=True)


def run_local(
    store,
    layout: Layout,
    jobs: list[Job],
    slots: list[Slot],
    on_line: Callable[[Job, str], None] | None = None,
    on_done: Callable[[Run], None] | None = None,
) -> list[Run]:
    """Run the jobs, at most one per slot at a time, and record each as it finishes. On Ctrl-C every
    running process group is stopped, the interrupted runs are recorded, and Interrupted is raised."""
    free: queue.Queue[Slot] = queue.Queue()
    for slot in slots:
        free.put(slot)
    cancel = threading.Event()

    def work(job: Job) -> Run:
        if cancel.is_set():
            return execute(replace(job, error="interrupted (Ctrl-C) before it started"))
        slot = free.get()
        try:
            record_run(store, layout.runs, unfinished(job, slot))
            return execute(job, slot, on_line=(lambda line: on_line(job, line)) if on_line else None, cancel=cancel)
        finally:
            free.put(slot)

    runs: list[Run] = []
    jobs_by_id = {job.run_id: job for job in jobs}
    with ThreadPoolExecutor(max_workers=len(slots), thread_name_prefix="scout-run") as pool:
        futures = [pool.submit(work, job) for job in jobs]
        try:
            for future in _completing(futures):
                runs.append(_done(store, layout, jobs_by_id, future.result(), on_done))
        except KeyboardInterrupt:
            cancel.set()
            for future in futures:
                run = future.result()  # each stops within a poll interval once cancel is set
                if run.id not in {r.id for r in runs}:
                    runs.append(_done(store, layout, jobs_by_id, run, on_done))
            raise Interrupted(runs) from None
    return runs


def _completing(futures: list[Future], poll_s: float = 0.5):
    """as_completed, waking every poll_s. The kernel may hand a Ctrl-C (or SIGTERM) to any thread,
    one reading a run's output say; Python raises it in the main thread only when that thread next
    runs, and a main thread waiting without a timeout would wait for the whole run."""
    pending = list(futures)
    while pending:
        done, _ = wait(pending, timeout=poll_s, return_when=FIRST_COMPLETED)
        for future in [f for f in pending if f in done]:
            pending.remove(future)
            yield future


def _done(store, layout: Layout, jobs_by_id: dict[str, Job], run: Run, on_done) -> Run:
    run = finish(store, layout, jobs_by_id[run.id], run)
    if on_done:
        on_done(run)
    return run


@dataclass(frozen=True)
class BaselineRequest:
    """What `scout baseline` was asked: the repos (else the top of the latest search), how to run them."""

    repos: tuple[str, ...] = ()
    from_sota: bool = False  # also the top rows with code of the latest `scout sota` leaderboard
    top: int = 3
    options: Options = Options()
    device: str = "auto"
    executor: str = "local"  # or "slurm"
    slurm: SlurmOptions = SlurmOptions()
    wait: bool = True  # for SLURM: wait for the jobs, else `scout runs` collects them later
    seeds: tuple[int, ...] = ()  # --seeds: run each evaluation once per seed, as one group


@dataclass(frozen=True)
class BaselineReport:
    runs: list[Run]  # every run recorded, failed preparations first
    runs_dir: Path
    submitted: tuple[str, ...] = ()  # SLURM job ids
    interrupted: bool = False  # Ctrl-C: the runs so far are recorded, no process is left running

    groups: tuple[dict, ...] = ()  # the seed groups (`--seeds N`) with their aggregates and verdicts

    @property
    def awaiting_jobs(self) -> bool:
        return bool(self.submitted) and not self.runs

    @property
    def any_ok(self) -> bool:
        return any(run.status == "ok" for run in self.runs)


@dataclass(frozen=True)
class BaselineHooks:
    """How the caller takes part: approve the prepared jobs, and hear about progress."""

    # (ready jobs, jobs that cannot start) -> run them? True runs every job as planned; a mapping
    # {run_id: N} runs them with the N-th candidate (1-based) for those jobs, and must name every
    # job whose plan is not sure (job.plan.needs_choice); False declines.
    confirm: Callable[[list[Job], list[Job]], bool | Mapping[str, int]]
    on_prepare_failed: Callable[[Run], None] = lambda run: None
    on_line: Callable[[Job, str], None] | None = None
    on_done: Callable[[Run], None] | None = None
    on_submitted: Callable[[list[str]], None] = lambda job_ids: None


def run_baseline(request: BaselineRequest, session, hooks: BaselineHooks) -> BaselineReport:
    """Evaluate the repos and record each outcome in the ledger. Raises EvalError when the user
    declines; a repo's own failure is a recorded run, never an exception."""
    from scout.baseline.execute.clone import targets_for
    from scout.baseline.execute.devices import list_gpus, plan_slots
    from scout.config import parse_device

    store = session.store
    layout = Layout(session.settings.cache_dir)
    kind, _ = parse_device(request.device)
    targets = targets_for(request.repos, request.from_sota, request.top, store)
    local = request.executor == "local"
    if not local:  # before anything is cloned: no SLURM, an unknown partition, too many GPUs, too long
        slurm.check(request.slurm)
    slots = plan_slots(request.device, list_gpus(sys.executable if kind == "cuda" else None)) if local else []
    options = replace(request.options, has_gpu=any(slot.device == "cuda" for slot in slots))
    check_pick(options.pick, options.cmd, len(targets))
    jobs, blocked = prepare_all(layout, targets, options)
    try:
        if jobs and not local:  # the time limit the evaluations' timeouts ask for
            slurm.check(request.slurm, max(job.timeout for job in jobs))
        answer = hooks.confirm(jobs, blocked) if jobs else True
        if answer is False:
            raise Declined("cancelled; nothing was run and nothing was recorded")
        picks = dict(answer) if isinstance(answer, Mapping) else {}
        unsure = [job for job in jobs if job.plan is not None and job.plan.needs_choice and job.run_id not in picks]
        if unsure:
            raise Declined(unsure_message([job.plan for job in unsure]))
        if picks:
            jobs, blocked = _repick(layout, options, jobs, blocked, picks)
    except (EvalError, ConfigError):
        discard(jobs + blocked)  # their run folders are still empty
        raise
    runs = []
    for job in blocked:
        run = finish(store, layout, job, execute(job))
        hooks.on_prepare_failed(run)
        runs.append(run)
    if not jobs:
        return BaselineReport(runs, layout.runs)
    if request.seeds:
        jobs = seed_jobs(store, layout, jobs, list(request.seeds))
    if not local:
        return _run_on_slurm(store, layout, request, jobs, runs, hooks)
    try:
        runs += run_local(store, layout, jobs, slots, hooks.on_line, hooks.on_done)
    except Interrupted as stop:
        return BaselineReport(
            runs + stop.runs, layout.runs, interrupted=True, groups=tuple(finish_groups(store, stop.runs))
        )
    return BaselineReport(runs, layout.runs, groups=tuple(finish_groups(store, runs)))


def _run_on_slurm(store, layout: Layout, request: BaselineRequest, jobs: list[Job], runs: list[Run], hooks):
    """Submit the jobs as one array; wait for them unless asked not to, recording each as it ends and
    each seed group's aggregate when its last job does."""
    job_ids = tuple(slurm.submit(store, jobs, request.slurm, max(job.timeout for job in jobs), layout))
    hooks.on_submitted(list(job_ids))
    if not request.wait:
        return BaselineReport(runs, layout.runs, submitted=job_ids)
    try:
        finished = slurm.wait(store, layout, list(job_ids), hooks.on_done)
    except Interrupted as stop:  # the jobs go on: `scout runs` collects them
        groups = tuple(finish_groups(store, slurm.settled(store, stop.runs)))
        return BaselineReport(runs + stop.runs, layout.runs, submitted=job_ids, interrupted=True, groups=groups)
    return BaselineReport(runs + finished, layout.runs, submitted=job_ids, groups=tuple(finish_groups(store, finished)))


def cancel_jobs(session, ident: str) -> list[str]:
    """scancel the SLURM jobs `ident` names (slurm.cancel) and record them once the scheduler says
    they have ended; returns their job ids."""
    layout = Layout(session.settings.cache_dir)
    job_ids = slurm.cancel(session.store, layout, ident)
    finished = slurm.wait(session.store, layout, job_ids)
    finish_groups(session.store, slurm.settled(session.store, finished))
    return job_ids


def ledger_runs(session) -> tuple[list[Run], int]:
    """Every run in the ledger, once the SLURM jobs that finished since are recorded; and how many
    jobs are still running."""
    from scout.ledger import list_runs

    collected, waiting = slurm.collect(session.store, Layout(session.settings.cache_dir))
    finish_groups(session.store, slurm.settled(session.store, collected))
    return list_runs(session.store), waiting
