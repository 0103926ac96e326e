"""What a process that can run a repo's code gets to see: an allowlisted environment with a fresh
HOME, and under --sandbox a bubblewrap jail.

The jail: every capability dropped, in a new user namespace, or (when scout runs as root) as the
real unprivileged uid 65534 with an empty capability bounding set; new PID, IPC, UTS and network
namespaces that die with scout. Its file system is built, not inherited: the system folders
(/usr, /etc, /opt and the /bin, /lib links) and Python's own folders read-only, the folders the
step needs, fresh /tmp, /var/tmp, /dev/shm and /run, a minimal /dev (plus the GPU devices), its
own /proc, an empty /sys; nothing else of the host (/home, /root, /mnt, /srv, /var, other
mounts). Every unix socket the host has bound inside what stays visible is covered, so a path
socket outside the run's folders cannot be connected to; abstract sockets belong to the network
namespace, so the host's are out of reach too. Setup steps reach the package registries only, through
egress.py's proxy; the evaluation has no network at all."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import site
import stat
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from scout.baseline.execute.egress import Egress
from scout.errors import EvalError

# What a run may inherit from scout's environment; everything else (tokens, passwords, URLs with
# credentials, cloud config, agent sockets) stays behind unless --pass-env names it.
_ALLOWED = re.compile(
    r"PATH|LANG|LANGUAGE|LC_[A-Z_]+|TERM|TZ|CUDA_[A-Z0-9_]+|NVIDIA_[A-Z0-9_]+|SCOUT_SEED|SCOUT_DEVICE"
    r"|PYTHONHASHSEED|MPLBACKEND|OMP_NUM_THREADS"
)
NOBODY = 65534
# The host's system folders, shown read-only (a link such as /bin -> usr/bin is made again as a link).
_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix", "/gnu")
_FRESH = {"/tmp": "1777", "/var/tmp": "1777", "/dev/shm": "1777", "/run": "0755"}  # private to the jail
_GPU_DEVICES = re.compile(r"nvidia.*|dri|kfd")
EGRESS_SOCKET = "/run/scout/egress.sock"  # where a setup step's jail finds the registry proxy
_BRIDGE = Path(__file__).with_name("bridge.py")


def child_env(environ: Mapping[str, str], home: Path, pass_env: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
    """The allowlisted environment, HOME set to `home`, and scout's own variables."""
    env = {name: value for name, value in environ.items() if _ALLOWED.fullmatch(name) or name in pass_env}
    env.setdefault("PATH", os.defpath)
    home = str(home.resolve())
    env.update({"HOME": home, "XDG_CACHE_HOME": f"{home}/.cache", "XDG_CONFIG_HOME": f"{home}/.config"})
    env.update(extra)
    return env


def _python_roots() -> list[Path]:
    """The interpreters and packages a repo's venv reuses (its .pth points into scout's own)."""
    roots = {Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).resolve().parent.parent}
    roots |= {Path(p) for p in site.getsitepackages()}
    uv = shutil.which("uv")
    if uv:
        roots.add(Path(uv).resolve().parent)
    return sorted(root.resolve() for root in roots if root.exists())


@dataclass(frozen=True)
class Confinement:
    """How to start a process that may run the repo's code."""

    env: dict[str, str]
    sandbox: bool = False
    writable: tuple[Path, ...] = ()
    readable: tuple[Path, ...] = ()  # shown read-only besides the system folders
    hidden: tuple[Path, ...] = ()  # never shown, even inside a system folder: the cache dir, the working directory
    egress: Egress | None = None  # the registry proxy (setup steps); None: no network at all
    as_nobody: bool = field(default_factory=lambda: os.geteuid() == 0 and shutil.which("setpriv") is not None)

    def with_(self, **changes) -> Confinement:
        return replace(self, **changes)

    def prepare(self) -> None:
        """The writable folders exist and, for the unprivileged uid, belong to it."""
        for path in self.writable:
            path.mkdir(parents=True, exist_ok=True)
            if self.sandbox and self.as_nobody:
                _chown_tree(path, NOBODY)

    def argv(self, argv: list[str], cwd: Path) -> list[str]:
        """argv as it must be started: unchanged without the sandbox, else inside bubblewrap."""
        if not self.sandbox:
            return argv
        bwrap = _usable_bwrap()
        wrapped = [bwrap, *_namespaces(self.as_nobody), "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
        if self.as_nobody:
            # Root in a user namespace still owns every root-owned file; the command runs as the
            # real uid 65534 instead, with no capabilities and an empty bounding set.
            wrapped += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
        wrapped += self._file_system()
        wrapped += ["--remount-ro", "/", "--chdir", str(cwd.resolve()), "--"]
        if self.as_nobody:
            wrapped += [shutil.which("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
            wrapped += ["--bounding-set=-all", "--inh-caps=-all"]
        if self.egress is not None:
            wrapped += [sys.executable, "-I", "-S", "-c", _BRIDGE.read_text(encoding="utf-8"), EGRESS_SOCKET, "--"]
        return wrapped + argv

    def _file_system(self) -> list[str]:
        """The jail's mounts: system folders, fresh ones, then hidden places and binds, and last the
        host's sockets covered."""
        mounts: list[str] = []
        shown: list[tuple[str, bool]] = []  # (mount point, whether the host's files show there)
        for path in _SYSTEM:
            if os.path.islink(path):
                mounts += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                mounts += ["--ro-bind", path, path]
                shown.append((path, True))
        mounts += ["--dev", "/dev", "--proc", "/proc", "--perms", "0555", "--tmpfs", "/sys", "--remount-ro", "/sys"]
        for device in sorted(Path("/dev").iterdir()) if Path("/dev").is_dir() else ():
            if _GPU_DEVICES.fullmatch(device.name):
                mounts += ["--dev-bind", str(device), str(device)]
        home = os.environ.get("HOME")
        mounts += ["--perms", "0755", "--dir", "/var"]
        for path, mode in _FRESH.items():
            mounts += ["--perms", mode, "--tmpfs", path]
            shown.append((path, False))
        if self.egress is not None:
            mounts += ["--perms", "0755", "--dir", os.path.dirname(EGRESS_SOCKET)]
            mounts += ["--ro-bind", str(self.egress.socket_path), EGRESS_SOCKET]
        # Shallower first, so what lies deeper wins: the run's folders inside the hidden cache dir
        # show, and a HOME inside a Python folder stays hidden.
        places = [(path, "--tmpfs") for path in (*([home] if home else []), *map(str, self.hidden))]
        places += [(str(p), "--ro-bind-try") for p in (*self.readable, *_python_roots())]
        places += [(str(p), "--bind") for p in self.writable]
        rank = {"--tmpfs": 0, "--ro-bind-try": 1, "--bind": 2}
        made: set[str] = set()
        for path, option in sorted(
            {(os.path.realpath(p), o) for p, o in places}, key=lambda m: (m[0].count("/"), rank[m[1]], m[0])
        ):
            if option == "--tmpfs":
                if _visible(path, shown) and os.path.isdir(path):
                    mounts += ["--perms", "0755", "--tmpfs", path]
                    shown.append((path, False))
                continue
            # Folders bwrap makes on the way to a mount point would be 0700, closed to uid 65534.
            for parent in reversed(Path(path).parents):
                text = str(parent)
                if text != "/" and text not in made and not _visible(text, shown):
                    mounts += ["--perms", "0755", "--dir", text]
                    made.add(text)
            mounts += [option, path, path]
            shown.append((path, True))
        for path in _host_sockets():
            if _visible(path, shown) and not any(_under(path, os.path.realpath(w)) for w in self.writable):
                mounts += ["--ro-bind", "/dev/null", path]
        return mounts


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _visible(path: str, shown: list[tuple[str, bool]]) -> bool:
    """Whether the host's `path` shows in the jail: the innermost mount over it (the last made, of
    two on the same point) shows the host's files."""
    over = [(point, host) for point, host in shown if _under(path, point)]
    return bool(over) and max(reversed(over), key=lambda m: len(m[0]))[1]


def _host_sockets() -> list[str]:
    """The paths of the unix sockets bound in scout's network namespace that are there now: every
    listening one a local daemon offers. (A socket bound by a process of another network
    namespace, such as a container's, is not listed; see the README.)"""
    try:
        lines = Path("/proc/net/unix").read_text(encoding="utf-8", errors="replace").splitlines()[1:]
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split(maxsplit=7)
        if len(fields) == 8 and fields[7].startswith("/"):
            with contextlib.suppress(OSError):
                if stat.S_ISSOCK(os.lstat(fields[7]).st_mode):
                    found.append(os.path.normpath(fields[7]))
    return sorted(set(found))


def _namespaces(as_nobody: bool) -> list[str]:
    user = [] if as_nobody else ["--unshare-user"]
    return [*user, "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net", "--unshare-cgroup-try"]


def _usable_bwrap() -> str:
    """bwrap, checked to make this jail's namespaces here: never a run with fewer."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise EvalError(
            "--sandbox needs bubblewrap (`bwrap`), which is not installed; install it "
            "(Debian/Ubuntu: apt install bubblewrap) or run without --sandbox"
        )
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        raise EvalError(
            "--sandbox, with scout running as root, needs `setpriv` to run the code as uid 65534; install it "
            "(Debian/Ubuntu: apt install util-linux) or run scout as another user"
        )
    refused = _refusal(bwrap, os.geteuid() == 0)
    if refused:
        raise EvalError(
            f"--sandbox cannot make its jail here (bwrap: {refused}): it needs user and network namespaces; "
            "allow them (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0; in a "
            "container, one that permits namespaces), run scout as root, or run without --sandbox"
        )
    return bwrap


@functools.cache
def _refusal(bwrap: str, as_nobody: bool) -> str | None:
    """Why bwrap cannot make the namespaces here (its own last line), or None when it can."""
    probe = [bwrap, *_namespaces(as_nobody), "--ro-bind", "/", "/", "--", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if done.returncode == 0:
        return None
    return (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]


def _chown_tree(path: Path, uid: int) -> None:
    for root, dirs, files in os.walk(path):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            os.lchown(name, uid, uid)
