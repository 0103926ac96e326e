"""Every sanity check on the smoke config, each its own test (CPU, well under a minute):

    python -m pytest tests -q

A failure message says what was measured and where to look; fix it before a long run.
"""

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from config import load_config
from data import make_loaders
from model import Net
from scoutkit import sanity, seed_everything

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    cfg = load_config([str(ROOT / "config" / "smoke.py")])
    seed_everything(cfg.seed)
    train_batches, _, _ = make_loaders(cfg, torch.device("cpu"))
    model = Net(cfg.width, dropout=cfg.dropout)
    out_dir = tmp_path_factory.mktemp("sanity")
    return {r.name: r for r in sanity.run_all(model, train_batches, F.cross_entropy, out_dir=out_dir, quick=True)}


def test_every_check_ran(results):
    assert list(results) == list(sanity.CHECKS)


@pytest.mark.parametrize("name", sanity.CHECKS)
def test_check_passes(results, name):
    assert results[name].passed, str(results[name])
