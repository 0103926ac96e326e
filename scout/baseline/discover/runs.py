"""Needs read from the code that runs (the `Source`s of `traced.follow`): CUDA with no CPU path,
flag defaults and written-in paths that are absent, settings files, arguments the command leaves
out, environment variables with no default, keys left as placeholders, simulators, programs and
compiled extensions that are not there. Each `check_*` adds what it finds to a `Found`."""

from __future__ import annotations

import ast
import fnmatch
import functools
import itertools
import os
import re
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from scout.baseline.discover.found import (
    AMBIENT,
    CKPT_WORDS,
    CREDENTIAL_VAR,
    DATA_WORDS,
    OUTPUT_WORDS,
    OWN_VARS,
    WEIGHT_FILE,
    Found,
    command_paths,
    command_placeholders,
    flag_pairs,
    looks_like_path,
    norm_flag,
    path_exists,
    positional_args,
    shell_words,
    weights_key,
)
from scout.baseline.discover.links import URL, WEIGHT_SUFFIX, checkpoint_advice, doc_links, download_advice, link_kind
from scout.baseline.discover.traced import Source, python_imports, starts
from scout.baseline.discover.writers import FIELD, template


def check_linked_weights(kind: str, named: set[str], docs: Sequence[tuple[str, str]], needs: Found) -> None:
    """An evaluation that passes no weights: name the released model the docs link, if one is."""
    if kind != "eval" or any(CKPT_WORDS.search(name) for name in named) or needs.has("checkpoint"):
        return
    for url, path, context in doc_links(docs):
        if WEIGHT_SUFFIX.search(url.rsplit("/", 1)[-1]) and link_kind(url, context) == "model":
            needs.add(
                "checkpoint", url, f"it evaluates but loads no checkpoint; {path} links one: {url}", blocking=False
            )
            return


def check_linked_data(
    sources: Sequence[Source], docs: Sequence[tuple[str, str]], needs: Found, command: str = "", base: Path = Path()
) -> None:
    """A run whose data the code does not name as a path (it builds it: `cfg.DATA_DIR + 'VOCdevkit'`,
    a dataset registry, a list file of image paths) and does not fetch itself, in a repo whose docs
    link a dataset: that data is what it reads, and the checkout has none of it. Unless the command
    passes its data and that is there (`--testset data/coqa.dev.json`)."""
    if needs.has("dataset") or not any(source.role == "start" for source in sources):
        return
    for name, value in flag_pairs(shell_words(command)):
        if DATA_WORDS.search(norm_flag(name)) and looks_like_path(value) and path_exists(base, value):
            return
    if any(source.lang == "python" and _fetches_data(source.text) for source in sources):
        return
    if _lists_data_here(sources, base):
        return
    if any(not WEIGHT_FILE.search(name) and not re.search(r"model|weight|ckpt", name, re.I) for name in needs.fetched):
        return  # the run's shell script downloads its data (`wget ... -O data/test_input_data.npy`)
    linked = [
        (url, path, context)
        for url, path, context in doc_links(docs)
        if link_kind(url, context) == "dataset"
        and not _ONE_FILE.search(url.split("?")[0])
        and not _shown_image(url, context)
    ]
    if linked:
        # The link its own line calls a dataset, an archive before a page.
        url, path, _ = max(
            linked,
            key=lambda link: (
                bool(re.search(r"\bdata ?sets?\b", link[2].rsplit("\n", 1)[-1], re.I)),
                bool(_ARCHIVE.search(link[0].split("?")[0])),
            ),
        )
        needs.add("dataset", url, f"the run reads data the checkout lacks; {path} links the dataset: {url}")
        return
    for path, text in docs:
        step = _DATA_STEP.search(text)
        if step:
            line = re.sub(r"\s+", " ", step.group(0).strip().lstrip("$ "))
            needs.add("dataset", line, f"the run reads data the checkout lacks; {path} makes it first: `{line[:200]}`")
            return


# A folder the started code lists for its inputs: `glob.glob("./testsets/" + opt.dataset + "/*.*")`.
_LISTED_FOLDER = re.compile(
    r"""\b(?:glob\.i?glob|os\.listdir|os\.walk|os\.scandir)\(\s*f?['"](?P<folder>[\w./-]+?)/?['"]"""
)


def _lists_data_here(sources: Sequence[Source], base: Path) -> bool:
    """The started script lists a written-in data folder that the checkout has, with files in it
    (SRResNet's eval.py globs ./testsets/<name>/, shipped with Set5 and Set14): its data is here."""
    for source in sources:
        if source.role != "start" or source.lang != "python":
            continue
        for match in _LISTED_FOLDER.finditer(source.text):
            folder = match.group("folder").removeprefix("./")
            if not folder or folder in (".", "..") or not DATA_WORDS.search(folder):
                continue
            for root in (base, (base / source.path).parent):
                path = root / folder
                if path.is_dir() and any(item.is_file() for item in itertools.islice(path.rglob("*"), 200)):
                    return True
    return False


def _shown_image(url: str, context: str) -> bool:
    """`<img src="https://drive.google.com/uc?export=view&id=...">`, `![demo](url)`: a picture in the doc."""
    at = re.escape(url)
    return re.search(rf"<img\b[^>]*?{at}|!\[[^\]]*\]\(\s*{at}", context, re.I) is not None


# A doc command that makes the data: `python prepare_datasets.py ...`, `bash download_data.sh`.
_DATA_STEP = re.compile(
    r"^[ \t]*(?:\$[ \t]*)?(?:python[\d.]*|bash|sh)?[ \t]*(?:\./)?(?=[\w./-]*data)"
    r"(?=[\w./-]*(?:prep|process|download|fetch|get_|make|build|convert|creat))[\w./-]+\.(?:py|sh)\b[^\n]*",
    re.M | re.I,
)
# A sample image, a paper or another project's code is not the data set; an archive usually is.
_ONE_FILE = re.compile(
    r"\.(?:jpe?g|png|gif|svg|pdf)$|arxiv\.org|paperswithcode\.com|doi\.org|aclweb\.org|openreview\.net|"
    r"^https?://github\.com/[\w.-]+/[\w.-]+/?$",
    re.I,
)
_ARCHIVE = re.compile(r"\.(?:zip|tar|tgz|gz|bz2|7z|rar|h5|hdf5|npz|mat)$", re.I)


def _fetches_data(text: str) -> bool:
    """Does the code download something other than weights (a `model_zoo` fetch of a backbone is
    not the data)?"""
    for match in _DOWNLOADS.finditer(text):
        line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.end())]
        # A helper's own definition, or a fetch into a cache (`download_url(url, cache_file_path)`, where
        # a model zoo keeps the weights it fetches) says nothing of the data.
        if not re.search(r"model|weight|pretrain|ckpt|checkpoint|url_to_file|cache|^\s*def\s", line, re.I):
            return True
    return False


_PY_DEFAULT = re.compile(
    r"""add_argument\(\s*['"](?P<flag>-{1,2}[\w-]+)['"](?P<rest>[^()]*(?:\([^()]*\)[^()]*)*)\)""", re.S
)
# `os.path.join("..", "data", "squad")` as a default: a path written in pieces.
_JOINED = r"""(?:os\.path\.join|osp\.join|pjoin|path\.join)\((?:\s*['"][^'"\n]*['"]\s*,?)+\s*\)"""
_ABSL_DEFAULT = re.compile(
    r"""(?:flags|FLAGS)\.DEFINE_\w+\(\s*['"](?P<flag>[\w-]+)['"]\s*,\s*(?P<default>"""
    + _JOINED
    + r"""|['"][^'"]*['"]|[^,]+)"""
)
_LUA_OPTION = re.compile(r"""cmd:option\(\s*['"](?P<flag>-[\w-]+)['"]\s*,\s*(?P<default>['"][^'"]*['"]|[^,]+)""")
# Every reader's name starts with a word character: the lookahead lets the regex engine skip, at
# once, the places where none starts (as writers.py's _WRITE_CALL does).
_READERS = (
    r"""(?=\w)(?:\bopen|np\.load|numpy\.load|pd\.read_\w+|pandas\.read_\w+|h5py\.File|loadmat|sio\.loadmat|"""
    r"""Image\.open|cv2\.imread|imread|torch\.load|pickle\.load|json\.load|np\.loadtxt|np\.genfromtxt|"""
    r"""tf\.gfile\.(?:Open|GFile)|gfile\.GFile|load_workbook|ImageFolder|listdir|glob\.glob|glob|"""
    # Word2Vec.load, model.load_weights, load_model, load_checkpoint: any loader handed a written-in path
    r"""\b(?<!hub\.)(?:\w+\.)?load(?:_\w+)?)"""
)
_READ_CALL = re.compile(
    # An f-string's fields are a template's: `glob.glob(f'models/{args.dataset}/*.pt')`.
    _READERS
    + r"""\(\s*f?(?P<path>['"][^'"\n]+['"])(?P<tail>(?:\s*\.\s*format\([^)]*\)|\s*%\s*(?:\([^()\n]*\)|\w[^,)]*))?)"""
    r"""(?P<concat>\s*\+)?(?P<mode>\s*,\s*['"][rwab+tU]*['"])?"""
)
# `MODEL_PATH = 'models/best.pth'` (or any name), later `torch.load(MODEL_PATH)`: a path kept in a
# variable and handed to a reader is read, whatever the variable is called.
_LITERAL_ASSIGN = re.compile(
    r"""^[ \t]*(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<path>['"][^'"\n]*[/.][^'"\n]*['"])\s*(?:#.*)?$""", re.M
)
# Code that fetches its own data: torchvision, Keras get_file/load_data, the Hub, tfds, nltk, wget.
_DOWNLOADS = re.compile(
    r"download\s*=\s*True|\.download\(|maybe_download|urlretrieve|load_dataset\(|tfds\.load|"
    r"nltk\.download|gdown|wget|get_file\(|download_url|hf_hub_download|snapshot_download|\.load_data\(\)|"
    # The graph and text libraries' data sets download into their `root` on first use, with no flag:
    # PyG's `ZINC('data/ZINC', subset=True)` (himp-gnn), OGB's `PygGraphPropPredDataset`, torchtext, DGL.
    r"^\s*from\s+(?:torch_geometric\.datasets|ogb\.\w+|torchtext\.datasets|dgl\.data)\s+import\b",
    re.M,
)
_CUDA_CALL = re.compile(
    # tf.device('/gpu:0') is left out: TensorFlow falls back to the CPU under soft placement.
    r"\.cuda\(|torch\.device\(\s*f?['\"]cuda[:'\"{]|\.to\(\s*f?['\"]cuda|^\s*(?:self\.|args\.|opt\.)?(?:device|DEVICE)\s*=\s*f?['\"]cuda|mx\.gpu\(|"
    r"map_location\s*=\s*f?['\"]cuda|"
    r"cutorch\.|require\s*\(?\s*['\"](?:cutorch|cunn|cudnn)['\"]|:cuda\(\)|cuda\.set_device\(|"
    # CUDA tensor types, Chainer's to_gpu, pycaffe's GPU mode, Keras' multi-GPU wrapper, CuPy/PyCUDA/Numba kernels.
    # A CUDA tensor type made or cast to (`torch.cuda.FloatTensor(b, n)`, `.type(torch.cuda.FloatTensor)`);
    # named alone it may be a check (`isinstance(x, torch.cuda.FloatTensor)`) or a registration (diffai).
    r"torch\.cuda\.\w*Tensor\s*\(|\.type\(\s*torch\.cuda\.|set_default_tensor_type\(\s*['\"]?torch\.cuda|\.to_gpu\(|set_mode_gpu\(|"
    r"multi_gpu_model\(|^\s*(?:import|from)\s+(?:cupy|pycuda)\b|^\s*@(?:numba\.)?cuda\.jit\b|"
    # Caffe2's CUDA device scope; a settings dict handed to a trainer (`'device': 'cuda'`); NCCL,
    # the collective backend that only runs on GPUs.
    r"caffe2_pb2\.CUDA\b|['\"]device['\"]\s*:\s*f?['\"]cuda|init_process_group\(\s*(?:backend\s*=\s*)?['\"]nccl"
)
_DEVICE_FLAG = re.compile(r"device|gpu|cuda|backend|^-?-?type$|accelerator", re.I)
# Gym task ids that run on MuJoCo or on the Atari emulator, as a string in the code
# (`gym.make('Hopper-v2')`, `default='PongNoFrameskip-v4'`) or a value in the command (`--env Ant-v3`).
# Which module names an import-only pattern needs one of: a text holding none of them skips the
# (slower) regex scan of the whole file.
_NEEDED: dict[re.Pattern, tuple[str, ...]] = {}


def _imports(*modules: str) -> re.Pattern:
    """`import X` or `from X ...` at a line's start, for any of `modules`."""
    pattern = re.compile(rf"^\s*(?:import|from)\s+(?:{'|'.join(map(re.escape, modules))})\b", re.M)
    _NEEDED[pattern] = modules
    return pattern


_MUJOCO_TASK = (
    r"(?:HalfCheetah|Hopper|Walker2d|Ant|Humanoid(?:Standup)?|Swimmer|Reacher|InvertedPendulum|"
    r"InvertedDoublePendulum|Pusher|Thrower|Striker|Fetch\w+|HandManipulate\w+|HandReach)(?:-v\d|Env\b)"
)
_ATARI_TASK = (
    r"(?:ALE/\w+|\w*NoFrameskip-v\d|\w*Deterministic-v\d|"
    r"(?:Pong|Breakout|SpaceInvaders|Seaquest|Qbert|MsPacman|Enduro|BeamRider|MontezumaRevenge|Freeway|Asterix|"
    r"Alien|Amidar|Assault|Asteroids|Atlantis|BankHeist|BattleZone|Boxing|Centipede|DemonAttack|Gravitar|"
    r"Frostbite|Kangaroo|Krull|PrivateEye|Riverraid|RoadRunner|Robotank|Solaris|Venture|VideoPinball|Zaxxon)-v\d)"
)
_BOX2D_TASK = r"(?:BipedalWalker(?:Hardcore)?|LunarLander(?:Continuous)?|CarRacing)-v\d"
_SIMULATORS = (
    (
        # gym's MuJoCo tasks and D4RL's datasets run on MuJoCo too.
        re.compile(
            r"^\s*(?:import|from)\s+(mujoco_py|mujoco|dm_control|d4rl|robosuite|metaworld)\b|"
            rf"""['"]{_MUJOCO_TASK}['"]""",
            re.M,
        ),
        re.compile(rf"(?<![\w/.-]){_MUJOCO_TASK}"),
        "MuJoCo (and its licence/binaries for mujoco_py)",
    ),
    (
        re.compile(
            r"^\s*(?:import|from)\s+(atari_py|ale_py|ale_python_interface)\b|\bALEInterface\(|"
            rf"""['"]{_ATARI_TASK}['"]""",
            re.M,
        ),
        re.compile(rf"(?<![\w/.-]){_ATARI_TASK}"),
        "the Atari ROMs (`AutoROM --accept-license` or `ale-import-roms`)",
    ),
    (
        # gym's Box2D tasks (DistributedES's BipedalWalker-v2) run on the Box2D engine, built with SWIG.
        re.compile(rf"^\s*(?:import|from)\s+Box2D\b|['\"]{_BOX2D_TASK}['\"]", re.M),
        re.compile(rf"(?<![\w/.-]){_BOX2D_TASK}"),
        "the Box2D physics engine (box2d-py, built with SWIG: `pip install swig gymnasium[box2d]`)",
    ),
    (
        # Obstacle-Avoid-Car's flat_game/carmunk.py: a Pymunk (Chipmunk) world drawn with Pygame.
        _imports("pymunk"),
        None,
        "Pymunk (the Chipmunk 2D physics engine) and Pygame, at the versions the code was written for",
    ),
    (_imports("carla"), None, "the CARLA simulator server"),
    (_imports("deepmind_lab"), None, "DeepMind Lab (built with Bazel)"),
    (_imports("vizdoom"), None, "ViZDoom and its game scenarios"),
    (_imports("pysc2"), None, "the StarCraft II game binary and maps"),
    (_imports("habitat_sim", "habitat"), None, "Habitat-Sim and its scene datasets"),
    (
        _imports("traci", "sumolib"),
        None,
        "SUMO (the traffic simulator, SUMO_HOME set)",
    ),
    (_imports("pyrep", "rlbench"), None, "CoppeliaSim (V-REP), COPPELIASIM_ROOT set"),
    (_imports("isaacgym"), None, "NVIDIA Isaac Gym (a download, GPU only)"),
    (_imports("MalmoPython", "malmo"), None, "Project Malmo (Minecraft)"),
    (
        re.compile(
            r"^\s*(?:import|from)\s+(?:gfootball|minerl|retro|unityagents|mlagents_envs|osim|gym_torcs|airsim|ai2thor)\b",
            re.M,
        ),
        None,
        "the game/simulator binary this environment wraps",
    ),
)
_SYSTEM_PROGRAMS = {
    "th": "Torch7 (`th`, LuaJIT and luarocks)",
    "luajit": "LuaJIT",
    "matlab": "MATLAB",
    "octave": "GNU Octave",
    "java": "Java (a JRE)",
    "gcloud": "the Google Cloud SDK (gcloud, gsutil), logged in",
    "gsutil": "the Google Cloud SDK (gcloud, gsutil), logged in",
    "aws": "the AWS CLI, configured",
    "julia": "Julia",
    "Rscript": "R",
    "R": "R",
    "caffe": "Caffe (built, with its Python bindings)",
    "docker": "Docker (for a GPU image, the NVIDIA container toolkit too)",
    "nvidia-docker": "Docker with the NVIDIA container toolkit",
    "singularity": "Singularity/Apptainer",
    "perl": "Perl",
}
# Python packages that are only a wrapper: what they wrap must be installed by hand.
_SYSTEM_IMPORTS = (
    (_imports("matlab.engine"), "MATLAB and its Engine API for Python"),
    (_imports("pyrouge"), "ROUGE-1.5.5 (Perl), set up with `pyrouge_set_rouge_path`"),
    (
        re.compile(r"^\s*(?:import|from)\s+(?:stanfordcorenlp|pycorenlp|jnius|jpype)\b|StanfordCoreNLP", re.M),
        "Java (and Stanford CoreNLP where the code starts its server)",
    ),
    (
        # The captioning metrics: METEOR and SPICE are Java programs that pycocoevalcap starts.
        re.compile(
            r"^\s*(?:import|from)\s+(?:pycocoevalcap\.(?:meteor|spice|eval)|nlgeval|pyspark)\b|\bCOCOEvalCap\(", re.M
        ),
        "Java (a JRE)",
    ),
    (
        # Theano 1.0.5, the last release, no longer imports on Python 3.12 or today's NumPy.
        _imports("theano", "lasagne"),
        "Theano (unmaintained) with the old Python and NumPy it imports under (Python ≤ 3.7, numpy < 1.20)",
    ),
    (_imports("oct2py"), "GNU Octave"),
    (_imports("rpy2"), "R"),
    (_imports("tensorrt"), "NVIDIA TensorRT (and a GPU)"),
    (
        _imports("caffe"),
        "Caffe, built from source with its Python bindings (pycaffe is not on PyPI)",
    ),
    (
        _imports("pylearn2"),
        "Pylearn2 and the Theano it was written for, from source (Pylearn2 is not on PyPI)",
    ),
    (
        # torch.utils.cpp_extension.load(sources=[..., 'x.cu']): the op is compiled with nvcc on the first run.
        re.compile(r"cpp_extension\.load\([^)]*\.cu\b|^\s*from\s+torch\.utils\.cpp_extension\s+import\s+load\b", re.M),
        "the CUDA toolkit (nvcc) and a C++ compiler: the run compiles its CUDA op on first use",
    ),
    (
        _imports("apex"),
        "NVIDIA apex, built from source (the pip package `apex` is another one)",
    ),
)
# tf.contrib left TensorFlow in 2.0 (no compat module brings it back); TF 1.x has no wheel for today's Python.
_TF_CONTRIB = re.compile(r"^(?![ \t]*#)[^\n]*?\b(tf\.contrib\.\w+)|^\s*(?:from|import)\s+(tensorflow\.contrib)\b", re.M)
# A TensorFlow 0.x or 1.x the docs or requirement files ask for: `tensorflow-gpu==1.10.0`,
# `Tensorflow 1.3.0`, `[Tensorflow](...)>=1.3`, `TensorFlow r1.0`, `version 1.13.1` (not TensorFlow Hub's).
_TF1_DECLARED = re.compile(
    r"\btensorflow(?![-_ ]?(?:hub|probability|datasets|addons|serving|text|estimator|tensorboard))(?:[-_]gpu)?\b"
    r"(?:\]\([^)\n]*\))?(?:[^\n]{0,40}?\bversion\b)?[\s:*`\[\](]*(?:==|>=|~=|=|\br|\bv)?\s*\{?([01]\.(?:\d+|x))\b",
    re.I,
)
_TESTED_ON = re.compile(r"\b(?:tested|test\s+it|verified|ran\s+it)\b", re.I)
_DEPRECATED = re.compile(r"deprecat|\b(?:and|or) (?:earlier|older|below)\b|\bprior to\b|no longer", re.I)
_REQUIREMENT_FILES = ("requirements*.txt", "environment*.yml", "environment*.yaml", "Dockerfile")


def check_tf1(sources: Sequence[Source], repo_dir: Path, docs, needs: Found) -> None:
    """tf.contrib in the Python that runs needs TensorFlow 1.x. When the docs or the requirement
    files declare that version (`tensorflow-gpu==1.10.0`, "Tensorflow 1.3.0"), installing what the
    repo declares brings it (on a Python old enough): advice. Declared nowhere, it is blocking: a
    fresh install of `tensorflow` is 2.x, which stops at the first tf.contrib."""
    used = next(
        (
            (source, next(group for group in match.groups() if group))
            for source in sources
            if source.lang == "python"
            for match in [_TF_CONTRIB.search(source.text)]
            if match
        ),
        None,
    )
    if used is None:
        return
    source, name = used
    # The root docs and those beside what runs: an example's README pins its own stack.
    started = [s.path for s in sources if s.role == "start"]
    texts = [
        text
        for path, text in docs
        if "/" not in path or any(run.startswith(path.rpartition("/")[0] + "/") for run in started)
    ]
    for pattern in _REQUIREMENT_FILES:
        for path in sorted(repo_dir.glob(pattern))[:4]:
            try:
                texts.append(path.read_text(errors="replace")[:50_000])
            except OSError:
                continue
    declared = next(
        (
            m.group(0)
            for text in texts
            for m in _TF1_DECLARED.finditer(text)
            # "last tested with Python 3.5 and TensorFlow {1.8, 1.12}" reports where it ran (in the
            # sentence before, which may wrap), it asks for nothing.
            if not _TESTED_ON.search(text[max(0, m.start() - 100) : m.start()].rpartition("\n\n")[2])
            # "Support for TensorFlow 1.7 and earlier is already deprecated": a version it leaves.
            and not _DEPRECATED.search(text[max(0, m.start() - 40) : m.end() + 40])
        ),
        None,
    )
    what = "TensorFlow 1.x and a Python it supports (≤ 3.7): the code uses tf.contrib, which TensorFlow 2 dropped"
    if declared:
        detail = (
            f"{source.path} uses {name}: the repo declares `{declared.strip()}`, "
            "install that TensorFlow 1.x with a Python it supports (≤ 3.7)"
        )
    else:
        detail = f"{source.path} uses {name}: install {what}"
    needs.add("system", what, detail, blocking=not declared)


_CLOUD_LOGIN = {"gcloud": "gcloud auth login", "gsutil": "gcloud auth login", "aws": "aws configure"}
_CREDENTIAL_ASSIGN = re.compile(
    # The name starts at a word boundary: a leading [\w.]* would be tried from every character.
    r"""(?P<name>\b(?:\w+\.)?\w*?(?:api_?key|secret_?key|client_?secret|password|access_?key|auth_?token|access_?token|"""
    r"""(?:hf|github|openai|slack|bot|wandb|hyperdash)_?(?:token|key))\w*)\s*=\s*['"](?P<value>[^'"\n]*)['"]""",
    re.I,
)
_SECRET_WORD = re.compile(r"key|token|secret|password", re.I)
_FAKE_SECRET = re.compile(r"^$|your|<|xxx|\.\.\.|\*\*\*|insert|put[_ ]|here|change|fill|todo|replace|key_?here", re.I)
_ENV_READ = re.compile(
    r"""os\.environ\[\s*['"](?P<item>\w+)['"]\s*\](?!\s*=[^=])|os\.getenv\(\s*['"](?P<get>\w+)['"]\s*\)|"""
    r"""os\.environ\.get\(\s*['"](?P<dget>\w+)['"]\s*\)"""  # Lua's os.getenv('X') reads the same
)
_ENV_SET = re.compile(r"""os\.environ\[\s*['"](\w+)['"]\s*\]\s*=[^=]|os\.environ\.setdefault\(\s*['"](\w+)['"]""")
# Shell (and sourced settings): `X=`, `export X=`, `local X=`, `for X in`, `read X`, `getopts "ab:" X`.
_SHELL_SET = re.compile(
    r"""^\s*(?:export\s+|local\s+|declare\s+(?:-\w+\s+)*)?([A-Za-z_]\w*)=|\bfor\s+([A-Za-z_]\w*)\s+in\b|"""
    r"""\bread\s+(?:-\w+\s+)*([A-Za-z_]\w*)|\bgetopts\s+\S+\s+([A-Za-z_]\w*)""",
    re.M,
)


def _defaults(sources: Sequence[Source]) -> list[tuple[Source, str, str, str]]:
    """(source, flag, default, the whole declaration) of each argparse, absl/tf.flags and Torch
    cmd:option flag in the started scripts and their imports."""
    return [(source, *declared) for source in sources for declared in _declared(source.text, source.lang)]


@functools.lru_cache(maxsize=64)
def _declared(text: str, lang: str) -> tuple[tuple[str, str, str], ...]:
    """(flag, default, the whole declaration) of each flag one script declares; kept for the next
    check that asks (several do, for the same scripts)."""
    found = []
    if lang == "python":
        for match in _PY_DEFAULT.finditer(text):
            default = re.search(
                r"""default\s*=\s*(""" + _JOINED + r"""|['"][^'"]*['"]|-?[\w.]+)""", match.group("rest")
            )
            found.append((match.group("flag"), default.group(1) if default else "", match.group(0)))
        for match in _ABSL_DEFAULT.finditer(text):
            found.append((match.group("flag"), match.group("default").strip(), match.group(0)))
    elif lang == "lua":
        for match in _LUA_OPTION.finditer(text):
            found.append((match.group("flag"), match.group("default").strip(), match.group(0)))
    return tuple(found)


def _literal(default: str) -> str | None:
    match = re.fullmatch(r"""\s*['"]([^'"]*)['"]\s*""", default)
    if match is None and re.fullmatch(_JOINED, default.strip()):
        return "/".join(re.findall(r"""['"]([^'"\n]*)['"]""", default))
    return match.group(1) if match else None


_MAIN_GUARD = re.compile(r"""if\s+__name__\s*==\s*['"]__main__['"]\s*:""")


def _guard(lines: list[str], index: int, *, returns: bool = False) -> str | None:
    """The line that puts `lines[index]` behind a choice, or None: a ternary, any enclosing `if`/
    `else`/`try`, or (with `returns`) an earlier `return` in its function. A condition on anything
    may be the CPU path or a branch the run skips; only unconditional lines are sure."""
    line = lines[index]
    if re.search(r"\b(?:if|elseif)\b", line) or re.match(r"\s*(?:else|elif)\b", line):
        return line
    if index and re.search(r"\bif\b.*\\?\s*$", lines[index - 1]) and not lines[index - 1].rstrip().endswith(":"):
        return lines[index - 1]  # the second line of a ternary split over two lines
    indent = len(line) - len(line.lstrip())
    pending: tuple[str, int] | None = None  # a `return` above, unless it is in a function defined above
    for previous in reversed(lines[max(0, index - 300) : index]):
        stripped = previous.strip()
        if not stripped or stripped.startswith(("#", "--")):
            continue
        level = len(previous) - len(previous.lstrip())
        if level >= indent:
            # `if get_world_size() == 1: return data` above it in the same function: a path around it.
            if returns and re.match(r"(?:if\b.*:\s*)?return\b", stripped):
                pending = pending or (stripped, level)
            elif pending and level < pending[1] and re.match(r"(?:async\s+)?(?:def|class)\b", stripped):
                pending = None  # `def parse_args(): ... return args` before module code: not its path
            continue
        if pending:
            return pending[0]
        indent = level
        if _MAIN_GUARD.match(stripped):
            return None  # `if __name__ == "__main__":` is how a script runs, not a choice it makes
        if re.match(r"(?:if|elif|elseif|else|try|except|with\s+torch\.cuda\.device)\b", stripped):
            return stripped
        if re.match(r"(?:def|class|local\s+function|function)\b", stripped) or level == 0:
            return None
    return pending[0] if pending else None


def _guarded(lines: list[str], index: int, *, returns: bool = False) -> bool:
    return _guard(lines, index, returns=returns) is not None


def _given_pairs(sources: Sequence[Source], command: str) -> list[tuple[str, str]]:
    """The (flag, value) pairs this run passes: the shell lines that start the scripts, then the command."""
    started = [pair for s in sources if s.role == "start" for pair in flag_pairs(s.args)]
    return started + flag_pairs(shell_words(command))


def flag_values(sources: Sequence[Source], command: str = "", *, given: bool = True) -> dict[str, str]:
    """What each flag of the started scripts holds in this run: the value the command (or the shell
    line that starts the script) gives, else the declared default; a `store_true` flag is "True"
    when given and "False" when not. `given=False`: the declared defaults alone."""
    values: dict[str, str] = {}
    given_as: dict[str, str] = {}  # what a switch holds when the command names it
    for _, flag, default, declaration in _defaults(sources):
        switch = re.search(r"""action\s*=\s*['"]store_(true|false)['"]""", declaration)
        if switch:
            given_as.setdefault(norm_flag(flag), "True" if switch.group(1) == "true" else "False")
            default = "False" if switch.group(1) == "true" else "True"
        values.setdefault(norm_flag(flag), default)
    if not given:
        return values
    for name, value in _given_pairs(sources, command):
        key = norm_flag(name)
        values[key] = value or given_as.get(key, "True")
    return values


_CONSTANT = re.compile(
    r"""^([A-Za-z_]\w*)\s*=\s*(True|False|None|-?\d+(?:\.\d+)?|'[^'\n]*'|"[^"\n]*")\s*(?:#.*)?$""", re.M
)


def _constants(text: str) -> dict[str, str]:
    """A module's top-level settings written in (`flag_test = False`, `USE_CUDA = True`), which
    decide its `if`s as a flag's value would; a name set twice is left undecided."""
    found: dict[str, str] = {}
    for name, value in _CONSTANT.findall(text):
        key = norm_flag(name)
        found[key] = value if key not in found or found[key] == value else ""
    return {key: value for key, value in found.items() if value}


_SET_IN_BRANCH = re.compile(
    r"""^\s*(?:args|opt|opts|config|cfg|FLAGS|params)\.(\w+)\s*=\s*(True|False|None|-?\d+)\s*(?:#.*)?$"""
)


def _derived(lines: list[str], known: Mapping[str, str]) -> dict[str, str]:
    """Settings the script derives from a flag in the branch this run takes (dynamic-evaluation's
    `if args.gpu>=0: args.cuda = True` / `else: args.cuda=False` with --gpu's default 0), which then
    decide its later `if args.cuda:` as a flag would; a name set in two taken branches is left undecided."""
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        head = re.match(r"^(\s*)(if\b.*:|else\s*:)\s*(?:#.*)?$", line)
        if not head:
            continue
        if head.group(2).startswith("if"):
            taken = _decides(head.group(2), known)
        else:
            # The `if` this `else` closes: the nearest line above at the same depth.
            depth = len(head.group(1))
            above = next((j for j in range(i - 1, -1, -1) if lines[j].strip() and _indent(lines[j]) <= depth), None)
            opened = above is not None and _indent(lines[above]) == depth and re.match(r"\s*if\b.*:", lines[above])
            taken = _decides(lines[above].strip(), known) is False if opened and above is not None else None
        if not taken:
            continue
        for body in lines[i + 1 : i + 20]:
            if body.strip() and _indent(body) <= len(head.group(1)):
                break
            match = _SET_IN_BRANCH.match(body)
            if match:
                key = norm_flag(match.group(1))
                found[key] = match.group(2) if found.get(key, match.group(2)) == match.group(2) else ""
    return {key: value for key, value in found.items() if value and key not in known}


def _known(text: str, lines: list[str], values: Mapping[str, str]) -> dict[str, str]:
    """What a file's choices are decided by in this run: the flags' values, the constants it writes
    in, and the settings it derives from them in the branches the run takes."""
    known = {**_constants(text), **values}
    return {**_derived(lines, known), **known}


_COMPARE = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b}
_COMPARE |= {"<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _decides(guard: str, values: Mapping[str, str]) -> bool | None:
    """Does the run take the branch of `guard` (`if gpu < 0:` with --gpu's default -1, `if
    args.load_chkpt:` with that switch off)? None when the test is not on a flag's value."""
    test = re.match(r"\s*(?:el)?if\s*\(?\s*(not\s+)?(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)\s*\)?\s*:", guard)
    if test:
        value = values.get(norm_flag(test.group(2)))
        if value is None:
            return None
        truth = _literal(value) if _literal(value) is not None else value
        on = truth not in ("", "False", "None", "0", "false")
        return on != bool(test.group(1))
    test = re.match(r"\s*(?:el)?if\s*\(?\s*(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)\s+is\s+(not\s+)?None\s*\)?\s*:", guard)
    if test and norm_flag(test.group(1)) in values:
        # `if args.gpu is not None:` with `--gpu 0` given, or with no default.
        unset = values[norm_flag(test.group(1))] in ("", "None")
        return unset != bool(test.group(2))
    test = re.match(
        r"\s*(?:el)?if\s*\(?\s*(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)\s*(==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*\)?\s*:",
        guard,
    )
    if test and norm_flag(test.group(1)) in values:
        raw = values[norm_flag(test.group(1))]
        try:
            value = float((_literal(raw) or raw).strip())
        except ValueError:
            return None
        return _COMPARE[test.group(2)](value, float(test.group(3)))
    return None


def _taken(guard: str, named: set[str]) -> bool:
    """Does the command choose the branch: `if chk >= 0:` or `if args.test_only:` when it passes
    `--chk 98` or `--test_only True` (a negated test or an `else` is the other branch)?"""
    if re.search(r"\bnot\b|^\s*else\b|\bis\s+None\b", guard):
        return False
    return bool({norm_flag(word) for word in re.findall(r"[A-Za-z_]\w*", guard)} & named)


_ISINSTANCE = re.compile(r"\bisinstance\([^()]*\)")


def check_gpu(sources: Sequence[Source], named: set[str], docs, needs: Found, command: str = "") -> None:
    """CUDA with no CPU path in what runs; a device flag that defaults to CUDA is advice only. When
    the code says nothing, a doc sentence that requires a GPU counts (blocking unless the code has
    a CPU path)."""
    for source, flag, default, _ in _defaults(sources):
        value = (_literal(default) or default).lower().strip()
        on = re.match(r"^(cuda|cudnn|cudacudnn|gpu|cunn)", value) or (
            re.search(r"cuda|gpu", flag, re.I) and value == "true"
        )
        if _DEVICE_FLAG.search(flag) and on and not re.search(r"no[_-]?cuda|cpu", flag, re.I):
            if norm_flag(flag) in named:
                continue
            needs.add(
                "gpu",
                flag,
                f"{source.path}: {flag} defaults to '{value}' (CUDA); with no GPU pass a CPU value for {flag}",
                blocking=False,
            )
    values = flag_values(sources, command)
    defaults = flag_values(sources, command, given=False)
    for source in sources:
        if source.lang not in ("python", "lua"):
            continue
        lines = source.text.splitlines()
        # Read once per file, not once per guarded CUDA line (`if args.cuda: x = x.cuda()`, many times),
        # and only in a file that has one: most files the run reads have no CUDA call behind an `if`.
        known: dict[str, str] = {}
        by_default: dict[str, str] = {}
        read = False
        for i, line in enumerate(lines):
            code = line.split("#", 1)[0] if source.lang == "python" else line.split("--", 1)[0]
            if code.rstrip().endswith(",") and re.match(r"\s*\w+\s*=", code):
                continue  # `device="cuda",` in a signature or a call: a default the caller may change
            # `isinstance(input.data, torch.cuda.FloatTensor)` (DCGAN's models) asks, it runs nothing.
            if not _CUDA_CALL.search(_ISINSTANCE.sub("", code) if "isinstance(" in code else code):
                continue
            if source.lang == "python" and _MOVER.fullmatch(_enclosing_def(lines, i) or ""):
                continue  # a class's own `def cuda(self, device=None)`: runs when a caller moves it to CUDA
            # Behind an `if`, only when this run's flag values take that branch (`if gpu < 0:`, --gpu -1).
            guard = _guard(lines, i, returns=True)
            if guard is not None and not read:
                known, by_default, read = _known(source.text, lines, values), _known(source.text, lines, defaults), True
            switch = _switched_on(lines, i, known, by_default) if guard is not None else None
            if switch is not None:
                # `--cuda` in the documented command (`if opt.cuda: netG.cuda()`, default off): the
                # user's choice, not the run's; without the switch it runs on the CPU.
                needs.add(
                    "gpu",
                    "cuda switch",
                    f"{source.path}:{i + 1} `{code.strip()[:60]}` runs because the command switches CUDA on"
                    f" (`{switch[:40]}`): with no GPU drop that switch",
                    blocking=False,
                )
                continue
            if guard is None or _decides(guard, known):
                branch = f" (this run's values take `{guard.strip()[:60]}`)" if guard is not None else ""
                needs.add(
                    "gpu",
                    "cuda",
                    f"{source.path}:{i + 1} `{code.strip()[:80]}` runs on CUDA with no CPU path{branch}: needs a GPU",
                )
                return
    if needs.has("gpu"):
        return
    _cuda_parameter_defaults(sources, needs)
    if needs.has("gpu"):
        return
    _gpu_asked_for(sources, command, needs)
    if needs.has("gpu"):
        return
    _tf1_gpu_placement(sources, needs)
    if needs.has("gpu"):
        return
    for path, text in docs:
        # A sentence wrapped over lines is one ("must use nvidia-docker, because this repository\nrequires
        # GPUs."); blank lines, list items and headings end one.
        for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*(?:[-*+|#>]|\d+\.|```))", text):
            # "GPU preferred", "CUDA 8 as the docker image requires": about speed or a build, not the run.
            # A model list's line ("`yolov3.cfg` (236 MB) - requires 4 GB GPU-RAM: https://...weights") is
            # about that model's memory, not this run.
            hedged = re.search(r"\bCPU\b|optional|recommend|prefer|faster|speed|docker|version|://", sentence, re.I)
            if _GPU_REQUIRED.search(sentence) and not hedged:
                fallback = any(_CPU_PATH.search(source.text) for source in sources)
                quote = re.sub(r"\s+", " ", sentence.strip())[:120]
                needs.add("gpu", "docs", f'{path} says a GPU is required: "{quote}"', blocking=not fallback)
                return


# Methods that move an object to a device when asked: the CUDA calls in them run only then.
_MOVER = re.compile(r"cuda|to|gpu|to_cuda|to_gpu|to_device|_apply")


def _enclosing_def(lines: list[str], index: int, reach: int = 300) -> str | None:
    """The name of the function whose body holds lines[index], or None at module level."""
    indent = _indent(lines[index])
    for j in range(index - 1, max(-1, index - reach), -1):
        line = lines[j]
        if not line.strip() or line.lstrip().startswith("#") or _indent(line) >= indent:
            continue
        match = re.match(r"\s*(?:async\s+)?def\s+(\w+)\s*\(", line)
        if match:
            return match.group(1)
        indent = _indent(line)
        if indent == 0:
            return None
    return None


def _switched_on(lines: list[str], index: int, known: Mapping[str, str], by_default: Mapping[str, str]) -> str | None:
    """The `if` about CUDA around `lines[index]` (at any depth) that this run takes only because
    the command passes a switch: false by default (`--cuda` is store_true), true as the command
    stands (mitscha/dplc's `if opt.cuda:` around `netG.cuda()`), or None."""
    indent = _indent(lines[index])
    for previous in reversed(lines[max(0, index - 300) : index]):
        stripped = previous.strip()
        level = _indent(previous)
        if not stripped or stripped.startswith("#") or level >= indent:
            continue
        indent = level
        words = {norm_flag(word) for word in re.findall(r"[A-Za-z_]\w*", stripped)}
        if (
            re.match(r"if\b", stripped)
            and re.search(r"cuda|gpu", stripped, re.I)
            # a switch (`--cuda`, off unless given), not a GPU id (`--gpus 0` is asked for: blocking)
            and any(by_default.get(w) == "False" and known.get(w) == "True" for w in words)
            and _decides(stripped, known) is True
            and _decides(stripped, by_default) is False
        ):
            return stripped
        if level == 0:
            return None
    return None


# `def propagate(adj, y, ..., device='cuda', display=True):` (the signature may span lines).
_CUDA_PARAMETER = re.compile(
    r"""^[ \t]*def[ \t]+(\w+)\((?:[^()]|\([^()]*\))*?\bdevice\s*=\s*f?['"]cuda(?::\d+)?['"]""", re.M
)


def _cuda_parameter_defaults(sources: Sequence[Source], needs: Found) -> None:
    """A function of the repo whose `device` parameter defaults to CUDA, used by another module the
    run reads that never says `device` at all (no keyword, no variable, no `cuda.is_available()`):
    every call takes the default, so the run goes to CUDA (CorrectAndSmoothOGB's
    `outcome_correlation.py`, whose functions run_experiments.py picks as `gat_fn = ...`)."""
    python = [s for s in sources if s.lang == "python"]
    for source in python:
        for match in _CUDA_PARAMETER.finditer(source.text):
            name = match.group(1)
            used = re.compile(rf"\b{re.escape(name)}\b")
            users = [
                other
                for other in python
                if other is not source and used.search(re.sub(rf"def[ \t]+{re.escape(name)}\b", "", other.text))
            ]
            if users and not any(re.search(r"\bdevice\b|cuda\.is_available", other.text) for other in users):
                line = source.text.count("\n", 0, match.start()) + 1
                needs.add(
                    "gpu",
                    "cuda",
                    f"{source.path}:{line} `{name}(..., device='cuda')` defaults to CUDA and {users[0].path} "
                    "calls it without a device: needs a GPU (or pass device='cpu')",
                )
                return


# A value that picks a GPU: `--gpus=0`, `--gpu_ids 0,1`, `--device cuda:0`; a bare `--cuda`/`--use_gpu` switch.
_GPU_VALUE = re.compile(r"\d+(?:,\d+)*|cuda(?::\d+)?|gpu(?::\d+)?|true", re.I)
_GPU_FLAG = re.compile(r"^-{1,2}(?:gpus?|gpu_?ids?|gpuid|cuda|use_?(?:gpu|cuda)|devices?|device_ids?)$", re.I)


def _gpu_asked_for(sources: Sequence[Source], command: str, needs: Found) -> None:
    """The command (or the shell line that starts the script) asks for a GPU (`--gpus=0` into
    `mx.gpu(i) for i in args.gpus`) and the code has CUDA calls and no `cuda.is_available()` way
    back to the CPU: that run stops on a machine without one. A GPU value the code only defaults
    to is advice (above); one the documented command passes is not."""
    asked = [
        (name, value)
        for name, value in _given_pairs(sources, command)
        if _GPU_FLAG.match(name)
        and (_GPU_VALUE.fullmatch(value or "true") or not value)
        and not (re.search(r"device", name, re.I) and re.fullmatch(r"\d+(?:,\d+)*", value or ""))
    ]
    # `CUDA_VISIBLE_DEVICES=0 python test.py`, `export CUDA_VISIBLE_DEVICES=0,1` in the script that starts it.
    lines = [command, *(line for s in sources if s.lang == "shell" for line in s.text.splitlines())]
    asked += [
        ("CUDA_VISIBLE_DEVICES", m.group(1))
        for line in lines
        if not line.lstrip().startswith("#")
        for m in [re.search(r"\bCUDA_VISIBLE_DEVICES=['\"]?(\d+(?:,\d+)*)\b", line)]
        if m
    ]
    code = [s for s in sources if s.lang in ("python", "lua")]
    if not asked or any(_CPU_PATH.search(s.text) for s in code):
        return
    values = flag_values(sources, command)
    for source in code:
        lines = source.text.splitlines()
        known = _known(source.text, lines, values)
        for i, line in enumerate(lines):
            if not _CUDA_CALL.search(line.split("#", 1)[0]):
                continue
            guard = _guard(lines, i)
            if guard is None or _decides(guard, known) is not False:  # not on a branch this run skips
                name, value = asked[0]
                spelled = f"{name}={value}" if value else name
                needs.add(
                    "gpu",
                    "cuda",
                    f"the command asks for a GPU ({spelled}) and {source.path}:{i + 1} "
                    f"`{line.strip()[:80]}` runs on it: needs a GPU (or drop {name} where the code allows)",
                )
                return


_TF_GPU_DEVICE = re.compile(r"""tf\.device\(\s*f?['"]/(?:device:)?gpu""", re.I)


def _tf1_gpu_placement(sources: Sequence[Source], needs: Found) -> None:
    """`with tf.device('/gpu:0'):` in a TensorFlow 1 session: without `allow_soft_placement=True`
    the session refuses to place those ops on a machine with no GPU (TF 2's eager mode falls back)."""
    python = [s for s in sources if s.lang == "python"]
    if not any(re.search(r"\bSession\(|MonitoredTrainingSession\(", s.text) for s in python):
        return
    if any(re.search(r"allow_soft_placement\s*=\s*True", s.text) for s in python):
        return
    for source in python:
        lines = source.text.splitlines()
        for i, line in enumerate(lines):
            code = line.split("#", 1)[0]
            if _TF_GPU_DEVICE.search(code) and not _guarded(lines, i):
                needs.add(
                    "gpu",
                    "cuda",
                    f"{source.path}:{i + 1} `{code.strip()[:80]}` pins ops to a GPU in a TensorFlow 1 session "
                    "without allow_soft_placement: needs a GPU (or set allow_soft_placement=True)",
                )
                return


# "it is required to use GPU", "Install Torch on a machine with CUDA GPU", "requires an NVIDIA GPU".
_GPU_REQUIRED = re.compile(
    r"\b(?:requires?|required|must (?:have|use|run)|only (?:runs|works))\b[^.\n]{0,40}\b(?:GPUs?|CUDA)\b"
    r"|\b(?:GPUs?|CUDA)\b[^.\n]{0,30}\b(?:is|are) (?:required|needed|necessary|a must)"
    r"|machine with (?:an? )?(?:CUDA|NVIDIA)[- ]?(?:capable )?GPU"
    # "Any NVIDIA GPUs with at least 4GB memory should be OK", "needs at least one GPU"
    r"|\bGPUs?\b[^.\n]{0,20}\bwith (?:at least )?\d+ ?GB|\bat least (?:one|1|\d+) (?:NVIDIA )?GPUs?\b",
    re.I,
)
_CPU_PATH = re.compile(r"cuda\.is_available\(\)|--(?:cpu|no[_-]cuda)\b|device\s*=\s*['\"]cpu", re.I)


def _bases(source: Source, base: Path, repo_dir: Path) -> list[Path]:
    """Folders a relative path in `source` may be relative to: the command's folder, the script's
    own folder, the repo root. A path found under any of them is not a need (precision first)."""
    return [base, (repo_dir / source.path).parent, repo_dir]


def _absent(value: str, bases: Sequence[Path], args: Sequence[str] = ()) -> bool:
    """Is a relative path, maybe a template (`data/ind.{}.x`), absent under every base? A template
    is tried with the command's own arguments first: `train.py 20ng` reads `data/ind.20ng.x`."""
    if FIELD.search(value):
        fills = [a for a in args if re.fullmatch(r"[\w.-]{1,40}", a)]
        if fills:
            tried = [FIELD.sub(a, value, count=1) for a in fills]
            return not any(path_exists(b, t) for b in bases for t in tried)
    return not any(path_exists(b, value) for b in bases)


# Where people keep data on their own machines; /root/ is the home of a root user (a container's).
_AUTHORS_ROOT = re.compile(r"^/(?:home|Users|root|mnt|data\d*|nas|scratch|share|media|disk\d*|ssd|hdd|local|raid|nfs)/")


# The top folders every Linux machine (or the container a repo ships) has: a path under one may be
# this machine's. Any other top folder is one the authors made (cycada's `/x/jhoffman`, `/checkpoint/me`).
_SYSTEM_ROOTS = frozenset(
    "bin boot dev etc lib lib32 lib64 libx32 opt proc run sbin srv sys tmp usr var "
    # what Docker images and notebooks set up: WORKDIR /workdir (argus-tgs-salt), Colab, Kaggle
    "workspace workdir app code src project content kaggle".split()
)


def _authors_path(value: str) -> bool:
    """An absolute path that only the authors' machine has (/home/me/data, /mnt/nas/x, /x/jhoffman,
    a Windows drive: F:/Yelp Data/x.txt)."""
    if _WINDOWS_PATH.match(value):
        return True
    top = re.match(r"^/([\w.-]+)/[\w.-]", value)
    return (
        _AUTHORS_ROOT.match(value) is not None or (top is not None and top.group(1) not in _SYSTEM_ROOTS)
    ) and not Path(value).exists()


_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[/\\]")


def _authors_folder(value: str) -> str:
    """The folder of a path on the authors' machine: four files under F:/Yelp Data/ are one path to edit."""
    return re.split(r"[/\\](?=[^/\\]*\.\w{1,5}$)", value)[0]


def _found_path(kind_hint: str, value: str, where: str, docs, needs: Found, *, optional: bool) -> None:
    """Record one absent path, a checkpoint or data; `optional`: the run may do without it (the code
    downloads it, or reads it only behind an `if`)."""
    if any(fnmatch.fnmatchcase(name, Path(value.rstrip("/")).name) for name in needs.fetched):
        needs.add(kind_hint, value, f"{where} {value}: the run downloads it first (network needed)", blocking=False)
        return
    if kind_hint == "checkpoint":
        needs.add("checkpoint", value, f"{where} {value}: {checkpoint_advice(value, docs)}", blocking=not optional)
    else:
        advice = download_advice(value, docs)
        needs.add("dataset", value, f"{where} {value}, which is not there; {advice}", blocking=not optional)


def check_defaults(
    sources: Sequence[Source],
    named: set[str],
    base: Path,
    repo_dir: Path,
    kind: str,
    docs,
    needs: Found,
    command: str = "",
) -> None:
    """Flag defaults in the scripts that run (argparse, absl/tf.flags, Torch cmd:option) that point at
    files that are not there, unless the command (or the shell line that starts the script) sets
    that flag. In an evaluation, a flag the code restores weights from is a checkpoint whatever
    its name (`--logdir`, default /tmp/agent, handed to `checkpoint_dir=`)."""
    # Once for the plan: each call walks every source and reads every flag's default.
    restores = _restores(sources, command) if kind == "eval" else {}
    read = _read_flags(sources)
    for source, flag, default, declaration in _defaults(sources):
        value = _literal(default)
        mine = named | {norm_flag(name) for name, _ in flag_pairs(source.args)}
        if norm_flag(flag) in restores and norm_flag(flag) not in mine and default in ("", "None", "''", '""'):
            # Said by check_arguments when required; `if args.resume:` around the load makes it optional.
            sure = restores[norm_flag(flag)]
            if not re.search(r"required\s*=\s*True", declaration) and sure is not False:
                # Behind `if args.resume:` an evaluation still runs, on untrained weights: said as advice.
                needs.add(
                    "checkpoint",
                    flag,
                    f"{source.path}: the run loads weights from {flag}, which has no default and the command "
                    f"does not pass it: add {flag} PATH ({checkpoint_advice(flag, docs)})",
                    blocking=bool(sure),
                )
            continue
        if not value or norm_flag(flag) in mine or "://" in value:
            continue
        if norm_flag(flag) in restores and not path_exists(base, value):
            # Behind an `if` another flag's value skips (`if FLAGS.load_formalVal:`, False), nothing is loaded.
            if restores[norm_flag(flag)] is not False:
                _found_path("checkpoint", value, f"{source.path}: {flag} defaults to", docs, needs, optional=False)
            continue
        # `--model data/mymodel` in an evaluation; `np.load(args.matrix)`: a flag read as a file is data.
        ckpt = weights_key(flag, kind) or (
            kind == "eval" and re.fullmatch(r"models?", norm_flag(flag)) and "/" in value
        )
        data = DATA_WORDS.search(flag) or norm_flag(flag) in read
        # A bare name (`checkpoint`, `data`) is a folder when the flag says it holds files.
        folderish = re.search(r"(?:dir|path|folder|root|file)s?$", norm_flag(flag)) and re.fullmatch(
            r"[\w.-]+/?", value
        )
        if not (looks_like_path(value) or folderish) or (OUTPUT_WORDS.search(flag) and not ckpt):
            continue
        if re.search(r"\.(ya?ml|json|py|sh|cfg|lua)$", value) and not data:
            continue
        if value.startswith(("/", "~")):
            if _authors_path(value) and (ckpt or data):
                needs.add(
                    "placeholder",
                    value,
                    f"{source.path}: {flag} defaults to {value}, a path on the authors' machine: "
                    f"add {flag} with yours to the command",
                )
            if not value.startswith("~") or Path(os.path.expanduser(value)).exists():
                continue
        if not _absent(value, _bases(source, base, repo_dir)):
            continue
        if ckpt and not _flag_used(sources, flag):
            continue  # HDML's `checkpoint_path` ("Directory to restore and save checkpoints"), read nowhere
        if ckpt:
            _found_path("checkpoint", value, f"{source.path}: {flag} defaults to", docs, needs, optional=False)
        elif data:
            downloads = _DOWNLOADS.search(source.text) is not None
            _found_path("dataset", value, f"{source.path}: {flag} defaults to", docs, needs, optional=downloads)


def _flag_used(sources: Sequence[Source], flag: str) -> bool:
    """Whether any code that runs reads the flag's value (`FLAGS.checkpoint_path`, `args.resume`,
    `opt['resume']`, `getattr(args, 'resume')`, Lua's `opt.resume`), besides declaring it."""
    name = re.escape(flag.lstrip("-").replace("-", "_"))
    use = re.compile(rf"""\.{name}\b|\[\s*['"]{name}['"]\s*\]|getattr\([^,\n]+,\s*['"]{name}['"]""")
    # A source whose flags are read all at once (`vars(args)`, `**vars(opt)`, `config.update(FLAGS)`)
    # may read this one under another name: counted as used.
    whole = re.compile(r"vars\(\s*(?:args|opt|opts|FLAGS)\s*\)|__dict__|\.flag_values_dict\(|FLAGS\.__flags")
    return any(use.search(s.text) or whole.search(s.text) for s in sources if s.lang in ("python", "lua"))


# A value written in the code that stands for the user's own: `path/to/dataset`, `/path/to/coco`,
# `YOUR_DATA_DIR`, `/your/model/here`, `<path to the images>`, `/xxx/imagenet`, `SPECIFY_..._HERE`.
_PLACEHOLDER_VALUE = re.compile(
    r"(?:^|/)(?:[a-z]+_)?path/to/|\bpath_to_|(?:^|[/_-])(?:YOUR|your|Your)(?:[_/-]|$)"
    r"|^<[^<>]*(?:path|dir|folder|file|data|your|model)[^<>]*>$|(?:^|/)(?:x{3,}|X{3,})(?:/|$)"
    r"|SPECIFY|(?:^|_)HERE$|CHANGE_?ME"
)


def check_placeholder_defaults(sources: Sequence[Source], command: str, needs: Found) -> None:
    """A flag default or a setting in the code that is a placeholder, not a value (`default=
    'path/to/dataset'`, `DATA_ROOT = '/path/to/coco'`): the run stops on it until the user puts
    theirs (a flag the command passes is filled already)."""
    named = {norm_flag(name) for name, _ in _given_pairs(sources, command)}
    for source, flag, default, _ in _defaults(sources):
        value = _literal(default)
        if value and _PLACEHOLDER_VALUE.search(value) and norm_flag(flag) not in named:
            needs.add(
                "placeholder",
                value,
                f"{source.path}: {flag} defaults to `{value}`, a value left to you: pass {flag} with yours",
            )
    for source in sources:
        if source.lang != "python":
            continue
        for match in _LITERAL_ASSIGN.finditer(source.text):
            value = match.group("path")[1:-1]
            if _PLACEHOLDER_VALUE.search(value):
                line = source.text.count("\n", 0, match.start()) + 1
                needs.add(
                    "placeholder",
                    value,
                    f"{source.path}:{line} sets {match.group('name')} = '{value}', a value left to you: edit it",
                )


# `torch.load(args.model)`, `saver.restore(sess, opt.ckpt)`.
# The flag is the path or its folder (`os.path.join(args.dir, 'x.pth')`), not a part of a written-in
# one: in `torch.load('./checkpoint/' + args.dataset + '.t7')` the flag is a data set's name.
_RESTORE_FROM_FLAG = re.compile(
    r"(?:checkpoint_dir\s*=|restore\(|latest_checkpoint\(|torch\.load\(|load_state_dict\(|load_weights\(|"
    r"load_checkpoint\(|load_model\()(?:[^)'\"\n]*?,\s*)?(?:(?:os\.path|osp)\.join\(|open\(|str\(|Path\()?\s*"
    r"(?:FLAGS|args|opt|opts|cfg|config)\.(\w+)"
)


# A flag's value opened as a file as it is: `np.load(args.matrix)`, `open(FLAGS.vocab_file)`.
# Also a folder a reader joins a name to, or hands to a data set class (`ImageFolder(args.root)`,
# `SaltDataset(root=args.data_dir)`): whatever the flag is called, the run reads under it.
_READ_FROM_FLAG = re.compile(
    r"(?=\w)(?:\bopen|np\.load|numpy\.load|pd\.read_\w+|h5py\.File|loadmat|np\.loadtxt|Image\.open|imread|"
    r"listdir|glob\.glob|\b\w*(?:Dataset|Folder|Reader|Corpus|DataLoader))\(\s*(?:\w+\s*=\s*)?"
    r"(?:(?:os\.path|osp)\.join\(\s*)?(?:FLAGS|args|opt|opts|cfg|config)\.(\w+)\s*[,)]"
)


def _read_flags(sources: Sequence[Source]) -> set[str]:
    return {norm_flag(m.group(1)) for s in sources if s.lang == "python" for m in _READ_FROM_FLAG.finditer(s.text)}


# A variable that holds a flag's value or a path under it: `exp_dir = args.exp_dir`, then
# `save_name = os.path.join(exp_dir, exp_name + '_best.pth')` (LaneNet's test_tusimple.py).
_FLAG_ALIAS = re.compile(
    r"^[ \t]*(?P<var>[A-Za-z_]\w*)\s*=\s*(?:(?:os\.path|osp)\.join\(\s*|str\(|Path\()?"
    r"(?:(?:FLAGS|args|opt|opts|cfg|config)\.(?P<flag>\w+)|(?P<other>[A-Za-z_]\w*))\s*[,+)/]?[^\n]*$",
    re.M,
)
# A weights loader handed a variable: `torch.load(save_name, map_location='cpu')`.
_RESTORE_FROM_VARIABLE = re.compile(
    r"(?:restore\(|torch\.load\(|load_state_dict\(torch\.load\(|load_weights\(|load_checkpoint\(|load_model\()"
    r"(?:[^)'\"\n]*?,\s*)?(?P<var>[A-Za-z_]\w*)\s*[,)]"
)


@functools.lru_cache(maxsize=64)
def _flag_aliases(text: str) -> Mapping[str, str]:
    """Each variable of a script that holds a flag's value or a path under it, and that flag; kept
    for the next look at the same script (its loads, then its saves)."""
    aliases: dict[str, str] = {}
    for match in _FLAG_ALIAS.finditer(text):
        flag = match.group("flag") or aliases.get(match.group("other") or "")
        if flag and match.group("var") not in ("args", "opt", "opts", "FLAGS", "cfg", "config"):
            aliases[match.group("var")] = flag
    return MappingProxyType(aliases)


def _restored_through_variables(text: str) -> list[tuple[str, int]]:
    """(flag, offset of the load) for each weights load of a variable that holds a flag's path."""
    aliases = _flag_aliases(text)
    if not aliases:
        return []
    return [
        (aliases[m.group("var")], m.start()) for m in _RESTORE_FROM_VARIABLE.finditer(text) if m.group("var") in aliases
    ]


# A weights save to a variable or a flag's value: `torch.save(model, model_save_dir)`, `saver.save(sess, args.ckpt)`.
_SAVE_TO = re.compile(
    r"(?:torch\.save\(|\.save\(|save_weights\(|save_checkpoint\(|save_model\()(?:[^)'\"\n]*?,\s*)?"
    r"(?:(?:FLAGS|args|opt|opts|cfg|config)\.(?P<flag>\w+)|(?P<var>[A-Za-z_]\w*))\s*[,)]"
)


def _restore_sites(source: Source) -> list[tuple[str, int]]:
    """(flag, offset) of each weights load from a flag: directly or through a variable. A load of
    what the same script saved first is no need (phc-gnn's train_hiv.py: `torch.save(model,
    model_save_dir)` in its epochs, then `torch.load(model_save_dir)` to test)."""
    direct = [(m.group(1), m.start()) for m in _RESTORE_FROM_FLAG.finditer(source.text)]
    sites = direct + _restored_through_variables(source.text)
    if not sites or "save" not in source.text:
        return sites
    saves = list(_SAVE_TO.finditer(source.text))
    saved_flags = {m.group("flag") for m in saves if m.group("flag")}
    aliases = _flag_aliases(source.text)
    saved_flags |= {aliases[m.group("var")] for m in saves if m.group("var") in aliases}
    first_save = min((m.start() for m in saves), default=len(source.text))
    return [(flag, at) for flag, at in sites if not (flag in saved_flags and first_save < at)]


def restored_flags(sources: Sequence[Source]) -> set[str]:
    """The flags the code restores weights from, behind an `if` or not."""
    return {norm_flag(flag) for s in sources if s.lang == "python" for flag, _ in _restore_sites(s)}


def _restores(sources: Sequence[Source], command: str) -> dict[str, bool | None]:
    """Each flag the code restores weights from: True when this run restores it (no `if`, or one its
    flag values take), None when an `if` on that flag itself decides (`if args.resume:`), False when
    another flag's value skips the branch (`if args.load_chkpt:` with that switch off)."""
    found: dict[str, bool | None] = {}
    values = flag_values(sources, command)
    for source in sources:
        if source.lang != "python":
            continue
        lines = source.text.splitlines()
        for flag, offset in _restore_sites(source):
            name = norm_flag(flag)
            guard = _guard(lines, source.text.count("\n", 0, offset))
            tested = guard is not None and name in {norm_flag(w) for w in re.findall(r"[A-Za-z_]\w*", guard)}
            decided = None if guard is None or tested else _decides(guard, values)
            sure = guard is None or decided is True if not tested else None
            if decided is False:
                sure = False
            if found.get(name) is not True:
                found[name] = sure if found.get(name) is None or sure else found[name]
    return found


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


def check_reads(
    sources: Sequence[Source],
    base: Path,
    repo_dir: Path,
    args: Sequence[str],
    named: set[str],
    docs,
    needs: Found,
    evaluates: bool = False,
) -> None:
    """Files the code opens at a written-in path (`open('data/ind.{}.x'.format(d))`), and data or
    weights paths kept in variables, that are absent. `evaluates`: the command is an evaluation, whose
    weights are needed even where the code loads them only under an `if`."""
    values = flag_values(sources)
    for source in sources:
        if source.lang == "matlab":
            for value in (a or b for a, b in _MATLAB_READ.findall(source.text)):
                if not value.startswith(("/", "~")) and _absent(value, _bases(source, base, repo_dir)):
                    _found_path("dataset", value, f"{source.path} reads", docs, needs, optional=False)
            continue
        if source.lang != "python":
            continue
        downloads = _DOWNLOADS.search(source.text) is not None
        bases = _bases(source, base, repo_dir)
        lines = source.text.splitlines()
        written = _written(source.text)
        constants = _constants(source.text)
        # `load_model('model/stacking_ds_' + str(i) + '.h5')`: the written-in part is a prefix.
        found = [
            (
                m.group("path")[1:-1] + ("*" if m.group("concat") else ""),
                m.group(0),
                m.group("mode") or "",
                source.text.count("\n", 0, m.start()),
            )
            for m in _READ_CALL.finditer(source.text)
        ]
        # Variables named for data; a checkpoint kept in a variable is as often where training writes.
        for m in _PATH_ASSIGN.finditer(source.text):
            name, value = m.group("name") or m.group("key"), (m.group("path") or m.group("value"))[1:-1]
            short = norm_flag(re.sub(r"\W+", "_", name).strip("_").split("_")[-1] if m.group("name") else name)
            if (
                re.search(r"data|root|corpus|images?|(?:train|test|val\w*)_?(?:file|path|dir)", name, re.I)
                and short not in named
            ):
                found.append((value, name, "", source.text.count("\n", 0, m.start())))
        found += _variables_read(source.text, {value for value, _, _, _ in found})
        handed = _weights_handed_on(source.text, {value for value, _, _, _ in found})
        found += handed
        found += _beside_the_code(source.text)
        pending: list[tuple[str, str, int, bool, bool]] = []  # kind, path, line, fetched by the code, guarded
        for value, context, mode, line in found:
            if line < len(lines) and lines[line].lstrip().startswith("#"):
                continue  # `# E = np.load('imdb_b.embeddings.txt')`: code left commented out
            if re.search(r"[wa]", mode) or value.startswith(("{", "%", "$")) or "://" in value:
                continue
            output = (OUTPUT_WORDS.search(value.split("/")[0]) and not _DATA_READER.match(context)) or (
                OUTPUT_WORDS.search(context.split("(")[0])
            )
            if output and (value, context, mode, line) not in handed:
                continue  # `saved-models/x.h5` handed on to a loader by a script that does not train is read
            if re.search(r"\.(py|sh|md|ya?ml|json|cfg|so|dylib|dll|pyd)$", value) and not (
                value.endswith(".json") and _JSON_DATA.search(context)
            ):
                continue  # code and settings, not data; `opt.dataroot = 'data/www01.json'` is data
            ckpt = (
                re.search(
                    r"torch\.load|load_state_dict|restore|ckpt|checkpoint|weights?|model_?(?:path|file|dir)",
                    context,
                    re.I,
                )
                or WEIGHT_FILE.search(value)
                or _call_kind(context) == "checkpoint"
            )
            if value in written and (value, context, mode, line) not in handed:
                continue  # train-then-test: `torch.save(state, 'resnet110.t7')` before `torch.load('resnet110.t7')`
            # A bare file name is only trusted as a need when a weights loader builds it
            # (`load_weights('model_' + str(scale) + 'x.h5')`) or a reader of data only (`pd.read_csv`);
            # elsewhere (`open`) it is too often a log or a label.
            weights = ckpt and ("*" in value or WEIGHT_FILE.search(value) or _LOADS_WEIGHTS.search(context))
            if "/" not in value and not (weights or _DATA_READER.match(context)):
                continue
            if value.startswith(("/", "~")) or _WINDOWS_PATH.match(value):
                if _authors_path(value):
                    folder = _authors_folder(value)
                    needs.add(
                        "placeholder",
                        folder,
                        f"{source.path} has {value} written in, a path on the authors' machine: edit it to yours",
                    )
                    if not ckpt:
                        # cycada's `datadir = '/x/jhoffman'`, where its loaders download the digits.
                        fetched = any(_DOWNLOADS.search(s.text) for s in sources if s.lang == "python")
                        needs.add(
                            "dataset",
                            folder,
                            f"{source.path} expects its data at {value}: "
                            + (
                                "the run downloads it there (network needed)"
                                if fetched
                                else download_advice(value, docs)
                            ),
                            blocking=not fetched,
                        )
                    continue
                if not value.startswith("~") or Path(os.path.expanduser(value)).exists():
                    continue
            if not _absent(value, bases, args):
                continue
            # A read inside an `if` may be an option the command does not take: said, not blocking,
            # unless the command sets what the `if` tests (`if chk >= 0:` with `--chk 98`).
            guard = _guard(lines, line)
            by_flag = _decides(guard, values) if guard is not None else None
            if by_flag is None and guard is not None and _decides(guard, constants) is False:
                continue  # `if(flag_test):` with `flag_test = False` written above: no flag takes it
            taken = guard is not None and (_taken(guard, named) or bool(by_flag))
            kind = "checkpoint" if ckpt else "dataset"
            pending.append((kind, value, line, downloads and not ckpt, guard is not None and not taken))
        # `if test: data = '../data/test.txt' else: data = '../data/trial.txt'`: when every branch of
        # an if/else reads a missing file, whichever the run takes, it stops.
        branches = {_branch(lines, line) for _, _, line, _, guarded in pending if guarded}
        every = {chain for chain, _ in branches if chain is not None and _branches(lines, chain) <= branches}
        # An evaluation that loads its weights only inside an `if` the command does not take
        # (`if chk >= 0: model.load_weights(...)`, chk defaulting to -1) scores an untrained model.
        untrained = evaluates and not any(k == "checkpoint" and not g for k, _, _, _, g in pending)
        for kind, value, line, fetched, guarded in pending:
            branch = _branch(lines, line) if guarded else None
            optional = fetched or (guarded and (branch is None or branch[0] not in every))
            where = f"{source.path} reads"
            if optional and untrained and kind == "checkpoint" and not fetched:
                optional = False
                where = (
                    f"{source.path} reads (only under an `if` this run does not take: else it scores untrained weights)"
                )
            _found_path(kind, value, where, docs, needs, optional=optional)


# Files a run reads together from one folder: `os.path.join(path, 'train.txt')`, `.. 'valid.txt')`
# (awd-lstm's Corpus), `data_path + '/test.txt'`, or `"{}{}.content".format(path, dataset)` and
# `"{}{}.cites".format(path, dataset)` (pyGAT's load_data): the same folder, other written-in names.
_JOINED_NAME = re.compile(
    r"""(?:os\.path|osp)\.join\(\s*(?P<var>[A-Za-z_][\w.\[\]'"]*)\s*,\s*['"](?P<name>[\w.-]+\.\w{1,6})['"]\s*\)"""
    r"""|(?P<cvar>[A-Za-z_][\w.\[\]'"]*)\s*\+\s*['"]/(?P<cname>[\w.-]+\.\w{1,6})['"]"""
)
_SUFFIX_TEMPLATE = re.compile(
    r"""['"][^'"\n]*(?:\{\w*\}|%s)(?P<suffix>\.\w{1,8})['"]\s*(?:\.format\(|%\s*\(?)(?P<args>[^)\n]*)"""
)
# `"./data/%s" % FLAGS.dataset`: a folder chosen by a name written elsewhere (a flag's default).
_FOLDER_TEMPLATE = re.compile(r"""['"](?P<parent>[\w./-]*?)/?(?:%s|\{\w*\})/?['"]""")
_STRING = re.compile(r"""['"]([\w./-]{2,200})['"]""")


def check_partial_folders(sources: Sequence[Source], command: str, base: Path, docs, needs: Found) -> None:
    """A folder the run names (on the command line, written in, or chosen by a flag's default) that
    holds some of the files the code reads together from it and not the others: `data/penn/` with
    valid.txt and test.txt but no train.txt, `data/cora/` with cora.cites but no cora.content (a
    large file left out of the checkout, or not fetched by git-lfs). The missing ones are data the
    run stops on. Files the code writes itself are no need."""
    python = [s for s in sources if s.lang == "python"]
    names: dict[str, set[str]] = {}
    suffixes: dict[str, set[str]] = {}
    written: set[str] = set()
    strings = set(shell_words(command))
    for source in python:
        # Only the lines that can hold one (a module of thousands of strings stays fast).
        for line in source.text.splitlines():
            if "join(" in line or "+" in line:
                for m in _JOINED_NAME.finditer(line):
                    key, name = m.group("var") or m.group("cvar"), m.group("name") or m.group("cname")
                    names.setdefault(key, set()).add(name)
            if "format(" in line or "%" in line:
                for m in _SUFFIX_TEMPLATE.finditer(line):
                    suffixes.setdefault(re.sub(r"\s+", "", m.group("args")), set()).add(m.group("suffix"))
    groups = [group for group in names.values() if len(group) > 1]
    templates = [group for group in suffixes.values() if len(group) > 1]
    if not groups and not templates:
        return
    for source in python:
        written |= {Path(w).name for w in _written(source.text)}
        strings |= set(_STRING.findall(source.text))
    folders: set[Path] = set()
    for value in sorted(strings)[:2000]:
        value = value.removeprefix("./")
        if "/" in value and not value.startswith(("/", "~", "-")) and (base / value).is_dir():
            folders.add(base / value)
    parents = {m.group("parent").removeprefix("./") for s in python for m in _FOLDER_TEMPLATE.finditer(s.text)}
    for parent in sorted(p for p in parents if p.strip("./"))[:10]:
        try:
            children = {entry.name for entry in (base / parent).iterdir() if entry.is_dir()}
        except OSError:
            continue
        folders |= {base / parent / name for name in children & strings}
    for folder in sorted(folders)[:20]:
        try:
            present = {entry.name for entry in folder.iterdir() if entry.is_file()}
        except OSError:
            continue
        missing = {
            name
            for group in groups
            if group & present
            for name in group - present
            # valid.txt and test.txt there, train.txt not: the same kind of file; vocab.pkl is made.
            if any(Path(name).suffix == Path(other).suffix for other in group & present)
        }
        for group in templates:
            stems = {name[: -len(suffix)] for name in present for suffix in group if name.endswith(suffix)}
            missing |= {stem + suffix for stem in stems if stem for suffix in group} - present
        for name in sorted(missing - written)[:3]:
            value = (folder / name).relative_to(base).as_posix() if folder.is_relative_to(base) else str(folder / name)
            needs.add(
                "dataset",
                value,
                f"the run reads {value}: the folder is there without it; {download_advice(value, docs)}",
            )


# `current_dir = os.path.dirname(os.path.realpath(__file__))`, then
# `dataset_file = os.path.join(current_dir, "../../datasets/pcba.csv.gz")`: a data file found from the
# module's own folder, whatever call it is handed to (`loader.featurize(dataset_file)`).
_HERE_ASSIGN = re.compile(
    r"""^[ \t]*(?P<name>[A-Za-z_]\w*)\s*=\s*(?:os\.path\.|osp\.)?dirname\(\s*(?:(?:os\.path\.|osp\.)?"""
    r"""(?:realpath|abspath)\(\s*)?__file__\s*\)?\s*\)""",
    re.M,
)
_DATA_SUFFIX = re.compile(r"\.(?:csv|tsv|gz|bz2|zip|npz|npy|h5|hdf5|pkl|pickle|mat|txt|sdf|json|jsonl|parquet)$", re.I)


def _beside_the_code(text: str) -> list[tuple[str, str, str, int]]:
    """(path relative to the module, the assignment, mode, line) of each data file joined to the module's folder."""
    found = []
    for here in sorted({m.group("name") for m in _HERE_ASSIGN.finditer(text)}):
        joined = re.compile(
            rf"""^[ \t]*[A-Za-z_]\w*\s*=\s*(?:os\.path|osp)\.join\(\s*{here}\s*,\s*['"](?P<path>[^'"\n]+)['"]\s*\)""",
            re.M,
        )
        for m in joined.finditer(text):
            if _DATA_SUFFIX.search(m.group("path")):
                found.append(
                    (m.group("path").removeprefix("./"), m.group(0).strip(), "", text.count("\n", 0, m.start()))
                )
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _branch(lines: list[str], index: int) -> tuple[int | None, int | None]:
    """(the line of the `if` that starts the chain, the line of the branch header) of the innermost
    `if`/`elif`/`else` block around lines[index]; (None, None) when another block is nearer."""
    indent = _indent(lines[index])
    for j in range(index - 1, max(-1, index - 300), -1):
        stripped = lines[j].strip()
        if not stripped or stripped.startswith("#") or _indent(lines[j]) >= indent:
            continue
        if not re.match(r"(?:if|elif|else)\b.*:\s*(?:#.*)?$", stripped):
            return None, None
        level, chain = _indent(lines[j]), j
        while chain > 0 and not re.match(r"if\b", lines[chain].strip()):
            chain -= 1  # up to the chain's `if`, past the bodies of its earlier branches
            while chain > 0 and (not lines[chain].strip() or _indent(lines[chain]) > level):
                chain -= 1
            if _indent(lines[chain]) < level or not re.match(r"(?:if|elif)\b", lines[chain].strip()):
                return None, None
        return chain, j
    return None, None


def _branches(lines: list[str], chain: int) -> set[tuple[int | None, int | None]]:
    """The (chain, header) of every branch of the if/elif/else chain that starts at line `chain`; a
    chain without an `else` has a way past it, which no branch set covers."""
    level, found = _indent(lines[chain]), {(chain, chain)}
    for j in range(chain + 1, min(len(lines), chain + 2000)):
        stripped = lines[j].strip()
        if not stripped or stripped.startswith("#") or _indent(lines[j]) > level:
            continue
        if _indent(lines[j]) < level or not re.match(r"(?:elif|else)\b", stripped):
            break
        found.add((chain, j))
        if stripped.startswith("else"):
            return found
    return found | {(chain, None)}


# A JSON file the code keeps under a data name or folder holds data, not settings.
_JSON_DATA = re.compile(r"data|corpus|annotation|\bsplits?\b|vocab|labels?\b|questions|captions", re.I)


_VARIABLE_READ = re.compile(
    _READERS
    + r"""\(\s*(?:[^()'"\n]*?,\s*)?(?:open\(\s*)?(?P<name>[A-Za-z_]\w*)\s*(?P<mode>,\s*['"][rwab+tU]*['"])?[,)]"""
)
_VARIABLE_WRITE = re.compile(r"(?:save\w*|dump|write\w*|makedirs|mkdir|Checkpoint)\(([^)\n]*)")


def _variables_read(text: str, seen: set[str]) -> list[tuple[str, str, str, int]]:
    """(path, the reading call, mode, line) of the written-in paths kept in a variable that a reader
    is handed, unless the script writes that variable's file itself (train, then test). One pass
    over the text for each pattern: a module of thousands of constants stays linear."""
    reads: dict[str, re.Match] = {}
    for use in _VARIABLE_READ.finditer(text):
        reads.setdefault(use.group("name"), use)
    written = {word for call in _VARIABLE_WRITE.findall(text) for word in re.findall(r"[A-Za-z_]\w*", call)}
    found = []
    assigned = [(m.group("name"), m.group("path")[1:-1]) for m in _LITERAL_ASSIGN.finditer(text)]
    for name, value in assigned + _joined_assigns(text):
        use = reads.get(name)
        if use is None or name in written or value in seen:
            continue
        if link_kind(value, name.replace("_", " ")) == "backbone":
            continue  # `RESTORE_FROM = 'resnet101-imagenet.pth'`: an initialisation, not the weights evaluated
        seen.add(value)
        found.append((value, use.group(0), use.group("mode") or "", text.count("\n", 0, use.start())))
    return found


# `save_path = os.path.join('./model', name, 'net_%s.pth' % opt.which_epoch)`: a path built from a
# written-in folder; each piece that is not written in is a field of the template.
_WEIGHTS_NAME = re.compile(r"model|weight|ckpt|checkpoint|snapshot|restore|pretrained", re.I)
# A training loop's marks: an optimizer step, Keras' fit, Caffe's solver, backpropagation.
_TRAINS = re.compile(r"\.step\(|\.fit(?:_generator)?\(|\.backward\(|\bSGDSolver\(|\btrain_on_batch\(|optim\.")


def _weights_handed_on(text: str, seen: set[str]) -> list[tuple[str, str, str, int]]:
    """A weights file kept in a variable named for one and handed to a call of the repo's own
    (Obstacle-Avoid-Car's `saved_model = 'saved-models/128-128-64-50000-50000.h5'`, then
    `neural_net(NUM_SENSORS, [128, 128], saved_model)`, which calls `load_weights`), unless the
    script saves to it."""
    if _TRAINS.search(text):
        return []  # a script that trains hands on its initialisation (DilatedFCN's vgg16surgery.caffemodel)
    written = {word for call in _VARIABLE_WRITE.findall(text) for word in re.findall(r"[A-Za-z_]\w*", call)}
    found = []
    for match in _LITERAL_ASSIGN.finditer(text):
        name, value = match.group("name"), match.group("path")[1:-1]
        if value in seen or name in written or not WEIGHT_FILE.search(value) or not _WEIGHTS_NAME.search(name):
            continue
        if link_kind(value, name.replace("_", " ")) == "backbone":
            continue  # `RESTORE_FROM = 'resnet101-imagenet.pth'`: an initialisation
        use = re.search(rf"\w\((?:[^()\n]*,)?\s*{re.escape(name)}\s*[,)]", text[match.end() :])
        if use is None or _VARIABLE_WRITE.match(use.group(0)[1:]):
            continue
        seen.add(value)
        found.append((value, f"{name} = '{value}'", "", text.count("\n", 0, match.start())))
    return found


_JOIN_ASSIGN = re.compile(
    r"""^[ \t]*(?P<name>[A-Za-z_]\w*)\s*=\s*(?:os\.path|osp)\.join\("""
    r"""\s*(?P<args>['"][^()\n]*(?:\([^()\n]*\)[^()\n]*)*)\)\s*(?:#.*)?$""",
    re.M,
)


def _joined_assigns(text: str) -> list[tuple[str, str]]:
    """(name, template) of each variable assigned an os.path.join that starts with a written-in folder."""
    found = []
    for match in _JOIN_ASSIGN.finditer(text):
        pieces = re.split(r",(?![^()]*\))", match.group("args"))
        parts = []
        for piece in pieces:
            literal = re.fullmatch(r"""\s*[fF]?(['"])([^'"\n]*)\1\s*(?:%.*|\.format\(.*\))?\s*""", piece)
            parts.append(template(literal.group(2)) if literal else "*")
        if len(parts) > 1 and parts[0] not in ("", "*"):
            found.append((match.group("name"), "/".join(p.rstrip("/") for p in parts)))
    return found


# Readers that only read data: `pd.read_csv('train.csv')` names data even as a bare file name.
_DATA_READER = re.compile(
    r"(?:pd|pandas)\.read_\w+\(|np\.load(?:txt)?\(|numpy\.load\(|h5py\.File\(|(?:sio\.)?loadmat\("
)


# A call that loads weights whatever the file is named: `torch.load('lstm.model')`.
_LOADS_WEIGHTS = re.compile(r"^(?:torch\.load|load_state_dict|\w*\.?load_weights|load_model|\w*\.?restore)\(")


# A loader handed a path built at run time from a folder variable and a written-in tail:
# `pickle.load(open(base_folder + '/model_obs.pkl', 'rb'))`, `get_best_model(project_dir + "/model")`,
# `torch.load(os.path.join(args.save_dir, 'model_best.pth'))`.
_BUILT_LOAD = re.compile(
    r"""(?P<call>\b[\w.]*(?:load|restore|open|model)\w*)\(\s*(?:open\(\s*)?"""
    r"""(?:(?P<var>[A-Za-z_][\w.\[\]'"]*)\s*\+\s*|(?:os\.path|osp)\.join\(\s*(?P<jvar>[A-Za-z_][\w.]*)\s*,\s*)"""
    r"""(?P<q>['"])(?P<tail>[^'"\n]{2,80})(?P=q)"""
)
# A .pkl or .npz is as often data (`features.pkl`): only its name says it is a model.
_WEIGHTS_TAIL = re.compile(r"model|weight|ckpt|checkpoint|snapshot|\.(?:pth?|h5|hdf5|t7|params|caffemodel)\b", re.I)


def check_built_loads(sources: Sequence[Source], kind: str, named: set[str], docs, needs: Found) -> None:
    """An evaluation that loads weights from a folder built at run time (a project or run folder
    plus `/model_best.pth`) while the command names none: only a training run writes that folder,
    so the checkout lacks it. Said once, with where it is loaded."""
    if kind != "eval" or needs.has("checkpoint") or any(CKPT_WORDS.search(name) for name in named):
        return
    for source in sources:
        if source.lang != "python":
            continue
        for match in _BUILT_LOAD.finditer(source.text):
            call, tail = match.group("call"), match.group("tail")
            if re.search(r"save|dump|write|makedirs|mkdir", call, re.I) or not _WEIGHTS_TAIL.search(tail):
                continue
            if re.search(r"\.(?:json|ya?ml|txt|csv|cfg|ini|log)$", tail):
                continue  # `model_config.json`: the model's settings, written beside the weights
            line = source.text[source.text.rfind("\n", 0, match.start()) + 1 : source.text.find("\n", match.end())]
            if re.search(r"['\"][wa]b?\+?['\"]|pretrain|backbone|imagenet|init", line, re.I):
                continue  # a write, or an initialisation rather than the weights evaluated
            folder = match.group("var") or match.group("jvar")
            at = source.text.count("\n", 0, match.start()) + 1
            needs.add(
                "checkpoint",
                f"{folder}{tail if tail.startswith('/') else '/' + tail}",
                f"{source.path}:{at} loads trained weights from {folder} + {tail!r}, a folder only a training "
                f"run writes: {checkpoint_advice(tail.strip('/'), docs)}",
            )
            return


# A line that writes a file: torch.save, model.save, ModelCheckpoint('best.h5'), open(..., 'w').
_WRITE_LINE = re.compile(r"save|dump|write|ModelCheckpoint|export|makedirs|mkdir|open\([^)]*['\"][wa]b?['\"]", re.I)


@functools.lru_cache(maxsize=64)
def _written(text: str) -> frozenset[str]:
    """The written-in paths a script writes itself: reading them back later is no need. Kept for
    the next check that asks about the same script (a line-by-line scan of each)."""
    return frozenset(
        literal
        for line in text.splitlines()
        if _WRITE_LINE.search(line)
        for literal in re.findall(r"""['"]([^'"\n]{3,200})['"]""", line)
    )


def fetched_files(sources: Sequence[Source]) -> set[str]:
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
            names |= {Path(u.split("?")[0]).name for u in URL.findall(line)}
    return {n for n in names if n}


def check_shell_lines(sources: Sequence[Source], repo_dir: Path, kind: str, docs, needs: Found) -> set[str]:
    """The programs a shell script starts, read like the command itself (paths, placeholders such
    as PathLevel-EAS's `python main.py --data <path_to_imagenet_dataset>` in scripts.sh)."""
    named: set[str] = set()
    for source in sources:
        for line, folder in source.runs:
            # Filled by editing the script, not by --set (the command does not hold the value).
            held = Found()
            command_placeholders(line, {}, docs, held, variables=False)
            for what, subject, detail, _, blocking in held.items:
                detail = re.sub(r": pass --set \S+=VALUE$", "", detail)
                if what == "placeholder":
                    detail = f"{source.path} runs `{line[:80]}`: {detail}: edit it to yours"
                needs.add(what, subject, detail, blocking=blocking)
            named |= command_paths(line, repo_dir / folder, docs, needs, kind=kind)
    return named


def check_downloads(sources: Sequence[Source], needs: Found) -> None:
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


def check_configs(sources: Sequence[Source], base: Path, named: set[str], kind: str, docs, needs: Found) -> None:
    """Paths in the config files the run reads (`dataset_path: ./data/coco`) that are absent, and
    Hydra's mandatory values (`ckpt_path: ???`) that the command does not override."""
    for source in sources:
        if source.role != "config":
            continue
        for key in re.findall(r"^\s*([\w.-]+)\s*:\s*['\"]?\?\?\?['\"]?\s*(?:#.*)?$", source.text, re.M):
            if norm_flag(key) in named or any(n.endswith("." + norm_flag(key)) for n in named):
                continue
            needs.add(
                "placeholder", key, f"{source.path}: {key} is ??? (Hydra: required): add {key}=VALUE to the command"
            )
            what = _argument_kind(key)
            if what == "checkpoint":
                advice = checkpoint_advice(key, docs)
                needs.add("checkpoint", key, f"{source.path}: {key} wants trained weights: {advice}")
            elif what == "dataset":
                needs.add("dataset", key, f"{source.path}: {key} wants data: {download_advice(key, docs)}")
        for match in re.finditer(r"""^\s*['"]?([\w.-]+)['"]?\s*[:=]\s*['"]?([^'"\s,#]+)['"]?""", source.text, re.M):
            key, value = match.groups()
            if OUTPUT_WORDS.search(key) or re.search(r"\.(py|ya?ml|json|sh)$", value):
                continue
            if (
                _authors_path(value)
                and (DATA_WORDS.search(key) or weights_key(key, kind))
                and norm_flag(key) not in named
            ):
                # `data_root: /home/me/coco` in the settings: edit it to where yours is.
                needs.add(
                    "placeholder",
                    _authors_folder(value),
                    f"{source.path}: {key} = {value}, a path on the authors' machine: set it to yours",
                )
                if not weights_key(key, kind):
                    advice = download_advice(value, docs)
                    needs.add("dataset", _authors_folder(value), f"{source.path}: {key} wants data: {advice}")
                continue
            if not looks_like_path(value) or "/" not in value or value.startswith(("/", "~", "$")):
                continue
            if path_exists(base, value):
                continue
            if re.search(r"pretrain|backbone|init", key, re.I):
                continue  # an initialisation, not the weights to evaluate (LABELING.md: not a checkpoint)
            if weights_key(key, kind):
                needs.add("checkpoint", value, f"{source.path}: {key} = {value}: {checkpoint_advice(value, docs)}")
            elif DATA_WORDS.search(key):
                needs.add(
                    "dataset", value, f"{source.path}: {key} = {value} is not there; {download_advice(value, docs)}"
                )


def _argument_kind(name: str) -> str | None:
    """What an argument named `name` stands for: a checkpoint, a dataset, or nothing said."""
    if CKPT_WORDS.search(name) or re.search(r"model(?!_?(?:type|name_?or|arch))", name, re.I):
        return "checkpoint"
    if DATA_WORDS.search(name) or re.search(r"file|path|dir|folder", name, re.I):
        return "dataset"
    return None


def _call_kind(call: str) -> str | None:
    """What a loader call loads, from its name less the verb: load_checkpoint -> checkpoint,
    load_model -> checkpoint, load_word_to_idx -> nothing said."""
    name = re.match(r"[\w.]*", call).group(0).split(".")[-1]
    rest = re.sub(r"^_*(?:load|read|open|get)_*|_*(?:load|read|open)$", "", name, flags=re.I)
    return _argument_kind(rest) if rest and rest != name else None


def _missing_arguments(source: Source, names: list[str], given: int, docs, needs: Found) -> None:
    """Record the arguments a script takes and the command leaves out, and what each stands for."""
    needs.add(
        "placeholder",
        f"args:{source.path}",
        f"{source.path} takes {', '.join(names)} and the command passes {given} argument(s): add them",
    )
    for name in names:
        kind = _argument_kind(name)
        if kind == "checkpoint":
            needs.add("checkpoint", name, f"{source.path} wants {name}: {checkpoint_advice(name, docs)}")
        elif kind == "dataset":
            needs.add("dataset", name, f"{source.path} wants {name}: {download_advice(name, docs)}")


def argv_optional(text: str, n: int) -> bool:
    """Is `sys.argv[n]` read only when given (`x = sys.argv[2] if len(sys.argv) > 2 else 'd'`)?"""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if f"sys.argv[{n}]" in line:
            if "len(sys.argv)" in line:
                return True
            enclosing = [p for p in lines[max(0, i - 5) : i] if re.match(r"\s*(?:if|elif)\b.*argv", p)]
            return bool(enclosing) and _guarded(lines, i)
    return False


def check_arguments(sources: Sequence[Source], base: Path, docs, needs: Found) -> None:
    """Arguments a started script requires that the command does not pass (`sys.argv[2]` with one
    argument given, argparse `required=True` or positional arguments, a shell script's `$2`), and
    positional paths it passes that are not there (`evaluate.py model.epochN test_data`)."""
    for source in sources:
        if source.role != "start":
            continue
        given = positional_args(source.args)
        if source.lang == "shell":
            # `awk '{print $1}'`: a $1 in single quotes is another program's.
            unquoted = re.sub(r"'[^'\n]*'", "", source.text)
            # `if [ "$3" = "debug" ]`, `${2:-cpu}`: an argument tested or given a default is optional.
            unquoted = re.sub(r"\[\[?[^\]\n]*\]\]?|\$\{[1-9]:?[-=][^}]*\}", "", unquoted)
            used = sorted({int(n) for n in re.findall(r"\$\{?([1-9])\}?", unquoted)})
            if used and used[-1] > len(given):
                names = []
                for n in used[len(given) :]:
                    assigned = re.search(rf"^\s*(\w+)=[\"']?\$\{{?{n}\b", source.text, re.M)
                    names.append(f"${n}" + (f" ({assigned.group(1)})" if assigned else ""))
                _missing_arguments(source, names, len(given), docs, needs)
            continue
        if source.lang != "python":
            continue
        flags = {norm_flag(a.split("=")[0]) for a in source.args if a.startswith("-")}
        used = sorted(
            n
            for n in {int(n) for n in re.findall(r"sys\.argv\[(\d+)\]", source.text)} - {0}
            if not argv_optional(source.text, n)
        )
        if used and "add_argument" not in source.text and "DEFINE_" not in source.text:
            # No parser: sys.argv counts every word, `-type ind` included (simonjisu/E2EMN runtest.py).
            given = list(source.args)
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
                if opened and re.fullmatch(r"[\w./-]+", value) and not value.isdigit() and not path_exists(base, value):
                    # load_checkpoint(sys.argv[1]): the call says what the file is when the name does not.
                    kind = _argument_kind(name) or _call_kind(opened.group(0)) or "dataset"
                    needs.add(
                        "placeholder",
                        value,
                        f"{source.path} opens sys.argv[{n}] = {value}, which is not there: pass your file",
                        key=value,
                    )
                    advice = checkpoint_advice(value, docs) if kind == "checkpoint" else download_advice(value, docs)
                    needs.add(kind, value, f"{source.path} opens {value} ({name}): {advice}")
            if names:
                _missing_arguments(source, names, len(given), docs, needs)
        wanted = _docopt_positionals(source.text, Path(source.path).name)
        if len(wanted) > len(given):
            _missing_arguments(source, wanted[len(given) :], len(given), docs, needs)
        for match in _PY_DEFAULT.finditer(source.text):
            flag, rest = match.group("flag"), match.group("rest")
            if re.search(r"required\s*=\s*True", rest) and norm_flag(flag) not in flags:
                needs.add(
                    "placeholder",
                    flag,
                    f"{source.path}: {flag} is required and the command does not pass it: add {flag} VALUE",
                )
                # What the value stands for, by the flag's name: `--model_path` wants trained weights
                # (a choice among names, `--model {pix2pix,CycleGAN}`, or a number is no file).
                name = norm_flag(flag)
                what = None
                if not (OUTPUT_WORDS.search(name) or re.search(r"choices\s*=|type\s*=\s*(?:int|float|bool)", rest)):
                    if CKPT_WORDS.search(name):
                        what = "checkpoint"
                    elif DATA_WORDS.search(name) and re.search(r"dir|path|root|file|folder|data", name):
                        what = "dataset"
                if what == "checkpoint":
                    needs.add(
                        "checkpoint",
                        flag,
                        f"{source.path}: {flag} wants trained weights: {checkpoint_advice(flag, docs)}",
                    )
                elif what == "dataset":
                    needs.add("dataset", flag, f"{source.path}: {flag} wants data: {download_advice(flag, docs)}")
        positional = [
            match.group(1)
            for match in re.finditer(r"""add_argument\(\s*['"]([A-Za-z]\w*)['"](?P<rest>[^)]*)\)""", source.text)
            if not re.search(r"nargs\s*=\s*(?!['\"]?\+|\d)|default\s*=", match.group("rest"))
        ]
        if len(positional) > len(given):
            _missing_arguments(source, positional[len(given) :], len(given), docs, needs)


def _docopt_positionals(text: str, script: str) -> list[str]:
    """The `<args>` a docopt script requires: the usage line of its docstring that asks for the
    fewest (`test.py <ckpt> <dataset>`), less those in `[...]`."""
    if "docopt(" not in text:
        return []
    usage = re.search(r"usage:\s*\n((?:[ \t]+\S[^\n]*\n?)+)", text, re.I)
    if usage is None:
        return []
    fewest: list[str] | None = None
    for line in usage.group(1).splitlines():
        if script not in line:
            continue
        while re.search(r"\[[^\[\]]*\]", line):
            line = re.sub(r"\[[^\[\]]*\]", "", line)
        found = re.findall(r"<[\w -]+>", line)
        if fewest is None or len(found) < len(fewest):
            fewest = found
    return fewest or []


# `open(os.path.join('src', 'config.json'))`, `yaml.safe_load(open("settings.yml"))`: a file the run opens.
_OPENED = re.compile(r"""\bopen\(\s*(?:(?:os\.path|osp)\.join\(((?:\s*['"][^'"\n]+['"]\s*,?)+)\)|(['"][^'"\n]+['"]))""")
_EXAMPLE_WORDS = ("example", "sample", "template", "default", "dist", "tmpl")


def check_example_settings(sources: Sequence[Source], base: Path, repo_dir: Path, needs: Found) -> None:
    """A settings file the run opens that the checkout has only as an example (`config.json` beside
    `config_example.json`, `.env.sample`): the user copies it and fills in their paths first."""
    tried: set[str] = set()
    for source in sources:
        if source.lang != "python":
            continue
        for match in _OPENED.finditer(source.text):
            value = "/".join(re.findall(r"""['"]([^'"\n]+)['"]""", match.group(1) or match.group(2)))
            if not re.search(r"\.(?:json|ya?ml|cfg|ini|conf|toml|py|txt)$", value) or value.startswith(("/", "~")):
                continue
            if value in tried or len(tried) >= 20 or ".." in Path(value).parts:
                continue  # each name once, a few in all, and only inside the repo
            tried.add(value)
            bases = _bases(source, base, repo_dir)
            if not _absent(value, bases):
                continue
            example = next((e for b in bases for e in [_example_of(b / value)] if e is not None), None)
            if example is not None:
                rel = os.path.relpath(example, repo_dir)
                needs.add(
                    "placeholder",
                    value,
                    f"{source.path} opens {value}, which the checkout has only as {rel}: copy it to {value} "
                    "and fill in your paths",
                )


# `test_mat_file = 'test_file_name'  # insert test mat file name`: a value left for the user to edit.
_SPELLED_IN_CODE = re.compile(
    r"""^[ \t]*(?P<name>[A-Za-z_]\w*)\s*=\s*['"](?P<value>\w*file_?name|your_\w+|path_to_\w+)['"][ \t]*(?:#.*)?$""",
    re.M | re.I,
)


def check_spelled_in_code(sources: Sequence[Source], needs: Found) -> None:
    """Values the started script leaves written as their description (`fname = 'result_file_name'`):
    the script runs only once they are edited to the user's files."""
    for source in sources:
        if source.role != "start" or source.lang != "python":
            continue
        for match in _SPELLED_IN_CODE.finditer(source.text):
            line = source.text.count("\n", 0, match.start()) + 1
            needs.add(
                "placeholder",
                match.group("value"),
                f"{source.path}:{line} sets {match.group('name')} = '{match.group('value')}', a value to fill in: "
                "edit it to your file",
            )
            # `load_test_mat(test_mat_file)`: the file a reader is handed is the user's own data.
            name = re.escape(match.group("name"))
            read = re.search(rf"\b\w*(?:load|read|open)\w*\(\s*{name}\s*[,)]", source.text)
            if read and not _WEIGHTS_TAIL.search(match.group("name") + read.group(0)):
                needs.add(
                    "dataset",
                    match.group("value"),
                    f"{source.path} reads your data from {match.group('name')}: "
                    f"{read.group(0).rstrip(',)')}) wants your file",
                )


def _example_of(path: Path) -> Path | None:
    """The example copy of an absent settings file: config_example.json, config.json.sample."""
    try:
        names = list(path.parent.iterdir()) if path.parent.is_dir() else []
    except OSError:
        return None
    stem, suffix = path.stem.lower(), path.suffix.lower()
    for other in names:
        name = other.name.lower()
        rest = name.replace(stem, "", 1).replace(suffix, "", 1) if stem in name and suffix in name else ""
        if other.is_file() and re.fullmatch(rf"[._-]?(?:{'|'.join(_EXAMPLE_WORDS)})[._-]?", rest):
            return other
    return None


def check_environment(sources: Sequence[Source], command: str, environ: Mapping[str, str], needs: Found) -> None:
    """Variables the code reads with no default, and ones a shell script uses but never sets."""
    assigned = set(re.findall(r"(?:^|\s)([A-Za-z_]\w*)=", command)) | set(environ) | set(OWN_VARS)
    for source in sources:
        for match in (_ENV_SET if source.lang in ("python", "lua") else _SHELL_SET).finditer(source.text):
            assigned.update(g for g in match.groups() if g)
    for source in sources:
        if source.lang == "python" or source.lang == "lua":
            for match in _ENV_READ.finditer(source.text):
                name = match.group("item") or match.group("get") or match.group("dget")
                kind = "credential" if CREDENTIAL_VAR.search(name) else "env"
                # A key read with getenv() and no default fails at the first API call all the same.
                hard = match.group("item") is not None or kind == "credential" or _used_as_path(source.text, match)
                settings = _empty_setting(sources, name)
                if settings and hard:
                    needs.add(
                        "placeholder",
                        name,
                        f"{settings} leaves {name} empty and {source.path} needs it: fill it in",
                    )
                    continue
                if name in assigned or AMBIENT.match(name):
                    continue
                if re.search(rf"""['"]{name}['"]\s+(?:not\s+)?in\s+os\.environ""", source.text):
                    continue  # `if 'CUDAHOME' in os.environ:` guards the read
                if not hard and _tested(source.text, match):
                    continue  # `path = os.environ.get("X")` then `if path:`: the code has its own default
                needs.add(
                    kind,
                    name,
                    f"{source.path} reads ${name} (no default): export {name}=... before the run",
                    blocking=hard,
                )
                read = _env_file_read(source.text, match) if kind == "env" and hard else None
                if read:
                    what = "checkpoint" if re.search(r"model|ckpt|checkpoint|weight", name, re.I) else "dataset"
                    needs.add(what, name, f"{source.path} reads the file ${name} names ({read}): make or fetch it")
        elif source.lang == "shell":
            # Comments, 'single-quoted' text and echo lines use no value the run needs.
            used = "\n".join(
                re.sub(r"'[^'\n]*'", "", line)
                for line in source.text.splitlines()
                if not re.match(r"\s*(?:#|echo\b|printf\b)", line)
            )
            for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", used):
                if name in assigned or AMBIENT.match(name) or name.islower():
                    continue
                # `${VAR:-default}` has a default; `[ -z "$VAR" ]` is the script checking for itself.
                if re.search(rf"\$\{{{name}:?[-=]|-[zn]\s+\"?\$\{{?{name}\b", source.text):
                    continue
                kind = "credential" if CREDENTIAL_VAR.search(name) else "env"
                needs.add(kind, name, f"{source.path} uses ${name}, which nothing sets: export {name}=...")


def _env_file_read(text: str, match: re.Match) -> str | None:
    """The reader a variable's value goes to, when the code loads a file from it: `np.load(os.environ["X"])`,
    or `path = os.environ["X"]` and `np.load(path)` within the next lines (penntreebank.py of
    recurrent-batch-normalization). The file is then a need of its own, besides the variable."""
    line_start = text.rfind("\n", 0, match.start()) + 1
    before = text[line_start : match.start()]
    reader = re.search(_READERS + r"\(\s*$", before)
    if reader:
        return reader.group(0).rstrip("( ")
    assigned = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*=\s*", before)
    if not assigned:
        return None
    following = text[match.end() : match.end() + 600]
    use = re.search(_READERS + rf"\(\s*{assigned.group(1)}\s*[,)]", following)
    return use.group(0).split("(")[0] if use else None


def _used_as_path(text: str, match: re.Match) -> bool:
    """Is a `get()` read with no default used at once as a path (`os.path.join(os.getenv('ROOT'), 'x')`,
    `os.getenv('ROOT') + '/x'`)? None there stops the run with a TypeError."""
    line_start = text.rfind("\n", 0, match.start()) + 1
    before = text[line_start : match.start()]
    after = text[match.end() : text.find("\n", match.end())]
    return bool(re.search(r"(?:join|Path|open)\(\s*$", before) or re.match(r"\s*\+|\s*/\s*['\"]", after))


def _tested(text: str, match: re.Match) -> bool:
    """Is the value a `get()` read tested before it is used: the read itself inside an `if`, or
    the variable it is kept in tested (`if x:`, `if x is None`), or it is another read's default?"""
    line_start = text.rfind("\n", 0, match.start()) + 1
    line = text[line_start : text.find("\n", match.end())]
    if re.match(r"\s*(?:if|elif|while)\b", line) or re.search(r"\bif\b.*\belse\b|\bor\b|\.get\([^)]*$", line):
        return True
    kept = re.match(r"\s*([A-Za-z_][\w.]*)\s*=(?!=)", line)
    if kept is None:
        return False
    var = re.escape(kept.group(1))
    rest = text[match.end() : match.end() + 2000]
    return bool(re.search(rf"\b(?:if|elif)\s+(?:not\s+)?{var}\b|\b{var}\s+is\s+(?:not\s+)?None\b", rest))


def check_services(sources: Sequence[Source], repo_dir: Path, environ: Mapping[str, str], needs: Found) -> None:
    """Logins a fresh machine lacks: Weights & Biases (`wandb.init` stops with no key and no
    terminal) and the variables a `.env` file should hold (`load_dotenv()` with only `.env.example`)."""
    for source in sources:
        if source.lang != "python":
            continue
        wandb = re.search(r"\bwandb\.init\(([^)]*)", source.text)
        if wandb and "mode" not in wandb.group(1) and not {"WANDB_API_KEY", "WANDB_MODE"} & set(environ):
            lines = source.text.splitlines()
            optional = _guarded(lines, source.text.count("\n", 0, wandb.start()))  # `if args.wandb:`
            needs.add(
                "credential",
                "wandb",
                f"{source.path} calls wandb.init: run `wandb login`, or export WANDB_MODE=offline",
                blocking=not optional,
            )
        if re.search(r"\bload_dotenv\(", source.text) and not (repo_dir / ".env").exists():
            example = next(
                (
                    p
                    for p in (repo_dir / n for n in (".env.example", ".env.template", ".env.sample", "env.example"))
                    if p.is_file()
                ),
                None,
            )
            if example is None:
                continue
            try:
                names = re.findall(
                    r"^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)\s*=", example.read_text(errors="replace")[:20_000], re.M
                )
            except OSError:
                names = []
            for name in names:
                if name not in environ:
                    kind = "credential" if CREDENTIAL_VAR.search(name) else "env"
                    needs.add(kind, name, f"{source.path} loads .env: copy {example.name} to .env and set {name}")


# "you should sign in physionet.org", "credentialed access", "a data use agreement": data behind an account.
_GATED_DATA = re.compile(
    r"\bsign(?:ed)? in\b|\blog ?in to\b|an account (?:on|at|with)|credentialed|physionet|request(?:ing)? access|"
    r"access request|data use agreement",
    re.I,
)


# "Change the ‘self._devkit_path’ in [`test/lib/datasets/pascal_voc.py`](...) to yours", "modify the path
# of `Tusimple_path` in `config.py`", "Change `data_dir` in `run.sh`": a path the docs leave for the
# user to write into a file (code or settings), not onto the command line.
_DOC_EDIT = re.compile(
    r"\b(?:change|modify|edit|set|update|replace|rewrite|specify|configure)\b(?:[^.\n]|\.(?=\w)){0,80}?"
    r"(?:path|dir|directory|root|folder|location)s?\b(?:[^.\n]|\.(?=\w)){0,80}?"
    r"\b(?:in|of|inside|within)\s+(?:the\s+)?(?:file\s+)?[\[`'\"*‘’“”]*"
    r"(?P<file>[\w./-]+\.(?:py|ya?ml|json|cfg|prototxt|lua|m|sh|conf|ini|config))\b",
    re.I,
)


def check_doc_edits(sources: Sequence[Source], repo_dir: Path, docs, needs: Found) -> None:
    """A path the docs tell the user to set in a file that this run reads (or a module beside one it
    reads: what those import, past the two levels followed): a value left to the user like
    `/path/to/data`, only written in a file instead of on the command line (a placeholder, blocking)."""
    read = [s.path for s in sources]
    folders = {path.rpartition("/")[0] for path in read}
    for doc, text in docs:
        for match in _DOC_EDIT.finditer(text):
            name = match.group("file").removeprefix("./")
            where = next((path for path in read if path == name or path.endswith("/" + name)), None)
            if where is None and "/" in name and name.rpartition("/")[0] in folders and (repo_dir / name).is_file():
                where = name
            if where is not None:
                said = " ".join(match.group(0).replace("`", "").replace("[", "").split())
                needs.add("placeholder", f"edit {where}", f'{doc}: "{said}": edit {where} to your own path')
                return


def check_gated_data(docs, needs: Found) -> None:
    """Data the run lacks that the docs say sits behind an account or an agreement (MIMIC on
    PhysioNet): downloading it needs credentials first."""
    if not needs.has("dataset", blocking=True):
        return
    for path, text in docs:
        sentences = re.split(r"(?<=[.!?])\s+|\n", text)
        for i, sentence in enumerate(sentences):
            # The sentence or its neighbours say it is about the data.
            around = " ".join(sentences[max(0, i - 1) : i + 2])
            tracker = re.search(r"wandb|weights (?:&|and) biases|tensorboard|comet|neptune", sentence, re.I)
            if (
                _GATED_DATA.search(sentence)
                and not tracker
                and re.search(r"data|download|record|corpus|images", around, re.I)
            ):
                quote = re.sub(r"\s+", " ", sentence.strip())[:160]
                needs.add("credential", "gated-data", f'{path}: the data needs an account or an agreement: "{quote}"')
                return


# Services a run logs in to: a gated Hugging Face model or dataset, the Kaggle API. Last, the words
# every match of the code's pattern holds: a script with none of them is not scanned (the `^\s*` and
# `\b` the patterns start with make a regex scan of a long generated module slow).
_LOGINS = (
    (
        re.compile(r"use_auth_token\s*=\s*True|\btoken\s*=\s*True|huggingface_hub\.login\(|^\s*login\(\s*\)", re.M),
        re.compile(r"huggingface-cli login|hf auth login"),
        "a Hugging Face token: run `huggingface-cli login` (and accept the model's licence on its page)",
        ("token", "login("),
    ),
    (
        re.compile(r"^\s*(?:import|from)\s+kaggle\b|\bkaggle (?:competitions|datasets) download\b", re.M),
        re.compile(r"\bkaggle (?:competitions|datasets) download\b"),
        "a Kaggle API token in ~/.kaggle/kaggle.json (and the competition's rules accepted)",
        ("kaggle",),
    ),
)


def check_logins(sources: Sequence[Source], docs, environ: Mapping[str, str], needs: Found) -> None:
    """Logins the run needs: code that asks for a Hugging Face token or calls the Kaggle API, or a
    doc step with that login or download when the data the run lacks comes from it."""
    texts = [(s.path, s.text) for s in sources if s.lang in ("python", "shell")]
    for code, doc, what, words in _LOGINS:
        holding = [(path, text) for path, text in texts if any(word in text for word in words)]
        found = next(((path, m) for path, text in holding for m in [code.search(text)] if m), None)
        if found is None and needs.has("dataset", blocking=True):
            found = next(((path, m) for path, text in docs for m in [doc.search(text)] if m), None)
        if found is not None and not ({"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "KAGGLE_KEY"} & set(environ)):
            path, match = found
            needs.add("credential", what, f"{path} uses `{match.group(0).strip()}`: it needs {what}")


def _empty_setting(sources: Sequence[Source], name: str) -> str | None:
    """The settings file the run reads that has `NAME=` with no value (settings.cfg, .env)."""
    for source in sources:
        if source.role == "config" and re.search(
            rf"^\s*(?:export\s+)?{re.escape(name)}\s*=\s*['\"]?['\"]?\s*$", source.text, re.M
        ):
            return source.path
    return None


def check_secrets(sources: Sequence[Source], needs: Found) -> None:
    """API keys written into the code as placeholders: `API_KEY = "YOUR_KEY"`, `openai.api_key = ""`."""
    for source in sources:
        # Only lines that name a key are searched: the full pattern is slow on a whole file.
        lines = "\n".join(line for line in source.text.splitlines() if _SECRET_WORD.search(line))
        for match in _CREDENTIAL_ASSIGN.finditer(lines):
            if _FAKE_SECRET.search(match.group("value")):
                needs.add(
                    "credential",
                    match.group("name"),
                    f"{source.path} sets {match.group('name')} to a placeholder ({match.group('value')!r}): "
                    "put your key there",
                )


def _may_match(pattern: re.Pattern, text: str) -> bool:
    names = _NEEDED.get(pattern)
    return not names or any(name in text for name in names)


def check_simulators(sources: Sequence[Source], needs: Found, command: str = "") -> None:
    """Simulators and wrapped tools the Python that runs imports or names a task of (pip alone does
    not bring them), and the simulated tasks the command chooses (`--env Hopper-v2`). A task the
    code names is its default: a command that chooses another environment does not run it."""
    chosen = any(re.search(r"env|task|game|domain", norm_flag(name)) for name, _ in flag_pairs(shell_words(command)))
    # `env_name: 'gridworld'` in the settings the run reads chooses the environment as a flag would
    # (a simulator task set there is said by the settings loop below).
    configured = any(
        re.search(r"""^\s*['"]?(?:env|task|game|domain)\w*['"]?\s*[:=]\s*['"]?[\w.-]+""", s.text, re.M)
        for s in sources
        if s.role == "config"
    )
    for _, in_command, what in _SIMULATORS:
        match = in_command.search(command) if in_command is not None else None
        if match:
            needs.add("simulator", what, f"the command runs {match.group(0)}: install {what}")
    for source in sources:
        if source.role == "config" and not chosen:
            # `env_name: HalfCheetah-v2` in the settings file the run reads.
            for _, in_config, what in _SIMULATORS:
                match = in_config.search(source.text) if in_config is not None else None
                if match:
                    needs.add("simulator", what, f"{source.path} sets {match.group(0)}: install {what}")
        if source.lang != "python":
            continue
        for pattern, _, what in _SIMULATORS:
            if not _may_match(pattern, source.text):
                continue
            match = next(
                (m for m in pattern.finditer(source.text) if not ((chosen or configured) and m.group(0)[0] in "'\"")),
                None,
            )
            if match:
                needs.add("simulator", what, f"{source.path} uses {match.group(0).strip()}: install {what}")
        for pattern, what in _SYSTEM_IMPORTS:
            if not _may_match(pattern, source.text):
                continue
            match = pattern.search(source.text)
            if match:
                used = next((group for group in match.groups() if group), match.group(0).strip())
                if lazily_imported(source, sources):
                    needs.add(
                        "system", f"{what} (lazy)", f"{source.path} uses {used}{_LAZY}: install {what}", blocking=False
                    )
                else:
                    needs.add("system", what, f"{source.path} uses {used}: install {what}")


# What a module imported only inside a function brings in is needed only on that path.
_LAZY = " (only where a function imports it: a code path this run may not take)"


def lazily_imported(source: Source, sources: Sequence[Source]) -> bool:
    """A module the run reaches only through imports inside a function body (`if self.back == 'th':
    from .attacks_th import fgm`, cleverhans' Theano back end): it loads only on that path."""
    if source.role != "import" or source.lang != "python":
        return False
    stem = Path(source.path).stem
    name = re.escape(stem)
    if stem == "__init__":
        return False
    importing = re.compile(
        rf"^([ \t]*)(?:from\s+[\w.]*\b{name}\b[\w.]*\s+import\b|import\s+[\w.]*\b{name}\b"
        rf"|from\s+[\w.]+\s+import\s+[^\n]*\b{name}\b)",
        re.M,
    )
    indents = [
        m.group(1)
        for other in sources
        if other is not source and other.lang == "python" and stem in other.text
        for m in importing.finditer(other.text)
    ]
    return bool(indents) and all(indents)


_SYS_PATH_LITERAL = re.compile(
    r"""^[ \t]*sys\.path\.(?:insert|append)\((?:\s*\d+\s*,)?\s*['"]([^'"\n]+)['"]\s*\)""", re.M
)


def check_authors_modules(sources: Sequence[Source], repo_dir: Path, needs: Found) -> None:
    """A package the code imports from a folder on the authors' machine that it puts on sys.path
    (`sys.path.insert(0, '/home/alex/cleverhans')`, then `from cleverhans.attacks import ...`): the
    package is not in the checkout, and that folder is not on this machine."""
    for source in sources:
        if source.lang != "python":
            continue
        for match in _SYS_PATH_LITERAL.finditer(source.text):
            folder = match.group(1).rstrip("/")
            if not _authors_path(folder) or Path(folder).exists():
                continue
            parts = set(folder.split("/"))
            for _, module, _ in python_imports(source.text[match.end() :]):
                top = module.split(".")[0]
                if top in parts and not (repo_dir / top).exists() and not (repo_dir / f"{top}.py").exists():
                    needs.add(
                        "system",
                        top,
                        f"{source.path} imports {top} from {folder}, a folder on the authors' machine it puts on "
                        f"sys.path: install {top} (or put your copy on PYTHONPATH)",
                    )
                    return


# Python 2 statements that Python 3 cannot even parse: `print x`, `except E, e:`, `raise E, "m"`, `exec "code"`.
_PYTHON2_LINE = re.compile(
    r"""^[ \t]*(?:print[ \t]+(?![\s(=,.)\]}:;+*/%&|^<>-]|$)|print[ \t]*>>|exec[ \t]+['"]|"""
    r"""except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:|raise[ \t]+[\w.]+[ \t]*,)""",
    re.M,
)


def check_python2(sources: Sequence[Source], needs: Found) -> None:
    """Python 2 code in what runs (the started scripts and the modules they import): Python 3 stops
    on it with a SyntaxError before anything runs. A line that only looks like one (`print` in a
    string) is confirmed by compiling the file."""
    for source in sources:
        if source.lang != "python" or not _PYTHON2_LINE.search(source.text):
            continue
        try:
            compile(source.text, source.path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError as error:
            line = (error.text or "").strip()
            if not _PYTHON2_LINE.search(line + "\n" if line else ""):
                continue
            lazy = lazily_imported(source, sources)
            needs.add(
                "system",
                "python2 (lazy)" if lazy else "python2",
                f"{source.path}:{error.lineno} `{line[:60]}` is Python 2, which Python 3 cannot parse"
                f"{_LAZY if lazy else ''}: "
                "run it in a Python 2.7 environment (conda create -n py27 python=2.7) or port it with 2to3",
                blocking=not lazy,
            )
            if not lazy:
                return
        except (ValueError, RecursionError, MemoryError):
            continue


# A framework generation that no release installable today keeps the API of: TensorFlow 0.x (before
# the 1.0 renames), Keras 1.x (before the 2.0 API). "r0.11", "Keras 1.2.1", "tensorflow==0.12".
_OLD_FRAMEWORKS = (
    (
        "tensorflow",
        re.compile(
            r"\btensorflow\b(?![-_ ]?hub)(?:-gpu)?[^\n]{0,40}?(?<![\w.>=])(?:==|=|\br|\bv|version )?\s*(0\.\d+)\b", re.I
        ),
        "TensorFlow {} (its 0.x API predates TF 1.0's renames; no wheel for today's Python)",
    ),
    (
        "keras",
        re.compile(r"\bkeras\b[^\n]{0,20}?(?<![\w.>=])(?:==|=|\bv|version )?\s*(1\.\d+(?:\.\d+)?)\b", re.I),
        "Keras {} (the 1.x API, which Keras 2 changed) with the Theano or TensorFlow 1 it ran on",
    ),
)


def check_old_frameworks(sources: Sequence[Source], docs, needs: Found) -> None:
    """A framework the run imports that the docs or requirements pin to an old generation."""
    imported = "\n".join(s.text for s in sources if s.lang == "python")
    texts = list(docs) + [(s.path, s.text) for s in sources if s.role == "config"]
    for module, pinned, what in _OLD_FRAMEWORKS:
        if not re.search(rf"^\s*(?:import|from)\s+{module}\b", imported, re.M):
            continue
        for path, text in texts:
            match = next(
                (
                    m
                    for m in pinned.finditer(text)
                    # `TensorFlow >= 0.10` is a floor, `0.10+` and "0.10 or later" too: not a pin.
                    if not re.search(r"\+|or (?:later|newer|above)", text[m.end() : m.end() + 12])
                    and not re.search(r">\s*=?\s*$", text[max(0, m.start(1) - 4) : m.start(1)])
                    # `https://www.tensorflow.org/versions/r0.10/api_docs/...`: a link to old docs, no pin.
                    and not re.search(r"://\S*$", text[text.rfind("\n", 0, m.start()) + 1 : m.start(1)])
                ),
                None,
            )
            if match:
                line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.end())].strip()
                needs.add("system", module, f"{path} says `{line[:100]}`: install {what.format(match.group(1))}")
                break


def check_programs(command: str, sources: Sequence[Source], which: Callable[[str], str | None], needs: Found) -> None:
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
            # A Lua script is started by Torch7's `th`; other programs by their own name.
            program = "th" if start.program == "lua" else start.program if start.target is None else ""
            what = _SYSTEM_PROGRAMS.get(program)
            if what is None or which(program):
                continue
            extra = f" with the rocks {', '.join(lua_libs)}" if program == "th" and lua_libs else ""
            needs.add("system", what, f"the run starts `{program}`: install {what}{extra}")
            if program in _CLOUD_LOGIN:
                login = _CLOUD_LOGIN[program]
                needs.add("credential", login, f"`{program}` needs a login to the bucket: run `{login}`")
    # A bucket the command or its shell scripts and settings name (a Python string may be a help text).
    texts = [command] + [s.text for s in sources if s.lang in ("shell", "config")]
    bucket = next((m for text in texts for m in re.findall(r"\b(?:gs|s3)://[\w./-]+", text)), None)
    if bucket:
        needs.add("dataset", bucket, f"the run reads its data from {bucket}: it needs that bucket (or a copy of it)")
        if not needs.has("credential"):
            needs.add(
                "credential",
                "bucket",
                f"the run reads {bucket}: log in to that cloud first (gcloud auth login / aws configure)",
            )


# A doc command run by another language's runtime: `java -mx4g -cp lib/stanford-corenlp.jar ...Server`.
_DOC_RUNTIME = re.compile(r"^[ \t]*(?:\$[ \t]*)?(java|matlab|octave|th|luajit|julia|Rscript)[ \t]+\S[^\n]*", re.M)


def check_doc_programs(docs, which: Callable[[str], str | None], needs: Found) -> None:
    """The data the run lacks is made by the docs' steps; a step run by another runtime (a Java
    CoreNLP server for preprocessing, a MATLAB script that extracts features) needs that runtime too."""
    if not needs.has("dataset", blocking=True):
        return
    for path, text in docs:
        for match in _DOC_RUNTIME.finditer(text):
            program = match.group(1)
            what = _SYSTEM_PROGRAMS[program]
            if which(program):
                continue
            step = re.sub(r"\s+", " ", match.group(0).strip().lstrip("$ "))[:160]
            needs.add("system", what, f"{path} prepares the run with `{step}`: install {what}")
            return


# A doc line that builds the repo's compiled code: `make`, `cmake ..`, `sh ./init.sh`,
# `python setup.py build_ext --inplace`.
_BUILD_STEP = re.compile(
    r"^\s*(?:[$>]\s*)?(?:cd \S+\s*(?:&&|;)\s*)?"
    r"(?:c?make\b|(?:ba)?sh \S*(?:init|make|build|compile|setup|install)\S*\.sh|"
    r"\./\S*(?:init|make|build|compile)\S*\.sh|"
    r"python3? \S*setup\S*\.py (?:build|install|develop))|build_ext"
)


_VENDORED = frozenset({"external", "third_party", "thirdparty", "3rdparty", "vendor", "extern", "deps"})
_PYXIMPORT = re.compile(r"^[ \t]*pyximport\.install\(", re.M)
_MAX_PYX_READERS = 400


def _compiled_on_import(repo_dir: Path, pyx: Sequence[str]) -> bool:
    """Every .pyx of a folder is imported by a module that calls `pyximport.install()` first, which
    compiles it on import (yolact's `traditional_nms`: `pyximport.install(...)`, then
    `from utils.cython_nms import nms`): nothing to build before the run."""
    stems = {name.removesuffix(".pyx") for name in pyx}
    found: set[str] = set()
    count = 0
    for folder, names in _walk_dirs(repo_dir):
        for name in names:
            if not name.endswith(".py"):
                continue
            count += 1
            if count > _MAX_PYX_READERS:
                return False
            try:
                text = (folder / name).read_text(errors="replace")[:200_000]
            except OSError:
                continue
            if "pyximport" in text and _PYXIMPORT.search(text):
                found |= {stem for stem in stems if re.search(rf"^[ \t]*(?:from|import)\s[^\n]*\b{stem}\b", text, re.M)}
                if found == stems:
                    return True
    return False


def check_extensions(repo_dir: Path, sources: Sequence[Source], docs, needs: Found, cwd: str = "") -> None:
    """Compiled extensions (.pyx, .cu beside no built .so) that the run imports, or that the docs
    about the run say to build, when nothing is built yet. In a monorepo a build step in another
    project's README (`server/README.md: make -C server`) is not this run's."""
    # module -> imported outside a `try:` somewhere (False: only as `try: import x except ImportError:`)
    imported: dict[str, bool] = {}
    for source in sources:
        if source.lang != "python":
            continue
        lines = source.text.splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"^\s*(?:from|import)\s+([\w.]+)", line)
            if m:
                imported[m.group(1)] = imported.get(m.group(1), False) or not _in_try(lines, i)
    here = Path(cwd).parts[:1]
    # A doc at the root, or in the top folder the command runs in.
    step = _build_step(
        [(path, text) for path, text in docs if len(Path(path).parts) == 1 or Path(path).parts[:1] == here]
    )
    for folder, names in _walk_dirs(repo_dir):
        unbuilt = sorted(n for n in names if n.endswith((".pyx", ".cu")))
        if unbuilt and all(n.endswith(".pyx") for n in unbuilt) and _compiled_on_import(repo_dir, unbuilt):
            continue
        if not unbuilt or any(n.endswith((".so", ".pyd")) for n in names):
            continue
        rel = folder.relative_to(repo_dir)
        dotted = ".".join(rel.parts)
        reached = [
            plain
            for m, plain in imported.items()
            if m == dotted or m.startswith(dotted + ".") or m.split(".")[0] == rel.parts[-1]
        ]
        if not reached and step:
            # Built by the docs' step for a module the run reaches deeper than what is traced: how
            # do the extension's neighbours import it?
            reached = _imports_of(folder.parent, rel.parts[-1])
        if not reached and _VENDORED.intersection(rel.parts):
            continue  # another project kept in the repo (`external/DCNv2`) that nothing this run imports
        if reached or step:
            how = f"build it first: `{step[:160]}`" if step else "build it first (setup.py build_ext / make)"
            # `try: from .eval_lib.cython_eval import ... except ImportError:` falls back: faster when built.
            optional = bool(reached) and not any(reached)
            detail = f"{rel}/ holds {unbuilt[0]} with no built module: {how}"
            if optional:
                detail += " (optional: the code imports it under try and falls back without it)"
            needs.add("system", "extension", detail, blocking=not optional)
            return


def _imports_of(folder: Path, name: str) -> list[bool]:
    """For each import of `name` (a submodule) in the Python files of `folder`: outside a `try:`."""
    found = []
    for path in sorted(folder.glob("*.py"))[:50]:
        try:
            lines = path.read_text(errors="replace")[:200_000].splitlines()
        except OSError:
            continue
        for i, line in enumerate(lines):
            if re.match(rf"^\s*(?:from|import)\s+[\w.]*\b{re.escape(name)}\b", line):
                found.append(not _in_try(lines, i))
    return found


def _in_try(lines: list[str], index: int) -> bool:
    """Whether lines[index] is in the body of a `try:` (the nearest less indented line opens one)."""
    indent = _indent(lines[index])
    for j in range(index - 1, max(-1, index - 50), -1):
        stripped = lines[j].strip()
        if stripped and not stripped.startswith("#") and _indent(lines[j]) < indent:
            return stripped.startswith("try")
    return False


_NATIVE_LOAD = re.compile(
    r"""(?:load_op_library|CDLL|LoadLibrary|load_library)\([^'"]{0,200}['"]([\w./-]+\.(?:so|dylib))['"]"""
)


def check_native_ops(repo_dir: Path, sources: Sequence[Source], needs: Found) -> None:
    """A compiled op the code loads by file name (`tf.load_op_library('batcher.so')`) that is not built."""
    for source in sources:
        for name in _NATIVE_LOAD.findall(source.text) if source.lang == "python" else ():
            if not (path_exists(repo_dir, name) or path_exists((repo_dir / source.path).parent, name)):
                needs.add(
                    "system",
                    name,
                    f"{source.path} loads {name}, a compiled op that is not built: "
                    "build it (see the docs or Dockerfile)",
                )


def check_missing_programs(
    command: str, sources: Sequence[Source], base: Path, repo_dir: Path, docs, needs: Found
) -> list[str]:
    """What the command (or a shell script it runs) starts that the checkout does not have: a
    program built from the repo's C sources (`./darknet detector valid ...` before `make`), or a
    Python script that comes from another project (`pylearn2/scripts/train.py`). Returns the
    programs still to build."""
    unbuilt: list[str] = []
    # `cd adding_problem/ && python main.py`: what follows a `cd` starts from that folder.
    # A `cd` to a folder that is not there is kept as where the script should be (`cd adding_problem/`).
    lines, here, moved = [], base, ""
    for part in command.split("&&"):
        cd = re.match(r"^\s*cd\s+(\S+)\s*$", part)
        if cd:
            if (here / cd.group(1)).is_dir():
                here = here / cd.group(1)
            else:
                moved = f"{moved}{cd.group(1).rstrip('/')}/"
            continue
        lines.append((part, here, moved))
    lines += [(line, repo_dir / folder, "") for s in sources for line, folder in s.runs]
    for line, folder, moved in lines:
        for start in starts(line):
            if start.program == "python" and start.target and not start.module:
                program, built = start.target, False
            elif (
                start.target is None
                and not start.program.startswith(("/", "~"))
                and ("/" in start.program or start.program.lower().endswith(".exe"))
            ):
                # `darknet.exe detector map ...`: a Windows build of the repo's own program, built first too.
                program, built = start.program, True
            else:
                continue
            # Only a plain path is read as one: a quoted name (`'eval;touch X;.py'`) was split at its `;`.
            if not re.fullmatch(r"[\w./-]+", program) or any(path_exists(b, program) for b in (folder, base, repo_dir)):
                continue
            if not built and _elsewhere(repo_dir, moved + program):
                continue  # the repo's own script, started from another folder than the docs' (`cd tasks` first)
            if built:
                step = _build_step(docs)
                how = f"build it first: `{step[:160]}`" if step else "build it first (see the docs or the Makefile)"
                needs.add("system", program, f"the run starts {program}, which is not built: {how}")
                unbuilt.append(program)
            else:
                needs.add(
                    "system",
                    program,
                    f"the run starts {program}, which the checkout does not have: it comes from another "
                    "project (install that project, or pass --cmd with the script's path)",
                )
    return unbuilt


# The switch at the head of a Makefile that builds with CUDA: darknet's `GPU=1`, `USE_CUDA = 1`.
_MAKE_GPU = re.compile(r"^[ \t]*(GPU|USE_CUDA|USE_GPU|CUDA)[ \t]*[:?]?=[ \t]*1\b", re.M)


def check_build_gpu(unbuilt: Sequence[str], repo_dir: Path, needs: Found) -> None:
    """A program the run starts that the repo's Makefile builds with CUDA switched on (darknet's
    `GPU=1`): the binary `make` gives needs a GPU (and the CUDA toolkit to build). With `GPU=0` it
    runs on the CPU, so a doc line about GPU memory alone is no need."""
    if not unbuilt or needs.has("gpu", blocking=True):
        return
    try:
        text = (repo_dir / "Makefile").read_text(errors="replace")[:_MAX_MAKEFILE]
    except OSError:
        return
    switch = _MAKE_GPU.search(text)
    if switch:
        needs.add(
            "gpu",
            "cuda",
            f"the Makefile builds {unbuilt[0]} with {switch.group(0).strip()} (CUDA): needs a GPU "
            f"(or set {switch.group(1)}=0 before `make` to build for the CPU)",
        )


_MAX_MAKEFILE = 100_000


def _elsewhere(repo_dir: Path, program: str) -> bool:
    """The repo has the script under another folder: `adding_problem/main.py` is tasks/adding_problem/main.py,
    `./test_resnet.py` in script/x.sh is src/test_resnet.py."""
    parts = [p for p in program.split("/") if p not in ("", ".", "..")]
    if len(parts) < 2 and not re.search(r"[A-Za-z]_|[a-z][A-Z]", program):
        return False  # a bare `main.py` names none of the repo's many main.py files; `test_resnet.py` does
    tail = "/" + "/".join(parts)
    for folder, names in _walk_dirs(repo_dir):
        if parts[-1] in names and (folder / parts[-1]).as_posix().endswith(tail):
            return True
    return False


def _build_step(docs) -> str | None:
    """The first line of the docs that builds something (`python setup.py build_ext`, `make`)."""
    return next(
        (line.strip().strip("`$ ") for _, text in docs for line in text.splitlines() if _BUILD_STEP.search(line)), None
    )


def _walk_dirs(repo_dir: Path, limit: int = 3000):
    """Folders of the repo with the names in each, breadth first, at most `limit` of them, skipping
    VCS and env folders. One directory read per folder, no stat per file (50k files cost a tenth of
    a second, not half a second)."""
    queue = deque([repo_dir])
    count = 0
    while queue and count < limit:
        folder = queue.popleft()
        count += 1
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue
        yield folder, {e.name for e in entries}
        children = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                    children.append(entry.name)
            except OSError:
                continue
        queue += [folder / c for c in sorted(children) if c not in ("node_modules", "venv", "env", "__pycache__")]
