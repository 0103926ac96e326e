"""What a command still needs before it can run: values for its placeholders (`/path/to/coco`,
`<PATH/TO/DIR>`, an unset `$BERT_BASE_DIR`), the checkpoint an evaluation should load, dataset
folders that are not there, a GPU for a CUDA-only script, credentials. `--set KEY=VALUE` fills
a placeholder: KEY is the placeholder as written, the flag it follows, or the variable's name."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scout.errors import ConfigError

_PLACEHOLDER = re.compile(
    r"(?P<ph>/path/to/[\w./\-]*|<[A-Za-z][^<>\s]*>|\[your[^\]]*\]|\b(?:path_to|PATH_TO|YOUR|your)_[\w\-]+"
    r"|\$\{?(?P<var>[A-Za-z_][A-Za-z0-9_]*)\}?)"
)
_DATA_FLAG = re.compile(r"data|dataset|coco|imagenet|root|images|corpus|glue|squad", re.I)
_CKPT_FLAG = re.compile(r"resume|weights?|ckpt|checkpoint|pretrained|model[_-]?path|load|init[_-]?from", re.I)
_CREDENTIAL_VAR = re.compile(r"TOKEN|API[_-]?KEY|SECRET|PASSWORD|ACCESS[_-]?KEY", re.I)
_CKPT_URL = re.compile(r"https?://[^\s)\"'<>]+\.(?:pth|pt|ckpt|pkl|npz|th|tar|bin|safetensors|h5)\b")
_CUDA_ONLY = re.compile(r"\.cuda\(\)|device\s*=\s*['\"]cuda['\"]|torch\.device\(\s*['\"]cuda['\"]\s*\)")
_CUDA_FALLBACK = re.compile(r"cuda\.is_available\(\)|--device|--gpu|--cpu|device\s*=\s*args")
# Shell variables a command may use that the run sets itself.
_OWN_VARS = frozenset({"SCOUT_RUN_DIR", "SCOUT_SEED", "PWD", "HOME", "PATH", "USER"})


@dataclass(frozen=True)
class Need:
    kind: str  # dataset, checkpoint, placeholder, gpu or credential
    detail: str
    key: str | None = None  # what `--set KEY=VALUE` fills, for a placeholder
    blocking: bool = False  # True: the command cannot run as written until the value is given

    def to_json(self) -> dict:
        return {"kind": self.kind, "detail": self.detail}


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
    """The flag a value at `start` belongs to: `--data-path /path/to/x` or `--data_path=/path/to/x`."""
    head = command[:start]
    match = re.search(r"(--?[\w\-.]+)(?:=|\s+)[^\s]*$", head) or re.search(r"([\w.]+)=[^\s]*$", head)
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
) -> list[Need]:
    """Every need of a command as it stands (after --set)."""
    needs: list[Need] = []
    seen: set[str] = set()
    for match in _PLACEHOLDER.finditer(command):
        text, var = match.group("ph"), match.group("var")
        if var and (var in environ or var in _OWN_VARS or re.search(rf"\b{var}=", command)):
            continue
        if var and command[max(0, match.start() - 1) : match.start()] == "(":
            continue
        if text in seen:
            continue
        seen.add(text)
        flag = _flag_before(command, match.start())
        key = var or (_norm(flag) if flag else text)
        if var and _CREDENTIAL_VAR.search(var):
            needs.append(Need("credential", f"${var} is not set: export it or pass --set {var}=...", var, True))
            continue
        what = "placeholder"
        if flag and _CKPT_FLAG.search(flag):
            what = "checkpoint"
        elif (flag and _DATA_FLAG.search(flag)) or _DATA_FLAG.search(text):
            what = "dataset"
        where = f" (in {flag})" if flag else ""
        unset = f"${var} is unset" if var else f"`{text}`"
        needs.append(Need(what, f"{unset}{where}: pass --set {key}=VALUE", key, True))
    tokens = _tokens(command)
    flags = {_norm(t.split("=")[0]): i for i, t in enumerate(tokens) if t.startswith("-")}
    has_ckpt = any(_CKPT_FLAG.search(name) for name in flags) or bool(re.search(r"\bckpt[_\w]*=", command))
    if kind == "eval" and not has_ckpt:
        url = _CKPT_URL.search(docs_text)
        if url:
            needs.append(
                Need("checkpoint", f"it evaluates but loads no checkpoint; the docs link one: {url.group(0)}", None)
            )
    base = repo_dir / cwd
    for i, token in enumerate(tokens):
        name, eq, value = token.partition("=")
        if not token.startswith("-"):
            continue
        if not eq:
            value = tokens[i + 1] if i + 1 < len(tokens) and not tokens[i + 1].startswith("-") else ""
        if not value or "://" in value or _PLACEHOLDER.search(value) or "$" in value:
            continue
        if _CKPT_FLAG.search(name) and re.search(r"\.\w{1,12}$", value) and not (base / value).exists():
            needs.append(Need("checkpoint", f"{name} {value}: no such file in the checkout (download it first)"))
        elif (
            _DATA_FLAG.search(name)
            and "/" in value
            and not re.search(r"\.(ya?ml|json|txt)$", value)
            and not (base / value).exists()
        ):
            needs.append(Need("dataset", f"{name} {value}: no such folder yet (the script may download it)"))
    if script and not has_gpu:
        path = base / script
        try:
            text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        except OSError:
            text = ""
        if _CUDA_ONLY.search(text) and not _CUDA_FALLBACK.search(text):
            needs.append(Need("gpu", f"{script} moves tensors to CUDA with no CPU fallback; this machine has no GPU"))
    return needs
