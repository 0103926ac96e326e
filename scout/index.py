"""The local store as an offline search backend: embed every stored paper, keep a vector index
of them on disk, describe what is there, and retrieve the candidates for a query from the
whole store by dense similarity and full-text (FTS5 BM25) rank, fused."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scout.errors import ConfigError
from scout.importer import SOURCE
from scout.models import Paper
from scout.store import Store
from scout.vectors import VectorIndex, build_index, index_dir, index_size

PAGE = 20_000  # papers read from the store at a time while embedding or building
SCAN_LIMIT = 50_000  # papers outside the vector index that a query still compares exactly
RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al. 2009)
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


def _root(store: Store) -> Path | None:
    return None if store.path == ":memory:" else Path(store.path).parent


def _text(title: str, abstract: str | None) -> str:
    return Paper(title=title, abstract=abstract).embedding_text()


def _pages(store: Store, where: str = "1", params: tuple = ()) -> Iterator[list[dict]]:
    last = 0
    while True:
        rows = store.query(
            f"SELECT rowid, id, title, abstract FROM papers WHERE rowid > ? AND ({where}) ORDER BY rowid LIMIT ?",
            (last, *params, PAGE),
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["rowid"]


def _cached_hashes(store: Store, model: str, hashes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            r["text_hash"]
            for r in store.query(
                f"SELECT text_hash FROM embeddings WHERE model = ? AND text_hash IN ({marks})", [model, *chunk]
            )
        )
    return found


# -- embedding the store ------------------------------------------------------------------------


def resolve_device(device: str) -> str:
    """ "auto" is the first GPU when torch sees one, else the CPU."""
    if device == "auto":
        import importlib.util

        if importlib.util.find_spec("torch") is None:
            return "cpu"
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu" or re.fullmatch(r"cuda(:\d+)?", device):
        return device
    raise ConfigError(f"unknown --device {device!r}; use auto, cpu, cuda or cuda:N")


def embedder_for(model: str, cache_dir: Path, device: str):
    """The CPU embedder as search uses it, or on a GPU the sentence-transformers one in float16:
    same model name, so both fill the same embeddings cache."""
    from scout.embed import load_embedder

    if device == "cpu":
        return load_embedder(model, cache_dir)
    return load_embedder(model, cache_dir, device=device)


@dataclass(frozen=True)
class EmbedReport:
    papers: int
    embedded: int  # newly encoded in this run
    vectors: int  # papers in the vector index built afterwards


def embed_store(
    store: Store, embedder, *, batch_size: int = 64, progress: Callable[[int, int], None] | None = None
) -> int:
    """Encode every stored paper whose text has no vector yet for this model; returns how many.
    Each batch is saved as soon as it is encoded, so an interrupted run resumes for free. Texts
    are sorted by length within each page so a batch pads little (the GPU's main waste)."""
    from scout.embed import text_hash

    total = store.count_papers()
    done = embedded = 0
    for rows in _pages(store):
        texts = {text_hash(t): t for t in (_text(r["title"], r["abstract"]) for r in rows)}
        have = _cached_hashes(store, embedder.name, list(texts))
        todo = sorted(((h, t) for h, t in texts.items() if h not in have), key=lambda item: len(item[1]))
        for start in range(0, len(todo), batch_size * 8):
            chunk = todo[start : start + batch_size * 8]
            vectors = embedder.encode([t for _, t in chunk], batch_size=batch_size)
            store.put_embeddings(embedder.name, {h: vectors[i] for i, (h, _) in enumerate(chunk)})
            embedded += len(chunk)
            if progress:
                progress(done + len(rows) * (start + len(chunk)) // len(todo), total)
        done += len(rows)
        if progress:
            progress(done, total)
    return embedded


def build_store_index(store: Store, model: str, *, ann: bool = True) -> int:
    """Write the vector index of every stored paper that has a vector for `model`."""
    from scout.embed import text_hash

    root = _root(store)
    if root is None:
        return 0
    ids: list[str] = []
    blocks: list[np.ndarray] = []
    for rows in _pages(store):
        hashes = [text_hash(_text(r["title"], r["abstract"])) for r in rows]
        vectors = store.get_embeddings(model, hashes)
        keep = [(r["id"], vectors[h]) for r, h in zip(rows, hashes) if h in vectors]
        ids.extend(pid for pid, _ in keep)
        if keep:
            blocks.append(np.stack([v for _, v in keep]).astype(np.float16))
    matrix = np.concatenate(blocks) if blocks else np.zeros((0, 1), dtype=np.float16)
    return build_index(index_dir(root, model), model, ids, matrix, ann=ann).count


# -- what is there -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexInfo:
    papers: int
    archive_papers: int
    repos: int
    links: int
    results: int
    pending_links: int  # staged links whose paper is not in the store (yet)
    pending_results: int
    embeddings: int  # vectors for `model`
    model: str
    indexed: int  # papers in the vector index for `model`
    approximate: bool  # the index has an HNSW graph
    newest_paper: str | None  # the date of the data: its newest paper
    db_bytes: int
    index_bytes: int
    files: tuple[dict, ...]  # one per imported dump: name, kind, records, skipped, complete, error


def index_info(store: Store, model: str) -> IndexInfo:
    def one(sql: str, params: tuple = ()) -> int:
        return store.query(sql, params)[0]["n"] or 0

    root = _root(store)
    vectors = VectorIndex.load(index_dir(root, model), use_ann=False) if root else None
    db_bytes = sum(p.stat().st_size for p in root.glob(Path(store.path).name + "*")) if root else 0
    return IndexInfo(
        papers=store.count_papers(),
        archive_papers=one("SELECT COUNT(*) AS n FROM papers WHERE sources LIKE ?", (f'%"{SOURCE}"%',)),
        repos=one("SELECT COUNT(*) AS n FROM repos"),
        links=one("SELECT COUNT(*) AS n FROM paper_repos"),
        results=one("SELECT COUNT(*) AS n FROM results"),
        pending_links=one("SELECT COUNT(*) AS n FROM index_links WHERE paper_id IS NULL"),
        pending_results=one("SELECT COUNT(*) AS n FROM index_results WHERE paper_id IS NULL"),
        embeddings=one("SELECT COUNT(*) AS n FROM embeddings WHERE model = ?", (model,)),
        model=model,
        indexed=vectors.meta.count if vectors else 0,
        approximate=bool(vectors and vectors.meta.ann),
        newest_paper=store.query("SELECT MAX(published) AS d FROM papers WHERE sources LIKE ?", (f'%"{SOURCE}"%',))[0][
            "d"
        ],
        db_bytes=db_bytes,
        index_bytes=index_size(index_dir(root, model)) if root else 0,
        files=tuple(
            store.query(
                "SELECT name, kind, records_done AS records, skipped, complete, error, started_at, finished_at"
                " FROM index_files ORDER BY started_at"
            )
        ),
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
    from scout.embed import embed_texts, text_hash

    root = _root(store)
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
    texts = {r["id"]: _text(r["title"], r["abstract"]) for r in rows}
    have = _cached_hashes(store, embedder.name, [text_hash(t) for t in texts.values()])
    chosen = [(pid, t) for pid, t in texts.items() if pid in wanted or text_hash(t) in have]
    if chosen:
        vectors = embed_texts([t for _, t in chosen], embedder, store)
        scores = vectors @ np.asarray(query_vec, dtype=np.float32).reshape(-1)
        scored.update({pid: float(s) for (pid, _), s in zip(chosen, scores)})
    return sorted(scored, key=lambda pid: (-scored[pid], pid))[:k]


def fuse(rankings: list[list[str]], k: int) -> list[str]:
    """Reciprocal-rank fusion: robust to the two scores living on different scales."""
    score: dict[str, float] = {}
    for ranking in rankings:
        for position, pid in enumerate(ranking):
            score[pid] = score.get(pid, 0.0) + 1.0 / (RRF_K + position + 1)
    return sorted(score, key=lambda pid: (-score[pid], pid))[:k]


def retrieve_stored(store: Store, embedder, query_text: str, k: int) -> list[Paper]:
    """The top-k candidate papers of the whole local store for `query_text`, best first, with
    their repos and leaderboard rows, for offline search to rank."""
    if k <= 0 or not query_text.strip() or store.count_papers() == 0:
        return []
    from scout.embed import embed_texts

    lexical = lexical_ids(store, query_text, k)
    # Through the cache: a repeated offline search then never loads the model at all.
    query_vec = embed_texts([query_text], embedder, store)[0]
    dense = dense_ids(store, embedder, query_vec, k, lexical)
    return store.papers_by_ids(fuse([dense, lexical], k))
