"""Paper sources. Each module keeps fetching (I/O through a Fetcher) apart from pure parsing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scout.models import Paper
from scout.search.sources import arxiv, hf, pwc

if TYPE_CHECKING:
    from scout.search.http import Fetcher

SearchFn = Callable[["Fetcher", str, int], list[Paper]]

# The sources `scout search --source NAME` accepts, in the order their fields win a merge.
SEARCH_SOURCES: dict[str, SearchFn] = {
    "pwc": pwc.search,
    "arxiv": arxiv.search,
    "hf": hf.search,
}
