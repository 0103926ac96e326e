"""The offline query reads its candidates by the rowid an index saw them at (scout.store.rowids):
the hint is checked, so a replaced paper or a missing or stale rowids file only costs speed."""

from __future__ import annotations

import os

import numpy as np
import pytest

from scout.archive.embedding import build_store_index, build_store_lexical_index, embed_store
from scout.archive.importer import import_dump
from scout.search import offline
from scout.store import rowids as rowids_module
from scout.store.lexical import LexicalIndex, lexical_dir
from scout.store.rowids import ROWIDS, fill_rowids, load_rowids, rowid_hints
from scout.store.vectors import VectorIndex, index_dir
from tests.pwc_dumps import synthetic_papers, write_json

QUERY = "masks with method 7 on topic 12"


@pytest.fixture
def archive(store, tmp_path, fake_embedder):
    import_dump(store, write_json(tmp_path / "papers.json", synthetic_papers(60)))
    embed_store(store, fake_embedder)
    build_store_index(store, fake_embedder.name)
    build_store_lexical_index(store)
    return store


def spied(store):
    """store._papers's query, recording each statement."""
    said = []

    def query(sql, params=()):
        said.append(sql)
        return store.query(sql, params)

    return query, said


def replace_paper(store, pid: str) -> None:
    """Give `pid` a new rowid, as INSERT OR REPLACE (or a copy by hand) would."""
    with store.transaction() as db:
        db.execute("CREATE TEMP TABLE moved AS SELECT * FROM papers WHERE id = ?", (pid,))
        db.execute("DELETE FROM papers WHERE id = ?", (pid,))
        db.execute("INSERT INTO papers SELECT * FROM moved")
        db.execute("DROP TABLE moved")


def test_a_build_writes_each_rows_rowid(archive, fake_embedder):
    stored = archive.paper_rowids()
    vectors = VectorIndex.load(index_dir(archive.root, fake_embedder.name))
    for index in (vectors, LexicalIndex.load(lexical_dir(archive.root))):
        assert index.rowids is not None and len(index.rowids) == 60
        assert list(index.rowids) == [stored[pid] for pid in index.ids]


def test_candidates_are_read_by_rowid_and_come_back_as_by_id(archive, fake_embedder):
    ids = list(archive.paper_rowids())[::-1][:20]
    by_id = archive.papers_by_ids(ids)
    query, said = spied(archive)
    found = archive._papers(query, ids, archive.paper_rowids())
    assert [found[pid] for pid in ids] == by_id
    assert not any("WHERE id IN" in sql for sql in said)  # the id index was never walked
    # On the readers, in slices of neighbouring rowids: still in the order asked.
    everything = list(archive.paper_rowids())[::-1]
    assert archive.papers_by_ids(everything, archive.paper_rowids()) == archive.papers_by_ids(everything)


def test_a_paper_replaced_since_the_build_is_looked_up_by_id(archive, fake_embedder):
    hints = archive.paper_rowids()
    ids = list(hints)[:10]
    replace_paper(archive, ids[3])
    assert archive.paper_rowids()[ids[3]] != hints[ids[3]]
    # Its old rowid now names no paper; another's rowid would name the wrong one: both fall back.
    hints[ids[5]] = hints[ids[6]]
    query, said = spied(archive)
    found = archive._papers(query, ids, hints)
    assert [found[pid] for pid in ids] == archive.papers_by_ids(ids)
    assert any("WHERE id IN" in sql for sql in said)
    # The whole query, with the indexes built before the change.
    offline._LOADED.clear()
    papers = offline.retrieve_stored(archive, fake_embedder, QUERY, 60)
    assert ids[3] in [p.id for p in papers] and len(papers) == 60


def test_an_index_without_rowids_gets_them_from_the_store_once(archive, fake_embedder):
    folder = index_dir(archive.root, fake_embedder.name)
    (folder / ROWIDS).unlink()
    (lexical_dir(archive.root) / ROWIDS).unlink()
    offline._LOADED.clear()
    assert VectorIndex.load(folder).rowids is None
    expected = [p.id for p in offline.retrieve_stored(archive, fake_embedder, QUERY, 20)]
    stored = archive.paper_rowids()
    for written in (folder, lexical_dir(archive.root)):
        ids = VectorIndex.load(folder).ids if written == folder else LexicalIndex.load(written).ids
        assert list(load_rowids(written, len(ids))) == [stored[pid] for pid in ids]
    offline._LOADED.clear()
    assert [p.id for p in offline.retrieve_stored(archive, fake_embedder, QUERY, 20)] == expected


def test_rowids_are_kept_in_memory_where_the_folder_is_not_writable(archive, fake_embedder, monkeypatch):
    folder = index_dir(archive.root, fake_embedder.name)
    (folder / ROWIDS).unlink()
    index = VectorIndex.load(folder)

    def refuse(*args):
        raise PermissionError("read-only")

    monkeypatch.setattr(rowids_module, "save_rowids", refuse)
    asked = []
    fill_rowids(index, lambda: asked.append(1) or archive.paper_rowids())
    fill_rowids(index, lambda: asked.append(1) or archive.paper_rowids())
    assert not (folder / ROWIDS).exists() and len(asked) == 1
    assert list(index.rowids) == [archive.paper_rowids()[pid] for pid in index.ids]


def test_rowids_older_than_the_ids_are_not_trusted(archive, fake_embedder):
    folder = index_dir(archive.root, fake_embedder.name)
    assert load_rowids(folder, 60) is not None
    assert load_rowids(folder, 61) is None  # another index's count
    stat = (folder / "ids.txt").stat()
    os.utime(folder / ROWIDS, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**9))  # an older scout rebuilt it
    assert load_rowids(folder, 60) is None


def test_hints_skip_papers_scored_apart():
    rowids = np.array([5, 9, 12], dtype=np.int64)
    assert rowid_hints(rowids, {"a": 2, "b": None, "c": 7}) == {"a": 12}
    assert rowid_hints(None, {"a": 2}) == {}
