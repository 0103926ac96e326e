"""Leaderboard records, and the pure parsing and ordering of their rows. Nothing here does I/O."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from scout.errors import ConfigError
from scout.metrics import LOWER_IS_BETTER, parse_metric_value
from scout.models import normalize_arxiv_id
from scout.search.sources.common import as_id, as_int, clean_text, iso_date

# Words that make a leaderboard metric lower-is-better beyond the log metrics' names: a
# leaderboard also ranks by size and speed ("Number of params", "Inference time (ms)").
_LOWER_WORDS = LOWER_IS_BETTER | {"ppl", "params", "parameters", "latency", "time", "flops", "rank"}
_WORD = re.compile(r"[a-z0-9]+")
# A model's cost, not its quality: a table is not ranked by these unless asked to.
_COST_WORDS = {"params", "parameters", "flops", "time", "latency", "size", "memory"}


@dataclass(frozen=True)
class Code:
    url: str
    official: bool | None = None
    stars: int | None = None

    def to_json(self) -> dict:
        return {"url": self.url, "official": self.official, "stars": self.stars}


@dataclass(frozen=True)
class Metric:
    name: str
    value: float | None
    raw: str | None


@dataclass(frozen=True)
class Row:
    """One entry of a leaderboard: a method's numbers on one dataset, with its paper and code."""

    method: str
    metrics: tuple[Metric, ...]
    paper_title: str | None = None
    arxiv_id: str | None = None
    paper_id: str | None = None  # Papers with Code's id of the paper, for the detail call
    year: int | None = None
    code: tuple[Code, ...] = ()
    extra_data: bool | None = None  # trained with data beyond the benchmark's own
    task: str | None = None
    dataset: str | None = None
    best_rank: int | None = None  # the API's rank, when it gives one
    best_metric: str | None = None  # the metric the API ranks this leaderboard by
    rank: int = 0  # position on the shown leaderboard, 1 = best

    def value(self, metric: str | None) -> float | None:
        return next((m.value for m in self.metrics if m.name == metric), None)

    def raw(self, metric: str | None) -> str | None:
        return next((m.raw for m in self.metrics if m.name == metric), None)

    def with_(self, **changes) -> Row:
        return replace(self, **changes)


def lower_is_better(metric: str) -> bool:
    """Error, loss, perplexity, parameters, latency ...: smaller numbers win."""
    return bool(set(_WORD.findall(metric.lower())) & _LOWER_WORDS)


def parse_metrics(raw: object) -> tuple[Metric, ...]:
    """`{name: number or numeric string ("41.8", "79.2%")}`; unnamed entries are skipped."""
    if not isinstance(raw, dict):
        return ()
    metrics = []
    for name, value in raw.items():
        label = clean_text(name) if isinstance(name, str) else None
        if not label:
            continue
        parsed = parse_metric_value(value)
        metrics.append(Metric(label, parsed.value if parsed else None, None if value is None else str(value)))
    return tuple(metrics)


def _text(value: object) -> str | None:
    return clean_text(value) if isinstance(value, str) else None


def parse_row(item: object) -> Row | None:
    """One row of `evaluations/` (reference/apis.md 1.3a); None when it has no method or metrics."""
    if not isinstance(item, dict):
        return None
    method = _text(item.get("model_name")) or _text(item.get("methodology"))
    metrics = parse_metrics(item.get("metrics"))
    if not method or not metrics:
        return None
    arxiv = item.get("paper_arxiv_id")
    date = iso_date(item.get("paper_published_date") or item.get("paper_date"))
    code_url = item.get("code_url")
    extra = item.get("uses_additional_data")
    return Row(
        method=method,
        metrics=metrics,
        paper_title=_text(item.get("paper_title")),
        arxiv_id=normalize_arxiv_id(arxiv) if isinstance(arxiv, str) else None,
        paper_id=as_id(item.get("paper_id")),
        year=int(date[:4]) if date else None,
        code=(Code(code_url.strip()),) if isinstance(code_url, str) and code_url.strip().startswith("http") else (),
        extra_data=extra if isinstance(extra, bool) else None,
        task=_text(item.get("task_name")),
        dataset=_text(item.get("dataset_name")),
        best_rank=as_int(item.get("best_rank")),
        best_metric=_text(item.get("best_metric")),
    )


def parse_rows(items: Iterable) -> tuple[list[Row], int]:
    """The usable rows, and how many were skipped."""
    rows, skipped = [], 0
    for item in items:
        row = parse_row(item)
        if row is None:
            skipped += 1
        else:
            rows.append(row)
    return rows, skipped


def metric_names(rows: Iterable[Row]) -> list[str]:
    """Every metric the rows report, in the order they first appear."""
    return list(dict.fromkeys(m.name for row in rows for m in row.metrics))


def pick_metric(rows: list[Row], wanted: str | None) -> str | None:
    """`wanted` (matched without regard to case or spacing), else the metric the API ranks by, else
    the first one reported."""
    names = metric_names(rows)
    if wanted:
        fold = " ".join(wanted.lower().split())
        for name in names:
            if " ".join(name.lower().split()) == fold:
                return name
        partial = [n for n in names if fold in n.lower()]
        if len(partial) == 1:
            return partial[0]
        raise ConfigError(f"no metric {wanted!r} on this leaderboard; it reports: {', '.join(names) or 'none'}")
    ranked_by = Counter(r.best_metric for r in rows if r.best_metric and r.best_metric in names)
    if ranked_by:
        return ranked_by.most_common(1)[0][0]
    quality = [n for n in names if not set(_WORD.findall(n.lower())) & _COST_WORDS]
    return (quality or names or [None])[0]


def order_rows(rows: list[Row], metric: str | None, *, by_api_rank: bool) -> list[Row]:
    """Best first, numbered from 1. With `by_api_rank` the API's `best_rank` decides (it ranks by
    the leaderboard's own metric); otherwise, or for rows without one, the metric's value does, in
    the direction the metric wants. Rows without the metric come last."""
    lower = lower_is_better(metric or "")

    def by_value(row: Row) -> tuple:
        value = row.value(metric)
        return (value is None, 0.0 if value is None else (value if lower else -value))

    def key(row: Row) -> tuple:
        if by_api_rank:
            return (row.best_rank is None, row.best_rank or 0, *by_value(row))
        return by_value(row)

    return [row.with_(rank=i) for i, row in enumerate(sorted(rows, key=key), start=1)]


_GITHUB = re.compile(r"^(https?://(?:www\.)?github\.com/[^/?#]+/[^/?#]+)")


def repo_url(url: str) -> str:
    """A code link as a clonable repo: 'https://github.com/o/r/blob/master/x.py' -> 'https://github.com/o/r'."""
    match = _GITHUB.match(url.strip())
    return match.group(1).removesuffix(".git") if match else url.strip().rstrip("/")


def best_code(code: Iterable[Code]) -> list[Code]:
    """Official first, then by stars; one entry per URL."""
    seen: dict[str, Code] = {}
    for c in code:
        key = c.url.rstrip("/").lower()
        known = seen.get(key)
        if known is None:
            seen[key] = c
        else:  # the same repo named twice: keep what either says
            seen[key] = Code(
                known.url,
                known.official if known.official is not None else c.official,
                known.stars if known.stars is not None else c.stars,
            )
    return sorted(seen.values(), key=lambda c: (not c.official, -(c.stars or 0), c.url))
