"""Metric names and values as papers and logs print them: "Top-1 Acc" and "acc@1" are one
metric (top1), "79.2%", "1.2M", "0.57×1e-4" and "85.1 ± 0.3" become numbers.

Scale: accuracy-like metrics (accuracy, top1, top5, mAP, F1, precision, recall, AUC, IoU, Dice,
error rates) are fractions in 0-1. "93.9%", "93.9" and "0.939" all become 0.939, and a paper's
"93.9" does too, so measured and reported numbers compare directly. Every other metric (loss,
perplexity, BLEU, ...) keeps the scale it was printed on, except that a "%" sign divides by 100."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_NUMBER = r"[-+]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][-+]?\d+)?"
_VALUE = re.compile(
    rf"^\s*(?P<num>{_NUMBER})\s*(?:(?:×|x|\*)\s*(?:10\^|1e)(?P<exp>[-+]?\d+))?\s*(?P<unit>%|[kKmMbBgG])?(?![a-zA-Z])"
)
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9}


@dataclass(frozen=True)
class MetricValue:
    value: float
    unit: str | None  # "%" for a percentage, "K"/"M"/"B" for a count that was abbreviated
    raw: str


# Past 10^±400 a double is infinite or zero anyway: the exponent is clamped before any arithmetic, so
# "5 x 1e99999999" never builds a 100-million-digit integer.
_MAX_EXP = 400


def _times_ten_to(value: float, exponent: str) -> float:
    digits = exponent.lstrip("+-")
    power = min(int(digits) if len(digits) <= 4 else _MAX_EXP, _MAX_EXP)
    power = -power if exponent.startswith("-") else power
    try:
        return value * 10.0**power
    except OverflowError:
        return math.copysign(math.inf, value) if value else 0.0


def underflowed(value: float, raw: str) -> bool:
    """A value that is 0 only because the number printed is too small for a float ("1e-400")."""
    mantissa = re.split(r"[eE×x*]", str(raw), maxsplit=1)[0]
    return value == 0 and re.search(r"[1-9]", mantissa) is not None


def read_metric_value(raw: object) -> tuple[MetricValue | None, str | None]:
    """(the parsed value, None); (None, None) when the text holds no number ("-", "n/a"); (None, why)
    for a number a float cannot hold: one that overflows to infinity or underflows to 0."""
    if raw is None or isinstance(raw, bool):
        return None, None
    if isinstance(raw, (int, float)):
        try:
            value = float(raw)
        except OverflowError:
            return None, f"an integer of {raw.bit_length()} bits is too large for a float"
        return MetricValue(value, None, str(raw)[:100]), None
    text = str(raw).strip()[:1000]
    match = _VALUE.match(text)
    if not match:
        return None, None
    number = match.group("num")
    # "1,234" is a thousands separator, "0,75" a decimal comma.
    if "," in number:
        number = number.replace(",", "") if re.search(r",\d{3}(?!\d)", number) else number.replace(",", ".")
    try:
        value = float(number)
    except ValueError:
        return None, None
    if match.group("exp"):
        value = _times_ten_to(value, match.group("exp"))
    unit = match.group("unit")
    if unit and unit.lower() in _SCALE:
        value *= _SCALE[unit.lower()]
        unit = unit.upper()
    shown = text if len(text) <= 40 else text[:37] + "..."
    if not math.isfinite(value):
        return None, f"{shown!r} is too large for a float"
    if underflowed(value, text):
        return None, f"{shown!r} is too small for a float (it would read as 0)"
    return MetricValue(value, unit, text), None


def parse_metric_value(raw: object) -> MetricValue | None:
    """Parse one reported metric; None when the text holds no number (e.g. "-" or "n/a") or one a
    float cannot hold (see read_metric_value).

    Parenthesised or ± parts (confidence intervals, std) are dropped: the first number counts."""
    return read_metric_value(raw)[0]


def parse_number(raw: object) -> float | None:
    parsed = parse_metric_value(raw)
    return parsed.value if parsed else None


# Canonical name -> spellings seen in logs and papers (lower case; spaces, "-" and "_" are folded).
SPELLINGS: dict[str, tuple[str, ...]] = {
    "top1": ("top1", "top 1", "top1 acc", "top1 accuracy", "top 1 accuracy", "acc@1", "acc1", "prec@1", "acc top1"),
    "top5": ("top5", "top 5", "top5 acc", "top5 accuracy", "top 5 accuracy", "acc@5", "acc5", "prec@5", "acc top5"),
    "accuracy": ("accuracy", "acc", "correct"),
    "map50": (
        "map@0.5",
        "map@.5",
        "ap@0.5",
        "mean ap@0.5",
        "ap@.5",
        "map50",
        "map 50",
        "ap50",
        "box ap50",
        "bbox map 50",
        "bbox ap50",
    ),
    "map75": ("map75", "ap75", "bbox map 75", "bbox ap75"),
    "ar": ("ar", "ar100", "average recall"),
    "map": ("map", "box map", "mean ap", "mean average precision", "ap", "box ap", "bbox map", "bbox ap"),
    "mask_map": ("mask map", "mask ap", "segm map", "segm ap"),
    "mask_map50": ("mask map 50", "mask ap50", "segm map 50", "segm ap50"),
    # conlleval prints "FB1"
    "f1": ("f1", "f1 score", "f1score", "macro f1", "micro f1", "fb1", "f measure", "f score", "fscore"),
    "precision": ("precision",),
    "recall": ("recall",),
    "auc": ("auc", "roc auc", "rocauc", "auroc", "roc", "auc roc"),
    # correlations: papers print them x100 (STS-B 88.5), code as 0.885
    "pearson": ("pearson", "pearson r", "pearson correlation", "pcc"),
    "spearman": ("spearman", "spearman rho", "spearman correlation", "srcc"),
    "mcc": ("mcc", "matthews correlation"),
    "pck": ("pck", "pckh"),
    "mota": ("mota",),
    "nme": ("nme", "normalized mean error"),
    "epe": ("epe", "aepe", "end point error", "endpoint error"),
    "lpips": ("lpips",),
    "eer": ("eer", "equal error rate"),
    "miou": ("miou", "mean iou", "mean iu", "miu"),
    "macc": ("macc", "mean acc", "mean accuracy"),
    "aacc": ("aacc", "pixel acc", "pixel accuracy"),
    "iou": ("iou",),
    "dice": ("dice", "dsc", "dice score", "dice coefficient"),
    "exact_match": ("exact match", "em"),
    "perplexity": ("perplexity", "ppl"),
    "loss": ("loss", "nll", "average loss", "avg loss"),
    "bleu": ("bleu", "bleu4", "bleu 4", "sacrebleu"),
    "rouge_l": ("rouge l", "rougel"),
    "rouge1": ("rouge1", "rouge 1"),
    "rouge2": ("rouge2", "rouge 2"),
    "wer": ("wer", "word error rate"),
    "cer": ("cer", "character error rate"),
    "top1_error": ("top1 err", "top1 error", "top 1 err", "top 1 error"),
    "top5_error": ("top5 err", "top5 error", "top 5 err", "top 5 error"),
    "error": ("error", "err", "error rate"),
    "psnr": ("psnr",),
    "mrr": ("mrr", "mean reciprocal rank"),
    "hit": ("hr", "hit ratio", "hit rate", "hits"),
    "ndcg": ("ndcg",),
    "rank1": ("rank1", "rank 1", "rank 1 accuracy", "rank1 accuracy", "r1 acc", "cmc1", "cmc 1", "cmc top1"),
    "cider": ("cider", "cider d"),
    "meteor": ("meteor",),
    "spice": ("spice",),
    "inception_score": ("inception score",),
    "kid": ("kid",),
    "return": (
        "return",
        "episodic return",
        "episode return",
        "average return",
        "avg return",
        "mean return",
        "eval return",
        "evaluation return",
        "test return",
        "mean reward",
        "average reward",
        "avg reward",
        "episode reward",
        "episodic reward",
        "eval reward",
        "total reward",
        "mean episode reward",
        "average episode reward",
    ),
    "ssim": ("ssim",),
    "fid": ("fid", "fid50k", "fid 50k", "fid10k", "frechet inception distance"),
    "mse": ("mse",),
    "mae": ("mae",),
    "rmse": ("rmse",),
    "bpd": ("bpd", "bits per dim"),
    "bpc": ("bpc", "bits per character"),
}
FRACTION_METRICS = frozenset(
    {
        "accuracy",
        "top1",
        "top5",
        "map",
        "map50",
        "map75",
        "ar",
        "f1",
        "precision",
        "recall",
        "auc",
        "miou",
        "iou",
        "dice",
        "exact_match",
        "error",
        "top1_error",
        "top5_error",
        "wer",
        "cer",
        "mask_map",
        "mask_map50",
        "macc",
        "aacc",
        "mrr",
        "rank1",
        "hit",
        "ndcg",
        "eer",
        "pearson",
        "spearman",
        "mcc",
        "pck",
        "mota",
    }
)
# Metrics at a cut-off k ("Recall@20", "NDCG@10", "pass@1", "HR@10"): fractions, higher is better.
AT_K = re.compile(r"^(pass|recall|ndcg|hit|mrr|precision|map|acc|top|rank|cmc|r|p|hr|hits|prec)@(\d+)$")
_AT_K_NAMES = {
    "hr": "hit",
    "hits": "hit",
    "p": "precision",
    "prec": "precision",
    "r": "recall",
    "top": "top",
    "acc": "acc",
}
LOWER_IS_BETTER = frozenset(
    {
        "loss",
        "perplexity",
        "error",
        "top1_error",
        "top5_error",
        "wer",
        "cer",
        "fid",
        "kid",
        "mse",
        "mae",
        "rmse",
        "bpd",
        "bpc",
        "eer",
        "nme",
        "epe",
        "lpips",
    }
)
# Metrics a training loop prints every step: on an epoch/iter/step line they count only when a split
# qualifies them ("iter 10: loss 2.2" is progress); an evaluation metric (mIoU, BLEU, AUC) counts anyway.
TRAINING_METRICS = frozenset(
    {
        "loss",
        "accuracy",
        "error",
        "perplexity",
        "top1",
        "top5",
        "top1_error",
        "top5_error",
        "bpc",
        "bpd",
        "mse",
        "mae",
        "rmse",
        "return",
    }
)

QUALIFIERS = {
    "test": "test",
    "testing": "test",
    "val": "val",
    "valid": "val",
    "validation": "val",
    "dev": "val",
    "eval": "eval",
    "evaluation": "eval",
    "train": "train",
    "training": "train",
}


def _fold(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


CANONICAL = {spelling: name for name, spellings in SPELLINGS.items() for spelling in spellings}


def canonical_name(name: str) -> str:
    """'Top-1 Accuracy' -> 'top1', 'val_loss' -> 'val_loss', 'Foo' -> 'foo'."""
    folded = _fold(name)
    words = folded.split(" ")
    qualifier = QUALIFIERS.get(words[0]) if len(words) > 1 else None
    base = " ".join(words[1:]) if qualifier else folded
    canonical = CANONICAL.get(base, base.replace(" ", "_"))
    at_k = AT_K.match(canonical)
    if at_k and at_k.group(1) in ("acc", "top"):
        canonical = CANONICAL.get(f"acc@{at_k.group(2)}", canonical)  # acc@1 -> top1
    elif at_k and at_k.group(1) in ("rank", "cmc"):
        canonical = CANONICAL.get(f"rank {at_k.group(2)}", f"rank@{at_k.group(2)}")  # Rank@1 -> rank1
    elif at_k:
        canonical = f"{_AT_K_NAMES.get(at_k.group(1), at_k.group(1))}@{at_k.group(2)}"
    return f"{qualifier}_{canonical}" if qualifier else canonical


def base_name(metric: str) -> str:
    """'test_accuracy' -> 'accuracy': the metric without its split, for comparing with papers."""
    head, _, rest = metric.partition("_")
    return rest if head in QUALIFIERS.values() and rest else metric


def is_fraction(metric: str) -> bool:
    """Whether a metric lives in 0-1 on scout's scale (accuracy, mAP, recall@10, ...)."""
    base = base_name(metric)
    return base in FRACTION_METRICS or bool(AT_K.match(base))


def normalize(metric: str, value: float, raw: str) -> float:
    """Put a value on scout's scale (see the module docstring)."""
    if "%" in raw or (is_fraction(metric) and 1.0 < abs(value) <= 100.0):
        value /= 100.0
    return round(value, 10)


def higher_is_better(metric: str) -> bool:
    return base_name(metric) not in LOWER_IS_BETTER
