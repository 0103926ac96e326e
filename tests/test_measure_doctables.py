"""Tables of a doc as grids (scout.baseline.measure.doctables): the shapes and the bad input."""

from __future__ import annotations

from scout.baseline.measure.doctables import tables


def texts(rows):
    return [[cell.text for cell in row] for row in rows]


def test_html_spans_are_expanded_and_thead_rows_are_the_header():
    html = (
        "<table><thead><tr><th rowspan=2>Model</th><th colspan=2>COCO</th></tr>"
        "<tr><th>AP</th><th>AP50</th></tr></thead>"
        "<tr><td><a href='m/r50.pth'>R-50</a></td><td><strong>38.7</strong><sup>1</sup></td><td>57.4</td></tr></table>"
    )
    (table,) = tables(f"# T\n\n{html}\n")
    assert texts(table.header) == [["Model", "COCO", "COCO"], ["Model", "AP", "AP50"]]
    assert texts(table.rows) == [["R-50", "38.7", "57.4"]]
    assert table.rows[0][1].bold and table.rows[0][0].links == ("m/r50.pth",)
    assert (table.start, table.end) == (2, 3)


def test_pipe_tables_keep_line_numbers_bold_and_links():
    text = "intro\n\n| a | b |\n|---|---|\n| **1.5** | [x](w/x.pth) |\n\ntail\n"
    (table,) = tables(text)
    assert (table.start, table.end) == (2, 5)
    assert table.rows[0][0].bold and table.rows[0][1].links == ("w/x.pth",)


def test_bad_tables_give_grids_or_nothing_never_an_error():
    assert tables("```\n<table><tr><td>1</td></tr></table>\n| a |\n|---|\n| 1 |\n```\n") == []
    assert tables("<table><tr><td>unclosed") == []
    (wide,) = tables("<table><tr><td colspan='999999' rowspan='x'>1</td></tr><tr><td>2</td></tr></table>")
    assert len(wide.rows[0]) <= 50 + 1
    nested = tables("<table><tr><td><table><tr><td>9</td></tr></table></td></tr></table>")
    assert len(nested) >= 1
    assert len(tables("| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 2000)[0].rows) == 2000
