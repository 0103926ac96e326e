"""`scout mcp` (serve scout to coding agents over stdio) and `scout skill` (print the agent skill)."""

from __future__ import annotations

from pathlib import Path

import typer

from scout.cli import CacheDirOption, app, settings_from


@app.command("mcp")
def mcp_command(
    model: str | None = typer.Option(None, "--model", help="Embedding model name or path (env SCOUT_MODEL)."),
    offline: bool = typer.Option(False, "--offline", help="Every search uses only the store (env SCOUT_OFFLINE)."),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """Serve scout as an MCP server over stdio, for coding agents (see `scout skill`).

    $ claude mcp add scout -- scout mcp --cache-dir ~/scout-cache
    """
    from scout.mcp.server import serve

    serve(settings_from(cache_dir=cache_dir, model=model, offline=True if offline else None))


@app.command("skill")
def skill_command() -> None:
    """Print SKILL.md, the agent skill: when to use each command and what to check."""
    from scout.mcp.skill import skill_text

    typer.echo(skill_text(), nl=False)
