"""The leaderboard as a Rich table for people; `Leaderboard.to_json()` is the machine form."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from scout.leaderboard.board import ARCHIVE, Leaderboard
from scout.leaderboard.rows import Code, repo_url
from scout.tabular import repo_lines
from scout.text import plain_text, visible

OTHER_METRICS = 2  # metrics shown beside the ranking one on a wide terminal (all are in --json)
WIDE = 120


def code_label(code: tuple[Code, ...]) -> str:
    """The best repo's owner/name (never cut: a long one breaks after its slash), then ★stars,
    (official) and +N more on a line of their own."""
    if not code:
        return ""
    best = code[0]
    more = [f"★{best.stars:,}"] if best.stars is not None else []
    if best.official:
        more.append("(official)")
    if len(code) > 1:
        more.append(f"+{len(code) - 1}")
    # Controls shown visibly here, line by line: the line break between the parts is ours.
    name = repo_lines(visible(repo_url(best.url)))
    return f"{name}\n{' '.join(more)}" if more else name


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
    # Light borders leave the room to the names; the repo (owner/name, ★) is never cut, the numbers
    # never wrap (a long metric name in a header does), titles wrap between words.
    out = Table(
        title=plain_text(title),
        caption=plain_text(f"{len(board.rows)} of {board.total} entries"),
        expand=True,
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
    )
    out.add_column("#", justify="right", no_wrap=True)
    out.add_column("method", ratio=3, min_width=10, overflow="fold")
    for name in (board.metric, *others):
        # As wide as its longest number (at least 9), so a long metric name wraps in the header.
        widest = max((len(row.raw(name) or "") for row in board.rows), default=0)
        out.add_column(plain_text(name or "value"), justify="right", max_width=max(9, widest))
    out.add_column("paper", ratio=4, min_width=14, overflow="fold")
    out.add_column("year", no_wrap=True)
    out.add_column("code", no_wrap=True)
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
            Text(code_label(row.code)),
            extra,
        )
    return out


def rows(board: Leaderboard) -> tuple[list[str], list[list]]:
    """The header and rows for --format tsv|csv: every metric of the board, one column each."""
    metrics = list(
        dict.fromkeys([*([board.metric] if board.metric else []), *(m.name for r in board.rows for m in r.metrics)])
    )
    header = ["rank", "method", *metrics, "paper", "arxiv_id", "year", "code", "stars", "official", "extra_data"]
    out = []
    for row in board.rows:
        best = row.code[0] if row.code else None
        out.append(
            [
                row.rank,
                row.method,
                *(row.raw(name) for name in metrics),
                row.paper_title,
                row.arxiv_id,
                row.year,
                repo_url(best.url) if best else None,
                best.stars if best else None,
                best.official if best else None,
                row.extra_data,
            ]
        )
    return header, out
