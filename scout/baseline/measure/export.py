"""A number you can cite or upload: the ledger's headline numbers as Hugging Face `.eval_results`
YAML entries, and as CSV or JSON rows with the verdict and the provenance (commit, command,
environment, seeds, log).

One row per result: a seed group gives one row (its mean, std and n), a run outside any group gives
its own. Runs without a headline number are exported to CSV/JSON (with their verdict, e.g.
not_attempted and why) but not to `.eval_results`, which holds scores only.

The `.eval_results` entry follows the Hub's format (huggingface.co/docs/hub/eval-results):
`dataset.id` (a Hub dataset id: known benchmarks are mapped, e.g. CIFAR-10 -> uoft-cs/cifar10;
otherwise the dataset as the README names it, to be corrected before upload), `dataset.task_id`,
`value`, `date`, `source` (the repo at its commit) and `notes` (what scout ran, seeds, verdict)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from scout import schema
from scout.files import atomic_write
from scout.tabular import delimited

HUB_DATASETS = {
    "cifar10": "uoft-cs/cifar10",
    "cifar100": "uoft-cs/cifar100",
    "mnist": "ylecun/mnist",
    "fashionmnist": "zalando-datasets/fashion_mnist",
    "svhn": "ufldl-stanford/svhn",
    "imagenet": "ILSVRC/imagenet-1k",
    "imagenet1k": "ILSVRC/imagenet-1k",
    "coco": "detection-datasets/coco",
    "squad": "rajpurkar/squad",
    "coqa": "stanfordnlp/coqa",
    "glue": "nyu-mll/glue",
    "imdb": "stanfordnlp/imdb",
    "agsnews": "fancyzhx/ag_news",
    "agnews": "fancyzhx/ag_news",
    "wikitext103": "Salesforce/wikitext",
    "wikitext2": "Salesforce/wikitext",
    "penntreebank": "ptb-text-only/ptb_text_only",
    "ptb": "ptb-text-only/ptb_text_only",
    "conll2003": "eriktks/conll2003",
    "librispeech": "openslr/librispeech_asr",
    "cityscapes": "Chris1/cityscapes",
    "ade20k": "1aurent/ADE20K",
}

CSV_COLUMNS = (
    "id group repo commit command device python torch cuda seeds n status metric split unit measured std ci95_low "
    "ci95_high deterministic claim claim_metric claim_source dataset verdict tolerance verdict_reason flags log "
    "started_at"
).split()


def hub_dataset(name: str | None) -> str | None:
    if not name:
        return None
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return HUB_DATASETS.get(key)


def rows(runs: list, groups: list[dict]) -> list[dict]:
    """One row per seed group and per run outside a group, in the order they started."""
    by_id = {group["id"]: group for group in groups}
    out, seen = [], set()
    for run in sorted(runs, key=lambda r: (r.started_at, r.id)):
        group = by_id.get(run.group or "")
        if group is not None:
            if group["id"] in seen:
                continue
            seen.add(group["id"])
            members = [r for r in runs if r.group == group["id"]]
            out.append(_group_row(group, members))
        else:
            out.append(_run_row(run))
    return out


def _common(run) -> dict:
    env = run.env or {}
    claim = run.claim or {}
    return {
        "repo": run.repo,
        "commit": run.commit,
        "command": run.command,
        "device": run.device,
        "python": env.get("python"),
        "torch": env.get("torch"),
        "cuda": env.get("cuda"),
        "claim": claim.get("value_as_measured", claim.get("value")),
        "claim_metric": claim.get("metric"),
        "claim_source": claim.get("source"),
        "dataset": claim.get("dataset"),
    }


def _run_row(run) -> dict:
    headline = run.headline or {}
    return {
        "id": run.id,
        "group": None,
        **_common(run),
        "seeds": str(run.seed),
        "n": 1 if headline else 0,
        "status": run.status,
        "metric": headline.get("name"),
        "split": headline.get("split"),
        "unit": headline.get("unit"),
        "measured": headline.get("value"),
        "std": None,
        "ci95_low": None,
        "ci95_high": None,
        "deterministic": None,
        "verdict": run.verdict,
        "tolerance": None,
        "verdict_reason": run.verdict_reason,
        "flags": "; ".join(run.flags),
        "log": run.log,
        "started_at": run.started_at,
    }


def _group_row(group: dict, members: list) -> dict:
    first = min(members, key=lambda r: (r.started_at, r.id)) if members else None
    name = group.get("headline")
    stats = (group.get("aggregate") or {}).get(name or "", {})
    ci = stats.get("ci95") or [None, None]
    headline = next((r.headline for r in members if r.headline), None) or {}
    return {
        "id": group["id"],
        "group": group["id"],
        **(_common(first) if first else {}),
        "claim": (group.get("claim") or {}).get("value_as_measured"),
        "seeds": ",".join(str(s) for s in group.get("seeds", [])),
        "n": stats.get("n", 0),
        "status": ",".join(sorted(set(group.get("statuses", [])))),
        "metric": name,
        "split": headline.get("split"),
        "unit": headline.get("unit"),
        "measured": stats.get("mean"),
        "std": stats.get("std"),
        "ci95_low": ci[0],
        "ci95_high": ci[1],
        "deterministic": stats.get("deterministic"),
        "verdict": group.get("verdict"),
        "tolerance": group.get("tolerance"),
        "verdict_reason": group.get("verdict_reason") or group.get("note"),
        "flags": "; ".join(f for r in members for f in r.flags),
        "log": "; ".join(r.log or "" for r in members),
        "started_at": first.started_at if first else group.get("created_at"),
    }


def to_csv(items: list[dict]) -> str:
    return delimited(CSV_COLUMNS, ([item.get(k) for k in CSV_COLUMNS] for item in items), "csv")


def to_json(items: list[dict]) -> str:
    return json.dumps({"schema": schema.EXPORT, "results": items}, indent=2) + "\n"


def _yaml_str(value) -> str:
    return json.dumps("" if value is None else str(value), ensure_ascii=False)  # a YAML double-quoted scalar


def eval_results_yaml(item: dict) -> str | None:
    """One `.eval_results/*.yaml` file for a row with a measured headline, else None."""
    if item.get("measured") is None or not item.get("metric"):
        return None
    dataset = item.get("dataset")
    hub = hub_dataset(dataset)
    commit = item.get("commit") or ""
    repo = item.get("repo") or ""
    url = f"{repo.rstrip('/')}/tree/{commit}" if repo.startswith("https://github.com/") and commit else repo
    notes = [f"measured by scout baseline ({item['id']})", f"command: {item.get('command')}"]
    if item.get("n", 0) > 1:
        notes.append(f"mean of {item['n']} seeds ({item.get('seeds')}), std {item.get('std')}")
    if item.get("claim") is not None:
        notes.append(f"paper claims {item['claim']} ({item.get('claim_source')}); verdict: {item.get('verdict')}")
    if hub is None and dataset:
        notes.append(f"dataset id is the README's name {dataset!r}: replace it with the benchmark's Hub id")
    elif hub is None:
        notes.append("the README names no dataset: set dataset.id to the benchmark's Hub id before uploading")
    lines = [
        "- dataset:",
        f"    id: {_yaml_str(hub or dataset or 'unknown')}",
        f"    task_id: {_yaml_str(item['metric'])}",
        f"  value: {json.dumps(item['measured'])}",
        f"  date: {_yaml_str((item.get('started_at') or '')[:10])}",
        "  source:",
        f"    url: {_yaml_str(url)}",
        f"    name: {_yaml_str('scout baseline')}",
        f"  notes: {_yaml_str('; '.join(notes))}",
    ]
    return "\n".join(lines) + "\n"


def write(kind: str, items: list[dict], out: Path) -> list[Path]:
    """Write the export; returns the files written."""
    if kind == "csv":
        path = out if out.suffix == ".csv" else out / "scout-runs.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, to_csv(items))
        return [path]
    if kind == "json":
        path = out if out.suffix == ".json" else out / "scout-runs.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, to_json(items))
        return [path]
    folder = out / ".eval_results"
    written = []
    for item in items:
        text = eval_results_yaml(item)
        if text is None:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{item['repo'].split('/')[-1]}-{item['metric']}-{item['id']}".lower()).strip(
            "-"
        )
        path = folder / f"{slug}.yaml"
        atomic_write(path, text)
        written.append(path)
    return written
