"""A new offline query as a CPU user meets it: whole `scout search --offline --json` processes over an
archive embedded with `--fast` only, today's code and (`--before REV`) the code at REV alternated
query by query, so both see the same load (run by hand; not part of the tests).

    python bench/offline.py csfcube [--searches 33] [--before REV]   # 2,798 papers
    python bench/offline.py 576k [--searches 5] [--before REV]       # 576,000 synthetic papers

csfcube: the store bench/archive_retrieval.py built in --workdir (default /tmp/scout-bench-csfcube),
copied once per code without its MiniLM index and vectors; the queries are CSFCube's (title and
facet), each new to both copies. 576k: bench/fused.py's archive in --workdir (default
/tmp/scout-bench-fused), shared by both codes; queries of words no earlier query used. Each code
searches once untimed first (a user's first search exports and quantizes the model once).
Prints the median and max wall and CPU seconds per code, with the load average."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.archive_retrieval import corpus_and_queries, without_minilm_vectors  # noqa: E402
from bench.fused import new_queries  # noqa: E402
from bench.search import checkout, scout_at, timed  # noqa: E402


def search(tree: Path | None, cache: Path, shared: Path | None, args: list[str]) -> tuple[float, float]:
    env = {**os.environ, "SCOUT_CACHE_DIR": str(cache), "SCOUT_OFFLINE": "1"}
    if shared is not None:
        env["SCOUT_SHARED_CACHE_DIR"] = str(shared)
    run = timed([*scout_at(tree), "search", *args, "--offline", "--json"], env, cache.parent)
    return run.wall, run.cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", choices=["csfcube", "576k"])
    parser.add_argument("--searches", type=int, default=None, help="timed queries per code (33 / 5)")
    parser.add_argument("--before", metavar="REV", help="also time scout at this git revision, alternated")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="scout-bench-offline-"))
    try:
        run(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def run(args: argparse.Namespace, scratch: Path) -> None:
    codes: dict[str, Path | None] = {"today": None}
    if args.before:
        codes[args.before] = checkout(args.before, scratch)
    searches = args.searches or (33 if args.archive == "csfcube" else 5)
    if args.archive == "csfcube":
        source = (args.workdir or Path("/tmp/scout-bench-csfcube")) / "cache"
        stores = {name: without_minilm_vectors(source, scratch / f"cache-{i}") for i, name in enumerate(codes)}
        shared = dict(stores)  # as bench/archive_retrieval.py: the models live in the store's folder
        _, queries = corpus_and_queries()
        asks = [["--limit", "20", q["text"], "--about", q["about"]] for q in queries[:searches]]
        warm = [["warm up the models"]] * len(codes)
    else:
        cache = (args.workdir or Path("/tmp/scout-bench-fused")) / "cache-576000"
        stores = dict.fromkeys(codes, cache)
        shared = dict.fromkeys(codes)  # the user's own shared cache, as bench/fused.py
        words = [[q] for q in new_queries(len(codes) * (searches + 1), time.time_ns() % 2**31)]
        warm, asks = words[: len(codes)], words[len(codes) :]
    for (name, tree), ask in zip(codes.items(), warm):
        search(tree, stores[name], shared[name], ask)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in codes}
    loads = [os.getloadavg()[0]]
    for i in range(searches):
        for j, (name, tree) in enumerate(codes.items()):
            # CSFCube: the same query for each code (each store meets it new); 576k: a new one each.
            ask = asks[i] if args.archive == "csfcube" else asks[i * len(codes) + j]
            times[name].append(search(tree, stores[name], shared[name], ask))
            loads.append(os.getloadavg()[0])
    print(f"# {args.archive}, `--fast` vectors only, new queries; load {min(loads):.1f}-{max(loads):.1f}\n")
    print("| code | searches | wall median / max s | CPU median / max s |")
    print("|---|---|---|---|")
    for name, rows in times.items():
        wall, cpu = [r[0] for r in rows], [r[1] for r in rows]
        print(
            f"| {name} | {len(rows)} | {statistics.median(wall):.2f} / {max(wall):.2f} "
            f"| {statistics.median(cpu):.2f} / {max(cpu):.2f} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
