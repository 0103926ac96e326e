"""A leaderboard from paperswithcode.co: the catalog (`tasks/`, `datasets/`) names the candidates,
`evaluations/?dataset_id=…&ordering=best_rank` gives the rows (every page, up to a cap), and each
shown row's paper detail gives its code with stars and the official flag."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from scout.errors import SourceError
from scout.leaderboard.resolve import DATASET, TASK, Candidate, parse_candidates
from scout.leaderboard.rows import Code, Row, best_code, parse_rows
from scout.models import Paper
from scout.search.sources import pwc

if TYPE_CHECKING:
    from scout.search.http import Fetcher

CANDIDATES = 50  # tasks and datasets asked for per query


@dataclass(frozen=True)
class RowsPage:
    rows: list[Row]
    cut: bool  # the cap stopped the reading before the last page
    skipped: int


def candidates(fetcher: Fetcher, query: str, kinds: tuple[str, ...] = (TASK, DATASET)) -> list[Candidate]:
    found: list[Candidate] = []
    for kind, path in ((TASK, "tasks/"), (DATASET, "datasets/")):
        if kind in kinds:
            items, _ = pwc.fetch_all(fetcher, path, {"q": query}, cap=CANDIDATES)
            found += parse_candidates(items, kind)
    return found


def datasets_of(fetcher: Fetcher, task: Candidate, cap: int = 200) -> list[Candidate]:
    """The benchmarks of a task, the most used first."""
    items, _ = pwc.fetch_all(fetcher, "datasets/", {"task": task.slug or task.id or task.name}, cap=cap)
    found = [replace(c, task=task.name) for c in parse_candidates(items, DATASET)]
    return sorted(found, key=lambda c: -(c.size or 0))


def rows_of(fetcher: Fetcher, dataset: Candidate, cap: int) -> RowsPage:
    items, cut = pwc.fetch_all(
        fetcher,
        "evaluations/",
        {"dataset_id": dataset.id or dataset.slug or dataset.name, "ordering": "best_rank"},
        cap=cap,
    )
    rows, skipped = parse_rows(items)
    return RowsPage(rows, cut, skipped)


def add_code(fetcher: Fetcher, rows: list[Row], warnings: list[str]) -> list[Row]:
    """Each row's paper detail: its repositories (official flag, `num_stars`) and its year."""
    failures: list[str] = []

    def one(row: Row) -> Row:
        if not (row.arxiv_id or row.paper_id):
            return row
        try:
            found = pwc.detail(
                fetcher, Paper(title=row.paper_title or row.method, arxiv_id=row.arxiv_id, pwc_id=row.paper_id)
            )
        except SourceError as exc:
            failures.append(exc.reason)
            return row
        if found is None:
            return row
        info = found.paper
        code = [Code(r.url, r.official, r.stars) for r in info.repos] + list(row.code)
        return row.with_(
            code=tuple(best_code(code)),
            year=row.year or info.year,
            paper_title=row.paper_title or info.title,
            arxiv_id=row.arxiv_id or info.arxiv_id,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        out = list(pool.map(one, rows))
    if failures:
        warnings.append(f"pwc: no code details for {len(failures)} rows ({failures[0]})")
    return out
