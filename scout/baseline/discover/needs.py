"""What a command still needs before it can run on this machine, read from what actually runs, not
from the command line alone: `traced.follow` finds the files (the shell scripts it starts, the
Python, Lua or MATLAB those start, two levels of the repo's own modules they import, the config files
passed as arguments or named by flag defaults and `@hydra.main`), bounded in files and bytes;
`found.py` reads the command line and shell lines, `runs.py` the code, `links.py` the docs' links,
`writers.py` which other script of the repo writes a file the run reads but lacks (run it first).

Kinds (the labels of bench/corpus/LABELING.md): `placeholder` (a value the command leaves to the
user: `/path/to/coco`, `<PATH>`, `[imagenet-folder]`, `...`, `SPECIFY_..._HERE`, `YOUR_KEY`, an
unset `$VAR`, a `sys.argv[1]`, `$1` or `required=True` argument it does not pass, Hydra's `???`, a
path on the authors' machine), `checkpoint` (trained weights the run loads: a flag, a Hydra/yacs
`KEY=VALUE` override, a default path that only training writes), `dataset` (a path the run reads
that is not there, with the docs' download step), `gpu` (CUDA with no CPU path), `env`
(`os.environ[...]` with no default), `credential` (a key left as a placeholder in the code, a token
variable, a cloud, W&B or `.env` login, data behind an account), `simulator` (MuJoCo, Atari ROMs,
DeepMind Lab, CARLA, ...) and `system` (Torch7, MATLAB, Java, the Cloud SDK, an unbuilt compiled
extension or op).

A need is `blocking` when the command stops without it (LABELING.md's meaning); otherwise it is
advice (the script downloads it, a flag switches to the CPU). Each detail says what to do next.
`--set KEY=VALUE` fills a value in the command: KEY is the placeholder as written, the flag it
follows, the variable's name or a positional word. Reading only; nothing here runs the repo's code."""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scout.baseline.discover import runs
from scout.baseline.discover.found import Found, command_paths, command_placeholders, positional_args, spelled_values
from scout.baseline.discover.traced import follow
from scout.baseline.discover.writers import Written, writer_of, writes
from scout.errors import ConfigError, UsageError

_MAX_DOCS = 40
_MAX_DOC_CHARS = 400_000
# The scripts read for what they write: bounded like the docs, so a plan stays under a second.
_MAX_SCRIPTS = 300
_MAX_SCRIPT_CHARS = 200_000
_MAX_WRITERS = 2
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "site-packages", "__pycache__", "third_party", "external"}


@dataclass(frozen=True)
class Need:
    kind: str  # dataset, checkpoint, gpu, credential, env, simulator, system, placeholder or unsafe
    detail: str  # what is missing and what to do next
    key: str | None = None  # what `--set KEY=VALUE` fills, where --set can (a value in the command)
    blocking: bool = False  # True: the command stops without it

    def to_json(self) -> dict:
        return {"kind": self.kind, "detail": self.detail, "key": self.key, "blocking": self.blocking}


def parse_sets(values: list[str] | tuple[str, ...]) -> dict[str, str]:
    sets = {}
    for value in values:
        key, eq, filled = value.partition("=")
        if not eq or not key.strip():
            raise UsageError(f"--set {value!r} is not KEY=VALUE (e.g. --set data_path=/data/imagenet)")
        sets[key.strip()] = filled
    return sets


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
                # A positional value written as its description: `evaluate.py model.epochN test_data`.
                word = re.compile(rf"(?<=\s){re.escape(key)}(?=\s|$)")
                command, count = word.subn(lambda _, q=quoted: q, command)
            if not count:
                raise ConfigError(
                    f"--set {key}=...: the command has no placeholder, flag or variable {key!r}; "
                    "use the placeholder as written, its flag, or its variable name"
                )
    return command


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
    setup: Sequence[str] = (),
    kind_of: Callable[[str], str] | None = None,
    writers: bool = True,
) -> list[Need]:
    """Every need of a command as it stands (after --set). `docs` are (path, text) pairs of the
    repo's docs; without them `docs_text` is read as one doc. `which` finds a program on this
    machine (a program that is there is no need). `setup`: the steps the plan runs before the
    command; data or weights they name are not blocking. `kind_of` tells an evaluation from a command
    line: a `run` whose shell script starts an evaluation (`sh run.sh` -> `python test.py`) is one.
    `writers`: when another script writes a file the run lacks, that script's own data and weights
    are needs of this run too (one step back, not further)."""
    # Bounded like docs.py reads them: a 10 MB README is not read to the end for each need.
    docs = [(path, text[:_MAX_DOC_CHARS]) for path, text in (docs if docs is not None else [("the docs", docs_text)])]
    docs = docs[:_MAX_DOCS]
    sources = follow(command, repo_dir, cwd)
    if script and not any(s.role == "start" for s in sources):
        sources = follow(f"python {script}", repo_dir, cwd)
    if kind == "run" and kind_of is not None and any(kind_of(line) == "eval" for s in sources for line, _ in s.runs):
        kind = "eval"
    needs = Found(runs.fetched_files(sources))
    base = repo_dir / cwd
    command_placeholders(command, environ, docs, needs)
    spelled_values(command, needs, docs)
    script_dirs = [(repo_dir / s.path).parent for s in sources if s.role == "start"]
    restored = runs.restored_flags(sources)
    named = command_paths(command, base, docs, needs, also=script_dirs, kind=kind, restored=restored)
    named |= runs.check_shell_lines(sources, repo_dir, kind, docs, needs)
    args = [a for s in sources if s.role == "start" for a in positional_args(s.args)]
    runs.check_arguments(sources, base, docs, needs)
    runs.check_defaults(sources, named, base, repo_dir, kind, docs, needs, command)
    runs.check_placeholder_defaults(sources, command, needs)
    runs.check_reads(sources, base, repo_dir, args, named, docs, needs, evaluates=kind == "eval")
    runs.check_partial_folders(sources, command, base, docs, needs)
    runs.check_configs(sources, base, named, kind, docs, needs)
    runs.check_example_settings(sources, base, repo_dir, needs)
    runs.check_spelled_in_code(sources, needs)
    runs.check_downloads(sources, needs)
    runs.check_built_loads(sources, kind, named, docs, needs)
    runs.check_linked_weights(kind, named, docs, needs)
    runs.check_linked_data(sources, docs, needs, command, base)
    if not has_gpu:
        runs.check_gpu(sources, named, docs, needs, command)
    runs.check_environment(sources, command, environ, needs)
    runs.check_services(sources, repo_dir, environ, needs)
    runs.check_gated_data(docs, needs)
    runs.check_doc_edits(sources, repo_dir, docs, needs)
    runs.check_logins(sources, docs, environ, needs)
    runs.check_secrets(sources, needs)
    runs.check_simulators(sources, needs, command)
    runs.check_python2(sources, needs)
    runs.check_authors_modules(sources, repo_dir, needs)
    runs.check_old_frameworks(sources, docs, needs)
    runs.check_tf1(sources, repo_dir, docs, needs)
    runs.check_programs(command, sources, which, needs)
    runs.check_doc_programs(docs, which, needs)
    runs.check_extensions(repo_dir, sources, docs, needs, cwd)
    runs.check_native_ops(repo_dir, sources, needs)
    unbuilt = runs.check_missing_programs(command, sources, base, repo_dir, docs, needs)
    if not has_gpu:
        runs.check_build_gpu(unbuilt, repo_dir, needs)
    needs.made_by(setup)
    if any(k in ("dataset", "checkpoint") for k, *_ in needs.items):
        started = {s.path for s in sources if s.role == "start"}
        written = _repo_writes(repo_dir, started)
        for writer in needs.written_by(lambda path: writer_of(path, written))[:_MAX_WRITERS] if writers else ():
            folder, name = writer.rpartition("/")[::2]
            earlier = find_needs(
                f"python {name}",
                repo_dir=repo_dir,
                cwd=folder,
                kind="run",
                docs_text=docs_text,
                environ=environ,
                has_gpu=True,  # the step's own needs that matter here are what it reads
                script=None,
                docs=docs,
                which=which,
                writers=False,
            )
            said = [detail for _, _, detail, _, _ in needs.items]
            for need in earlier:
                # A module both share (config.py) says the same need twice: once is enough.
                if (
                    need.blocking
                    and need.kind in ("dataset", "checkpoint")
                    and not any(d.startswith(need.detail) for d in said)
                ):
                    needs.add(need.kind, f"{writer}: {need.detail}", f"for {writer} (run first): {need.detail}")
    return [Need(what, detail, key, blocking) for what, _, detail, key, blocking in needs.items]


def _repo_writes(repo_dir: Path, started: set[str]) -> list[Written]:
    """What the repo's other Python scripts write (not the ones this command starts: a file the run
    writes itself before reading it is no need, and check_reads already drops those)."""
    found: list[Written] = []
    for count, path in enumerate(sorted(repo_dir.rglob("*.py"))):
        if count >= _MAX_SCRIPTS:
            break
        rel = path.relative_to(repo_dir).as_posix()
        if rel in started or _SKIP_DIRS & set(path.relative_to(repo_dir).parts):
            continue
        try:
            text = path.read_text(errors="replace")[:_MAX_SCRIPT_CHARS]
        except OSError:
            continue
        found += writes(rel, text)
    return found
