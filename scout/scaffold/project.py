"""`scout new`: the project in which the researcher tries to beat the baseline.

From a baseline, the files of its pinned commit are copied into a fresh git repository whose first
commit records the origin; a second commit adds scout's part (EXPERIMENTS.md, the README section,
the scoutkit helpers and sanity-check wiring), so `git diff HEAD~1` shows exactly what scout
added. From a template, one commit holds the rendered starter. Everything is built in a
temporary folder beside the target and moved into place at the end, so a failure leaves nothing
half-written."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from scout import __version__
from scout.clock import now_iso
from scout.dirs import make_project_store
from scout.errors import CloneError, ConfigError, ScaffoldError, TreeError, UsageError
from scout.files import CACHE_MARKER
from scout.gitsafe import GIT_ENV, export_commit
from scout.scaffold.origins import ORIGIN_FILE, RUNS_FILE, Baseline, resolve
from scout.scaffold.templates import available_templates, render, render_tree

DEFAULT_TEMPLATE = "classification"
SECTION_BEGIN = "<!-- scout:begin -->"
SECTION_END = "<!-- scout:end -->"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_SYMLINK_MODE = 0o120000
_IDENTITY = {
    "GIT_AUTHOR_NAME": "scout",
    "GIT_AUTHOR_EMAIL": "scout@localhost",
    "GIT_COMMITTER_NAME": "scout",
    "GIT_COMMITTER_EMAIL": "scout@localhost",
}


@dataclass(frozen=True)
class Scaffold:
    path: Path
    commit: str
    template: str | None
    baseline: Baseline | None
    notes: tuple[str, ...]

    def to_json(self) -> dict:
        """`scout new --json`: where the project is, and what it was made from."""
        origin = self.baseline
        return {
            "path": str(self.path),
            "commit": self.commit,
            "template": self.template,
            "from": None
            if origin is None
            else {
                "kind": origin.kind,
                "label": origin.label,
                "repo": origin.repo,
                "commit": origin.commit,
                "run_id": origin.run_id,
                "metrics": [asdict(row) for row in origin.metrics],
            },
            "notes": list(self.notes),
        }


def copy_commit(source: Path, commit: str, dest: Path) -> list[str]:
    """Write the files of `commit` in the repository at `source` under `dest` (symlinks as links,
    executable bits kept). Returns warnings, e.g. for submodules, which are not copied. Every path
    is checked before anything is written, and nothing is written outside `dest`."""
    try:
        return export_commit(source, commit, dest)
    except ValueError as exc:
        raise CloneError(f"{exc}; clone the baseline again") from None
    except TreeError as exc:
        raise ScaffoldError(
            f"{exc}; scout never writes or follows links out of a baseline: fix the baseline's tree"
        ) from None


def _git_config(repo, key: str) -> str | None:
    """A git setting as git itself resolves it (all config files); None when unset."""
    import git

    try:
        return repo.git.config("--get", key) or None
    except git.GitCommandError:
        return None


def _commit_all(repo, message: str) -> str:
    """Commit every file in the folder. scout's fallback identity is used only where git has none,
    and only for this commit."""
    has_identity = all(_git_config(repo, key) for key in ("user.email", "user.name"))
    repo.git.add("--all", "--force", ".")
    repo.git.commit(
        "--quiet",
        "--no-verify",
        "--no-gpg-sign",
        "--allow-empty",
        "-m",
        message,
        env=None if has_identity else _IDENTITY,
    )
    return repo.head.commit.hexsha


def _trailers(pairs: dict) -> str:
    return "\n".join(f"{k}: {v}" for k, v in pairs.items() if v)


def merge_readme_section(existing: str | None, section: str) -> str:
    """scout's section at the top of README.md: replaced if there is one, else put above the
    existing text, which stays as it was."""
    block = f"{SECTION_BEGIN}\n{section.strip()}\n{SECTION_END}\n"
    if not existing:
        return block
    if SECTION_BEGIN in existing and SECTION_END in existing:
        before, rest = existing.split(SECTION_BEGIN, 1)
        after = rest.split(SECTION_END, 1)[1].lstrip("\n")
        return before + block + ("\n" + after if after else "")
    return block + "\n" + existing


def _format(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _context(
    name: str, command: str, created: str, baseline: Baseline | None, template: str | None, sanity_wiring: bool
) -> dict:
    data = None
    if baseline is not None:
        data = {k: v for k, v in asdict(baseline).items() if k not in ("metrics", "source_path", "lineage")}
        data["metrics"] = [
            {"name": m.name, "measured": _format(m.measured), "paper": _format(m.paper)} for m in baseline.metrics
        ]
        data["has_paper"] = any(m.paper is not None for m in baseline.metrics)
    return {
        "name": name,
        "command": command,
        "created": created,
        "template": template,
        "baseline": data,
        "lineage": [baseline.summary(), *baseline.lineage] if baseline else [],
        "sanity_wiring": sanity_wiring,
        "scout_version": __version__,
    }


def _origin(context: dict) -> dict:
    """.scout/origin.json: where this experiment came from, and the lineage before that."""
    return {
        "name": context["name"],
        "created_at": context["created"],
        "command": context["command"],
        "scout": __version__,
        "template": context["template"],
        "source": context["baseline"],
        "lineage": context["lineage"],
    }


def _add_scout_files(dest: Path, context: dict, baseline: Baseline | None) -> None:
    """EXPERIMENTS.md, the README section, scoutkit, origin.json; for a foreign baseline, the
    sanity-check wiring too. Files the copy already has (its scoutkit, its tests) are kept."""
    if baseline is not None and baseline.kind == "experiment":
        (dest / RUNS_FILE).unlink(missing_ok=True)  # those runs belong to the earlier experiment
    render_tree("helpers", dest, context, keep_existing=True)
    if context["sanity_wiring"]:
        render_tree("baseline", dest, context, keep_existing=True)
    (dest / "EXPERIMENTS.md").write_text(render("partials/EXPERIMENTS.md.j2", context), encoding="utf-8")
    readme = dest / "README.md"
    existing = readme.read_text(encoding="utf-8") if readme.is_file() and not readme.is_symlink() else None
    if readme.is_symlink():
        readme.unlink()  # a README linked elsewhere in the copy: scout's own README replaces the link
    readme.write_text(
        merge_readme_section(existing, render("partials/README_section.md.j2", context)), encoding="utf-8"
    )
    # .scout/ is also the project's store: scout run inside the experiment keeps its ledger there, out of git.
    make_project_store(dest)
    origin = dest / ORIGIN_FILE
    origin.write_text(json.dumps(_origin(context), indent=2) + "\n", encoding="utf-8")


def _build(
    dest: Path, name: str, command: str, baseline: Baseline | None, template: str | None
) -> tuple[str, list[str]]:
    import git

    created = now_iso()
    repo = git.Repo.init(dest, initial_branch="main")
    repo.git.update_environment(**GIT_ENV)
    notes: list[str] = []
    if baseline is None:
        context = _context(name, command, created, None, template, sanity_wiring=False)
        render_tree(template, dest, context)
        _add_scout_files(dest, context, None)
        return _commit_all(
            repo,
            f"New experiment {name} from scout's {template} template\n\n"
            + _trailers({"Scout-Command": command, "Scout-Template": template, "Scout-Version": __version__}),
        ), notes
    notes += copy_commit(baseline.source_path, baseline.commit, dest)
    _commit_all(
        repo,
        f"Copy of {baseline.label} at {baseline.commit[:12]}\n\n"
        f"`{command}` copied the files of this commit unchanged; the next commit adds scout's part.\n\n"
        + _trailers(
            {
                "Origin-Repo": baseline.repo,
                "Origin-Commit": baseline.commit,
                "Origin-Run": baseline.run_id,
                "Origin-Experiment": baseline.name,
                "Scout-Command": command,
            }
        ),
    )
    context = _context(name, command, created, baseline, None, sanity_wiring=baseline.kind != "experiment")
    _add_scout_files(dest, context, baseline)
    return _commit_all(
        repo,
        f"scout new {name}: experiment log, README section, scoutkit helpers\n\n"
        + _trailers({"Scout-Version": __version__}),
    ), notes


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _protected(target: Path, store_dir: Path | None) -> str | None:
    """Why scout must not replace `target`, or None: it is or holds scout's store, the home folder or
    the root, or a git work tree with changes no commit keeps."""
    real = target.resolve()
    home = Path.home().resolve()
    if real == Path(real.anchor):
        return f"{target} is the root of the file system"
    if _inside(home, real):
        return f"{target} is or holds your home folder {home}"
    if store_dir is not None and (_inside(store_dir.resolve(), real) or _inside(real, store_dir.resolve())):
        return f"{target} is, holds or lies in scout's store {store_dir}"
    if (real / CACHE_MARKER).exists() or (real / "scout.db").exists():
        return f"{target} is a scout store (it holds {CACHE_MARKER} or scout.db)"
    dirty = _uncommitted(real)
    if dirty:
        return f"{dirty} is a git work tree with uncommitted changes; commit or move them first"
    return None


_MAX_TREES = 200
_MAX_ENTRIES = 100_000


def _uncommitted(root: Path) -> Path | None:
    """A git work tree at or under `root` (or the one `root` lies in) with changes git does not keep
    in a commit: modified, staged or untracked files."""
    import subprocess

    from scout.gitsafe import git_environ

    trees = [root]
    seen = 0
    for folder, dirs, files in os.walk(root):
        if ".git" in dirs or ".git" in files:
            trees.append(Path(folder))
        dirs[:] = [d for d in dirs if d != ".git"]
        seen += len(dirs) + len(files)
        if len(trees) > _MAX_TREES or seen > _MAX_ENTRIES:
            break  # the folder is moved aside, not deleted, so a tree past the bound is not lost
    for tree in dict.fromkeys(trees):
        try:
            status = subprocess.run(
                ["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=normal", "--", "."],
                capture_output=True,
                text=True,
                env=git_environ(),
                timeout=120,
            )
        except (OSError, subprocess.TimeoutExpired):
            return tree  # cannot tell: treat it as holding work
        if status.returncode == 0 and status.stdout.strip():
            return tree
    return None


def _check_target(target: Path, force: bool, baseline: Baseline | None, store_dir: Path | None) -> None:
    if target.exists() or target.is_symlink():
        if not target.is_dir() or target.is_symlink():
            raise ScaffoldError(f"{target} exists and is not a folder; choose another name or --dir")
        if any(target.iterdir()):
            if not force:
                raise ScaffoldError(
                    f"{target} exists and is not empty; choose another name or --dir, or pass --force to move it aside"
                )
            why = _protected(target, store_dir)
            if why:
                raise ScaffoldError(f"{why}; scout new never replaces it, even with --force; choose another --dir")
    if _inside(Path.cwd().resolve(), target):
        raise ScaffoldError(f"{target} holds the current directory; run scout new from outside it")
    if baseline is not None and _inside(baseline.source_path.resolve(), target):
        raise ScaffoldError(f"{target} holds the baseline {baseline.source_path}; choose another target")


def _install(built: Path, target: Path) -> Path | None:
    """Move the finished folder into place. An existing target (empty, or --force) is moved aside,
    never deleted: returns where it went (None when there was none, or it was empty)."""
    if not target.exists():
        os.replace(built, target)
        return None
    empty = not any(target.iterdir())
    aside = Path(tempfile.mkdtemp(prefix=f"{target.name}.old-", dir=target.parent))
    os.replace(target, aside / target.name)
    try:
        os.replace(built, target)
    except OSError:
        os.replace(aside / target.name, target)  # put the old one back
        aside.rmdir()
        raise
    if empty:
        (aside / target.name).rmdir()
        aside.rmdir()
        return None
    return aside / target.name


def create_experiment(
    name: str,
    *,
    source: str | None = None,
    template: str | None = None,
    target: Path | None = None,
    force: bool = False,
    store=None,
    command: str | None = None,
    store_dir: Path | None = None,
) -> Scaffold:
    """Create the experiment NAME in `target` (default ./NAME) from `source` (a run id, a path or a
    repository URL; default: the best run in the ledger) or from `template`. Without either and with
    an empty ledger, the default template is used. `store_dir` (scout's cache) is never a target;
    with `force`, a target that is not empty is moved aside (the notes say where), never deleted."""
    if not _NAME.fullmatch(name):
        raise ConfigError(
            f"experiment name {name!r} must be letters, digits, '.', '_' or '-'; use --dir to choose where it goes"
        )
    if source is not None and template is not None:
        raise ConfigError("give --from or --template, not both")
    if template is not None and template not in available_templates():
        raise UsageError(f"unknown template {template!r}; the templates are: {', '.join(available_templates())}")
    command = command or f"scout new {name}"
    target = (Path(target) if target else Path(name)).expanduser().absolute()
    notes: list[str] = []
    baseline = None
    if template is None:
        baseline, notes = resolve(source, store)
        if baseline is None:
            template = DEFAULT_TEMPLATE
            notes.append(f"no baseline in the ledger, so {name} starts from the {template} template")
    _check_target(target, force, baseline, store_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        built = work / target.name
        built.mkdir()
        commit, build_notes = _build(built, name, command, baseline, template)
        aside = _install(built, target)
        if aside is not None:
            build_notes.append(f"the old {target.name} was moved aside, not deleted: it is in {aside}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Scaffold(path=target, commit=commit, template=template, baseline=baseline, notes=tuple(notes + build_notes))
