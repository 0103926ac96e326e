"""The Typer app. Command modules register themselves on `app`; this module turns every
ScoutError into one red line on stderr and its exit status (the error class says which: see
EXIT_CODES). With --json the line is the contract's `{"error": {"code", "message"}}` object
instead, still on stderr; Click's own usage errors (a missing argument, a bad option value) exit 2
and, with --json, are that object too, with code "usage"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import typer
import typer.core
from rich.console import Console
from rich.markup import escape

from scout.errors import ScoutError
from scout.text import visible


class _ScoutGroup(typer.core.TyperGroup):
    """Catches the library's errors in one place, for every subcommand and nested group."""

    def invoke(self, ctx):
        as_json = _wants_json(list(ctx.args))  # Click empties ctx.args once it hands them on
        try:
            return super().invoke(ctx)
        except typer.TyperException as exc:
            # Typer vendors Click, whose UsageError it does not export: a usage error is the one
            # that exits 2. Without --json, Click prints the usage line, a hint and the message.
            if not as_json or getattr(exc, "exit_code", None) != 2 or not hasattr(exc, "format_message"):
                raise
            _fail(exc.format_message(), 2, "usage", as_json)
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
        err_console.print(f"[bold red]error:[/] {escape(visible(message))}", soft_wrap=True)
    raise typer.Exit(exit_code) from None


EXIT_CODES = """Exit status: 0 success (a search where some sources failed included: each failure is a warning);
1 a failure you can fix (bad input, nothing found); 2 wrong usage (an unknown option, a bad option value,
a --repo path that does not exist); 3 no source reachable and nothing stored; 4 a source answered something
that cannot be read; 5 a confirmation was needed and not given (no terminal, or you said no); 130 interrupted.
With --json an error is {"error": {"code": ..., "message": ...}} on stderr, code one of usage, failed,
not_found, unreachable, upstream, declined."""

app = typer.Typer(
    cls=_ScoutGroup,
    name="scout",
    help="Find prior work, measure the number to beat, and scaffold the next experiment.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
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


def _print_version(value: bool) -> None:
    if value:
        from scout import __version__

        typer.echo(f"scout {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log HTTP requests, retries and cache hits to stderr."),
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print scout's version and exit."
    ),
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


def confirm(question: str, yes: bool) -> None:
    """Go on when --yes was given or the user says yes on a terminal; otherwise raise Declined
    (exit 5): with no terminal to ask on, nothing is changed without --yes."""
    import sys

    from scout.errors import Declined

    if yes:
        return
    if not sys.stdin.isatty():
        raise Declined(f"{question.rstrip('?')}: there is no terminal to ask on; pass --yes to go ahead")
    if not typer.confirm(question, default=False, err=True):
        raise Declined("you said no; nothing was changed")


def warn(message: str) -> None:
    err_console.print(f"[yellow]warning:[/] {escape(visible(message))}", soft_wrap=True)


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM (kill, a job scheduler) stops and records the runs like Ctrl-C


def main() -> None:
    import gc
    import signal

    signal.signal(signal.SIGTERM, _stop)
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("[red]interrupted[/]")
        raise SystemExit(130) from None
    finally:
        # The command is over: the interpreter's exit need not search everything it loaded for
        # cycles to collect (~0.1 s after a search, with its model and libraries; the memory goes
        # back to the system anyway). What the command opened, its own code closed.
        gc.freeze()


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
