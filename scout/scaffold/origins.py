"""Where a new experiment comes from: a run in the ledger (its clone at the pinned commit), an
earlier experiment made by `scout new`, or a local git repository. Each becomes a Baseline: the code
to copy, and the number to beat with what measured it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scout.errors import CloneError, ScaffoldError
from scout.models import normalize_repo_url

ORIGIN_FILE = ".scout/origin.json"  # written into every experiment; it makes the lineage readable
RUNS_FILE = "runs.jsonl"  # scoutkit.record_run appends one line per run


@dataclass(frozen=True)
class MetricRow:
    name: str
    measured: float | None
    paper: float | None


@dataclass(frozen=True)
class Baseline:
    kind: str  # "run" (ledger), "experiment" (made by scout new) or "repo" (any git repository)
    label: str  # how to name it in a sentence
    repo: str  # URL, or the absolute path of a local repository
    commit: str
    source_path: Path  # the git repository the files are copied from
    run_id: str | None = None
    name: str | None = None  # the experiment's name
    command: str | None = None
    hardware: str | None = None
    date: str | None = None
    status: str | None = None
    metrics: tuple[MetricRow, ...] = ()
    template: str | None = None  # the template an experiment started from
    lineage: tuple[dict, ...] = ()  # the origins before this baseline, nearest first

    def summary(self) -> dict:
        """This baseline as one step of a lineage, as origin.json stores it."""
        return {
            "kind": self.kind,
            "name": self.name,
            "repo": self.repo,
            "commit": self.commit,
            "run_id": self.run_id,
            "template": self.template,
        }


def _metric_rows(measured: dict, paper: dict) -> tuple[MetricRow, ...]:
    names = list(measured) + [n for n in paper if n not in measured]
    return tuple(MetricRow(n, measured.get(n), paper.get(n)) for n in names)


def from_run(run) -> Baseline:
    """A ledger run: its clone must still be on disk and hold the pinned commit."""
    clone = Path(run.clone_path) if run.clone_path else None
    if clone is None or not clone.is_dir():
        raise CloneError(
            f"the clone of {run.repo} for run {run.id} is missing ({run.clone_path or 'no path recorded'}); "
            f"run `scout baseline --repo {run.repo}` to clone and measure it again"
        )
    if not run.commit:
        raise ScaffoldError(
            f"run {run.id} recorded no commit, so there is nothing pinned to copy; "
            f"run `scout baseline --repo {run.repo}` again"
        )
    torch_version = (run.env or {}).get("torch")
    hardware = ", ".join(p for p in (run.gpu or run.device, torch_version and f"torch {torch_version}") if p)
    return Baseline(
        kind="run",
        label=f"run {run.id} of {run.repo}",
        repo=run.repo,
        commit=run.commit,
        source_path=clone,
        run_id=run.id,
        command=run.command,
        hardware=hardware or None,
        date=run.started_at,
        status=run.status,
        metrics=_metric_rows(run.metrics, run.paper_metrics),
    )


def _open_repo(path: Path):
    import git

    from scout.gitsafe import open_repo

    try:
        repo = open_repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise ScaffoldError(
            f"{path} is not a git repository; scout copies a baseline at a commit, so run "
            "`git init && git add -A && git commit -m baseline` there first"
        ) from None
    if not repo.head.is_valid():
        raise ScaffoldError(f"{path} has no commits yet; commit the baseline first")
    return repo


def _read_at(repo, commit: str, rel: str) -> str | None:
    try:
        return (repo.commit(commit).tree / rel).data_stream.read().decode("utf-8")
    except KeyError:
        return None


def _best_record(runs_path: Path) -> dict | None:
    """The experiment's best recorded run, judged on the first metric of its latest run."""
    from scout.metrics import higher_is_better

    if not runs_path.is_file():
        return None
    records = []
    for line in runs_path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a crash; the others still count
    records = [r for r in records if isinstance(r, dict) and r.get("metrics")]
    if not records:
        return None
    headline = next(iter(records[-1]["metrics"]))
    scored = [r for r in records if isinstance(r["metrics"].get(headline), (int, float))]
    if not scored:
        return records[-1]
    pick = max if higher_is_better(headline) else min
    return pick(scored, key=lambda r: r["metrics"][headline])


def _from_experiment(path: Path, commit: str, origin: dict) -> Baseline:
    record = _best_record(path / RUNS_FILE) or {}
    env = record.get("env") or {}
    metrics = {k: v for k, v in (record.get("metrics") or {}).items() if isinstance(v, (int, float))}
    name = origin.get("name") or path.name
    return Baseline(
        kind="experiment",
        label=f"experiment {name} ({path})",
        repo=str(path),
        commit=commit,
        source_path=path,
        name=name,
        command=record.get("command"),
        hardware=env.get("gpu") or record.get("device") or None,
        date=record.get("time"),
        status="ok" if record else None,
        run_id=f"{name} run {record['run']}" if record.get("run") else None,
        metrics=_metric_rows(metrics, {}),
        template=origin.get("template"),
        lineage=tuple(origin.get("lineage") or ()),
    )


def from_path(path: Path, store) -> tuple[Baseline, list[str]]:
    """A local git repository at its HEAD commit: an earlier experiment, a ledger run's clone, or
    any repository. Returns the baseline and warnings."""
    from scout import ledger

    path = path.resolve()
    repo = _open_repo(path)
    commit = repo.head.commit.hexsha
    notes = []
    if repo.is_dirty(untracked_files=True):
        notes.append(f"{path} has uncommitted changes; only commit {commit[:12]} is copied")
    origin_text = _read_at(repo, commit, ORIGIN_FILE)
    if origin_text is not None:
        try:
            origin = json.loads(origin_text)
        except json.JSONDecodeError:
            raise ScaffoldError(f"{path / ORIGIN_FILE} is not valid JSON; fix it or remove it") from None
        return _from_experiment(path, commit, origin), notes
    for run in ledger.list_runs(store) if store is not None else []:
        if run.clone_path and Path(run.clone_path).resolve() == path and run.commit == commit:
            return from_run(run), notes
    remote = next((r.url for r in repo.remotes if r.name == "origin"), None) if repo.remotes else None
    notes.append(
        f"no run of {path} at {commit[:12]} in the ledger, so there is no number to beat yet; "
        "`scout baseline --repo PATH` measures it"
    )
    return Baseline(
        kind="repo", label=f"repository {path}", repo=remote or str(path), commit=commit, source_path=path
    ), notes


def _looks_like_url(text: str) -> bool:
    return "://" in text or text.startswith("git@")


def _same_repo(a: str, b: str) -> bool:
    return normalize_repo_url(a) == normalize_repo_url(b)


def resolve(source: str | None, store) -> tuple[Baseline | None, list[str]]:
    """The baseline named by --from (a run id, a local path or a repository URL); without --from,
    the best run in the ledger, or None when the ledger has none."""
    from scout import ledger

    if source is None:
        run = ledger.best_run(store) if store is not None else None
        return (from_run(run) if run else None), []
    path = Path(source).expanduser()
    if path.exists():
        return from_path(path, store)
    if _looks_like_url(source):
        runs = [r for r in (ledger.list_runs(store) if store is not None else []) if _same_repo(r.repo, source)]
        if not runs:
            raise ScaffoldError(
                f"no run of {source} in the ledger; measure it first with `scout baseline --repo {source}`"
            )
        ok = [r for r in runs if r.status == "ok"]
        return from_run((ok or runs)[-1]), []  # the latest successful measurement
    if "/" in source or source.startswith("."):
        raise ScaffoldError(f"no directory {source}; give an existing path, a run id or a repository URL")
    run = ledger.get_run(store, source) if store is not None else None
    if run is None:
        raise ScaffoldError(f"run {source} is not in the ledger; `scout runs` lists the run ids")
    return from_run(run), []
