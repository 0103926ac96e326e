"""Read evaluation metrics out of a program's output, or a JSON metrics file.

Values go on the scale that scout.metrics defines; the text as printed is kept beside each value.

Only known metric names are read from the output (a script also prints "lr=0.001", "seed: 0" and
"batch 64"); `--metric REGEX` reads anything else. Metric lines repeat, so the last one wins, and a
training-progress line ("iter 10: loss 2.2251") counts only for metrics it qualifies with a split
name (train, val, test, eval).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from scout.metrics import CANONICAL, QUALIFIERS, canonical_name, normalize, parse_metric_value


def _spelling_regex(spelling: str) -> str:
    return r"[\s_\-]*".join(re.escape(word) for word in spelling.split(" "))


_NAMES = "|".join(_spelling_regex(s) for s in sorted(CANONICAL, key=len, reverse=True))
_QUAL = "|".join(sorted(QUALIFIERS, key=len, reverse=True))
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


# pycocotools' summary: " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.374"
_COCO = re.compile(
    r"Average\s+(?P<what>Precision|Recall)\s+\((?:AP|AR)\)\s+@\[\s*IoU=(?P<iou>[\d.:]+)\s*\|\s*"
    r"area=\s*(?P<area>\w+)\s*\|\s*maxDets=\s*(?P<dets>\d+)\s*\]\s*=\s*(?P<v>-?[\d.]+)"
)
_TENSOR = re.compile(r"tensor\(\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?)[^)]*\)")
_PER_K = re.compile(r"\b(\d+)-NN\b", re.IGNORECASE)
# Column names that only mean a metric in a table header (YOLO's "P R mAP50 mAP50-95").
_TABLE_ALIASES = {"p": "precision", "r": "recall", "map50-95": "map", "map@.5:.95": "map", "map@0.5:0.95": "map"}
_KUANGLIU_BAR = re.compile(r"\|\s*Acc:\s*[\d.]+%\s*\(\d+/\d+\)")
_MEAN = re.compile(rf"^\s*Mean:\s*(?P<v>{_NUM})\b")  # airbench: "Mean: 0.9401    Std: 0.0014"
_SPLIT_ONLY = re.compile(rf"^\W*(?P<qual>{_QUAL})\b(?:\s+(?:set|split|results?|metrics?|stats))?\W*$", re.I)


@dataclass(frozen=True)
class Metric:
    value: float
    raw: str  # the text as printed, e.g. "6.00%"


def _number(text: str, num: str | None, den: str | None) -> float | None:
    if num is not None and den is not None:
        return int(num) / int(den) if int(den) else None
    parsed = parse_metric_value(text.replace(" ", ""))
    return parsed.value if parsed else None


def _lines(text: str) -> list[str]:
    # A progress bar redraws itself with "\r": every redraw is its own line.
    return [line for line in re.split(r"[\r\n]+", text) if line.strip()]


def _coco(line: str) -> list[tuple[str, Metric]]:
    match = _COCO.search(line)
    if not match or match.group("area") != "all":
        return []
    iou, dets = match.group("iou"), int(match.group("dets"))
    if match.group("what") == "Precision":
        name = {"0.50:0.95": "map", "0.50": "map50", "0.75": "map75"}.get(iou)
    else:
        name = "ar" if iou == "0.50:0.95" and dets == 100 else None
    if name is None:
        return []
    return [(name, Metric(float(match.group("v")), match.group("v")))]


def _table_name(cell: str) -> str | None:
    cell = cell.strip().rstrip(":").strip()
    lower = cell.lower()
    if lower in _TABLE_ALIASES:
        return _TABLE_ALIASES[lower]
    if re.fullmatch(rf"(?:(?:{_QUAL})[\s_\-]*)?(?:\w+[\s_\-])?(?:{_NAMES})", cell, re.IGNORECASE):
        return canonical_name(cell)
    return None


def _header(line: str) -> list[str | None] | None:
    """The columns of a table header with at least two metric names, else None."""
    # YOLO's header ends in a progress bar: "mAP50-95: 100% 157/157 [01:25<00:00, 1.84it/s]"
    cells = _cells(re.split(r":\s+\d+%|:\s*$", line, maxsplit=1)[0] if "|" not in line else line)
    if len(cells) < 2 or any(re.match(r"^[-+(]?\.?\d", c) for c in cells if c):
        return None
    names = [_table_name(c) for c in cells]
    return names if sum(n is not None for n in names) >= 2 else None


def _cells(line: str) -> list[str]:
    inner = line.strip().strip("|")
    return [c.strip() for c in inner.split("|")] if "|" in inner else line.split()


def _table_row(header: list[str | None], line: str) -> list[tuple[str, Metric]]:
    cells = _cells(line)
    if len(cells) != len(header):
        return []
    found = []
    for name, cell in zip(header, cells):
        if name and re.fullmatch(rf"{_NUM}%?", cell):
            value = _number(cell, None, None)
            if value is not None:
                found.append((name, Metric(normalize(name, value, cell), cell)))
    return found


def _named_metrics(line: str, qualifier_before: str | None = None) -> list[tuple[str, Metric]]:
    line = _TENSOR.sub(r"\1", line)
    per_k = _PER_K.search(line)
    if per_k:
        # "20-NN classifier result: Top1: 76.1, Top5: 89.0": one result per k, never last-wins.
        rest = line[per_k.end() :]
        return [(f"{per_k.group(1)}nn_{name}", metric) for name, metric in _named_metrics(rest)]
    progress = bool(_PROGRESS.search(line)) and not _KUANGLIU_BAR.search(line)
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
            qualifier = earlier[-1] if earlier else qualifier_before
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
        # "test final score: 0/500 = 0.00% correct": the split named earlier in the line.
        earlier = _QUAL_WORD.findall(line[: match.start()]) or ([qualifier_before] if qualifier_before else [])
        spelled = match.group("name")
        name = canonical_name(f"{earlier[-1]} {spelled}" if earlier else spelled)
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
    header: list[str | None] | None = None
    split: str | None = None  # "Test set:" on its own line names the split of the next line
    for line in _lines(text):
        found = _coco(line)
        if not found and _COCO.search(line) is None:
            row = _table_row(header, line) if header else []
            new_header = _header(line)
            if new_header:
                header = new_header
                found = []
            elif row:
                found = row
            elif header and _MEAN.match(line):
                column = next(name for name in reversed(header) if name and not name.startswith("train"))
                raw = _MEAN.match(line).group("v")
                found = [(f"mean_{column}", Metric(normalize(column, float(raw), raw), raw))]
            else:
                if re.search(r"\d", line):
                    header = None  # a table ends at the first line that is not one of its rows
                found = _named_metrics(line, split)
        match = _SPLIT_ONLY.match(line)
        split = match.group("qual") if match else None
        for name, metric in found + _custom_metrics(line, compiled):
            metrics.pop(name, None)  # re-insert so dict order follows the last occurrence
            metrics[name] = metric
    return metrics


def headline_first(metrics: dict[str, Metric], docs_text: str) -> dict[str, Metric]:
    """The metrics with the one the README names most put first: that is the run's headline."""
    from scout.metrics import SPELLINGS, base_name

    def mentions(name: str) -> int:
        spellings = SPELLINGS.get(base_name(name), (base_name(name),))
        return sum(
            len(re.findall(rf"(?<![\w@]){_spelling_regex(s)}(?![\w@])", docs_text, re.IGNORECASE)) for s in spellings
        )

    counts = {name: mentions(name) for name in metrics}
    if not counts or max(counts.values()) == 0:
        return metrics
    top = max(counts, key=lambda name: (counts[name], name.startswith(("test", "val", "eval"))))
    return {top: metrics[top], **{k: v for k, v in metrics.items() if k != top}}


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
