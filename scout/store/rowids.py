"""Each index row's papers.rowid, as the index was built (rowids.npy beside its ids.txt, memory-
mapped). The offline query reads its candidates by rowid with it: a rowid lookup walks only the
table's b-tree, where a lookup by id walks the id index's too, and with the store's pages off the
page cache that index is about a third of the pages read. A rowid is only a hint: the store checks
the row it finds is still that paper's (Store.papers_by_ids), so a stale file costs speed, never
a wrong answer."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from scout.files import replacing

ROWIDS = "rowids.npy"


def save_rowids(path: Path, rowids) -> None:
    with open(path, "wb") as handle:
        np.save(handle, np.asarray(rowids, dtype=np.int64))


def load_rowids(folder: Path, count: int) -> np.ndarray | None:
    """The rowids of the index in `folder`, or None where it has none (built before they were
    written) or they are older than its ids.txt (an older scout rebuilt it since)."""
    try:
        if (folder / ROWIDS).stat().st_mtime_ns < (folder / "ids.txt").stat().st_mtime_ns:
            return None
        # A plain ndarray view of the map: an element of np.memmap is a new memmap object, ~1 µs each.
        rowids = np.load(folder / ROWIDS, mmap_mode="r").view(np.ndarray)
    except (OSError, ValueError):
        return None
    return rowids if rowids.shape == (count,) else None


def rowid_hints(rowids: np.ndarray | None, rows: Mapping[str, int | None]) -> dict[str, int]:
    """paper id -> the rowid it had at the build, for the papers of `rows` (id -> its row in the
    index, None for one scored apart) that have one."""
    if rowids is None:
        return {}
    return {pid: int(rowids[row]) for pid, row in rows.items() if row is not None and 0 <= row < len(rowids)}


def fill_rowids(index, stored: Callable[[], Mapping[str, int]]) -> None:
    """Give `index` (a vector or bm25s index: folder, ids, rowids) the rowids it was built without
    (by an older scout), from `stored()` (every stored paper's id -> rowid: ~0.6 s at 576k papers),
    and keep them in its folder for the next process; in memory only where the folder is not
    writable. A paper no longer stored gets rowid 0, which no row has."""
    if index.rowids is not None:
        return
    known = stored()
    rowids = np.fromiter((known.get(pid, 0) for pid in index.ids), dtype=np.int64, count=len(index.ids))
    with contextlib.suppress(OSError), replacing(index.folder / ROWIDS) as tmp:
        save_rowids(tmp, rowids)
    index.rowids = rowids
