"""Embedding ahead: the model's work overlaps the search's network waits, with the same vectors."""

from __future__ import annotations

import dataclasses
import json
import threading

import httpx
import numpy as np
import pytest

from scout.config import load_settings
from scout.search.ahead import CHUNK, EmbedAhead
from scout.search.embed import text_hash
from scout.search.pipeline import SearchRequest, run_search
from scout.search.sources.hf import parse_search
from scout.session import Session
from tests.conftest import BagOfWordsEmbedder
from tests.sync import GUARD_S


class WatchedEmbedder(BagOfWordsEmbedder):
    """Records each encode call in order, lets a test wait for the calls it expects, and, with
    `gate`, holds every call until the gate opens (`entered` is set once a call is waiting there)."""

    def __init__(self, gate: threading.Event | None = None, log: list[str] | None = None):
        super().__init__()
        self.calls: list[list[str]] = []
        self.gate = gate
        self.entered = threading.Event()
        self.log = log if log is not None else []  # shared with the test's answers: the order of events
        self._changed = threading.Condition()

    def encode(self, texts, batch_size: int = 32):
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(GUARD_S), "the gate never opened"
        out = super().encode(texts, batch_size)
        with self._changed:
            self.calls.append(list(texts))
            self.log.append(f"encoded {len(texts)}")
            self._changed.notify_all()
        return out

    def wait_until(self, condition) -> bool:
        """Block until condition(self.calls) holds; False (for the test to assert on) if it never does."""
        with self._changed:
            return self._changed.wait_for(lambda: condition(self.calls), timeout=GUARD_S)


def texts(n: int) -> list[str]:
    return [f"paper {i} about mask classification and segmentation" for i in range(n)]


def test_what_is_embedded_ahead_is_what_embed_texts_gives(store):
    embedder = WatchedEmbedder()
    with EmbedAhead(embedder, store) as ahead:
        ahead.submit(texts(70))
        ahead.submit(texts(70))  # queued once
        ahead.wait()
    cached = store.get_embeddings(embedder.name, [text_hash(t) for t in texts(70)])
    expected = BagOfWordsEmbedder().encode(texts(70))
    assert np.allclose(np.stack([cached[text_hash(t)] for t in texts(70)]), expected)
    assert sum(len(batch) for batch in embedder.calls) == 70


def test_a_repeated_search_needs_no_model(store):
    embedder = WatchedEmbedder()
    with EmbedAhead(embedder, store) as ahead:
        ahead.submit(texts(5))
        ahead.wait()
    with EmbedAhead(embedder, store) as ahead:
        assert not ahead.needs_model(texts(5))
        assert ahead.needs_model(["a paper never seen"])
        ahead.submit(texts(5))
        ahead.wait()
    assert len(embedder.calls) == 1  # the second round encoded nothing


def test_an_interrupted_search_keeps_the_batch_being_encoded_and_drops_the_rest(store):
    gate = threading.Event()
    embedder = WatchedEmbedder(gate)
    with pytest.raises(KeyboardInterrupt), EmbedAhead(embedder, store) as ahead:
        ahead.submit(texts(3 * CHUNK))
        first, *queued = ahead._futures
        # The gate opens once shutdown has cancelled the queued batches, never before: the first
        # batch is then the one being encoded, and the others can no longer start.
        pending = [len(queued)]

        def cancelled(future):
            pending[0] -= 1
            if pending[0] == 0:
                gate.set()

        for future in queued:
            future.add_done_callback(cancelled)
        assert embedder.entered.wait(GUARD_S)  # the worker holds the first batch
        raise KeyboardInterrupt
    assert first.done() and not first.cancelled() and all(f.cancelled() for f in queued)
    assert [len(batch) for batch in embedder.calls] == [CHUNK]
    assert len(store.cached_hashes(embedder.name, [text_hash(t) for t in texts(3 * CHUNK)])) == CHUNK


def test_texts_that_arrive_one_by_one_while_the_model_is_busy_are_encoded_together(store):
    gate = threading.Event()
    embedder = WatchedEmbedder(gate)
    arriving = texts(CHUNK + 3)
    with EmbedAhead(embedder, store) as ahead:
        ahead.submit(arriving[:1])
        assert embedder.entered.wait(GUARD_S)  # the worker holds the first text
        for text in arriving[1:]:
            ahead.submit([text])
        gate.set()
        ahead.wait_for_most(0.0)
        ahead.wait()
    assert [len(batch) for batch in embedder.calls] == [1, CHUNK, 2]
    assert len(store.cached_hashes(embedder.name, [text_hash(t) for t in arriving])) == len(arriving)


@pytest.mark.parametrize("one_at_a_time", [False, True])
def test_waiting_texts_go_shortest_first_to_a_batching_encoder_and_as_they_came_to_one_at_a_time(store, one_at_a_time):
    gate = threading.Event()
    embedder = WatchedEmbedder(gate)
    embedder.one_at_a_time = one_at_a_time  # as OnnxEmbedder says of an int8 graph: it pads nothing
    long = [f"{text} {'and a long abstract ' * 20}" for text in texts(CHUNK)]
    short = [f"short {i}" for i in range(CHUNK)]
    with EmbedAhead(embedder, store) as ahead:
        ahead.warm_up()
        assert embedder.entered.wait(GUARD_S)  # the worker holds the warm-up
        ahead.submit(long)
        ahead.submit(short)
        gate.set()
        ahead.wait()
    assert embedder.calls[1:] == ([long, short] if one_at_a_time else [short, long])


def test_a_failed_encode_is_raised_by_wait(store):
    class Broken(BagOfWordsEmbedder):
        def encode(self, texts, batch_size: int = 32):
            raise MemoryError("out of memory")

    with EmbedAhead(Broken(), store) as ahead:
        ahead.submit(texts(3))
        with pytest.raises(MemoryError):
            ahead.wait()


# -- in the search ---------------------------------------------------------------------------------


def search_with(tmp_path, embedder, answer, sources, on_preview=None, cache="cache") -> tuple:
    settings = dataclasses.replace(load_settings({"cache_dir": tmp_path / cache}), arxiv_delay_s=0.0, backoff_s=0.0)
    with Session(settings, transport=httpx.MockTransport(answer), embedder=embedder) as session:
        return run_search(
            SearchRequest("mask classification", sources=sources, limit=5),
            settings=settings,
            store=session.store,
            embedder=session.embedder,
            fetcher=session.fetcher,
            on_preview=on_preview,
        )


def test_the_query_and_a_fast_sources_papers_are_encoded_while_a_slow_source_is_still_answering(
    tmp_path, real_fixtures
):
    hf = (real_fixtures / "hf_papers/hf-mcp-server/papers_search_q_llama_3_herd.json").read_bytes()
    with_abstract = sum(1 for paper in parse_search(json.loads(hf)) if paper.abstract)
    feed = (real_fixtures / "arxiv/arxiv.py_recorded_2026/q_testing_s0_m10_bc5a6c384fe9.body.xml").read_bytes()
    log: list[str] = []
    embedder = WatchedEmbedder(log=log)

    def answer(request: httpx.Request) -> httpx.Response:
        if "arxiv" in request.url.host:
            # arXiv is the slow one: it answers only once the query and hf's papers are encoded, or
            # when the guard runs out, and then the order below shows what went wrong.
            embedder.wait_until(lambda calls: sum(map(len, calls)) >= 1 + with_abstract)
            log.append("arxiv answered")
            return httpx.Response(200, content=feed, headers={"Content-Type": "application/atom+xml"})
        if request.url.path.endswith("/api/papers/search"):
            return httpx.Response(200, content=hf, headers={"Content-Type": "application/json"})
        return httpx.Response(404, json={"detail": "Not found."})

    report = search_with(tmp_path, embedder, answer, ("arxiv", "hf"))
    assert report.results and report.sources["arxiv"].ok and report.sources["hf"].ok
    before = log[: log.index("arxiv answered")]
    assert with_abstract >= 5 and before[0] == "encoded 1"  # the query's own vector loads the model
    assert sum(int(entry.split()[1]) for entry in before) == 1 + with_abstract
    assert list(report.sources) == ["arxiv", "hf"]  # in the requested order, not the order of arrival


def test_papers_with_an_abstract_are_embedded_while_the_missing_ones_are_fetched(tmp_path, real_fixtures):
    listing = json.loads((real_fixtures / "pwc_api/codingpot_paperswithcode-go/paper_list_response.json").read_text())
    without = {row["arxiv_id"] for row in listing["results"][:10] if row["arxiv_id"]}
    for row in listing["results"][:10]:
        row["abstract"] = None
    with_abstract = sum(1 for row in listing["results"] if row["abstract"])
    feed = (real_fixtures / "arxiv/arxiv.py_recorded_2026/q_testing_s0_m10_bc5a6c384fe9.body.xml").read_bytes()
    log: list[str] = []
    embedder = WatchedEmbedder(log=log)
    early = []

    def answer(request: httpx.Request) -> httpx.Response:
        if "arxiv" in request.url.host:  # the batched lookup of the missing abstracts
            assert set(request.url.params["id_list"].split(",")) <= without
            # Answers only once the papers that had their abstract are encoded (or the guard runs out).
            embedder.wait_until(lambda calls: sum(map(len, calls)) >= 1 + with_abstract)
            early.append(sum(len(batch) for batch in embedder.calls) - 1)  # less the warm-up
            log.append("arxiv answered")
            return httpx.Response(200, content=feed, headers={"Content-Type": "application/atom+xml"})
        if request.url.path.endswith("/papers/search"):
            return httpx.Response(200, json=listing)
        return httpx.Response(404, json={"detail": "Not found."})

    report = search_with(tmp_path, embedder, answer, ("pwc",))
    assert report.results and "arxiv answered" in log
    assert with_abstract >= 40 and early == [with_abstract]  # every paper that had its abstract, during the wait


def test_previews_come_first_and_the_final_ranking_is_the_same_without_them(tmp_path, real_fixtures):
    listing = json.loads((real_fixtures / "pwc_api/codingpot_paperswithcode-go/paper_list_response.json").read_text())
    hf = (real_fixtures / "hf_papers/hf-mcp-server/papers_search_q_llama_3_herd.json").read_bytes()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "paperswithcode.co" and request.url.path.endswith("/papers/search"):
            return httpx.Response(200, json=listing)
        if request.url.path.endswith("/api/papers/search"):
            return httpx.Response(200, content=hf, headers={"Content-Type": "application/json"})
        return httpx.Response(404, json={"detail": "Not found."})

    previews = []
    shown = search_with(tmp_path, BagOfWordsEmbedder(), answer, ("pwc", "hf"), previews.append, "shown")
    plain = search_with(tmp_path, BagOfWordsEmbedder(), answer, ("pwc", "hf"), None, "plain")
    # The first source's papers alone, then both sources' (neither needs a model: BM25 and strength,
    # no static model on disk here), then the model's ranking before enrichment.
    assert len(previews) == 3 and all(len(p.results) == 5 for p in previews)
    assert len(previews[0].sources) == 1 and list(previews[1].sources) == ["pwc", "hf"]
    assert all(r.similarity == 0 for p in previews[:2] for r in p.results)
    assert any(r.similarity > 0 for r in previews[2].results)
    final = [(r.paper.id, r.rank, r.score, r.similarity) for r in shown.results]
    assert final == [(r.paper.id, r.rank, r.score, r.similarity) for r in plain.results]
