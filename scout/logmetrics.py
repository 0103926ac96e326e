"""Read evaluation metrics out of a program's output, or a JSON metrics file.

Scale: accuracy-like metrics (accuracy, top1, top5, mAP, F1, precision, recall, AUC, IoU, Dice,
error rates) are fractions in 0-1. "93.9%", "93.9" and "0.939" all become 0.939, and a paper's
"93.9" does too, so measured and reported numbers compare directly. Every other metric (loss,
perplexity, BLEU, ...) keeps the scale it was printed on, except that a "%" sign divides by 100.
The text as printed is kept beside each value.

Only known metric names are read from the output (a script also prints "lr=0.001", "seed: 0" and
"batch 64"); `--metric REGEX` reads anything else. Metric lines repeat, so the last one wins, and a
training-progress line ("iter 10: loss 2.2251") counts only for metrics it qualifies with a split
name (train, val, test, eval).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from scout.metrics import parse_metric_value

# Canonical name -> spellings seen in logs and papers (lower case; spaces, "-" and "_" are folded).
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "top1": ("top1", "top 1", "top1 acc", "top1 accuracy", "top 1 accuracy", "acc@1", "acc1", "prec@1"),
    "top5": ("top5", "top 5", "top5 acc", "top5 accuracy", "top 5 accuracy", "acc@5", "acc5", "prec@5"),
    "accuracy": ("accuracy", "acc", "correct"),
    "map50": ("map@0.5", "map@.5", "map50", "map 50", "ap50", "box ap50"),
    "map": ("map", "box map", "mean ap", "mean average precision", "ap", "box ap"),
    "f1": ("f1", "f1 score", "f1score", "macro f1", "micro f1"),
    "precision": ("precision",),
    "recall": ("recall",),
    "auc": ("auc", "roc auc", "auroc"),
    "miou": ("miou", "mean iou"),
    "iou": ("iou",),
    "dice": ("dice",),
    "exact_match": ("exact match", "em"),
    "perplexity": ("perplexity", "ppl"),
    "loss": ("loss", "nll", "average loss", "avg loss"),
    "bleu": ("bleu", "bleu4", "bleu 4", "sacrebleu"),
    "rouge_l": ("rouge l", "rougel"),
    "rouge1": ("rouge1", "rouge 1"),
    "rouge2": ("rouge2", "rouge 2"),
    "wer": ("wer", "word error rate"),
    "cer": ("cer", "character error rate"),
    "error": ("error", "err", "top1 err", "top1 error", "error rate"),
    "psnr": ("psnr",),
    "ssim": ("ssim",),
    "fid": ("fid",),
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
        "f1",
        "precision",
        "recall",
        "auc",
        "miou",
        "iou",
        "dice",
        "exact_match",
        "error",
        "wer",
        "cer",
    }
)
LOWER_IS_BETTER = frozenset({"loss", "perplexity", "error", "wer", "cer", "fid", "mse", "mae", "rmse", "bpd", "bpc"})

_QUALIFIERS = {
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


_CANONICAL = {spelling: name for name, spellings in _SPELLINGS.items() for spelling in spellings}


def _spelling_regex(spelling: str) -> str:
    return r"[\s_\-]*".join(re.escape(word) for word in spelling.split(" "))


_NAMES = "|".join(_spelling_regex(s) for s in sorted(_CANONICAL, key=len, reverse=True))
_QUAL = "|".join(sorted(_QUALIFIERS, key=len, reverse=True))
_NUM = r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_VALUE = rf"(?:(?P<num>\d+)\s*/\s*(?P<den>\d+)(?!\s*=)|{_NUM}(?:\s*%)?)"
# "test loss: 2.19", "val loss 2.4911", "Accuracy of the network on the 10000 test images: 54 %"
_V1 = _VALUE.replace("num>", "n1>").replace("den>", "d1>")  # the two branches need distinct group names
_V2 = _VALUE.replace("num>", "n2>").replace("den>", "d2>")
_NAMED = re.compile(
    rf"(?<![\w@.])(?:(?P<qual>{_QUAL})[\s_\-]*)?(?P<name>{_NAMES})(?![\w@])"
    rf"(?:\s*(?:[:=]|\bis\b)?\s*(?P<v1>{_V1})"
    rf"|(?P<filler>[^:=\n,;|]{{0,60}}?)[:=]\s*(?P<v2>{_V2}))",
    re.IGNORECASE,
)
# "30/500 = 6.00% correct", "93.1% accuracy"
_PERCENT_FIRST = re.compile(rf"(?P<v>{_NUM}\s*%)\s*(?P<name>correct|accuracy|acc)\b", re.IGNORECASE)
_QUAL_WORD = re.compile(rf"\b({_QUAL})\b", re.IGNORECASE)
# Lines a training loop prints: "iter 10: loss ...", "step 3 ...", "Epoch 2 ...", tqdm bars.
_PROGRESS = re.compile(
    r"\b(?:iter|iters|iteration|step|batch|it|epoch)\b\s*[:#\[]?\s*\d+|\d+/\d+\s*\[\d+:\d+|it/s\]|s/it\]",
    re.IGNORECASE,
)
_LEADING_FLAGS = re.compile(r"^(?:\(\?[a-zA-Z]+\))+")


@dataclass(frozen=True)
class Metric:
    value: float
    raw: str  # the text as printed, e.g. "6.00%"


def canonical_name(name: str) -> str:
    """'Top-1 Accuracy' -> 'top1', 'val_loss' -> 'val_loss', 'Foo' -> 'foo'."""
    folded = _fold(name)
    words = folded.split(" ")
    qualifier = _QUALIFIERS.get(words[0]) if len(words) > 1 else None
    base = " ".join(words[1:]) if qualifier else folded
    canonical = _CANONICAL.get(base, base.replace(" ", "_"))
    return f"{qualifier}_{canonical}" if qualifier else canonical


def base_name(metric: str) -> str:
    """'test_accuracy' -> 'accuracy': the metric without its split, for comparing with papers."""
    head, _, rest = metric.partition("_")
    return rest if head in _QUALIFIERS.values() and rest else metric


def normalize(metric: str, value: float, raw: str) -> float:
    """Put a value on scout's scale (see the module docstring)."""
    if "%" in raw or (base_name(metric) in FRACTION_METRICS and 1.0 < abs(value) <= 100.0):
        value /= 100.0
    return round(value, 10)


def higher_is_better(metric: str) -> bool:
    return base_name(metric) not in LOWER_IS_BETTER


def _number(text: str, num: str | None, den: str | None) -> float | None:
    if num is not None and den is not None:
        return int(num) / int(den) if int(den) else None
    parsed = parse_metric_value(text.replace(" ", ""))
    return parsed.value if parsed else None


def _lines(text: str) -> list[str]:
    # A progress bar redraws itself with "\r": every redraw is its own line.
    return [line for line in re.split(r"[\r\n]+", text) if line.strip()]


def _named_metrics(line: str) -> list[tuple[str, Metric]]:
    progress = bool(_PROGRESS.search(line))
    found, taken = [], []
    for match in _NAMED.finditer(line):
        taken.append(match.span())
        if match.group("v1") is not None:
            raw, num, den = match.group("v1"), match.group("n1"), match.group("d1")
        else:
            raw, num, den = match.group("v2"), match.group("n2"), match.group("d2")
        qualifier = match.group("qual")
        if not qualifier:
            # "Test set: Average loss: 0.03, Accuracy: 9890/10000": the split named earlier in the line.
            earlier = _QUAL_WORD.findall(line[: match.start()] + " " + (match.group("filler") or ""))
            qualifier = earlier[-1] if earlier else None
        if progress and not qualifier:
            continue  # "iter 10: loss 2.2251" is training progress, not an evaluation
        value = _number(raw, num, den)
        if value is None:
            continue
        name = canonical_name(f"{qualifier} {match.group('name')}" if qualifier else match.group("name"))
        if den is not None:
            raw = f"{num}/{den}"
        found.append((name, Metric(normalize(name, value, raw), raw.strip())))
    for match in _PERCENT_FIRST.finditer(line):
        if progress or any(start <= match.start() < end for start, end in taken):
            continue
        name = canonical_name(match.group("name"))
        value = _number(match.group("v"), None, None)
        if value is not None:
            found.append((name, Metric(normalize(name, value, match.group("v")), match.group("v").strip())))
    return found


def custom_metric_name(pattern: str) -> str:
    """The name a --metric REGEX reports under: its `name` group, else its leading word."""
    word = re.match(r"[A-Za-z][\w\-]*", _LEADING_FLAGS.sub("", pattern))
    return canonical_name(word.group(0)) if word else "metric"


def _custom_metrics(line: str, patterns: list[re.Pattern]) -> list[tuple[str, Metric]]:
    found = []
    for pattern in patterns:
        for match in pattern.finditer(line):
            groups = match.groupdict()
            raw = groups.get("value") or next((g for g in match.groups() if g), None)
            value = _number(raw, None, None) if raw else None
            if value is None:
                continue
            name = canonical_name(groups["name"]) if groups.get("name") else custom_metric_name(pattern.pattern)
            found.append((name, Metric(normalize(name, value, raw), raw.strip())))
    return found


def compile_patterns(patterns: list[str] | tuple[str, ...]) -> list[re.Pattern]:
    from scout.errors import ConfigError

    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ConfigError(f"--metric {pattern!r} is not a valid regular expression ({exc})") from exc
    return compiled


def parse_output(text: str, patterns: list[str] | tuple[str, ...] = ()) -> dict[str, Metric]:
    """Every metric the output reports; for each name the last value printed."""
    compiled = compile_patterns(patterns)
    metrics: dict[str, Metric] = {}
    for line in _lines(text):
        for name, metric in _named_metrics(line) + _custom_metrics(line, compiled):
            metrics.pop(name, None)  # re-insert so dict order follows the last occurrence
            metrics[name] = metric
    return metrics


def parse_metrics_json(text: str) -> dict[str, Metric]:
    """A metrics file: {"accuracy": 0.93, "eval": {"loss": 0.2}} (one level of nesting is flattened)."""
    from scout.errors import ParseError

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"the metrics file is not valid JSON ({exc}); fix the script or the recipe") from exc
    if not isinstance(data, dict):
        raise ParseError("the metrics file must hold a JSON object of name -> number")
    flat: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update({f"{key} {inner}": v for inner, v in value.items()})
        else:
            flat[key] = value
    metrics = {}
    for key, value in flat.items():
        parsed = parse_metric_value(value)
        if parsed is not None:
            name = canonical_name(key)
            metrics[name] = Metric(normalize(name, parsed.value, parsed.raw), parsed.raw)
    return metrics
