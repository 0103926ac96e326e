"""A Python environment per repo: a venv under cache/envs/<slug> that also sees the host's
packages (so a CUDA build of torch already installed is reused, never downloaded again), with
the repo's requirements installed by uv when it is on PATH, else by pip."""

from __future__ import annotations

import hashlib
import json
import re
import site
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scout.baseline.discover.installs import (
    Installs,
    find_python,
    imported_modules,
    python_mismatch,
    uv_binary,
    without_host_torch,
)
from scout.baseline.execute.diagnose import diagnose
from scout.baseline.execute.egress import registries_only
from scout.baseline.execute.process import run_streaming
from scout.baseline.execute.sandbox import Confinement
from scout.errors import EvalError, ScoutError
from scout.files import read_nofollow, write_nofollow

# PyPI names that install nothing useful, and what the repo meant.
_DEAD_REQUIREMENTS = {"sklearn": "scikit-learn"}
_SETUP_TIMEOUT_S = 1800.0
SANDBOXED_NETWORK = "in the sandbox; network: the package registries only"

_ENV_PROBE = """
import json, platform, re
from importlib import metadata
def version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
torch = version("torch")
cuda = None
local = re.search(r"\\+cu(\\d+)(\\d)$", torch or "")
if local:
    cuda = local.group(1) + "." + local.group(2)
else:
    runtime = version("nvidia-cuda-runtime-cu12") or version("nvidia-cuda-runtime-cu11")
    cuda = ".".join(runtime.split(".")[:2]) if runtime else None
print(json.dumps({"python": platform.python_version(), "torch": torch, "cuda": cuda}))
"""


@dataclass(frozen=True)
class PythonEnv:
    python: Path
    kind: str  # "current" or "venv"

    @property
    def bin_dir(self) -> Path:
        return self.python.parent

    def path_env(self, environ: dict[str, str]) -> dict[str, str]:
        """`python` and console scripts in commands resolve to this env first."""
        values = {"PATH": f"{self.bin_dir}:{environ.get('PATH', '')}"}
        if self.kind == "venv":
            values["VIRTUAL_ENV"] = str(self.bin_dir.parent)
        return values


def current_env() -> PythonEnv:
    return PythonEnv(Path(sys.executable), "current")


def _probe(env: PythonEnv, jail: Confinement, cwd: Path, code: str, *args: str):
    """Run a probe in the env's Python: it runs the repo's .pth files, so it is confined like the
    evaluation itself (same environment, same sandbox)."""
    argv = jail.argv([str(env.python), "-c", code, *args], cwd)
    out = subprocess.run(argv, cwd=cwd, env=jail.env, capture_output=True, text=True, timeout=60, check=False)
    return json.loads(out.stdout.strip().splitlines()[-1])


def describe(env: PythonEnv, jail: Confinement, cwd: Path) -> dict[str, str | None]:
    """Python, torch and CUDA versions of the env, read from package metadata (torch is not imported)."""
    unknown = {"python": None, "torch": None, "cuda": None}
    try:
        found = _probe(env, jail, cwd, _ENV_PROBE)
    except (OSError, subprocess.SubprocessError, ValueError, IndexError, ScoutError):
        return unknown
    if not isinstance(found, dict):
        return unknown
    return {key: found.get(key) if isinstance(found.get(key), str) else None for key in unknown}


_FIND_MISSING = (
    "import importlib.util, json, sys\n"
    "print(json.dumps([n for n in sys.argv[1:] if importlib.util.find_spec(n) is None]))"
)


def missing_imports(repo_dir: Path, env: PythonEnv, jail: Confinement) -> list[str]:
    """Modules the code imports that the env cannot find: undeclared dependencies, usually."""
    wanted = sorted(imported_modules(repo_dir))
    if not wanted:
        return []
    try:
        found = _probe(env, jail, repo_dir, _FIND_MISSING, *wanted)
    except (OSError, subprocess.SubprocessError, ValueError, IndexError, ScoutError):
        return []
    return [name for name in found if name in wanted] if isinstance(found, list) else []


def fixed_requirements(text: str) -> tuple[str, list[str]]:
    """The requirements with dead PyPI stubs replaced, and a note per replacement."""
    notes, lines = [], []
    for line in text.splitlines():
        name = re.match(r"\s*([A-Za-z0-9_.-]+)", line)
        if name and name.group(1).lower() in _DEAD_REQUIREMENTS:
            real = _DEAD_REQUIREMENTS[name.group(1).lower()]
            notes.append(f"requirement {name.group(1)!r} is a dead PyPI stub; installing {real!r} instead")
            line = real + line[name.end() :]
        lines.append(line)
    return "\n".join(lines) + "\n", notes


def _installer(python: Path, installs: Installs | None = None) -> list[str]:
    """pip for a venv of scout's own Python: it counts the host's packages (through the venv's .pth)
    as installed, so a CUDA torch already there is kept; uv ignores them and would download torch
    again. uv for a venv of the repo's own Python, which shares nothing with the host anyway; there
    unpinned requirements resolve as of the commit's date."""
    uv = uv_binary()
    if uv and installs is not None and python_mismatch(installs.requires_python):
        newer = ["--exclude-newer", installs.exclude_newer] if installs.exclude_newer else []
        return [uv, "pip", "install", "--python", str(python), *newer]
    return [sys.executable, "-m", "pip", "--python", str(python), "install", "--disable-pip-version-check"]


def _log(log: BinaryIO, text: str) -> None:
    log.write(f"[scout] {text}\n".encode())
    log.flush()


def _step(argv: list[str], what: str, *, cwd: Path, jail: Confinement, log: BinaryIO, cancel=None) -> None:
    _log(log, "$ " + " ".join(argv) + (f"  ({SANDBOXED_NETWORK})" if jail.sandbox else ""))
    jail.prepare()
    wrapped = jail.argv(argv, cwd)
    result = run_streaming(wrapped, cwd=cwd, env=jail.env, log=log, timeout=_SETUP_TIMEOUT_S, cancel=cancel)
    refused = jail.egress.take_refused() if jail.egress else []
    for target in refused:
        _log(log, f"--sandbox refused a connection to {target}")
    if result.interrupted:
        raise KeyboardInterrupt
    if result.exit_code != 0:
        why = "timed out" if result.timed_out else f"exited with {result.exit_code}"
        fix = diagnose(_tail(log)) or "see the log, fix the requirements, or use --env current"
        if refused:
            fix = (
                f"it tried to reach {refused[0]}, and under --sandbox setup steps reach only the package "
                "registries (PyPI, or an index you configured); install it yourself or run without --sandbox"
            )
        raise EvalError(f"{what} failed ({why}): {fix}")


def _tail(log: BinaryIO, size: int = 20_000) -> str:
    """The end of what the log holds so far (the installer's own output included)."""
    try:
        log.flush()
        end = log.seek(0, 2)
        log.seek(max(0, end - size))
        return log.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""


def _create_venv(env_dir: Path, *, cwd: Path, jail: Confinement, log: BinaryIO, python_spec: str | None) -> Path:
    uv = uv_binary()
    if uv and python_mismatch(python_spec):
        # The repo's own Python: the host's packages (its torch too) are of another Python, so none are shared.
        argv = [uv, "venv", "--python", find_python(python_spec) or python_spec, str(env_dir)]
        _step(argv, f"creating a venv with Python {python_spec}", cwd=cwd, jail=jail.with_(sandbox=False), log=log)
        return env_dir / "bin" / "python"
    if uv:
        argv = [uv, "venv", "--system-site-packages", "--python", sys.executable, str(env_dir)]
    else:
        argv = [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(env_dir)]
    # scout's own interpreter makes the venv; nothing of the repo runs yet, so no sandbox is needed.
    _step(argv, "creating the venv", cwd=cwd, jail=jail.with_(sandbox=False), log=log)
    python = env_dir / "bin" / "python"
    # --system-site-packages reaches the base interpreter's packages only; when scout itself runs
    # in a venv, the packages that venv holds (torch, say) are added through a .pth file.
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site_dir = env_dir / "lib" / version / "site-packages"
    site_dir.mkdir(parents=True, exist_ok=True)
    write_nofollow(site_dir / "_scout_host.pth", "\n".join(site.getsitepackages()) + "\n")
    return python


def planned_steps(
    env_dir: Path, installs: Installs | None, setup: tuple[str, ...], env_mode: str, sandbox: bool
) -> list[str]:
    """Every setup step that will run before the evaluation, as the confirm screen shows it."""
    where = f" ({SANDBOXED_NETWORK}; only the env folder writable)" if sandbox else " (with network)"
    steps = []
    if env_mode != "current" and installs is not None:
        own_python = python_mismatch(installs.requires_python) and uv_binary() is not None
        installer = "uv" if own_python else "pip"
        python = f" with Python {installs.requires_python}" if own_python else ""
        steps.append(f"create or reuse the venv {env_dir}{python}")
        as_of = f" (as of {installs.exclude_newer[:10]})" if installs.exclude_newer and own_python else ""
        steps += [f"{installer}: {step}{as_of} into {env_dir}{where}" for step in installs.steps()]
    steps += [f"setup: {command}" + (f" ({SANDBOXED_NETWORK})" if sandbox else "") for command in setup]
    return steps


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def prepare_env(
    repo_dir: Path,
    env_dir: Path,
    setup: tuple[str, ...],
    *,
    installs: Installs,
    jail: Confinement,
    log: BinaryIO,
    cancel=None,
) -> PythonEnv:
    """Create (or reuse) the repo's venv and install what the plan says, in order: the requirement
    files, the repo itself when it is a package, then a conda file's pip list or the inferred
    packages; all output goes to `log`. Nothing is installed again while the declarations and the
    setup steps are unchanged. Installers get only the env folder (and the run's HOME) writable;
    setup steps also get the run's folders. Under --sandbox both reach the package registries only."""
    env_dir = env_dir.resolve()  # the steps run inside the repo folder
    declared = "\n".join(_read_text(repo_dir / path) for path in installs.requirement_files)
    fingerprint = hashlib.sha256(
        json.dumps(
            [
                declared,
                *(_read_text(repo_dir / name) for name in ("pyproject.toml", "setup.py", "setup.cfg")),
                repr(installs),
                list(setup),
                _installer(Path("python"), installs)[0],
            ]
        ).encode()
    ).hexdigest()
    marker = env_dir / ".scout-installed"
    python = env_dir / "bin" / "python"
    if python.exists() and _read_marker(marker) == fingerprint:
        _log(log, f"reusing the environment {env_dir}")
        return PythonEnv(python, "venv")
    if not python.exists():
        python = _create_venv(env_dir, cwd=repo_dir, jail=jail, log=log, python_spec=installs.requires_python)
    venv = PythonEnv(python, "venv")
    env = {**jail.env, **venv.path_env(jail.env)}
    # Under --sandbox the installs and setup steps reach the package registries and nothing else.
    with registries_only(jail.sandbox, env) as egress:
        jail = jail.with_(egress=egress)
        home = Path(jail.env["HOME"])
        # uv reads the system certificate store, as pip does through its config: an institution's proxy CA works.
        # The repo's copy is read-only to it: the installer runs in it, and reads its setup files.
        installer = jail.with_(
            env={"UV_NATIVE_TLS": "1", **env}, writable=(env_dir, home), readable=(*jail.readable, repo_dir)
        )
        install = _installer(python, installs)
        if declared.strip():
            fixed, notes = fixed_requirements(declared)
            if not python_mismatch(installs.requires_python):
                fixed, kept = without_host_torch(fixed)
                notes += kept
            for note in notes:
                _log(log, note)
            write_nofollow(env_dir / "requirements.scout.txt", fixed)
            _step(
                [*install, "-r", str(env_dir / "requirements.scout.txt")],
                "installing " + ", ".join(installs.requirement_files),
                cwd=repo_dir,
                jail=installer,
                log=log,
                cancel=cancel,
            )
        if installs.package:
            _step(
                [*install, "-e", str(repo_dir)],
                "installing the repo itself (it is a Python package)",
                cwd=repo_dir,
                jail=installer.with_(writable=(env_dir, home, repo_dir)),  # setuptools writes egg-info in place
                log=log,
                cancel=cancel,
            )
        extra = installs.conda_pip or installs.inferred
        if extra:
            what = "the conda file's pip packages" if installs.conda_pip else f"packages {installs.inferred_from}"
            _step([*install, *extra], f"installing {what}", cwd=repo_dir, jail=installer, log=log, cancel=cancel)
        steps = jail.with_(env=env, writable=(*jail.writable, env_dir))
        _setup_steps(setup, repo_dir=repo_dir, jail=steps, log=log, cancel=cancel)
    write_nofollow(marker, fingerprint + "\n")
    return venv


def _read_marker(marker: Path) -> str | None:
    try:
        return read_nofollow(marker, 4096).decode("ascii", "replace").strip()
    except OSError:
        return None


def _setup_steps(setup: tuple[str, ...], *, repo_dir: Path, jail: Confinement, log: BinaryIO, cancel) -> None:
    for command in setup:
        argv = ["/bin/sh", "-c", command]
        _step(argv, f"the setup step `{command}`", cwd=repo_dir, jail=jail, log=log, cancel=cancel)


def run_setup(
    setup: tuple[str, ...], env: PythonEnv, *, repo_dir: Path, jail: Confinement, log: BinaryIO, cancel=None
) -> None:
    """Setup steps in the current interpreter (--env current): same log, same failure message."""
    path_env = {**jail.env, **env.path_env(jail.env)}
    with registries_only(jail.sandbox, path_env) as egress:
        steps = jail.with_(env=path_env, egress=egress)
        _setup_steps(setup, repo_dir=repo_dir, jail=steps, log=log, cancel=cancel)
