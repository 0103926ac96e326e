"""A store with a recorded search, a test ledger and a `scout new` project, for the report tests."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from scout.ledger import record_run
from scout.models import Run
from scout.store import Store

ROOT = Path(__file__).resolve().parents[1]
EVIL_TITLE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> Evil GAN'
EVIL_LOG = "<script>window.__pwned = 3</script>\nTraceback: CUDA out of memory\n"


@dataclass(frozen=True)
class Rig:
    cache: Path
    experiment: Path
    search: dict  # the search's own --json output
    evil_id: str


def scoutkit_records():
    """The real scoutkit.record_run that `scout new` projects ship, loaded from templates/."""
    path = ROOT / "templates" / "helpers" / "scoutkit" / "records.py"
    spec = importlib.util.spec_from_file_location("scoutkit_records_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def add_ledger(cache: Path) -> None:
    runs_dir = cache / "runs"
    with Store(cache / "scout.db") as store:
        ok_dir = runs_dir / "r-20261201-0001"
        ok_dir.mkdir(parents=True)
        (ok_dir / "log.txt").write_text("epoch 1 loss 0.5\ntest accuracy: 0.931\n", encoding="utf-8")
        record_run(
            store,
            runs_dir,
            Run(
                id="r-20261201-0001",
                repo="https://github.com/PyGithub/PyGithub",
                started_at="2026-12-01T10:00:00Z",
                status="ok",
                commit="a" * 40,
                command="python eval.py --split test",
                device="cuda:0",
                gpu="NVIDIA H200",
                exit_code=0,
                seconds=41.2,
                metrics={"test_accuracy": 0.931, "test_loss": 0.21},
                paper_metrics={"test_accuracy": 0.94},
                log=str(ok_dir / "log.txt"),
            ),
        )
        bad_dir = runs_dir / "r-20261201-0002"
        bad_dir.mkdir(parents=True)
        (bad_dir / "log.txt").write_text(EVIL_LOG, encoding="utf-8")
        record_run(
            store,
            runs_dir,
            Run(
                id="r-20261201-0002",
                repo="https://github.com/o/failing",
                started_at="2026-12-01T11:00:00Z",
                status="failed",
                commit="b" * 40,
                command="python test.py",
                exit_code=1,
                seconds=3.5,
                log=str(bad_dir / "log.txt"),
                message="exit 1: CUDA out of memory",
            ),
        )


def add_experiment(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "EXPERIMENTS.md").write_text(
        "# digits: experiment log\n\nCreated by scout.\n\n## Runs\n\n"
        "| run | date (UTC) | commit | code | config | metrics | note |\n|---|---|---|---|---|---|---|\n\n"
        "<!-- scout:runs-end -->\n\n## Notes\n",
        encoding="utf-8",
    )
    records = scoutkit_records()
    for run, (scale, note) in enumerate(((1.0, "smoke | first"), (0.8, "wider")), start=1):
        history = {
            "train_loss": [2.0 * scale / e for e in range(1, 6)],
            "val_loss": [2.1 * scale / e for e in range(1, 6)],
            "val_accuracy": [min(0.99, 0.3 * e / scale) for e in range(1, 6)],
        }
        metrics = {"val_accuracy": history["val_accuracy"][-1], "val_loss": history["val_loss"][-1]}
        records.record_run({"name": f"smoke{run}"}, metrics, note=note, extra={"history": history}, root=folder)
    return folder


def evil_title(cache: Path, paper_id: str) -> None:
    with Store(cache / "scout.db") as store, store.transaction() as db:
        db.execute("UPDATE papers SET title = ? WHERE id = ?", (EVIL_TITLE, paper_id))


def add_reported_results(cache: Path, paper_ids: list[str]) -> None:
    """FID on CIFAR-10 for the given papers (lower is better), as Papers with Code would report."""
    with Store(cache / "scout.db") as store, store.transaction() as db:
        for value, paper_id in zip((31.4, 12.7, 25.0), paper_ids):
            db.execute(
                "INSERT INTO results (paper_id, task, dataset, metric, value, raw, model) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (paper_id, "Image Generation", "CIFAR-10", "FID", value, f"{value}", f"model of {paper_id}"),
            )
