"""The print formats the issue lists (reprs, JSON lines, tables, RL returns, metrics at k), and the
bad input that must give a flag, never a wrong number: conflicts, NaN, escape codes."""

from __future__ import annotations

import math

import pytest

from scout.baseline.measure.logmetrics import parse_metrics_json, read_output


def values(text: str, patterns=()) -> dict[str, float]:
    return {name: m.value for name, m in read_output(text, patterns).metrics.items()}


MMSEG = """\
+---------+-------+-------+
|  Class  |  IoU  |  Acc  |
+---------+-------+-------+
|  road   | 97.88 | 98.95 |
| bicycle | 76.03 | 88.2  |
+---------+-------+-------+
Summary:
+-------+-------+-------+
|  aAcc |  mIoU |  mAcc |
+-------+-------+-------+
| 95.96 | 77.85 | 85.38 |
+-------+-------+-------+
"""
DETECTRON2 = """\
[11/20 14:25:03 d2.evaluation.coco_evaluation]: Evaluation results for bbox:
|   AP   |  AP50  |  AP75  |  APs   |  APm   |  APl   |
|:------:|:------:|:------:|:------:|:------:|:------:|
| 40.215 | 61.032 | 43.613 | 24.587 | 43.729 | 51.934 |
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # human-eval / bigcode: a dict of numpy scalars
        ("{'pass@1': np.float64(0.3512), 'pass@10': np.float64(0.5241)}", {"pass@1": 0.3512, "pass@10": 0.5241}),
        # mmdet's evaluate(): an OrderedDict
        (
            "OrderedDict([('bbox_mAP', 0.374), ('bbox_mAP_50', 0.587), ('bbox_mAP_75', 0.404)])",
            {"map": 0.374, "map50": 0.587, "map75": 0.404},
        ),
        # a JSON line with nested results (torch-fidelity style)
        ('{"results": {"fid": 12.34, "is": 8.1}, "step": 10000}', {"fid": 12.34, "inception_score": 8.1}),
        ("{'test_acc': array([0.9312], dtype=float32)}", {"test_accuracy": 0.9312}),
        ('{"eval/accuracy": 0.91, "eval/loss": 0.3, "epoch": 3.0}', {"eval_accuracy": 0.91, "eval_loss": 0.3}),
        (
            "Recall@20: 0.1823 | NDCG@20: 0.0912 | HR@10: 0.4412",
            {"recall@20": 0.1823, "ndcg@20": 0.0912, "hit@10": 0.4412},
        ),
        # cleanRL prints each episode: the mean of the last ten is the return
        (
            "global_step=1000, episodic_return=23.0\nglobal_step=2000, episodic_return=40.0\n"
            "global_step=3000, episodic_return=60.0",
            {"return": 41.0},
        ),
        ("Evaluation over 10 episodes: 200.000", {"return": 200.0}),
        ("Average return over 100 episodes: 312.5", {"return": 312.5}),
        ("mean reward: 195.30 +/- 10.12", {"return": 195.3}),
        (MMSEG, {"aacc": 0.9596, "miou": 0.7785, "macc": 0.8538}),
        (DETECTRON2, {"map": 0.40215, "map50": 0.61032, "map75": 0.43613}),
        (
            "copypaste: Task: bbox\ncopypaste: AP,AP50,AP75,APs,APm,APl\ncopypaste: 40.2150,61.0321,43.6134,24.5871",
            {},
        ),
        (
            "+--------+-------+-------+---------+\n| Metric | ds1   | ds2   | Average |\n"
            "+--------+-------+-------+---------+\n| acc    | 0.9   | 0.8   | 0.85    |\n",
            {"accuracy": 0.85},
        ),
        ("WER: 5.3% CER: 2.1%", {"wer": 0.053, "cer": 0.021}),
        ("valid bpc 1.12 | test ppl 23.4", {"val_bpc": 1.12, "test_perplexity": 23.4}),
        ("MSE: 0.0123, MAE: 0.089", {"mse": 0.0123, "mae": 0.089}),
        ("FID: 12.3 IS: 8.52 KID: 0.004", {"fid": 12.3, "inception_score": 8.52, "kid": 0.004}),
        ("Accuracy = 93.2 %", {"accuracy": 0.932}),
        ("PSNR: 32.51 dB, SSIM: 0.912", {"psnr": 32.51, "ssim": 0.912}),
        ("Best val acc: 0.92\nval acc: 0.90", {"best_val_accuracy": 0.92, "val_accuracy": 0.9}),
    ],
)
def test_formats(text, expected):
    assert values(text) == pytest.approx(expected)


def test_detectron2_copypaste_lines():
    text = (
        "copypaste: Task: bbox\ncopypaste: AP,AP50,AP75,APs,APm,APl\n"
        "copypaste: 40.2150,61.0321,43.6134,24.5871,43.7293,51.9342"
    )
    assert values(text) == pytest.approx({"map": 0.40215, "map50": 0.610321, "map75": 0.436134})


def test_units_and_lines_are_kept():
    reading = read_output("epoch 3 done\nTest Accuracy: 93.10%\n")
    metric = reading.metrics["test_accuracy"]
    assert (metric.value, metric.raw, metric.unit, metric.line, metric.line_no) == (
        0.931,
        "93.10%",
        "%",
        "Test Accuracy: 93.10%",
        2,
    )
    assert read_output("Test Accuracy: 0.9310").metrics["test_accuracy"].unit is None


def test_conflicting_lines_are_flagged():
    reading = read_output("test accuracy: 0.93\nTest Acc = 41.0%\n")
    assert reading.conflicts and "test_accuracy" in reading.conflicts[0]
    # The same line once per epoch is a series, not a conflict; so is one rounding of the same value.
    assert read_output("Test set: Accuracy: 90%\nTest set: Accuracy: 95%\n").conflicts == ()
    assert read_output("accuracy: 93.1%\nfinal acc = 0.9312\n").conflicts == ()


def test_nan_and_inf_are_seen_not_recorded_as_numbers():
    reading = read_output("Test accuracy: nan\nval loss: inf\n")
    assert set(reading.nonfinite) == {"test_accuracy", "val_loss"}
    assert all(not math.isfinite(m.value) for m in reading.metrics.values())


def test_escape_codes_and_markup_never_reach_a_name():
    reading = read_output(
        "\x1b[32mTest Accuracy: 0.9310\x1b[0m\n\x1b]8;;http://x\x07link\x1b]8;;\x07 [bold]f1[/bold]: 0.5\n"
    )
    assert values("\x1b[32mTest Accuracy: 0.9310\x1b[0m") == {"test_accuracy": 0.931}
    assert all("\x1b" not in name and "[" not in name for name in reading.metrics)
    custom = read_output("\x1b[1mscore\x1b[0m=3", [r"(?P<name>\S+)=(?P<value>\d+)"])
    assert all("\x1b" not in name for name in custom.metrics)


def test_per_class_rows_never_speak_for_the_table():
    # YOLO: the `all` row, never the last class
    text = (
        "                 Class     Images  Instances          P          R      mAP50   mAP50-95\n"
        "                   all       5000      36335      0.671      0.519      0.566      0.371\n"
        "                person       5000      10777      0.754      0.677      0.745      0.502\n"
        "            toothbrush       5000         57      0.455      0.193      0.213      0.121\n"
    )
    assert values(text) == pytest.approx({"precision": 0.671, "recall": 0.519, "map50": 0.566, "map": 0.371})


def test_a_metric_name_with_escape_codes_or_markup_is_recorded_plain():
    line = "\x1b]0;title\x07\x1b[31m<b>**my_metric**</b>\x1b[0m score: 0.5"
    metrics = read_output(line, [r"(?P<name>\S+) score: (?P<value>[\d.]+)"]).metrics
    assert list(metrics) == ["my_metric"] and metrics["my_metric"].value == 0.5
    # a name that is only markup takes the pattern's own name
    assert list(read_output("score<b></b>: 0.5", [r"score(?P<name><b></b>): (?P<value>[\d.]+)"]).metrics) == ["score"]
    assert list(parse_metrics_json('{"\\u001b[1m<i>acc</i>": 0.9}')) == ["accuracy"]
