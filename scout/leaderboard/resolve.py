"""Free text -> the tasks and datasets it most likely means, by the same embedding + BM25 fusion
that ranks papers (scout.search.rank), with an exact name or slug match always first."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from scout.search.rank import lexical_scores, signals_for, weighted_fusion
from scout.search.sources.common import as_id

TASK, DATASET = "task", "dataset"
# A whole archive names about 14k tasks and datasets; past this many, only the names that share a
# word with the query (BM25 > 0) are embedded, so a first lookup does not embed them all.
EMBED_POOL = 500
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Candidate:
    """A task or dataset a query may mean."""

    kind: str  # TASK or DATASET
    name: str
    id: str | None = None  # the API's id, for the follow-up calls
    slug: str | None = None
    size: int | None = None  # leaderboard rows or papers behind it, when known
    task: str | None = None  # the task a dataset's leaderboard belongs to, when known
    score: float = 0.0  # how well it matches the query (fused, 0..1 within the pool)
    exact: bool = False  # the query is its name or slug, spacing and punctuation aside

    def to_json(self) -> dict:
        return {"kind": self.kind, "name": self.name, "id": self.id, "score": round(self.score, 4), "exact": self.exact}


def fold(text: str | None) -> str:
    return _NON_WORD.sub(" ", (text or "").lower()).strip()


def rank_candidates(query: str, candidates: list[Candidate], embedder, store) -> list[Candidate]:
    """Best match first. Duplicates (same kind and name) are merged into the first seen."""
    unique: dict[tuple[str, str], Candidate] = {}
    for c in candidates:
        unique.setdefault((c.kind, fold(c.name)), c)
    pool = list(unique.values())
    if not pool:
        return []
    if len(pool) > EMBED_POOL:
        lexical = lexical_scores(query, [c.name for c in pool])
        if lexical.max(initial=0.0) > 0:
            keep = np.argsort(-lexical, kind="stable")[:EMBED_POOL]
            pool = [pool[i] for i in sorted(keep) if lexical[i] > 0]
    signals = signals_for(query, None, [c.name for c in pool], embedder, store)
    fused = weighted_fusion(signals.similarity, signals.lexical)
    wanted = _compact(query)
    scored = [
        replace(c, score=float(score), exact=wanted in (_compact(c.name), _compact(c.slug)))
        for c, score in zip(pool, fused)
    ]
    # Ties (a task and a dataset of one name) go to the larger leaderboard, then to tasks.
    return sorted(scored, key=lambda c: (not c.exact, -c.score, -(c.size or 0), c.kind != TASK, c.name))


def _compact(text: str | None) -> str:
    return fold(text).replace(" ", "")


def parse_candidates(items: list, kind: str) -> list[Candidate]:
    """Catalog items of `tasks/` or `datasets/` (`{id, name, full_name?, slug?, paper_count?}`)."""
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        name = next(
            (v.strip() for v in (item.get("name"), item.get("full_name")) if isinstance(v, str) and v.strip()), None
        )
        if not name:
            continue
        slug = item.get("slug")
        size = next(
            (
                v
                for v in (item.get("eval_count"), item.get("paper_count"))
                if isinstance(v, int) and not isinstance(v, bool)
            ),
            None,
        )
        found.append(
            Candidate(
                kind=kind,
                name=" ".join(name.split()),
                id=as_id(item.get("id")),
                slug=slug if isinstance(slug, str) and slug else None,
                size=size,
            )
        )
    return found
