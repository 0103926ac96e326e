"""`scout baseline --executor slurm` against a real scheduler: jobs submitted to the single-node
cluster of scripts/slurm-single-node (what .ci/run starts), and the parsers of what SLURM prints.

The real-job tests synchronise on the job's state as squeue reports it and on the run's log, never
on durations; "within 30 s" is the bound the issue sets on noticing that a job died."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from scout.baseline.execute import scheduler
from scout.baseline.execute.slurm import _how_it_ended
from scout.cli import app
from tests.cli_helpers import documented, ledger
from tests.sync import GUARD_S, log_shows, wait_for

# The bound on recording a job the scheduler ended (issue 26).
NOTICED_S = 30
real_slurm = [pytest.mark.slurm, pytest.mark.needs("slurm")]

SEEDED = """
import os, random
random.seed(int(os.environ["SCOUT_SEED"]))
print(f"test accuracy: {0.89 + random.uniform(-0.01, 0.01):.4f}")
"""
# Says it started, leaves its pid where the test finds it, then runs until it is stopped.
HANG = """
import os, time
open(os.path.join(os.environ["SCOUT_RUN_DIR"], "eval.pid"), "w").write(str(os.getpid()))
print("started", flush=True)
time.sleep(3600)
"""


def _cli(cache: Path, *args: str):
    return CliRunner().invoke(app, [*args, "--cache-dir", str(cache)])


def _slurm_args(repo: Path, *more: str) -> list[str]:
    return ["baseline", "--yes", "--env", "current", "--executor", "slurm", "--repo", str(repo), *more]


def _spawn(cache: Path, *args: str) -> subprocess.Popen:
    """The real CLI in its own process, as from a terminal (SIGINT not ignored)."""
    return subprocess.Popen(
        [sys.executable, "-c", "from scout.cli import main; main()", *args, "--cache-dir", str(cache)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _finish(process: subprocess.Popen, guard_s: float) -> tuple[str, str]:
    try:
        return process.communicate(timeout=guard_s)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: the stacks of the hang
        raise AssertionError(f"scout hung:\n{process.communicate()[1]}") from None


def _state(job_id: str) -> str | None:
    found = scheduler.job_states([job_id]).get(job_id)
    return found.state if found else None


def _running_job(cache: Path) -> str:
    """The job id of the one pending job, once its evaluation has printed that it started."""
    [job_id] = wait_for(lambda: _pending_job_ids(cache), "the job to be submitted", GUARD_S)
    wait_for(log_shows(cache, "started"), "the evaluation to start inside the SLURM job")
    assert _state(job_id) == "RUNNING"
    return job_id


def _pending_job_ids(cache: Path) -> list[str]:
    from scout.store import Store

    if not (cache / "scout.db").exists():
        return []
    store = Store(cache / "scout.db")
    try:
        return [row["job_id"] for row in store.query("SELECT job_id FROM pending_jobs")]
    finally:
        store.close()


def _hanging_job(tmp_path, make_git_repo, act, *flags: str, guard_s: float = NOTICED_S):
    """`scout baseline --executor slurm` on an evaluation that runs until stopped: once it runs inside
    its job, `act(scout, cache, job_id)`; then scout must exit within `guard_s`. Returns the process (ended),
    its stdout and stderr, the cache and the job id."""
    cache = tmp_path / "cache"
    repo = make_git_repo("hang", documented({"eval.py": HANG}))
    scout = _spawn(cache, *_slurm_args(repo, "--cmd", "python eval.py", *flags))
    try:
        job_id = _running_job(cache)
        act(scout, cache, job_id)
        out, err = _finish(scout, guard_s)
    finally:
        scout.kill()
    return scout, out, err, cache, job_id


def _kill_the_job_process(scout, cache: Path, job_id: str) -> None:
    """As the OOM killer ends a job: SIGKILL to the evaluation and to every process above it up to
    submitit's, which so never writes its result."""
    [pid_file] = list(cache.glob("runs/*/out/eval.pid"))
    evaluation = psutil.Process(int(pid_file.read_text()))
    above = evaluation.parents()
    job_process = next(p for p in above if "submitit.core._submit" in " ".join(p.cmdline()))
    for process in [evaluation, *above[: above.index(job_process) + 1]]:
        # A parent can exit on its own once its child is killed, before its own turn comes.
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


# -- what SLURM prints ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10", 10), ("00:10:00", 10), ("1:30:00", 90), ("1-00:00:00", 1440), ("2-3", 2 * 1440 + 180), ("5:30", 6)]
    + [("UNLIMITED", None), ("INFINITE", None)],
)
def test_slurm_times_in_minutes(text, expected):
    assert scheduler.minutes(text) == expected


def test_partitions_and_node_gpus_as_scontrol_and_sinfo_print_them():
    text = (
        "PartitionName=debug AllowGroups=ALL Default=YES MaxTime=1-00:00:00 Nodes=vm State=UP TotalCPUs=2\n"
        "PartitionName=short AllowGroups=ALL Default=NO MaxTime=00:10:00 Nodes=vm State=UP\n"
        "PartitionName=big Default=NO MaxTime=UNLIMITED Nodes=g[1-2] State=DOWN\n"
    )
    assert scheduler.parse_partitions(text) == [
        scheduler.Partition("debug", True, 1440, "UP"),
        scheduler.Partition("short", False, 10, "UP"),
        scheduler.Partition("big", False, None, "DOWN"),
    ]
    gres = "vm|(null)\ng1|gpu:a100:4(S:0-1)\ng2|gpu:2,shard:8\ng3|gpu:1,gpu:v100:2\n"
    assert scheduler.parse_node_gpus(gres) == {"vm": 0, "g1": 4, "g2": 2, "g3": 3}


def test_job_states_as_squeue_and_sacct_print_them():
    # Raw wait statuses: 15 is SIGTERM, 35072 is exit status 137, 36608 exit status 143.
    squeue = "5_0|COMPLETED|0|\n5_1|CANCELLED|15|\n8|FAILED|35072|\n9|RUNNING|0|\n"
    states = scheduler.parse_squeue(squeue)
    assert states["5_1"] == scheduler.JobState("5_1", "CANCELLED", 0, 15)
    assert states["8"] == scheduler.JobState("8", "FAILED", 137, None)
    assert states["5_0"].ended and not states["9"].ended
    sacct = "12_0|CANCELLED by 0|0:15\n13|OUT_OF_MEMORY|0:125\n"
    assert scheduler.parse_sacct(sacct) == {
        "12_0": scheduler.JobState("12_0", "CANCELLED", 0, 15),
        "13": scheduler.JobState("13", "OUT_OF_MEMORY", 0, 125),
    }


@pytest.mark.parametrize(
    ("state", "status", "says"),
    [
        (scheduler.JobState("7", "CANCELLED", 0, 15), "cancelled", "was cancelled"),
        (scheduler.JobState("7", "TIMEOUT", 0, 15), "timeout", "time limit"),
        (scheduler.JobState("7", "OUT_OF_MEMORY", 0, 9), "failed", "ran out of memory"),
        (scheduler.JobState("7", "NODE_FAIL"), "failed", "its node failed"),
        (scheduler.JobState("7", "FAILED", 137), "failed", "killed by SIGKILL (9)"),
        (scheduler.JobState("7", "FAILED", 0, 9), "failed", "out-of-memory killer"),
        (scheduler.JobState("7", "FAILED", 2), "failed", "FAILED with exit status 2"),
        (scheduler.JobState("7", "PREEMPTED"), "failed", "ended as PREEMPTED"),
        (None, "failed", "no longer knows"),
    ],
)
def test_each_way_a_job_ends_is_said_in_the_schedulers_words(tmp_path, state, status, says):
    row = {"job_id": "7", "folder": str(tmp_path)}
    assert _how_it_ended(row, state)[0] == status
    assert says in _how_it_ended(row, state)[1]


# -- a real scheduler -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (("--partition", "nowhere"), "unknown SLURM partition 'nowhere'; this cluster has: debug"),
        (("--gpus-per-job", "64"), "--gpus-per-job 64: no node of partition"),
        (("--partition", "short", "--time", "60"), "more than partition short allows (10 min)"),
        # No --time: the default limit (the timeout plus setup room) is what the partition refuses.
        (("--partition", "short", "--timeout", "3600"), "a time limit of 90 min is more than partition short"),
    ],
)
@pytest.mark.slurm
@pytest.mark.needs("slurm")
def test_what_the_cluster_would_refuse_is_one_line_before_anything_is_submitted(tmp_path, make_git_repo, flags, says):
    cache = tmp_path / "cache"
    repo = make_git_repo("seeded", documented({"eval.py": SEEDED}))
    result = _cli(cache, *_slurm_args(repo, "--cmd", "python eval.py", *flags))
    assert result.exit_code == 1, result.output
    assert says in result.stderr and len(result.stderr.strip().splitlines()) <= 2, result.stderr
    assert ledger(cache) == [] and _pending_job_ids(cache) == []
    assert list(cache.glob("runs/*")) == []


def test_no_slurm_installed_is_one_line_and_nothing_runs(tmp_path, make_git_repo, monkeypatch):
    monkeypatch.setattr("scout.baseline.execute.scheduler.shutil.which", lambda name: None)
    cache = tmp_path / "cache"
    repo = make_git_repo("seeded", documented({"eval.py": SEEDED}))
    result = _cli(cache, *_slurm_args(repo, "--cmd", "python eval.py"))
    assert result.exit_code == 1
    assert "SLURM is not installed here: no `sbatch` on PATH" in result.stderr
    assert "scripts/slurm-single-node up" in result.stderr
    assert ledger(cache) == []


@pytest.mark.slurm
@pytest.mark.needs("slurm")
def test_seeds_go_out_as_one_job_array_and_are_aggregated(tmp_path, make_git_repo):
    cache = tmp_path / "cache"
    repo = make_git_repo("seeded", documented({"eval.py": SEEDED}))
    result = _cli(cache, *_slurm_args(repo, "--cmd", "python eval.py", "--seeds", "3", "--json"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # nothing but JSON on stdout: submitit's lines are not there
    submitted = report["submitted"]
    array = submitted[0].split("_")[0]
    assert submitted == [f"{array}_0", f"{array}_1", f"{array}_2"]
    runs = report["runs"]
    assert [run["seed"] for run in runs] == [0, 1, 2] and {run["status"] for run in runs} == {"ok"}
    assert [run["env"]["slurm_job"] for run in runs] == submitted
    assert len({run["metrics"]["test_accuracy"] for run in runs}) == 3  # the seed reached each task
    [group] = report["groups"]
    assert group["seeds"] == [0, 1, 2] and group["runs"] == [run["id"] for run in runs]
    stats = group["aggregate"]["test_accuracy"]
    values = [run["metrics"]["test_accuracy"] for run in runs]
    assert stats["n"] == 3 and stats["mean"] == pytest.approx(sum(values) / 3)
    assert f"submitted 3 SLURM job(s): {', '.join(submitted)}" in result.stderr


@pytest.mark.slurm
@pytest.mark.needs("slurm")
def test_no_wait_returns_the_job_ids_and_scout_runs_collects_the_group(tmp_path, make_git_repo):
    cache = tmp_path / "cache"
    repo = make_git_repo("seeded", documented({"eval.py": SEEDED}))
    result = _cli(cache, *_slurm_args(repo, "--cmd", "python eval.py", "--seeds", "0,7", "--no-wait", "--json"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["runs"] == [] and len(report["submitted"]) == 2

    def collected():
        listing = json.loads(_cli(cache, "runs", "--json").stdout)
        # The group is reserved (no runs) at submission; its aggregate comes with its last job.
        early = [group for group in listing["groups"] if group.get("runs")]
        assert len(listing["runs"]) == 2 or not early, "an aggregate before the group's last job"
        return listing if len(listing["runs"]) == 2 else None

    listing = wait_for(collected, "`scout runs` to record both jobs")
    assert [run["seed"] for run in listing["runs"]] == [0, 7]
    [group] = listing["groups"]  # recorded with the last job, over both seeds
    assert group["aggregate"]["test_accuracy"]["n"] == 2
    assert _pending_job_ids(cache) == []


@pytest.mark.slow
@pytest.mark.slurm
@pytest.mark.needs("slurm")
def test_a_scancelled_job_is_recorded_as_cancelled_and_the_waiting_scout_returns(tmp_path, make_git_repo):
    def scancel(scout, cache, job_id):
        subprocess.run(["scancel", job_id], check=True)

    scout, out, err, _, job_id = _hanging_job(tmp_path, make_git_repo, scancel, "--json")
    assert scout.returncode == 1, err  # no run produced a metric
    [run] = json.loads(out)["runs"]
    assert run["status"] == "cancelled" and f"SLURM job {job_id} was cancelled" in run["message"]
    assert "143" not in run["message"]


@pytest.mark.slow
@pytest.mark.slurm
@pytest.mark.needs("slurm")
def test_a_job_killed_with_sigkill_is_recorded_as_failed(tmp_path, make_git_repo):
    _, out, _, _, _ = _hanging_job(tmp_path, make_git_repo, _kill_the_job_process, "--json")
    [run] = json.loads(out)["runs"]
    assert run["status"] == "failed", run
    assert "killed by SIGKILL (9)" in run["message"] and "out-of-memory killer" in run["message"]


@pytest.mark.slow
@pytest.mark.slurm
@pytest.mark.needs("slurm")
def test_ctrl_c_leaves_the_jobs_running_and_runs_cancel_ends_them(tmp_path, make_git_repo):
    def ctrl_c(scout, cache, job_id):
        scout.send_signal(signal.SIGINT)

    scout, _, err, cache, job_id = _hanging_job(tmp_path, make_git_repo, ctrl_c, guard_s=GUARD_S)
    assert scout.returncode == 130, err
    assert "the SLURM jobs keep running" in err and f"scout runs --cancel {job_id}" in err
    assert _state(job_id) == "RUNNING" and ledger(cache) == []

    result = _cli(cache, "runs", "--cancel", job_id, "--json")
    assert result.exit_code == 0, result.output
    assert f"cancelled SLURM job(s) {job_id}" in result.stderr
    [run] = json.loads(result.stdout)["runs"]
    assert run["status"] == "cancelled" and run["env"]["slurm_job"] == job_id
    assert _state(job_id) == "CANCELLED"

    again = _cli(cache, "runs", "--cancel", job_id)
    assert again.exit_code == 1 and f"no SLURM job waiting to be collected is named '{job_id}'" in again.stderr


@pytest.mark.slow
@pytest.mark.slurm
@pytest.mark.needs("slurm")
def test_a_job_past_its_slurm_time_limit_is_recorded_as_timed_out(tmp_path, make_git_repo):
    # One minute is SLURM's smallest limit; the controller checks limits every 30 s.
    flags = ("--time", "1", "--timeout", "3600", "--json")
    _, out, _, _, job_id = _hanging_job(
        tmp_path, make_git_repo, lambda scout, cache, job_id: None, *flags, guard_s=60 + 30 + NOTICED_S + GUARD_S
    )
    [run] = json.loads(out)["runs"]
    assert run["status"] == "timeout" and f"SLURM job {job_id} reached its SLURM time limit" in run["message"], run
    assert _state(job_id) == "TIMEOUT"
