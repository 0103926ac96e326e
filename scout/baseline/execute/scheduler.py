"""What the SLURM scheduler says, asked through its own commands: the partitions and nodes a job
could go to (checked before anything is submitted), and the state of submitted jobs.

A job's state comes from squeue, which knows every job the controller still holds (pending,
running, and ended ones for MinJobAge); sacct, when the cluster keeps accounting, answers for older
ones. Nothing here waits on a job's own files: a job killed by the scheduler, the OOM killer or a
node failure never writes them."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from dataclasses import dataclass

from scout.errors import ConfigError, EvalError

_TRY_IT = "run on a SLURM login node, or try it on this machine with scripts/slurm-single-node up"
# States after which a job will never run again (a requeued job goes back to PENDING).
ENDED = frozenset("COMPLETED FAILED CANCELLED TIMEOUT NODE_FAIL OUT_OF_MEMORY PREEMPTED BOOT_FAIL DEADLINE".split())
_QUERY_TIMEOUT_S = 30


@dataclass(frozen=True)
class Partition:
    name: str
    default: bool
    max_time_min: int | None  # None: no limit
    state: str


@dataclass(frozen=True)
class JobState:
    job_id: str  # as submitit names it: 12, or 12_3 for an array task
    state: str  # COMPLETED, CANCELLED, ... (squeue's or sacct's word, without "by UID")
    exit_code: int | None = None
    signal: int | None = None  # the signal that ended the batch script, if one did

    @property
    def ended(self) -> bool:
        return self.state in ENDED


def minutes(text: str) -> int | None:
    """A SLURM time ("10", "1:30:00", "2-00:00:00", "UNLIMITED") in whole minutes, rounded up;
    None for no limit."""
    text = text.strip()
    if text.upper() in ("UNLIMITED", "INFINITE", "NONE"):
        return None
    days = 0
    if "-" in text:
        head, text = text.split("-", 1)
        days = int(head)
    parts = [int(part) for part in text.split(":")]
    if len(parts) == 1:  # minutes (with a day part: hours)
        hours, mins, secs = (parts[0], 0, 0) if days else (0, parts[0], 0)
    elif len(parts) == 2:  # mm:ss (with a day part: hh:mm)
        hours, mins, secs = (parts[0], parts[1], 0) if days else (0, parts[0], parts[1])
    else:
        hours, mins, secs = parts[-3:]
    return days * 1440 + hours * 60 + mins + (1 if secs else 0)


def parse_partitions(text: str) -> list[Partition]:
    """`scontrol show partition -o`: one partition a line, KEY=VALUE fields."""
    found = []
    for line in text.splitlines():
        fields = dict(re.findall(r"(\w+)=(\S*)", line))
        if "PartitionName" not in fields:
            continue
        found.append(
            Partition(
                name=fields["PartitionName"],
                default=fields.get("Default") == "YES",
                max_time_min=minutes(fields.get("MaxTime", "UNLIMITED")),
                state=fields.get("State", "UP"),
            )
        )
    return found


def parse_node_gpus(text: str) -> dict[str, int]:
    """`sinfo -N -h -o '%N|%G'`: GPUs per node, from gres such as gpu:4, gpu:a100:2(S:0-1)."""
    gpus: dict[str, int] = {}
    for line in text.splitlines():
        node, _, gres = line.partition("|")
        count = sum(int(m) for m in re.findall(r"(?:^|,)gpu(?::[^:,(]+)?:(\d+)", gres.strip()))
        if node.strip():
            gpus[node.strip()] = max(gpus.get(node.strip(), 0), count)
    return gpus


def parse_squeue(text: str) -> dict[str, JobState]:
    """`squeue -h -r --states=all -O JobArrayID:|,State:|,exit_code:|`. The exit code is the raw
    wait status of the batch script: its low 7 bits a signal, the next byte an exit status."""
    states = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) < 3 or not cells[0]:
            continue
        raw = int(cells[2]) if cells[2].isdigit() else None
        signal = raw & 0x7F if raw is not None else None
        code = raw >> 8 if raw is not None else None
        states[cells[0]] = JobState(cells[0], cells[1].split()[0], code, signal or None)
    return states


def parse_sacct(text: str) -> dict[str, JobState]:
    """`sacct -n -P -X -o JobID,State,ExitCode`: the job lines (steps left out by -X)."""
    states = {}
    for line in text.splitlines():
        cells = line.split("|")
        if len(cells) < 3 or not cells[0]:
            continue
        code, _, signal = cells[2].partition(":")
        states[cells[0]] = JobState(
            cells[0],
            cells[1].split()[0],
            int(code) if code.isdigit() else None,
            int(signal) if signal.isdigit() and int(signal) else None,
        )
    return states


def _ask(*argv: str) -> str:
    """One SLURM command's output; EvalError when it is missing or fails."""
    if shutil.which(argv[0]) is None:
        raise EvalError(f"SLURM is not installed here: no `{argv[0]}` on PATH; {_TRY_IT}")
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=_QUERY_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EvalError(f"`{' '.join(argv)}` did not answer ({exc}); is the SLURM controller up?") from None
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise EvalError(f"`{' '.join(argv[:3])}` failed: {said}; is the SLURM controller up?")
    return done.stdout


def check(partition: str | None, gpus_per_job: int, time_min: int | None) -> str:
    """Refuse, in one line, a job the cluster would reject or never start: no SLURM, an unknown
    partition, more GPUs than any of its nodes has, a time limit above the partition's. Returns the
    partition the jobs go to."""
    for command in ("sbatch", "squeue", "scancel"):
        if shutil.which(command) is None:
            raise EvalError(f"SLURM is not installed here: no `{command}` on PATH; {_TRY_IT}")
    partitions = parse_partitions(_ask("scontrol", "show", "partition", "-o"))
    if not partitions:
        raise EvalError("this SLURM cluster has no partition to submit to; ask its administrator")
    names = ", ".join(p.name for p in partitions)
    if partition is None:
        chosen = next((p for p in partitions if p.default), None)
        if chosen is None:
            raise ConfigError(f"this SLURM cluster has no default partition; pass --partition (one of {names})")
    else:
        chosen = next((p for p in partitions if p.name == partition), None)
        if chosen is None:
            raise ConfigError(f"unknown SLURM partition {partition!r}; this cluster has: {names}")
    if time_min is not None and chosen.max_time_min is not None and time_min > chosen.max_time_min:
        raise ConfigError(
            f"a time limit of {time_min} min is more than partition {chosen.name} allows ({chosen.max_time_min} min); "
            f"pass --time {chosen.max_time_min} or less (and a --timeout that fits), or another --partition"
        )
    if gpus_per_job:
        most = max(parse_node_gpus(_ask("sinfo", "-N", "-h", "-p", chosen.name, "-o", "%N|%G")).values(), default=0)
        if gpus_per_job > most:
            raise ConfigError(
                f"--gpus-per-job {gpus_per_job}: no node of partition {chosen.name} has more than {most} GPU(s)"
            )
    return chosen.name


def job_states(job_ids: list[str]) -> dict[str, JobState]:
    """The state of each job the scheduler still knows; a job it has forgotten is left out. Asks
    squeue for every job at once (one call per poll, however many jobs), then sacct, where the
    cluster keeps accounting, for the ones squeue no longer lists."""
    if not job_ids:
        return {}
    known = parse_squeue(_ask("squeue", "-h", "-r", "--states=all", "-O", "JobArrayID:|,State:|,exit_code:|"))
    states = {job_id: known[job_id] for job_id in job_ids if job_id in known}
    forgotten = [job_id for job_id in job_ids if job_id not in states]
    if forgotten and shutil.which("sacct"):
        # Without an accounting database sacct fails: it cannot say more than squeue did.
        with contextlib.suppress(EvalError):
            answer = parse_sacct(
                _ask("sacct", "-n", "-P", "-X", "-o", "JobID,State,ExitCode", "-j", ",".join(forgotten))
            )
            states.update((job_id, state) for job_id, state in answer.items() if job_id in forgotten)
    return states


def cancel(job_ids: list[str]) -> None:
    _ask("scancel", *job_ids)
