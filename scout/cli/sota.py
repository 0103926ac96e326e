"""`scout sota`: parse flags, build the leaderboard, print it."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from scout.cli import CacheDirOption, app, console, err_console, open_store, settings_from, warn


@app.command()
def sota(
    query: str = typer.Argument(..., help='A task or dataset, in any words, e.g. "image classification".'),
    dataset: str | None = typer.Option(None, "--dataset", help="The dataset (benchmark) of the task."),
    metric: str | None = typer.Option(None, "--metric", help="Rank by this metric (default: the leaderboard's own)."),
    limit: int = typer.Option(10, "--limit", help="How many rows to show."),
    as_json: bool = typer.Option(False, "--json", help="Print the leaderboard as JSON on stdout."),
    offline: bool = typer.Option(
        False, "--offline", help="Use the imported archive only, with no network (env SCOUT_OFFLINE)."
    ),
    refresh: bool = typer.Option(False, "--refresh", help="Ignore cached HTTP answers."),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """The leaderboard of a task: the best methods, their numbers, papers and code."""
    from scout.embed import load_embedder
    from scout.leaderboard.board import SotaRequest, make_leaderboard
    from scout.leaderboard.render import choice_line, table

    settings = settings_from(cache_dir=cache_dir, offline=True if offline else None)
    request = SotaRequest(query.strip(), dataset, metric, limit, settings.offline)
    request.validate()
    store = open_store(settings)
    client = None
    try:
        embedder = load_embedder(settings.model, settings.cache_dir)
        fetcher = None
        if not settings.offline:
            from scout.http import Fetcher, make_client

            client = make_client(settings)
            fetcher = Fetcher(client, settings, store, refresh=refresh)
        with err_console.status("reading the leaderboard") if err_console.is_terminal else _nothing():
            board = make_leaderboard(request, settings=settings, store=store, embedder=embedder, fetcher=fetcher)
    finally:
        if client is not None:
            client.close()
        store.close()
    for message in board.warnings:
        warn(message)
    if as_json:
        typer.echo(json.dumps(board.to_json(), indent=2, ensure_ascii=False))
        return
    err_console.print(choice_line(board), markup=False, soft_wrap=True)
    console.print(table(board, console.width))
    if not board.rows:
        err_console.print("this leaderboard has no entries yet; try another --dataset", markup=False)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
