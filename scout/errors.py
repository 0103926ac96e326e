"""One error hierarchy. Every message says what went wrong and what to do next."""

from __future__ import annotations


class ScoutError(Exception):
    """An error the user can fix. The CLI prints it as one line and exits with status 1."""


class ConfigError(ScoutError):
    """Bad input: a flag, an environment variable or a config file."""


class SourceError(ScoutError):
    """A source could not be reached or answered with an error."""

    def __init__(self, source: str, message: str, status: int | None = None):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message
        self.status = status  # the HTTP status, when the source answered with an error


class ParseError(ScoutError):
    """A response or file is not in the shape it should be."""


class StoreError(ScoutError):
    """The local SQLite store cannot be opened or is corrupt."""


class CloneError(ScoutError):
    """A repository could not be cloned or read."""


class EvalError(ScoutError):
    """An evaluation could not be found, set up or run."""


class ScaffoldError(ScoutError):
    """A new experiment could not be created from the given baseline or template."""
