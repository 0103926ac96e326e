"""How well does `scout baseline --plan` read repos it has never seen? The score over the labeled
corpus (bench/corpus: sample.tsv drew the repos, LABELING.md says how each label was written from
the docs alone, before scout ran on the repo).

    python bench/repos.py [CORPUS_DIR] [--split dev|heldout4|heldout5|heldout6|both|all]
                           [--labels DIR] [--json] [--verbose]

CORPUS_DIR holds the checkouts, CORPUS_DIR/<owner>+<name> (default /work/corpus). Each labeled repo
is planned in process by the library call behind `scout baseline --repo DIR --plan` (offline,
device cpu, a fresh temporary cache, no programs from this host; the clone into it is made first
and not timed), and its plan
is judged against the label by bench/corpus/labels.py. For dev and held-out side by side it prints:

- top-1: the plan's command is a labeled one (for a repo labeled `eval: false`: the plan has none);
- top-3: a labeled command is among the plan's command and its first candidates, 3 in all (for
  `eval: false`: the plan has no command);
- sure: the share of plans that say they are sure; precision when sure: top-1 among those;
- needs recall: of the repos with a blocking labeled need, the share whose every blocking need
  kind is among the plan's needs; needs precision: the share of the plan's needs whose kind the
  label names (pooled over repos);
  (and the recall again over the repos whose top-1 is right; both again for the repos drawn as the
  part they count in and for the retired held-out draws, the nearest thing dev has to unseen repos);
- checkpoint mistakes: a plan need of kind checkpoint that names one of the label's
  `not_checkpoints` (a dataset, a backbone initialisation, embeddings);
- calibration: the plans' confidence against top-1, in 5 bins, and the expected calibration error
  (only plans that carry a confidence: a fitted ranker gives one);
- plan time per repo (median, max).

`both` (the default) is dev and the newest held-out part; `all` is every part, and the held-out
parts pooled (`held-out pooled`: one part is about 35 repos). heldout, heldout2, heldout3 and
heldout4, looked at four times each, were retired into dev (bench/corpus/labels.py `RETIRED`).
Never tune scout on a held-out part: debug with `--split dev`. The labels are read from
bench/corpus/labels unless --labels names another folder; only labels with status `labeled` count,
so it works whatever subset of the corpus is labeled so far."""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus.labels import CORPUS, LABELS, RETIRED, SPLITS, Label, load, matches  # noqa: E402

BINS = 5
POOLED = "held-out pooled"  # every held-out part asked for, as one
TOP = 3
# The "done when" figures for the held-out part (shown beside the measured ones).
TARGETS = {"top1": 0.90, "top3": 0.97, "sure_precision": 0.97, "sure_rate": 0.70, "needs_recall": 0.85}
OTHER_TARGETS = {"checkpoint mistakes": "0", "plan s median / max": "max <= 1 s", "plan errors": "0"}


@dataclass
class Outcome:
    """One labeled repo, planned and judged."""

    repo: str
    split: str
    field: str
    drawn_as: str
    labeled_eval: bool
    command: str | None = None
    cwd: str = ""
    confidence: float | None = None
    sure: bool | None = None
    top1: bool = False
    top3: bool = False
    rank: int | None = None  # 1-based place of the first labeled command among the plan's candidates
    blocking_kinds: list[str] = field(default_factory=list)
    label_kinds: list[str] = field(default_factory=list)
    plan_kinds: list[str] = field(default_factory=list)
    missed_kinds: list[str] = field(default_factory=list)
    checkpoint_mistakes: list[str] = field(default_factory=list)
    seconds: float | None = None
    error: str | None = None

    def to_json(self) -> dict:
        return dict(self.__dict__)


def plan_repo(repo_dir: Path, cache: Path):
    """(the Plan, seconds the plan took): `scout baseline --repo DIR --plan`, offline, on CPU, as on
    the fresh machine the labels describe: a program this host happens to have (java, gcloud, perl)
    is still a need there."""
    from unittest import mock

    from scout.baseline.discover.needs import find_needs
    from scout.baseline.discover.plan import plan_baseline
    from scout.baseline.execute.clone import clone, targets_for
    from scout.baseline.execute.evaluate import Options
    from scout.baseline.execute.layout import Layout
    from scout.baseline.run import BaselineRequest
    from scout.config import load_settings
    from scout.session import Session

    settings = load_settings({"cache_dir": cache, "offline": True})
    request = BaselineRequest(repos=(str(repo_dir),), options=Options(), device="cpu")
    with Session(settings) as session:
        [target] = targets_for(request.repos, False, 1, session.store)
        clone(target.url, Layout(cache).repos)  # reused by the plan: the clone is not timed
        started = time.perf_counter()
        with mock.patch.dict(find_needs.__kwdefaults__, {"which": lambda program: None}):
            [plan] = plan_baseline(request, session)
        return plan, time.perf_counter() - started


_NAMES = re.compile(
    r"https?://[^\s)\"'<>]+|[\w.\-]*[/\\][\w./\\\-]+|[\w\-]+\.(?:pth|pt|ckpt|pkl|npz|h5|bin|tar|gz|zip|th|npy|safetensors)\b"
)


def _names(item: str) -> set[str]:
    """What a not_checkpoints entry names: its URLs and paths, and their file names."""
    names = set()
    for match in _NAMES.findall(item):
        match = match.rstrip(".,;:)")
        names.add(match)
        base = re.split(r"[/\\]", match.split("?")[0].rstrip("/"))[-1]
        if len(base) >= 6 and "." in base:
            names.add(base)
    return {name for name in names if len(name) >= 6}


def checkpoint_mistakes(label: Label, needs) -> list[str]:
    """The plan's checkpoint needs that name something the label says is not a checkpoint."""
    wrong = []
    for need in needs:
        if need.kind != "checkpoint":
            continue
        if any(name in need.detail for item in label.not_checkpoints for name in _names(item)):
            wrong.append(need.detail)
    return wrong


def failed(label: Label, error: str, seconds: float | None = None) -> Outcome:
    """A repo scout gave no plan for: no command, and none of its blocking needs listed."""
    out = Outcome(label.repo, label.split, label.field, label.drawn_as, label.eval, seconds=seconds, error=error)
    out.blocking_kinds = sorted({need.get("kind", "?") for need in label.blocking_needs})
    out.missed_kinds = list(out.blocking_kinds)
    return out


def judge(label: Label, plan, seconds: float | None) -> Outcome:
    if plan.error:
        return failed(label, plan.error, seconds)
    out = Outcome(label.repo, label.split, label.field, label.drawn_as, label.eval, seconds=seconds)
    out.blocking_kinds = sorted({need.get("kind", "?") for need in label.blocking_needs})
    out.label_kinds = sorted({need.get("kind", "?") for need in label.needs})
    out.command, out.cwd, out.confidence, out.sure = plan.command, plan.cwd, plan.confidence, plan.sure
    out.top1 = matches(label, plan.command, plan.cwd)
    ranked = ([(plan.command, plan.cwd)] if plan.command is not None else []) + [
        (c.command, c.cwd) for c in plan.candidates if (c.command, c.cwd) != (plan.command, plan.cwd)
    ]
    if label.eval:
        out.rank = next((i + 1 for i, (cmd, cwd) in enumerate(ranked) if matches(label, cmd, cwd)), None)
        out.top3 = out.rank is not None and out.rank <= TOP
    else:
        out.top3 = plan.command is None
    out.plan_kinds = [need.kind for need in plan.needs]
    out.missed_kinds = [kind for kind in out.blocking_kinds if kind not in set(out.plan_kinds)]
    out.checkpoint_mistakes = checkpoint_mistakes(label, plan.needs)
    return out


def needs_scores(outcomes: list[Outcome]) -> dict:
    """Needs recall (and over the right top-1s), precision and checkpoint mistakes of some outcomes."""
    with_needs = [o for o in outcomes if o.blocking_kinds]
    plan_needs = [(o, kind) for o in outcomes for kind in o.plan_kinds]
    return {
        "needs_recall": _share(sum(not o.missed_kinds for o in with_needs), len(with_needs)),
        # The same, over the repos whose top-1 is right: what the needs pass finds on the right command.
        "needs_recall_top1": _share(
            sum(not o.missed_kinds for o in with_needs if o.top1), sum(o.top1 for o in with_needs)
        ),
        "needs_precision": _share(sum(kind in o.label_kinds for o, kind in plan_needs), len(plan_needs)),
        "checkpoint_mistakes": sum(len(o.checkpoint_mistakes) for o in outcomes),
    }


def score(outcomes: list[Outcome]) -> dict:
    """The figures for one split."""
    n = len(outcomes)
    sure = [o for o in outcomes if o.sure]
    rated = [o for o in outcomes if o.confidence is not None]
    bins = []
    for b in range(BINS):
        lo, hi = b / BINS, (b + 1) / BINS
        inside = [o for o in rated if lo <= o.confidence < hi or (b == BINS - 1 and o.confidence == 1.0)]
        bins.append(
            {
                "range": [lo, hi],
                "n": len(inside),
                "confidence": statistics.fmean(o.confidence for o in inside) if inside else None,
                "accuracy": sum(o.top1 for o in inside) / len(inside) if inside else None,
            }
        )
    ece = sum(b["n"] / len(rated) * abs(b["accuracy"] - b["confidence"]) for b in bins if b["n"]) if rated else None
    times = [o.seconds for o in outcomes if o.seconds is not None]
    return {
        "repos": n,
        "fields": len({o.field for o in outcomes}),
        "top1": _share(sum(o.top1 for o in outcomes), n),
        "top3": _share(sum(o.top3 for o in outcomes), n),
        "sure_rate": _share(len(sure), n),
        "sure_precision": _share(sum(o.top1 for o in sure), len(sure)),
        **needs_scores(outcomes),
        # The needs rules were written from the repos drawn as dev; the retired held-out draws are
        # the nearest thing the development part has to repos they never saw.
        "needs_by_draw": {
            drawn: needs_scores([o for o in outcomes if (o.drawn_as in RETIRED) == (drawn == "retired")])
            for drawn in ("original", "retired")
            if any((o.drawn_as in RETIRED) == (drawn == "retired") for o in outcomes)
        },
        "calibration": {"rated": len(rated), "bins": bins, "ece": ece},
        "plan_seconds": {
            "median": statistics.median(times) if times else None,
            "max": max(times) if times else None,
        },
        "errors": sum(o.error is not None for o in outcomes),
    }


def _share(right: int, total: int) -> dict:
    return {"right": right, "total": total, "share": right / total if total else None}


def _fmt_share(s: dict) -> str:
    return "-" if not s["total"] else f"{s['right']}/{s['total']} {100 * s['share']:.0f}%"


def _fmt_num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def render(scores: dict[str, dict], skipped: dict[str, list[str]]) -> str:
    splits = list(scores)
    rows = [
        ("repos (fields)", lambda s: f"{s['repos']} ({s['fields']})"),
        ("top-1", lambda s: _fmt_share(s["top1"])),
        ("top-3", lambda s: _fmt_share(s["top3"])),
        ("sure", lambda s: _fmt_share(s["sure_rate"])),
        ("precision when sure", lambda s: _fmt_share(s["sure_precision"])),
        ("needs recall", lambda s: _fmt_share(s["needs_recall"])),
        ("  when top-1 right", lambda s: _fmt_share(s["needs_recall_top1"])),
        ("needs precision", lambda s: _fmt_share(s["needs_precision"])),
        ("checkpoint mistakes", lambda s: str(s["checkpoint_mistakes"])),
        ("ECE (plans rated)", lambda s: f"{_fmt_num(s['calibration']['ece'])} ({s['calibration']['rated']})"),
        (
            "plan s median / max",
            lambda s: f"{_fmt_num(s['plan_seconds']['median'], 2)} / {_fmt_num(s['plan_seconds']['max'], 2)}",
        ),
        ("plan errors", lambda s: str(s["errors"])),
    ]
    width = 22
    lines = ["".ljust(width) + "".join(split.ljust(width) for split in splits) + "target (held-out)"]
    keys = [None, "top1", "top3", "sure_rate", "sure_precision", "needs_recall", None, None, None, None, None, None]
    for (name, cell), key in zip(rows, keys, strict=True):
        target = f">= {TARGETS[key]:.0%}" if key in TARGETS else OTHER_TARGETS.get(name, "")
        lines.append(name.ljust(width) + "".join(cell(scores[s]).ljust(width) for s in splits) + target)
    # The needs rows again, for the repos drawn as the part they count in and for the retired draws.
    for drawn, name in (("original", "own draw"), ("retired", "retired")):
        for key, title in (("needs_recall", "recall"), ("needs_precision", "precision")):
            cells = [scores[s].get("needs_by_draw", {}).get(drawn, {}).get(key) for s in splits]
            if any(cells):
                row = "".join((_fmt_share(c) if c else "-").ljust(width) for c in cells)
                lines.append(f"  {title}, {name}".ljust(width) + row)
    lines.append("")
    lines.append("calibration: confidence bin -> n, mean confidence, share right")
    for b in range(BINS):
        lo, hi = b / BINS, (b + 1) / BINS
        label = f"  [{lo:.1f}, {hi:.1f}{']' if b == BINS - 1 else ')'}".ljust(width)
        cells = []
        for split in splits:
            item = scores[split]["calibration"]["bins"][b]
            cells.append(
                f"{item['n']:>3}  {_fmt_num(item['confidence'], 2)}  {_fmt_num(item['accuracy'], 2)}".ljust(width)
            )
        lines.append(label + "".join(cells))
    for split, names in skipped.items():
        if names:
            lines.append(f"\n{split}: {len(names)} labeled repo(s) without a checkout, not scored: {', '.join(names)}")
    return "\n".join(lines)


def verbose_line(o: Outcome) -> str:
    verdict = "right" if o.top1 else ("top-3" if o.top3 else "WRONG")
    confidence = "-" if o.confidence is None else f"{o.confidence:.2f}{'' if o.sure else '?'}"
    parts = [f"[{o.split}] {o.repo} ({o.field}): {verdict}", f"conf {confidence}", f"rank {o.rank or '-'}"]
    parts.append(f"plan: {o.command if o.command is not None else 'none'}" + (f" (in {o.cwd})" if o.cwd else ""))
    if not o.labeled_eval:
        parts.append("label: no evaluation")
    if o.missed_kinds:
        parts.append(f"missed needs: {', '.join(o.missed_kinds)}")
    if o.checkpoint_mistakes:
        parts.append(f"not checkpoints called checkpoints: {len(o.checkpoint_mistakes)}")
    if o.error:
        parts.append(f"error: {o.error}")
    if o.seconds is not None:
        parts.append(f"{o.seconds:.2f} s")
    return " | ".join(parts)


def run(corpus: Path, splits: tuple[str, ...], labels_dir: Path, verbose: bool = False, out=None):
    """(scores by split, per-repo outcomes by split, repos skipped for want of a checkout)."""
    scores, outcomes, skipped = {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="scout-bench-repos-") as tmp:
        cache = Path(tmp) / "cache"
        for split in splits:
            outcomes[split], skipped[split] = [], []
            for label in load(split, labels_dir):
                repo_dir = corpus / label.folder
                if not repo_dir.is_dir():
                    skipped[split].append(label.repo)
                    continue
                try:
                    plan, seconds = plan_repo(repo_dir, cache)
                    outcome = judge(label, plan, seconds)
                except Exception as exc:  # noqa: BLE001 - a crash on one repo is a score, not the end
                    outcome = failed(label, f"{type(exc).__name__}: {exc}")
                outcomes[split].append(outcome)
                if verbose and out is not None:
                    print(verbose_line(outcome), file=out, flush=True)
            scores[split] = score(outcomes[split])
    held_out = [split for split in splits if split != "dev"]
    # One part is small (about 35 repos): the parts pooled give the steadier held-out figure.
    if len(held_out) > 1:
        scores[POOLED] = score([o for split in held_out for o in outcomes[split]])
        outcomes[POOLED], skipped[POOLED] = [], [name for split in held_out for name in skipped[split]]
    return scores, outcomes, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "corpus", nargs="?", default=str(CORPUS), help="checkouts as <owner>+<name> (default %(default)s)"
    )
    parser.add_argument(
        "--split",
        choices=(*SPLITS, "both", "all"),
        default="both",
        help="a part, both (dev and the newest held-out part) or all (default %(default)s)",
    )
    parser.add_argument("--labels", default=str(LABELS), help="the label folder (default %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the figures and every repo's outcome as JSON")
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per repo as it is planned (stderr)")
    args = parser.parse_args(argv)
    corpus, labels_dir = Path(args.corpus), Path(args.labels)
    if not labels_dir.is_dir():
        print(f"error: no label folder {labels_dir}; pass --labels DIR", file=sys.stderr)
        return 1
    splits = {"both": ("dev", SPLITS[-1]), "all": SPLITS}.get(args.split, (args.split,))
    scores, outcomes, skipped = run(corpus, splits, labels_dir, args.verbose, sys.stderr)
    if args.json:
        # The pooled part lists no outcomes of its own: they are its parts'.
        report = {
            split: {**scores[split], "skipped": skipped[split], "outcomes": [o.to_json() for o in outcomes[split]]}
            for split in scores
        }
        print(json.dumps({"schema": 1, "corpus": str(corpus), "labels": str(labels_dir), "splits": report}, indent=2))
    else:
        print(render(scores, skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
