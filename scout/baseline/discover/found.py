"""The words and the command line that `needs.py` reads: the vocabulary that says what a flag or
a path is about (data, weights, output), placeholders of every shape, and the paths a command (or
a line of a shell script it runs) passes that are not in the checkout. `Found` collects needs,
one per subject, for the readers here, in `runs.py` and in `needs.py`."""

from __future__ import annotations

import os
import re
import shlex
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from scout.baseline.discover.links import checkpoint_advice, download_advice, introduced_as
from scout.baseline.discover.writers import template

PLACEHOLDER = re.compile(
    # `[x]` only as a whole value (`-data [imagenet-folder]`, `--x=[...]`): `a[idx]` in `python -c` is code.
    # `[optional -bidi]`, `[--flag]`: usage syntax for an optional argument, not a value to fill.
    r"(?P<ph>(?<![\w])/?(?:[a-z]+_)?path/to/[\w./\-]*|<[A-Za-z][^<>\n]{0,80}>"
    r"|(?:(?<=\s)|(?<==)|^)\[(?=[A-Za-z.…])(?!optional)(?![^\]]*\s-)[^\[\],'\"=\n]{2,80}\](?!\S)"
    r"|\b(?:path[_-]to|PATH[_-]TO|YOUR|your|Your)[_-][\w\-]+(?:\.[\w\-]+)*|(?<![\w.])(?:\.\.\.|…)(?![\w.])"
    # SPECIFY_AN_EXPERIMENT_DIRECTORY_HERE, THE_DOWNLOADED_MODEL_WEIGHT_FILE: a value spelled as its description
    r"|(?<![\w$])(?=[A-Z_]*(?:SPECIFY|HERE|DOWNLOADED|INSERT|FILL|CHANGE_ME|YOUR))[A-Z]+(?:_[A-Z]+){2,}\b"
    r"|\$\{?(?P<var>[A-Za-z_][A-Za-z0-9_]*)\}?)"
)
DATA_WORDS = re.compile(r"data|dataset|coco|imagenet|root|images?|corpus|glue|squad|input|train|val|test", re.I)
CKPT_WORDS = re.compile(
    r"resume|weights?|ckpt|checkpoint|pretrained|model[_-]?(?:path|file|dir)|load|init[_-]?from|restore|snapshot",
    re.I,
)
# Flags a run writes to (TensorFlow's train_dir/job_dir are where training writes its checkpoints).
OUTPUT_WORDS = re.compile(
    r"out|save|log|result|dump|export|write|dest|tensorboard|summar|cache|tmp|pred|train_dir|work_dir|job_dir|exp_dir",
    re.I,
)
CREDENTIAL_VAR = re.compile(r"TOKEN|API[_-]?KEY|SECRET|PASSWORD|ACCESS[_-]?KEY|AUTH", re.I)
_CONFIG_FLAG = re.compile(r"conf|cfg|setting|param|yaml|json|vocab|dict", re.I)
# A file name that is trained weights whatever flag passes it (.pkl and .npz are as often data).
# (Darknet's .weights, a frozen TensorFlow graph, an ONNX or TFLite export are trained models too.)
WEIGHT_FILE = re.compile(
    r"\.(?:pth|pt|ckpt|t7|h5|hdf5|params|caffemodel|safetensors|weights|pb|onnx|tflite)(?:\.tar)?$|\.ckpt-\d+$"
)
# A file whose folder or name says it is trained weights, whatever its suffix:
# `checkpoints/c2_model_iter400000.pkl`, `snapshots/best_model.npz`.
WEIGHT_PATH = re.compile(
    r"(?:(?:^|/)(?:checkpoints?|ckpts?|snapshots?)/(?:[^/]+/)*[^/]+|"
    r"(?:^|/)[^/]*(?:model_iter|_iter_?\d+|checkpoint|ckpt|snapshot|best_model|model_best)[^/]*)"
    # settings, logs and lists kept beside the weights are not them
    r"\.(?!(?:json|ya?ml|txt|csv|log|cfg|ini|py|sh|md)$)\w{1,12}$",
    re.I,
)
# Shell variables a command may use that the run sets itself.
OWN_VARS = frozenset({"SCOUT_RUN_DIR", "SCOUT_SEED", "PWD", "HOME", "PATH", "USER"})
# Variables a launcher, the shell or CUDA sets: reading them is not a need.
AMBIENT = re.compile(
    r"^(?:HOME|PATH|USER|PWD|SHELL|LANG|TERM|TMPDIR|PYTHONPATH|LD_LIBRARY_PATH|CUDA_\w+|NVIDIA_\w+|"
    r"(?:LOCAL_|NODE_|GROUP_)?RANK|(?:LOCAL_)?WORLD_SIZE|MASTER_(?:ADDR|PORT)|SLURM_\w+|OMP_\w+|"
    r"DISPLAY|HOSTNAME|LINES|COLUMNS|CONDA_\w+|VIRTUAL_ENV|SCOUT_\w+|BASH_SOURCE|BASH_\w+|FUNCNAME|LINENO|RANDOM|"
    r"SECONDS|PPID|UID|EUID|OLDPWD|IFS|\d+|@|\*|#|\?)$"
)


def shell_words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def _flag_before(command: str, start: int) -> str | None:
    """The flag a value at `start` belongs to: `--data-path /path/to/x`, `--data_path=/path/to/x`,
    a Hydra override `checkpoint.resume_file=<x>` or a yacs pair `--opts MODEL.WEIGHTS <x>`."""
    head = command[:start]
    match = (
        re.search(r"(--?[A-Za-z][\w\-.]*)(?:=|\s+)[^\s]*$", head)
        or re.search(r"([\w.]+)=[^\s]*$", head)
        or re.search(r"(?:^|\s)([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+)\s+[^\s]*$", head)
    )
    return match.group(1) if match else None


def norm_flag(flag: str) -> str:
    return flag.lstrip("-+").replace("-", "_").lower()


_GENERIC_FOLDER = re.compile(r"^(?:data|datasets?|checkpoints?|models?|weights|outputs?|results?|files|input)$", re.I)


class Found:
    """The needs found so far, one per (kind, subject): what they are about is said once."""

    def __init__(self, fetched: set[str] | None = None) -> None:
        # (kind, subject, detail, key, blocking); the subject is what the need is about (a path, a flag)
        self.items: list[tuple[str, str, str, str | None, bool]] = []
        self.subjects: set[tuple[str, str]] = set()
        self.fetched = fetched or set()  # file names a script of the run downloads itself

    def add(self, kind: str, subject: str, detail: str, *, key: str | None = None, blocking: bool = True) -> None:
        if (kind, subject) in self.subjects:
            return
        self.subjects.add((kind, subject))
        self.items.append((kind, subject, detail, key, blocking))

    def has(self, kind: str, blocking: bool | None = None) -> bool:
        return any(k == kind and (blocking is None or b == blocking) for k, _, _, _, b in self.items)

    def made_by(self, setup: Sequence[str]) -> None:
        """A data or weights path that a step run before the command names (`wget ... -P data`,
        `python tools/download-dataset.py facades datasets`) is made by then: advice, not blocking."""
        for i, (kind, subject, detail, key, blocking) in enumerate(self.items):
            if not blocking or kind not in ("dataset", "checkpoint"):
                continue
            # A folder's own name says which data it is; `data/`, `datasets/` say nothing.
            parts = [
                p
                for p in re.split(r"[/\\]", subject.strip("./"))
                if len(p) >= 4 and not p.startswith(("{", "%", "*")) and not _GENERIC_FOLDER.match(p)
            ]
            makers = [s for s in setup if not re.match(r"\s*(?:pip3?|python3? -m pip|conda|apt(?:-get)?|uv)\b", s)]
            step = next((s for s in makers for part in parts if re.search(rf"\b{re.escape(part)}\b", s)), None)
            if step is not None:
                self.items[i] = (kind, subject, f"{detail} (the setup step `{step[:120]}` should make it)", key, False)

    def written_by(self, writer_of: Callable[[str], str | None]) -> list[str]:
        """A data or weights path that another script of the repo writes (`test.py` saves the
        features `evaluate.py` loads): the detail says to run that script first. Returns the
        scripts, in the order their needs were found."""
        scripts: list[str] = []
        for i, (kind, subject, detail, key, blocking) in enumerate(self.items):
            if kind not in ("dataset", "checkpoint") or not re.search(r"[/.]", subject) or "://" in subject:
                continue
            script = writer_of(subject)
            if script is not None:
                self.items[i] = (kind, subject, f"{detail} ({script} writes it: run that first)", key, blocking)
                scripts += [script] if script not in scripts else []
        return scripts


def weights_key(name: str, kind: str) -> bool:
    """Does a flag or config key name weights the run loads? Outside an evaluation (training, or a
    run scout cannot tell) a folder key (`model_dir`, `checkpoint_dir`, `ckpt_root`) is where the run
    writes them: only the other weight keys (resume, pretrained, init_from, a weights file) count."""
    if CKPT_WORDS.search(name) is None:
        return False
    return kind == "eval" or not re.search(r"(?:dir|folder|root)s?$", name.rstrip("-_"), re.I)


def command_placeholders(
    command: str, environ: Mapping[str, str], docs, needs: Found, *, variables: bool = True
) -> None:
    """Values the command leaves to the user. Each is a `placeholder` (what --set fills) and, when
    its flag says what it stands for, also the dataset or checkpoint it names, with the docs' step.
    `variables=False`: an unset `$VAR` is no placeholder (a shell script's line, whose variables the
    script or its caller sets)."""
    for match in PLACEHOLDER.finditer(command):
        text, var = match.group("ph"), match.group("var")
        if var and not variables:
            continue
        if var and (var in environ or var in OWN_VARS or re.search(rf"\b{var}=", command)):
            continue
        if var and command[max(0, match.start() - 1) : match.start()] == "(":
            continue
        flag = _flag_before(command, match.start())
        key = var or (norm_flag(flag) if flag else text)
        if var and CREDENTIAL_VAR.search(var):
            needs.add("credential", text, f"${var} is not set: export it or pass --set {var}=...", key=var)
            continue
        where = f" (in {flag})" if flag else ""
        unset = f"${var} is unset" if var else f"`{text}`"
        said = _doc_assignment(var, docs) if var else None
        if said is not None and said[1]:
            # tf-faster-rcnn's README: `GPU_ID=0` above `./experiments/scripts/test_faster_rcnn.sh $GPU_ID ...`.
            needs.add(
                "placeholder",
                text,
                f"{unset}{where}; {said[0]} sets {var}={said[1]}: export that or pass --set {key}=VALUE",
                key=key,
                blocking=False,
            )
        elif said is not None:
            # multigrain's README: `IMAGENET_PATH=  # the path that contains the /val and /train image directories`.
            needs.add(
                "env",
                text,
                f"{unset}{where}; {said[0]} has you set it (`{var}=`, left empty): export {var}=... "
                f"or pass --set {key}=VALUE",
                key=key,
            )
        else:
            needs.add("placeholder", text, f"{unset}{where}: pass --set {key}=VALUE", key=key)
        if (flag and CKPT_WORDS.search(flag)) or (not var and CKPT_WORDS.search(text)):
            needs.add("checkpoint", text, f"{flag} wants trained weights: {checkpoint_advice(text, docs)}", key=key)
        elif (flag and DATA_WORDS.search(flag)) or DATA_WORDS.search(text):
            needs.add("dataset", text, f"{flag or text} wants data: {download_advice(text, docs)}", key=key)
        elif not var and introduced_as(text, docs) == "checkpoint":
            needs.add(
                "checkpoint",
                text,
                f"{flag or text} wants the trained model the docs say to download first: "
                f"{checkpoint_advice(text, docs)}",
                key=key,
            )


def _doc_assignment(var: str, docs) -> tuple[str, str] | None:
    """(doc, value) where a doc's shell lines set `var` (`export VAR=x`, `VAR=  # comment`), or None."""
    line = re.compile(rf"^[ \t>$]*(?:export[ \t]+)?{re.escape(var)}=(?P<value>[^\s#;&|`]*)", re.M)
    for path, text in docs:
        match = line.search(text)
        if match:
            return path, match.group("value").strip("'\"")
    return None


# A value written as what it names: `--model modelname.pt`, `--data my_data/`, `'test_file_name'`.
SPELLED_NAME = re.compile(r"(?:[\w.-]*/)?(?:[a-z]+[_-]?name|my[_-]\w+|[a-z]+_file_?name)(?:\.[a-z]\w{0,11})?/?", re.I)


# A positional word spelled as its description needs a separator: `ckpt_name`, `my-data`, not `rename`.
_SPELLED_WORD = re.compile(r"[a-z]+[_-](?:file_?)?name(?:\.[a-z]\w{0,11})?|my[_-]\w+", re.I)


def spelled_values(command: str, needs: Found, docs: Sequence[tuple[str, str]] = ()) -> None:
    """Flag values written as the name of what to put there: `--id MODEL_ID`, `--num_gpus NUM_GPUS`,
    argparse's own metavar (`--resume RESUME`, pasted from `--help`), `--tag=XXX`, `{dataset}`."""
    for name, value in flag_pairs(shell_words(command)):
        if not name.startswith("-"):
            continue
        key = norm_flag(name)
        if (
            re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", value)
            or (len(key) >= 3 and value == key.upper())
            or re.fullmatch(r"x{3,}|X{3,}|\{[A-Za-z_][\w-]*\}", value)
            # `--test NAMEOFSAVEDNET.pynet`: a file named in capitals, as its description
            or re.fullmatch(
                r"(?:[\w.-]*/)?(?!(?:README|LICENSE|CHANGELOG|CHANGES|AUTHORS|NOTICE|CONTRIBUTING|INSTALL|VERSION)\.)"
                r"[A-Z]{6,}\.[a-z]\w{0,11}",
                value,
            )
            or SPELLED_NAME.fullmatch(value)
        ):
            needs.add("placeholder", value, f"`{value}` (in {name}): pass --set {key}=VALUE", key=key)
            if CKPT_WORDS.search(key):
                needs.add("checkpoint", value, f"{name} wants trained weights: {checkpoint_advice(value, docs)}")
            elif DATA_WORDS.search(key) and re.search(r"dir|path|root|file|folder|data", key):
                needs.add("dataset", value, f"{name} wants data: {download_advice(value, docs)}")
    # `test.py outputs/checkpoints/ckpt_name dataset/`: a word the command passes by position, spelled
    # as what to put there (the last part `<what>_name`, `my_<what>`); under a weights folder, the weights.
    for value in positional_args(shell_words(command)[1:]):
        if _SPELLED_WORD.fullmatch(value.rstrip("/").rpartition("/")[2]) and not re.search(r"[=$<>\[\]]", value):
            needs.add("placeholder", value, f"`{value}` (by position): pass --set {value}=VALUE", key=value)
            if CKPT_WORDS.search(value):
                needs.add("checkpoint", value, f"{value} wants trained weights: {checkpoint_advice(value, docs)}")


def flag_pairs(tokens: Sequence[str]) -> list[tuple[str, str]]:
    """(name, value) of each flag, Hydra override (`a.b=c`) and yacs pair (`MODEL.WEIGHTS x`)."""
    pairs = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token.startswith("-") and not re.match(r"^-\d", token):
            name, eq, value = token.partition("=")
            if not eq:
                # `--gpu -1` is a value, a negative number; `--cpu --eval` two switches.
                value = following if following and not re.match(r"^-(?!\d)", following) else ""
            pairs.append((name, value))
        elif re.match(r"^\+{0,2}[A-Za-z_][\w.]*=", token):
            name, _, value = token.partition("=")
            pairs.append((name.lstrip("+"), value))
        elif re.fullmatch(r"[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+", token) and following:
            pairs.append((token, following))
    return pairs


def positional_args(args: Sequence[str]) -> list[str]:
    """The arguments that no flag takes (`train.py 20ng --epochs 5` -> 20ng)."""
    taken = {i + 1 for i, a in enumerate(args) if a.startswith("-") and "=" not in a}
    return [a for i, a in enumerate(args) if not a.startswith("-") and i not in taken]


# Folders a run or its docs make locally: `temp/facades_train` is a training output, not a Hub id.
_LOCAL_FOLDER = re.compile(
    r"^(?:\.|output|outputs|out|checkpoints?|ckpts?|runs?|logs?|exp\w*|results?|saved\w*|models?|weights|"
    r"pretrained\w*|snapshots?|temp|tmp|work_dirs?|data\w*|cache)$",
    re.I,
)


def hub_id(value: str) -> bool:
    """`facebook/bart-large`, `bert-base-uncased`: a model the library fetches by name (Hugging Face
    Hub, timm), not a file the checkout lacks."""
    match = re.fullmatch(r"(?:([A-Za-z0-9][\w.-]*)/)?([A-Za-z0-9][\w.-]*-[\w.-]+|[A-Za-z0-9][\w.-]*)", value)
    if not match or WEIGHT_FILE.search(value) or re.search(r"\.\w{1,5}$", value):
        return False
    org, name = match.groups()
    return (org is not None and not _LOCAL_FOLDER.match(org)) or (org is None and "-" in name)


def looks_like_path(value: str) -> bool:
    return bool(value) and "://" not in value and ("/" in value or re.search(r"\.\w{1,12}$", value) is not None)


def path_exists(base: Path, value: str) -> bool:
    value = value.strip("'\"").replace("\\", "/")
    path = Path(os.path.expanduser(value))
    try:
        if not path.is_absolute():
            path = base / path
        if any(ch in value for ch in "*?{}%"):
            pattern = template(value)
            return any(Path(base).glob(pattern.lstrip("/"))) if not Path(pattern).is_absolute() else True
        return path.exists() and not _placeholder_folder(path)
    except (OSError, ValueError):
        return True  # unreadable: do not invent a need


# What a repo commits in a folder it leaves for the data or the weights: `data/.keep`,
# `weights/download_yolov3_weights.sh`, `model/README.md` ("put the pretrained model here").
_PLACEHOLDER_FILE = re.compile(r"^(?:readme.*|\.git(?:keep|ignore)|\.keep|\.empty|placeholder.*|.*\.sh)$", re.I)


def _placeholder_folder(path: Path) -> bool:
    """A folder whose only files say what to put there: the data or weights are not in it yet."""
    if not path.is_dir():
        return False
    files = []
    for i, item in enumerate(path.rglob("*")):
        if i >= 50:
            return False
        if item.is_file():
            files.append(item.name)
    return all(_PLACEHOLDER_FILE.match(name) for name in files)


def command_paths(
    command: str,
    base: Path,
    docs: Sequence[tuple[str, str]],
    needs: Found,
    also: Sequence[Path] = (),
    kind: str = "eval",
    restored: frozenset[str] | set[str] = frozenset(),
) -> set[str]:
    """Paths the command passes that are not in the checkout, under `base` or any folder in `also`
    (the scripts' own, which many resolve against): a checkpoint (by its flag, a weights file name
    or path, or a flag in `restored`, which the code hands to a weights loader: `torch.load(args.test)`)
    or data. Returns the flag names the command sets, so defaults they override are not read."""
    tokens = shell_words(re.sub(r"(?<=[\w.])\\(?=[\w.])", "/", command))
    named = set()
    for name, value in flag_pairs(tokens):
        named.add(norm_flag(name))
        # `--pretrained rc_models`: a bare name is a folder when the flag is about weights.
        # In an evaluation, `--model runs/exp1/best` or `--net nets/x.pynet` is the model it loads.
        model_flag = kind == "eval" and re.fullmatch(r"models?|nets?|network", norm_flag(name).split(".")[-1])
        weights_flag = (
            weights_key(name, kind) or norm_flag(name) in restored or bool(model_flag and looks_like_path(value))
        )
        bare = (
            weights_flag
            and re.fullmatch(r"[A-Za-z][\w.-]*/?", value)
            and not re.fullmatch(r"true|false|none|yes|no|latest|last|best|auto|imagenet|scratch|\d.*", value, re.I)
        )
        if not (looks_like_path(value) or bare) or PLACEHOLDER.search(value) or "$" in value:
            continue
        # A yacs key says what it is in its last part: `TEST.PARAMS_FILE`, not `TEST`.
        leaf = norm_flag(name).split(".")[-1]
        weights = (WEIGHT_FILE.search(value) is not None or WEIGHT_PATH.search(value) is not None) and not (
            DATA_WORDS.search(leaf)
        )
        if OUTPUT_WORDS.search(name) and not weights_flag:
            continue
        if CKPT_WORDS.search(name) and not weights_flag:
            continue  # `--checkpoint_dir ckpts/` in training: where the run writes
        if any(path_exists(folder, value) for folder in (base, *also)):
            continue
        if re.search(r"\.(py|sh)$", value) or (_CONFIG_FLAG.search(name) and not weights):
            continue
        # An absolute path is the user's own (often given with --set): said, but trusted to be there.
        mine = not Path(os.path.expanduser(value)).is_absolute()
        if re.search(r"(?:^|_)roms?$", norm_flag(name)):
            # `--rom ../roms/montezuma_revenge.bin`: a game ROM, which the emulator's licence keeps out of pip.
            needs.add(
                "simulator",
                value,
                f"{name} {value}: the game ROM is not here; install the ROMs "
                "(Atari: `AutoROM --accept-license`) and pass its path",
            )
        elif weights_flag and hub_id(value):
            needs.add(
                "checkpoint",
                value,
                f"{name} {value}: a model id the library downloads (network needed)",
                blocking=False,
            )
        elif weights_flag or weights or (not DATA_WORDS.search(leaf) and introduced_as(value, docs) == "checkpoint"):
            needs.add("checkpoint", value, f"{name} {value}: {checkpoint_advice(value, docs)}", blocking=mine)
        elif mine and DATA_WORDS.search(name) and "/" not in value and (elsewhere := _found_below(base, value)):
            # glample/tagger's README `--train train.txt`, the checkout's dataset/train.txt: the
            # data is here, the path in the command is the user's to put right.
            needs.add(
                "placeholder",
                value,
                f"{name} {value}: not at this path; the checkout has {elsewhere}: pass that path "
                f"(--set {norm_flag(name)}=...)",
                key=norm_flag(name),
            )
        elif DATA_WORDS.search(name) or "/" in value:
            advice = download_advice(value, docs) if mine else "it is not on this machine yet"
            needs.add("dataset", value, f"{name} {value}: not in the checkout; {advice}", blocking=mine)
    _positional_paths(tokens, base, docs, needs, also)
    return named


def _found_below(base: Path, name: str, depth: int = 2, limit: int = 200) -> str | None:
    """Where under `base` (its sub-folders, `depth` levels, at most `limit` folders) the checkout
    has a file called `name`, as a path from `base`; None when nowhere or in more than one place."""
    found: list[str] = []
    folders, seen = deque([(base, 0)]), 0
    while folders and seen < limit:
        folder, level = folders.popleft()
        seen += 1
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name in ("node_modules", "__pycache__", "venv", ".venv"):
                continue
            if entry.is_dir(follow_symlinks=False):
                if level < depth:
                    folders.append((Path(entry.path), level + 1))
            elif entry.name == name and level > 0:
                found.append(Path(entry.path).relative_to(base).as_posix())
    return found[0] if len(found) == 1 else None


def _positional_paths(
    tokens: Sequence[str], base: Path, docs: Sequence[tuple[str, str]], needs: Found, also: Sequence[Path]
) -> None:
    """Files the command passes by position that are not there (`darknet detector map data/obj.data
    yolo-obj.cfg backup/yolo-obj_7000.weights`): a weights file is the checkpoint it evaluates, a
    file under a data folder the data. Only files with a suffix: a bare word is a mode or a name."""
    words = positional_args(tokens[1:])
    for value in words:
        if (
            not re.search(r"\.\w{1,12}$", value)
            or re.search(r"[=$*?{}<>\[\]]|://", value)
            or re.search(r"\.(?:py|sh|lua|m|jl|r|exe|ya?ml|json|cfg|txt|md)$", value, re.I)
            or value.startswith(("/", "~"))
            or OUTPUT_WORDS.search(value)
            or any(path_exists(folder, value) for folder in (base, *also))
        ):
            continue
        if WEIGHT_FILE.search(value) or WEIGHT_PATH.search(value):
            needs.add("checkpoint", value, f"the command passes {value}: {checkpoint_advice(value, docs)}")
        elif "/" in value and DATA_WORDS.search(value.split("/")[0]):
            needs.add(
                "dataset", value, f"the command passes {value}, which is not there; {download_advice(value, docs)}"
            )
