"""The leaderboard as a Rich table for people; `Leaderboard.to_json()` is the machine form."""

from __future__ import annotations

import re

from rich.table import Table

from scout.leaderboard.board import ARCHIVE, Leaderboard
from scout.leaderboard.rows import Code, repo_url
from scout.text import plain_text

OTHER_METRICS = 2  # metrics shown beside the ranking one on a wide terminal (all are in --json)
WIDE = 120


def code_label(code: tuple[Code, ...]) -> str:
    if not code:
        return ""
    best = code[0]
    name = re.sub(r"^https?://(www\.)?github\.com/", "", repo_url(best.url))
    parts = [name]
    if best.stars is not None:
        parts.append(f"★{best.stars:,}")
    if best.official:
        parts.append("(official)")
    more = f" +{len(code) - 1}" if len(code) > 1 else ""
    return " ".join(parts) + more


def choice_line(board: Leaderboard) -> str:
    """How the query was read, and the other readings, so a wrong guess is easy to correct."""
    if board.chosen is None:
        return ""
    line = f"{board.query!r} read as {board.chosen.kind} {board.chosen.name!r}"
    if board.alternatives:
        line += "; also close: " + ", ".join(f"{c.kind} {c.name!r}" for c in board.alternatives)
    return line


def table(board: Leaderboard, width: int = WIDE) -> Table:
    """The leaderboard; a terminal narrower than WIDE gets the ranking metric only."""
    direction = "lower is better" if board.lower_is_better else "higher is better"
    where = " (imported archive)" if board.source == ARCHIVE else ""
    title = f"{board.task or '?'} on {board.dataset or '?'}: {board.metric or '?'}, {direction}{where}"
    others = [name for name in dict.fromkeys(m.name for r in board.rows for m in r.metrics) if name != board.metric][
        : OTHER_METRICS if width >= WIDE else 0
    ]
    out = Table(title=plain_text(title), caption=plain_text(f"{len(board.rows)} of {board.total} entries"), expand=True)
    out.add_column("#", justify="right", no_wrap=True)
    out.add_column("method", ratio=3, min_width=14, overflow="fold")
    out.add_column(plain_text(board.metric or "value"), justify="right", no_wrap=True)
    for name in others:
        out.add_column(plain_text(name), justify="right", no_wrap=True)
    out.add_column("paper", ratio=4, min_width=18)
    out.add_column("year", no_wrap=True)
    out.add_column("code", ratio=3, min_width=14, overflow="fold")
    out.add_column("extra data", max_width=5)
    for row in board.rows:
        cells = [row.raw(board.metric) or "", *(row.raw(name) or "" for name in others)]
        extra = "" if row.extra_data is None else ("yes" if row.extra_data else "no")
        # Text cells with controls visible: names come from user-submitted data, never Rich markup.
        out.add_row(
            str(row.rank),
            plain_text(row.method),
            *(plain_text(c) for c in cells),
            plain_text(row.paper_title or (f"arXiv:{row.arxiv_id}" if row.arxiv_id else "")),
            str(row.year or ""),
            plain_text(code_label(row.code)),
            extra,
        )
    return out
