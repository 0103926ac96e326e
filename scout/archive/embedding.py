"""Embed the archive: encode every stored paper that has no vector yet, build the on-disk
vector index from the cached vectors and the BM25 index from the texts, and describe what the
archive holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scout.archive.importer import SOURCE
from scout.config import parse_device
from scout.models import Paper
from scout.store import Store
from scout.store.lexical import LexicalIndex, build_lexical_index, indexed_text, lexical_dir
from scout.store.vectors import VectorIndex, build_index, index_dir, index_size

PAGE = 20_000  # papers read from the store at a time while embedding or building


def resolve_device(device: str) -> str:
    """ "auto" is the first GPU when torch sees one, else the CPU."""
    if device == "auto":
        import importlib.util

        if importlib.util.find_spec("torch") is None:
            return "cpu"
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    kind, index = parse_device(device)
    return kind if index is None else f"{kind}:{index}"


def embedder_for(model: str, cache_dir: Path, device: str):
    """The CPU embedder as search uses it, or on a GPU the sentence-transformers one in float16:
    same model name, so both fill the same embeddings cache."""
    from scout.search.embed import load_embedder
    from scout.search.static import FAST_MODEL

    if device == "cpu" or model == FAST_MODEL:
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
    from scout.search.embed import text_hash

    total = store.count_papers()
    done = embedded = 0
    for rows in store.paper_text_pages(PAGE):
        texts = {
            text_hash(t): t for t in (Paper(title=r["title"], abstract=r["abstract"]).embedding_text() for r in rows)
        }
        have = store.cached_hashes(embedder.name, list(texts))
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
    from scout.search.embed import text_hash

    root = store.root
    if root is None:
        return 0
    ids: list[str] = []
    rowids: list[int] = []
    blocks: list[np.ndarray] = []
    dim = None
    for rows in store.paper_text_pages(PAGE):
        hashes = [text_hash(Paper(title=r["title"], abstract=r["abstract"]).embedding_text()) for r in rows]
        vectors = store.get_embeddings(model, hashes)
        keep = [(r, vectors[h]) for r, h in zip(rows, hashes) if h in vectors]
        dim = dim or (keep[0][1].shape[0] if keep else None)
        keep = [(r, v) for r, v in keep if v.shape[0] == dim]  # one dimension, whatever the store holds
        ids.extend(r["id"] for r, _ in keep)
        rowids.extend(r["rowid"] for r, _ in keep)
        if keep:
            blocks.append(np.stack([v for _, v in keep]).astype(np.float16))
    matrix = np.concatenate(blocks) if blocks else np.zeros((0, 1), dtype=np.float16)
    return build_index(index_dir(root, model), model, ids, matrix, ann=ann, rowids=rowids).count


def build_store_lexical_index(store: Store) -> int:
    """Write the BM25 index of every stored paper's title and abstract; returns how many."""
    import time

    root = store.root
    if root is None:
        return 0
    started = time.time()  # a paper updated while the texts are read counts as fresh
    ids: list[str] = []
    rowids: list[int] = []
    texts: list[str] = []
    for rows in store.paper_text_pages(PAGE):
        ids.extend(r["id"] for r in rows)
        rowids.extend(r["rowid"] for r in rows)
        texts.extend(indexed_text(r["title"], r["abstract"]) for r in rows)
    return build_lexical_index(lexical_dir(root), ids, texts, built_at=started, rowids=rowids).count


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
    vector_indexes: tuple[dict, ...] = ()  # every model with a vector index: model, papers, approximate, bytes
    bm25_papers: int = 0  # papers in the BM25 index (0: none; offline search ranks with FTS5)
    bm25_fresh: int = 0  # papers stored or changed since it was built, scored one by one per query
    bm25_bytes: int = 0


def index_info(store: Store, model: str) -> IndexInfo:
    def one(sql: str, params: tuple = ()) -> int:
        return store.query(sql, params)[0]["n"] or 0

    root = store.root
    vectors = VectorIndex.load(index_dir(root, model), use_ann=False) if root else None
    lexical = LexicalIndex.load(lexical_dir(root)) if root else None
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
        vector_indexes=_vector_indexes(root) if root else (),
        bm25_papers=lexical.meta.count if lexical else 0,
        bm25_fresh=one("SELECT COUNT(*) AS n FROM papers WHERE updated_at > ?", (lexical.meta.built_at,))
        if lexical
        else 0,
        bm25_bytes=index_size(lexical_dir(root)) if root else 0,
    )


def _vector_indexes(root: Path) -> tuple[dict, ...]:
    found = []
    for folder in sorted((Path(root) / "index").glob("*/")):
        vectors = VectorIndex.load(folder, use_ann=False)
        if vectors is not None:
            found.append(
                {
                    "model": vectors.meta.model,
                    "papers": vectors.meta.count,
                    "approximate": vectors.meta.ann,
                    "bytes": index_size(folder),
                }
            )
    return tuple(found)
