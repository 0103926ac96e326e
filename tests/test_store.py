import multiprocessing
import re
import sqlite3

import numpy as np
import pytest

from scout.errors import StoreError
from scout.models import Paper, Repo, Result
from scout.store import Store
from scout.store.migrations import MIGRATIONS
from tests.sync import GUARD_S


def test_migrations_apply_once_and_wal_is_on(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    store = Store(path)
    # A commit does not wait for the disk (WAL keeps the file whole; only a power cut can lose one).
    assert store.query("PRAGMA synchronous")[0]["synchronous"] == 1  # NORMAL
    # ... except a record a search cannot recreate (a run, a watch): its commit waits for the disk.
    with store.transaction(durable=True) as db:
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.query("PRAGMA synchronous")[0]["synchronous"] == 1
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_papers_round_trip_and_thin_records_do_not_erase_rich_ones(store):
    rich = Paper(
        title="T",
        abstract="long abstract",
        authors=("A B",),
        published="2021-04-25",
        arxiv_id="2104.1",
        sources=("pwc",),
        repos=(Repo("https://github.com/o/r", official=True, stars=5),),
        results=(Result("t", "d", "Accuracy", 97.3, "m", "97.3%"),),
        citations=3,
    )
    store.save_papers([rich])
    store.save_papers([Paper(title="T", arxiv_id="2104.1", sources=("arxiv",))])
    got = store.get_paper("arxiv:2104.1")
    assert got.abstract == "long abstract" and got.authors == ("A B",) and got.citations == 3
    assert got.sources == ("arxiv", "pwc")
    assert got.repos == (Repo("https://github.com/o/r", official=True, stars=5),)
    assert got.results == (Result("t", "d", "Accuracy", 97.3, "m", "97.3%"),)
    assert store.get_paper("2104.1") == got  # a bare arXiv id works too
    assert store.get_paper("arxiv:9999.9") is None


def test_many_papers_are_read_in_slices_at_once_and_come_back_in_the_order_asked(store):
    papers = [
        Paper(
            title=f"Paper {i}",
            abstract=f"About {i}.",
            arxiv_id=f"2104.{i:05d}",
            repos=(Repo(f"https://github.com/o/r{i}", official=True),),
            results=(Result("t", "d", "Accuracy", float(i), "m", f"{i}%"),),
        )
        for i in range(100)
    ]
    store.save_papers(papers)
    wanted = [p.id for p in reversed(papers)][:90] + ["arxiv:9999.9"]
    found = store.papers_by_ids(wanted)
    assert [p.id for p in found] == wanted[:90]  # the unknown id is left out
    assert found[0].repos[0].url == "https://github.com/o/r99" and found[0].results[0].value == 99.0
    one_by_one = store._papers(store.query, wanted)  # on the store's own connection, in one go
    assert found == [one_by_one[pid] for pid in wanted[:90]]


def test_ids_are_cut_into_slices_for_the_readers():
    from scout.store.readers import slices

    assert slices(list(range(200)), count=8, least=16) == [list(range(i, i + 25)) for i in range(0, 200, 25)]
    assert slices(list(range(40)), count=8, least=16) == [list(range(16)), list(range(16, 32)), list(range(32, 40))]
    assert slices([], count=8, least=16) == [[]]


def test_embeddings_are_keyed_by_model_and_hash(store):
    v = np.arange(4, dtype=np.float32)
    store.put_embeddings("m1", {"h": v})
    assert np.array_equal(store.get_embeddings("m1", ["h", "x"])["h"], v)
    assert store.get_embeddings("m2", ["h"]) == {}


def test_a_corrupt_database_is_a_one_line_store_error(tmp_path):
    path = tmp_path / "scout.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="unreadable.*cache clear"):
        Store(path)


def _writer(path, start):
    s = Store(path)
    for i in range(start, start + 40):
        s.save_papers(
            [
                Paper(
                    title=f"paper {i}",
                    arxiv_id=f"{i}.0",
                    sources=("x",),
                    repos=(Repo(f"https://github.com/o/r{i % 3}"),),
                )
            ]
        )
        s.record_search(f"q{i}", None, "m", "2026-01-01T00:00:00Z", [f"arxiv:{i}.0"])
    s.close()


def _opener(path, barrier, results):
    barrier.wait()
    try:
        Store(path).close()
        results.put("ok")
    except StoreError as exc:
        results.put(str(exc))


def test_processes_opening_a_new_store_at_once_all_get_it(tmp_path):
    # SQLite answers all but one of the processes switching a new file to WAL with "locked" at once,
    # without waiting: before it was retried, 18 of 60 such rounds failed one process.
    ctx = multiprocessing.get_context("fork")
    for round_ in range(20):
        barrier, results = ctx.Barrier(4), ctx.Queue()
        path = tmp_path / f"{round_}" / "scout.db"
        procs = [ctx.Process(target=_opener, args=(path, barrier, results)) for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(GUARD_S)
        assert [results.get(timeout=GUARD_S) for _ in procs] == ["ok"] * 4


def test_two_processes_writing_at_once_do_not_corrupt_the_store(tmp_path):
    path = tmp_path / "scout.db"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, n * 1000)) for n in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(GUARD_S)
        assert p.exitcode == 0
    s = Store(path)
    assert s.count_papers() == 80
    assert s.counts()["searches"] == 80
    assert s.query("PRAGMA integrity_check")[0]["integrity_check"] == "ok"


# -- Store.transaction: whatever fails halfway, nothing of it lands and the store goes on --------


def _add_watch(db, name: str) -> None:
    db.execute(
        "INSERT INTO watches (name, query, sources, threshold, created_at) VALUES (?, 'q', '[]', 0.5, 't')", (name,)
    )


def _watches(path) -> list[str]:
    """What another connection (another scout process) sees."""
    db = sqlite3.connect(path)
    try:
        return [name for (name,) in db.execute("SELECT name FROM watches ORDER BY name")]
    finally:
        db.close()


def _fails_at_commit(db):
    db.execute("PRAGMA defer_foreign_keys = ON")  # the foreign key is checked at COMMIT, which fails
    db.execute("INSERT INTO watch_marks (watch, source, mark) VALUES ('nobody', 'arxiv', 'x')")


def _trigger_rolls_back(db):
    # SQLite rolls the transaction back itself; the ROLLBACK that follows finds none and is let be.
    db.execute("INSERT INTO watch_marks (watch, source, mark) VALUES ('half', 'arxiv', 'x')")


def _interrupted(db):
    raise KeyboardInterrupt


def _raises(db):
    raise ValueError("a bug in the caller")


@pytest.mark.parametrize(
    ("failure", "raised", "said"),
    [
        (lambda db: _add_watch(db, "kept"), sqlite3.IntegrityError, "UNIQUE constraint failed"),
        (lambda db: db.execute("SELECT * FROM no_such_table"), StoreError, "unreadable (no such table"),
        (_fails_at_commit, sqlite3.IntegrityError, "FOREIGN KEY constraint failed"),
        (_trigger_rolls_back, sqlite3.IntegrityError, "refused"),
        (_raises, ValueError, "a bug in the caller"),
        (_interrupted, KeyboardInterrupt, ""),
    ],
    ids=["integrity", "database-error", "at-commit", "rolled-back-by-sqlite", "exception", "ctrl-c"],
)
def test_a_transaction_that_fails_halfway_leaves_nothing(tmp_path, failure, raised, said):
    path = tmp_path / "scout.db"
    store = Store(path)
    with store.transaction() as db:
        _add_watch(db, "kept")
    store.query(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON watch_marks WHEN NEW.watch = 'half' "
        "BEGIN SELECT RAISE(ROLLBACK, 'refused'); END"
    )
    with pytest.raises(raised, match=re.escape(said) if said else None), store.transaction() as db:
        _add_watch(db, "half")  # written, then undone
        failure(db)
    assert _watches(path) == ["kept"]
    with store.transaction() as db:  # no transaction was left open
        _add_watch(db, "after")
    assert _watches(path) == ["after", "kept"]
    store.close()


def test_a_transaction_that_cannot_begin_says_the_store_is_busy(tmp_path, monkeypatch):
    monkeypatch.setattr("scout.store.BUSY_TIMEOUT_MS", 0)  # no waiting for the other writer
    path = tmp_path / "scout.db"
    store = Store(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another scout process holds the write lock
    ran = []
    with pytest.raises(StoreError, match="is busy: another scout process") as caught, store.transaction() as db:
        ran.append(db)
    assert not ran and "nothing is damaged" in str(caught.value)
    other.execute("ROLLBACK")
    other.close()
    with store.transaction() as db:
        _add_watch(db, "after")
    assert _watches(path) == ["after"]
    store.close()
