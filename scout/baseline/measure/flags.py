"""Suspicious output, flagged on the run instead of silently recorded as its headline:
- one metric printed with different values by different lines (the reader's conflicts);
- NaN or infinity;
- a value outside the metric's range (an accuracy of 7.3 on a 0-1 scale or above 100%, a negative
  FID, a perplexity below 1);
- a number the repo's own files already hold: the headline's line also sits in a results file of the
  checkout or in a print statement with the number written into the code, so the run may have
  printed a stored result rather than measured one.
A flagged headline metric is never the headline (scout.baseline.measure.headline skips conflicts and
non-finite values; the range and repo-file flags drop the headline here)."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from scout.baseline.measure.logmetrics import Reading
from scout.metrics import base_name, is_fraction, underflowed

_NON_NEGATIVE = {
    "fid",
    "kid",
    "perplexity",
    "bpc",
    "bpd",
    "mse",
    "mae",
    "rmse",
    "wer",
    "cer",
    "bleu",
    "psnr",
    "cider",
    "meteor",
    "inception_score",
}
_RESULT_SUFFIXES = {".txt", ".log", ".json", ".csv", ".out", ".yaml", ".yml"}
_SOURCE_SUFFIXES = {".py", ".sh", ".lua", ".m", ".jl", ".r", ".R"}
_MAX_FILES = 4000
_MAX_BYTES = 2 * 1024 * 1024


def out_of_range(name: str, value: float, raw: str) -> str | None:
    base = base_name(name)
    if underflowed(value, raw):
        return f"{name} = {raw} reads as 0 only because it is too small for a float"
    if is_fraction(name) and base not in ("wer", "cer") and (value < 0 or value > 1.0 + 1e-9):
        return f"{name} = {raw} is outside 0-100%"
    if base in _NON_NEGATIVE and value < 0:
        return f"{name} = {raw} is negative"
    if base == "perplexity" and 0 <= value < 1:
        return f"{name} = {raw} is below 1, which a perplexity never is"
    return None


def range_flags(reading: Reading) -> dict[str, str]:
    found = {}
    for name, metric in reading.metrics.items():
        if math.isfinite(metric.value):
            note = out_of_range(name, metric.value, metric.raw)
            if note:
                found[name] = note
    return found


def reading_flags(reading: Reading) -> list[str]:
    """Every flag the output alone raises."""
    flags = [f"conflict: {note}" for note in reading.conflicts]
    flags += [f"non-finite: {name} was printed as {reading.metrics[name].raw}" for name in reading.nonfinite]
    flags += [f"out of range: {note}" for note in range_flags(reading).values()]
    return flags + list(reading.notes)


def _files(root: Path):
    count = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__")]
        for name in files:
            count += 1
            if count > _MAX_FILES:
                return
            yield Path(folder) / name


def repo_file_flag(line: str | None, raw: str, root: Path | None) -> str | None:
    """The headline's line found in a stored results file of the checkout, or its number written into
    a print statement of the code; None when the output is the only place it appears."""
    if not line or root is None or not root.is_dir() or len(line.strip()) < 8:
        return None
    needle = line.strip()
    number = re.escape(raw.strip().rstrip("%"))
    printed = re.compile(rf"\b(?:print|echo|log|write|info|puts)\b[^\n]*(?<![\d.]){number}(?![\d.])[^\n]*")
    words = [w.lower() for w in re.findall(r"[A-Za-z]{3,}", needle)][:6]
    for path in _files(root):
        suffix = path.suffix.lower()
        if suffix not in _RESULT_SUFFIXES | _SOURCE_SUFFIXES or path.name.lower().startswith("readme"):
            continue
        try:
            if path.is_symlink() or path.stat().st_size > _MAX_BYTES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        rel = path.relative_to(root)
        if suffix in _RESULT_SUFFIXES and needle in text:
            return (
                f"from repo file: the line {needle[:80]!r} is already in {rel}; "
                "it may be a stored result, not a measurement"
            )
        if suffix in _SOURCE_SUFFIXES:
            for found in printed.finditer(text):
                if all(word in found.group(0).lower() for word in words):
                    return f"from repo file: {rel} prints the number {raw.strip()} written into its code"
    return None
