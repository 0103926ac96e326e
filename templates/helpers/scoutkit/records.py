"""record_run(config, metrics): every result written down with what produced it.

Each call appends one JSON line to runs.jsonl (the full config, the metrics, the git commit, a
hash of the code, the environment) and one row to the table in EXPERIMENTS.md. A run whose code
has uncommitted changes cannot be traced back to a commit, so it is recorded as dirty and a loud
warning is printed: commit before you train."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
import subprocess
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

# The project root: scoutkit/ sits in it.
ROOT = Path(__file__).resolve().parent.parent
# Files that record runs are written by the runs themselves, so they never make the code dirty.
RECORD_FILES = ("runs.jsonl", "EXPERIMENTS.md")
RUNS_END = "<!-- scout:runs-end -->"
TABLE_HEADER = (
    "| run | date (UTC) | commit | code | config | metrics | note |\n"
    "|---|---|---|---|---|---|---|\n"
)


class UncommittedChangesWarning(UserWarning):
    """The code that produced a result differs from every commit."""


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None  # no git, or not a repository
    return done.stdout


def _code_files(root: Path) -> list[str]:
    listed = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is None:
        names = [p.relative_to(root).as_posix() for p in root.rglob("*.py")]
    else:
        names = [n for n in listed.split("\0") if n]
    return sorted(n for n in set(names) if n not in RECORD_FILES and (root / n).is_file())


def code_hash(root: Path | None = None) -> str:
    """A short hash of every tracked or new (not ignored) file, so two runs of the same code match
    even without a commit."""
    root = Path(root) if root else ROOT
    digest = hashlib.sha256()
    for name in _code_files(root):
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def uncommitted_changes(root: Path | None = None) -> list[str] | None:
    """Changed or new files other than the records; None outside a git repository."""
    root = Path(root) if root else ROOT
    status = _git(root, "status", "--porcelain", "--untracked-files=all")
    if status is None:
        return None
    paths = [line[3:].strip('"') for line in status.splitlines() if len(line) > 3]
    return [p for p in paths if p not in RECORD_FILES]


def _plain(config) -> dict:
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        return dataclasses.asdict(config)
    if isinstance(config, dict):
        return dict(config)
    return dict(vars(config))  # argparse.Namespace, SimpleNamespace


def _environment() -> dict:
    env = {"python": platform.python_version(), "platform": platform.platform(), "torch": None, "gpu": None}
    torch = sys.modules.get("torch")  # only describe torch when the run used it
    if torch is not None:
        env["torch"] = torch.__version__
        if torch.cuda.is_available():
            env["gpu"] = f"{torch.cuda.device_count()} x {torch.cuda.get_device_name(0)}"
    return env


def _format_metrics(metrics: dict) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _append_row(path: Path, record: dict) -> None:
    commit = (record["commit"] or "none")[:7] + (" (dirty)" if record["dirty"] else "")
    row = "| " + " | ".join(_cell(c) for c in (
        record["run"], record["time"][:16].replace("T", " "), commit, record["code_hash"],
        record["config"].get("name", ""), _format_metrics(record["metrics"]), record["note"],
    )) + " |\n"
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Experiments\n"
    if RUNS_END not in text:
        text = text.rstrip("\n") + "\n\n## Runs\n\n" + TABLE_HEADER + "\n" + RUNS_END + "\n"
    head, tail = text.split(RUNS_END, 1)
    # The row goes right after the table's last line, above the blank line that ends the table.
    table = head.rstrip("\n") + "\n"
    path.write_text(table + row + "\n" + RUNS_END + tail, encoding="utf-8")


def record_run(config, metrics: dict, *, note: str = "", extra: dict | None = None,
               root: Path | None = None) -> dict:
    """Append this run to runs.jsonl and EXPERIMENTS.md; returns the record written."""
    root = Path(root) if root else ROOT
    dirty = uncommitted_changes(root)
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        message = (f"\n{'!' * 72}\nUNCOMMITTED CHANGES in {shown}.\nThis run cannot be traced to a "
                   f"commit; it is recorded as dirty. Commit before you train.\n{'!' * 72}")
        print(message, file=sys.stderr)
        warnings.warn(f"uncommitted changes in {shown}", UncommittedChangesWarning, stacklevel=2)
    runs_path = root / "runs.jsonl"
    done = sum(1 for line in runs_path.read_text(encoding="utf-8").splitlines() if line.strip()) \
        if runs_path.is_file() else 0
    record = {
        "run": done + 1,
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": (_git(root, "rev-parse", "HEAD") or "").strip() or None,
        "dirty": bool(dirty),
        "uncommitted": dirty or [],
        "code_hash": code_hash(root),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else None,
        "config": _plain(config),
        "metrics": dict(metrics),
        "note": note,
        "env": _environment(),
        **(extra or {}),
    }
    with runs_path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, default=str) + "\n")
    _append_row(root / "EXPERIMENTS.md", record)
    return record
