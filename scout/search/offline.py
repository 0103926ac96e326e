"""Offline search over the whole local store: retrieve the candidates for a query by dense
similarity (the vector index, plus an exact pass over what it does not hold yet) and full-text
(FTS5 BM25) rank, fused."""

from __future__ import annotations

import re

import numpy as np

from scout.models import Paper
from scout.search.rank import fuse_rankings
from scout.store import Store
from scout.store.vectors import VectorIndex, index_dir

SCAN_LIMIT = 50_000  # papers outside the vector index that a query still compares exactly
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


# -- retrieval -----------------------------------------------------------------------------------


def fts_query(text: str) -> str | None:
    """The words of `text` as an FTS5 OR-query of quoted terms: user text is never FTS syntax."""
    words = dict.fromkeys(w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 1)
    return " OR ".join(f'"{w}"' for w in words) or None


def lexical_ids(store: Store, query_text: str, k: int) -> list[str]:
    """The k best papers by BM25 over title (weighted 3x) and abstract."""
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


def dense_ids(store: Store, embedder, query_vec: np.ndarray, k: int, also: list[str]) -> list[str]:
    """The k papers nearest the query. The vector index answers for the papers it holds; papers
    stored since it was built (or all, when there is none) are compared exactly, using the
    vectors already cached plus those of `also` (the lexical candidates), encoded if need be."""
    from scout.search.embed import embed_texts, text_hash

    root = store.root
    index = VectorIndex.load(index_dir(root, embedder.name)) if root else None
    scored: dict[str, float] = dict(index.search(query_vec, k)) if index else {}
    since = index.meta.built_at if index else -1.0
    rows = store.query(
        "SELECT id, title, abstract FROM papers WHERE updated_at > ? ORDER BY updated_at DESC LIMIT ?",
        (since, SCAN_LIMIT),
    )
    wanted = set(also)
    extra = sorted(wanted.difference(r["id"] for r in rows))
    if extra:
        marks = ",".join("?" * len(extra))
        rows += store.query(f"SELECT id, title, abstract FROM papers WHERE id IN ({marks})", extra)
    texts = {r["id"]: Paper(title=r["title"], abstract=r["abstract"]).embedding_text() for r in rows}
    have = store.cached_hashes(embedder.name, [text_hash(t) for t in texts.values()])
    chosen = [(pid, t) for pid, t in texts.items() if pid in wanted or text_hash(t) in have]
    if chosen:
        vectors = embed_texts([t for _, t in chosen], embedder, store)
        scores = vectors @ np.asarray(query_vec, dtype=np.float32).reshape(-1)
        scored.update({pid: float(s) for (pid, _), s in zip(chosen, scores)})
    return sorted(scored, key=lambda pid: (-scored[pid], pid))[:k]


def retrieve_stored(store: Store, embedder, query_text: str, k: int) -> list[Paper]:
    """The top-k candidate papers of the whole local store for `query_text`, best first, with
    their repos and leaderboard rows, for offline search to rank."""
    if k <= 0 or not query_text.strip() or store.count_papers() == 0:
        return []
    from scout.search.embed import embed_texts

    lexical = lexical_ids(store, query_text, k)
    # Through the cache: a repeated offline search then never loads the model at all.
    query_vec = embed_texts([query_text], embedder, store)[0]
    dense = dense_ids(store, embedder, query_vec, k, lexical)
    return store.papers_by_ids(fuse_rankings([dense, lexical], k))
