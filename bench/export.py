"""How long `scout baseline` takes to write the pinned checkout a run starts in (run by hand).

    python bench/export.py [--files 10000] [--repeats 5] [--before 7a4e51d]

Builds two git repositories in a temporary folder, a tiny one (3 files) and one of `--files` files
in nested folders (with a symlink and an executable), clones each as `scout baseline` does
(`scout.baseline.execute.clone.clone`: a shallow `file://` clone, so its objects are packed, as a
clone from GitHub's are) and times `scout.gitsafe.export_commit` from that clone, the step between
the clone and the run's start that writes the commit into the run's fresh folder:
today's (the tree checked, then `git checkout-index`) and, with `--before REV`, scout at that
revision (7a4e51d: GitPython streaming the tree blob by blob), alternated. Each figure is the
median wall time of `--repeats` runs in a fresh process (the import of the module counts: a run
pays it too). Prints a markdown table with the machine's load."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search import checkout  # noqa: E402
from scout.baseline.execute.clone import clone  # noqa: E402

GIT_ID = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
}


def make_repo(path: Path, files: int) -> str:
    path.mkdir(parents=True)
    for i in range(files):
        target = path / f"pkg{i % 20}" / f"mod{i % 7}" / f"file{i}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"VALUE = {i}\n" * 20)
    (path / "run.sh").write_text("#!/bin/sh\necho accuracy: 1\n")
    (path / "run.sh").chmod(0o755)
    (path / "link.py").symlink_to("run.sh")
    env = {**os.environ, **GIT_ID}
    subprocess.run(["git", "init", "-q"], cwd=path, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=path, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "bench"], cwd=path, check=True, env=env)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=path, check=True, env=env, capture_output=True, text=True
    ).stdout.strip()


def export_code(tree: Path) -> str:
    """A child's code that times one export_commit (import included), scout taken from `tree`."""
    return (
        "import sys, time; start = time.perf_counter()\n"
        f"sys.path.insert(0, {str(tree)!r})\n"
        "from pathlib import Path\nfrom scout.gitsafe import export_commit\n"
        "export_commit(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))\n"
        "import resource\nu = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]\n"
        "print(time.perf_counter() - start, sum(r.ru_utime + r.ru_stime for r in u))\n"
    )


def time_export(tree: Path, repo: Path, commit: str, dest: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the child's and git's, interpreter start-up included)."""
    dest.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", export_code(tree), str(repo), commit, str(dest)],
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu = done.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", metavar="REV", help="also time the export of scout at this git revision")
    args = parser.parse_args(argv)
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="scout-export-") as tmp:
        root = Path(tmp)
        trees = {"now": ROOT}
        if args.before:
            trees[args.before] = checkout(args.before, root)
        repos = {"tiny (3 files)": 3, f"{args.files:,} files": args.files}
        rows = []
        for label, count in repos.items():
            repo = root / f"repo-{count}"
            commit = make_repo(repo, count)
            cloned = clone(str(repo), root / "clones").path
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
            for i in range(args.repeats):
                for name, tree in trees.items():  # alternated: both see the same machine
                    times[name].append(time_export(tree, cloned, commit, root / f"out-{count}-{name}-{i}"))
            rows.append(
                (
                    label,
                    {
                        name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
                        for name, t in times.items()
                    },
                )
            )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"# export of the pinned checkout, median of {args.repeats}; "
        f"load average {load_start[0]:.2f} at the start, {load} at the end\n"
    )
    names = list(trees)
    print("| repo | " + " | ".join(f"scout {n}" for n in names) + " | target |")
    print("|---|" + "---|" * len(names) + "---|")
    for label, medians in rows:
        target = "≤ 0.3 s" if label.startswith("tiny") else "≤ 0.6 s"
        cells = " | ".join(f"{medians[n][0]:.2f} s (CPU {medians[n][1]:.2f} s)" for n in names)
        print(f"| {label} | {cells} | {target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
