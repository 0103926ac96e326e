"""The Watch record and the pure rules around it: what a valid watch is, how `--since` reads,
and from when each source is asked for new papers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from scout.clock import iso, parse_iso
from scout.errors import ConfigError, UsageError

WATCH_SOURCES = ("pwc", "arxiv", "hf")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

# Each source is asked again for a little before its mark, because a paper can turn up there later
# than its date says: arXiv announces a submission up to about three days after it was submitted
# (longer over weekends and holidays), the Hugging Face daily list of a day grows all day, and
# Papers with Code indexes papers some time after they appear. Papers already considered are
# skipped, so the overlap costs requests, never repeated reports.
OVERLAP = {"arxiv": timedelta(days=4), "hf": timedelta(days=1), "pwc": timedelta(days=2)}


@dataclass(frozen=True)
class Watch:
    name: str
    query: str
    about: str | None
    sources: tuple[str, ...]
    threshold: float
    created_at: str
    last_run_at: str | None = None

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "query": self.query,
            "about": self.about,
            "sources": list(self.sources),
            "threshold": self.threshold,
            "created_at": self.created_at,
            "last_run_at": self.last_run_at,
        }


def new_watch(
    name: str, query: str, about: str | None, sources: tuple[str, ...], threshold: float, now: datetime
) -> Watch:
    """A checked Watch; bad input raises ConfigError with the fix in its message."""
    name = name.strip()
    if not _NAME.match(name):
        raise ConfigError(
            f"bad watch name {name!r}; use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    query = " ".join(query.split())
    if not re.search(r"\w", query):
        raise ConfigError('the query is empty; describe the task, e.g. scout watch add masks "mask classification"')
    unknown = [s for s in sources if s not in WATCH_SOURCES]
    if unknown:
        raise UsageError(f"unknown source {unknown[0]!r}; choose from {', '.join(WATCH_SOURCES)}")
    if not sources:
        raise ConfigError(f"no source selected; choose from {', '.join(WATCH_SOURCES)}")
    if not 0.0 <= threshold <= 1.0:
        raise UsageError(f"--threshold is a cosine similarity between 0 and 1, not {threshold}")
    about = about.strip() if about else None
    return Watch(name, query, about or None, tuple(dict.fromkeys(sources)), threshold, iso(now))


def parse_since(text: str, now: datetime) -> datetime:
    """`--since YYYY-MM-DD` (midnight UTC) or an ISO date and time; never later than now."""
    value = text.strip()
    try:
        moment = (
            datetime.combine(date.fromisoformat(value), time(), timezone.utc) if len(value) == 10 else parse_iso(value)
        )
    except ValueError:
        raise UsageError(f"--since {text!r} is not a date; give YYYY-MM-DD, e.g. --since 2026-11-30") from None
    if moment > now:
        raise UsageError(f"--since {text} is in the future (now is {iso(now)}); give a past date")
    return moment


def window_start(
    source: str, mark: datetime | None, since: datetime | None, now: datetime, lookback_days: int
) -> datetime:
    """From when `source` is asked: --since if given, else a little before the source's mark, else
    (a watch's first run) `lookback_days` ago."""
    if since is not None:
        return since
    if mark is None:
        return now - timedelta(days=lookback_days)
    return mark - OVERLAP.get(source, timedelta())
