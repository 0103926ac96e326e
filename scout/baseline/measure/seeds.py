"""Repeated runs of one evaluation: the seeds to use and the aggregate of what they measured.

The aggregate of each metric is its mean, sample standard deviation and a 95% interval for the mean
(Student's t with n − 1 degrees of freedom). When every seed printed the same numbers the evaluation
is deterministic (a released checkpoint evaluated without sampling): the aggregate says so instead
of reporting a spread of zero as if the seeds had agreed by chance."""

from __future__ import annotations

import math
import re

from scout.errors import UsageError

# Two-sided 97.5% quantiles of Student's t, by degrees of freedom (1-30); 1.96 beyond.
_T975 = [
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
]
MAX_SEEDS = 100


def parse_seeds(text: str | None, base: int = 0) -> list[int]:
    """`--seeds 3` -> [base, base+1, base+2]; `--seeds 0,1,7` -> those seeds."""
    if text is None:
        return [base]
    text = text.strip()
    if re.fullmatch(r"\d+", text):
        count = int(text)
        if not 1 <= count <= MAX_SEEDS:
            raise UsageError(f"--seeds {text}: give a count from 1 to {MAX_SEEDS}, or a list like 0,1,2")
        return [base + i for i in range(count)]
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(re.fullmatch(r"\d+", p) for p in parts):
        raise UsageError(f"--seeds {text!r}: give a count (3) or a comma-separated list of seeds (0,1,2)")
    seeds = list(dict.fromkeys(int(p) for p in parts))
    if len(seeds) > MAX_SEEDS or any(s >= 2**32 for s in seeds):
        raise UsageError(f"--seeds: at most {MAX_SEEDS} seeds, each below 2^32")
    return seeds


def mean_std(values: list[float]) -> tuple[float, float | None]:
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, None
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))


def aggregate(values: list[float]) -> dict:
    """{"mean", "std", "ci95", "n", "deterministic"} of one metric over seeds."""
    values = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if not values:
        return {"mean": None, "std": None, "ci95": None, "n": 0, "deterministic": False}
    mean, std = mean_std(values)
    n = len(values)
    deterministic = n >= 2 and max(values) - min(values) <= 1e-12 * max(1.0, abs(mean))
    if std is None:
        ci = None
    else:
        half = (_T975[n - 2] if n - 1 <= len(_T975) else 1.96) * std / math.sqrt(n)
        ci = [round(mean - half, 10), round(mean + half, 10)]
    return {
        "mean": round(mean, 10),
        "std": None if std is None else round(std, 10),
        "ci95": ci,
        "n": n,
        "deterministic": deterministic,
    }
