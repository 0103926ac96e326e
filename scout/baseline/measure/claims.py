"""What the paper claims: the numbers a repo's README reports (results tables, read as grids by
scout.baseline.measure.doctables; sentences such as "achieves 93.2% accuracy on CIFAR-10"; a number
given for a benchmark, which is scored by that benchmark's metric; output pasted in code blocks) and
the results Papers with
Code records for its paper, as Claims on scout's scale (scout.metrics), ranked by how likely each is
the headline number: the one a reader would cite.

The ranking is a plain score, documented here so it can be argued with:
  +2  under a heading about results (Results, Performance, Benchmark, Experiments, Evaluation)
  +1  in a results table; +1 more for the table's first data row (the paper's own model is listed
      first, or alone); +0.5 for the table's first metric column, or for the column of the metric
      its benchmark is scored by (the docs' most named benchmark when the table names none):
      SQuAD's F1 over an EM column before it
  +0.5 per doc that names the metric (log-scaled by mentions), so the metric the README talks about wins
  +2  for a bold table cell, +1 for a bold number in a sentence (the number the authors highlight)
  +1.5 for a table row (or a column of models) the authors call their own ("Ours", "Proposed")
  +1  for a test split, -3 for a train split, -3 for a loss (what training minimises: the run's
      headline never takes one, scout.baseline.measure.headline)
  -0.1 per position in reading order (earlier is more prominent)
  -1.5 for a number a pasted log prints again further down the same block (an epoch it went past)
  +1.5 for a row that names a word of the README's title (the paper's own method, over a baseline
      listed first); only words that tell rows apart count (naming_bonus)
Papers with Code results rank below README claims; among them the best value per metric is taken.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, replace

from scout.baseline.measure import logmetrics as lm
from scout.baseline.measure.doctables import Cell, Table, tables
from scout.metrics import QUALIFIERS, base_name, canonical_name, is_fraction, normalize, parse_metric_value

_RESULTS_HEADING = re.compile(
    r"result|performance|benchmark|experiment|evaluat|accuracy|score|model zoo|pretrained", re.I
)
# "93.2", "**93.2**", "93.2 ± 0.1", "93.2 (0.1)", "93.2 (±0.1)", "76.1 (+1.2)", "76.1†";
# "90.17 / xx.xxxx": a claim beside a slot not yet filled
_MARKS = r"[*_~`†‡§¶]*"  # emphasis and footnote marks around a number
_CELL_NUMBER = re.compile(
    rf"^\s*{_MARKS}\s*(?P<num>[-+]?(?:\d+(?:\.\d+)?|\.\d+)\s*%?)\s*{_MARKS}\s*"
    r"(?:(?:±|\+/?-|\()\s*(?:±|\+/?-)?\s*[-+−]?[\d.]+\s*%?\)?)?\s*"
    rf"{_MARKS}(?:\s*/\s*(?:[xX]+(?:\.[xX]+)?|-+|–|—|\?+|n/?a|tbd))?\s*$",
    re.I,
)
_BOLD_NUMBER = re.compile(
    r"(?:\*\*|__|<b>|<strong>)\s*(?P<v>(?:\d+(?:\.\d+)?|\.\d+)\s*%?)\s*(?:\*\*|__|</b>|</strong>)"
)
_NAME_IN_TEXT = re.compile(rf"(?<![\w@.])(?:(?P<qual>{lm._QUAL})[\s_\-]+)?(?P<name>{lm._NAMES})(?![\w@])", re.I)
_NUM = r"(?:\d+(?:\.\d+)?|\.\d+)"
# "the average test error of 10 independent runs": a number that counts something claims nothing
_COUNTED = r"(?:independent\s+|random\s+|different\s+)?(?:runs?|seeds?|trials?|times|epochs?|folds?|experiments?)\b"
# "93.2% accuracy", "2.63% test error rate", ".584 mAP", "38.7 box AP on COCO"
_VALUE_FIRST = re.compile(
    # "> 90% F1 score on validation set" is a threshold, not a result
    rf"(?<![\w.])(?<![<>≥≤]\s)(?<![<>≥≤])(?<!over\s)(?<!above\s)(?<!than\s)(?<!least\s)(?P<v>{_NUM}\s*%?)\s+(?:(?:single|overall|mean|average|final|the|of|an?)\s+)?"
    rf"(?:(?P<qual>{lm._QUAL})\s+)?(?P<name>{lm._NAMES})(?![\w@])",
    re.I,
)
# "mAP of 0.584", "accuracy of 93.2%", "test F1 is 91.35", "BLEU: 27.3", "reaches a perplexity of 62.6"
_NAME_FIRST = re.compile(
    rf"(?<![\w@.])(?:(?P<qual>{lm._QUAL})(?:\s+(?:set|split))?[\s_\-]+)?(?P<name>{lm._NAMES})(?![\w@])"
    # "accuracy (%) on CIFAR-10 is", "F1 score on the test set:", "mIoU on Cityscapes val:"
    r"(?:\s+(?:score|rate))?(?:\s*\(%\))?(?P<gap>\s+(?:on|for|over)\s+[\w\-.+' ]{1,40}?)?"
    # "Mean IoU score 67.6 percent": a percentage right after the name needs no verb
    rf"\s*(?:of|is|=|:|at|reaches|achieves|obtains|around|about|~|(?={_NUM}\s*%))\s*(?:about\s+|~\s*)?"
    rf"(?P<v>{_NUM}\s*%?)(?!\d|\.\d)"
    rf"(?!\s*{_COUNTED})",
    re.I,
)
_NEAR = 20  # characters either side of a number that say what it counts
_ON_SPLIT = re.compile(r"\bon\s+(?:the\s+)?(test|testing|validation|val|dev)\s+(?:set|split|data)\b", re.I)
_PERCENT_WORD = re.compile(r"(\d)\s*(?:percent|per\s+cent)\b", re.I)
_DATASETS = re.compile(
    r"\b(CIFAR-?10{1,2}|ImageNet(?:-1k)?|MNIST|Fashion-MNIST|SVHN|COCO|PASCAL VOC(?: ?20\d\d)?|VOC ?20\d\d|"
    r"Cityscapes|ADE20K|Penn Treebank|PTB|WikiText-?\d+|enwik8|text8|SQuAD|CoQA|GLUE|CoNLL[- ]?20\d\d|"
    r"Market-?1501|DukeMTMC|LFW|IJB-[BC]|Cora|Citeseer|Pubmed|AG'?s News|Yelp|IMDB|ATIS|bAbI|WMT ?\d+|"
    r"SNLI|MultiNLI|MNLI|LibriSpeech|Omniglot|miniImageNet|ShapeNet|ModelNet40|KITTI|BRATS ?\d*|Criteo|MovieLens|"
    r"DMLab-30|Atari)\b",
    re.I,
)
# The metric a benchmark is scored by, for a number the docs give for it without naming one
# ("test on VOC 2007 test, **79.8**"); benchmarks scored by several (re-ID, GLUE) are left out.
_BENCHMARK_METRIC = {
    "PASCAL VOC|VOC|COCO": "map",
    "ImageNet": "top1",
    "CIFAR|MNIST|Fashion-MNIST|SVHN|Omniglot|miniImageNet|ModelNet40|AG|Yelp|IMDB|LFW|SNLI|MultiNLI|MNLI": "accuracy",
    "Cityscapes|ADE20K": "miou",
    "Penn Treebank|PTB|WikiText": "perplexity",
    "enwik8|text8": "bpc",
    "SQuAD|CoQA|CoNLL": "f1",
    "WMT": "bleu",
    "LibriSpeech": "wer",
}
_BENCHMARKS = [(re.compile(rf"^(?:{names})", re.I), metric) for names, metric in _BENCHMARK_METRIC.items()]
_SPLIT_COLUMN = re.compile(rf"^\s*(?:{lm._QUAL})(?:\s+(?:set|split|acc\.?))?\s*$", re.I)


def _benchmark_metric(dataset: str | None) -> tuple[str, None] | None:
    metric = next((name for pattern, name in _BENCHMARKS if dataset and pattern.match(dataset)), None)
    return (metric, None) if metric else None


# "our intent accuracy is 96.3%", "You should obtain a .584 mAP", "Expected result: 2.63% test error"
_ACHIEVE = re.compile(
    r"\b(?:our|we|achiev\w*|obtain\w*|reach\w*|gets?|got|yields?|should get|expected result|reproduc\w*|"
    r"outperform\w*)\b",
    re.I,
)
# A column that describes the run ("Training dataset" holding "291", the 291-image set) scores nothing.
_DESCRIBES = re.compile(r"\b(?:train\w*|data(?:set)?s?|year|epochs?|batch|params?|size|time|flops|gpus?)\b", re.I)
# "Ours", "RRDB (ours)", "Proposed", "This repo", "Our implementation": the authors' own row.
_OWN_ROW = re.compile(r"\b(?:ours|our\s+\w+|proposed|this\s+(?:repo\w*|implementation|code|work|project))\b", re.I)
_TRAINING_WORDS = re.compile(
    r"\b(?:lr|learning rate|batch|epochs?|params?|parameters|flops|time|speed|fps|memory|size)\b", re.I
)


@dataclass(frozen=True)
class Claim:
    metric: str  # canonical, with its split when the doc names one ("test_error", "map")
    value: float  # on scout's scale
    raw: str  # as written
    label: str  # the metric as the doc writes it ("Top-1 Acc (%)")
    source: str  # "README.md § Results" or "Papers with Code"
    dataset: str | None = None
    split: str | None = None
    context: str = ""  # the table row or sentence it came from
    score: float = 0.0

    @property
    def base(self) -> str:
        return base_name(self.metric)

    def to_json(self) -> dict:
        data = asdict(self)
        data["metric"] = self.label
        data["name"] = self.metric
        data.pop("label")
        data["score"] = round(self.score, 3)
        return data


# Words that name no model or dataset in a command, a table row or a title.
_STOP = frozenset(
    "python python3 py sh bash eval evaluate test main run the and with for on of via using model models "
    "data dataset checkpoint ckpt pth pt cuda gpu cpu code implementation official pytorch tensorflow keras "
    "sub br".split()
)


def _place(source: str) -> str:
    """Where in the docs a claim sits, as words that can name what it is for: the folder of its doc
    ("reconstruction/gaze/README.md") and its section ("README.md § Results on Market-1501")."""
    path, _, heading = source.removesuffix(" (output)").partition(" § ")
    return f"{path.rpartition('/')[0]} {heading}"


def words_of(text: str) -> set[str]:
    """Words and numbers of a command, a table row or a title, with hyphenated names also joined
    ("R-FCN" is "rfcn" as a config file spells it, "ResNet-50" is "resnet50"), and a pair of years
    as a dataset's name spells it ("VOC 2007+2012" is "0712", as in `pascal_voc_0712`)."""
    lower = text.lower()
    joined = {w.replace("-", "") for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", lower)}
    joined |= {a + b for a, b in re.findall(r"\b(?:19|20)?(\d\d)\s*\+\s*(?:[a-z]+\s*)?(?:19|20)?(\d\d)\b", lower)}
    found = set(re.findall(r"[a-z]+\d*|\d+", lower)) | joined
    return {t for t in found if len(t) > 1 and t not in _STOP}


_MODEL_WORD = re.compile(r"^([a-z]+)(\d{2,})$")


def _abbreviates(short: str, long: str) -> bool:
    """ "res101" and "r101" name "resnet101": the same size, the family's name cut short."""
    a, b = _MODEL_WORD.match(short), _MODEL_WORD.match(long)
    if not a or not b or short == long or a.group(2) != b.group(2):
        return False
    return b.group(1).startswith(a.group(1)) or a.group(1).startswith(b.group(1))


def naming_bonus(claims: list[Claim], words: set[str], per_word: float, cap: float, graded: bool = True) -> list[float]:
    """Per claim, how strongly its row or sentence names `words` (a command's, a title's). A word
    every row shares ("ResNet-v1-101" in each row of a table) selects nothing; a word in one row
    only weighs 1, and in between it weighs by how many rows it leaves out, (n - k) / (n - 1) for k
    of n distinct rows (graded: the command's "coco" picks the COCO rows, and its "18" the one
    ResNet-18 row), or 1 (not graded: every row naming the paper's own method is the paper's). A
    row's words are its text, the files its links name, its dataset, and its doc's folder and section;
    a command's "res101" or "r101" names a row's "ResNet-101"."""
    contexts = [words_of(f"{claim.context} {claim.dataset or ''} {_place(claim.source)}") for claim in claims]
    rows = {frozenset(context) for context in contexts}
    if graded:
        words = words | {w for row in rows for w in row if any(_abbreviates(mine, w) for mine in words)}

    def weight(word: str) -> float:
        held = sum(word in row for row in rows)
        if len(rows) < 2 or held == len(rows):
            return 0.0
        return (len(rows) - held) / (len(rows) - 1) if graded else 1.0

    return [min(cap, per_word * sum(weight(w) for w in words & context)) for context in contexts]


def _title(docs) -> str:
    """The README's title (its first `# ` heading): the paper's method is named there."""
    for line in docs[0].text.splitlines()[:40] if docs else []:
        if re.match(r"#\s", line.strip()):
            return line.strip().lstrip("#")
    return ""


def _split_of(text: str) -> str | None:
    found = re.findall(rf"\b({lm._QUAL})\b", text, re.I)
    return QUALIFIERS[found[-1].lower()] if found else None


def _metric_in(text: str) -> tuple[str, str | None] | None:
    """(canonical base name, split) of the metric a header cell names, else None."""
    text = lm.clean(re.sub(r"[*_`]", " ", text)).strip()
    lower = text.lower().strip(" :")
    if lower in lm._TABLE_ALIASES:
        return lm._TABLE_ALIASES[lower], None
    match = _NAME_IN_TEXT.search(text)
    if not match or _TRAINING_WORDS.search(text[: match.start()]):
        return None
    name = canonical_name(match.group("name"))
    if re.search(r"\berr(?:or)?\b", text, re.I) and name in ("top1", "top5"):
        name = f"{name}_error"
    return base_name(name), _split_of(text)


def _dataset_in(text: str) -> str | None:
    match = _DATASETS.search(text)
    return match.group(0) if match else None


def _value(raw: str, metric: str) -> float | None:
    parsed = parse_metric_value(raw.replace(" ", ""))
    if parsed is None or not math.isfinite(parsed.value):
        return None
    value = normalize(metric, parsed.value, raw)
    # "10000" under "#Test" in a dataset table is a count, not an accuracy
    return None if is_fraction(metric) and not 0.0 <= value <= 1.0 else value


def _mentions(docs_text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    # "the accuracies on the whole train and test sets": a plural names the metric too
    singular = re.sub(r"(?<=[a-z]{3}[^s\W])s\b", "", re.sub(r"(?<=[a-z])ies\b", "y", docs_text))
    for match in _NAME_IN_TEXT.finditer(singular):
        name = base_name(canonical_name(match.group("name")))
        counts[name] = counts.get(name, 0) + 1
    return counts


def _column_labels(header: list[tuple[Cell, ...]], width: int) -> list[str]:
    """Per column, the words of every header row above it, top first ("CIFAR-10 Top-1"). A Markdown
    table stands in for a colspan with empty cells after a group's name ("| CIFAR-10 | |" over
    "| Top-1 | Top-5 |"): an upper row's empty cell takes the name on its left."""
    labels: list[list[str]] = [[] for _ in range(width)]
    for depth, row in enumerate(header):
        texts = [cell.text for cell in row] + [""] * (width - len(row))
        if depth < len(header) - 1:
            for col in range(2, width):
                texts[col] = texts[col] or texts[col - 1]
        for col, text in enumerate(texts[:width]):
            if text and text not in labels[col]:
                labels[col].append(text)
    return [" ".join(words) for words in labels]


def _file_of(link: str) -> str:
    """What a link names in the repo: a relative link's last part ("voc-fcn8s"), a URL's file
    ("…/fcos_R_50_FPN_1x.pth?dl=1" is "fcos_R_50_FPN_1x.pth"); "" for a page or a site."""
    path = link.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    name = path.rsplit("/", 1)[-1]
    if not re.match(r"^[a-z][a-z0-9+.-]*:", path, re.I):
        return name
    return name if "." in name and "/" in path and not re.search(r"\.(?:com|org|net|io|html?|php)$", name) else ""


_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\((?P<href>[^)\s]*)[^)]*\)")
_HTML_TAG = re.compile(lm.HTML_TAG)


def _plain(line: str) -> str:
    """A line of prose without markup; a link keeps its text and the file it names, not its URL
    (whose words, "py-faster-rcnn" in a link to another repo, name nothing in this one)."""
    linked = _LINK.sub(lambda m: f"{m.group('text')} {_file_of(m.group('href'))}".strip(), line)
    # "Test Accuracy : <b>94.53%</b>": inline HTML is markup, as ** is
    return lm.clean(re.sub(r"[*_`]", "", _HTML_TAG.sub("", linked)))


def _is_number(cell: str) -> bool:
    return bool(_CELL_NUMBER.match(cell)) or all(_CELL_NUMBER.match(part) for part in cell.split("/"))


def _cell_numbers(cell: str, label: str) -> list[tuple[str, str]]:
    """(column label, number) pairs in a cell: one, or one per part of a cell that packs several
    metrics under a header that names as many ("76.1 / 92.9" under "Top-1 / Top-5")."""
    number = _CELL_NUMBER.match(cell)
    if number:
        return [(label, number.group("num"))]
    parts, names = cell.split("/"), label.split("/")
    if len(parts) < 2 or len(parts) != len(names):
        return []
    found = [(name.strip(), _CELL_NUMBER.match(part)) for name, part in zip(names, parts)]
    if not all(number and _metric_in(name) for name, number in found):
        return []
    return [(name, number.group("num")) for name, number in found]


def _table_claims(
    table: Table, heading: str, source: str, context_text: str, section: str = "", doc_dataset: str | None = None
) -> list[Claim]:
    """The claims of one table. Metrics are its columns (the header names them), or its rows (the
    first cell of a row names one, the columns being models or datasets), or, for columns named by
    dataset, the metric the caption or the section above the table names."""
    header = list(table.header)
    body = [row for row in table.rows if any(cell.text for cell in row)]
    # A first body row with no number that names metrics is a second header row.
    while len(body) > 1 and not any(_is_number(c.text) for c in body[0]) and any(_metric_in(c.text) for c in body[0]):
        header.append(body.pop(0))
    if not header or not body:
        return []
    width = max(len(row) for row in header + body)
    labels = _column_labels(header, width)
    columns = [_metric_in(label) for label in labels]
    caption_metric = _metric_in(heading) or _metric_in(context_text) or _metric_in(section)
    table_dataset = _dataset_in(heading) or _dataset_in(context_text)
    if caption_metric is None and sum(bool(_SPLIT_COLUMN.match(label)) for label in labels) >= 2:
        # "Model | Train | Validation | Test" with no metric named: the benchmark's own metric
        caption_metric = _benchmark_metric(table_dataset or _dataset_in(section))
    first_metric_col = next((i for i, col in enumerate(columns) if col), None)
    scored_by = _benchmark_metric(table_dataset or doc_dataset)
    lead_col = next((i for i, col in enumerate(columns) if col and scored_by and col[0] == scored_by[0]), None)
    lead_col = first_metric_col if lead_col is None else lead_col
    by_row = first_metric_col is None and any(row and _metric_in(row[0].text) for row in body)
    claims = []
    metric_rows = 0
    for row_index, row in enumerate(body):
        texts = [cell.text for cell in row]
        label = " ".join(t for t in texts if t and not _is_number(t))[:120]
        files = " ".join(_file_of(link) for cell in row for link in cell.links)[:120]
        label = f"{label} {files}".strip()
        row_metric = _metric_in(texts[0]) if by_row and texts else None
        if by_row and row_metric is None:
            continue
        first_number_col = next((i for i, t in enumerate(texts) if _cell_numbers(t, labels[i])), None)
        for col, cell in enumerate(row[:width]):
            for col_label, raw in _cell_numbers(cell.text, labels[col]):
                dataset = _dataset_in(label) or _dataset_in(labels[col]) or table_dataset
                context, own = label, texts[0] if texts else ""
                if by_row:
                    # Rows are metrics: the column says which model or dataset the number is for.
                    name, split = row_metric
                    metric, context = (name, split or _split_of(labels[col])), f"{labels[col]} {texts[0]}"
                    dataset, own = _dataset_in(labels[col]) or table_dataset, labels[col]
                    lead = (1.0 if col == first_number_col else 0.0) + (0.5 if metric_rows == 0 else 0.0)
                else:
                    metric = _metric_in(col_label) if col_label != labels[col] else columns[col]
                    if metric is None:
                        # Columns named by dataset under a caption that names the metric.
                        if caption_metric is None or first_metric_col is not None or _DESCRIBES.search(labels[col]):
                            continue
                        # The columns are datasets ("ag_news"), or models with the datasets as rows,
                        # or splits ("Validation | Test").
                        if _SPLIT_COLUMN.match(labels[col]):
                            metric = (caption_metric[0], _split_of(labels[col]))
                        else:
                            metric, dataset = caption_metric, _dataset_in(label) or labels[col] or dataset
                        context, own = f"{label} {labels[col]}", f"{own} {labels[col]}"
                    lead = (1.0 if row_index == 0 else 0.0) + (0.5 if col == lead_col else 0.0)
                name, split = metric
                full = f"{split}_{name}" if split else name
                value = _value(raw, name)
                if value is None:
                    continue
                # a bold number is the one the authors highlight; a row (or a column of models) they
                # call their own is theirs
                score = 1.0 + lead + (2.0 if cell.bold else 0.0) + (1.5 if _OWN_ROW.search(own) else 0.0)
                claims.append(
                    Claim(full, value, raw.strip(), col_label or name, source, dataset, split, context, score)
                )
        metric_rows += row_metric is not None
    return claims


def _prose_claims(line: str, source: str) -> list[Claim]:
    claims = []
    bold = {re.sub(r"\s", "", m.group("v")) for m in _BOLD_NUMBER.finditer(line)}
    text = _PERCENT_WORD.sub(r"\1%", _plain(line))
    seen = set()
    for pattern in (_VALUE_FIRST, _NAME_FIRST):
        for match in pattern.finditer(text):
            name = base_name(canonical_name(match.group("name")))
            if re.search(r"\berr(?:or)?\b", text[max(0, match.start() - 20) : match.end() + 12], re.I) and name in (
                "top1",
                "top5",
            ):
                name = f"{name}_error"
            gap = match.groupdict().get("gap") or ""
            if _TRAINING_WORDS.search(gap) or re.search(_COUNTED, gap, re.I):
                continue  # "accuracy for 10 epochs: 0.3" describes training
            split = (
                QUALIFIERS[match.group("qual").lower()]
                if match.group("qual")
                else _split_of(gap) or _split_of(text[: match.start()][-40:])
            )
            value = _value(match.group("v"), name)
            if value is None or (name, value) in seen or (is_fraction(name) and value in (0.0, 1.0)):
                continue  # "acc = 100% - error" defines a metric, it claims nothing
            seen.add((name, value))
            full = f"{split}_{name}" if split else name
            score = 0.5 + (1.5 if _ACHIEVE.search(text) else 0.0)
            if re.sub(r"\s", "", match.group("v")) in bold:
                score += 1.0  # "our intent accuracy is **96.3%**": the number the authors highlight
            claims.append(
                Claim(
                    full,
                    value,
                    match.group("v").strip(),
                    match.group("name"),
                    source,
                    _dataset_in(text),
                    split,
                    text.strip()[:160],
                    score,
                )
            )
    return claims


def _benchmark_claims(line: str, source: str, doc_metric: str | None = None) -> list[Claim]:
    """A number given for a benchmark with no metric named: the benchmark's own metric, when the
    number is highlighted (bold) or is a percentage the authors say they achieve ("76.1% on ImageNet").
    A percentage achieved on a split ("achieved ~99.5% on test set") is in the docs' own metric
    (`doc_metric`, the percentage metric they name most)."""
    text = _plain(line)
    dataset = _dataset_in(text)
    on_split = _ON_SPLIT.search(text)
    if (dataset is None and on_split is None) or _NAME_IN_TEXT.search(text):
        return []
    if dataset and _TRAINING_WORDS.search(text):
        return []
    metric = (_benchmark_metric(dataset) or (None,))[0] if dataset else doc_metric
    bold = [m.group("v") for m in _BOLD_NUMBER.finditer(line)]
    # "within ~0.2%", "by 1.2%", "+0.5%": a margin or a gain, not a score; "~99.5%" is a score
    said = [
        m
        for m in re.finditer(rf"(?<![\w.~±+\-])(?<!within )(?<!by )(?<!than )(?:~\s*)?{_NUM}\s*%(?!\s*of\b)", text)
        if _ACHIEVE.search(text)
    ]
    # "~0.2% of the reported numbers" is a share; "lr 0.1%", "in 90 epochs: 76%": a number beside
    # training words
    numbers = bold or [
        m.group(0).lstrip("~ ")
        for m in said
        if not _TRAINING_WORDS.search(text[max(0, m.start() - _NEAR) : m.end() + _NEAR])
    ]
    if metric is None or len(numbers) != 1:
        return []
    value = _value(numbers[0], metric)
    if value is None:
        return []
    split = QUALIFIERS[on_split.group(1).lower()] if on_split else None
    full = f"{split}_{metric}" if split else metric
    return [Claim(full, value, numbers[0].strip(), metric, source, dataset, split, text.strip()[:160], 0.5)]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9\-]{2,}", text.lower()) if w not in _COMMON}


_COMMON = {
    "the",
    "and",
    "for",
    "with",
    "results",
    "result",
    "model",
    "models",
    "our",
    "table",
    "performance",
    "evaluation",
    "test",
    "dataset",
    "accuracy",
    "link",
    "download",
    "http",
    "https",
    "com",
    "github",
}


_BULLET = re.compile(
    rf"^(?:[*\-+]\s+|<li>\s*)(?P<label>[^:<]{{1,60}}):\s*[*_]*(?P<v>{_NUM}\s*%?)[*_]*\s*\.?\s*(?:</li>)?\s*$", re.I
)


def _bullet_claim(line: str, heading: str, paragraph: str, source: str) -> list[Claim]:
    """ "* DeepFM: 0.692" in a list under "Some results (AUC) on the demo dataset:"; "<li>Test: 97%</li>"
    under "<b>Accuracy:</b>", the item naming the split."""
    match = _BULLET.match(line)
    metric = _metric_in(paragraph[-200:]) or _metric_in(heading) if match else None
    if not match or metric is None:
        return []
    name, split = metric
    split = _split_of(match.group("label")) or split
    value = _value(match.group("v"), name)
    if value is None:
        return []
    full = f"{split}_{name}" if split else name
    return [Claim(full, value, match.group("v").strip(), name, source, _dataset_in(paragraph), split, line[:160], 0.5)]


# CommonMark's code fences: a backtick fence's info string holds no backtick (a line that starts
# "```LinMix(...)``` is a goal" is inline code in prose), and a closing fence holds nothing else.
_FENCE_OPEN = re.compile(r"^(?:`{3,}[^`]*|~{3,}.*)$")
_FENCE_CLOSE = re.compile(r"^(?:`{3,}|~{3,})\s*$")
_PASSED = 1.5  # an earlier line of a log's series: below the last one, whose place it would otherwise win
_LIST_ITEM = re.compile(r"^(?:[*\-+]|\d+[.)])\s")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]+\)|<img\b", re.I)


def results_as_image(docs) -> str | None:
    """Where the docs show their results only as a picture (a results section with an image and no
    number scout reads as a claim): "README.md § Results", else None. Called when no claim was found,
    so that a run says why there is nothing to compare with."""
    for doc in docs[:6]:
        heading, in_results, fence = "", False, False
        for line in doc.text.splitlines():
            stripped = line.strip()
            if _FENCE_CLOSE.match(stripped) if fence else _FENCE_OPEN.match(stripped):
                fence = not fence
            elif not fence and re.match(r"#{1,6}\s", stripped):
                heading = stripped.lstrip("#").strip()
                in_results = bool(_RESULTS_HEADING.search(heading))
            elif in_results and not fence and _IMAGE.search(stripped):
                return f"{doc.path} § {heading}"
    return None


def readme_claims(docs) -> list[Claim]:
    """Every number the docs claim for a metric, best candidate for the headline first. `docs` are
    scout.baseline.discover.docs.Doc (path, text), README first."""
    all_text = "\n".join(doc.text for doc in docs)
    mentions = _mentions(all_text)
    datasets = [m.group(0) for m in _DATASETS.finditer(all_text)]
    main_dataset = max(datasets, key=datasets.count) if datasets else None
    percentages = [name for name in mentions if is_fraction(name)]
    doc_metric = max(percentages, key=lambda name: mentions[name]) if percentages else None
    claims: list[Claim] = []
    order = 0
    # (block, metric, line with its numbers blanked) -> the index of its claim: a pasted log's
    # series (one line per epoch) ends in its result, the lines before it are epochs the run went
    # past; lines that differ in words ("==> aida-A", "==> aida-B") are results of their own
    series: dict[tuple[int, str, str], int] = {}
    passed: set[int] = set()
    block = 0
    for doc in docs[:6]:
        lines = doc.text.splitlines()
        grids = {} if doc.path.lower().endswith((".rst", ".txt")) else {t.start: t for t in tables(doc.text)}
        heading, fence, paragraph, section, fence_split = "", False, "", "", ""
        lead_in = ""  # "With Resnet101 (last conv4):": what the list below it is about
        i = 0
        while i < len(lines):
            line = lines[i]
            stripped = line.strip()
            source = f"{doc.path} § {heading}" if heading else doc.path
            found: list[Claim] = []
            under = ""  # the lead-in of the list this line is an item of
            if i in grids and not fence:
                table = grids[i]
                found = _table_claims(table, heading, source, paragraph, section, main_dataset)
                i = max(table.end, i + 1)
            elif _FENCE_CLOSE.match(stripped) if fence else _FENCE_OPEN.match(stripped):
                fence, fence_split, block = not fence, "", block + 1
                i += 1
                continue
            elif not fence and re.match(r"#{1,6}\s", stripped):
                heading, paragraph, section, lead_in = stripped.lstrip("#").strip(), "", "", ""
                i += 1
                continue
            else:
                if fence:
                    # Output pasted in a code block: read as the reader reads a log, each line under
                    # the block's last split heading ("# TEST RESULTS" names the lines below it).
                    if lm._SPLIT_ONLY.match(stripped):
                        fence_split = stripped
                    for name, metric in lm.read_output(f"{fence_split}\n{line}").metrics.items():
                        if math.isfinite(metric.value):
                            found.append(
                                Claim(
                                    name,
                                    metric.value,
                                    metric.raw,
                                    name,
                                    f"{source} (output)",
                                    _dataset_in(line),
                                    _split_of(name.replace("_", " ")),
                                    stripped[:160],
                                    0.8,
                                )
                            )
                else:
                    found = (
                        _prose_claims(line, source)
                        or _bullet_claim(stripped, heading, paragraph, source)
                        or _benchmark_claims(stripped, source, doc_metric)
                    )
                    if _LIST_ITEM.match(stripped):
                        under = lead_in
                    elif stripped:
                        lead_in = _plain(stripped)[:120] if stripped.endswith(":") else ""
                    if not _BULLET.match(stripped):
                        paragraph = (paragraph + " " + stripped)[-400:] if stripped else ""
                    section = (section + " " + stripped)[:1000]
                i += 1
            heading_words = _words(heading) if found else set()  # most lines claim nothing
            for claim in found:
                bonus = 2.0 if heading and _RESULTS_HEADING.search(heading) else 0.0
                if heading_words & _words(claim.context):
                    bonus += 1.0  # "* DeepFM: 0.692" under the heading "DeepFM"
                bonus += 0.5 * math.log1p(mentions.get(claim.base, 0))
                bonus += {"test": 1.0, "train": -3.0}.get(claim.split or "", 0.0)
                if claim.base == "loss":
                    bonus -= 3.0  # what training minimises; a run's headline never takes one
                bonus -= 0.1 * min(order, 30)
                if under:
                    # the list's lead-in names what its items are for, for the command's words
                    claim = replace(claim, context=f"{claim.context} ({under})")
                if fence:
                    key = (block, claim.metric, re.sub(rf"{lm._NUM}", "#", stripped))
                    if key in series:
                        passed.add(series[key])
                    series[key] = len(claims)
                claims.append(_with_score(claim, claim.score + bonus))
                order += 1
    # The paper's own model is the row its title names ("Deformable R-FCN" in "Deformable
    # Convolutional Networks"), over a baseline's row listed first.
    by_title = naming_bonus(claims, words_of(_title(docs)), 1.5, 1.5, graded=False)
    claims = [
        _with_score(claim, claim.score + bonus - (_PASSED if index in passed else 0.0))
        for index, (claim, bonus) in enumerate(zip(claims, by_title))
    ]
    claims.sort(key=lambda c: -c.score)
    return claims


def _with_score(claim: Claim, score: float) -> Claim:
    return replace(claim, score=score)


def paper_claims(rows: list[dict]) -> list[Claim]:
    """Papers with Code results for the repo's paper (rows: metric, value, raw, dataset, task)."""
    best: dict[str, Claim] = {}
    from scout.metrics import higher_is_better

    for row in rows:
        name = canonical_name(row["metric"])
        value = normalize(name, row["value"], row.get("raw") or "")
        claim = Claim(
            name,
            value,
            row.get("raw") or str(row["value"]),
            row["metric"],
            "Papers with Code",
            row.get("dataset"),
            None,
            row.get("task") or "",
            0.0,
        )
        held = best.get(name)
        if held is None or ((value > held.value) if higher_is_better(name) else (value < held.value)):
            best[name] = claim
    return list(best.values())
