"""What parts of the suite need from outside the repository, and whether this machine has it.

- `shared`: the recorded real responses in ../shared/fixtures/real (or $SCOUT_REAL_FIXTURES),
  read by every source parser, search, watch, report and sota test;
- `bwrap`: bubblewrap that can make a sandbox here (and, as root, setpriv), for `scout baseline --sandbox`;
- `chromium`: headless Chromium, for the report's browser test;
- `slurm`: a SLURM cluster that takes jobs (scripts/slurm-single-node up makes one on this machine),
  for the tests marked `slurm`, which submit real jobs.

Outside CI a test whose need is missing skips, and `-rs` prints why. Under CI=true it is a failure,
and the run stops before any test with one line per missing need: a bare clone never passes CI on
"s" marks. `python -m tests.needs` (stdlib only, so .ci/run can call it before installing) prints
the same lines and exits 1 when something is missing."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

# A git worktree sits one level deeper than the main checkout: SCOUT_REAL_FIXTURES points it at them.
REAL_FIXTURES = Path(
    os.environ.get("SCOUT_REAL_FIXTURES") or Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _shared() -> str | None:
    if REAL_FIXTURES.is_dir():
        return None
    return (
        f"../shared is missing: no recorded fixtures at {REAL_FIXTURES} "
        "(check out the shared repository beside this one, or set SCOUT_REAL_FIXTURES)"
    )


def _bwrap() -> str | None:
    exe = shutil.which("bwrap")
    if exe is None:
        return "bubblewrap is missing: no `bwrap` on PATH (apt-get install bubblewrap)"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:  # as root, the jail runs the code as uid 65534
        return "setpriv is missing: as root, --sandbox needs it (apt-get install util-linux)"
    try:
        probe = subprocess.run(
            [exe, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap is unusable: {exe} could not start ({exc})"
    if probe.returncode != 0:
        said = (probe.stderr.strip().splitlines() or [f"exit code {probe.returncode}"])[-1]
        return f"bubblewrap is unusable: {exe} cannot make a sandbox here ({said})"
    return None


def _chromium() -> str | None:
    from tests.chromium import find_chromium

    if find_chromium() is None:
        return "Chromium is missing: no chromium, chromium-browser or google-chrome on PATH (apt-get install chromium)"
    return None


def _slurm() -> str | None:
    up = "scripts/slurm-single-node up installs and starts a single-node cluster"
    if shutil.which("sbatch") is None or shutil.which("sinfo") is None:
        return f"SLURM is missing: no `sbatch`/`sinfo` on PATH ({up})"
    try:
        probe = subprocess.run(["sinfo", "-h", "-N", "-o", "%T"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"SLURM does not answer: sinfo could not run ({exc}; {up})"
    if probe.returncode != 0:
        said = (probe.stderr.strip().splitlines() or [f"exit code {probe.returncode}"])[-1]
        return f"SLURM does not answer: {said} ({up})"
    # "planned" (backfill has set it aside for a pending job) and "completing" are nodes at work too:
    # another run's jobs must not read as a cluster that is down.
    working = ("idle", "mixed", "allocated", "planned", "completing")
    if not any(state.strip("*~#!%$@^-") in working for state in probe.stdout.split()):
        return f"no SLURM node takes jobs (sinfo: {' '.join(probe.stdout.split()) or 'no nodes'}; {up})"
    return None


CHECKS = {"shared": _shared, "bwrap": _bwrap, "chromium": _chromium, "slurm": _slurm}


@functools.cache
def missing(need: str) -> str | None:
    """Why `need` is not met on this machine, or None when it is."""
    return CHECKS[need]()


def problems() -> list[str]:
    return [reason for reason in map(missing, CHECKS) if reason]


def main() -> int:
    found = problems()
    for reason in found:
        print(f"CI: {reason}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
