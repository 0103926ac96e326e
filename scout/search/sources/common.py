"""Small pure helpers the source parsers share: tidy text, ISO dates, author names, arXiv URLs,
JSON bodies."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from scout.errors import ParseError

T = TypeVar("T")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def decode_json(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ParseError(f"invalid JSON ({exc})") from exc


def clean_text(value: object) -> str | None:
    """Collapse the line breaks and runs of spaces that feeds wrap titles and abstracts with."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def iso_date(value: object) -> str | None:
    """'2024-07-31T17:54:27.000Z' or '2014-06-10' -> '2014-06-10'; anything else -> None."""
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value.strip())
    return match.group(0) if match else None


def author_names(items: object) -> tuple[str, ...]:
    """Authors given as plain strings or as objects with a `name`."""
    if not isinstance(items, list):
        return ()
    names = (clean_text(item.get("name") if isinstance(item, dict) else item) for item in items)
    return tuple(name for name in names if name)


def arxiv_abs_url(arxiv_id: str | None) -> str | None:
    return f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None


def as_int(value: object) -> int | None:
    """A count or id sent as a number or as a digit string ("1731"); anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def as_id(value: object) -> str | None:
    """An id sent as a string ("412") or a number (412), as text; empty or other types -> None."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    return str(value) if isinstance(value, (str, int)) else None


def from_json(parse: Callable[[object], T]) -> Callable[[bytes], T]:
    """Turn a parser of decoded JSON into the `parse(body)` that Fetcher.get takes."""
    return lambda body: parse(decode_json(body))


T = TypeVar("T")
P = TypeVar("P")


def parse_each(parse: Callable[[T], P | None], items: Iterable[T]) -> list[P]:
    """Parse every item; one that is malformed (a number where text belongs, a list for a dict) is
    dropped alone, never the whole page or source."""
    papers = []
    for item in items:
        try:
            paper = parse(item)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError):
            continue
        if paper is not None:
            papers.append(paper)
    return papers
