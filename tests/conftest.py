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


class BagOfWordsEmbedder:
    """A fast, deterministic stand-in for the real model: hashed word counts, L2-normalised.
    Texts that share words are similar, so ranking tests stay meaningful without torch."""

    name = "test-bag-of-words"
    dim = 256

    def __init__(self):
        self.encoded: list[str] = []

    def encode(self, texts, batch_size: int = 32):
        import re
        import zlib

        import numpy as np

        self.encoded.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                out[row, zlib.crc32(word.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@pytest.fixture
def fake_embedder():
    return BagOfWordsEmbedder()
