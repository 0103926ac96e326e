"""Whole-corpus offline retrieval on CSFCube, through the real CLI (run by hand; not part of the tests).

    pip install -e '.[bench]'    # ranx, which computes the metrics
    python bench/archive_retrieval.py [--workdir /tmp/scout-bench-csfcube]

bench/retrieval.py re-ranks each query's judged pool; this bench instead searches all 2,798 CSFCube
candidates at once, as `scout search --offline` searches an imported archive:
1. writes them as a papers-with-abstracts.json (the Papers with Code dump shape) and imports it
   with `scout index import`;
2. `scout index embed` (MiniLM) and `scout index embed --fast` (the static model) build the vector
   indexes and the BM25 index;
3. runs `scout search --offline --json --limit 20 TITLE --about FACET` for each of the 33 queries in
   four setups: MiniLM with FTS5 (no bm25s index: the old path), MiniLM with bm25s (the new path),
   the fast first pass only (`--model all-MiniLM-L6-v2-static`), and the fast first pass with
   MiniLM ranking its candidates (only the static vector index present).
nDCG@10 counts every unjudged paper as not relevant; R@20 counts grades 2-3 as CSFCube does.
MiniLM vectors of the candidates are copied from bench/results/embeddings.db when bench/retrieval.py
has filled it, so only missing ones are encoded. Prints a markdown table and writes
bench/results/archive_retrieval.json."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import ir_metrics
from bench.retrieval import DATA, RESULTS, csfcube_dev_ids
from scout.config import DEFAULT_MODEL
from scout.search.static import FAST_MODEL, static_model_dir
from scout.store.lexical import lexical_dir
from scout.store.vectors import index_dir

MODELS = ROOT / "cache"  # the ONNX graph and the distilled model, shared with the other benches


def corpus_and_queries(root: Path = DATA / "csfcube") -> tuple[dict[str, dict], list[dict]]:
    corpus: dict[str, dict] = {}
    queries = []
    with open(root / "csfcube_queries_candidates_qrels.jsonl") as lines:
        for line in lines:
            record = json.loads(line)
            for c in record["candidates"]:
                corpus[c["paper_id"]] = c
            facet = [s["sentence"] for s in record["query"]["abstract_sentences"] if s["label"] == record["facet"]]
            queries.append(
                {
                    "id": record["query_id"],
                    "text": record["query"]["title"],
                    "about": " ".join(facet),
                    "gains": {c["paper_id"]: int(c["relevance_adju"]) for c in record["candidates"]},
                }
            )
    return corpus, queries


def write_dump(corpus: dict[str, dict], path: Path) -> None:
    records = [
        {
            "paper_url": f"https://paperswithcode.com/paper/csfcube-{pid}",
            "arxiv_id": None,
            "title": c["title"],
            "abstract": c["abstract"],
            "url_abs": f"https://csfcube.invalid/{pid}",
            "authors": [],
            "date": f"{c['year']}-01-01" if str(c.get("year") or "").isdigit() else None,
        }
        for pid, c in corpus.items()
    ]
    with gzip.open(path, "wt") as out:
        json.dump(records, out)


def scout(args: list[str], cache: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "SCOUT_CACHE_DIR": str(cache), "SCOUT_SHARED_CACHE_DIR": str(cache), "SCOUT_OFFLINE": "1"}
    run = subprocess.run(
        [sys.executable, "-c", "from scout.cli import main; main()", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode:
        raise SystemExit(f"scout {' '.join(args[:3])}: {run.stderr.strip().splitlines()[-1:]}")
    return run


def seed_minilm_vectors(cache: Path) -> int:
    """Copy the candidates' MiniLM vectors bench/retrieval.py already has (same text hashes)."""
    source = RESULTS / "embeddings.db"
    if not source.is_file():
        return 0
    scout(["index", "info"], cache)  # creates the store with its schema
    db = sqlite3.connect(cache / "scout.db")
    db.execute("ATTACH DATABASE ? AS bench", (str(source),))
    before = db.total_changes
    db.execute(
        "INSERT OR IGNORE INTO embeddings SELECT * FROM bench.embeddings WHERE model = ?",
        (DEFAULT_MODEL,),
    )
    db.commit()
    copied = db.total_changes - before
    db.close()
    return copied


# nDCG with linear gains (Järvelin's, ranx's "ndcg"), unlike bench/retrieval.py's 2^grade - 1; recall
# counts grades 2-3 as relevant, as CSFCube does.
NDCG, RECALL = "ndcg@10", "recall@20-l2"


def run_setup(name: str, cache: Path, queries: list[dict], model: str | None, cwd: Path = ROOT) -> dict:
    rankings = {}
    seconds, cpu = [], []
    for q in queries:
        args = ["search", q["text"], "--about", q["about"], "--offline", "--json", "--limit", "20"]
        started = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = json.loads(scout([*args, *(["--model", model] if model else [])], cache, cwd).stdout)
        seconds.append(time.monotonic() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        rankings[q["id"]] = [r["url"].rsplit("/", 1)[-1] for r in out["results"] if r["url"]]
    values = ir_metrics.per_query({q["id"]: q["gains"] for q in queries}, rankings, [NDCG, RECALL])
    ndcg, recall = values[NDCG], values[RECALL]
    dev = csfcube_dev_ids()
    return {
        "setup": name,
        "ndcg@10": round(float(np.mean(list(ndcg.values()))), 3),
        "recall@20": round(float(np.mean(list(recall.values()))), 3),
        "ndcg@10_not_dev": round(float(np.mean([v for q, v in ndcg.items() if q not in dev])), 3),
        "cli_seconds_median": round(float(np.median(seconds)), 2),
        "cli_seconds_max": round(float(np.max(seconds)), 2),
        "cli_cpu_seconds_median": round(float(np.median(cpu)), 2),
        "cli_cpu_seconds_max": round(float(np.max(cpu)), 2),
    }


def project_with(workdir: Path, rescore_top: int) -> Path:
    """A folder whose pyproject.toml sets `rescore_top`, to run scout in."""
    folder = workdir / f"rescore-{rescore_top}"
    folder.mkdir(exist_ok=True)
    (folder / "pyproject.toml").write_text(f"[tool.scout]\nrescore_top = {rescore_top}\n")
    return folder


def without_minilm_vectors(cache: Path, target: Path) -> Path:
    """A copy of the store as a CPU user has it after `scout index embed --fast` alone: no MiniLM
    vector index and no vectors but the static model's (neither MiniLM's nor its int8 version's,
    which earlier setups cached), so every query pays for what it encodes."""
    shutil.copytree(cache, target, ignore=shutil.ignore_patterns(index_dir(cache, DEFAULT_MODEL).name))
    db = sqlite3.connect(target / "scout.db")
    db.execute("DELETE FROM embeddings WHERE model != ?", (FAST_MODEL,))
    db.commit()
    db.execute("VACUUM")
    db.close()
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scout-bench-csfcube"))
    parser.add_argument(
        "--reuse", action="store_true", help="keep the workdir's imported and embedded store from an earlier run"
    )
    parser.add_argument(
        "--rescore-top",
        type=int,
        nargs="+",
        help="with only --fast vectors: how many top candidates MiniLM re-scores (1000: all; default 1000 50 30 20)",
    )
    args = parser.parse_args()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    corpus, queries = corpus_and_queries()
    cache = args.workdir / "cache"
    timings: dict = {}
    copied = 0
    if not (args.reuse and (lexical_dir(cache) / "meta.json").is_file()):
        shutil.rmtree(args.workdir, ignore_errors=True)
        args.workdir.mkdir(parents=True)
        dump = args.workdir / "papers-with-abstracts.json.gz"
        write_dump(corpus, dump)
        scout(["index", "import", str(dump)], cache)
        copied = seed_minilm_vectors(cache)
        if static_model_dir(MODELS).is_dir():
            shutil.copytree(static_model_dir(MODELS), static_model_dir(cache))
        graph = next((MODELS / "models").glob(f"{DEFAULT_MODEL}-*.onnx"), None)
        if graph:
            shutil.copy(graph, cache / "models" / graph.name)
        for label, extra in (("minilm", []), ("fast", ["--fast"])):
            started = time.monotonic()
            scout(["index", "embed", *extra], cache)
            timings[f"embed_{label}_s"] = round(time.monotonic() - started, 1)
    shutil.rmtree(args.workdir / "cpu-cache", ignore_errors=True)
    minilm_index, fast_index = index_dir(cache, DEFAULT_MODEL), index_dir(cache, FAST_MODEL)
    bm25 = lexical_dir(cache)
    rows = [run_setup("MiniLM, BM25 from bm25s (new)", cache, queries, None)]
    bm25.rename(bm25.with_name("bm25s.off"))
    rows.append(run_setup("MiniLM, BM25 from FTS5 (old)", cache, queries, None))
    bm25.with_name("bm25s.off").rename(bm25)
    rows.append(run_setup("fast static model only", cache, queries, FAST_MODEL))
    minilm_index.rename(minilm_index.with_name("minilm.off"))
    for n in args.rescore_top or [1000, 50, 30, 20]:
        label = "MiniLM ranking all candidates" if n >= 1000 else f"MiniLM re-scores the top {n}"
        rows.append(run_setup(f"fast first pass, {label}", cache, queries, None, project_with(args.workdir, n)))
    minilm_index.with_name("minilm.off").rename(minilm_index)
    # Timing as a CPU user meets it: only --fast vectors, each query new (the candidates it
    # re-scores are encoded then, and cached for the next query).
    cpu = without_minilm_vectors(cache, args.workdir / "cpu-cache")
    rows.append(run_setup("`--fast` only, new queries, default settings (timing)", cpu, queries, None, args.workdir))
    assert fast_index.is_dir()
    meta = {
        "papers": len(corpus),
        "queries": len(queries),
        "minilm_vectors_copied": copied,
        **timings,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "load_average_start": load_at_start,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "archive_retrieval.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(json.dumps(meta))
    print("| setup | nDCG@10 | R@20 | nDCG@10 (not dev facets) | CLI s/query, median / max (CPU) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['setup']} | {r['ndcg@10']} | {r['recall@20']} | {r['ndcg@10_not_dev']} "
            f"| {r['cli_seconds_median']} / {r['cli_seconds_max']} "
            f"(CPU {r['cli_cpu_seconds_median']} / {r['cli_cpu_seconds_max']}) |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
