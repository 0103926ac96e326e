"""Find the command that evaluates a repo, and keep it as a recipe once it has worked.

Order: --cmd; scout's recipe for the repo (cache/recipes/<slug>.toml); a sotabench.py or
scout.toml in the repo; a `python ...` line in a README code block; a conventional script
(eval.py, evaluate.py, test.py, an argparse --eval/--evaluate flag); as a last resort the
repo's main.py, run.py or train.py, or its only top-level script."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from scout.errors import ConfigError, EvalError
from scout.files import atomic_write

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_CONVENTIONAL = ("eval.py", "evaluate.py", "test.py")
_LAST_RESORT = ("main.py", "run.py", "train.py")
_EVAL_FLAG = re.compile(r"""add_argument\(\s*['"](--eval(?:uate)?)['"]""")
_FENCE = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1", re.MULTILINE | re.DOTALL)
_PYTHON_LINE = re.compile(r"^(?:\$\s*|>\s*|!)?((?:[A-Z_][A-Z0-9_]*=\S+\s+)*python3?\s+\S.*)$")
_EVAL_WORDS = re.compile(
    r"\b(eval|evaluate|evaluation|test|val|validate|validation|benchmark|inference)\b|"
    r"(eval|test)\w*\.py",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Recipe:
    """How to evaluate one repo. `source` says where the command came from."""

    command: str
    source: str
    setup: tuple[str, ...] = ()  # shell commands run in the env before the evaluation
    metric_patterns: tuple[str, ...] = ()  # extra --metric regexes
    metrics_file: str | None = None  # a JSON file of name -> number, relative to the repo
    timeout: float | None = None


def recipe_path(recipes_dir: Path, slug: str) -> Path:
    return recipes_dir / f"{slug}.toml"


def _recipe_from_toml(path: Path, source: str) -> Recipe:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ConfigError(f"cannot read the recipe {path}: {exc}; fix or delete it") from exc
    eval_table = data.get("eval", data)  # a repo's scout.toml may keep it under [eval]
    data = eval_table if isinstance(eval_table, dict) else data
    if not isinstance(data.get("command"), str) or not data["command"].strip():
        raise ConfigError(f"the recipe {path} has no `command`; add one or delete the file")

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"`{key}` in the recipe {path} must be a list of strings")
        return tuple(value)

    timeout = data.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ConfigError(f"`timeout` in the recipe {path} must be a positive number of seconds")
    metrics_file = data.get("metrics_file")
    if metrics_file is not None and not isinstance(metrics_file, str):
        raise ConfigError(f"`metrics_file` in the recipe {path} must be a path inside the repo")
    return Recipe(
        command=data["command"].strip(),
        source=source,
        setup=strings("setup"),
        metric_patterns=strings("metric_patterns"),
        metrics_file=metrics_file,
        timeout=float(timeout) if timeout else None,
    )


def save_recipe(recipes_dir: Path, slug: str, recipe: Recipe) -> Path:
    """Write the recipe that worked, so the next run repeats it exactly (temp file, then rename)."""
    fields = {
        "command": recipe.command,
        "setup": list(recipe.setup),
        "metric_patterns": list(recipe.metric_patterns),
        "metrics_file": recipe.metrics_file,
        "timeout": recipe.timeout,
    }
    lines = [
        "# scout's recipe for this repo, written after a successful run; edit it freely.",
        f"# The command was first found in: {recipe.source}",
    ]
    lines.append(tomli_w.dumps({key: value for key, value in fields.items() if value not in (None, [])}))
    path = recipe_path(recipes_dir, slug)
    atomic_write(path, "\n".join(lines))
    return path


def readme_commands(text: str) -> list[str]:
    """`python ...` lines of fenced code blocks, with backslash continuations joined."""
    commands = []
    for block in _FENCE.finditer(text):
        joined = re.sub(r"\\\s*\n\s*", " ", block.group(2))
        for line in joined.splitlines():
            match = _PYTHON_LINE.match(line.strip())
            if match and "pip install" not in line:
                commands.append(re.sub(r"\s+", " ", match.group(1)).strip())
    return commands


def _script_of(command: str) -> str | None:
    match = re.search(r"python3?\s+(?:-u\s+)?(\S+\.py)\b", command)
    return match.group(1) if match else None


def best_readme_command(text: str, repo_dir: Path) -> str | None:
    """The README command that most looks like an evaluation of a script the repo has."""

    def score(indexed: tuple[int, str]) -> tuple:
        index, command = indexed
        script = _script_of(command)
        exists = script is None or (repo_dir / script).is_file()
        evaluates = bool(_EVAL_WORDS.search(command))
        trains = bool(re.search(r"\btrain", command, re.IGNORECASE)) and not evaluates
        return (exists, evaluates, not trains, -index)

    commands = readme_commands(text)
    return max(enumerate(commands), key=score)[1] if commands else None


def _readme(repo_dir: Path) -> Path | None:
    for name in ("README.md", "README.rst", "README.txt", "README", "readme.md", "Readme.md"):
        if (repo_dir / name).is_file():
            return repo_dir / name
    return None


def _argparse_eval_script(repo_dir: Path) -> str | None:
    for path in sorted(repo_dir.glob("*.py")):
        try:
            match = _EVAL_FLAG.search(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if match:
            return f"python {path.name} {match.group(1)}"
    return None


def find_command(repo_dir: Path, recipes_dir: Path, slug: str, cmd: str | None = None) -> Recipe:
    """The evaluation recipe for a repo; EvalError says what was tried when nothing is found."""
    if cmd:
        return Recipe(command=cmd, source="--cmd")
    tried = []
    saved = recipe_path(recipes_dir, slug)
    if saved.is_file():
        return _recipe_from_toml(saved, f"recipe {saved}")
    tried.append(f"no recipe at {saved}")
    if (repo_dir / "scout.toml").is_file():
        return _recipe_from_toml(repo_dir / "scout.toml", "scout.toml")
    if (repo_dir / "sotabench.py").is_file():
        return Recipe(command="python sotabench.py", source="sotabench.py")
    tried.append("no scout.toml or sotabench.py")
    readme = _readme(repo_dir)
    if readme:
        command = best_readme_command(readme.read_text(encoding="utf-8", errors="replace"), repo_dir)
        if command:
            return Recipe(command=command, source=f"{readme.name} code block")
        tried.append(f"no `python ...` line in a code block of {readme.name}")
    else:
        tried.append("no README")
    for name in _CONVENTIONAL:
        if (repo_dir / name).is_file():
            return Recipe(command=f"python {name}", source=f"conventional script {name}")
    tried.append(f"no {', '.join(_CONVENTIONAL)}")
    flagged = _argparse_eval_script(repo_dir)
    if flagged:
        return Recipe(command=flagged, source="argparse --eval flag")
    tried.append("no script with an argparse --eval/--evaluate flag")
    scripts = sorted(p.name for p in repo_dir.glob("*.py") if not p.name.startswith(("setup", "_")))
    lone = next((name for name in _LAST_RESORT if name in scripts), scripts[0] if len(scripts) == 1 else None)
    if lone:
        # Many research repos are one flat script with module-level code that trains, then reports.
        return Recipe(command=f"python {lone}", source=f"last-resort script {lone}")
    tried.append(f"no {', '.join(_LAST_RESORT)} and no single top-level script")
    raise EvalError(f"no evaluation command found ({'; '.join(tried)}); pass --cmd 'python your_eval.py ...'")
