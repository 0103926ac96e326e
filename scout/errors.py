"""One error hierarchy. Every message says what went wrong and what to do next.

    ScoutError              an error the user can fix: the CLI prints one line, exit status 1
    ├── ConfigError         a bad flag, environment variable or config file
    │   └── UsageError      a bad option value, or a flag that cannot apply: exit status 2
    ├── NotFound            the paper, run or watch asked for is not there
    ├── SourceError         a source could not be reached or answered with an error
    │   ├── UpstreamError   a source answered something that cannot be read: exit status 4
    │   └── SourcesUnreachable  no source answered and nothing is stored: exit status 3
    ├── ParseError          a response or file is not in the shape it should be
    │   └── DumpError       an archive dump stopped being readable part-way
    ├── StoreError          the local SQLite store cannot be opened or is corrupt
    ├── CloneError          a repository could not be cloned or read
    │   └── TreeError       a commit whose tree would write outside the folder it is copied into
    ├── EvalError           an evaluation could not be found, set up or run
    │   └── Declined        a confirmation was needed and not given: exit status 5
    └── ScaffoldError       a new experiment could not be created

    Interrupted (KeyboardInterrupt)   Ctrl-C during baseline runs, carrying what was recorded

Errors cross process boundaries by pickle (SLURM jobs, worker processes), so each one can be
rebuilt from its `args`."""

from __future__ import annotations


class ScoutError(Exception):
    """An error the user can fix. The CLI prints it as one line and exits with status `exit_code`;
    with --json it writes {"error": {"code": code, "message": ...}} to stderr instead (DESIGN.md §3)."""

    exit_code = 1
    code = "failed"


class ConfigError(ScoutError):
    """Bad input: a flag, an environment variable or a config file."""


class UsageError(ConfigError):
    """A bad option value (`--format yaml`, `--limit 0`, a `--repo` path that is not there), or a flag
    that cannot apply to what was asked (`--pick 9` when the plan has 3 candidates)."""

    exit_code = 2
    code = "usage"


class NotFound(ScoutError):
    """The paper, run or watch the user named is not in the store."""

    code = "not_found"


class SourceError(ScoutError):
    """A source could not be reached or answered with an error."""

    def __init__(self, source: str, message: str, status: int | None = None):
        super().__init__(source, message, status)
        self.source = source
        self.reason = message
        self.status = status  # the HTTP status, when the source answered with an error

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


class UpstreamError(SourceError):
    """A source answered, but with something that cannot be read (not the content type asked
    for, malformed JSON or XML): retrying the same request will not help."""

    exit_code = 4
    code = "upstream"


class SourcesUnreachable(SourceError):
    """Every source asked failed (each is named, with its host) and nothing is stored to fall back on."""

    exit_code = 3
    code = "unreachable"

    def __str__(self) -> str:
        return self.reason  # it names each source itself


class ParseError(ScoutError):
    """A response or file is not in the shape it should be."""


class DumpError(ParseError):
    """The file stopped being readable part-way (a truncated gzip, broken JSON or parquet)."""


class StoreError(ScoutError):
    """The local SQLite store cannot be opened or is corrupt."""


class CloneError(ScoutError):
    """A repository could not be cloned or read."""


class TreeError(CloneError):
    """A commit whose tree would write outside the folder it is copied into."""


class EvalError(ScoutError):
    """An evaluation could not be found, set up or run."""


class Declined(EvalError):
    """A confirmation was needed and not given: no terminal to ask on, `--yes` refused because the
    plan is not sure which command is the evaluation, or the user said no. Nothing ran."""

    exit_code = 5
    code = "declined"


class ScaffoldError(ScoutError):
    """A new experiment could not be created from the given baseline or template."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during the baseline runs; `runs` holds what was recorded, the interrupted ones included."""

    def __init__(self, runs: list | None = None):
        super().__init__(runs)
        self.runs = runs or []
