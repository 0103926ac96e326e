"""Where scout keeps its data (scout.dirs), shared files made once under a lock, and children
that import scout whatever the working directory holds."""

from __future__ import annotations

import multiprocessing
import subprocess
from pathlib import Path

import pytest

from scout.config import load_settings
from scout.dirs import find_project_store, locate_store, make_once, make_project_store, shared_cache_dir

SCOUT_PYPROJECT = '[project]\nname = "scout"\nversion = "0"\n'


def test_the_flag_beats_the_environment_beats_the_nearest_store_beats_the_user_data_dir(tmp_path):
    project = tmp_path / "project"
    (project / ".scout").mkdir(parents=True)
    deep = project / "a" / "b"
    deep.mkdir(parents=True)
    env = {"SCOUT_CACHE_DIR": str(tmp_path / "env")}
    assert locate_store(tmp_path / "flag", env, deep).path == tmp_path / "flag"
    assert locate_store(None, env, deep).path == tmp_path / "env"
    found = locate_store(None, {}, deep)
    assert found.path == project / ".scout" and ".scout/ found upward" in found.why
    outside = locate_store(None, {}, tmp_path)
    assert outside.path == Path(shared_cache_dir()).parent.parent / "data" / "scout"  # XDG_DATA_HOME (conftest)
    assert "user data dir" in outside.why


def test_the_ledger_is_the_same_after_cd_within_a_project(tmp_path):
    project = tmp_path / "project"
    make_project_store(project)
    (project / "src" / "deep").mkdir(parents=True)
    stores = {load_settings({}, env={}, cwd=where).db_path for where in (project, project / "src" / "deep")}
    assert stores == {project / ".scout" / "scout.db"}


def test_data_an_older_scout_left_in_cache_is_found_and_kept(tmp_path):
    old = tmp_path / "work" / "cache"
    old.mkdir(parents=True)
    (old / "scout.db").write_bytes(b"")
    (tmp_path / "work" / "sub").mkdir()
    found = find_project_store(tmp_path / "work" / "sub")
    assert found.path == old and "older scout" in found.why
    (tmp_path / "other" / "cache").mkdir(parents=True)  # someone else's cache/: not scout's
    assert find_project_store(tmp_path / "other") is None


def test_scouts_own_checkout_keeps_its_cache(tmp_path):
    (tmp_path / "pyproject.toml").write_text(SCOUT_PYPROJECT)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "README.md").write_text("scout's data\n")
    found = find_project_store(tmp_path / "cache")
    assert found.path == tmp_path / "cache" and "own checkout" in found.why


def test_a_project_store_is_ignored_by_git(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    store = make_project_store(project)
    (store / "scout.db").write_bytes(b"data")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=project, capture_output=True, text=True
    )
    assert status.stdout == ""


def _make(target: str, log: str, inside, others_saw_it_missing) -> None:
    """The first process: holds the lock while the second finds the file missing."""

    def make():
        inside.set()
        others_saw_it_missing.wait(60)
        with open(log, "a") as out:
            out.write("made\n")
        Path(target).write_text("model")

    make_once(Path(target), Path(target).exists, make)


def _also_make(target: str, log: str, others_saw_it_missing) -> None:
    def ready() -> bool:
        if Path(target).exists():
            return True
        others_saw_it_missing.set()
        return False

    def make():
        with open(log, "a") as out:
            out.write("made\n")
        Path(target).write_text("model")

    make_once(Path(target), ready, make)


def test_two_first_searches_at_once_export_once(tmp_path):
    """The second process finds the model missing while the first is exporting it (the first
    waits for that, on an event), and still does not export it again."""
    ctx = multiprocessing.get_context("spawn")
    target, log = str(tmp_path / "models" / "m.onnx"), str(tmp_path / "exports.log")
    inside, saw_missing = ctx.Event(), ctx.Event()
    first = ctx.Process(target=_make, args=(target, log, inside, saw_missing))
    first.start()
    assert inside.wait(60)
    second = ctx.Process(target=_also_make, args=(target, log, saw_missing))
    second.start()
    for process in (first, second):
        process.join(60)
    assert (first.exitcode, second.exitcode) == (0, 0)
    assert saw_missing.is_set()
    assert Path(log).read_text() == "made\n"


def test_a_child_imports_scout_not_the_scout_package_in_the_working_directory(tmp_path, monkeypatch):
    """The ONNX export child once ran `python -c` with the working directory first on sys.path."""
    from scout.search.child import call_in_child

    decoy = tmp_path / "scout"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit('imported the decoy scout package')\n")
    (decoy / "dirs.py").write_text("raise SystemExit('imported the decoy scout.dirs')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # -I: not even this reaches the child
    call_in_child("scout.dirs", "make_project_store", [tmp_path / "made"], "could not make it")
    assert (tmp_path / "made" / ".scout" / ".gitignore").is_file()


def test_a_failing_child_is_a_config_error_with_its_last_line(tmp_path):
    from scout.errors import ConfigError
    from scout.search.child import call_in_child

    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match=r"could not do it: .*ConfigError: cannot use .* \(Not a directory\)"):
        call_in_child("scout.dirs", "make_project_store", [tmp_path / "file"], "could not do it")
