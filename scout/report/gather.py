"""Gather what a report shows from the store and the ledger: pure reads, nothing written."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from scout import __version__
from scout.clock import now_iso
from scout.errors import ConfigError, UsageError
from scout.leaderboard.board import recent as recent_leaderboards
from scout.leaderboard.resolve import fold
from scout.ledger import best_runs, list_groups, list_runs
from scout.metrics import canonical_name, higher_is_better, normalize
from scout.models import Paper, Run
from scout.report.experiment import read_experiment
from scout.report.model import (
    BaselineRow,
    BoardEntry,
    CodeLink,
    Leaderboard,
    MetricLine,
    PaperRow,
    PriorWork,
    Provenance,
    Report,
)
from scout.search.render import best_repos, best_result, paper_json, result_label
from scout.store import SearchRecord, Store

BOARD_ROWS = 15
LOG_TAIL_LINES = 40
LOG_TAIL_CHARS = 6000


def find_search(store: Store, spec: str) -> SearchRecord:
    """`latest` or a stored search's number."""
    if spec == "latest":
        found = store.latest_search()
        if found is None:
            raise ConfigError("no search is stored yet; run `scout search QUERY` first")
        return found
    if not spec.isdigit():
        raise UsageError(f"--search takes a search number or `latest`, not {spec!r}")
    found = store.get_search(int(spec))
    if found is None:
        recent = ", ".join(f"{s.id} ({s.query!r})" for s in store.recent_searches())
        hint = f"the latest are {recent}" if recent else "none is stored yet; run `scout search QUERY` first"
        raise ConfigError(f"no stored search {spec}; {hint}")
    return found


def prior_work(store: Store, search: SearchRecord) -> tuple[PriorWork, list[Paper]]:
    """The papers of a stored search, in its order, with what the search showed beside each."""
    papers = store.papers_by_ids(search.ranked_ids)
    scores = {s["id"]: s for s in search.scores}
    rows = []
    for rank, paper in enumerate(papers, start=1):
        shown = scores.get(paper.id, {})
        rows.append(
            PaperRow(
                rank=rank,
                id=paper.id,
                title=paper.title,
                url=paper_json(paper)["url"],
                year=paper.year,
                authors=paper.authors,
                score=shown.get("score"),
                similarity=shown.get("similarity"),
                close=bool(shown.get("close")),
                code=tuple(_code_link(r.url, r.stars, r.official) for r in best_repos(paper.repos)),
                best_result=result_label(best_result(paper.results)),
                sources=paper.sources,
            )
        )
    work = PriorWork(
        search_id=search.id,
        query=search.query,
        about=search.about,
        model=search.model,
        searched_at=search.searched_at,
        source_status=dict(search.source_status),
        papers=tuple(rows),
    )
    return work, papers


def _code_link(url: str, stars: int | None, official: bool | None) -> CodeLink:
    label = re.sub(r"^https?://(www\.)?github\.com/", "", url).rstrip("/")
    return CodeLink(url=url, label=label, stars=stars, official=official)


def leaderboard(store: Store, search: SearchRecord, papers: list[Paper]) -> Leaderboard | None:
    """The newest leaderboard `scout sota` saved for this search's topic, else the largest table the
    searched papers report results on; None when neither exists. A leaderboard of another task is
    never shown, however recent."""
    board = next((b for b in recent_leaderboards(store) if _same_topic(b, search, papers)), None)
    return (stored_leaderboard(board) if board else None) or reported_leaderboard(papers)


def _same_topic(board: dict, search: SearchRecord, papers: list[Paper]) -> bool:
    """The leaderboard was asked for with the search's words, or is of a task its papers work on."""
    tasks = {fold(task) for paper in papers for task in (*paper.tasks, *(r.task for r in paper.results)) if task}
    asked = {fold(search.query)} | tasks
    return fold(board.get("query")) in asked or (bool(board.get("task")) and fold(board.get("task")) in asked)


def stored_leaderboard(board: dict) -> Leaderboard:
    metric = board.get("metric")
    entries = []
    for row in board.get("rows", [])[:BOARD_ROWS]:
        paper = row.get("paper") or {}
        code = next((c["url"] for c in row.get("code", []) if c.get("url")), None)
        raw = (row.get("metrics_raw") or {}).get(metric) or _number(row.get("value"))
        entries.append(
            BoardEntry(
                rank=row.get("rank") or len(entries) + 1,
                method=row.get("method") or paper.get("title") or "",
                value=row.get("value"),
                raw=str(raw),
                paper_title=paper.get("title"),
                paper_url=paper.get("url"),
                year=row.get("year"),
                code_url=code,
            )
        )
    origin = f"scout sota {board.get('query', '')!r} ({board.get('source', 'pwc')}, {board.get('made_at', '')})"
    return Leaderboard(
        origin=origin,
        task=board.get("task"),
        dataset=board.get("dataset"),
        metric=metric,
        higher_is_better=bool(board.get("higher_is_better", True)),
        entries=tuple(entries),
        total=int(board.get("total") or len(entries)),
    )


def reported_leaderboard(papers: list[Paper]) -> Leaderboard | None:
    """The (task, dataset, metric) table that most of the papers report on, best paper first, each
    paper with its best result there."""
    tables: dict[tuple, dict[str, tuple[float, str, str | None, Paper]]] = defaultdict(dict)
    for paper in papers:
        for result in paper.results:
            if result.value is None or not (result.task or result.dataset):
                continue
            name = canonical_name(result.metric)
            key = (result.task, result.dataset, name, result.metric)
            value = normalize(name, result.value, result.raw or "")
            held = tables[key].get(paper.id)
            better = higher_is_better(name)
            if held is None or (value > held[0] if better else value < held[0]):
                tables[key][paper.id] = (value, result.raw or _number(result.value), result.model, paper)
    if not tables:
        return None
    # The most papers, then the most common metric spelling; ties by name so the choice is stable.
    (task, dataset, name, metric), entries = max(tables.items(), key=lambda kv: (len(kv[1]), str(kv[0])))
    better = higher_is_better(name)
    ordered = sorted(entries.values(), key=lambda e: (-e[0] if better else e[0], e[3].title))
    board = []
    for rank, (value, raw, model, paper) in enumerate(ordered[:BOARD_ROWS], start=1):
        repos = best_repos(paper.repos)
        board.append(
            BoardEntry(
                rank=rank,
                method=model or paper.title,
                value=value,
                raw=raw,
                paper_title=paper.title,
                paper_url=paper_json(paper)["url"],
                year=paper.year,
                code_url=repos[0].url if repos else None,
            )
        )
    return Leaderboard(
        origin="the results the searched papers report",
        task=task,
        dataset=dataset,
        metric=metric,
        higher_is_better=better,
        entries=tuple(board),
        total=len(ordered),
    )


def baselines(store: Store, cache_dir: Path) -> tuple[BaselineRow, ...]:
    runs = list_runs(store)
    best = best_runs(runs)
    groups = {group["id"]: group for group in list_groups(store)}
    return tuple(_baseline_row(run, best, cache_dir, groups.get(run.group or "")) for run in runs)


def _group_summary(group: dict | None) -> str | None:
    """ "g-20261204-0001, 3 seeds: 0.8933 ± 0.0061, reproduced", as `scout runs` shows a group."""
    if not group or not group.get("headline"):
        return None
    stats = (group.get("aggregate") or {}).get(group["headline"]) or {}
    if stats.get("mean") is None:
        return f"{group['id']}, {len(group.get('runs', []))} seeds: {group.get('verdict') or 'no verdict'}"
    spread = "deterministic" if group.get("deterministic") else f"± {(stats.get('std') or 0):.2g}"
    verdict = (group.get("verdict") or "no claim").replace("_", " ")
    return f"{group['id']}, {stats['n']} seeds: {stats['mean']:.4g} {spread}, {verdict}"


def _baseline_row(run: Run, best: dict[str, Run], cache_dir: Path, group: dict | None = None) -> BaselineRow:
    gaps = run.gaps()
    headline = (run.headline or {}).get("name")
    claim = (run.claim or {}).get("value_as_measured")
    lines = tuple(
        MetricLine(
            name=name,
            measured=value,
            paper=run.paper_metrics.get(name),
            gap=gaps.get(name),
            best=best.get(name) is not None and best[name].id == run.id,
            headline=name == headline,
            claim=claim if name == headline else None,
        )
        for name, value in run.metrics.items()
    )
    log = _log_path(run, cache_dir)
    return BaselineRow(
        id=run.id,
        repo=run.repo,
        status=run.status,
        commit=run.commit,
        command=run.command,
        device=run.device,
        gpu=run.gpu,
        seconds=run.seconds,
        started_at=run.started_at,
        metrics=lines,
        log_path=log,
        log_tail=_tail(log) if log else "",
        message=run.message,
        verdict=run.verdict,
        group=run.group,
        group_summary=_group_summary(group),
    )


def _log_path(run: Run, cache_dir: Path) -> Path | None:
    # A relative log path is relative to where scout ran; the run's own folder is the fallback.
    for candidate in (Path(run.log) if run.log else None, cache_dir / "runs" / run.id / "log.txt"):
        if candidate is not None and candidate.is_file():
            return candidate.resolve()
    return None


def _tail(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-LOG_TAIL_LINES:])[-LOG_TAIL_CHARS:]


def _number(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _source_lines(work: PriorWork | None, papers: list[Paper]) -> tuple[str, ...]:
    if work is not None and work.source_status:
        return tuple(
            f"{name}: {st['count']} papers" if st.get("ok") else f"{name}: failed ({st.get('error')})"
            for name, st in work.source_status.items()
        )
    # Searches stored before the statuses were kept: the sources the papers came from.
    counts: dict[str, int] = defaultdict(int)
    for paper in papers:
        for source in paper.sources:
            counts[source] += 1
    return tuple(f"{name}: {n} of the papers shown" for name, n in sorted(counts.items()))


def build_report(
    store: Store | None,
    *,
    cache_dir: Path,
    search: str | None,
    runs: bool | None,
    experiment: Path | None,
    model: str | None = None,
) -> Report:
    """Everything the report shows. `search` is `latest`, a search number or None (no prior work);
    `runs` None means the baselines when the ledger has any. `store` may be None only when nothing
    is read from it (an experiment alone)."""
    work, papers, board, ledger, project = None, [], None, None, None
    warnings: list[str] = []
    if search is not None and store is not None:
        record = find_search(store, search)
        work, papers = prior_work(store, record)
        missing = len(record.ranked_ids) - len(papers)
        if missing:
            warnings.append(f"{missing} paper(s) of search {record.id} are no longer in the store")
        board = leaderboard(store, record, papers)
    if runs is not False and store is not None:
        ledger = baselines(store, cache_dir)
        if not ledger:
            if runs:
                warnings.append("the ledger holds no runs yet; `scout baseline` measures some")
            else:
                ledger = None
    if experiment is not None:
        project = read_experiment(experiment)
        warnings.extend(project.warnings)
    if work is None and ledger is None and project is None:
        raise ConfigError(
            "nothing to report: the store holds no search and no runs; run `scout search` first, "
            "or pass --experiment DIR"
        )
    title = f"scout report: {work.query}" if work else f"scout report: {project.name}" if project else "scout report"
    provenance = Provenance(
        scout_version=__version__,
        generated_at=now_iso(),
        model=work.model if work else model,
        sources=_source_lines(work, papers),
        store=store.path if store is not None else None,
        search_id=work.search_id if work else None,
        experiment=str(project.path) if project else None,
    )
    return Report(
        title=title,
        provenance=provenance,
        prior_work=work,
        leaderboard=board,
        baselines=ledger,
        experiment=project,
        warnings=tuple(warnings),
    )
