"""Ranking metrics of the retrieval benches, computed by ranx (an optional extra: only the benches use it)."""

from __future__ import annotations

try:
    from ranx import Qrels, Run, evaluate
except ImportError:
    raise SystemExit("the retrieval benches need ranx: pip install -e '.[bench]'") from None


def per_query(
    gains: dict[str, dict[str, int]], rankings: dict[str, list[str]], metrics: list[str]
) -> dict[str, dict[str, float]]:
    """metric -> query id -> value, for ranx metric names ("ndcg_burges@10", "recall@20-l2": relevant
    from grade 2). gains: each query's judged documents and grades; rankings: each query's ids, best
    first. Ids absent from gains count as not relevant."""
    if not any(rankings.values()):  # ranx cannot build a run that holds no id at all
        return {m: dict.fromkeys(rankings, 0.0) for m in metrics}
    # Scores by position, so that ranx keeps exactly this order: it re-sorts a run by score, and its
    # sort of tied scores is not stable.
    run = Run({q: {doc: float(len(ids) - i) for i, doc in enumerate(ids)} for q, ids in rankings.items()})
    evaluate(Qrels(gains), run, metrics)
    return {m: {q: float(v) for q, v in run.scores[m].items()} for m in metrics}
