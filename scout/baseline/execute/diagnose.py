"""Say in one line why an evaluation failed, from the end of its log: the failures research code
hits again and again (missing modules, hard-coded CUDA, downloads at run time) get a named fix."""

from __future__ import annotations

import re

_KNOWN: list[tuple[re.Pattern, str]] = [
    (
        re.compile(r"No module named '([\w.]+)'"),
        (
            "the code imports `{0}`, which is not installed (the repo does not declare it); "
            "add it to the requirements, or install it and use --env current"
        ),
    ),
    (
        re.compile(
            r"Torch not compiled with CUDA|Found no NVIDIA driver|No CUDA GPUs are available|"
            r"CUDA driver initialization failed|cuda runtime error|no CUDA-capable device",
            re.IGNORECASE,
        ),
        (
            "the code needs CUDA (it hard-codes .cuda() or device='cuda') and this run has no GPU; "
            "run it with --device cuda on a GPU machine"
        ),
    ),
    (
        re.compile(r"CUDA out of memory|OutOfMemoryError", re.IGNORECASE),
        "the GPU ran out of memory; lower the batch size in the command or use a larger GPU",
    ),
    (
        re.compile(
            r"Temporary failure in name resolution|Name or service not known|Network is unreachable|"
            r"urlopen error|Max retries exceeded|ConnectionError|Failed to establish a new connection|"
            r"Could not resolve host",
            re.IGNORECASE,
        ),
        (
            "the code downloads data or weights at run time and the network is unreachable (--sandbox has "
            "none); fetch them into the repo first, or run where the network is reachable"
        ),
    ),
    (
        re.compile(r"^(?:\w+\.)*(?:PermissionError|OSError): .*Read-only file system", re.MULTILINE),
        "the code writes outside the repo and run folders, which --sandbox forbids; run without --sandbox",
    ),
]
_EXCEPTION_LINE = re.compile(r"^(?:[\w.]+(?:Error|Exception|Interrupt)|AssertionError|SystemExit)\b.*$", re.MULTILINE)


def diagnose(log_tail: str) -> str | None:
    """A one-line reason for a failure, or None when the log says nothing recognisable."""
    for pattern, message in _KNOWN:
        match = pattern.search(log_tail)
        if match:
            return message.format(*match.groups())
    lines = _EXCEPTION_LINE.findall(log_tail)
    return f"it raised {lines[-1].strip()[:200]}" if lines else None
