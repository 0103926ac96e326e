"""A vector index over the stored papers, kept on disk beside the store: the exact vectors
(float16, memory-mapped, the reference) and an HNSW graph (usearch) that answers a query over
the whole archive in milliseconds. Exact search is used when the graph is absent."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scout.files import atomic_write, replacing
from scout.store.idlist import IdList
from scout.store.rowids import ROWIDS, load_rowids, save_rowids

# HNSW settings: connectivity (M) and search depth (ef) chosen for recall@10 >= 0.95 over the
# 576k-paper archive at a few milliseconds per query (bench/index.py measures both).
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 256
GRAPH = "ann.usearch"  # the HNSW graph's file in an index's folder


def index_dir(root: Path, model: str) -> Path:
    return Path(root) / "index" / re.sub(r"[^A-Za-z0-9_.-]+", "_", model)


@dataclass(frozen=True)
class IndexMeta:
    model: str
    dim: int
    count: int
    built_at: float
    ann: bool


class VectorIndex:
    def __init__(self, folder: Path, meta: IndexMeta, ids: IdList, vectors: np.ndarray, ann=None, rowids=None):
        self.folder = folder
        self.meta = meta
        self.ids = ids
        self.vectors = vectors  # (count, dim) float16, memory-mapped
        self.ann = ann
        self.rowids = rowids  # each row's papers.rowid at the build (scout.store.rowids), or None

    @classmethod
    def load(cls, folder: Path, *, use_ann: bool = True) -> VectorIndex | None:
        """The index in `folder`, or None when none was built (or a build did not finish)."""
        try:
            meta = IndexMeta(**json.loads((folder / "meta.json").read_text()))
            ids = IdList.load(folder / "ids.txt", meta.count)
            vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        except (OSError, ValueError, TypeError):
            return None
        if len(ids) != meta.count or vectors.shape != (meta.count, meta.dim):
            return None
        ann = None
        if use_ann and meta.ann and (folder / GRAPH).is_file():
            ann = _usearch_index().restore(str(folder / GRAPH), view=True)
            ann.expansion_search = EXPANSION_SEARCH
        return cls(folder, meta, ids, vectors, ann, load_rowids(folder, meta.count))

    def search(self, query: np.ndarray, k: int, *, exact: bool = False) -> list[tuple[str, float]]:
        """(paper id, cosine) of the k nearest papers, best first."""
        return [(self.ids[row], score) for row, score in self.search_rows(query, k, exact=exact)]

    def search_rows(self, query: np.ndarray, k: int, *, exact: bool = False) -> list[tuple[int, float]]:
        """(row, cosine) of the k nearest papers, best first."""
        k = min(k, self.meta.count)
        if k <= 0:
            return []
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if self.ann is not None and not exact:
            found = self.ann.search(query, k)
            return [(int(key), 1.0 - float(dist)) for key, dist in zip(found.keys, found.distances)]
        positions, scores = exact_top_k(self.vectors, query, k)
        return [(int(p), float(s)) for p, s in zip(positions, scores)]

    def score_rows(self, query: np.ndarray, rows: Mapping[str, int]) -> dict[str, float]:
        """(paper id, inner product) of the papers of `rows` (id -> its row in another index) that
        sit at the same row here: indexes built from one state of the store list the papers in
        the same order (`scout index embed` builds them so), and then a paper found by the other
        is scored from this one's vectors, without reading its text or cached vector."""
        here = {pid: row for pid, row in rows.items() if 0 <= row < self.meta.count and self.ids[row] == pid}
        if not here:
            return {}
        matrix = self._rows(np.fromiter(here.values(), dtype=np.int64, count=len(here)))
        scores = matrix @ np.asarray(query, dtype=np.float32).reshape(-1)
        return dict(zip(here, scores.tolist()))

    def _rows(self, positions: np.ndarray) -> np.ndarray:
        """The float32 vectors at these rows: the graph holds the same float16 vectors, and its pages
        stay mapped between queries (offline.KEEP_RESIDENT), so they are read from it when it is
        there rather than from vectors.npy."""
        if self.ann is not None:
            # The graph's keys are the rows (build_index).
            return np.stack(self.ann.get(positions.astype(np.uint64), dtype=np.float32))
        return np.asarray(self.vectors[positions], dtype=np.float32)


def _usearch_index():
    """usearch's Index class. onnxruntime must be loaded first: an ONNX Runtime session created in
    a process that loaded usearch's native library before it segfaults (seen with onnxruntime 1.32
    and usearch 2.26), and the embedder may need one after the index is open."""
    import onnxruntime  # noqa: F401
    from usearch.index import Index

    return Index


def cosine_scores(query_vec: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Cosine similarity of one query with every row; rows are unit vectors (as embedders return)."""
    query = np.asarray(query_vec, dtype=np.float32).reshape(-1)
    return matrix @ (query / max(float(np.linalg.norm(query)), 1e-12))


def top_k(query_vec: np.ndarray, matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices and cosines of the k rows most similar to the query, best first; equal scores
    (duplicate texts) go by row, so the answer is the same as a stable full sort's."""
    scores = cosine_scores(query_vec, matrix)
    n = len(scores)
    k = max(0, min(k, n))
    if 0 < k < n:
        # argpartition is O(n) but picks arbitrarily among rows tied at the k-th score.
        candidates = np.argpartition(scores, n - k)[n - k :]
        kth = scores[candidates].min()
        above = candidates[scores[candidates] > kth]
        candidates = np.concatenate([above, np.flatnonzero(scores == kth)[: k - len(above)]])
    else:
        candidates = np.arange(k)
    order = np.lexsort((candidates, -scores[candidates]))
    best = candidates[order]
    return best, scores[best]


def exact_top_k(vectors: np.ndarray, query: np.ndarray, k: int, chunk: int = 65536):
    """Exact inner-product top-k over float16 rows, in chunks so a memory-mapped matrix never
    needs a float32 copy of itself."""

    best_pos: list[np.ndarray] = []
    best_score: list[np.ndarray] = []
    for start in range(0, len(vectors), chunk):
        block = np.asarray(vectors[start : start + chunk], dtype=np.float32)
        pos, score = top_k(query, block, k)
        best_pos.append(pos + start)
        best_score.append(score)
    positions = np.concatenate(best_pos)
    scores = np.concatenate(best_score)
    order = np.lexsort((positions, -scores))[:k]
    return positions[order], scores[order]


def build_index(
    folder: Path,
    model: str,
    ids: list[str],
    vectors: np.ndarray,
    *,
    ann: bool = True,
    threads: int = 0,
    rowids: list[int] | None = None,
) -> IndexMeta:
    """Write a new index, replacing any old one only once the new one is complete; `rowids` are
    the papers' rowids in the store, where the index is of a store's papers."""
    count, dim = vectors.shape
    meta = IndexMeta(model=model, dim=int(dim), count=int(count), built_at=time.time(), ann=bool(ann and count))
    with ExitStack() as files:
        vectors_tmp = files.enter_context(replacing(folder / "vectors.npy"))
        ids_tmp = files.enter_context(replacing(folder / "ids.txt"))
        with open(vectors_tmp, "wb") as handle:
            np.save(handle, np.asarray(vectors, dtype=np.float16))
        ids_tmp.write_text("\n".join(ids), encoding="utf-8")
        if rowids is None:
            (folder / ROWIDS).unlink(missing_ok=True)
        else:
            save_rowids(files.enter_context(replacing(folder / ROWIDS)), rowids)
        if meta.ann:
            graph = _usearch_index()(
                ndim=dim,
                metric="ip",
                dtype="f16",
                connectivity=CONNECTIVITY,
                expansion_add=EXPANSION_ADD,
                expansion_search=EXPANSION_SEARCH,
            )
            for start in range(0, count, 65536):  # chunks: no float32 copy of the whole matrix
                block = np.asarray(vectors[start : start + 65536], dtype=np.float32)
                graph.add(np.arange(start, start + len(block), dtype=np.uint64), block, threads=threads)
            graph.save(str(files.enter_context(replacing(folder / GRAPH))))
        else:
            (folder / GRAPH).unlink(missing_ok=True)
        # No meta, no index: a crash while the files are swapped in leaves none rather than a mix.
        (folder / "meta.json").unlink(missing_ok=True)
    atomic_write(folder / "meta.json", json.dumps(meta.__dict__))
    return meta


def index_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*") if p.is_file()) if folder.is_dir() else 0
