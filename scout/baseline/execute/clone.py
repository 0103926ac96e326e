"""Pick the repos worth evaluating, and clone them at a pinned commit under cache/repos/."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import psutil

from scout.errors import CloneError, ConfigError, UsageError
from scout.gitsafe import git_environ
from scout.models import Repo

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Target:
    """A repo to evaluate."""

    url: str


@dataclass(frozen=True)
class Checkout:
    url: str
    path: Path
    commit: str
    date: str | None = None  # the commit's date (ISO 8601): installs resolve as of that day


def _preference(repo: Repo) -> tuple:
    return (not repo.official, -(repo.stars or 0))


def pick_repos(store, top: int) -> list[Target]:
    """The best repo of each paper of the latest search, in rank order, until `top` are found.

    Within a paper an official repo beats an unofficial one, then more stars win; archived
    repos are skipped."""
    search = store.latest_search()
    if search is None:
        raise ConfigError("no stored search to take repos from; run `scout search QUERY` first or pass --repo")
    picked: list[Target] = []
    seen: set[str] = set()
    for paper in store.papers_by_ids(search.ranked_ids):
        repos = sorted((r for r in paper.repos if not r.archived and r.url not in seen), key=_preference)
        if repos:
            picked.append(Target(repos[0].url))
            seen.add(repos[0].url)
        if len(picked) >= top:
            break
    if not picked:
        raise ConfigError(f"no paper of the latest search ({search.query!r}) links a usable repo; pass --repo")
    return picked


def targets_for(repos: tuple[str, ...], from_sota: bool, top: int, store) -> list[Target]:
    """The repos a baseline request names: --repo ones, then the latest leaderboard's top rows with
    code (--from-sota); with neither, the top repos of the latest search."""
    targets = [Target(resolve_source(repo)) for repo in repos]
    if from_sota:
        from scout.leaderboard.board import code_targets

        targets += [Target(url) for url in code_targets(store, top)]
    return targets or pick_repos(store, top)


def resolve_source(arg: str) -> str:
    """A --repo argument as git understands it: URLs stay, local paths become absolute."""
    text = arg.strip()
    if re.match(r"^(https?|git|ssh|file)://", text) or re.match(r"^[\w.-]+@[\w.-]+:", text):
        return text
    path = Path(text).expanduser()
    if path.exists():
        return str(path.resolve())
    # owner/name is GitHub's; anything shaped like a path (./x, ../x, /x, ~/x) is a folder that is not there.
    if re.fullmatch(r"[\w-][\w.-]*/[\w.-]+", text) and not text.startswith(("./", "../", "~")):
        return f"https://github.com/{text}"
    if text.startswith(("./", "../", "/", "~", ".")) or "/" in text or "\\" in text:
        raise UsageError(f"--repo {arg!r}: no such folder ({path.absolute()}); give an existing folder or a URL")
    raise UsageError(f"--repo {arg!r} is neither a URL, owner/name nor an existing folder")


def slug(url: str) -> str:
    """'https://github.com/o/r.git' -> 'o__r'; a local folder gets a hash so two of one name differ."""
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https", "git", "ssh") or re.match(r"^[\w.-]+@[\w.-]+:", url):
        path = parsed.path if parsed.scheme else url.split(":", 1)[1]
        parts = [p for p in path.removesuffix(".git").strip("/").split("/") if p]
        if len(parts) >= 2:
            return "__".join(_safe(p) for p in parts[-2:])
    local = parsed.path if parsed.scheme == "file" else url
    name = _safe(Path(local.rstrip("/")).name.removesuffix(".git")) or "repo"
    return f"local__{name}-{hashlib.sha1(local.encode()).hexdigest()[:6]}"


def _safe(part: str) -> str:
    return re.sub(r"[^\w.-]+", "_", part).strip(".")


def _git_error(url: str, stderr: str) -> CloneError:
    lines = [line.strip().removeprefix("stderr:").strip(" '") for line in str(stderr).splitlines() if line.strip()]
    reason = next(
        (line for line in reversed(lines) if line.startswith(("fatal:", "error:"))),
        lines[-1] if lines else "unknown error",
    )
    return CloneError(
        f"cannot clone {url}: {reason}; check the URL, or clone a private repo yourself and pass --repo PATH"
    )


def _git(argv: list[str], url: str, cwd: Path | None = None) -> str:
    """Run git hardened; it dies with scout (a kill -9 of scout leaves no clone running)."""
    try:
        done = subprocess.run(
            ["git", *argv],
            cwd=cwd,
            env=git_environ(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
            preexec_fn=_die_with_parent,
        )
    except OSError as exc:
        raise CloneError(f"cannot run git ({exc}); install git") from exc
    if done.returncode != 0:
        raise _git_error(url, done.stderr)
    return done.stdout.strip()


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _remove_abandoned(repos_dir: Path, name: str) -> None:
    """Temporary clones left by a scout process that was killed (its pid is in the name)."""
    for path in repos_dir.glob(f".{name}-*-tmp*"):
        pid = path.name[len(name) + 2 :].split("-", 1)[0]
        if pid.isdigit() and not psutil.pid_exists(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def clone(url: str, repos_dir: Path, update: bool = False) -> Checkout:
    """A shallow clone in repos_dir/<slug>, reused when present (`update` fetches the newest
    commit first). The clone is made in a temporary folder and renamed into place, so an
    interrupted clone never looks complete. git runs with hooks and fsmonitor off, whatever the
    repository's own config says."""
    if url.startswith("-") or re.match(r"^[\w+.-]+::", url):
        raise CloneError(f"{url!r} is not a repository URL scout clones (transport `::` or option-like)")
    target = (repos_dir / slug(url)).resolve()
    if target.is_dir():
        if update:
            _git(["fetch", "--depth", "1", "origin"], url, cwd=target)
            _git(["reset", "--hard", "FETCH_HEAD"], url, cwd=target)
        return Checkout(url, target, *_head_and_date(url, target))
    local = Path(urlparse(url).path) if url.startswith("file://") else Path(url) if Path(url).is_absolute() else None
    if local is not None and not local.exists():
        raise CloneError(f"{local} does not exist; check the path given to --repo")
    if local is not None and not ((local / ".git").exists() or (local / "HEAD").is_file()):
        raise CloneError(
            f"{url} is not a git repository; run `git init && git add -A && git commit` there, or pass a git URL"
        )
    try:
        repos_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CloneError(f"cannot create {repos_dir}: {exc.strerror}; check --cache-dir") from exc
    _remove_abandoned(repos_dir, target.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-{os.getpid()}-tmp", dir=repos_dir))
    try:
        # file:// makes git honour --depth for a local folder too.
        source = Path(url).as_uri() if Path(url).is_absolute() else url
        _git(["clone", "--quiet", "--depth", "1", "--no-recurse-submodules", "--", source, str(tmp)], url)
        commit = _head(url, tmp)
        os.rename(tmp, target)
    except OSError:
        if not target.is_dir():  # another scout process won the race for this folder: use its clone
            raise
        commit = _head(url, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Checkout(url, target, commit, _date(url, target))


def _head(url: str, path: Path) -> str:
    try:
        return _git(["rev-parse", "--verify", "HEAD^{commit}"], url, cwd=path)
    except CloneError:
        raise CloneError(f"{url} has no commits; commit the code first") from None


def _head_and_date(url: str, path: Path) -> tuple[str, str | None]:
    """_head and _date in one git call: every plan of a repo already cloned asks both."""
    try:
        commit, _, date = _git(["log", "-1", "--format=%H%n%cI", "HEAD^{commit}"], url, cwd=path).partition("\n")
    except CloneError:  # no commits (or git failed): say so as _head does
        return _head(url, path), _date(url, path)
    return commit, date or None


def _date(url: str, path: Path) -> str | None:
    try:
        return _git(["log", "-1", "--format=%cI"], url, cwd=path) or None
    except CloneError:
        return None
