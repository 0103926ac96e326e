"""The classification starter as a user gets it: `scout new`, its smoke training on CPU, and its
own test suite, each in a subprocess. Slow (real torch training)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scout.scaffold.project import create_experiment

pytestmark = pytest.mark.slow
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    root = tmp_path_factory.mktemp("generated") / "exp1"
    create_experiment("exp1", template="classification", target=root)
    done = subprocess.run(
        [sys.executable, "train.py", "config/smoke.py"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return root, done


def test_smoke_training_records_a_real_run(smoke):
    root, done = smoke
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("PASS ") == 6 and "FAIL" not in done.stdout, done.stdout
    assert "epoch 5/5" in done.stdout and "UNCOMMITTED" not in done.stderr

    [record] = [json.loads(line) for line in (root / "runs.jsonl").read_text().splitlines()]
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert record["commit"] == head and record["dirty"] is False and len(record["code_hash"]) == 12
    assert record["config"]["name"] == "smoke" and record["config"]["lr"] == 3e-3
    assert 0.5 < record["metrics"]["val_accuracy"] <= 1.0  # five epochs on digits learn far beyond chance
    assert 0 < record["metrics"]["val_loss"] < 2.3 and len(record["history"]["val_loss"]) == 5
    assert all(record["sanity"].values()) and len(record["sanity"]) == 6

    row = [line for line in (root / "EXPERIMENTS.md").read_text().splitlines() if line.startswith("| 1 |")]
    assert len(row) == 1 and f"| {head[:7]} |" in row[0] and "| smoke |" in row[0]
    assert f"val_accuracy={record['metrics']['val_accuracy']:.4g}" in row[0]

    for name in ("curves.png", "augmented.png"):
        image = root / "out" / "smoke" / name
        assert image.read_bytes()[:8] == PNG and image.stat().st_size > 10_000
    assert (root / "out" / "smoke" / "model.pt").stat().st_size > 10_000


def test_generated_test_suite_passes(smoke):
    root, _ = smoke
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "7 passed" in done.stdout
