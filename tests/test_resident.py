"""Dropping the resident pages of an index's read-only mappings."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from scout.store.resident import file_resident, mapped_ranges, release, trim

MAPS = """\
55d0c0a00000-55d0c0a01000 r--p 00000000 fd:01 123 /usr/bin/python3.11
7f0000000000-7f0000400000 r--s 00000000 fd:01 456 /data/cache/index/all-MiniLM-L6-v2-static/ann.usearch
7f0000400000-7f0000500000 r--s 00000080 fd:01 457 /data/cache/index/bm25s/data.csc.index.npy
7f0000500000-7f0000600000 rw-p 00000000 fd:01 458 /data/cache/index/bm25s/written.npy
7f0000600000-7f0000700000 r--s 00000000 fd:01 459 /data/cache/index-old/ids.txt
7f0000700000-7f0000800000 rw-p 00000000 00:00 0
7f0000800000-7f0000801000 r--p 00000000 fd:01 460 /data/cache/index/with space.npy
"""


def test_mapped_ranges_are_the_read_only_mappings_under_the_folder():
    assert mapped_ranges(MAPS, Path("/data/cache/index")) == [
        (0x7F0000000000, 0x7F0000400000),
        (0x7F0000400000, 0x7F0000500000),
        (0x7F0000800000, 0x7F0000801000),
    ]


def _resident_kb(path: Path) -> int:
    """Rss of this process's mappings of `path`, from /proc/self/smaps."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and ":" not in head[0]:
            inside = line.endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(head[1])
    return total


def _read_mapped(folder: Path, name: str) -> tuple[np.ndarray, Path]:
    """A 4 MB array saved as `name` in `folder`, memory-mapped and read through, and its path."""
    folder.mkdir(exist_ok=True)
    np.save(folder / name, np.arange(1 << 20, dtype=np.float32))
    mapped = np.load(folder / name, mmap_mode="r")
    assert float(mapped.sum()) > 0  # every page read
    path = (folder / name).resolve()
    assert _resident_kb(path) >= 4096
    return mapped, path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")
def test_release_drops_the_pages_a_read_touched_and_the_data_stays(tmp_path):
    folder = tmp_path / "index"
    mapped, path = _read_mapped(folder, "vectors.npy")
    assert release(folder) >= 4 << 20
    assert _resident_kb(path) == 0
    assert mapped[-1] == (1 << 20) - 1  # read back from the file


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm and smaps")
def test_trim_releases_only_past_what_the_process_may_keep_and_spares_what_it_is_told(tmp_path):
    folder = tmp_path / "index"
    vectors, path = _read_mapped(folder, "vectors.npy")  # held: an array dropped is unmapped
    ann, graph = _read_mapped(folder, "graph.npy")
    assert file_resident() >= 8 << 20
    assert trim(folder, keep=file_resident() + (1 << 30), spare=("graph.npy",)) == 0
    assert _resident_kb(path) >= 4096
    assert trim(folder, keep=0, spare=("graph.npy",)) >= 4 << 20
    assert _resident_kb(path) == 0
    assert _resident_kb(graph) >= 4096
    assert vectors[-1] == ann[-1] == (1 << 20) - 1
