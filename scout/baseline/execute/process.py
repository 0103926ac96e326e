"""Run code the user did not write: in its own process group, with a wall-clock limit, its output
streamed line by line to a log file and a callback; when it ends (exit, timeout, Ctrl-C, SIGTERM)
everything it started ends too, including setsid, double-forked and nohup children."""

from __future__ import annotations

import codecs
import collections
import contextlib
import ctypes
import functools
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import psutil

from scout.errors import EvalError

_GRACE_S = 3.0  # between SIGTERM and SIGKILL
_POLL_S = 0.1
MAX_LINE_CHARS = 64 * 1024  # a longer line (no newline in 100 MB) is cut, never buffered whole
# A run's log holds at most MAX_LOG_BYTES: the first part of the output, then its last TAIL_BYTES,
# where an evaluation prints its numbers (a metric printed after any amount of noise is still read).
# Every run keeps its log, so the cap is what a chatty run costs the disk, seeds times over.
MAX_LOG_BYTES = 256 * 1024**2
TAIL_BYTES = 20 * 1024 * 1024
_PR_SET_CHILD_SUBREAPER = 36
GUARD_EVERY_S = 10.0  # how often a run's guard (its disk budget) is asked
# What a run's --timeout is measured on; tests put a clock here that moves when the run has done
# what they wait for, so a timeout fires after it however slow the machine.
_clock: Callable[[], float] = time.monotonic
_active_lock = threading.Lock()
_started: set[int] = set()  # the pids of the runs in progress (their Popen reaps them)


@dataclass(frozen=True)
class ProcessResult:
    exit_code: int | None
    seconds: float
    timed_out: bool = False
    interrupted: bool = False
    stopped: str | None = None  # why the guard stopped it (a disk budget spent)


@functools.cache
def _become_subreaper() -> bool:
    """Orphans of a run (setsid, double fork, nohup) are reparented to scout instead of init, so
    they stay findable and can be ended with the run."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _members(proc: subprocess.Popen, token: str, orphans_too: bool) -> dict[int, psutil.Process]:
    """Every process the run started that is still there: its tree, anything carrying its token,
    and (when no other run is going) anything reparented to scout that subprocess does not own."""
    found: dict[int, psutil.Process] = {}
    me = psutil.Process()
    roots = []
    with contextlib.suppress(psutil.Error):
        roots.append(psutil.Process(proc.pid))
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if child.pid == proc.pid:
                continue
            orphan = orphans_too and child.ppid() == me.pid and child.pid not in _started
            if orphan or child.environ().get("SCOUT_RUN_TOKEN") == token:
                roots.append(child)
    for root in roots:
        found[root.pid] = root
        with contextlib.suppress(psutil.Error):
            found.update((p.pid, p) for p in root.children(recursive=True))
    return found


def kill_tree(proc: subprocess.Popen, token: str) -> None:
    """SIGTERM the run's process group and everything it started, then SIGKILL what is left, until
    nothing is left (a fork loop cannot outrun it), and reap the orphans that came back to scout."""
    with _active_lock:
        alone = len(_started) <= 1
    for attempt in range(20):
        members = _members(proc, token, alone)
        if proc.poll() is None:
            members.setdefault(proc.pid, None)
        if not members:
            return
        sig = signal.SIGTERM if attempt == 0 else signal.SIGKILL
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        for pid in members:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        if attempt == 0:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=_GRACE_S)
        else:
            time.sleep(0.05)
        _reap(members)


def _reap(members) -> None:
    me = os.getpid()
    for pid, process in members.items():
        if process is None or pid in _started:
            continue
        with contextlib.suppress(psutil.Error, ChildProcessError, OSError):
            if process.ppid() == me:
                os.waitpid(pid, os.WNOHANG)


class _Tail:
    """The last `size` bytes of a stream, kept as chunks (no copying of the whole buffer per chunk)."""

    def __init__(self, size: int):
        self.size = size
        self.chunks: collections.deque[bytes] = collections.deque()
        self.held = 0
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        self.held += len(chunk)
        while self.chunks and self.held - len(self.chunks[0]) >= self.size:
            self.held -= len(self.chunks[0])
            self.dropped += len(self.chunks.popleft())
        if self.held > self.size:  # cut the oldest chunk: the log never holds more than its budget
            excess = self.held - self.size
            self.chunks[0] = self.chunks[0][excess:]
            self.held, self.dropped = self.size, self.dropped + excess

    def write_to(self, log: BinaryIO) -> None:
        if not self.held:
            return
        log.write(
            f"\n[scout] the log is cut here: the run printed more than {MAX_LOG_BYTES:,} bytes; "
            f"{self.dropped:,} bytes are left out and its last {self.held:,} follow\n".encode()
        )
        log.writelines(self.chunks)
        log.flush()


def _pump(stream: BinaryIO, log: BinaryIO, on_line: Callable[[str], None] | None) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    written = 0
    head = max(0, MAX_LOG_BYTES - TAIL_BYTES)
    tail = _Tail(min(TAIL_BYTES, MAX_LOG_BYTES))
    for chunk in iter(lambda: stream.read1(65536), b""):
        if written < head:
            part = chunk[: head - written]
            log.write(part)
            log.flush()
            written += len(part)
            chunk_rest = chunk[len(part) :]
        else:
            chunk_rest = chunk
        if chunk_rest:
            tail.add(chunk_rest)
        if on_line is None:
            continue
        *lines, pending = re.split(r"[\r\n]", pending + decoder.decode(chunk))
        if len(pending) > MAX_LINE_CHARS:
            lines.append(pending[:MAX_LINE_CHARS])
            pending = ""
        for line in lines:
            if line.strip():
                on_line(line[:MAX_LINE_CHARS])
    if tail.dropped:
        tail.write_to(log)
    else:  # all of it fits: no marker, the output continues as printed
        log.writelines(tail.chunks)
        log.flush()
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
    guard: Callable[[], str | None] | None = None,
) -> ProcessResult:
    """Run argv in a new session (its own process group), copy its output to `log` as it comes,
    and stop it on timeout, on `cancel`, on Ctrl-C, or when `guard` (asked every GUARD_EVERY_S)
    gives a reason. When this returns, no process it started is left running, whether or not it
    left its process group."""
    _become_subreaper()
    token = uuid.uuid4().hex
    start, timer = time.monotonic(), _clock()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**env, "SCOUT_RUN_TOKEN": token},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise EvalError(f"cannot start {argv[0]}: {exc}") from exc
    with _active_lock:
        _started.add(proc.pid)
    reader = threading.Thread(target=_pump, args=(proc.stdout, log, on_line), daemon=True)
    reader.start()
    timed_out = interrupted = False
    stopped = None
    guarded = time.monotonic()
    try:
        while True:
            try:
                proc.wait(timeout=_POLL_S)
                break
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set():
                    interrupted = True
                    break
                if timeout is not None and _clock() - timer > timeout:
                    timed_out = True
                    break
                if guard is not None and time.monotonic() - guarded >= GUARD_EVERY_S:
                    guarded = time.monotonic()
                    stopped = guard()
                    if stopped:
                        break
    except KeyboardInterrupt:
        interrupted = True
    finally:
        # Also ends what a finished script left behind (servers, data-loader workers, daemons).
        kill_tree(proc, token)
        proc.wait()
        with _active_lock:
            _started.discard(proc.pid)
        reader.join(timeout=5)
    seconds = round(time.monotonic() - start, 3)
    code = None if (timed_out or interrupted or stopped) else proc.returncode
    return ProcessResult(code, seconds, timed_out, interrupted, stopped)
