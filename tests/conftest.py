"""Shared fixtures. Recorded real responses are read in place from ../shared/fixtures/real/."""

from __future__ import annotations

from pathlib import Path

import pytest

REAL_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real"


@pytest.fixture(scope="session")
def real_fixtures() -> Path:
    """The recorded real API responses; tests that need them skip where ../shared is absent."""
    if not REAL_FIXTURES.is_dir():
        pytest.skip(f"recorded fixtures not found at {REAL_FIXTURES} (../shared is absent)")
    return REAL_FIXTURES


@pytest.fixture
def store(tmp_path):
    from scout.store import Store

    s = Store(tmp_path / "scout.db")
    yield s
    s.close()
