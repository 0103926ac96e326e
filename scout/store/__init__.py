"""The local SQLite store: papers, repos, results, embeddings, searches and cached HTTP answers.

WAL mode and a generous busy timeout let several scout processes share one file; every write is
one transaction, so a crash or a concurrent writer never leaves half a record behind."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_random

from scout.errors import StoreError
from scout.files import ensure_cache_dir
from scout.models import BoardRank, Paper, PaperLink, Repo, Result, normalize_repo_url
from scout.store.migrations import MIGRATIONS
from scout.store.readers import Query, Readers, fetch_all, slices

BUSY_TIMEOUT_MS = 30_000

# Insert a paper, or merge it into the stored one: a known field is never replaced by an unknown
# one, the longer abstract wins, and the sources are united. Bulk imports use it too.
UPSERT_PAPER = """
    INSERT INTO papers (id, arxiv_id, doi, pwc_id, title, abstract, authors, published, year, url, sources,
                        citations, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET
        arxiv_id = COALESCE(excluded.arxiv_id, arxiv_id),
        doi = COALESCE(excluded.doi, doi),
        pwc_id = COALESCE(excluded.pwc_id, pwc_id),
        title = excluded.title,
        abstract = CASE WHEN length(COALESCE(excluded.abstract, '')) >= length(COALESCE(abstract, ''))
                        THEN excluded.abstract ELSE abstract END,
        authors = CASE WHEN excluded.authors != '[]' THEN excluded.authors ELSE authors END,
        published = COALESCE(excluded.published, published),
        year = COALESCE(excluded.year, year),
        url = COALESCE(excluded.url, url),
        sources = (SELECT json_group_array(value) FROM (
                       SELECT value FROM json_each(papers.sources) UNION
                       SELECT value FROM json_each(excluded.sources) ORDER BY value)),
        citations = COALESCE(excluded.citations, citations),
        updated_at = excluded.updated_at
"""


@dataclass(frozen=True)
class SearchRecord:
    id: int
    query: str
    about: str | None
    model: str
    searched_at: str
    ranked_ids: tuple[str, ...]
    # One {"id", "score", "similarity", "close"} per ranked paper; empty for searches stored before
    # scores were kept.
    scores: tuple[dict, ...] = ()
    source_status: dict = field(default_factory=dict)  # name -> {"ok", "count"} or {"ok", "error"}


def _search_record(row: dict) -> SearchRecord:
    return SearchRecord(
        row["id"],
        row["query"],
        row["about"],
        row["model"],
        row["searched_at"],
        tuple(json.loads(row["ranked_ids"])),
        tuple(json.loads(row["scores"])),
        json.loads(row["source_status"]),
    )


def _busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def _corrupt(path: str, exc: Exception) -> StoreError:
    if _busy(exc):
        return StoreError(
            f"the cache database {path} is busy: another scout process has held it for over "
            f"{BUSY_TIMEOUT_MS // 1000} s; wait for it to finish and retry (nothing is damaged)"
        )
    return StoreError(f"the cache database {path} is unreadable ({exc}); move it away or run `scout cache clear --all`")


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements; the semicolons inside a trigger body do not end one."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                yield pending
            pending = ""


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    """`items` in runs of at most `size`: one IN (...) list's bound parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _one_dimension(vectors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The vectors of the dimension most of them have: a model swapped under one name, or a damaged
    row, leaves others behind, and those are embedded again instead of breaking the stacking."""
    if not vectors:
        return vectors
    dims = Counter(v.shape[0] for v in vectors.values())
    dim = dims.most_common(1)[0][0]
    return {key: v for key, v in vectors.items() if v.shape[0] == dim}


class Store:
    def __init__(self, path: str | Path = ":memory:"):
        self.path = str(path)
        if self.path != ":memory:":
            ensure_cache_dir(Path(self.path).parent)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
            )
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._synchronous = "FULL" if self.path == ":memory:" else "NORMAL"
            if self.path != ":memory:":
                # Processes opening a new store at once: SQLite answers all but one switch to WAL
                # with "locked" at once, skipping the busy handler (waiting there could deadlock).
                for attempt in Retrying(
                    retry=retry_if_exception(_busy),
                    stop=stop_after_delay(BUSY_TIMEOUT_MS / 1000),
                    wait=wait_random(0.005, 0.05),
                    reraise=True,
                ):
                    with attempt:
                        self._db.execute("PRAGMA journal_mode = WAL")
                # In WAL mode a commit then writes the log without waiting for the disk (the log is
                # synced at each checkpoint): a crash of scout loses nothing, a power cut at most the
                # last commits (never a run or a watch: `transaction(durable=True)`), and the file is
                # never damaged. A first search commits about twenty
                # times (the schema, the vectors as they are encoded), ~5 ms each when synced.
                self._db.execute(f"PRAGMA synchronous = {self._synchronous}")
            self._db.execute("PRAGMA foreign_keys = ON")
            # Repos are stored as the sources spelled them; lookups compare one normalised spelling.
            self._db.create_function("repo_key", 1, normalize_repo_url, deterministic=True)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise _corrupt(self.path, exc) from exc
        # Lookups of many papers read slices at once on their own connections (store/readers.py).
        self._readers = None if self.path == ":memory:" else Readers(self.path, BUSY_TIMEOUT_MS / 1000)

    # -- plumbing -----------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"the cache database {self.path} was written by a newer scout (schema {version}); "
                    "upgrade scout or use another --cache-dir"
                )
            for number in range(version + 1, len(MIGRATIONS) + 1):
                # BEGIN IMMEDIATE takes the write lock first, so two processes opening a new store
                # at once apply each migration exactly once.
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    if self._db.execute("PRAGMA user_version").fetchone()[0] >= number:
                        self._db.execute("ROLLBACK")
                        continue
                    for statement in _statements(MIGRATIONS[number - 1]):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {number}")
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise

    @contextmanager
    def transaction(self, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction. `durable`: its commit waits for the disk, for records a user
        cannot recreate by searching again (runs, watches), which a power cut must not lose."""
        with self._lock:
            try:
                if durable:
                    self._db.execute("PRAGMA synchronous = FULL")
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise _corrupt(self.path, exc) from exc
            try:
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.IntegrityError:
                # A broken constraint is the caller's to explain (a duplicate name), not corruption.
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            except sqlite3.DatabaseError as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise _corrupt(self.path, exc) from exc
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            finally:
                if durable:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute(f"PRAGMA synchronous = {self._synchronous}")

    def query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return fetch_all(self._db, sql, params)
            except sqlite3.DatabaseError as exc:
                raise _corrupt(self.path, exc) from exc

    def close(self) -> None:
        if self._readers is not None:
            self._readers.close()
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def root(self) -> Path | None:
        """The folder the database lives in (where the vector index sits too); None in memory."""
        return None if self.path == ":memory:" else Path(self.path).parent

    def reported_results_for_repo(self, repo_key: str) -> list[dict]:
        """The numbers (metric, value, raw) that papers linking this repo report; `repo_key` is
        normalize_repo_url's spelling."""
        return self.query(
            """SELECT r.metric, r.value, r.raw FROM results r JOIN paper_repos pr ON pr.paper_id = r.paper_id
               WHERE repo_key(pr.repo_url) = ? AND r.value IS NOT NULL""",
            (repo_key,),
        )

    # -- papers -------------------------------------------------------------------------------

    def save_papers(self, papers: Iterable[Paper]) -> None:
        """Insert or update papers with their repos and results, all in one transaction.

        Known fields are never overwritten by unknown ones, so a thin record from one source
        does not erase what a richer source stored earlier."""
        now = time.time()
        with self.transaction() as db:
            for paper in papers:
                pid = paper.id
                db.execute(
                    UPSERT_PAPER,
                    (
                        pid,
                        paper.arxiv_id,
                        paper.doi,
                        paper.pwc_id,
                        paper.title,
                        paper.abstract,
                        json.dumps(list(paper.authors)),
                        paper.published,
                        paper.year,
                        paper.url,
                        json.dumps(sorted(set(paper.sources))),
                        paper.citations,
                        now,
                    ),
                )
                for repo in paper.repos:
                    self._save_repo(db, repo, now)
                    db.execute(
                        """INSERT INTO paper_repos (paper_id, repo_url, official) VALUES (?, ?, ?)
                           ON CONFLICT(paper_id, repo_url) DO UPDATE SET
                               official = COALESCE(excluded.official, official)""",
                        (pid, repo.url, repo.official),
                    )
                if paper.successors:
                    db.execute("DELETE FROM paper_successors WHERE paper_id = ?", (pid,))
                    db.executemany(
                        "INSERT INTO paper_successors (paper_id, position, title, arxiv_id, pwc_id)"
                        " VALUES (?, ?, ?, ?, ?)",
                        [(pid, i, s.title, s.arxiv_id, s.pwc_id) for i, s in enumerate(paper.successors)],
                    )
                if paper.tldr or paper.tasks or paper.ranks:
                    db.execute(
                        "INSERT OR REPLACE INTO paper_extras (paper_id, tldr, tasks, ranks) VALUES (?, ?, ?, ?)",
                        (
                            pid,
                            paper.tldr,
                            json.dumps(list(paper.tasks)),
                            json.dumps([asdict(r) for r in paper.ranks]),
                        ),
                    )
                if paper.results:
                    db.execute("DELETE FROM results WHERE paper_id = ?", (pid,))
                    db.executemany(
                        "INSERT INTO results (paper_id, task, dataset, metric, value, raw, model)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [(pid, r.task, r.dataset, r.metric, r.value, r.raw, r.model) for r in paper.results],
                    )

    @staticmethod
    def _save_repo(db: sqlite3.Connection, repo: Repo, now: float) -> None:
        db.execute(
            """INSERT INTO repos (url, stars, archived, pushed_at, framework, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET
                   stars = COALESCE(excluded.stars, stars),
                   archived = COALESCE(excluded.archived, archived),
                   pushed_at = COALESCE(excluded.pushed_at, pushed_at),
                   framework = COALESCE(excluded.framework, framework),
                   updated_at = excluded.updated_at""",
            (repo.url, repo.stars, repo.archived, repo.pushed_at, repo.framework, now),
        )

    def get_paper(self, paper_id: str) -> Paper | None:
        """Look a paper up by its scout id, or by a bare arXiv id or DOI."""
        rows = self.query("SELECT * FROM papers WHERE id = ?", (paper_id,))
        if not rows:
            bare = paper_id.split(":", 1)[1] if ":" in paper_id else paper_id
            rows = self.query(
                "SELECT * FROM papers WHERE arxiv_id = ? OR doi = lower(?) OR pwc_id = ? LIMIT 1",
                (bare, bare, bare),
            )
        return self._hydrate(rows)[0] if rows else None

    def papers_by_ids(self, ids: Iterable[str], rowids: Mapping[str, int] | None = None) -> list[Paper]:
        """The stored papers of `ids`, in that order (the unknown left out). `rowids` (id -> the
        rowid an index saw it at) lets those be read by rowid, which skips the id index's pages;
        a row found there that is not that paper any more (replaced since) is looked up by id."""
        wanted = list(ids)
        rowids = rowids or {}
        # Each slice a run of neighbouring rowids: each reader's connection then keeps in its own page
        # cache the table's interior pages over its run (the same run query after query), and a
        # paper costs about its leaf page alone.
        parts = slices(sorted(wanted, key=lambda pid: rowids.get(pid, -1)))
        read = partial(self._papers, rowids=rowids)
        if self._readers is None or len(parts) == 1:
            found = read(self.query, wanted)
        else:
            try:
                found = {pid: p for part in self._readers.map(read, parts) for pid, p in part.items()}
            except sqlite3.DatabaseError as exc:
                raise _corrupt(self.path, exc) from exc
        return [found[i] for i in wanted if i in found]

    def _papers(self, query: Query, ids: list[str], rowids: Mapping[str, int] | None = None) -> dict[str, Paper]:
        hinted = {pid: rowids[pid] for pid in ids if pid in rowids} if rowids else {}
        rows = [
            r
            for chunk in _chunks(list(hinted.values()))
            for r in query(f"SELECT * FROM papers WHERE rowid IN ({','.join('?' * len(chunk))})", chunk)
            if r["id"] in hinted  # ids are unique: the row is that paper's, whichever rowid it has now
        ]
        seen = {r["id"] for r in rows}
        for chunk in _chunks([pid for pid in ids if pid not in seen]):
            rows += query(f"SELECT * FROM papers WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        return dict(zip((r["id"] for r in rows), self._hydrate(rows, query)))

    def all_papers(self) -> list[Paper]:
        return self._hydrate(self.query("SELECT * FROM papers"))

    def count_papers(self) -> int:
        return self.query("SELECT COUNT(*) AS n FROM papers")[0]["n"]

    def has_papers(self) -> bool:
        # Not count_papers() > 0: counting a 576k-paper archive costs more than an offline query.
        return bool(self.query("SELECT 1 AS x FROM papers LIMIT 1"))

    def _hydrate(self, rows: list[dict], query: Query | None = None) -> list[Paper]:
        if not rows:
            return []
        query = query or self.query
        ids = [r["id"] for r in rows]
        repos: dict[str, list[Repo]] = {}
        results: dict[str, list[Result]] = {}
        successors: dict[str, list[PaperLink]] = {}
        extras: dict[str, dict] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for r in query(
                f"""SELECT pr.paper_id, pr.official, r.* FROM paper_repos pr JOIN repos r ON r.url = pr.repo_url
                    WHERE pr.paper_id IN ({marks})""",
                chunk,
            ):
                repos.setdefault(r["paper_id"], []).append(
                    Repo(
                        url=r["url"],
                        official=None if r["official"] is None else bool(r["official"]),
                        stars=r["stars"],
                        archived=None if r["archived"] is None else bool(r["archived"]),
                        pushed_at=r["pushed_at"],
                        framework=r["framework"],
                    )
                )
            for r in query(f"SELECT * FROM results WHERE paper_id IN ({marks}) ORDER BY rowid", chunk):
                results.setdefault(r["paper_id"], []).append(
                    Result(
                        task=r["task"],
                        dataset=r["dataset"],
                        metric=r["metric"],
                        value=r["value"],
                        model=r["model"],
                        raw=r["raw"],
                    )
                )
            for r in query(
                f"SELECT * FROM paper_successors WHERE paper_id IN ({marks}) ORDER BY paper_id, position", chunk
            ):
                successors.setdefault(r["paper_id"], []).append(PaperLink(r["title"], r["arxiv_id"], r["pwc_id"]))
            for r in query(f"SELECT * FROM paper_extras WHERE paper_id IN ({marks})", chunk):
                extras[r["paper_id"]] = {
                    "tldr": r["tldr"],
                    "tasks": tuple(json.loads(r["tasks"])),
                    "ranks": tuple(BoardRank(**rank) for rank in json.loads(r["ranks"])),
                }
        return [
            Paper(
                title=r["title"],
                abstract=r["abstract"],
                authors=tuple(json.loads(r["authors"])),
                published=r["published"],
                arxiv_id=r["arxiv_id"],
                doi=r["doi"],
                url=r["url"],
                sources=tuple(json.loads(r["sources"])),
                repos=tuple(repos.get(r["id"], ())),
                results=tuple(results.get(r["id"], ())),
                citations=r["citations"],
                pwc_id=r["pwc_id"],
                successors=tuple(successors.get(r["id"], ())),
                **extras.get(r["id"], {}),
            )
            for r in rows
        ]

    # -- embeddings ---------------------------------------------------------------------------

    def get_embeddings(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.query(
                f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({marks})",
                [model, *chunk],
            ):
                vector = row["vector"]
                if isinstance(vector, bytes) and vector and len(vector) % 4 == 0:
                    found[row["text_hash"]] = np.frombuffer(vector, dtype=np.float32)
        return _one_dimension(found)

    def cached_hashes(self, model: str, hashes: list[str]) -> set[str]:
        """Which of these text hashes already have a vector for `model`."""
        found: set[str] = set()
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                r["text_hash"]
                for r in self.query(
                    f"SELECT text_hash FROM embeddings WHERE model = ? AND text_hash IN ({marks})", [model, *chunk]
                )
            )
        return found

    def paper_text_pages(self, page: int = 20_000) -> Iterator[list[dict]]:
        """Every stored paper's rowid, id, title and abstract, `page` rows at a time, in rowid order."""
        last = 0
        while True:
            rows = self.query(
                "SELECT rowid, id, title, abstract FROM papers WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, page)
            )
            if not rows:
                return
            yield rows
            last = rows[-1]["rowid"]

    def paper_rowids(self) -> dict[str, int]:
        """Every stored paper's id -> its rowid (read from the id index alone, which holds both)."""
        return {r["id"]: r["rowid"] for r in self.query("SELECT id, rowid FROM papers")}

    def put_embeddings(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings (model, text_hash, dim, vector) VALUES (?, ?, ?, ?)",
                [(model, h, int(v.shape[-1]), np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()],
            )

    # -- searches -----------------------------------------------------------------------------

    def record_search(
        self,
        query: str,
        about: str | None,
        model: str,
        searched_at: str,
        ranked_ids: list[str],
        scores: list[dict] | None = None,
        source_status: dict | None = None,
    ) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO searches (query, about, model, searched_at, ranked_ids, scores, source_status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    query,
                    about,
                    model,
                    searched_at,
                    json.dumps(ranked_ids),
                    json.dumps(scores or []),
                    json.dumps(source_status or {}),
                ),
            )
            return int(cursor.lastrowid)

    def latest_search(self) -> SearchRecord | None:
        rows = self.query("SELECT * FROM searches ORDER BY id DESC LIMIT 1")
        return _search_record(rows[0]) if rows else None

    def get_search(self, search_id: int) -> SearchRecord | None:
        rows = self.query("SELECT * FROM searches WHERE id = ?", (search_id,))
        return _search_record(rows[0]) if rows else None

    def recent_searches(self, limit: int = 5) -> list[SearchRecord]:
        return [_search_record(r) for r in self.query("SELECT * FROM searches ORDER BY id DESC LIMIT ?", (limit,))]

    # -- housekeeping -------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        # Migration 1's http_cache table is no longer filled: answers live in scout.search.httpcache.
        tables = ("papers", "repos", "results", "embeddings", "searches")
        return {t: self.query(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"] for t in tables}
