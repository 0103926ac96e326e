"""The offline query at archive scale, as a CPU user runs it (run by hand; not part of the tests).

    python bench/fused.py [--papers 576000] [--queries 100] [--searches 10] [--hogs 2]

1. Builds, once (kept in --workdir), the archive a CPU user has: bench/index.py's synthetic
   papers-with-abstracts dump imported with `scout index import`, then `scout index embed --fast`
   (the static model's vectors, the HNSW graph and the bm25s index; no MiniLM vectors).
2. In a child process, the fused query `retrieve_stored` (k = 200) with the real embedder of that
   archive (the static model, loaded as `scout search --offline` loads it), each query made of
   words no earlier query used, with the store's pages dropped from the page cache before each
   (posix_fadvise), so the ids it fetches come from disk: p50 / p99, and the process's VmHWM
   (anonymous and file-backed parts). Once on the machine as it is, once beside `--hogs` busy
   processes.
3. `--searches` whole `scout search --offline --json` processes with new queries over the same
   archive: median and max wall time (int8 MiniLM re-scores the static model's top candidates, and
   loads for that).
Prints a markdown table, with the load average before each figure."""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.index import WORDS, proc_mb, synthetic_dump, time_embed_fast, time_import  # noqa: E402


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def new_queries(n: int, seed: int) -> list[str]:
    """Queries of 2-5 words that no query of this run shares: one of the 1,000 most common words of
    the synthetic vocabulary (their posting lists are long: the slow side of BM25), the rest drawn
    from all the others (mostly rare)."""
    rng = random.Random(seed)
    common, rest = list(range(1000)), list(range(1000, WORDS))
    rng.shuffle(common)
    rng.shuffle(rest)
    out = []
    for i in range(n):
        size = 1 + i % 4
        words, rest = [common[i % len(common)], *rest[:size]], rest[size:]
        out.append(" ".join(f"w{w}" for w in words))
    return out


def drop_from_page_cache(path: Path) -> None:
    for name in (path, path.with_name(path.name + "-wal")):
        try:
            fd = os.open(name, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def query_child(cache: Path, n: int, seed: int) -> dict:
    """p50/p99 of the fused query on new words, and this process's memory, as JSON."""
    from scout.config import DEFAULT_MODEL
    from scout.search.embed import load_embedder
    from scout.search.offline import retrieve_stored
    from scout.store import Store

    store = Store(cache / "scout.db")
    embedder = load_embedder(DEFAULT_MODEL, cache)  # as the CLI: its first pass is the static model
    queries = new_queries(n + 1, seed)
    retrieve_stored(store, embedder, queries.pop(), 200)  # loads the indexes and the static model once
    times = []
    for q in queries:
        drop_from_page_cache(cache / "scout.db")
        started = time.perf_counter()
        found = retrieve_stored(store, embedder, q, 200)
        times.append((time.perf_counter() - started) * 1000)
        assert found, q
    return {
        "p50_ms": round(float(statistics.median(times)), 1),
        "p99_ms": round(float(sorted(times)[max(0, round(0.99 * len(times)) - 1)]), 1),
        "vmhwm_mb": proc_mb("VmHWM"),
        "rss_anon_mb": proc_mb("RssAnon"),
        "rss_file_mb": proc_mb("RssFile"),
    }


def run_child(cache: Path, n: int, seed: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--query-child", str(cache), "--queries", str(n), "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def hogs(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def whole_searches(cache: Path, n: int, seed: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each whole search process (CPU: the steadier figure on a busy machine)."""
    env = {**os.environ, "SCOUT_CACHE_DIR": str(cache), "SCOUT_OFFLINE": "1"}
    seconds, cpu = [], []
    # The first one exports the ONNX graph once (a user pays that once, not per query): untimed.
    for i, q in enumerate(new_queries(n + 1, seed)):
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-c", "from scout.cli import main; main()", "search", q, "--offline", "--json"],
            env=env,
            cwd=cache.parent,
            capture_output=True,
            check=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i:
            seconds.append(time.perf_counter() - started)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return seconds, cpu


def build(workdir: Path, papers: int) -> Path:
    from scout.search.static import FAST_MODEL
    from scout.store.vectors import index_dir

    workdir.mkdir(parents=True, exist_ok=True)
    dump = workdir / f"papers-with-abstracts-{papers}.json.gz"
    if not dump.is_file():
        synthetic_dump(dump, papers)
    cache = workdir / f"cache-{papers}"
    if not (cache / "scout.db").is_file():
        print(json.dumps(time_import(dump, cache)), file=sys.stderr)
    if not (index_dir(cache, FAST_MODEL) / "meta.json").is_file():
        print(json.dumps(time_embed_fast(cache)), file=sys.stderr)
    return cache


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=576_000)
    parser.add_argument("--queries", type=int, default=100, help="fused queries per figure")
    parser.add_argument("--searches", type=int, default=10, help="whole `scout search --offline` processes")
    parser.add_argument("--hogs", type=int, default=2, help="busy processes beside the second figure")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scout-bench-fused"))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--query-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else time.time_ns() % 2**31
    if args.query_child:
        print(json.dumps(query_child(args.query_child, args.queries, seed)))
        return 0
    cache = build(args.workdir, args.papers)
    rows = []
    before = load()
    quiet = run_child(cache, args.queries, seed)
    rows.append(("fused query, new words, ids off the page cache", before, quiet))
    busy = hogs(args.hogs)
    try:
        time.sleep(5)  # let the load average see them
        before = load()
        hogged = run_child(cache, args.queries, seed + 1)
    finally:
        for proc in busy:
            proc.kill()
            proc.wait()
    rows.append((f"the same beside {args.hogs} busy processes", before, hogged))
    before = load()
    seconds, cpu = whole_searches(cache, args.searches, seed + 2) if args.searches > 0 else ([], [])
    print(f"# {args.papers:,} papers, `--fast` vectors only; {args.queries} queries per figure\n")
    print("| figure | load before | p50 / p99 ms | VmHWM (anon + file) MB |")
    print("|---|---|---|---|")
    for label, at, r in rows:
        print(
            f"| {label} | {at} | {r['p50_ms']} / {r['p99_ms']} | {r['vmhwm_mb']} "
            f"({r['rss_anon_mb']} + {r['rss_file_mb']} at the end) |"
        )
    if seconds:  # --searches 0 times the fused query alone
        print(
            f"\n`scout search --offline --json`, {args.searches} new queries as whole processes (load {before}): "
            f"median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s "
            f"(CPU median {statistics.median(cpu):.2f} s, max {max(cpu):.2f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
