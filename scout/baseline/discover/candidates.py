"""Every command that might run a repo's evaluation, from every source, with what is known about
it and no judgement: judging is the fitted ranker's job (rank.py).

Sources: the docs' code blocks and inline code (docs.py), shell scripts and what they run (one
level), Makefile targets, console scripts (setup.py, setup.cfg, pyproject; with or without
`:func`), `python -m` packages, entry-point scripts (argparse, absl, click, Hydra) with their required
arguments, flat top-level scripts (Python, Lua, Julia, R) and the notebooks the docs name.

A doc's command is resolved against the repo root, the doc's folder and any `cd` written in an
earlier block; the folder where its files exist is kept (`./x.py` and `x.py` alike). Reading is
bounded: at most _MAX_FILES files are listed and _MAX_SCRIPT_BYTES read per script."""

from __future__ import annotations

import os
import re
import shlex
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from scout.baseline.discover.docs import Doc, find_docs, notebooks_named, read_text, within
from scout.baseline.discover.runs import argv_optional
from scout.baseline.discover.traced import MODULE_SWITCH
from scout.text import has_control

_MAX_FILES = 50_000
_MAX_DEPTH = 8
_MAX_SCRIPT_BYTES = 150_000
_MAX_CANDIDATES = 250
_MAX_DOC_COMMANDS = 300  # documented commands read per repo (a 10 MB README has thousands)
_MAX_SCRIPTS_SCANNED = 160
_SKIP_DIRS = frozenset(
    {".git", "node_modules", "__pycache__", ".venv", "venv", "env", "site-packages", ".tox", ".eggs", "build", "dist"}
)
_PYTHON = re.compile(r"^(?:python[\d.]*|py|pythonw|ipython[\d.]*)$")
# Programs that run a script file given as an argument, and the language of that file.
_SCRIPT_RUNNERS = {
    "bash": "shell", "sh": "shell", "zsh": "shell", "th": "lua", "luajit": "lua", "lua": "lua", "qlua": "lua",
    "julia": "julia", "Rscript": "r", "octave": "matlab", "matlab": "matlab", "node": "javascript",
    "perl": "perl", "ruby": "ruby", "java": "java", "sbatch": "shell", "bsub": "shell",
}  # fmt: skip
_OTHER_RUNNERS = frozenset({"make", "jupyter", "papermill", "pytest", "nosetests", "tox", "go", "cargo", "dotnet"})
# Programs that start another program: skipped, with their own options, to reach the one run.
_WRAPPERS = frozenset({"sudo", "nohup", "time", "env", "exec", "srun", "mpirun", "mpiexec", "horovodrun", "torchrun",
                       "deepspeed", "stdbuf", "xvfb-run", "taskset", "nice", "ionice"})  # fmt: skip
_WRAPPER_VALUE_FLAGS = re.compile(
    r"^-(?:np|n|N|c|H|-nproc_per_node|-nnodes|-node_rank|-master_addr|-master_port|"
    r"-gpus|-num_gpus|-include|-hostfile|-config_file|-num_processes|-rdzv\w*)$"
)
_EXTENSIONS = {
    ".py": "python",
    ".sh": "shell",
    ".bash": "shell",
    ".lua": "lua",
    ".jl": "julia",
    ".r": "r",
    ".m": "matlab",
}
_RUNNER_OF = {"python": "python", "shell": "bash", "lua": "th", "julia": "julia", "r": "Rscript"}
# What a doc line starts with when it prepares rather than runs.
_STEPS = frozenset({
    "pip", "pip3", "conda", "mamba", "wget", "curl", "gdown", "git", "mkdir", "unzip", "tar", "apt", "apt-get",
    "brew", "export", "source", "ln", "cp", "mv", "rm", "docker", "gsutil", "aws", "kaggle", "huggingface-cli",
    "cat", "echo", "ls", "chmod", "touch", "cd", "pushd", "popd", "luarocks", "npm", "yarn", "sed", "gunzip",
    "7z", "rsync", "scp", "ssh", "nvidia-docker", "virtualenv", "module", "tensorboard", "nvidia-smi", "set",
})  # fmt: skip
# `python -m X` that sets up a machine (installs, kernels, uploads) rather than runs the repo's code.
_SETUP_MODULES = frozenset({"pip", "pip3", "venv", "virtualenv", "ensurepip", "ipykernel", "twine", "conda"})
# Commands that start an interactive server or UI and wait for a person: `jupyter notebook`.
_INTERACTIVE = {"jupyter": frozenset({"notebook", "lab", "notebook.", "qtconsole", "console"})}
# A shell script's line that downloads (its trait `downloads`, as urlretrieve is a Python script's).
_FETCHERS = frozenset({"wget", "curl", "gdown", "kaggle", "gsutil", "aws", "huggingface-cli"})
_FETCH_STEPS = frozenset({"wget", "curl", "gdown", "unzip", "tar", "kaggle", "gsutil", "aws", "gunzip", "7z", "mkdir"})
PREPARE_WORDS = frozenset({"prepare", "download", "get", "fetch", "preprocess", "preprocessing", "build", "make",
                           "create", "setup", "data", "convert", "extract", "compile"})  # fmt: skip
# A shell prompt before a doc's command: `$ `, `user@host:~$ `, `(env) $ `, and `$> `, `>$ `
# (Oushesh/CapsClassifigner, BOBrown/deeparsing-master).
_PROMPT = re.compile(r"^(?:\(\w[\w.-]*\)\s*)?(?:[\w@.:~/-]*(?:[$%>]|\$>|>\$)\s+|\$|!(?=\w)|%(?=run\b))")
_PLACEHOLDER = re.compile(
    r"(?<![\w.])\.\.\.(?![\w.])|…|<[A-Za-z_][^<>\n]{0,60}>|\[[A-Za-z_][^\]\n,]{0,60}\]|/path/to\b[\w./-]*|"
    r"\b(?:path_to|PATH_TO|YOUR|your|my)_[\w-]+|\byour[_-]?\w*(?:path|dir|file|name|key)\b|\{[a-z_]+\}|\bxxx+\b",
)
# Whole words or parts of a snake_case name (`val_acc`, `avg_err`, `test_loss`): `_` joins words here.
# `acc` with its suffixes (`acc_top1`, `accuracy`), not every word it begins (according, accelerate).
_METRIC_WORDS = re.compile(
    r"(?<![a-z0-9])(acc(?:urac(?:y|ies))?(?:_\w*)?|loss|error|err|f1|bleu|rouge\w*|map|psnr|ssim|auc|roc|perplexity|ppl|score|precision|recall|iou|"
    r"miou|top[-_]?[15]|fid|inception|wer|cer|dice|rmse|mse|mae|hits|mrr|ndcg|reward|return|correlation|spearman|"
    r"pearson)(?![a-z0-9])"
)
# A loss printed on held-out data is a metric; on the training batches it is progress. `val` begins
# a name (`val_loss`, `validation`) or stands alone; a value is not validation (`loss value`,
# `gen_loss_val`).
_HELD_OUT = re.compile(r"(?<![a-z0-9])(?:test\w*|val(?:id\w*|_\w+)|(?<!_)val|dev|eval\w*|held\w*)(?![a-z0-9])")
_LOGS = ("print", "log", "write(", "add_scalar", "info(", "summary", "disp(", "fprintf(")
_LOG = re.compile("|".join(map(re.escape, _LOGS)))  # one search a line for any of them
# Keras prints the metrics a model is compiled with at every epoch of fit() and in evaluate(), given
# as a list, one name or one per output (leekh7411/Capsule-Network-MNIST-Visualization's train.py:
# `metrics={'capsnet': 'accuracy'}`), on held-out data when fit() is given some.
_KERAS_METRICS = re.compile(
    r"metrics\s*=\s*[\[{(]?\s*(?:['\"]\w+['\"]\s*:\s*)?['\"]?(acc|accuracy|mae|mse|auc|top_k|sparse_categorical_accuracy)"
)
_KERAS_HELD_OUT = ("validation_data", "validation_split", ".evaluate(")
# A line that reports a failure, not a measurement: `logger.error(...)`, `warnings.warn(...)`, a
# traceback; and any line of an `except` clause (oci-ai/oci-dreamer's dream.py:
# `except IOError as err: print("IO error: {0}".format(err), file=sys.stderr)`). Not stderr as such:
# Python 2 scripts print their metrics there (`print >> sys.stderr, "accurracy", acc * 100`).
_ERROR_REPORT = re.compile(
    r"exc_info|traceback|\b(?:log(?:ger|ging)?|warnings)\.(?:error|exception|critical|warn(?:ing)?)\("
)
_EXCEPT = re.compile(r"^(\s*)except\b")
# A log call of one variable that holds the scores, a dict or a report (harryhan618/LaneNet's
# test_tusimple.py: `eval_result = LaneEval.bench_one_submit(...)` then `print(eval_result)`;
# `logger.info(metrics)`): what it prints are the metrics, whatever they are called.
_SCORES_PRINTED = re.compile(
    r"(?:print|info|write)\s*\(\s*(?:[\w.]+\.)?(\w*(?:results?|metrics|scores|evals?|report)\w*)\s*(?:,\s*file\s*=\s*\w+\s*)?\)"
)
# What a script does, by what its code calls (matched on the lowercased text).
_TRAITS = {
    "trains": (".backward(", "optimizer.step(", ".fit(", "fit_generator(", ".minimize(", "apply_gradients", "train_op",
               "trainer.train(", "optim.", ":backward("),
    "loads_checkpoint": ("load_state_dict", "torch.load(", "load_weights", "load_model(", ".restore(",
                         "from_pretrained",
                         "pickle.load", "latest_checkpoint", "init_from_checkpoint", "torch.load"),
    "evaluates": (".eval()", "no_grad", "def eval", "def test", "def validat", ".evaluate(", "sklearn.metrics",
                  "accuracy_score", "classification_report", "confusion_matrix", ":evaluate(", ":test("),
    "saves": ("torch.save(", "save_weights", ".save(", "saver.save", "save_model", "save_pretrained"),
    "downloads": ("urlretrieve", "requests.get", "wget", "download(", "hf_hub_download", "snapshot_download"),
    # Writes what it made for a person to look at or listen to: plots, images, and sound
    # (keithito/tacotron's eval.py writes eval-N.wav through synthesizer.py's `audio.save_wav`).
    "plots": ("plt.show", "savefig", "imshow", "imwrite", "imsave", "save_image", "save_wav", "write_wav",
              "wavfile.write", "soundfile.write", "sf.write(", "torchaudio.save("),
    "serves": ("flask", "gradio", "streamlit", "uvicorn", "fastapi"),
    "cuda": (".cuda(", "cuda:", "device('cuda", 'device("cuda', ":cuda()"),
    # A test suite's module, the standard library's or TensorFlow's (dafanghe/Tensorflow_SceneText_
    # Oriented_Box_Predictor's utils/label_map_util_test.py: `class LabelMapUtilTest(tf.test.TestCase)`).
    "unit_test": ("import unittest", "import pytest", "from unittest", "(unittest.testcase)", "tf.test.testcase",
                  "tf.test.main()", "absltest", "parameterized.testcase"),
    "reads_args": ("argparse", "add_argument", "sys.argv", "absl", "click.", "@hydra.main", "fire.fire", "tf.app.flags",
                   "docopt",
                   "cmd:option", "tf.flags"),
}  # fmt: skip


# `from trainer import Trainer`, `import utils.eval as ev`, `from . import engine`: a module the
# repo may hold (group 1), and the names imported from it (group 2); or the modules of `import surgery,
# score` (group 3: SharifAmit/DilatedFCNSegmentation's solvedilated.py calls `score.seg_tests`).
_LOCAL_IMPORT = re.compile(r"^(?:from\s+([.\w]+)\s+import\s+([\w ,]+)|import\s+([\w.]+(?:\s*,\s*[\w.]+)*))", re.M)
_MAX_IMPORTS = 12
# A shell variable set to a literal (no command substitution), and a use of one.
_ASSIGNMENT = re.compile(r"""^(?:export\s+)?([A-Za-z_]\w*)=("[^"$`]*"|'[^']*'|[^\s"'$`;&|]*)$""")
_VARIABLE = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")
_VIA = frozenset(
    {"trains", "evaluates", "prints_metric", "prints_held_out_metric", "loads_checkpoint", "plots", "saves"}
)

# A format string that names a metric: `template = 'Test Loss: {}, Test Accuracy: {}'`, printed later.
_METRIC_FORMAT = re.compile(r"""['"][^'"\n]*[:=]\s*(?:\{[^}]*\}|%[\d.]*[dfgs])[^'"\n]*['"]""")
# A number formatted as a decimal (`%.3f`, `%2.5f`, `{:.4f}`, `{test_perf.mean():.4f}`): on a log
# line that names held-out data it is a measurement on that data, whatever it is called
# (ShangtongZhang/DistributedES logs `'test: total steps %d, %f(%f)' % (steps, test_mean, test_ste)`,
# bloomberg/cnn-rnf `"dev perf: %.3f test perf: %.3f"`), unless the line times something.
_DECIMAL = re.compile(r"%[\d.]*[fge]\b|\{[^{}\n]*:[^{}\n]*[fge%]\}")
_TIMING = re.compile(r"(?<![a-z])(?:\w*time\w*|elapsed|sec\w*|speed|fps|eta)(?![a-z])|\d[fge]?\}?s\b")
# A comment line: commented-out code prints nothing (rupes438/CodeGen's evaluation is commented out).
_COMMENT = re.compile(r"^\s*(?:#|//|--|%)")


# One name for each metric a script prints and a README reports in other words (`acc` and
# `accuracy`, `err` and `error`, `ppl` and `perplexity`, `return` and `reward`).
_METRIC_NAME = {"acc": "accuracy", "accuracies": "accuracy", "err": "error", "ppl": "perplexity",
                "return": "reward", "miou": "iou", "roc": "auc", "top1": "top-1", "top_1": "top-1", "top5": "top-5",
                "top_5": "top-5"}  # fmt: skip


def metric_name(word: str) -> str:
    """The one name of a metric word, in code (`val_acc`, `top_1`) or in the docs (`Accuracy`)."""
    word = word.lower()
    word = "accuracy" if word.startswith(("acc_", "accuracy_")) else "rouge" if word.startswith("rouge") else word
    return _METRIC_NAME.get(word, word)


def code_traits(text: str) -> list[str]:
    """What a script does, from what its code calls: trains, evaluates, prints a metric, ...; and
    `metric:NAME` for each metric it prints (not a loss: every training run prints one)."""
    lower = text.lower()
    traits = [name for name, needles in _TRAITS.items() if any(n in lower for n in needles)]
    keras = _KERAS_METRICS.search(lower)
    if keras and any(held in lower for held in _KERAS_HELD_OUT):
        return [*traits, "prints_metric", "prints_held_out_metric", f"metric:{metric_name(keras.group(1))}"]
    names: set[str] = set()
    handler = -1  # the indent of the `except` clause whose body the line may be in (-1: none)
    for line in lower.splitlines():
        indent = len(line) - len(line.lstrip())
        if line.strip() and not _COMMENT.match(line) and indent <= handler:
            handler = -1
        if caught := _EXCEPT.match(line):
            handler = len(caught.group(1))
        if _COMMENT.match(line) or (not _LOG.search(line) and not _METRIC_FORMAT.search(line)):
            continue
        if handler >= 0 or _ERROR_REPORT.search(line):
            continue
        printed = {match.group(1) for match in _METRIC_WORDS.finditer(line)}
        names |= {metric_name(word) for word in printed - {"loss"}}
        if not printed and _SCORES_PRINTED.search(line):
            printed = {"scores"}
        if not printed and _HELD_OUT.search(line) and _DECIMAL.search(line) and not _TIMING.search(line):
            printed = {"number"}
        held_out = bool(printed and _HELD_OUT.search(line))
        if printed - {"loss", "return"} or held_out:
            if "prints_metric" not in traits:
                traits.append("prints_metric")
            if held_out and "prints_held_out_metric" not in traits:  # what an evaluation reports: a metric
                traits.append("prints_held_out_metric")  # on test or validation data
    # A training loss (or return) alone is progress, not the metric an evaluation reports.
    return traits + [f"metric:{name}" for name in sorted(names)] if "prints_metric" in traits else traits


# A flag or choice that may switch a script into another mode: one variant of the script each,
# for the ranker to weigh (generating a candidate is not choosing it).
MODE_FLAG = re.compile(r"(^|[-_])(eval\w*|test\w*|val\w*|predict\w*|infer\w*|forward_only|inference)$", re.I)
# A MATLAB script (not a function file, not Objective-C): its first statement is not `function`.
_MATLAB_SCRIPT = re.compile(r"^(?:\s*(?:%[^\n]*)?\n)*\s*(?!function\b|#import|#include|@interface)[A-Za-z]")
# A flat script does something at the top level (a call, a loop), not only define things.
_WINDOWS_EXE = re.compile(r"^(?:\.[/\\])?([A-Za-z][\w-]*)\.exe(?=\s|$)", re.I)
_WINDOWS_PATH = re.compile(r"(?<![\w.\\/-])[\w.-]+(?:\\[\w.-]+)+(?![\w.\\/-])")
# A folder of unit tests: `tests/`, `test/`, `tests_tf/` (CleverHans), `unit_tests/`.
TESTS_FOLDER = re.compile(r"^(?:unit_?)?tests?(?:_\w+)?$", re.I)
_TEST_NAME = re.compile(r"^(?:test_.*|.*_tests?|conftest)\.py$")
_TEST_CODE = re.compile(
    r"^\s*(?:import|from)\s+(?:pytest|unittest|nose)\b|^\s*def test_|^class \w+\(\w*TestCase\)", re.M
)
_TOP_LEVEL_RUN = re.compile(r"^(?:[A-Za-z_][\w.\[\]'\"]*\s*\(|print\b|for |while |with )", re.M)
_ENTRY = re.compile(r"""if\s+__name__\s*==\s*['"]__main__['"]|@hydra\.main|@click\.command|absl\.app|app\.run\(|"""
                    r"""fire\.Fire|tf\.app\.run""")  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """One command that might run the evaluation, and what is known about it."""

    command: str
    cwd: str  # the folder to run it in, relative to the repo root ("" for the root)
    origin: str  # doc-block, doc-inline, shell-script, makefile, console-script, python-module,
    # entry-point, conventional or notebook
    source: str  # where it was found, in words: "README.md § Evaluation", "script eval.py"
    doc: str = ""  # the doc it came from
    section: tuple[str, ...] = ()  # the heading path in that doc
    doc_order: int = -1  # position among the repo's documented commands in reading order (-1: not documented)
    script: str | None = None  # the file it runs, relative to the repo root
    script_exists: bool = False
    placeholders: tuple[str, ...] = ()  # `...`, `<x>`, `[x]`, `/path/to/x` the user must fill
    required_missing: tuple[str, ...] = ()  # required arguments of the script the command does not give
    launches: tuple[str, ...] = ()  # what a shell script or Makefile target runs
    context: str = ""  # the prose just before it in the doc
    after: str = ""  # the prose just after it
    setup: tuple[str, ...] = ()  # the prepare/download steps the doc puts right before it
    language: str = "python"
    program: str = ""  # python, bash, th, make, the console script's name...
    module: str | None = None  # python -m MODULE
    args: tuple[str, ...] = ()  # the arguments after the script or module
    resolved: str = "as written"  # how the folder was found: as written, cd, doc folder, root, found
    traits: tuple[str, ...] = ()  # what the script and what it launches do: trains, evaluates, ...
    mentions: int = 1  # how many times the docs give this command
    named: tuple[str, ...] = ()  # where the docs name its script, not as a command: heading path, then the prose before


@dataclass(frozen=True)
class Discovery:
    repo_dir: Path
    candidates: tuple[Candidate, ...]  # in discovery order: documented first, in reading order
    docs: tuple[Doc, ...]
    docs_text: str  # every doc read, for the checkpoint links and metric names they hold
    shape: str  # "repo", "library" or "monorepo"
    console_scripts: tuple[str, ...] = ()
    files: int = 0  # files listed (at most _MAX_FILES)


@dataclass(frozen=True)
class Parsed:
    program: str  # python, bash, th, make, a console script...
    script: str | None  # the file it runs as written (no leading ./)
    module: str | None  # python -m MODULE
    args: tuple[str, ...]  # the arguments after the script or module


@dataclass(frozen=True)
class ScriptInfo:
    required: tuple[str, ...] = ()  # "--flag" or "<positional>"
    switches: tuple[str, ...] = ()  # flags that take no value (store_true)
    traits: tuple[str, ...] = ()
    entry: bool = False
    launches: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()  # the mode switches it takes: `--test_only`, `--mode test` (a variant each)


# ------------------------------------------------------------------------------------------ files


@dataclass
class Files:
    """The repo's files, listed once (bounded)."""

    root: Path
    paths: list[str] = field(default_factory=list)
    truncated: bool = False
    _folder_set: frozenset[str] | None = field(default=None, repr=False, compare=False)
    _by_name: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, root: Path) -> Files:
        files = cls(root)
        prefix = len(str(root)) + 1
        stack = [(str(root), 0)]
        while stack and not files.truncated:
            folder, depth = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            subs = []
            for entry in entries:
                if entry.name.startswith(".") or entry.name in _SKIP_DIRS:
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if depth < _MAX_DEPTH:
                            subs.append((entry.path, depth + 1))
                    elif entry.is_file(follow_symlinks=False):
                        files.paths.append(entry.path[prefix:])
                except OSError:
                    continue
                if len(files.paths) >= _MAX_FILES:
                    files.truncated = True
                    break
            stack += reversed(subs)
        files.paths.sort(key=lambda p: (p.count("/"), p))
        return files

    def ending(self, tail: str) -> list[str]:
        """Files whose path ends with `tail` (whole path components), shallowest first."""
        if self._by_name is None:  # file name -> its paths, in listing order (indexed once)
            self._by_name = {}
            for path in self.paths:
                self._by_name.setdefault(path.rpartition("/")[2], []).append(path)
        return [p for p in self._by_name.get(tail.rpartition("/")[2], ()) if p == tail or p.endswith("/" + tail)]

    def folder_ending(self, tail: str) -> str | None:
        """The one folder whose path ends with `tail` (`tasks/adding_problem` for `adding_problem`,
        where the docs' `cd adding_problem/` leaves out the folder above); None when none or several."""
        if not tail:
            return None
        found = {folder for folder in self._folders() if folder == tail or folder.endswith(f"/{tail}")}
        return found.pop() if len(found) == 1 else None

    def _folders(self) -> frozenset[str]:
        """Every folder that holds a listed file, at any depth (computed once: the docs' every `cd`
        asks)."""
        if self._folder_set is None:
            folders = set()
            for path in self.paths:
                folder = path.rpartition("/")[0]
                while folder and folder not in folders:
                    folders.add(folder)
                    folder = folder.rpartition("/")[0]
            self._folder_set = frozenset(folders)
        return self._folder_set


def join(cwd: str, folder: str) -> str:
    """A folder relative to the repo root; never above it."""
    folder = folder.strip("'\"")
    if folder.startswith("/") or folder.startswith("~"):
        folder = folder.rsplit("/", 1)[-1] if folder.count("/") > 1 else ""
    out: list[str] = []
    for part in f"{cwd}/{folder}".split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out:
                out.pop()
        else:
            out.append(part)
    return "/".join(out)


# ---------------------------------------------------------------------------------------- commands


def _split(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=False)
    except ValueError:
        return command.split()


def parse_command(command: str, programs: tuple[str, ...] = ()) -> Parsed:
    """The program, script (or module) and arguments of a command, through env assignments and
    launchers (torchrun, python -m torch.distributed.launch, accelerate launch, srun, mpirun)."""
    tokens = _split(command.split("&&")[-1].strip())
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", token):
            i += 1
        elif token in _WRAPPERS or token == "accelerate":
            i += 2 if token == "accelerate" and i + 1 < len(tokens) and tokens[i + 1] == "launch" else 1
            while i < len(tokens) and tokens[i].startswith("-"):
                i += 2 if _WRAPPER_VALUE_FLAGS.match(tokens[i]) else 1
        else:
            break
    if i >= len(tokens):
        return Parsed("", None, None, ())
    program = tokens[i]
    rest = tokens[i + 1 :]
    ext = Path(program).suffix.lower()
    if ext in _EXTENSIONS and (program.startswith("./") or "/" in program or ext in (".py", ".sh", ".bash")):
        # `./eval.py` runs like `python eval.py`; `./run.sh` like `bash run.sh`.
        return Parsed(_RUNNER_OF.get(_EXTENSIONS[ext], program), program.removeprefix("./"), None, tuple(rest))
    if _PYTHON.match(Path(program).name):
        j = 0
        while j < len(rest):
            arg = rest[j]
            if MODULE_SWITCH.fullmatch(arg) and j + 1 < len(rest):
                module = rest[j + 1]
                if module.startswith("torch.distributed"):
                    j += 2
                    while j < len(rest) and rest[j].startswith("-"):
                        j += 2 if _WRAPPER_VALUE_FLAGS.match(rest[j].split("=")[0]) and "=" not in rest[j] else 1
                    continue
                return Parsed("python", None, module, tuple(rest[j + 2 :]))
            if arg in ("-c",):
                return Parsed("python", None, None, tuple(rest[j:]))
            if arg.startswith("-"):
                j += 1
                continue
            return Parsed("python", arg.removeprefix("./"), None, tuple(rest[j + 1 :]))
        return Parsed("python", None, None, ())
    name = Path(program).name
    if name in _SCRIPT_RUNNERS:
        operands = [j for j, arg in enumerate(rest) if not arg.startswith("-")]
        # The script, even after a placeholder written first (`bash <test.csv path> final.sh`).
        scripts = [j for j in operands if Path(rest[j]).suffix.lower() in _EXTENSIONS]
        for j in scripts[:1] or operands[:1]:
            before = [arg for arg in rest[:j] if not arg.startswith("-")]
            return Parsed(name, rest[j].removeprefix("./"), None, tuple(before + rest[j + 1 :]))
        return Parsed(name, None, None, ())
    if program.startswith("./") or (program in programs):
        return Parsed(program.removeprefix("./") if program not in programs else program, None, None, tuple(rest))
    return Parsed(name, None, None, tuple(rest))


def _canonical(command: str, parsed: Parsed) -> str:
    """`./eval.py x` -> `python eval.py x`; `python ./eval.py` -> `python eval.py`; `./run.sh` -> `bash run.sh`."""
    command = re.sub(r"\s+", " ", command).strip()
    if parsed.script is None:
        return command
    tokens = _split(command)
    if parsed.program in _SCRIPT_RUNNERS and parsed.program in tokens:
        start = tokens.index(parsed.program) + 1
        written = [t.removeprefix("./") for t in tokens[start:]]
        at = written.index(parsed.script) if parsed.script in written else 0
        if any(not t.startswith("-") for t in written[:at]):
            # `bash <test.csv path> final.sh` means `bash final.sh <test.csv path>`: the script first.
            flags = [t for t in written[:at] if t.startswith("-")]
            return " ".join([*tokens[:start], *flags, parsed.script, *parsed.args])
    head = rf"(^|&&\s*|\s)(?:\./)?({re.escape(parsed.script)})(?=\s|$)"
    if re.search(rf"(^|&&\s*)(?:[A-Za-z_]\w*=\S*\s+)*(?:\./)?{re.escape(parsed.script)}(\s|$)", command):
        runner = parsed.program if parsed.program in ("python", "bash") else None
        if runner:
            return re.sub(head, rf"\1{runner} \2", command, count=1)
    return re.sub(head, r"\1\2", command, count=1)


def _placeholders(command: str) -> tuple[str, ...]:
    found = []
    for match in _PLACEHOLDER.finditer(command):
        text = match.group(0)
        if text.startswith("<") and re.search(r"\s<\s", command):
            continue
        found.append(text)
    return tuple(dict.fromkeys(found))


def _clean_line(line: str) -> str:
    line = _PROMPT.sub("", line.strip(), count=1).strip()
    # A trailing "# webcam" comment is the doc talking, not the command.
    line = re.sub(r"\s+#(?![^'\"]*['\"]\s*$).*$", "", line)
    return re.sub(r"\s+", " ", line).strip()


def block_lines(text: str) -> list[str]:
    """The command lines of a block: continuations joined, prompts and comments removed, `a; b`
    and `a && b` kept whole (the caller splits what it needs)."""
    joined = re.sub(r"\\[ \t]*\r?\n\s*", " ", text)
    joined = re.sub(r"\^[ \t]*\r?\n\s*", " ", joined)  # Windows continuation
    out = []
    for raw in joined.splitlines():
        if raw.strip().startswith("#") and not raw.strip().startswith("#!"):
            continue
        line = _clean_line(raw)
        if line:
            out.append(line)
    return out


def _runs_something(parsed: Parsed, first: str, programs: tuple[str, ...]) -> bool:
    if not parsed.program or first in _STEPS:
        return False
    if parsed.program == "python":
        if Path(parsed.script or "").name == "setup.py":
            return False  # an install step
        return bool(parsed.script or parsed.module) and (parsed.module or "").split(".")[0] not in _SETUP_MODULES
    if parsed.program in _SCRIPT_RUNNERS:
        return bool(parsed.script)
    if parsed.program in _INTERACTIVE and parsed.args[:1] and parsed.args[0] in _INTERACTIVE[parsed.program]:
        return False  # opens a server and waits: a notebook the docs name is run with nbconvert instead
    if first.startswith("./"):  # a program of the repo: `./Test`, not a folder `./cache_data/lists/300W`
        return first.count("/") <= 2 and "." not in Path(first).name
    return parsed.program in _OTHER_RUNNERS or parsed.program in programs


# ------------------------------------------------------------------------------------------ scripts


_PAREN = re.compile(r"[()]")


def _calls(text: str, name: str) -> list[str]:
    """The argument text of every `name(` call, balanced parentheses, looked for in the next 1500
    characters (past them, all but the last of those). Only the parentheses are visited, not each
    character: a 300 kB generated module (caffe_pb2.py) has thousands of calls."""
    out = []
    for match in re.finditer(rf"{name}\s*\(", text):
        start = match.end()
        end = min(len(text), start + 1500)
        depth = 1
        for paren in _PAREN.finditer(text, start, end):
            depth += 1 if paren.group() == "(" else -1
            if not depth:
                end = paren.end()
                break
        out.append(text[start : end - 1])
    return out


def _shows_usage(text: str, name: str) -> bool:
    """The script's own text gives the command that runs it, in a docstring, a comment or a usage
    string: keras-DBPN's main.py `testing on the data: python main.py --test_only True --chk 98`,
    LyricsGANs' evaluate.py `example usage: python evaluate.py --INPUT_SAMPLE=...`. Whoever wrote
    that meant it to be run; a module imported by others seldom says so."""
    return bool(name) and bool(re.search(rf"python[\d.]*\s+(?:[\w.~/-]*/)?{re.escape(name)}(?![\w.-])", text))


# A function or class defined at the top level of a script, and a name used in its code.
_DEFINED = re.compile(r"^(?:async\s+)?(?:def|class)\s+(\w+)", re.M)
_BODY_START = re.compile(r"(?:async\s+)?(?:def|class)\b|@")
_NAME = re.compile(r"[A-Za-z_]\w*")


def _defines_only(text: str) -> bool:
    """The script defines functions or classes and its top level uses none of them: a module
    others import, whatever it prints at import time (snhwang/p1_navigation_SNH's dqn_agent.py
    defines the agent, trains and scores it in methods, and runs only `print(device)`), not a
    command. What its methods do (train, print a score) never runs when it is run."""
    defined = set(_DEFINED.findall(text))
    if not defined:
        return False  # a flat script: its top level is the work
    inside = False  # in the body of a top-level def or class
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            inside = bool(_BODY_START.match(line))
            if inside:
                continue
        elif inside:
            continue
        if defined.intersection(_NAME.findall(line)):
            return False
    return True


def _run_traits(traits: tuple[str, ...], console: bool) -> tuple[str, ...]:
    """What running a command does, from its script's traits: a module that `defines_only` runs
    none of what its code (or the modules it imports) does, so those traits are not the command's
    (they stay the script's, for the scripts that import it: `via:`). A console script calls a
    function of its module, which is why the module's top level calls none."""
    if "defines_only" not in traits:
        return traits
    if console:
        return tuple(t for t in traits if t != "defines_only")
    return tuple(t for t in traits if t not in _VIA and not t.startswith(("via:", "metric:")))


# A flag whose value picks what the script does (`--mode`, `--phase`).
_MODE_NAME = re.compile(r"^(?:mode|phase|stage|run_?type)$", re.I)


def _compared_values(text: str, flag: str) -> list[str]:
    """The evaluation-like values the code compares a mode flag with: `if FLAGS.mode ==
    "official_eval":`, `elif args.phase in ('test', 'val')`: the values the script acts on, where a help
    text's words may be prose."""
    found = []
    for match in re.finditer(rf"\.{flag}\s*(?:==|!=|\bin\b)\s*([\[(]?[^:\n]{{0,80}})", text):
        found += [v for v in re.findall(r"""['"](\w+)['"]""", match.group(1)) if MODE_FLAG.search(v)]
    return list(dict.fromkeys(found))


def _python_info(text: str, name: str = "") -> ScriptInfo:
    required: list[str] = []
    switches: list[str] = []
    modes: list[str] = []
    arguments = _calls(text, r"\.add_argument")
    # absl / tf.app.flags; a text without the name skips the scan (a `\b`-led pattern scans slowly).
    absl = "DEFINE_" in text
    for call in arguments:
        names = re.findall(r"""^\s*(?:['"]([^'"]+)['"]\s*,\s*)?(?:['"]([^'"]+)['"])?""", call)
        strings = [s for s in (names[0] if names else ()) if s]
        if not strings:
            continue
        longest = max(strings, key=len)
        if re.search(r"action\s*=\s*['\"](store_true|store_false|count|store_const)", call):
            switches.append(longest)
        if strings[0].startswith("--") and MODE_FLAG.search(longest):
            boolean = re.search(r"action\s*=|type\s*=\s*(bool|str2bool)|default\s*=\s*(True|False)", call)
            modes.append(longest if "action" in call else f"{longest} True" if boolean else longest)
        choices = re.search(r"choices\s*=\s*[\[(]([^\])]*)", call)
        if choices and strings[0].startswith("--"):
            for choice in re.findall(r"['\"](\w+)['\"]", choices.group(1)):
                if MODE_FLAG.search(choice):
                    modes.append(f"{longest} {choice}")
        if not strings[0].startswith("-"):
            if not re.search(r"nargs\s*=\s*['\"][?*]|default\s*=", call):
                required.append(f"<{strings[0]}>")
        elif re.search(r"required\s*=\s*True", call):
            required.append(longest)
    if not arguments and not absl:
        # No parser: the words after the script, read by position (jlindsey15/DRAM's DRAM.py reads
        # `sys.argv[1]` to `sys.argv[15]`, none of them optional).
        read = sorted({int(n) for n in re.findall(r"sys\.argv\[(\d+)\]", text)} - {0})
        required += [f"<sys.argv[{n}]>" for n in read if not argv_optional(text, n)]
    # absl / tf.app.flags: `flags.DEFINE_string("mode", "train", "Available modes: train / show_examples /
    # official_eval")` (BAJUKA/SQuAD-NLP's main.py), and an argparse `--mode` given no choices.
    for call in _calls(text, r"\bDEFINE_(?:string|enum)") if absl else []:
        flag = re.match(r"""\s*(?:name\s*=\s*)?['"](\w+)['"]""", call)
        if flag and _MODE_NAME.match(flag.group(1)):
            modes += [f"--{flag.group(1)} {value}" for value in _compared_values(text, flag.group(1))]
    for call in arguments:
        flag = re.match(r"""\s*['"]--(\w+)['"]""", call)
        if flag and _MODE_NAME.match(flag.group(1)) and not re.search(r"choices\s*=", call):
            modes += [f"--{flag.group(1)} {value}" for value in _compared_values(text, flag.group(1))]
    for call in _calls(text, r"mark_flags?_as_required"):
        required += [f"--{n}" for n in re.findall(r"['\"](\w+)['\"]", call)]
    for call in _calls(text, r"@click\.argument"):
        if not re.search(r"required\s*=\s*False|default\s*=|nargs\s*=\s*-1", call):
            required += [f"<{n}>" for n in re.findall(r"^\s*['\"]([\w-]+)['\"]", call)]
    for call in _calls(text, r"@click\.option"):
        if re.search(r"required\s*=\s*True", call):
            required += re.findall(r"['\"](--[\w-]+)['\"]", call)[:1]
    traits = code_traits(text)
    if _shows_usage(text, name):
        traits.append("shows_usage")
    entry = bool(_ENTRY.search(text))
    if not entry and _defines_only(text):
        traits.append("defines_only")
    return ScriptInfo(tuple(dict.fromkeys(required)), tuple(switches), tuple(traits), entry, (), tuple(modes))


class Scripts:
    """What each script of the repo does, read once (bounded)."""

    def __init__(self, root: Path, programs: tuple[str, ...], files: Files | None = None):
        self.root = root
        self.programs = programs
        self.files = files
        # By file and by whether it is read as the command (which follows what it launches and
        # imports) or as launched or imported by another (which does not): the same file gets the
        # same traits whichever way it was first read.
        self._cache: dict[tuple[str, bool], ScriptInfo] = {}
        # The files another script of the repo imports, and those a shell script or Makefile runs.
        self.imported: set[str] = set()
        self.launched: set[str] = set()
        # Asked once each: imports and launches name the same modules over and over.
        self._is_file: dict[str, bool] = {}
        self._python: dict[tuple[str, str], ScriptInfo] = {}

    def is_file(self, rel: str) -> bool:
        """Whether the repo has the file `rel` (a repo-relative path), asked of the disk once."""
        known = self._is_file.get(rel)
        if known is None:
            known = self._is_file[rel] = (self.root / rel).is_file()
        return known

    def info(self, rel: str | None, depth: int = 0) -> ScriptInfo:
        if not rel:
            return ScriptInfo()
        key = (rel, depth == 0)
        if key in self._cache:
            return self._cache[key]
        self._cache[key] = ScriptInfo()  # a script that launches itself stops here
        path = self.root / rel
        text = read_text(path, _MAX_SCRIPT_BYTES) if path.is_file() and within(self.root, path) else ""
        suffix = path.suffix.lower()
        if suffix == ".py":
            info = self._python.get((text, path.name))
            if info is None:
                info = self._python[text, path.name] = _python_info(text, path.name)
            if depth < 1:
                info = self._with_imports(info, text, str(Path(rel).parent).replace(".", "") if "/" in rel else "")
        elif suffix in (".sh", ".bash", "") or path.name.lower() == "makefile":
            info = self._shell_info(text, str(Path(rel).parent).replace(".", "") if "/" in rel else "", depth)
        else:
            traits = code_traits(text)
            info = ScriptInfo(traits=tuple(traits), entry=True)
        self._cache[key] = info
        return info

    def _with_imports(self, info: ScriptInfo, text: str, folder: str) -> ScriptInfo:
        """A script's traits, and what the repo's own modules it imports do (one level), as
        `via:TRAIT` where the script itself does not: `main.py` that only parses flags and calls
        `trainer.fit()` from trainer.py trains."""
        found: list[str] = []
        for match in list(_LOCAL_IMPORT.finditer(text))[:_MAX_IMPORTS]:
            if match.group(1):
                base = match.group(1).lstrip(".").replace(".", "/")
                tails = [base] + [f"{base}/{n}" if base else n for n in re.findall(r"\w+", match.group(2))[:4]]
            else:
                tails = [m.lstrip(".").replace(".", "/") for m in re.split(r"\s*,\s*", match.group(3))[:4]]
            for tail in tails:
                rel = next((join(b, f"{tail}.py") for b in (folder, "") if self.is_file(join(b, f"{tail}.py"))), None)
                if rel:
                    self.imported.add(rel)
                    found += self.info(rel, 1).traits
        via = tuple(
            dict.fromkeys(f"via:{t}" for t in found if (t in _VIA or t.startswith("metric:")) and t not in info.traits)
        )
        return replace(info, traits=info.traits + via) if via else info

    def _launched(self, target: str, folder: str) -> str | None:
        """The file a shell script's line runs: from the script's folder or one above it, else the
        one file of that name in the repo (pandigreat/DELF's script/test_resetnet50.sh runs
        `python ./test_resnet.py`, which is src/test_resnet.py)."""
        for base in _upward(folder):
            rel = join(base, target)
            if self.is_file(rel):
                return rel
        matches = self.files.ending(join("", target)) if self.files else []
        return matches[0] if len(matches) == 1 else None

    def _shell_info(self, text: str, folder: str, depth: int) -> ScriptInfo:
        launches, traits = [], []
        variables: dict[str, str] = {}
        for line in block_lines(text)[:200]:
            assigned = _ASSIGNMENT.match(line)
            if assigned:  # `command="../train.py --lr 0.1"` then `python $command`: what runs is the value
                variables[assigned.group(1)] = assigned.group(2).strip("'\"")
                continue
            line = _VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), line)
            for part in re.split(r"\s*(?:&&|;|\|\|)\s*", line):
                parsed = parse_command(part, self.programs)
                first = part.split(" ", 1)[0]
                if first in _FETCHERS:
                    traits.append("downloads")
                if not _runs_something(parsed, first, self.programs):
                    continue
                launches.append(part)
                if depth < 1:
                    target = (
                        parsed.script or (parsed.module or "").replace(".", "/") + ".py"
                        if (parsed.script or parsed.module)
                        else None
                    )
                    rel = self._launched(target, folder) if target and "$" not in target else None
                    if rel:
                        self.launched.add(rel)
                        # What running it does, and what the repo's modules it imports do (a Python
                        # script a shell script launches is a command too: simonjisu/E2EMN's runtest.sh
                        # runs runtest.py, whose test error comes from memn2n/train.py's `validation`).
                        launched = self.info(rel, 0 if rel.endswith(".py") else depth + 1).traits
                        traits += [t for t in _run_traits(launched, False) if t != "defines_only"]
        if not launches and text.strip():
            traits.append("runs_nothing")  # only steps (fetch, unpack, move): it prepares, it runs no program
        return ScriptInfo(traits=tuple(dict.fromkeys(traits)), entry=True, launches=tuple(dict.fromkeys(launches))[:20])


def _upward(folder: str) -> list[str]:
    """A folder and each folder above it, to the repo root: where a script kept in
    `SAN/scripts/300W/` is run from when it calls `python san_main.py` (`SAN/`)."""
    return [folder, *(p.as_posix() for p in Path(folder).parents if p.as_posix() != "."), ""] if folder else [""]


def _given(args: tuple[str, ...], switches: tuple[str, ...]) -> tuple[set[str], int]:
    """The flags a command gives (normalised) and how many positional arguments."""
    flags, positional, i = set(), 0, 0
    norm_switches = {_norm(s) for s in switches}
    while i < len(args):
        arg = args[i]
        if arg.startswith("-") and not re.match(r"^-\d", arg):
            name = _norm(arg.split("=", 1)[0])
            flags.add(name)
            if "=" not in arg and name not in norm_switches and i + 1 < len(args) and not args[i + 1].startswith("-"):
                i += 1
        elif not re.match(r"^[\w.+~]+=", arg):
            positional += 1
        else:
            flags.add(_norm(arg.split("=", 1)[0]))
        i += 1
    return flags, positional


def _norm(flag: str) -> str:
    return flag.lstrip("-+~").replace("-", "_").lower()


def _missing(info: ScriptInfo, args: tuple[str, ...]) -> tuple[str, ...]:
    flags, positional = _given(args, info.switches)
    missing = []
    for need in info.required:
        if need.startswith("<"):
            if positional > 0:
                positional -= 1
            else:
                missing.append(need)
        elif _norm(need) not in flags:
            missing.append(need)
    return tuple(missing)


# ------------------------------------------------------------------------------------------- sources


def console_scripts(repo_dir: Path) -> dict[str, str]:
    """The commands the repo installs and the module each runs: [project.scripts] and
    [tool.poetry.scripts] of pyproject.toml, console_scripts of setup.py and setup.cfg, with or
    without `:func`."""
    found: dict[str, str] = {}
    pyproject = repo_dir / "pyproject.toml"
    if pyproject.is_file() and within(repo_dir, pyproject):
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib
        try:
            data = tomllib.loads(read_text(pyproject))
        except (tomllib.TOMLDecodeError, ValueError):
            data = {}
        scripts = {
            **data.get("project", {}).get("scripts", {}),
            **data.get("tool", {}).get("poetry", {}).get("scripts", {}),
        }
        found.update({k: str(v) for k, v in scripts.items() if isinstance(v, str)})
    for name in ("setup.py", "setup.cfg"):
        text = read_text(repo_dir / name) if within(repo_dir, repo_dir / name) else ""
        block = re.search(r"console_scripts['\"]?\s*[:=]\s*[\[(]?(.*?)(?:[\])]|\n\S|\Z)", text, re.S)
        if block:
            for key, target in re.findall(r"['\"]?\s*([\w.-]+)\s*=\s*([\w.]+(?::[\w.]+)?)", block.group(1)):
                found.setdefault(key, target)
    return found


_PROGRAM_NAME = re.compile(r"[A-Za-z0-9][\w.-]*")


def shell_path(rel: str) -> str:
    """A file name as scout writes it into a command: quoted for the shell (`eval;touch X;.py` is one
    word), and never an option (`-c x.py` becomes `./-c x.py`)."""
    return shlex.quote(f"./{rel}" if rel.startswith("-") else rel)


def _module_file(root: Path, module: str, cwd: str = "") -> str | None:
    base = "/".join(p for p in (cwd, module.replace(".", "/")) if p)
    for rel in (f"{base}.py", f"{base}/__main__.py", f"{base}/__init__.py"):
        if (root / rel).is_file():
            return rel
    return None


def _prepares(parsed: Parsed, first: str, line: str) -> bool:
    """A step that fetches or prepares data or weights (not an install: scout's env does those)."""
    if first in _FETCH_STEPS or (first == "git" and "lfs" in line) or first == "bash" and "download" in line:
        return True
    name = Path(parsed.script or parsed.module or "").name
    return bool(set(_words(name)) & PREPARE_WORDS) or "--download" in line


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


@dataclass
class _Reader:
    root: Path
    files: Files
    scripts: Scripts
    programs: tuple[str, ...]
    entry_points: dict[str, str] = field(default_factory=dict)  # console script -> module[:func]
    builds: bool = False  # the repo compiles its own program (a Makefile or CMakeLists.txt at the root)
    found: list[Candidate] = field(default_factory=list)
    order: int = 0

    def doc_candidates(self, doc: Doc) -> None:
        cd: str | None = None  # a `cd` written in an earlier block of this doc
        steps: list[tuple[str, bool]] = []  # (command in folder, prepares) in doc order, for setup
        for snippet in doc.snippets:
            if self.order >= _MAX_DOC_COMMANDS:
                return
            cloned = False
            lines = block_lines(snippet.text) if not snippet.inline else [_clean_line(snippet.text)]
            for line in lines[:400]:
                parts = [p.strip() for p in re.split(r"\s*(?:&&|;)\s*", line) if p.strip()]
                line_cd = cd
                for k, part in enumerate(parts):
                    part = self._native(part, doc.folder)
                    first = part.split(" ", 1)[0]
                    if first == "git" and " clone " in f" {part} ":
                        cloned = True
                        continue
                    if first in ("cd", "pushd"):
                        target = part.split(" ", 1)[1] if " " in part else ""
                        moved = join(line_cd or "", target)
                        if not any((self.root / base / moved).is_dir() for base in (doc.folder, "")):
                            moved = join("", target)  # `cd cnn` again, from where the reader started
                            if not any((self.root / base / moved).is_dir() for base in (doc.folder, "")):
                                moved = self.files.folder_ending(moved) or moved
                        line_cd = None if cloned or target in ("", "~") else moved
                        cloned = False
                        only_moves = all(p.split(" ", 1)[0] in ("cd", "pushd", "git") for p in parts[:k])
                        if only_moves and len(parts) == k + 1 and not snippet.inline:
                            cd = line_cd  # a `cd` on its own moves the later blocks too
                        continue
                    parsed = parse_command(part, self.programs)
                    if snippet.inline and " " not in part and not part.startswith("./"):
                        continue  # a file named in running text, not a command
                    if first.startswith("./") and any(
                        (self.root / folder / first).is_dir()
                        for folder in {doc.folder, "", join(doc.folder, line_cd or ""), join("", line_cd or "")}
                    ):
                        continue  # `./models`: a folder of the repo, named as a path
                    if not _runs_something(parsed, first, self.programs):
                        if first in _STEPS and not snippet.inline:
                            steps.append((part, _prepares(parsed, first, part)))
                        continue
                    if re.search(r"(^|\s)(-h|--help)(\s|$)", part):
                        continue  # prints the usage: never the evaluation
                    rest = " && ".join(parts[k:]) if first == "chmod" else part
                    candidate = self._resolve(rest, parsed, doc, line_cd)
                    if candidate is None:
                        continue
                    where = f"{doc.path} § {snippet.section[-1]}" if snippet.section else doc.path
                    prepare = tuple(c for c, p in reversed(steps[-4:]) if p)[::-1]
                    self.found.append(
                        replace(
                            candidate,
                            origin="doc-inline" if snippet.inline else "doc-block",
                            source=where + (" (inline code)" if snippet.inline else ""),
                            doc=doc.path,
                            section=snippet.section,
                            doc_order=self.order,
                            context=snippet.context,
                            after=snippet.after,
                            setup=prepare,
                        )
                    )
                    self.order += 1
                    in_folder = (
                        f"cd {shlex.quote(candidate.cwd)} && {candidate.command}"
                        if candidate.cwd
                        else candidate.command
                    )
                    steps.append((in_folder, _prepares(parsed, first, part)))

    def _native(self, command: str, folder: str) -> str:
        """A command the docs write for Windows, as it runs here. `darknet.exe detector map ...` ->
        `./darknet detector map ...` in a repo that builds its program (a Makefile or
        CMakeLists.txt at the root): the binary the build makes on Linux. A path written with
        backslashes (`build\\darknet\\x64\\voc_label.py`) gets slashes in such a command, and in
        any other where the file it names is there."""
        exe = _WINDOWS_EXE.match(command) if self.builds else None
        if exe:
            command = f"./{exe.group(1)}{command[exe.end() :]}"

        def posix(match: re.Match) -> str:
            path = match.group(0).replace("\\", "/")
            there = any((self.root / base / path).exists() for base in (folder, ""))
            return path if exe or there else match.group(0)

        return _WINDOWS_PATH.sub(posix, command) if "\\" in command else command

    def _resolve(self, command: str, parsed: Parsed, doc: Doc, cd: str | None) -> Candidate | None:
        """The command in the folder where its files exist: `cd` first, then the doc's folder, then
        the root; failing those, the one file of that name elsewhere in the repo."""
        options: list[tuple[str, str]] = []
        if cd is not None:
            options += [(join(doc.folder, cd), "cd"), (join("", cd), "cd")]
        options += [(doc.folder, "doc folder" if doc.folder else "as written"), ("", "root")]
        options = list(dict.fromkeys(options))
        target = parsed.script
        if parsed.module:
            target = None
        elif parsed.program == "make":
            target = "Makefile"
        command = _canonical(command, parsed)
        chosen: tuple[str, str] | None = None
        script: str | None = None
        for cwd, how in options:
            if not (self.root / cwd).is_dir():
                continue
            if parsed.module:
                script = _module_file(self.root, parsed.module, cwd)
            elif target == "Makefile":
                script = next(
                    (join(cwd, n) for n in ("Makefile", "makefile", "GNUmakefile") if (self.root / cwd / n).is_file()),
                    None,
                )
            elif target:
                script = join(cwd, target) if (self.root / cwd / target).is_file() else None
                if (
                    script is None
                    and parsed.program == "python"
                    and (self.root / cwd / target / "__main__.py").is_file()
                ):
                    script = join(join(cwd, target), "__main__.py")  # `python .` runs the folder's __main__.py
            else:
                chosen = self._where_paths_exist(parsed.args, options) or (cwd, how)
                break
            if script:
                chosen = (cwd, how)
                break
        if chosen is None and target and "$" not in target and target != "Makefile":
            matches = [p for p in self.files.ending(target.lstrip("/")) if p.count("/") >= target.count("/")]
            if len(matches) == 1:  # the one file of that name; several would be a guess
                script = matches[0]
                cwd = script[: len(script) - len(target.lstrip("/"))].rstrip("/")
                chosen = (cwd, "found")
        if (
            chosen is None
            and parsed.module
            and parsed.module.split(".")[0]
            in ("torch", "tensorflow", "pytest", "unittest", "jupyter", "nbconvert", "spacy", "nltk")
        ):
            chosen = (options[0][0] if (self.root / options[0][0]).is_dir() else "", "as written")
        exists = chosen is not None and (
            script is not None or (not target and not parsed.module) or parsed.program in self.programs
        )
        if chosen is None:
            chosen = next(((c, h) for c, h in options if (self.root / c).is_dir()), ("", "root"))
            script = join(chosen[0], target) if target else None
        cwd, how = chosen
        if parsed.program in self.programs and not parsed.script:
            script = self._console_file(parsed.program)
        info = self.scripts.info(script if exists else None)
        return Candidate(
            command=command,
            cwd=cwd,
            origin="",
            source="",
            script=script,
            script_exists=bool(exists),
            placeholders=_placeholders(command),
            required_missing=_missing(info, parsed.args) if exists else (),
            launches=info.launches,
            language=_language(parsed, script),
            program=parsed.program,
            module=parsed.module,
            args=parsed.args,
            resolved=how,
            traits=_run_traits(info.traits, parsed.program in self.programs and not parsed.script),
        )

    def _where_paths_exist(self, args: tuple[str, ...], options: list[tuple[str, str]]) -> tuple[str, str] | None:
        """For a command with no script (a console script, `./binary`): the first folder in which
        the most of the paths among its arguments exist (`config=projects/m4c/defaults.yaml`,
        `--cfg cfg/yolo.cfg`), None when no path exists from any."""
        paths = [a.split("=", 1)[-1] for a in args[:30] if "/" in a and "$" not in a and "<" not in a]
        paths = [p for p in paths if p and not p.startswith(("/", "~", "http"))][:10]
        found = [(sum((self.root / cwd / p).exists() for p in paths), -i) for i, (cwd, _) in enumerate(options)]
        best = max(found, default=(0, 0))
        return options[-best[1]] if best[0] else None

    def _console_file(self, name: str) -> str | None:
        target = self.entry_points.get(name, "")
        return _module_file(self.root, target.split(":")[0]) or _module_file(self.root, target.split(":")[0], "src")

    def add(
        self, command: str, cwd: str, origin: str, source: str, script: str | None, language: str = "python"
    ) -> None:
        parsed = parse_command(command, self.programs)
        info = self.scripts.info(script)
        self.found.append(
            Candidate(
                command=command,
                cwd=cwd,
                origin=origin,
                source=source,
                script=script,
                script_exists=bool(script) and (self.root / script).is_file(),
                placeholders=(),
                required_missing=_missing(info, parsed.args),
                launches=info.launches,
                language=language,
                program=parsed.program,
                module=parsed.module,
                args=parsed.args,
                resolved="as written",
                traits=_run_traits(info.traits, origin == "console-script"),
            )
        )


def _language(parsed: Parsed, script: str | None) -> str:
    if parsed.program == "python":
        return "python"
    if parsed.program in _SCRIPT_RUNNERS:
        ext = Path(script or "").suffix.lower()
        return _EXTENSIONS.get(ext, _SCRIPT_RUNNERS[parsed.program])
    if parsed.program == "make":
        return "make"
    return "python" if parsed.program else "other"


def _script_folder(rel: str) -> str:
    """The folder to run a found script from: the root for scripts/, tools/ and the like (they are
    written to run from the root), else the script's own folder."""
    parent = str(Path(rel).parent)
    if parent == "." or parent.split("/")[0] in (
        "scripts", "script", "tools", "bin", "utils", "experiments", "exps", "tests", "test"
    ):  # fmt: skip
        return ""
    return parent


def _code_candidates(
    reader: _Reader, repo_dir: Path, files: Files, scripts_map: dict[str, str], named: frozenset[str] = frozenset()
) -> None:
    """Candidates from the code itself, in a fixed order: console scripts, `python -m` packages,
    shell scripts, Makefile targets, entry-point scripts, flat top-level scripts (a flat script in a
    folder only where the repo has few scripts, or the docs name it: `named`, repo-relative paths)."""
    for name, target in scripts_map.items():
        if not _PROGRAM_NAME.fullmatch(name):
            continue  # a console script named `x; rm -rf ~` is no command scout writes
        module = target.split(":")[0]
        script = _module_file(repo_dir, module) or _module_file(repo_dir, module, "src")
        reader.add(name, "", "console-script", f"console script {name} ({target})", script)
    shallow = [p for p in files.paths if p.count("/") <= 3 and not has_control(p)]
    if "__main__.py" in shallow:
        reader.add("python .", "", "python-module", "the repo's __main__.py", "__main__.py")
    for rel in shallow:
        if rel.endswith("/__main__.py") and "test" not in rel.split("/")[0]:
            package = str(Path(rel).parent)
            cwd = "src" if package.startswith("src/") else ""
            module = package.removeprefix("src/").replace("/", ".")
            if not re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", module):
                continue  # not importable as a module
            reader.add(f"python -m {module}", cwd, "python-module", f"package {module} (__main__.py)", rel)
    for rel in [p for p in shallow if p.endswith((".sh", ".bash")) and p.count("/") <= 2][:60]:
        reader.add(f"bash {shell_path(rel)}", "", "shell-script", f"script {rel}", rel, "shell")
    for rel in [
        p for p in shallow if p.rsplit("/", 1)[-1].lower() in ("makefile", "gnumakefile") and p.count("/") <= 1
    ]:
        text = read_text(repo_dir / rel, _MAX_SCRIPT_BYTES)
        cwd = str(Path(rel).parent).replace(".", "") if "/" in rel else ""
        targets = [t for t in re.findall(r"^([A-Za-z0-9][\w.-]*)\s*:(?!=)", text, re.M) if t not in ("PHONY",)]
        for target in list(dict.fromkeys(targets))[:20]:
            reader.add(f"make {target}", cwd, "makefile", f"{rel} target {target}", rel, "make")
    for folder in _go_commands(repo_dir, shallow):
        reader.add(
            f"go run {shlex.quote(f'./{folder}'.rstrip('/'))}",
            "",
            "entry-point",
            f"Go command {folder or '.'}",
            None,
            "go",
        )
    scanned = 0
    few_scripts = sum(p.endswith(".py") for p in files.paths) <= 30
    for rel in shallow:
        if not rel.lower().endswith((".py", ".m", ".lua", ".jl", ".r")):
            continue  # a data file: most of a 50k-file checkout
        name = Path(rel).name
        suffix = Path(rel).suffix.lower()
        if rel.count("/") > 2 or name in ("setup.py", "conftest.py", "__init__.py", "__main__.py", "hubconf.py"):
            continue
        if suffix == ".py":
            folders = rel.split("/")[:-1]
            if any(part in ("docs", "doc") for part in folders) or name.startswith("_"):
                continue
            under_tests = any(TESTS_FOLDER.match(part) for part in folders)
            if under_tests and _TEST_NAME.match(name):
                continue
            scanned += 1
            if scanned > _MAX_SCRIPTS_SCANNED:
                break
            info = reader.scripts.info(rel)
            if under_tests and (not info.entry or _TEST_CODE.search(read_text(repo_dir / rel, _MAX_SCRIPT_BYTES))):
                continue  # a test suite's module; an example script kept with the tests is a candidate
            cwd = _script_folder(rel)
            shown = rel[len(cwd) + 1 :] if cwd else rel
            if info.entry or "reads_args" in info.traits:
                reader.add(f"python {shell_path(shown)}", cwd, "entry-point", f"script {rel}", rel)
                for switch in info.modes[:3]:
                    mode = shlex.join(switch.split(" "))
                    reader.add(
                        f"python {shell_path(shown)} {mode}", cwd, "entry-point", f"script {rel} with {mode}", rel
                    )
            elif ("/" not in rel or (few_scripts and rel.count("/") == 1) or rel in named) and _TOP_LEVEL_RUN.search(
                read_text(repo_dir / rel, _MAX_SCRIPT_BYTES)
            ):
                reader.add(f"python {shell_path(shown)}", cwd, "conventional", f"flat script {rel}", rel)
        elif suffix == ".m" and rel.count("/") <= 1 and _MATLAB_SCRIPT.match(read_text(repo_dir / rel, 20_000)):
            cwd = str(Path(rel).parent).replace(".", "") if "/" in rel else ""
            stem = Path(rel).stem
            if not re.fullmatch(r"[A-Za-z]\w*", stem):
                continue  # MATLAB runs only a valid identifier
            reader.add(f"matlab -batch {stem}", cwd, "conventional", f"MATLAB script {rel}", rel, "matlab")
        elif suffix in (".lua", ".jl", ".r") and "/" not in rel:
            language = _EXTENSIONS[suffix]
            runner = _RUNNER_OF[language]
            reader.add(f"{runner} {shell_path(rel)}", "", "conventional", f"top-level script {rel}", rel, language)


def _go_commands(repo_dir: Path, paths: list[str]) -> list[str]:
    """The folders of a Go module that build a program (`cmd/citar-evaluate/main.go`: `package
    main` with a `func main`), run as `go run ./FOLDER`."""
    if not (repo_dir / "go.mod").is_file():
        return []
    folders: list[str] = []
    for rel in paths:
        folder = str(Path(rel).parent) if "/" in rel else ""
        if not rel.endswith(".go") or rel.endswith("_test.go") or folder in folders or len(folders) >= 20:
            continue
        text = read_text(repo_dir / rel, _MAX_SCRIPT_BYTES)
        if re.search(r"^package main\b", text, re.M) and re.search(r"^func main\(\)", text, re.M):
            folders.append(folder)
    return folders


def _shape(repo_dir: Path, candidates: list[Candidate]) -> str:
    documented = [c for c in candidates if c.origin.startswith("doc") and c.script_exists]
    if len({c.cwd.split("/")[0] for c in documented if c.cwd}) >= 3 and all(c.cwd for c in documented):
        return "monorepo"
    packaged = any((repo_dir / n).is_file() for n in ("setup.py", "setup.cfg", "pyproject.toml"))
    try:
        has_package = any(
            (p / "__init__.py").is_file() for p in repo_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
        )
    except OSError:
        has_package = False
    if packaged and has_package and not documented:
        return "library"
    return "repo"


def _dedupe(found: list[Candidate]) -> list[Candidate]:
    """One candidate per command and folder (the first found), counting how often the docs give it."""
    best: dict[tuple[str, str], Candidate] = {}
    for candidate in found:
        key = (candidate.command, candidate.cwd)
        if candidate.cwd and not candidate.command.startswith(("make", "cd ")):
            parsed = parse_command(candidate.command)
            if parsed.script and candidate.script:
                key = (candidate.command.replace(parsed.script, candidate.script, 1), "")
        if key in best:
            if candidate.origin.startswith("doc") and best[key].origin.startswith("doc"):
                best[key] = replace(best[key], mentions=best[key].mentions + 1)
            continue
        best[key] = candidate
    return list(best.values())


def _with_mention(candidate: Candidate, docs: list[Doc]) -> Candidate:
    """A candidate from the code, with where the docs first name its script (`use
    benchmark_kitti.py to run a full benchmark`, "please run the Main.m")."""
    if candidate.origin.startswith("doc") or not candidate.script:
        return candidate
    for doc in docs:
        for mention in doc.mentions:
            name = join(doc.folder, mention.text) if "/" in mention.text else mention.text
            if candidate.script == name or candidate.script.endswith("/" + name) or candidate.script == mention.text:
                return replace(candidate, named=(*mention.section[-2:], mention.context[-200:]))
    return candidate


def _with_use(candidate: Candidate, scripts: Scripts) -> Candidate:
    """A candidate from the code, with how the repo's other scripts use its script: `imported` (a
    module another script imports: utils.py, config.py) and `launched` (a shell script or Makefile
    runs it, with the arguments the bare script lacks: runtest.sh's `python3 runtest.py -type ind`)."""
    if candidate.origin.startswith("doc") or candidate.origin in ("shell-script", "makefile") or not candidate.script:
        return candidate
    uses = (("imported", scripts.imported), ("launched", scripts.launched))
    used = tuple(trait for trait, files in uses if candidate.script in files)
    return replace(candidate, traits=candidate.traits + used) if used else candidate


def _named_paths(docs: list[Doc]) -> frozenset[str]:
    """The repo-relative paths of the scripts the docs name by a path (`scripts/train_adda.py`), from
    the doc's folder or the repo root."""
    return frozenset(
        join(base, mention.text)
        for doc in docs
        for mention in doc.mentions
        if "/" in mention.text
        for base in {doc.folder, ""}
    )


def find_candidates(repo_dir: Path) -> Discovery:
    """Every candidate of a checkout, documented ones first in reading order. Bounded; never raises
    on odd input (an empty, binary or huge README, no docs, 50k files)."""
    repo_dir = repo_dir.resolve()
    files = Files.of(repo_dir)
    scripts_map = console_scripts(repo_dir)
    programs = tuple(scripts_map)
    builds = any((repo_dir / name).is_file() for name in ("Makefile", "makefile", "GNUmakefile", "CMakeLists.txt"))
    reader = _Reader(repo_dir, files, Scripts(repo_dir, programs, files), programs, scripts_map, builds=builds)
    docs = find_docs(repo_dir)
    for doc in docs:
        reader.doc_candidates(doc)
    _code_candidates(reader, repo_dir, files, scripts_map, _named_paths(docs))
    for name in notebooks_named(docs, repo_dir)[:10]:
        reader.add(
            f"jupyter nbconvert --to notebook --execute --output-dir $SCOUT_RUN_DIR {shell_path(name)}",
            "",
            "notebook",
            f"notebook {name} named in the docs",
            name,
            "notebook",
        )
    found = [_with_use(_with_mention(c, docs), reader.scripts) for c in _dedupe(reader.found)[:_MAX_CANDIDATES]]
    return Discovery(
        repo_dir,
        tuple(found),
        tuple(docs),
        "\n".join(doc.text for doc in docs),
        _shape(repo_dir, found),
        programs,
        len(files.paths),
    )
