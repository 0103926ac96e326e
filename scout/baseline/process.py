"""Run code the user did not write: in its own process group, with a wall-clock limit that kills
the whole group, a scrubbed environment, an optional bubblewrap sandbox, and its output streamed
line by line to a log file and a callback."""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scout.errors import EvalError

# Names that hold credentials. A repo's code never needs them to evaluate.
_SECRET_NAME = re.compile(
    r"TOKEN(?!IZERS)|SECRET|PASSWORD|PASSWD|API_?KEY|CREDENTIAL|PRIVATE_KEY|ACCESS_KEY|_KEY$|AUTH"
    r"|^AWS_|^AZURE_|^GCP_|^GOOGLE_APPLICATION|^GH_|^GITHUB_|^KAGGLE_|^SSH_AUTH_SOCK$|^KRB5",
    re.IGNORECASE,
)
_URL_WITH_PASSWORD = re.compile(r"://[^/\s:@]+:[^/\s@]+@")
_GRACE_S = 3.0  # between SIGTERM and SIGKILL
_POLL_S = 0.1


def scrub_env(environ: Mapping[str, str], pass_env: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment without credentials, except the names the user passes on purpose."""
    return {
        name: value
        for name, value in environ.items()
        if name in pass_env or not (_SECRET_NAME.search(name) or _URL_WITH_PASSWORD.search(value))
    }


@dataclass(frozen=True)
class ProcessResult:
    exit_code: int | None
    seconds: float
    timed_out: bool = False
    interrupted: bool = False


def sandbox_argv(argv: list[str], writable: list[Path], cwd: Path) -> list[str]:
    """Wrap argv in bubblewrap: the file system read-only except `writable` and a private /tmp,
    and no network."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise EvalError(
            "--sandbox needs bubblewrap (`bwrap`), which is not installed; install it "
            "(Debian/Ubuntu: apt install bubblewrap) or run without --sandbox"
        )
    wrapped = [
        bwrap,
        "--ro-bind",
        "/",
        "/",
        "--dev-bind",
        "/dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
        "--unshare-net",
        "--unshare-pid",
        "--die-with-parent",
    ]
    for path in writable:
        wrapped += ["--bind", str(path), str(path)]
    return wrapped + ["--chdir", str(cwd), "--", *argv]


def kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left of it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        if sig == signal.SIGTERM:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=_GRACE_S)


def _pump(stream: BinaryIO, log: BinaryIO, on_line: Callable[[str], None] | None) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    for chunk in iter(lambda: stream.read1(65536), b""):
        log.write(chunk)
        log.flush()
        if on_line is None:
            continue
        pending += decoder.decode(chunk)
        *lines, pending = re.split(r"[\r\n]", pending)
        for line in lines:
            if line.strip():
                on_line(line)
    if on_line and pending.strip():
        on_line(pending)


def run_streaming(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    log: BinaryIO,
    timeout: float | None,
    on_line: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> ProcessResult:
    """Run argv in a new session (its own process group), copy its output to `log` as it comes,
    and kill the whole group on timeout, on `cancel`, or on Ctrl-C. When this returns, no process
    of the group is left running."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise EvalError(f"cannot start {argv[0]}: {exc}") from exc
    reader = threading.Thread(target=_pump, args=(proc.stdout, log, on_line), daemon=True)
    reader.start()
    timed_out = interrupted = False
    try:
        while True:
            try:
                proc.wait(timeout=_POLL_S)
                break
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set():
                    interrupted = True
                    break
                if timeout is not None and time.monotonic() - start > timeout:
                    timed_out = True
                    break
    except KeyboardInterrupt:
        interrupted = True
    finally:
        # Also reaps children a finished script left behind (servers, data-loader workers).
        kill_group(proc)
        proc.wait()
        reader.join(timeout=5)
    seconds = round(time.monotonic() - start, 3)
    code = None if (timed_out or interrupted) else proc.returncode
    return ProcessResult(code, seconds, timed_out, interrupted)
