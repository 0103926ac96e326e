"""The Typer app. Command modules register themselves on `app`; this module turns every
ScoutError into one red line on stderr and its exit status (1 unless the error says otherwise:
2 usage, 5 a confirmation not given; Click's own usage errors exit 2). With --json the line is
the contract's `{"error": {"code", "message"}}` object instead, still on stderr."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import typer
import typer.core
from rich.console import Console
from rich.markup import escape

from scout.errors import ScoutError


class _ScoutGroup(typer.core.TyperGroup):
    """Catches the library's errors in one place, for every subcommand and nested group."""

    def invoke(self, ctx):
        as_json = _wants_json(list(ctx.args))  # Click empties ctx.args once it hands them on
        try:
            return super().invoke(ctx)
        except ScoutError as exc:
            _fail(str(exc), exc.exit_code, exc.code, as_json)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                _fail("the store is busy: another scout process holds it; wait for it to finish, then retry")
            _fail(f"the store cannot be used ({exc}); `scout cache clear --all` starts afresh if it is damaged")
        except sqlite3.DatabaseError as exc:
            _fail(f"the store is damaged ({exc}); `scout cache clear --all` starts afresh")
        except UnicodeError:
            _fail("an argument is not valid UTF-8 text; check the quoting and encoding of the input")
        except RecursionError:
            _fail("the input is nested too deeply to read")
        except MemoryError:
            _fail("the input is too large to hold in memory")
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            _fail(f"{exc.strerror or exc}{where}; check the paths given and the free disk space")


def _wants_json(args: list[str]) -> bool:
    """Whether the subcommand was asked for JSON (`--json`, `--format json`, `--format=json`)."""
    for i, arg in enumerate(args):
        if arg == "--":
            return False
        if arg == "--json" or arg == "--format=json" or (arg == "--format" and args[i + 1 : i + 2] == ["json"]):
            return True
    return False


def _fail(message: str, exit_code: int = 1, code: str = "failed", as_json: bool = False):
    if as_json:
        import json

        err_console.file.write(json.dumps({"error": {"code": code, "message": message}}) + "\n")
    else:
        err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(exit_code) from None


app = typer.Typer(
    cls=_ScoutGroup,
    name="scout",
    help="Find prior work, measure the number to beat, and scaffold the next experiment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain Click help: `scout --help` stays fast (Rich's help renderer costs ~0.15 s to import).
    rich_markup_mode=None,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _cache_dir_arg(text: str) -> Path:
    if not text.strip():
        raise typer.BadParameter("must not be empty (it would mean the current folder)")
    return Path(text)


CacheDirOption = typer.Option(
    None,
    "--cache-dir",
    parser=_cache_dir_arg,
    help="Where scout keeps its data (env SCOUT_CACHE_DIR; default: the nearest .scout/ upward, "
    "else the user data dir; `scout cache info` says which).",
)


def settings_from(**flags):
    """Settings from the given flags (None = not given), the environment and config files."""
    from scout.config import load_settings

    if flags.get("cache_dir") is not None:
        flags["cache_dir"] = Path(flags["cache_dir"])
    settings = load_settings(flags)
    for note in settings.notes:
        warn(note)
    return settings


def session_for(settings, **kwargs):
    from scout.session import Session

    return Session(settings, **kwargs)


@app.callback()
def _global_options(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log HTTP requests, retries and cache hits to stderr."),
) -> None:
    """Find prior work, measure the number to beat, and scaffold the next experiment."""
    if verbose:
        import logging

        from rich.logging import RichHandler

        handler = RichHandler(console=err_console, show_path=False, markup=False)
        logging.basicConfig(level=logging.DEBUG, format="%(message)s", handlers=[handler])
        # Only scout's own records: the libraries underneath are chatty at DEBUG.
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("scout").setLevel(logging.DEBUG)


def warn(message: str) -> None:
    err_console.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM (kill, a job scheduler) stops and records the runs like Ctrl-C


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, _stop)
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("[red]interrupted[/]")
        raise SystemExit(130) from None


# Command modules register on `app` when imported, in the order `scout --help` lists them.
# isort: off
from scout.cli import search as _search  # noqa: E402,F401
from scout.cli import sota as _sota  # noqa: E402,F401
from scout.cli import baseline as _baseline  # noqa: E402,F401
from scout.cli import new as _new  # noqa: E402,F401
from scout.cli import index as _index  # noqa: E402,F401
from scout.cli import watch as _watch  # noqa: E402,F401
from scout.cli import report as _report  # noqa: E402,F401
from scout.cli import mcp as _mcp  # noqa: E402,F401
# isort: on
