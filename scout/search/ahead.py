"""Embedding ahead: encode texts into the store's embedding cache on one background thread while
the search waits on the network (the slower sources, missing abstracts), so the model's seconds
of CPU overlap those waits instead of following them. The vectors are the ones `embed_texts`
would compute; only when they are computed changes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from scout.search.embed import embed_texts, text_hash
from scout.store import Store

# Texts per piece of work: what an interruption waits for, and the steps in which a search sees
# the encoding progress. The encoder batches them by length and tokens within, and runs those
# batches on every core: a piece of 8 abstracts is about two batches.
CHUNK = 8


class EmbedAhead:
    """One worker thread, whose encoder uses every core. Each piece of work takes up to CHUNK of
    the texts waiting when it starts, so texts that arrive one at a time (detail calls) are encoded
    together; an interrupted search stops within one piece, keeping what was encoded."""

    def __init__(self, embedder, store: Store, progress: Callable[[int, int], None] | None = None):
        self.embedder = embedder
        self.store = store
        self._progress = progress
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scout-embed")
        self._futures: list[Future] = []
        self._queued: set[str] = set()
        self._waiting: list[str] = []  # submitted, not yet taken by a piece of work
        self._lock = threading.Lock()
        self._progressed = threading.Condition(self._lock)
        self._done = 0
        self._total = 0
        self._warming = False
        self._closed = False
        # An encoder that runs one text at a time pads nothing, so it takes the texts in the order
        # they came (each source lists its best first) rather than shortest first: a first search
        # held its longest abstracts, two of its top 10 among them, to the last tenth.
        self._by_length = not getattr(embedder, "one_at_a_time", False)

    def needs_model(self, texts: list[str]) -> bool:
        """Whether any of `texts` has no cached vector yet (a repeated search loads no model)."""
        hashes = {text_hash(t) for t in texts} - self._queued
        return bool(hashes - self.store.cached_hashes(self.embedder.name, list(hashes)))

    @property
    def encoding(self) -> bool:
        """Whether this search gave the model anything to encode (a repeated search does not)."""
        with self._lock:
            return self._total > 0

    def warm_up(self) -> None:
        """Load the model in the background (once), for texts that are still on their way."""
        with self._lock:
            if not self._warming and not self._closed:
                self._warming = True
                self._futures.append(self._pool.submit(self.embedder.encode, ["warm up"]))

    def submit(self, texts: list[str]) -> None:
        """Queue the texts not queued before; the cached ones cost a lookup, not an encode. Any
        thread may submit, also once the work is over (a late answer): then nothing is queued."""
        with self._lock:
            if self._closed:
                return
            new = {h: t for h, t in ((text_hash(t), t) for t in texts) if h not in self._queued}
            self._queued.update(new)
            cached = self.store.cached_hashes(self.embedder.name, list(new))
            todo = [t for h, t in new.items() if h not in cached]
            self._waiting += todo
            self._total += len(todo)
            self._warming = self._warming or bool(todo)  # the first encode loads the model
            # Enough pieces for every text: a piece that finds nothing left waiting does nothing.
            for _ in range(0, len(todo), CHUNK):
                self._futures.append(self._pool.submit(self._encode))

    def _encode(self) -> None:
        with self._lock:
            if self._by_length:
                # Texts of about one length together: a batch is padded to its longest text.
                self._waiting.sort(key=len)
            texts, self._waiting = self._waiting[:CHUNK], self._waiting[CHUNK:]
        if not texts:
            return
        try:
            embed_texts(texts, self.embedder, self.store)
        finally:
            # Counted on a failure too, so that wait_for_most returns and wait raises the error.
            with self._lock:
                self._done += len(texts)
                done, total = self._done, self._total
                self._progressed.notify_all()
        if self._progress is not None:
            self._progress(done, total)

    def wait_for_most(self, left: float) -> None:
        """Block until at most this share of the texts queued so far is still to be encoded."""
        with self._lock:
            self._progressed.wait_for(lambda: self._total - self._done <= left * self._total)

    def wait(self) -> None:
        """Block until everything queued is in the cache; a failed encode raises here."""
        with self._lock:
            futures = list(self._futures)
        for future in futures:
            future.result()

    def __enter__(self) -> EmbedAhead:
        return self

    def __exit__(self, *exc_info) -> None:
        with self._lock:
            self._closed = True
        # On an error or Ctrl-C the queued batches are dropped; the one being encoded finishes.
        self._pool.shutdown(wait=True, cancel_futures=True)
