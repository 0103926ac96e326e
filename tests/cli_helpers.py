"""Ways to call the real CLI from tests, shared by the test modules."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from scout.cli import app


def run_baseline(cache: Path, *args: str):
    """`scout baseline --yes --env current --cache-dir CACHE ARGS...`, in process."""
    return CliRunner().invoke(app, ["baseline", "--yes", "--env", "current", "--cache-dir", str(cache), *args])
