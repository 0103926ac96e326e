import multiprocessing
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
    Store(path).close()
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


def test_embeddings_are_keyed_by_model_and_hash(store):
    v = np.arange(4, dtype=np.float32)
    store.put_embeddings("m1", {"h": v})
    assert np.array_equal(store.get_embeddings("m1", ["h", "x"])["h"], v)
    assert store.get_embeddings("m2", ["h"]) == {}


def test_http_cache_respects_the_time_to_live(store):
    store.cache_response("k", "http://x", 200, "application/json", b"{}")
    assert store.cached_response("k", max_age_s=60).body == b"{}"
    assert store.cached_response("k", max_age_s=-1) is None


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
