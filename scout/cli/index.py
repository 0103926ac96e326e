"""`scout index import|embed|info|pull`: the offline Papers with Code archive. Progress goes to
stderr; `info --json` prints JSON on stdout."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import typer

from scout import schema
from scout.cli import CacheDirOption, app, console, err_console, session_for, settings_from, warn
from scout.cli.tabular import human_size
from scout.errors import ConfigError, ScoutError, UsageError
from scout.schema import versioned

index_app = typer.Typer(help="The offline index of the Papers with Code archive.", no_args_is_help=True)
app.add_typer(index_app, name="index")

DEVICES = "auto|cpu|cuda|cuda:N"


@contextmanager
def _bar(description: str, unit: str):
    """A Rich bar on stderr with rate and ETA; yields update(position, total, count)."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[count]:,} {task.fields[unit]} ({task.fields[rate]:,.0f}/s)"),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=None, count=0, unit=unit, rate=0.0)
        started = time.monotonic()
        start_count: int | None = None  # a resumed import starts part-way; its rate counts this run

        def update(position: int, total: int | None, count: int) -> None:
            nonlocal start_count
            start_count = count if start_count is None else start_count
            rate = (count - start_count) / max(time.monotonic() - started, 1e-6)
            bar.update(task, completed=position, total=total, count=count, rate=rate)

        yield update


def import_files(store, files: list[Path], batch_size: int) -> int:
    """Import each file, report each; returns how many could not be read to the end."""
    from scout.archive.importer import import_dump

    failed = 0
    for path in files:
        started = time.monotonic()
        try:
            with _bar(f"importing {path.name}", "records") as update:
                report = import_dump(store, path, batch_size=batch_size, progress=update)
        except ScoutError as exc:
            warn(str(exc))
            failed += 1
            continue
        seconds = time.monotonic() - started
        if report.already_done:
            err_console.print(
                f"{report.name}: already imported ({report.records:,} records); nothing to do",
                soft_wrap=True,
                markup=False,
            )
            continue
        resumed = f", resumed after {report.resumed_from:,}" if report.resumed_from else ""
        err_console.print(
            f"{report.name} ({report.kind}): {report.records:,} records{resumed}, "
            f"{report.skipped:,} skipped as unusable, in {seconds:.1f} s",
            soft_wrap=True,
            markup=False,
        )
        if report.error:
            warn(
                f"{report.error}; the records before it are imported. Fetch the file again "
                "(`scout index pull`) and re-run the import to continue."
            )
            failed += 1
    return failed


@index_app.command("import")
def import_(
    files: list[Path] = typer.Argument(
        ...,
        help="Dump files: papers-with-abstracts, links-between-papers-and-code, evaluation-tables "
        "(.json, .json.gz or .parquet).",
    ),
    batch_size: int = typer.Option(2000, "--batch-size", min=1, help="Records per committed batch."),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """Import Papers with Code dump files into the local store (resumable, idempotent).

    $ scout index import papers-with-abstracts.json.gz evaluation-tables.json.gz
    """
    with session_for(settings_from(cache_dir=cache_dir)) as session:
        failed = import_files(session.store, files, batch_size)
    if failed:
        raise ConfigError(f"{failed} of {len(files)} file(s) could not be imported completely; see the warnings above")


@index_app.command()
def embed(
    device: str = typer.Option("auto", "--device", help=f"Where to run the model: {DEVICES}."),
    batch_size: int | None = typer.Option(
        None, "--batch-size", min=1, help="Texts per model call [default: 512 on a GPU, 32 on the CPU]."
    ),
    model: str | None = typer.Option(None, "--model", help="Embedding model name or path (env SCOUT_MODEL)."),
    no_ann: bool = typer.Option(False, "--no-ann", help="Keep only exact vectors; build no HNSW graph."),
    fast: bool = typer.Option(
        False, "--fast", help="Use the static model distilled from MiniLM: minutes on a CPU, lower quality."
    ),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """Embed every stored paper that has no vector yet, then rebuild the vector and BM25 indexes.

    $ scout index embed --device cuda
    """
    from scout.search.static import FAST_MODEL

    if fast and model:
        raise UsageError("--fast picks its own model; drop --model or --fast")
    settings = settings_from(cache_dir=cache_dir, model=FAST_MODEL if fast else model)
    with session_for(settings) as session:
        _embed(session.store, settings, "cpu" if fast else device, batch_size, no_ann)


def _embed(store, settings, device: str, batch_size: int | None, no_ann: bool) -> None:
    from scout.archive.embedding import (
        build_store_index,
        build_store_lexical_index,
        embed_store,
        embedder_for,
        resolve_device,
    )

    where = resolve_device(device)
    embedder = embedder_for(settings.model, settings.shared_cache_dir, where)
    size = batch_size or (512 if where.startswith("cuda") else 32)
    started = time.monotonic()
    with _bar(f"embedding on {where}", "papers") as update:
        embedded = embed_store(store, embedder, batch_size=size, progress=lambda done, total: update(done, total, done))
    err_console.print(
        f"embedded {embedded:,} papers with {embedder.name} on {where} "
        f"in {time.monotonic() - started:.1f} s; building the vector index"
    )
    started = time.monotonic()
    count = build_store_index(store, embedder.name, ann=not no_ann)
    err_console.print(f"vector index: {count:,} papers in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    count = build_store_lexical_index(store)
    err_console.print(f"BM25 index: {count:,} papers in {time.monotonic() - started:.1f} s")


@index_app.command()
def info(
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    model: str | None = typer.Option(None, "--model", help="Embedding model name or path (env SCOUT_MODEL)."),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """Counts, embedding model, size on disk and date of the local index.

    $ scout index info --json
    """
    from scout.archive.embedding import index_info

    settings = settings_from(cache_dir=cache_dir, model=model)
    with session_for(settings) as session:
        facts = index_info(session.store, settings.model)
    if as_json:
        console.print_json(json.dumps(versioned(schema.INDEX, asdict(facts))))
        return
    console.print(
        f"papers        {facts.papers:,} ({facts.archive_papers:,} from the archive, "
        f"newest {facts.newest_paper or '-'})"
    )
    console.print(
        f"code links    {facts.links:,} to {facts.repos:,} repos ({facts.pending_links:,} waiting for their paper)"
    )
    console.print(
        f"results       {facts.results:,} leaderboard rows ({facts.pending_results:,} waiting for their paper)"
    )
    kind = "HNSW + exact" if facts.approximate else "exact only" if facts.indexed else "none (run `scout index embed`)"
    console.print(
        f"embeddings    {facts.embeddings:,} with {facts.model}; vector index: {facts.indexed:,} papers, {kind}"
    )
    for v in facts.vector_indexes:
        if v["model"] != facts.model:
            kind = "HNSW + exact" if v["approximate"] else "exact only"
            console.print(
                f"also          vector index of {v['papers']:,} papers with {v['model']}, {kind}", markup=False
            )
    if facts.bm25_papers:
        stale = f"; {facts.bm25_fresh:,} papers since, scored one by one" if facts.bm25_fresh else ""
        console.print(f"BM25 index    {facts.bm25_papers:,} papers{stale}", markup=False)
    else:
        console.print("BM25 index    none: offline search ranks with FTS5 (run `scout index embed`)", markup=False)
    console.print(
        f"on disk       {human_size(facts.db_bytes)} store, {human_size(facts.index_bytes)} vector index, "
        f"{human_size(facts.bm25_bytes)} BM25 index"
    )
    for f in facts.files:
        state = "complete" if f["complete"] else f"interrupted ({f['error']})" if f["error"] else "interrupted"
        when = time.strftime("%Y-%m-%d", time.localtime(f["finished_at"] or f["started_at"]))
        console.print(
            f"  {f['name']} ({f['kind']}): {f['records']:,} records, {f['skipped']:,} skipped, {state}, {when}",
            markup=False,
        )


@index_app.command()
def pull(
    name: list[str] | None = typer.Option(None, "--file", help="Only this dump file name; repeatable."),
    batch_size: int = typer.Option(2000, "--batch-size", min=1, help="Records per committed batch."),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """Download the archive dumps from the Hugging Face Hub (resuming) and import them.

    $ scout index pull
    """
    from scout.archive.download import ARCHIVE_FILES, download

    settings = settings_from(cache_dir=cache_dir)
    if settings.offline:
        raise ConfigError("`scout index pull` needs the network; unset SCOUT_OFFLINE or import files you have")
    folder = settings.cache_dir / "pwc-archive"
    base = settings.urls["pwc_archive"].rstrip("/")
    paths = []
    with session_for(settings) as session:
        for file_name in name or ARCHIVE_FILES:
            with _bar(f"downloading {file_name}", "bytes") as update:
                paths.append(
                    download(
                        session.client,
                        f"{base}/{file_name}",
                        folder / file_name,
                        tries=settings.tries,
                        progress=lambda have, total: update(have, total, have),
                    )
                )
        failed = import_files(session.store, paths, batch_size)
    if failed:
        raise ConfigError(f"{failed} downloaded file(s) could not be imported completely; see the warnings above")
