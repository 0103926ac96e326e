"""The metric reader on real evaluation output (tests/data/logs, sources in SOURCES.md), and on
the print formats of repos whose logs need a GPU or a dataset scout cannot fetch here."""

from __future__ import annotations

from pathlib import Path

import pytest

from scout.baseline.measure.logmetrics import headline_first, parse_output

LOGS = Path(__file__).parent / "data" / "logs"


def values(text: str) -> dict[str, float]:
    return {name: metric.value for name, metric in parse_output(text).items()}


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        # The YOLO table first (P R mAP50 mAP50-95 of the `all` row), then pycocotools wins for AP.
        (
            "yolov5_val_coco.txt",
            {"precision": 0.671, "recall": 0.519, "map": 0.374, "map50": 0.572, "map75": 0.402, "ar": 0.566},
        ),
        ("yolov7_readme_coco.txt", {"map": 0.51206, "map50": 0.6973, "map75": 0.55521, "ar": 0.68772}),
        ("convnext_readme_eval.txt", {"top1": 0.8582, "top5": 0.97868, "loss": 0.563}),
        ("ng_video_lecture_bigram.txt", {"train_loss": 2.4738, "val_loss": 2.4911}),
        ("makemore_bigram.txt", {"train_loss": 3.1172914505, "test_loss": 3.1151447296}),
        ("pytorch_examples_regression.txt", {"loss": 0.000978}),
        # Printed before the --timeout killed it: the scores of iteration 0, then a training line.
        ("mingpt_adder.txt", {"train_accuracy": 0.0018, "test_accuracy": 0.0, "train_loss": 1.57592}),
    ],
)
def test_real_logs(log, expected):
    assert values((LOGS / log).read_text(encoding="utf-8")) == expected


def test_coco_iou_numbers_are_never_values():
    parsed = values((LOGS / "yolov7_readme_coco.txt").read_text())
    assert 0.5 not in parsed.values() and 0.95 not in parsed.values() and "iou" not in parsed


def test_print_formats():
    # weiaicunzai/pytorch-cifar100 test.py: print("Top 1 err: ", 1 - correct_1 / n) prints a tensor.
    assert values("Top 1 err:  tensor(0.2387, device='cuda:0')\nTop 5 err:  tensor(0.0710)") == {
        "top1_error": 0.2387,
        "top5_error": 0.071,
    }
    # facebookresearch/dino eval_knn.py: one result per k, kept apart.
    knn = "10-NN classifier result: Top1: 74.5, Top5: 88.2\n20-NN classifier result: Top1: 76.1, Top5: 89.0\n"
    assert values(knn) == {"10nn_top1": 0.745, "10nn_top5": 0.882, "20nn_top1": 0.761, "20nn_top5": 0.89}
    # KellerJordan/cifar10-airbench print_columns table and its summary line.
    table = (
        "|  run   |  epoch  |  train_loss  |  train_acc  |  val_acc  |  tta_val_acc  |  total_time_seconds  |\n"
        "|  warmup  |     0  |      2.3026  |     0.1000  |   0.1000  |               |              0.0000  |\n"
        "|      0  |   eval  |              |             |   0.9388  |       0.9401  |              3.8292  |\n"
        "Mean: 0.9401    Std: 0.0014\n"
    )
    assert values(table) == {
        "train_loss": 2.3026,
        "train_accuracy": 0.1,
        "val_accuracy": 0.9388,
        "tta_val_acc": 0.9401,
        "mean_tta_val_acc": 0.9401,
    }
    # kuangliu/pytorch-cifar utils.progress_bar: the last bar printed is the test pass.
    bar = " [=========>]  Step: 11ms | Tot: 1s476ms | Loss: 0.389 | Acc: 87.120% (8712/10000) 100/100 \r"
    assert values(bar) == {"loss": 0.389, "accuracy": 0.8712}
    # The split named on the line before (pytorch/examples mnist prints "Test set: ..." on one line).
    assert values("Test set:\nAverage loss: 0.0320, Accuracy: 9890/10000 (99%)") == {
        "test_loss": 0.032,
        "test_accuracy": 0.989,
    }
    assert values("acc tensor(0.9300)") == {"accuracy": 0.93}
    # A training-progress line is never an evaluation.
    assert values("iter 10: loss 2.2251, err 0.5") == {}


def test_headline_is_the_metric_the_readme_names():
    metrics = parse_output((LOGS / "yolov5_val_coco.txt").read_text())
    readme = "YOLOv5s reaches 37.4 mAP on COCO; mAP@0.5:0.95 is the headline. mAP val values for single-model"
    assert next(iter(headline_first(metrics, readme))) == "map"
    metrics = parse_output((LOGS / "ng_video_lecture_bigram.txt").read_text())
    assert next(iter(headline_first(metrics, "no numbers named here"))) == "train_loss"
    assert next(iter(headline_first(metrics, "the val loss drops to 1.48"))) == "val_loss"
