"""The starter templates shipped as the `scout_templates` package (templates/ in the repository).

Layout: one folder per starter template (templates/classification/), plus three reserved folders:
helpers/ (the scoutkit package, put into every experiment), baseline/ (sanity-check wiring added
to a copied baseline) and partials/ (EXPERIMENTS.md and the README section, rendered on their own).
Files ending in .j2 are rendered with Jinja2 under StrictUndefined, so a missing value is an error
rather than an empty string; the rest are copied byte for byte. A leading "dot-" becomes "."
(dotfiles do not survive packaging)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from scout.errors import UsageError
from scout.text import md, mdcode

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PACKAGE = "scout_templates"
RESERVED = frozenset({"helpers", "baseline", "partials"})
_SKIPPED = ("__pycache__", ".pyc")


def _root() -> Traversable:
    return files(PACKAGE)


def available_templates() -> list[str]:
    return sorted(
        p.name for p in _root().iterdir() if p.is_dir() and p.name not in RESERVED and not p.name.startswith(("_", "."))
    )


def _environment():
    import jinja2

    def load(name: str) -> str:
        node = _root().joinpath(*name.split("/"))
        if not node.is_file():
            raise jinja2.TemplateNotFound(name)
        return node.read_text(encoding="utf-8")

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    # Names, commands and labels come from a repo or its output: never raw escapes or markup.
    env.filters.update(md=md, mdcode=mdcode)
    return env


def render(name: str, context: dict) -> str:
    """One template, e.g. "partials/EXPERIMENTS.md.j2", rendered with `context`."""
    return _environment().get_template(name).render(**context)


def _walk(node: Traversable, prefix: str = ""):
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name.endswith(_SKIPPED):
            continue
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            yield from _walk(child, rel + "/")
        else:
            yield rel, child


def output_path(rel: str) -> str:
    parts = rel.split("/")
    name = parts[-1]
    if name.startswith("dot-"):
        name = "." + name[len("dot-") :]
    name = name.removesuffix(".j2")
    return "/".join([*parts[:-1], name])


def template_files(folder: str) -> list[str]:
    """The files of one template folder, relative to the package root ("classification/train.py")."""
    node = _root() / folder
    if not node.is_dir():
        known = ", ".join(available_templates())
        raise UsageError(f"unknown template {folder!r}; the templates are: {known}")
    return [f"{folder}/{rel}" for rel, _ in _walk(node)]


def render_tree(folder: str, dest: Path, context: dict, *, keep_existing: bool = False) -> list[str]:
    """Write every file of `folder` under `dest`; returns the paths written, relative to dest.
    keep_existing=True leaves files that are already there alone."""
    environment = _environment()
    written = []
    for name in template_files(folder):
        rel = output_path(name.split("/", 1)[1])
        target = dest / rel
        if keep_existing and (target.exists() or target.is_symlink()):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".j2"):
            target.write_text(environment.get_template(name).render(**context), encoding="utf-8")
        else:
            target.write_bytes(_root().joinpath(*name.split("/")).read_bytes())
        written.append(rel)
    return written
