"""Shared fixtures. Recorded real responses are read in place from ../shared/fixtures/real/.

What the suite needs from outside the repository (../shared, bubblewrap, Chromium) is checked in
tests/needs.py: a test marked `needs("...")` skips without it (and `-rs` says why), except under
CI=true, where the run stops at once with one line per missing need. Outside CI the default run
leaves out the tests marked `slow`; CI runs them, and so does `pytest -m "not gpu"`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.needs import REAL_FIXTURES, in_ci, missing, problems


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "needs(*what): needs 'shared', 'bwrap', 'chromium' or 'slurm' (tests/needs.py); skips without, fails in CI",
    )
    if not config.option.markexpr:
        config.option.markexpr = "not gpu" if in_ci() else "not gpu and not slow"
    if in_ci():
        found = problems()
        if found:
            raise pytest.UsageError("\n".join(f"CI=true, but {reason}" for reason in found))


def pytest_report_header(config):
    mode = "CI=true: every need is required" if in_ci() else "not CI: a test whose need is missing skips (-rs)"
    return f"scout: {mode}; -m {config.option.markexpr!r}"


def unavailable(reason: str):
    """Skip the test for want of `reason`; under CI=true, fail it instead."""
    if in_ci():
        pytest.fail(f"CI=true, but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    # Marked at collection, so the summary names each test (under CI the run has stopped by now).
    for item in items:
        for marker in item.iter_markers("needs"):
            for reason in filter(None, map(missing, marker.args)):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def real_fixtures() -> Path:
    """The recorded real API responses; tests that need them skip where ../shared is absent (fail in CI)."""
    reason = missing("shared")
    if reason:
        unavailable(reason)
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


@pytest.fixture(autouse=True)
def own_user_dirs(tmp_path_factory, monkeypatch):
    """Each test gets its own user data, cache and config dirs (platformdirs reads XDG_*): no test
    reads or writes the real ones, or another test's HTTP answers and store."""
    home = tmp_path_factory.mktemp("user")
    for var, name in (("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config")):
        monkeypatch.setenv(var, str(home / name))
    for var in ("SCOUT_SHARED_CACHE_DIR", "SCOUT_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture(autouse=True)
def sure_from_half(monkeypatch):
    """Toy repos document one command, which the fitted ranker gives about 0.6: tests about running
    it take a plan at 0.5 as sure (SCOUT_SURE_AT), as a user may. Tests of the confidence itself
    unset it."""
    monkeypatch.setenv("SCOUT_SURE_AT", "0.5")


@pytest.fixture
def cli_env(tmp_path, monkeypatch, fake_embedder):
    """Run the CLI in a temp dir with fast retries and the fake embedder (the real model has its
    own slow test in test_search_model.py)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.scout]\nbackoff_s = 0.0\narxiv_delay_s = 0.0\n")
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
