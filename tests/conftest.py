"""Shared fixtures. Recorded real responses are read in place from ../shared/fixtures/real/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# A git worktree sits one level deeper than the main checkout: SCOUT_REAL_FIXTURES points it at them.
REAL_FIXTURES = Path(
    os.environ.get("SCOUT_REAL_FIXTURES") or Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real"
)


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


@pytest.fixture
def cli_env(tmp_path, monkeypatch, fake_embedder):
    """Run the CLI in a temp dir with fast retries and the fake embedder (the real model has its
    own slow test in test_search_model.py)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scout.toml").write_text("backoff_s = 0.0\narxiv_delay_s = 0.0\n")
    monkeypatch.setenv("SCOUT_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("SCOUT_OFFLINE", "SCOUT_MODEL", "GITHUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("scout.search.embed.load_embedder", lambda model, cache_dir, **kw: fake_embedder)
    return tmp_path


@pytest.fixture
def make_git_repo(tmp_path):
    """Build a small committed git repo under tmp_path: make_git_repo("name", {"eval.py": "..."}) -> Path."""
    import os
    import subprocess
    import textwrap

    identity = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }

    def make(name: str, files: dict[str, str]) -> Path:
        repo = tmp_path / name
        repo.mkdir(parents=True)
        for path, text in files.items():
            (repo / path).write_text(textwrap.dedent(text), encoding="utf-8")
        for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "init"]):
            subprocess.run(argv, cwd=repo, env={**os.environ, **identity}, check=True)
        return repo

    return make


@pytest.fixture
def timeout_when(monkeypatch):
    """timeout_when(ready): a run's --timeout fires as soon as ready() holds, and never before, on
    any machine (see tests/sync.py RunClock)."""
    from tests.sync import RunClock

    def install(ready):
        monkeypatch.setattr("scout.baseline.execute.process._clock", RunClock(ready))

    return install
