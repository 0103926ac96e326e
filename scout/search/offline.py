"""Offline search over the whole local store: retrieve the candidates for a query by dense
similarity (the vector index, plus an exact pass over what it does not hold yet) and BM25 (the
bm25s index plus the papers stored since it was built; SQLite FTS5 when there is none), fused.
The on-disk indexes are loaded once per process and reloaded only when rebuilt."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from scout.dirs import shared_cache_dir
from scout.models import Paper
from scout.search.rank import fuse_rankings
from scout.store import Store
from scout.store.lexical import LexicalIndex, indexed_text, lexical_dir
from scout.store.resident import trim
from scout.store.rowids import fill_rowids, rowid_hints
from scout.store.vectors import GRAPH, VectorIndex, index_dir

SCAN_LIMIT = 50_000  # papers outside the vector index that a query still compares exactly
# Papers stored since the BM25 index was built that a query still scores one by one; past this the
# index is stale and FTS5 ranks instead (`scout index embed` rebuilds it).
FRESH_LIMIT = 5_000
# File-backed memory a query process keeps before handing its index pages back (resident.trim).
# The HNSW graph's pages are never handed back: every query walks the graph, and faulting its
# pages in again cost the next queries ~8 ms each at 576k papers (the file is 380 MB there), and the
# BM25 candidates' vectors are read from it too (VectorIndex.score_rows). The posting lists and id
# lists queries read are handed back once the whole passes this, which keeps VmHWM under 1 GB.
KEEP_RESIDENT = 512 << 20
_WORD = re.compile(r"\w+")
# Words that match most of the archive: they add nothing to BM25 and slow the query down.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "this",
        "to",
        "using",
        "via",
        "we",
        "which",
        "with",
    ]
)


# -- loading -------------------------------------------------------------------------------------

_LOADED: dict[Path, tuple[tuple[int, int, int], object]] = {}


def loaded(folder: Path, load: Callable[[Path], object]):
    """`load(folder)`, once per process while the index's meta.json (written last by every build)
    stays the same file: a rebuilt index is picked up, an unchanged one never read twice."""
    try:
        stat = (folder / "meta.json").stat()
    except OSError:
        _LOADED.pop(folder, None)
        return None
    key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    hit = _LOADED.get(folder)
    if hit is None or hit[0] != key:
        hit = _LOADED[folder] = (key, load(folder))
    return hit[1]


def lexical_index(root: Path | None) -> LexicalIndex | None:
    return loaded(lexical_dir(root), LexicalIndex.load) if root else None


def vector_index(root: Path | None, model: str) -> VectorIndex | None:
    return loaded(index_dir(root, model), VectorIndex.load) if root else None


# -- retrieval -----------------------------------------------------------------------------------


def fts_query(text: str) -> str | None:
    """The words of `text` as an FTS5 OR-query of quoted terms: user text is never FTS syntax."""
    words = dict.fromkeys(w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 1)
    return " OR ".join(f'"{w}"' for w in words) or None


def lexical_hits(store: Store, query_text: str, k: int) -> dict[str, int | None]:
    """The k best papers by BM25 over title and abstract, best first, each with its row in the
    bm25s index (None for a paper scored apart): from that index with the papers stored since its
    build scored on its scale, or from FTS5 when it is missing or stale."""
    index = lexical_index(store.root)
    if index is not None:
        fresh = store.query(
            "SELECT id, title, abstract FROM papers WHERE updated_at > ? LIMIT ?",
            (index.meta.built_at, FRESH_LIMIT + 1),
        )
        if len(fresh) <= FRESH_LIMIT:
            hits = [(index.ids[row], row, score) for row, score in index.top_rows(query_text, k + len(fresh))]
            scored = {pid: score for pid, _, score in hits}
            rows: dict[str, int | None] = {pid: row for pid, row, _ in hits}
            texts = [indexed_text(r["title"], r["abstract"]) for r in fresh]
            # A fresh paper's text may have changed since the build: its score now replaces the old.
            for row, score in zip(fresh, index.score_texts(query_text, texts)):
                scored.pop(row["id"], None)
                rows[row["id"]] = None
                if score > 0:
                    scored[row["id"]] = float(score)
            return {pid: rows[pid] for pid in sorted(scored, key=lambda pid: (-scored[pid], pid))[:k]}
    return dict.fromkeys(fts_ids(store, query_text, k))


def fts_ids(store: Store, query_text: str, k: int) -> list[str]:
    """The k best papers by SQLite FTS5 BM25 over title (weighted 3x) and abstract."""
    match = fts_query(query_text)
    if not match:
        return []
    rows = store.query(
        """SELECT p.id FROM (SELECT rowid, bm25(papers_fts, 3.0, 1.0) AS score FROM papers_fts
                             WHERE papers_fts MATCH ? ORDER BY score LIMIT ?) f
           JOIN papers p ON p.rowid = f.rowid ORDER BY f.score""",
        (match, k),
    )
    return [r["id"] for r in rows]


def dense_ids(
    store: Store, embedder, query_vec: np.ndarray, k: int, also: Mapping[str, int | None]
) -> dict[str, int | None]:
    """The k papers nearest the query, best first, each with its row in the vector index (None
    for a paper scored apart). The vector index answers for the papers it holds; papers
    stored since it was built (or all, when there is none) are compared exactly, using the
    vectors already cached, and so are those of `also` (the lexical candidates, with their row in
    the bm25s index where they have one): from the vector index's rows where it holds them as they
    are now, else from their cached vectors, encoded if need be."""
    from scout.search.embed import embed_texts, text_hash

    index = vector_index(store.root, embedder.name)
    hits = index.search_rows(query_vec, k) if index else []
    named = [(index.ids[row], row, score) for row, score in hits]
    scored: dict[str, float] = {pid: score for pid, _, score in named}
    at: dict[str, int | None] = {pid: row for pid, row, _ in named}
    since = index.meta.built_at if index else -1.0
    rows = store.query(
        "SELECT id, title, abstract FROM papers WHERE updated_at > ? ORDER BY updated_at DESC LIMIT ?",
        (since, SCAN_LIMIT),
    )
    changed = {r["id"] for r in rows}
    indexed = {pid: row for pid, row in also.items() if row is not None and pid not in changed}
    from_index = index.score_rows(query_vec, indexed) if index else {}
    scored.update(from_index)
    at.update((pid, indexed[pid]) for pid in from_index)  # score_rows found them at that row
    wanted = set(also).difference(from_index)
    extra = sorted(wanted - changed)
    if extra:
        marks = ",".join("?" * len(extra))
        rows += store.query(f"SELECT id, title, abstract FROM papers WHERE id IN ({marks})", extra)
    texts = {r["id"]: Paper(title=r["title"], abstract=r["abstract"]).embedding_text() for r in rows}
    hashes = {pid: text_hash(t) for pid, t in texts.items()}
    # One read of the cached vectors, for the papers to compare: the wanted and the cached ones.
    vectors = store.get_embeddings(embedder.name, list(hashes.values()))
    chosen = [pid for pid in texts if pid in wanted or hashes[pid] in vectors]
    missing = {hashes[pid]: texts[pid] for pid in chosen if hashes[pid] not in vectors}
    if missing:
        vectors.update(zip(missing, embed_texts(list(missing.values()), embedder, store)))
    if chosen:
        matrix = np.stack([vectors[hashes[pid]] for pid in chosen]).astype(np.float32, copy=False)
        scores = matrix @ np.asarray(query_vec, dtype=np.float32).reshape(-1)
        scored.update({pid: float(s) for pid, s in zip(chosen, scores)})
        at.update(dict.fromkeys(chosen))
    return {pid: at[pid] for pid in sorted(scored, key=lambda pid: (-scored[pid], pid))[:k]}


def dense_embedder(store: Store, embedder):
    """The embedder whose vectors give the dense candidates: the search's own, or the static
    model's where only the fast first pass (`scout index embed --fast`) has covered the archive;
    the search then still ranks those candidates with its own model."""
    from scout.search.static import FAST_MODEL

    root = store.root
    if root is None or embedder.name == FAST_MODEL or vector_index(root, embedder.name) is not None:
        return embedder
    return _embedder(FAST_MODEL, shared_cache_dir()) if vector_index(root, FAST_MODEL) is not None else embedder


def _default_onnx(embedder) -> bool:
    """Whether `embedder` is the default MiniLM on ONNX Runtime, the one model with int8 versions."""
    from scout.config import DEFAULT_MODEL
    from scout.search.embed import OnnxEmbedder

    return isinstance(embedder, OnnxEmbedder) and embedder.name == DEFAULT_MODEL


def rescoring_embedder(embedder):
    """The model that ranks again the static model's top candidates (see dense_embedder): for the
    default MiniLM on ONNX Runtime its int8 version, at half the CPU per candidate (nDCG@10 on
    CSFCube: bench/archive_retrieval.py); any other model itself."""
    from scout.search.embed import QUANTIZED_MODEL

    if _default_onnx(embedder):
        return _embedder(QUANTIZED_MODEL, shared_cache_dir())
    return embedder


def ranking_embedder(store: Store, embedder, model_given: bool):
    """The model a search ranks with, online or offline. The default MiniLM on ONNX Runtime ranks
    with its feed-forward int8 version (embed.FEED_FORWARD_INT8_MODEL: about two thirds of the CPU
    per text, the same ranking quality), unless the model was named (`--model`, SCOUT_MODEL, a
    config file) or the store holds an archive's vector index (`scout index embed`): a float MiniLM
    index compares only with the float model, and a `--fast` one keeps the path of rank_stored
    (static first pass, all-int8 re-scoring). Each model's vectors are cached under its own name,
    so one search never compares the vectors of two."""
    from scout.config import DEFAULT_MODEL
    from scout.search.embed import FEED_FORWARD_INT8_MODEL
    from scout.search.static import FAST_MODEL

    if model_given or not _default_onnx(embedder):
        return embedder
    # Asked of the folders, not the indexes: an online search need not load an archive's index.
    if store.root is not None and any(
        (index_dir(store.root, model) / "meta.json").is_file() for model in (DEFAULT_MODEL, FAST_MODEL)
    ):
        return embedder
    return _embedder(FEED_FORWARD_INT8_MODEL, shared_cache_dir())


@lru_cache(maxsize=8)
def _embedder(model: str, models: Path):
    """One embedder per model for the whole process (its session and vocabulary load once)."""
    from scout.search.embed import load_embedder

    return load_embedder(model, models)


def retrieve_stored(store: Store, embedder, query_text: str, k: int) -> list[Paper]:
    """The top-k candidate papers of the whole local store for `query_text`, best first, with
    their repos and leaderboard rows, for offline search to rank."""
    if k <= 0 or not query_text.strip() or not store.has_papers():
        return []
    from scout.search.embed import embed_texts

    lexical = lexical_hits(store, query_text, k)
    first_pass = dense_embedder(store, embedder)
    # Looked up in the cache (a repeated offline search then never loads the model), not written to
    # it: the ranking that follows caches it with its candidates' vectors, and a write here would
    # wait on the disk (the commit's fsync) in the query's path.
    query_vec = embed_texts([query_text], first_pass, store, save=False)[0]
    dense = dense_ids(store, first_pass, query_vec, k, lexical)
    fused = fuse_rankings([list(dense), list(lexical)], k)
    rowids = candidate_rowids(store, first_pass, fused, dense, lexical)
    # The index pages queries read would otherwise stay resident for the life of the process.
    if store.root is not None:
        trim(store.root / "index", KEEP_RESIDENT, spare=(GRAPH,))
    return store.papers_by_ids(fused, rowids)


def candidate_rowids(
    store: Store, embedder, ids: list[str], dense: Mapping[str, int | None], lexical: Mapping[str, int | None]
) -> dict[str, int]:
    """paper id -> its rowid in the store as an index saw it (scout.store.rowids), for those of
    `ids` found at a row of the vector index (`dense`: id -> row) or of the bm25s one (`lexical`)."""
    stored = cache(store.paper_rowids)
    hints: dict[str, int] = {}
    for index, rows in ((lexical_index(store.root), lexical), (vector_index(store.root, embedder.name), dense)):
        if index is not None:
            fill_rowids(index, stored)
            hints.update(rowid_hints(index.rowids, {pid: rows.get(pid) for pid in ids}))
    return hints
