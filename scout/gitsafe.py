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


def _archive(source: Path, commit: str, spool) -> None:
    """`git archive` of `commit` into the file `spool`. git runs on a throwaway git dir that borrows
    the source's objects (alternates), so neither the source's config nor its own attributes
    (`export-ignore`, `export-subst` would drop or rewrite files) apply: the copy is the commit."""
    import subprocess
    import tempfile

    env = {**git_environ(), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    found = subprocess.run(
        ["git", "-C", str(source), "rev-parse", "--path-format=absolute", "--git-path", "objects"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if found.returncode != 0 or not os.path.isdir(found.stdout.strip()):
        raise ValueError(f"{source} is not a git repository ({found.stderr.strip() or 'no objects'})")
    with tempfile.TemporaryDirectory(prefix="scout-archive-") as gitdir:
        for folder in ("objects/info", "refs", "info"):
            os.makedirs(os.path.join(gitdir, folder))
        Path(gitdir, "HEAD").write_text("ref: refs/heads/none\n")
        Path(gitdir, "objects/info/alternates").write_text(found.stdout.strip() + "\n")
        Path(gitdir, "info/attributes").write_text("* -export-ignore -export-subst\n")
        done = subprocess.run(
            ["git", "--git-dir", gitdir, "archive", "--format=tar", f"{commit}^{{tree}}"],
            stdout=spool,
            stderr=subprocess.PIPE,
            env={k: v for k, v in env.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_OBJECT_DIRECTORY")},
            check=False,
        )
    if done.returncode != 0:
        raise ValueError(f"commit {commit[:12]} is not in {source}: {done.stderr.decode(errors='replace').strip()}")


def export_commit(source: Path, commit: str, dest: Path) -> list[str]:
    """Write the files of `commit` of the repository at `source` under the empty folder `dest`:
    symlinks as links, executable bits kept, no .git, submodules skipped (a note each).

    `git archive` writes the tree and tarfile's `data` filter extracts it (no absolute paths, no
    links or files out of `dest`, no special files or set-id bits). Before anything is written,
    every path and every link is also checked against the whole tree (a crafted tree can list a
    path twice, or reach out only through another of its links), and links are made last.

    Raises TreeError for a tree that would write or point outside; ValueError when `source` is not
    a repository or does not hold `commit`."""
    import tarfile
    import tempfile

    with tempfile.SpooledTemporaryFile(max_size=64 << 20) as spool:
        _archive(source, commit, spool)
        spool.seek(0)
        with tarfile.open(fileobj=spool, mode="r:") as tar:
            members = [m for m in tar.getmembers() if ".git" not in m.name.rstrip("/").split("/")]
            kinds: dict[tuple[str, ...], str] = {}
            links: dict[tuple[str, ...], str] = {}
            for member in members:
                name = member.name.rstrip("/")
                parts = _split(name, "path")
                kind = (
                    "link" if member.issym() else "tree" if member.isdir() else "blob" if member.isfile() else "other"
                )
                if kind == "other":
                    raise TreeError(f"the commit holds {name!r}, which is not a file, folder or link; it looks crafted")
                if parts in kinds:
                    raise TreeError(f"the commit lists {name!r} twice; it looks crafted")
                for i in range(1, len(parts)):
                    if kinds.get(parts[:i], "tree") != "tree":
                        raise TreeError(f"the commit puts {name!r} below a file or link; it looks crafted")
                kinds[parts] = kind
                if kind == "link":
                    links[parts] = member.linkname
            for parts, target in links.items():
                try:
                    if target.startswith("/") or not target:
                        raise TreeError("a link is absolute or empty")
                    _resolve(parts[:-1] + tuple(target.split("/")), links)
                except TreeError as exc:
                    raise TreeError(
                        f"the symlink {'/'.join(parts)} -> {target} points outside the copy ({exc})"
                    ) from None
            # git can hold no empty folder: an empty one in the archive is a submodule's place.
            parents = {parts[:i] for parts in kinds for i in range(1, len(parts))}
            submodules = {parts for parts, kind in kinds.items() if kind == "tree" and parts not in parents}
            notes = [
                f"submodule {'/'.join(parts)} is not copied; add it again with `git submodule add`"
                for parts in sorted(submodules)
            ]
            kept = [m for m in members if _split(m.name.rstrip("/"), "path") not in submodules]
            ordered = [m for m in kept if not m.issym()] + [m for m in kept if m.issym()]
            try:
                tar.extractall(os.path.realpath(dest), members=ordered, filter="data")
            except tarfile.FilterError as exc:
                raise TreeError(f"{exc}; it looks crafted") from None
    return notes
