"""Where a baseline keeps its things, all under the cache dir: clones, envs, recipes and runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    """Where scout keeps repos, envs, recipes and runs (all under the cache dir)."""

    cache_dir: Path

    def __post_init__(self) -> None:
        # Absolute, so the paths a run records (its log, its clone) still lead there after a `cd`.
        object.__setattr__(self, "cache_dir", Path(self.cache_dir).absolute())

    @property
    def repos(self) -> Path:
        return self.cache_dir / "repos"

    @property
    def envs(self) -> Path:
        return self.cache_dir / "envs"

    @property
    def recipes(self) -> Path:
        return self.cache_dir / "recipes"

    @property
    def runs(self) -> Path:
        return self.cache_dir / "runs"
