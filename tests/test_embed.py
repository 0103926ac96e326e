"""Embeddings: the cache in front of the encoder, exact top-k, model loading, and the bundled
MiniLM through ONNX Runtime checked against sentence-transformers (slow: those need torch)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scout.errors import ConfigError
from scout.search.embed import (
    MAX_BATCH_TOKENS,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    bundled_model_dir,
    embed_texts,
    load_embedder,
    onnx_path,
    text_hash,
)
from scout.store.vectors import cosine_scores, top_k

HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime")


def _unit_rows(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, dim), dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


# -- the cache ---------------------------------------------------------------------------------


def test_text_hash_is_stable_hex_and_tells_texts_apart():
    assert text_hash("mask classification") == text_hash("mask classification")
    assert text_hash("mask classification") != text_hash("mask classification ")
    digest = text_hash("é")
    assert len(digest) == 64 and set(digest) <= set("0123456789abcdef")
    assert digest == hashlib.sha256("é".encode()).hexdigest()


def test_embed_texts_encodes_each_new_text_once_and_never_again(fake_embedder, store):
    texts = ["mask classification", "graph networks", "mask classification", "speech"]
    seen = []
    first = embed_texts(texts, fake_embedder, store, progress=lambda done, total: seen.append((done, total)))
    assert fake_embedder.encoded == ["mask classification", "graph networks", "speech"]
    assert seen == [(3, 3)]
    assert first.dtype == np.float32 and first.shape == (4, fake_embedder.dim)
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_allclose(first, fake_embedder.encode(texts), atol=1e-6)

    fake_embedder.encoded.clear()
    again = embed_texts(list(reversed(texts)), fake_embedder, store, progress=lambda *a: seen.append(a))
    assert fake_embedder.encoded == [] and seen == [(3, 3)]  # nothing encoded, no progress to report
    np.testing.assert_array_equal(again, first[::-1])

    embed_texts(["speech", "new paper"], fake_embedder, store)
    assert fake_embedder.encoded == ["new paper"]


def test_embed_texts_saves_as_it_goes_so_an_interrupted_run_keeps_its_work(fake_embedder, store, monkeypatch):
    monkeypatch.setattr("scout.search.embed.SAVE_EVERY", 2)
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        embed_texts(["a", "b", "c", "d"], fake_embedder, store, progress=progress)
    assert calls == [(2, 4)]
    assert set(store.get_embeddings(fake_embedder.name, [text_hash(t) for t in "abcd"])) == {
        text_hash("a"),
        text_hash("b"),
    }
    fake_embedder.encoded.clear()
    embed_texts(["a", "b", "c", "d"], fake_embedder, store)
    assert fake_embedder.encoded == ["c", "d"]


def test_embed_texts_keys_the_cache_by_model_name(fake_embedder, store):
    embed_texts(["speech"], fake_embedder, store)
    other = type(fake_embedder)()
    other.name = "another-model"
    embed_texts(["speech"], other, store)
    assert other.encoded == ["speech"]


def test_embed_texts_of_nothing_is_an_empty_matrix(fake_embedder, store):
    out = embed_texts([], fake_embedder, store)
    assert out.shape == (0, fake_embedder.dim) and fake_embedder.encoded == []


# -- scoring -----------------------------------------------------------------------------------


def test_top_k_matches_a_full_sort():
    matrix = _unit_rows(5000, 64)
    query = _unit_rows(1, 64, seed=1)[0]
    full = np.argsort(-(matrix @ query), kind="stable")
    for k in (1, 10, 137, 4999, 5000, 9000):
        idx, scores = top_k(query, matrix, k)
        np.testing.assert_array_equal(idx, full[: min(k, 5000)])
        np.testing.assert_allclose(scores, (matrix @ query)[idx], rtol=1e-6)
        assert np.all(np.diff(scores) <= 0)
    idx, scores = top_k(query, matrix, 0)
    assert idx.shape == (0,) and scores.shape == (0,)


def test_top_k_breaks_ties_by_row_and_handles_an_empty_matrix():
    matrix = np.array([[1, 0], [0, 1], [1, 0], [1, 0]], dtype=np.float32)
    idx, scores = top_k(np.array([1, 0], dtype=np.float32), matrix, 2)
    assert idx.tolist() == [0, 2] and scores.tolist() == [1.0, 1.0]
    idx, _ = top_k(np.array([1, 0], dtype=np.float32), np.zeros((0, 2), dtype=np.float32), 5)
    assert idx.shape == (0,)


def test_cosine_scores_normalise_the_query():
    matrix = _unit_rows(10, 8)
    query = 3.0 * matrix[4]
    scores = cosine_scores(query, matrix)
    assert scores[4] == pytest.approx(1.0, abs=1e-6)
    assert scores.argmax() == 4 and np.all(scores <= 1.0 + 1e-6)


# -- loading -----------------------------------------------------------------------------------


def test_unknown_model_is_a_one_line_config_error(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_embedder("no-such-model-4242", tmp_path)
    assert "nor in the local Hugging Face cache (looked for sentence-transformers/no-such-model-4242)" in str(
        raised.value
    )
    assert "`hf download sentence-transformers/no-such-model-4242`" in str(raised.value)
    with pytest.raises(ConfigError, match="scout never downloads a model"):
        load_embedder("./missing/model/dir", tmp_path)


def test_bad_backend_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="unknown embedding backend"):
        load_embedder("all-MiniLM-L6-v2", tmp_path, backend="tensorflow")
    with pytest.raises(ConfigError, match="ONNX backend serves only all-MiniLM-L6-v2"):
        load_embedder("sentence-transformers/paraphrase-MiniLM-L3-v2", tmp_path, backend="onnx")


def test_default_model_is_onnx_keyed_by_name_and_loads_nothing_heavy(tmp_path):
    code = (
        "import sys; from pathlib import Path; from scout.search.embed import load_embedder\n"
        f"e = load_embedder('all-MiniLM-L6-v2', Path({str(tmp_path)!r}))\n"
        f"print(type(e).__name__, e.name, e.dim, [m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["OnnxEmbedder", "all-MiniLM-L6-v2", "384", "[]"]
    forced = load_embedder("sentence-transformers/all-MiniLM-L6-v2", tmp_path, backend="sentence-transformers")
    assert isinstance(forced, SentenceTransformerEmbedder) and forced.name == "all-MiniLM-L6-v2"
    assert onnx_path(tmp_path).parent == tmp_path / "models"
    assert onnx_path(tmp_path).name.startswith("all-MiniLM-L6-v2-") and onnx_path(tmp_path).suffix == ".onnx"


def test_a_local_model_folder_is_keyed_by_its_resolved_path(tmp_path, monkeypatch):
    (tmp_path / "my-model").mkdir()
    monkeypatch.chdir(tmp_path)
    embedder = load_embedder("my-model", tmp_path / "cache")
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.name == str(tmp_path / "my-model")


def test_onnx_batches_stop_at_the_token_budget_and_rows_keep_their_order(tmp_path, monkeypatch):
    """A search's 30 abstracts go a few at a time (each batch is padded to its longest text),
    short texts up to batch_size at a time, the longest first (the cores then finish together);
    every text is encoded once, in its own row."""

    class Encoding:
        def __init__(self, n: int):
            self.ids = [1] * n

    lengths = [256, 12, 200, 256, 9, 180, 256, 40, *[10] * 40, 230, 256]
    embedder = OnnxEmbedder("all-MiniLM-L6-v2", bundled_model_dir(), tmp_path / "never-built.onnx")
    embedder.__dict__["_tokenizer"] = type(
        "Tok", (), {"encode_batch": lambda self, texts: [Encoding(int(t)) for t in texts]}
    )()
    embedder.__dict__["dim"] = 1
    embedder.__dict__["_session"] = None  # never asked for: _encode_batch below stands in for it
    batches = []

    def encode_batch(encodings):
        batches.append([len(e.ids) for e in encodings])
        return np.array([[len(e.ids)] for e in encodings], dtype=np.float32)

    embedder._encode_batch = encode_batch
    monkeypatch.setattr("scout.search.embed.usable_cpus", lambda: 1)  # one core: the batches in the order they start
    out = embedder.encode([str(n) for n in lengths], batch_size=32)
    assert out[:, 0].tolist() == lengths
    assert sorted(n for b in batches for n in b) == sorted(lengths)
    assert all(len(b) <= 32 and (len(b) == 1 or len(b) * max(b) <= MAX_BATCH_TOKENS) for b in batches)
    assert max(len(b) for b in batches) == 32  # the short ones still share batches
    assert [len(b) for b in batches if max(b) == 256] == [3, 4]  # padded to 256: four at a time
    assert [max(b) for b in batches] == sorted((max(b) for b in batches), reverse=True)


# -- the real model (slow: exporting the ONNX graph and sentence-transformers need torch) -------


def _abstracts(real_fixtures: Path, count: int) -> list[str]:
    sample = real_fixtures / "retrieval_benchmarks" / "scirepeval_search_sample" / "search_small.lines001-067.jsonl"
    rows = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines()]
    texts = [f"{c['title']}. {c['abstract']}" for row in rows for c in row["candidates"] if c.get("abstract")]
    return texts[:count]


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory) -> Path:
    """A cache dir holding the exported graph, exported once for the whole session."""
    cache = tmp_path_factory.mktemp("embed-cache")
    embedder = load_embedder("all-MiniLM-L6-v2", cache)
    embedder.encode(["warm up"])
    return cache


@pytest.mark.slow
def test_export_is_atomic_and_reused(onnx_cache):
    graph = onnx_path(onnx_cache)
    assert [p.name for p in graph.parent.iterdir()] == [graph.name]  # no temporary file left behind
    before = graph.stat().st_mtime_ns
    load_embedder("all-MiniLM-L6-v2", onnx_cache).encode(["again"])
    assert graph.stat().st_mtime_ns == before


@pytest.mark.slow
def test_a_relevant_abstract_outranks_unrelated_ones(onnx_cache, real_fixtures, store):
    sample = real_fixtures / "retrieval_benchmarks" / "scirepeval_search_sample" / "search_small.lines001-067.jsonl"
    rows = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines()]
    speech, lanes, soil = rows[11], rows[4], rows[13]
    assert speech["query"] == "automatic speech recognition"
    relevant = next(c for c in speech["candidates"] if c["score"] > 0)  # SpecAugment
    unrelated = [c for row in (lanes, soil) for c in row["candidates"]]
    docs = [f"{c['title']}. {c['abstract']}" for c in [relevant, *unrelated]]
    embedder = load_embedder("all-MiniLM-L6-v2", onnx_cache)
    vectors = embed_texts([speech["query"], *docs], embedder, store)
    idx, scores = top_k(vectors[0], vectors[1:], 3)
    assert idx[0] == 0, [docs[i][:60] for i in idx]
    assert scores[0] > 0.45 and scores[0] - scores[1] > 0.15
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_onnx_matches_sentence_transformers(onnx_cache, real_fixtures):
    texts = _abstracts(real_fixtures, 12) + ["mask classification", "x " * 400]  # short, and truncated at 256
    onnx = load_embedder("all-MiniLM-L6-v2", onnx_cache)
    reference = load_embedder("all-MiniLM-L6-v2", onnx_cache, backend="sentence-transformers")
    assert isinstance(onnx, OnnxEmbedder) and reference.name == onnx.name and reference.dim == onnx.dim
    ours, theirs = onnx.encode(texts, batch_size=5), reference.encode(texts)
    assert ours.dtype == np.float32 and ours.shape == (14, 384)
    assert float((ours * theirs).sum(axis=1).min()) >= 0.999
    alone = np.vstack([onnx.encode([t]) for t in texts[:3]])  # padding in a batch changes nothing
    assert float((alone * ours[:3]).sum(axis=1).min()) >= 0.9999


@pytest.mark.slow
def test_query_encoding_does_not_import_torch(onnx_cache):
    code = (
        "import sys; from pathlib import Path; from scout.search.embed import load_embedder\n"
        f"v = load_embedder('all-MiniLM-L6-v2', Path({str(onnx_cache)!r})).encode(['panoptic segmentation'])\n"
        "print(v.shape, round(float((v * v).sum()), 4), 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(1, 384) 1.0 False"


@pytest.mark.slow
def test_a_folder_that_is_not_a_model_is_a_config_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="cannot load embedding model .*empty"):
        load_embedder(str(tmp_path / "empty"), tmp_path).encode(["x"])


@pytest.mark.slow
def test_onnx_vectors_do_not_depend_on_how_texts_are_batched(onnx_cache, real_fixtures):
    embedder = load_embedder("all-MiniLM-L6-v2", onnx_cache)
    texts = _abstracts(real_fixtures, 12) + ["masked autoencoders", "a query"]
    together = embedder.encode(texts)
    alone = np.concatenate([embedder.encode([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model", "kind", "closest"),
    [("all-MiniLM-L6-v2-int8", "int8", 0.98), ("all-MiniLM-L6-v2-int8ffn", "int8ffn", 0.99)],
)
def test_an_int8_model_is_quantized_once_from_the_exported_graph_and_stays_close(
    onnx_cache, real_fixtures, model, kind, closest
):
    from scout.search.embed import quantized_onnx_path

    texts = _abstracts(real_fixtures, 12) + ["mask classification"]
    int8 = load_embedder(model, onnx_cache)
    assert isinstance(int8, OnnxEmbedder) and int8.name == model and int8.dim == 384
    ours, full = int8.encode(texts), load_embedder("all-MiniLM-L6-v2", onnx_cache).encode(texts)
    names = {p.name for p in onnx_cache.joinpath("models").iterdir()}
    assert {onnx_path(onnx_cache).name, quantized_onnx_path(onnx_cache, kind).name} <= names
    assert not any(name.startswith(".") for name in names)  # no temporary file left behind
    assert float((ours * full).sum(axis=1).min()) >= closest
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    # Its activations are scaled over the whole input: one text per run, so a text's vector does
    # not depend on the texts encoded with it.
    assert np.array_equal(np.vstack([int8.encode([t]) for t in texts[:3]]), ours[:3])
