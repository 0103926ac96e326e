"""Render a Report as one self-contained HTML page, or as Markdown with its plots beside it.

The page needs nothing at view time: CSS, JS and SVG are inline, and its Content-Security-Policy
allows only the one script scout wrote (by its hash) and no network at all, so even a title that
slipped past escaping could neither run nor fetch anything."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FunctionLoader, StrictUndefined

from scout.errors import ConfigError, UsageError
from scout.files import atomic_write
from scout.metrics import higher_is_better
from scout.report.charts import claims_chart, curves_chart
from scout.report.model import BaselineRow, MetricLine, Report
from scout.text import md, mdcode

FORMATS = ("html", "md")
SECTION_TITLES = {
    "prior-work": "Prior work",
    "leaderboard": "Leaderboard",
    "baselines": "Baselines",
    "experiment": "The experiment",
}
# Every URL character but the ones that end a Markdown link target: ( ) and whitespace.
_URL_SAFE = ":/?#[]@!$&'*+,;=%~"


def _asset(name: str) -> str:
    return files("scout.report").joinpath("templates", name).read_text(encoding="utf-8")


def href(url: str | None) -> str:
    """The URL when it is a web address, else "": a source could hand us javascript: or data:."""
    if not url:
        return ""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(ord(c) < 32 for c in text):
        return ""
    return text


def num(value: float | None, digits: int | None = None, signed: bool = False) -> str:
    if value is None:
        return ""
    sign = "+" if signed else ""
    return f"{value:{sign}.{digits}f}" if digits is not None else f"{value:{sign}.4g}"


def gap_class(line: MetricLine) -> str:
    if line.gap is None or line.gap == 0:
        return ""
    ahead = line.gap > 0 if higher_is_better(line.name) else line.gap < 0
    return "gap-pos" if ahead else "gap-neg"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def repo_name(url: str) -> str:
    return re.sub(r"^https?://(www\.)?github\.com/", "", url).rstrip("/")


def mdlink(text, url: str | None) -> str:
    target = href(url)
    if not target:
        return md(text)
    return f"[{md(text)}]({quote(target, safe=_URL_SAFE)})"


def _environment(out_dir: Path, autoescape: bool) -> Environment:
    env = Environment(
        loader=FunctionLoader(_asset),
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )

    def log_href(run: BaselineRow) -> str:
        # Relative to the report, so a report written inside the project still finds the logs when
        # the folder moves; quoted, so a path can never read as a URL scheme.
        return quote(Path(os.path.relpath(run.log_path, out_dir)).as_posix())

    env.filters.update(
        href=href,
        num=num,
        gap_class=gap_class,
        repo_name=repo_name,
        md=md,
        mdlink=mdlink,
        mdcode=mdcode,
        plural=plural,
    )
    env.filters["log_href"] = log_href
    return env


def render_html(report: Report, out_dir: Path) -> str:
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    template = _environment(out_dir, autoescape=True).get_template("report.html.j2")
    return template.render(
        r=report,
        css=_asset("report.css"),
        script=script,
        script_hash=f"sha256-{digest}",
        section_titles=SECTION_TITLES,
        claims_svg=claims_chart(report.baselines) if report.baselines else None,
        curves_svg=curves_chart(report.experiment) if report.experiment else None,
    )


def render_markdown(report: Report, out_dir: Path, files_dir: str) -> tuple[str, dict[str, str]]:
    """The Markdown text and the plots it links, as {path relative to out_dir: SVG text}."""
    charts = {
        "claims": claims_chart(report.baselines) if report.baselines else None,
        "curves": curves_chart(report.experiment) if report.experiment else None,
    }
    side = {f"{files_dir}/{name}.svg": svg for name, svg in charts.items() if svg}
    template = _environment(out_dir, autoescape=False).get_template("report.md.j2")
    text = template.render(
        r=report,
        claims_file=quote(f"{files_dir}/claims.svg") if charts["claims"] else None,
        curves_file=quote(f"{files_dir}/curves.svg") if charts["curves"] else None,
    )
    return re.sub(r"\n{3,}", "\n\n", text), side


def write_report(report: Report, out: Path, fmt: str) -> list[Path]:
    """Write the report (and, for Markdown, its plots beside it); the paths written, report first."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}; choose from {', '.join(FORMATS)}")
    out = Path(out).expanduser()
    if out.is_dir():
        raise ConfigError(f"-o {out} is a folder; name the file to write, e.g. {out / ('report.' + fmt)}")
    out_dir = out.resolve().parent
    try:
        if fmt == "html":
            atomic_write(out, render_html(report, out_dir))
            return [out]
        text, side = render_markdown(report, out_dir, f"{out.stem}_files")
        written = [out]
        for name, svg in side.items():
            atomic_write(out_dir / name, svg)
            written.append(out_dir / name)
        atomic_write(out, text)
        return written
    except OSError as exc:
        raise ConfigError(f"cannot write {out}: {exc.strerror or exc}") from exc
