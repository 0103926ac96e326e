"""The bm25s index behind offline lexical ranking, its FTS5 fallback, and the fast static embedder."""

from __future__ import annotations

import json
import os
import random

import numpy as np
import pytest

from scout.archive.embedding import build_store_index, build_store_lexical_index, embed_store, index_info
from scout.archive.importer import import_dump
from scout.dirs import shared_cache_dir
from scout.models import Paper
from scout.search import offline
from scout.search.static import FAST_MODEL, StaticEmbedder, static_model_dir
from scout.store.lexical import LexicalIndex, build_lexical_index, indexed_text, lexical_dir
from tests.pwc_dumps import synthetic_papers, write_json

TEXTS = {
    "a": ("Mask classification", "Masks are all you need for panoptic segmentation."),
    "b": ("Deep residual learning", "Residual nets for image recognition."),
    "c": ("Attention is all you need", "Transformers rely on attention, without recurrence."),
}


@pytest.fixture
def archive(store, tmp_path):
    import_dump(store, write_json(tmp_path / "papers.json", synthetic_papers(200)))
    store.save_papers([Paper(title=t, abstract=a, arxiv_id=f"2102.0000{i}") for i, (t, a) in enumerate(TEXTS.values())])
    build_store_lexical_index(store)
    return store


def test_the_index_scores_new_texts_on_its_own_scale(tmp_path):
    folder = tmp_path / "bm25s"
    texts = [indexed_text(*pair) for pair in TEXTS.values()]
    build_lexical_index(folder, list(TEXTS), texts)
    index = LexicalIndex.load(folder)
    found = index.top_rows("masked attention", 5)
    assert [index.ids[row] for row, _ in found] == ["a", "c"]  # stemmed: "masked" finds "Masks"
    assert index.score_texts("masked attention", texts) == pytest.approx([found[0][1], 0.0, found[1][1]])
    (folder / "meta.json").unlink()
    assert LexicalIndex.load(folder) is None  # an unfinished build is no index


def test_top_rows_are_the_best_of_every_paper_a_term_hits(tmp_path):
    # More papers hit than k, and papers hit by several terms: the k best of the posting lists are
    # the k best of a full scan.
    rng = random.Random(3)
    vocab = ["mask", "attention", "graph", "token", "pixel", "reward", "policy", "image", "layer", "noise"]
    texts = [" ".join(rng.choices(vocab, k=rng.randint(3, 30))) for _ in range(400)]
    folder = tmp_path / "bm25s"
    build_lexical_index(folder, [str(i) for i in range(len(texts))], texts)
    index = LexicalIndex.load(folder)
    for query in ("mask attention graph", "reward", "pixel noise policy layer"):
        full = index.score_texts(query, texts)
        found = index.top_rows(query, 7)
        assert [round(score, 4) for _, score in found] == sorted((round(float(x), 4) for x in full), reverse=True)[:7]
        assert all(score == pytest.approx(full[row], rel=1e-5) for row, score in found)


def test_offline_lexical_ranking_comes_from_the_bm25s_index(archive, monkeypatch):
    def no_fts(*args):
        raise AssertionError("FTS5 was used")

    monkeypatch.setattr(offline, "fts_ids", no_fts)
    assert list(offline.lexical_hits(archive, "panoptic segmentation masks", 3))[0] == "arxiv:2102.00000"


def test_papers_stored_since_the_build_are_found_and_rescored(archive, monkeypatch):
    archive.save_papers(
        [
            Paper(title="Quantum gravity lattice", abstract="Spin foams.", arxiv_id="2401.00001"),
            # Changed since the build: its new text counts, not the indexed one.
            Paper(
                title="Deep residual learning",
                abstract="Quantum spin foams, no longer residual nets.",
                arxiv_id="2102.00001",
            ),
        ]
    )
    monkeypatch.setattr(offline, "fts_ids", lambda *args: pytest.fail("FTS5 was used"))
    # Both scored apart from the index (no row in it): the second's indexed text is out of date.
    hits = offline.lexical_hits(archive, "quantum spin foams", 2)
    assert hits == {"arxiv:2401.00001": None, "arxiv:2102.00001": None}
    info = index_info(archive, "any-model")
    assert (info.bm25_papers, info.bm25_fresh) == (203, 2)


def test_lexical_candidates_are_scored_from_the_vector_index_without_reading_them(archive, fake_embedder, monkeypatch):
    embed_store(archive, fake_embedder)
    build_store_index(archive, fake_embedder.name)  # same store, same order as the bm25s index
    query = "masks with method 7 on topic 12"
    hits = offline.lexical_hits(archive, query, 5)
    assert len(hits) == 5 and None not in hits.values()
    query_vec = fake_embedder.encode([query])[0]
    by_text = offline.dense_ids(archive, fake_embedder, query_vec, 5, dict.fromkeys(hits))
    # Rows that name other papers in the vector index are not trusted: their texts are read.
    shifted = {pid: row + 1 for pid, row in hits.items()}
    assert offline.dense_ids(archive, fake_embedder, query_vec, 5, shifted) == by_text
    read = []
    monkeypatch.setattr(archive, "get_embeddings", lambda model, hashes: read.extend(hashes) or {})
    # The same papers; the order may differ among the many equal scores of these synthetic texts
    # (the index's vectors are float16, the cached ones float32).
    assert set(offline.dense_ids(archive, fake_embedder, query_vec, 5, hits)) == set(by_text)
    assert read == []


def test_fts5_ranks_when_the_index_is_missing_or_stale(archive, monkeypatch):
    monkeypatch.setattr(offline, "FRESH_LIMIT", 0)
    archive.save_papers([Paper(title="Quantum gravity lattice", abstract="Spin foams.", arxiv_id="2401.00001")])
    assert list(offline.lexical_hits(archive, "quantum spin foams", 1)) == ["arxiv:2401.00001"]
    monkeypatch.setattr(offline, "FRESH_LIMIT", 5000)
    for path in lexical_dir(archive.root).iterdir():
        path.unlink()
    assert offline.lexical_index(archive.root) is None
    assert list(offline.lexical_hits(archive, "panoptic segmentation masks", 1)) == ["arxiv:2102.00000"]


def test_an_index_loads_once_and_again_after_a_rebuild(archive):
    first = offline.lexical_index(archive.root)
    assert offline.lexical_index(archive.root) is first
    build_store_lexical_index(archive)
    assert offline.lexical_index(archive.root) is not first


def test_query_words_are_tokenized_as_bm25s_tokenizes_the_index():
    import bm25s

    from scout.store.lexical import _stemmer, tokenize

    texts = [indexed_text(*pair) for pair in TEXTS.values()] + [
        "Über-fast  ViT-B/16 at 3x speed; the CIFAR_10 and l'état de l'art, naïve Bayes (2019) 漢字 a b",
        "",
        "THE and OF",
    ]
    theirs = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)
    assert tokenize(texts) == theirs


def test_pool_scores_are_bm25s_scores_to_the_bit():
    import bm25s

    from scout.store.lexical import pool_scores

    texts = [indexed_text(*pair) for pair in TEXTS.values()] + [
        "Attention attention ATTENTION: masks, masks and more masks",
        "",
        "Panoptic segmentation with mask transformers; the masks are classified, not the pixels.",
    ]
    corpus = bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    for query in ("masks attention", "attention is all you need, attention", "residual", "zebra", "the"):
        terms = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)[0]
        theirs = retriever.get_scores(terms) if terms else np.zeros(len(texts), dtype=np.float32)
        assert np.array_equal(pool_scores(query, texts), np.asarray(theirs, dtype=np.float32)), query
    assert pool_scores("masks", []).shape == (0,)


def test_terms_are_looked_up_in_the_sorted_vocabulary_or_the_json_one(tmp_path):
    from scout.store.lexical import SortedTerms

    folder = tmp_path / "bm25s"
    texts = [indexed_text(*pair) for pair in TEXTS.values()]
    build_lexical_index(folder, list(TEXTS), texts)
    vocab = json.loads((folder / "vocab.index.json").read_text())
    index = LexicalIndex.load(folder)
    assert isinstance(index.vocab, SortedTerms)
    assert {t: index.vocab.get(t) for t in vocab if t} == {t: i for t, i in vocab.items() if t}
    assert index.vocab.get("zzz") is None and index.vocab.get("") is None
    found = index.top_rows("masked attention", 5)
    # An index from before the sorted vocabulary, or one an older scout rebuilt since (its
    # vocabulary newer than the sorted one): the JSON vocabulary answers, the same.
    stamp = (folder / "vocab.index.json").stat().st_mtime_ns
    os.utime(folder / "terms.txt", ns=(stamp - 10**9, stamp - 10**9))
    assert isinstance(LexicalIndex.load(folder).vocab, dict)
    (folder / "terms.txt").unlink()
    assert LexicalIndex.load(folder).top_rows("masked attention", 5) == found


def tiny_static_model(folder, dtype=np.float32, normalize=False):
    """A model2vec model over MiniLM's tokenizer with random token vectors: the fast embedder's
    plumbing without the minutes distilling takes (the distilled one is float16, normalized)."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer

    from scout.search.embed import bundled_model_dir

    tokenizer = Tokenizer.from_file(str(bundled_model_dir() / "tokenizer.json"))
    vectors = np.random.default_rng(0).normal(size=(tokenizer.get_vocab_size(), 16)).astype(dtype)
    StaticModel(vectors, tokenizer, normalize=normalize).save_pretrained(str(folder))
    return folder


@pytest.mark.parametrize("dtype, normalize", [(np.float32, False), (np.float16, True)])
def test_static_vectors_are_model2vec_vectors_to_the_bit(tmp_path, dtype, normalize):
    from model2vec import StaticModel

    from scout.search.static import TokenMeans

    folder = tiny_static_model(tmp_path / "static", dtype=dtype, normalize=normalize)
    texts = [
        "Mask classification",
        "Masks are all you need.\nPanoptic segmentation",
        "",
        "漢字 é 😀 \u2603",
        "residual " * 700,  # past max_length tokens, and past its cut in characters
        "[UNK] [SEP] [CLS] [PAD] x",
    ]
    ours, theirs = TokenMeans.load(folder), StaticModel.from_pretrained(str(folder))
    assert isinstance(ours, TokenMeans) and ours.dim == theirs.dim
    for max_length in (512, 8):
        mine = ours.encode(texts, max_length=max_length)
        assert mine.dtype == dtype
        assert np.array_equal(mine, theirs.encode(texts, max_length=max_length, use_multiprocessing=False))


def test_the_fast_first_pass_gives_the_dense_candidates(archive, fake_embedder):
    from scout.search.embed import bundled_model_dir

    # Where search finds the fast model: the user's shared cache (its own per test, conftest).
    fast = StaticEmbedder(FAST_MODEL, bundled_model_dir(), tiny_static_model(static_model_dir(shared_cache_dir())))
    vectors = fast.encode(["mask classification", "residual nets"])
    assert vectors.shape == (2, 16) and np.allclose(np.linalg.norm(vectors, axis=1), 1)
    assert offline.dense_embedder(archive, fake_embedder) is fake_embedder  # no index at all yet
    embed_store(archive, fast, batch_size=64)
    build_store_index(archive, FAST_MODEL)
    assert offline.dense_embedder(archive, fake_embedder).name == FAST_MODEL
    assert len(offline.retrieve_stored(archive, fake_embedder, "panoptic segmentation masks", 5)) == 5
    embed_store(archive, fake_embedder)
    build_store_index(archive, fake_embedder.name)
    assert offline.dense_embedder(archive, fake_embedder) is fake_embedder  # its own index wins


def test_the_static_top_is_ranked_again_by_int8_minilm_or_by_the_search_model_itself(fake_embedder):
    from scout.config import DEFAULT_MODEL
    from scout.search.embed import QUANTIZED_MODEL, load_embedder, quantized_onnx_path

    minilm = load_embedder(DEFAULT_MODEL)
    rescorer = offline.rescoring_embedder(minilm)
    assert rescorer.name == QUANTIZED_MODEL and rescorer.graph == quantized_onnx_path(shared_cache_dir())
    assert rescorer.one_at_a_time and not minilm.one_at_a_time
    assert offline.rescoring_embedder(fake_embedder) is fake_embedder
    forced = load_embedder(DEFAULT_MODEL, backend="sentence-transformers")
    assert offline.rescoring_embedder(forced) is forced


def test_index_embed_fast_builds_static_vectors_and_bm25(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from scout.cli import app

    cache = tmp_path / "cache"
    monkeypatch.setenv("SCOUT_CACHE_DIR", str(cache))
    runner = CliRunner()
    imported = runner.invoke(app, ["index", "import", str(write_json(tmp_path / "p.json", synthetic_papers(50)))])
    assert imported.exit_code == 0, imported.stderr
    tiny_static_model(static_model_dir(shared_cache_dir()))
    done = runner.invoke(app, ["index", "embed", "--fast"])
    assert done.exit_code == 0, done.stderr
    assert "BM25 index: 50 papers" in done.stderr
    facts = json.loads(runner.invoke(app, ["index", "info", "--json"]).stdout)
    assert facts["bm25_papers"] == 50
    assert facts["vector_indexes"] == [
        {"model": FAST_MODEL, "papers": 50, "approximate": True, "bytes": facts["vector_indexes"][0]["bytes"]}
    ]
    text = runner.invoke(app, ["index", "info"]).stdout
    assert f"vector index of 50 papers with {FAST_MODEL}" in text and "BM25 index    50 papers" in text
    both = runner.invoke(app, ["index", "embed", "--fast", "--model", "x"])
    assert both.exit_code == 2 and "drop --model or --fast" in both.stderr  # a usage error


def tiny_minilm(folder):
    """A sentence-transformers-style folder with MiniLM's own tokenizer files and a one-layer BERT
    of random weights: what the fast model is distilled from, real in every part but its size (the
    real MiniLM takes minutes to distil on two cores, this a few seconds)."""
    import shutil

    import torch
    from transformers import BertConfig, BertModel

    from scout.search.embed import bundled_model_dir

    torch.manual_seed(0)
    source = bundled_model_dir()
    vocab = json.loads((source / "config.json").read_text())["vocab_size"]
    config = BertConfig(
        vocab_size=vocab, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64
    )
    BertModel(config).save_pretrained(str(folder))
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copy(source / name, folder / name)
    return folder


@pytest.mark.slow
def test_the_static_model_is_distilled_once_in_a_child_and_encodes(tmp_path, monkeypatch):
    source = tiny_minilm(tmp_path / "minilm")
    target = static_model_dir(tmp_path / "cache")
    fast = StaticEmbedder(FAST_MODEL, source, target)
    vectors = fast.encode(["mask classification", "residual nets", "mask classification", ""])
    # Distilled in place (the staging folder renamed, none left beside it), one vector per token of
    # MiniLM's vocabulary, texts as unit-length means of their tokens' vectors.
    assert (target / "config.json").is_file() and [p.name for p in target.parent.iterdir()] == [target.name]
    assert vectors.shape == (4, 32) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1, atol=1e-5)
    assert np.allclose(vectors[0], vectors[2]) and not np.allclose(vectors[0], vectors[1])
    assert fast.encode([]).shape == (0, 32)
    # The next embedder finds it and distils nothing.
    monkeypatch.setattr("scout.search.static.distill_in_child", lambda *a: pytest.fail("distilled again"))
    again = StaticEmbedder(FAST_MODEL, source, target).encode(["mask classification"])
    assert np.allclose(again[0], vectors[0])


@pytest.mark.slow  # the child imports torch before it fails
def test_a_distillation_that_fails_says_so_and_leaves_nothing(tmp_path):
    from scout.errors import ConfigError

    empty = tmp_path / "not-a-model"
    empty.mkdir()
    target = static_model_dir(tmp_path / "cache")
    with pytest.raises(ConfigError, match="could not distil the fast embedding model: "):
        StaticEmbedder(FAST_MODEL, empty, target).encode(["mask classification"])
    assert not target.exists() and not list(target.parent.glob(f".{target.name}.*"))


class Counting:
    """An embedder that counts the texts it encodes."""

    def __init__(self, inner):
        self.inner, self.name, self.texts = inner, inner.name, 0

    @property
    def dim(self):
        return self.inner.dim

    def encode(self, texts, batch_size=32):
        self.texts += len(texts)
        return self.inner.encode(texts, batch_size)


def test_with_only_fast_vectors_the_search_model_ranks_only_the_static_top(archive, fake_embedder):
    from scout.config import Settings
    from scout.search.embed import bundled_model_dir
    from scout.search.pipeline import SearchRequest, rank_candidates, run_search

    fast = StaticEmbedder(FAST_MODEL, bundled_model_dir(), tiny_static_model(static_model_dir(shared_cache_dir())))
    embed_store(archive, fast, batch_size=64)
    build_store_index(archive, FAST_MODEL)
    request = SearchRequest("panoptic segmentation masks", offline=True, limit=5)
    settings = Settings(cache_dir=archive.root, rescore_top=7)
    candidates = offline.retrieve_stored(archive, fake_embedder, request.task_text, 200)
    assert len(candidates) > 7
    static_top = {r.paper.id for r in rank_candidates(request, candidates, fast, archive, settings)[:7]}
    counted = Counting(fake_embedder)
    report = run_search(request, settings=settings, store=archive, embedder=counted)
    assert counted.texts == 1 + 7  # the query and the static model's top 7, never all candidates
    assert {r.paper.id for r in report.results} <= static_top
    assert [r.score for r in report.results] == sorted((r.score for r in report.results), reverse=True)
    again = Counting(fake_embedder)
    run_search(request, settings=settings, store=archive, embedder=again)
    assert again.texts == 0  # their vectors were kept


def test_the_first_table_fuses_the_static_model_from_the_shared_cache(archive, tmp_path):
    # `scout index embed --fast` puts the static model in the user's shared cache, not the project's.
    from scout.config import Settings
    from scout.search.pipeline import SearchRequest, quick_rank

    papers = archive.all_papers()[:50]
    request = SearchRequest("panoptic segmentation masks", limit=5)
    settings = Settings(cache_dir=tmp_path / "project", shared_cache_dir=tmp_path / "shared")
    lexical_only = quick_rank(request, papers, settings, archive)
    assert {r.similarity for r in lexical_only} == {0.0}
    tiny_static_model(static_model_dir(settings.shared_cache_dir))
    fused = quick_rank(request, papers, settings, archive)
    assert any(r.similarity != 0.0 for r in fused)


def test_the_default_minilm_ranks_with_feed_forward_int8_unless_named_or_an_archive_is_indexed(archive, fake_embedder):
    from scout.config import DEFAULT_MODEL
    from scout.search.embed import FEED_FORWARD_INT8_MODEL, load_embedder, quantized_onnx_path

    minilm = load_embedder(DEFAULT_MODEL)
    int8 = offline.ranking_embedder(archive, minilm, model_given=False)
    assert int8.name == FEED_FORWARD_INT8_MODEL and int8.one_at_a_time
    assert int8.graph == quantized_onnx_path(shared_cache_dir(), "int8ffn") != offline.rescoring_embedder(minilm).graph
    assert offline.ranking_embedder(archive, minilm, model_given=True) is minilm  # --model keeps its model
    assert offline.ranking_embedder(archive, fake_embedder, model_given=False) is fake_embedder
    # `scout index embed` with float MiniLM: only the float model's vectors compare with the archive's.
    embed_store(archive, Renamed(fake_embedder, DEFAULT_MODEL))
    build_store_index(archive, DEFAULT_MODEL)
    assert offline.ranking_embedder(archive, minilm, model_given=False) is minilm


def test_a_search_over_a_mixed_store_compares_only_the_int8_vectors(archive, fake_embedder, monkeypatch):
    """Papers stored with float MiniLM's vectors (searches before int8 ranked them) and others with
    int8's: an offline search by the default model ranks with int8 alone, encoding the papers
    that lack its vectors, and never reads the float ones (here pointing the wrong way)."""
    from scout.config import DEFAULT_MODEL, Settings
    from scout.search.embed import FEED_FORWARD_INT8_MODEL, embed_texts, load_embedder, text_hash
    from scout.search.pipeline import SearchRequest, run_search

    minilm = load_embedder(DEFAULT_MODEL)
    monkeypatch.setattr(minilm, "encode", lambda *a, **k: pytest.fail("float MiniLM encoded"))
    int8 = Renamed(fake_embedder, FEED_FORWARD_INT8_MODEL)
    monkeypatch.setattr(offline, "_embedder", lambda model, models: int8 if model == int8.name else pytest.fail(model))
    texts = [p.embedding_text() for p in archive.papers_by_ids([f"arxiv:2102.0000{i}" for i in range(3)])]
    embed_texts(texts, Renamed(Negated(fake_embedder), DEFAULT_MODEL), archive)
    embed_texts(texts[:1], int8, archive)
    request = SearchRequest("panoptic segmentation masks", offline=True, limit=3)
    report = run_search(request, settings=Settings(cache_dir=archive.root), store=archive, embedder=minilm)
    assert report.model == FEED_FORWARD_INT8_MODEL  # the JSON's "model" names what ranked
    assert report.results[0].paper.title == TEXTS["a"][0] and report.results[0].similarity > 0
    ranked = [text_hash(r.paper.embedding_text()) for r in report.results]
    assert archive.cached_hashes(FEED_FORWARD_INT8_MODEL, ranked) == set(ranked)  # kept for the next search


class Renamed:
    """An embedder's vectors under another model's name."""

    def __init__(self, inner, name):
        self.inner, self.name = inner, name

    @property
    def dim(self):
        return self.inner.dim

    def encode(self, texts, batch_size=32):
        return self.inner.encode(texts, batch_size)


class Negated(Renamed):
    def __init__(self, inner):
        super().__init__(inner, inner.name)

    def encode(self, texts, batch_size=32):
        return -self.inner.encode(texts, batch_size)
