"""`scout watch add|list|rm|run`: parse flags, call scout.watch, print. Safe under cron: `run`
exits 0 when nothing is new and, with --quiet, then prints nothing on stdout."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from scout import clock, schema
from scout.cli import CacheDirOption, app, confirm, console, err_console, session_for, settings_from, warn
from scout.cli.search import progress_on_stderr, read_about
from scout.cli.tabular import chosen_format, format_option
from scout.errors import ConfigError, UsageError
from scout.schema import versioned
from scout.tabular import delimited

watch_app = typer.Typer(help="Watch for new papers on your task, every day (from cron).", no_args_is_help=True)
app.add_typer(watch_app, name="watch")


@watch_app.command("add")
def watch_add(
    name: str = typer.Argument(..., help="A short name for the watch, e.g. masks."),
    query: str = typer.Argument(..., help='The task, as for scout search, e.g. "mask classification".'),
    about: str | None = typer.Option(None, "--about", help="A longer description of the project, or @FILE."),
    source: list[str] | None = typer.Option(None, "--source", help="Watch only these sources (pwc, arxiv, hf)."),
    threshold: float | None = typer.Option(
        None, "--threshold", help="Report papers at least this similar to the task (cosine, 0-1; default 0.5)."
    ),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """Save a task to watch.

    $ scout watch add masks "mask classification" --about @idea.md
    """
    from scout.watch.book import WatchBook
    from scout.watch.models import WATCH_SOURCES, new_watch

    settings = settings_from(cache_dir=cache_dir)
    watch = new_watch(
        name,
        query,
        read_about(about),
        tuple(source or WATCH_SOURCES),
        settings.watch_threshold if threshold is None else threshold,
        clock.utc_now(),
    )
    with session_for(settings) as session:
        WatchBook(session.store).add(watch)
    console.print(
        f"watching {watch.name!r} on {', '.join(watch.sources)} (threshold {watch.threshold:g}); "
        f"the first run looks back {settings.watch_lookback_days} days",
        markup=False,
        soft_wrap=True,
    )


@watch_app.command("list")
def watch_list(
    fmt: str | None = format_option(),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    cache_dir: Path | None = CacheDirOption,
):
    """The saved watches.

    $ scout watch list --json
    """
    from rich.table import Table
    from rich.text import Text

    from scout.clock import iso
    from scout.watch.book import WatchBook

    fmt = chosen_format(fmt, as_json, console.is_terminal)
    settings = settings_from(cache_dir=cache_dir)
    with session_for(settings) as session:
        book = WatchBook(session.store)
        rows = [(w, book.reported(w.name), book.marks(w.name)) for w in book.all()]
    header = ("name", "query", "sources", "threshold", "last run", "reported")
    cells = [
        (w.name, w.query, ",".join(w.sources), f"{w.threshold:g}", w.last_run_at or "never", n) for w, n, _ in rows
    ]
    if fmt in ("tsv", "csv"):
        typer.echo(delimited(header, cells, fmt), nl=False)
        return
    if fmt == "json":
        watches = [
            {**w.to_json(), "reported": n, "marks": {s: iso(m) for s, m in sorted(marks.items())}}
            for w, n, marks in rows
        ]
        typer.echo(json.dumps(versioned(schema.WATCH, {"watches": watches}), indent=2))
        return
    if not rows:
        err_console.print('no watches yet; add one with scout watch add NAME "QUERY"', markup=False)
        return
    table = Table()
    for column in header:
        table.add_column(column)
    for row in cells:
        table.add_row(*(Text(str(cell)) for cell in row))
    console.print(table)


@watch_app.command("rm")
def watch_rm(
    name: str = typer.Argument(..., help="The watch to remove."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Remove without asking."),
    cache_dir: Path | None = CacheDirOption,
):
    """Remove a watch, with its marks and its memory of reported papers (asks first; --yes to skip).

    $ scout watch rm masks --yes
    """
    from scout.watch.book import WatchBook

    settings = settings_from(cache_dir=cache_dir)
    with session_for(settings) as session:
        book = WatchBook(session.store)
        book.get(name)  # an unknown name fails here, before the question
        confirm(f"Remove the watch {name!r} and its memory of reported papers?", yes)
        book.remove(name)
    console.print(f"removed watch {name!r}", markup=False, soft_wrap=True)


@watch_app.command("run")
def watch_run(
    names: list[str] | None = typer.Argument(None, help="The watches to run (default: all)."),
    since: str | None = typer.Option(None, "--since", help="Ask for papers since DATE (YYYY-MM-DD), not the marks."),
    fmt: str = typer.Option("markdown", "--format", help="Output format: markdown|json|rss."),
    as_json: bool = typer.Option(False, "--json", help="Short for --format json."),
    quiet: bool = typer.Option(False, "--quiet", help="Print nothing on stdout when nothing is new (for cron)."),
    model: str | None = typer.Option(None, "--model", help="Embedding model name or path (env SCOUT_MODEL)."),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """Report what the sources published since the last run, ranked against each watch's task.

    $ scout watch run --quiet --format rss > ~/feeds/scout.xml
    """
    from scout.watch.models import parse_since
    from scout.watch.render import FORMATS, render
    from scout.watch.run import run_watches

    fmt = "json" if as_json else fmt
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}; choose from {', '.join(FORMATS)}")
    now = clock.utc_now()
    start = parse_since(since, now) if since else None
    settings = settings_from(cache_dir=cache_dir, model=model)
    if settings.offline:
        raise ConfigError("scout watch run needs the network to see what is new; unset SCOUT_OFFLINE")
    # Fresh answers every run: a listing cached an hour ago would hide what appeared since.
    with session_for(settings, refresh=True) as session, progress_on_stderr() as (on_status, _):
        run = run_watches(
            names or [],
            since=start,
            settings=settings,
            store=session.store,
            embedder=session.embedder,
            fetcher=session.fetcher,
            now=now,
            on_status=on_status,
        )
    for report in run.reports:
        for message in report.warnings:
            warn(f"{report.watch.name}: {message}")
    if quiet and not run.reported:
        return
    typer.echo(render(run, fmt), nl=False)
