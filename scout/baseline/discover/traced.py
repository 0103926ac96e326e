"""What a command runs, as files: the script it starts (Python, a console script, `python -m`, a
shell script, Torch7 Lua, MATLAB, a notebook's code cells, a make target's recipe), what a shell
script or Python's os.system starts in turn (with the script's variables, `case` branches and
sourced settings put in), the repo's own modules that the Python imports (two levels; a package's
`__init__` brings its re-exports), the Lua files a Torch script requires, and the settings files
it reads (passed as arguments, named by a flag default, composed by `@hydra.main`).

Needs hide there rather than in the command line (`.cuda()` in the module a shell script's Python
imports, a data path in an argparse default), so `needs.py` reads these instead of one file. Every
walk is bounded in files and bytes: a plan stays well under a second on a big repo. Text only;
nothing here runs anything."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import threading
from dataclasses import dataclass, field
from pathlib import Path

_MAX_FILES = 40
_MAX_FILE_BYTES = 400_000
_MAX_NOTEBOOK_BYTES = 5_000_000
_MAX_BYTES = 3_000_000
_MAX_SHELL_DEPTH = 3  # run.sh -> train.sh -> python: deeper chains are rare and usually loops
# The repo's own modules read behind the started script: its imports, and theirs (a third level
# costs files the bound would rather spend on the other scripts a shell script starts).
_IMPORT_LEVELS = 2
_HINT_CHARS = 100_000  # how much of an imported module is read for the folders it adds to sys.path
# `.data`: darknet's `key = value` list of the data files (`valid = data/2007_test.txt`).
_CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".cfg", ".conf", ".config", ".ini", ".cnf", ".toml", ".data")
# Words that start a command without being its program: `CUDA_VISIBLE_DEVICES=0 nohup python x.py`.
_WRAPPERS = frozenset({"nohup", "time", "exec", "env", "srun", "sudo", "stdbuf", "nice", "xvfb-run", "unbuffer"})
_LAUNCHERS = frozenset({"torchrun", "deepspeed", "horovodrun", "mpirun", "mpiexec"})
_SPLIT = re.compile(r"\s*(?:&&|\|\||;|\|)\s*")
_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w., \t*]+)", re.M)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w., \t]+)", re.M)
_LUA_REQUIRE = re.compile(r"""(?:require|dofile|paths\.dofile)\s*\(?\s*['"]([\w./-]+)['"]""")
# `sys.path.insert(0, os.path.join(this_dir, '..', 'lib'))`: the folders a script adds to its imports.
_SYS_PATH = re.compile(r"sys\.path\.(?:insert|append)\((?:\s*\d+\s*,)?\s*(.+)\)\s*$", re.M)
_ADD_PATH = re.compile(r"^\s*(?:add_path|_add_path|addpath)\((.+)\)\s*$", re.M)
_ENTRY_POINT = re.compile(r"""['"]?([\w.-]+)['"]?\s*=\s*['"]?([\w.]+)(?::[\w.]+)?['"]?""")


@dataclass(frozen=True)
class Source:
    """One file the command runs or reads as its settings."""

    path: str  # relative to the repo root
    text: str
    lang: str  # python, shell, lua or config
    role: str  # "start" (the command or a script it runs starts it), "import" or "config"
    args: tuple[str, ...] = ()  # the arguments it was started with (for a started script)
    # For a shell script (or Python that shells out): (the command line with its variables put in,
    # the folder it runs in relative to the repo) of each program it starts.
    runs: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Start:
    """One program a command line starts: `python x.py ARGS`, `bash x.sh`, `th x.lua`, a console script."""

    program: str  # python, shell, lua or a bare program name
    target: str | None  # the script path or python module (-m)
    module: bool
    args: tuple[str, ...]


def _tokens(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=True)
    except ValueError:
        return text.split()


def starts(command: str) -> list[Start]:
    """The programs each part of a shell line starts, through env assignments, wrappers and launchers
    (`python -m torch.distributed.launch x.py`, `accelerate launch x.py`)."""
    found = []
    # `python experiments\rfcn\x.py` (a README written on Windows): shlex would eat the backslashes.
    command = re.sub(r"(?<=[\w.])\\(?=[\w.])", "/", command)
    for part in _SPLIT.split(command):
        tokens = _tokens(part)
        while tokens and (re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", tokens[0]) or tokens[0] in _WRAPPERS):
            tokens.pop(0)
        if not tokens:
            continue
        head = tokens[0]
        if head == "accelerate" and len(tokens) > 1 and tokens[1] == "launch" or head in _LAUNCHERS:
            tokens = ["python", *[t for t in tokens[2 if head == "accelerate" else 1 :]]]
            head = "python"
        if re.match(r"^(python[\d.]*|pypy3?)$", head):
            found.append(_python_start(tokens[1:]))
        elif head in ("bash", "sh", "zsh", "source", "."):
            rest = [t for t in tokens[1:] if not t.startswith("-")]
            if rest:
                found.append(Start("shell", rest[0], False, tuple(tokens[tokens.index(rest[0]) + 1 :])))
        elif head in ("th", "luajit", "lua", "qlua"):
            rest = [t for t in tokens[1:] if not t.startswith("-")]
            if rest:
                found.append(Start("lua", rest[0], False, tuple(tokens[tokens.index(rest[0]) + 1 :])))
        elif head in ("matlab", "octave", "octave-cli"):
            # `matlab -nodisplay -r "Main; exit"`, `matlab Main`, `octave Main.m`: the script named.
            words = re.findall(
                r"(?:run\(\s*['\"])?([A-Za-z]\w*)(?:\.m)?\b", " ".join(t for t in tokens[1:] if not t.startswith("-"))
            )
            script = next((w for w in words if w not in ("exit", "quit", "run", "cd", "addpath")), None)
            found.append(Start("matlab", f"{script}.m" if script else None, False, ()))
            found.append(Start(head, None, False, tuple(tokens[1:])))
        elif head in ("jupyter", "papermill", "ipython"):
            notebook = next((t for t in tokens[1:] if t.endswith(".ipynb")), None)
            found.append(Start("notebook", notebook, False, ()) if notebook else Start(head, None, False, ()))
        elif head == "make":
            targets = [t for t in tokens[1:] if not t.startswith("-") and "=" not in t]
            found.append(Start("make", targets[0] if targets else "", False, tuple(tokens[1:])))
        elif head.endswith((".sh", ".bash")) or head.lower().endswith((".cmd", ".bat")):
            # A Windows batch file (darknet forks' `build/darknet/x64/calc_mAP.cmd`) is read like a shell script.
            found.append(Start("shell", head, False, tuple(tokens[1:])))
        elif head.endswith(".py"):
            found.append(Start("python", head, False, tuple(tokens[1:])))
        else:
            found.append(Start(head, None, False, tuple(tokens[1:])))
    return found


# Python's `-m`, alone or after bundled switches that take no value (`-um`, `-Bm`, `-OOm`).
MODULE_SWITCH = re.compile(r"-[bBdEiIOqsSuvx]*m")


def _python_start(tokens: list[str]) -> Start:
    i = 0
    while i < len(tokens):
        token = tokens[i]
        # `-um dopamine.x.train`: short switches bundled before `m`, which takes the next word.
        if MODULE_SWITCH.fullmatch(token) and i + 1 < len(tokens):
            module = tokens[i + 1]
            if module.startswith("torch.distributed") or module in ("accelerate.commands.launch",):
                i += 2
                while i < len(tokens) and tokens[i].startswith("-"):
                    i += 1 if "=" in tokens[i] or i + 1 >= len(tokens) or tokens[i + 1].startswith("-") else 2
                continue
            return Start("python", module, True, tuple(tokens[i + 2 :]))
        if token == "-c":
            return Start("python", None, False, tuple(tokens[i + 1 :]))
        if token.startswith("-"):
            i += 1
            continue
        return Start("python", token, False, tuple(tokens[i + 1 :]))
    return Start("python", None, False, ())


class _Walk:
    """The bounded reading: each file once, no more than _MAX_FILES files or _MAX_BYTES bytes."""

    def __init__(self, repo_dir: Path):
        self.repo = repo_dir.resolve()
        self.sources: list[Source] = []
        self.seen: set[Path] = set()
        self.bytes = 0

    def read(self, path: Path, lang: str, role: str, args: tuple[str, ...] = ()) -> Source | None:
        try:
            path = path.resolve()
            rel = str(path.relative_to(self.repo))
        except (OSError, ValueError):
            return None
        if path in self.seen or len(self.sources) >= _MAX_FILES or self.bytes >= _MAX_BYTES:
            return None
        self.seen.add(path)
        notebook = path.suffix == ".ipynb"
        try:
            # A notebook's outputs (images) can be megabytes; only its code cells are kept.
            if not path.is_file() or path.stat().st_size > (_MAX_NOTEBOOK_BYTES if notebook else _MAX_FILE_BYTES):
                return None
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        if notebook:
            text = _notebook_code(text)
        self.bytes += len(text)
        source = Source(rel, text, lang, role, args)
        self.sources.append(source)
        return source


def _notebook_code(text: str) -> str:
    """The code cells of a notebook, one after another; shell magics (`!python x.py`) are dropped."""
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return ""
    code = []
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            code.append("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("!", "%"))))
    return "\n\n".join(code)


# Within one `follow`: the file (or None) each (folder, name) names, asked of the disk once: every
# import of every module read tries the same folders for the same names. Unset outside `follow`.
_within = threading.local()


def _existing(folders: list[Path], name: str) -> Path | None:
    known: dict[tuple[Path, str], Path | None] | None = getattr(_within, "files", None)
    for folder in folders:
        if known is not None and (folder, name) in known:
            found = known[folder, name]
        else:
            # Lexically: `../x.py` from a folder the script has yet to make is still the repo's x.py.
            candidate = Path(os.path.normpath(folder / name))
            try:
                found = candidate if candidate.is_file() else None
            except OSError:
                continue
            if known is not None:
                known[folder, name] = found
        if found is not None:
            return found
    return None


# Folders a repo keeps its package in and puts on PYTHONPATH by hand (`export PYTHONPATH=.../lib`):
# `from core.config import cfg` in tools/test.py resolves there when nothing nearer has it.
_SOURCE_ROOTS = ("lib", "src")


def _source_roots(repo: Path) -> list[Path]:
    return [repo / name for name in _SOURCE_ROOTS if (repo / name).is_dir()]


def _module_file(folders: list[Path], dotted: str) -> Path | None:
    parts = [p for p in dotted.split(".") if p]
    if not parts:
        return None
    base = "/".join(parts)
    return _existing(folders, f"{base}.py") or _existing(folders, f"{base}/__init__.py")


def _console_scripts(repo: Path) -> dict[str, str]:
    """name -> module, from setup.py / setup.cfg entry points and pyproject's [project.scripts]."""
    found: dict[str, str] = {}
    for name in ("setup.py", "setup.cfg", "pyproject.toml"):
        path = repo / name
        try:
            text = path.read_text(encoding="utf-8", errors="replace")[:200_000] if path.is_file() else ""
        except OSError:
            continue
        block = re.search(r"console_scripts['\"]?\s*[:=]\s*[\[\n]([\s\S]*?)(?:\]|\n\S|\n\s*\n)", text)
        scripts = re.search(r"\[(?:project|tool\.poetry)\.scripts\]([\s\S]*?)(?:\n\[|\Z)", text)
        for chunk in (block.group(1) if block else "", scripts.group(1) if scripts else ""):
            for match in _ENTRY_POINT.finditer(chunk):
                found.setdefault(match.group(1), match.group(2))
    return found


def _path_hints(text: str, here: Path, repo: Path | None = None) -> list[Path]:
    """Folders a script puts on sys.path: `sys.path.insert(0, os.path.join(this_dir, '..', 'lib'))`.
    A join rooted in a value computed at run time (`osp.join(C.root_dir, 'furnace')`, TorchSeg's
    config.py) names a folder of the repo: the nearest one of that name, from here up to the repo root."""
    folders = []
    for match in [*_SYS_PATH.finditer(text), *_ADD_PATH.finditer(text)]:
        parts = re.findall(r"['\"]([\w./-]+)['\"]", match.group(1))
        if not parts:
            continue
        rooted = re.match(r"\s*(?:os\.path|osp|path)\.join\(\s*[A-Za-z_][\w.]*\s*,", match.group(1))
        if rooted and repo is not None and not re.search(r"__file__|dirname|this_dir|cur_dir|here", match.group(1)):
            nearest = next((up / Path(*parts) for up in _up_to(here, repo) if (up / Path(*parts)).is_dir()), None)
            if nearest is not None:
                folders.append(nearest.resolve())
                continue
        folders.append((here / Path(*parts)).resolve())
    for helper in re.findall(r"^\s*import\s+(_?init_?paths?)\b", text, re.M):  # Detectron-style _init_paths.py
        try:
            helper_text = (here / f"{helper}.py").read_text(encoding="utf-8", errors="replace")[:20_000]
        except OSError:
            continue
        for assigned in re.findall(
            r"osp\.join\(\s*this_dir\s*,([^)]*)\)|os\.path\.join\(\s*this_dir\s*,([^)]*)\)", helper_text
        ):
            parts = re.findall(r"['\"]([\w./-]+)['\"]", "".join(assigned))
            if parts:
                folders.append((here / Path(*parts)).resolve())
    return folders


def _up_to(here: Path, repo: Path) -> list[Path]:
    """`here` and its parents, up to and including `repo` (nothing when `here` is outside it)."""
    here, repo = here.resolve(), repo.resolve()
    chain = [here, *here.parents]
    return chain[: chain.index(repo) + 1] if repo in chain else []


def python_imports(text: str) -> list[tuple[int, str, list[str]]]:
    """(leading dots, module, imported names) of each import statement."""
    found = []
    for match in _FROM_IMPORT.finditer(text):
        raw = match.group(1)
        dots = len(raw) - len(raw.lstrip("."))
        names = [n.split(" as ")[0].strip() for n in match.group(2).split(",")]
        found.append((dots, raw.lstrip("."), [n for n in names if n and n != "*"]))
    for match in _IMPORT.finditer(text):
        for name in match.group(1).split(","):
            name = name.split(" as ")[0].strip()
            if name:
                found.append((0, name, []))
    return found


def _import_targets(text: str, path: Path, roots: list[Path], repo: Path | None = None) -> list[Path]:
    """The files of the repo's own modules that the Python at `path` imports (`from .x import y`,
    `import pkg.mod`, through the folders it adds to sys.path, or that a module it imports first
    adds: `from config import config` whose config.py calls `add_path(...'furnace')`), not read."""
    here = path.parent
    nearer = [here, *_path_hints(text, here, repo)]
    found = _resolved(text, here, [*nearer, *roots])
    added: list[Path] = []
    for target in found:
        try:
            head = target.read_text(encoding="utf-8", errors="replace")[:_HINT_CHARS]
        except OSError:
            continue
        added += _path_hints(head, target.parent, repo)
    added = [folder for folder in dict.fromkeys(added) if folder not in nearer and folder not in roots]
    if not added:
        return found
    return list(dict.fromkeys([*found, *_resolved(text, here, [*nearer, *added, *roots])]))


def _resolved(text: str, here: Path, folders: list[Path]) -> list[Path]:
    targets: list[Path | None] = []
    for dots, module, names in python_imports(text):
        if dots:
            base = here
            for _ in range(dots - 1):
                base = base.parent
            targets += [_module_file([base], module)] if module else []
            targets += [_module_file([base], f"{module}.{n}" if module else n) for n in names]
        else:
            targets.append(_module_file(folders, module))
            targets += [_module_file(folders, f"{module}.{n}") for n in names]
    return list(dict.fromkeys(t for t in targets if t is not None))


def _python_imports(walk: _Walk, source: Source, path: Path, roots: list[Path]) -> None:
    """Read the repo's own modules that `source` imports, and what those import in turn, level by
    level (_IMPORT_LEVELS deep, breadth first, so that the bounded walk spends its files on the
    nearer modules first): the data path or the `.cuda()` often sits in a module that the script's
    helper imports (`test.py` -> `lib/datasets/factory.py` -> `lib/datasets/pascal_voc.py`)."""
    level = [(source, path)]
    for _ in range(_IMPORT_LEVELS):
        level = [read for one, where in level for read in _imported(walk, one, where, roots)]
        if not level:
            return


def _imported(walk: _Walk, source: Source, path: Path, roots: list[Path]) -> list[tuple[Source, Path]]:
    """The repo's own modules that `source` imports, read now (those already read are not again)."""
    read: list[tuple[Source, Path]] = []
    for target in _import_targets(source.text, path, roots, walk.repo):
        imported = walk.read(target, "python", "import")
        if imported is None:
            continue
        read.append((imported, target))
        if target.name == "__init__.py":
            # A package's __init__ re-exports its modules (`from .train import train`): those
            # modules are what the import brings in, so they count as the same level.
            for dots, module, names in python_imports(imported.text):
                if dots == 1:
                    for name in [module] if module else names:
                        sub = _module_file([target.parent], name)
                        again = walk.read(sub, "python", "import") if sub is not None else None
                        if again is not None and sub is not None:
                            read.append((again, sub))
    return read


def _lua_requires(walk: _Walk, source: Source, path: Path, roots: list[Path]) -> None:
    for name in _LUA_REQUIRE.findall(source.text):
        rel = name if name.endswith(".lua") else name.replace(".", "/") + ".lua"
        target = _existing([path.parent, *roots], rel)
        if target is not None:
            walk.read(target, "lua", "import")


def _configs(walk: _Walk, args: tuple[str, ...], base: Path) -> None:
    """Config files passed as arguments (`--cfg x.yaml`, `config=x.yaml`, `configs/ae.json`)."""
    for arg in args:
        value = arg.partition("=")[2] if "=" in arg else arg
        if value.lower().endswith(_CONFIG_SUFFIXES) and "://" not in value:
            target = _existing([base, walk.repo], value.removeprefix("./").replace("\\", "/"))
            if target is not None:
                walk.read(target, "config", "config")


_BATCH_NOISE = re.compile(r"^(?:rem(?:\s|$)|::|@?echo\s+off\b|pause$)", re.I)


def _shell_lines(text: str) -> list[str]:
    """A shell script's logical lines: continuations joined, comments and blank lines dropped (a batch
    file's `rem` and `::` comments, `@echo off` and `pause` too)."""
    joined = re.sub(r"\\\r?\n", " ", text)
    lines = (line.strip() for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith("#") and not _BATCH_NOISE.match(line)]


def _expand(line: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*|\d)\}?", lambda m: variables.get(m.group(1), m.group(0)), line)


def _start(walk: _Walk, start: Start, base: Path, depth: int, console: dict[str, str]) -> None:
    roots = [base, walk.repo, *_source_roots(walk.repo)]
    if start.program == "python" and start.target:
        path = _module_file(roots, start.target) if start.module else _existing(roots, start.target.removeprefix("./"))
        if path is not None and path.name == "__init__.py" and start.module:
            path = _existing([path.parent], "__main__.py") or path
        if path is None and not start.module:
            # `python . --test x`, `python mypkg`: a folder runs its __main__.py.
            folder = (base / start.target).resolve()
            path = _existing([folder], "__main__.py") if folder.is_dir() else None
        _read_python(walk, path, start.args, roots, console)
    elif start.program == "shell" and start.target:
        path = _existing(roots, start.target.removeprefix("./"))
        if path is not None and path.suffix.lower() in (".cmd", ".bat"):
            base = path.parent  # a batch file is double-clicked: it runs in its own folder
        _read_shell(walk, path, base, depth, start.args, console)
    elif start.program == "lua" and start.target:
        path = _existing(roots, start.target.removeprefix("./"))
        source = walk.read(path, "lua", "start", start.args) if path else None
        if source is not None and path is not None:
            _lua_requires(walk, source, path, roots)
    elif start.program == "notebook" and start.target:
        path = _existing(roots, start.target.removeprefix("./"))
        source = walk.read(path, "python", "start") if path else None
        if source is not None and path is not None:
            _python_imports(walk, source, path, roots)
    elif start.program == "make" and start.target is not None:
        _read_make(walk, base, start.target, depth, console)
    elif start.program == "matlab" and start.target:
        path = _existing(roots, start.target)
        if path is not None:
            walk.read(path, "matlab", "start")
    elif start.program in console:
        _read_python(walk, _module_file(roots, console[start.program]), start.args, roots, console)
    _configs(walk, start.args, base)


def _read_python(
    walk: _Walk, path: Path | None, args: tuple[str, ...], roots: list[Path], console: dict[str, str]
) -> None:
    source = walk.read(path, "python", "start", args) if path is not None else None
    if source is not None and path is not None:
        _python_imports(walk, source, path, roots)
        _shell_outs(walk, source, roots[0], console)
        _default_configs(walk, source, roots)
        _hydra_config(walk, source, path)
        _dispatched(walk, source, path, roots, console)


def _dispatched(walk: _Walk, source: Source, path: Path, roots: list[Path], console: dict[str, str]) -> None:
    """`mp predict ARGS`: an entry script that imports its first argument as a module
    (`importlib.import_module("pkg.bin." + script)`) runs that sibling module with the rest."""
    if not source.args or not re.search(r"\bimport_module\(|__import__\(|run_module\(", source.text):
        return
    word = source.args[0]
    if re.fullmatch(r"[A-Za-z_]\w*", word) and (path.parent / f"{word}.py").is_file():
        _read_python(walk, path.parent / f"{word}.py", source.args[1:], roots, console)


# `@hydra.main(config_path="configs", config_name="eval")`: the config a Hydra script composes.
_HYDRA_MAIN = re.compile(r"""hydra\.main\(([^)]*)\)""")


def _hydra_config(walk: _Walk, source: Source, path: Path) -> None:
    match = _HYDRA_MAIN.search(source.text)
    if not match:
        return
    folder = re.search(r"""config_path\s*=\s*['"]([^'"]+)['"]""", match.group(1))
    name = re.search(r"""config_name\s*=\s*['"]([^'"]+)['"]""", match.group(1))
    chosen = next((a.split("=", 1)[1] for a in source.args if a.startswith(("--config-name=", "-cn="))), None)
    config = chosen or (name.group(1) if name else None)
    if folder is None or config is None:
        return
    target = _existing([path.parent / folder.group(1)], config if config.endswith(".yaml") else f"{config}.yaml")
    if target is not None:
        walk.read(target, "config", "config")


# `parser.add_argument('--data-cfg', default='cfg/coco.data')`: a settings file the script reads unless told otherwise.
_CONFIG_DEFAULT = re.compile(
    r"""add_argument\(\s*['"]--?(?P<flag>[\w-]*(?:cfg|conf|config|settings)[\w-]*)['"][^)]*?default\s*=\s*['"](?P<path>[^'"]+)['"]"""
)


def _default_configs(walk: _Walk, source: Source, roots: list[Path]) -> None:
    given = {a.split("=")[0].lstrip("-").replace("-", "_") for a in source.args if a.startswith("-")}
    for match in _CONFIG_DEFAULT.finditer(source.text):
        if match.group("flag").replace("-", "_") in given:
            continue
        target = _existing(roots, match.group("path").removeprefix("./"))
        if target is not None:
            walk.read(target, "config", "config")


class _CaseBranches:
    """`case $DATASET in pascal_voc) ...;; coco) ...;; esac`: only the branch that matches the
    variable's value runs, so only its assignments count (`ITERS=110000`, not the last branch's)."""

    def __init__(self) -> None:
        self.value: str | None = None  # the value switched on, inside a case
        self.active = True

    def keep(self, line: str, variables: dict[str, str]) -> str:
        """The part of `line` that runs ("" for none)."""
        case = re.match(r"^case\s+(\S+)\s+in\b", line)
        if case:
            self.value, self.active = _expand(case.group(1), variables).strip("'\""), False
            return ""
        if self.value is None:
            return line
        if line.startswith("esac"):
            self.value, self.active = None, True
            return ""
        branch = re.match(r"^\(?([^()\s]+)\)\s*(.*)$", line)
        if branch and not line.startswith("$(") and ";;" not in branch.group(1):
            self.active = any(fnmatch.fnmatchcase(self.value, p.strip("'\"")) for p in branch.group(1).split("|"))
            line = branch.group(2).strip()
        line = line.partition(";;")[0].strip()
        return line if self.active else ""


def _read_shell(
    walk: _Walk, path: Path | None, base: Path, depth: int, args: tuple[str, ...], console: dict[str, str]
) -> None:
    """A shell script run from `base` (the command's folder; a `cd` in it moves that)."""
    source = walk.read(path, "shell", "start", args) if path is not None else None
    if source is None or path is None or depth >= _MAX_SHELL_DEPTH:
        return
    variables = {str(i + 1): arg for i, arg in enumerate(args)}
    made: set[Path] = set()  # folders the script makes (`mkdir -p out`), which a `cd` may enter
    branches = _CaseBranches()
    for line in _shell_lines(source.text):
        line = branches.keep(line, variables)
        if not line:
            continue
        sourced = re.match(r"^(?:source|\.)\s+(\S+)$", line)
        if sourced and not sourced.group(1).endswith(".sh"):
            # `source settings.cfg`: its assignments are the script's variables.
            settings_path = _existing([base, walk.repo], _expand(sourced.group(1), variables))
            settings = walk.read(settings_path, "config", "config") if settings_path else None
            for key, value in re.findall(
                r"^\s*(?:export\s+)?([A-Za-z_]\w*)=(\S*)", settings.text if settings else "", re.M
            ):
                variables.setdefault(key, value.strip("'\""))
            continue
        # `ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"`, `DIR=$(dirname "$CUR")`: a folder the
        # script finds from where it lies, known here; kept absolute, each line says it from `base`.
        located = _located(line, path, base, variables)
        if located is not None:
            variables[located[0]] = located[1]
            continue
        # `GAME="Assault";`, `NAME="DQN-"$GAME"-SEED-"$SEED`: the value as the shell reads it.
        assign = re.fullmatch(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\S*?);?", line)
        if assign:
            variables[assign.group(1)] = "".join(_tokens(_expand(assign.group(2), variables))) or ""
            continue
        # `command="../penntreebank.py --optimizer adam"`, later `python $command`: a quoted value with spaces.
        quoted = re.fullmatch(r"""(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"$`]*)"|'([^']*)');?""", line)
        if quoted:
            variables[quoted.group(1)] = quoted.group(2) if quoted.group(2) is not None else quoted.group(3)
            continue
        line = _from_base(_expand(line, variables), walk.repo, base)
        made |= {Path(folder) for folder in re.findall(r"^mkdir\s+(?:-p\s+)?(\S+)", line)}
        cd = re.match(r"^cd\s+(\S+)", line)
        if cd and not cd.group(1).startswith("$"):
            target = (base / cd.group(1)).resolve()
            if target.is_dir():
                base = target
            elif Path(cd.group(1)) in made:
                # `mkdir -p $directory; cd $directory; python ../train.py`: a folder the script makes.
                base = Path(os.path.normpath(base / cd.group(1)))
            continue
        found = starts(line)
        if any(
            start.program in ("python", "shell", "lua") or start.program in console or _built(start) for start in found
        ):
            source.runs.append((line, _rel(walk, base)))
        for start in found:
            _start(walk, start, base, depth + 1, console)


# A command substitution that gives the script's own folder, and nothing else: `$(dirname "$0")`,
# `$(cd "$(dirname "${BASH_SOURCE[0]}")" >/dev/null 2>&1 && pwd)`, `$(dirname $(readlink -f $0))`.
_SELF = re.compile(r"\$\{?(?:0|BASH_SOURCE)(?:\[0\])?\}?")
_SELF_DIR_WORDS = re.compile(
    r"\$\(|[()\"'`;]|&&|\d?>&?\d?|/dev/null|\b(?:cd|dirname|readlink|realpath|pwd)\b|(?<!\w)-[fP]\b|\s+"
)
_PARENT_OF = re.compile(r"""["']?\$\(\s*dirname\s+["']?\$\{?([A-Za-z_]\w*)\}?["']?\s*\)["']?""")
_HERE = re.compile(r"""["']?(?:\$\(\s*pwd\s*\)|`pwd`|\$\{?PWD\}?)["']?""")


def _located(line: str, script: Path, base: Path, variables: dict[str, str]) -> tuple[str, str] | None:
    """(name, absolute folder) when `line` sets a variable to the script's folder, its parent, or
    the folder the run is in, and a path below or above it (`$(dirname "$0")/..`); None otherwise."""
    match = re.fullmatch(
        r"""(?:export\s+|local\s+)?([A-Za-z_]\w*)=(["']?(?:\$\(.*\)|`[^`]*`|\$\{?PWD\}?)["']?)(/[\w./-]*)?["']?;?""",
        line,
    )
    if not match:
        return None
    name, value, rest = match.groups()
    parent = _PARENT_OF.fullmatch(value)
    if "dirname" in value and _SELF.search(value) and not _SELF_DIR_WORDS.sub("", _SELF.sub("", value)):
        folder = str(script.resolve().parent)
    elif _HERE.fullmatch(value):
        folder = str(base.resolve())
    elif parent and os.path.isabs(variables.get(parent.group(1), "")):
        folder = os.path.dirname(variables[parent.group(1)])
    else:
        return None
    return name, os.path.normpath(folder + (rest or ""))


def _from_base(line: str, repo: Path, base: Path) -> str:
    """A line's paths inside the checkout (from a located variable), said from `base`: what the run
    passes is then a path of the checkout, read like any other."""
    root = str(repo.resolve())
    if root not in line:
        return line
    return re.sub(
        rf"{re.escape(root)}(?=/|\b|$)([^\s'\"]*)",
        lambda m: os.path.relpath(root + m.group(1), base.resolve()),
        line,
    )


def _built(start: Start) -> bool:
    """A program the repo builds, started by its path: `./darknet detector map ...`, `darknet.exe ...`."""
    return start.target is None and (start.program.startswith("./") or start.program.lower().endswith(".exe"))


def _read_make(walk: _Walk, base: Path, target: str, depth: int, console: dict[str, str]) -> None:
    """`make [target]`: the recipe lines of that target (the first one when none is named), read
    like lines of a shell script."""
    path = _existing([base], "Makefile") or _existing([base], "makefile") or _existing([base], "GNUmakefile")
    source = walk.read(path, "shell", "start") if path is not None else None
    if source is None or depth >= _MAX_SHELL_DEPTH:
        return
    recipe, current = [], None
    for line in source.text.splitlines():
        rule = re.match(r"^([\w./%-]+)\s*:(?!=)", line)
        if rule and not line.startswith("\t"):
            current = rule.group(1)
            target = target or (current if not current.startswith(".") else "")
        elif line.startswith("\t") and current == target:
            recipe.append(re.sub(r"\$\((\w+)\)", r"${\1}", line.strip().lstrip("@-")))
    for line in recipe:
        for start in starts(line):
            if start.program in ("python", "shell", "lua", "notebook") or start.program in console:
                source.runs.append((line, _rel(walk, base)))
            _start(walk, start, base, depth + 1, console)


def _rel(walk: _Walk, base: Path) -> str:
    try:
        return str(base.relative_to(walk.repo)) if base != walk.repo else ""
    except ValueError:
        return ""


# Python that shells out: `os.system("sh gcloud.{}.run.sh ...".format(env))`, subprocess lists.
_SHELL_OUT = re.compile(
    r"""(?:os\.system|os\.popen|subprocess\.(?:run|call|check_call|check_output|Popen))\(\s*\[?\s*f?(['"])(?P<cmd>[^'"]+)\1"""
    r"""|(?P<lit>['"](?:sh|bash|python3?)\s+[\w./{}-]+\.(?:sh|py)\b[^'"]*['"])"""
)


def _shell_outs(walk: _Walk, source: Source, base: Path, console: dict[str, str]) -> None:
    """Scripts a Python file starts through os.system/subprocess; a `{}` in the name may be any
    script that fits (gcloud.{}.run.sh: the local and the cloud one)."""
    for match in _SHELL_OUT.finditer(source.text):
        line = (match.group("cmd") or match.group("lit")[1:-1]).strip()
        for start in starts(line):
            if start.target and re.search(r"\{[^{}]*\}|%s", start.target):
                pattern = re.sub(r"\{[^{}]*\}|%s", "*", start.target.removeprefix("./"))
                targets = sorted(str(p.relative_to(base)) for p in base.glob(pattern))[:3]
                expanded = [Start(start.program, t, start.module, start.args) for t in targets]
            else:
                expanded = [start]
            for one in expanded:
                if one.program in ("python", "shell"):
                    source.runs.append(
                        (
                            f"{'python' if one.program == 'python' else 'sh'} {one.target} {' '.join(one.args)}",
                            _rel(walk, base),
                        )
                    )
                _start(walk, one, base, 1, console)


def follow(command: str, repo_dir: Path, cwd: str = "") -> list[Source]:
    """The files `command`, run in `cwd`, starts and reads as settings, in the order it meets them."""
    walk = _Walk(repo_dir)
    base = (walk.repo / cwd).resolve() if cwd else walk.repo
    console = _console_scripts(walk.repo)
    outer, _within.files = getattr(_within, "files", None), {}
    try:
        for part in command.split("&&"):
            cd = re.match(r"^\s*cd\s+(\S+)\s*$", part)
            if cd:
                target = (base / cd.group(1)).resolve()
                base = target if target.is_dir() else base
                continue
            for start in starts(part):
                _start(walk, start, base, 0, console)
    finally:
        _within.files = outer
    return walk.sources
