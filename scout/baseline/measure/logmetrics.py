"""Read evaluation metrics out of a program's output, or a JSON metrics file.

Values go on the scale that scout.metrics defines; the text as printed is kept beside each value.

Only known metric names are read from the output (a script also prints "lr=0.001", "seed: 0" and
"batch 64"); `--metric REGEX` reads anything else. Metric lines repeat, so the last one wins, and a
training-progress line ("iter 10: loss 2.2251") counts only for metrics it qualifies with a split
name (train, val, test, eval).

`read_output` keeps every reading with the line it came from (for the headline, the conflict check
and the flags in scout.baseline.measure.flags); `parse_output` is its last-value-per-name view.
Formats read: `key: value` / `key=value` lines (units and percents kept), Python reprs (dicts,
OrderedDict, numpy scalars `np.float64(x)`, one-element arrays, tensors), JSON lines with nested
results, Markdown/PrettyTable tables (only a summary row such as `all`/`mean`/`macro avg`, never the
last class; an `Average` column), pycocotools, detectron2 and mmdet/mmseg summaries, sklearn's
classification_report, RL returns (per episode: the mean of the last ten; "over N episodes"),
metrics at k (pass@k, recall@k, NDCG@k, HR@k, MRR), FID/IS/KID, WER/CER, bpc/ppl, MSE/MAE.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass, field

import regex

from scout.metrics import (
    CANONICAL,
    QUALIFIERS,
    TRAINING_METRICS,
    base_name,
    canonical_name,
    is_fraction,
    normalize,
    read_metric_value,
)


def _spelling_regex(spelling: str) -> str:
    return r"[\s_\-]*".join(re.escape(word) for word in spelling.split(" "))


_AT_K_NAME = r"(?:pass|recall|ndcg|hits?|hr|mrr|precision|prec|map|rank|cmc|r|p)@\d+(?![.\d])"
_NAMES = _AT_K_NAME + "|" + "|".join(_spelling_regex(s) for s in sorted(CANONICAL, key=len, reverse=True))
_QUAL = "|".join(sorted(QUALIFIERS, key=len, reverse=True))
_NUM = r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_NONFINITE = r"(?:[nN]a[nN]|[-+]?(?:inf|Inf|INF)(?:inity)?)(?![\w.])"
# A count "9890/10000" (never cut short: "5374/6640" is not 5374/664), or a number, or both as
# NCRF++ prints them, "acc: 5374/6640=0.8093" (the number after "=" is read).
_VALUE = rf"(?:(?P<num>\d+)\s*/\s*(?P<den>\d+)(?![\d.])(?!\s*=)|(?:\d+\s*/\s*\d+\s*=\s*)?{_NUM}(?:\s*%)?|{_NONFINITE})"
# "test loss: 2.19", "val loss 2.4911", "Accuracy of the network on the 10000 test images: 54 %"
_V1 = _VALUE.replace("num>", "n1>").replace("den>", "d1>")  # the two branches need distinct group names
_V2 = _VALUE.replace("num>", "n2>").replace("den>", "d2>")
_NAMED = re.compile(
    rf"(?<![\w@.])(?:(?P<pre>aver|avg|average|mean|final|total|overall|best)_)?(?:(?P<qual>{_QUAL})[\s_\-]*)?"
    rf"(?P<name>{_NAMES})(?![\w@])(?:\s*\((?P<qual2>{_QUAL})\))?"
    rf"(?:\s*(?:[:=]|\bis\b)?\s*(?P<v1>{_V1})"
    rf"|(?P<filler>(?:[^:=\n,;|(]|\([^()\n]{{0,20}}\)){{0,60}}?)[:=]\s*(?P<v2>{_V2}))",
    re.IGNORECASE,
)
# "30/500 = 6.00% correct", "93.1% accuracy"
_PERCENT_FIRST = re.compile(rf"(?P<v>{_NUM}\s*%)\s*(?P<name>correct|accuracy|acc)\b", re.IGNORECASE)
_QUAL_WORD = re.compile(rf"\b({_QUAL})\b", re.IGNORECASE)
# Lines a training loop prints: "iter 10: loss ...", "step 3 ...", "Epoch 2 ...", tqdm bars.
_PROGRESS = re.compile(
    r"\b(?:iter|iters|iteration|step|batch|it|epoch|instance)\b\s*[:#\[]?\s*\d+|\d+/\d+\s*\[\d+:\d+|it/s\]|s/it\]",
    re.IGNORECASE,
)
_LEADING_FLAGS = re.compile(r"^(?:\(\?[a-zA-Z]+\))+")


# pycocotools' summary: " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.374"
_COCO = re.compile(
    r"Average\s+(?P<what>Precision|Recall)\s+\((?:AP|AR)\)\s+@\[\s*IoU=(?P<iou>[\d.:]+)\s*\|\s*"
    r"area=\s*(?P<area>\w+)\s*\|\s*maxDets=\s*(?P<dets>\d+)\s*\]\s*=\s*(?P<v>-?[\d.]+)"
)
# tensor(0.93, device='cuda:0'), np.float64(0.35), array([0.93], dtype=float32), numpy.float32(1.0)
_WRAPPED = re.compile(
    rf"\b(?:np\.|numpy\.|torch\.)?(?:tensor|array|float16|float32|float64|float|int32|int64|Decimal)"
    rf"\(\s*\[*\s*(?P<v>{_NUM}|{_NONFINITE})\s*\]*\s*(?:,\s*[a-z_]+\s*=[^()]*)?\)"
)
_PER_K = re.compile(r"\b(\d+)-NN\b", re.IGNORECASE)
# Column names that only mean a metric in a table header (YOLO's "P R mAP50 mAP50-95").
_TABLE_ALIASES = {"p": "precision", "r": "recall", "map50-95": "map", "map@.5:.95": "map", "map@0.5:0.95": "map"}
_KUANGLIU_BAR = re.compile(r"\|\s*Acc:\s*[\d.]+%\s*\(\d+/\d+\)")
_MEAN = re.compile(rf"^\s*Mean:\s*(?P<v>{_NUM})\b")  # airbench: "Mean: 0.9401    Std: 0.0014"
_SPLIT_ONLY = re.compile(rf"^\W*(?P<qual>{_QUAL})\b(?:\s+(?:set|split|results?|metrics?|stats))?\W*$", re.I)
# The row of a per-class table that summarises it: YOLO's `all`, sklearn's `macro avg`, a `Mean` row.
_SUMMARY_LABELS = {"all", "average", "avg", "mean", "overall", "total", "summary", "macro avg", "macro average"}
_WEIGHTED_LABELS = {"weighted avg", "weighted average", "micro avg", "micro average"}
_CLASS_COLUMN = {"class", "classes", "category", "categories", "label", "cls", "object", "class name", "name"}
_AVERAGE_COLUMN = {"avg", "average", "mean", "overall", "avg.", "ave", "ave."}
_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BEST = re.compile(r"\b(best|final)[\s_\-]*$", re.IGNORECASE)
# "Evaluation over 10 episodes: 200.000", "avg over 100 episodes = 312.5"
_EPISODES = re.compile(rf"\bover\s+\d+\s+episodes?\b[^:=\n]*[:=]\s*(?P<v>{_NUM})", re.IGNORECASE)
_INCEPTION = re.compile(rf"(?<![\w@.])IS\s*[:=]\s*(?P<v>{_NUM})")  # "IS: 8.52" (upper case only)
# NCRF++ and other taggers: "acc: 0.9804, p: 0.9120, r: 0.9150, f: 0.9135"
_PRF = re.compile(rf"\bp:\s*(?P<precision>{_NUM}),\s*r:\s*(?P<recall>{_NUM}),\s*f1?:\s*(?P<f1>{_NUM})", re.I)
_PER_EPISODE = re.compile(r"\bepisod", re.IGNORECASE)
_AGGREGATE_WORDS = re.compile(r"\b(?:mean|average|avg|over\s+\d+)\b", re.IGNORECASE)
_COPYPASTE = re.compile(r"copypaste:\s*(?P<rest>.*)$")  # detectron2: "copypaste: AP,AP50,AP75,..."
_DICT_START = re.compile(r"\{|OrderedDict\(\[")
_PAIR = re.compile(rf"""['"](?P<key>[^'"\n]{{1,80}})['"]\s*[:,]\s*(?P<v>{_NUM}|{_NONFINITE})""")


@dataclass(frozen=True)
class Metric:
    value: float
    raw: str  # the text as printed, e.g. "6.00%"
    unit: str | None = field(default=None, compare=False)  # "%" when printed on a 0-100 scale, "dB", ...
    line: str | None = field(default=None, compare=False)  # the output line it was read from
    line_no: int | None = field(default=None, compare=False)  # 1-based, in the text read


@dataclass(frozen=True)
class Observation:
    """One reading of one metric: where it was printed and how."""

    name: str
    metric: Metric
    line_no: int
    template: str  # the line with its numbers blanked: lines of one template are one series (epochs)
    progress: bool  # printed by a training loop (epoch/iter/step)


@dataclass(frozen=True)
class Reading:
    """Everything read from one output: the last value per metric, every observation, and what the
    reader found suspicious (non-finite values, one metric printed twice with different values)."""

    metrics: dict[str, Metric]
    observations: tuple[Observation, ...] = ()
    nonfinite: tuple[str, ...] = ()  # metric names printed as nan or inf
    conflicts: tuple[str, ...] = ()  # one line per conflicting metric, for the run's flags
    notes: tuple[str, ...] = ()  # custom patterns dropped for taking too long, for the run's flags


def _number(text: str, num: str | None, den: str | None) -> float | None:
    """The value printed, as a float. A number a float cannot hold reads as what a float makes of it
    (infinity, or 0 for an underflow), so the run's flags name it and it is never a headline."""
    if num is not None and den is not None:
        # Floats, not ints: "10…0/3" with 5000 digits must neither build a huge int nor raise.
        return _fraction(float(num), float(den))
    text = text.replace(" ", "").rsplit("=", 1)[-1]
    if re.fullmatch(_NONFINITE, text):
        return float(text.lower().replace("infinity", "inf"))
    parsed, problem = read_metric_value(text)
    if problem is not None:
        return 0.0 if "too small" in problem else (-math.inf if text.startswith("-") else math.inf)
    return parsed.value if parsed else None


def _fraction(num: float, den: float) -> float | None:
    if not den:
        return None
    value = num / den
    return value if math.isfinite(value) else math.inf


def _metric(name: str, value: float, raw: str) -> Metric:
    raw = raw.strip()
    if not math.isfinite(value):
        return Metric(value, raw)
    scaled = normalize(name, value, raw)
    unit = "%" if "%" in raw or (scaled != round(value, 10) and is_fraction(name)) else None
    return Metric(scaled, raw, unit)


def clean(text: str) -> str:
    """Output as a terminal would show it: no colour or cursor escapes, no control characters."""
    return _CONTROL.sub("", _ANSI.sub("", text))


MAX_LINE_CHARS = 64 * 1024  # a longer line is cut: no pattern runs on a 100 MB line
MAX_LINES = 100_000  # an evaluation prints its numbers at the end: the last lines of a huge log are read


def _lines(text: str) -> list[str]:
    # A progress bar redraws itself with "\r": every redraw is its own line.
    lines = [line[:MAX_LINE_CHARS] for line in re.split(r"[\r\n]+", clean(text)) if line.strip()]
    return lines[-MAX_LINES:]


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
    if re.fullmatch(rf"(?:(?:{_QUAL})[\s_\-]*)?(?:\w+[\s_\-])?(?:{_NAMES})(?:\s*\(%\))?", cell, re.IGNORECASE):
        return canonical_name(re.sub(r"\s*\(%\)$", "", cell))
    return None


@dataclass(frozen=True)
class _Header:
    names: list[str | None]
    average: int | None = None  # the index of an Average column (rows are then named by metric)
    per_class: bool = False  # the first column names classes: only a summary row speaks for the table


def _header(line: str) -> _Header | None:
    """The columns of a table header with at least two metric names (or an Average column), else None."""
    # YOLO's header ends in a progress bar: "mAP50-95: 100% 157/157 [01:25<00:00, 1.84it/s]"
    cells = _cells(re.split(r":\s+\d+%|:\s*$", line, maxsplit=1)[0] if "|" not in line else line)
    if len(cells) < 2 or any(re.match(r"^[-+(]?\.?\d", c) for c in cells if c):
        return None
    names = [_table_name(c) for c in cells]
    if sum(n is not None for n in names) >= 2:
        return _Header(names, per_class=cells[0].strip().lower() in _CLASS_COLUMN)
    average = [i for i, c in enumerate(cells) if c.strip().lower() in _AVERAGE_COLUMN]
    if average and "|" in line and len(cells) >= 3:
        return _Header(names, average[-1])
    return None


def _cells(line: str) -> list[str]:
    inner = line.strip().strip("|")
    return [c.strip() for c in inner.split("|")] if "|" in inner else line.split()


def _is_number_cell(cell: str) -> bool:
    return bool(re.fullmatch(rf"(?:{_NUM}%?|{_NONFINITE})(?:\s*(?:±|\+/?-)\s*{_NUM}%?)?", cell.strip()))


def _table_row(header: _Header, line: str) -> tuple[bool, list[tuple[str, Metric]]]:
    """(whether the line is a row of the table, the metrics it reports). A per-class row is a row
    that reports nothing: only a summary row (`all`, `mean`, `macro avg`) speaks for the table."""
    cells = _cells(line)
    if not cells or not any(_is_number_cell(c) for c in cells):
        return False, []
    if header.average is not None:
        if len(cells) != len(header.names):
            return False, []
        name = _table_name(cells[0])
        cell = cells[header.average]
        if name and _is_number_cell(cell):
            value = _number(cell.split("±")[0], None, None)
            return True, [(name, _metric(name, value, cell))] if value is not None else []
        return True, []
    names = header.names
    label = None
    if len(cells) > len(names) and "|" not in line:
        # sklearn's classification_report: the header has no cell above the row labels (0, 1, cat).
        cut = len(cells) - len(names)
        label, cells = " ".join(cells[:cut]).lower(), cells[cut:]
    elif len(cells) < len(names) and "|" not in line and _table_name(cells[0]):
        return True, _named_metrics(line)  # sklearn's "accuracy  0.93  2115" inside the report
    elif len(cells) != len(names):
        return False, []
    elif header.per_class and not _is_number_cell(cells[0]):
        label = cells[0].strip().lower()
    prefix = ""
    if label is not None:
        if label in _WEIGHTED_LABELS:
            prefix = label.split()[0] + "_"
        elif label not in _SUMMARY_LABELS:
            return True, []  # one class of a per-class table, never the table's number
    found = []
    for name, cell in zip(names, cells):
        if name and _is_number_cell(cell):
            cell = re.split(r"\s*(?:±|\+/?-)", cell)[0]
            value = _number(cell, None, None)
            if value is not None:
                found.append((prefix + name, _metric(name, value, cell)))
    return True, found


def _unwrap(line: str) -> str:
    return _WRAPPED.sub(lambda m: m.group("v"), line)


def _flatten(data, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    if isinstance(data, dict):
        return [item for key, value in data.items() for item in _flatten(value, path + (str(key),))]
    if isinstance(data, (list, tuple)) and len(data) == 1:
        return _flatten(data[0], path)
    if isinstance(data, (int, float, str)) and not isinstance(data, bool) and path:
        return [(path, data)]
    return []


_KEY_NAME = re.compile(rf"^(?P<pre>.*?)(?:^|[\s_\-/.:])(?P<name>(?:{_NAMES}))(?P<post>(?:[,\s/].*)?)$", re.IGNORECASE)


def _key_name(path: tuple[str, ...]) -> str | None:
    """A metric name for a key path: {"eval": {"accuracy": ...}} -> eval_accuracy, "bbox_mAP_50" -> map50,
    "test/acc" -> test_accuracy, "acc,none" (lm-eval) -> accuracy; None for "lr", "epoch", "step"."""
    leaf = path[-1].strip()
    if leaf in ("is", "IS", "inception_score"):
        return "inception_score"
    match = _KEY_NAME.match(leaf)
    if not match:
        return None
    name = canonical_name(match.group("name"))
    if name.startswith(tuple(f"{q}_" for q in QUALIFIERS.values())):
        return name
    context = " ".join((*path[:-1], match.group("pre")))
    if re.search(r"\b(?:best|final)\b", match.group("pre"), re.I):
        name = "best_" + name if "best" in match.group("pre").lower() else name
    quals = _QUAL_WORD.findall(re.sub(r"[_/.\-]", " ", context))
    return f"{QUALIFIERS[quals[-1].lower()]}_{name}" if quals else name


def _parse_structure(text: str):
    text = text.strip()
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    text = re.sub(r"OrderedDict\((\[.*\])\)", r"dict(\1)", text)
    text = re.sub(r"defaultdict\([^,]*,\s*", "(", text)
    text = re.sub(rf"(?<![\w'\"]){_NONFINITE}", lambda m: repr(m.group(0)), text)
    if text.startswith("dict("):
        text = text[5:-1]
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, RecursionError, MemoryError, TypeError):
        return None
    return (
        dict(value) if isinstance(value, list) and all(isinstance(v, tuple) and len(v) == 2 for v in value) else value
    )


def _structured(line: str) -> list[tuple[str, Metric]] | None:
    """The metrics of a dict or JSON object printed on one line; None when the line holds none."""
    start = _DICT_START.search(line)
    if not start:
        return None
    body = line[start.start() :]
    end = max(body.rfind("}"), body.rfind("])"))
    if end < 0:
        return None
    data = _parse_structure(body[: end + (2 if body[end] == "]" else 1)])
    if isinstance(data, dict):
        items = _flatten(data)
    else:
        items = [((m.group("key"),), m.group("v")) for m in _PAIR.finditer(body)]
    found = []
    for path, value in items:
        name = _key_name(path)
        if name is None:
            continue
        raw = str(value)
        number = _number(raw, None, None) if isinstance(value, str) else float(value)
        if number is None:
            continue
        found.append((name, _metric(name, number, raw)))
    return found or None


def _named_metrics(line: str, qualifier_before: str | None = None) -> list[tuple[str, Metric]]:
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
        filler = match.group("filler") or ""
        if re.search(r"\b(?:std|stdev|var|variance)\b", filler, re.I) or re.match(
            r"\s*for\s+(?!test|val)", filler, re.I
        ):
            continue  # "psnr std = 1.2" is a spread; "AP for aeroplane = 0.81" is one class
        qualifier = match.group("qual") or match.group("qual2")
        if not qualifier:
            # "Test set: Average loss: 0.03, Accuracy: 9890/10000": the split named earlier in the line.
            earlier = _QUAL_WORD.findall(line[: match.start()] + " " + (match.group("filler") or ""))
            qualifier = earlier[-1] if earlier else qualifier_before
        if progress and not qualifier and canonical_name(match.group("name")) in TRAINING_METRICS:
            continue  # "iter 10: loss 2.2251" is training progress, not an evaluation
        value = _number(raw, num, den)
        if value is None:
            continue
        name = canonical_name(f"{qualifier} {match.group('name')}" if qualifier else match.group("name"))
        best = _BEST.search(line[: match.start()])
        if (best and best.group(1).lower() == "best") or (match.group("pre") or "").lower() == "best":
            name = f"best_{name}"  # "Best val acc: 0.92" is a selection over epochs, not the last one
        if den is not None:
            raw = f"{num}/{den}"
        found.append((name, _metric(name, value, raw)))
    for match in _PERCENT_FIRST.finditer(line):
        if progress or any(start <= match.start() < end for start, end in taken):
            continue
        # "test final score: 0/500 = 0.00% correct": the split named earlier in the line.
        earlier = _QUAL_WORD.findall(line[: match.start()]) or ([qualifier_before] if qualifier_before else [])
        spelled = match.group("name")
        name = canonical_name(f"{earlier[-1]} {spelled}" if earlier else spelled)
        value = _number(match.group("v"), None, None)
        if value is not None:
            found.append((name, _metric(name, value, match.group("v"))))
    prf = _PRF.search(line)
    if prf and not any(
        name in ("precision", "recall", "f1") or name.endswith(("_precision", "_recall", "_f1")) for name, _ in found
    ):
        quals = _QUAL_WORD.findall(line[: prf.start()])
        qualifier = quals[-1] if quals else qualifier_before
        prefix = f"{QUALIFIERS[qualifier.lower()]}_" if qualifier else ""
        for name in ("precision", "recall", "f1"):
            found.append((prefix + name, _metric(name, float(prf.group(name)), prf.group(name))))
    found = _bare_is_train(found)
    episodes = _EPISODES.search(line)
    if episodes and not found and not progress:
        found.append(("return", _metric("return", float(episodes.group("v")), episodes.group("v"))))
    inception = _INCEPTION.search(line)
    if inception and not any(start <= inception.start() < end for start, end in taken):
        found.append(("inception_score", _metric("inception_score", float(inception.group("v")), inception.group("v"))))
    return found


def _bare_is_train(found: list[tuple[str, Metric]]) -> list[tuple[str, Metric]]:
    """Keras and most training loops print "loss: 0.05 - accuracy: 0.98 - val_loss: 0.04 -
    val_accuracy: 0.99": beside its val or test twin on one line, a bare metric is the training one."""
    names = {name for name, _ in found}
    splits = set(QUALIFIERS.values())

    def renamed(name: str) -> str:
        head = name.partition("_")[0]
        held_out = any(f"{split}_{name}" in names for split in ("val", "test", "eval"))
        return f"train_{name}" if held_out and head not in splits and head not in ("best", "mean") else name

    return [(renamed(name), metric) for name, metric in found]


HTML_TAG = r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?/?>"
_MARKUP = re.compile(rf"{HTML_TAG}|[*`~]")


def plain_name(text: str) -> str:
    """A metric name as a reader sees it: no escape codes, no HTML tags, no Markdown emphasis
    ("\\x1b[31m<b>**my_metric**</b>" is "my_metric"), so the ledger and tables hold a plain name."""
    return _MARKUP.sub("", clean(text)).strip()


def custom_metric_name(pattern: str) -> str:
    """The name a --metric REGEX reports under: its `name` group, else its leading word."""
    word = re.match(r"[A-Za-z][\w\-]*", _LEADING_FLAGS.sub("", pattern))
    return canonical_name(word.group(0)) if word else "metric"


# Patterns from a repo's recipe (or --metric) run under a time limit, on the first part of a line:
# `^(a|aa)+$` against a long line would otherwise hold scout at 100% CPU, deaf to Ctrl-C.
PATTERN_TIMEOUT_S = 0.5
PATTERN_LINE_CHARS = 2000


class _Patterns:
    """The compiled custom patterns, and the ones dropped because a line took too long."""

    def __init__(self, patterns: list[str] | tuple[str, ...]):
        self.compiled = compile_patterns(patterns)
        self.notes: list[str] = []

    def metrics(self, line: str, line_no: int) -> list[tuple[str, Metric]]:
        found = []
        for pattern in list(self.compiled):
            try:
                matches = list(pattern.finditer(line[:PATTERN_LINE_CHARS], timeout=PATTERN_TIMEOUT_S))
            except TimeoutError:
                self.compiled.remove(pattern)
                self.notes.append(
                    f"slow pattern: {pattern.pattern[:80]!r} took over {PATTERN_TIMEOUT_S:g} s on line {line_no}; "
                    "it was not used for the rest of the output"
                )
                continue
            for match in matches:
                groups = match.groupdict()
                raw = groups.get("value") or next((g for g in match.groups() if g), None)
                value = _number(raw, None, None) if raw else None
                if value is None:
                    continue
                spelled = plain_name(groups.get("name") or "")[:200]
                name = canonical_name(spelled) if spelled else custom_metric_name(pattern.pattern)
                found.append((name, _metric(name, value, raw)))
        return found


def compile_patterns(patterns: list[str] | tuple[str, ...]) -> list[regex.Pattern]:
    """The patterns compiled with the `regex` module, whose matching takes a timeout."""
    from scout.errors import UsageError

    compiled = []
    for pattern in patterns:
        try:
            compiled.append(regex.compile(pattern))
        except (regex.error, ValueError, OverflowError, RecursionError) as exc:
            raise UsageError(f"--metric {pattern!r} is not a valid regular expression ({exc})") from exc
    return compiled


def _template(line: str) -> str:
    """The line's shape from its first metric name on, numbers blanked: lines of one shape are one
    series (per epoch, per dataset: "==> aida-B ; Micro F1 = #%"), and the last of a series wins."""
    first = _NAMED.search(line)
    return re.sub(rf"{_NUM}|{_NONFINITE}", "#", line[first.start() if first else 0 :].strip())


def _line_findings(line: str, header: _Header | None, split: str | None) -> tuple[list, _Header | None]:
    """What one line reports, and the table header in force after it."""
    found = _coco(line)
    if found or _COCO.search(line) is not None:
        return found, header
    copypaste = _COPYPASTE.search(line)
    if copypaste:
        line = " ".join(c.strip() for c in copypaste.group("rest").split(","))
    is_row, row = _table_row(header, line) if header else (False, [])
    new_header = _header(line)
    if new_header:
        return [], new_header
    if is_row:
        return row, header
    if header and header.average is None and _MEAN.match(line):
        column = next(name for name in reversed(header.names) if name and not name.startswith("train"))
        raw = _MEAN.match(line).group("v")
        return [(f"mean_{column}", _metric(column, float(raw), raw))], header
    if re.search(r"\d", line):
        header = None  # a table ends at the first line that is not one of its rows
    structured = _structured(line)
    if structured is not None:
        return structured, header
    return _named_metrics(line, split), header


def _episode_mean(observations: list[Observation]) -> Metric | None:
    """An RL script that prints each episode's return: the mean of the last ten, as papers report."""
    episodes = [
        o
        for o in observations
        if o.name == "return"
        and _PER_EPISODE.search(o.metric.line or "")
        and not _AGGREGATE_WORDS.search(o.metric.line or "")
    ]
    if len(episodes) < 3 or episodes[-1] is not next(o for o in reversed(observations) if o.name == "return"):
        return None
    last = [o.metric.value for o in episodes[-10:]]
    mean = sum(last) / len(last)
    return Metric(
        round(mean, 10), f"mean of the last {len(last)} episodes", None, episodes[-1].metric.line, episodes[-1].line_no
    )


def _precision(metric: Metric) -> float:
    """The step of the last printed digit, on scout's scale ("93.1" -> 0.001 for a percentage)."""
    digits = re.search(r"\.(\d+)", metric.raw)
    step = 10.0 ** -(len(digits.group(1)) if digits else 0)
    return step / 100 if metric.unit == "%" else step


def _conflicts(observations: list[Observation]) -> list[str]:
    """A metric whose last report disagrees with another final report of it: two lines of different
    shape (or one line) printing different values, past any training-loop line."""
    notes = []
    names = dict.fromkeys(o.name for o in observations)
    for name in names:
        finals = [o for o in observations if o.name == name and not o.progress and math.isfinite(o.metric.value)]
        if len(finals) < 2:
            continue
        last = finals[-1]
        for other in reversed(finals[:-1]):
            if other.template == last.template and other.line_no != last.line_no:
                continue  # the same line printed again (one per epoch): the last one wins
            if abs(other.metric.value - last.metric.value) > max(_precision(other.metric), _precision(last.metric)):
                notes.append(
                    f"{name} is printed with different values: {other.metric.raw} (line {other.line_no}) and "
                    f"{last.metric.raw} (line {last.line_no})"
                )
                break
    return notes


def read_output(text: str, patterns: list[str] | tuple[str, ...] = ()) -> Reading:
    """Every metric the output reports, with the line each came from (see the module docstring)."""
    custom = _Patterns(patterns)
    header: _Header | None = None
    split: str | None = None  # "Test set:" on its own line names the split of the next line
    observations: list[Observation] = []
    for number, line in enumerate(_lines(text), 1):
        line = _unwrap(line)
        found, header = _line_findings(line, header, split)
        match = _SPLIT_ONLY.match(line)
        split = match.group("qual") if match else None
        progress = bool(_PROGRESS.search(line)) and not _KUANGLIU_BAR.search(line)
        # One episode's return is a point of a series, like a training step.
        progress = progress or bool(_PER_EPISODE.search(line) and not _AGGREGATE_WORDS.search(line))
        template = _template(line)
        for name, metric in found + custom.metrics(line, number):
            metric = Metric(metric.value, metric.raw, metric.unit, line.strip()[:500], number)
            observations.append(Observation(name, metric, number, template, progress))
    metrics: dict[str, Metric] = {}
    for item in observations:
        metrics.pop(item.name, None)  # re-insert so dict order follows the last occurrence
        metrics[item.name] = item.metric
    episodes = _episode_mean(observations)
    if episodes is not None:
        metrics["return"] = episodes
    nonfinite = tuple(name for name, metric in metrics.items() if not math.isfinite(metric.value))
    return Reading(metrics, tuple(observations), nonfinite, tuple(_conflicts(observations)), tuple(custom.notes))


def parse_output(text: str, patterns: list[str] | tuple[str, ...] = ()) -> dict[str, Metric]:
    """Every metric the output reports; for each name the last value printed."""
    return read_output(text, patterns).metrics


def headline_first(metrics: dict[str, Metric], docs_text: str) -> dict[str, Metric]:
    """The metrics with the one the README names most put first: that is the run's headline."""
    from scout.metrics import SPELLINGS

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
    except ValueError as exc:  # JSONDecodeError, or an integer of more than 4300 digits
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
        parsed, problem = read_metric_value(value)
        name = canonical_name(plain_name(str(key))[:200])
        if problem is not None:  # kept as what a float makes of it, so the run's flags name it
            raw = str(value)[:100] if isinstance(value, str) else "a number too large for a float"
            metrics[name] = Metric(0.0 if "too small" in problem else math.inf, raw)
        elif parsed is not None:
            metrics[name] = Metric(normalize(name, parsed.value, parsed.raw), parsed.raw)
    return metrics
