"""Did the paper's claim hold? The rule (also in docs/measure.md):

For a claimed metric with value c, measured over n runs with mean m and sample std s:
  tolerance  t = max(task tolerance, 2·s when n ≥ 3)
  reproduced      |m − c| ≤ t
  better          m beats c by more than t (higher or lower, as the metric goes)
  not_reproduced  m falls short of c by more than t (with t ≥ 2·s, the seeds are outside on that side)
Over the claim's metrics (a table row may claim Rank-1 and mAP): all reproduced or better ->
reproduced (better when all are better), some -> partial, none -> not_reproduced.
not_attempted (with the reason) when the run could not produce the number: it failed or timed out
(needs a GPU, gated data, no evaluation found, ...), printed no metric, or printed none that matches
the claim. No claim -> no verdict (null).

Task tolerances, on scout's scale (fractions for accuracy-like metrics):
  accuracy-like (accuracy, top-k, mAP, F1, IoU, Dice, AUC, recall@k, NDCG, pass@k, WER, ...): 0.01
    absolute, one percentage point
  RL return: 10% of the claim (returns vary a lot between seeds and environment versions)
  everything else (perplexity, bpc, FID, BLEU, PSNR, losses, errors on their own scale): 2% of the claim
"""

from __future__ import annotations

import math

from scout.metrics import base_name, higher_is_better, is_fraction

VERDICTS = ("reproduced", "better", "partial", "not_reproduced", "not_attempted")
ABSOLUTE_FRACTION = 0.01
RELATIVE_DEFAULT = 0.02
RELATIVE_RETURN = 0.10


def task_tolerance(metric: str, claim: float) -> float:
    if is_fraction(metric):
        return ABSOLUTE_FRACTION
    if base_name(metric) == "return":
        return RELATIVE_RETURN * abs(claim)
    return RELATIVE_DEFAULT * abs(claim)


def tolerance(metric: str, claim: float, std: float | None, n: int) -> float:
    spread = 2.0 * std if std is not None and n >= 3 and math.isfinite(std) else 0.0
    return round(max(task_tolerance(metric, claim), spread), 10)


def judge(metric: str, claim: float, values: list[float]) -> tuple[str, float]:
    """(verdict, tolerance) for one claimed metric and its measured values (one per seed)."""
    from scout.baseline.measure.seeds import mean_std

    mean, std = mean_std(values)
    tol = tolerance(metric, claim, std, len(values))
    gap = mean - claim if higher_is_better(metric) else claim - mean  # > 0: better than the claim
    if abs(mean - claim) <= tol + 1e-12:
        return "reproduced", tol
    return ("better" if gap > 0 else "not_reproduced"), tol


def combine(verdicts: list[str]) -> str:
    """One verdict over a claim's metrics."""
    if not verdicts:
        return "not_attempted"
    held = [v for v in verdicts if v in ("reproduced", "better")]
    if len(held) == len(verdicts):
        return "better" if all(v == "better" for v in verdicts) else "reproduced"
    return "partial" if held else "not_reproduced"
