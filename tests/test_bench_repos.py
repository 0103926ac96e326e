"""bench/repos.py, the score over the labeled corpus, on a tiny corpus made here: the figures it
prints for each split follow from the labels, whatever labels exist, and a repo without a
checkout is skipped, not scored."""

from __future__ import annotations

import dataclasses
import json

from bench.corpus.labels import SPLITS
from bench.repos import POOLED, Outcome, _names, judge, main, score


def label(repo: str, split: str, **fields) -> dict:
    return {
        "repo": repo,
        "commit": "0" * 40,
        "field": fields.pop("field", "Computer Vision"),
        "split": split,
        "status": "labeled",
        "eval": True,
        "commands": [],
        "cwd": "",
        "needs": [],
        "not_checkpoints": [],
        "metric": None,
        **fields,
    }


def test_scores_each_split_from_the_labels(tmp_path, make_git_repo):
    corpus, labels = tmp_path / "corpus", tmp_path / "labels"
    labels.mkdir()
    make_git_repo(
        "corpus/o+evals",
        {
            "README.md": "## Evaluation\n```\npython eval.py --resume /path/to/ckpt.pth\n```\n",
            "eval.py": "import argparse\n",
        },
    )
    make_git_repo("corpus/o+lib", {"README.md": "# notes\nA list of links, nothing to run.\n"})
    make_git_repo("corpus/o+retired", {"README.md": "# audio notes\n"})
    make_git_repo(
        "corpus/o+wrong",
        {
            "README.md": "## Test\n```\npython test.py\n```\n## Other\n```\npython other.py\n```\n",
            "test.py": "",
            "other.py": "",
        },
    )
    rows = [
        label(
            "o/evals",
            "dev",
            commands=[r"^python3? eval\.py\b"],
            needs=[{"kind": "checkpoint", "what": "weights"}, {"kind": "dataset", "what": "x", "blocking": False}],
            not_checkpoints=["https://x.org/data/imagenet_val.tar (the dataset)"],
        ),
        label("o/lib", "dev", eval=False, field="Graphs"),
        label("o/wrong", SPLITS[1], commands=[r"^python3? other\.py\b"], needs=[{"kind": "gpu", "what": "cuda"}]),
        label("o/absent", SPLITS[1], commands=["^x"]),
        label("o/retired", "heldout2", eval=False, field="Audio"),  # a retired held-out draw counts as dev
        {**label("o/pending", "dev"), "status": "unavailable"},
    ]
    for row in rows:
        (labels / f"{row['repo'].replace('/', '+')}.json").write_text(json.dumps(row))
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([str(corpus), "--labels", str(labels), "--json", "--split", "all"]) == 0
    report = json.loads(out.getvalue())["splits"]
    assert set(report) == {*SPLITS, POOLED} and report[SPLITS[-1]]["repos"] == 0
    # The held-out parts pooled: the oldest held-out part's one scored repo, and the skipped ones of every part.
    assert report[POOLED]["repos"] == 1 and report[POOLED]["skipped"] == ["o/absent"]
    dev, held = report["dev"], report[SPLITS[1]]
    # Which command wins is the ranker's business; the plumbing is the score's.
    assert dev["repos"] == 3 and dev["fields"] == 3 and dev["errors"] == 0 and dev["needs_recall"]["total"] == 1
    assert dev["plan_seconds"]["median"] is not None and dev["plan_seconds"]["max"] < 5
    # The needs figures again for the repos drawn as dev and for the retired held-out draws.
    by_draw = dev["needs_by_draw"]
    assert by_draw["original"]["needs_recall"]["total"] == 1 and by_draw["retired"]["needs_recall"]["total"] == 0
    assert "needs_by_draw" in held and set(held["needs_by_draw"]) == {"original"}
    assert held["repos"] == 1 and held["skipped"] == ["o/absent"] and held["errors"] == 0
    assert [o["repo"] for o in dev["outcomes"]] == ["o/evals", "o/lib", "o/retired"]
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        main([str(corpus), "--labels", str(labels), "--split", "dev"])
    assert text.getvalue().startswith(" " * 22 + "dev ") and "heldout" not in text.getvalue()
    assert "top-1 " in text.getvalue() and "[0.8, 1.0]" in text.getvalue()
    assert "  recall, own draw" in text.getvalue()


def _plan(command, cwd="", candidates=(), needs=(), confidence=None, sure=True):
    from scout.baseline.discover.needs import Need
    from scout.baseline.discover.plan import Choice, Plan

    choices = tuple(Choice(c, "README.md", "", d) for c, d in candidates)
    needs = tuple(Need(kind, detail) for kind, detail in needs)
    return Plan("o/r", "0" * 40, command, "README.md", cwd, (), choices, needs, confidence=confidence, sure=sure)


def test_judge_against_a_label():
    from bench.corpus.labels import Label

    def make(**fields):
        data = label("o/r", "dev", **fields)
        return Label(
            "o/r", "dev", "dev", "CV", data["eval"], tuple(data["commands"]), data["cwd"], tuple(data["needs"]),
            tuple(data["not_checkpoints"]), None, data,
        )  # fmt: skip

    evals = make(
        commands=[r"^python3? other\.py\b"],
        needs=[{"kind": "gpu", "what": "cuda"}, {"kind": "dataset", "what": "x", "blocking": False}],
        not_checkpoints=["https://x.org/data/imagenet_val.tar (the dataset)"],
    )
    candidates = [("python test.py", ""), ("python demo.py", ""), ("python other.py", "")]
    wrong = judge(evals, _plan("python test.py", candidates=candidates, needs=[("dataset", "d")]), 0.1)
    assert not wrong.top1 and wrong.top3 and wrong.rank == 3 and wrong.missed_kinds == ["gpu"]
    right = judge(
        evals,
        _plan(
            "cd sub && python ../other.py",
            needs=[("gpu", "cuda only"), ("checkpoint", "the docs link one: https://x.org/data/imagenet_val.tar")],
        ),
        0.1,
    )
    assert right.checkpoint_mistakes and not right.missed_kinds
    in_folder = judge(make(commands=[r"^python3? eval\.py\b"], cwd="tools"), _plan("python tools/eval.py"), 0.1)
    assert in_folder.top1 and in_folder.rank == 1
    none = make(eval=False)
    assert judge(none, _plan(None, candidates=candidates), 0.1).top1
    assert judge(none, _plan(None, candidates=candidates), 0.1).top3
    assert not judge(none, _plan("python test.py"), 0.1).top3
    # A plan that failed lists no need: every blocking one is missed, not counted as found.
    failed = judge(evals, dataclasses.replace(_plan(None), error="ModuleNotFoundError: x"), 0.1)
    assert failed.error and not failed.top1 and failed.missed_kinds == ["gpu"]
    figures = score([wrong, right, in_folder])
    assert figures["top1"]["right"] == 1 and figures["top3"]["right"] == 2
    assert figures["needs_recall"] == {"right": 1, "total": 2, "share": 0.5}
    assert figures["needs_precision"]["right"] == 2 and figures["needs_precision"]["total"] == 3
    assert figures["checkpoint_mistakes"] == 1


def test_calibration_bins_and_ece():
    def o(confidence, right):
        return Outcome("r", "dev", "f", "dev", True, confidence=confidence, sure=confidence >= 0.8, top1=right)

    figures = score([o(0.9, True), o(0.9, True), o(0.9, False), o(0.1, False)])
    bins = figures["calibration"]["bins"]
    assert [b["n"] for b in bins] == [1, 0, 0, 0, 3]
    assert abs(figures["calibration"]["ece"] - (3 / 4 * abs(2 / 3 - 0.9) + 1 / 4 * 0.1)) < 1e-9
    assert figures["sure_precision"]["right"] == 2 and figures["sure_rate"]["right"] == 3


def test_not_checkpoint_names():
    assert "imagenet_pretrained_resnet50.pth" in _names("https://a.b/c/imagenet_pretrained_resnet50.pth")
    assert "../data/word2vec/GoogleNews-vectors-negative300.bin" in _names(
        "../data/word2vec/GoogleNews-vectors-negative300.bin (optional word embeddings)"
    )
