"""Frozen records that flow through scout: papers, their repos and reported results."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields, replace


def normalize_repo_url(url: str) -> str:
    """One spelling per repository, for comparing and looking repos up: https, no www, no trailing
    slash or .git, lower case (GitHub and GitLab paths are case-insensitive)."""
    text = url.strip().rstrip("/").removesuffix(".git").rstrip("/")
    return text.replace("http://", "https://").replace("://www.", "://").lower()


_ARXIV_VERSION = re.compile(r"v\d+$")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Repo:
    url: str
    official: bool | None = None
    stars: int | None = None
    archived: bool | None = None
    pushed_at: str | None = None
    framework: str | None = None

    def to_json(self) -> dict:
        return {"url": self.url, "official": self.official, "stars": self.stars}


@dataclass(frozen=True)
class Result:
    """One result a paper reports on a benchmark. `value` is numeric; `raw` is the text as published."""

    task: str | None
    dataset: str | None
    metric: str
    value: float | None
    model: str | None = None
    raw: str | None = None

    def to_json(self) -> dict:
        return {
            "task": self.task,
            "dataset": self.dataset,
            "metric": self.metric,
            "value": self.value,
            "model": self.model,
        }


@dataclass(frozen=True)
class PaperLink:
    """Another paper named by one (Papers with Code's successors of a result, say)."""

    title: str
    arxiv_id: str | None = None
    pwc_id: str | None = None

    def to_json(self) -> dict:
        return {"title": self.title, "arxiv_id": self.arxiv_id, "pwc_id": self.pwc_id}


@dataclass(frozen=True)
class BoardRank:
    """Where a paper stands on one leaderboard (Papers with Code's `leaderboard_ranks`)."""

    dataset: str | None
    dataset_slug: str | None = None
    task_slug: str | None = None
    best_rank: int | None = None
    best_metric: str | None = None

    def to_json(self) -> dict:
        return {
            "dataset": self.dataset,
            "task": self.task_slug,
            "best_rank": self.best_rank,
            "best_metric": self.best_metric,
        }


@dataclass(frozen=True)
class Paper:
    title: str
    abstract: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO date, YYYY-MM-DD
    arxiv_id: str | None = None  # without version
    doi: str | None = None
    url: str | None = None
    sources: tuple[str, ...] = ()
    repos: tuple[Repo, ...] = ()
    results: tuple[Result, ...] = ()
    citations: int | None = None
    pwc_id: str | None = None  # the Papers with Code slug or numeric id, for follow-up calls
    successors: tuple[PaperLink, ...] = ()  # later papers that build on this one (Papers with Code)
    tldr: str | None = None
    tasks: tuple[str, ...] = ()
    ranks: tuple[BoardRank, ...] = ()  # its places on leaderboards

    @property
    def year(self) -> int | None:
        if self.published and self.published[:4].isdigit():
            return int(self.published[:4])
        return None

    @property
    def id(self) -> str:
        return paper_key(self)

    def embedding_text(self) -> str:
        return f"{self.title}. {self.abstract or ''}".strip()

    def with_(self, **changes) -> Paper:
        return replace(self, **changes)


@dataclass(frozen=True)
class RankedPaper:
    paper: Paper
    rank: int
    score: float
    similarity: float
    close: bool = False  # close prior work: similar enough to scoop the user
    parts: dict = field(default_factory=dict, compare=False)  # extra score components, shown in JSON


def normalize_arxiv_id(value: str | None) -> str | None:
    """'http://arxiv.org/abs/2104.12255v2' -> '2104.12255'; old-style ids keep their archive prefix."""
    if not value:
        return None
    text = value.strip()
    for prefix in ("arxiv:", "arXiv:", "ARXIV:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    match = re.search(r"arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?$", text)
    if match:
        text = match.group(1)
    text = _ARXIV_VERSION.sub("", text.strip("/"))
    return text or None


def normalize_doi(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip().lower()
    text = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", text)
    return text or None


def normalize_title(title: str) -> str:
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return _NON_WORD.sub(" ", folded).strip()


def title_key(title: str, year: int | None) -> str:
    digest = hashlib.sha1(f"{normalize_title(title)}|{year or ''}".encode()).hexdigest()[:16]
    return f"title:{digest}"


def _keys(paper: Paper) -> Iterator[str]:
    if paper.arxiv_id:
        yield f"arxiv:{paper.arxiv_id}"
    if paper.doi:
        yield f"doi:{paper.doi}"
    yield title_key(paper.title, paper.year)


def paper_keys(paper: Paper) -> list[str]:
    """Every identity a paper has, strongest first: arXiv id, then DOI, then title and year."""
    return list(_keys(paper))


def paper_key(paper: Paper) -> str:
    # The first key only: the title key (a hash of the normalised title) is made when it is the one.
    return next(_keys(paper))


STATUSES = ("ok", "failed", "timeout", "no-metrics", "cancelled")
_DESIGN_ORDER = tuple(
    "id repo commit command device gpu status exit_code seconds seed metrics headline claim verdict group "
    "paper_metrics env log".split()
)


@dataclass(frozen=True)
class Run:
    id: str
    repo: str
    started_at: str
    status: str
    commit: str | None = None
    command: str | None = None
    recipe_source: str | None = None
    device: str = "cpu"
    gpu: str | None = None
    exit_code: int | None = None
    seconds: float | None = None
    seed: int = 0
    metrics: dict[str, float] = field(default_factory=dict)
    metrics_raw: dict[str, str] = field(default_factory=dict)  # the text as printed
    paper_metrics: dict[str, float] = field(default_factory=dict)
    env: dict[str, str | None] = field(default_factory=dict)
    log: str | None = None
    message: str | None = None
    clone_path: str | None = None
    # The number to cite (scout.baseline.measure): the measured metric that matches the paper's claim,
    # the claim, whether it held, the seed group the run belongs to, and what looked wrong in the output.
    headline: dict | None = None  # name, value, unit, split, direction, line, raw, matches_claim
    claim: dict | None = None  # metric, value, raw, source, dataset, split, name, context
    verdict: str | None = None  # reproduced, better, partial, not_reproduced, not_attempted; None: no claim
    verdict_reason: str | None = None
    group: str | None = None  # g-YYYYMMDD-NNNN for `--seeds N`
    flags: list[str] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)  # the other numbers the docs claim, best first
    lines: dict[str, str] = field(default_factory=dict)  # the output line each metric was read from

    def gaps(self) -> dict[str, float]:
        """Measured minus reported, for each metric the paper reports."""
        return {
            name: round(self.metrics[name] - value, 10)
            for name, value in self.paper_metrics.items()
            if name in self.metrics
        }

    def to_json(self) -> dict:
        """The DESIGN.md fields in their documented order, then scout's extra provenance."""
        data = asdict(self)
        ordered = {key: data.pop(key) for key in _DESIGN_ORDER}
        return {**ordered, **data, "gap": self.gaps()}

    @classmethod
    def from_json(cls, data: dict) -> Run:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
