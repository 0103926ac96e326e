"""What a command still needs before it can run on this machine, read from what actually runs: the
command line, the scripts and modules it starts (`traced.follow`: shell -> Python -> one import
level, Lua requires, config files passed as arguments) and the docs.

Kinds (the labels of bench/corpus/LABELING.md): `placeholder` (a value the command leaves to the
user: `/path/to/coco`, `<PATH>`, `[imagenet-folder]`, `...`, `YOUR_KEY`, an unset `$VAR`, a
`sys.argv[1]` or `required=True` argument it does not pass), `checkpoint` (trained weights the run
loads: a flag, a Hydra/yacs `KEY=VALUE` override, or a default path that only training produces),
`dataset` (a path the run reads that is not there, with the docs' download step), `gpu` (CUDA with
no CPU path), `env` (`os.environ[...]` with no default), `credential` (a key left as a placeholder
in the source, a token variable, a cloud login), `simulator` (MuJoCo, Atari ROMs, CARLA, ...) and
`system` (Torch7, MATLAB, Java, the Cloud SDK, an unbuilt compiled extension).

A need is `blocking` when the command stops without it (LABELING.md's meaning); otherwise it is
advice (the script downloads it, a flag switches to the CPU). Each detail says what to do next.
`--set KEY=VALUE` fills a placeholder: KEY is the placeholder as written, the flag it follows, or
the variable's name. Reading only; nothing here runs the repo's code."""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scout.baseline.discover.traced import Source, follow, starts
from scout.errors import ConfigError

_PLACEHOLDER = re.compile(
    r"(?P<ph>/path/to/[\w./\-]*|<[A-Za-z][^<>\n]{0,80}>|\[(?=[A-Za-z])[^\[\],'\"=\n]{2,80}\]"
    r"|\b(?:path_to|PATH_TO|YOUR|your|Your)_[\w\-]+|(?<![\w.])(?:\.\.\.|…)(?![\w.])"
    # SPECIFY_AN_EXPERIMENT_DIRECTORY_HERE, THE_DOWNLOADED_MODEL_WEIGHT_FILE: a value spelled as its description
    r"|(?<![\w$])(?=[A-Z_]*(?:SPECIFY|HERE|DOWNLOADED|INSERT|FILL|CHANGE_ME|YOUR))[A-Z]+(?:_[A-Z]+){2,}\b"
    r"|\$\{?(?P<var>[A-Za-z_][A-Za-z0-9_]*)\}?)"
)
_DATA_WORDS = re.compile(r"data|dataset|coco|imagenet|root|images?|corpus|glue|squad|input|train|val|test", re.I)
_CKPT_WORDS = re.compile(
    r"resume|weights?|ckpt|checkpoint|pretrained|model[_-]?(?:path|file|dir)|load|init[_-]?from|restore|snapshot",
    re.I,
)
# Flags a run writes to (TensorFlow's train_dir/job_dir are where training writes its checkpoints).
_OUTPUT_WORDS = re.compile(
    r"out|save|log|result|dump|export|write|dest|tensorboard|summar|cache|tmp|pred|train_dir|work_dir|job_dir|exp_dir",
    re.I,
)
_CREDENTIAL_VAR = re.compile(r"TOKEN|API[_-]?KEY|SECRET|PASSWORD|ACCESS[_-]?KEY|AUTH", re.I)
_CONFIG_FLAG = re.compile(r"conf|cfg|setting|param|yaml|json|vocab|dict", re.I)
_URL = re.compile(r"https?://[^\s)\"'<>\]`]+")
# A file name that is trained weights whatever flag passes it (.pkl and .npz are as often data).
_WEIGHT_FILE = re.compile(r"\.(?:pth|pt|ckpt|t7|h5|hdf5|params|caffemodel|safetensors)(?:\.tar)?$|\.ckpt-\d+$")
_WEIGHT_SUFFIX = re.compile(
    r"\.(?:pth|pt|ckpt|pkl|npz|th|t7|tar|bin|safetensors|h5|hdf5|params|caffemodel|model|zip)\b"
)
# Shell variables a command may use that the run sets itself.
_OWN_VARS = frozenset({"SCOUT_RUN_DIR", "SCOUT_SEED", "PWD", "HOME", "PATH", "USER"})
# Variables a launcher, the shell or CUDA sets: reading them is not a need.
_AMBIENT = re.compile(
    r"^(?:HOME|PATH|USER|PWD|SHELL|LANG|TERM|TMPDIR|PYTHONPATH|LD_LIBRARY_PATH|CUDA_\w+|NVIDIA_\w+|"
    r"(?:LOCAL_|NODE_|GROUP_)?RANK|(?:LOCAL_)?WORLD_SIZE|MASTER_(?:ADDR|PORT)|SLURM_\w+|OMP_\w+|"
    r"DISPLAY|HOSTNAME|LINES|COLUMNS|CONDA_\w+|VIRTUAL_ENV|SCOUT_\w+|\d+|@|\*|#|\?)$"
)


@dataclass(frozen=True)
class Need:
    kind: str  # dataset, checkpoint, gpu, credential, env, simulator, system or placeholder
    detail: str  # what is missing and what to do next
    key: str | None = None  # what `--set KEY=VALUE` fills, for a placeholder
    blocking: bool = False  # True: the command stops without it

    def to_json(self) -> dict:
        return {"kind": self.kind, "detail": self.detail, "key": self.key, "blocking": self.blocking}


def parse_sets(values: list[str] | tuple[str, ...]) -> dict[str, str]:
    sets = {}
    for value in values:
        key, eq, filled = value.partition("=")
        if not eq or not key.strip():
            raise ConfigError(f"--set {value!r} is not KEY=VALUE (e.g. --set data_path=/data/imagenet)")
        sets[key.strip()] = filled
    return sets


def _tokens(command: str) -> list[str]:
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


def _norm(flag: str) -> str:
    return flag.lstrip("-+").replace("-", "_").lower()


def fill(command: str, sets: Mapping[str, str]) -> str:
    """The command with each --set value put in: by placeholder text, flag name or variable name."""
    for key, value in sets.items():
        quoted = shlex.quote(value)
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) and re.search(rf"\$\{{?{key}\b\}}?", command):
            command = re.sub(rf"\$\{{?{key}\b\}}?", lambda _, v=value: v, command)
        elif key in command and not re.fullmatch(r"[\w\-]+", key):
            command = command.replace(key, quoted)
        else:
            spelled = "[_-]".join(re.escape(part) for part in re.split(r"[_-]", key.lstrip("-")))
            pattern = re.compile(rf"((?:^|\s)--?{spelled})(=|\s+)(\S+)")
            command, count = pattern.subn(lambda m, q=quoted: f"{m.group(1)}{m.group(2)}{q}", command)
            if not count:
                hydra = re.compile(rf"((?:^|\s)\+?{re.escape(key)}=)(\S+)")
                command, count = hydra.subn(lambda m, q=quoted: f"{m.group(1)}{q}", command)
            if not count:
                raise ConfigError(
                    f"--set {key}=...: the command has no placeholder, flag or variable {key!r}; "
                    "use the placeholder as written, its flag, or its variable name"
                )
    return command


class _Needs:
    """The needs found so far, one per (kind, subject)."""

    def __init__(self, fetched: set[str] | None = None) -> None:
        self.items: list[Need] = []
        self.subjects: set[tuple[str, str]] = set()
        self.fetched = fetched or set()  # file names a script of the run downloads itself

    def add(self, kind: str, subject: str, detail: str, *, key: str | None = None, blocking: bool = True) -> None:
        if (kind, subject) in self.subjects:
            return
        self.subjects.add((kind, subject))
        self.items.append(Need(kind, detail, key, blocking))

    def has(self, kind: str, blocking: bool | None = None) -> bool:
        return any(n.kind == kind and (blocking is None or n.blocking == blocking) for n in self.items)


# ---------------------------------------------------------------- the command line


def _command_placeholders(command: str, environ: Mapping[str, str], docs, needs: _Needs) -> None:
    """Values the command leaves to the user. Each is a `placeholder` (what --set fills) and, when
    its flag says what it stands for, also the dataset or checkpoint it names, with the docs' step."""
    for match in _PLACEHOLDER.finditer(command):
        text, var = match.group("ph"), match.group("var")
        if var and (var in environ or var in _OWN_VARS or re.search(rf"\b{var}=", command)):
            continue
        if var and command[max(0, match.start() - 1) : match.start()] == "(":
            continue
        flag = _flag_before(command, match.start())
        key = var or (_norm(flag) if flag else text)
        if var and _CREDENTIAL_VAR.search(var):
            needs.add("credential", text, f"${var} is not set: export it or pass --set {var}=...", key=var)
            continue
        where = f" (in {flag})" if flag else ""
        unset = f"${var} is unset" if var else f"`{text}`"
        needs.add("placeholder", text, f"{unset}{where}: pass --set {key}=VALUE", key=key)
        if flag and _CKPT_WORDS.search(flag):
            needs.add("checkpoint", text, f"{flag} wants trained weights: {_checkpoint_advice(text, docs)}", key=key)
        elif (flag and _DATA_WORDS.search(flag)) or _DATA_WORDS.search(text):
            needs.add("dataset", text, f"{flag or text} wants data: {_download_advice(text, docs)}", key=key)


def _pairs(tokens: Sequence[str]) -> list[tuple[str, str]]:
    """(name, value) of each flag, Hydra override (`a.b=c`) and yacs pair (`MODEL.WEIGHTS x`)."""
    pairs = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token.startswith("-") and not re.match(r"^-\d", token):
            name, eq, value = token.partition("=")
            if not eq:
                value = following if following and not following.startswith("-") else ""
            pairs.append((name, value))
        elif re.match(r"^\+{0,2}[A-Za-z_][\w.]*=", token):
            name, _, value = token.partition("=")
            pairs.append((name.lstrip("+"), value))
        elif re.fullmatch(r"[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+", token) and following:
            pairs.append((token, following))
    return pairs


def _positional(args: Sequence[str]) -> list[str]:
    """The arguments that no flag takes (`train.py 20ng --epochs 5` -> 20ng)."""
    taken = {i + 1 for i, a in enumerate(args) if a.startswith("-") and "=" not in a}
    return [a for i, a in enumerate(args) if not a.startswith("-") and i not in taken]


def _looks_like_path(value: str) -> bool:
    return bool(value) and "://" not in value and ("/" in value or re.search(r"\.\w{1,12}$", value) is not None)


def _exists(base: Path, value: str) -> bool:
    value = value.strip("'\"").replace("\\", "/")
    path = Path(value).expanduser()
    try:
        if not path.is_absolute():
            path = base / path
        if any(ch in value for ch in "*?{}%"):
            pattern = re.sub(r"\{[^{}]*\}|%[sd]", "*", value)
            return any(Path(base).glob(pattern.lstrip("/"))) if not Path(pattern).is_absolute() else True
        return path.exists()
    except (OSError, ValueError):
        return True  # unreadable: do not invent a need


def _command_paths(command: str, base: Path, docs: Sequence[tuple[str, str]], needs: _Needs) -> set[str]:
    """Paths the command passes that are not in the checkout: a checkpoint (by its flag or a weights
    file name) or data. Returns the flag names the command sets, so defaults they override are not
    read."""
    tokens = _tokens(re.sub(r"(?<=[\w.])\\(?=[\w.])", "/", command))
    named = set()
    for name, value in _pairs(tokens):
        named.add(_norm(name))
        # `--pretrained rc_models`: a bare name is a folder when the flag is about weights.
        bare = (
            _CKPT_WORDS.search(name)
            and re.fullmatch(r"[A-Za-z][\w.-]*/?", value)
            and not re.fullmatch(r"true|false|none|\d.*", value, re.I)
        )
        if not (_looks_like_path(value) or bare) or _PLACEHOLDER.search(value) or "$" in value:
            continue
        weights = _WEIGHT_FILE.search(value) is not None and not _DATA_WORDS.search(_norm(name))
        if _OUTPUT_WORDS.search(name) and not _CKPT_WORDS.search(name):
            continue
        if _exists(base, value) or re.search(r"\.(py|sh)$", value) or _CONFIG_FLAG.search(name):
            continue
        # An absolute path is the user's own (often given with --set): said, but trusted to be there.
        mine = not Path(value).expanduser().is_absolute()
        if _CKPT_WORDS.search(name) or weights:
            needs.add("checkpoint", value, f"{name} {value}: {_checkpoint_advice(value, docs)}", blocking=mine)
        elif _DATA_WORDS.search(name) or "/" in value:
            advice = _download_advice(value, docs) if mine else "it is not on this machine yet"
            needs.add("dataset", value, f"{name} {value}: not in the checkout; {advice}", blocking=mine)
    return named


# ---------------------------------------------------------------- the docs: links in context

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
    ("dataset", re.compile(r"\bdata(?:set)?s?\b|annotations?|corpus|images|\bsplits?\b|features|benchmark", re.I)),
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
_ARCHITECTURE_FILE = re.compile(
    r"(?:vgg|resnet|resnext|inception|mobilenet|densenet|efficientnet|xception|alexnet|googlenet|squeezenet)"
    r"[\w.-]*?(?:_\d{4}_\d{2}_\d{2}|-[0-9a-f]{6,})?\.(?:tar\.gz|tgz|tar|pth|pt|h5|ckpt|caffemodel|npy|zip|params)"
)


def link_kind(url: str, context: str) -> str:
    """What a linked file is, from the URL and the doc lines around it: `model` (a released or
    trained model to evaluate), `backbone` (an initialisation), `embeddings`, `dataset` or `other`.
    A `.tar`/`.pkl`/`.pth` ending alone decides nothing: the words around the link do."""
    name = url.rsplit("/", 1)[-1].lower()
    if re.search(r"glove|word2vec|fasttext|googlenews|vectors", name):
        return "embeddings"
    if _BACKBONE_URL.search(url) or _ARCHITECTURE_FILE.fullmatch(name.split("?")[0]):
        return "backbone"
    found = [kind for kind, words in _KIND_WORDS if words.search(context)]
    if "model" in found and not ({"backbone", "embeddings"} & set(found)):
        return "model"
    for kind in ("embeddings", "backbone", "dataset"):
        if kind in found:
            return kind
    return "model" if _WEIGHT_SUFFIX.search(name) and "model" in found else "other"


def _links(docs: Sequence[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(url, doc path, context) for every link in the docs; the context is its line and heading."""
    found = []
    for path, text in docs:
        heading = ""
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if re.match(r"^\s{0,3}#{1,6}\s", line):
                heading = line
            for match in _URL.finditer(line):
                before = lines[i - 1] if i else ""
                found.append((match.group(0).rstrip(".,;"), path, f"{heading}\n{before}\n{line}"))
    return found


def _checkpoint_advice(value: str, docs: Sequence[tuple[str, str]]) -> str:
    """Where the weights at `value` come from: a linked released model of that name, or the
    training command in the docs that writes that folder."""
    name = Path(value.rstrip("/")).name
    for url, path, context in _links(docs):
        # The very file the command names is the weights it loads, unless the doc says it is data.
        if name and name in url and link_kind(url, context) in ("model", "other"):
            return f"not in the checkout; {path} links it: {url}"
    for path, text in docs:
        for line in re.sub(r"\\[ \t]*\r?\n\s*", " ", text).splitlines():  # a command split over lines is one line
            if (
                value.rstrip("/") in line
                and re.search(r"\btrain|--mode[ =]train|run_type=train", line)
                and line.strip() != value
            ):
                if re.search(r"(?:out|save|output|log|checkpoint)[\w-]*[ =]+\S*" + re.escape(value.rstrip("/")), line):
                    return f"only training writes it: run `{re.sub(r'[ ]+', ' ', line.strip().strip('`$ '))}` ({path}) first"
    return "not in the checkout and no doc links it; train it or pass --set with your weights"


def _download_advice(value: str, docs: Sequence[tuple[str, str]]) -> str:
    """The docs' step that fetches `value`: a download command or link whose line names it (a
    command before prose), else the first download step that is about data."""
    words = [
        w for w in re.split(r"[/._\-{}]+", value.lower()) if len(w) > 2 and w not in ("data", "datasets", "dataset")
    ]
    best: tuple[int, str] | None = None
    for path, text in docs:
        for line in text.splitlines():
            if not re.search(r"\bwget\b|\bcurl\b|download|gdown|\bgsutil\b", line, re.I):
                continue
            url = _URL.search(line)
            step = re.sub(r"\s+", " ", line.strip().strip("`$ "))
            if not url and not re.search(r"\.(py|sh)\b", line):
                continue
            command = re.match(r"^(?:wget|curl|gdown|gsutil|python3?|bash|sh|\./)\b", step) is not None
            named = any(word in line.lower() for word in words)
            about_data = (
                named or (url is not None and link_kind(url.group(0), line) == "dataset") or "data" in line.lower()
            )
            score = 2 * named + command
            if about_data and (best is None or score > best[0]):
                best = (score, f"the docs fetch {'it' if named else 'data'} ({path}): {step[:200]}")
    return best[1] if best else "download or make it first (the docs name no download step)"


def _eval_checkpoint_link(
    kind: str, named: set[str], command: str, docs: Sequence[tuple[str, str]], needs: _Needs
) -> None:
    """An evaluation that passes no weights: name the released model the docs link, if one is."""
    if kind != "eval" or any(_CKPT_WORDS.search(name) for name in named) or needs.has("checkpoint"):
        return
    for url, path, context in _links(docs):
        if _WEIGHT_SUFFIX.search(url.rsplit("/", 1)[-1]) and link_kind(url, context) == "model":
            needs.add(
                "checkpoint", url, f"it evaluates but loads no checkpoint; {path} links one: {url}", blocking=False
            )
            return


# ---------------------------------------------------------------- the code that runs

_PY_DEFAULT = re.compile(
    r"""add_argument\(\s*['"](?P<flag>-{1,2}[\w-]+)['"](?P<rest>[^()]*(?:\([^()]*\)[^()]*)*)\)""", re.S
)
_ABSL_DEFAULT = re.compile(
    r"""(?:flags|FLAGS)\.DEFINE_\w+\(\s*['"](?P<flag>[\w-]+)['"]\s*,\s*(?P<default>['"][^'"]*['"]|[^,]+)"""
)
_LUA_OPTION = re.compile(r"""cmd:option\(\s*['"](?P<flag>-[\w-]+)['"]\s*,\s*(?P<default>['"][^'"]*['"]|[^,]+)""")
_READ_CALL = re.compile(
    r"""(?:\bopen|np\.load|numpy\.load|pd\.read_\w+|pandas\.read_\w+|h5py\.File|loadmat|sio\.loadmat|"""
    r"""Image\.open|cv2\.imread|imread|torch\.load|pickle\.load|json\.load|np\.loadtxt|np\.genfromtxt|"""
    r"""tf\.gfile\.(?:Open|GFile)|gfile\.GFile|load_workbook|ImageFolder|listdir|glob\.glob|glob|"""
    # Word2Vec.load, model.load_weights, load_model, load_checkpoint: any loader handed a written-in path
    r"""\b(?:\w+\.)?load(?:_\w+)?)"""
    r"""\(\s*(?P<path>['"][^'"\n]+['"])(?P<tail>(?:\s*\.\s*format\([^)]*\)|\s*%\s*[\w(][^,)]*)?)"""
    r"""(?P<mode>\s*,\s*['"][rwab+tU]*['"])?"""
)
_DOWNLOADS = re.compile(
    r"download\s*=\s*True|\.download\(|maybe_download|urlretrieve|load_dataset\(|tfds\.load|"
    r"nltk\.download|gdown|wget"
)
_CUDA_CALL = re.compile(
    # tf.device('/gpu:0') is left out: TensorFlow falls back to the CPU under soft placement.
    r"\.cuda\(|torch\.device\(\s*['\"]cuda[:'\"]|\.to\(\s*['\"]cuda|^\s*device\s*=\s*['\"]cuda|mx\.gpu\(|"
    r"cutorch\.|require\s*\(?\s*['\"](?:cutorch|cunn|cudnn)['\"]|:cuda\(\)|cuda\.set_device\("
)
_GUARD = re.compile(r"cuda|gpu|device|is_available|use_cuda|no_cuda|cpu|ngpu|num_gpus|backend|\.type\b|opt\.type", re.I)
_DEVICE_FLAG = re.compile(r"device|gpu|cuda|backend|^-?-?type$|accelerator", re.I)
_SIMULATORS = (
    (
        re.compile(r"^\s*(?:import|from)\s+(mujoco_py|mujoco|dm_control)\b", re.M),
        "MuJoCo (and its licence/binaries for mujoco_py)",
    ),
    (
        re.compile(
            r"^\s*(?:import|from)\s+(atari_py|ale_py)\b|NoFrameskip|gym\.make\(\s*['\"](?:Pong|Breakout|SpaceInvaders|Seaquest|Qbert|MsPacman|Enduro|BeamRider)",
            re.M,
        ),
        "the Atari ROMs (`AutoROM --accept-license` or `ale-import-roms`)",
    ),
    (re.compile(r"^\s*(?:import|from)\s+carla\b", re.M), "the CARLA simulator server"),
    (re.compile(r"^\s*(?:import|from)\s+deepmind_lab\b", re.M), "DeepMind Lab (built with Bazel)"),
    (re.compile(r"^\s*(?:import|from)\s+vizdoom\b", re.M), "ViZDoom and its game scenarios"),
    (re.compile(r"^\s*(?:import|from)\s+pysc2\b", re.M), "the StarCraft II game binary and maps"),
    (re.compile(r"^\s*(?:import|from)\s+(?:habitat_sim|habitat)\b", re.M), "Habitat-Sim and its scene datasets"),
    (
        re.compile(
            r"^\s*(?:import|from)\s+(?:gfootball|minerl|retro|unityagents|mlagents_envs|osim|gym_torcs|airsim)\b", re.M
        ),
        "the game/simulator binary this environment wraps",
    ),
)
_SYSTEM_PROGRAMS = {
    "th": "Torch7 (`th`, LuaJIT and luarocks)",
    "luajit": "LuaJIT",
    "matlab": "MATLAB",
    "octave": "GNU Octave",
    "java": "Java (a JRE)",
    "gcloud": "the Google Cloud SDK (`gcloud`), logged in",
    "gsutil": "the Google Cloud SDK (`gsutil`), logged in",
    "aws": "the AWS CLI, configured",
    "julia": "Julia",
    "Rscript": "R",
    "caffe": "Caffe (built, with its Python bindings)",
}
_CLOUD_LOGIN = {"gcloud": "gcloud auth login", "gsutil": "gcloud auth login", "aws": "aws configure"}
_CREDENTIAL_ASSIGN = re.compile(
    r"""(?P<name>[\w.]*(?:api_?key|secret_?key|client_?secret|password|access_?key|auth_?token|access_?token|"""
    r"""(?:hf|github|openai|slack|bot|wandb|hyperdash)_?(?:token|key))\w*)\s*=\s*['"](?P<value>[^'"\n]*)['"]""",
    re.I,
)
_FAKE_SECRET = re.compile(r"^$|your|<|xxx|\.\.\.|\*\*\*|insert|put[_ ]|here|change|fill|todo|replace|key_?here", re.I)
_ENV_READ = re.compile(
    r"""os\.environ\[\s*['"](?P<item>\w+)['"]\s*\](?!\s*=[^=])|os\.getenv\(\s*['"](?P<get>\w+)['"]\s*\)|"""
    r"""os\.environ\.get\(\s*['"](?P<dget>\w+)['"]\s*\)|os\.getenv\(\s*['"](?P<lua>\w+)['"]\s*\)"""
)
_ENV_SET = re.compile(
    r"""os\.environ\[\s*['"](\w+)['"]\s*\]\s*=[^=]|os\.environ\.setdefault\(\s*['"](\w+)['"]|"""
    r"""^\s*(?:export\s+)?([A-Za-z_]\w*)=""",
    re.M,
)


def _defaults(sources: Sequence[Source]) -> list[tuple[Source, str, str, str]]:
    """(source, flag, default, the whole declaration) of each argparse, absl/tf.flags and Torch
    cmd:option flag in the started scripts and their imports."""
    found = []
    for source in sources:
        if source.lang == "python":
            for match in _PY_DEFAULT.finditer(source.text):
                default = re.search(r"""default\s*=\s*(['"][^'"]*['"]|[\w.]+)""", match.group("rest"))
                found.append((source, match.group("flag"), default.group(1) if default else "", match.group(0)))
            for match in _ABSL_DEFAULT.finditer(source.text):
                found.append((source, match.group("flag"), match.group("default").strip(), match.group(0)))
        elif source.lang == "lua":
            for match in _LUA_OPTION.finditer(source.text):
                found.append((source, match.group("flag"), match.group("default").strip(), match.group(0)))
    return found


def _literal(default: str) -> str | None:
    match = re.fullmatch(r"""\s*['"]([^'"]*)['"]\s*""", default)
    return match.group(1) if match else None


def _guarded(lines: list[str], index: int, lua: bool) -> bool:
    """Is the CUDA call on `lines[index]` behind a choice: a ternary, or any enclosing `if`/`else`/
    `try` (a condition on anything may be the CPU path; only unconditional calls are sure)."""
    line = lines[index]
    if re.search(r"\b(?:if|elseif)\b", line) or re.match(r"\s*(?:else|elif)\b", line):
        return True
    if index and re.search(r"\bif\b.*\\?\s*$", lines[index - 1]) and not lines[index - 1].rstrip().endswith(":"):
        return True  # the second line of a ternary split over two lines
    indent = len(line) - len(line.lstrip())
    for previous in reversed(lines[max(0, index - 300) : index]):
        stripped = previous.strip()
        if not stripped or stripped.startswith(("#", "--")):
            continue
        level = len(previous) - len(previous.lstrip())
        if level >= indent:
            continue
        indent = level
        if re.match(r"(?:if|elif|elseif|else|try|except|with\s+torch\.cuda\.device)\b", stripped):
            return True
        if re.match(r"(?:def|class|local\s+function|function)\b", stripped) or level == 0:
            return False
    return False


def _gpu(sources: Sequence[Source], named: set[str], command: str, needs: _Needs) -> None:
    """CUDA with no CPU path in what runs; a device flag that defaults to CUDA is advice only."""
    for source, flag, default, _ in _defaults(sources):
        value = (_literal(default) or default).lower().strip()
        on = re.match(r"^(cuda|cudnn|cudacudnn|gpu|cunn)", value) or (
            re.search(r"cuda|gpu", flag, re.I) and value == "true"
        )
        if _DEVICE_FLAG.search(flag) and on and not re.search(r"no[_-]?cuda|cpu", flag, re.I):
            if _norm(flag) in named:
                continue
            needs.add(
                "gpu",
                flag,
                f"{source.path}: {flag} defaults to '{value}' (CUDA); with no GPU pass a CPU value for {flag}",
                blocking=False,
            )
    for source in sources:
        if source.lang not in ("python", "lua"):
            continue
        lines = source.text.splitlines()
        for i, line in enumerate(lines):
            code = line.split("#", 1)[0] if source.lang == "python" else line.split("--", 1)[0]
            if code.rstrip().endswith(",") and re.match(r"\s*\w+\s*=", code):
                continue  # `device="cuda",` in a signature or a call: a default the caller may change
            if _CUDA_CALL.search(code) and not _guarded(lines, i, source.lang == "lua"):
                needs.add(
                    "gpu",
                    "cuda",
                    f"{source.path}:{i + 1} `{code.strip()[:80]}` runs on CUDA with no CPU path: needs a GPU",
                )
                return


def _bases(source: Source, base: Path, repo_dir: Path) -> list[Path]:
    """Folders a relative path in `source` may be relative to: the command's folder, the script's
    own folder, the repo root. A path found under any of them is not a need (precision first)."""
    return [base, (repo_dir / source.path).parent, repo_dir]


def _absent(value: str, bases: Sequence[Path], args: Sequence[str] = ()) -> bool:
    """Is a relative path, maybe a template (`data/ind.{}.x`), absent under every base? A template
    is tried with the command's own arguments first: `train.py 20ng` reads `data/ind.20ng.x`."""
    if re.search(r"\{[^{}]*\}|%[sd]", value):
        fills = [a for a in args if re.fullmatch(r"[\w.-]{1,40}", a)]
        if fills:
            tried = [re.sub(r"\{[^{}]*\}|%[sd]", a, value, count=1) for a in fills]
            return not any(_exists(b, t) for b in bases for t in tried)
    return not any(_exists(b, value) for b in bases)


def _authors_path(value: str) -> bool:
    """An absolute path that only the authors' machine has (/home/me/data, /mnt/nas/x)."""
    return (
        bool(re.match(r"^/(?:home|Users|mnt|data\d*|nas|scratch|share|media|disk\d*|ssd|hdd|local|raid|nfs)/", value))
        and not Path(value).exists()
    )


def _found_path(
    kind_hint: str, value: str, where: str, source: Source, docs, needs: _Needs, *, downloads: bool
) -> None:
    """Record one absent path: a checkpoint, or data (not blocking when the code downloads it)."""
    if Path(value.rstrip("/")).name in needs.fetched:
        needs.add(kind_hint, value, f"{where} {value}: the run downloads it first (network needed)", blocking=False)
        return
    if kind_hint == "checkpoint":
        needs.add("checkpoint", value, f"{where} {value}: {_checkpoint_advice(value, docs)}")
    else:
        advice = _download_advice(value, docs)
        needs.add("dataset", value, f"{where} {value}, which is not there; {advice}", blocking=not downloads)


def _script_defaults(
    sources: Sequence[Source], named: set[str], base: Path, repo_dir: Path, docs, needs: _Needs
) -> None:
    """Flag defaults in the scripts that run (argparse, absl/tf.flags, Torch cmd:option) that point at
    files that are not there, unless the command (or the shell line that starts the script) sets
    that flag."""
    for source, flag, default, _ in _defaults(sources):
        value = _literal(default)
        mine = named | {_norm(name) for name, _ in _pairs(source.args)}
        if not value or _norm(flag) in mine or "://" in value:
            continue
        ckpt, data = _CKPT_WORDS.search(flag), _DATA_WORDS.search(flag)
        # A bare name (`checkpoint`, `data`) is a folder when the flag says it holds files.
        folderish = re.search(r"(?:dir|path|folder|root|file)s?$", _norm(flag)) and re.fullmatch(r"[\w.-]+/?", value)
        if not (_looks_like_path(value) or folderish) or (_OUTPUT_WORDS.search(flag) and not ckpt):
            continue
        if re.search(r"\.(ya?ml|json|py|sh|cfg|lua)$", value) and not data:
            continue
        if value.startswith(("/", "~")):
            if _authors_path(value) and (ckpt or data):
                needs.add(
                    "placeholder",
                    value,
                    f"{source.path}: {flag} defaults to {value}, a path on the authors' machine: pass {flag} or --set {_norm(flag)}=...",
                    key=_norm(flag),
                )
            if not value.startswith("~") or Path(value).expanduser().exists():
                continue
        if not _absent(value, _bases(source, base, repo_dir)):
            continue
        if ckpt:
            _found_path("checkpoint", value, f"{source.path}: {flag} defaults to", source, docs, needs, downloads=False)
        elif data:
            downloads = _DOWNLOADS.search(source.text) is not None
            _found_path(
                "dataset", value, f"{source.path}: {flag} defaults to", source, docs, needs, downloads=downloads
            )


# `data_folder = '../datas/omniglot_resized/'`, `config['data_path'] = '/home/me/x'`: a path kept in a variable.
_PATH_ASSIGN = re.compile(
    r"""^[ \t]*(?P<name>[\w.]*(?:\[['"][\w.-]+['"]\])?)\s*=\s*(?P<path>['"][^'"\n]*/[^'"\n]*['"])\s*(?:#.*)?$"""
    # a settings dict: `'train_file': 'data/S1_4.txt',`
    r"""|^[ \t]*['"](?P<key>\w+)['"]\s*:\s*(?P<value>['"][^'"\n]*/[^'"\n]*['"])\s*,?\s*(?:#.*)?$""",
    re.M,
)


_MATLAB_READ = re.compile(
    r"""\b(?:load|csvread|dlmread|readtable|readmatrix|xlsread|imread|fopen|audioread|h5read)\(\s*'([^'\n]+\.\w{1,5})'"""
    r"""|^\s*load\s+([\w./-]+\.mat)\b""",
    re.M,
)


def _read_paths(
    sources: Sequence[Source], base: Path, repo_dir: Path, args: Sequence[str], named: set[str], docs, needs: _Needs
) -> None:
    """Files the code opens at a written-in path (`open('data/ind.{}.x'.format(d))`), and data or
    weights paths kept in variables, that are absent."""
    for source in sources:
        if source.lang == "matlab":
            for value in (a or b for a, b in _MATLAB_READ.findall(source.text)):
                if not value.startswith(("/", "~")) and _absent(value, _bases(source, base, repo_dir)):
                    _found_path("dataset", value, f"{source.path} reads", source, docs, needs, downloads=False)
            continue
        if source.lang != "python":
            continue
        downloads = _DOWNLOADS.search(source.text) is not None
        bases = _bases(source, base, repo_dir)
        lines = source.text.splitlines()
        found = [
            (m.group("path")[1:-1], m.group(0), m.group("mode") or "", source.text.count("\n", 0, m.start()))
            for m in _READ_CALL.finditer(source.text)
        ]
        # Variables named for data; a checkpoint kept in a variable is as often where training writes.
        for m in _PATH_ASSIGN.finditer(source.text):
            name, value = m.group("name") or m.group("key"), (m.group("path") or m.group("value"))[1:-1]
            short = _norm(re.sub(r"\W+", "_", name).strip("_").split("_")[-1] if m.group("name") else name)
            if (
                re.search(r"data|root|corpus|images?|(?:train|test|val\w*)_?(?:file|path|dir)", name, re.I)
                and short not in named
            ):
                found.append((value, name, "", source.text.count("\n", 0, m.start())))
        for value, context, mode, line in found:
            if re.search(r"[wa]", mode) or "/" not in value or value.startswith(("{", "%", "$")):
                continue
            if _OUTPUT_WORDS.search(value.split("/")[0]) or _OUTPUT_WORDS.search(context.split("(")[0]):
                continue
            if re.search(r"\.(py|sh|md|ya?ml|json|cfg)$", value) or "://" in value:
                continue
            ckpt = re.search(
                r"torch\.load|load_state_dict|restore|ckpt|checkpoint|weights?|model_?(?:path|file|dir)", context, re.I
            ) or _WEIGHT_FILE.search(value)
            if value.startswith(("/", "~")):
                if _authors_path(value):
                    needs.add(
                        "placeholder",
                        value,
                        f"{source.path} has {value} written in, a path on the authors' machine: edit it to yours",
                    )
                    if not ckpt:
                        needs.add(
                            "dataset",
                            value,
                            f"{source.path} expects its data at {value}: {_download_advice(value, docs)}",
                        )
                    continue
                if not value.startswith("~") or Path(value).expanduser().exists():
                    continue
            if not _absent(value, bases, args):
                continue
            # A read inside an `if` may be an option the command does not take: said, not blocking.
            optional = downloads or _guarded(lines, line, False)
            _found_path(
                "checkpoint" if ckpt else "dataset",
                value,
                f"{source.path} reads",
                source,
                docs,
                needs,
                downloads=optional,
            )


def _fetched(sources: Sequence[Source]) -> set[str]:
    """Names of the files the run's shell scripts download (`wget URL -O name`, `wget .../name`)."""
    names = set()
    for source in sources:
        if source.lang != "shell":
            continue
        for line in source.text.splitlines():
            if not re.search(r"\b(?:wget|curl|gdown|gsutil cp)\b", line):
                continue
            out = re.search(r"(?:-O|-o|--output(?:-document)?)[ =]?(\S+)", line)
            if out:
                names.add(Path(out.group(1).strip("'\"")).name)
            names |= {Path(u.split("?")[0]).name for u in _URL.findall(line)}
    return {n for n in names if n}


def _shell_lines(sources: Sequence[Source], repo_dir: Path, docs, needs: _Needs) -> set[str]:
    """The programs a shell script starts, read like the command itself (paths, placeholders)."""
    named: set[str] = set()
    for source in sources:
        for line, folder in source.runs:
            named |= _command_paths(line, repo_dir / folder, docs, needs)
    return named


def _downloads(sources: Sequence[Source], needs: _Needs) -> None:
    """Data the code fetches itself (torchvision `download=True`, nltk, datasets): advice only."""
    for source in sources:
        if source.lang == "python" and re.search(
            r"download\s*=\s*True|load_dataset\(|tfds\.load|nltk\.download", source.text
        ):
            needs.add(
                "dataset",
                f"download:{source.path}",
                f"{source.path} downloads its data on the first run (network needed)",
                blocking=False,
            )
            return


def _config_paths(sources: Sequence[Source], base: Path, docs, needs: _Needs) -> None:
    """Paths in the config files the command passes (`dataset_path: ./data/coco`) that are absent."""
    for source in sources:
        if source.role != "config":
            continue
        for match in re.finditer(r"""^\s*['"]?([\w.-]+)['"]?\s*[:=]\s*['"]?([^'"\s,#]+)['"]?""", source.text, re.M):
            key, value = match.groups()
            if not _looks_like_path(value) or "/" not in value or value.startswith(("/", "~", "$")):
                continue
            if _OUTPUT_WORDS.search(key) or re.search(r"\.(py|ya?ml|json|sh)$", value):
                continue
            if _exists(base, value):
                continue
            if re.search(r"pretrain|backbone|init", key, re.I):
                continue  # an initialisation, not the weights to evaluate (LABELING.md: not a checkpoint)
            if _CKPT_WORDS.search(key):
                needs.add("checkpoint", value, f"{source.path}: {key} = {value}: {_checkpoint_advice(value, docs)}")
            elif _DATA_WORDS.search(key):
                needs.add(
                    "dataset", value, f"{source.path}: {key} = {value} is not there; {_download_advice(value, docs)}"
                )


def _argument_kind(name: str) -> str | None:
    """What an argument named `name` stands for: a checkpoint, a dataset, or nothing said."""
    if _CKPT_WORDS.search(name) or re.search(r"model(?!_?(?:type|name_?or|arch))", name, re.I):
        return "checkpoint"
    if _DATA_WORDS.search(name) or re.search(r"file|path|dir|folder", name, re.I):
        return "dataset"
    return None


def _missing_arguments(source: Source, names: list[str], given: int, docs, needs: _Needs) -> None:
    """Record the arguments a script takes and the command leaves out, and what each stands for."""
    needs.add(
        "placeholder",
        f"args:{source.path}",
        f"{source.path} takes {', '.join(names)} and the command passes {given} argument(s): add them",
    )
    for name in names:
        kind = _argument_kind(name)
        if kind == "checkpoint":
            needs.add("checkpoint", name, f"{source.path} wants {name}: {_checkpoint_advice(name, docs)}")
        elif kind == "dataset":
            needs.add("dataset", name, f"{source.path} wants {name}: {_download_advice(name, docs)}")


def _arguments(sources: Sequence[Source], base: Path, docs, needs: _Needs) -> None:
    """Arguments a started script requires that the command does not pass (`sys.argv[2]` with one
    argument given, argparse `required=True` or positional arguments, a shell script's `$2`), and
    positional paths it passes that are not there (`evaluate.py model.epochN test_data`)."""
    for source in sources:
        if source.role != "start":
            continue
        given = _positional(source.args)
        if source.lang == "shell":
            used = sorted({int(n) for n in re.findall(r"\$\{?([1-9])\}?", source.text)})
            if used and used[-1] > len(given):
                names = []
                for n in used[len(given) :]:
                    assigned = re.search(rf"^\s*(\w+)=[\"']?\$\{{?{n}\b", source.text, re.M)
                    names.append(f"${n}" + (f" ({assigned.group(1)})" if assigned else ""))
                _missing_arguments(source, names, len(given), docs, needs)
            continue
        if source.lang != "python":
            continue
        flags = {_norm(a.split("=")[0]) for a in source.args if a.startswith("-")}
        used = sorted({int(n) for n in re.findall(r"sys\.argv\[(\d+)\]", source.text)} - {0})
        if used and "add_argument" not in source.text and "DEFINE_" not in source.text:
            names = []
            for n in used:
                assigned = re.search(rf"(\w+)\s*=\s*sys\.argv\[{n}\]", source.text)
                name = assigned.group(1) if assigned else f"sys.argv[{n}]"
                if n > len(given):
                    names.append(name)
                    continue
                value = given[n - 1]
                opened = re.search(
                    rf"\w*(?:open|load|read|File)\w*\(\s*(?:sys\.argv\[{n}\]|{re.escape(name)}\b)", source.text, re.I
                )
                if opened and re.fullmatch(r"[\w./-]+", value) and not value.isdigit() and not _exists(base, value):
                    # load_checkpoint(sys.argv[1]): the call says what the file is when the name does not.
                    kind = _argument_kind(name) or _argument_kind(opened.group(0).split("(")[0]) or "dataset"
                    needs.add(
                        "placeholder",
                        value,
                        f"{source.path} opens sys.argv[{n}] = {value}, which is not there: pass your file",
                        key=value,
                    )
                    needs.add(
                        kind,
                        value,
                        f"{source.path} opens {value} ({name}): {_checkpoint_advice(value, docs) if kind == 'checkpoint' else _download_advice(value, docs)}",
                    )
            if names:
                _missing_arguments(source, [f"{n}" for n in names], len(given), docs, needs)
        for match in _PY_DEFAULT.finditer(source.text):
            flag, rest = match.group("flag"), match.group("rest")
            if re.search(r"required\s*=\s*True", rest) and _norm(flag) not in flags:
                needs.add(
                    "placeholder",
                    flag,
                    f"{source.path}: {flag} is required and the command does not pass it: pass --set {_norm(flag)}=VALUE",
                    key=_norm(flag),
                )
        positional = [
            match.group(1)
            for match in re.finditer(r"""add_argument\(\s*['"]([A-Za-z]\w*)['"](?P<rest>[^)]*)\)""", source.text)
            if not re.search(r"nargs\s*=\s*(?!['\"]?\+|\d)|default\s*=", match.group("rest"))
        ]
        if len(positional) > len(given):
            _missing_arguments(source, positional[len(given) :], len(given), docs, needs)


def _environment(sources: Sequence[Source], command: str, environ: Mapping[str, str], needs: _Needs) -> None:
    """Variables the code reads with no default, and ones a shell script uses but never sets."""
    assigned = set(re.findall(r"(?:^|\s)([A-Za-z_]\w*)=", command)) | set(environ) | set(_OWN_VARS)
    for source in sources:
        for match in _ENV_SET.finditer(source.text):
            assigned.update(g for g in match.groups() if g)
    for source in sources:
        if source.lang == "python" or source.lang == "lua":
            for match in _ENV_READ.finditer(source.text):
                name = match.group("item") or match.group("get") or match.group("dget") or match.group("lua")
                hard = match.group("item") is not None
                settings = _empty_setting(sources, name)
                if settings and hard:
                    needs.add(
                        "placeholder",
                        name,
                        f"{settings} leaves {name} empty and {source.path} needs it: fill it in",
                        key=name,
                    )
                    continue
                if name in assigned or _AMBIENT.match(name):
                    continue
                kind = "credential" if _CREDENTIAL_VAR.search(name) else "env"
                needs.add(
                    kind,
                    name,
                    f"{source.path} reads ${name} (no default): export {name}=... before the run",
                    key=name,
                    blocking=hard,
                )
        elif source.lang == "shell":
            for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", source.text):
                if name in assigned or _AMBIENT.match(name) or name.islower():
                    continue
                kind = "credential" if _CREDENTIAL_VAR.search(name) else "env"
                needs.add(kind, name, f"{source.path} uses ${name}, which nothing sets: export {name}=...", key=name)


def _empty_setting(sources: Sequence[Source], name: str) -> str | None:
    """The settings file the run reads that has `NAME=` with no value (settings.cfg, .env)."""
    for source in sources:
        if source.role == "config" and re.search(
            rf"^\s*(?:export\s+)?{re.escape(name)}\s*=\s*['\"]?['\"]?\s*$", source.text, re.M
        ):
            return source.path
    return None


def _secrets(sources: Sequence[Source], needs: _Needs) -> None:
    """API keys written into the code as placeholders: `API_KEY = "YOUR_KEY"`, `openai.api_key = ""`."""
    for source in sources:
        for match in _CREDENTIAL_ASSIGN.finditer(source.text):
            if _FAKE_SECRET.search(match.group("value")):
                needs.add(
                    "credential",
                    match.group("name"),
                    f"{source.path} sets {match.group('name')} to a placeholder ({match.group('value')!r}): put your key there",
                )


def _simulators(sources: Sequence[Source], needs: _Needs) -> None:
    for source in sources:
        if source.lang != "python":
            continue
        for pattern, what in _SIMULATORS:
            match = pattern.search(source.text)
            if match:
                needs.add("simulator", what, f"{source.path} uses {match.group(0).strip()}: install {what}")


def _programs(command: str, sources: Sequence[Source], which: Callable[[str], str | None], needs: _Needs) -> None:
    """Programs outside Python that the run starts (Torch7, MATLAB, Java, the cloud CLIs), when this
    machine does not have them; a cloud CLI also needs a login."""
    lines = [command]
    for source in sources:
        if source.lang == "shell":
            lines += source.text.splitlines()
        elif source.lang == "python":
            lines += re.findall(
                r"""(?:os\.system|os\.popen|subprocess\.\w+|call|check_output)\(\s*\[?\s*f?['"]([^'"]+)""", source.text
            )
        if source.lang == "python" and re.search(r"^\s*import\s+matlab\.engine", source.text, re.M):
            lines.append("matlab")
    lua_libs = sorted(
        {
            lib
            for source in sources
            if source.lang == "lua"
            for lib in re.findall(r"""require\s*\(?\s*['"]([\w]+)['"]""", "\n".join(source.text.splitlines()))
            if not any(Path(s.path).stem == lib for s in sources)
        }
        - {"torch", "nn", "paths", "optim", "image", "os", "io", "string", "math", "table"}
    )
    for line in lines:
        for start in starts(line):
            program = start.program if start.target is None else {"lua": "th"}.get(start.program, "")
            if program == "th" and start.program == "lua":
                program = line.split()[0] if line.split() and line.split()[0] in _SYSTEM_PROGRAMS else "th"
            what = _SYSTEM_PROGRAMS.get(program)
            if what is None or which(program):
                continue
            extra = f" with the rocks {', '.join(lua_libs)}" if program == "th" and lua_libs else ""
            needs.add("system", program, f"the run starts `{program}`: install {what}{extra}")
            if program in _CLOUD_LOGIN:
                needs.add(
                    "credential", program, f"`{program}` needs a login to the bucket: run `{_CLOUD_LOGIN[program]}`"
                )
    bucket = next((m for s in sources for m in re.findall(r"\b(?:gs|s3)://[\w./-]+", s.text)), None)
    if bucket:
        needs.add("dataset", bucket, f"the run reads its data from {bucket}: it needs that bucket (or a copy of it)")
        if not needs.has("credential"):
            needs.add(
                "credential",
                "bucket",
                f"the run reads {bucket}: log in to that cloud first (gcloud auth login / aws configure)",
            )


def _extensions(repo_dir: Path, sources: Sequence[Source], docs, needs: _Needs) -> None:
    """Compiled extensions (.pyx, .cu, .cpp with a build script) the run imports that are not built."""
    imported = {
        m for s in sources if s.lang == "python" for m in re.findall(r"^\s*(?:from|import)\s+([\w.]+)", s.text, re.M)
    }
    seen = 0
    for folder in _walk_dirs(repo_dir):
        seen += 1
        names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
        sources_here = [n for n in names if n.endswith((".pyx", ".cu"))]
        if not sources_here or any(n.endswith((".so", ".pyd")) for n in names):
            continue
        rel = folder.relative_to(repo_dir)
        dotted = ".".join(rel.parts)
        reached = any(
            dotted and (m == dotted or m.startswith(dotted + ".") or m.split(".")[0] == rel.parts[-1]) for m in imported
        )
        step = next(
            (
                line.strip().strip("`$ ")
                for _, text in docs
                for line in text.splitlines()
                if re.search(
                    r"^\s*(?:[$>]\s*)?(?:cd \S+\s*(?:&&|;)\s*)?(?:make\b|(?:ba)?sh \S+\.sh|\./\S*(?:init|make|build|compile)\S*\.sh|python3? \S*setup\S*\.py (?:build|install|develop))|build_ext",
                    line,
                )
            ),
            None,
        )
        if reached or step:
            how = f"build it first: `{step[:160]}`" if step else "build it first (setup.py build_ext / make)"
            needs.add("system", "extension", f"{rel}/ holds {sources_here[0]} with no built module: {how}")
            return


_NATIVE_LOAD = re.compile(
    r"""(?:load_op_library|CDLL|LoadLibrary|load_library)\([^\n]*?['"]([\w./-]+\.(?:so|dylib))['"]"""
)


def _native_libraries(repo_dir: Path, sources: Sequence[Source], needs: _Needs) -> None:
    """A compiled op the code loads by file name (`tf.load_op_library('batcher.so')`) that is not built."""
    for source in sources:
        for name in _NATIVE_LOAD.findall(source.text) if source.lang == "python" else ():
            if not (_exists(repo_dir, name) or _exists((repo_dir / source.path).parent, name)):
                needs.add(
                    "system",
                    name,
                    f"{source.path} loads {name}, a compiled op that is not built: build it (see the docs or Dockerfile)",
                )


def _walk_dirs(repo_dir: Path, limit: int = 3000):
    """Folders of the repo, breadth first, at most `limit` of them, skipping VCS and env folders."""
    queue = [repo_dir]
    count = 0
    while queue and count < limit:
        folder = queue.pop(0)
        count += 1
        yield folder
        try:
            children = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
        except OSError:
            continue
        queue += [
            c
            for c in children
            if not c.name.startswith(".") and c.name not in ("node_modules", "venv", "env", "__pycache__")
        ]


def find_needs(
    command: str,
    *,
    repo_dir: Path,
    cwd: str,
    kind: str,
    docs_text: str,
    environ: Mapping[str, str],
    has_gpu: bool,
    script: str | None,
    docs: Sequence[tuple[str, str]] | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> list[Need]:
    """Every need of a command as it stands (after --set). `docs` are (path, text) pairs of the
    repo's docs; without them `docs_text` is read as one doc. `which` finds a program on this
    machine (a program that is there is no need)."""
    docs = list(docs) if docs is not None else [("the docs", docs_text)]
    sources = follow(command, repo_dir, cwd)
    if script and not any(s.role == "start" for s in sources):
        sources = follow(f"python {script}", repo_dir, cwd)
    needs = _Needs(_fetched(sources))
    base = repo_dir / cwd
    _command_placeholders(command, environ, docs, needs)
    named = _command_paths(command, base, docs, needs)
    named |= _shell_lines(sources, repo_dir, docs, needs)
    args = [a for s in sources if s.role == "start" for a in _positional(s.args)]
    _arguments(sources, base, docs, needs)
    _script_defaults(sources, named, base, repo_dir, docs, needs)
    _read_paths(sources, base, repo_dir, args, named, docs, needs)
    _config_paths(sources, base, docs, needs)
    _downloads(sources, needs)
    _eval_checkpoint_link(kind, named, command, docs, needs)
    if not has_gpu:
        _gpu(sources, named, command, needs)
    _environment(sources, command, environ, needs)
    _secrets(sources, needs)
    _simulators(sources, needs)
    _programs(command, sources, which, needs)
    _extensions(repo_dir, sources, docs, needs)
    _native_libraries(repo_dir, sources, needs)
    return needs.items
