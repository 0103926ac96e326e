"""git on repositories scout did not write: no hooks, no fsmonitor, no prompts, no `ext::` or other
transports that run commands. Settings come through GIT_CONFIG_* (the same as `git -c`), so a
repository's own .git/config cannot switch them back on."""

from __future__ import annotations

import os
from pathlib import Path

from scout.errors import TreeError

_OVERRIDES = {
    "core.hooksPath": "/dev/null",
    "core.fsmonitor": "false",
    "core.sshCommand": "ssh -o BatchMode=yes",
    "protocol.ext.allow": "never",
    "uploadpack.packObjectsHook": "",
}

GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "true",
    "SSH_ASKPASS": "true",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
    # Only transports that move data; `ext::` runs an arbitrary command.
    "GIT_ALLOW_PROTOCOL": "https:http:ssh:git:file",
    "GIT_CONFIG_COUNT": str(len(_OVERRIDES)),
    **{f"GIT_CONFIG_KEY_{i}": key for i, key in enumerate(_OVERRIDES)},
    **{f"GIT_CONFIG_VALUE_{i}": value for i, value in enumerate(_OVERRIDES.values())},
}


def git_environ() -> dict[str, str]:
    """os.environ with the hardening on top (git itself needs the user's config and credentials)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("GIT_CONFIG_")}
    return {**base, **GIT_ENV}


def open_repo(path):
    """A GitPython Repo whose every git command runs hardened. safe.directory stays as git has it:
    git refuses a repository that another user owns."""
    import git

    repo = git.Repo(path)
    repo.git.update_environment(**GIT_ENV)
    return repo


_SYMLINK_MODE = 0o120000
_MAX_LINK_HOPS = 40


def _split(path: str, what: str) -> tuple[str, ...]:
    parts = tuple(path.split("/"))
    if path.startswith("/") or "\0" in path or any(p in ("", ".", "..") for p in parts):
        raise TreeError(f"the commit holds a path scout will not write ({what} {path!r}); it looks crafted")
    return parts


def _resolve(parts: tuple[str, ...], links: dict[tuple[str, ...], str], hops: int = 0) -> tuple[str, ...]:
    """Where `parts` lands inside the copy, following the copy's own links; TreeError on escape."""
    if hops > _MAX_LINK_HOPS:
        raise TreeError("too many levels of symbolic links")
    stack: list[str] = []
    for part in parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not stack:
                raise TreeError("a link leads out of the copy")
            stack.pop()
            continue
        stack.append(part)
        target = links.get(tuple(stack))
        if target is not None:
            if target.startswith("/"):
                raise TreeError("a link is absolute")
            hops += 1
            stack = list(_resolve(tuple(stack[:-1]) + tuple(target.split("/")), links, hops))
    return tuple(stack)


def export_commit(source: Path, commit: str, dest: Path) -> list[str]:
    """Write the files of `commit` of the repository at `source` under the empty folder `dest`:
    symlinks as links, executable bits kept, no .git, submodules skipped (a note each). Every path
    and every link is checked against the whole tree before anything is written, links are made
    last, and files are created with O_EXCL|O_NOFOLLOW, so nothing lands outside `dest`.

    Raises TreeError for a tree that would write or point outside; git errors pass through."""
    import stat

    tree = open_repo(source).commit(commit).tree
    items = [item for item in tree.traverse() if ".git" not in item.path.split("/")]
    kinds: dict[tuple[str, ...], str] = {}
    links: dict[tuple[str, ...], str] = {}
    for item in items:
        parts = _split(item.path, "path")
        kind = "link" if item.type == "blob" and item.mode == _SYMLINK_MODE else item.type
        if parts in kinds:
            raise TreeError(f"the commit lists {item.path!r} twice; it looks crafted")
        for i in range(1, len(parts)):
            if kinds.get(parts[:i], "tree") != "tree":
                raise TreeError(f"the commit puts {item.path!r} below a file or link; it looks crafted")
        kinds[parts] = kind
        if kind == "link":
            links[parts] = item.data_stream.read().decode("utf-8", "surrogateescape")
    for parts, target in links.items():
        try:
            if target.startswith("/") or not target:
                raise TreeError("a link is absolute or empty")
            _resolve(parts[:-1] + tuple(target.split("/")), links)
        except TreeError as exc:
            raise TreeError(f"the symlink {'/'.join(parts)} -> {target} points outside the copy ({exc})") from None
    notes = []
    root = os.path.realpath(dest)
    for item in items:
        path = os.path.join(root, item.path)
        if item.type == "submodule":
            notes.append(f"submodule {item.path} is not copied; add it again with `git submodule add`")
        elif item.type == "tree":
            os.makedirs(path, exist_ok=True)
        elif item.mode != _SYMLINK_MODE:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if os.path.realpath(os.path.dirname(path)) != os.path.dirname(path):
                raise TreeError(f"{item.path} would be written through a link")
            mode = 0o755 if item.mode & 0o111 else 0o644
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
            with os.fdopen(fd, "wb") as out:
                item.stream_data(out)
            if not stat.S_ISREG(os.stat(path, follow_symlinks=False).st_mode):
                raise TreeError(f"{item.path} is not a regular file after writing")
    for parts, target in links.items():
        path = os.path.join(root, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(target, path)
    return notes
