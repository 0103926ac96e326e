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


def load_static_model(folder: Path):
    """The model2vec model saved in `folder`, as StaticModel.from_pretrained loads a local folder but
    for its model card: from_pretrained imports model2vec.persistence, which brings in
    huggingface_hub's card and HTTP stack (about a third of a second of CPU per offline query,
    more than encoding the query takes) to read the card's base-model and language fields."""
    from model2vec import StaticModel
    from safetensors import safe_open
    from tokenizers import Tokenizer

    config = json.loads((folder / "config.json").read_text())
    with safe_open(str(folder / "model.safetensors"), framework="numpy") as tensors:
        names = set(tensors.keys())
        vectors, weights, mapping = (
            tensors.get_tensor(name) if name in names else None for name in ("embeddings", "weights", "mapping")
        )
    return StaticModel(
        vectors=vectors,
        tokenizer=Tokenizer.from_file(str(folder / "tokenizer.json")),
        weights=weights,
        token_mapping=mapping,
        config=config,
        normalize=config.get("normalize", False),
        max_length=config.get("max_length", 512),
    )


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
        return load_static_model(self.folder)

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
