"""Benchmark the offline index at archive scale (run by hand; not part of the tests).

    python bench/index.py [--papers 576000] [--queries 200] [--workdir /tmp/scout-bench-index]

1. Writes a synthetic papers-with-abstracts.json.gz with the real record shape (576k papers,
   abstracts of ~150 words drawn from a Zipf vocabulary) and times `scout index import` on it in a
   child process, with its peak resident memory.
2. Builds the vector index from synthetic clustered unit vectors (384-d, one per paper): build
   time, size, exact and approximate query latency, and the approximate index's recall@10 against
   exact search; then the bm25s index of the papers' texts (build time, size).
3. In a child process: p50/p99 of each stage of offline retrieval (bm25s top-200, approximate
   vector top-200, fetching 200 papers from SQLite), the whole retrieve_stored() on new queries
   (bm25s, indexes loaded once) and on the same queries repeated, and that process's peak memory
   (anonymous and memory-mapped index pages apart); then FTS5 top-200 and the old
   retrieve_stored() (FTS5, indexes read per query), with how much of the fused top 10 the two
   share.
4. Embedding throughput of each CPU path on the archive's texts (bundled MiniLM on ONNX Runtime,
   the static model distilled from it), and the real `scout index embed --fast` over the whole
   store: encoding, the vector index and the BM25 index, with its peak memory.
Prints one JSON object (stdout); figures so far go to stderr as each step finishes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DIM = 384
MODELS = ROOT / "cache"  # where the ONNX graph and the distilled static model are kept between runs
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
        env={"SCOUT_CACHE_DIR": str(cache), "SCOUT_SHARED_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"},
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


def embedding_rates(store, sample: int, fast_sample: int) -> dict:
    """Papers/s of each CPU path on the archive's texts, models loaded outside the timing."""
    from scout.config import DEFAULT_MODEL
    from scout.search.embed import load_embedder
    from scout.search.static import FAST_MODEL

    rows = store.query("SELECT title, abstract FROM papers LIMIT ?", (max(sample, fast_sample),))
    texts = [f"{r['title']}. {r['abstract']}" for r in rows]
    figures = {}
    for key, model, n in (("minilm_onnx", DEFAULT_MODEL, sample), ("static_fast", FAST_MODEL, fast_sample)):
        embedder = load_embedder(model, MODELS)
        started = time.monotonic()
        embedder.encode(texts[:8])
        figures[f"{key}_model_load_s"] = round(time.monotonic() - started, 1)  # includes a one-time distil
        started = time.monotonic()
        embedder.encode(texts[:n], batch_size=32 if key == "minilm_onnx" else 4096)
        rate = n / (time.monotonic() - started)
        figures[f"{key}_papers_per_s"] = round(rate, 1)
        figures[f"{key}_576k_hours"] = round(576_000 / rate / 3600, 2)
    return figures


def time_embed_fast(cache: Path) -> dict:
    """`scout index embed --fast` over the whole store, for real, in a child (its peak memory)."""
    from scout.search.static import static_model_dir

    # The distilled model is cached per cache dir; the copy saves distilling it again (minutes).
    if not static_model_dir(cache).is_dir() and static_model_dir(MODELS).is_dir():
        shutil.copytree(static_model_dir(MODELS), static_model_dir(cache))
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    run = subprocess.run(
        [sys.executable, "-c", "from scout.cli import main; main()", "index", "embed", "--fast"],
        env={
            "SCOUT_CACHE_DIR": str(cache),
            "SCOUT_SHARED_CACHE_DIR": str(cache),
            "PATH": "/usr/bin:/bin",
            "HOME": str(Path.home()),
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode:
        raise SystemExit(run.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "embed_fast_total_s": round(time.monotonic() - started, 1),
        "embed_fast_peak_rss_mb": round(peak / 1024) if peak > before else None,
        "embed_fast_log": [line for line in run.stderr.splitlines() if line.strip()][-3:],
    }


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


def lexical_build(store, root: Path) -> dict:
    from scout.archive.embedding import build_store_lexical_index
    from scout.store.lexical import lexical_dir
    from scout.store.vectors import index_size

    started = time.monotonic()
    build_store_lexical_index(store)
    return {
        "bm25s_build_s": round(time.monotonic() - started, 1),
        "bm25s_index_mb": round(index_size(lexical_dir(root)) / 2**20),
    }


def bench_queries(n: int) -> list[str]:
    """Mixed queries: very common words (the slow tail of FTS5) down to rare ones."""
    words = [f"w{i}" for i in (5, 50, 500, 2000, 8000, 20000)]
    return [" ".join(words[i % 6 : i % 6 + 3]) + f" w{100 + i}" for i in range(n)]


def proc_mb(field: str) -> int:
    """A memory figure of this process from /proc/self/status (VmHWM, RssAnon...), in MB."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return round(int(status[field].split()[0]) / 1024)


def query_child(cache: Path, n_queries: int) -> dict:
    """Per-stage latency of offline retrieval, old (FTS5, indexes read per query) and new (bm25s,
    indexes loaded once), in this process: run as a child so its peak memory is the query's own."""
    from scout.search import offline
    from scout.store import Store

    store = Store(cache / "scout.db")
    queries = bench_queries(n_queries)
    embedder = RandomProjection()
    # Vectors cached by an earlier run would make these queries repeats.
    with store.transaction() as db:
        db.execute("DELETE FROM embeddings WHERE model = ?", (embedder.name,))
    figures = {}
    started = time.monotonic()
    index = offline.lexical_index(store.root)
    vectors = offline.vector_index(store.root, embedder.name)
    offline.lexical_hits(store, queries[0], 10)  # the first query also imports bm25s and the stemmer
    figures["new_index_load_s"] = round(time.monotonic() - started, 2)
    if index is None or vectors is None:
        raise SystemExit("no bm25s or vector index in " + str(cache))
    figures["bm25s_top200_p50_ms"], figures["bm25s_top200_p99_ms"] = latency(
        lambda q: offline.lexical_hits(store, q, 200), queries
    )
    query_vecs = embedder.encode(queries)
    pairs = list(zip(queries, query_vecs))
    figures["ann_top200_p50_ms"], figures["ann_top200_p99_ms"] = latency(lambda qv: vectors.search(qv[1], 200), pairs)
    ids = [pid for pid, _ in vectors.search(query_vecs[0], 200)]
    figures["sqlite_fetch_200_p50_ms"], figures["sqlite_fetch_200_p99_ms"] = latency(
        lambda _: store.papers_by_ids(ids), range(50)
    )
    new_top = {}

    def new(q):
        # Each query is new to this process: its lexical candidates' vectors are encoded and cached.
        new_top[q] = [p.id for p in offline.retrieve_stored(store, embedder, q, 200)[:10]]

    figures["fused_new_k200_p50_ms"], figures["fused_new_k200_p99_ms"] = latency(new, queries)
    figures["fused_new_k200_repeated_p50_ms"], figures["fused_new_k200_repeated_p99_ms"] = latency(new, queries)
    # The new path's own memory, before the old one runs in this process. File-backed pages are
    # the memory-mapped indexes: the kernel shares them and drops them under memory pressure.
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child would report the
    # parent's peak (this bench holds gigabytes of synthetic vectors).
    for field, name in (("VmHWM", "peak_rss"), ("RssAnon", "rssanon"), ("RssFile", "rssfile")):
        figures[f"query_process_{name}_mb"] = proc_mb(field)
    figures["fts5_top200_p50_ms"], figures["fts5_top200_p99_ms"] = latency(
        lambda q: offline.fts_ids(store, q, 200), queries
    )
    old_top = {}

    def old(q):
        # The old path: FTS5 (as if no bm25s index existed) and the vector index read from disk
        # for each query.
        offline._LOADED.clear()
        old_top[q] = [p.id for p in offline.retrieve_stored(store, embedder, q, 200)[:10]]

    with_bm25s, offline.lexical_index = offline.lexical_index, lambda root: None
    figures["fused_old_k200_p50_ms"], figures["fused_old_k200_p99_ms"] = latency(old, queries)
    offline.lexical_index = with_bm25s
    figures["fused_top10_overlap_new_vs_old"] = round(
        sum(len(set(new_top[q]) & set(old_top[q])) for q in queries) / (10 * len(queries)), 3
    )
    figures["old_and_new_process_peak_rss_mb"] = proc_mb("VmHWM")
    return figures


def search_figures(cache: Path, n_queries: int) -> dict:
    run = subprocess.run(
        [sys.executable, __file__, "--query-child", str(cache), "--queries", str(n_queries)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode:
        raise SystemExit(run.stderr)
    return json.loads(run.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=576_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--embed-sample", type=int, default=200, help="papers MiniLM embeds for its rate")
    parser.add_argument("--fast-sample", type=int, default=20_000, help="papers the static model embeds")
    parser.add_argument("--no-embed-fast", action="store_true", help="skip the real `scout index embed --fast`")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scout-bench-index"))
    parser.add_argument("--query-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.query_child:
        print(json.dumps(query_child(args.query_child, args.queries)))
        return
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
    figures.update(lexical_build(store, cache))
    figures.update(search_figures(cache, args.queries))
    print(json.dumps(figures), file=sys.stderr)
    figures.update(embedding_rates(store, args.embed_sample, args.fast_sample))
    if not args.no_embed_fast:
        figures.update(time_embed_fast(cache))
    figures["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    figures["bench_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
