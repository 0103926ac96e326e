"""Run one of scout's own functions in a fresh interpreter: the model conversions need torch,
which scout keeps out of its own process, and torch's tracer crawls for hours in a process that
has already loaded usearch's native library (seen here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scout.errors import ConfigError


def call_in_child(module: str, function: str, paths: list[Path], failure: str) -> None:
    """`module.function(*paths)` in a child Python; a failure is a ConfigError saying `failure`
    and the child's last line of error output."""
    script = f"import sys, pathlib; from {module} import {function}; {function}(*map(pathlib.Path, sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", script, *map(str, paths)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise ConfigError(f"{failure}: {lines[-1]}")
