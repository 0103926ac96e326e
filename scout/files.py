"""Write a file whole or not at all: into a uniquely named temporary file beside the target, then
renamed over it, so a crash, a full disk or a second scout process never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(target: Path, suffix: str = "") -> Iterator[Path]:
    """A fresh temporary path beside `target` for a writer that wants a path (np.save, an index's
    save); it replaces `target` when the block ends without an error, and is removed otherwise."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix + ".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(target: Path, data: str | bytes) -> None:
    with replacing(target) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
