"""`scout report`: one page to read and share, gathered from the store, the ledger and a `scout new`
project (gather.py, experiment.py: pure reads), then rendered as self-contained HTML or Markdown
(render.py, charts.py, templates/)."""

from scout.report.gather import build_report
from scout.report.render import FORMATS, write_report

__all__ = ["FORMATS", "build_report", "write_report"]
