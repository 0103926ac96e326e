"""`scout search`, `scout show` and `scout cache`: parse flags, call the library, print."""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import typer

from scout import schema
from scout.cli import CacheDirOption, app, confirm, console, err_console, session_for, settings_from, warn
from scout.cli.tabular import chosen_format, format_option, human_size
from scout.errors import ConfigError, NotFound, ScoutError
from scout.files import CACHE_MARKER, is_scout_cache
from scout.schema import versioned

SOURCE_NAMES = ("pwc", "arxiv", "hf")
SEARCH_FORMATS = ("jsonl", "markdown", "bibtex")  # beside the table formats


MAX_ABOUT_BYTES = 1024 * 1024
MAX_QUERY_CHARS = 1000


def read_capped(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of a regular file; /dev/zero or a FIFO never reads forever."""
    import stat

    with open(path, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(0, "not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(0, f"larger than {limit >> 20} MB")
    return data


def read_about(value: str | None) -> str | None:
    """`--about` takes the text itself, or @FILE to read it from a file."""
    if value is None or not value.startswith("@"):
        return value
    path = Path(value[1:]).expanduser()
    try:
        data = read_capped(path, MAX_ABOUT_BYTES)
        return data.decode("utf-8").strip() or None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise ConfigError(f"cannot read --about file {path}: {reason}") from exc


@contextmanager
def progress_on_stderr():
    """A spinner for the sources and a bar for embeddings, on stderr so stdout stays parseable."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    if not err_console.is_terminal:
        # Logs and pipes get the warnings and the result, not a redrawn bar.
        yield (lambda message: None), (lambda done, total: None)
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        status = bar.add_task("starting", total=None)
        embed = None

        def on_status(message: str) -> None:
            bar.update(status, description=message)

        def on_embed(done: int, total: int) -> None:
            nonlocal embed
            if embed is None:
                embed = bar.add_task("embedding abstracts", total=total)
            bar.update(embed, completed=done, total=total)

        yield on_status, on_embed


@contextmanager
def live_table():
    """On a terminal: the ranked table as it improves, under one status line, redrawn in place on
    stdout (one live display: a second one on stderr would fight it for the cursor). It goes when
    the search ends, for the final table to take its place."""
    from rich.console import Group
    from rich.live import Live
    from rich.segment import Segments
    from rich.spinner import Spinner
    from rich.text import Text

    from scout.search.render import table

    state: dict = {"status": "starting", "table": None}

    def view():
        line = Spinner("dots", text=Text(state["status"]))
        return line if state["table"] is None else Group(state["table"], line)

    def on_status(message: str) -> None:
        state["status"] = message

    def on_embed(done: int, total: int) -> None:
        state["status"] = f"embedding abstracts {done}/{total}"

    def on_preview(report) -> None:
        # Laid out once per preview, not at each of the spinner's redraws: laying out the table
        # ten times a second took about a second of CPU from the search's encoding.
        state["table"] = Segments(console.render(table(report)))

    with Live(console=console, get_renderable=view, refresh_per_second=10, transient=True):
        yield on_status, on_embed, on_preview


@contextmanager
def search_display(fmt: str):
    """(on_status, on_embed, on_preview) for the search: a live table on a terminal, else a
    progress bar on stderr and no provisional output (pipes and --json get one final answer)."""
    if fmt == "table" and console.is_terminal:
        with live_table() as hooks:
            yield hooks
        return
    with progress_on_stderr() as (on_status, on_embed):
        yield on_status, on_embed, None


@app.command()
def search(
    query: str = typer.Argument(..., help='What you plan to work on, e.g. "mask classification".'),
    about: str | None = typer.Option(None, "--about", help="A longer description of the project, or @FILE."),
    source: list[str] | None = typer.Option(
        None, "--source", help=f"Ask only these sources ({', '.join(SOURCE_NAMES)}); repeatable."
    ),
    limit: int = typer.Option(20, "--limit", max=1000, help="How many papers to show."),
    since: int | None = typer.Option(None, "--since", min=0, max=9999, help="Only papers published in YEAR or later."),
    code_only: bool = typer.Option(False, "--code-only", help="Only papers with a code repository."),
    offline: bool = typer.Option(
        False, "--offline", help="Search everything stored, with no network (env SCOUT_OFFLINE)."
    ),
    refresh: bool = typer.Option(False, "--refresh", help="Ignore cached HTTP answers and ask the sources again."),
    fmt: str | None = format_option(SEARCH_FORMATS),
    as_json: bool = typer.Option(False, "--json", help="Short for --format json."),
    model: str | None = typer.Option(None, "--model", help="Embedding model name or path (env SCOUT_MODEL)."),
    ranker: str | None = typer.Option(
        None, "--ranker", help="Relevance ranker: hybrid-prf (default), hybrid, rrf, dense, dense-maxsim or bm25."
    ),
    sort: str = typer.Option(
        "relevance",
        "--sort",
        help="Order by relevance (default), strength (best baseline first) or date (newest first).",
    ),
    rerank: str | None = typer.Option(
        None,
        "--rerank",
        help="Re-score the top 20 with this local cross-encoder (folder or cached name; env SCOUT_RERANKER).",
    ),
    successors: bool = typer.Option(
        False, "--successors", help="With --json/jsonl: list each paper's successors (Papers with Code)."
    ),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """Find, merge and rank prior work for a task.

    $ scout search "mask classification" --about @idea.md --limit 10 --json
    """
    from scout.search.pipeline import SearchRequest, run_search
    from scout.search.render import render, table

    fmt = chosen_format(fmt, as_json, console.is_terminal, SEARCH_FORMATS)
    if len(query) > MAX_QUERY_CHARS:
        raise ConfigError(
            f"the query is {len(query):,} characters; keep it under {MAX_QUERY_CHARS} (put detail in --about)"
        )
    for text in (query, about or ""):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ConfigError("the query or --about is not valid UTF-8 text; check its encoding") from None
    settings = settings_from(cache_dir=cache_dir, model=model, offline=True if offline else None, reranker=rerank)
    request = SearchRequest(
        query=query.strip(),
        about=read_about(about),
        sources=tuple(source or SOURCE_NAMES),
        limit=limit,
        since=since,
        code_only=code_only,
        offline=settings.offline,
        ranker=ranker,
        sort=sort,
    )
    request.validate()
    with session_for(settings, refresh=refresh) as session, search_display(fmt) as (on_status, on_embed, on_preview):
        report = run_search(
            request,
            settings=settings,
            store=session.store,
            embedder=session.embedder,
            fetcher=session.source_fetcher,
            on_status=on_status,
            on_embed=on_embed,
            on_preview=on_preview,
        )
    for message in report.warnings:
        warn(message)
    if fmt == "table":
        console.print(table(report, console.width))
        if not report.results:
            err_console.print("no papers matched; try a broader query or drop --since/--code-only")
    else:
        typer.echo(render(report, fmt, successors), nl=False)


@app.command()
def show(
    paper_id: str = typer.Argument(
        ...,
        help="A paper id from `scout search` (arxiv:2104.12255), an arXiv id or URL (abs/pdf, any version), "
        "a DOI (10.48550/arXiv.2104.12255, https://doi.org/...), or a Papers with Code URL or slug.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the paper as JSON."),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """Show one stored paper in full: abstract, code and reported results.

    $ scout show arxiv:2104.12255
    $ scout show https://arxiv.org/pdf/2104.12255v2
    """
    from rich import box
    from rich.table import Table

    from scout.search.refs import paper_ref
    from scout.search.render import best_repos, paper_json, repo_label, shown_json
    from scout.text import plain_text

    settings = settings_from(cache_dir=cache_dir)
    key = paper_ref(paper_id)
    with session_for(settings) as session:
        paper = session.store.get_paper(key)
    if paper is None:
        read = "" if key == paper_id.strip() else f" (read as {key})"
        raise NotFound(
            f"no paper {paper_id!r}{read} in the store at {settings.cache_dir}; "
            "`scout search` stores what it finds, `scout index pull` the Papers with Code archive"
        )
    if as_json:
        typer.echo(json.dumps(versioned(schema.SEARCH, shown_json(paper)), indent=2, ensure_ascii=False))
        return
    body = paper_json(paper)
    frame = box.HEAVY_HEAD if console.is_terminal else box.ASCII2  # no box drawing in a pipe
    # Everything printed here is data from the sources: never interpret it as Rich markup.
    console.print(plain_text(paper.title, "bold"))
    console.print(plain_text(", ".join(paper.authors) or "(authors unknown)"))
    console.print(
        plain_text(
            f"{body['id']}  ·  {paper.published or 'date unknown'}  ·  {body['url'] or ''}  ·  "
            f"sources: {', '.join(paper.sources)}"
        )
    )
    if paper.citations is not None:
        console.print(f"citations: {paper.citations}")
    console.print()
    if paper.tldr:
        console.print(plain_text(f"TL;DR: {paper.tldr}", "italic"))
    console.print(plain_text(paper.abstract or "(no abstract)"))
    if paper.tasks:
        console.print(plain_text(f"tasks: {', '.join(paper.tasks)}"))
    for r in paper.ranks:
        # The place a paper holds is the hint a researcher follows with `scout sota`.
        console.print(
            plain_text(
                f"leaderboard: #{r.best_rank or '?'} on {r.dataset or r.dataset_slug or '?'} by {r.best_metric or '?'}"
            )
        )
    if paper.repos:
        repos = Table(title="code", box=frame)
        for column in ("repository", "official", "archived", "last push"):
            repos.add_column(column)
        for repo in best_repos(paper.repos):
            repos.add_row(
                plain_text(repo_label(repo)), _yes_no(repo.official), _yes_no(repo.archived), repo.pushed_at or ""
            )
        console.print(repos)
    if paper.results:
        results = Table(title="reported results", box=frame)
        for column in ("task", "dataset", "metric", "value", "model"):
            results.add_column(column)
        for r in paper.results:
            value = r.raw or (f"{r.value:g}" if r.value is not None else "")
            results.add_row(*(plain_text(cell or "") for cell in (r.task, r.dataset, r.metric, value, r.model)))
        console.print(results)
    if paper.successors:
        later = Table(title="successors (Papers with Code): later work that builds on it", box=frame)
        for column in ("title", "arxiv"):
            later.add_column(column)
        for s in paper.successors:
            later.add_row(plain_text(s.title), s.arxiv_id or "")
        console.print(later)


cache_app = typer.Typer(help="Inspect or clear scout's cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
def cache_info(as_json: bool = typer.Option(False, "--json"), cache_dir: Path | None = CacheDirOption) -> None:
    """Which store is in use and why, how big it is, and what it holds.

    $ scout cache info --json
    """
    settings = settings_from(cache_dir=cache_dir)
    with session_for(settings) as session:
        counts = session.store.counts()
        answers = session.http_cache.size()
    size = sum(p.stat().st_size for p in settings.cache_dir.rglob("*") if p.is_file())
    info = {
        "schema": schema.CACHE,
        "cache_dir": str(settings.cache_dir.resolve()),
        "why": settings.cache_reason,
        "shared_dir": str(settings.shared_cache_dir),
        "bytes": size,
        **counts,
        "http_cache_bytes": answers,
    }
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    for key, value in info.items():
        if key == "schema":
            continue
        if key == "bytes":
            console.print(f"{'size':>12}: {human_size(value)}")
        else:
            console.print(f"{key:>12}: {value:,}" if isinstance(value, int) else f"{key:>12}: {value}")


@cache_app.command("clear")
def cache_clear(
    everything: bool = typer.Option(False, "--all", help="Delete the whole cache dir: papers, runs, clones, envs."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """Forget cached HTTP answers (the default), or everything with --all.

    $ scout cache clear
    """
    settings = settings_from(cache_dir=cache_dir)
    if not everything:
        from scout.search.httpcache import clear_http_cache, http_cache_path

        freed = clear_http_cache(settings.shared_cache_dir)
        console.print(
            f"removed the cached HTTP answers ({freed:,} bytes) from {http_cache_path(settings.shared_cache_dir)}"
        )
        return
    target = settings.cache_dir
    if not target.exists():
        console.print(f"nothing to clear at {target}")
        return
    if not is_scout_cache(target):
        raise ScoutError(
            f"{target.resolve()} has no {CACHE_MARKER} marker, so scout did not create it and will not empty it; "
            "delete it yourself if it really is a scout cache"
        )
    confirm(f"Delete everything under {target.resolve()} (papers, runs, clones)?", yes)
    for child in target.iterdir():
        if child.name in ("README.md", ".gitignore", "origin.json", CACHE_MARKER):  # origin.json: `scout new`
            continue
        shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    console.print(f"cleared {target}")


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")
