"""`scout new`: scaffold the next experiment from the winning baseline or a template."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import typer

from scout import schema
from scout.cli import CacheDirOption, app, console, session_for, settings_from, warn
from scout.schema import versioned
from scout.text import visible


@app.command("new")
def new(
    name: str = typer.Argument(..., help="The experiment's name; also its folder unless --dir is given."),
    source: str | None = typer.Option(
        None,
        "--from",
        help="A run id from `scout runs`, a local git repository "
        "(an earlier experiment or a baseline clone) or a repository URL in the "
        "ledger (default: the best run in the ledger).",
    ),
    template: str | None = typer.Option(
        None,
        "--template",
        help="Start from a template instead of a baseline (classification); also what an empty ledger falls back to.",
    ),
    directory: Path | None = typer.Option(None, "--dir", help="Where to create it (default: ./NAME)."),
    force: bool = typer.Option(
        False, "--force", help="Replace a target folder that is not empty; the old one is moved aside, never deleted."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what was created as JSON on stdout."),
    cache_dir: Path | None = CacheDirOption,
) -> None:
    """Copy the baseline into a fresh git repository with an experiment log, helpers and sanity checks.

    $ scout new exp1 --from r-20261130-0001
    """
    from scout.scaffold.project import create_experiment

    settings = settings_from(cache_dir=cache_dir)
    argv = ["scout", "new", name]
    for flag, value in (("--from", source), ("--template", template), ("--dir", directory)):
        if value is not None:
            argv += [flag, str(value)]
    with session_for(settings) as session:
        # Only a ledger that exists is read: scaffolding from a template or a path creates no cache.
        store = session.store if template is None and session.has_store() else None
        result = create_experiment(
            name,
            source=source,
            template=template,
            target=directory,
            force=force,
            store=store,
            command=shlex.join(argv),
            store_dir=settings.cache_dir,
        )
    for note in result.notes:
        warn(note)
    if as_json:
        typer.echo(json.dumps(versioned(schema.NEW, result.to_json()), indent=2, ensure_ascii=False))
        return
    origin = f"the {result.template} template" if result.baseline is None else result.baseline.label
    console.print(
        visible(f"created {result.path} from {origin} (commit {result.commit[:12]})"), soft_wrap=True, markup=False
    )
    where = shlex.quote(str(directory or name))
    if result.template:
        console.print(f"next: cd {where} && python train.py config/smoke.py && python -m pytest tests -q")
    elif result.baseline is not None and result.baseline.kind != "experiment":
        console.print(f"next: cd {where}, fill in sanity_setup.py, then python -m pytest tests/test_scout_sanity.py")
    else:
        console.print(f"next: cd {where}, change one thing, commit, run; EXPERIMENTS.md keeps the score")
