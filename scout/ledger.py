"""The ledger of baseline evaluations: every run, successful or not, goes to the store and to
cache/runs/<id>/ (log.txt beside result.json), so a number can always be traced to its command,
commit and log."""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, replace
from pathlib import Path

from scout import schema
from scout.clock import today_stamp
from scout.files import atomic_write
from scout.metrics import base_name, canonical_name, higher_is_better, normalize
from scout.models import STATUSES, Run, normalize_repo_url


def allocate_run_dir(runs_dir: Path, day: str | None = None) -> tuple[str, Path]:
    """A fresh id (r-YYYYMMDD-NNNN) and its folder. mkdir is atomic, so parallel runs and
    several scout processes never share an id."""
    day = day or today_stamp()
    runs_dir.mkdir(parents=True, exist_ok=True)
    prefix = f"r-{day}-"
    taken = [int(p.name[len(prefix) :]) for p in runs_dir.glob(prefix + "*") if p.name[len(prefix) :].isdigit()]
    number = max(taken, default=0) + 1
    while True:
        run_id = f"{prefix}{number:04d}"
        try:
            (runs_dir / run_id).mkdir()
            return run_id, runs_dir / run_id
        except FileExistsError:
            number += 1


def write_result(run_dir: Path, run: Run) -> None:
    """result.json, written whole or not at all (temp file, then rename)."""
    atomic_write(run_dir / "result.json", json.dumps(run.to_json(), indent=2) + "\n")


def read_result(run_dir: Path) -> Run | None:
    path = run_dir / "result.json"
    if not path.is_file():
        return None
    return Run.from_json(json.loads(path.read_text(encoding="utf-8")))


_COLUMNS = tuple(
    "id started_at repo commit_sha command recipe_source device gpu status exit_code seconds "
    "seed metrics metrics_raw paper_metrics env log message clone_path "
    "headline claim claims verdict verdict_reason group_id flags lines".split()
)
_JSON_COLUMNS = ("metrics", "metrics_raw", "paper_metrics", "env", "headline", "claim", "claims", "flags", "lines")
_RENAMED = {"commit_sha": "commit", "group_id": "group"}  # column -> Run field


def record_run(store, runs_dir: Path, run: Run) -> Run:
    """Write the run to cache/runs/<id>/result.json and the store (one transaction)."""
    if run.status not in STATUSES:
        raise ValueError(f"unknown run status {run.status!r}")
    write_result(runs_dir / run.id, run)
    run = replace(run, metrics=_finite(run.metrics), paper_metrics=_finite(run.paper_metrics))
    row = {**asdict(run), "commit_sha": run.commit, "group_id": run.group}
    values = [json.dumps(row[c]) if c in _JSON_COLUMNS else row[c] for c in _COLUMNS]
    with store.transaction(durable=True) as db:
        db.execute(
            f"INSERT OR REPLACE INTO runs ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
            values,
        )
    return run


def _finite(values):
    """Metric maps without NaN or infinities (older runs stored them; they are not JSON)."""
    if not isinstance(values, dict):
        return {}
    return {
        k: v for k, v in values.items() if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    }


def _json_column(text):
    """A JSON column as stored; a damaged value reads as empty instead of failing the whole ledger."""
    try:
        return json.loads(text) if text is not None else None
    except (TypeError, ValueError, RecursionError):
        return None


def _from_row(row: dict) -> Run:
    data = {_RENAMED.get(k, k): _json_column(row[k]) if k in _JSON_COLUMNS else row[k] for k in _COLUMNS}
    for key in ("env", "metrics_raw", "lines"):
        data[key] = data[key] if isinstance(data[key], dict) else {}
    for key in ("headline", "claim"):
        data[key] = data[key] if isinstance(data[key], dict) else None
    for key in ("claims", "flags"):
        data[key] = data[key] if isinstance(data[key], list) else []
    for key in ("metrics", "paper_metrics"):
        data[key] = _finite(data[key])
    return Run(**data)


def list_runs(store) -> list[Run]:
    return [_from_row(r) for r in store.query("SELECT * FROM runs ORDER BY started_at, id")]


def get_run(store, run_id: str) -> Run | None:
    rows = store.query("SELECT * FROM runs WHERE id = ?", (run_id,))
    return _from_row(rows[0]) if rows else None


# The flags scout.baseline.measure.flags writes about one metric: "conflict: NAME is ...",
# "non-finite: NAME was ...", "out of range: NAME = ...".
_FLAG_NAME = re.compile(r"^(?:conflict|non-finite|out of range): (?P<name>\S+) ")


def flagged_metrics(flags: list[str]) -> set[str]:
    """The metrics a run's flags name: none of them is ever the baseline to beat."""
    return {m.group("name") for m in map(_FLAG_NAME.match, flags) if m}


def get_runs(store, run_ids: list[str]) -> list[Run]:
    """The runs with these ids, each once, in the order given; NotFound names any that is not there."""
    from scout.errors import NotFound

    ids = list(dict.fromkeys(run_ids))
    runs = [get_run(store, run_id) for run_id in ids]
    missing = [run_id for run_id, run in zip(ids, runs) if run is None]
    if missing:
        raise NotFound(f"no run {', '.join(missing)} in the ledger; `scout runs` lists the ids (nothing was removed)")
    return runs


def filter_runs(runs: list[Run], repo: str | None = None, status: str | None = None, since: str | None = None):
    """The runs of a repo (any part of its URL or path, case-insensitive: `owner/name` works), with
    a status, started on or after a date (YYYY-MM-DD, compared with the ISO start time)."""
    wanted = (repo or "").lower().strip().rstrip("/")
    return [
        run
        for run in runs
        if (not wanted or wanted in run.repo.lower())
        and (status is None or run.status == status)
        and (since is None or run.started_at[:10] >= since)
    ]


def remove_runs(store, runs_dir: Path, run_ids: list[str]) -> list[str]:
    """Delete the runs from the store and their folders under `runs_dir` (log and result); a seed
    group goes with its last run. Every id must exist, else nothing is removed."""
    import shutil

    ids = [run.id for run in get_runs(store, run_ids)]
    gone = set(ids)
    emptied = [g["id"] for g in list_groups(store) if g.get("runs") and set(g["runs"]) <= gone]
    with store.transaction() as db:
        db.executemany("DELETE FROM runs WHERE id = ?", [(run_id,) for run_id in ids])
        db.executemany("DELETE FROM run_groups WHERE id = ?", [(group_id,) for group_id in emptied])
    for run_id in ids:
        folder = runs_dir / run_id
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)
    return ids


def best_runs(runs: list[Run]) -> dict[str, Run]:
    """For each metric, the successful run with the best value, unflagged: the baseline to beat."""
    best: dict[str, Run] = {}
    for run in runs:
        if run.status != "ok":
            continue
        flagged = flagged_metrics(run.flags)
        for name, value in run.metrics.items():
            if name in flagged or not math.isfinite(value):
                continue  # an impossible or conflicting number is never the one to beat
            current = best.get(name)
            if current is None:
                best[name] = run
                continue
            held = current.metrics[name]
            if (value > held) if higher_is_better(name) else (value < held):
                best[name] = run
    return best


LEDGER_SCHEMA = schema.LEDGER


def ledger_json(runs: list[Run], groups: list[dict] | None = None) -> dict:
    """`scout runs --json` and `scout baseline --json`: the runs in the order they started, each with
    the metrics it is the baseline to beat for, and the seed groups those runs belong to."""
    runs = sorted(runs, key=lambda run: (run.started_at, run.id))
    best = best_runs(runs)
    items = []
    for run in runs:
        item = run.to_json()
        item["baseline_for"] = sorted(name for name, winner in best.items() if winner.id == run.id)
        items.append(item)
    wanted = {run.group for run in runs if run.group}
    chosen = [group for group in groups or [] if group.get("id") in wanted]
    return {"schema": LEDGER_SCHEMA, "runs": items, "groups": chosen}


def record_group(store, group: dict) -> None:
    """A seed group (`--seeds N`): its runs, seeds, aggregate per metric and verdict."""
    with store.transaction() as db:
        db.execute(
            "INSERT OR REPLACE INTO run_groups (id, repo, created_at, body) VALUES (?, ?, ?, ?)",
            (group["id"], group.get("repo") or "", group.get("created_at") or "", json.dumps(group)),
        )


def list_groups(store) -> list[dict]:
    groups = []
    for row in store.query("SELECT body FROM run_groups ORDER BY created_at, id"):
        body = _json_column(row["body"])
        if isinstance(body, dict):
            groups.append(body)
    return groups


def allocate_group_id(store, repo: str = "", day: str | None = None) -> str:
    """A fresh seed-group id (g-YYYYMMDD-NNNN), reserved in the store at once."""
    import sqlite3

    from scout.clock import now_iso

    day = day or today_stamp()
    prefix = f"g-{day}-"
    while True:
        rows = store.query("SELECT id FROM run_groups WHERE id LIKE ?", (prefix + "%",))
        taken = [int(r["id"][len(prefix) :]) for r in rows if r["id"][len(prefix) :].isdigit()]
        group_id = f"{prefix}{max(taken, default=0) + 1:04d}"
        try:
            with store.transaction() as db:
                db.execute(
                    "INSERT INTO run_groups (id, repo, created_at, body) VALUES (?, ?, ?, ?)",
                    (group_id, repo, now_iso(), json.dumps({"id": group_id, "repo": repo, "runs": []})),
                )
            return group_id
        except sqlite3.IntegrityError:
            continue


def best_run(store) -> Run | None:
    """The baseline to beat overall: the best run on the metric most successful runs report."""
    runs = list_runs(store)
    best = best_runs(runs)
    if not best:
        return None
    counts = {name: sum(name in r.metrics for r in runs if r.status == "ok") for name in best}
    # Ties go to an evaluation split over a training one, then to the first metric seen.
    order = sorted(best, key=lambda n: (-counts[n], n.startswith("train_")))
    return best[order[0]]


def paper_metrics_for(store, repo_url: str, metrics: dict[str, float]) -> dict[str, float]:
    """What the papers linking this repo report for the metrics measured, on the same scale.

    Several reported results for one metric (datasets, model sizes) -> the best one, the paper's
    headline."""
    rows = store.reported_results_for_repo(normalize_repo_url(repo_url))
    reported: dict[str, list[float]] = {}
    for row in rows:
        name = canonical_name(row["metric"])
        reported.setdefault(name, []).append(normalize(name, row["value"], row["raw"] or ""))
    found = {}
    for measured in metrics:
        if measured.startswith("train_"):
            continue
        values = reported.get(base_name(measured)) or reported.get(measured)
        if values:
            found[measured] = max(values) if higher_is_better(measured) else min(values)
    return found


def with_paper_metrics(store, run: Run) -> Run:
    return replace(run, paper_metrics=paper_metrics_for(store, run.repo, run.metrics))
