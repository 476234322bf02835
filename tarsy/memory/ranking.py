"""Hybrid ranking of recalled memories: a pure function of what the store read (docs/memory.md).

The store reads the nearest neighbours of the query vector (HNSW), each with its cosine similarity,
its full-text rank against the query's words and its age; this module decides which of them count
and in what order::

    keyword    = ts_rank / (ts_rank + 0.1)                      # 0..1
    relevance  = (1 - keyword_weight) * similarity + keyword_weight * keyword
    score      = relevance * (0.5 + 0.5 * confidence) * 0.5 ** (age_days / age_half_life_days)

A candidate below ``similarity_threshold`` or ``confidence_floor`` is dropped whatever its keywords:
keywords re-rank memories that are already about the same thing, they never admit one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from tarsy.config.memory import MemoryRetrievalConfig

KEYWORD_HALF: Final = 0.1
"""The ``ts_rank`` that counts as a keyword match of 0.5 (one query word in a short memory ranks ~0.06)."""


@dataclass(frozen=True)
class Candidate:
    """A memory as the store read it for one query."""

    id: str
    content: str
    category: str
    confidence: float
    alert_type: str | None
    similarity: float
    """Cosine similarity of its vector and the query's, -1..1."""
    keyword_rank: float
    """``ts_rank`` of its text against the query's words (0: none matched)."""
    age_days: float
    """Days since it was last created, reinforced or edited."""


@dataclass(frozen=True)
class RankedMemory:
    memory: Candidate
    score: float

    @property
    def id(self) -> str:
        return self.memory.id


def keyword_score(rank: float) -> float:
    return 0.0 if rank <= 0 else rank / (rank + KEYWORD_HALF)


def decay(age_days: float, half_life_days: float) -> float:
    return float(0.5 ** (max(age_days, 0.0) / half_life_days))


def score(candidate: Candidate, config: MemoryRetrievalConfig) -> float:
    weight = config.keyword_weight
    relevance = (1 - weight) * candidate.similarity + weight * keyword_score(candidate.keyword_rank)
    trust = 0.5 + 0.5 * candidate.confidence
    return relevance * trust * decay(candidate.age_days, config.age_half_life_days)


def admitted(candidate: Candidate, config: MemoryRetrievalConfig) -> bool:
    return candidate.similarity >= config.similarity_threshold and candidate.confidence >= config.confidence_floor


def rank(candidates: Iterable[Candidate], config: MemoryRetrievalConfig, limit: int) -> list[RankedMemory]:
    """The best ``limit`` admitted candidates, best first (ties: the more similar, then by id)."""
    ranked = [RankedMemory(c, score(c, config)) for c in candidates if admitted(c, config)]
    ranked.sort(key=lambda r: (-r.score, -r.memory.similarity, r.memory.id))
    return ranked[:limit]
