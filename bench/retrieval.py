"""Ranking quality on real relevance judgements: every ranker in scout.search.rank.RANKERS re-ranks the same
judged candidate pools, and the table reports nDCG@10, MAP and recall@20 (computed by ranx).

    pip install -e '.[bench]'                      # ranx
    python bench/retrieval.py                      # all rankers, bundled MiniLM
    python bench/retrieval.py --ranker hybrid --model BAAI/bge-small-en-v1.5

Data (read in place from ../shared/fixtures/real/retrieval_benchmarks/):
- CSFCube: 33 query facets; query = title + the abstract sentences of the facet, candidates graded 0-3.
- SciRepEval search sample: 67 real search queries, 10 candidates each, click relevance 0-2.
Candidates are title + abstract, exactly as `scout search` embeds papers. Embeddings are cached in
bench/results/embeddings.db, so only the first run with a model pays for encoding.
Writes bench/results/retrieval.md and retrieval.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import ir_metrics
from scout.config import DEFAULT_MODEL
from scout.models import Paper
from scout.search import rank
from scout.search.embed import embed_texts, load_embedder
from scout.store import Store

# ../shared beside the checkout; SCOUT_SHARED names it for a checkout elsewhere (a git worktree).
SHARED = Path(os.environ.get("SCOUT_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "fixtures" / "real" / "retrieval_benchmarks"
RESULTS = ROOT / "bench" / "results"
METRICS = ("ndcg@10", "map", "recall@20")


@dataclass(frozen=True)
class Query:
    id: str
    text: str  # what the user types: a title or a search query
    about: str | None  # the longer description: CSFCube's facet sentences
    docs: tuple[str, ...]  # candidate title + abstract
    gains: tuple[int, ...]  # graded relevance of each candidate
    min_relevant: int  # the grade from which a candidate counts as relevant for MAP and recall


def load_csfcube(root: Path = DATA / "csfcube") -> list[Query]:
    queries = []
    with open(root / "csfcube_queries_candidates_qrels.jsonl") as lines:
        for line in lines:
            record = json.loads(line)
            facet = [s["sentence"] for s in record["query"]["abstract_sentences"] if s["label"] == record["facet"]]
            candidates = record["candidates"]
            queries.append(
                Query(
                    id=record["query_id"],
                    text=record["query"]["title"],
                    about=" ".join(facet) or None,
                    docs=tuple(Paper(title=c["title"], abstract=c["abstract"]).embedding_text() for c in candidates),
                    gains=tuple(int(c["relevance_adju"]) for c in candidates),
                    # CSFCube's own evaluation counts grades 2 and 3 as relevant.
                    min_relevant=2,
                )
            )
    return queries


def csfcube_dev_ids(root: Path = DATA / "csfcube") -> set[str]:
    """The official fold-1 dev facets (fold 2's test): the only ones a weight is tuned on."""
    splits = json.loads((root / "evaluation_splits.json").read_text())
    return set(splits["all"]["fold1_dev"])


def load_scirepeval(root: Path = DATA / "scirepeval_search_sample") -> list[Query]:
    queries = []
    for path in sorted(root.glob("search_small*.jsonl")):
        for n, line in enumerate(path.read_text().splitlines()):
            record = json.loads(line)
            candidates = record["candidates"]
            queries.append(
                Query(
                    id=f"{path.stem}:{n}",
                    text=record["query"],
                    about=None,
                    docs=tuple(
                        Paper(title=c["title"] or "", abstract=c.get("abstract")).embedding_text() for c in candidates
                    ),
                    gains=tuple(int(c["score"]) for c in candidates),
                    min_relevant=1,
                )
            )
    return queries


LOADERS = {"csfcube": load_csfcube, "scirepeval": load_scirepeval}
LABELS = {"csfcube": "CSFCube", "scirepeval": "SciRepEval"}


# -- metrics ----------------------------------------------------------------------------------


def ranx_names(min_relevant: int) -> dict[str, str]:
    """Each reported metric as ranx names it: nDCG with 2^grade - 1 gains and a log2 discount (Burges),
    the ideal ordering taken from all judged candidates; MAP and recall count grades from min_relevant."""
    return {"ndcg@10": "ndcg_burges@10", "map": f"map-l{min_relevant}", "recall@20": f"recall@20-l{min_relevant}"}


def tie_blind_order(query_id: str, scores: np.ndarray) -> np.ndarray:
    """The pool's indices best-first, tied scores in a fixed random order. The pools are stored
    best-judged first, so keeping their order on ties (as scout's stable sort would) hands the
    rankers the judgements: BM25's zero scores and RRF's equal ranks would look better than they are."""
    shuffled = np.random.default_rng(zlib.crc32(query_id.encode())).permutation(len(scores))
    return shuffled[np.argsort(-scores[shuffled], kind="stable")]


def mean_metrics(queries: list[Query], scores: list[np.ndarray]) -> dict[str, float]:
    """Each metric's mean over the queries, each query's pool ranked by its scores."""
    (min_relevant,) = {q.min_relevant for q in queries}  # one threshold per dataset
    names = ranx_names(min_relevant)
    gains = {q.id: {str(i): g for i, g in enumerate(q.gains)} for q in queries}
    rankings = {q.id: [str(i) for i in tie_blind_order(q.id, s)] for q, s in zip(queries, scores)}
    values = ir_metrics.per_query(gains, rankings, list(names.values()))
    return {ours: float(np.mean(list(values[theirs].values()))) for ours, theirs in names.items()}


# -- running ------------------------------------------------------------------------------------


def signals(queries: list[Query], embedder, store: Store) -> list[rank.Signals]:
    texts = sorted(
        {t for q in queries for t in (rank.task_text(q.text, q.about), *rank.sentences_of(q.text, q.about), *q.docs)}
    )
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(
            f"  encoded {done}/{total} texts with {embedder.name} ({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
        )

    embed_texts(texts, embedder, store, progress=progress)  # fills the cache in one pass
    return [rank.signals_for(q.text, q.about, list(q.docs), embedder, store) for q in queries]


def score_rankers(names: list[str], queries: list[Query], sigs: list[rank.Signals]) -> dict[str, dict[str, float]]:
    return {name: mean_metrics(queries, [np.asarray(rank.get_ranker(name)(s)) for s in sigs]) for name in names}


def tune_weight(queries: list[Query], sigs: list[rank.Signals], dev: set[str]) -> str:
    """nDCG@10 of the weighted fusion for each weight, on the dev facets only."""
    lines = ["| dense weight | CSFCube dev nDCG@10 |", "|---|---|"]
    dev_queries = [q for q in queries if q.id in dev]
    dev_sigs = [s for q, s in zip(queries, sigs) if q.id in dev]
    for weight in np.round(np.arange(0, 1.01, 0.1), 2):
        fused = [rank.weighted_fusion(s.similarity, s.lexical, weight) for s in dev_sigs]
        lines.append(f"| {weight:.1f} | {mean_metrics(dev_queries, fused)['ndcg@10']:.3f} |")
    return "\n".join(lines) + "\n"


def markdown(rows: list[dict], meta: dict) -> str:
    names = list(meta["queries"])
    head = (
        "| ranker | model | " + " | ".join(f"{LABELS[d]} {m}" for d in names for m in ("nDCG@10", "MAP", "R@20")) + " |"
    )
    lines = [head, "|" + "---|" * (2 + 3 * len(names))]
    for row in rows:
        cells = [f"{row[d][m]:.3f}" for d in names for m in METRICS]
        lines.append(f"| {row['ranker']} | {row['model']} | " + " | ".join(cells) + " |")
    counts = ", ".join(f"{n} {LABELS[d]} queries" for d, n in meta["queries"].items())
    return (
        f"# Retrieval benchmark\n\n{meta['machine']}; {meta['seconds']:.0f} s ({counts})\n\n" + "\n".join(lines) + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ranker", action="append", choices=list(rank.RANKERS), help="ranker to measure (repeatable; default: all)"
    )
    parser.add_argument("--model", action="append", help=f"embedding model (repeatable; default {DEFAULT_MODEL})")
    parser.add_argument(
        "--dataset", action="append", choices=list(LOADERS), help="dataset to run (repeatable; default: both)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--tune", action="store_true", help="also print the hybrid weight sweep on CSFCube's fold-1 dev facets"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    names = args.ranker or list(rank.RANKERS)
    datasets = {d: LOADERS[d]() for d in args.dataset or LOADERS}
    args.out.mkdir(parents=True, exist_ok=True)
    store = Store(args.out / "embeddings.db")
    rows = []
    for model in args.model or [DEFAULT_MODEL]:
        embedder = load_embedder(model, ROOT / "cache")
        sigs = {d: signals(qs, embedder, store) for d, qs in datasets.items()}
        scored = {d: score_rankers(names, datasets[d], sigs[d]) for d in datasets}
        rows += [{"ranker": n, "model": embedder.name, **{d: scored[d][n] for d in datasets}} for n in names]
        if args.tune and "csfcube" in datasets:
            print(
                f"hybrid weight sweep ({embedder.name}):\n"
                + tune_weight(datasets["csfcube"], sigs["csfcube"], csfcube_dev_ids())
            )
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "seconds": time.perf_counter() - started,
        "queries": {d: len(qs) for d, qs in datasets.items()},
    }
    text = markdown(rows, meta)
    (args.out / "retrieval.md").write_text(text)
    (args.out / "retrieval.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
