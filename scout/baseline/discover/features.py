"""A candidate as named features, for the fitted ranker (rank.py): where it came from, the roles its
section heading and the prose before it name, its order in the docs, the roles named by its script,
flags and values and by the value of its mode flag (`--mode test`), whether its files and required
arguments are there, its placeholders, what its code, the repo's modules it imports and the scripts
it launches do, whether the repo's other scripts import or launch it, whether it is named as a
helper module (utils.py), its language, and where the docs name a script they give no command for.
Words are read only through the few roles they name (evaluation, training, inference or demo,
install, data, ...): a weight per word (575 of them on 124 repos) fitted the dev repos (in-sample
top-1 89%) and added nothing out of fold (10-fold CV top-1 0.645 with them and without). All
weights are fitted on the labeled corpus (bench/fit_ranker.py), never written by hand.

The "none" option (the repo has no runnable evaluation) has its own features, of the repo as a
whole (how much its docs speak of evaluating, training, inference and results, and how many pictures
they show, included), all named `none:...`. A script that writes images or plots and prints no
metric shows its results rather than measuring them: a feature of its own for the ranker and, of
the best candidate, for the none option (with and without pictures in the docs)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scout.baseline.discover.candidates import TESTS_FOLDER, Candidate, Discovery, metric_name
from scout.baseline.discover.docs import linked_docs

_STOP = frozenset(
    "the a an and or of to in on for with by from at as is are be this that it its you your we our can will "
    "use using run running also all any into not no if then than there their them these those which was were "
    "has have had do does done here how what when where who why more most such only other some each one two "
    "may must should would could just like via per see".split()
)
# A metric named next to a number: "accuracy is **96.3%**", "| mAP | 45.2 |". Not a word that merely
# begins like one (accelerate, access, according, accurate: BOBrown/deeparsing-master, IBM's
# MAX-Object-Detector and vinayakkailas/Face_Recognition report nothing), nor a citation or link
# that follows one ("Inception Score [1]", "Error Correction | https://arxiv.org/abs/1801.08831").
_METRIC = (
    r"\b(acc(?:urac(?:y|ies))?|error|f1|bleu|rouge|map|psnr|ssim|auc|perplexity|ppl|top-?[15]|iou|miou|fid|wer|"
    r"dice|rmse|mae|recall|precision|score|reward)"
)
_REPORTED = re.compile(_METRIC + r"\b[^\n\d\[]{0,40}(?<![/.])\d+(?:\.\d+)?\s*%?", re.I)
# A metric named at the end of a line that introduces a list or table of numbers, one a line:
# "Some results (AUC) on the demo dataset:" then "* DeepFM: 0.692" (Leavingseason/
# OpenLearning4DeepRecsys). The next line must be a short item that ends in its number, so a
# quoted message after "the following error message:" (KatyNTsachi/Hierarchical-RL) is no result.
_REPORTED_BELOW = re.compile(
    _METRIC
    + r"\b[^\n\d\[]{0,60}:[ \t]*\n(?:[ \t]*\n)?"  # the name, then the line's end
    + r"[ \t]*(?:[*+-]|\|)[^\n\d\[]{0,30}(?<![/.])\d+(?:\.\d+)?[ \t]*%?[ \t.|]*$",  # an item ending in a number
    re.I | re.M,
)


def reported_metrics(docs_text: str) -> list[str]:
    """The metric names the docs give a number for, as written: next to it or above a list of them."""
    text = docs_text[:300_000]
    return _REPORTED.findall(text) + _REPORTED_BELOW.findall(text)


# A picture in the docs: `![sample](figures/sr.png)`, `<img src=...>`. Docs that show results as
# pictures (a super-resolution or GAN repo's samples) more often come with a script that writes them
# than one that measures them.
_PICTURE = re.compile(r"!\[[^\]\n]*\]\(|<img\b", re.I)
_PROGRAMS = frozenset({"python", "bash", "sh", "th", "make", "julia", "Rscript", "jupyter"})
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ers", "er", "ed", "es", "s")


def stem(word: str) -> str:
    """A crude stem, so that evaluate, evaluation and evaluating share one weight."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    word = word[:-1] if word.endswith("e") and len(word) > 4 else word
    return word[:-2] if word.endswith("at") and len(word) > 5 else word  # evaluate and evaluation: evalu


# "Pre-trained model", `--pretrained`: a model someone trained already, the checkpoint an
# evaluation loads, not training (the stem of "pretrained" is that of "pretrain").
_PRETRAINED = re.compile(r"(?<![a-z])pre[-_ ]?trained(?![a-z])")


def words(text: str, limit: int = 40) -> list[str]:
    out = []
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)  # testOnly: test only
    text = _PRETRAINED.sub(" checkpoint ", text.lower())
    for word in re.split(r"[^a-z0-9]+|(?<=[a-z])(?=[0-9])", text):
        if len(word) >= 2 and word not in _STOP and not word.isdigit():
            out.append(stem(word))
            if len(out) >= limit:
                break
    return out


# What a word says a command is for, as a reader takes it: the heading "Evaluation", a script
# `eval_ijbc.py`, a flag `--test_only`, "To train a model, run". Few roles, each seen in many repos,
# generalize where single words (fitted one weight each on 79 repos) do not; the weight of each
# role in each place (heading, prose, script name, flags...) is fitted.
_ROLE_WORDS = {
    "eval": "eval evaluate evaluation evaluating evaluator test testing validate validation val valid reproduce "
    "reproducing reproduction score scoring metric metrics accuracy measure assess",
    "train": "train training trainer finetune finetuning pretrain pretraining fit learn learning optimize resume",
    "infer": "inference infer predict prediction demo sample sampling generate generation decode interactive "
    "translate synthesize detect detection apply",
    "install": "install installation setup requirement requirements dependency dependencies build compile "
    "environment docker prerequisite prerequisites conda pip compilation",
    "data": "download data dataset datasets prepare preparation preprocess preprocessing fetch convert extract "
    "process processing",
    "plot": "plot plotting visualize visualization visualise figure figures draw show display",
    "serve": "server serve app web webcam camera gui ui api",
    "speed": "speed timing latency throughput fps profile profiling flops runtime",
    "bench": "benchmark benchmarks benchmarking",
    "result": "result results performance table paper reported",
    "usage": "usage quick start started getting run running how example examples tutorial",
    "unit": "unittest unittests pytest unit",
    "export": "export onnx deploy tflite coreml",
    "ckpt": "checkpoint checkpoints ckpt snapshot snapshots weights",
    "baseline": "baseline baselines",
}
_ROLE_OF = {stem(w): role for role, ws in _ROLE_WORDS.items() for w in ws.split()}


def roles(text: str, limit: int = 40) -> set[str]:
    """The roles the words of a text name."""
    return _roles_of(words(text, limit))


def _roles_of(stems: Iterable[str]) -> set[str]:
    """The roles already-stemmed words name (a flag's words, the README's heading words)."""
    return {_ROLE_OF[w] for w in stems if w in _ROLE_OF}


@dataclass(frozen=True)
class RepoContext:
    """What the features of one candidate need to know about its repo."""

    documented: int  # candidates from the docs
    documented_existing: int  # ... whose files exist
    first_existing: int  # doc_order of the first documented candidate whose files exist (-1: none)
    docs_lower: str
    shape: str
    candidates: int
    notebooks_only: bool
    existing_orders: tuple[int, ...] = ()  # doc_order of the documented candidates whose files exist
    reported: int = 0  # metric names written next to a number in the docs (a results table, "93.2% accuracy")
    heading_words: frozenset[str] = frozenset()  # the words of the README's headings
    eval_orders: tuple[int, ...] = ()  # doc_order of the documented existing commands that name an evaluation
    doc_prints_metric: bool = False  # a documented command whose files exist prints a metric
    said_eval_prints_metric: bool = False  # ... one the docs say evaluates (heading, prose, name) prints a metric
    any_prints_metric: bool = False  # some candidate prints a metric (itself or through a module it imports)
    any_prints_held_out: bool = False  # some candidate prints a metric on test or validation data
    pictures: int = 0  # pictures shown in the docs (`![...](...)`, `<img>`)
    shows_usage: bool = False  # some candidate's script gives, in its own text, the command that runs it
    reported_names: frozenset[str] = frozenset()  # the metrics the docs give a number for (`metric_name`)
    any_prints_reported: bool = False  # some candidate (not a notebook) prints one of them
    named_folders: frozenset[str] = frozenset()  # the candidates' folders the docs name as folders
    linked_docs: frozenset[str] = frozenset()  # the docs another doc links or names

    @classmethod
    def of(cls, discovery: Discovery) -> RepoContext:
        reported_words = reported_metrics(discovery.docs_text)
        reported = frozenset(metric_name(w) for w in reported_words)
        docs = [c for c in discovery.candidates if c.origin.startswith("doc")]
        existing = [c for c in docs if c.script_exists]
        evals = tuple(sorted(c.doc_order for c in existing if "eval" in _said_roles(c)))
        runnable = [c for c in discovery.candidates if c.origin != "notebook"]
        docs_lower = discovery.docs_text[:300_000].lower()
        folders = {"/".join(_folder_parts(c)) for c in discovery.candidates if not c.origin.startswith("doc")}
        named = frozenset(
            folder
            for folder in folders
            if folder and (_folder_named(folder, docs_lower) or _folder_named(folder.rpartition("/")[2], docs_lower))
        )
        return cls(
            len(docs),
            len(existing),
            min((c.doc_order for c in existing), default=-1),
            docs_lower,
            discovery.shape,
            len(discovery.candidates),
            bool(discovery.candidates) and not runnable,
            tuple(sorted(c.doc_order for c in existing)),
            len(reported_words),
            frozenset(w for h in (discovery.docs[0].headings[:60] if discovery.docs else ()) for w in words(h, 8)),
            evals,
            any("prints_metric" in c.traits for c in existing),
            any(c.doc_order in evals and "prints_metric" in c.traits for c in existing),
            any(_prints(c, "prints_metric") for c in discovery.candidates),
            any(_prints(c, "prints_held_out_metric") for c in discovery.candidates),
            len(_PICTURE.findall(discovery.docs_text[:300_000])),
            any("shows_usage" in c.traits for c in discovery.candidates),
            reported,
            any(printed(c) & reported for c in runnable),
            named,
            linked_docs(discovery.repo_dir, discovery.docs) if discovery.docs else frozenset(),
        )


def _prints(candidate: Candidate, trait: str) -> bool:
    """The candidate's script, or a module it imports, prints a metric (`trait`): arsenzaryan/CapsNet's
    run.py, through mnist_capsnet.py, which `defines_only` and so prints nothing run on its own."""
    return trait in candidate.traits or f"via:{trait}" in candidate.traits


def printed(candidate: Candidate) -> set[str]:
    """The metrics a candidate's script, or a module it imports, prints (`metric:NAME` traits)."""
    return {t.removeprefix("via:").removeprefix("metric:") for t in candidate.traits if "metric:" in t}


def _said_roles(candidate: Candidate) -> set[str]:
    """The roles a documented command's heading, prose and script name give it."""
    target = candidate.script or candidate.module or ""
    return roles(" ".join([*candidate.section[-1:], candidate.context[-200:], Path(target).stem]))


# A flag that turns a mode off (`--no_eval`, `--skip-test`) says the opposite of its word.
_NEGATED_FLAG = re.compile(r"^-+(?:no|skip|disable|without|dont)[-_]", re.I)
# ... and one written as one word, read for the mode it turns off: `--notrain` (roatienza/densemapnet's
# "To measure EPE using test set"), `--noeval`.
_NEGATED_MODE = re.compile(r"^-+(?:no|skip|disable|without|dont)[-_]?(\w+)$", re.I)
# A flag that names where the test data is (`--test_dir`, `--val_list`) gives a path, not a mode.
_PATH_FLAG = re.compile(r"(?:dir|path|file|folder|root|prefix|list|csv|json|txt)s?$", re.I)


# An image, video or sound file given as an argument (`--image ./cache/test_1.jpg`): the command
# runs on one input, a demo, where an evaluation reads a dataset.
_MEDIA = re.compile(r"\.(?:jpe?g|png|bmp|gif|tiff?|webp|mp4|avi|mov|mkv|wav|mp3|flac)['\"]?$", re.I)


# The flag that picks what a script does (`--mode test`, `--phase=train`, `run_type=val`), in the
# command or in what its shell script launches: its value names the mode outright, where the other
# values are paths and settings whose words say little (tsixta/jnet's README runs `main.py --mode vis`,
# its toyexample/eval.sh `main.py --mode eval`; yicheng-w/CommonSenseMultiHopQA's Evaluation gives
# `--mode generate_answers` before `--mode test`).
_MODE_FLAG = re.compile(r"^-{0,2}(?:mode|phase|task|action|stage|run[_-]?type)$", re.I)
_MODE_ROLES = frozenset({"eval", "train", "infer", "data", "plot"})
# A script named as a module the others import (utils.py, config.py, models.py): seldom the command,
# even where it runs something at the top level (ShangtongZhang/DistributedES's utils.py).
_HELPER = re.compile(
    r"^(?:utils?|helpers?|common|misc|configs?|constants?|layers?|models?|ops|losses?|metrics?|datasets?|"
    r"data_?loaders?|data_?utils|model_?utils|settings|params|hparams)$",
    re.I,
)


def _folder_parts(candidate: Candidate) -> list[str]:
    """The folders of a candidate's script (or module), repo-relative."""
    if candidate.script:
        return list(Path(candidate.script).parts[:-1])
    return candidate.module.split(".")[:-1] if candidate.module else []


def _folder_named(folder: str, docs_lower: str) -> bool:
    """The docs name `folder` as a folder: "The `experiments` directory contains shell scripts"
    (cooijmanstim/recurrent-batch-normalization), "Directory `toyexample` contains scripts for
    training, evaluation" (tsixta/jnet), "in the [experiments](./experiments/) directory"
    (mrnabati/RRPN), "`scripts/`"."""
    folder = folder.lower()
    f = re.escape(folder)
    pattern = re.compile(
        rf"(?:[`\[]|\b)(?:\./)?{f}/?[`\]]?(?:\([^)\s]*\))?\s+(?:directory|folder|dir)\b"
        rf"|\b(?:directory|folder)\s+[`\[]?(?:\./)?{f}(?![\w/-])|`(?:\./)?{f}/`|\]\((?:\./)?{f}/?\)"
    )
    # Only around where the name occurs (a 150 kB README and 30 folders: 0.4 s read whole).
    at = docs_lower.find(folder)
    for _ in range(200):
        if at < 0:
            return False
        if pattern.search(docs_lower, max(0, at - 30), at + len(folder) + 300):
            return True
        at = docs_lower.find(folder, at + 1)
    return False


def _mode_roles(args: Iterable[str]) -> set[str] | None:
    """The roles the value of a command's mode flag names (empty: a mode none of them names), or
    None where it gives no mode flag or no value."""
    args = list(args)[:40]
    for i, arg in enumerate(args):
        name, eq, value = arg.partition("=")
        if not (name.startswith("-") or eq) or not _MODE_FLAG.match(name.split(".")[-1]):
            continue
        if not eq:
            value = args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("-") else ""
        return roles(value, 4) & _MODE_ROLES if value else None
    return None


def _negated_roles(args: tuple[str, ...]) -> set[str]:
    """The evaluation or training a flag turns off (`--no_eval`, `--notrain`, `--skip-training`)."""
    found: set[str] = set()
    for arg in args[:30]:
        match = _NEGATED_MODE.match(arg.partition("=")[0])
        if match:
            found |= roles(match.group(1), 4) & {"eval", "train"}
    return found


def _flag_words(args: tuple[str, ...]) -> tuple[list[str], list[str], list[str]]:
    """(words of the flag names, words of the values and positional arguments, words of the flags
    that name a path)."""
    flags, values, paths = [], [], []
    for arg in args[:30]:
        if arg.startswith("-") and not re.match(r"^-\d", arg):
            name, _, value = arg.partition("=")
            if _NEGATED_FLAG.match(name):
                continue
            (paths if _PATH_FLAG.search(name) else flags).extend(words(name, 4))
            if value:
                values += words(Path(value).stem if "/" in value else value, 3)
        elif re.match(r"^[\w.+~]+=", arg):  # Hydra/yacs overrides: run_type=val
            name, _, value = arg.partition("=")
            flags += words(name.split(".")[-1], 4)
            values += words(value, 3)
        else:
            values += words(Path(arg).stem if "/" in arg or "." in arg else arg, 3)
    return flags, values, paths


def _launch_roles(line: str) -> set[str]:
    """The roles of what a shell script runs: its program and script, and its flags wherever they
    stand (`python san_main.py --train_list ... --eval_once`: the flag that picks the mode comes
    last), read as a command's own flags are (a flag naming a path or turning a mode off is no mode)."""
    tokens = line.split()
    flags, _, _ = _flag_words(tuple(t for t in tokens[2:] if t.startswith("-")))
    return roles(" ".join(tokens[:2]), 8) | _roles_of(flags)


def _writes_unmeasured(traits: tuple[str, ...]) -> bool:
    """The script (or a module it imports) writes images or plots and prints no metric: it shows
    its results (ESRGAN's `test.py` writes upscaled images to results/), it does not measure them.
    The ranker's weights are additive, so this conjunction needs its own feature."""
    writes = "plots" in traits or "via:plots" in traits
    return writes and not ({"prints_metric", "via:prints_metric"} & set(traits))


def candidate_features(candidate: Candidate, repo: RepoContext) -> dict[str, float]:
    f: dict[str, float] = {"bias": 1.0, f"origin={candidate.origin}": 1.0, f"lang={candidate.language}": 1.0}
    documented = candidate.origin.startswith("doc")
    if documented:
        doc = candidate.doc.lower()
        name = Path(doc).name
        if name.startswith("readme"):
            f["doc=readme" if "/" not in doc else "doc=sub-readme"] = 1.0
        else:
            f["doc=guide"] = 1.0
        if "/" in doc or not name.startswith("readme"):
            # a sub-README or guide no doc points to, read only by convention (a folder's README)
            f["doc.linked" if candidate.doc in repo.linked_docs else "doc.unlinked"] = 1.0
        f["doc.order.log"] = math.log1p(candidate.doc_order)
        if candidate.doc_order == repo.first_existing:
            f["doc.first-existing"] = 1.0
        if candidate.doc_order in repo.existing_orders:
            place = repo.existing_orders.index(candidate.doc_order)
            f[f"doc.existing-rank={min(place, 3)}"] = 1.0
            if len(repo.existing_orders) == 1:
                f["doc.only-existing"] = 1.0
        for i, heading in enumerate(reversed(candidate.section[-3:])):
            weight = 1.0 if i == 0 else 0.5
            for role in roles(heading, 8):
                f[f"sec.{role}"] = max(f.get(f"sec.{role}", 0.0), weight)
        for role in roles(candidate.context[-200:], 30):
            f[f"ctx.{role}"] = 1.0
        if candidate.doc_order in repo.eval_orders:
            f[f"doc.eval-rank={min(repo.eval_orders.index(candidate.doc_order), 2)}"] = 1.0
            if "prints_metric" in candidate.traits:
                f["said-eval&prints-metric"] = 1.0
        if _REPORTED.search(candidate.after[:200]):
            f["after-reports-metric"] = 1.0
        f["mentions.log"] = math.log(candidate.mentions)
        f[f"resolved={candidate.resolved}"] = 1.0
    else:
        if repo.documented_existing:
            f[f"origin={candidate.origin}|docs-have-commands"] = 1.0
        base = Path(candidate.script or candidate.command.split(" ")[0]).name.lower()
        if base and base in repo.docs_lower:
            f["script-named-in-docs"] = 1.0
        # a variant made from the script's own mode switch, which the docs describe: "`--adv_test`:
        # Creates an adversarial testing set ... and runs classification and detection accuracy"
        # (KeAWang/BayesianGAN4AdversarialAttacks)
        if any(
            re.search(rf"(?<![\w-]){re.escape(a.lower())}(?![\w-])", repo.docs_lower)
            for a in candidate.args[:4]
            if a.startswith("--")
        ):
            f["switch-named-in-docs"] = 1.0
        if "/".join(_folder_parts(candidate)) in repo.named_folders:
            f["folder-named-in-docs"] = 1.0  # "the `experiments` directory contains shell scripts that ..."
        if candidate.named:
            for role in roles(" ".join(candidate.named[:-1]), 16):
                f[f"named.sec.{role}"] = 1.0
            for role in roles(candidate.named[-1], 30):
                f[f"named.ctx.{role}"] = 1.0
    program = candidate.program or "none"
    f[f"prog={program if program in _PROGRAMS else 'other'}"] = 1.0
    target = candidate.script or (candidate.module or "").replace(".", "/")
    if candidate.origin == "console-script" or (documented and not candidate.script and not candidate.module):
        target = f"{candidate.program} {target}"
    name = Path(target).with_suffix("").as_posix() if target else ""
    for role in roles(name, 10):
        f[f"tok.{role}"] = 1.0
    if candidate.module:
        f["python-m"] = 1.0
    depth = (candidate.script or "").count("/")
    f["script.depth"] = float(min(depth, 4))
    flags, values, paths = _flag_words(candidate.args)
    for role in _roles_of(flags):
        f[f"flag.{role}"] = 1.0
    for role in _roles_of(paths) & {"eval", "train"}:
        f[f"path-flag.{role}"] = 1.0
    for role in _negated_roles(candidate.args):
        f[f"flag-off.{role}"] = 1.0
    for role in _roles_of(values):
        f[f"val.{role}"] = 1.0
    for given in (candidate.args, *(line.split()[2:] for line in candidate.launches[:10])):
        mode = _mode_roles(given)
        for role in () if mode is None else mode or ("other",):
            f[f"mode.{role}"] = 1.0
    # A script in a folder of unit tests checks the code works (KatyNTsachi/Hierarchical-RL's README
    # runs `tests/dopamine/atari_init_test.py` under "Running tests"; DensePose's INSTALL.md
    # `detectron/tests/test_zero_even_op.py`), where the word "test" elsewhere names an evaluation.
    if any(TESTS_FOLDER.match(part) for part in _folder_parts(candidate)):
        f["in-tests-folder"] = 1.0
    if candidate.script and _HELPER.match(Path(candidate.script).stem):
        f["name.helper"] = 1.0
    if any(_MEDIA.search(arg) for arg in candidate.args[:30]):
        f["arg.media-file"] = 1.0
    f["args.log"] = math.log1p(len(candidate.args))
    if any(a in ("-h", "--help") for a in candidate.args):
        f["asks-help"] = 1.0
    f["exists" if candidate.script_exists else "missing"] = 1.0
    if candidate.required_missing:
        f["required-missing"] = 1.0
    if candidate.placeholders:
        f["placeholders"] = 1.0
    if candidate.setup:
        f["has-setup"] = 1.0
    for trait in candidate.traits:
        if "metric:" not in trait:  # which metric: one feature below, not a weight per name
            f[f"trait:{trait}"] = 1.0
    if printed(candidate) & repo.reported_names:
        # It prints a metric the docs give a number for (Leavingseason/OpenLearning4DeepRecsys's
        # README: "Some results (AUC) on the demo dataset: ... DeepFM: 0.692"; deepFM.py prints "auc is").
        f["prints-reported-metric"] = 1.0
    if _writes_unmeasured(candidate.traits):
        f["writes-output-no-metric"] = 1.0
        if repo.pictures:  # and the docs show results as pictures
            f["writes-output-no-metric|docs-pictures"] = 1.0
    if repo.reported and "prints_metric" in candidate.traits:
        f["prints-metric|docs-report-metrics"] = 1.0
    for line in candidate.launches[:10]:
        for role in _launch_roles(line):
            f[f"launch.{role}"] = 1.0
    if candidate.launches:
        f["launches.log"] = math.log1p(len(candidate.launches))
    return f


# The roles whose words in the docs' prose the none option counts.
_DOC_ROLES = ("eval", "train", "infer", "result")

# What the none option reads of the best candidate: where it came from and what it does, not its words.
_TOP_KEPT = frozenset(
    {
        "exists",
        "missing",
        "placeholders",
        "required-missing",
        "trait:prints_metric",
        "trait:prints_held_out_metric",
        "trait:evaluates",
        "trait:trains",
        "trait:plots",
        "trait:loads_checkpoint",
        "trait:shows_usage",
        "doc.first-existing",
        "writes-output-no-metric",
        "writes-output-no-metric|docs-pictures",
        # A module, not a command: its top level runs none of what it defines (snhwang/p1_navigation_SNH,
        # whose only script is the agent module its notebooks import).
        "trait:defines_only",
        # The docs report results and the best candidate prints a metric (OpenLearning4DeepRecsys:
        # "Some results (AUC) on the demo dataset", deepFM.py prints "auc is ..."; keras_snli).
        "prints-metric|docs-report-metrics",
        # The docs name the script, if with no command ("Please run the Main.m").
        "script-named-in-docs",
        "prints-reported-metric",
    }
)


def none_features(
    repo: RepoContext,
    top: dict[str, float] | None = None,
    scores: list[float] | None = None,
    absolute: float | None = None,
) -> dict[str, float]:
    """The features of "no runnable evaluation" for a repo: the repo as a whole, and how strong its
    best candidate is (`top`: its features, `scores`: the ranker's scores of all candidates,
    `absolute`: the highest log-odds, among the candidates, of being an evaluation at all, from the
    per-candidate model fitted on every repo, those with no evaluation included)."""
    f = {"none:bias": 1.0, f"none:shape={repo.shape}": 1.0}
    if not repo.documented:
        f["none:no-doc-commands"] = 1.0
    if repo.notebooks_only:
        f["none:notebooks-only"] = 1.0
    if not repo.candidates:
        f["none:no-candidates"] = 1.0
    f["none:candidates.log"] = math.log1p(repo.candidates)
    f[f"none:doc-existing={min(repo.documented_existing, 4)}"] = 1.0
    for role in _roles_of(repo.heading_words):
        f[f"none:head.{role}"] = 1.0
    said = {
        "none:doc-names-eval": bool(repo.eval_orders),
        "none:doc-prints-metric": repo.doc_prints_metric,
        "none:said-eval-prints-metric": repo.said_eval_prints_metric,
        "none:some-prints-metric": repo.any_prints_metric,
        "none:some-prints-held-out-metric": repo.any_prints_held_out,
        # A script that tells how to run itself (keras-DBPN, LyricsGANs: READMEs with no command)
        # was written to be run: 20 of 143 dev repos with an evaluation, 4 of 96 without.
        "none:some-script-shows-usage": repo.shows_usage,
        "none:some-prints-reported-metric": repo.any_prints_reported,
    }
    f.update({name: 1.0 for name, holds in said.items() if holds})
    if repo.reported:
        f["none:docs-report-metrics"] = 1.0
        f["none:docs-report-metrics.log"] = math.log1p(repo.reported)
    if repo.pictures:
        f["none:docs-pictures.log"] = math.log1p(repo.pictures)
        if not repo.reported:  # results shown as pictures, no number given
            f["none:docs-pictures-no-numbers"] = 1.0
    if len(repo.docs_lower) < 400:
        f["none:short-docs"] = 1.0
    # What the docs' prose says the code is for, commands or not: "After each epoch the accuracies
    # on the whole train and test sets are computed" (arsenzaryan/CapsNet, no command given) against
    # "to train the network ... to generate sample image" (buriburisuri/ebgan, no evaluation). The
    # other roles as well fitted worse (dev out of fold, 3 draws: top-1 0.736 -> 0.727).
    spoken = Counter(_ROLE_OF.get(w) for w in words(repo.docs_lower[:20_000], 3000))
    for role in _DOC_ROLES:
        f[f"none:docs.{role}.log"] = math.log1p(spoken[role])
    if scores:
        top_p = 1 / sum(math.exp(s - max(scores)) for s in scores)
        f["none:top.p"] = top_p
        f["none:top.score"] = max(scores)  # how much the best candidate looks like an evaluation
        if len(scores) == 1:
            f["none:one-candidate"] = 1.0
    if absolute is not None:
        f["none:best.log-odds"] = absolute
    for name, value in (top or {}).items():
        if name in _TOP_KEPT or name.startswith(("origin=", "doc=")):
            f[f"none:top|{name}"] = value
    return f


_ROLE_NAMES = {
    "eval": "an evaluation", "train": "training", "infer": "inference or a demo", "install": "an install or build",
    "data": "data preparation", "plot": "a plot", "serve": "a server or app", "speed": "a speed measurement",
    "bench": "a benchmark", "result": "results", "usage": "usage", "unit": "unit tests", "export": "an export",
    "ckpt": "a trained model", "baseline": "a baseline",
}  # fmt: skip
_ROLE_PLACES = {
    "sec": "the heading", "ctx": "the text before it", "tok": "the script's name", "flag": "a flag",
    "val": "an argument", "dir": "the script's folder", "flag-off": "a flag that turns it off",
    "path-flag": "a flag that names a path", "launch": "what it launches",
    "named.sec": "the heading where the docs name it", "named.ctx": "the sentence that names its script",
    "mode": "its mode flag",
}  # fmt: skip


_NAMED = {
    "doc.first-existing": "the docs' first command whose files exist",
    "doc.order.log": "its place in the docs",
    "exists": "its files exist",
    "missing": "its script is missing",
    "required-missing": "required arguments missing",
    "placeholders": "it has placeholders to fill",
    "script-named-in-docs": "the docs name its script",
    "mentions.log": "the docs give it more than once",
    "has-setup": "the docs prepare data right before it",
    "after-reports-metric": "the docs give a result right after it",
    "doc.eval-rank=0": "the docs' first command said to evaluate",
    "said-eval&prints-metric": "the docs say it evaluates, and its script prints a metric",
    "prints-reported-metric": "its script prints a metric the docs give a number for",
    "mode.other": "its mode flag picks another mode",
    "name.helper": "its script is named as a helper module",
    "in-tests-folder": "its script is in a folder of unit tests",
    "folder-named-in-docs": "the docs name its script's folder",
    "switch-named-in-docs": "the docs name its switch",
    "doc.linked": "another doc points to the doc that gives it",
    "doc.unlinked": "no doc points to the doc that gives it",
    "trait:imported": "another script of the repo imports it",
    "trait:launched": "a shell script of the repo runs it",
}


def describe(name: str) -> str:
    """A feature in words, for the evidence of a ranked candidate."""
    if name in _NAMED:  # before the `key=value` names below, which "doc.eval-rank=0" also looks like
        return _NAMED[name]
    place, _, role = name.rpartition(".")
    if place in _ROLE_PLACES and role in _ROLE_NAMES:
        return f"{_ROLE_PLACES[place]} speaks of {_ROLE_NAMES[role]}"
    kind, _, value = name.partition(":")
    if kind == "trait" and value.startswith("via:"):
        return f"a module it imports {value.removeprefix('via:').replace('_', ' ')}"
    if kind == "trait" and value:
        return f"the script {value.replace('_', ' ')}"
    key, _, value = name.partition("=")
    if value:
        return {
            "origin": f"from {value.replace('-', ' ')}",
            "doc": {
                "readme": "in the README",
                "sub-readme": "in a sub-folder's README",
                "guide": "in a linked guide",
            }.get(value, name),
            "lang": f"{value} code",
            "prog": f"run with {value}",
            "resolved": f"its files found ({value})",
        }.get(key, name)
    return name
