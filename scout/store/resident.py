"""Hand back the memory-mapped index pages a query touched. The indexes (the HNSW graph, the
vectors, the BM25 posting lists, the id lists) are mapped read-only, so every page a query reads
stays in the process's resident set until it exits: over a few hundred queries a long-lived
process (the MCP server) holds most of a 576k-paper archive's ~1 GB of index files. Dropping the
mappings' pages (madvise MADV_DONTNEED) leaves them in the page cache, where the next query finds
them again with a minor fault, and keeps the process near its own (anonymous) memory. It costs
milliseconds (the walk covers every mapped page, and the next query faults its pages in again), so
`trim` does it only once the file-backed pages add up."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

_MADV_DONTNEED = 4  # Linux's value; the call is made only there


@lru_cache(maxsize=1)
def _madvise():
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    fn = libc.madvise
    fn.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    fn.restype = ctypes.c_int
    return fn


def mapped_ranges(maps: str, folder: Path, spare: Collection[str] = ()) -> list[tuple[int, int]]:
    """(start, end) of each mapping in `maps` (/proc/<pid>/maps text) of a file under `folder`
    whose name is not in `spare`."""
    prefix = f"{os.path.realpath(folder)}{os.sep}"
    ranges = []
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        # Only read-only mappings: a private page the process wrote would be lost.
        if (
            len(fields) == 6
            and fields[1].startswith("r-")
            and fields[5].startswith(prefix)
            and os.path.basename(fields[5]) not in spare
        ):
            start, end = (int(x, 16) for x in fields[0].split("-"))
            ranges.append((start, end))
    return ranges


def release(folder: Path, spare: Collection[str] = ()) -> int:
    """Drop this process's resident pages of the read-only mappings of files under `folder` (but
    those named in `spare`); the bytes of address space advised (0 where /proc is not there to
    say what is mapped)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return 0
    advised = 0
    for start, end in mapped_ranges(maps, folder, spare):
        if _madvise()(start, end - start, _MADV_DONTNEED) == 0:
            advised += end - start
    return advised


def file_resident() -> int:
    """This process's resident file-backed (and shared) memory in bytes, /proc/self/statm's third
    field; 0 where /proc is not there."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[2]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def trim(folder: Path, keep: int, spare: Collection[str] = ()) -> int:
    """release(folder, spare) once this process's file-backed resident memory passes `keep`
    bytes; the bytes of address space advised (0 when under)."""
    return release(folder, spare) if file_resident() > keep else 0
