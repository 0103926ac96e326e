"""How often two labelers agree on a repo's documented evaluation, and how often scout agrees with
each of them (run by hand).

    python bench/corpus/agreement.py bench/corpus/second/heldout7 [--scout REPOS.json] [--json]

A second labeler labels a sample of repos blind (never seeing the first labels; LABELING.md,
"Two labelers"), in the labels' format plus `examples` (the literal commands its regexes stand
for) and `confidence` (sure or unsure). For each repo labeled twice the two agree when both say
there is no runnable evaluation, or when both give one and a command the second labeler wrote out
is one the first label's regexes accept (bench/corpus/labels.py `matches`, the judge of every
score). That share is the ceiling for a top-1 measured against one labeler's reading. Where they
agree on the command, it also counts the repos whose every blocking need kind in the first label
is in the second's too: the ceiling for bench/repos.py's "every blocking need listed".

With `--scout`, the output of `python bench/repos.py --json` on the same repos: scout's pick
judged against the first label (the scored figure), the second, and either."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.corpus.labels import LABELS, Label, from_data, load, matches  # noqa: E402


def agree(first: Label, second: Label) -> bool:
    if first.eval != second.eval:
        return False
    if not first.eval:
        return True
    return any(matches(first, example, second.cwd) for example in second.raw.get("examples") or ())


def _share(right: int, total: int) -> dict:
    return {"right": right, "total": total, "share": right / total if total else None}


def report(second_dir: Path, labels_dir: Path = LABELS, scout: dict | None = None) -> dict:
    firsts = {label.repo: label for label in load(labels_dir=labels_dir)}
    pairs = []
    for path in sorted(second_dir.glob("*.json")):
        second = from_data(json.loads(path.read_text(encoding="utf-8")))
        if second.repo in firsts:
            pairs.append((firsts[second.repo], second))
    rows = []
    for first, second in pairs:
        row = {
            "repo": first.repo,
            "first_eval": first.eval,
            "second_eval": second.eval,
            "second_sure": second.raw.get("confidence") == "sure",
            "agree": agree(first, second),
        }
        if scout is not None and first.repo in scout:
            pick = scout[first.repo]
            command = pick["command"]
            row["scout_first"] = matches(first, command, pick["cwd"] or "")
            row["scout_second"] = matches(second, command, pick["cwd"] or "")
        rows.append(row)
    # Needs are compared where both name the same evaluation: does the second list every blocking
    # kind the first does? (The check bench/repos.py makes of scout's plan against the first.)
    with_needs = [
        (first, second) for first, second in pairs if agree(first, second) and first.eval and first.blocking_needs
    ]
    covered = sum(
        {n["kind"] for n in first.blocking_needs} <= {n["kind"] for n in second.blocking_needs}
        for first, second in with_needs
    )
    sure = [r for r in rows if r["second_sure"]]
    out = {
        "repos": len(rows),
        "agree": _share(sum(r["agree"] for r in rows), len(rows)),
        "agree_second_sure": _share(sum(r["agree"] for r in sure), len(sure)),
        "agree_second_unsure": _share(sum(r["agree"] for r in rows if not r["second_sure"]), len(rows) - len(sure)),
        "needs_covered": _share(covered, len(with_needs)),
        "disagreements": [
            {k: r[k] for k in ("repo", "first_eval", "second_eval", "second_sure")} for r in rows if not r["agree"]
        ],
        "rows": rows,
    }
    judged = [r for r in rows if "scout_first" in r]
    if judged:
        agreed = [r for r in judged if r["agree"]]
        out["scout"] = {
            "first": _share(sum(r["scout_first"] for r in judged), len(judged)),
            "second": _share(sum(r["scout_second"] for r in judged), len(judged)),
            "either": _share(sum(r["scout_first"] or r["scout_second"] for r in judged), len(judged)),
            "where_labelers_agree": _share(sum(r["scout_first"] for r in agreed), len(agreed)),
            "where_they_disagree": _share(
                sum(r["scout_first"] or r["scout_second"] for r in judged if not r["agree"]), len(judged) - len(agreed)
            ),
        }
    return out


_SCOUT_ROWS = {
    "first": "judged by the first label (the scored figure)",
    "second": "judged by the second label",
    "either": "by either label",
    "where_labelers_agree": "on the repos where the labelers agree",
    "where_they_disagree": "by either, where they disagree",
}


def _fmt(share: dict) -> str:
    if not share["total"]:
        return "–"
    return f"{share['right']}/{share['total']}, {share['share']:.0%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("second", type=Path, help="a folder of second labels")
    parser.add_argument("--labels", type=Path, default=LABELS, help="the first labels (default: bench/corpus/labels)")
    parser.add_argument("--scout", type=Path, help="bench/repos.py --json output for the same repos")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.second.is_dir():
        print(f"error: {args.second} is not a folder of second labels", file=sys.stderr)
        return 2
    scout = None
    if args.scout:
        try:
            splits = json.loads(args.scout.read_text(encoding="utf-8"))["splits"]
        except (OSError, ValueError, KeyError) as exc:
            print(f"error: {args.scout} is not bench/repos.py --json output ({exc})", file=sys.stderr)
            return 2
        scout = {o["repo"]: o for part in splits.values() for o in part.get("outcomes", ())}
    result = report(args.second, args.labels, scout)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"| figure | {args.second.name} ({result['repos']} repos) |\n| --- | --- |")
    print(f"| labelers agree | {_fmt(result['agree'])} |")
    print(f"| … when the second says sure | {_fmt(result['agree_second_sure'])} |")
    print(f"| … when the second says unsure | {_fmt(result['agree_second_unsure'])} |")
    print(f"| the first's every blocking need, listed by the second (same command) | {_fmt(result['needs_covered'])} |")
    for name, share in (result.get("scout") or {}).items():
        print(f"| scout's pick right, {_SCOUT_ROWS[name]} | {_fmt(share)} |")
    for row in result["disagreements"]:
        first = "eval" if row["first_eval"] else "none"
        second = "eval" if row["second_eval"] else "none"
        print(
            f"  disagree {row['repo']}: first {first}, second {second} ({'sure' if row['second_sure'] else 'unsure'})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
