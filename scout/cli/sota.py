"""`scout sota`: parse flags, build the leaderboard, print it."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

import typer

from scout import schema
from scout.cli import CacheDirOption, app, console, err_console, session_for, settings_from, warn
from scout.cli.tabular import chosen_format, format_option
from scout.schema import versioned
from scout.tabular import delimited


@app.command()
def sota(
    query: str = typer.Argument(..., help='A task or dataset, in any words, e.g. "image classification".'),
    dataset: str | None = typer.Option(None, "--dataset", help="The dataset (benchmark) of the task."),
    metric: str | None = typer.Option(None, "--metric", help="Rank by this metric (default: the leaderboard's own)."),
    limit: int = typer.Option(10, "--limit", help="How many rows to show."),
    fmt: str | None = format_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the leaderboard as JSON on stdout."),
    offline: bool = typer.Option(
        False, "--offline", help="Use the imported archive only, with no network (env SCOUT_OFFLINE)."
    ),
    refresh: bool = typer.Option(False, "--refresh", help="Ignore cached HTTP answers."),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """The leaderboard of a task: the best methods, their numbers, papers and code.

    $ scout sota "image classification" --dataset ImageNet --limit 10
    """
    from scout.leaderboard.board import SotaRequest, make_leaderboard
    from scout.leaderboard.render import choice_line, rows, table

    fmt = chosen_format(fmt, as_json, console.is_terminal)
    settings = settings_from(cache_dir=cache_dir, offline=True if offline else None)
    request = SotaRequest(query.strip(), dataset, metric, limit, settings.offline)
    request.validate()
    status = err_console.status("reading the leaderboard") if err_console.is_terminal else nullcontext()
    with session_for(settings, refresh=refresh) as session, status:
        board = make_leaderboard(
            request,
            settings=settings,
            store=session.store,
            embedder=session.embedder,
            fetcher=session.source_fetcher,
        )
    for message in board.warnings:
        warn(message)
    if fmt in ("tsv", "csv"):
        typer.echo(delimited(*rows(board), fmt), nl=False)
        return
    if fmt == "json":
        typer.echo(json.dumps(versioned(schema.SOTA, board.to_json()), indent=2, ensure_ascii=False))
        return
    err_console.print(choice_line(board), markup=False, soft_wrap=True)
    console.print(table(board, console.width))
    if not board.rows:
        err_console.print("this leaderboard has no entries yet; try another --dataset", markup=False)
