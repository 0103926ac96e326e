"""A leaderboard from the imported Papers with Code archive (`scout index import` of
evaluation-tables): its (task, dataset) tables are the candidates, its rows the entries, and code
comes from the row's own links and from the links of its paper."""

from __future__ import annotations

import json

from scout.leaderboard.resolve import DATASET, TASK, Candidate
from scout.leaderboard.rows import Code, Metric, Row, best_code
from scout.store import Store


def has_archive(store: Store) -> bool:
    return bool(store.query("SELECT 1 FROM index_results LIMIT 1"))


def tables(store: Store) -> list[tuple[str, str, int]]:
    """(task, dataset, entries) for every leaderboard in the archive."""
    return [
        (r["task"], r["dataset"], r["n"])
        for r in store.query(
            """SELECT task, dataset, COUNT(DISTINCT paper_ref || '|' || model) AS n FROM index_results
               WHERE task != '' AND dataset != '' GROUP BY task, dataset"""
        )
    ]


def candidates(store: Store) -> list[Candidate]:
    """Every task and every dataset once, sized by their entries."""
    sizes: dict[tuple[str, str], int] = {}
    for task, dataset, n in tables(store):
        sizes[(TASK, task)] = sizes.get((TASK, task), 0) + n
        sizes[(DATASET, dataset)] = sizes.get((DATASET, dataset), 0) + n
    return [Candidate(kind, name, size=n) for (kind, name), n in sizes.items()]


def boards_for(store: Store, chosen: Candidate) -> list[Candidate]:
    """The dataset leaderboards of a task, or the task leaderboards of a dataset, largest first."""
    found = [
        Candidate(DATASET, dataset, size=n, task=task)
        for task, dataset, n in tables(store)
        if (task if chosen.kind == TASK else dataset) == chosen.name
    ]
    return sorted(found, key=lambda c: (-(c.size or 0), c.task or "", c.name))


def rows_of(store: Store, task: str, dataset: str) -> list[Row]:
    """One Row per (paper, method) of the table, its metrics in the order the archive lists them."""
    records = store.query(
        """SELECT MIN(ir.rowid) OVER (PARTITION BY ir.paper_ref, ir.model) AS first_seen,
                  ir.paper_ref, ir.title, ir.arxiv_id, ir.model, ir.metric, ir.value, ir.raw, ir.extra_data,
                  ir.paper_date, ir.code_urls, ir.paper_id, p.year, p.title AS paper_title, p.pwc_id
           FROM index_results ir LEFT JOIN papers p ON p.id = ir.paper_id
           WHERE ir.task = ? AND ir.dataset = ?
           ORDER BY ir.metric_order IS NULL, ir.metric_order, ir.rowid""",
        (task, dataset),
    )
    grouped: dict[tuple[str, str], list[dict]] = {}
    # Entries in the order the archive lists them (its first-seen row), metrics in the table's order.
    for record in sorted(records, key=lambda r: r["first_seen"]):
        grouped.setdefault((record["paper_ref"], record["model"]), []).append(record)
    repos = _paper_repos(store, {r["paper_id"] for r in records if r["paper_id"]})
    rows = []
    for (_, model), parts in grouped.items():
        first = parts[0]
        code = [Code(url) for url in json.loads(first["code_urls"] or "[]")] + repos.get(first["paper_id"], [])
        year = first["year"] or (int(first["paper_date"][:4]) if first["paper_date"] else None)
        rows.append(
            Row(
                method=model or first["title"] or "(unnamed)",
                metrics=tuple(Metric(p["metric"], p["value"], p["raw"]) for p in parts),
                paper_title=first["paper_title"] or _title(first["title"]),
                arxiv_id=first["arxiv_id"],
                paper_id=first["pwc_id"],
                year=year,
                code=tuple(best_code(code)),
                extra_data=None if first["extra_data"] is None else bool(first["extra_data"]),
                task=task,
                dataset=dataset,
            )
        )
    return rows


def _title(text: str | None) -> str | None:
    """Some archive rows give the paper's URL as its title: that is no title."""
    return None if not text or text.startswith(("http://", "https://")) else text


def _paper_repos(store: Store, paper_ids: set[str]) -> dict[str, list[Code]]:
    ids = sorted(paper_ids)
    found: dict[str, list[Code]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for r in store.query(
            f"""SELECT pr.paper_id, pr.official, r.url, r.stars FROM paper_repos pr JOIN repos r ON r.url = pr.repo_url
                WHERE pr.paper_id IN ({marks})""",
            chunk,
        ):
            official = None if r["official"] is None else bool(r["official"])
            found.setdefault(r["paper_id"], []).append(Code(r["url"], official, r["stars"]))
    return found
