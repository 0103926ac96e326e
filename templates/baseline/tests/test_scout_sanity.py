"""scout's sanity checks on this baseline, each its own test (wire them in sanity_setup.py):

    python -m pytest tests/test_scout_sanity.py -q
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root: scoutkit, sanity_setup

import sanity_setup
from scoutkit import sanity, seed_everything


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    seed_everything(0)
    try:
        model, batches = sanity_setup.build()
    except NotImplementedError as exc:
        pytest.skip(str(exc))
    out_dir = tmp_path_factory.mktemp("sanity")
    return {r.name: r for r in sanity.run_all(model, batches, sanity_setup.LOSS, out_dir=out_dir, quick=True)}


@pytest.mark.parametrize("name", sanity.CHECKS)
def test_check_passes(results, name):
    assert results[name].passed, str(results[name])
