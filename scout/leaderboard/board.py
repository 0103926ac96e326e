"""`scout sota`: resolve the task or dataset, read its leaderboard (paperswithcode.co, or the
imported archive offline or when the API is down), order it, and remember it for
`scout baseline --from-sota`."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scout.clock import now_iso
from scout.errors import ConfigError, ScoutError, SourceError, UpstreamError, UsageError
from scout.leaderboard import offline, online
from scout.leaderboard.resolve import DATASET, TASK, Candidate, fold, rank_candidates
from scout.leaderboard.rows import Row, lower_is_better, order_rows, pick_metric, repo_url
from scout.store import Store

if TYPE_CHECKING:
    from scout.config import Settings
    from scout.search.http import Fetcher

ONLINE, ARCHIVE = "pwc", "pwc-archive"
ALTERNATIVES = 4  # other readings of the query shown beside the choice


@dataclass(frozen=True)
class SotaRequest:
    query: str
    dataset: str | None = None
    metric: str | None = None
    limit: int = 10
    offline: bool = False

    def validate(self) -> None:
        if not self.query or not self.query.strip():
            raise ConfigError('the task is empty; name a task or dataset, e.g. scout sota "image classification"')
        if self.limit < 1:
            raise UsageError(f"--limit must be 1 or more, not {self.limit}")


@dataclass(frozen=True)
class Leaderboard:
    query: str
    source: str  # ONLINE or ARCHIVE
    task: str | None
    dataset: str | None
    metric: str | None
    rows: tuple[Row, ...]  # the shown rows, best first
    total: int  # entries on the whole leaderboard
    chosen: Candidate | None = None  # what the query was read as
    alternatives: tuple[Candidate, ...] = ()
    warnings: tuple[str, ...] = ()
    made_at: str = field(default_factory=now_iso)

    @property
    def lower_is_better(self) -> bool:
        return lower_is_better(self.metric or "")

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "source": self.source,
            "task": self.task,
            "dataset": self.dataset,
            "metric": self.metric,
            "higher_is_better": not self.lower_is_better,
            "made_at": self.made_at,
            "resolved": self.chosen.to_json() if self.chosen else None,
            "alternatives": [c.to_json() for c in self.alternatives],
            "warnings": list(self.warnings),
            "total": self.total,
            "rows": [row_json(r, self.metric) for r in self.rows],
        }


def row_json(row: Row, metric: str | None) -> dict:
    return {
        "rank": row.rank,
        "method": row.method,
        "value": row.value(metric),
        "metrics": {m.name: m.value for m in row.metrics},
        "metrics_raw": {m.name: m.raw for m in row.metrics},
        "paper": {
            "title": row.paper_title,
            "arxiv_id": row.arxiv_id,
            "pwc_id": row.paper_id,
            "url": f"https://arxiv.org/abs/{row.arxiv_id}" if row.arxiv_id else None,
        },
        "year": row.year,
        "code": [c.to_json() for c in row.code],
        "extra_data": row.extra_data,
    }


def make_leaderboard(
    request: SotaRequest, *, settings: Settings, store: Store, embedder, fetcher: Fetcher | None = None
) -> Leaderboard:
    """The leaderboard for the request, saved as the latest one. Online unless `request.offline`
    or there is no fetcher; when the API cannot be reached the imported archive answers, with a
    warning."""
    request.validate()
    if request.offline or fetcher is None:
        board = _offline(request, store, embedder, [])
    else:
        try:
            board = _online(request, settings, store, embedder, fetcher)
        except SourceError as exc:
            if not offline.has_archive(store):
                # An unreadable answer keeps its class, so the exit status says so (4).
                kind = UpstreamError if isinstance(exc, UpstreamError) else SourceError
                raise kind(
                    exc.source,
                    f"{exc.reason}; and no Papers with Code archive is imported to fall back on "
                    "(`scout index pull`, or `scout index import` an evaluation-tables file)",
                    exc.status,
                ) from exc
            board = _offline(request, store, embedder, [f"pwc: {exc.reason}; showing the imported archive"])
    save_latest(store, board)
    return board


def _online(request: SotaRequest, settings: Settings, store: Store, embedder, fetcher: Fetcher) -> Leaderboard:
    warnings: list[str] = []
    kinds = (TASK,) if request.dataset else (TASK, DATASET)
    ranked = rank_candidates(request.query, online.candidates(fetcher, request.query, kinds), embedder, store)
    if not ranked:
        raise ScoutError(
            f"Papers with Code has no {'task' if request.dataset else 'task or dataset'} like {request.query!r}; "
            "try other words, or --offline for the imported archive"
        )
    chosen = ranked[0]
    if chosen.kind == TASK:
        boards = online.datasets_of(fetcher, chosen)
        if request.dataset:
            boards = rank_candidates(request.dataset, boards, embedder, store)
        if not boards:
            raise ScoutError(f"the task {chosen.name!r} has no benchmark on Papers with Code")
        dataset, task = boards[0], chosen.name
        if request.dataset and not dataset.exact:
            warnings.append(f"{task} has no benchmark named {request.dataset!r}; showing the closest, {dataset.name!r}")
    else:
        dataset, task = chosen, None
    cap = settings.max_evaluation_rows
    page = online.rows_of(fetcher, dataset, cap)
    if page.cut:
        warnings.append(f"pwc: the {dataset.name} leaderboard has more than {cap} rows; ranked the first {cap}")
    rows = page.rows
    if task:
        rows = [r for r in rows if r.task is None or fold(r.task) == fold(task)] or rows
    else:
        task = _most_common(r.task for r in rows)
    metric = pick_metric(rows, request.metric)
    api_metric = pick_metric(rows, None)
    ordered = order_rows(rows, metric, by_api_rank=metric == api_metric)
    shown = online.add_code(fetcher, ordered[: request.limit], warnings)
    return Leaderboard(
        request.query, ONLINE, task, dataset.name, metric, tuple(shown), len(rows), chosen,
        tuple(ranked[1 : 1 + ALTERNATIVES]), tuple(warnings),
    )  # fmt: skip


def _offline(request: SotaRequest, store: Store, embedder, warnings: list[str]) -> Leaderboard:
    if not offline.has_archive(store):
        raise ScoutError(
            "no leaderboards are stored; import the archive's evaluation-tables with `scout index import FILE` "
            "(or `scout index pull`), or drop --offline"
        )
    pool = offline.candidates(store)
    if request.dataset:
        # Every table is known offline: find the dataset first, then the task of its tables that
        # the query means (a dataset is often ranked under several tasks).
        named = rank_candidates(request.dataset, [c for c in pool if c.kind == DATASET], embedder, store)[0]
        if not named.exact:
            warnings.append(f"no dataset is named {request.dataset!r}; showing the closest, {named.name!r}")
        pool = [Candidate(TASK, b.task or "", size=b.size) for b in offline.boards_for(store, named)]
    ranked = rank_candidates(request.query, pool, embedder, store)
    chosen = ranked[0]
    boards = offline.boards_for(store, chosen)
    board = next(b for b in boards if b.name == named.name) if request.dataset else boards[0]
    rows = offline.rows_of(store, board.task or "", board.name)
    metric = pick_metric(rows, request.metric)
    ordered = order_rows(rows, metric, by_api_rank=False)
    return Leaderboard(
        request.query, ARCHIVE, board.task, board.name, metric, tuple(ordered[: request.limit]), len(rows),
        chosen, tuple(ranked[1 : 1 + ALTERNATIVES]), tuple(warnings),
    )  # fmt: skip


def _most_common(values) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


# -- the latest leaderboard, for `scout baseline --from-sota` ------------------------------------


def save_latest(store: Store, board: Leaderboard) -> None:
    with store.transaction() as db:
        db.execute(
            "INSERT INTO leaderboards (query, made_at, body) VALUES (?, ?, ?)",
            (board.query, board.made_at, json.dumps(board.to_json())),
        )


def latest(store: Store) -> dict | None:
    rows = store.query("SELECT body FROM leaderboards ORDER BY id DESC LIMIT 1")
    return json.loads(rows[0]["body"]) if rows else None


def recent(store: Store, limit: int = 50) -> list[dict]:
    """The leaderboards `scout sota` saved, newest first."""
    rows = store.query("SELECT body FROM leaderboards ORDER BY id DESC LIMIT ?", (limit,))
    return [json.loads(row["body"]) for row in rows]


def code_targets(store: Store, top: int) -> list[str]:
    """The best repo of each of the latest leaderboard's rows that has code, best row first."""
    board = latest(store)
    if board is None:
        raise ConfigError("no leaderboard to take repos from; run `scout sota TASK` first or pass --repo")
    urls: list[str] = []
    for row in board["rows"]:
        url = next((repo_url(c["url"]) for c in row["code"] if c.get("url")), None)
        if url and url not in urls:
            urls.append(url)
        if len(urls) >= top:
            break
    if not urls:
        raise ConfigError(
            f"no row of the latest leaderboard ({board['dataset']}, {board['metric']}) links code; pass --repo"
        )
    return urls
