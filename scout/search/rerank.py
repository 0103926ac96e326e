"""Optional cross-encoder re-ranking of the top of a ranked pool.

A cross-encoder reads the task and a paper together, which is slower but sharper than comparing two
embeddings. scout uses one only when the user names a model that is on this machine (`--rerank` or
SCOUT_RERANKER): none ships with scout, and none is ever downloaded."""

from __future__ import annotations

from functools import cached_property
from typing import Protocol

import numpy as np

from scout.search.embed import local_model_path

DEFAULT_RERANK_TOP = 20


class Reranker(Protocol):
    name: str

    def score(self, query: str, texts: list[str]) -> np.ndarray:
        """One relevance score per text; higher is more relevant."""
        ...


class CrossEncoderReranker:
    def __init__(self, model: str):
        self.name = model
        self._path = local_model_path(model, namespace="cross-encoder")

    @cached_property
    def _model(self):
        from sentence_transformers import CrossEncoder

        return CrossEncoder(self._path, device="cpu")

    def score(self, query: str, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        scores = self._model.predict([(query, text) for text in texts], show_progress_bar=False)
        return np.asarray(scores, dtype=np.float32).reshape(len(texts))


def load_reranker(model: str | None) -> Reranker | None:
    """The cross-encoder for `model` (a folder or a name in the local Hugging Face cache), or None."""
    return CrossEncoderReranker(model) if model else None
