"""Make the checkouts bench/repos.py and bench/fit_ranker.py read: CORPUS_DIR/<owner>+<name> at the
commit each label was written against (run by hand; the checkouts are not kept in git).

    python bench/corpus/checkouts.py [--corpus /work/corpus] [--labels DIR] [--base URL] [--split dev]

For every label with a commit whose checkout is missing: `git clone BASE/<owner>/<name>` and a
detached checkout of that commit. BASE is https://github.com unless `--base` or
$SCOUT_CORPUS_GIT_BASE names a mirror (any URL or folder git clones from). A checkout that is
there is left alone, whatever it holds. One line per repo made or failed, and a count; exit 1
when any failed. (The labels were written from snapshots that leave out files over 20 MB, so a full
clone may hold a large file the label's checkout lacked: see LABELING.md.)"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpus.labels import CORPUS, LABELS, load  # noqa: E402

BASE = "https://github.com"


def _git(*args: str, cwd: Path | None = None) -> None:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode:
        lines = done.stderr.strip().splitlines() or [f"git {args[0]} failed"]
        raise RuntimeError(lines[-1])


def make(repo: str, commit: str, target: Path, base: str) -> None:
    """Clone `repo` from `base` into `target` at `commit`; nothing is left behind on failure."""
    partial = target.with_name(target.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        _git("clone", "--quiet", "--no-checkout", f"{base.rstrip('/')}/{repo}", str(partial))
        _git("-c", "advice.detachedHead=false", "checkout", "--quiet", commit, cwd=partial)
        partial.rename(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="where the checkouts go (%(default)s)")
    parser.add_argument("--labels", type=Path, default=LABELS, help="the label files (%(default)s)")
    parser.add_argument("--base", default=os.environ.get("SCOUT_CORPUS_GIT_BASE", BASE), help="where to clone from")
    parser.add_argument("--split", help="only the labels of this part (dev, heldout4, ...)")
    args = parser.parse_args(argv)
    if not args.labels.is_dir():
        print(f"error: no label folder {args.labels}; pass --labels DIR", file=sys.stderr)
        return 2
    args.corpus.mkdir(parents=True, exist_ok=True)
    made = present = 0
    failed = []
    for label in load(args.split, args.labels):
        target = args.corpus / label.folder
        commit = label.raw.get("commit")
        if target.exists():
            present += 1
            continue
        try:
            if not commit:
                raise RuntimeError("the label names no commit")
            make(label.repo, commit, target, args.base)
        except RuntimeError as exc:
            failed.append(label.repo)
            print(f"failed  {label.repo}: {exc}")
            continue
        made += 1
        print(f"made    {label.repo} @ {commit[:12]}")
    print(f"{made} made, {present} already there, {len(failed)} failed, in {args.corpus}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
