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


def _git(where: list[str], args: list[str], env: dict[str, str], data: bytes | None = None) -> bytes:
    """`git WHERE ARGS` (WHERE: `--git-dir D` or `-C D`), its output; ValueError with git's message."""
    import subprocess

    done = subprocess.run(["git", *where, *args], input=data, capture_output=True, env=env, check=False)
    if done.returncode != 0:
        raise ValueError(done.stderr.decode(errors="replace").strip() or f"git {args[0]} failed")
    return done.stdout


def _link_targets(gitdir: str, env: dict[str, str], oids: list[str]) -> list[str]:
    """The contents of the link blobs `oids` (one `git cat-file --batch` for all)."""
    if not oids:
        return []
    out = _git(["--git-dir", gitdir], ["cat-file", "--batch"], env, "".join(f"{oid}\n" for oid in oids).encode())
    targets, pos = [], 0
    for _ in oids:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        targets.append(out[header_end + 1 : header_end + 1 + size].decode("utf-8", "surrogateescape"))
        pos = header_end + 1 + size + 1
    return targets


def export_commit(source: Path, commit: str, dest: Path) -> list[str]:
    """Write the files of `commit` of the repository at `source` under the empty folder `dest`:
    symlinks as links, executable bits kept, no .git, submodules skipped (a note each).

    git writes the files (`checkout-index` into `dest`, as a worktree's checkout would, but with no
    `.git` link back), on a throwaway git dir that borrows the source's objects: neither the
    source's config (filters, hooks) nor its attributes (line-ending conversion, `ident`) apply,
    so the copy is the commit byte for byte. Before anything is written, every path and every link
    is checked against the whole tree (a crafted tree can list a path twice, or reach out only
    through another of its links), and git itself never writes through a symlink.

    Raises TreeError for a tree that would write or point outside; ValueError when `source` is not
    a repository or does not hold `commit`."""
    import tempfile

    env = {**git_environ(), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"):
        env.pop(name, None)
    try:
        objects = _git(["-C", str(source)], ["rev-parse", "--path-format=absolute", "--git-path", "objects"], env)
    except ValueError as exc:
        raise ValueError(f"{source} is not a git repository ({exc})") from None
    with tempfile.TemporaryDirectory(prefix="scout-export-") as gitdir:
        for folder in ("objects/info", "refs", "info"):
            os.makedirs(os.path.join(gitdir, folder))
        Path(gitdir, "HEAD").write_text("ref: refs/heads/none\n")
        Path(gitdir, "objects/info/alternates").write_text(objects.decode().strip() + "\n")
        Path(gitdir, "info/attributes").write_text("* -text -filter -ident -working-tree-encoding\n")
        try:
            listing = _git(["--git-dir", gitdir], ["ls-tree", "-r", "-z", "--full-tree", f"{commit}^{{tree}}"], env)
        except ValueError as exc:
            raise ValueError(f"commit {commit[:12]} is not in {source} ({exc})") from None
        entries = []  # (mode, oid, path) of what is written
        notes = []
        kinds: dict[tuple[str, ...], str] = {}
        link_oids: dict[tuple[str, ...], str] = {}
        for record in listing.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, oid = meta.decode().split()
            path = raw_path.decode("utf-8", "surrogateescape")
            if ".git" in path.split("/"):
                continue
            parts = _split(path, "path")
            if kind == "commit":
                notes.append(f"submodule {path} is not copied; add it again with `git submodule add`")
                continue
            if parts in kinds:
                raise TreeError(f"the commit lists {path!r} twice; it looks crafted")
            for i in range(1, len(parts)):
                if kinds.get(parts[:i], "tree") != "tree":
                    raise TreeError(f"the commit puts {path!r} below a file or link; it looks crafted")
                kinds.setdefault(parts[:i], "tree")
            is_link = int(mode, 8) == _SYMLINK_MODE
            kinds[parts] = "link" if is_link else "blob"
            if is_link:
                link_oids[parts] = oid
            entries.append(f"{mode} {oid}\t{path}")
        links = dict(zip(link_oids, _link_targets(gitdir, env, list(link_oids.values()))))
        for parts, target in links.items():
            try:
                if target.startswith("/") or not target:
                    raise TreeError("a link is absolute or empty")
                _resolve(parts[:-1] + tuple(target.split("/")), links)
            except TreeError as exc:
                raise TreeError(f"the symlink {'/'.join(parts)} -> {target} points outside the copy ({exc})") from None
        index_env = {**env, "GIT_INDEX_FILE": os.path.join(gitdir, "index")}
        data = "".join(f"{entry}\0" for entry in entries).encode("utf-8", "surrogateescape")
        _git(["--git-dir", gitdir], ["update-index", "-z", "--index-info"], index_env, data)
        # Parallel workers (one per core) write the files: 10k files take a third to half the time.
        _git(
            ["--git-dir", gitdir, "-c", "checkout.workers=0"],
            ["checkout-index", "--all", "--force", f"--prefix={os.path.realpath(dest)}/"],
            index_env,
        )
    return notes
