"""Offline search over the index: retrieve_stored, `scout index embed`, the vector index."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from scout.archive.embedding import build_store_index, embed_store, index_info
from scout.archive.importer import import_dump
from scout.models import Paper, Repo
from scout.search.offline import fts_query, retrieve_stored
from scout.search.rank import fuse_rankings
from scout.store.vectors import VectorIndex, build_index, exact_top_k, index_dir
from tests.pwc_dumps import LINKS, PAPERS, SNLI, synthetic_papers, write_json


@pytest.fixture
def indexed(store, tmp_path, real_fixtures):
    import_dump(store, write_json(tmp_path / "papers-with-abstracts.json", PAPERS))
    import_dump(store, write_json(tmp_path / "links.json", LINKS))
    import_dump(store, real_fixtures / "pwc_dumps" / SNLI)
    return store


def test_offline_search_finds_papers_with_code_and_results(indexed, fake_embedder):
    papers = retrieve_stored(indexed, fake_embedder, "instance segmentation with masks", 3)
    assert papers[0].title == "Mask R-CNN"
    assert {r.url for r in papers[0].repos} == {
        "https://github.com/facebookresearch/Detectron",
        "https://github.com/matterport/Mask_RCNN",
    }
    nli = retrieve_stored(indexed, fake_embedder, "natural language inference entailment", 3)
    assert {p.title for p in nli} >= {
        "Natural Language Inference by Tree-Based Convolution and Heuristic Matching",
        "A large annotated corpus for learning natural language inference",
    }
    tbcnn = next(p for p in nli if p.arxiv_id == "1512.08422")
    assert any(r.dataset == "SNLI" and r.value == pytest.approx(82.1) for r in tbcnn.results)


def test_the_index_holds_what_online_search_stored_too(indexed, fake_embedder):
    indexed.save_papers(
        [
            Paper(
                title="Masked autoencoders are scalable vision learners",
                abstract="Masked autoencoders mask random patches.",
                arxiv_id="2111.06377",
                sources=("arxiv",),
                repos=(Repo("https://github.com/facebookresearch/mae"),),
            )
        ]
    )
    found = retrieve_stored(indexed, fake_embedder, "masked autoencoders", 2)
    assert found[0].arxiv_id == "2111.06377" and found[0].repos[0].url == "https://github.com/facebookresearch/mae"


def test_embed_then_vector_index_gives_the_same_top_results(indexed, fake_embedder):
    before = [p.id for p in retrieve_stored(indexed, fake_embedder, "residual learning image recognition", 3)]
    assert embed_store(indexed, fake_embedder) > 0
    assert embed_store(indexed, fake_embedder) == 0  # resumable: nothing left to do
    assert build_store_index(indexed, fake_embedder.name) == 5
    info = index_info(indexed, fake_embedder.name)
    assert (info.embeddings >= 5, info.indexed, info.approximate) == (True, 5, True)
    assert info.index_bytes > 0
    after = [p.id for p in retrieve_stored(indexed, fake_embedder, "residual learning image recognition", 3)]
    assert after[0] == before[0] == "arxiv:1512.03385"


def test_the_query_vector_is_left_for_the_ranking_to_cache(indexed, fake_embedder):
    from scout.search.embed import embed_texts, text_hash

    query = "residual learning image recognition"
    assert retrieve_stored(indexed, fake_embedder, query, 3)
    assert indexed.get_embeddings(fake_embedder.name, [text_hash(query)]) == {}
    embed_texts([query], fake_embedder, indexed)  # as ranking the candidates does
    assert set(indexed.get_embeddings(fake_embedder.name, [text_hash(query)])) == {text_hash(query)}


def test_papers_stored_after_the_index_was_built_are_still_found(store, tmp_path, fake_embedder):
    import_dump(store, write_json(tmp_path / "papers.json", synthetic_papers(300)))
    embed_store(store, fake_embedder)
    build_store_index(store, fake_embedder.name)
    store.save_papers([Paper(title="Quantum gravity lattice", abstract="Spin foams.", arxiv_id="2401.00001")])
    assert retrieve_stored(store, fake_embedder, "quantum gravity lattice spin foams", 5)[0].arxiv_id == "2401.00001"


def test_approximate_search_agrees_with_exact(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(2000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"p{i}" for i in range(2000)]
    build_index(tmp_path, "m", ids, vectors)
    index = VectorIndex.load(tmp_path)
    hits = 0
    for q in vectors[:50]:
        exact = {pid for pid, _ in index.search(q, 10, exact=True)}
        hits += len(exact & {pid for pid, _ in index.search(q, 10)})
    assert hits / 500 >= 0.95
    best, score = exact_top_k(index.vectors, vectors[7], 1, chunk=300)
    assert (best[0], round(float(score[0]), 2)) == (7, 1.0)


def test_a_half_built_index_is_ignored(tmp_path):
    build_index(tmp_path, "m", ["a", "b"], np.eye(2, dtype=np.float32), ann=False)
    assert VectorIndex.load(tmp_path).search(np.array([0, 1.0]), 1) == [("b", 1.0)]
    (tmp_path / "meta.json").unlink()
    assert VectorIndex.load(tmp_path) is None
    assert index_dir(tmp_path, "org/model name") == tmp_path / "index" / "org_model_name"


@pytest.mark.parametrize("ann", [False, True], ids=["vectors.npy", "the graph's own vectors"])
def test_the_vector_index_scores_the_rows_another_index_gave(tmp_path, ann):
    vectors = np.eye(3, 4, dtype=np.float32)
    build_index(tmp_path, "m", ["a", "b", "c"], vectors, ann=ann)
    index = VectorIndex.load(tmp_path)
    assert (index.ann is not None) == ann
    # "b" is not at row 2 here and row 7 is past the end: neither is scored, not even wrongly.
    scored = index.score_rows(np.array([0.5, 0, 1.0, 0]), {"a": 0, "b": 2, "c": 2, "x": 7})
    assert scored == {"a": 0.5, "c": 1.0}


def test_query_text_is_never_fts_syntax():
    assert fts_query('NEAR(a b) OR "x" AND title:* -y') == '"near" OR "title"'
    assert fts_query("the of a") is None
    assert fuse_rankings([["a", "b", "c"], ["b"]], 2) == ["b", "a"]


def test_empty_store_and_empty_query(store, fake_embedder):
    assert retrieve_stored(store, fake_embedder, "anything", 5) == []


@pytest.mark.slow
def test_the_onnx_embedder_works_after_the_vector_index_is_loaded(tmp_path):
    """usearch loaded before onnxruntime crashed the process, and made torch's ONNX export crawl.
    A fresh interpreter, because this test process may have loaded either already."""
    script = f"""
import subprocess
import sys

import numpy as np
from pathlib import Path
from scout.store.vectors import VectorIndex, build_index
from scout.search.embed import load_embedder

folder = Path({str(tmp_path / "index")!r})
vectors = np.eye(4, 384, dtype=np.float32)
build_index(folder, "m", ["a", "b", "c", "d"], vectors)
assert VectorIndex.load(folder).search(vectors[2], 1)[0][0] == "c"
print(load_embedder("all-MiniLM-L6-v2", Path({str(tmp_path / "cache")!r})).encode(["mask classification"]).shape)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "(1, 384)"
