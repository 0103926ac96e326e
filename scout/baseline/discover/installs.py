"""What to install before a repo's evaluation runs, decided from the checkout alone and shown on
the plan before anything is installed: every requirements file the repo declares, the repo itself
when it is a package (so its console scripts and its own imports exist), a conda file's pip list,
and, when the repo declares nothing, what its README says to `pip install` or else what its code
imports. The Python the repo asks for (`requires-python`, `python_requires`) and the commit's date
(unpinned requirements resolve as of that day) come along."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from scout.baseline.discover.traced import python_imports

_SKIPPED_REQUIREMENTS = re.compile(r"dev|test|docs?|lint|ci|optional|extras?", re.I)
_CONDA_FILES = ("environment.yml", "environment.yaml", "env.yml", "conda.yaml")
_PACKAGE_FILES = ("setup.py", "setup.cfg", "pyproject.toml")
# `pip install a b c` in a README; the package list ends at a shell operator or a comment.
_PIP_LINE = re.compile(r"(?:^|[`$\s])pip3?\s+install\s+([^\n`|;&#]+)", re.M)
# The version a folder or program name carries: uv's `cpython-3.8.20-linux-x86_64-gnu`, pyenv's
# `3.8.18`, PATH's `python3.8`.
_UV_PYTHON = re.compile(r"cpython-(\d+)\.(\d+)\.\d+-.+")
_PYENV_PYTHON = re.compile(r"(\d+)\.(\d+)\.\d+")
_PATH_PYTHON = re.compile(r"python(\d+)\.(\d+)")
# uv makes venvs of Python 3.6 and newer only (older ones lack `-I`).
UV_OLDEST_PYTHON = (3, 6)
_PYTHON_REQUIRES = re.compile(r"python_requires\s*=\s*['\"]([^'\"]+)['\"]")
# Import names whose distribution on PyPI has another name. Everything else installs by its import
# name, which is right for most research dependencies (numpy, torch, scipy, tqdm, ...).
_DISTRIBUTION = {
    "cv2": "opencv-python",
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "PIL": "Pillow",
    "yaml": "PyYAML",
    "bs4": "beautifulsoup4",
    "Bio": "biopython",
    "dateutil": "python-dateutil",
    "google.protobuf": "protobuf",
    "tensorboardX": "tensorboardX",
    "attr": "attrs",
    "dotenv": "python-dotenv",
    "serial": "pyserial",
    "Crypto": "pycryptodome",
    "magic": "python-magic",
    "gym": "gym",
    "jwt": "PyJWT",
    "wx": "wxPython",
    "fitz": "PyMuPDF",
    "lmdb": "lmdb",
    "h5py": "h5py",
}
# Packages that come with the interpreter or are never on PyPI under that name.
_NOT_ON_PYPI = frozenset({"pkg_resources", "setuptools", "distutils", "_pytest", "google", "tensorflow_core"})
_TORCH_FAMILY = re.compile(r"^\s*(torch|torchvision|torchaudio)\b", re.I)


@dataclass(frozen=True)
class Installs:
    requirement_files: tuple[str, ...]  # relative to the repo root
    package: bool  # the repo is a Python package: install it too (editable)
    conda_pip: tuple[str, ...]  # a conda environment file's `- pip:` list
    inferred: tuple[str, ...]  # distributions to install when the repo declares none
    inferred_from: str | None  # where `inferred` comes from, in words
    requires_python: str | None  # the repo's own specifier (">=3.6,<3.9")
    exclude_newer: str | None  # the commit's date: what was current when the code was written

    @property
    def declared(self) -> bool:
        return bool(self.requirement_files or self.package or self.conda_pip)

    def steps(self) -> tuple[str, ...]:
        """The installs in the words of the commands they amount to, for the plan."""
        pip = "python -m pip install"
        steps = [f"{pip} -r {shlex.quote(path)}" for path in self.requirement_files]
        if self.package:
            steps.append(f"{pip} -e .")
        if self.conda_pip:
            steps.append(f"{pip} " + " ".join(shlex.quote(p) for p in self.conda_pip))
        if self.inferred:
            steps.append(f"{pip} " + " ".join(shlex.quote(p) for p in self.inferred) + f"  ({self.inferred_from})")
        return tuple(steps)


def _requirement_files(repo_dir: Path, cwd: str) -> list[str]:
    files = []
    for folder in dict.fromkeys(("", cwd)):
        base = repo_dir / folder
        for path in sorted(base.glob("requirements*.txt")):
            if path.name != "requirements.txt" and _SKIPPED_REQUIREMENTS.search(path.stem.removeprefix("requirements")):
                continue
            if path.is_file():
                files.append(str(path.relative_to(repo_dir)))
    return files


def _conda_pip_packages(repo_dir: Path) -> list[str]:
    """The `- pip:` list of a conda environment file (conda packages are not pip's to install)."""
    import yaml

    for name in _CONDA_FILES:
        path = repo_dir / name
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
        except yaml.YAMLError:
            return []
        packages = []
        listed = data.get("dependencies") if isinstance(data, dict) else None  # `dependencies:` alone is None
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and isinstance(item.get("pip"), list):
                packages += [str(p) for p in item["pip"] if not str(p).startswith("-")]
        return packages
    return []


def requires_python(repo_dir: Path) -> str | None:
    """The repo's declared Python: pyproject's `requires-python`, setup.cfg's or setup.py's
    `python_requires`."""
    pyproject = repo_dir / "pyproject.toml"
    if pyproject.is_file():
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib
        try:
            spec = tomllib.loads(pyproject.read_text(encoding="utf-8", errors="replace")).get("project", {})
        except (tomllib.TOMLDecodeError, AttributeError):
            spec = {}
        if isinstance(spec, dict) and isinstance(spec.get("requires-python"), str):
            return spec["requires-python"]
    setup_cfg = repo_dir / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(setup_cfg.read_text(encoding="utf-8", errors="replace"))
            spec = parser.get("options", "python_requires", fallback=None)
        except configparser.Error:
            spec = None
        if spec:
            return spec.strip()
    setup_py = repo_dir / "setup.py"
    if setup_py.is_file():
        match = _PYTHON_REQUIRES.search(setup_py.read_text(encoding="utf-8", errors="replace")[:200_000])
        if match:
            return match.group(1)
    return None


def readme_packages(docs_text: str) -> list[str]:
    """The distributions a README's `pip install ...` lines name (not `-r`, `-e` or URLs)."""
    found: list[str] = []
    for match in _PIP_LINE.finditer(docs_text):
        try:
            words = shlex.split(match.group(1))
        except ValueError:
            words = match.group(1).split()
        if any(word in ("-r", "-e", ".", "--requirement", "--editable") for word in words):
            continue
        found += [w for w in words if not w.startswith("-") and "/" not in w and re.match(r"^[A-Za-z0-9]", w)]
    return list(dict.fromkeys(found))


def distributions_for(modules: set[str]) -> list[str]:
    """PyPI distributions for top-level import names."""
    return sorted({_DISTRIBUTION.get(m, m) for m in modules if m not in _NOT_ON_PYPI and m.isidentifier()})


def _is_package(repo_dir: Path) -> bool:
    """setup.py/setup.cfg, or a pyproject.toml that builds something (not a tool-config-only file)."""
    if (repo_dir / "setup.py").is_file() or (repo_dir / "setup.cfg").is_file():
        return True
    pyproject = repo_dir / "pyproject.toml"
    if not pyproject.is_file():
        return False
    text = pyproject.read_text(encoding="utf-8", errors="replace")
    return bool(re.search(r"^\[(project|build-system|tool\.poetry)\]", text, re.M))


_NOT_THE_REPOS_CODE = frozenset({"site-packages", "dist-packages", "node_modules", "__pycache__"})
# Python 2's standard modules that Python 3 renamed or dropped: a Python 2 repo imports them, and
# no distribution on PyPI provides them.
_PYTHON2_STDLIB = frozenset(
    "StringIO cStringIO cPickle urllib2 urlparse ConfigParser Queue Tkinter tkMessageBox httplib HTMLParser "
    "commands sets md5 sha thread cookielib Cookie xmlrpclib SocketServer BaseHTTPServer SimpleHTTPServer "
    "CGIHTTPServer __builtin__ copy_reg repr anydbm dbhash dumbdbm whichdb gdbm UserDict UserList UserString "
    "exceptions new htmlentitydefs robotparser markupbase dummy_thread".split()
)
# Docstrings and other triple-quoted text: an `import x` written there is an example, not an import.
_TRIPLE_QUOTED = re.compile(r'("""|\'\'\')[\s\S]*?\1')


def imported_modules(repo_dir: Path, limit: int = 2000) -> set[str]:
    """Top-level modules the repo's code imports from outside itself and the standard library.
    Import statements are read line by line, not parsed: a plan reads every file of a repo that
    declares no requirements, parsing them took seconds on a big one, and Python 2 files (which do
    not parse) import things too."""
    # A committed virtualenv (site-packages, often with links into its author's machine) is not the
    # repo's code; a dangling link is no file at all.
    files = [
        p
        for p in repo_dir.rglob("*.py")
        if not any(part.startswith(".") or part in _NOT_THE_REPOS_CODE for part in p.relative_to(repo_dir).parts)
        and not p.is_symlink()
    ][:limit]
    local = {p.stem for p in files} | {p.parent.name for p in files}
    names: set[str] = set()
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for dots, module, _ in python_imports(_TRIPLE_QUOTED.sub("", text)):
            if not dots and module:
                names.add(module.split(".")[0])
    return names - set(sys.stdlib_module_names) - _PYTHON2_STDLIB - local - {"__future__"}


def plan_installs(repo_dir: Path, cwd: str, docs_text: str, commit_date: str | None) -> Installs:
    files = _requirement_files(repo_dir, cwd)
    package = _is_package(repo_dir)
    conda = _conda_pip_packages(repo_dir)
    inferred: list[str] = []
    inferred_from = None
    if not (files or package or conda):
        inferred = readme_packages(docs_text)
        inferred_from = "named by the README's pip install line"
        if not inferred:
            inferred = distributions_for(imported_modules(repo_dir))
            inferred_from = "the repo declares no requirements; these are what its code imports"
    return Installs(
        tuple(files),
        package,
        tuple(conda),
        tuple(inferred),
        inferred_from if inferred else None,
        requires_python(repo_dir),
        commit_date,
    )


def python_mismatch(spec: str | None, version: tuple[int, int] = sys.version_info[:2]) -> bool:
    """Does the running Python fall outside the repo's specifier? An unreadable one never does."""
    if not spec:
        return False
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return not SpecifierSet(spec).contains(f"{version[0]}.{version[1]}", prereleases=True)
    except InvalidSpecifier:
        return False


def uv_binary() -> str | None:
    """The uv that ships with scout (a dependency), else one on PATH."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def _uv_python_dirs() -> list[Path]:
    """Where uv keeps the interpreters it installed (`uv python dir`, without running uv)."""
    if os.environ.get("UV_PYTHON_INSTALL_DIR"):
        return [Path(os.environ["UV_PYTHON_INSTALL_DIR"])]
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return [Path(data) / "uv" / "python"]


def _named_interpreters() -> list[tuple[tuple[int, int], Path]]:
    """Interpreters whose path says their version, found without running any: uv's own, pyenv's
    and `python3.8` on PATH. pyenv's shims are left out: a shim runs only the versions pyenv has
    made global, which is why `uv python find` stops on them."""
    places = [(_UV_PYTHON, root.glob("cpython-*"), Path("bin/python3")) for root in _uv_python_dirs()]
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    places.append((_PYENV_PYTHON, pyenv.glob("*"), Path("bin/python")))
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if folder and Path(folder).name != "shims":
            places.append((_PATH_PYTHON, Path(folder).glob("python*"), Path()))
    found = []
    for pattern, entries, program in places:
        for entry in sorted(entries):
            version = pattern.fullmatch(entry.name)
            if version:
                found.append(((int(version[1]), int(version[2])), entry / program))
    return found


def uv_can_make(spec: str) -> bool:
    """Does `spec` admit a Python that uv makes venvs of (3.6 or newer)?"""
    return any(not python_mismatch(spec, (3, minor)) for minor in range(UV_OLDEST_PYTHON[1], 40))


def find_python(spec: str) -> str | None:
    """An installed interpreter that satisfies `spec`, the newest one whose path names a matching
    version, else what `uv python find` finds (PATH, pyenv and uv's store; it downloads nothing).
    The names are read first because uv runs every interpreter it meets, which takes a second or
    more, and gives up on a pyenv shim for a version pyenv has not made global."""
    if not uv_can_make(spec):
        return None
    named = [
        (version, path)
        for version, path in _named_interpreters()
        if version >= UV_OLDEST_PYTHON and not python_mismatch(spec, version)
    ]
    for _, path in sorted(named, key=lambda found: found[0], reverse=True):
        if os.access(path, os.X_OK):
            return str(path)
    uv = uv_binary()
    if uv is None:
        return None
    try:
        found = subprocess.run(
            [uv, "python", "find", "--no-python-downloads", spec], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None if found.returncode == 0 else None


def without_host_torch(text: str) -> tuple[str, list[str]]:
    """Requirements minus torch, torchvision and torchaudio lines: the host's build (a CUDA one on a
    GPU box) is kept rather than replaced by whatever the pin downloads."""
    kept, dropped = [], []
    for line in text.splitlines():
        (dropped if _TORCH_FAMILY.match(line) else kept).append(line)
    notes = [f"kept the host's torch build instead of {line.strip()!r}" for line in dropped]
    return "\n".join(kept) + "\n", notes
