"""bench/corpus/checkouts.py makes the corpus checkouts at each label's commit, from a mirror folder
made here: a later commit of the mirror is not what the label was written against."""

from __future__ import annotations

import json
import os
import subprocess

from bench.corpus.checkouts import main
from bench.corpus.labels import SPLITS
from tests.test_bench_repos import label

IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


def git(*args, cwd):
    done = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **IDENTITY}, check=True, capture_output=True)
    return done.stdout.decode().strip()


def test_checkouts_at_the_labels_commits(tmp_path, make_git_repo, capsys):
    repo = make_git_repo("mirror/o/evals", {"README.md": "## Evaluation\n`python eval.py`\n"})
    labeled = git("rev-parse", "HEAD", cwd=repo)
    (repo / "README.md").write_text("# rewritten after the label\n")
    git("commit", "-qam", "later", cwd=repo)
    labels, corpus = tmp_path / "labels", tmp_path / "corpus"
    labels.mkdir()
    rows = [
        label("o/evals", "dev", commit=labeled),
        label("o/gone", SPLITS[-1], commit="1" * 40),  # no such repo in the mirror
        {**label("o/pending", "dev"), "status": "unavailable"},  # not a usable label: not cloned
    ]
    for row in rows:
        (labels / f"{row['repo'].replace('/', '+')}.json").write_text(json.dumps(row))
    argv = ["--corpus", str(corpus), "--labels", str(labels), "--base", str(tmp_path / "mirror")]

    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "made    o/evals" in out and "failed  o/gone" in out and "1 made, 0 already there, 1 failed" in out
    checkout = corpus / "o+evals"
    assert git("rev-parse", "HEAD", cwd=checkout) == labeled
    assert (checkout / "README.md").read_text().startswith("## Evaluation")
    assert sorted(p.name for p in corpus.iterdir()) == ["o+evals"]  # nothing half-made is left

    assert main([*argv, "--split", "dev"]) == 0  # what is there is left alone
    assert "0 made, 1 already there, 0 failed" in capsys.readouterr().out
