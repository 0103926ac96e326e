"""Scale-out through submitit: each repo's evaluation becomes a SLURM job that writes its
result.json into the run folder. Jobs are remembered in the store (pending_jobs), so they
outlive the CLI: `scout runs` records the ones that have finished since."""

from __future__ import annotations

import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

from scout.baseline.execute.devices import Slot, list_gpus
from scout.baseline.execute.evaluate import Job, execute
from scout.baseline.execute.layout import Layout
from scout.baseline.record import finish
from scout.clock import now_iso
from scout.errors import ConfigError, EvalError
from scout.ledger import read_result, record_run, write_result
from scout.models import Run

# SLURM states after which a job will never write its result.
_ENDED = {
    "FAILED",
    "CANCELLED",
    "TIMEOUT",
    "NODE_FAIL",
    "OUT_OF_MEMORY",
    "PREEMPTED",
    "BOOT_FAIL",
    "DEADLINE",
    "COMPLETED",
}
_JOB_FILE = "job.pkl"


@dataclass(frozen=True)
class SlurmOptions:
    cluster: str = "slurm"  # "local" runs the jobs as local processes, through submitit (for tests)
    partition: str | None = None
    gpus_per_job: int = 0
    time_min: int | None = None  # the SLURM time limit; default: the evaluation timeout plus setup room


def make_executor(folder: Path, options: SlurmOptions, timeout_s: float):
    import submitit

    if options.cluster not in ("slurm", "local"):
        raise ConfigError(f"unknown submitit cluster {options.cluster!r}; use slurm or local")
    try:
        executor = submitit.AutoExecutor(folder=folder, cluster=options.cluster)
    except RuntimeError as exc:  # no sbatch on PATH
        raise EvalError(
            f"cannot submit SLURM jobs here ({exc}); run on a SLURM login node or use --executor local"
        ) from exc
    params = {"timeout_min": options.time_min or int(timeout_s // 60) + 30, "name": "scout-baseline"}
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


def submit(store, jobs: list[Job], options: SlurmOptions, timeout_s: float, layout: Layout) -> list:
    """Submit one job per repo and remember each in the store; returns submitit's job handles."""
    folder = layout.cache_dir / "slurm"
    executor = make_executor(folder, options, timeout_s)
    handles = []
    for job in jobs:
        (job.run_dir / _JOB_FILE).write_bytes(pickle.dumps(job))
        handle = executor.submit(job_main, job, options.gpus_per_job)
        with store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO pending_jobs"
                " (run_id, job_id, executor, folder, run_dir, submitted_at) VALUES (?, ?, ?, ?, ?, ?)",
                (job.run_id, str(handle.job_id), options.cluster, str(folder), str(job.run_dir), now_iso()),
            )
        handles.append(handle)
    return handles


def _ended_without_result(row: dict) -> str | None:
    """Why a job that wrote no result.json is over, or None while it may still run."""
    from submitit.core.utils import JobPaths

    paths = JobPaths(row["folder"], job_id=row["job_id"], task_id=0)
    if paths.result_pickle.exists():
        return f"the job crashed outside the evaluation; see {paths.stderr}"
    if row["executor"] == "slurm":
        import submitit

        state = submitit.SlurmJob(row["folder"], row["job_id"]).state
        if state.split(" ")[0] in _ENDED:
            return f"SLURM job {row['job_id']} ended as {state} without a result; see {paths.stderr}"
    return None


def collect(store, layout: Layout) -> tuple[list[Run], int]:
    """Record the submitted jobs that have finished; returns them and how many are still running."""
    recorded, waiting = [], 0
    for row in store.query("SELECT * FROM pending_jobs ORDER BY run_id"):
        run_dir = Path(row["run_dir"])
        run = read_result(run_dir)
        job = pickle.loads((run_dir / _JOB_FILE).read_bytes()) if (run_dir / _JOB_FILE).is_file() else None
        if run is None:
            reason = _ended_without_result(row)
            if reason is None:
                waiting += 1
                continue
            run = Run(
                id=row["run_id"],
                repo=job.target.url if job else "?",
                started_at=row["submitted_at"],
                status="failed",
                message=reason,
                log=str(run_dir / "log.txt"),
            )
        recorded.append(finish(store, layout, job, run) if job else record_run(store, layout.runs, run))
        with store.transaction() as db:
            db.execute("DELETE FROM pending_jobs WHERE run_id = ?", (row["run_id"],))
    return recorded, waiting


def wait(store, layout: Layout, handles: list, poll_s: float = 1.0) -> list[Run]:
    """Block until the submitted jobs end, recording each as it does."""
    ids = {str(h.job_id) for h in handles}
    runs: list[Run] = []
    while True:
        runs += collect(store, layout)[0]
        pending = {r["job_id"] for r in store.query("SELECT job_id FROM pending_jobs")} & ids
        if not pending:
            return runs
        time.sleep(poll_s)
