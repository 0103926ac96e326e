"""Ranking: dense/lexical/fused relevance, strength of the baseline, sort modes. Fake embedder, fast."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import numpy as np
import pytest

from scout.errors import ConfigError
from scout.models import Paper, Repo, Result
from scout.search import rank

NOW = datetime(2026, 11, 30, tzinfo=timezone.utc)


MASK = Paper(
    title="Per-pixel classification is not all you need",
    abstract="mask classification for semantic segmentation",
    published="2021-07-13",
    arxiv_id="2107.06278",
)
GRAPH = Paper(
    title="Graph neural networks for molecules",
    abstract="message passing on molecular graphs",
    published="2020-01-01",
    arxiv_id="2001.00001",
)
SPEECH = Paper(
    title="Speech recognition with transducers",
    abstract="streaming audio models",
    published="2022-05-05",
    arxiv_id="2205.00005",
)


@pytest.fixture
def embedder(fake_embedder):
    return fake_embedder


def test_dense_ranks_the_matching_paper_first_with_cosine_and_close_flag(embedder, store):
    ranked = rank.rank_papers(
        "mask classification segmentation",
        [GRAPH, MASK, SPEECH],
        embedder,
        store,
        ranker="dense",
        close_threshold=0.3,
        now=NOW,
    )
    assert ranked[0].paper.arxiv_id == "2107.06278"
    assert [r.rank for r in ranked] == [1, 2, 3]
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    query, doc = embedder.encode(["mask classification segmentation", MASK.embedding_text()])
    assert ranked[0].similarity == pytest.approx(float(query @ doc), abs=1e-4)
    assert ranked[0].close and not ranked[-1].close
    assert set(ranked[0].parts) >= {"lexical", "strength", "relevance"}
    # no code, no results, no citations: relevance alone, over the most the sum can reach
    most = 1 + rank.STRENGTH_WEIGHT
    assert ranked[0].score == pytest.approx(ranked[0].parts["relevance"] / most, abs=1e-4)


@pytest.mark.parametrize("ranker", sorted(rank.RANKERS))
def test_every_score_lies_in_0_1_whatever_the_ranker(embedder, store, ranker):
    strong = MASK.with_(citations=100_000)
    ranked = rank.rank_papers("mask classification", [GRAPH, strong, SPEECH], embedder, store, ranker=ranker, now=NOW)
    assert all(0.0 <= r.score <= 1.0 for r in ranked), [r.score for r in ranked]
    assert all(0.0 <= r.parts["relevance"] <= 1.0 for r in ranked)


def test_repeated_ranking_reuses_cached_embeddings(embedder, store):
    rank.rank_papers("mask classification", [GRAPH, MASK], embedder, store)
    encoded_before = len(embedder.encoded)
    rank.rank_papers("mask classification", [GRAPH, MASK], embedder, store)
    assert len(embedder.encoded) == encoded_before


def test_about_joins_the_task_description(embedder, store):
    ranked = rank.rank_papers(
        "segmentation",
        [MASK, GRAPH],
        embedder,
        store,
        about="We plan message passing on molecular graphs.",
        ranker="dense",
    )
    assert "segmentation\nWe plan message passing on molecular graphs." in embedder.encoded
    assert ranked[0].paper is GRAPH


def test_bm25_ranker_scores_exact_terms(embedder, store):
    ranked = rank.rank_papers("molecular graphs", [MASK, SPEECH, GRAPH], embedder, store, ranker="bm25")
    assert ranked[0].paper is GRAPH
    assert ranked[0].parts["lexical"] == 1.0
    assert ranked[-1].parts["lexical"] == 0.0


def test_lexical_scores_are_scaled_to_the_best_in_the_pool():
    scores = rank.lexical_scores("mask classification", ["mask classification", "mask", "audio"])
    assert scores[0] == 1.0 and 0 < scores[1] < 1 and scores[2] == 0.0
    assert rank.lexical_scores("the of and", ["mask"]).tolist() == [0.0]  # only stopwords


def test_empty_pool_and_bad_names(embedder, store):
    assert rank.rank_papers("anything", [], embedder, store) == []
    with pytest.raises(ConfigError, match="unknown ranker 'nope'"):
        rank.rank_papers("q", [MASK], embedder, store, ranker="nope")
    with pytest.raises(ConfigError, match="unknown sort 'stars'"):
        rank.rank_papers("q", [MASK], embedder, store, sort="stars")


STRONG = Paper(
    title="Strong baseline",
    published="2019-01-01",
    citations=999,
    repos=(Repo(url="https://github.com/o/r", official=True, stars=9999, pushed_at="2026-06-01T00:00:00Z"),),
    results=(Result(task="t", dataset="d", metric="Accuracy", value=97.3),),
)


def test_strength_parts_follow_the_documented_scale():
    parts = rank.strength_parts(STRONG, NOW)
    assert parts == pytest.approx(
        {"code": 0.3, "stars": 0.3 * 4 / 4, "activity": 0.15, "results": 0.15, "citations": 0.1}, abs=1e-4
    )
    assert rank.strength(STRONG, NOW) == pytest.approx(1.0, abs=1e-4)
    assert rank.strength(MASK, NOW) == 0.0


def test_strength_of_unofficial_old_or_archived_code():
    old = Paper(title="x", repos=(Repo(url="u", official=False, stars=99, pushed_at="2022-06-01T00:00:00Z"),))
    parts = rank.strength_parts(old, NOW)
    assert parts["code"] == 0.15
    assert parts["stars"] == pytest.approx(0.3 * math.log10(100) / 4)
    assert parts["activity"] == 0.0  # pushed 4.5 years ago
    archived = Paper(title="x", repos=(Repo(url="u", archived=True, pushed_at="2026-11-01T00:00:00Z"),))
    assert rank.strength_parts(archived, NOW)["activity"] == 0.0
    two_years = Paper(title="x", repos=(Repo(url="u", pushed_at="2024-12-01"),))
    assert rank.strength_parts(two_years, NOW)["activity"] == 0.075


def test_strength_adds_to_relevance_in_the_final_score(embedder, store):
    twin = STRONG.with_(title=MASK.title, abstract=MASK.abstract)
    ranked = rank.rank_papers("mask classification", [MASK, twin], embedder, store, now=NOW)
    assert ranked[0].paper is twin  # same text, stronger baseline
    most = 1 + rank.STRENGTH_WEIGHT
    assert ranked[0].score - ranked[1].score == pytest.approx(rank.STRENGTH_WEIGHT * 1.0 / most, abs=1e-3)
    assert ranked[0].parts["strength"] == pytest.approx(1.0, abs=1e-4)


def test_sort_modes(embedder, store):
    strong_graph = STRONG.with_(title=GRAPH.title, abstract=GRAPH.abstract, published="2018-03-03")
    papers = [MASK, strong_graph, SPEECH]
    by_strength = rank.rank_papers("mask classification", papers, embedder, store, sort="strength", now=NOW)
    assert by_strength[0].paper is strong_graph
    by_date = rank.rank_papers("mask classification", papers, embedder, store, sort="date", now=NOW)
    assert [r.paper.published for r in by_date] == ["2022-05-05", "2021-07-13", "2018-03-03"]
    assert [r.rank for r in by_date] == [1, 2, 3]
    undated = rank.rank_papers("mask", [MASK.with_(published=None), SPEECH], embedder, store, sort="date")
    assert undated[-1].paper.published is None


def test_minmax_and_weighted_fusion_arithmetic():
    assert rank.minmax(np.array([2.0, 4.0, 3.0])).tolist() == [0.0, 1.0, 0.5]
    assert rank.minmax(np.array([0.3, 0.3])).tolist() == [1.0, 1.0]  # no spread: no preference
    fused = rank.weighted_fusion(np.array([0.2, 0.6, 0.4]), np.array([1.0, 0.0, 0.5]), weight=0.7)
    assert fused == pytest.approx([0.3, 0.7, 0.5])


def test_reciprocal_rank_fusion_arithmetic():
    fused = rank.reciprocal_rank_fusion(np.array([0.9, 0.1, 0.5]), np.array([0.0, 2.0, 1.0]), k=60)
    assert fused == pytest.approx([1 / 61 + 1 / 63, 1 / 63 + 1 / 61, 1 / 62 + 1 / 62])


def test_a_changed_weight_changes_the_order():
    # paper 0 is the semantic match, paper 1 the exact-term match
    dense, lexical = np.array([0.8, 0.5, 0.1]), np.array([0.2, 1.0, 0.0])
    dense_heavy = np.argsort(-rank.weighted_fusion(dense, lexical, weight=0.9)).tolist()
    lexical_heavy = np.argsort(-rank.weighted_fusion(dense, lexical, weight=0.2)).tolist()
    assert dense_heavy == [0, 1, 2]
    assert lexical_heavy == [1, 0, 2]


def test_hybrid_ranker_fuses_cosine_and_bm25(embedder, store):
    papers = [MASK, GRAPH, SPEECH]
    ranked = rank.rank_papers("mask classification", papers, embedder, store, ranker="hybrid")
    by_paper = {r.paper.arxiv_id: r for r in ranked}
    sims = np.array([by_paper[p.arxiv_id].similarity for p in papers])
    lex = np.array([by_paper[p.arxiv_id].parts["lexical"] for p in papers])
    expected = rank.weighted_fusion(sims, lex)
    assert [by_paper[p.arxiv_id].parts["relevance"] for p in papers] == pytest.approx(expected, abs=1e-3)
    assert ranked[0].paper is MASK


def test_sentences_of_a_long_description_only():
    assert rank.sentences_of("q", "One aim. Another aim! A third?") == ["q", "One aim.", "Another aim!", "A third?"]
    assert rank.sentences_of("q", "Just one aim.") == []
    assert rank.sentences_of("q", None) == []


def test_maxsim_finds_a_paper_matching_one_aim_of_several(embedder, store):
    about = "We study speech recognition with transducers. We also like graphs and molecules a lot today."
    ranked = rank.rank_papers("plan", [MASK, SPEECH], embedder, store, about=about, ranker="dense-maxsim")
    assert ranked[0].paper is SPEECH


def test_every_registered_ranker_ranks_a_pool(embedder, store):
    for name in rank.RANKERS:
        ranked = rank.rank_papers(
            "mask classification segmentation", [GRAPH, MASK, SPEECH], embedder, store, ranker=name
        )
        assert ranked[0].paper is MASK, name
    assert rank.DEFAULT_RANKER in rank.RANKERS


class ReversingReranker:
    """Scores the texts in the reverse of the order it is given them, whatever they say."""

    name = "reverse"

    def __init__(self):
        self.seen: list[str] = []

    def score(self, query, texts):
        self.seen = list(texts)
        return np.arange(len(texts), dtype=np.float32)


def test_a_reranker_reorders_only_the_top_n_and_scores_stay_monotone(embedder, store):
    papers = [MASK, GRAPH, SPEECH]
    plain = rank.rank_papers("mask classification", papers, embedder, store, now=NOW)
    reranker = ReversingReranker()
    ranked = rank.rank_papers("mask classification", papers, embedder, store, now=NOW, reranker=reranker, rerank_top=2)
    top_two = [r.paper for r in plain[:2]]
    assert [r.paper for r in ranked[:2]] == top_two[::-1]
    assert ranked[2].paper == plain[2].paper and "rerank" not in ranked[2].parts
    assert [r.parts["rerank"] for r in ranked[:2]] == [1.0, 0.0]
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert len(reranker.seen) == 2


@pytest.mark.slow
def test_a_local_cross_encoder_folder_loads_and_scores(tmp_path):
    """A tiny randomly initialised BERT cross-encoder, saved like any downloaded one."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    from scout.search.embed import bundled_model_dir
    from scout.search.rerank import load_reranker

    tokenizer = BertTokenizerFast.from_pretrained(str(bundled_model_dir()))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    scores = load_reranker(str(tmp_path)).score("mask classification", ["a mask paper", "a speech paper"])
    assert scores.shape == (2,) and np.isfinite(scores).all()


def test_a_missing_cross_encoder_is_a_config_error(tmp_path):
    from scout.search.rerank import load_reranker

    with pytest.raises(ConfigError, match="scout never downloads a model"):
        load_reranker(str(tmp_path / "no-such-model"))
    assert load_reranker(None) is None
