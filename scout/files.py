"""Write a file whole or not at all: into a uniquely named temporary file beside the target, then
renamed over it, so a crash, a full disk or a second scout process never leaves half a file. The
file ends with the mode a plain `open(..., "w")` gives (0644 under umask 022), not mkstemp's 0600."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(target: Path, suffix: str = "") -> Iterator[Path]:
    """A fresh temporary path beside `target` for a writer that wants a path (np.save, an index's
    save); it replaces `target` when the block ends without an error, and is removed otherwise."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix + ".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
    finally:
        os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def current_umask() -> int:
    """The process umask, read without changing it where the system says (Linux /proc): setting
    and restoring it would race with other threads creating files."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(target: Path, data: str | bytes) -> None:
    with replacing(target) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)


def _open_parent(path: Path) -> int:
    """A descriptor of path's folder, refused when the folder is reached through a symlink."""
    parent = path.parent
    if os.path.realpath(parent) != os.path.abspath(parent):
        raise OSError(f"{parent} is reached through a symbolic link; scout does not follow it")
    return os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)


def write_nofollow(path: Path, data: str | bytes) -> None:
    """Write a file in a folder that code scout did not write could have changed: a symlink
    planted at the name (or in its folder) makes this fail instead of writing through it."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    parent = _open_parent(path)
    try:
        fd = os.open(path.name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644, dir_fd=parent)
    finally:
        os.close(parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(raw)


def read_nofollow(path: Path, limit: int) -> bytes:
    """Read at most `limit` bytes of a regular file, never through a symlink, a FIFO or a device."""
    parent = _open_parent(path)
    try:
        fd = os.open(path.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=parent)
    finally:
        os.close(parent)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"{path} is larger than {limit} bytes")
    return data


CACHE_MARKER = ".scout-cache"  # written into a cache dir scout created; `cache clear --all` needs it
PROJECT_STORE = ".scout"  # a project's own store (scout.dirs finds it upward, as git finds .git)
# Everything in it stays out of git but the origin.json that `scout new` commits (a .gitignore
# that ignores itself too: nothing shows up as untracked).
PROJECT_IGNORE = "# scout's data for this project: see `scout cache info`\n*\n!origin.json\n"


def ensure_cache_dir(path: Path) -> None:
    """Create the cache dir (and its marker) or check that the existing one is a folder."""
    from scout.errors import ConfigError

    try:
        fresh = not path.exists()
        path.mkdir(parents=True, exist_ok=True)
        # An existing folder is scout's only when it holds nothing but the README of a checkout's cache/.
        if fresh or {p.name for p in path.iterdir()} == {"README.md"}:
            marker = path / CACHE_MARKER
            if not marker.exists():
                marker.write_text("This folder was created by scout; `scout cache clear --all` may empty it.\n")
        ignore = path / ".gitignore"
        if path.name == PROJECT_STORE and not ignore.exists():
            ignore.write_text(PROJECT_IGNORE)
    except OSError as exc:
        raise ConfigError(
            f"cannot use {path} as the cache dir ({exc.strerror or exc}); pass --cache-dir a folder scout may create"
        ) from None
    if not path.is_dir():
        raise ConfigError(f"the cache dir {path} is not a folder; pass --cache-dir a folder")


def is_scout_cache(path: Path) -> bool:
    return (path / CACHE_MARKER).is_file() and not (path / CACHE_MARKER).is_symlink()
