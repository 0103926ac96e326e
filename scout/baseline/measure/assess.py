"""From what a run printed and what its paper claims to the fields a Run carries: the headline, the
claim it answers (and the other metrics of that claim's row), the flags, and the verdict over one run
or a seed group. Pure functions on plain data, so SLURM workers and the ledger can use them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from scout.baseline.measure import flags as flagging
from scout.baseline.measure.claims import Claim
from scout.baseline.measure.headline import Headline, match, pick, rank_for_command
from scout.baseline.measure.logmetrics import Reading
from scout.baseline.measure.seeds import aggregate
from scout.baseline.measure.verdict import combine, judge

MAX_CLAIMS_KEPT = 8


@dataclass(frozen=True)
class Assessment:
    headline: dict | None
    claim: dict | None
    claims: list[dict] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    note: str | None = None  # why there is no headline, or no claim to compare it with


def _claim_json(claim: Claim, measured_as: str | None = None, value: float | None = None) -> dict:
    data = claim.to_json()
    data["measured_as"] = measured_as
    data["value_as_measured"] = value
    return data


def assess(
    reading: Reading,
    claims: list[Claim],
    command: str | None = None,
    docs_text: str = "",
    repo_root: Path | None = None,
    repo: str | None = None,
    image_results: str | None = None,
) -> Assessment:
    """`image_results`: where the docs show their results only as a picture (claims.results_as_image),
    said in the note when nothing is claimed."""
    flags = flagging.reading_flags(reading)
    ranges = flagging.range_flags(reading)
    usable = Reading(
        {k: v for k, v in reading.metrics.items() if k not in ranges},
        reading.observations,
        reading.nonfinite,
        reading.conflicts,
    )
    ranked = rank_for_command(claims, command, repo, repo_root)
    headline, claim, note = pick(usable, ranked, docs_text)
    if headline is None and claim is not None and ranges:
        # NCRF++ prints "f: -1.0000" when it found no entity: the metric is there, but not a measurement.
        dropped = match(claim, Reading({name: reading.metrics[name] for name in ranges}))
        if dropped:
            name = dropped[0]
            note = f"the output's {name} is out of range ({ranges[name]}); no headline is taken from it"
    if headline is not None:
        stored = flagging.repo_file_flag(headline.line, headline.raw, repo_root)
        if stored:
            flags.append(stored)
            note = f"the headline {headline.name} may not be measured ({stored}); not taken as the headline"
            headline = None
    if headline is None and claim is None and note is None and ranges:
        note = "the only candidate metrics are out of range (see flags)"
    if not claims and note is None and image_results:
        note = f"the docs show their results only as an image ({image_results}): no number to compare with"
    kept = []
    if claim is not None:
        measured_as = headline.name if headline else None
        value = headline.claim_value if headline else None
        kept.append(_claim_json(claim, measured_as, value))
        for other in ranked:
            if other is claim or other.source != claim.source or other.context != claim.context:
                continue
            found = match(other, usable) if headline else None
            if found and found[0] != measured_as:
                name, how = found
                as_measured = other.value if how == "same" else round(1 - other.value, 10)
                kept.append(_claim_json(other, name, as_measured))
    for other in ranked:
        if len(kept) >= MAX_CLAIMS_KEPT:
            break
        same_as_claim = claim is not None and (other.source, other.context, other.metric) == (
            claim.source,
            claim.context,
            claim.metric,
        )
        if not same_as_claim and not any(k["name"] == other.metric and k["value"] == other.value for k in kept):
            kept.append(_claim_json(other))
    return Assessment(
        headline=_headline_json(headline),
        claim=kept[0] if claim is not None else None,
        claims=kept[1:] if claim is not None else kept,
        flags=flags,
        note=note,
    )


def _headline_json(headline: Headline | None) -> dict | None:
    return headline.to_json() if headline else None


def verdict(runs: list, reason_if_missing: str | None = None) -> dict:
    """The verdict of one run or a seed group (Runs of one repo and command): {"verdict", "reason",
    "tolerance", "metrics": {name: {claim, mean, std, n, verdict, tolerance}}}; verdict None when
    nothing is claimed."""
    claim = next((run.claim for run in runs if run.claim), None)
    if claim is None:
        return {"verdict": None, "reason": None, "tolerance": None, "metrics": {}}
    ok = [run for run in runs if run.status in ("ok", "timeout") and run.metrics]
    wanted = [claim] + [
        c
        for c in (runs[0].claims or [])
        if c.get("measured_as") and c.get("context") == claim.get("context") and c.get("source") == claim.get("source")
    ]
    per_metric, verdicts, tolerance = {}, [], None
    for item in wanted:
        name, target = item.get("measured_as"), item.get("value_as_measured")
        values = [run.metrics[name] for run in ok if name and name in run.metrics]
        values = [v for v in values if math.isfinite(v)]
        if not name or target is None or not values:
            continue
        result, tol = judge(name, target, values)
        stats = aggregate(values)
        per_metric[name] = {
            "claim": target,
            "mean": stats["mean"],
            "std": stats["std"],
            "n": stats["n"],
            "verdict": result,
            "tolerance": tol,
        }
        verdicts.append(result)
        if tolerance is None:
            tolerance = tol
    if not verdicts:
        failed = next((run for run in runs if run.status not in ("ok",)), None)
        why = reason_if_missing or (failed.message if failed and failed.message else None)
        if why is None:
            why = next((run.verdict_reason for run in runs if run.verdict_reason), None) or (
                f"ran; the paper's metric ({claim.get('metric')}) was not found in the output"
            )
        return {"verdict": "not_attempted", "reason": why, "tolerance": None, "metrics": {}}
    result = combine(verdicts)
    parts = [
        f"{name}: claim {m['claim']:.4g}, measured {m['mean']:.4g}"
        + (f" ± {m['std']:.2g}" if m["std"] else "")
        + f" (n={m['n']}, tolerance {m['tolerance']:.3g}) -> {m['verdict']}"
        for name, m in per_metric.items()
    ]
    return {"verdict": result, "reason": "; ".join(parts), "tolerance": tolerance, "metrics": per_metric}
