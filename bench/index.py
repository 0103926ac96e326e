"""Benchmark the offline index at archive scale (run by hand; not part of the tests).

    python bench/index.py [--papers 576000] [--queries 200] [--workdir /tmp/scout-bench-index]

1. Writes a synthetic papers-with-abstracts.json.gz with the real record shape (576k papers,
   abstracts of ~150 words drawn from a Zipf vocabulary) and times `scout index import` on it in a
   child process, with its peak resident memory.
2. Embeds a sample of abstracts with the bundled MiniLM on the CPU (papers/s).
3. Builds the vector index from synthetic clustered unit vectors (384-d, one per paper) and
   measures its build time and size, query latency p50/p99 for exact and approximate search,
   and the approximate index's recall@10 against exact search; then BM25 and the whole
   retrieve_stored() latency. Real embeddings of 576k abstracts take ~18 h on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DIM = 384
WORDS = 30_000


def synthetic_dump(path: Path, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(WORDS)])
    cdf = np.cumsum(1 / np.arange(1, WORDS + 1))
    cdf /= cdf[-1]
    with gzip.open(path, "wt", compresslevel=1) as out:
        out.write("[")
        for block in range(0, n, 10_000):
            words = vocab[np.searchsorted(cdf, rng.random((min(10_000, n - block), 210)))]
            for offset, row in enumerate(words):
                i = block + offset
                abstract = " ".join(row[: 150 + i % 60])
                record = {
                    "paper_url": f"https://paperswithcode.com/paper/synthetic-{i}",
                    "arxiv_id": f"{1000 + i // 99999}.{i % 99999:05d}" if i % 5 else None,
                    "nips_id": None,
                    "openreview_id": None,
                    "title": " ".join(row[200:209]).capitalize() + f" {i}",
                    "abstract": abstract + ".",
                    "short_abstract": None,
                    "url_abs": f"http://arxiv.org/abs/{i}v1",
                    "url_pdf": f"http://arxiv.org/pdf/{i}v1.pdf",
                    "proceeding": None,
                    "authors": ["Ada Lovelace", "Alan Turing", "Grace Hopper"],
                    "tasks": ["Image Classification", "model"],
                    "date": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}",
                    "conference_url_abs": None,
                    "conference_url_pdf": None,
                    "conference": None,
                    "reproduces_paper": None,
                    "methods": [
                        {
                            "name": "ReLU",
                            "full_name": "Rectified Linear Units",
                            "description": "x" * 200,
                            "introduced_year": 2000,
                            "source_url": None,
                            "source_title": None,
                            "code_snippet_url": None,
                            "main_collection": None,
                        }
                    ],
                }
                out.write(("," if i else "") + json.dumps(record))
        out.write("]")


def time_import(dump: Path, cache: Path) -> dict:
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-c", "from scout.cli import main; main()", "index", "import", str(dump)],
        env={"SCOUT_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if run.returncode:
        raise SystemExit(run.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "import_s": round(seconds, 1),
        "import_peak_rss_mb": round(peak),
        "db_mb": round(sum(p.stat().st_size for p in cache.glob("scout.db*")) / 2**20),
    }


def cpu_embedding_rate(store, sample: int) -> dict:
    from scout.config import DEFAULT_MODEL
    from scout.search.embed import load_embedder

    rows = store.query("SELECT title, abstract FROM papers LIMIT ?", (sample,))
    texts = [f"{r['title']}. {r['abstract']}" for r in rows]
    embedder = load_embedder(DEFAULT_MODEL, Path(store.path).parent)
    embedder.encode(texts[:8])  # load the model outside the timing
    started = time.monotonic()
    embedder.encode(texts)
    rate = len(texts) / (time.monotonic() - started)
    return {"cpu_embed_papers_per_s": round(rate, 1), "cpu_embed_576k_hours": round(576_000 / rate / 3600, 1)}


def clustered_unit_vectors(n: int, rng, clusters: int = 4000, noise: float = 0.05) -> np.ndarray:
    """Topic-clustered vectors: a paper is its topic's centre plus noise (cosine ~0.7 to the
    centre), like abstract embeddings; uniformly random 384-d vectors have no near neighbours."""
    centres = rng.normal(size=(clusters, DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 65536):
        m = min(65536, n - start)
        block = centres[rng.integers(0, clusters, size=m)] + rng.normal(scale=noise, size=(m, DIM)).astype(np.float32)
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def latency(fn, queries) -> tuple[float, float]:
    times = []
    for q in queries:
        started = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - started) * 1000)
    return round(float(np.percentile(times, 50)), 2), round(float(np.percentile(times, 99)), 2)


def numpy_f32_latency(vectors: np.ndarray, queries: np.ndarray) -> tuple[float, float]:
    """Exact search over an in-memory float32 matrix: the plain NumPy reference."""
    matrix = np.asarray(vectors, dtype=np.float32)
    return latency(lambda q: np.argpartition(matrix @ q, -10)[-10:], queries)


def vector_figures(store, root: Path, n_queries: int) -> dict:
    from scout.store.vectors import VectorIndex, build_index, index_dir, index_size

    ids = [r["id"] for r in store.query("SELECT id FROM papers ORDER BY rowid")]
    rng = np.random.default_rng(1)
    vectors = clustered_unit_vectors(len(ids), rng)
    folder = index_dir(root, "bench-synthetic")
    started = time.monotonic()
    build_index(folder, "bench-synthetic", ids, vectors)
    build_s = time.monotonic() - started
    picks = rng.integers(0, len(ids), size=n_queries)
    queries = vectors[picks] + rng.normal(scale=0.03, size=(n_queries, DIM)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    del vectors
    index = VectorIndex.load(folder)
    numpy_p50, numpy_p99 = numpy_f32_latency(index.vectors, queries)
    exact_p50, exact_p99 = latency(lambda q: index.search(q, 10, exact=True), queries)
    ann_p50, ann_p99 = latency(lambda q: index.search(q, 10), queries)
    hits = sum(
        len({p for p, _ in index.search(q, 10, exact=True)} & {p for p, _ in index.search(q, 10)}) for q in queries
    )
    return {
        "vectors": len(ids),
        "ann_build_s": round(build_s, 1),
        "index_mb": round(index_size(folder) / 2**20),
        "exact_numpy_f32_p50_ms": numpy_p50,
        "exact_numpy_f32_p99_ms": numpy_p99,
        "exact_f16_mmap_p50_ms": exact_p50,
        "exact_f16_mmap_p99_ms": exact_p99,
        "ann_p50_ms": ann_p50,
        "ann_p99_ms": ann_p99,
        "recall_at_10": round(hits / (10 * len(queries)), 4),
    }


class RandomProjection:
    """An embedder stand-in that matches the synthetic index's dimension (no model load)."""

    name = "bench-synthetic"
    dim = DIM

    def encode(self, texts, batch_size: int = 32):
        rng = np.random.default_rng(abs(hash(tuple(texts))) % 2**32)
        v = rng.normal(size=(len(texts), DIM)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def search_figures(store, n_queries: int) -> dict:
    from scout.search.offline import lexical_ids, retrieve_stored

    words = [f"w{i}" for i in (5, 50, 500, 2000, 8000, 20000)]
    queries = [" ".join(words[i % 6 : i % 6 + 3]) + f" w{100 + i}" for i in range(n_queries)]
    lex_p50, lex_p99 = latency(lambda q: lexical_ids(store, q, 200), queries)
    embedder = RandomProjection()
    full_p50, full_p99 = latency(lambda q: retrieve_stored(store, embedder, q, 200), queries[:50])
    return {
        "bm25_top200_p50_ms": lex_p50,
        "bm25_top200_p99_ms": lex_p99,
        "retrieve_stored_k200_p50_ms": full_p50,
        "retrieve_stored_k200_p99_ms": full_p99,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=576_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--embed-sample", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scout-bench-index"))
    args = parser.parse_args()
    from scout.store import Store

    args.workdir.mkdir(parents=True, exist_ok=True)
    dump = args.workdir / f"papers-with-abstracts-{args.papers}.json.gz"
    if not dump.is_file():
        started = time.monotonic()
        synthetic_dump(dump, args.papers)
        print(
            f"wrote {dump} ({dump.stat().st_size / 2**20:.0f} MB) in {time.monotonic() - started:.0f} s",
            file=sys.stderr,
        )
    cache = args.workdir / f"cache-{args.papers}"
    figures = {"papers": args.papers, "dump_mb": round(dump.stat().st_size / 2**20)}
    if not (cache / "scout.db").is_file():
        figures.update(time_import(dump, cache))
    print(json.dumps(figures), file=sys.stderr)
    store = Store(cache / "scout.db")
    figures.update(vector_figures(store, cache, args.queries))
    print(json.dumps(figures), file=sys.stderr)
    figures.update(search_figures(store, args.queries))
    figures.update(cpu_embedding_rate(store, args.embed_sample))
    figures["bench_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
