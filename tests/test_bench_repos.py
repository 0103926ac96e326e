"""bench/repos.py, the score over the labeled corpus, on a tiny corpus made here: the figures it
prints for each split follow from the labels, whatever labels exist, and a repo without a
checkout is skipped, not scored."""

from __future__ import annotations

import json

from bench.repos import Outcome, _names, main, score


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
        label("o/wrong", "heldout", commands=[r"^python3? other\.py\b"], needs=[{"kind": "gpu", "what": "cuda"}]),
        label("o/absent", "heldout", commands=["^x"]),
        {**label("o/pending", "dev"), "status": "unavailable"},
    ]
    for row in rows:
        (labels / f"{row['repo'].replace('/', '+')}.json").write_text(json.dumps(row))
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([str(corpus), "--labels", str(labels), "--json"]) == 0
    report = json.loads(out.getvalue())["splits"]
    dev, held = report["dev"], report["heldout"]
    assert dev["repos"] == 2 and dev["fields"] == 2 and dev["top1"]["right"] == 2 and dev["top3"]["right"] == 2
    assert dev["needs_recall"] == {"right": 1, "total": 1, "share": 1.0}
    assert dev["checkpoint_mistakes"] == 0 and dev["plan_seconds"]["median"] is not None
    assert held["repos"] == 1 and held["skipped"] == ["o/absent"]
    [wrong] = held["outcomes"]
    assert not wrong["top1"] and wrong["top3"] and wrong["rank"] == 2 and wrong["missed_kinds"] == ["gpu"]
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        main([str(corpus), "--labels", str(labels), "--split", "dev"])
    assert "top-1                 2/2 100%" in text.getvalue() and "heldout" not in text.getvalue()


def test_calibration_bins_and_ece():
    def o(confidence, right):
        return Outcome("r", "dev", "f", True, confidence=confidence, sure=confidence >= 0.8, top1=right)

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
