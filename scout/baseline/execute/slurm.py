"""Scale-out through submitit: every evaluation (K repos × S seeds) becomes one task of a single
SLURM job array and writes its result.json into its run folder. Jobs are remembered in the store
(pending_jobs), so they outlive the CLI: `scout runs` records the ones that have ended since.

Whether a job has ended is the scheduler's word (scout.baseline.execute.scheduler), never the
appearance of a file: a job cancelled, timed out, out of memory or on a failed node writes nothing,
and submitit's own job.result() waits for ever for it on a cluster without accounting."""

from __future__ import annotations

import logging
import os
import pickle
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from scout.baseline.execute import scheduler
from scout.baseline.execute.devices import Slot, list_gpus
from scout.baseline.execute.evaluate import Job, execute, stopped_outside
from scout.baseline.execute.layout import Layout
from scout.baseline.record import finish
from scout.clock import now_iso
from scout.errors import ConfigError, EvalError, Interrupted
from scout.ledger import read_result, record_run, write_result
from scout.models import Run

_JOB_FILE = "job.pkl"
# How long a wait goes on when the controller does not answer: the jobs stay submitted.
_UNREACHABLE_S = 30.0


@dataclass(frozen=True)
class SlurmOptions:
    cluster: str = "slurm"  # "local" runs the jobs as local processes, through submitit (for tests)
    partition: str | None = None
    gpus_per_job: int = 0
    time_min: int | None = None  # the SLURM time limit; default: the evaluation timeout plus setup room


def time_limit(options: SlurmOptions, timeout_s: float) -> int:
    return options.time_min or int(timeout_s // 60) + 30


def check(options: SlurmOptions, timeout_s: float | None = None) -> None:
    """Refuse before submitting what the cluster would reject (scheduler.check); the time limit is
    checked once it is known: given by --time, or from the evaluations' timeout."""
    if options.cluster == "local":
        return
    limit = options.time_min if timeout_s is None else time_limit(options, timeout_s)
    scheduler.check(options.partition, options.gpus_per_job, limit)


def _quiet_submitit():
    """submitit, with its INFO lines (which it prints on stdout) silenced: stdout is for --json.
    Its warnings still go to stderr."""
    import submitit

    log = logging.getLogger("submitit")
    log.handlers = [handler for handler in log.handlers if handler.level >= logging.WARNING]
    return submitit


def make_executor(folder: Path, options: SlurmOptions, timeout_s: float):
    submitit = _quiet_submitit()
    if options.cluster not in ("slurm", "local"):
        raise ConfigError(f"unknown submitit cluster {options.cluster!r}; use slurm or local")
    try:
        executor = submitit.AutoExecutor(folder=folder, cluster=options.cluster)
    except RuntimeError as exc:  # no sbatch on PATH
        raise EvalError(
            f"cannot submit SLURM jobs here ({exc}); run on a SLURM login node or use --executor local"
        ) from exc
    params = {
        "timeout_min": time_limit(options, timeout_s),
        "name": "scout-baseline",
        # submitit asks SLURM for USR2 on every process 90 s before the time limit, so that a
        # checkpointable job can requeue itself. An evaluation is not one: USR2 would kill it early and
        # end the job as FAILED, not TIMEOUT. The batch shell gets URG instead, which it ignores.
        "slurm_additional_parameters": {"signal": "B:URG@1"},
    }
    if options.gpus_per_job:
        params["gpus_per_node"] = options.gpus_per_job
    if options.partition:
        params["slurm_partition"] = options.partition
    executor.update_parameters(**params)
    return executor


def job_main(job: Job, gpus_per_job: int) -> dict:
    """Runs on the compute node: evaluate, and leave the result beside the log."""
    slot = Slot("cpu", "", None)
    if gpus_per_job:
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
        gpus = list_gpus()
        names = [g.name for g in gpus if str(g.index) in visible.split(",")] or [g.name for g in gpus]
        slot = Slot("cuda", None, names[0] if names else None)  # SLURM already set CUDA_VISIBLE_DEVICES
    run = execute(job, slot)
    write_result(job.run_dir, run)
    return run.to_json()


def submit(store, jobs: list[Job], options: SlurmOptions, timeout_s: float, layout: Layout) -> list[str]:
    """Submit every job as one job array and remember each task in the store; returns the job ids
    (12_0, 12_1, ...; a single job is plain 12)."""
    folder = layout.cache_dir / "slurm"
    executor = make_executor(folder, options, timeout_s)
    for job in jobs:
        (job.run_dir / _JOB_FILE).write_bytes(pickle.dumps(job))
    with executor.batch():
        handles = [executor.submit(job_main, job, options.gpus_per_job) for job in jobs]
    job_ids = [str(handle.job_id) for handle in handles]
    with store.transaction() as db:
        db.executemany(
            "INSERT OR REPLACE INTO pending_jobs"
            " (run_id, job_id, executor, folder, run_dir, submitted_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (job.run_id, job_id, options.cluster, str(folder), str(job.run_dir), now_iso())
                for job, job_id in zip(jobs, job_ids)
            ],
        )
    return job_ids


def _paths(row: dict):
    from submitit.core.utils import JobPaths

    return JobPaths(row["folder"], job_id=row["job_id"], task_id=0)


def _how_it_ended(row: dict, state: scheduler.JobState | None) -> tuple[str, str]:
    """(status, message) for a job the scheduler ended, in the scheduler's words."""
    job = f"SLURM job {row['job_id']}"
    see = f"see {_paths(row).stderr}"
    if state is None:
        return "failed", f"{job} ended and the scheduler no longer knows how (no accounting), with no result; {see}"
    if state.state == "CANCELLED":
        return "cancelled", f"{job} was cancelled (scancel, or the cluster's administrator)"
    if state.state == "TIMEOUT":
        return "timeout", f"{job} reached its SLURM time limit and the scheduler stopped it; raise --time"
    if state.state == "OUT_OF_MEMORY":
        return "failed", f"{job} ran out of memory and the scheduler killed it; {see}"
    if state.state == "NODE_FAIL":
        return "failed", f"{job} ended because its node failed; run it again"
    # A signal ends the batch script itself, or (as srun reports it) its step with status 128 + n.
    killed = state.signal or (state.exit_code - 128 if state.exit_code and 128 < state.exit_code < 160 else None)
    if killed:
        name = signal.Signals(killed).name if killed in set(signal.Signals) else "a signal"
        why = " (the kernel's out-of-memory killer, or someone, killed it)" if killed == signal.SIGKILL else ""
        return "failed", f"{job} ended as {state.state}: its process was killed by {name} ({killed}){why}; {see}"
    if state.state == "COMPLETED":
        return "failed", f"{job} completed without writing a result; {see}"
    code = f" with exit status {state.exit_code}" if state.exit_code else ""
    return "failed", f"{job} ended as {state.state}{code} without a result; {see}"


def _record(store, layout: Layout, row: dict, state: scheduler.JobState | None, local: bool) -> Run | None:
    """The run of an ended job, recorded; None while the job may still run."""
    run_dir = Path(row["run_dir"])
    result = read_result(run_dir)
    if local:  # submitit's local processes: no scheduler to ask, the result files say it all
        if result is None and not _paths(row).result_pickle.exists():
            return None
        state = scheduler.JobState(row["job_id"], "COMPLETED")
    elif state is not None and not state.ended:
        return None
    job_file = run_dir / _JOB_FILE
    job = pickle.loads(job_file.read_bytes()) if job_file.is_file() else None
    if result is not None and (state is None or state.state in ("COMPLETED", "FAILED")):
        run = result  # the evaluation ended on its own, whatever happened to the job afterwards
    else:
        # The scheduler's reason wins over what the evaluation saw (a scancel is "cancelled", not
        # "exited with status 143"); the metrics it printed before then are kept.
        status, message = _how_it_ended(row, state)
        if result is not None:
            run = replace(result, status=status, message=message)
        elif job is not None:
            run = stopped_outside(job, status, message)
        else:
            run = Run(row["run_id"], "?", row["submitted_at"], status, message=message, log=str(run_dir / "log.txt"))
    run = replace(run, env={**run.env, "slurm_job": row["job_id"]})  # where it ran, for sacct or the logs
    recorded = finish(store, layout, job, run) if job else record_run(store, layout.runs, run)
    with store.transaction() as db:
        db.execute("DELETE FROM pending_jobs WHERE run_id = ?", (row["run_id"],))
    return recorded


def _rows(store, job_ids: set[str] | None = None) -> list[dict]:
    rows = [dict(row) for row in store.query("SELECT * FROM pending_jobs ORDER BY run_id")]
    return [row for row in rows if job_ids is None or row["job_id"] in job_ids]


def _poll(store, layout: Layout, rows: list[dict], on_done: Callable[[Run], None] | None = None) -> list[Run]:
    """Record the jobs among `rows` that have ended; EvalError when the scheduler cannot be asked."""
    states = scheduler.job_states([row["job_id"] for row in rows if row["executor"] == "slurm"])
    recorded = []
    for row in rows:
        run = _record(store, layout, row, states.get(row["job_id"]), row["executor"] == "local")
        if run is not None:
            recorded.append(run)
            if on_done:
                on_done(run)
    return recorded


def collect(store, layout: Layout) -> tuple[list[Run], int]:
    """Record the submitted jobs that have ended; returns them and how many may still run (all of
    them, when the scheduler does not answer)."""
    rows = _rows(store)
    try:
        recorded = _poll(store, layout, rows)
    except EvalError:
        return [], len(rows)
    return recorded, len(rows) - len(recorded)


def settled(store, runs: list[Run]) -> list[Run]:
    """The runs whose seed group has no job left to end: only then is its aggregate the whole group's."""
    open_groups = set()
    for row in _rows(store):
        job_file = Path(row["run_dir"]) / _JOB_FILE
        if job_file.is_file():
            open_groups.add(pickle.loads(job_file.read_bytes()).options.group)
    return [run for run in runs if run.group not in open_groups]


def wait(
    store,
    layout: Layout,
    job_ids: list[str],
    on_done: Callable[[Run], None] | None = None,
    poll_s: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
) -> list[Run]:
    """Block until the jobs end, recording each as it does. Ctrl-C stops the waiting, not the jobs:
    Interrupted carries what was recorded so far."""
    wanted = set(job_ids)
    runs: list[Run] = []
    unanswered_since = None
    try:
        while True:
            rows = _rows(store, wanted)
            if not rows:
                return runs
            try:
                runs += _poll(store, layout, rows, on_done)
                unanswered_since = None
            except EvalError as exc:
                unanswered_since = unanswered_since or clock()
                if clock() - unanswered_since > _UNREACHABLE_S:
                    raise EvalError(
                        f"{exc}; stopped waiting, the jobs stay submitted: `scout runs` records them once they end"
                    ) from None
            if len(runs) < len(job_ids):
                time.sleep(poll_s)
    except KeyboardInterrupt:
        raise Interrupted(runs) from None


def cancel(store, layout: Layout, ident: str) -> list[str]:
    """scancel the pending jobs that `ident` names (a run id, a job id such as 12_3, or an array's id
    12 for all its tasks); returns their job ids. The runs are recorded as cancelled by the next poll."""
    rows = [
        row for row in _rows(store) if ident in (row["run_id"], row["job_id"]) or row["job_id"].split("_")[0] == ident
    ]
    if not rows:
        raise ConfigError(f"no SLURM job waiting to be collected is named {ident!r}; `scout runs --json` lists runs")
    local = [row["job_id"] for row in rows if row["executor"] != "slurm"]
    if local:
        raise ConfigError(f"job(s) {', '.join(local)} ran through submitit's local executor; they cannot be cancelled")
    job_ids = [row["job_id"] for row in rows]
    scheduler.cancel(job_ids)
    return job_ids
