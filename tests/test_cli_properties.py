"""Property test of the whole CLI: any command, any of its flags, with arbitrary text, numbers at
the edges and paths that are files, devices or missing. The only outcomes are exit 0, 1 or 2 with
no traceback, and the store still passes PRAGMA integrity_check.

The default run tries a few dozen argument lists; `pytest -m slow` runs the long profile."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scout.cli import app
from tests.conftest import BagOfWordsEmbedder

EDGE_NUMBERS = [
    "0",
    "1",
    "-1",
    "2",
    "1e400",
    "nan",
    "-0",
    str(2**31),
    str(2**32),
    str(2**63),
    str(2**64),
    "-" + str(2**63),
]


def texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from(["", " ", "[/bold]", "\x1b]8;;http://x\x1b\\link", "\udcff", "ext::sh -c touch% /tmp/x"]),
        st.sampled_from(EDGE_NUMBERS),
    )


@st.composite
def paths(draw, root: Path) -> str:
    choice = draw(st.sampled_from(["file", "below-file", "missing", "dir", "devnull", "devzero", "text"]))
    return {
        "file": str(root / "a-file"),
        "below-file": str(root / "a-file" / "below"),
        "missing": str(root / "missing" / "deeper"),
        "dir": str(root / "a-dir"),
        "devnull": "/dev/null",
        "devzero": "/dev/zero",
        "text": draw(texts()),
    }[choice]


def value(kind: str, root: Path):
    if kind == "int":
        return st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers(-(2**70), 2**70).map(str))
    if kind == "path":
        return paths(root)
    if kind == "about":
        return st.one_of(texts(), paths(root).map(lambda p: "@" + p))
    if kind == "repo":
        return st.one_of(paths(root), st.sampled_from(["", "ext::sh -c true", "-u", "file:///nonexistent"]))
    return texts()


# Every command and its flags (name -> kind; None for a switch), as `scout COMMAND --help` lists them.
COMMANDS = {
    ("search",): {
        "--about": "about",
        "--source": "text",
        "--limit": "int",
        "--since": "int",
        "--code-only": None,
        "--offline": None,
        "--refresh": None,
        "--format": "text",
        "--json": None,
        "--model": "text",
        "--ranker": "text",
        "--sort": "text",
        "--rerank": "text",
    },
    ("show",): {"--json": None},
    ("baseline",): {
        "--top": "int",
        "--repo": "repo",
        "--cmd": "text",
        "--device": "text",
        "--timeout": "int",
        "--json": None,
        "--env": "text",
        "--update": None,
        "--sandbox": None,
        "--pass-env": "text",
        "--metric": "text",
        "--seed": "int",
        "--executor": "text",
        "--partition": "text",
        "--gpus-per-job": "int",
        "--time": "int",
    },
    ("runs",): {"--json": None},
    ("new",): {"--from": "path", "--template": "text", "--dir": "path", "--force": None},
    ("cache", "info"): {"--json": None},
    ("cache", "clear"): {"--all": None, "--yes": None},
    ("index", "info"): {"--json": None},
    ("index", "import"): {},
}
POSITIONAL = {("search",): "text", ("show",): "text", ("new",): "text", ("index", "import"): "path"}


@st.composite
def command_lines(draw, root: Path) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    argv = list(command)
    if command in POSITIONAL:
        argv.append(draw(value(POSITIONAL[command], root)))
    flags = COMMANDS[command]
    for flag in draw(st.lists(st.sampled_from(sorted(flags)), max_size=4)) if flags else []:
        argv.append(flag)
        if flags[flag] is not None:
            argv.append(draw(value(flags[flag], root)))
    if draw(st.booleans()):
        argv += ["--cache-dir", draw(paths(root))]
    else:
        argv += ["--cache-dir", str(root / "cache")]
    return argv


def check(argv: list[str], root: Path) -> None:
    result = CliRunner().invoke(app, argv)
    # DESIGN.md §3: 0 ok, 1 failure, 2 usage, 3 unreachable, 4 upstream, 5 a confirmation not given.
    assert result.exit_code in (0, 1, 2, 3, 4, 5), (argv, result.output, result.exception)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (argv, repr(result.exception))
    assert "Traceback" not in result.output, (argv, result.output)
    db = root / "cache" / "scout.db"
    if db.exists():
        con = sqlite3.connect(db)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            con.close()


@pytest.fixture
def root(tmp_path_factory, monkeypatch):
    root = tmp_path_factory.mktemp("props")
    (root / "a-file").write_text("not a folder\n")
    (root / "a-dir").mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("SCOUT_OFFLINE", "1")  # never the network
    monkeypatch.setattr("scout.search.embed.load_embedder", lambda *a, **k: BagOfWordsEmbedder())
    return root


def _property(root: Path, examples: int):
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(argv=command_lines(root))
    def run(argv):
        check(argv, root)

    run()


def test_every_command_exits_with_a_contract_status_without_a_traceback(root):
    _property(root, 25)


@pytest.mark.slow
def test_every_command_long_profile(root):
    _property(root, 600)
