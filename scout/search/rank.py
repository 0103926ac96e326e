"""Rank papers against a task description: relevance (dense, lexical or fused), then the strength
of the paper as a starting point (official code, stars, recent activity, reported results).

Every ranker in RANKERS maps the same per-paper signals to one relevance score, so the benchmark
(bench/retrieval.py) and `scout search` measure and use exactly the same code."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import numpy as np

from scout import clock
from scout.errors import UsageError
from scout.models import Paper, RankedPaper
from scout.search.embed import embed_texts
from scout.search.rerank import DEFAULT_RERANK_TOP, Reranker
from scout.store.vectors import cosine_scores

SORTS = ("relevance", "strength", "date")

# The final score is relevance plus this much of the strength (0..1). The fused rankers scale
# relevance to 0..1 within the pool, so strength moves a paper by at most a tenth of that range:
# it decides between papers about equally relevant, not between relevant and off-topic ones.
STRENGTH_WEIGHT = 0.1

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# Tuned on CSFCube's official fold-1 dev facets only (bench/retrieval.py --tune); see README.
HYBRID_WEIGHT = 0.7  # share of the dense score in the fused score; BM25 has the rest
RRF_K = 60  # the constant of Cormack et al. (2009)
PRF_TOP = 10  # pseudo-relevance feedback: the fused top this many ...
PRF_ALPHA = 0.5  # ... are averaged into the query vector with this weight


@dataclass(frozen=True)
class Signals:
    """Per-paper relevance evidence for one task description, aligned with the papers' order."""

    query: np.ndarray  # unit vector of the whole task description
    docs: np.ndarray  # (n, d) unit vectors of title + abstract
    similarity: np.ndarray  # cosine of query and each doc
    lexical: np.ndarray  # BM25 over the pool, divided by the pool's best score: 0..1
    sentences: np.ndarray  # (n, s) cosine of each doc with each sentence of the description


def minmax(values: np.ndarray) -> np.ndarray:
    """Scale to 0..1 within the pool; a pool whose scores are all equal scores 1 throughout."""
    values = np.asarray(values, dtype=np.float64)
    if not len(values):
        return values
    low, span = values.min(), values.max() - values.min()
    return (values - low) / span if span > 1e-12 else np.ones_like(values)


def weighted_fusion(dense: np.ndarray, lexical: np.ndarray, weight: float = HYBRID_WEIGHT) -> np.ndarray:
    """weight x minmax(dense) + (1 - weight) x minmax(lexical)."""
    return weight * minmax(dense) + (1 - weight) * minmax(lexical)


# Not ranx.fuse: it would load and compile numba in every search for this one line, and its sort of
# tied scores is not stable, where the ranks here keep the pool's order.
def _rrf(rank, k: int = RRF_K):
    """The reciprocal-rank share of one list, rank 1 being its best: robust to lists whose scores
    live on different scales."""
    return 1.0 / (k + rank)


def reciprocal_rank_fusion(*scores: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """Sum over the score lists (aligned over one pool) of 1 / (k + rank)."""
    total = np.zeros(len(scores[0]), dtype=np.float64)
    for values in scores:
        ranks = np.empty(len(values), dtype=np.int64)
        ranks[np.argsort(-np.asarray(values), kind="stable")] = np.arange(1, len(values) + 1)
        total += _rrf(ranks, k)
    return total


def fuse_rankings(rankings: list[list[str]], k: int) -> list[str]:
    """The top k ids of several best-first id lists (of different pools), fused the same way."""
    score: dict[str, float] = {}
    for ranking in rankings:
        for position, pid in enumerate(ranking):
            score[pid] = score.get(pid, 0.0) + _rrf(position + 1)
    return sorted(score, key=lambda pid: (-score[pid], pid))[:k]


def _hybrid(signals: Signals) -> np.ndarray:
    return weighted_fusion(signals.similarity, signals.lexical)


def _hybrid_prf(signals: Signals) -> np.ndarray:
    """Hybrid, then once more with the query vector moved towards its own top results (Rocchio)."""
    top = np.argsort(-_hybrid(signals), kind="stable")[:PRF_TOP]
    if not len(top):
        return _hybrid(signals)
    query = signals.query + PRF_ALPHA * signals.docs[top].mean(axis=0)
    return weighted_fusion(cosine_scores(query, signals.docs), signals.lexical)


def _dense_maxsim(signals: Signals) -> np.ndarray:
    """The whole description plus its best-matching single sentence (query understanding)."""
    best = signals.sentences.max(axis=1) if signals.sentences.shape[1] else signals.similarity
    return signals.similarity + best


RANKERS: dict[str, Callable[[Signals], np.ndarray]] = {
    "bm25": lambda signals: signals.lexical,
    "dense": lambda signals: signals.similarity,
    "dense-maxsim": _dense_maxsim,
    "rrf": lambda signals: reciprocal_rank_fusion(signals.similarity, signals.lexical),
    "hybrid": _hybrid,
    "hybrid-prf": _hybrid_prf,
}
DEFAULT_RANKER = "hybrid-prf"


def task_text(query_text: str, about: str | None) -> str:
    return f"{query_text}\n{about}" if about and about.strip() else query_text


def sentences_of(query_text: str, about: str | None) -> list[str]:
    """The query and each sentence of a description of two sentences or more (else none)."""
    parts = [p.strip() for p in _SENTENCE_END.split(about or "") if p.strip()]
    return [query_text, *parts] if len(parts) > 1 else []


def lexical_scores(query: str, texts: list[str]) -> np.ndarray:
    """BM25 of the query against each text, with the pool itself as the corpus, scaled to 0..1."""
    from scout.store.lexical import pool_scores

    scores = pool_scores(query, texts)
    best = float(scores.max()) if len(scores) else 0.0
    return (scores / best if best > 0 else np.zeros(len(texts))).astype(np.float32)


def signals_for(
    query_text: str, about: str | None, texts: list[str], embedder, store, lexical: np.ndarray | None = None
) -> Signals:
    """`lexical`, when given, is the texts' BM25 scored within a larger pool they were taken from."""
    task = task_text(query_text, about)
    sentences = sentences_of(query_text, about)
    vectors = embed_texts([task, *sentences, *texts], embedder, store)
    query, sentence_vectors, docs = vectors[0], vectors[1 : 1 + len(sentences)], vectors[1 + len(sentences) :]
    return Signals(
        query=query,
        docs=docs,
        similarity=cosine_scores(query, docs),
        lexical=lexical_scores(task, texts) if lexical is None else lexical,
        sentences=docs @ sentence_vectors.T,
    )


def get_ranker(name: str) -> Callable[[Signals], np.ndarray]:
    if name not in RANKERS:
        raise UsageError(f"unknown ranker {name!r}; choose one of: {', '.join(RANKERS)}")
    return RANKERS[name]


# -- strength of a paper as a baseline to start from --------------------------------------------


def _years_since(iso: str, now: datetime) -> float | None:
    try:
        then = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    if then.tzinfo is None:
        then = then.replace(tzinfo=timezone.utc)
    return (now - then).days / 365.25


def strength_parts(paper: Paper, now: datetime | None = None) -> dict[str, float]:
    """Evidence that a paper is a usable baseline, each part capped, summing to at most 1.

    official code 0.3 (any code 0.15); stars up to 0.3 (log scale, 10k stars is full); a push in
    the last year 0.15 (last three years 0.075; archived repos get none); a reported benchmark
    result 0.15; citations up to 0.1 (log scale, 1k is full)."""
    now = now or clock.utc_now()
    live = [r for r in paper.repos if not r.archived]
    code = 0.3 if any(r.official for r in paper.repos) else 0.15 if paper.repos else 0.0
    stars = max((r.stars or 0 for r in paper.repos), default=0)
    ages = [a for r in live if r.pushed_at for a in [_years_since(r.pushed_at, now)] if a is not None]
    newest = min(ages, default=None)
    activity = 0.0 if newest is None else 0.15 if newest <= 1 else 0.075 if newest <= 3 else 0.0
    return {
        "code": code,
        "stars": 0.3 * min(1.0, math.log10(1 + stars) / 4),
        "activity": activity,
        "results": 0.15 if any(r.value is not None for r in paper.results) else 0.0,
        "citations": 0.1 * min(1.0, math.log10(1 + (paper.citations or 0)) / 3),
    }


def strength(paper: Paper, now: datetime | None = None) -> float:
    return round(sum(strength_parts(paper, now).values()), 4)


# -- the ranked list ---------------------------------------------------------------------------


def rank_papers(
    query_text: str,
    papers: list[Paper],
    embedder,
    store,
    *,
    about: str | None = None,
    ranker: str = DEFAULT_RANKER,
    sort: str = "relevance",
    close_threshold: float = 0.6,
    now: datetime | None = None,
    reranker: Reranker | None = None,
    rerank_top: int = DEFAULT_RERANK_TOP,
    lexical: np.ndarray | None = None,
) -> list[RankedPaper]:
    """Score = relevance (the ranker's) + STRENGTH_WEIGHT x strength, divided by the most that sum
    can reach so it lies in [0, 1] (1.1 without a re-ranker, 2.1 with). `sort` picks the order:
    relevance (by that score), strength (best baseline first) or date (newest first).

    With a `reranker`, the ranker's top `rerank_top` papers are re-scored by the cross-encoder:
    their relevance becomes 1 + its min-max scaled score, so they keep the top of the list, in the
    cross-encoder's order, and the score still never rises down the list."""
    if sort not in SORTS:
        raise UsageError(f"unknown sort {sort!r}; choose one of: {', '.join(SORTS)}")
    score_of = get_ranker(ranker)
    if not papers:
        return []
    texts = [p.embedding_text() for p in papers]
    signals = signals_for(query_text, about, texts, embedder, store, lexical)
    rel = np.asarray(score_of(signals), dtype=np.float64)
    if len(rel) and (rel.min() < 0.0 or rel.max() > 1.0):
        rel = minmax(rel)  # dense cosines reach -1, dense-maxsim 2: relevance stays in [0, 1]
    cross: dict[int, float] = {}
    if reranker is not None:
        top = [int(i) for i in np.argsort(-rel, kind="stable")[:rerank_top]]
        raw = reranker.score(task_text(query_text, about), [texts[i] for i in top])
        cross = {i: float(v) for i, v in zip(top, raw)}
        rel[top] = 1.0 + minmax(np.asarray(raw, dtype=np.float64))
    strengths = [strength(p, now) for p in papers]
    # Divided by the most it can reach, so a score is in [0, 1] whatever the ranker and re-ranker.
    most = (2.0 if cross else 1.0) + STRENGTH_WEIGHT
    scores = [(float(r) + STRENGTH_WEIGHT * s) / most for r, s in zip(rel, strengths)]
    scored = [
        RankedPaper(
            paper=papers[i],
            rank=0,
            score=round(scores[i], 4),
            similarity=round(float(signals.similarity[i]), 4),
            close=bool(signals.similarity[i] >= close_threshold),
            parts={
                "relevance": round(float(rel[i]), 4),
                "lexical": round(float(signals.lexical[i]), 4),
                "strength": strengths[i],
                **({"rerank": round(cross[i], 4)} if i in cross else {}),
            },
        )
        for i in range(len(papers))
    ]
    # The order uses the unrounded scores, as it always has: rounding would only make more ties.
    exact = {id(r): (scores[i], float(signals.similarity[i])) for i, r in enumerate(scored)}
    return ordered(scored, sort, lambda r: exact[id(r)])


def lexical_rank(
    query_text: str, papers: list[Paper], *, about: str | None = None, sort: str = "relevance", now=None
) -> list[RankedPaper]:
    """BM25 within the pool plus the strength term, no vectors: a ranking for the moment before
    any model has run (similarity is 0 and nothing is flagged close)."""
    lexical = lexical_scores(task_text(query_text, about), [p.embedding_text() for p in papers])
    scored = []
    for paper, lex in zip(papers, lexical):
        parts = {"relevance": round(float(lex), 4), "lexical": round(float(lex), 4), "strength": strength(paper, now)}
        score = (float(lex) + STRENGTH_WEIGHT * parts["strength"]) / (1.0 + STRENGTH_WEIGHT)  # in [0, 1]
        scored.append(RankedPaper(paper=paper, rank=0, score=round(score, 4), similarity=0.0, close=False, parts=parts))
    return ordered(scored, sort)


def ordered(
    ranked: list[RankedPaper], sort: str, relevance: Callable[[RankedPaper], tuple[float, float]] | None = None
) -> list[RankedPaper]:
    """`ranked` in the order `sort` asks for, numbered from 1. `relevance` gives (score,
    similarity) of a paper (default: the rounded ones it carries)."""
    rel = relevance or (lambda r: (r.score, r.similarity))

    def key(r: RankedPaper) -> tuple:
        score, similarity = rel(r)
        if sort == "strength":
            return (-r.parts.get("strength", 0.0), -score)
        if sort == "date":
            return (r.paper.published is None, _neg_date(r.paper.published), -score)
        return (-score, -similarity)

    return [replace(r, rank=position) for position, r in enumerate(sorted(ranked, key=key), start=1)]


def rescored_head(rough: list[RankedPaper], head: list[RankedPaper], sort: str) -> list[RankedPaper]:
    """A first-pass ranking whose top papers were ranked again by a better model: those (`head`,
    already ranked) first, then the rest in first-pass order, their scores capped so a score
    never rises down the list. `sort` other than relevance then orders the whole list."""
    done = {r.paper.id for r in head}
    floor = min((r.score for r in head), default=0.0)
    tail = [replace(r, score=min(r.score, floor), close=False) for r in rough if r.paper.id not in done]
    if sort != "relevance":
        return ordered([*head, *tail], sort)
    return [replace(r, rank=position) for position, r in enumerate([*head, *tail], start=1)]


def _neg_date(published: str | None) -> tuple[int, ...]:
    """Newest first: negate the numeric parts of an ISO date so an ascending sort puts it first."""
    return tuple(-int(part) for part in (published or "").split("-") if part.isdigit())
