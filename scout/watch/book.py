"""The store's watch tables: the watches, each source's mark, and the papers each watch has
already considered (and whether it reported them)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from scout.clock import iso, parse_iso
from scout.errors import ConfigError, NotFound
from scout.store import Store
from scout.watch.models import Watch


class WatchBook:
    def __init__(self, store: Store):
        self.store = store

    def add(self, watch: Watch) -> None:
        try:
            with self.store.transaction(durable=True) as db:
                db.execute(
                    "INSERT INTO watches (name, query, about, sources, threshold, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        watch.name,
                        watch.query,
                        watch.about,
                        json.dumps(list(watch.sources)),
                        watch.threshold,
                        watch.created_at,
                    ),
                )
        except sqlite3.IntegrityError:
            raise ConfigError(
                f"a watch named {watch.name!r} already exists; pick another name or remove it with "
                f"`scout watch rm {watch.name}`"
            ) from None

    def all(self) -> list[Watch]:
        return [_watch(row) for row in self.store.query("SELECT * FROM watches ORDER BY name")]

    def get(self, name: str) -> Watch:
        rows = self.store.query("SELECT * FROM watches WHERE name = ?", (name,))
        if not rows:
            raise NotFound(f"no watch named {name!r}; `scout watch list` shows the watches")
        return _watch(rows[0])

    def remove(self, name: str) -> None:
        self.get(name)
        with self.store.transaction() as db:
            db.execute("DELETE FROM watches WHERE name = ?", (name,))

    def marks(self, name: str) -> dict[str, datetime]:
        rows = self.store.query("SELECT source, mark FROM watch_marks WHERE watch = ?", (name,))
        return {row["source"]: parse_iso(row["mark"]) for row in rows}

    def considered(self, name: str, paper_ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(paper_ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.store.query(
                f"SELECT paper_id FROM watch_papers WHERE watch = ? AND paper_id IN ({marks})", [name, *chunk]
            )
            found.update(row["paper_id"] for row in rows)
        return found

    def reported(self, name: str) -> int:
        return self.store.query("SELECT COUNT(*) AS n FROM watch_papers WHERE watch = ? AND reported = 1", (name,))[0][
            "n"
        ]

    def record_run(
        self,
        name: str,
        ran_at: datetime,
        advanced: Iterable[str],
        considered: Iterable[str],
        reported: Iterable[str],
    ) -> None:
        """One transaction: the sources that answered move their mark to `ran_at` (the others keep
        theirs, so they are retried from it), and the papers are remembered."""
        stamp = iso(ran_at)
        shown = set(reported)
        with self.store.transaction() as db:
            db.executemany(
                """INSERT INTO watch_marks (watch, source, mark) VALUES (?, ?, ?)
                   ON CONFLICT(watch, source) DO UPDATE SET mark = excluded.mark""",
                [(name, source, stamp) for source in advanced],
            )
            db.executemany(
                """INSERT INTO watch_papers (watch, paper_id, first_seen_at, reported) VALUES (?, ?, ?, ?)
                   ON CONFLICT(watch, paper_id) DO UPDATE SET reported = MAX(reported, excluded.reported)""",
                [(name, pid, stamp, int(pid in shown)) for pid in dict.fromkeys([*considered, *shown])],
            )
            db.execute("UPDATE watches SET last_run_at = ? WHERE name = ?", (stamp, name))


def _watch(row: dict) -> Watch:
    return Watch(
        name=row["name"],
        query=row["query"],
        about=row["about"],
        sources=tuple(json.loads(row["sources"])),
        threshold=row["threshold"],
        created_at=row["created_at"],
        last_run_at=row["last_run_at"],
    )
