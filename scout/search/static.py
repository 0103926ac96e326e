"""The fast embedder: a static model distilled locally from the bundled MiniLM with model2vec (one
vector per vocabulary token, a text is the mean of its tokens' vectors), so the whole archive can
be embedded on a laptop's CPU in minutes instead of hours. Distilling needs no download: model2vec
runs MiniLM over its own tokenizer's vocabulary, once per package version (a few minutes, torch)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from functools import cached_property
from importlib import metadata
from pathlib import Path

import numpy as np

from scout.config import MODEL_PACKAGE
from scout.dirs import make_once
from scout.search.child import call_in_child

FAST_MODEL = "all-MiniLM-L6-v2-static"
PCA_DIMS = 256  # model2vec's default: smaller vectors, the same retrieval quality in its reports
# Bump when the distillation below changes, so caches holding an older model are not reused.
DISTILL_FORMAT = 1


def static_model_dir(cache_dir: Path) -> Path:

    key = f"{metadata.version(MODEL_PACKAGE)}:{metadata.version('model2vec')}:{PCA_DIMS}:{DISTILL_FORMAT}"
    return Path(cache_dir) / "models" / f"{FAST_MODEL}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def distill(model_dir: Path, target: Path) -> Path:
    """Distil the static model from the sentence-transformers folder `model_dir` into `target`,
    atomically (a temporary folder renamed into place)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from model2vec.distill import distill as m2v_distill

    model = m2v_distill(str(model_dir), pca_dims=PCA_DIMS)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model.save_pretrained(str(staging))
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def distill_in_child(model_dir: Path, target: Path) -> Path:
    """distill() in a fresh interpreter: it needs torch (see scout.search.child)."""
    call_in_child("scout.search.static", "distill", [model_dir, target], "could not distil the fast embedding model")
    return target


class TokenMeans:
    """model2vec's StaticModel.encode for a model of token vectors alone, the layout distill()
    writes (WordPiece tokens, float vectors, no token weights or mapping), in NumPy and `tokenizers`:
    importing model2vec and building its StaticModel (joblib, a copy of the tokenizer) cost more CPU
    per offline query than the query's own encoding. The same steps, to the bit (a test holds the
    two equal): cut each text at max_length times the vocabulary's median token length in
    characters, tokenize without special tokens up to max_length tokens, drop unknown tokens,
    average the token vectors in their dtype, then make each row unit length and round it back."""

    def __init__(self, vectors: np.ndarray, tokenizer, normalize: bool):
        self.vectors = vectors
        self.tokenizer = tokenizer
        self.normalize = normalize
        self.dim = vectors.shape[1]
        self.unk_id = tokenizer.token_to_id(tokenizer.model.unk_token)
        self.median_token_length = int(np.median([len(token) for token in tokenizer.get_vocab()]))
        tokenizer.no_padding()

    @classmethod
    def load(cls, folder: Path):
        """The model saved in `folder`: a TokenMeans where its layout allows, else model2vec's own."""
        from safetensors import safe_open
        from tokenizers import Tokenizer
        from tokenizers.models import WordPiece

        config = json.loads((folder / "config.json").read_text())
        with safe_open(str(folder / "model.safetensors"), framework="numpy") as tensors:
            names = set(tensors.keys())
            vectors = tensors.get_tensor("embeddings") if "embeddings" in names else None
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        plain = names == {"embeddings"} and isinstance(tokenizer.model, WordPiece)
        if plain and vectors.dtype in (np.float16, np.float32):
            return cls(vectors, tokenizer, bool(config.get("normalize", False)))
        from model2vec import StaticModel

        return StaticModel.from_pretrained(str(folder))

    def encode(self, texts: list[str], max_length: int, **_) -> np.ndarray:
        self.tokenizer.enable_truncation(max_length)
        cut = max_length * self.median_token_length
        encodings = self.tokenizer.encode_batch_fast([t[:cut] for t in texts], add_special_tokens=False)
        ids = [[i for i in e.ids if i != self.unk_id] for e in encodings]
        out = np.zeros((len(ids), self.dim), dtype=self.vectors.dtype)
        rows_by_length: dict[int, list[int]] = {}
        for row, tokens in enumerate(ids):
            if tokens:
                rows_by_length.setdefault(len(tokens), []).append(row)
        for rows in rows_by_length.values():
            out[rows] = self.vectors[np.array([ids[r] for r in rows], dtype=np.int64)].mean(axis=1)
        if not self.normalize:
            return out
        wide = out.astype(np.float32)
        return (wide / (np.linalg.norm(wide, axis=1, keepdims=True) + 1e-32)).astype(out.dtype)


class StaticEmbedder:
    """Token-vector averaging with the distilled model: no neural network at encode time."""

    def __init__(self, name: str, source_dir: Path, folder: Path):
        self.name = name
        self.source_dir = source_dir  # the MiniLM it is distilled from
        self.folder = folder

    @cached_property
    def _model(self):
        config = self.folder / "config.json"
        make_once(self.folder, config.is_file, lambda: distill_in_child(self.source_dir, self.folder))
        return TokenMeans.load(self.folder)

    @cached_property
    def dim(self) -> int:
        return int(self._model.dim)

    def encode(self, texts: list[str], batch_size: int = 1024) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        # MiniLM's own limit of 256 word pieces would cut most abstracts short; averaging is cheap.
        vectors = self._model.encode(
            list(texts), batch_size=max(batch_size, 1024), max_length=512, use_multiprocessing=False
        )
        vectors = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)
