"""The folder tree is the architecture: each stage imports only from the stages before it
(query -> sources -> merge -> rank -> store -> clone -> evaluate -> ledger -> scaffold), and no
modules import each other in a cycle. Every import counts, those inside functions too."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from scout import errors

PACKAGE = Path(__file__).resolve().parents[1] / "scout"

# Earlier first. A module may import its own stage and any stage before it, never a later one.
STAGES = [
    (
        "core",
        [
            "scout",
            "scout.errors",
            "scout.config",
            "scout.models",
            "scout.metrics",
            "scout.clock",
            "scout.files",
            "scout.gitsafe",
        ],
    ),
    ("store", ["scout.store"]),
    ("search", ["scout.search"]),
    ("archive", ["scout.archive"]),
    ("leaderboard", ["scout.leaderboard"]),
    ("session", ["scout.session"]),
    ("ledger", ["scout.ledger"]),
    ("baseline", ["scout.baseline"]),
    ("scaffold", ["scout.scaffold"]),
    ("watch", ["scout.watch"]),
    ("report", ["scout.report"]),
    ("mcp", ["scout.mcp"]),
    ("cli", ["scout.cli"]),
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> int:
    best, index = -1, None
    for i, (_, prefixes) in enumerate(STAGES):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, index = len(prefix), i
    assert index is not None, f"{module} belongs to no stage: add it to STAGES"
    return index


def _imports(path: Path, module: str) -> set[str]:
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("scout"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name == "scout" or name.startswith("scout."):
                # `from scout.baseline.execute import slurm` names a module; `from scout import __version__` does not.
                for alias in node.names:
                    candidate = f"{name}.{alias.name}"
                    found.add(candidate if _exists(candidate) else name)
    return found


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        graph[module] = {m for m in _imports(path, module) if m != module}
    return graph


def test_no_stage_imports_a_later_one():
    back_edges = [
        f"{module} ({STAGES[_stage(module)][0]}) imports {target} ({STAGES[_stage(target)][0]})"
        for module, targets in _graph().items()
        for target in targets
        if _stage(target) > _stage(module)
    ]
    assert back_edges == []


def test_no_import_cycles():
    graph = _graph()
    # The CLI package registers its command modules at the end of scout/cli/__init__.py, and they
    # import the app back: that is how Typer apps are assembled, and it is the one allowed loop.
    graph = {m: {t for t in ts if not (m == "scout.cli" and t.startswith("scout.cli."))} for m, ts in graph.items()}
    cycles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join(trail[trail.index(target) :] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_every_exception_class_lives_in_errors():
    elsewhere = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if any(b.endswith(("Error", "Exception", "Interrupt")) for b in bases):
                    elsewhere.append(f"{path.relative_to(PACKAGE)}: {node.name}")
    assert elsewhere == []


@pytest.mark.parametrize(
    "error",
    [
        errors.ScoutError("x"),
        errors.ConfigError("bad flag"),
        errors.SourceError("arxiv", "HTTP 503 after 4 tries", status=503),
        errors.ParseError("bad body"),
        errors.DumpError("truncated"),
        errors.StoreError("corrupt"),
        errors.CloneError("no repo"),
        errors.EvalError("no command"),
        errors.ScaffoldError("no baseline"),
        errors.TreeError("a link out of the tree"),
    ],
)
def test_errors_survive_a_pickle_round_trip(error):
    # SLURM jobs and worker processes hand errors back by pickle.
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
    assert vars(again) == vars(error)


def test_interrupted_keeps_its_runs_through_pickle():
    again = pickle.loads(pickle.dumps(errors.Interrupted(["r-1"])))
    assert isinstance(again, KeyboardInterrupt) and again.runs == ["r-1"]
