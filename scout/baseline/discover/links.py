"""Links in a repo's docs, read in context: what a linked file is (a released model to evaluate, a
backbone initialisation, word embeddings, a dataset), and the doc step that fetches a missing file
or the training command that writes it. A `.tar`/`.pkl`/`.pth` ending alone decides nothing."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from pathlib import Path

URL = re.compile(r"https?://[^\s)\"'<>\]`]+")
WEIGHT_SUFFIX = re.compile(r"\.(?:pth|pt|ckpt|pkl|npz|th|t7|tar|bin|safetensors|h5|hdf5|params|caffemodel|model|zip)\b")


_KIND_WORDS = (
    ("embeddings", re.compile(r"glove|word2vec|fasttext|word vectors|embedding", re.I)),
    (
        "backbone",
        re.compile(
            r"imagenet[- ]?pre-?trained|backbone|initiali[sz]|pre-?trained on imagenet|"
            r"download\.pytorch\.org/models|model_zoo|caffe2?[- ]?models?|\bbase model",
            re.I,
        ),
    ),
    (
        "dataset",
        re.compile(r"\bdata(?:set)?s?\b|annotations?|corpus|images|\bsplits?\b|features|benchmark|\bvocab", re.I),
    ),
    (
        "model",
        re.compile(
            r"trained models?|our models?|checkpoints?|weights|model zoo|released|best model|"
            r"pre-?trained models?|results? reported",
            re.I,
        ),
    ),
)


# Model zoos of ImageNet classifiers, and files named only for an architecture (vgg_16_2016_08_28.tar.gz,
# resnet50-19c8e357.pth): what a detector or segmenter starts from, not what it is evaluated with.
_BACKBONE_URL = re.compile(
    r"download\.pytorch\.org/models|download\.tensorflow\.org/models|keras-applications|ImageNetPretrained|"
    r"imagenet|_in1k|model_zoo/imagenet|caffe.*(?:vgg|resnet)",
    re.I,
)
_ARCHITECTURES = (
    r"(?:vgg|resnet|resnext|inception|mobilenet|densenet|efficientnet|xception|alexnet|googlenet|squeezenet)"
)
_ARCHITECTURE_FILE = re.compile(
    _ARCHITECTURES
    + r"[\w.-]*?(?:_\d{4}_\d{2}_\d{2}|-[0-9a-f]{6,})?\.(?:tar\.gz|tgz|tar|pth|pt|h5|ckpt|caffemodel|npy|zip|params)"
)


# A link's text that is only an architecture's name: `[ResNet-101]`, `[Wide ResNet]`, `[MobileNet v1]`.
_ARCHITECTURE_NAME = re.compile(
    r"(?:wide[- ]?resnet|darknet|" + _ARCHITECTURES + r")[- ]?(?:v?\d+\w*)?(?:[- ]v\d)?", re.I
)
# "trained on [291](...)", "pre-trained on the [ImageNet](...)": what follows names the data.
_TRAINED_ON = re.compile(r"\b(?:trained|fine-?tuned|learned)\s+on\s+(?:the\s+)?\[?$", re.I)
_TRAIN_HEADING = re.compile(r"^#+.*(?<!pre-)(?<!pre)\btrain", re.I)
_EVAL_HEADING = re.compile(r"test|eval|infer|demo|result|zoo|reproduc|releas|benchmark|\bour\b|\band\b|&", re.I)
# Weights, not a model: "a pre-trained model on 300-W is at [...]" under Training is the released one.
_PRETRAINED = re.compile(r"\bpre-?trained\s+weights\b", re.I)
_PRETRAINED_WORD = re.compile(r"\bpre-?trained\b", re.I)


def link_kind(url: str, context: str) -> str:
    """What a linked file is, from the URL and the doc lines around it: `model` (a released or
    trained model to evaluate), `backbone` (an initialisation), `embeddings`, `dataset` or `other`.
    A `.tar`/`.pkl`/`.pth` ending alone decides nothing: the words around the link do."""
    name = url.rsplit("/", 1)[-1].lower()
    if re.search(r"glove|word2vec|fasttext|googlenews|vectors", name):
        return "embeddings"
    if _BACKBONE_URL.search(url) or _ARCHITECTURE_FILE.fullmatch(name.split("?")[0]):
        return "backbone"
    heading, _, near = context.rpartition("\n")
    heading = heading.split("\n", 1)[0]
    anchor = re.search(r"\[([^\]]*)\]\(\s*" + re.escape(url), near)
    anchor_text = anchor.group(1) if anchor else ""
    if _ARCHITECTURE_NAME.fullmatch(anchor_text.strip()) and _PRETRAINED_WORD.search(context):
        # `- [ResNet18](...)` under "Pretrained Model": what a segmenter starts from. A list of
        # "Trained ResNet models" (a classifier's own results) says trained, not pre-trained.
        return "backbone"
    before = near[: anchor.start() if anchor else max(near.find(url), 0)]
    if _TRAINED_ON.search(before):
        return "dataset"  # "a model trained on [291](.../train_data.zip) images": the link is the data
    if _TRAIN_HEADING.search(heading) and not _EVAL_HEADING.search(heading) and _PRETRAINED.search(near):
        return "backbone"  # "## How to train: 1. Download pre-trained weights for the convolutional layers"
    # The link's own words first (`[vocabulary](...)` under a checkpoint heading), then its line and heading.
    found = [kind for kind, words in _KIND_WORDS if words.search(anchor_text)] or [
        kind for kind, words in _KIND_WORDS if words.search(context)
    ]
    if "model" in found and not ({"backbone", "embeddings"} & set(found)):
        return "model"
    for kind in ("embeddings", "backbone", "dataset"):
        if kind in found:
            return kind
    return "model" if WEIGHT_SUFFIX.search(name) and "model" in found else "other"


# Links and download lines read at the most: a README of a thousand links is a list, not a guide.
MAX_LINKS = 1000


def doc_links(docs: Sequence[tuple[str, str]]) -> tuple[tuple[str, str, str], ...]:
    """(url, doc path, context) for every link in the docs; the context is its line and heading."""
    return _doc_links(tuple(docs))


@functools.lru_cache(maxsize=4)
def _doc_links(docs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    # Cached: each need asks again, and a README can be megabytes.
    found = []
    for path, text in docs:
        heading = ""
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if re.match(r"^\s{0,3}#{1,6}\s", line):
                heading = line
            for match in URL.finditer(line):
                before = lines[i - 1] if i else ""
                found.append((match.group(0).rstrip(".,;"), path, f"{heading}\n{before}\n{line}"))
                if len(found) >= MAX_LINKS:
                    return tuple(found)
    return tuple(found)


@functools.lru_cache(maxsize=4)
def _fetch_lines(docs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """(doc path, line) of the doc lines that download something (wget, curl, a download script)."""
    found = (
        (path, line)
        for path, text in docs
        for line in text.splitlines()
        if re.search(r"\bwget\b|\bcurl\b|download|fetch|gdown|\bgsutil\b", line, re.I)
        and (URL.search(line) or re.search(r"\.(py|sh)\b", line))
    )
    return tuple(itertools.islice(found, MAX_LINKS))


# "please download the corresponding model files and run", "download our pretrained weights, then":
# the sentence that introduces a command says what its placeholder is when the flag does not.
_FETCH_MODEL = re.compile(
    r"\bdownload\w*\b[^.\n]{0,60}\b(?:models?|weights|checkpoints?|nets|networks|snapshots?)\b", re.I
)
_FETCH_DATA = re.compile(r"\bdownload\w*\b[^.\n]{0,60}\b(?:data ?sets?|data|corpus|images|annotations)\b", re.I)


def introduced_as(fragment: str, docs: Sequence[tuple[str, str]]) -> str | None:
    """What the prose just before the doc command holding `fragment` asks the reader to download:
    `checkpoint`, `dataset`, or None when it says neither (or both)."""
    for _, text in docs:
        at = text.find(fragment)
        if at < 0:
            continue
        # The prose before the block, past the code blocks in between ("For example, by running").
        head = text[max(0, at - 3000) : at]
        if head.count("```") % 2:
            head = head[: head.rfind("```")]
        prose = [line for line in re.sub(r"```[\s\S]*?```", "", head).splitlines() if line.strip()]
        intro = " ".join(prose[-3:])
        model, data = _FETCH_MODEL.search(intro), _FETCH_DATA.search(intro)
        if bool(model) != bool(data):
            return "checkpoint" if model else "dataset"
        return None
    return None


def checkpoint_advice(value: str, docs: Sequence[tuple[str, str]]) -> str:
    """Where the weights at `value` come from: a linked released model of that name, the training
    command in the docs that writes that folder, or a doc step that fetches trained weights."""
    name = Path(value.rstrip("/")).name
    for url, path, context in doc_links(docs):
        # The very file the command names is the weights it loads, unless the doc says it is data.
        linked = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if len(name) >= 4 and name in linked and link_kind(url, context) in ("model", "other"):
            return f"not in the checkout; {path} links it: {url}"
    # A results table row that names the run the weights come from (`run_i3d_nlnet_400k.sh | ... | link`).
    runs = [p for p in re.split(r"[/\\]", value) if len(p) >= 8 and "_" in p and "." not in p]
    for url, path, context in doc_links(docs):
        row = context.rsplit("\n", 1)[-1]
        if (
            any(re.search(rf"(?<![\w-]){re.escape(run)}(?![\w-])", row) for run in runs)
            and WEIGHT_SUFFIX.search(url.split("?")[0].rsplit("/", 1)[-1])
            and link_kind(url, context) in ("model", "other")
        ):
            return f"not in the checkout; {path} links the weights of that run: {url}"
    folder = re.escape(value.rstrip("/"))
    writes = re.compile(r"(?:out|save|output|log|checkpoint)[\w-]*[ =]+\S*" + folder)
    for path, text in docs:
        for line in re.sub(r"\\[ \t]*\r?\n\s*", " ", text).splitlines():  # a command split over lines is one line
            trains = re.search(r"\btrain|--mode[ =]train|run_type=train", line)
            if trains and line.strip() != value and writes.search(line):
                step = re.sub(r"[ ]+", " ", line.strip().strip("`$ "))
                return f"only training writes it: run `{step}` ({path}) first"
    # Each link read with its heading: a `wget` under "ImageNet pre-trained models" fetches a backbone.
    contexts: dict[str, list[str]] = {}
    for url, _, context in doc_links(docs):
        contexts.setdefault(url, []).append(context)
    for path, line in _fetch_lines(tuple(docs)):
        # `./data/scripts/fetch_faster_rcnn_models.sh`, `./download_models.sh`: a step that fetches weights.
        url = URL.search(line)
        if re.search(r"model|weight|ckpt|checkpoint|snapshot", line, re.I) and not (
            url
            and any(
                link_kind(url.group(0).rstrip(".,;"), context) in ("backbone", "embeddings", "dataset")
                for context in contexts.get(url.group(0).rstrip(".,;"), [line])
            )
        ):
            step = re.sub(r"\s+", " ", line.strip().strip("`$ "))
            return f"not in the checkout; the docs fetch trained weights ({path}): {step[:200]}"
    return "not in the checkout and no doc links it; train it or pass --set with your weights"


def download_advice(value: str, docs: Sequence[tuple[str, str]]) -> str:
    """The docs' step that fetches `value`: a download command or link whose line names it (a
    command before prose), else the first download step that is about data."""
    words = [
        w for w in re.split(r"[/._\-{}]+", value.lower()) if len(w) > 2 and w not in ("data", "datasets", "dataset")
    ]
    best: tuple[int, str] | None = None
    for path, line in _fetch_lines(tuple(docs)):
        url = URL.search(line)
        step = re.sub(r"\s+", " ", line.strip().strip("`$ "))
        command = re.match(r"^(?:wget|curl|gdown|gsutil|python3?|bash|sh|\./)\b", step) is not None
        if url is not None and Path(value).name not in line and link_kind(url.group(0), line) in ("model", "backbone"):
            continue  # "Download pre-trained weights ... pjreddie.com/...": weights, whatever names it shares
        named = any(word in line.lower() for word in words)
        about_data = named or (url is not None and link_kind(url.group(0), line) == "dataset") or "data" in line.lower()
        score = 2 * named + command
        if about_data and (best is None or score > best[0]):
            best = (score, f"the docs fetch {'it' if named else 'data'} ({path}): {step[:200]}")
    return best[1] if best else "download or make it first (the docs name no download step)"
