"""Find the command that evaluates a repo, and keep it as a recipe once it has worked.

Order: --cmd; scout's recipe for the repo (<store>/recipes/<slug>.toml); the repo's own
scout-recipe.toml (scout.toml, its earlier name, still works) or sotabench.py; else the best of
the ranked candidates (see scout.baseline.discover.candidates): commands the docs write,
conventional evaluation scripts, argparse eval flags and, last, a lone training script.
A library or a monorepo of examples gets no command, only the candidates."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from scout.config import LEGACY_RECIPE, RECIPE_FILE
from scout.errors import ConfigError
from scout.files import atomic_write

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class Recipe:
    """How to evaluate one repo. `source` says where the command came from."""

    command: str
    source: str
    cwd: str = ""  # folder to run it in, relative to the repo
    setup: tuple[str, ...] = ()  # shell commands run in the env before the evaluation
    metric_patterns: tuple[str, ...] = ()  # extra --metric regexes
    metrics_file: str | None = None  # a JSON file of name -> number, relative to the repo
    timeout: float | None = None


LEGACY_NOTE = f"{LEGACY_RECIPE} (the recipe's earlier name; {RECIPE_FILE} is the current one)"


def from_the_repo(recipe: Recipe) -> bool:
    """Whether the repo itself wrote the recipe (it may ask for less time, never for more)."""
    return recipe.source in (RECIPE_FILE, LEGACY_NOTE, LEGACY_RECIPE)


def recipe_path(recipes_dir: Path, slug: str) -> Path:
    return recipes_dir / f"{slug}.toml"


def _recipe_from_toml(path: Path, source: str) -> Recipe:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ConfigError(f"cannot read the recipe {path}: {exc}; fix or delete it") from exc
    eval_table = data.get("eval", data)  # a repo's recipe may keep it under [eval]
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
    cwd = data.get("cwd", "")
    if not isinstance(cwd, str):
        raise ConfigError(f"`cwd` in the recipe {path} must be a folder inside the repo")
    cwd = cwd.strip("/")
    return Recipe(
        command=data["command"].strip(),
        source=source,
        cwd=cwd,
        setup=strings("setup"),
        metric_patterns=strings("metric_patterns"),
        metrics_file=metrics_file,
        timeout=float(timeout) if timeout else None,
    )


def save_recipe(recipes_dir: Path, slug: str, recipe: Recipe) -> Path:
    """Write the recipe that worked, so the next run repeats it exactly (temp file, then rename)."""
    fields = {
        "command": recipe.command,
        "cwd": recipe.cwd or None,
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


def fixed_recipe(repo_dir: Path, recipes_dir: Path, slug: str, cmd: str | None = None) -> Recipe | None:
    """The recipe given rather than found: --cmd, scout's saved recipe, the repo's recipe file or
    sotabench.py; None when the command has to be found."""
    if cmd:
        return Recipe(command=cmd, source="--cmd")
    saved = recipe_path(recipes_dir, slug)
    if saved.is_file():
        return _recipe_from_toml(saved, f"recipe {saved}")
    if (repo_dir / RECIPE_FILE).is_file():
        return _recipe_from_toml(repo_dir / RECIPE_FILE, RECIPE_FILE)
    if (repo_dir / LEGACY_RECIPE).is_file():
        return _recipe_from_toml(repo_dir / LEGACY_RECIPE, LEGACY_NOTE)
    if (repo_dir / "sotabench.py").is_file():
        return Recipe(command="python sotabench.py", source="sotabench.py")
    return None
