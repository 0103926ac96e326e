"""Tables for people and for pipes. On a terminal a command prints a Rich table; when stdout is
not a terminal it prints tab-separated rows under a header row, as gh does, so `| cut -f2` and
`| sort` work without parsing box drawing. `--format table|tsv|csv|json` chooses either way."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from scout.errors import UsageError

TABLE_FORMATS = ("table", "tsv", "csv", "json")


def format_option(extra: Sequence[str] = ()) -> typer.Option:
    names = "|".join((*TABLE_FORMATS, *extra))
    return typer.Option(
        None, "--format", help=f"{names} (default: table on a terminal, tsv when piped; --json is --format json)."
    )


def chosen_format(fmt: str | None, as_json: bool, is_terminal: bool, extra: Sequence[str] = ()) -> str:
    """The format asked for, else json for --json, else table on a terminal and tsv in a pipe."""
    if as_json:
        return "json"
    if fmt is None:
        return "table" if is_terminal else "tsv"
    if fmt not in (*TABLE_FORMATS, *extra):
        raise UsageError(f"unknown --format {fmt!r}; choose from {', '.join((*TABLE_FORMATS, *extra))}")
    return fmt


def human_size(n: float) -> str:
    """Bytes as people read them: 512 B, 88.4 MB, 1.2 GB (powers of 1024)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
