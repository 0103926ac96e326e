"""Say in one line why an evaluation failed, from the end of its log: the failures research code
hits again and again (missing modules, hard-coded CUDA, downloads at run time) get a named fix."""

from __future__ import annotations

import re

_KNOWN: list[tuple[re.Pattern, str]] = [
    (
        re.compile(r"No module named '([\w.]+)'"),
        # Under --env current scout installs nothing, so a declared requirement is missing too
        # (philipperemy/keras-tcn's setup.py declares tensorflow).
        (
            "the code imports `{0}`, which is not installed in the run's Python (under --env current scout "
            "installs nothing; in a venv it was not among the requirements); install it, or declare it"
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
        # make: "make: jupyter: No such file or directory"; sh: "sh: 1: jupyter: not found";
        # bash: "bash: line 1: jupyter: command not found" (Fuhongshuai/FUHS_GraphCNN's `make`)
        re.compile(
            r"^(?:make|sh|bash|/bin/sh)(?::\s*(?:line\s+)?\d+)?:\s*([\w.+\-]+):\s*"
            r"(?:No such file or directory|(?:command\s+)?not found)\s*$",
            re.MULTILINE,
        ),
        (
            "the command runs the program `{0}`, which is not installed here (a program, not a Python "
            "import, so the requirements do not bring it); install it, then run again"
        ),
    ),
    (
        re.compile(r"^(?:\w+\.)*(?:PermissionError|OSError): .*Read-only file system", re.MULTILINE),
        "the code writes outside the repo and run folders, which --sandbox forbids; run without --sandbox",
    ),
]
# Code rot: APIs that later releases removed, and the pin under which the code still runs.
_ROT: list[tuple[re.Pattern, str]] = [
    (
        re.compile(r"module 'numpy' has no attribute '(float|int|bool|object|str|long|complex|unicode)'"),
        "the code uses np.{0}, removed in numpy 1.24: pin `numpy<1.24` in the requirements",
    ),
    (
        re.compile(r"Weights only load failed|weights_only"),
        "torch >= 2.6 loads checkpoints with weights_only=True and this one holds more than weights: "
        "pin `torch<2.6`, or load it with torch.load(..., weights_only=False) if you trust the file",
    ),
    (
        re.compile(r"cannot import name '(\w+)' from 'collections'"),
        "collections.{0} moved to collections.abc in Python 3.10: run with Python < 3.10 "
        "(add requires-python) or pin the package that imports it to a newer release",
    ),
    (re.compile(r"No module named 'torch\._six'"), "the code needs torch._six, removed in torch 2.0: pin `torch<2`"),
    (
        re.compile(r"cannot import name '(imread|imresize|imsave|imrotate|toimage)' from 'scipy\.misc'"),
        "scipy.misc.{0} was removed in scipy 1.2/1.3: pin `scipy<1.2` and `Pillow<7`",
    ),
    (
        re.compile(
            r"No module named 'tensorflow\.contrib'"
            r"|module 'tensorflow' has no attribute '(?:placeholder|Session|contrib)"
        ),
        "the code is TensorFlow 1.x: pin `tensorflow<2` (which needs Python <= 3.7)",
    ),
    (
        re.compile(r"load\(\) missing 1 required positional argument: 'Loader'"),
        "yaml.load() without a Loader was removed in PyYAML 6: pin `PyYAML<6`",
    ),
    (
        re.compile(
            r"No module named 'sklearn\.externals\.joblib'|cannot import name 'joblib' from 'sklearn\.externals'"
        ),
        "sklearn.externals.joblib was removed in scikit-learn 0.23: pin `scikit-learn<0.23`",
    ),
    (
        re.compile(r"cannot import name 'soft_unicode' from 'markupsafe'"),
        "markupsafe 2.1 removed soft_unicode (an old Jinja2 imports it): pin `markupsafe<2.1`",
    ),
    (
        re.compile(r"No module named 'distutils'"),
        "distutils was removed in Python 3.12: run with Python < 3.12, or add `setuptools` to the requirements",
    ),
    (
        re.compile(
            r"(?:Could not find a version that satisfies the requirement|No solution found when resolving)"
            r"[^\n]*?\b([A-Za-z0-9_.-]+)==([\w.]+)"
        ),
        "no release {0}=={1} installs on this Python (the pin is older than it): "
        "loosen that pin, or run with the Python of the repo's era",
    ),
]
_EXCEPTION_LINE = re.compile(r"^(?:[\w.]+(?:Error|Exception|Interrupt)|AssertionError|SystemExit)\b.*$", re.MULTILINE)


def diagnose(log_tail: str) -> str | None:
    """A one-line reason for a failure, or None when the log says nothing recognisable."""
    for pattern, message in _ROT + _KNOWN:
        match = pattern.search(log_tail)
        if match:
            return message.format(*match.groups())
    lines = _EXCEPTION_LINE.findall(log_tail)
    return f"it raised {lines[-1].strip()[:200]}" if lines else None
