"""What a report shows, as plain frozen records: gathered from the store, the ledger and an
experiment folder, then handed to a renderer. Every string here may come from a source or a repo,
so renderers treat all of them as untrusted text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CodeLink:
    url: str
    label: str  # owner/name
    stars: int | None
    official: bool | None


@dataclass(frozen=True)
class PaperRow:
    rank: int
    id: str
    title: str
    url: str | None
    year: int | None
    authors: tuple[str, ...]
    score: float | None  # None for a search stored before scores were kept
    similarity: float | None
    close: bool
    code: tuple[CodeLink, ...]  # best first
    best_result: str  # "" when the paper reports none
    sources: tuple[str, ...]

    @property
    def stars(self) -> int:
        return max((c.stars or 0 for c in self.code), default=0)


@dataclass(frozen=True)
class PriorWork:
    search_id: int
    query: str
    about: str | None
    model: str
    searched_at: str
    source_status: dict  # name -> {"ok": bool, "count" or "error"}
    papers: tuple[PaperRow, ...]


@dataclass(frozen=True)
class BoardEntry:
    rank: int
    method: str
    value: float | None
    raw: str
    paper_title: str | None
    paper_url: str | None
    year: int | None
    code_url: str | None


@dataclass(frozen=True)
class Leaderboard:
    origin: str  # where the board comes from, in words
    task: str | None
    dataset: str | None
    metric: str | None
    higher_is_better: bool
    entries: tuple[BoardEntry, ...]
    total: int  # entries on the whole board, shown or not


@dataclass(frozen=True)
class MetricLine:
    name: str
    measured: float
    paper: float | None
    gap: float | None  # measured minus paper
    best: bool  # this run is the baseline to beat on this metric
    headline: bool = False  # the measured number that answers the paper's claim
    claim: float | None = None  # the claim, on this metric's terms (headline only)


@dataclass(frozen=True)
class BaselineRow:
    id: str
    repo: str
    status: str
    commit: str | None
    command: str | None
    device: str
    gpu: str | None
    seconds: float | None
    started_at: str
    metrics: tuple[MetricLine, ...]
    log_path: Path | None  # None when the log is gone
    log_tail: str
    message: str | None
    verdict: str | None = None  # against the claim: reproduced, better, partial, not_reproduced, not_attempted
    group: str | None = None  # the seed group, with its mean ± std and verdict when there is one
    group_summary: str | None = None


@dataclass(frozen=True)
class ExperimentRun:
    run: str
    time: str | None
    commit: str | None
    dirty: bool
    config: str
    metrics: dict[str, float]
    note: str
    history: dict[str, tuple[float, ...]]  # curve name -> one value per epoch


@dataclass(frozen=True)
class Experiment:
    path: Path
    name: str
    header: tuple[str, ...]  # the EXPERIMENTS.md runs table
    rows: tuple[tuple[str, ...], ...]
    runs: tuple[ExperimentRun, ...]  # runs.jsonl
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provenance:
    scout_version: str
    generated_at: str
    model: str | None
    sources: tuple[str, ...]  # one line each: "pwc: 50 papers", "arxiv: failed (HTTP 503)"
    store: str | None
    search_id: int | None
    experiment: str | None


@dataclass(frozen=True)
class Report:
    title: str
    provenance: Provenance
    prior_work: PriorWork | None = None
    leaderboard: Leaderboard | None = None
    baselines: tuple[BaselineRow, ...] | None = None  # None: not asked for; () asked, but none recorded
    experiment: Experiment | None = None
    warnings: tuple[str, ...] = field(default=())

    def sections(self) -> list[str]:
        shown = [
            ("prior-work", self.prior_work),
            ("leaderboard", self.leaderboard),
            ("baselines", self.baselines),
            ("experiment", self.experiment),
        ]
        return [name for name, part in shown if part is not None]
