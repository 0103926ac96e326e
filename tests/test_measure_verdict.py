"""Headline vs claim, the verdict rule on both sides of its tolerance, seeds and their aggregate,
suspicious output, and the export."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from scout.baseline.measure.assess import assess, verdict
from scout.baseline.measure.claims import Claim, paper_claims, readme_claims
from scout.baseline.measure.export import eval_results_yaml, rows, to_csv
from scout.baseline.measure.headline import pick
from scout.baseline.measure.logmetrics import read_output
from scout.baseline.measure.seeds import aggregate, parse_seeds
from scout.baseline.measure.verdict import judge, tolerance
from scout.errors import ConfigError
from scout.models import Run


def doc(text: str, path: str = "README.md"):
    return SimpleNamespace(path=path, text=text)


# -- the verdict rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "claim", "values", "expected"),
    [
        # accuracy-like: one percentage point
        ("test_accuracy", 0.94, [0.931], "reproduced"),  # 0.9 points short: inside
        ("test_accuracy", 0.94, [0.929], "not_reproduced"),  # 1.1 points short: outside
        ("test_accuracy", 0.94, [0.951], "better"),
        ("test_accuracy", 0.94, [0.949], "reproduced"),
        # lower is better: 2% of the claim
        ("test_perplexity", 62.62, [63.8], "reproduced"),  # +1.9%
        ("test_perplexity", 62.62, [64.0], "not_reproduced"),  # +2.2%
        ("test_perplexity", 62.62, [61.0], "better"),
        ("fid", 10.0, [10.19], "reproduced"),
        ("fid", 10.0, [10.21], "not_reproduced"),
        # RL return: 10%
        ("return", 200.0, [181.0], "reproduced"),
        ("return", 200.0, [179.0], "not_reproduced"),
    ],
)
def test_verdict_on_both_sides_of_the_task_tolerance(metric, claim, values, expected):
    assert judge(metric, claim, values)[0] == expected


def test_the_spread_of_three_seeds_widens_the_tolerance():
    # mean 0.925, std 0.01: 2 std = 0.02 > the 0.01 task tolerance, so 0.94 is inside (1.5 points off)
    assert judge("accuracy", 0.94, [0.915, 0.925, 0.935]) == ("reproduced", pytest.approx(0.02))
    # the same spread over two seeds does not count (fewer than 3)
    assert judge("accuracy", 0.94, [0.9179, 0.9321])[0] == "not_reproduced"
    # just outside 2 std
    assert judge("accuracy", 0.96, [0.915, 0.925, 0.935])[0] == "not_reproduced"
    assert tolerance("accuracy", 0.94, 0.001, 3) == 0.01


# -- seeds ----------------------------------------------------------------------------------------


def test_seeds_parse_and_aggregate():
    assert parse_seeds("3") == [0, 1, 2] and parse_seeds("3", 10) == [10, 11, 12]
    assert parse_seeds("0,1,7,1") == [0, 1, 7]
    for bad in ("0", "x", "1,,a", "1000"):
        with pytest.raises(ConfigError):
            parse_seeds(bad)
    stats = aggregate([0.915, 0.925, 0.935])
    assert stats["mean"] == pytest.approx(0.925) and stats["std"] == pytest.approx(0.01)
    # t(2) = 4.303: 0.925 ± 4.303 * 0.01 / sqrt(3)
    assert stats["ci95"] == [pytest.approx(0.925 - 0.024843, abs=1e-5), pytest.approx(0.925 + 0.024843, abs=1e-5)]
    assert stats["deterministic"] is False
    same = aggregate([0.931, 0.931, 0.931])
    assert same["deterministic"] is True and same["std"] == 0.0
    assert aggregate([0.5])["std"] is None and aggregate([])["n"] == 0


# -- claims and the headline ----------------------------------------------------------------------

README = """\
# tiny

## Results

| Model | Top-1 Acc (%) | Params |
|---|---|---|
| ours-small | 93.9 | 1.2M |
| ours-large | 95.1 | 11M |

Training loss reaches 0.01.
"""


def test_readme_table_claims_and_the_headline_on_the_claimed_split():
    claims = readme_claims([doc(README)])
    assert (claims[0].metric, claims[0].value, claims[0].context) == ("top1", 0.939, "ours-small 1.2M")
    reading = read_output("epoch 9 train loss 0.01\nval acc: 0.95\ntest acc: 0.936\n")
    headline, claim, note = pick(reading, claims)
    assert (headline.name, headline.value, headline.split, headline.line) == (
        "test_accuracy",
        0.936,
        "test",
        "test acc: 0.936",
    )
    assert headline.matches_claim == "Top-1 Acc (%)" and note is None


def test_a_keras_log_gives_the_held_out_number_never_the_training_accuracy_beside_it():
    # philipperemy/keras-tcn @ 7576256b8b2a138b88ae2483b8616681686e424f: tasks/mnist_pixel/main.py prints
    # Keras' fit lines (README.md:243); the claim names no split, and the bare accuracy is the training one.
    bar = "1875/1875 [==============================] - 46s 25ms/step"
    output = f"{bar} - loss: 0.0453 - accuracy: 0.9858 - val_loss: 0.0424 - val_accuracy: 0.9862\n"
    claim = Claim("accuracy", 0.9862, "0.9862", "accuracy", "README.md", score=1.0)
    headline, _, note = pick(read_output(output), [claim])
    assert (headline.name, headline.value, headline.split, note) == ("val_accuracy", 0.9862, "val", None)


def test_the_command_picks_the_row_it_runs():
    found = assess(read_output("test acc: 0.95"), readme_claims([doc(README)]), "python eval.py --model ours-large")
    assert found.claim["context"].startswith("ours-large") and found.claim["value_as_measured"] == 0.951


def test_no_matching_metric_means_no_headline_not_a_loss():
    claims = readme_claims([doc(README)])
    headline, claim, note = pick(read_output("train loss: 0.3\nval loss: 0.4"), claims)
    assert headline is None and claim.metric == "top1"
    assert note == "ran; the paper's metric (Top-1 Acc (%)) was not found in the output"


def test_error_claims_compare_with_accuracy_and_prose_claims():
    claims = readme_claims([doc("Expected result: 2.63% test error rate with 3.3M model params.")])
    assert (claims[0].metric, claims[0].value) == ("test_error", 0.0263)
    found = assess(read_output("test_acc 97.370000"), claims)
    assert found.headline["name"] == "test_accuracy"
    assert found.claim["value_as_measured"] == pytest.approx(0.9737)


def test_pasted_output_and_bullets_are_claims():
    claims = readme_claims([doc("## Evaluate\n\n```\nBLEU score : 0.0007947\n```\n")])
    assert (claims[0].metric, claims[0].value) == ("bleu", 0.0007947)
    bullets = "## DeepFM\nSome results (AUC) on the demo dataset:\n* FM only: 0.684\n* DeepFM: 0.692\n"
    # the item named like its section ("DeepFM" under "## DeepFM") ranks first
    assert [(c.metric, c.value) for c in readme_claims([doc(bullets)])][:2] == [("auc", 0.692), ("auc", 0.684)]


def test_no_claim_means_the_docs_metric_and_never_a_train_split():
    headline, claim, _ = pick(read_output("train acc: 0.99\ntrain loss: 0.1\nval loss: 1.2"), [], "the val loss")
    assert claim is None and headline.name == "val_loss" and headline.matches_claim is None
    assert pick(read_output("train acc: 0.99\ntrain loss: 0.1"), [])[0] is None


def test_paper_claims_take_the_best_value_per_metric():
    rows_ = [
        {"metric": "Accuracy", "value": 93.0, "raw": "93.0", "dataset": "CIFAR-10", "task": "cls"},
        {"metric": "Accuracy", "value": 95.0, "raw": "95.0", "dataset": "CIFAR-10", "task": "cls"},
    ]
    [claim] = paper_claims(rows_)
    assert (claim.metric, claim.value, claim.source) == ("accuracy", 0.95, "Papers with Code")


# -- suspicious output ------------------------------------------------------------------------------

CLAIM = [Claim("accuracy", 0.93, "93.0", "Accuracy", "README.md § Results")]


@pytest.mark.parametrize(
    ("output", "flag"),
    [
        ("accuracy: 0.93\nAcc = 41.0%\n", "conflict: accuracy is printed with different values"),
        ("accuracy: nan\n", "non-finite: accuracy"),
        ("accuracy: 730\n", "out of range: accuracy = 730 is outside 0-100%"),
    ],
)
def test_suspicious_output_is_flagged_and_never_the_headline(output, flag):
    found = assess(read_output(output), CLAIM)
    assert found.headline is None and any(f.startswith(flag) for f in found.flags), found.flags
    assert found.note


def test_negative_fid_and_small_perplexity_are_out_of_range():
    flags = assess(read_output("FID: -3.2\ntest ppl: 0.5"), []).flags
    assert any("fid = -3.2 is negative" in f for f in flags) and any("below 1" in f for f in flags)


def test_a_number_written_into_the_code_or_a_stored_result_is_flagged(tmp_path):
    (tmp_path / "eval.py").write_text("print('Test accuracy: 0.9310')\n")
    found = assess(read_output("Test accuracy: 0.9310"), CLAIM, repo_root=tmp_path)
    assert found.headline is None and any("eval.py prints the number 0.9310" in f for f in found.flags)
    (tmp_path / "eval.py").write_text("print(f'Test accuracy: {acc:.4f}')\n")
    (tmp_path / "results.txt").write_text("Test accuracy: 0.9310\n")
    found = assess(read_output("Test accuracy: 0.9310"), CLAIM, repo_root=tmp_path)
    assert found.headline is None and any("already in results.txt" in f for f in found.flags)
    (tmp_path / "results.txt").unlink()
    assert assess(read_output("Test accuracy: 0.9310"), CLAIM, repo_root=tmp_path).headline["value"] == 0.931


def test_huge_output_reads_only_its_last_lines(monkeypatch):
    from scout.baseline.measure import logmetrics

    monkeypatch.setattr(logmetrics, "MAX_LINES", 1000)
    noise = "iter 1: loss 2.2251, lr 0.001\n"
    text = "test accuracy: 0.11\n" + noise * 5000 + "test accuracy: 0.93\n"
    reading = read_output(text)
    assert reading.metrics["test_accuracy"].value == 0.93 and reading.conflicts == ()


# -- the verdict of runs and the export --------------------------------------------------------------


def _run(run_id: str, value: float | None, seed: int = 0, group: str | None = "g-1", status: str = "ok") -> Run:
    claim = {
        "metric": "Accuracy",
        "name": "accuracy",
        "value": 0.94,
        "measured_as": "test_accuracy",
        "value_as_measured": 0.94,
        "source": "README.md § Results",
        "context": "ours",
        "dataset": "CIFAR-10",
    }
    metrics = {"test_accuracy": value} if value is not None else {}
    headline = {"name": "test_accuracy", "value": value, "unit": None, "split": "test"} if value is not None else None
    return Run(
        run_id,
        "https://github.com/o/r",
        f"2026-12-04T00:00:0{seed}Z",
        status,
        commit="a" * 40,
        command="python eval.py",
        seed=seed,
        metrics=metrics,
        headline=headline,
        claim=claim,
        group=group,
        log=f"/x/{run_id}/log.txt",
        message=None if status == "ok" else "exited with status 1: needs a GPU",
    )


def test_verdict_of_a_group_and_of_failures():
    runs = [_run("r1", 0.925, 0), _run("r2", 0.915, 1), _run("r3", 0.935, 2)]
    result = verdict(runs)
    assert result["verdict"] == "reproduced" and result["tolerance"] == pytest.approx(0.02)
    assert result["metrics"]["test_accuracy"]["n"] == 3
    failed = verdict([_run("r4", None, status="failed")])
    assert failed == {
        "verdict": "not_attempted",
        "reason": "exited with status 1: needs a GPU",
        "tolerance": None,
        "metrics": {},
    }
    assert verdict([Run("r5", "x", "t", "ok", metrics={"accuracy": 0.9})])["verdict"] is None  # no claim


def test_export_rows_csv_and_eval_results_yaml():
    runs = [_run("r1", 0.925, 0), _run("r2", 0.915, 1), _run("r3", 0.935, 2), _run("r9", 0.93, group=None)]
    group = {
        "id": "g-1",
        "runs": ["r1", "r2", "r3"],
        "seeds": [0, 1, 2],
        "statuses": ["ok"] * 3,
        "headline": "test_accuracy",
        "aggregate": {"test_accuracy": aggregate([0.925, 0.915, 0.935])},
        "claim": runs[0].claim,
        "verdict": "reproduced",
        "tolerance": 0.02,
    }
    items = rows(runs, [group])
    assert [i["id"] for i in items] == ["g-1", "r9"]
    assert items[0]["measured"] == pytest.approx(0.925) and items[0]["n"] == 3 and items[0]["seeds"] == "0,1,2"
    csv_text = to_csv(items)
    assert csv_text.splitlines()[0].startswith("id,group,repo,commit,command") and "reproduced" in csv_text
    yaml = eval_results_yaml(items[0])
    assert '    id: "uoft-cs/cifar10"' in yaml and '    task_id: "test_accuracy"' in yaml
    assert "  value: 0.925" in yaml and "/tree/" + "a" * 40 in yaml and "mean of 3 seeds" in yaml
    assert json.loads(yaml.split("value: ")[1].splitlines()[0]) == 0.925
