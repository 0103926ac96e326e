"""Rank the commands that might evaluate a repo, the way a careful researcher reads it.

Candidates come from the docs (every README variant, linked guides, docs/*.md: code blocks and
inline code), from conventional evaluation scripts (val.py, validate.py, eval_*.py, test_*.py entry
points, scripts/*.sh), from argparse evaluation flags, from notebooks the docs name and, last, from a
lone top-level script. A command whose script is not in the checkout is dropped.

Each gets a kind: an evaluation (an eval word as a token of the script or a flag: `--do_eval`,
`--eval_only`, `--test-only`, `val.py`), training and evaluation, a plain run, training only (from the
script name or a train flag, never `--train_batch_size`), or an aside (a demo, one-image detection,
feature extraction, export, hubconf.py, setup.py, conftest.py, unit tests, notebooks) that is ranked
below every real evaluation and never taken on its own. A library or a monorepo of examples has
no command: only its ranked candidates."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from scout.baseline.discover.docs import Doc, DocCommand, console_scripts, doc_commands, find_docs, notebooks_named

EVAL_WORDS = frozenset(
    {"eval", "evaluate", "evaluation", "test", "testing", "val", "validate", "validation", "benchmark", "reproduce"}
)
# Self-supervised papers report linear probing and k-NN accuracy: evaluations too.
_PROBE_WORDS = frozenset({"linear", "lincls", "linprobe", "knn", "semisup", "zeroshot"})
TRAIN_WORDS = frozenset({"train", "training", "pretrain", "finetune", "fit"})
# Words after an eval/train word that make a flag a setting, not a mode: --eval_iters, --train_batch_size.
_SETTING_WORDS = frozenset(
    {
        "iters", "iter", "interval", "every", "freq", "frequency", "batch", "bs", "size", "steps", "step",
        "period", "epochs", "samples", "split", "data", "dataset", "dir", "path", "file", "set", "ratio",
        "perc", "percent", "workers", "num", "max", "min", "crop", "resolution", "res", "img", "image",
        "transform", "aug", "root", "list", "name", "tag", "metric", "metrics", "mode", "fraction",
    }
)  # fmt: skip
_ASIDE_WORDS = frozenset(
    {
        "demo", "detect", "predict", "prediction", "inference", "infer", "sample", "sampling", "generate",
        "generation", "visualize", "visualise", "visualization", "vis", "viz", "extract", "features",
        "feature", "export", "convert", "hubconf", "setup", "conftest", "app", "gradio", "serve", "server",
        "download", "prepare", "preprocess", "video", "webcam", "plot", "profile", "speed", "study", "help",
        "onnx", "tensorrt", "trt", "submitit", "slurm", "install", "examples",
    }
)  # fmt: skip
_PREPARE_WORDS = frozenset({"prepare", "download", "get", "fetch", "preprocess", "build", "make", "create"})
_SECTION_EVAL = re.compile(r"\b(eval\w*|test\w*|validat\w*|benchmark\w*|reproduc\w*|results?|inference)\b", re.I)
_SECTION_TRAIN = re.compile(r"\b(train\w*|pre-?train\w*|fine-?tun\w*)\b", re.I)
_UNIT_TEST = re.compile(
    r"^(?:python3?\s+-m\s+)?(?:pytest|unittest|tox|nose2?)\b|\bpython3?\s+-m\s+(?:pytest|unittest)\b"
)
_EXTERNAL_MODULES = ("torch.", "torch", "pytest", "unittest", "jupyter", "nbconvert", "papermill", "accelerate", "pip")
_LAUNCHER_FLAGS_WITH_VALUE = re.compile(r"^--?(nproc_per_node|nnodes|node_rank|master_addr|master_port|rdzv\w*)$")
_ADD_ARGUMENT = re.compile(r"""add_argument\(\s*(?:['"]-\w['"]\s*,\s*)?['"](--[\w-]+)['"](.{0,300}?)\)""", re.S)
_UNIT_TEST_CODE = re.compile(r"^\s*(?:import (?:unittest|pytest)|from (?:unittest|pytest)\b|def test_\w+\()", re.M)
_ENTRY_POINT = re.compile(r"""if\s+__name__\s*==\s*['"]__main__['"]|argparse|sys\.argv|^print\(""", re.M)
_PRINTS_METRIC = re.compile(r"print\(.*\b(loss|acc|accuracy|error|err|score|ppl|perplexity)\b", re.I)
_CONVENTIONAL = ("eval.py", "evaluate.py", "val.py", "validate.py", "test.py", "benchmark.py")
_LAST_RESORT = ("main.py", "run.py", "train.py")
_SCRIPT_DIRS = ("", "scripts", "tools")
_SKIP_SCRIPTS = ("setup.py", "hubconf.py", "conftest.py", "__init__.py")

KIND_SCORE = {"eval": 100, "train+eval": 75, "run": 50, "train": 30, "notebook": 5, "aside": 0}
RUNNABLE = frozenset({"eval", "train+eval", "run", "train"})


@dataclass(frozen=True)
class Candidate:
    command: str
    source: str  # "README_deit.md § Evaluation", "script val.py", "argparse flag in main.py"
    cwd: str
    kind: str  # a key of KIND_SCORE
    reasons: tuple[str, ...]
    score: float
    setup: tuple[str, ...] = ()  # the prepare/download commands the doc puts right before it
    doc_index: int = 10**6


@dataclass(frozen=True)
class Finding:
    candidates: tuple[Candidate, ...]  # best first
    chosen: Candidate | None
    shape: str  # "repo", "library" or "monorepo"
    dropped: tuple[str, ...] = field(default=())  # commands dropped because their script is missing
    docs_text: str = ""  # every doc read, for the checkpoint links and metric names they hold


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def _flag_mode(flag: str, value: str | None) -> tuple[bool, bool]:
    """(evaluates, trains) for one flag: `--do_eval=true` evaluates, `--eval_iters 20` neither."""
    words = _words(flag)
    if value is not None and value.lower() in ("false", "0", "no", "off"):
        return False, False
    evaluates = trains = False
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else None
        if after in _SETTING_WORDS:
            continue
        # A mode switch leads its flag (--eval, --test-only, --do_eval); --model_ema_eval and
        # trainer.gradient_clip_val are settings.
        leads = i == 0 or words[i - 1] in ("do", "run", "only")
        evaluates |= word in EVAL_WORDS and leads
        trains |= word in TRAIN_WORDS
    if value is not None and _words(flag) in (["mode"], ["task"], ["phase"], ["run", "mode"]):
        vwords = set(_words(value))
        evaluates |= bool(vwords & EVAL_WORDS)
        trains |= bool(vwords & TRAIN_WORDS)
    return evaluates, trains


@dataclass(frozen=True)
class Parsed:
    script: str | None  # the .py/.sh file it runs, relative to the command's cwd
    module: str | None  # python -m MODULE
    args: tuple[str, ...]  # the arguments after the script or module


def parse_command(command: str) -> Parsed:
    """The script (or module) a command runs and its arguments, through env assignments, launchers
    (torchrun, python -m torch.distributed.launch, accelerate launch) and `chmod +x x.sh &&`."""
    command = command.split("&&")[-1].strip()
    try:
        tokens = shlex.split(command)
    except ValueError:
        tokens = command.split()
    while tokens and re.match(r"^[A-Z_][A-Z0-9_]*=", tokens[0]):
        tokens.pop(0)
    i = 0
    module = None
    while i < len(tokens):
        token = tokens[i]
        if re.match(r"^python3?(\.\d+)?$", token) or token in ("torchrun", "deepspeed", "bash", "sh", "srun"):
            i += 1
        elif token == "accelerate" and i + 1 < len(tokens) and tokens[i + 1] == "launch":
            i += 2
        elif token == "-m" and i + 1 < len(tokens):
            module = tokens[i + 1]
            if module.startswith("torch.distributed"):
                module = None
                i += 2
                continue
            return Parsed(None, module, tuple(tokens[i + 2 :]))
        elif token.startswith("-"):
            i += 2 if _LAUNCHER_FLAGS_WITH_VALUE.match(token.split("=")[0]) and "=" not in token else 1
        elif re.search(r"\.(py|sh)$", token):
            return Parsed(token.removeprefix("./"), None, tuple(tokens[i + 1 :]))
        else:
            return Parsed(None, None, tuple(tokens[i:]))
    return Parsed(None, None, ())


def _flags(args: tuple[str, ...]) -> list[tuple[str, str | None]]:
    out = []
    for i, arg in enumerate(args):
        if arg.startswith("-") and not re.match(r"^-\d", arg):
            name, eq, value = arg.partition("=")
            if not eq:
                value = args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("-") else None
            out.append((name, value))
        elif "=" in arg and re.match(r"^[\w.+~]+=", arg):  # Hydra overrides: mode=test, trainer=cpu
            name, _, value = arg.partition("=")
            out.append((name.lstrip("+~"), value))
    return out


def classify(command: str) -> tuple[str, list[str]]:
    """The kind of a command (see KIND_SCORE) and the reasons, from its tokens."""
    if _UNIT_TEST.search(command):
        return "aside", ["unit tests, not an evaluation"]
    if re.search(r"\bjupyter\b|\bpapermill\b|\.ipynb\b", command):
        return "notebook", ["runs a notebook"]
    parsed = parse_command(command)
    # A console script the repo installs (`lm_eval --tasks ...`) is named by its first word.
    target = parsed.script or (parsed.module or "").replace(".", "/") or command.split(" ", 1)[0]
    name_words = _words(Path(target).name) + (_words(parsed.module.split(".")[-1]) if parsed.module else [])
    path_words = _words(target)
    evaluates = [w for w in name_words if w in EVAL_WORDS]
    probes = [w for w in name_words if w in _PROBE_WORDS]
    trains = [w for w in name_words if w in TRAIN_WORDS]
    asides = [w for w in name_words if w in _ASIDE_WORDS]
    reasons = []
    flag_eval, flag_train, flag_aside = [], [], []
    for flag, value in _flags(parsed.args):
        e, t = _flag_mode(flag, value)
        if e:
            flag_eval.append(f"the flag {flag}" if value is None or flag.startswith("-") else f"{flag}={value}")
        if t:
            flag_train.append(flag)
        if flag in ("--help", "-h") or set(_words(value or "")) & {"speed", "study", "profile"}:
            flag_aside.append(f"{flag} {value or ''}".strip())
    # Positional words count too: `python main.py eval`, `config/eval_gpt2.py`.
    positional = [a for a in parsed.args if not a.startswith("-") and "=" not in a]
    own_program = not (parsed.script or parsed.module)
    for arg in positional[1 if own_program else 0 : 2]:
        for word in _words(Path(arg).stem):
            if word in EVAL_WORDS and not flag_eval:
                flag_eval.append(f"the argument {arg}")
    if asides or flag_aside:
        what = (asides or flag_aside)[0]
        return "aside", [f"a side task ({what}), not an evaluation"]
    # A switch to evaluation on a training script (`train_caption.py --evaluate`) is an evaluation;
    # it both trains and evaluates only when a flag asks for training too (`--do_train --do_eval`).
    if (evaluates or probes or flag_eval) and (flag_train or (trains and not flag_eval)):
        why = [*(f"`{w}` in the script name" for w in evaluates + probes), *flag_eval]
        return "train+eval", ["trains, then evaluates: " + ", ".join(why)]
    if evaluates or probes or flag_eval:
        if evaluates or probes:
            reasons.append(
                f"`{(evaluates or probes)[0]}` in {'the script name' if evaluates or probes else ''}".strip()
            )
        if flag_eval:
            reasons.append(", ".join(flag_eval))
        return "eval", ["evaluates: " + "; ".join(reasons)]
    if trains or flag_train:
        return "train", [f"trains ({(trains or flag_train)[0]}); no evaluation flag or script"]
    del path_words
    return "run", ["runs the script; it names no evaluation and no training"]


def script_exists(repo_dir: Path, cwd: str, command: str) -> tuple[bool, str | None]:
    """Whether the script (or package module) a command runs is in the checkout; and the path to
    use instead when the docs name it without its folder (`python eval.py` for src/eval.py)."""
    parsed = parse_command(command)
    base = repo_dir / cwd
    if parsed.script:
        if "$" in parsed.script:
            return False, None
        if (base / parsed.script).is_file():
            return True, None
        matches = [p for p in repo_dir.glob(f"*/{Path(parsed.script).name}") if p.is_file()]
        if "/" not in parsed.script and len(matches) == 1:
            return True, str(matches[0].relative_to(repo_dir))
        return False, None
    if parsed.module:
        if parsed.module.split(".")[0] in _EXTERNAL_MODULES:
            return True, None
        path = base / parsed.module.replace(".", "/")
        return (path.with_suffix(".py").is_file() or (path / "__main__.py").is_file()), None
    return True, None


def _section_score(section: str) -> tuple[float, str | None]:
    if _SECTION_EVAL.search(section):
        return 15.0, f"under the heading “{section}”"
    if _SECTION_TRAIN.search(section):
        return -5.0, None
    return 0.0, None


def _prepare_steps(commands: list[DocCommand], at: int) -> tuple[str, ...]:
    """The prepare/download commands right before commands[at] in the same doc, or failing those the
    nearest one earlier in the doc."""

    def prepares(c: DocCommand) -> bool:
        parsed = parse_command(c.command)
        words = set(_words(Path(parsed.script or parsed.module or "").name))
        flag_words = {w for flag, _ in _flags(parsed.args) for w in _words(flag)}
        return bool(words & _PREPARE_WORDS) or "download" in flag_words

    doc = commands[at].doc
    steps: list[str] = []
    j = at - 1
    while j >= 0 and commands[j].doc == doc and prepares(commands[j]):
        steps.insert(0, _in_folder(commands[j]))
        j -= 1
    if not steps:
        earlier = [c for c in commands[:at] if c.doc == doc and prepares(c)]
        if earlier:
            steps.append(_in_folder(earlier[-1]))
    return tuple(steps)


def _in_folder(command: DocCommand) -> str:
    return f"cd {shlex.quote(command.cwd)} && {command.command}" if command.cwd else command.command


def _doc_candidates(repo_dir: Path, docs: list[Doc]) -> tuple[list[Candidate], list[str]]:
    commands: list[DocCommand] = []
    programs = console_scripts(repo_dir)
    for doc in docs:
        commands += doc_commands(doc, start=len(commands), programs=programs)
    out, dropped, seen = [], [], set()
    for at, doc_command in enumerate(commands):
        command, cwd = doc_command.command, doc_command.cwd
        if re.search(r"\bpip3?\s+install\b|\bsetup\.py\b|\bconda\b|^make\b|python3?\s+-c\b", command):
            continue
        if (command, cwd) in seen:
            continue
        seen.add((command, cwd))
        exists, moved = script_exists(repo_dir, cwd, command)
        if moved and cwd:
            exists, moved = False, None
        if not exists:
            dropped.append(command)
            continue
        reasons = []
        if moved:
            script = parse_command(command).script
            command = re.sub(rf"(?<![\w/]){re.escape(script)}\b", moved, command, count=1)
            reasons.append(f"the docs write {script}; the checkout has {moved}")
        kind, why = classify(command)
        reasons = why + reasons
        bonus, section_why = _section_score(doc_command.section)
        if section_why:
            reasons.append(section_why)
        depth = len(Path(parse_command(command).script or "x").parts) - 1
        score = KIND_SCORE[kind] + bonus + 8 - 10 * depth - 0.01 * doc_command.index
        if doc_command.doc.lower().startswith("readme.") or doc_command.doc.lower() == "readme":
            score += 2
        where = f"{doc_command.doc}" + (f" § {doc_command.section}" if doc_command.section else "")
        where += " (inline code)" if doc_command.inline else ""
        out.append(
            Candidate(command, where, cwd, kind, tuple(reasons), score, _prepare_steps(commands, at), doc_command.index)
        )
    return out, dropped


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _script_candidates(repo_dir: Path) -> list[Candidate]:
    """Evaluation scripts found by their names, and argparse evaluation flags of top-level scripts."""
    out = []
    for folder in _SCRIPT_DIRS:
        base = repo_dir / folder
        if not base.is_dir():
            continue
        for path in sorted(base.glob("*.py")):
            name = path.name
            if name in _SKIP_SCRIPTS:
                continue
            rel = str(path.relative_to(repo_dir))
            text = _read(path)
            conventional = name in _CONVENTIONAL or re.match(r"^(eval|evaluate|test|val|validate)_\w+\.py$", name)
            if conventional:
                if _UNIT_TEST_CODE.search(text) or not _ENTRY_POINT.search(text):
                    continue  # test_model.py full of `def test_...` is a unit test
                kind, why = classify(f"python {rel}")
                score = KIND_SCORE[kind] - 2 * len(path.relative_to(repo_dir).parts)
                out.append(Candidate(f"python {rel}", f"script {rel}", "", kind, tuple(why), score))
            elif folder == "":
                for flag, rest in _ADD_ARGUMENT.findall(text):
                    evaluates, trains = _flag_mode(flag, None)
                    if evaluates and not trains and "store_true" in rest:
                        out.append(
                            Candidate(
                                f"python {rel} {flag}",
                                f"argparse flag {flag} in {rel}",
                                "",
                                "eval",
                                (f"evaluates: {rel} has an argparse {flag} switch",),
                                KIND_SCORE["run"] - 10,  # a guess: below any documented command
                            )
                        )
                        break
        if folder:
            for path in sorted(base.glob("*.sh")):
                words = set(_words(path.stem))
                if words & (EVAL_WORDS | _PROBE_WORDS) and not words & _ASIDE_WORDS:
                    rel = str(path.relative_to(repo_dir))
                    out.append(
                        Candidate(
                            f"bash {rel}",
                            f"script {rel}",
                            "",
                            "eval",
                            (f"evaluates: {path.stem} in a shell script's name",),
                            KIND_SCORE["eval"] - 25,
                        )
                    )
    return out


def _is_library(repo_dir: Path) -> bool:
    """A package to import (setup.py or pyproject.toml beside a package folder), not a program."""
    if not ((repo_dir / "setup.py").is_file() or (repo_dir / "pyproject.toml").is_file()):
        return False
    return any((p / "__init__.py").is_file() for p in repo_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def _examples(repo_dir: Path) -> list[Candidate]:
    """One candidate per example folder of a monorepo (a folder with its own main.py or train.py)."""
    out = []
    folders = sorted({p.parent for depth in ("*", "*/*", "*/*/*") for p in repo_dir.glob(f"{depth}/*.py")})
    for sub in folders:
        if any(part.startswith((".", "_")) for part in sub.relative_to(repo_dir).parts):
            continue
        script = next((name for name in _LAST_RESORT if (sub / name).is_file()), None)
        if script:
            rel = str(sub.relative_to(repo_dir))
            out.append(
                Candidate(
                    f"python {script}",
                    f"example folder {rel}/",
                    rel,
                    "run",
                    (f"one example of many ({rel}/{script}); pick one with --cmd",),
                    KIND_SCORE["run"] - 20,
                )
            )
    return out


def _last_resort(repo_dir: Path) -> list[Candidate]:
    scripts = sorted(
        p.name for p in repo_dir.glob("*.py") if p.name not in _SKIP_SCRIPTS and not p.name.startswith("_")
    )
    named = [name for name in _LAST_RESORT if name in scripts]
    reporting = [name for name in scripts if _PRINTS_METRIC.search(_read(repo_dir / name))]
    picks = named or (scripts if len(scripts) == 1 else reporting)
    out = []
    for name in picks:
        kind, why = classify(f"python {name}")
        if kind not in RUNNABLE:
            continue
        # Many research repos are one flat script that trains, then reports.
        out.append(
            Candidate(
                f"python {name}",
                f"top-level script {name}",
                "",
                kind,
                (*why, "no documented command: the repo's own top-level script"),
                KIND_SCORE[kind] - 25,
            )
        )
    return out


def _rank(candidates: list[Candidate]) -> list[Candidate]:
    best: dict[tuple[str, str], Candidate] = {}
    for candidate in candidates:
        key = (re.sub(r"\s+", " ", candidate.command), candidate.cwd)
        if key not in best or candidate.score > best[key].score:
            best[key] = candidate
    return sorted(best.values(), key=lambda c: (-c.score, c.doc_index))


def find_candidates(repo_dir: Path) -> Finding:
    """The ranked candidates of a checkout and the one to run (None for a library, a monorepo of
    examples, or a repo with nothing runnable)."""
    docs = find_docs(repo_dir)
    documented, dropped = _doc_candidates(repo_dir, docs)
    found = documented + _script_candidates(repo_dir)
    found += [
        Candidate(
            f"jupyter nbconvert --to notebook --execute --output-dir $SCOUT_RUN_DIR {shlex.quote(name)}",
            f"notebook {name} named in the docs",
            "",
            "notebook",
            ("the docs name this notebook; run it only if that is the evaluation you want",),
            KIND_SCORE["notebook"],
        )
        for name in notebooks_named(docs, repo_dir)
    ]
    runnable = [c for c in found if c.kind in RUNNABLE]
    shape = "repo"
    if runnable and all(c.cwd for c in runnable) and len({c.cwd.split("/")[0] for c in runnable}) >= 3:
        shape = "monorepo"  # every documented run lives in one of many example folders
    elif not runnable:
        examples = _examples(repo_dir)
        if len(examples) >= 3:
            shape, found = "monorepo", found + examples
        elif _is_library(repo_dir):
            shape = "library"
        else:
            found += _last_resort(repo_dir) + examples
    ranked = _rank(found)
    chosen = next((c for c in ranked if c.kind in RUNNABLE), None) if shape == "repo" else None
    return Finding(tuple(ranked), chosen, shape, tuple(dropped), "\n".join(doc.text for doc in docs))
