"""UTC time as scout writes it everywhere: ISO 8601 to the second with a Z, and the day stamp of run ids."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return iso(utc_now())


def parse_iso(text: str) -> datetime:
    """What `iso` wrote (or any ISO 8601 time); a time without a zone is taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def today_stamp() -> str:
    return utc_now().strftime("%Y%m%d")
