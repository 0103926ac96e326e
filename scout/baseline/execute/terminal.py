"""A pseudo terminal size for runs without a terminal. Research scripts call `stty size` or
os.get_terminal_size() to draw progress bars and crash when stdout is a log file; the run gets
COLUMNS/LINES, an `stty` that answers `size` from them, and a sitecustomize that makes
os.get_terminal_size fall back to them."""

from __future__ import annotations

import os
from pathlib import Path

COLUMNS, LINES = "120", "40"

_SITECUSTOMIZE = """\
import os as _os

_real = _os.get_terminal_size


def _get_terminal_size(fd=1):
    try:
        return _real(fd)
    except OSError:
        return _os.terminal_size((int(_os.environ.get("COLUMNS", "120")), int(_os.environ.get("LINES", "40"))))


_os.get_terminal_size = _get_terminal_size
"""

_STTY = """\
#!/bin/sh
if [ "$1" = "size" ] && ! [ -t 0 ]; then
    echo "${LINES:-40} ${COLUMNS:-120}"
    exit 0
fi
PATH="$SCOUT_REAL_PATH" exec stty "$@"
"""


def terminal_env(run_dir: Path, environ: dict[str, str]) -> dict[str, str]:
    """The variables that give a run its pseudo terminal (the shims are written under run_dir)."""
    shims = run_dir / "terminal"
    shims.mkdir(parents=True, exist_ok=True)
    (shims / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    stty = shims / "stty"
    stty.write_text(_STTY, encoding="utf-8")
    stty.chmod(0o755)
    path = environ.get("PATH", os.defpath)
    pythonpath = environ.get("PYTHONPATH")
    return {
        "COLUMNS": environ.get("COLUMNS", COLUMNS),
        "LINES": environ.get("LINES", LINES),
        "SCOUT_REAL_PATH": path,
        "PATH": f"{shims.resolve()}:{path}",
        "PYTHONPATH": f"{shims.resolve()}:{pythonpath}" if pythonpath else str(shims.resolve()),
    }
