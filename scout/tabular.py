"""Rows as text for pipes and files: tab-separated (as gh prints when piped) or CSV, with one
spelling of every value (true/false for booleans, nothing for None) whatever the format."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

_BREAKS = re.compile(r"[\t\r\n]+")


def cell(value) -> str:
    """One value as text: nothing for None, true/false for booleans (in every format), numbers as
    Python writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(cell(v) for v in value)
    return str(value)


def delimited(header: Sequence[str], rows: Iterable[Sequence], fmt: str) -> str:
    """`tsv`: one line per row, tabs and line breaks inside a cell become a space (no quoting, as
    gh and `cut` expect). `csv`: RFC 4180 quoting."""
    if fmt == "tsv":
        lines = ["\t".join(header)]
        lines += ["\t".join(_BREAKS.sub(" ", cell(value)) for value in row) for row in rows]
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([cell(value) for value in row] for row in rows)
        return buffer.getvalue()
    raise ValueError(f"not a delimited format: {fmt!r}")


REPO_WIDTH = 24  # a longer owner/name is shown on two lines, broken after its slash


def repo_lines(url: str) -> str:
    """A repo for a table cell: owner/name of a GitHub URL, broken only after its slash when long
    (a name is never cut or folded); a local folder by its name (the whole path is in --json)."""
    name = re.sub(r"^https?://(www\.)?github\.com/", "", url).rstrip("/")
    if name.startswith(("/", "file:", "~", ".")):
        return "…/" + name.rpartition("/")[2]
    if len(name) > REPO_WIDTH and "/" in name:
        owner, _, rest = name.partition("/")
        return f"{owner}/\n{rest}"
    return name
