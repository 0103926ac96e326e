"""Ways to call the real CLI from tests, shared by the test modules."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from scout.cli import app


def run_baseline(cache: Path, *args: str):
    """`scout baseline --yes --env current --cache-dir CACHE ARGS...`, in process."""
    return CliRunner().invoke(app, ["baseline", "--yes", "--env", "current", "--cache-dir", str(cache), *args])


def documented(files: dict[str, str], command: str = "python eval.py") -> dict[str, str]:
    """The files of a toy repo whose README documents its evaluation, as a real repo's does: the
    fitted ranker reads the docs, and a lone undocumented script may well be no evaluation."""
    return {"README.md": f"## Evaluation\n\n```bash\n{command}\n```\n", **files}


def ledger(cache: Path):
    """Every run the ledger under `cache` holds (none before the first run made the store)."""
    from scout.ledger import list_runs
    from scout.store import Store

    if not (cache / "scout.db").exists():
        return []
    store = Store(cache / "scout.db")
    try:
        return list_runs(store)
    finally:
        store.close()
