"""How well scout finds the number to cite, on the labeled corpus (bench/corpus, LABELING.md).

    python bench/measure_corpus.py --split dev [--run] [--timeout 300] [--out FILE.json]

For every labeled repo whose label names the README's headline metric:
1. `scout baseline --plan --json` gives scout's own command (no command from the label is used);
2. the claims scout reads from the docs, ranked for that command: is the top one the label's metric
   (same metric under scout's aliases, or its complement) with the label's value?
3. with --run, the repos whose label has an evaluation and lists no blocking need are run end to end
   (`scout baseline --yes --env current --timeout T --json`, no --cmd): status, headline, claim,
   verdict, and whether the headline is the label's metric on the label's split. A label with no
   headline metric (the README reports none) is run too: its row says what ran and what scout took
   as the headline, and is left out of the claim counts.
`--only OWNER/NAME` (repeatable) measures just those repos.
Held-out repos are measured once, at the end, with the code frozen (LABELING.md)."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus.labels import CORPUS, SPLITS, load  # noqa: E402
from scout.baseline.discover.docs import find_docs  # noqa: E402
from scout.baseline.measure.claims import _metric_in, readme_claims  # noqa: E402
from scout.baseline.measure.headline import rank_for_command, relation  # noqa: E402
from scout.metrics import normalize  # noqa: E402


def label_metric(label) -> tuple[str, float | None]:
    """The label's metric as scout names it (its free text read by the claim reader's name finder),
    and the label value's first number that is not part of a metric's name, on scout's scale."""
    metric = label.metric or {}
    found = _metric_in(metric.get("name") or "")
    canon = found[0] if found else (metric.get("name") or "?")
    # "Rank@1=88.24%": the 1 of a metric's name ("@1", "top-1", "mAP@0.5") is not its value
    number = re.search(r"(?<![\w@.-])(?:\d+(?:\.\d+)?|\.\d+)(?![\w@])\s*%?", str(metric.get("value") or ""))
    value = normalize(canon, float(number.group(0).rstrip("% ")), number.group(0)) if number else None
    return canon, value


def scout(*args: str, cache: Path, timeout: float) -> dict | None:
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from scout.cli import main; main()", *args, "--cache-dir", str(cache)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cache.parent,
        )
    except subprocess.TimeoutExpired:
        return {"error": {"code": "bench timeout", "message": f"scout {args[0]} ran past {timeout:.0f}s"}}
    # The result goes to stdout; an error goes to stderr as its last line, {"error": {...}} (DESIGN.md).
    for text in (done.stdout, (done.stderr.strip().splitlines() or [""])[-1]):
        try:
            return json.loads(text)
        except ValueError:
            continue
    return {"error": {"code": "no json", "message": (done.stderr or done.stdout)[-400:]}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=SPLITS, required=True)
    parser.add_argument("--run", action="store_true")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--out")
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scout-measure-"))
    rows = []
    for label in load(args.split):
        blocking = [n for n in label.needs if n.get("blocking", True)]
        runnable = args.run and label.eval and not blocking
        if (args.only and label.repo not in args.only) or not (label.metric or runnable):
            continue
        folder = CORPUS / label.folder
        want, value = label_metric(label) if label.metric else (None, None)
        row = {
            "repo": label.repo,
            "label_metric": want,
            "label_value": value,
            "label_split": (label.metric or {}).get("split"),
        }
        if not folder.is_dir():
            rows.append({**row, "claim_ok": False, "note": "no checkout"})
            continue
        plan = scout("baseline", "--repo", str(folder), "--plan", "--json", cache=work / "cache", timeout=120) or {}
        command = ((plan.get("plans") or [{}])[0] or {}).get("command")
        claims = rank_for_command(readme_claims(find_docs(folder)), command, str(folder), folder)
        top = claims[0] if claims else None
        name_ok = bool(top and want and relation(want, top.metric))
        value_ok = bool(
            top and value is not None and (abs(top.value - value) < 1e-6 or abs((1 - top.value) - value) < 1e-6)
        )
        row.update(
            command=command,
            claim=(top.metric, top.value, top.source) if top else None,
            claim_ok=name_ok and value_ok,
            claim_metric_ok=name_ok,
        )
        if runnable:
            run_args = ["baseline", "--repo", str(folder), "--yes", "--env", "current"]
            run_args += ["--timeout", str(int(args.timeout)), "--json"]
            result = scout(*run_args, cache=work / "cache", timeout=args.timeout + 600) or {}
            picked = False
            if (result.get("error") or {}).get("code") == "declined":
                # scout was not sure of its command: take its own first choice, as `--pick 1` does.
                result = scout(*run_args, "--pick", "1", cache=work / "cache", timeout=args.timeout + 600) or {}
                picked = True
            run = (result.get("runs") or [{}])[0]
            headline = run.get("headline") or {}
            error = result.get("error") or {}
            row.update(
                picked=picked,
                run_command=run.get("command"),
                status=run.get("status") or error.get("code") or "no result",
                message=(run.get("message") or run.get("verdict_reason") or error.get("message") or "")[:300],
                headline=(headline.get("name"), headline.get("value")),
                run_claim=((run.get("claim") or {}).get("name"), (run.get("claim") or {}).get("value")),
                verdict=run.get("verdict"),
                headline_ok=bool(headline and relation(want, headline.get("name", ""))) if want else None,
            )
        rows.append(row)
        print(json.dumps(row), flush=True)
    judged = [r for r in rows if r["label_metric"]]
    claims_ok = sum(r.get("claim_ok", False) for r in judged)
    metric_ok = sum(r.get("claim_metric_ok", False) for r in judged)
    print(
        f"{args.split}: {len(judged)} labeled repos with a headline metric; top claim = label's metric and value: "
        f"{claims_ok}/{len(judged)}; metric only: {metric_ok}/{len(judged)}"
    )
    ran = [r for r in rows if "status" in r]
    if ran:
        print(
            f"run end to end: {len(ran)}; ok: {sum(r['status'] == 'ok' for r in ran)}; "
            f"headline = label's metric: {sum(bool(r['headline_ok']) for r in ran)} "
            f"of {sum(r['headline_ok'] is not None for r in ran)} with a labeled metric"
        )
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
