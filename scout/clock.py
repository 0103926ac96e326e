"""UTC time as scout writes it everywhere: ISO 8601 to the second with a Z, and the day stamp of run ids."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def now_iso() -> str:
    return utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")


def today_stamp() -> str:
    return utc_now().strftime("%Y%m%d")
