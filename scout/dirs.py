"""Where scout keeps things, found the way git finds `.git` (DESIGN.md §3).

    the store (papers, searches, the ledger, clones, envs):
        --cache-dir / SCOUT_CACHE_DIR, else the nearest project store upward from the working
        directory, else the user data dir
    the shared cache (exported models, HTTP answers): the user cache dir, one per user
    the user config file: the user config dir

A project store is a `.scout/` folder (`scout new` makes one, ignored by git), or a `cache/`
folder scout already wrote (it holds scout.db or the .scout-cache marker: data of an older
scout, found and kept), or the `cache/` of scout's own checkout."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scout.files import CACHE_MARKER, PROJECT_STORE, ensure_cache_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

APP = "scout"
LEGACY_STORE = "cache"
STORE_DB = "scout.db"
SHARED_ENV = "SCOUT_SHARED_CACHE_DIR"
CONFIG_ENV = "SCOUT_CONFIG"


@dataclass(frozen=True)
class StoreLocation:
    path: Path
    why: str  # one line for `scout cache info`


def user_data_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path(APP)


def shared_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Models and HTTP answers, shared by every project of this user."""
    env = os.environ if env is None else env
    if env.get(SHARED_ENV, "").strip():
        return Path(env[SHARED_ENV]).expanduser().absolute()
    import platformdirs

    return platformdirs.user_cache_path(APP)


def user_config_file(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(CONFIG_ENV, "").strip():
        return Path(env[CONFIG_ENV]).expanduser()
    import platformdirs

    return platformdirs.user_config_path(APP) / "config.toml"


def _is_scout_checkout(folder: Path) -> bool:
    """scout's own source tree: its committed cache/ is where a developer's data has always lived."""
    try:
        data = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("project"), dict) and data["project"].get("name") == APP


def _holds_scout_data(folder: Path) -> bool:
    return (folder / STORE_DB).is_file() or (folder / CACHE_MARKER).is_file()


def find_project_store(start: Path) -> StoreLocation | None:
    """The nearest project store in `start` or a folder above it."""
    start = start.absolute()
    for folder in (start, *start.parents):
        own = folder / PROJECT_STORE
        if own.is_dir():
            return StoreLocation(own, f"the project store {PROJECT_STORE}/ found upward from {start}")
        legacy = folder / LEGACY_STORE
        if legacy.is_dir():
            if _is_scout_checkout(folder):
                return StoreLocation(legacy, f"scout's own checkout at {folder} keeps its data in cache/")
            if _holds_scout_data(legacy):
                return StoreLocation(
                    legacy,
                    f"data an older scout wrote to {legacy} (found upward from {start}; kept where it is)",
                )
    return None


def locate_store(flag: Path | None, env: Mapping[str, str], cwd: Path) -> StoreLocation:
    """The store in use, and why: the flag, the environment, the nearest project store, the user data dir."""
    if flag is not None:
        return StoreLocation(Path(flag).expanduser(), "--cache-dir was given")
    if "SCOUT_CACHE_DIR" in env:
        return StoreLocation(Path(env["SCOUT_CACHE_DIR"]).expanduser(), "SCOUT_CACHE_DIR is set")
    found = find_project_store(cwd)
    if found is not None:
        return found
    return StoreLocation(
        user_data_dir(), f"no project store ({PROJECT_STORE}/) above {cwd.absolute()}: the user data dir"
    )


def make_project_store(project: Path) -> Path:
    """A `.scout/` store in `project`, ignored by git (it holds clones, envs and a database)."""
    store = project / PROJECT_STORE
    ensure_cache_dir(store)
    return store


@contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """Hold `target`'s lock (another process making `target` waits here). Lock files live in a
    `.locks/` folder beside target's folder, so the folder itself holds only what was made."""
    from filelock import FileLock

    locks = target.parent.parent / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(locks / f"{target.parent.name}-{target.name}.lock")):
        yield


def make_once(target: Path, ready: Callable[[], bool], make: Callable[[], object]) -> None:
    """`make()` unless `ready()`, under the lock beside `target`: processes that all find it
    missing make it once (the others wait for the lock, then find it ready)."""
    if ready():
        return
    with exclusive(target):
        if not ready():
            make()
