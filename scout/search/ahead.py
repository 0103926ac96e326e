"""Embedding ahead: encode texts into the store's embedding cache on one background thread while
the search waits on the network (the slower sources, missing abstracts), so the model's seconds
of CPU overlap those waits instead of following them. The vectors are the ones `embed_texts`
would compute; only when they are computed changes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from scout.search.embed import BATCH_SIZE, embed_texts, text_hash
from scout.store import Store


class EmbedAhead:
    """One worker thread: the model's own threads already use every core, a second encoder would
    only make both slower. Work is queued a batch at a time, so an interrupted search stops
    within one batch, keeping what was encoded."""

    def __init__(self, embedder, store: Store, progress: Callable[[int, int], None] | None = None):
        self.embedder = embedder
        self.store = store
        self._progress = progress
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scout-embed")
        self._futures: list[Future] = []
        self._queued: set[str] = set()
        self._lock = threading.Lock()
        self._done = 0
        self._total = 0
        self._warming = False

    def needs_model(self, texts: list[str]) -> bool:
        """Whether any of `texts` has no cached vector yet (a repeated search loads no model)."""
        hashes = {text_hash(t) for t in texts} - self._queued
        return bool(hashes - self.store.cached_hashes(self.embedder.name, list(hashes)))

    def warm_up(self) -> None:
        """Load the model in the background (once), for texts that are still on their way."""
        if not self._warming:
            self._warming = True
            self._futures.append(self._pool.submit(self.embedder.encode, ["warm up"]))

    def submit(self, texts: list[str]) -> None:
        """Queue the texts not queued before; the cached ones cost a lookup, not an encode."""
        new = {h: t for h, t in ((text_hash(t), t) for t in texts) if h not in self._queued}
        self._queued.update(new)
        cached = self.store.cached_hashes(self.embedder.name, list(new))
        # Batches of texts of about one length: a batch is padded to its longest text.
        todo = sorted((t for h, t in new.items() if h not in cached), key=len)
        with self._lock:
            self._total += len(todo)
        for start in range(0, len(todo), BATCH_SIZE):
            self._futures.append(self._pool.submit(self._encode, todo[start : start + BATCH_SIZE]))

    def _encode(self, texts: list[str]) -> None:
        embed_texts(texts, self.embedder, self.store)
        with self._lock:
            self._done += len(texts)
            done, total = self._done, self._total
        if self._progress is not None:
            self._progress(done, total)

    def wait(self) -> None:
        """Block until everything queued is in the cache; a failed encode raises here."""
        for future in self._futures:
            future.result()

    def __enter__(self) -> EmbedAhead:
        return self

    def __exit__(self, *exc_info) -> None:
        # On an error or Ctrl-C the queued batches are dropped; the one being encoded finishes.
        self._pool.shutdown(wait=True, cancel_futures=True)
