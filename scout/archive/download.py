"""Download the Papers with Code archive dumps from the Hugging Face Hub, resuming a partial
download where it stopped (HTTP Range) rather than starting a 1 GB file again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from scout.archive.importer import SOURCE
from scout.errors import SourceError

# The final dumps as published in the pwc-archive/files dataset (July 2025).
ARCHIVE_FILES = (
    "jul-29-papers-with-abstracts.json.gz",
    "jul-28-links-between-papers-and-code.json.gz",
    "jul-28-evaluation-tables.json.gz",
)


def download(
    client: httpx.Client,
    url: str,
    dest: Path,
    *,
    tries: int = 4,
    progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Fetch `url` to `dest` through `dest`.part; a dropped connection resumes from the bytes
    already on disk, up to `tries` times in this call and again in any later call."""
    if dest.is_file():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    for attempt in range(1, tries + 1):
        try:
            if _fetch(client, url, part, progress):
                part.replace(dest)
                return dest
        except httpx.HTTPError as exc:
            if attempt == tries:
                have = part.stat().st_size if part.is_file() else 0
                raise SourceError(
                    SOURCE,
                    f"download of {dest.name} stopped at {have} bytes ({exc}); run `scout index pull` again to resume",
                ) from exc
    raise SourceError(SOURCE, f"download of {dest.name} did not finish; run `scout index pull` again")


def _fetch(client: httpx.Client, url: str, part: Path, progress) -> bool:
    """One request for the rest of the file; True once `part` holds all of it."""
    have = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 416 and _total_from_range(response) == have:
            return True  # the previous run got every byte but stopped before renaming
        if response.status_code not in (200, 206):
            raise SourceError(SOURCE, f"HTTP {response.status_code} for {url}", response.status_code)
        if response.status_code == 200:
            have = 0  # the server ignored the Range header: start over
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else None
        with part.open("ab" if have else "wb") as fh:
            # Raw bytes as they arrive: Range offsets count raw bytes, and a dropped connection
            # keeps everything received before it.
            for chunk in response.iter_raw():
                fh.write(chunk)
                have += len(chunk)
                if progress:
                    progress(have, total)
    return total is None or have >= total


def _total_from_range(response: httpx.Response) -> int | None:
    value = response.headers.get("Content-Range", "")
    size = value.rsplit("/", 1)[-1]
    return int(size) if size.isdigit() else None
