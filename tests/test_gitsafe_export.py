"""export_commit: the pinned commit written by git checkout-index, every path and link checked first."""

from __future__ import annotations

import os
import subprocess

import pytest

from scout.errors import TreeError
from scout.gitsafe import export_commit

GIT_ID = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


def git(repo, *args, stdin=None) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **GIT_ID}, check=True, text=True, input=stdin, capture_output=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "repo"
    (path / "pkg").mkdir(parents=True)
    (path / "pkg" / "mod.py").write_text("x = 1  # $Id$\n")
    (path / "run.sh").write_text("#!/bin/sh\necho $Format:%H$\n")
    (path / "run.sh").chmod(0o755)
    (path / "ignored.txt").write_text("kept\n")
    (path / "link.py").symlink_to("pkg/mod.py")
    # A repo's own export rules must not change the copy: it is the commit, file for file.
    (path / ".gitattributes").write_text("ignored.txt export-ignore\nrun.sh export-subst\n*.py text eol=crlf ident\n")
    git(path, "init", "-q")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "init")
    return path


def test_the_copy_is_the_commit(repo, tmp_path):
    dest = tmp_path / "out"
    dest.mkdir()
    assert export_commit(repo, git(repo, "rev-parse", "HEAD"), dest) == []
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == [
        ".gitattributes",
        "ignored.txt",
        "link.py",
        "pkg",
        "pkg/mod.py",
        "run.sh",
    ]
    assert (dest / "run.sh").read_text() == "#!/bin/sh\necho $Format:%H$\n"
    assert (dest / "pkg" / "mod.py").read_bytes() == b"x = 1  # $Id$\n"  # no line-ending or ident rewrite
    assert os.access(dest / "run.sh", os.X_OK) and not os.access(dest / "pkg" / "mod.py", os.X_OK)
    assert os.readlink(dest / "link.py") == "pkg/mod.py"


def test_a_submodule_is_skipped_with_a_note(repo, tmp_path):
    head = git(repo, "rev-parse", "HEAD")
    listing = git(repo, "ls-tree", "HEAD")
    tree = git(repo, "mktree", stdin=f"{listing}\n160000 commit {head}\tvendor\n")
    commit = git(repo, "commit-tree", tree, "-m", "with a submodule")
    dest = tmp_path / "out"
    dest.mkdir()
    notes = export_commit(repo, commit, dest)
    assert notes == ["submodule vendor is not copied; add it again with `git submodule add`"]
    assert not (dest / "vendor").exists() and (dest / "run.sh").is_file()


def test_a_link_out_of_the_copy_writes_nothing(repo, tmp_path):
    outside = git(repo, "hash-object", "-w", "--stdin", stdin="../../etc")
    listing = git(repo, "ls-tree", "HEAD")
    tree = git(repo, "mktree", stdin=f"{listing}\n120000 blob {outside}\tescape\n")
    commit = git(repo, "commit-tree", tree, "-m", "crafted")
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(TreeError, match="points outside the copy"):
        export_commit(repo, commit, dest)
    assert list(dest.iterdir()) == []


def test_an_unknown_commit_or_a_folder_that_is_no_repository(repo, tmp_path):
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(ValueError, match="is not in"):
        export_commit(repo, "0" * 40, dest)
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(ValueError, match="not a git repository"):
        export_commit(plain, "HEAD", dest)
