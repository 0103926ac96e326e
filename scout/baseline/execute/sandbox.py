"""What a process that can run a repo's code gets to see: an allowlisted environment with a fresh
HOME, and under --sandbox a bubblewrap jail.

The jail: every capability dropped, in a new user namespace, or (when scout runs as root) as the
real unprivileged uid 65534 with an empty capability bounding set; new PID, IPC and UTS
namespaces that die with scout; no network unless
the step is an installer, a minimal /dev (plus the GPU devices), and the host's private places
hidden behind empty tmpfs: /home, /root, $HOME, /run (docker.sock, dbus), /tmp, /var/tmp, /mnt,
/media, /srv, scout's working directory and its cache dir. The rest of the file system is
read-only; only the folders a step needs are writable."""

from __future__ import annotations

import os
import re
import shutil
import site
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from scout.errors import EvalError

# What a run may inherit from scout's environment; everything else (tokens, passwords, URLs with
# credentials, cloud config, agent sockets) stays behind unless --pass-env names it.
_ALLOWED = re.compile(
    r"PATH|LANG|LANGUAGE|LC_[A-Z_]+|TERM|TZ|CUDA_[A-Z0-9_]+|NVIDIA_[A-Z0-9_]+|SCOUT_SEED|SCOUT_DEVICE"
    r"|PYTHONHASHSEED|MPLBACKEND|OMP_NUM_THREADS"
)
NOBODY = 65534
_HIDDEN = ("/home", "/root", "/run", "/var/run", "/tmp", "/var/tmp", "/mnt", "/media", "/srv")
_GPU_DEVICES = re.compile(r"nvidia.*|dri|kfd")


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
    readable: tuple[Path, ...] = ()  # shown read-only even where the jail hides their parents
    hidden: tuple[Path, ...] = ()  # beyond the standard ones: the cache dir, the working directory
    network: bool = False
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
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise EvalError(
                "--sandbox needs bubblewrap (`bwrap`), which is not installed; install it "
                "(Debian/Ubuntu: apt install bubblewrap) or run without --sandbox"
            )
        wrapped = [bwrap, "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        wrapped += ["--die-with-parent", "--new-session", "--cap-drop", "ALL"]
        if self.as_nobody:
            # Root in a user namespace still owns every root-owned file; the command runs as the
            # real uid 65534 instead, with no capabilities and an empty bounding set.
            wrapped += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
        else:
            wrapped.append("--unshare-user")
        if not self.network:
            wrapped.append("--unshare-net")
        wrapped += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        for device in sorted(Path("/dev").iterdir()) if Path("/dev").is_dir() else ():
            if _GPU_DEVICES.fullmatch(device.name):
                wrapped += ["--dev-bind", str(device), str(device)]
        home = os.environ.get("HOME")
        hidden = [*_HIDDEN, *([home] if home else []), *map(str, self.hidden)]
        mounts = []
        for path in dict.fromkeys(os.path.abspath(p) for p in hidden):
            if os.path.isdir(path) and not os.path.islink(path) and path != "/":
                mode = "1777" if path in ("/tmp", "/var/tmp") else "0755"
                wrapped += ["--perms", mode, "--tmpfs", path]
                mounts.append(path)
        made: set[str] = set()
        binds = [("--ro-bind-try", p) for p in (*self.readable, *_python_roots())]
        binds += [("--bind", p.resolve()) for p in self.writable]
        for option, path in binds:
            # Folders bwrap makes on the way to a mount point would be 0700, closed to uid 65534.
            for parent in reversed(Path(path).parents):
                text = str(parent)
                if text not in made and any(text.startswith(m + "/") for m in mounts):
                    wrapped += ["--perms", "0755", "--dir", text]
                    made.add(text)
            wrapped += [option, str(path), str(path)]
        wrapped += ["--chdir", str(cwd.resolve()), "--"]
        if self.as_nobody:
            wrapped += [shutil.which("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
            wrapped += ["--bounding-set=-all", "--inh-caps=-all"]
        return wrapped + argv


def _chown_tree(path: Path, uid: int) -> None:
    for root, dirs, files in os.walk(path):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            os.lchown(name, uid, uid)
