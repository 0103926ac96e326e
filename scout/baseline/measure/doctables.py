"""The tables of a Markdown doc as grids of cells: pipe tables read by markdown-it-py (the parser
scout.baseline.discover.docs uses), HTML `<table>`s read by BeautifulSoup over lxml with their
rowspans and colspans expanded. A cell keeps its plain text (markup, links and footnote marks
dropped) and whether it is bold, the number the authors highlight. Pure: text in, tables out."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scout.baseline.discover.docs import markdown_parser

# A <sup> this short after a number is a footnote mark ("76.1<sup>†</sup>", "<sup>1</sup>").
_FOOTNOTE_CHARS = 3
_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)
_BOLD_TAG = re.compile(r"<\s*(b|strong)\b", re.I)
_SUP_OPEN = re.compile(r"<\s*sup\b", re.I)
_SUP_CLOSE = re.compile(r"<\s*/\s*sup\s*>", re.I)
_MAX_SPAN = 50  # a colspan past this is a typo, not a table that wide


@dataclass(frozen=True)
class Cell:
    text: str
    bold: bool = False
    links: tuple[str, ...] = ()  # where its links point: a model zoo names the checkpoint only there


@dataclass(frozen=True)
class Table:
    start: int  # the doc's 0-based line where the table starts
    end: int  # the line after it
    header: tuple[tuple[Cell, ...], ...]  # one row, or several (an HTML thead, colspans repeated)
    rows: tuple[tuple[Cell, ...], ...]


def tables(text: str) -> list[Table]:
    """Every table of the doc, in reading order; none inside code blocks."""
    try:
        tokens = markdown_parser().parse(text)
    except Exception:  # noqa: BLE001 - a parser failure on odd input leaves the doc without tables
        return []
    found = _pipe_tables(tokens)
    code = [tuple(t.map) for t in tokens if t.type in ("fence", "code_block") and t.map]
    found += _html_tables(text, code)
    return sorted(found, key=lambda t: t.start)


def _inline_cell(token) -> Cell:
    parts: list[str] = []
    links: list[str] = []
    bold, sup, sup_text = False, 0, ""
    for child in token.children or []:
        if child.type == "strong_open":
            bold = True
        elif child.type == "link_open":
            links.append(str(child.attrs.get("href") or ""))
        elif child.type == "html_inline":
            if _BOLD_TAG.match(child.content):
                bold = True
            elif _SUP_OPEN.match(child.content):
                sup, sup_text = sup + 1, ""
            elif _SUP_CLOSE.match(child.content) and sup:
                sup -= 1
                if len(sup_text.strip()) > _FOOTNOTE_CHARS:
                    parts.append(sup_text)
        elif child.type in ("text", "code_inline"):
            if sup:
                sup_text += child.content
            else:
                parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return Cell(" ".join("".join(parts).split()), bold, tuple(links))


def _pipe_tables(tokens) -> list[Table]:
    found = []
    header: list[tuple[Cell, ...]] = []
    rows: list[tuple[Cell, ...]] = []
    row: list[Cell] = []
    span, in_head, in_cell = (0, 0), False, False
    for token in tokens:
        if token.type == "table_open":
            header, rows, span = [], [], tuple(token.map or (0, 0))
        elif token.type in ("thead_open", "thead_close"):
            in_head = token.type == "thead_open"
        elif token.type in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = token.type.endswith("_open")
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and in_cell:
            row.append(_inline_cell(token))
        elif token.type == "tr_close":
            (header if in_head else rows).append(tuple(row))
        elif token.type == "table_close":
            found.append(Table(span[0], span[1], tuple(header), tuple(rows)))
    return found


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def _html_tables(text: str, code: list[tuple[int, int]]) -> list[Table]:
    if "<table" not in text.lower():
        return []
    found = []
    for match in _HTML_TABLE.finditer(text):
        start, end = _line_of(text, match.start()), _line_of(text, match.end()) + 1
        if any(a <= start < b for a, b in code):
            continue
        table = _html_table(match.group(0), start, end)
        if table is not None:
            found.append(table)
    return found


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip() or 1), _MAX_SPAN))
    except ValueError:
        return 1


def _html_cell(element) -> Cell:
    for sup in element.find_all("sup"):
        if len(sup.get_text(strip=True)) <= _FOOTNOTE_CHARS:
            sup.decompose()
    text = " ".join(element.get_text(" ").split())
    bold = element.find(["b", "strong"]) is not None or text.startswith(("**", "__"))
    return Cell(text, bold, tuple(str(a.get("href") or "") for a in element.find_all("a")))


def _html_table(html: str, start: int, end: int) -> Table | None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    table = soup.find("table")
    if table is None:
        return None
    grid: list[list[Cell | None]] = []
    heads: list[bool] = []
    pending: dict[tuple[int, int], Cell] = {}  # (row, column) -> the cell a rowspan carries down
    for r, tr in enumerate(table.find_all("tr")):
        row: list[Cell | None] = []
        col = 0
        cells = tr.find_all(["td", "th"], recursive=False)
        for element in cells:
            while (r, col) in pending:
                row.append(pending.pop((r, col)))
                col += 1
            cell = _html_cell(element)
            for c in range(_span(element.get("colspan"))):
                row.append(cell)
                for down in range(1, _span(element.get("rowspan"))):
                    pending[(r + down, col + c)] = cell
            col += _span(element.get("colspan"))
        while (r, col) in pending:
            row.append(pending.pop((r, col)))
            col += 1
        grid.append(row)
        in_thead = tr.find_parent("thead") is not None
        heads.append(in_thead or (bool(cells) and all(e.name == "th" for e in cells)))
    if not grid:
        return None
    # The header: the thead's rows, else the leading rows of <th> cells, else the first row.
    count = next((i for i, head in enumerate(heads) if not head), len(heads)) or 1
    header = tuple(tuple(c for c in row if c is not None) for row in grid[:count])
    rows = tuple(tuple(c for c in row if c is not None) for row in grid[count:])
    return Table(start, end, header, rows)
