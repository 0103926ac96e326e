"""Metric parsing on output formats seen in real research repos."""

from __future__ import annotations

import pytest

from scout.baseline.measure.logmetrics import custom_metric_name, parse_metrics_json, parse_output
from scout.errors import ConfigError, ParseError
from scout.metrics import canonical_name


def values(text: str, patterns=()) -> dict[str, float]:
    return {name: metric.value for name, metric in parse_output(text, patterns).items()}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("test loss: 2.19", {"test_loss": 2.19}),
        ("step 250: train loss 2.4738, val loss 2.4911", {"train_loss": 2.4738, "val_loss": 2.4911}),
        ("30/500 = 6.00% correct", {"accuracy": 0.06}),
        ("Accuracy: 0.939", {"accuracy": 0.939}),
        (
            "Test set: Average loss: 0.0335, Accuracy: 9890/10000 (99%)",
            {"test_loss": 0.0335, "test_accuracy": 0.989},
        ),
        ("Accuracy of the network on the 10000 test images: 54 %", {"test_accuracy": 0.54}),
        ("top1=76.13 top5: 93.1%", {"top1": 0.7613, "top5": 0.931}),
        ("mAP@0.5: 0.512 mAP: 0.33", {"map50": 0.512, "map": 0.33}),
        ("F1-score: 88.5", {"f1": 0.885}),
        ("BLEU = 27.31 60.1/33.4/20.0", {"bleu": 27.31}),
        ("eval perplexity: 20.5", {"eval_perplexity": 20.5}),
    ],
)
def test_real_world_formats(text, expected):
    assert values(text) == pytest.approx(expected)


def test_training_progress_lines_are_not_evaluations():
    log = "iter 0: loss 4.2000, time 30.12ms, mfu 5.00%\niter 10: loss 2.2251, time 29.80ms\n"
    assert values(log) == {}
    assert values(log + "step 20: train loss 2.1, val loss 2.3\n") == {"train_loss": 2.1, "val_loss": 2.3}


def test_last_occurrence_wins_and_progress_bars_split_on_carriage_return():
    log = (
        "Epoch 1 | val loss 0.9 acc 61.0\n"
        " 50%|#####     | 5/10 [00:01<00:01, loss=0.3]\r100%|##########| 10/10 [00:02<00:00, loss=0.2]\n"
        "Epoch 2 | val loss 0.7 acc 70.5\n"
    )
    parsed = parse_output(log)
    assert {k: m.value for k, m in parsed.items()} == {"val_loss": 0.7, "val_accuracy": 0.705}
    assert parsed["val_accuracy"].raw == "70.5"  # the text as printed is kept


def test_unknown_names_are_ignored_and_custom_regex_reads_them():
    log = "lr=0.001 seed: 0 batch 64\nscore: 12.5\n"
    assert values(log) == {}
    assert values(log, [r"score: ([\d.]+)"]) == {"score": 12.5}
    assert values(log, [r"(?P<name>lr)=(?P<value>[\d.]+)"]) == {"lr": 0.001}


def test_bad_custom_regex_is_a_config_error():
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        parse_output("x", ["("])


def test_names_fold_to_one_spelling():
    assert canonical_name("Top-1 Accuracy") == "top1"
    assert canonical_name("val_loss") == "val_loss"
    assert canonical_name("Test Acc") == "test_accuracy"
    assert custom_metric_name(r"(?i)bleu4 = ([\d.]+)") == "bleu"
    assert custom_metric_name(r"Reward: ([\d.]+)") == "reward"


def test_metrics_json_file():
    parsed = parse_metrics_json('{"accuracy": "93.1%", "eval": {"loss": 0.25}, "note": "n/a"}')
    assert {k: m.value for k, m in parsed.items()} == {"accuracy": 0.931, "eval_loss": 0.25}
    with pytest.raises(ParseError):
        parse_metrics_json("[1, 2]")


def test_correlation_pose_flow_and_tracking_metrics_are_known_with_their_scale_and_direction():
    from scout.baseline.measure.logmetrics import read_output
    from scout.metrics import higher_is_better, normalize

    reading = read_output("pearson: 0.885, spearman: 0.881\nTest ROC-AUC: 0.7706\nNME: 3.98%\nAEPE 2.10")
    assert set(reading.metrics) == {"pearson", "spearman", "test_auc", "nme", "epe"}
    assert normalize("pearson", 88.5, "88.5") == 0.885  # STS papers print correlations x100
    assert not higher_is_better("nme") and not higher_is_better("epe") and higher_is_better("mota")
