"""One Session per command: it opens the store, the HTTP client and the embedder when first asked
for them, and closes whatever it opened when the command ends, whatever happens.

Tests hand it an `httpx.MockTransport` and a fake embedder; nothing needs monkeypatching."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from scout.config import Settings
from scout.store import Store

if TYPE_CHECKING:  # the HTTP stack costs ~0.1 s to import; an offline command never needs it
    import httpx

    from scout.search.http import Fetcher
    from scout.search.httpcache import HttpCache


class Session:
    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        embedder=None,
        refresh: bool = False,
    ):
        self.settings = settings
        self._transport = transport
        self._given_embedder = embedder
        self._refresh = refresh

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @cached_property
    def store(self) -> Store:
        return Store(self.settings.db_path)

    def has_store(self) -> bool:
        """Whether a store exists already (reading one must not create a cache dir)."""
        return "store" in self.__dict__ or self.settings.db_path.exists()

    @cached_property
    def client(self) -> httpx.Client:
        from scout.search.http import make_client

        return make_client(self.settings, self._transport)

    @cached_property
    def http_cache(self) -> HttpCache:
        """The sources' answers, shared by every project of the user."""
        from scout.search.httpcache import HttpCache, http_cache_path

        return HttpCache(http_cache_path(self.settings.shared_cache_dir), self.settings.http_ttl_s)

    @cached_property
    def fetcher(self) -> Fetcher:
        from scout.search.http import Fetcher

        return Fetcher(self.client, self.settings, self.http_cache, refresh=self._refresh)

    @property
    def source_fetcher(self) -> Fetcher | None:
        """The fetcher, or None when the settings say offline (an offline command opens no client)."""
        return None if self.settings.offline else self.fetcher

    @cached_property
    def embedder(self):
        if self._given_embedder is not None:
            return self._given_embedder
        from scout.search.embed import load_embedder

        return load_embedder(self.settings.model, self.settings.shared_cache_dir)

    def close(self) -> None:
        # Only what was opened is closed: a command that never touched the network opened no client.
        if "client" in self.__dict__:
            self.client.close()
        if "http_cache" in self.__dict__:
            self.http_cache.close()
        if "store" in self.__dict__:
            self.store.close()
