"""Import Papers with Code dumps into the store, in batches that each commit together with a
checkpoint, so an interrupted import resumes where it stopped and a repeated one changes nothing.

Links and leaderboard rows name their paper by arXiv id, Papers with Code slug or title. They
are staged (index_links, index_results) and attached to papers as soon as those are in the
store, whichever file comes first."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scout.archive.dumps import LINKS, PAPERS, RESULTS, link_row, open_dump, paper_row, result_rows
from scout.errors import DumpError
from scout.store import UPSERT_PAPER, Store

SOURCE = "pwc-archive"
BATCH_SIZE = 2000
_IDENTITY_SPAN = 1 << 20  # bytes hashed at each end of a file to recognise it again

# (position, total, records done) after each committed batch
Progress = Callable[[int, int, int], None]


@dataclass(frozen=True)
class ImportReport:
    name: str
    kind: str
    records: int  # records read from the file, over all runs
    skipped: int  # records, rows or values left out as unusable
    resumed_from: int  # records an earlier, interrupted run had already imported
    already_done: bool  # the same file was imported completely before; nothing was read
    error: str | None  # where the file stopped being readable, when it did


def file_identity(path: Path) -> str:
    """Name, size and the bytes at both ends: cheap for a 1 GB dump, and a changed file differs."""
    size = path.stat().st_size
    digest = hashlib.sha256(f"{path.name}|{size}".encode())
    with path.open("rb") as fh:
        digest.update(fh.read(_IDENTITY_SPAN))
        if size > _IDENTITY_SPAN:
            fh.seek(max(_IDENTITY_SPAN, size - _IDENTITY_SPAN))
            digest.update(fh.read())
    return digest.hexdigest()


def import_dump(
    store: Store, path: Path, *, batch_size: int = BATCH_SIZE, progress: Progress | None = None
) -> ImportReport:
    dump = open_dump(Path(path))
    file_id = file_identity(dump.path)
    state = _checkpoint(store, file_id, dump)
    if state["complete"]:
        return ImportReport(
            dump.path.name, dump.kind, state["records_done"], state["skipped"], state["records_done"], True, None
        )
    resumed_from = done = state["records_done"]
    skipped = state["skipped"]
    write = _WRITERS[dump.kind]
    batch: list = []
    position = 0
    error = None
    try:
        for position, record in dump.records(skip=done):
            batch.append(record)
            if len(batch) >= batch_size:
                skipped += _commit(store, write, batch, file_id, done + len(batch), skipped)
                done += len(batch)
                batch = []
                if progress:
                    progress(position, dump.total, done)
    except DumpError as exc:
        error = str(exc)
    if batch:
        skipped += _commit(store, write, batch, file_id, done + len(batch), skipped)
        done += len(batch)
    with store.transaction() as db:
        if error is None:
            db.execute(
                "UPDATE index_files SET complete = 1, error = NULL, finished_at = ? WHERE file_id = ?",
                (time.time(), file_id),
            )
        else:
            db.execute("UPDATE index_files SET error = ? WHERE file_id = ?", (error, file_id))
        _attach_pending(db)
    if progress:
        progress(dump.total if error is None else position, dump.total, done)
    return ImportReport(dump.path.name, dump.kind, done, skipped, resumed_from, False, error)


def _checkpoint(store: Store, file_id: str, dump) -> dict:
    with store.transaction() as db:
        db.execute(
            "INSERT OR IGNORE INTO index_files (file_id, name, kind, size, started_at) VALUES (?, ?, ?, ?, ?)",
            (file_id, dump.path.name, dump.kind, dump.path.stat().st_size, time.time()),
        )
    return store.query("SELECT records_done, skipped, complete FROM index_files WHERE file_id = ?", (file_id,))[0]


def _commit(store: Store, write, records: list, file_id: str, done: int, skipped: int) -> int:
    """Write one batch and move the checkpoint in the same transaction: both land or neither."""
    with store.transaction() as db:
        bad = write(db, records)
        db.execute(
            "UPDATE index_files SET records_done = ?, skipped = ? WHERE file_id = ?", (done, skipped + bad, file_id)
        )
    return bad


# -- writers: each takes one batch of raw records and returns how many it skipped ----------------


def _write_papers(db: sqlite3.Connection, records: list) -> int:
    rows = [row for row in map(paper_row, records) if row is not None]
    now = time.time()
    sources = json.dumps([SOURCE])
    db.executemany(
        UPSERT_PAPER,
        [
            (
                r.id,
                r.arxiv_id,
                None,
                r.pwc_id,
                r.title,
                r.abstract,
                json.dumps(list(r.authors)),
                r.published,
                r.year,
                r.url,
                sources,
                None,
                now,
            )
            for r in rows
        ],
    )
    return len(records) - len(rows)


def _write_links(db: sqlite3.Connection, records: list) -> int:
    rows = [row for row in map(link_row, records) if row is not None]
    first = _next_rowid(db, "index_links")
    db.executemany(
        """INSERT OR IGNORE INTO index_links (paper_ref, arxiv_id, slug, title, repo_url, official, framework)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [
            (r.paper.key, r.paper.arxiv_id, r.paper.slug, r.paper.title, r.repo_url, r.official, r.framework)
            for r in rows
        ],
    )
    _attach(db, "index_links", first)
    return len(records) - len(rows)


def _write_results(db: sqlite3.Connection, records: list) -> int:
    skipped = 0
    rows = []
    for record in records:
        found, bad = result_rows(record)
        rows.extend(found)
        skipped += bad
    first = _next_rowid(db, "index_results")
    db.executemany(
        """INSERT OR IGNORE INTO index_results (paper_ref, arxiv_id, slug, title, task, dataset, metric,
                                                model, value, unit, raw, extra_data, paper_date, code_urls,
                                                metric_order)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (
                r.paper.key,
                r.paper.arxiv_id,
                r.paper.slug,
                r.paper.title,
                r.task,
                r.dataset,
                r.metric,
                r.model,
                r.value,
                r.unit,
                r.raw,
                r.extra_data,
                r.paper_date,
                json.dumps(list(r.code_urls)) if r.code_urls else None,
                r.metric_order,
            )
            for r in rows
        ],
    )
    _attach(db, "index_results", first)
    return skipped


_WRITERS = {PAPERS: _write_papers, LINKS: _write_links, RESULTS: _write_results}


# -- attaching staged links and results to their papers ------------------------------------------


def _next_rowid(db: sqlite3.Connection, table: str) -> int:
    return db.execute(f"SELECT COALESCE(MAX(rowid), 0) + 1 FROM {table}").fetchone()[0]


def _attach(db: sqlite3.Connection, table: str, first_rowid: int) -> None:
    """Resolve staged rows from `first_rowid` on to papers, and copy the resolved ones into
    paper_repos/repos or results. The strongest identity wins: arXiv id, then slug, then title."""
    db.execute(
        f"""UPDATE {table} SET paper_id = COALESCE(
                (SELECT id FROM papers WHERE arxiv_id = {table}.arxiv_id LIMIT 1),
                (SELECT id FROM papers WHERE pwc_id = {table}.slug LIMIT 1),
                (SELECT id FROM papers WHERE title = {table}.title COLLATE NOCASE LIMIT 1))
            WHERE paper_id IS NULL AND rowid >= ?""",
        (first_rowid,),
    )
    ready = f"FROM {table} WHERE paper_id IS NOT NULL AND applied = 0 AND rowid >= {int(first_rowid)}"
    if table == "index_links":
        now = time.time()
        db.execute(
            f"""INSERT INTO repos (url, framework, updated_at) SELECT repo_url, framework, {now} {ready}
                ON CONFLICT(url) DO UPDATE SET framework = COALESCE(framework, excluded.framework)"""
        )
        db.execute(
            f"""INSERT INTO paper_repos (paper_id, repo_url, official) SELECT paper_id, repo_url, official {ready}
                ON CONFLICT(paper_id, repo_url) DO UPDATE SET official = COALESCE(excluded.official, official)"""
        )
    else:
        db.execute(
            f"""INSERT INTO results (paper_id, task, dataset, metric, value, raw, model, unit)
                SELECT paper_id, NULLIF(task, ''), NULLIF(dataset, ''), metric, value, raw,
                       NULLIF(model, ''), unit {ready}"""
        )
    db.execute(
        f"UPDATE {table} SET applied = 1 WHERE paper_id IS NOT NULL AND applied = 0 AND rowid >= ?", (first_rowid,)
    )


def _attach_pending(db: sqlite3.Connection) -> None:
    """Rows staged before their paper was imported (links file first, say) find it now."""
    for table in ("index_links", "index_results"):
        if db.execute(f"SELECT 1 FROM {table} WHERE paper_id IS NULL LIMIT 1").fetchone():
            _attach(db, table, 0)
