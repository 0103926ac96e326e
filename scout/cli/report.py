"""`scout report`: parse flags, gather and write the report, say where it is."""

from __future__ import annotations

from pathlib import Path

import typer

from scout.cli import CacheDirOption, app, console, session_for, settings_from, warn
from scout.errors import ConfigError, UsageError


@app.command()
def report(
    search: str | None = typer.Option(
        None, "--search", help="A stored search's number, or `latest`. Without --search and --runs: both, where stored."
    ),
    runs: bool = typer.Option(
        False, "--runs", help="The baselines of the ledger (alone, unless --search is given too)."
    ),
    experiment: Path | None = typer.Option(
        None, "--experiment", help="Add a `scout new` project: its runs table and training curves."
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="Where to write it (default report.html/.md)."),
    open_after: bool = typer.Option(False, "--open", help="Open the report in the browser once written."),
    fmt: str = typer.Option("html", "--format", help="html (one self-contained page) or md (Markdown)."),
    cache_dir: str = CacheDirOption,
) -> None:
    """Write one page with the prior work, the leaderboard, the baselines and the experiment.

    $ scout report --experiment exp1 -o report.html --open
    """
    from scout.report import FORMATS, build_report, write_report

    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}; choose from {', '.join(FORMATS)}")
    # Neither --search nor --runs: the latest search and the ledger, whatever the store holds.
    everything = search is None and not runs
    settings = settings_from(cache_dir=cache_dir)
    with session_for(settings) as session:
        store = session.store if session.has_store() else None
        if store is None and (search is not None or runs):
            raise ConfigError(f"no store at {settings.cache_dir}; run `scout search` or `scout baseline` first")
        if everything and store is None and experiment is None:
            raise ConfigError(
                f"nothing to report: no store at {settings.cache_dir}; run `scout search` first, "
                "or pass --experiment DIR"
            )
        if everything and store is not None:
            search = "latest" if store.latest_search() else None
        built = build_report(
            store,
            cache_dir=settings.cache_dir,
            search=search,
            runs=None if everything else runs,
            experiment=experiment,
            model=settings.model,
        )
    for message in built.warnings:
        warn(message)
    written = write_report(built, output or Path(f"report.{fmt}"), fmt)
    parts = ", ".join(_summary(built)) or "no sections"
    console.print(f"wrote {written[0]} ({parts})", soft_wrap=True, markup=False)
    for extra in written[1:]:
        console.print(f"  plot {extra}", soft_wrap=True, markup=False)
    if open_after:
        import webbrowser

        if not webbrowser.open(written[0].resolve().as_uri()):
            warn(f"no browser to open; open {written[0].resolve()} yourself")


def _summary(built) -> list[str]:
    from scout.report.render import plural

    parts = []
    if built.prior_work is not None:
        parts.append(f"prior work: {plural(len(built.prior_work.papers), 'paper')}")
    if built.leaderboard is not None:
        parts.append(f"leaderboard: {plural(len(built.leaderboard.entries), 'entry', 'entries')}")
    if built.baselines is not None:
        parts.append(f"baselines: {plural(len(built.baselines), 'run')}")
    if built.experiment is not None:
        parts.append(f"experiment: {plural(len(built.experiment.runs), 'run')}")
    return parts
