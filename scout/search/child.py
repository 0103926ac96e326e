"""Run one of scout's own functions in a fresh interpreter: the model conversions need torch,
which scout keeps out of its own process, and torch's tracer crawls for hours in a process that
has already loaded usearch's native library (seen here).

The child runs isolated (`python -I`): neither the working directory (a folder named `scout`
there would be imported instead of scout) nor PYTHON* variables nor the user's site-packages
reach it. It gets the parent's import path instead, scout's own folder first, so it imports
exactly what the parent did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import scout
from scout.errors import ConfigError

_BOOT = (
    "import json, pathlib, sys; sys.path[:0] = json.loads(sys.argv[1]); "
    "from {module} import {function}; {function}(*map(pathlib.Path, sys.argv[2:]))"
)


def import_path() -> list[str]:
    """The folders the parent imports from, as absolute paths, the one holding scout first (an
    empty entry would mean the child's working directory)."""
    home = str(Path(scout.__file__).resolve().parent.parent)
    seen, path = set(), []
    for entry in [home, *sys.path]:
        if not entry:
            continue
        absolute = os.path.abspath(entry)
        if absolute not in seen:
            seen.add(absolute)
            path.append(absolute)
    return path


def isolated_argv(module: str, function: str, paths: list[Path]) -> list[str]:
    script = _BOOT.format(module=module, function=function)
    return [sys.executable, "-I", "-c", script, json.dumps(import_path()), *map(str, paths)]


def call_in_child(module: str, function: str, paths: list[Path], failure: str) -> None:
    """`module.function(*paths)` in an isolated child Python; a failure is a ConfigError saying
    `failure` and the child's last line of error output."""
    argv = isolated_argv(module, function, paths)
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise ConfigError(f"{failure}: {lines[-1]}")
